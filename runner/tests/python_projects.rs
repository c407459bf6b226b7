//! The test suites of real Python projects (`datasets/manifest.toml`, unpacked by
//! `scripts/fetch-datasets`) run in the sandbox from a shared environment: most of their
//! tests pass, and tdev leaves the repository byte for byte as it was.
//!
//! Environments are cached under `$TDEV_TEST_ENVS` (default `~/.cache/tdev/test-envs`); the
//! first run installs the projects' test dependencies from the package registry.

#[path = "support/envs.rs"]
mod envs;
use envs::envs_root;

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tdev_core::TestStatus;
use tdev_runner::python::{PythonEnv, PythonProject, run_tests};
use tdev_runner::{Limits, Sandbox};

fn dataset(label: &str) -> PathBuf {
    let root = std::env::var_os("TDEV_DATASETS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(&std::env::var_os("HOME").expect("HOME is set")).join(".cache/tdev/datasets")
        });
    let dir = root.join(label);
    assert!(
        dir.is_dir(),
        "{} is missing: run scripts/fetch-datasets",
        dir.display()
    );
    dir
}

/// Every file and directory under `dir` with its size, modification time and content hash.
fn listing(dir: &Path) -> BTreeMap<PathBuf, (u64, std::time::SystemTime, String)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).unwrap().flatten() {
            let path = entry.path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let hash = if meta.is_file() {
                Sha256::digest(std::fs::read(&path).unwrap())
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect()
            } else {
                String::new()
            };
            if meta.is_dir() {
                stack.push(path.clone());
            }
            out.insert(
                path.strip_prefix(dir).unwrap().to_path_buf(),
                (meta.len(), meta.modified().unwrap(), hash),
            );
        }
    }
    out
}

/// Prepares `label`'s environment and runs its tests; at least `min_passed` tests pass and
/// at most `max_failed` do not, and the repository is unchanged.
fn check(label: &str, min_passed: usize, max_failed: usize) {
    let repo = dataset(label);
    let before = listing(&repo);
    let sandbox = Sandbox::new().unwrap();
    let project = PythonProject::detect(&repo).unwrap();
    let mut steps = Vec::new();
    let env = PythonEnv::prepare(&project, &envs_root(), &sandbox, &mut |s| {
        steps.push(s.to_owned())
    })
    .unwrap_or_else(|error| panic!("{label}: {error}"));
    let limits = Limits {
        wall_time: Duration::from_secs(600),
        ..Limits::default()
    };
    let run = run_tests(&env, &repo, &sandbox, &limits).unwrap();
    let passed = run.count(TestStatus::Passed);
    let failed = run.count(TestStatus::Failed) + run.count(TestStatus::Error);
    let not_passed: Vec<_> = run
        .outcomes
        .iter()
        .filter(|(_, o)| matches!(o, TestStatus::Failed | TestStatus::Error))
        .collect();
    assert!(
        passed >= min_passed && failed <= max_failed && run.stopped.is_none(),
        "{label}: {passed} passed, {failed} failed ({not_passed:?}), stopped {:?}\nsteps: {steps:?}\n{}",
        run.stopped,
        run.output_tail
    );
    assert_eq!(listing(&repo), before, "{label}: the repository changed");
}

#[test]
fn toolz_tests_pass_in_the_sandbox() {
    check("toolz-1.2.0", 180, 0);
}

#[test]
fn itsdangerous_tests_pass_in_the_sandbox() {
    check("itsdangerous-2.2.0", 280, 0);
}

#[test]
fn six_tests_pass_in_the_sandbox() {
    check("six-1.17.0", 150, 0);
}

#[test]
fn more_itertools_tests_pass_in_the_sandbox() {
    check("more-itertools-11.2.1", 500, 0);
}
