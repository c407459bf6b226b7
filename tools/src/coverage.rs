//! Line and branch coverage per file, read from coverage.py's JSON report (`coverage json`).
//! The one reader of this report: tdev's pytest adapter and the sandboxed test runs of
//! `tdev-runner` both call it.

use crate::error::{Error, Result};
use crate::location::Repo;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// Coverage of a whole test run.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Coverage {
    /// Per measured file of the project, by path.
    pub files: Vec<FileCoverage>,
    /// Percent covered over all files (lines, and branches when measured), as coverage.py
    /// computes it.
    pub percent: f64,
}

impl Coverage {
    /// The coverage of one repository-relative file.
    pub fn file(&self, path: &str) -> Option<&FileCoverage> {
        self.files.iter().find(|f| f.path == path)
    }
}

/// Coverage of one file.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct FileCoverage {
    /// Repository-relative path.
    pub path: String,
    /// Number of statements coverage.py counts.
    pub statements: u32,
    /// Lines that ran, ascending.
    pub executed_lines: Vec<u32>,
    /// Statement lines that did not run, ascending.
    pub missing_lines: Vec<u32>,
    /// Lines excluded from measurement (`# pragma: no cover`), ascending.
    pub excluded_lines: Vec<u32>,
    /// Number of possible branches (0 without branch measurement).
    pub branches: u32,
    /// Number of branches taken.
    pub covered_branches: u32,
    /// Branches never taken, as (from line, to line); a negative target is an exit from the
    /// code object starting at that line, as coverage.py writes it.
    pub missing_branches: Vec<(i64, i64)>,
    /// Percent covered (lines, and branches when measured).
    pub percent: f64,
}

impl FileCoverage {
    /// Whether a line ran; `None` for a line that is not a statement.
    pub fn line(&self, line: u32) -> Option<bool> {
        if self.executed_lines.binary_search(&line).is_ok() {
            Some(true)
        } else if self.missing_lines.binary_search(&line).is_ok() {
            Some(false)
        } else {
            None
        }
    }
}

#[derive(Deserialize)]
struct Report {
    files: BTreeMap<String, File>,
    totals: Summary,
}

#[derive(Deserialize)]
struct File {
    executed_lines: Vec<u32>,
    missing_lines: Vec<u32>,
    #[serde(default)]
    excluded_lines: Vec<u32>,
    #[serde(default)]
    missing_branches: Vec<(i64, i64)>,
    summary: Summary,
}

#[derive(Deserialize)]
struct Summary {
    num_statements: u32,
    percent_covered: f64,
    #[serde(default)]
    num_branches: u32,
    #[serde(default)]
    covered_branches: u32,
}

/// Reads a `coverage json` report, keeping the files inside `repo` (coverage.py names them
/// relative to where it ran, or absolute), with their paths relative to `repo`.
pub fn parse_coverage_json(repo: &Path, json: &[u8]) -> Result<Coverage> {
    let report: Report = serde_json::from_slice(json).map_err(|e| Error::Output {
        tool: "coverage".to_owned(),
        detail: e.to_string(),
    })?;
    let repo = Repo::new(repo);
    let mut files: Vec<FileCoverage> = report
        .files
        .into_iter()
        .map(|(path, f)| {
            let sorted = |mut lines: Vec<u32>| {
                lines.sort_unstable();
                lines
            };
            FileCoverage {
                path: repo.relative(&path),
                statements: f.summary.num_statements,
                executed_lines: sorted(f.executed_lines),
                missing_lines: sorted(f.missing_lines),
                excluded_lines: sorted(f.excluded_lines),
                branches: f.summary.num_branches,
                covered_branches: f.summary.covered_branches,
                missing_branches: f.missing_branches,
                percent: f.summary.percent_covered,
            }
        })
        .filter(|f| repo.contains(&f.path))
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Coverage {
        files,
        percent: report.totals.percent_covered,
    })
}
