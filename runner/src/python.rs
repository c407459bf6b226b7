//! Python targets: how a repository's tests are set up ([`PythonProject`]), the shared
//! environment they run in ([`PythonEnv`]) and one sandboxed run of them ([`run_tests`]).

mod env;
mod ini;
mod project;
mod requirements;
mod run;

pub use env::{ENVS_VAR, PYTHON_VAR, PythonEnv, TOOLS};
pub use project::PythonProject;
pub(crate) use project::read_tests_config;
pub use run::run_tests;
