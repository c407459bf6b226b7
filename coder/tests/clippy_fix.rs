//! clippy's fixes as a backend, with real cargo and clippy in the sandbox on a small crate in a
//! real git repository: the lint's fix lands in the task's file only, and a crate that does
//! not build is a failed attempt with the compiler's reason and an untouched worktree.

mod common;

use common::{Repo, tool_request};
use tdev_coder::{AttemptRequest, Backend, ClippyFixBackend};

const MANIFEST: &str = "[package]\nname = \"fixme\"\nversion = \"0.1.0\"\nedition = \"2021\"\n";
const LIB: &str = "mod other;\n\npub fn names(xs: &[u32]) -> Vec<String> {\n    xs.iter().map(|x| x.to_string()).collect()\n}\n";
const OTHER: &str =
    "pub fn more(xs: &[u32]) -> Vec<String> {\n    xs.iter().map(|x| x.to_string()).collect()\n}\n";

fn request(path: &str) -> AttemptRequest {
    tool_request(
        "clippy-fix:redundant_closure_for_method_calls",
        "clippy::redundant_closure_for_method_calls",
        None,
        &[path],
    )
}

fn backend(lint: &str, dirs: &tempfile::TempDir) -> ClippyFixBackend {
    ClippyFixBackend::new(
        lint,
        dirs.path().join("target"),
        dirs.path().join("scratch"),
        &tdev_runner::Limits::default(),
    )
}

#[test]
fn the_lints_fix_lands_in_the_tasks_file_only() {
    let repo = Repo::new(&[
        ("Cargo.toml", MANIFEST),
        ("src/lib.rs", LIB),
        ("src/other.rs", OTHER),
    ]);
    let dirs = tempfile::tempdir().unwrap();
    let result = backend("clippy::redundant_closure_for_method_calls", &dirs)
        .attempt(&request("src/lib.rs"), repo.path());
    assert_eq!(
        result.changed_files(),
        Some(["src/lib.rs".to_owned()].as_slice()),
        "{result:?}"
    );
    assert_eq!(
        repo.read("src/lib.rs").unwrap(),
        LIB.replace("|x| x.to_string()", "std::string::ToString::to_string")
    );
    assert_eq!(repo.read("src/other.rs").unwrap(), OTHER);
    assert_eq!(
        repo.status(),
        " M src/lib.rs\n",
        "no Cargo.lock or other file is left"
    );
}

#[test]
fn a_crate_that_does_not_build_is_a_failed_attempt_and_the_worktree_is_untouched() {
    let repo = Repo::new(&[
        ("Cargo.toml", MANIFEST),
        (
            "src/lib.rs",
            "mod other;\npub fn broken() -> u32 { \"text\" }\n",
        ),
        ("src/other.rs", OTHER),
    ]);
    let dirs = tempfile::tempdir().unwrap();
    let result = backend("redundant_closure_for_method_calls", &dirs)
        .attempt(&request("src/other.rs"), repo.path());
    let reason = result
        .failure()
        .map(ToString::to_string)
        .unwrap_or_default();
    assert!(reason.contains("mismatched types"), "{result:?}");
    assert_eq!(repo.status(), "");
}

#[test]
fn a_lint_name_that_is_not_one_is_refused_before_anything_runs() {
    let repo = Repo::new(&[
        ("Cargo.toml", MANIFEST),
        ("src/lib.rs", LIB),
        ("src/other.rs", OTHER),
    ]);
    let dirs = tempfile::tempdir().unwrap();
    let result = backend("all -Dwarnings", &dirs).attempt(&request("src/lib.rs"), repo.path());
    let reason = result
        .failure()
        .map(ToString::to_string)
        .unwrap_or_default();
    assert!(reason.contains("is not a clippy lint name"), "{reason}");
    assert!(!dirs.path().join("target").exists());
}
