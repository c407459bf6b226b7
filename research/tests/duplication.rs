//! Duplicated code as a scan reports it and as the gate judges it: real scans of small
//! repositories, their file metrics given to `tdev_gates::evaluate` as the evaluator gives them,
//! with the change read from a real `git diff`.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use tdev_gates::{ChangeSet, ConditionResult, FileMetrics, GateInput, Policy, evaluate};
use tdev_research::{Scan, ScanOptions, scan};

/// A function of 103 tokens on 13 lines: just over the default thresholds (100 and 10).
const PARSE: &str = r##"def parse(text, sep=","):
    fields = []
    for part in text.split(sep):
        part = part.strip()
        if not part:
            continue
        if part.startswith("#"):
            break
        key, _, value = part.partition("=")
        fields.append((key.strip(), value.strip()))
    result = {k: v for k, v in fields if v}
    print(len(result), sep, text)
    return result
"##;

/// A function that shares nothing long with `PARSE`.
const OTHER: &str = r#"def scale(values, factor=2):
    """Multiply every value."""
    return [value * factor for value in values]
"#;

fn write(dir: &Path, path: &str, contents: &str) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap();
}

fn scan_dir(dir: &Path) -> Scan {
    let options = ScanOptions {
        history_commits: 0,
        ..ScanOptions::default()
    };
    scan(dir, &options, &|_| {}).expect("scan succeeds")
}

#[test]
fn a_scan_counts_duplicated_lines_in_code_and_in_tests_apart() {
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    write(dir, "app/a.py", &format!("{PARSE}\n{OTHER}"));
    let renamed = PARSE.replace("fields", "items").replace("part", "piece");
    write(dir, "app/b.py", &format!("import os\n\n\n{renamed}"));
    write(dir, "tests/test_a.py", PARSE);
    write(dir, "tests/test_b.py", &format!("x = 1\n{PARSE}"));
    write(dir, "app/a.pyi", &format!("{PARSE}{PARSE}"));
    let report = scan_dir(dir);

    let lines: Vec<(&str, Option<u32>)> = report
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.duplicated_lines))
        .collect();
    assert_eq!(
        lines,
        [
            ("app/a.py", Some(13)),
            ("app/a.pyi", Some(0)),
            ("app/b.py", Some(13)),
            ("tests/test_a.py", Some(13)),
            ("tests/test_b.py", Some(13))
        ]
    );
    assert_eq!(report.summary.duplicated_lines, 52);
    assert_eq!(report.summary.duplicated_blocks, 2);
    // 52 of 17 + 26 + 16 + 13 + 14 lines.
    assert_eq!(report.summary.duplicated_lines_density, 60.5);

    let copies: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.kind == "duplicated-block")
        .map(|f| {
            let span = f.span.unwrap();
            format!(
                "{} {}:{}-{} {}",
                f.severity.as_str(),
                f.path,
                span.line,
                span.end_line,
                f.evidence.as_deref().unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(copies, ["low app/b.py:4-16 duplicates app/a.py:1-13"]);
    let finding = report
        .findings
        .iter()
        .find(|f| f.kind == "duplicated-block");
    assert_eq!(
        finding.unwrap().message,
        "lines 4-16 repeat app/a.py:1-13 (103 tokens); reuse that code instead of keeping two \
         copies"
    );
}

/// Runs git in `dir`, with an identity and no user configuration.
fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("running git");
    assert!(output.status.success(), "git {args:?}: {output:?}");
    String::from_utf8(output.stdout).unwrap()
}

fn file_metrics(scan: &Scan) -> BTreeMap<String, FileMetrics> {
    scan.files
        .iter()
        .map(|f| {
            let metrics = FileMetrics {
                complexity_total: f.complexity,
                maintainability: f.maintainability_index,
                documented: f.documented,
                documentable: f.documentable,
                duplicated_lines: f.duplicated_lines,
                ..FileMetrics::default()
            };
            (f.path.clone(), metrics)
        })
        .collect()
}

/// The gate's duplication condition on a change that writes `files` into a repository holding
/// `PARSE` and `OTHER`: `(passed, actual, reason)`.
fn check(files: &[(&str, &str)], expected: (bool, &str, &str)) {
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    write(dir, "app/core.py", &format!("{PARSE}\n{OTHER}"));
    git(dir, &["init", "-q"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "base"]);
    let before = scan_dir(dir);
    for (path, contents) in files {
        write(dir, path, contents);
    }
    git(dir, &["add", "-A"]);
    let change = ChangeSet::from_unified_diff(&git(dir, &["diff", "--cached", "-U0"])).unwrap();
    let after = scan_dir(dir);
    let input = GateInput {
        task_kind: "refactor".into(),
        change,
        metrics_before: file_metrics(&before),
        metrics_after: file_metrics(&after),
        ..GateInput::default()
    };
    let report = evaluate(&Policy::default(), &input);
    let condition: &ConditionResult = report
        .conditions
        .iter()
        .find(|c| c.name == "duplication")
        .expect("the duplication condition is judged");
    let (passed, actual, reason) = expected;
    assert_eq!(
        (condition.passed, condition.actual.as_str()),
        (passed, actual),
        "{condition:?}"
    );
    if !passed {
        assert!(condition.reason.starts_with(reason), "{condition:?}");
        assert!(report.reasons().iter().any(|r| r.starts_with(reason)));
    }
}

#[test]
fn the_gate_refuses_a_change_that_copies_a_function() {
    let renamed = PARSE.replace("def parse", "def parse_again");
    check(
        &[("app/extra.py", &renamed)],
        (false, "0 -> 26 lines", "Duplicated lines rose from 0 to 26"),
    );
    // Into the same file, after the original.
    check(
        &[("app/core.py", &format!("{PARSE}\n{OTHER}\n\n{renamed}"))],
        (false, "0 -> 26 lines", "Duplicated lines rose from 0 to 26"),
    );
}

#[test]
fn the_gate_passes_a_change_that_copies_nothing() {
    let new = OTHER.replace("def scale", "def shrink").replace('*', "/");
    check(&[("app/extra.py", &new)], (true, "0 -> 0 lines", ""));
    // A short copy is under the thresholds.
    let short: String = PARSE.lines().take(8).map(|l| format!("{l}\n")).collect();
    check(&[("app/extra.py", &short)], (true, "0 -> 0 lines", ""));
    // A test that restates the function does not make the function a copy.
    check(&[("tests/test_core.py", PARSE)], (true, "0 -> 0 lines", ""));
}
