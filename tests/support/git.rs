//! What tests that run tdev on real repositories share: the caches `scripts/test` fills (the
//! dataset projects, tdev's tool environment) and git run the way a user's commits are made.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// `$env`, else `~/.cache/tdev/<sub>`: where `scripts/test` puts the datasets, the tool
/// environment and the test environments.
pub fn cache(sub: &str, env: &str) -> PathBuf {
    std::env::var_os(env).map(PathBuf::from).unwrap_or_else(|| {
        let home = std::env::var_os("HOME").expect("HOME is set");
        Path::new(&home).join(".cache/tdev").join(sub)
    })
}

/// Runs git in `dir` with an identity of its own, failing the test when git fails; returns
/// what git printed.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=u", "-c", "user.email=u@example.com"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// A temporary git repository on `main` with `files` (path, text) in one commit.
pub fn committed(files: &[(&str, &str)]) -> tempfile::TempDir {
    let repo = tempfile::tempdir().unwrap();
    for (path, text) in files {
        std::fs::write(repo.path().join(path), text).unwrap();
    }
    git(repo.path(), &["init", "-q", "-b", "main"]);
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-q", "-m", "files"]);
    repo
}
