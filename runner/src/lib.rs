//! Runs a target's code safely and sets up and runs its test suite.
//!
//! [`Sandbox::run`] runs a command under [`Limits`] (wall and CPU time, memory, processes,
//! file size, no network, writes only into its working and scratch directories) using the
//! platform's own tools — cgroups, `prlimit`, `unshare`, `setpriv` — and says in a
//! [`StopReason`] why it stopped a command. [`Sandbox::capabilities`] tells what this machine
//! enforces; `docs/sandbox.md` has the table.
//!
//! [`python::PythonProject`] works out how a Python repository's tests are set up and run,
//! [`python::PythonEnv`] prepares a virtual environment for them outside the repository, and
//! [`python::run_tests`] runs them in the sandbox, one [`TestRun`] with an outcome per test.
//! [`rust::RustProject`] does the same with `cargo test`, and runs clippy (to find lints, or
//! to apply its fixes) in the sandbox too: building runs the target's build scripts and
//! procedural macros. [`mirror::sync`] keeps a copy of a repository in one place so that
//! cargo rebuilds only what a change touched.
//!
//! ```
//! use std::collections::BTreeMap;
//! use std::path::Path;
//! use std::time::Duration;
//! use tdev_runner::{CommandSpec, Limits, Sandbox};
//!
//! let sandbox = Sandbox::new()?;
//! let limits = Limits { wall_time: Duration::from_secs(1), ..Limits::default() };
//! let outcome = sandbox.run(&CommandSpec::new("sleep").arg("60"), Path::new("."), &BTreeMap::new(), &limits)?;
//! assert_eq!(
//!     outcome.stopped.unwrap().to_string(),
//!     "stopped after the wall-time limit of 1 s; every process it started was killed"
//! );
//! # Ok::<(), tdev_runner::Error>(())
//! ```
#![warn(missing_docs)]

mod capabilities;
mod cgroup;
mod error;
mod limits;
pub mod mirror;
mod outcome;
pub mod python;
pub mod rust;
mod sandbox;
mod test_run;
mod tests_config;

pub use capabilities::{Capabilities, Enforcement};
pub use error::{Error, Result};
pub use limits::Limits;
pub use outcome::{RunOutcome, StopReason};
pub use sandbox::{CommandSpec, Sandbox};
pub use test_run::{FileLines, TestRun};
pub use tests_config::TestsConfig;
