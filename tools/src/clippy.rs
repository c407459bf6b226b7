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

/// Findings from the JSON message stream of a clippy run made elsewhere (tdev runs it in the
/// sandbox, see `tdev_runner::rust`), for the workspace whose root is `root`.
pub fn clippy_findings(root: &Path, stream: &str) -> Result<Vec<Finding>> {
    parse(root, root, stream.as_bytes())
}

/// Lints beyond clippy's defaults that tdev looks for: pedantic lints whose
/// machine-applicable fixes keep the code's meaning and read as plain improvements, so that a
/// maintainer can take the change without a debate about style. Left out on purpose: lints
/// whose fix changes results (`suboptimal_flops` rounds differently), changes an API
/// (`must_use_candidate`, `missing_const_for_fn`), or is a matter of taste (`use_self`,
/// `redundant_pub_crate`, `doc_markdown`).
pub const EXTRA_LINTS: &[&str] = &[
    "cast_lossless",
    "cloned_instead_of_copied",
    "explicit_into_iter_loop",
    "explicit_iter_loop",
    "flat_map_option",
    "implicit_clone",
    "inefficient_to_string",
    "manual_string_new",
    "map_unwrap_or",
    "needless_raw_string_hashes",
    "redundant_closure_for_method_calls",
    "semicolon_if_nothing_returned",
    "uninlined_format_args",
    "unnested_or_patterns",
];

/// The clippy arguments (after `--`) that turn on [`EXTRA_LINTS`] for the project whose root
/// `Cargo.toml` is `manifest`, leaving out every lint the project configures itself in
/// `[lints.clippy]` or `[workspace.lints.clippy]`, and all of them when it configures the
/// `pedantic` group: its choices are deliberate.
pub fn extra_lint_args(manifest: &str) -> Vec<String> {
    let configured = configured_lints(manifest);
    if configured.iter().any(|l| l == "pedantic") {
        return Vec::new();
    }
    EXTRA_LINTS
        .iter()
        .filter(|lint| !configured.iter().any(|c| c == *lint))
        .map(|lint| format!("-Wclippy::{lint}"))
        .collect()
}

/// The clippy arguments that fix `lint` and nothing else: every other lint tdev could meet is
/// allowed first (a later flag wins over an earlier one).
pub fn fix_only_args(lint: &str) -> Vec<String> {
    [
        "-Aclippy::all",
        "-Aclippy::pedantic",
        "-Aclippy::nursery",
        "-Aunused",
    ]
    .into_iter()
    .map(str::to_owned)
    .chain([format!("-Wclippy::{lint}")])
    .collect()
}

/// The clippy lints and groups a manifest's `[lints]` tables name, at any level.
fn configured_lints(manifest: &str) -> Vec<String> {
    let Ok(value) = manifest.parse::<toml::Table>() else {
        return Vec::new();
    };
    let tables = [
        value.get("lints").and_then(|l| l.get("clippy")),
        value
            .get("workspace")
            .and_then(|w| w.get("lints"))
            .and_then(|l| l.get("clippy")),
    ];
    tables
        .into_iter()
        .flatten()
        .filter_map(toml::Value::as_table)
        .flat_map(|t| t.keys().map(|k| k.replace('-', "_")))
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn check(manifest: &str, left_out: &[&str]) {
        let args = extra_lint_args(manifest);
        let expected: Vec<String> = EXTRA_LINTS
            .iter()
            .filter(|l| !left_out.contains(l) && !left_out.contains(&"*"))
            .map(|l| format!("-Wclippy::{l}"))
            .collect();
        assert_eq!(args, expected, "{manifest}");
    }

    #[test]
    fn a_projects_own_lint_choices_are_kept() {
        check("[package]\nname = \"a\"", &[]);
        check(
            "[lints.clippy]\nmap_unwrap_or = \"allow\"",
            &["map_unwrap_or"],
        );
        check(
            "[workspace.lints.clippy]\ncast-lossless = { level = \"deny\", priority = 1 }",
            &["cast_lossless"],
        );
        check("[lints.clippy]\npedantic = \"warn\"", &["*"]);
        check("not toml [", &[]);
    }
}
