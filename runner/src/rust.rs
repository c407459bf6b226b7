//! Rust targets: `cargo test` in the sandbox, with the build directory outside the
//! worktree, dependencies fetched first (with network) and the tests run offline, and the
//! output read into one outcome per test.

use crate::error::{Error, Result};
use crate::limits::Limits;
use crate::sandbox::{CommandSpec, Sandbox};
use crate::test_run::TestRun;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use tdev_gates::TestOutcome;

/// A Rust repository (a package or a workspace).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RustProject {
    /// The directory with the root `Cargo.toml`.
    pub root: PathBuf,
}

impl RustProject {
    /// The project at `repo`, which must hold a `Cargo.toml`.
    pub fn detect(repo: &Path) -> Result<Self> {
        if !repo.join("Cargo.toml").is_file() {
            return Err(Error::NoTests {
                repo: repo.to_path_buf(),
                message: "no Cargo.toml here".into(),
            });
        }
        Ok(Self {
            root: repo.to_path_buf(),
        })
    }

    /// Runs `cargo test --no-fail-fast` in `worktree`, building into `target_dir` (which
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
        std::fs::create_dir_all(target_dir).map_err(Error::io("creating", target_dir))?;
        let lock = worktree.join("Cargo.lock");
        let had_lock = lock.exists();
        let scratch = tempfile::Builder::new()
            .prefix("tdev-cargo-")
            .tempdir()
            .map_err(Error::io("creating a directory in", std::env::temp_dir()))?;
        let log = scratch.path().join("cargo-test.log");
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
        let writable = |command: CommandSpec| {
            command
                .writable(target_dir)
                .writable(&cargo_home)
                .writable(scratch.path())
        };

        let fetch = writable(CommandSpec::new("cargo").arg("fetch"));
        let fetch_limits = Limits {
            network: true,
            ..limits.clone()
        };
        let fetched = sandbox.run(&fetch, worktree, &env, &fetch_limits)?;
        let result = if fetched.success() {
            // The whole output goes to a file: the per-test lines of a large suite do not
            // fit in the tail a run keeps, and stdout and stderr must stay in order.
            let test = writable(CommandSpec::new("sh").args([
                "-c",
                "exec cargo test --offline --no-fail-fast > \"$0\" 2>&1",
            ]))
            .arg(&log);
            let outcome = sandbox.run(&test, worktree, &env, limits)?;
            let output = std::fs::read_to_string(&log).unwrap_or_default();
            Ok(TestRun {
                coverage: None,
                outcomes: parse_output(&output),
                duration: fetched.duration + outcome.duration,
                stopped: outcome.stopped,
                exit_code: outcome.status.code(),
                output_tail: tail_lines(&output, 40),
            })
        } else {
            Err(Error::Setup {
                step: "fetching the dependencies (cargo fetch)".into(),
                output: tail_lines(
                    &format!("{}{}", fetched.stdout_tail, fetched.stderr_tail),
                    15,
                ),
            })
        };
        if !had_lock && lock.exists() {
            std::fs::remove_file(&lock).map_err(Error::io("removing", &lock))?;
        }
        result
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

/// Outcomes from `cargo test`'s output. A test's id is `<crate>/<source>::<test path>`, the
/// crate and source taken from the `Running` (or `Doc-tests`) line before it, so that equal
/// test names in different targets stay apart.
pub(crate) fn parse_output(output: &str) -> BTreeMap<String, TestOutcome> {
    let mut outcomes = BTreeMap::new();
    let mut target = String::new();
    for line in output.lines() {
        let trimmed = line.trim();
        if let Some(rest) = trimmed.strip_prefix("Running ") {
            // "Running unittests src/lib.rs (target/debug/deps/itoa-0a1b2c)"
            let (source, binary) = rest.split_once(" (").unwrap_or((rest, ""));
            let source = source.trim_start_matches("unittests ");
            let binary = binary
                .trim_end_matches(')')
                .rsplit('/')
                .next()
                .unwrap_or("");
            let krate = binary.rsplit_once('-').map_or(binary, |(name, _)| name);
            target = format!("{krate}/{source}");
        } else if let Some(krate) = trimmed.strip_prefix("Doc-tests ") {
            target = format!("{krate}/doc");
        } else if let Some(rest) = line.strip_prefix("test ")
            && let Some((name, verdict)) = rest.rsplit_once(" ... ")
        {
            let outcome = match verdict.split([',', ' ']).next().unwrap_or("") {
                "ok" => TestOutcome::Passed,
                "FAILED" => TestOutcome::Failed,
                "ignored" => TestOutcome::Skipped,
                _ => continue,
            };
            outcomes.insert(format!("{target}::{name}"), outcome);
        }
    }
    outcomes
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
        let outcomes: Vec<(String, TestOutcome)> = parse_output(output).into_iter().collect();
        let expected = [
            ("itoa/doc::src/lib.rs - (line 5)", TestOutcome::Passed),
            ("itoa/src/lib.rs::tests::big", TestOutcome::Failed),
            ("itoa/src/lib.rs::tests::small", TestOutcome::Passed),
            ("test/tests/test.rs::slow", TestOutcome::Skipped),
            ("test/tests/test.rs::small", TestOutcome::Passed),
        ]
        .map(|(id, o)| (id.to_owned(), o));
        assert_eq!(outcomes, expected);
    }
}
