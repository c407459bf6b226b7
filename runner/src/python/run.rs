//! Runs a Python repository's tests from a worktree, in the sandbox and without network,
//! and reads pytest's report into one outcome per test. Nothing is written into the
//! worktree by tdev: the report and the project's metadata go to a scratch directory,
//! pytest's cache is off and Python writes no bytecode.

use super::env::PythonEnv;
use super::junit;
use crate::error::{Error, Result};
use crate::limits::Limits;
use crate::sandbox::{CommandSpec, Sandbox};
use crate::test_run::TestRun;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::Path;
use tdev_gates::TestOutcome;

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
    let mut command = CommandSpec::new(program)
        .args(args)
        .writable(scratch.path());
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
    let variables = BTreeMap::from([
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
            outcomes = junit::parse(&xml, worktree).map_err(|error| Error::Config {
                path: report.clone(),
                message: format!("pytest's report cannot be read: {error}"),
            })?;
        }
    } else if outcome.stopped.is_none() {
        let verdict = if outcome.status.success() {
            TestOutcome::Passed
        } else {
            TestOutcome::Failed
        };
        outcomes.insert(project.command.join(" "), verdict);
    }
    Ok(TestRun {
        outcomes,
        duration: outcome.duration,
        stopped: outcome.stopped,
        exit_code: outcome.status.code(),
        output_tail: format!("{}{}", outcome.stdout_tail, outcome.stderr_tail),
    })
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
