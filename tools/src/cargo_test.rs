//! cargo test: how each test of each test binary ended, read from libtest's plain output
//! (`test NAME ... ok | FAILED | ignored`), which every stable toolchain prints (its JSON
//! output is unstable). The one reader of this output: tdev's cargo test adapter and the
//! sandboxed test runs of `tdev-runner` both call [`parse_cargo_test`].
//!
//! A project that does not compile is a report too (`build_failed`), since a change that
//! breaks the build is exactly what an evaluation must see; cargo failing for any other reason
//! is an error.

use crate::cargo::CargoOptions;
use crate::error::Result;
use crate::process::{self, Capture, tail};
use serde::Serialize;
use std::path::Path;
use tdev_core::{TestOutcome, TestStatus};

/// What `cargo test` found.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CargoTestReport {
    /// Each test binary that ran, in order.
    pub binaries: Vec<TestBinary>,
    /// The compiler's last words when the project did not build.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_failed: Option<String>,
}

impl CargoTestReport {
    /// Every test of every binary.
    pub fn tests(&self) -> impl Iterator<Item = &TestOutcome> {
        self.binaries.iter().flat_map(|b| &b.tests)
    }
}

/// One test binary (unit tests of a target, an integration test file, doc-tests).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TestBinary {
    /// As cargo announces it: `unittests src/lib.rs`, `tests/cli.rs`, `doc-tests NAME`.
    pub name: String,
    /// The crate it belongs to: the binary's file name without its hash, or the name after
    /// `Doc-tests`.
    #[serde(rename = "crate")]
    pub krate: String,
    /// Its tests, in the order they finished.
    pub tests: Vec<TestOutcome>,
}

impl TestBinary {
    /// The id of one of its tests that is unique across a workspace's test binaries:
    /// `<crate>/<source>::<test>`, the source as cargo names it (`src/lib.rs`,
    /// `tests/cli.rs`) or `doc` for doc-tests, so that equal test names in different targets
    /// stay apart.
    pub fn qualified_id(&self, test: &str) -> String {
        let source = if self.name.starts_with("doc-tests ") {
            "doc"
        } else {
            self.name.trim_start_matches("unittests ")
        };
        format!("{}/{source}::{test}", self.krate)
    }
}

/// Runs `cargo test --no-fail-fast` in `project`.
pub fn cargo_test(project: &Path, options: &CargoOptions) -> Result<CargoTestReport> {
    let mut command = options.command(project, "test");
    command.arg("--no-fail-fast");
    // Merged: cargo announces each binary on stderr, the binary reports on stdout.
    let output = process::run("cargo test", &mut command, options.timeout, Capture::Merged)?;
    let text = String::from_utf8_lossy(&output.stdout);
    let mut report = parse_cargo_test(&text);
    if output.code != 0 && report.binaries.iter().all(|b| b.tests.is_empty()) {
        if text.contains("error: could not compile") {
            report.build_failed = Some(tail(text.as_bytes()));
        } else {
            return Err(process::failed("cargo test", &output));
        }
    } else if text.contains("error: could not compile") {
        // Some targets built and ran, another did not.
        report.build_failed = Some(tail(text.as_bytes()));
    }
    Ok(report)
}

/// Reads cargo test's output, stdout and stderr merged in the order they were written (cargo
/// announces each binary on stderr, the binary reports on stdout).
pub fn parse_cargo_test(text: &str) -> CargoTestReport {
    let mut report = CargoTestReport::default();
    let mut failure: Option<(usize, usize, Vec<&str>)> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix("Running ") {
            // `Running unittests src/lib.rs (target/debug/deps/x-0123)`
            let (name, binary) = rest.rsplit_once(" (").unwrap_or((rest, ""));
            let binary = binary
                .trim_end_matches(')')
                .rsplit('/')
                .next()
                .unwrap_or("");
            let krate = binary.rsplit_once('-').map_or(binary, |(krate, _)| krate);
            report.binaries.push(TestBinary {
                name: name.to_owned(),
                krate: krate.to_owned(),
                tests: Vec::new(),
            });
            continue;
        }
        if let Some(name) = trimmed.strip_prefix("Doc-tests ") {
            report.binaries.push(TestBinary {
                name: format!("doc-tests {name}"),
                krate: name.to_owned(),
                tests: Vec::new(),
            });
            continue;
        }
        let Some(binary) = report.binaries.len().checked_sub(1) else {
            continue;
        };
        if let Some((name, result)) = line
            .strip_prefix("test ")
            .and_then(|rest| rest.rsplit_once(" ... "))
        {
            let status = if result.starts_with("ok") {
                TestStatus::Passed
            } else if result.starts_with("FAILED") {
                TestStatus::Failed
            } else if result.starts_with("ignored") {
                TestStatus::Skipped
            } else {
                continue;
            };
            let message = result.strip_prefix("ignored, ").map(str::to_owned);
            report.binaries[binary].tests.push(TestOutcome {
                id: name.to_owned(),
                status,
                seconds: None,
                message,
            });
            continue;
        }
        // The failures section: `---- NAME stdout ----` then the test's output up to a blank
        // line; its panic message tells why the test failed.
        if let Some(name) = line
            .strip_prefix("---- ")
            .and_then(|rest| rest.strip_suffix(" stdout ----"))
        {
            flush(&mut report, failure.take());
            if let Some(index) = report.binaries[binary]
                .tests
                .iter()
                .position(|t| t.id == name)
            {
                failure = Some((binary, index, Vec::new()));
            }
            continue;
        }
        if let Some((_, _, lines)) = &mut failure {
            if line.trim().is_empty() && lines.is_empty() {
                continue;
            }
            if line.trim().is_empty() || line == "failures:" {
                flush(&mut report, failure.take());
            } else {
                lines.push(line);
            }
        }
    }
    flush(&mut report, failure);
    report
}

fn flush(report: &mut CargoTestReport, failure: Option<(usize, usize, Vec<&str>)>) {
    if let Some((binary, index, lines)) = failure {
        // Keep it short: the panic line and what follows it, at most a few lines.
        let start = lines
            .iter()
            .position(|l| l.contains("panicked at"))
            .unwrap_or(0);
        let text: Vec<&str> = lines.iter().skip(start).take(6).copied().collect();
        if !text.is_empty() {
            report.binaries[binary].tests[index].message = Some(text.join("\n"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_cargo_test as parse;

    #[test]
    fn outcomes_are_grouped_by_binary_with_failure_messages() {
        let report = parse(
            "   Compiling x v0.1.0 (/p)\n\
             \x20    Running unittests src/lib.rs (target/debug/deps/x-1)\n\
             \n\
             running 3 tests\n\
             test tests::skipped ... ignored, slow\n\
             test tests::passes ... ok\n\
             test tests::fails ... FAILED\n\
             \n\
             failures:\n\
             \n\
             ---- tests::fails stdout ----\n\
             \n\
             thread 'tests::fails' panicked at src/lib.rs:9:5:\n\
             assertion failed: false\n\
             \n\
             failures:\n\
             \x20   tests::fails\n\
             \n\
             test result: FAILED. 1 passed; 1 failed; 1 ignored; 0 measured; 0 filtered out\n\
             \x20  Doc-tests x\n\
             test src/lib.rs - f (line 3) ... ok\n",
        );
        let summary: Vec<String> = report
            .binaries
            .iter()
            .flat_map(|b| {
                b.tests.iter().map(move |t| {
                    format!(
                        "{} | {} | {} | {:?}",
                        b.name,
                        t.id,
                        t.status.as_str(),
                        t.message
                    )
                })
            })
            .collect();
        expect_test::expect![[r#"
            [
                "unittests src/lib.rs | tests::skipped | skipped | Some(\"slow\")",
                "unittests src/lib.rs | tests::passes | passed | None",
                "unittests src/lib.rs | tests::fails | failed | Some(\"thread 'tests::fails' panicked at src/lib.rs:9:5:\\nassertion failed: false\")",
                "doc-tests x | src/lib.rs - f (line 3) | passed | None",
            ]
        "#]]
        .assert_debug_eq(&summary);
    }
}
