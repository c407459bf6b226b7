//! The Python adapters on small fixture projects and on a real dataset project: ruff, bandit,
//! and pytest with coverage.py, run from tdev's tool environment.

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use support::{dataset, listing, project, tools};
use tdev_core::{Finding, Fixability, TestStatus};
use tdev_tools::{
    BANDIT_TIMEOUT, Error, PytestOptions, RuffOptions, bandit, pytest_with_coverage, ruff_check,
    ruff_fix,
};

const CONFIG: &str = "\
import os
import yaml


def load(path, x):
    if x == None:
        return yaml.load(open(path))
    return x
";

/// One line per finding: where, what, how serious, whether fixable, and the evidence.
fn summary(findings: &[Finding]) -> Vec<String> {
    let mut lines: Vec<String> = findings
        .iter()
        .map(|f| {
            let span = f.span.expect("tool findings have a place");
            let fix = match f.fix {
                Some(Fixability::Safe) => "safe-fix",
                Some(Fixability::Unsafe) => "unsafe-fix",
                None => "no-fix",
            };
            format!(
                "{}:{}:{}-{}:{} {} {} {} | {}",
                f.path,
                span.line,
                span.column,
                span.end_line,
                span.end_column,
                f.kind,
                f.severity.as_str(),
                fix,
                f.evidence.as_deref().unwrap_or("-").replace('\n', " / ")
            )
        })
        .collect();
    lines.sort();
    lines
}

fn ruff(files: &[(&str, &str)]) -> Vec<String> {
    let dir = project(files);
    summary(&ruff_check(&tools(), dir.path(), &RuffOptions::default()).unwrap())
}

#[test]
fn ruff_findings_carry_span_severity_evidence_and_fixability() {
    expect_test::expect![[r#"
        [
            "pkg/config.py:1:8-1:10 ruff:F401 medium safe-fix | import os",
            "pkg/config.py:6:13-6:17 ruff:E711 low unsafe-fix |     if x == None:",
        ]
    "#]]
    .assert_debug_eq(&ruff(&[("pkg/config.py", CONFIG)]));
}

#[test]
fn ruff_reports_syntax_errors_as_findings() {
    let found = ruff(&[("bad.py", "def f(:\n    pass\n")]);
    assert!(!found.is_empty());
    assert!(
        found.iter().all(|l| l.contains("ruff:invalid-syntax high")),
        "{found:?}"
    );
}

#[test]
fn ruff_ignores_the_targets_own_configuration() {
    // The project's config would hide both findings (per-file ignores survive ruff's own
    // `--select`) and add every rule; tdev's selection stays its own.
    let config = "[lint]\nselect = [\"ALL\"]\nignore = [\"F401\"]\n\
                  [lint.per-file-ignores]\n\"pkg/*\" = [\"F401\", \"E711\"]\n";
    assert_eq!(
        ruff(&[("pkg/config.py", CONFIG), ("ruff.toml", config)]),
        ruff(&[("pkg/config.py", CONFIG)])
    );
}

/// B905's fix (`strict=False` in every `zip()`) is noise a maintainer turns down: it is not
/// found unless the repository selects it itself.
#[test]
fn zip_without_strict_is_found_only_when_the_repository_asks_for_it() {
    let code = ("pairs.py", "def pairs(a, b):\n    return list(zip(a, b))\n");
    let python310 = "[project]\nname = \"p\"\nrequires-python = \">=3.10\"\n";
    let b905 = |found: Vec<String>| found.iter().any(|f| f.contains("ruff:B905"));
    assert!(!b905(ruff(&[code, ("pyproject.toml", python310)])));
    let asks = format!("{python310}[tool.ruff.lint]\nextend-select = [\"B905\"]\n");
    assert!(b905(ruff(&[code, ("pyproject.toml", &asks)])));
    let asks_then_ignores = format!("{asks}ignore = [\"B9\"]\n");
    assert!(!b905(ruff(&[code, ("pyproject.toml", &asks_then_ignores)])));
}

#[test]
fn ruff_honours_noqa_comments_and_skips_virtual_environments() {
    expect_test::expect![[r#"
        [
            "a.py:2:8-2:11 ruff:F401 medium safe-fix | import sys",
        ]
    "#]]
    .assert_debug_eq(&ruff(&[
        ("a.py", "import os  # noqa: F401\nimport sys\n"),
        (".venv/lib/x.py", "import os\n"),
    ]));
}

#[test]
fn finding_ids_are_stable_from_run_to_run() {
    let dir = project(&[("pkg/config.py", CONFIG)]);
    let ids = || -> Vec<String> {
        ruff_check(&tools(), dir.path(), &RuffOptions::default())
            .unwrap()
            .into_iter()
            .map(|f| f.id)
            .collect()
    };
    let first = ids();
    assert_eq!(first, ids());
    assert!(first.iter().all(|id| id.starts_with("ruff:")), "{first:?}");
}

/// Applies ruff's fixes for `rules`, returning the fixed file and the kinds still to fix.
fn fix(unsafe_fixes: bool) -> (String, Vec<String>) {
    let dir = project(&[("config.py", CONFIG)]);
    let rules = ["F401".to_owned(), "E711".to_owned()];
    let remaining = ruff_fix(&tools(), dir.path(), &rules, unsafe_fixes, &[]).unwrap();
    let text = std::fs::read_to_string(dir.path().join("config.py")).unwrap();
    (text, remaining.into_iter().map(|f| f.kind).collect())
}

#[test]
fn ruff_fix_applies_safe_fixes_and_unsafe_ones_only_when_asked() {
    let (text, remaining) = fix(false);
    assert!(
        !text.contains("import os") && text.contains("x == None"),
        "{text}"
    );
    assert_eq!(remaining, ["ruff:E711"]);
    let (text, remaining) = fix(true);
    assert!(
        !text.contains("import os") && text.contains("x is None"),
        "{text}"
    );
    assert!(remaining.is_empty(), "{remaining:?}");
}

#[test]
fn bandit_findings_carry_severity_confidence_and_the_code() {
    let dir = project(&[
        ("pkg/config.py", CONFIG),
        ("bad.py", "def f(:\n"),
        // Installed code is not the project's.
        (".venv/lib/x.py", "import pickle\npickle.loads(b'')\n"),
    ]);
    let report = bandit(&tools(), dir.path(), BANDIT_TIMEOUT).unwrap();
    expect_test::expect![[r#"
        [
            "pkg/config.py:7:16-7:37 bandit:B506 medium no-fix | 6     if x == None: / 7         return yaml.load(open(path)) / 8     return x",
        ]
    "#]]
    .assert_debug_eq(&summary(&report.findings));
    let metrics = &report.findings[0].metrics;
    assert_eq!(metrics.get("confidence"), Some(&1.0));
    assert_eq!(metrics.get("cwe"), Some(&20.0));
    assert_eq!(report.skipped.len(), 1);
    assert_eq!(report.skipped[0].path, "bad.py");
}

/// Every finding names an existing file of `repo` and a line inside it.
fn check_points_into(repo: &Path, findings: &[Finding]) {
    for f in findings {
        let text = std::fs::read_to_string(repo.join(&f.path))
            .unwrap_or_else(|e| panic!("{}: {e} ({f:?})", f.path));
        let span = f.span.unwrap();
        let lines = u32::try_from(text.lines().count()).unwrap();
        assert!(
            (1..=lines.max(1)).contains(&span.line) && span.end_line >= span.line,
            "{}:{} outside its {lines} lines",
            f.path,
            span.line
        );
    }
}

#[test]
fn ruff_and_bandit_on_requests_point_at_real_lines() {
    let repo = dataset("requests-2.34.2");
    let env = tools();
    let linted = ruff_check(&env, &repo, &RuffOptions::default()).unwrap();
    assert!(!linted.is_empty(), "requests has some ruff findings");
    check_points_into(&repo, &linted);
    let secured = bandit(&env, &repo, BANDIT_TIMEOUT).unwrap();
    assert!(
        !secured.findings.is_empty(),
        "requests has some bandit findings"
    );
    check_points_into(&repo, &secured.findings);
    assert!(secured.skipped.is_empty(), "{:?}", secured.skipped);
}

const CALC: &str = "\
def add(a, b):
    return a + b


def sign(x):
    if x < 0:
        return -1
    return 1
";

const TESTS: &str = "\
import pytest
from calc import add, sign


def test_add():
    assert add(1, 2) == 3


def test_sign_is_wrong():
    assert sign(5) == -1


@pytest.mark.skip(reason='later')
def test_later():
    pass


class TestParams:
    @pytest.mark.parametrize('n', [1, 2])
    def test_positive(self, n):
        assert sign(n) == 1
";

fn pytest(files: &[(&str, &str)]) -> tdev_tools::PytestReport {
    let dir = project(files);
    pytest_with_coverage(&tools().python(), dir.path(), &PytestOptions::default()).unwrap()
}

#[test]
fn pytest_outcomes_per_test_and_coverage_per_line() {
    let report = pytest(&[("calc.py", CALC), ("tests/test_calc.py", TESTS)]);
    let outcomes: BTreeMap<&str, &str> = report
        .tests
        .iter()
        .map(|t| (t.id.as_str(), t.status.as_str()))
        .collect();
    expect_test::expect![[r#"
        {
            "tests/test_calc.py::TestParams::test_positive[1]": "passed",
            "tests/test_calc.py::TestParams::test_positive[2]": "passed",
            "tests/test_calc.py::test_add": "passed",
            "tests/test_calc.py::test_later": "skipped",
            "tests/test_calc.py::test_sign_is_wrong": "failed",
        }
    "#]]
    .assert_debug_eq(&outcomes);
    assert_eq!(report.exit_code, 1);
    let failed = report
        .tests
        .iter()
        .find(|t| t.status == TestStatus::Failed)
        .unwrap();
    assert!(
        failed.message.as_deref().unwrap_or("").contains("assert"),
        "{failed:?}"
    );
    let calc = report
        .coverage
        .file("calc.py")
        .expect("calc.py is measured");
    assert_eq!(calc.executed_lines, [1, 2, 5, 6, 8]);
    assert_eq!(calc.missing_lines, [7]);
    assert_eq!(
        (calc.line(7), calc.line(8), calc.line(4)),
        (Some(false), Some(true), None)
    );
    assert_eq!(calc.branches, 2);
    assert_eq!(calc.covered_branches, 1);
    assert!(
        calc.percent > 50.0 && calc.percent < 100.0,
        "{}",
        calc.percent
    );
}

#[test]
fn pytest_with_coverage_leaves_the_project_unchanged() {
    let dir = project(&[("calc.py", CALC), ("tests/test_calc.py", TESTS)]);
    let before = listing(dir.path());
    pytest_with_coverage(&tools().python(), dir.path(), &PytestOptions::default()).unwrap();
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        listing(dir.path()).keys().collect::<Vec<_>>()
    );
    assert_eq!(before, listing(dir.path()));
}

#[test]
fn collection_errors_are_outcomes_not_failures_of_tdev() {
    let report = pytest(&[
        ("calc.py", CALC),
        ("tests/test_broken.py", "import nowhere\n"),
    ]);
    assert_eq!(report.exit_code, 2);
    assert_eq!(report.tests.len(), 1, "{:?}", report.tests);
    assert_eq!(report.tests[0].status, TestStatus::Error);
}

#[test]
fn a_test_run_past_its_time_limit_is_killed_and_reported() {
    let dir = project(&[(
        "test_hang.py",
        "import time\n\ndef test_hang():\n    time.sleep(3600)\n",
    )]);
    let options = PytestOptions {
        timeout: std::time::Duration::from_secs(3),
        ..PytestOptions::default()
    };
    let err = pytest_with_coverage(&tools().python(), dir.path(), &options).unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "pytest did not finish within 3 s and was killed"
    );
}

#[test]
fn a_python_without_pytest_is_told_what_to_install() {
    let dir = project(&[("test_a.py", "def test_a():\n    pass\n")]);
    // A bare virtual environment: its Python has neither pytest nor coverage.
    let bare = tempfile::tempdir().unwrap();
    let created = std::process::Command::new("python3")
        .args(["-m", "venv", "--without-pip"])
        .arg(bare.path())
        .status()
        .unwrap();
    assert!(created.success());
    let python = bare.path().join("bin/python");
    let err = pytest_with_coverage(&python, dir.path(), &PytestOptions::default()).unwrap_err();
    assert!(err.is_user_error(), "{err}");
    assert_eq!(
        err.to_string(),
        format!(
            "{} cannot import pytest and coverage; install pytest and coverage into the project's environment",
            python.display()
        )
    );
}

#[test]
fn pytest_with_coverage_on_six_counts_its_tests_and_leaves_it_unchanged() {
    let repo = dataset("six-1.17.0");
    let before = listing(&repo);
    let report = pytest_with_coverage(&tools().python(), &repo, &PytestOptions::default()).unwrap();
    assert_eq!(before, listing(&repo), "the dataset project changed");
    let count = |status| report.tests.iter().filter(|t| t.status == status).count();
    // What pytest itself prints for six 1.17.0: "198 passed, 2 skipped".
    assert_eq!(
        (count(TestStatus::Passed), count(TestStatus::Skipped)),
        (198, 2)
    );
    assert_eq!(report.exit_code, 0);
    let six = report.coverage.file("six.py").expect("six.py is measured");
    assert!(six.statements > 400, "{}", six.statements);
    assert_eq!(
        six.executed_lines.len() + six.missing_lines.len(),
        usize::try_from(six.statements).unwrap()
    );
    assert!(
        report
            .tests
            .iter()
            .all(|t| t.id.starts_with("test_six.py::"))
    );
}
