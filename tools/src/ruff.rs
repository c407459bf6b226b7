//! ruff, the Python linter: its diagnostics as findings, and its fixer as a way to change code.
//!
//! **Selection.** tdev always passes an explicit `--select` ([`DEFAULT_SELECT`] unless told
//! otherwise) and `--isolated`, so the target's own ruff configuration (`ruff.toml`,
//! `pyproject.toml`) changes nothing: the same rules at the same settings on every repository,
//! which keeps findings comparable across repositories and over time, as the learners need.
//! The price: the target's excludes, per-file ignores and line length are not honoured
//! (ruff's built-in excludes — `.git`, virtual environments, `dist`, `node_modules`,
//! `site-packages`, ... — and `.gitignore` still are, and so are `# noqa` comments, which are
//! explicit in the code).
//!
//! **Default rules**: `E4`, `E7`, `E9` and `F` (ruff's own default: imports, statements,
//! syntax errors, pyflakes), `B` (bugbear: likely bugs), `UP` (pyupgrade: outdated syntax, most
//! of it safely fixable). Not `S` (bandit's rules): tdev runs bandit itself, which also reports
//! its confidence, and the same issue should not be found twice. Not `E501`: with `--isolated`
//! the line length would not be the project's.
//!
//! **Not worth a review**: [`NOT_WORTH_A_REVIEW`] (B905, `zip()` without `strict=`) is ignored
//! unless the repository's own ruff configuration selects it: its fix adds `strict=False`, which
//! changes nothing, and maintainers turn such changes down.
//!
//! **Severity**: high for syntax errors (`invalid-syntax`, `E9`), undefined names (`F821`,
//! `F822`, `F823`), comparisons that are always wrong (`F63`) and misplaced statements (`F7`);
//! medium for the rest of `F`, `B`, `S` and `PLE`; low for everything else (style, upgrades).
//!
//! **Target version**: the project's oldest supported Python (`requires-python` in its
//! `pyproject.toml`, `python_requires` in `setup.cfg` or `setup.py`), so that no upgrade is
//! offered that its older versions cannot run; a project that still supports Python 2 gets no
//! pyupgrade (`UP`) rules at all, since they remove the compatibility code it keeps on purpose,
//! and no fixes (`ruff_fix` only reports), since ruff writes Python 3.
//!
//! **Fixes**: ruff's `fix.applicability` — `safe` becomes [`Fixability::Safe`], `unsafe`
//! [`Fixability::Unsafe`], `display-only` or no fix none.

use crate::environment::ToolEnv;
use crate::error::{Error, Result};
use crate::id::finding_id;
use crate::location::Repo;
use crate::process::{self, Capture};
use serde::Deserialize;
use std::path::Path;
use std::process::Command;
use std::time::Duration;
use tdev_core::{Finding, Fixability, Severity, Span};

/// The rules tdev selects when not told otherwise (see the module documentation for why).
pub const DEFAULT_SELECT: &[&str] = &["E4", "E7", "E9", "F", "B", "UP"];

/// Rules whose fixes add nothing a reviewer values, left out unless the repository's own ruff
/// configuration selects them (then its maintainers asked for them): B905's fix writes
/// `strict=False` into every `zip()`, which changes no behaviour and lengthens lines.
pub const NOT_WORTH_A_REVIEW: &[&str] = &["B905"];

/// How to run ruff.
#[derive(Clone, Debug)]
pub struct RuffOptions {
    /// Rule codes and prefixes for `--select`; never empty (an empty list means the default).
    pub select: Vec<String>,
    /// The Python version the code must keep running on, e.g. `py39` (ruff's
    /// `--target-version`); it decides which `UP` upgrades are offered.
    pub target_version: Option<String>,
    /// Time limit.
    pub timeout: Duration,
}

impl Default for RuffOptions {
    fn default() -> Self {
        Self {
            select: DEFAULT_SELECT.iter().map(|s| (*s).to_owned()).collect(),
            target_version: None,
            timeout: Duration::from_secs(300),
        }
    }
}

impl RuffOptions {
    fn selection(&self) -> String {
        if self.select.is_empty() {
            DEFAULT_SELECT.join(",")
        } else {
            self.select.join(",")
        }
    }
}

/// Lints every Python file of `repo`.
pub fn ruff_check(env: &ToolEnv, repo: &Path, options: &RuffOptions) -> Result<Vec<Finding>> {
    let mut options = options.clone();
    if options.target_version.is_none() {
        options.target_version = target_version(repo);
    }
    if !for_project(&mut options, repo) {
        return Ok(Vec::new());
    }
    let mut findings = run(env, repo, &options, None, &[])?;
    if supports_python2(repo) {
        // `ruff_fix` will not fix them (see the module documentation).
        for finding in &mut findings {
            finding.fix = None;
        }
    }
    Ok(findings)
}

/// Drops pyupgrade's rules for a project that supports Python 2; `false` when nothing is
/// left to select.
fn for_project(options: &mut RuffOptions, repo: &Path) -> bool {
    if supports_python2(repo) {
        if options.select.is_empty() {
            options.select = DEFAULT_SELECT.iter().map(|s| (*s).to_owned()).collect();
        }
        options.select.retain(|rule| !rule.starts_with("UP"));
        return !options.select.is_empty();
    }
    true
}

/// Applies ruff's fixes for `rules` to the files of `repo` in place (only to `paths`,
/// relative to `repo`, when some are given): the safe ones, and the unsafe ones too when
/// `unsafe_fixes`. Returns what is left to fix.
pub fn ruff_fix(
    env: &ToolEnv,
    repo: &Path,
    rules: &[String],
    unsafe_fixes: bool,
    paths: &[String],
) -> Result<Vec<Finding>> {
    let options = RuffOptions {
        select: rules.to_vec(),
        target_version: target_version(repo),
        ..RuffOptions::default()
    };
    // ruff reads and writes Python 3 only: a fix can make code that Python 2 cannot parse
    // (`getattr(b, "exec")` to `b.exec`), so a project that supports Python 2 is left alone.
    if supports_python2(repo) {
        return run(env, repo, &options, None, paths);
    }
    run(env, repo, &options, Some(unsafe_fixes), paths)
}

/// The oldest Python the project supports, as ruff names it (`py39`), from `requires-python`
/// in its `pyproject.toml` or `python_requires` in `setup.cfg` or `setup.py`: with `--isolated`
/// ruff would otherwise assume its own default and offer upgrades (`zip(strict=)`, `X | Y`)
/// that break the project's older supported versions. ruff knows nothing older than `py37`.
pub fn target_version(repo: &Path) -> Option<String> {
    let (major, minor) = python_floor(repo)?;
    Some(if major < 3 || minor < 7 {
        "py37".to_owned()
    } else {
        format!("py3{minor}")
    })
}

/// Whether the project still supports Python 2: then pyupgrade's rules (`UP`), which remove
/// exactly the compatibility code such a project keeps on purpose, are never selected.
pub fn supports_python2(repo: &Path) -> bool {
    python_floor(repo).is_some_and(|(major, _)| major < 3)
}

/// The lower bound of the project's supported Python versions, `(major, minor)`.
fn python_floor(repo: &Path) -> Option<(u32, u32)> {
    let read = |name: &str| std::fs::read_to_string(repo.join(name)).ok();
    let spec = read("pyproject.toml")
        .and_then(|text| {
            let table: toml::Table = toml::from_str(&text).ok()?;
            Some(
                table
                    .get("project")?
                    .get("requires-python")?
                    .as_str()?
                    .to_owned(),
            )
        })
        .or_else(|| quoted_after(&read("setup.cfg")?, "python_requires"))
        .or_else(|| quoted_after(&read("setup.py")?, "python_requires"))?;
    // The lower bound of the first `>=X.Y` (or `~=X.Y`, `==X.Y.*`) clause.
    spec.split(',').find_map(|clause| {
        let clause = clause.trim();
        let version = clause
            .strip_prefix(">=")
            .or_else(|| clause.strip_prefix("~="))
            .or_else(|| clause.strip_prefix("=="))?
            .trim();
        let mut parts = version.split('.');
        let major: u32 = parts.next()?.trim().parse().ok()?;
        let minor: u32 = parts.next()?.trim().trim_end_matches('*').parse().ok()?;
        Some((major, minor))
    })
}

/// The value after `key` (`key = "..."`, `key=\'...\'` or an INI `key = ...` line).
fn quoted_after(text: &str, key: &str) -> Option<String> {
    let rest = &text[text.find(key)? + key.len()..];
    let rest = rest.trim_start().strip_prefix('=')?.trim_start();
    let value = match rest.chars().next()? {
        quote @ ('"' | '\'') => rest[1..].split(quote).next()?,
        _ => rest.lines().next()?,
    };
    Some(value.trim().to_owned())
}

/// The rules of [`NOT_WORTH_A_REVIEW`] that the repository's ruff configuration does not select.
pub fn unwanted_rules(repo: &Path) -> Vec<&'static str> {
    let config = ["pyproject.toml", "ruff.toml", ".ruff.toml"]
        .iter()
        .find_map(|name| {
            let table: toml::Table =
                toml::from_str(&std::fs::read_to_string(repo.join(name)).ok()?).ok()?;
            let ruff = if *name == "pyproject.toml" {
                table.get("tool")?.get("ruff")?.as_table()?.clone()
            } else {
                table
            };
            Some(ruff)
        });
    NOT_WORTH_A_REVIEW
        .iter()
        .copied()
        .filter(|rule| !config.as_ref().is_some_and(|c| selects(c, rule)))
        .collect()
}

/// Whether a ruff configuration (top level or its `lint` table) selects `rule`: a `select` or
/// `extend-select` entry is a prefix of it (or `ALL`) and no `ignore` entry is.
fn selects(config: &toml::Table, rule: &str) -> bool {
    let tables = [
        Some(config),
        config.get("lint").and_then(toml::Value::as_table),
    ];
    let entries = |key: &str| -> Vec<String> {
        tables
            .iter()
            .flatten()
            .filter_map(|t| t.get(key)?.as_array())
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect()
    };
    let matches = |entry: &String| entry == "ALL" || rule.starts_with(entry.as_str());
    let selected = ["select", "extend-select"]
        .iter()
        .any(|key| entries(key).iter().any(matches));
    let ignored = ["ignore", "extend-ignore"]
        .iter()
        .any(|key| entries(key).iter().any(matches));
    selected && !ignored
}

fn run(
    env: &ToolEnv,
    repo: &Path,
    options: &RuffOptions,
    fix: Option<bool>,
    paths: &[String],
) -> Result<Vec<Finding>> {
    let ruff = env.tool("ruff")?;
    let mut command = Command::new(ruff);
    command
        .current_dir(repo)
        .args([
            "check",
            "--isolated",
            "--no-cache",
            "--output-format",
            "json",
        ])
        .arg("--select")
        .arg(options.selection());
    let unwanted = unwanted_rules(repo);
    if !unwanted.is_empty() {
        command.arg("--ignore").arg(unwanted.join(","));
    }
    if let Some(version) = &options.target_version {
        command.arg("--target-version").arg(version);
    }
    match fix {
        Some(true) => {
            command.args(["--fix", "--unsafe-fixes"]);
        }
        Some(false) => {
            command.args(["--fix", "--no-unsafe-fixes"]);
        }
        None => {}
    }
    if paths.is_empty() {
        command.arg(".");
    } else {
        // `--` so that a file named like an option is still a file.
        command.arg("--").args(paths);
    }
    let output = process::run("ruff", &mut command, options.timeout, Capture::Separate)?;
    // 0: nothing found, 1: something found; anything else is ruff failing.
    if output.code != 0 && output.code != 1 {
        return Err(process::failed("ruff", &output));
    }
    parse(repo, &output.stdout)
}

#[derive(Deserialize)]
struct Diagnostic {
    code: Option<String>,
    message: String,
    filename: String,
    location: Option<Location>,
    end_location: Option<Location>,
    fix: Option<Fix>,
}

#[derive(Deserialize)]
struct Location {
    row: u32,
    column: u32,
}

#[derive(Deserialize)]
struct Fix {
    applicability: String,
}

/// Findings from `ruff check --output-format json`.
fn parse(repo: &Path, json: &[u8]) -> Result<Vec<Finding>> {
    let diagnostics: Vec<Diagnostic> = serde_json::from_slice(json).map_err(|e| Error::Output {
        tool: "ruff".to_owned(),
        detail: e.to_string(),
    })?;
    let mut repo = Repo::new(repo);
    Ok(diagnostics
        .into_iter()
        .map(|d| {
            let code = d.code.unwrap_or_else(|| "invalid-syntax".to_owned());
            let kind = format!("ruff:{code}");
            let path = repo.relative(&d.filename);
            let span = d.location.map(|start| {
                let end = d.end_location.unwrap_or(Location {
                    row: start.row,
                    column: start.column,
                });
                Span {
                    line: start.row,
                    column: start.column,
                    end_line: end.row,
                    end_column: end.column,
                }
            });
            let evidence = span.and_then(|s| repo.lines(&path, s.line, s.end_line));
            Finding {
                id: finding_id(&kind, &path, span.map(|s| s.line), None),
                severity: severity(&code),
                span,
                symbol: None,
                message: d.message,
                evidence,
                metrics: Default::default(),
                fix: d.fix.and_then(|f| match f.applicability.as_str() {
                    "safe" => Some(Fixability::Safe),
                    "unsafe" => Some(Fixability::Unsafe),
                    _ => None,
                }),
                priority: 0.0,
                kind,
                path,
            }
        })
        .collect())
}

/// tdev's severity of a ruff rule (the rules are in the module documentation).
pub fn severity(code: &str) -> Severity {
    let high = ["E9", "F821", "F822", "F823", "F63", "F7"];
    let medium = ["F", "B", "S", "PLE"];
    if code == "invalid-syntax" || high.iter().any(|p| code.starts_with(p)) {
        Severity::High
    } else if medium.iter().any(|p| code.starts_with(p)) {
        Severity::Medium
    } else {
        Severity::Low
    }
}

#[cfg(test)]
mod tests {
    use super::severity;
    use tdev_core::Severity;

    fn check(code: &str, expected: Severity) {
        assert_eq!(severity(code), expected, "{code}");
    }

    #[test]
    fn severities_follow_the_documented_mapping() {
        check("invalid-syntax", Severity::High);
        check("E999", Severity::High);
        check("F821", Severity::High);
        check("F632", Severity::High);
        check("F701", Severity::High);
        check("F401", Severity::Medium);
        check("B006", Severity::Medium);
        check("S506", Severity::Medium);
        check("E711", Severity::Low);
        check("UP031", Severity::Low);
    }
}

#[cfg(test)]
mod target_version_tests {
    use super::target_version;

    fn check_file(name: &str, text: &str, expected: Option<&str>, python2: bool) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(name), text).unwrap();
        assert_eq!(target_version(dir.path()).as_deref(), expected, "{text}");
        assert_eq!(super::supports_python2(dir.path()), python2, "{text}");
    }

    #[test]
    fn setup_files_say_it_too() {
        check_file(
            "setup.py",
            "setup(\n    python_requires=\">=2.7, !=3.0.*\",\n)",
            Some("py37"),
            true,
        );
        check_file(
            "setup.py",
            "setup(python_requires='>=3.8')",
            Some("py38"),
            false,
        );
        check_file(
            "setup.cfg",
            "[options]\npython_requires = >=3.10\n",
            Some("py310"),
            false,
        );
    }

    fn check(requires_python: Option<&str>, expected: Option<&str>) {
        let dir = tempfile::tempdir().unwrap();
        if let Some(spec) = requires_python {
            std::fs::write(
                dir.path().join("pyproject.toml"),
                format!("[project]\nname = \"p\"\nrequires-python = \"{spec}\"\n"),
            )
            .unwrap();
        }
        assert_eq!(
            target_version(dir.path()).as_deref(),
            expected,
            "{requires_python:?}"
        );
    }

    #[test]
    fn the_oldest_supported_python_is_the_target() {
        check(Some(">=3.9"), Some("py39"));
        check(Some(">= 3.10, <4"), Some("py310"));
        check(Some("<4,>=3.8"), Some("py38"));
        check(Some("~=3.11"), Some("py311"));
        check(Some(">=2.7, !=3.0.*"), Some("py37"));
        check(Some(">=3.6"), Some("py37"));
        check(None, None);
    }
}
