//! What the tests that run whole `tdev evolve` processes share: a throw-away home for tdev's
//! data and cache, a small real repository with findings every backend can act on, git, and
//! waiting for a condition with a deadline.

#![allow(dead_code)] // each test file uses its own part

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// How long a condition may take to come true: a cycle's research on a small repository takes
/// seconds, but a loaded machine is slow.
const DEADLINE: Duration = Duration::from_secs(300);

/// `tdev` run in `home`, with its data (the per-user directory) and cache under `home`; the
/// tool and test environments the test scripts installed are shared, as they take minutes to
/// make.
pub fn tdev(home: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tdev"));
    let shared = |var: &str, sub: &str| {
        std::env::var_os(var).map_or_else(
            || {
                let user = std::env::var_os("HOME").expect("HOME is set");
                Path::new(&user).join(".cache/tdev").join(sub)
            },
            PathBuf::from,
        )
    };
    command
        .current_dir(home)
        .env_remove("TDEV_DATA_DIR")
        .env_remove("RUST_LOG")
        .env("XDG_DATA_HOME", home.join("data"))
        .env("TDEV_CACHE", home.join("cache"))
        .env("TDEV_TOOLS_DIR", shared("TDEV_TOOLS_DIR", "tools"))
        .env("TDEV_TEST_ENVS", shared("TDEV_TEST_ENVS", "test-envs"));
    command
}

/// git's trimmed output in `repo`; panics when git fails.
pub fn git(repo: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(args)
        .output()
        .expect("running git");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// A one-commit Python repository under `home` with a finding a codemod fixes (`== None`,
/// found by ruff's E711) and an undocumented public function.
pub fn repository(home: &Path) -> PathBuf {
    let repo = home.join("project");
    std::fs::create_dir_all(repo.join("pkg")).unwrap();
    std::fs::write(repo.join("pkg/__init__.py"), "").unwrap();
    std::fs::write(
        repo.join("pkg/check.py"),
        "def count(values):\n    n = 0\n    for value in values:\n        if value == None:\n            n += 1\n    return n\n",
    )
    .unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "-A"]);
    git(
        &repo,
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "commit",
            "-q",
            "-m",
            "start",
        ],
    );
    repo
}

/// Polls `done` until it holds or the deadline passes; true when it held.
pub fn wait_for(mut done: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < DEADLINE {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    done()
}
