//! bandit, the Python security linter: its issues as findings, with its severity and its
//! confidence.
//!
//! **Severity** is bandit's own (`HIGH`, `MEDIUM`, `LOW`; `UNDEFINED` becomes info). Its
//! confidence is kept as the metric `confidence` (high 1.0, medium 0.67, low 0.33) so that
//! prioritising can discount guesses, and the CWE number, when bandit names one, as `cwe`.
//! The evidence is the code bandit quotes, with its line numbers.
//!
//! bandit runs with its default plugins and profile; the directories it skips are its own
//! defaults plus virtual environments, `node_modules`, `build` and `dist` ([`EXCLUDE`]), which
//! hold code the project does not own. Files bandit could not parse are returned apart, as
//! [`SkippedFile`]s.

use crate::environment::ToolEnv;
use crate::error::{Error, Result};
use crate::id::finding_id;
use crate::location::Repo;
use crate::process::{self, Capture};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;
use tdev_core::{Finding, Severity, Span};

/// What bandit's `-x` is given: its own default excludes, then directories of code that is
/// installed or generated rather than written in the project. bandit excludes a file when an
/// entry is a *substring* of its path, hence the slashes: `build` alone would skip
/// `builders.py`.
pub const EXCLUDE: &str = ".svn,CVS,.bzr,.hg,.git,__pycache__,.tox,.eggs,*.egg,\
    /.venv/,/venv/,/.nox/,/site-packages/,/node_modules/,/build/,/dist/";

/// What bandit found.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct BanditReport {
    /// Its issues.
    pub findings: Vec<Finding>,
    /// Files it could not analyse, and why.
    pub skipped: Vec<SkippedFile>,
}

/// A file bandit could not analyse.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SkippedFile {
    /// Repository-relative path.
    pub path: String,
    /// bandit's reason, e.g. `syntax error while parsing AST from file`.
    pub reason: String,
}

/// Runs `bandit -r` on every Python file of `repo`.
pub fn bandit(env: &ToolEnv, repo: &Path, timeout: Duration) -> Result<BanditReport> {
    let bandit = env.tool("bandit")?;
    let mut command = Command::new(bandit);
    command.current_dir(repo).args([
        "--quiet",
        "--recursive",
        "--format",
        "json",
        "--exclude",
        EXCLUDE,
        ".",
    ]);
    let output = process::run("bandit", &mut command, timeout, Capture::Separate)?;
    // 0: no issue, 1: issues found; anything else is bandit failing.
    if output.code != 0 && output.code != 1 {
        return Err(process::failed("bandit", &output));
    }
    parse(repo, &output.stdout)
}

/// The default time limit of [`bandit`].
pub const BANDIT_TIMEOUT: Duration = Duration::from_secs(600);

#[derive(Deserialize)]
struct Output {
    #[serde(default)]
    errors: Vec<ParseError>,
    results: Vec<Issue>,
}

#[derive(Deserialize)]
struct ParseError {
    filename: String,
    reason: String,
}

#[derive(Deserialize)]
struct Issue {
    code: Option<String>,
    filename: String,
    issue_confidence: String,
    issue_severity: String,
    issue_text: String,
    issue_cwe: Option<Cwe>,
    line_number: u32,
    #[serde(default)]
    line_range: Vec<u32>,
    col_offset: Option<u32>,
    end_col_offset: Option<u32>,
    test_id: String,
    test_name: Option<String>,
}

#[derive(Deserialize)]
struct Cwe {
    id: Option<f64>,
}

fn parse(repo: &Path, json: &[u8]) -> Result<BanditReport> {
    let output: Output = serde_json::from_slice(json).map_err(|e| Error::Output {
        tool: "bandit".to_owned(),
        detail: e.to_string(),
    })?;
    let repo = Repo::new(repo);
    let findings = output
        .results
        .into_iter()
        .map(|issue| {
            let kind = format!("bandit:{}", issue.test_id);
            let path = repo.relative(&issue.filename);
            let end_line = issue
                .line_range
                .iter()
                .copied()
                .max()
                .unwrap_or(issue.line_number)
                .max(issue.line_number);
            let span = Span {
                line: issue.line_number,
                // bandit's offsets are 0-based; spans are 1-based.
                column: issue.col_offset.map_or(1, |c| c + 1),
                end_line,
                end_column: issue.end_col_offset.map_or(1, |c| c + 1),
            };
            let mut metrics = BTreeMap::new();
            metrics.insert("confidence".to_owned(), confidence(&issue.issue_confidence));
            if let Some(cwe) = issue.issue_cwe.and_then(|c| c.id).filter(|id| *id > 0.0) {
                metrics.insert("cwe".to_owned(), cwe);
            }
            let name = issue
                .test_name
                .map(|n| format!(" ({n})"))
                .unwrap_or_default();
            Finding {
                id: finding_id(&kind, &path, Some(span.line), None),
                severity: severity(&issue.issue_severity),
                span: Some(span),
                symbol: None,
                message: format!("{}{name}", issue.issue_text),
                evidence: issue.code.map(|c| c.trim_end().to_owned()),
                metrics,
                fix: None,
                priority: 0.0,
                kind,
                path,
            }
        })
        .collect();
    let skipped = output
        .errors
        .into_iter()
        .map(|e| SkippedFile {
            path: repo.relative(&e.filename),
            reason: e.reason,
        })
        .collect();
    Ok(BanditReport { findings, skipped })
}

/// tdev's severity of a bandit issue severity.
fn severity(bandit: &str) -> Severity {
    match bandit {
        "HIGH" => Severity::High,
        "MEDIUM" => Severity::Medium,
        "LOW" => Severity::Low,
        _ => Severity::Info,
    }
}

fn confidence(bandit: &str) -> f64 {
    match bandit {
        "HIGH" => 1.0,
        "MEDIUM" => 0.67,
        "LOW" => 0.33,
        _ => 0.0,
    }
}
