//! What other crates ask of a repository through this one, so that their git commands get the
//! same protective options: the branch checked out, a commit's files, a directory's history
//! as patches, and an attempt's directory inspected and put back.

mod fixture;

use expect_test::expect;
use fixture::{Fixture, git, write};
use std::collections::BTreeSet;
use std::io::BufRead;
use std::path::Path;
use std::process::Command;
use tdev_worktree::{Error, Repo, WorkingDir, log_patches, merge_file};

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

/// The patches `log_patches` streams for `dir`, each commit's hash replaced by `<hash>`, or
/// `None` when it says there is no history.
fn patches(dir: &Path, limit: usize, pathspecs: &[&str]) -> Option<String> {
    let read = |log: &mut dyn BufRead| {
        let mut text = String::new();
        log.read_to_string(&mut text)?;
        Ok(text)
    };
    let text = log_patches(dir, limit, pathspecs, read).unwrap()?;
    let lines: Vec<&str> = text
        .lines()
        .map(|line| match line.strip_prefix("\0commit ") {
            Some(hash) if hash.len() >= 40 => "\\0commit <hash>",
            _ => line,
        })
        .collect();
    Some(lines.join("\n"))
}

#[test]
fn history_streams_a_directorys_patches_newest_first() {
    let fixture = Fixture::clean();
    git(&fixture.user, &["mv", "lib/extra.py", "lib/renamed.py"]);
    git(&fixture.user, &["commit", "-qm", "Rename extra"]);
    // Paths relative to `lib/`, files outside it or not matching left out, a rename as a
    // deletion and a creation, no context lines.
    let log = patches(&fixture.user.join("lib"), 10, &["*.py"]);
    expect![[r#"
        \0commit <hash>

        diff --git a/extra.py b/extra.py
        deleted file mode 100644
        index b15b1b0..0000000
        --- a/extra.py
        +++ /dev/null
        @@ -1 +0,0 @@
        -VALUE = 1
        diff --git a/renamed.py b/renamed.py
        new file mode 100644
        index 0000000..b15b1b0
        --- /dev/null
        +++ b/renamed.py
        @@ -0,0 +1 @@
        +VALUE = 1
        \0commit <hash>

        diff --git a/extra.py b/extra.py
        new file mode 100644
        index 0000000..b15b1b0
        --- /dev/null
        +++ b/extra.py
        @@ -0,0 +1 @@
        +VALUE = 1
        \0commit <hash>

        diff --git a/util.py b/util.py
        new file mode 100644
        index 0000000..53311f2
        --- /dev/null
        +++ b/util.py
        @@ -0,0 +1,2 @@
        +def f(x):
        +    return x == None"#]]
    .assert_eq(&log.unwrap());
    // The limit counts commits.
    assert_eq!(
        patches(&fixture.user, 1, &["*.py"])
            .unwrap()
            .matches("\\0commit")
            .count(),
        1
    );
}

#[test]
fn a_directory_without_commits_has_no_history() {
    let home = tempfile::tempdir().unwrap();
    assert_eq!(patches(home.path(), 10, &["*.py"]), None);
    git(home.path(), &["init", "-q"]);
    write(&home.path().join("app.py"), "x = 1\n");
    assert_eq!(patches(home.path(), 10, &["*.py"]), None);
}

#[test]
fn history_fails_when_git_or_the_reader_fails_on_a_repository() {
    let fixture = Fixture::clean();
    let error = log_patches(&fixture.user, 10, &[":(nonsense)*.py"], |_| Ok(())).unwrap_err();
    assert!(matches!(error, Error::Git { .. }), "{error}");
    let refuse = |_: &mut dyn BufRead| Err::<(), _>(std::io::Error::other("parse error"));
    let error = log_patches(&fixture.user, 10, &["*.py"], refuse).unwrap_err();
    assert!(matches!(error, Error::Io { .. }), "{error}");
}

/// The variable through which the test below hands its second run the directory to read.
const HISTORY_OF: &str = "TDEV_TEST_HISTORY_OF";

/// A git hook that runs tdev sets `GIT_DIR` for its own repository; the history read must
/// still be the one of the directory tdev was given. The test runs itself again with
/// `GIT_DIR` naming another repository, since a test may not change its own environment.
#[test]
fn history_is_the_named_directorys_whatever_git_dir_says() {
    if let Some(dir) = std::env::var_os(HISTORY_OF) {
        let log = patches(Path::new(&dir), 10, &["*.py"]).expect("a history");
        assert!(log.contains("+++ b/lib/extra.py"), "{log}");
        assert!(!log.contains("other.py"), "{log}");
        return;
    }
    let fixture = Fixture::clean();
    let other = fixture.home.path().join("other");
    std::fs::create_dir(&other).unwrap();
    git(&other, &["init", "-q"]);
    write(&other.join("other.py"), "OTHER = 1\n");
    git(&other, &["add", "-A"]);
    git(&other, &["commit", "-qm", "Other"]);

    let this_test = "history_is_the_named_directorys_whatever_git_dir_says";
    let run = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", this_test, "--test-threads=1"])
        .env(HISTORY_OF, &fixture.user)
        .env("GIT_DIR", other.join(".git"))
        .env("GIT_WORK_TREE", &other)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{stdout}");
    assert!(stdout.contains("1 passed"), "{stdout}");
}
