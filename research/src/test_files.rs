//! Which files of a repository are its tests, by the globs of the gate's
//! `[gates.test_integrity] patterns`.
//!
//! The caller passes the patterns of its configuration ([`crate::ScanOptions::test_patterns`]),
//! so that a scan, the cycle that plans from it and the gate that judges the change agree on
//! what a test is. A scan uses them three ways: findings in tests are listed after the
//! product's, copies of code in tests are not findings, and bandit's B101 is dropped there.

use tdev_core::Finding;
use tdev_gates::Globs;

/// The test files of a scan, by the gate's own compiled globs, so that the scan and the gate
/// read a pattern the same way.
#[derive(Clone, Debug)]
pub(crate) struct TestFiles {
    globs: Globs,
}

impl TestFiles {
    /// Test files are those matching any of `patterns`.
    pub(crate) fn new(patterns: &Globs) -> TestFiles {
        TestFiles {
            globs: patterns.clone(),
        }
    }

    /// Whether the file at `path` (relative, `/`-separated) is a test file.
    pub(crate) fn contains(&self, path: &str) -> bool {
        self.globs.matches(path)
    }

    /// How many of `findings` are in test files.
    pub(crate) fn count(&self, findings: &[Finding]) -> u32 {
        let count = findings.iter().filter(|f| self.contains(&f.path)).count();
        u32::try_from(count).unwrap_or(u32::MAX)
    }
}

/// The gate's default patterns (`tests/`, `test_*.py`, `*_test.py`, `conftest.py`, test
/// data), for callers without a configuration.
pub(crate) fn default_patterns() -> Globs {
    tdev_gates::TestIntegrityPolicy::default().patterns
}
