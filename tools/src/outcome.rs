//! The outcome of one test, as both test adapters (pytest, cargo test) report it.

use serde::Serialize;

/// How a test ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TestStatus {
    /// It passed.
    Passed,
    /// It was skipped (pytest's skip and xfail, libtest's `#[ignore]`).
    Skipped,
    /// Its assertions failed.
    Failed,
    /// It could not run: an error in collection, setup or teardown.
    Error,
}

impl TestStatus {
    /// The spelling in JSON and tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Passed => "passed",
            Self::Skipped => "skipped",
            Self::Failed => "failed",
            Self::Error => "error",
        }
    }
}

/// One test and how it ended.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TestOutcome {
    /// The test's id in its runner's terms: a pytest node id (`tests/test_a.py::TestX::test_y`)
    /// or a libtest path (`tests::parses`).
    pub id: String,
    /// How it ended.
    pub status: TestStatus,
    /// How long it took, when the runner says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seconds: Option<f64>,
    /// Why it failed, errored or was skipped, when the runner says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}
