//! What the tool tests share: the installed tool environment, fixture projects written on the
//! spot, and listings of a directory to show that nothing in it changed.

#![allow(dead_code)] // each test file uses its own part

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tdev_tools::ToolEnv;

/// tdev's tool environment as `scripts/test` installs it: `TDEV_TOOLS_DIR`, else
/// `~/.cache/tdev/tools`. Tests never install (that needs the network); they say how to.
pub fn tools() -> ToolEnv {
    let dir = std::env::var_os("TDEV_TOOLS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| home_cache("tools"));
    let env = ToolEnv::new(&dir);
    assert!(
        env.is_complete(),
        "{} is not installed: run scripts/test-env (or TDEV_TOOLS_DIR={} tdev tools install)",
        dir.display(),
        dir.display()
    );
    env
}

pub fn home_cache(sub: &str) -> PathBuf {
    let home = std::env::var_os("HOME").expect("HOME is set");
    Path::new(&home).join(".cache/tdev").join(sub)
}

/// A fresh directory holding `files` (path, content).
pub fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, content) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    dir
}

/// Every file and directory under `dir` with its content, to compare before and after.
pub fn listing(dir: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
    let mut entries = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            let name = path.strip_prefix(dir).unwrap().display().to_string();
            if path.is_dir() {
                entries.insert(format!("{name}/"), None);
                stack.push(path);
            } else {
                entries.insert(name, Some(std::fs::read(&path).unwrap()));
            }
        }
    }
    entries
}

/// A project of `datasets/manifest.toml`, as `scripts/fetch-datasets` unpacks it.
pub fn dataset(label: &str) -> PathBuf {
    let datasets = std::env::var_os("TDEV_DATASETS")
        .map(PathBuf::from)
        .unwrap_or_else(|| home_cache("datasets"));
    let dir = datasets.join(label);
    assert!(
        dir.is_dir(),
        "{} is missing: run scripts/fetch-datasets",
        dir.display()
    );
    dir
}
