//! Runs a Python repository's tests from a worktree, in the sandbox and without network,
//! and reads pytest's report into one outcome per test (with `tdev-tools`' readers of JUnit
//! XML and coverage.py's JSON). Nothing is written into the
//! worktree by tdev: the report and the project's metadata go to a scratch directory,
//! pytest's cache is off and Python writes no bytecode.

use super::env::PythonEnv;
use crate::error::{Error, Result};
use crate::limits::Limits;
use crate::sandbox::{CommandSpec, Sandbox};
use crate::test_run::TestRun;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::Path;
use tdev_core::TestStatus;

/// Runs the tests of `env`'s project as they are in `worktree`.
///
/// With pytest, the outcomes are per test (pytest node ids); with another test command they
/// are one entry, the command itself, passed or failed by its exit code.
pub fn run_tests(
    env: &PythonEnv,
    worktree: &Path,
    sandbox: &Sandbox,
    limits: &Limits,
) -> Result<TestRun> {
    let project = &env.project;
    let scratch = tempfile::Builder::new()
        .prefix("tdev-tests-")
        .tempdir()
        .map_err(Error::io("creating a directory in", std::env::temp_dir()))?;
    let report = scratch.path().join("junit.xml");
    let meta = scratch.path().join("meta");
    write_metadata(env, &meta)?;

    let (program, args) = project
        .command
        .split_first()
        .ok_or_else(|| Error::NoTests {
            repo: project.root.clone(),
            message: "the [tests] command is empty".into(),
        })?;
    let program: OsString = if program == "python" {
        env.python.clone().into()
    } else {
        program.into()
    };
    // The default `python -m pytest` runs under coverage.py (installed in every test
    // environment), its data kept in the scratch directory: line coverage per file, for the
    // gate's coverage of the changed lines.
    let coverage_data = scratch.path().join("coverage.data");
    let measured = project
        .command
        .iter()
        .take(3)
        .map(String::as_str)
        .eq(["python", "-m", "pytest"]);
    let mut command = CommandSpec::new(program).writable(scratch.path());
    if measured {
        // `python -m coverage run ... -m pytest ...`
        command = command
            .args(["-m", "coverage", "run", "--branch"])
            .arg(format!("--data-file={}", coverage_data.display()));
    }
    command = command.args(args);
    if project.runs_pytest() {
        command = command
            .args([
                "-p",
                "no:cacheprovider",
                "-o",
                "junit_family=xunit1",
                "-q",
                "-rN",
            ])
            .arg(format!("--junitxml={}", report.display()));
    }

    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![env.dir.join("bin")];
    paths.extend(std::env::split_paths(&path));
    let import_root = worktree.join(&project.import_root);
    let python_path =
        std::env::join_paths([import_root.as_path(), meta.as_path()]).map_err(|_| {
            Error::Setup {
                step: "putting the worktree on PYTHONPATH".into(),
                output: format!(
                    "{} contains ':', which PYTHONPATH cannot hold",
                    import_root.display()
                ),
            }
        })?;
    let mut variables: BTreeMap<OsString, OsString> = project.config.passed_env().collect();
    variables.extend([
        (
            OsString::from("PATH"),
            std::env::join_paths(paths).unwrap_or(path),
        ),
        (OsString::from("VIRTUAL_ENV"), env.dir.clone().into()),
        (OsString::from("PYTHONPATH"), python_path),
        (
            OsString::from("PYTHONDONTWRITEBYTECODE"),
            OsString::from("1"),
        ),
    ]);
    let outcome = sandbox.run(&command, worktree, &variables, limits)?;

    let mut outcomes = BTreeMap::new();
    if project.runs_pytest() {
        if let Ok(xml) = std::fs::read_to_string(&report) {
            let tests = tdev_tools::parse_junit(&xml, worktree).map_err(|error| Error::Config {
                path: report.clone(),
                message: format!("pytest's report cannot be read: {error}"),
            })?;
            outcomes = tests.into_iter().map(|t| (t.id, t.status)).collect();
        }
    } else if outcome.stopped.is_none() {
        let verdict = if outcome.status.success() {
            TestStatus::Passed
        } else {
            TestStatus::Failed
        };
        outcomes.insert(project.command.join(" "), verdict);
    }
    let coverage = if measured && coverage_data.is_file() {
        read_coverage(
            env,
            worktree,
            &coverage_data,
            scratch.path(),
            sandbox,
            &variables,
        )
    } else {
        None
    };
    Ok(TestRun {
        outcomes,
        coverage,
        duration: outcome.duration,
        stopped: outcome.stopped,
        exit_code: outcome.status.code(),
        output_tail: format!("{}{}", outcome.stdout_tail, outcome.stderr_tail),
    })
}

/// coverage.py's JSON report of a run, as executed and missing lines per file relative to the
/// worktree (files outside it, such as installed packages, are left out); `None` when the
/// report cannot be made.
fn read_coverage(
    env: &PythonEnv,
    worktree: &Path,
    data: &Path,
    scratch: &Path,
    sandbox: &Sandbox,
    variables: &BTreeMap<OsString, OsString>,
) -> Option<crate::FileLines> {
    let report = scratch.join("coverage.json");
    let command = CommandSpec::new(env.python.clone())
        .args(["-m", "coverage", "json", "-q"])
        .arg(format!("--data-file={}", data.display()))
        .arg("-o")
        .arg(&report)
        .writable(scratch);
    let limits = Limits::default();
    sandbox.run(&command, worktree, variables, &limits).ok()?;
    let json = std::fs::read(&report).ok()?;
    let coverage = tdev_tools::parse_coverage_json(worktree, &json).ok()?;
    Some(
        coverage
            .files
            .into_iter()
            .map(|file| (file.path, (file.executed_lines, file.missing_lines)))
            .collect(),
    )
}

/// Writes a metadata-only `<name>-<version>.dist-info` into `dir`, so that the project,
/// imported from the worktree rather than installed, still answers
/// `importlib.metadata.version()` as an installed one would.
fn write_metadata(env: &PythonEnv, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(Error::io("creating", dir))?;
    let Some(name) = &env.project.name else {
        return Ok(());
    };
    let version = env.project.version.as_deref().unwrap_or("0+unknown");
    let dist_info = dir.join(format!("{}-{version}.dist-info", name.replace('-', "_")));
    std::fs::create_dir_all(&dist_info).map_err(Error::io("creating", &dist_info))?;
    let metadata = format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n");
    let file = dist_info.join("METADATA");
    std::fs::write(&file, metadata).map_err(Error::io("writing", &file))
}
