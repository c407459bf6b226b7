//! Quality gates: policy as code, a pure function from an evaluation's measurements to a report
//! with reasons. Gates do no IO: the evaluator measures, [`evaluate`] judges.
//!
//! The default [`Policy`] follows the idea of SonarQube's "Sonar way" gate, which judges only
//! the new code of a change: no test that passed on the untouched baseline may fail, changed
//! lines must be covered, no new serious security finding, and complexity, maintainability,
//! docstring coverage and duplication must not get worse. A change is graded against the
//! original tests ([`test_integrity`]). `docs/gates.md` describes every condition and the
//! `[gates]` table of `tdev.toml`.
//!
//! ```
//! use tdev_core::TestStatus;
//! use tdev_gates::{ChangeSet, GateInput, Policy, evaluate};
//!
//! let diff = "\
//! diff --git a/tests/test_app.py b/tests/test_app.py
//! index 1b2c3d4..5e6f7a8 100644
//! --- a/tests/test_app.py
//! +++ b/tests/test_app.py
//! @@ -3 +3 @@ def test_total():
//! -    assert total([1, 2]) == 3
//! +    assert total([1, 2]) is not None
//! ";
//! let mut input = GateInput {
//!     task_kind: "fix-lint".into(),
//!     change: ChangeSet::from_unified_diff(diff)?,
//!     ..GateInput::default()
//! };
//! input.tests_baseline.insert("tests/test_app.py::test_total".into(), TestStatus::Passed);
//! input.tests_after.insert("tests/test_app.py::test_total".into(), TestStatus::Passed);
//!
//! let report = evaluate(&Policy::default(), &input);
//! assert!(!report.passed);
//! assert_eq!(
//!     report.reasons(),
//!     ["The change must leave the existing tests as they are, but \
//!       tests/test_app.py:3 changes the assertion `assert total([1, 2]) == 3`."]
//! );
//! # Ok::<(), tdev_gates::Error>(())
//! ```
#![warn(missing_docs)]

mod diff;
mod evaluate;
mod glob;
mod input;
mod integrity;
mod policy;
mod report;

pub use diff::{ChangeSet, FileChange, FileStatus, Hunk, Line};
pub use evaluate::evaluate;
pub use glob::Globs;
pub use input::{CoverageInput, FileMetrics, FindingKey, GateInput, LineCoverage, LineLimit};
pub use integrity::{IntegrityViolation, test_integrity};
pub use policy::{
    ComplexityMaxPolicy, ComplexityTotalPolicy, CoveragePolicy, DocstringsPolicy,
    DuplicationPolicy, LineLengthPolicy, MaintainabilityPolicy, Policy, SecurityPolicy,
    TestIntegrityPolicy, TestsPolicy,
};
pub use report::{ConditionResult, GateReport};

/// Errors of the gates: input that cannot be read. A change that fails the gate is a
/// [`GateReport`], not an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The text given as a unified diff is not one.
    #[error("unified diff line {line}: {message}")]
    Diff {
        /// 1-based line of the diff text.
        line: usize,
        /// What is wrong there.
        message: String,
    },
    /// A policy value is out of its range, or a test-file pattern is not a valid glob.
    #[error("{0}")]
    Policy(String),
}

/// Result of the gates.
pub type Result<T, E = Error> = std::result::Result<T, E>;
