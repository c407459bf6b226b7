//! The commit message and pull-request description of a kept change.

use expect_test::expect;
use tdev_core::{Finding, Metric, Severity, Span};
use tdev_worktree::{PrInfo, commit_message, commit_subject, cycle_graph_iri};

fn finding(kind: &str, path: &str, line: Option<u32>, message: &str) -> Finding {
    Finding {
        id: format!("{kind}@{path}"),
        kind: kind.into(),
        severity: Severity::High,
        path: path.into(),
        span: line.map(|line| Span {
            line,
            column: 1,
            end_line: line,
            end_column: 1,
        }),
        symbol: Some("load_config".into()),
        message: message.into(),
        evidence: None,
        metrics: Default::default(),
        fix: None,
        priority: 0.9,
    }
}

fn info() -> PrInfo {
    PrInfo {
        cycle_id: "c-2026-11-25.1".into(),
        attempt: 2,
        title: "Fix security findings in app/config.py: load_config".into(),
        task_title: "Fix security findings in app/config.py: load_config".into(),
        subject: Some("Use yaml.safe_load in config loading".into()),
        strategy: "codemod:yaml-safe-load".parse().unwrap(),
        files: vec!["app/config.py".into()],
        findings: vec![finding(
            "bandit:B506",
            "app/config.py",
            Some(12),
            "Use of unsafe yaml load. Allows instantiation of\narbitrary objects.",
        )],
        metrics: vec![
            Metric {
                name: "cyclomatic_complexity".into(),
                before: 12.0,
                after: 11.0,
            },
            Metric {
                name: "maintainability_index".into(),
                before: 61.25,
                after: 63.5,
            },
            Metric {
                name: "docstring_coverage".into(),
                before: 0.5,
                after: 0.5,
            },
        ],
        gate_passed: true,
        gate_report: vec![
            "new_failing_tests: passed (0 tests broke; 41 passed before and after)".into(),
            "security: passed (1 high finding fixed, none new)".into(),
        ],
        risk: 2,
        tokens: Some(1834),
        cost_usd: Some(0.0123),
    }
}

#[test]
fn commit_message_is_a_subject_and_the_description() {
    expect![[r#"
        Use yaml.safe_load in config loading

        ## What

        Fix security findings in app/config.py: load_config

        - Strategy: `codemod:yaml-safe-load`
        - Files: `app/config.py`
        - Risk: 2 of 5

        ## Why

        - `bandit:B506` (high) at `app/config.py:12` in `load_config`: Use of unsafe yaml load. Allows instantiation of arbitrary objects.

        ## Metric deltas

        | metric | before | after | change |
        |---|---:|---:|---:|
        | cyclomatic_complexity | 12 | 11 | -1 |
        | maintainability_index | 61.25 | 63.5 | +2.25 |
        | docstring_coverage | 0.5 | 0.5 | 0 |

        ## Gate

        The gate passed.

        - new_failing_tests: passed (0 tests broke; 41 passed before and after)
        - security: passed (1 high finding fixed, none new)

        ## Provenance

        - Cycle: <https://tdev.dev/graph/cycle/c-2026-11-25.1>
        - Attempt: 2
        - LLM: 1834 tokens, $0.0123

        Made by tdev on a `tdev/auto/` branch; review before merging.
    "#]]
    .assert_eq(&commit_message(&info()));
}

#[test]
fn a_change_without_findings_metrics_or_llm_says_so_briefly() {
    let info = PrInfo {
        findings: Vec::new(),
        metrics: Vec::new(),
        tokens: None,
        cost_usd: None,
        gate_report: Vec::new(),
        subject: None,
        ..info()
    };
    expect![[r#"
        Fix security findings in app/config.py: load_config

        ## What

        Fix security findings in app/config.py: load_config

        - Strategy: `codemod:yaml-safe-load`
        - Files: `app/config.py`
        - Risk: 2 of 5

        ## Why

        No finding recorded.

        ## Gate

        The gate passed.

        ## Provenance

        - Cycle: <https://tdev.dev/graph/cycle/c-2026-11-25.1>
        - Attempt: 2

        Made by tdev on a `tdev/auto/` branch; review before merging.
    "#]]
    .assert_eq(&commit_message(&info));
}

/// A later attempt kept another strategy's change than the task planned: the description says
/// what was kept, and names the task it was made for.
#[test]
fn a_change_other_than_planned_names_its_task() {
    let info = PrInfo {
        title: "Apply ruff unsafe fixes for rule family F4 in app/compat.py".into(),
        task_title: "Apply ruff safe fixes for rule family F4 in app/ (2 files, 2 findings)".into(),
        subject: None,
        strategy: "ruff-unsafe-fix:F4".parse().unwrap(),
        files: vec!["app/compat.py".into()],
        findings: Vec::new(),
        metrics: Vec::new(),
        gate_report: Vec::new(),
        tokens: None,
        cost_usd: None,
        ..info()
    };
    expect![[r#"
        Apply ruff unsafe fixes for rule family F4 in app/compat.py

        ## What

        Apply ruff unsafe fixes for rule family F4 in app/compat.py

        - Strategy: `ruff-unsafe-fix:F4`
        - Files: `app/compat.py`
        - Risk: 2 of 5

        ## Why

        No finding recorded.

        ## Gate

        The gate passed.

        ## Provenance

        - Cycle: <https://tdev.dev/graph/cycle/c-2026-11-25.1>
        - Task: Apply ruff safe fixes for rule family F4 in app/ (2 files, 2 findings)
        - Attempt: 2

        Made by tdev on a `tdev/auto/` branch; review before merging.
    "#]]
    .assert_eq(&commit_message(&info));
}

fn check_subject(title: &str, expected: &str) {
    let info = PrInfo {
        subject: None,
        title: title.into(),
        ..info()
    };
    let subject = commit_subject(&info);
    assert_eq!(subject, expected);
    assert!(subject.chars().count() <= 72);
}

#[test]
fn subjects_are_one_capitalised_line_of_at_most_72_characters() {
    check_subject(
        "Use yaml.safe_load in config loading.",
        "Use yaml.safe_load in config loading",
    );
    check_subject("fix lint in src/", "Fix lint in src/");
    check_subject(
        "Reduce complexity\nin app.py",
        "Reduce complexity in app.py",
    );
    check_subject(
        "Fix lint findings in app/services/payments (3 files, 17 findings), stage 2 of 3",
        "Fix lint findings in app/services/payments (3 files, 17 findings)",
    );
    check_subject(
        "Raise docstring coverage in a/very/long/path/to/some/module.py: alpha, beta",
        "Raise docstring coverage in a/very/long/path/to/some/module.py: alpha",
    );
    check_subject(
        "Raise docstring coverage in a/very/long/path/to/some/deeply/nested/module/file.py",
        "Raise docstring coverage",
    );
    // As tdev titled a clippy fix on its own repository: the place goes, not half of it.
    check_subject(
        "Apply clippy's fix for semicolon_if_nothing_returned in benches/knowledge.rs: main",
        "Apply clippy's fix for semicolon_if_nothing_returned",
    );
    // Cut at a word, a subject does not end on one that needs the next.
    check_subject(
        &format!("Rename the {} field of the settings table", "x".repeat(50)),
        &format!("Rename the {} field", "x".repeat(50)),
    );
    check_subject(&"x".repeat(80), &format!("X{}", "x".repeat(71)));
    check_subject("", "Apply tdev change");
}

#[test]
fn the_cycle_iri_matches_the_knowledge_graphs_naming() {
    let check = |id: &str, expected: &str| assert_eq!(cycle_graph_iri(id), expected);
    check("c-1.2_x", "https://tdev.dev/graph/cycle/c-1.2_x");
    check("c 1/2", "https://tdev.dev/graph/cycle/c%201%2F2");
}
