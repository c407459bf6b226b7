//! A repository's own word on how its tests are set up and run: the `[tests]` table of its
//! `tdev.toml`, which overrides what tdev works out from the packaging files.

use serde::{Deserialize, Serialize};
use std::ffi::OsString;

/// The `[tests]` table of a repository's `tdev.toml`.
///
/// ```toml
/// [tests]
/// command = ["python", "-m", "pytest", "-x", "tests"]
/// setup = [["python", "-m", "pip", "install", "-r", "ci/requirements.txt"]]
/// extra_packages = ["hypothesis>=6"]
/// pass_env = ["MYPROJECT_FIXTURES"]
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestsConfig {
    /// The test command, program first, run in the worktree (for Python, `python` is the
    /// environment's interpreter). When it runs pytest, tdev adds its report options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<Vec<String>>,
    /// Commands run once in the repository's test environment after the packages are
    /// installed (with network), program first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub setup: Vec<Vec<String>>,
    /// Requirements to install besides those tdev finds (pip's syntax).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra_packages: Vec<String>,
    /// Variables of the environment tdev runs in that the tests get too, by name (tox's
    /// `passenv`): for a suite that finds its fixtures or tools through the environment. The
    /// sandbox gives the tests a home of their own, so nothing else of the user's is seen.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pass_env: Vec<String>,
}

impl TestsConfig {
    /// The `pass_env` variables that are set, with their values.
    pub fn passed_env(&self) -> impl Iterator<Item = (OsString, OsString)> + '_ {
        self.pass_env
            .iter()
            .filter_map(|name| std::env::var_os(name).map(|value| (OsString::from(name), value)))
    }
}
