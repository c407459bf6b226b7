//! The result of running a target's test suite once: an outcome per test, for the gates to
//! compare a change's run against the baseline run on the untouched code. The reports are
//! read by `tdev-tools`' parsers; this crate only runs the tests.

use crate::outcome::StopReason;
use std::collections::BTreeMap;
use std::time::Duration;
use tdev_core::TestStatus;

/// Per file (relative to the worktree, `/`-separated): the lines the tests ran and the
/// executable lines they did not.
pub type FileLines = BTreeMap<String, (Vec<u32>, Vec<u32>)>;

/// One run of a test suite.
#[derive(Debug, Clone, PartialEq)]
pub struct TestRun {
    /// Each test's id (pytest's node id, or cargo's `crate/source::path`) and how it ended.
    pub outcomes: BTreeMap<String, TestStatus>,
    /// Line coverage of the worktree's files, when the run measured it (Python's default
    /// pytest command runs under coverage.py).
    pub coverage: Option<FileLines>,
    /// Wall time of the run.
    pub duration: Duration,
    /// Why the sandbox stopped the run, if it did; the outcomes are then those of the tests
    /// that finished.
    pub stopped: Option<StopReason>,
    /// The exit code of the test command (None when a signal ended it).
    pub exit_code: Option<i32>,
    /// The last lines of the runner's output, to show when the run went wrong.
    pub output_tail: String,
}

impl TestRun {
    /// How many tests ended with `status`.
    pub fn count(&self, status: TestStatus) -> usize {
        self.outcomes.values().filter(|s| **s == status).count()
    }
}
