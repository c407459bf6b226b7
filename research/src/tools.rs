//! The findings of the tools people already run (ruff and bandit on Python, clippy on Rust),
//! added to a scan: ranked with the same priority as the native findings, attached to the
//! function they are in, and reported once when two tools flag the same line for the same
//! reason.
//!
//! bandit's B101 (`assert` used) is dropped in test files (by the scan's
//! [`crate::ScanOptions::test_patterns`]), where asserts are how pytest tests are written.
//!
//! A tool that is missing or fails is not a silently empty result: the scan lists each tool
//! that ran with its count, and each that did not with the reason, in [`Scan::tools`].

use crate::test_files::TestFiles;
use crate::{FileReport, Language, Scan, priority};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::time::Duration;
use tdev_core::Finding;
use tdev_tools::{RuffOptions, ToolEnv};

/// What one tool contributed to a scan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolRun {
    /// `ruff`, `bandit` or `clippy`.
    pub tool: String,
    /// Findings it reported (before removing those another tool reported too).
    pub findings: u32,
    /// Why it did not run or failed; `None` when it ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// How long bandit may take on a repository.
const BANDIT_TIMEOUT: Duration = Duration::from_secs(600);

/// The findings of the tools of `env` that every scan adds, `tdev scan` and a cycle's research
/// alike: ruff's and bandit's, then the files the repository's own formatter would change.
/// (A cycle adds clippy's too, from a sandboxed build, which `tdev scan` does not run.)
pub fn add_tools(scan: &mut Scan, env: &ToolEnv) {
    add_tool_findings(scan, env);
    add_formatter_findings(scan, env);
}

/// Runs ruff (tdev's default rule selection) and bandit from `env` on the scanned repository
/// when it has Python files, and adds their findings to `scan`.
pub fn add_tool_findings(scan: &mut Scan, env: &ToolEnv) {
    if !scan.files.iter().any(|f| f.language == Language::Python) {
        return;
    }
    let root = scan.root.clone();
    let ruff = tdev_tools::ruff_check(env, &root, &RuffOptions::default());
    let bandit = tdev_tools::bandit(env, &root, BANDIT_TIMEOUT).map(|r| r.findings);
    add_findings(scan, "ruff", ruff.map_err(|e| e.to_string()));
    add_findings(scan, "bandit", bandit.map_err(|e| e.to_string()));
}

/// Adds what one tool run reported to `scan` (findings in files the scan left out are
/// dropped), or records why the tool did not run. tdev runs clippy this way: in the sandbox,
/// which is not this crate's business.
pub fn add_findings(scan: &mut Scan, tool: &str, result: Result<Vec<Finding>, String>) {
    match result {
        Ok(findings) => {
            scan.tools.push(ToolRun {
                tool: tool.to_owned(),
                findings: u32::try_from(findings.len()).unwrap_or(u32::MAX),
                error: None,
            });
            merge(scan, findings);
        }
        Err(error) => scan.tools.push(ToolRun {
            tool: tool.to_owned(),
            findings: 0,
            error: Some(error),
        }),
    }
    crate::findings::unique_ids(&mut scan.findings);
    let tests = TestFiles::new(&scan.test_patterns);
    crate::priority::rank(&mut scan.findings, &tests);
    scan.summary.findings = u32::try_from(scan.findings.len()).unwrap_or(u32::MAX);
    scan.summary.findings_in_tests = tests.count(&scan.findings);
}

/// Adds a finding for each scanned file that the formatter the repository already uses
/// (see [`tdev_tools::formatter`]) would change: `format:rustfmt` or `format:ruff-format`,
/// low severity, with a safe fix (the formatter itself).
pub fn add_formatter_findings(scan: &mut Scan, env: &ToolEnv) {
    for formatter in tdev_tools::formatter::detect(&scan.root) {
        let kind = format!("format:{}", formatter.name());
        let files = tdev_tools::formatter::unformatted(formatter, env, &scan.root)
            .map_err(|e| e.to_string())
            .map(|files| {
                files
                    .into_iter()
                    .map(|path| Finding {
                        id: crate::findings::stable_id(&kind, &path, ""),
                        kind: kind.clone(),
                        severity: tdev_core::Severity::Low,
                        message: format!(
                            "not formatted the way {} formats it, as the repository does",
                            formatter.name()
                        ),
                        path,
                        span: None,
                        symbol: None,
                        evidence: None,
                        metrics: Default::default(),
                        fix: Some(tdev_core::Fixability::Safe),
                        priority: 0.0,
                    })
                    .collect()
            });
        add_findings(scan, formatter.name(), files);
    }
}

/// Adds tool findings: those in files the scan skipped or ignores are dropped (the scan
/// said why it left them out); each gets the enclosing function as its symbol and a priority
/// from its severity and the hotspot score of its code.
fn merge(scan: &mut Scan, findings: Vec<Finding>) {
    let mut seen: HashSet<(String, u32, String)> = scan
        .findings
        .iter()
        .filter_map(|f| Some((f.path.clone(), f.span?.line, same_check(&f.kind)?)))
        .collect();
    // Test files as the scan was told them (the gate's patterns by default).
    let tests = TestFiles::new(&scan.test_patterns);
    for mut finding in findings {
        finding.redact_secrets();
        // pytest's tests are plain `assert`s: bandit's B101 there is noise, not a finding.
        if finding.kind == "bandit:B101" && tests.contains(&finding.path) {
            continue;
        }
        let Some(file) = scan.files.iter().find(|f| f.path == finding.path) else {
            continue;
        };
        let line = finding.span.map(|s| s.line);
        if let (Some(line), Some(check)) = (line, same_check(&finding.kind))
            && !seen.insert((finding.path.clone(), line, check))
        {
            continue;
        }
        let function = line.and_then(|line| enclosing(file, line));
        if finding.symbol.is_none() {
            finding.symbol = function.map(|f| f.name.clone());
        }
        let hotspot = function.and_then(|f| f.hotspot).or(file.hotspot);
        finding.priority = priority(finding.severity, hotspot, None);
        scan.findings.push(finding);
    }
}

/// The innermost function or method around `line`.
fn enclosing(file: &FileReport, line: u32) -> Option<&crate::FunctionReport> {
    file.functions
        .iter()
        .filter(|f| f.kind != "class" && f.line <= line && line <= f.end_line)
        .min_by_key(|f| f.end_line - f.line)
}

/// ruff's `S` rules are ports of bandit's tests with the same numbers (`S506` is `B506`):
/// the check both tools perform, so a line flagged by both is reported once.
fn same_check(kind: &str) -> Option<String> {
    let code = kind
        .strip_prefix("bandit:B")
        .or_else(|| kind.strip_prefix("ruff:S"))?;
    Some(format!("bandit-{code}"))
}
