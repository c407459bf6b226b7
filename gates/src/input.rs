//! What the evaluator measured for one change: the data the gates judge, as plain serde values.

use crate::ChangeSet;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tdev_core::{Finding, TestStatus};

/// The evaluation of one change, before and after.
///
/// Maps of files are keyed by the path relative to the repository root, with `/` separators.
/// The evaluator may give every file of the repository or only the files the change touched:
/// the gates compare totals, and untouched files add the same to both sides.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GateInput {
    /// Kind of the task the change was made for, e.g. `fix-lint`, `add-tests`.
    pub task_kind: String,
    /// The change itself.
    pub change: ChangeSet,
    /// Code metrics of each measured file on the untouched baseline.
    #[serde(default)]
    pub metrics_before: BTreeMap<String, FileMetrics>,
    /// Code metrics of each measured file with the change.
    #[serde(default)]
    pub metrics_after: BTreeMap<String, FileMetrics>,
    /// Outcome of each test on the untouched baseline, by test id (e.g. a pytest node id).
    #[serde(default)]
    pub tests_baseline: BTreeMap<String, TestStatus>,
    /// Outcome of each test with the change; a baseline test absent here is missing.
    #[serde(default)]
    pub tests_after: BTreeMap<String, TestStatus>,
    /// Line coverage, when it was measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<CoverageInput>,
    /// Security findings on the untouched baseline.
    #[serde(default)]
    pub findings_before: Vec<Finding>,
    /// Security findings with the change.
    #[serde(default)]
    pub findings_after: Vec<Finding>,
    /// The longest a line of each changed file may be, by path; a file without an entry is
    /// not checked.
    #[serde(default)]
    pub line_limits: BTreeMap<String, LineLimit>,
}

/// The longest a line of a file may be, and where that comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineLimit {
    /// Columns (characters).
    pub columns: u32,
    /// Where the limit comes from, in words: `pyproject.toml [tool.black] line-length`.
    pub source: String,
}

/// Code metrics of one file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FileMetrics {
    /// Sum of the cyclomatic complexity of the file's functions and methods.
    pub complexity_total: u32,
    /// Cyclomatic complexity of the file's most complex function or method.
    pub complexity_max: u32,
    /// Maintainability index (radon's scale, 0 to 100), when it could be computed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maintainability: Option<f64>,
    /// Items (modules, classes, functions) that have a docstring.
    #[serde(default)]
    pub documented: u32,
    /// Items that could have a docstring (interrogate's count).
    #[serde(default)]
    pub documentable: u32,
    /// Lines that belong to a duplicated block, when duplication was measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicated_lines: Option<u32>,
}

/// Line coverage measured on the baseline and with the change.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverageInput {
    /// Of the executable lines the change added or modified, how many the tests ran.
    pub changed_lines: LineCoverage,
    /// Coverage of the files the change touched, on the baseline (the "previous coverage"
    /// that changed lines may match instead of reaching the minimum).
    pub touched_files_before: LineCoverage,
    /// Coverage of the whole repository on the baseline.
    pub total_before: LineCoverage,
    /// Coverage of the whole repository with the change.
    pub total_after: LineCoverage,
}

/// A count of covered executable lines.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineCoverage {
    /// Lines the tests ran.
    pub covered: u32,
    /// Executable lines.
    pub total: u32,
}

impl LineCoverage {
    /// Covered lines in percent; `None` when there are no executable lines.
    pub fn percent(self) -> Option<f64> {
        (self.total > 0).then(|| 100.0 * f64::from(self.covered) / f64::from(self.total))
    }
}

/// What identifies a finding across a change, so that one that merely moved is not new: its
/// kind, file, symbol and evidence (with surrounding whitespace trimmed), but not its line.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FindingKey {
    /// The finding's kind, e.g. `bandit:B506`.
    pub kind: String,
    /// The file.
    pub path: String,
    /// The function, class or item, if any.
    pub symbol: Option<String>,
    /// The offending source (trimmed), if any.
    pub evidence: Option<String>,
}

impl FindingKey {
    /// The key of `finding`, with its path as given.
    pub fn of(finding: &Finding) -> Self {
        FindingKey {
            kind: finding.kind.clone(),
            path: finding.path.clone(),
            symbol: finding.symbol.clone(),
            evidence: finding.evidence.as_deref().map(|e| e.trim().to_owned()),
        }
    }
}
