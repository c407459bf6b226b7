//! cargo clippy: its lints (and the compiler's warnings and errors) as findings.
//!
//! Runs `cargo clippy --all-targets --message-format=json` with the project's own lint
//! configuration (`[lints]`, `clippy.toml`): unlike ruff's, clippy's defaults are what Rust
//! projects are held to, and a project's allowances are deliberate.
//!
//! **Kinds**: `clippy::<lint>` for clippy's lints, `rustc::<lint or error code>` for the
//! compiler's (`rustc::unused_variables`, `rustc::E0308`).
//! **Severity**: an error (a deny-level lint such as clippy's `correctness` group, or a
//! compile error) is high; a compiler warning medium; a clippy warning low; anything else info.
//! **Fixes**: a `MachineApplicable` suggestion is [`Fixability::Safe`], a `MaybeIncorrect` one
//! [`Fixability::Unsafe`]; suggestions with placeholders are no fix.
//! Diagnostics reported twice (a library's lint seen again in its test build) are kept once;
//! diagnostics in files outside the project are dropped.

use crate::cargo::{CargoOptions, workspace_root};
use crate::error::{Error, Result};
use crate::id::finding_id;
use crate::location::Repo;
use crate::process::{self, Capture};
use serde::Deserialize;
use std::collections::HashSet;
use std::path::Path;
use tdev_core::{Finding, Fixability, Severity, Span};

/// Runs clippy on every target of the project at `project`.
pub fn clippy(project: &Path, options: &CargoOptions) -> Result<Vec<Finding>> {
    let root = workspace_root(project)?;
    let mut command = options.command(project, "clippy");
    command.args(["--all-targets", "--message-format=json"]);
    let output = process::run(
        "cargo clippy",
        &mut command,
        options.timeout,
        Capture::Separate,
    )?;
    if String::from_utf8_lossy(&output.stderr).contains("no such command: `clippy`") {
        return Err(Error::NoClippy);
    }
    let findings = parse(&root, project, &output.stdout)?;
    // A compile error fails the run but is a finding; failing without one is cargo failing.
    if output.code != 0 && !findings.iter().any(|f| f.severity == Severity::High) {
        return Err(process::failed("cargo clippy", &output));
    }
    Ok(findings)
}

#[derive(Deserialize)]
struct Line {
    reason: String,
    message: Option<Diagnostic>,
}

#[derive(Deserialize)]
struct Diagnostic {
    message: String,
    code: Option<Code>,
    level: String,
    #[serde(default)]
    spans: Vec<DiagnosticSpan>,
    #[serde(default)]
    children: Vec<Diagnostic>,
}

#[derive(Deserialize)]
struct Code {
    code: String,
}

#[derive(Deserialize)]
struct DiagnosticSpan {
    file_name: String,
    line_start: u32,
    line_end: u32,
    column_start: u32,
    column_end: u32,
    is_primary: bool,
    #[serde(default)]
    text: Vec<SpanText>,
    suggestion_applicability: Option<String>,
}

#[derive(Deserialize)]
struct SpanText {
    text: String,
}

/// Findings from cargo's JSON message stream; `root` is the workspace root the compiler's file
/// names are relative to.
fn parse(root: &Path, project: &Path, stream: &[u8]) -> Result<Vec<Finding>> {
    let repo = Repo::new(project);
    let mut seen = HashSet::new();
    let mut findings = Vec::new();
    for line in String::from_utf8_lossy(stream).lines() {
        // cargo mixes in lines of build scripts; only JSON objects are messages.
        if !line.starts_with('{') {
            continue;
        }
        let line: Line = serde_json::from_str(line).map_err(|e| Error::Output {
            tool: "cargo clippy".to_owned(),
            detail: e.to_string(),
        })?;
        let Some(d) = line.message.filter(|_| line.reason == "compiler-message") else {
            continue;
        };
        // Summaries ("3 warnings emitted") have no place.
        let Some(primary) = d.spans.iter().find(|s| s.is_primary) else {
            continue;
        };
        let path = repo.relative(&root.join(&primary.file_name).to_string_lossy());
        if !repo.contains(&path) {
            continue;
        }
        let code = d.code.as_ref().map(|c| c.code.as_str());
        let kind = match code {
            Some(c) if c.starts_with("clippy::") => c.to_owned(),
            Some(c) => format!("rustc::{c}"),
            None => format!("rustc::{}", d.level),
        };
        let span = Span {
            line: primary.line_start,
            column: primary.column_start,
            end_line: primary.line_end,
            end_column: primary.column_end,
        };
        if !seen.insert((kind.clone(), path.clone(), span, d.message.clone())) {
            continue;
        }
        let severity = match d.level.as_str() {
            "error" | "error: internal compiler error" => Severity::High,
            "warning" if kind.starts_with("clippy::") => Severity::Low,
            "warning" => Severity::Medium,
            _ => Severity::Info,
        };
        let evidence = primary
            .text
            .iter()
            .map(|t| t.text.trim_end())
            .collect::<Vec<_>>()
            .join("\n");
        let evidence = (!evidence.trim().is_empty()).then_some(evidence);
        findings.push(Finding {
            id: finding_id(&kind, &path, Some(span.line), None),
            severity,
            span: Some(span),
            symbol: None,
            message: d.message.clone(),
            evidence,
            metrics: Default::default(),
            fix: fixability(&d),
            priority: 0.0,
            kind,
            path,
        });
    }
    Ok(findings)
}

/// The safest fix among the suggestions of a diagnostic and its children.
fn fixability(d: &Diagnostic) -> Option<Fixability> {
    let mut applicabilities = Vec::new();
    collect(d, &mut applicabilities);
    if applicabilities.contains(&"MachineApplicable") {
        Some(Fixability::Safe)
    } else if applicabilities.contains(&"MaybeIncorrect") {
        Some(Fixability::Unsafe)
    } else {
        None
    }
}

fn collect<'a>(d: &'a Diagnostic, into: &mut Vec<&'a str>) {
    into.extend(
        d.spans
            .iter()
            .filter_map(|s| s.suggestion_applicability.as_deref()),
    );
    for child in &d.children {
        collect(child, into);
    }
}
