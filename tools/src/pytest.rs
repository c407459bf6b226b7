//! A Python project's tests under pytest, measured by coverage.py: per-test outcomes and
//! coverage per file and per line.
//!
//! Runs, in the project directory, with the *project's* interpreter (which must have pytest
//! and coverage; tdev's tool environment has both, for projects without an environment):
//!
//! ```text
//! python -m coverage run --branch --data-file=TMP/.coverage -m pytest -q -p no:cacheprovider \
//!     -o junit_family=xunit1 --junitxml=TMP/junit.xml [args]
//! python -m coverage json --data-file=TMP/.coverage -o TMP/coverage.json
//! ```
//!
//! *Nothing is written into the project's tree*: every output goes to a temporary directory
//! (`COVERAGE_FILE` and `--data-file` both point there), pytest's cache is off, and
//! `PYTHONDONTWRITEBYTECODE=1` keeps `__pycache__` directories from appearing. (What the
//! project's own tests write is their business.)

use crate::coverage::{Coverage, parse_coverage_json};
use crate::error::{Error, Result};
use crate::junit::parse_junit;
use crate::process::{self, Capture};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
use tdev_core::TestOutcome;

/// How to run the tests.
#[derive(Clone, Debug)]
pub struct PytestOptions {
    /// Extra pytest arguments, e.g. test paths or `-k EXPR`.
    pub args: Vec<String>,
    /// Time limit of the test run.
    pub timeout: Duration,
}

impl Default for PytestOptions {
    fn default() -> Self {
        Self {
            args: Vec::new(),
            timeout: Duration::from_secs(1800),
        }
    }
}

/// What a test run found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PytestReport {
    /// Every test and how it ended.
    pub tests: Vec<TestOutcome>,
    /// Coverage of the project's files.
    pub coverage: Coverage,
    /// pytest's exit code: 0 all passed, 1 some failed, 2 interrupted (e.g. collection
    /// errors), 5 no tests collected.
    pub exit_code: i32,
}

/// Runs the tests of `project` with `python`, measuring coverage.
pub fn pytest_with_coverage(
    python: &Path,
    project: &Path,
    options: &PytestOptions,
) -> Result<PytestReport> {
    check_modules(python)?;
    let temp = tempfile::Builder::new()
        .prefix("tdev-pytest-")
        .tempdir()
        .map_err(Error::io("creating a temporary directory"))?;
    let data_file = temp.path().join(".coverage");
    let junit_file = temp.path().join("junit.xml");
    let json_file = temp.path().join("coverage.json");
    let command = |args: &[&str]| {
        let mut command = Command::new(python);
        command
            .current_dir(project)
            .env("COVERAGE_FILE", &data_file)
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .args(["-m", "coverage"])
            .args(args)
            .arg(flag("--data-file=", &data_file));
        command
    };

    let mut run = command(&["run", "--branch"]);
    run.args(["-m", "pytest", "-q", "-p", "no:cacheprovider"])
        .args(["-o", "junit_family=xunit1"])
        .arg(flag("--junitxml=", &junit_file))
        .args(&options.args);
    let output = process::run("pytest", &mut run, options.timeout, Capture::Separate)?;
    // 3 (internal error) and 4 (usage error) mean pytest did not run the tests.
    if !matches!(output.code, 0 | 1 | 2 | 5) || !junit_file.is_file() {
        return Err(process::failed("pytest", &output));
    }
    let exit_code = output.code;
    let junit_text = std::fs::read_to_string(&junit_file)
        .map_err(Error::io(format!("reading {}", junit_file.display())))?;
    let tests = parse_junit(&junit_text, project)?;

    // A project configured with `parallel = true` leaves one data file per process.
    if !data_file.is_file() {
        let mut combine = command(&["combine", "--quiet"]);
        process::run(
            "coverage combine",
            &mut combine,
            options.timeout,
            Capture::Separate,
        )?;
    }
    let mut report = command(&["json", "--quiet"]);
    report.arg("-o").arg(&json_file);
    let output = process::run(
        "coverage json",
        &mut report,
        options.timeout,
        Capture::Separate,
    )?;
    let coverage = if json_file.is_file() {
        // `fail_under` in the project's configuration makes the exit code 2; the report is
        // written all the same.
        let json = std::fs::read(&json_file)
            .map_err(Error::io(format!("reading {}", json_file.display())))?;
        parse_coverage_json(project, &json)?
    } else if String::from_utf8_lossy(&output.stderr).contains("No data to report")
        || String::from_utf8_lossy(&output.stdout).contains("No data to report")
    {
        Coverage::default()
    } else {
        return Err(process::failed("coverage json", &output));
    };
    Ok(PytestReport {
        tests,
        coverage,
        exit_code,
    })
}

/// `--name=path` as one argument, so that a path starting with `-` is not taken for a flag.
fn flag(name: &str, path: &Path) -> std::ffi::OsString {
    let mut arg = std::ffi::OsString::from(name);
    arg.push(path);
    arg
}

/// Fails with a clear message when `python` is missing or lacks pytest or coverage, rather
/// than with whatever the first failing command would say.
fn check_modules(python: &Path) -> Result<()> {
    let mut command = Command::new(python);
    command.args([
        "-c",
        "import importlib.util\n\
         print(' '.join(m for m in ('pytest', 'coverage') if importlib.util.find_spec(m) is None))",
    ]);
    let output = match process::run(
        "python",
        &mut command,
        Duration::from_secs(60),
        Capture::Separate,
    ) {
        Err(Error::Spawn { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::NoPython {
                python: PathBuf::from(python),
            });
        }
        other => other?,
    };
    if output.code != 0 {
        return Err(process::failed("python", &output));
    }
    let missing = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Error::MissingModule {
            python: PathBuf::from(python),
            module: missing.replace(' ', " and "),
        })
    }
}
