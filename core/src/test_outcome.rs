//! How one test ended, in the one form every crate uses: the tool adapters read it from the
//! runners' reports, the sandboxed test runs return it, the gates compare a change's run with
//! the baseline's, and the evaluator counts it.

use serde::{Deserialize, Serialize};

/// How a test ended.
///
/// The order is from the best to the worst news, so that a test reported twice (a pass,
/// then an error in its teardown) keeps the worse of the two with `max`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TestStatus {
    /// It passed.
    Passed,
    /// It was skipped (pytest's skip and xfail, libtest's `#[ignore]`).
    Skipped,
    /// Its assertions failed.
    Failed,
    /// It could not run to its assertions: an error in collection, setup or teardown.
    Error,
    /// It was not in the run at all. No report says this; the gates use it for a baseline
    /// test that is absent after a change.
    Missing,
}

impl TestStatus {
    /// The spelling in JSON, tables and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Passed => "passed",
            Self::Skipped => "skipped",
            Self::Failed => "failed",
            Self::Error => "error",
            Self::Missing => "missing",
        }
    }
}

/// One test and how it ended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TestOutcome {
    /// The test's id in its runner's terms: a pytest node id (`tests/test_a.py::TestX::test_y`)
    /// or a libtest path (`tests::parses`).
    pub id: String,
    /// How it ended.
    pub status: TestStatus,
    /// How long it took, when the runner says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<f64>,
    /// Why it failed, errored or was skipped, when the runner says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::TestStatus;

    #[test]
    fn a_test_reported_twice_keeps_the_worse_status() {
        use TestStatus::*;
        assert_eq!(Passed.max(Error), Error);
        assert_eq!(Failed.max(Skipped), Failed);
        assert_eq!(Error.max(Failed), Error);
    }

    #[test]
    fn statuses_are_spelled_as_in_json() {
        for status in [
            TestStatus::Passed,
            TestStatus::Skipped,
            TestStatus::Failed,
            TestStatus::Error,
            TestStatus::Missing,
        ] {
            assert_eq!(
                serde_json::to_string(&status).unwrap(),
                format!("\"{}\"", status.as_str())
            );
        }
    }
}
