//! `cargo test` of a small crate made by the test runs in the sandbox, builds outside the
//! worktree, reports each test, and leaves the worktree as it was (no `Cargo.lock` added).

use std::collections::BTreeMap;
use std::path::Path;
use tdev_core::TestStatus;
use tdev_runner::rust::RustProject;
use tdev_runner::{Limits, Sandbox};

fn write(dir: &Path, path: &str, content: &str) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

fn files(dir: &Path) -> Vec<String> {
    let output = std::process::Command::new("find")
        .arg(dir)
        .output()
        .unwrap();
    let mut lines: Vec<String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    lines.sort();
    lines
}

#[test]
fn cargo_test_outcomes_are_reported_per_test() {
    let worktree = tempfile::tempdir().unwrap();
    let target = tempfile::tempdir().unwrap();
    write(
        worktree.path(),
        "Cargo.toml",
        "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    write(
        worktree.path(),
        "src/lib.rs",
        "/// Adds.\n///\n/// ```\n/// assert_eq!(demo::add(1, 1), 2);\n/// ```\npub fn add(a: i32, b: i32) -> i32 { a + b }\n\
         #[cfg(test)]\nmod tests {\n    #[test] fn passes() { assert_eq!(super::add(1, 2), 3); }\n    \
         #[test] fn fails() { assert_eq!(super::add(1, 2), 4); }\n    #[test] #[ignore] fn ignored() {}\n}\n",
    );
    write(
        worktree.path(),
        "tests/api.rs",
        "#[test]\nfn from_outside() { assert_eq!(demo::add(2, 2), 4); }\n",
    );
    let before = files(worktree.path());
    let sandbox = Sandbox::new().unwrap();
    let project = RustProject::detect(worktree.path()).unwrap();
    let run = project
        .run_tests(worktree.path(), target.path(), &sandbox, &Limits::default())
        .unwrap();
    let expected: BTreeMap<String, TestStatus> = [
        ("demo/doc::src/lib.rs - add (line 3)", TestStatus::Passed),
        ("demo/src/lib.rs::tests::fails", TestStatus::Failed),
        ("demo/src/lib.rs::tests::ignored", TestStatus::Skipped),
        ("demo/src/lib.rs::tests::passes", TestStatus::Passed),
        ("api/tests/api.rs::from_outside", TestStatus::Passed),
    ]
    .into_iter()
    .map(|(id, outcome)| (id.to_owned(), outcome))
    .collect();
    assert_eq!(run.outcomes, expected, "{}", run.output_tail);
    assert_eq!(files(worktree.path()), before);
    assert!(target.path().join("debug").is_dir());
}
