//! One sandboxed pytest run of a project (`test_data/python/outcomes`) whose tests have
//! every outcome: each is reported under pytest's node id, the code under test is the
//! worktree's, nothing is written into the worktree, and a failing setup names its step.

#[path = "support/envs.rs"]
mod envs;
use envs::envs_root;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;
use tdev_core::TestStatus;
use tdev_runner::python::{PythonEnv, PythonProject, run_tests};
use tdev_runner::{Error, Limits, Sandbox, StopReason, TestsConfig};

/// A copy of the fixture project in a fresh directory, standing for a worktree.
fn worktree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data/python/outcomes");
    let status = std::process::Command::new("cp")
        .arg("-a")
        .arg(format!("{}/.", source.display()))
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    dir
}

fn files(dir: &Path) -> Vec<String> {
    let output = std::process::Command::new("find")
        .arg(dir)
        .output()
        .unwrap();
    let mut lines: Vec<String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    lines.sort();
    lines
}

fn prepare(project: &PythonProject, sandbox: &Sandbox) -> tdev_runner::Result<PythonEnv> {
    PythonEnv::prepare(project, &envs_root(), sandbox, &mut |_| {})
}

#[test]
fn every_outcome_is_reported_under_its_node_id() {
    let worktree = worktree();
    let before = files(worktree.path());
    let sandbox = Sandbox::new().unwrap();
    let project = PythonProject::detect(worktree.path()).unwrap();
    let env = prepare(&project, &sandbox).unwrap();
    let run = run_tests(&env, worktree.path(), &sandbox, &Limits::default()).unwrap();
    let expected: BTreeMap<String, TestStatus> = [
        (
            "tests/test_outcomes.py::TestInClass::test_method",
            TestStatus::Passed,
        ),
        ("tests/test_outcomes.py::test_errors", TestStatus::Error),
        ("tests/test_outcomes.py::test_fails", TestStatus::Failed),
        (
            "tests/test_outcomes.py::test_imports_from_the_worktree",
            TestStatus::Passed,
        ),
        (
            "tests/test_outcomes.py::test_metadata_comes_from_the_checkout",
            TestStatus::Passed,
        ),
        (
            "tests/test_outcomes.py::test_no_network",
            TestStatus::Passed,
        ),
        (
            "tests/test_outcomes.py::test_parametrized[1]",
            TestStatus::Passed,
        ),
        (
            "tests/test_outcomes.py::test_parametrized[2]",
            TestStatus::Passed,
        ),
        ("tests/test_outcomes.py::test_passes", TestStatus::Passed),
        ("tests/test_outcomes.py::test_skipped", TestStatus::Skipped),
    ]
    .into_iter()
    .map(|(id, outcome)| (id.to_owned(), outcome))
    .collect();
    assert_eq!(run.outcomes, expected, "{}", run.output_tail);
    assert_eq!(run.exit_code, Some(1));
    assert_eq!(run.stopped, None);
    assert_eq!(files(worktree.path()), before);
}

#[test]
fn a_change_in_the_worktree_is_what_the_tests_see() {
    let worktree = worktree();
    let module = worktree.path().join("src/outcomes_demo/__init__.py");
    let code = std::fs::read_to_string(&module)
        .unwrap()
        .replace("a + b", "a - b");
    std::fs::write(&module, code).unwrap();
    let sandbox = Sandbox::new().unwrap();
    let project = PythonProject::detect(worktree.path()).unwrap();
    let env = prepare(&project, &sandbox).unwrap();
    let run = run_tests(&env, worktree.path(), &sandbox, &Limits::default()).unwrap();
    assert_eq!(
        run.outcomes["tests/test_outcomes.py::test_passes"],
        TestStatus::Failed
    );
    assert_eq!(
        run.outcomes["tests/test_outcomes.py::test_parametrized[1]"],
        TestStatus::Passed
    );
}

#[test]
fn a_suite_that_hangs_is_stopped_and_says_why() {
    let worktree = worktree();
    std::fs::write(
        worktree.path().join("tests/test_hang.py"),
        "import time\n\ndef test_hangs():\n    time.sleep(120)\n",
    )
    .unwrap();
    let sandbox = Sandbox::new().unwrap();
    let project = PythonProject::detect(worktree.path()).unwrap();
    let env = prepare(&project, &sandbox).unwrap();
    let limits = Limits {
        wall_time: Duration::from_secs(15),
        ..Limits::default()
    };
    let run = run_tests(&env, worktree.path(), &sandbox, &limits).unwrap();
    assert_eq!(
        run.stopped,
        Some(StopReason::TimedOut {
            limit: Duration::from_secs(15)
        })
    );
}

#[test]
fn another_test_command_gives_one_outcome() {
    let worktree = worktree();
    let sandbox = Sandbox::new().unwrap();
    let config = TestsConfig {
        command: Some(
            [
                "python",
                "-c",
                "import outcomes_demo; assert outcomes_demo.add(2, 2) == 4",
            ]
            .map(String::from)
            .to_vec(),
        ),
        ..TestsConfig::default()
    };
    let project = PythonProject::detect_with(worktree.path(), config).unwrap();
    let env = prepare(&project, &sandbox).unwrap();
    let run = run_tests(&env, worktree.path(), &sandbox, &Limits::default()).unwrap();
    let ids: Vec<(&String, &TestStatus)> = run.outcomes.iter().collect();
    assert_eq!(ids.len(), 1);
    assert_eq!(*ids[0].1, TestStatus::Passed, "{}", run.output_tail);
}

#[test]
fn a_package_that_cannot_be_installed_is_named_with_pips_last_lines() {
    let worktree = worktree();
    let sandbox = Sandbox::new().unwrap();
    let envs = tempfile::tempdir().unwrap();
    let config = TestsConfig {
        extra_packages: vec!["pytest==0.0.0.1".into()],
        ..TestsConfig::default()
    };
    let project = PythonProject::detect_with(worktree.path(), config).unwrap();
    let error = PythonEnv::prepare(&project, envs.path(), &sandbox, &mut |_| {}).unwrap_err();
    let Error::Setup { step, output } = &error else {
        panic!("{error}")
    };
    assert_eq!(step, "installing pytest==0.0.0.1");
    assert!(
        output.contains("No matching distribution found for pytest==0.0.0.1"),
        "{output}"
    );
}

#[test]
fn a_pytest_run_measures_line_coverage_of_the_worktree() {
    let worktree = worktree();
    let before = files(worktree.path());
    let sandbox = Sandbox::new().unwrap();
    let project = PythonProject::detect(worktree.path()).unwrap();
    let env = prepare(&project, &sandbox).unwrap();
    let run = run_tests(&env, worktree.path(), &sandbox, &Limits::default()).unwrap();
    // coverage.py's data and report stay out of the worktree.
    assert_eq!(files(worktree.path()), before);
    let coverage = run.coverage.expect("pytest runs under coverage.py");
    let (executed, missing) = coverage
        .iter()
        .find(|(path, _)| !path.starts_with("test"))
        .map(|(_, lines)| lines.clone())
        .expect("the project's module is measured");
    assert!(!executed.is_empty(), "{coverage:?}");
    assert!(
        executed.iter().all(|line| !missing.contains(line)),
        "{coverage:?}"
    );
    assert!(
        coverage.keys().all(|path| !path.starts_with('/')),
        "{coverage:?}"
    );
}
