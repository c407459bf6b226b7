//! Rust targets: `cargo test` and `cargo clippy` in the sandbox, with the build directory
//! outside the worktree, dependencies fetched first (with network) and the build run offline;
//! the test output is read into one outcome per test by `tdev-tools`' reader of libtest's
//! output.

use crate::error::{Error, Result};
use crate::limits::Limits;
use crate::sandbox::{CommandSpec, Sandbox};
use crate::test_run::TestRun;
use crate::tests_config::TestsConfig;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tdev_core::TestStatus;

/// A Rust repository (a package or a workspace).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RustProject {
    /// The directory with the root `Cargo.toml`.
    pub root: PathBuf,
    /// The `[tests]` table of its `tdev.toml` (only `pass_env` applies to Rust).
    pub config: TestsConfig,
}

impl RustProject {
    /// The project at `repo`, which must hold a `Cargo.toml`, with the `[tests]` table of its
    /// `tdev.toml` when it has one.
    pub fn detect(repo: &Path) -> Result<Self> {
        if !repo.join("Cargo.toml").is_file() {
            return Err(Error::NoTests {
                repo: repo.to_path_buf(),
                message: "no Cargo.toml here".into(),
            });
        }
        let config = crate::python::read_tests_config(&repo.join("tdev.toml"))?.unwrap_or_default();
        Ok(Self {
            root: repo.to_path_buf(),
            config,
        })
    }

    /// The limits for cargo here: compiling is part of every run, so the wall and CPU time,
    /// memory and process limits are raised to at least an hour, 30 minutes, 8 GiB and
    /// 4,096 (a cold build of a large workspace takes that long, and the process limit
    /// counts threads: the compiler's, and each test binary's); the file size limit and the
    /// network setting are kept.
    pub fn limits(base: &Limits) -> Limits {
        Limits {
            wall_time: base.wall_time.max(Duration::from_secs(3600)),
            cpu_time: base.cpu_time.max(Duration::from_secs(1800)),
            memory_bytes: base.memory_bytes.max(8 << 30),
            max_processes: base.max_processes.max(4096),
            ..base.clone()
        }
    }

    /// Runs `cargo test --workspace --no-fail-fast` (every member's tests, as a workspace's CI
    /// runs them) in `worktree`, building into `target_dir` (which
    /// must be outside the worktree). Dependencies are fetched first with network, then the
    /// tests build and run offline. A `Cargo.lock` that cargo makes because the worktree had
    /// none is removed again, so the worktree is left as it was.
    pub fn run_tests(
        &self,
        worktree: &Path,
        target_dir: &Path,
        sandbox: &Sandbox,
        limits: &Limits,
    ) -> Result<TestRun> {
        let mut session = Session::open(worktree, target_dir)?;
        session.env.extend(self.config.passed_env());
        let result = session.fetch(sandbox, limits).and_then(|fetch_time| {
            // The whole output goes to a file: the per-test lines of a large suite do not
            // fit in the tail a run keeps, and stdout and stderr must stay in order.
            let run = session.run(
                sandbox,
                limits,
                &["test", "--workspace", "--offline", "--no-fail-fast"],
                true,
            )?;
            Ok(TestRun {
                coverage: None,
                outcomes: parse_output(&run.stdout),
                duration: fetch_time + run.duration,
                stopped: run.stopped,
                exit_code: run.exit_code,
                output_tail: tail_lines(&run.stdout, 40),
            })
        });
        session.close()?;
        result
    }

    /// Runs `cargo clippy` on every target of the workspace in `dir` with `lint_args` after
    /// `--` (`-W clippy::<lint>` and the like), in the sandbox like the tests. Without `fix`,
    /// the result's `stdout` is cargo's JSON message stream; with it, clippy applies its
    /// machine-applicable suggestions to the files in `dir`.
    pub fn clippy(
        &self,
        dir: &Path,
        target_dir: &Path,
        sandbox: &Sandbox,
        limits: &Limits,
        lint_args: &[String],
        fix: bool,
    ) -> Result<CargoRun> {
        let session = Session::open(dir, target_dir)?;
        let result = session.fetch(sandbox, limits).and_then(|_| {
            let mut args = vec!["clippy", "--offline", "--workspace", "--all-targets"];
            if fix {
                args.extend(["--fix", "--allow-dirty", "--allow-staged", "--allow-no-vcs"]);
            } else {
                args.push("--message-format=json");
            }
            args.push("--");
            args.extend(lint_args.iter().map(String::as_str));
            session.run(sandbox, limits, &args, false)
        });
        session.close()?;
        result
    }
}

/// One sandboxed cargo command's result.
#[derive(Debug, Clone, PartialEq)]
pub struct CargoRun {
    /// What cargo wrote to stdout (with stderr too when the caller asked for them together).
    pub stdout: String,
    /// The last lines cargo wrote to stderr.
    pub stderr_tail: String,
    /// Its exit code (None when a signal ended it).
    pub exit_code: Option<i32>,
    /// Why the sandbox stopped it, if it did.
    pub stopped: Option<crate::StopReason>,
    /// Its wall time.
    pub duration: Duration,
}

impl CargoRun {
    /// Whether cargo finished and succeeded.
    pub fn success(&self) -> bool {
        self.stopped.is_none() && self.exit_code == Some(0)
    }
}

/// What every cargo command in the sandbox needs: the build directory and cargo's own home
/// writable, the toolchain found, a scratch directory for the output, and the project's
/// `Cargo.lock` left as it was found.
struct Session<'a> {
    dir: &'a Path,
    target_dir: &'a Path,
    cargo_home: PathBuf,
    env: BTreeMap<OsString, OsString>,
    scratch: tempfile::TempDir,
    had_lock: bool,
}

impl<'a> Session<'a> {
    fn open(dir: &'a Path, target_dir: &'a Path) -> Result<Self> {
        std::fs::create_dir_all(target_dir).map_err(Error::io("creating", target_dir))?;
        let scratch = tempfile::Builder::new()
            .prefix("tdev-cargo-")
            .tempdir()
            .map_err(Error::io("creating a directory in", std::env::temp_dir()))?;
        let cargo_home = cargo_home();
        let mut env = BTreeMap::from([
            (
                OsString::from("CARGO_TARGET_DIR"),
                target_dir.as_os_str().to_owned(),
            ),
            (
                OsString::from("CARGO_HOME"),
                cargo_home.as_os_str().to_owned(),
            ),
            (OsString::from("CARGO_TERM_COLOR"), OsString::from("never")),
        ]);
        if let Some(rustup) = rustup_home() {
            env.insert(OsString::from("RUSTUP_HOME"), rustup.into_os_string());
        }
        Ok(Self {
            dir,
            target_dir,
            cargo_home,
            env,
            scratch,
            had_lock: dir.join("Cargo.lock").exists(),
        })
    }

    fn command(&self, program: &str) -> CommandSpec {
        CommandSpec::new(program)
            .writable(self.target_dir)
            .writable(&self.cargo_home)
            .writable(self.scratch.path())
    }

    /// `cargo fetch`, with network: the one step that may download.
    fn fetch(&self, sandbox: &Sandbox, limits: &Limits) -> Result<Duration> {
        let fetch_limits = Limits {
            network: true,
            ..limits.clone()
        };
        let fetched = sandbox.run(
            &self.command("cargo").arg("fetch"),
            self.dir,
            &self.env,
            &fetch_limits,
        )?;
        if fetched.success() {
            Ok(fetched.duration)
        } else {
            Err(Error::Setup {
                step: "fetching the dependencies (cargo fetch)".into(),
                output: tail_lines(
                    &format!("{}{}", fetched.stdout_tail, fetched.stderr_tail),
                    15,
                ),
            })
        }
    }

    /// `cargo <args>` with its output in files (a sandboxed run keeps only tails); with
    /// `together`, stderr goes into stdout, in order.
    fn run(
        &self,
        sandbox: &Sandbox,
        limits: &Limits,
        args: &[&str],
        together: bool,
    ) -> Result<CargoRun> {
        let out = self.scratch.path().join("stdout.log");
        let err = self.scratch.path().join("stderr.log");
        let script = if together {
            "out=$1; shift 2; exec \"$@\" > \"$out\" 2>&1"
        } else {
            "out=$1; err=$2; shift 2; exec \"$@\" > \"$out\" 2> \"$err\""
        };
        let command = self
            .command("sh")
            .args(["-c", script, "sh"])
            .arg(&out)
            .arg(&err)
            .arg("cargo")
            .args(args.iter().copied());
        let outcome = sandbox.run(&command, self.dir, &self.env, limits)?;
        let stderr = std::fs::read_to_string(&err).unwrap_or_default();
        Ok(CargoRun {
            stdout: std::fs::read_to_string(&out).unwrap_or_default(),
            stderr_tail: tail_lines(&stderr, 30),
            exit_code: outcome.status.code(),
            stopped: outcome.stopped,
            duration: outcome.duration,
        })
    }

    /// Removes a `Cargo.lock` that cargo made because the project had none.
    fn close(self) -> Result<()> {
        let lock = self.dir.join("Cargo.lock");
        if !self.had_lock && lock.exists() {
            std::fs::remove_file(&lock).map_err(Error::io("removing", &lock))?;
        }
        Ok(())
    }
}

fn cargo_home() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(&std::env::var_os("HOME").unwrap_or_default()).join(".cargo"))
}

fn rustup_home() -> Option<PathBuf> {
    std::env::var_os("RUSTUP_HOME")
        .map(PathBuf::from)
        .or_else(|| {
            let dir = Path::new(&std::env::var_os("HOME")?).join(".rustup");
            dir.is_dir().then_some(dir)
        })
}

/// Outcomes from `cargo test`'s output, each test under its id unique across the workspace's
/// test binaries (`<crate>/<source>::<test path>`, [`tdev_tools::TestBinary::qualified_id`]).
pub(crate) fn parse_output(output: &str) -> BTreeMap<String, TestStatus> {
    let report = tdev_tools::parse_cargo_test(output);
    report
        .binaries
        .iter()
        .flat_map(|binary| {
            binary
                .tests
                .iter()
                .map(|test| (binary.qualified_id(&test.id), test.status))
        })
        .collect()
}

fn tail_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cargo_test_output() {
        let output = "\
   Compiling itoa v1.0.19
     Running unittests src/lib.rs (/t/debug/deps/itoa-0a1b2c3d)

running 2 tests
test tests::small ... ok
test tests::big ... FAILED

     Running tests/test.rs (/t/debug/deps/test-99aa)
test small ... ok
test slow ... ignored, takes a minute
   Doc-tests itoa
test src/lib.rs - (line 5) ... ok
test result: ok. 1 passed; 0 failed
";
        let outcomes: Vec<(String, TestStatus)> = parse_output(output).into_iter().collect();
        let expected = [
            ("itoa/doc::src/lib.rs - (line 5)", TestStatus::Passed),
            ("itoa/src/lib.rs::tests::big", TestStatus::Failed),
            ("itoa/src/lib.rs::tests::small", TestStatus::Passed),
            ("test/tests/test.rs::slow", TestStatus::Skipped),
            ("test/tests/test.rs::small", TestStatus::Passed),
        ]
        .map(|(id, o)| (id.to_owned(), o));
        assert_eq!(outcomes, expected);
    }
}
