//! The external tools people already trust, run by tdev: a pinned installation of the Python
//! tools in tdev's own environment, and adapters that turn each tool's output into
//! [`Finding`](tdev_core::Finding)s or [`TestOutcome`](tdev_core::TestOutcome)s.
//!
//! | tool | adapter | gives |
//! |---|---|---|
//! | ruff | [`ruff_check`], [`ruff_fix`] | findings with safe/unsafe fixes |
//! | bandit | [`bandit()`] | findings with severity and confidence |
//! | pytest + coverage.py | [`pytest_with_coverage`] | per-test outcomes, coverage per file and line |
//! | cargo clippy | [`clippy()`] | findings with machine-applicable fixes |
//! | cargo test | [`cargo_test`] | per-test outcomes per test binary |
//! | cargo fmt, ruff format | [`formatter`] | the files the repository's formatter would change |
//!
//! ruff, bandit, pytest and coverage are pinned in `tools/pins.toml` and installed by
//! [`ToolEnv::install`] into a virtual environment at a directory its caller chooses (`tdev_app::Layout::tools`); the cargo tools are the
//! project's own toolchain. Every process runs in its own process group with a time limit, and
//! is killed with its group when the limit passes ([`process`], which the sandbox and the
//! command backend use too). A missing tool is an error that says what to run, never an empty
//! result.
//!
//! The readers of the test runners' reports are here and nowhere else: [`parse_junit`]
//! (pytest's JUnit XML), [`parse_coverage_json`] (coverage.py's JSON) and
//! [`parse_cargo_test`] (libtest's output), so that the sandboxed test runs of `tdev-runner`
//! read them as the adapters do.
//!
//! ```no_run
//! use std::path::Path;
//! use tdev_tools::{RuffOptions, ToolEnv, ruff_check};
//!
//! let env = ToolEnv::new("/home/ada/.cache/tdev/tools");
//! env.install(&Default::default(), &mut |step| eprintln!("{step}"))?;
//! for finding in ruff_check(&env, Path::new("."), &RuffOptions::default())? {
//!     println!("{}:{} {} {}", finding.path, finding.span.map_or(0, |s| s.line), finding.kind, finding.message);
//! }
//! # Ok::<(), tdev_tools::Error>(())
//! ```
#![warn(missing_docs)]

mod bandit;
mod cargo;
mod cargo_test;
mod clippy;
mod coverage;
mod environment;
mod error;
pub mod formatter;
mod id;
mod junit;
mod location;
mod pins;
pub mod process;
mod pytest;
mod ruff;
pub mod style;

pub use bandit::{BANDIT_TIMEOUT, BanditReport, EXCLUDE as BANDIT_EXCLUDE, SkippedFile, bandit};
pub use cargo::CargoOptions;
pub use cargo_test::{CargoTestReport, TestBinary, cargo_test, parse_cargo_test};
pub use clippy::{EXTRA_LINTS, clippy, clippy_findings, extra_lint_args, fix_only_args};
pub use coverage::{Coverage, FileCoverage, parse_coverage_json};
pub use environment::{
    EnvStatus, InstallOptions, InstallOutcome, InstallStep, MARKER, ToolEnv, ToolState, ToolStatus,
};
pub use error::{Error, Result};
pub use junit::parse_junit;
pub use pins::{Pin, Pins};
pub use pytest::{PytestOptions, PytestReport, pytest_with_coverage};
pub use ruff::{
    DEFAULT_SELECT, NOT_WORTH_A_REVIEW, RuffOptions, ruff_check, ruff_fix,
    severity as ruff_severity, supports_python2, target_version, unwanted_rules,
};
