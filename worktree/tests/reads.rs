//! What other crates ask of a repository through this one, so that their git commands get the
//! same protective options: the branch checked out, a commit's files, and an attempt's
//! directory inspected and put back.

mod fixture;

use fixture::{Fixture, git, write};
use std::collections::BTreeSet;
use tdev_worktree::{Repo, WorkingDir, merge_file};

#[test]
fn current_branch_names_the_checkout_and_none_when_detached() {
    let fixture = Fixture::busy();
    let repo = Repo::open(&fixture.user).unwrap();
    assert_eq!(repo.current_branch().unwrap().as_deref(), Some("feature"));
    git(&fixture.user, &["checkout", "-q", "--detach"]);
    assert_eq!(repo.current_branch().unwrap(), None);
}

#[test]
fn export_writes_a_commits_files_and_leaves_the_repository_alone() {
    let fixture = Fixture::busy();
    let repo = Repo::open(&fixture.user).unwrap();
    let (snapshot, files) = (repo.snapshot().unwrap(), fixture.files());
    let into = tempfile::tempdir().unwrap();
    repo.export("HEAD", into.path()).unwrap();

    let exported: BTreeSet<String> = walk(into.path());
    let expected = [
        ".gitignore",
        "README.md",
        "app.py",
        "feature.py",
        "lib/extra.py",
        "lib/util.py",
    ];
    assert_eq!(exported, BTreeSet::from(expected.map(String::from)));
    // The committed text, not the staged or edited one.
    assert_eq!(
        std::fs::read_to_string(into.path().join("lib/util.py")).unwrap(),
        "def f(x):\n    return x == None\n"
    );
    assert_eq!(repo.snapshot().unwrap(), snapshot);
    assert_eq!(fixture.files(), files);
    assert_eq!(fixture.hooks_ran(), None);
}

#[test]
fn exporting_an_unknown_commit_says_so() {
    let fixture = Fixture::clean();
    let repo = Repo::open(&fixture.user).unwrap();
    let into = tempfile::tempdir().unwrap();
    let error = repo.export("no-such-commit", into.path()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "`no-such-commit` does not name a commit in this repository"
    );
}

/// The files below `dir`, relative to it, `/`-separated.
fn walk(dir: &std::path::Path) -> BTreeSet<String> {
    let mut files = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(dir).unwrap();
                files.insert(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    files
}

#[test]
fn a_working_dir_reports_what_changed_and_puts_it_back() {
    let fixture = Fixture::clean();
    let repo = Repo::open(&fixture.user).unwrap();
    let base = repo.head().unwrap();
    let worktree = repo
        .create_worktree(&base, "tdev/auto/reads", &fixture.worktree_dir("reads"))
        .unwrap();
    let dir = WorkingDir::at(worktree.path());
    assert_eq!(dir.head().unwrap().as_deref(), Some(base.as_str()));
    assert!(dir.dirty_paths().unwrap().is_empty());

    write(&worktree.path().join("app.py"), "changed\n");
    write(&worktree.path().join("new.py"), "NEW = 1\n");
    git(worktree.path(), &["add", "new.py"]);
    git(worktree.path(), &["mv", "lib/extra.py", "lib/moved.py"]);
    let dirty: Vec<String> = dir.dirty_paths().unwrap().into_iter().collect();
    assert_eq!(dirty, ["app.py", "lib/extra.py", "lib/moved.py", "new.py"]);
    assert!(dir.in_head("app.py").unwrap());
    assert!(!dir.in_head("new.py").unwrap());

    dir.restore_from_head("app.py").unwrap();
    dir.unstage("new.py").unwrap();
    std::fs::remove_file(worktree.path().join("new.py")).unwrap();
    git(worktree.path(), &["mv", "lib/moved.py", "lib/extra.py"]);
    assert!(dir.dirty_paths().unwrap().is_empty());

    // A command that commits its work: its files show against the commit before it, and
    // a soft reset takes the commit back but keeps the files.
    write(&worktree.path().join("app.py"), "committed\n");
    git(worktree.path(), &["commit", "-qam", "An agent's commit"]);
    assert_eq!(dir.changed_since(&base).unwrap(), ["app.py"]);
    dir.reset_soft(&base).unwrap();
    assert_eq!(dir.head().unwrap().as_deref(), Some(base.as_str()));
    let dirty: Vec<String> = dir.dirty_paths().unwrap().into_iter().collect();
    assert_eq!(dirty, ["app.py"]);
}

#[test]
fn merge_file_applies_a_change_or_reports_the_overlap() {
    let base = b"a\nb\nc\nd\ne\n";
    let current = b"A\nb\nc\nd\ne\n";
    let other = b"a\nb\nc\nd\nE\n";
    assert_eq!(
        merge_file(current, base, other).unwrap().as_deref(),
        Some(b"A\nb\nc\nd\nE\n".as_slice())
    );
    let clashing = b"a2\nb\nc\nd\ne\n";
    assert_eq!(merge_file(current, base, clashing).unwrap(), None);
}
