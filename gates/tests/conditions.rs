//! Every condition of the gate: each case changes one thing of an otherwise passing change
//! and lists the conditions that fail.

use TestStatus::{Error, Failed, Missing, Passed, Skipped};
use expect_test::expect;
use std::collections::BTreeMap;
use tdev_core::{Finding, GateDecision, Severity, Span, TestStatus};
use tdev_gates::{
    ChangeSet, CoverageInput, FileChange, FileMetrics, FileStatus, GateInput, Hunk, Line,
    LineCoverage, LineLimit, Policy, evaluate, test_integrity,
};

fn lines(lines: &[(u32, &str)]) -> Vec<Line> {
    lines
        .iter()
        .map(|(number, text)| Line {
            number: *number,
            text: (*text).to_owned(),
            no_newline: false,
        })
        .collect()
}

fn file(
    path: &str,
    status: FileStatus,
    removed: &[(u32, &str)],
    added: &[(u32, &str)],
) -> FileChange {
    FileChange {
        path: path.to_owned(),
        old_path: None,
        status,
        binary: false,
        hunks: vec![Hunk {
            removed: lines(removed),
            added: lines(added),
        }],
    }
}

/// A modified file with one hunk.
fn edit(path: &str, removed: &[(u32, &str)], added: &[(u32, &str)]) -> FileChange {
    file(path, FileStatus::Modified, removed, added)
}

fn added(path: &str, added: &[(u32, &str)]) -> FileChange {
    file(path, FileStatus::Added, &[], added)
}

fn deleted(path: &str) -> FileChange {
    file(
        path,
        FileStatus::Deleted,
        &[(1, "def test_a():"), (2, "    assert a()")],
        &[],
    )
}

fn renamed(from: &str, to: &str) -> FileChange {
    FileChange {
        old_path: Some(from.to_owned()),
        hunks: vec![],
        ..file(to, FileStatus::Renamed, &[], &[])
    }
}

fn metrics(
    complexity_total: u32,
    complexity_max: u32,
    mi: f64,
    documented: u32,
    duplicated: u32,
) -> FileMetrics {
    FileMetrics {
        complexity_total,
        complexity_max,
        maintainability: Some(mi),
        documented,
        documentable: 4,
        duplicated_lines: Some(duplicated),
    }
}

fn finding(kind: &str, severity: Severity, path: &str, line: u32, evidence: &str) -> Finding {
    Finding {
        id: format!("{kind}-{path}"),
        kind: kind.to_owned(),
        severity,
        path: path.to_owned(),
        span: Some(Span::line(line)),
        symbol: Some("load".to_owned()),
        message: "a finding".to_owned(),
        evidence: Some(evidence.to_owned()),
        metrics: BTreeMap::new(),
        fix: None,
        priority: 0.5,
    }
}

/// A change every default condition passes: `src/app.py` edited, tests as on the baseline
/// (one of which already failed there), 90% of the changed lines covered, the one known
/// finding moved down two lines.
fn passing() -> GateInput {
    let tests = |t3| {
        [("t1", Passed), ("t2", Passed), ("t3", t3), ("t4", Skipped)]
            .into_iter()
            .map(|(id, outcome)| (id.to_owned(), outcome))
            .collect()
    };
    let files = || {
        BTreeMap::from([
            ("src/app.py".to_owned(), metrics(10, 5, 60.0, 3, 10)),
            ("src/other.py".to_owned(), metrics(20, 9, 40.0, 2, 0)),
            ("tests/test_app.py".to_owned(), metrics(2, 1, 80.0, 0, 0)),
        ])
    };
    let coverage = |covered, total| LineCoverage { covered, total };
    GateInput {
        task_kind: "fix-lint".into(),
        change: ChangeSet {
            files: vec![edit(
                "src/app.py",
                &[(2, "    s = 0")],
                &[(2, "    s = 0.0")],
            )],
        },
        metrics_before: files(),
        metrics_after: files(),
        tests_baseline: tests(Failed),
        tests_after: tests(Failed),
        coverage: Some(CoverageInput {
            changed_lines: coverage(9, 10),
            touched_files_before: coverage(75, 100),
            total_before: coverage(500, 1000),
            total_after: coverage(505, 1005),
        }),
        findings_before: vec![finding(
            "bandit:B506",
            Severity::High,
            "src/app.py",
            10,
            "yaml.load(f)",
        )],
        findings_after: vec![finding(
            "bandit:B506",
            Severity::High,
            "src/app.py",
            12,
            "  yaml.load(f)",
        )],
        line_limits: BTreeMap::from([(
            "src/app.py".to_owned(),
            LineLimit {
                columns: 20,
                source: "pyproject.toml [tool.ruff] line-length".into(),
            },
        )]),
    }
}

/// Applies `modify` to the passing change and compares the names of the failed conditions
/// with `expected`.
fn check(modify: impl FnOnce(&mut GateInput), expected: &[&str]) {
    check_with(|_| {}, modify, expected);
}

/// [`check`] under the default policy changed by `policy`.
fn check_with(
    policy: impl FnOnce(&mut Policy),
    modify: impl FnOnce(&mut GateInput),
    expected: &[&str],
) {
    let (mut rules, mut input) = (Policy::default(), passing());
    policy(&mut rules);
    modify(&mut input);
    let report = evaluate(&rules, &input);
    let failed: Vec<&str> = report.failed().map(|c| c.name.as_str()).collect();
    assert_eq!(failed, expected, "\n{report}");
    assert_eq!(report.passed, expected.is_empty());
}

fn set_test(input: &mut GateInput, id: &str, outcome: TestStatus) {
    input.tests_after.insert(id.to_owned(), outcome);
}

fn app_after(input: &mut GateInput) -> &mut FileMetrics {
    input.metrics_after.get_mut("src/app.py").expect("measured")
}

fn changed_coverage(input: &mut GateInput, covered: u32, total: u32) {
    input.coverage.as_mut().expect("measured").changed_lines = LineCoverage { covered, total };
}

fn new_finding(input: &mut GateInput, severity: Severity) {
    let finding = finding("bandit:B602", severity, "src/app.py", 3, "call(shell=True)");
    input.findings_after.push(finding);
}

#[test]
fn the_passing_change_passes_every_condition() {
    check(|_| {}, &[]);
    let report = evaluate(&Policy::default(), &passing());
    assert_eq!(report.conditions.len(), 10);
}

/// The limit of `src/app.py` in the passing change is 20 columns.
#[test]
fn no_line_is_added_past_the_limit() {
    const LONG: &str = "    s = 0.0  # twenty-five";
    let set = |removed: &'static [(u32, &'static str)], added: &'static [(u32, &'static str)]| {
        move |i: &mut GateInput| i.change.files[0] = edit("src/app.py", removed, added)
    };
    check(set(&[(2, "    s = 0")], &[(2, LONG)]), &["line_length"]);
    // Wrapped, it passes; a long line that was there before may be edited, not lengthened,
    // and not joined with another.
    check(
        set(&[(2, "    s = 0")], &[(2, "    s = (0.0"), (3, "    )")]),
        &[],
    );
    check(
        set(
            &[(2, "    s = 0  # twenty-two")],
            &[(2, "    s = 0. # twenty-two")],
        ),
        &[],
    );
    check(
        set(&[(2, "    s = 0 # twenty-one")], &[(2, LONG)]),
        &["line_length"],
    );
    check(
        set(
            &[(2, "    s = 0 # twenty-one"), (3, "    t = 0 # twenty-one")],
            &[
                (2, "    s = t = 0 # twenty-one"),
                (3, "    u = 1 # twenty-one"),
            ],
        ),
        &["line_length"],
    );
    // A file without a limit (not code, or not measured) is not checked; nor is a deleted one.
    check(
        |i| {
            set(&[(2, "    s = 0")], &[(2, LONG)])(i);
            i.line_limits.clear();
        },
        &[],
    );
    check(
        |i| {
            i.change
                .files
                .push(file("src/old.py", FileStatus::Deleted, &[(1, LONG)], &[]));
            let limit = i.line_limits["src/app.py"].clone();
            i.line_limits.insert("src/old.py".into(), limit);
        },
        &[],
    );
    check_with(
        |p| p.line_length.enabled = false,
        set(&[(2, "    s = 0")], &[(2, LONG)]),
        &[],
    );
}

#[test]
fn a_line_past_the_limit_is_named_with_where_the_limit_comes_from() {
    let mut input = passing();
    input.change.files[0] = edit("src/app.py", &[], &[(7, "x = 'a' 'longer than twenty'")]);
    let report = evaluate(&Policy::default(), &input);
    let reasons: Vec<&str> = report.failed().map(|c| c.reason.as_str()).collect();
    assert_eq!(
        reasons,
        [
            "The change adds lines longer than the repository allows: src/app.py:7 is 28 columns, past 20 (pyproject.toml [tool.ruff] line-length). Wrap them as the code around them is wrapped."
        ]
    );
}

#[test]
fn tests_that_passed_on_the_baseline_must_still_pass() {
    check(|i| set_test(i, "t1", Failed), &["tests"]);
    check(|i| set_test(i, "t1", Error), &["tests"]);
    check(|i| set_test(i, "t1", Missing), &["tests"]);
    check(|i| set_test(i, "t1", Skipped), &["tests"]);
    check(|i| _ = i.tests_after.remove("t1"), &["tests"]);
    check(|i| set_test(i, "t5", Failed), &["tests"]);
    check(|i| set_test(i, "t5", Passed), &[]);
    check(|i| set_test(i, "t4", Failed), &[]);
}

#[test]
fn tests_that_failed_on_the_baseline_are_not_new_failures() {
    check(|i| set_test(i, "t3", Error), &[]);
    check(|i| _ = i.tests_after.remove("t3"), &[]);
    check(|i| set_test(i, "t3", Passed), &[]);
}

#[test]
fn without_a_passing_test_on_the_baseline_the_tests_are_not_measured() {
    let no_passing = |i: &mut GateInput| {
        i.tests_baseline.retain(|_, o| *o != Passed);
        i.tests_after.retain(|_, o| *o != Passed);
    };
    let strict = |p: &mut Policy| p.fail_when_unmeasured = true;
    check(no_passing, &[]);
    check_with(strict, no_passing, &["tests"]);
    // A test the change adds that fails is still a failure.
    check(
        |i| {
            no_passing(i);
            set_test(i, "t9", Failed);
        },
        &["tests"],
    );
    let mut input = passing();
    no_passing(&mut input);
    let report = evaluate(&Policy::default(), &input).to_string();
    assert!(
        report.contains("tests             not measured"),
        "{report}"
    );
}

#[test]
fn tests_threshold_and_switch() {
    check_with(
        |p| p.tests.max_new_failures = 1,
        |i| set_test(i, "t1", Failed),
        &[],
    );
    check_with(
        |p| p.tests.max_new_failures = 1,
        |i| i.tests_after.clear(),
        &["tests"],
    );
    check_with(|p| p.tests.enabled = false, |i| i.tests_after.clear(), &[]);
}

#[test]
fn changed_lines_are_covered_or_no_worse_than_before() {
    check(|i| changed_coverage(i, 7, 10), &["coverage"]);
    check(|i| changed_coverage(i, 8, 10), &[]);
    check(|i| changed_coverage(i, 0, 0), &[]);
    // 75% of the changed lines, as the touched files had before: not lower.
    check(|i| changed_coverage(i, 3, 4), &[]);
    // Touched files that had no executable lines (new files) set no previous coverage.
    let all_new = |i: &mut GateInput| {
        changed_coverage(i, 0, 10);
        i.coverage.as_mut().expect("measured").touched_files_before = LineCoverage::default();
    };
    check(all_new, &["coverage"]);
    check_with(
        |p| p.coverage.or_not_lower = false,
        |i| changed_coverage(i, 3, 4),
        &["coverage"],
    );
    check_with(
        |p| p.coverage.min_percent = 70.0,
        |i| changed_coverage(i, 7, 10),
        &[],
    );
    check_with(
        |p| p.coverage.enabled = false,
        |i| changed_coverage(i, 0, 10),
        &[],
    );
}

#[test]
fn unmeasured_conditions_pass_unless_the_policy_requires_measurements() {
    let strict = |p: &mut Policy| p.fail_when_unmeasured = true;
    check(|i| i.coverage = None, &[]);
    check_with(strict, |i| i.coverage = None, &["coverage"]);
    check(|i| app_after(i).maintainability = None, &[]);
    check_with(
        strict,
        |i| app_after(i).maintainability = None,
        &["maintainability"],
    );
    check(|i| app_after(i).duplicated_lines = None, &[]);
    check_with(
        strict,
        |i| app_after(i).duplicated_lines = None,
        &["duplication"],
    );
}

#[test]
fn no_new_serious_security_finding() {
    check(|i| new_finding(i, Severity::High), &["security"]);
    check(|i| new_finding(i, Severity::Medium), &[]);
    check_with(
        |p| p.security.min_severity = Severity::Medium,
        |i| new_finding(i, Severity::Medium),
        &["security"],
    );
    check_with(
        |p| p.security.max_new = 1,
        |i| new_finding(i, Severity::High),
        &[],
    );
    check_with(
        |p| p.security.enabled = false,
        |i| new_finding(i, Severity::High),
        &[],
    );
    // A second copy of a known finding is new; one that was fixed is not.
    check(
        |i| i.findings_after.push(i.findings_after[0].clone()),
        &["security"],
    );
    check(|i| i.findings_after.clear(), &[]);
}

#[test]
fn a_finding_in_a_renamed_file_is_not_new() {
    let rename = |i: &mut GateInput| {
        i.change.files = vec![renamed("src/app.py", "src/core.py")];
        i.findings_after[0].path = "src/core.py".into();
        let moved = i.metrics_after.remove("src/app.py").expect("measured");
        i.metrics_after.insert("src/core.py".into(), moved);
    };
    check(rename, &[]);
    // Without the rename in the change, the finding is in a new place.
    check(
        |i| i.findings_after[0].path = "src/core.py".into(),
        &["security"],
    );
}

#[test]
fn complexity_does_not_grow() {
    check(
        |i| app_after(i).complexity_total = 11,
        &["complexity_total"],
    );
    check_with(
        |p| p.complexity_total.max_increase = 1,
        |i| app_after(i).complexity_total = 11,
        &[],
    );
    check_with(
        |p| p.complexity_total.enabled = false,
        |i| app_after(i).complexity_total = 30,
        &[],
    );
    check(|i| app_after(i).complexity_max = 6, &["complexity_max"]);
    check_with(
        |p| p.complexity_max.max_increase = 1,
        |i| app_after(i).complexity_max = 6,
        &[],
    );
    check_with(
        |p| p.complexity_max.enabled = false,
        |i| app_after(i).complexity_max = 9,
        &[],
    );
    // Only the touched files count for the maximum; test files count for neither.
    let other = |i: &mut GateInput| {
        i.metrics_after
            .get_mut("src/other.py")
            .expect("measured")
            .complexity_max = 12
    };
    check(other, &[]);
    let test = |i: &mut GateInput| {
        *i.metrics_after
            .get_mut("tests/test_app.py")
            .expect("measured") = metrics(9, 9, 10.0, 0, 9)
    };
    check(test, &[]);
}

#[test]
fn maintainability_drops_within_the_tolerance() {
    check(
        |i| app_after(i).maintainability = Some(58.9),
        &["maintainability"],
    );
    check(|i| app_after(i).maintainability = Some(59.0), &[]);
    check_with(
        |p| p.maintainability.max_drop = 2.0,
        |i| app_after(i).maintainability = Some(58.0),
        &[],
    );
    check_with(
        |p| p.maintainability.enabled = false,
        |i| app_after(i).maintainability = Some(0.0),
        &[],
    );
}

#[test]
fn docstring_coverage_does_not_fall() {
    // 5 of 8 documentable items of the code files before (62.5%); 4 of 8 after (50%).
    check(|i| app_after(i).documented = 2, &["docstrings"]);
    check(
        |i| {
            *app_after(i) = FileMetrics {
                documented: 4,
                documentable: 5,
                ..metrics(10, 5, 60.0, 0, 10)
            }
        },
        &[],
    );
    check_with(
        |p| p.docstrings.max_drop = 12.5,
        |i| app_after(i).documented = 2,
        &[],
    );
    check_with(
        |p| p.docstrings.enabled = false,
        |i| app_after(i).documented = 0,
        &[],
    );
}

#[test]
fn duplication_does_not_grow() {
    check(
        |i| app_after(i).duplicated_lines = Some(11),
        &["duplication"],
    );
    check(|i| app_after(i).duplicated_lines = Some(4), &[]);
    check_with(
        |p| p.duplication.max_increase = 1,
        |i| app_after(i).duplicated_lines = Some(11),
        &[],
    );
    check_with(
        |p| p.duplication.enabled = false,
        |i| app_after(i).duplicated_lines = Some(99),
        &[],
    );
}

#[test]
fn a_change_to_existing_tests_fails_test_integrity() {
    let add = |f: FileChange| move |i: &mut GateInput| i.change.files.push(f);
    let assert_line = [(5, "    assert total([1, 2]) == 3")];
    check(
        add(edit(
            "tests/test_app.py",
            &assert_line,
            &[(5, "    assert total([1, 2])")],
        )),
        &["test_integrity"],
    );
    check(
        add(edit("tests/test_app.py", &assert_line, &[])),
        &["test_integrity"],
    );
    check(add(deleted("tests/test_app.py")), &["test_integrity"]);
    check(
        add(renamed("tests/test_app.py", "tests/test_total.py")),
        &["test_integrity"],
    );
    check(
        add(edit("tests/test_app.py", &[], &[(9, "def test_more():")])),
        &[],
    );
    check(
        add(added("tests/test_new.py", &[(1, "def test_new():")])),
        &[],
    );
    check_with(
        |p| p.test_integrity.enabled = false,
        add(deleted("tests/test_app.py")),
        &[],
    );
}

/// The violations `test_integrity` reports for `files` changed by a task of `kind`.
fn check_integrity(kind: &str, files: Vec<FileChange>, expected: &[&str]) {
    let violations = test_integrity(&Policy::default(), kind, &ChangeSet { files });
    let violations: Vec<String> = violations.iter().map(ToString::to_string).collect();
    assert_eq!(violations, expected);
}

#[test]
fn integrity_names_the_file_and_line() {
    let assertion = [(5, "    assert total([1, 2]) == 3")];
    check_integrity(
        "fix-lint",
        vec![edit(
            "tests/test_app.py",
            &assertion,
            &[(5, "    assert total([1, 2])")],
        )],
        &["tests/test_app.py:5 changes the assertion `assert total([1, 2]) == 3`"],
    );
    check_integrity(
        "fix-lint",
        vec![edit("pkg/app_test.py", &[(3, "x = 1"), (4, "")], &[])],
        &[
            "pkg/app_test.py:3 removes `x = 1`",
            "pkg/app_test.py:4 removes a blank line",
        ],
    );
    check_integrity(
        "fix-lint",
        vec![deleted("conftest.py")],
        &["conftest.py deletes a test file"],
    );
    check_integrity(
        "fix-lint",
        vec![renamed("tests/a.py", "tests/b.py")],
        &["tests/a.py renames a test file to tests/b.py"],
    );
    check_integrity(
        "fix-lint",
        vec![edit(
            "tests/test_a.py",
            &[],
            &[(7, "@pytest.mark.skip(reason='flaky')")],
        )],
        &["tests/test_a.py:7 adds a skip `@pytest.mark.skip(reason='flaky')`"],
    );
    check_integrity(
        "fix-lint",
        vec![FileChange {
            binary: true,
            hunks: vec![],
            ..edit("tests/data/in.bin", &[], &[])
        }],
        &["tests/data/in.bin changes a binary test file"],
    );
}

#[test]
fn integrity_sees_rust_unit_tests_and_doctests_in_source_files() {
    check_integrity(
        "fix-lint",
        vec![edit("src/lib.rs", &[(40, "    #[test]")], &[])],
        &["src/lib.rs:40 removes `#[test]`"],
    );
    check_integrity(
        "fix-lint",
        vec![edit(
            "src/lib.rs",
            &[(41, "        assert_eq!(f(), 2);")],
            &[(41, "        assert!(f() > 0);")],
        )],
        &["src/lib.rs:41 removes the assertion `assert_eq!(f(), 2);`"],
    );
    check_integrity(
        "fix-lint",
        vec![edit("src/lib.rs", &[], &[(42, "    #[ignore]")])],
        &["src/lib.rs:42 adds a skip `#[ignore]`"],
    );
    check_integrity(
        "fix-lint",
        vec![edit("pkg/app.py", &[(3, "    >>> total([1])")], &[])],
        &["pkg/app.py:3 removes `>>> total([1])`"],
    );
    // A runtime check of library code is code, not a test (bandit's B101 fix removes these).
    check_integrity(
        "fix-lint",
        vec![edit(
            "pkg/app.py",
            &[(9, "    assert xs")],
            &[(9, "    if not xs: raise ValueError")],
        )],
        &[],
    );
}

#[test]
fn a_test_writing_task_may_only_add_to_test_files() {
    check_integrity(
        "add-tests",
        vec![
            edit("tests/test_app.py", &[], &[(9, "def test_more():")]),
            added("tests/test_new.py", &[(1, "x")]),
        ],
        &[],
    );
    check_integrity(
        "add-tests",
        vec![edit("src/app.py", &[(2, "a")], &[(2, "b")])],
        &["src/app.py:2 is not a test file, and a test-writing task may only add to test files"],
    );
    check_integrity(
        "add-tests",
        vec![added("setup.cfg", &[(1, "[tool]")])],
        &["setup.cfg:1 is not a test file, and a test-writing task may only add to test files"],
    );
    check_integrity(
        "add-tests",
        vec![edit("tests/test_app.py", &[(3, "    assert a")], &[])],
        &["tests/test_app.py:3 removes the assertion `assert a`"],
    );
    check(|i| i.task_kind = "add-tests".into(), &["test_integrity"]);
}

#[test]
fn only_the_final_newline_changing_is_no_edit() {
    let mut hunk_file = edit(
        "tests/test_a.py",
        &[(9, "    assert b")],
        &[(9, "    assert b")],
    );
    hunk_file.hunks[0].removed[0].no_newline = true;
    check_integrity("fix-lint", vec![hunk_file], &[]);
}

#[test]
fn the_report_converts_to_the_recorded_decision() {
    let mut input = passing();
    set_test(&mut input, "t2", Error);
    let report = evaluate(&Policy::default(), &input);
    let decision = GateDecision::from(&report);
    assert_eq!(
        decision,
        GateDecision {
            passed: false,
            reasons: vec![
                "These tests passed on the untouched code, or were added by the change, and do not pass with it: t2 (error).".into()
            ],
            failed: vec!["tests".into()],
        }
    );
}

#[test]
fn a_mixed_report_for_a_person() {
    let mut input = passing();
    input.change.files.push(edit(
        "tests/test_app.py",
        &[(5, "    assert total([1, 2]) == 3")],
        &[],
    ));
    set_test(&mut input, "t1", Failed);
    set_test(&mut input, "t2", Missing);
    changed_coverage(&mut input, 6, 10);
    app_after(&mut input).complexity_total = 14;
    app_after(&mut input).maintainability = Some(52.25);
    input.findings_after.push(finding(
        "bandit:B602",
        Severity::High,
        "src/app.py",
        3,
        "call(shell=True)",
    ));
    let mut policy = Policy::default();
    policy.duplication.enabled = false;
    expect![[r#"
        gate FAILED (6 of 9 conditions)
          FAIL  test_integrity    1 violation                  existing tests untouched
          FAIL  tests             2 new failures of 2 passing  <= 0
          FAIL  coverage          60.0% of 10 lines            >= 80.0% or >= 75.0% (before)
          FAIL  security          1 new                        <= 0 of high or above
          FAIL  complexity_total  30 -> 34                     increase <= 0
          ok    complexity_max    5 -> 5                       increase <= 0
          FAIL  maintainability   60.0 -> 52.2 (src/app.py)    drop <= 1.0 per file
          ok    docstrings        62.5% -> 62.5%               drop <= 0.0 points
          ok    line_length       0 lines past the limit       no added line past the file's limit
        - test_integrity: The change must leave the existing tests as they are, but tests/test_app.py:5 removes the assertion `assert total([1, 2]) == 3`.
        - tests: These tests passed on the untouched code, or were added by the change, and do not pass with it: t1 (failed); t2 (missing).
        - coverage: Tests run 6 of the 10 changed executable lines (60.0%); cover at least 80.0%, or as much as the touched files were covered before (75.0%).
        - security: The change adds security findings of high severity or above: bandit:B602 at src/app.py:3.
        - complexity_total: Total cyclomatic complexity rose from 30 to 34; it may rise by at most 0.
        - maintainability: The maintainability index of src/app.py fell from 60.0 to 52.2; it may fall by at most 1.0.
    "#]]
    .assert_eq(&evaluate(&policy, &input).to_string());
}

#[test]
fn the_report_shown_in_the_docs_is_what_the_gate_prints() {
    let page = include_str!("../../docs/gates.md");
    let start = page
        .find("```text\n")
        .expect("docs/gates.md shows a report")
        + 8;
    let shown = &page[start..start + page[start..].find("```").expect("the block ends")];
    let mut input = passing();
    let id = "tests/test_app.py::test_total";
    input.tests_baseline.insert(id.into(), Passed);
    set_test(&mut input, id, Failed);
    changed_coverage(&mut input, 6, 10);
    assert_eq!(evaluate(&Policy::default(), &input).to_string(), shown);
}
