//! Every path tdev uses, decided in one place, so the commands, the scripts and the README
//! agree on where things live.
//!
//! Two roots: the **cache** (`$TDEV_CACHE`, else `$XDG_CACHE_HOME/tdev`, else
//! `~/.cache/tdev`) holds what can be rebuilt: the tool environment, the targets' test
//! environments, worktrees, mirrors and build directories, the datasets; the **per-user data
//! directory** (`$XDG_DATA_HOME/tdev/data`, else `~/.local/share/tdev/data`) holds what tdev
//! learned, when no `.tdev/` is found. `scripts/layout.sh` states the same rules for the
//! shell scripts; `tests/layout.rs` checks that both give the same paths.

use crate::{Error, Result};
use serde::Serialize;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// Where tdev keeps everything that is not a `.tdev/` data directory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Layout {
    /// The cache root: everything below it can be deleted and is rebuilt on demand.
    pub cache: PathBuf,
    /// tdev's own tool environment (pinned ruff, bandit, pytest, coverage):
    /// `$TDEV_TOOLS_DIR`, else `<cache>/tools`.
    pub tools: PathBuf,
    /// The targets' Python test environments: `$TDEV_TEST_ENVS`, else `<cache>/test-envs`.
    pub test_envs: PathBuf,
    /// The projects of `datasets/manifest.toml`: `$TDEV_DATASETS`, else `<cache>/datasets`.
    pub datasets: PathBuf,
    /// One directory of worktrees per repository: `<cache>/worktrees`.
    pub worktrees: PathBuf,
    /// Scratch space for reports of test runs: `<cache>/scratch`.
    pub scratch: PathBuf,
    /// Copies of Rust repositories kept in place across cycles: `<cache>/mirrors`.
    pub mirrors: PathBuf,
    /// Build directories of Rust targets, one per repository, unless `$CARGO_TARGET_DIR` is
    /// set: `<cache>/targets`.
    pub targets: PathBuf,
    /// A build directory every Rust target shares, when the user set `$CARGO_TARGET_DIR`.
    pub cargo_target_dir: Option<PathBuf>,
    /// The per-user data directory, used when no `.tdev/` is found and none is named.
    pub user_data: PathBuf,
}

impl Layout {
    /// The layout this process's environment gives.
    pub fn from_env() -> Result<Self> {
        Self::from_vars(|name| std::env::var_os(name))
    }

    /// The layout for the variables `var` gives; an empty variable counts as unset, as the
    /// XDG specification asks.
    pub fn from_vars(var: impl Fn(&str) -> Option<OsString>) -> Result<Self> {
        let var = |name: &str| var(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        let home = || {
            var("HOME").ok_or_else(|| {
                Error::user(
                    "neither HOME nor the XDG variables are set, so tdev does not know where to \
                     keep its files; set HOME (or TDEV_CACHE and XDG_DATA_HOME)",
                )
            })
        };
        let cache = match (var("TDEV_CACHE"), var("XDG_CACHE_HOME")) {
            (Some(dir), _) => dir,
            (None, Some(dir)) => dir.join("tdev"),
            (None, None) => home()?.join(".cache/tdev"),
        };
        let user_data = match var("XDG_DATA_HOME") {
            Some(dir) => dir.join("tdev/data"),
            None => home()?.join(".local/share/tdev/data"),
        };
        Ok(Self {
            tools: var("TDEV_TOOLS_DIR").unwrap_or_else(|| cache.join("tools")),
            test_envs: var("TDEV_TEST_ENVS").unwrap_or_else(|| cache.join("test-envs")),
            datasets: var("TDEV_DATASETS").unwrap_or_else(|| cache.join("datasets")),
            worktrees: cache.join("worktrees"),
            scratch: cache.join("scratch"),
            mirrors: cache.join("mirrors"),
            targets: cache.join("targets"),
            cargo_target_dir: var("CARGO_TARGET_DIR"),
            user_data,
            cache,
        })
    }

    /// The tool environment's directory when it is installed (stamped with its pins), else
    /// `None`: tools that are not there are reported as not run rather than failing a cycle.
    pub fn installed_tools(&self) -> Option<&Path> {
        self.tools
            .join(tdev_tools::MARKER)
            .is_file()
            .then_some(self.tools.as_path())
    }

    /// The paths as `name value` lines, for `tdev paths` and the scripts' agreement test.
    pub fn lines(&self) -> Vec<(&'static str, PathBuf)> {
        let mut lines = vec![
            ("cache", self.cache.clone()),
            ("tools", self.tools.clone()),
            ("test-envs", self.test_envs.clone()),
            ("datasets", self.datasets.clone()),
            ("worktrees", self.worktrees.clone()),
            ("scratch", self.scratch.clone()),
            ("mirrors", self.mirrors.clone()),
            ("targets", self.targets.clone()),
        ];
        if let Some(dir) = &self.cargo_target_dir {
            lines.push(("cargo-target-dir", dir.clone()));
        }
        lines.push(("user-data", self.user_data.clone()));
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn layout(vars: &[(&str, &str)]) -> Result<Layout> {
        let vars: HashMap<String, OsString> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), OsString::from(v)))
            .collect();
        Layout::from_vars(|name| vars.get(name).cloned())
    }

    #[test]
    fn home_alone_gives_the_documented_defaults() {
        let l = layout(&[("HOME", "/h")]).unwrap();
        assert_eq!(l.cache, Path::new("/h/.cache/tdev"));
        assert_eq!(l.tools, Path::new("/h/.cache/tdev/tools"));
        assert_eq!(l.test_envs, Path::new("/h/.cache/tdev/test-envs"));
        assert_eq!(l.worktrees, Path::new("/h/.cache/tdev/worktrees"));
        assert_eq!(l.user_data, Path::new("/h/.local/share/tdev/data"));
        assert_eq!(l.targets, Path::new("/h/.cache/tdev/targets"));
        assert_eq!(l.cargo_target_dir, None);
    }

    #[test]
    fn xdg_variables_are_honoured_and_tdev_cache_wins_over_them() {
        let l = layout(&[
            ("HOME", "/h"),
            ("XDG_CACHE_HOME", "/c"),
            ("XDG_DATA_HOME", "/d"),
        ])
        .unwrap();
        assert_eq!(l.tools, Path::new("/c/tdev/tools"));
        assert_eq!(l.user_data, Path::new("/d/tdev/data"));
        let l = layout(&[
            ("HOME", "/h"),
            ("XDG_CACHE_HOME", "/c"),
            ("TDEV_CACHE", "/t"),
        ])
        .unwrap();
        assert_eq!(l.tools, Path::new("/t/tools"));
    }

    #[test]
    fn each_directory_can_be_moved_on_its_own_and_empty_means_unset() {
        let l = layout(&[
            ("HOME", "/h"),
            ("TDEV_TOOLS_DIR", "/tools"),
            ("TDEV_TEST_ENVS", "/envs"),
            ("CARGO_TARGET_DIR", "/build"),
            ("XDG_CACHE_HOME", ""),
        ])
        .unwrap();
        assert_eq!(l.tools, Path::new("/tools"));
        assert_eq!(l.test_envs, Path::new("/envs"));
        assert_eq!(l.cache, Path::new("/h/.cache/tdev"));
        assert_eq!(l.cargo_target_dir.as_deref(), Some(Path::new("/build")));
    }

    #[test]
    fn no_home_is_a_user_error_naming_what_to_set() {
        let err = layout(&[]).unwrap_err();
        assert!(err.is_user_error());
        assert!(err.to_string().contains("set HOME"), "{err}");
        assert!(layout(&[("TDEV_CACHE", "/t"), ("XDG_DATA_HOME", "/d")]).is_ok());
    }
}
