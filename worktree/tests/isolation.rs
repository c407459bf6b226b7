//! tdev's worktrees leave the user's checkout, index, HEAD, branches and stash exactly as
//! they were, and clean up after themselves even when the attempt panics or crashes.

mod fixture;

use fixture::{Fixture, git, write};
use tdev_worktree::{Error, Repo};

/// Makes one change in a fresh worktree: edits a file, deletes one, adds one.
fn change(repo: &Repo, fixture: &Fixture, branch: &str) -> tdev_worktree::Worktree {
    let base = repo.head().unwrap();
    let worktree = repo
        .create_worktree(&base, branch, &fixture.worktree_dir(branch))
        .unwrap();
    let dir = worktree.path();
    write(
        &dir.join("app.py"),
        "import yaml\n\nconfig = yaml.safe_load(open('c.yml'))\n",
    );
    std::fs::remove_file(dir.join("lib/extra.py")).unwrap();
    write(&dir.join("lib/new.py"), "NEW = 1\n");
    worktree
}

#[test]
fn keep_leaves_the_users_checkout_byte_for_byte_the_same() {
    let fixture = Fixture::busy();
    let repo = Repo::open(&fixture.user).unwrap();
    let (snapshot, files) = (repo.snapshot().unwrap(), fixture.files());

    let worktree = change(&repo, &fixture, "tdev/auto/c1-t1");
    let dir = worktree.path().to_owned();
    let commit = worktree
        .commit("Use yaml.safe_load in config loading")
        .unwrap();
    let kept = worktree.keep().unwrap();

    assert_eq!(repo.snapshot().unwrap(), snapshot);
    assert_eq!(fixture.files(), files);
    assert_eq!(fixture.hooks_ran(), None);
    assert!(!dir.exists());
    assert_eq!(kept.branch, "tdev/auto/c1-t1");
    assert_eq!(kept.commit, commit);
    assert_eq!(
        git(
            &fixture.user,
            &["log", "-1", "--format=%an <%ae>|%cn <%ce>|%s", &kept.branch]
        ),
        "tdev <tdev@localhost>|tdev <tdev@localhost>|Use yaml.safe_load in config loading\n"
    );
    // The branch starts at the user's HEAD (their feature branch), not at main.
    assert_eq!(
        git(&fixture.user, &["rev-parse", &format!("{}^", kept.branch)]),
        git(&fixture.user, &["rev-parse", "feature"])
    );
    assert_eq!(
        git(&fixture.user, &["worktree", "list", "--porcelain"])
            .matches("worktree ")
            .count(),
        1
    );
}

#[test]
fn discard_deletes_the_branch_and_leaves_the_users_checkout_the_same() {
    let fixture = Fixture::busy();
    let repo = Repo::open(&fixture.user).unwrap();
    let (snapshot, files) = (repo.snapshot().unwrap(), fixture.files());

    let worktree = change(&repo, &fixture, "tdev/auto/c1-t2");
    let dir = worktree.path().to_owned();
    worktree.commit("Try something").unwrap();
    worktree.discard().unwrap();

    assert_eq!(repo.snapshot().unwrap(), snapshot);
    assert_eq!(fixture.files(), files);
    assert_eq!(fixture.hooks_ran(), None);
    assert!(!dir.exists());
    assert_eq!(repo.branches("tdev/auto/").unwrap(), Vec::<String>::new());
}

#[test]
fn the_snapshot_notices_what_tdev_must_not_do() {
    let fixture = Fixture::busy();
    let repo = Repo::open(&fixture.user).unwrap();
    let check = |what: &dyn Fn(&Fixture)| {
        let before = repo.snapshot().unwrap();
        what(&fixture);
        assert_ne!(repo.snapshot().unwrap(), before);
    };
    check(&|f| write(&f.user.join("README.md"), "edited again\n"));
    check(&|f| write(&f.user.join("notes.txt"), "edited untracked\n"));
    check(&|f| write(&f.user.join("other.log"), "new ignored\n"));
    check(&|f| {
        git(&f.user, &["branch", "other"]);
    });
    check(&|f| {
        git(&f.user, &["stash", "drop", "-q"]);
    });
    check(&|f| {
        git(&f.user, &["reset", "-q"]);
    });
    check(&|f| {
        git(&f.user, &["checkout", "-q", "--detach"]);
    });
    // tdev's own branches are not part of what it promises to keep.
    let before = repo.snapshot().unwrap();
    git(&fixture.user, &["branch", "tdev/auto/x"]);
    assert_eq!(repo.snapshot().unwrap(), before);
}

#[test]
fn branches_outside_tdev_auto_and_existing_ones_are_refused() {
    let fixture = Fixture::busy();
    let repo = Repo::open(&fixture.user).unwrap();
    let base = repo.head().unwrap();
    git(&fixture.user, &["branch", "tdev/auto/taken"]);
    let before = repo.snapshot().unwrap();
    let check = |branch: &str, expected: &str| {
        let error = repo
            .create_worktree(&base, branch, &fixture.worktree_dir("refused"))
            .unwrap_err();
        assert_eq!(error.to_string(), expected);
    };
    check(
        "main",
        "refusing branch `main`: tdev only creates and deletes branches under `tdev/auto/`",
    );
    check(
        "feature",
        "refusing branch `feature`: tdev only creates and deletes branches under `tdev/auto/`",
    );
    check(
        "tdev/auto/",
        "refusing branch `tdev/auto/`: tdev only creates and deletes branches under `tdev/auto/`",
    );
    check(
        "tdev/automatic",
        "refusing branch `tdev/automatic`: tdev only creates and deletes branches under `tdev/auto/`",
    );
    check(
        "refs/heads/tdev/auto/x",
        "refusing branch `refs/heads/tdev/auto/x`: tdev only creates and deletes branches under `tdev/auto/`",
    );
    check(
        "tdev/auto/a..b",
        "`tdev/auto/a..b` is not a valid git branch name",
    );
    check(
        "tdev/auto/taken",
        "branch `tdev/auto/taken` already exists: tdev never moves an existing branch",
    );
    assert_eq!(repo.snapshot().unwrap(), before);
    assert!(!fixture.worktree_dir("refused").exists());
}

#[test]
fn a_worktree_inside_the_repository_is_refused() {
    let fixture = Fixture::busy();
    let repo = Repo::open(&fixture.user).unwrap();
    let base = repo.head().unwrap();
    let (snapshot, files) = (repo.snapshot().unwrap(), fixture.files());
    let check = |dir: std::path::PathBuf| {
        let error = repo
            .create_worktree(&base, "tdev/auto/in", &dir)
            .unwrap_err();
        assert!(
            matches!(error, Error::DirInsideRepository { .. }),
            "{dir:?}: {error}"
        );
    };
    check(fixture.user.join("wt"));
    check(fixture.user.join("lib/deeper/wt"));
    check(fixture.user.join(".git/wt"));
    check(fixture.user.clone());
    // Through a link pointing into the repository.
    std::os::unix::fs::symlink(&fixture.user, fixture.home.path().join("link")).unwrap();
    check(fixture.home.path().join("link/wt"));
    assert_eq!(repo.snapshot().unwrap(), snapshot);
    assert_eq!(fixture.files(), files);
}

#[test]
fn opening_says_what_is_wrong() {
    let home = tempfile::tempdir().unwrap();
    let check = |path: &std::path::Path, expected: &str| {
        let error = Repo::open(path).unwrap_err().to_string();
        assert_eq!(
            error.replace(&home.path().display().to_string(), "HOME"),
            expected
        );
    };
    check(
        home.path(),
        "HOME is not a git repository: run `git init` there, or point tdev at a checkout",
    );
    let empty = home.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    git(&empty, &["init", "-q"]);
    check(
        &empty,
        "HOME/empty has no commits yet: commit something first, tdev branches from HEAD",
    );
    let bare = home.path().join("bare.git");
    std::fs::create_dir(&bare).unwrap();
    git(&bare, &["init", "-q", "--bare"]);
    check(
        &bare,
        "HOME/bare.git is in a bare git repository, which has no working tree: point tdev at a \
         checkout of it",
    );
}

/// Gives `path` and everything under it to another user, as an unpacked archive or a
/// mounted volume is.
fn give_away(path: &std::path::Path) {
    std::os::unix::fs::lchown(path, Some(12345), Some(12345)).unwrap();
    if path.is_dir() && !path.is_symlink() {
        for entry in std::fs::read_dir(path).unwrap() {
            give_away(&entry.unwrap().path());
        }
    }
}

#[test]
fn a_repository_owned_by_another_user_is_reported_as_gits_ownership_refusal() {
    use std::os::unix::fs::MetadataExt;
    let fixture = Fixture::clean();
    // The owner of what this process just made is who it runs as.
    if std::fs::metadata(&fixture.user).unwrap().uid() != 0 {
        println!("skipped: only root can give a repository to another user (chown)");
        return;
    }
    give_away(&fixture.user);
    let error = Repo::open(&fixture.user.join("lib"))
        .expect_err("git accepted a repository another user owns: is safe.directory set?");
    let top = fixture.user.canonicalize().unwrap();
    assert!(
        matches!(&error, Error::DubiousOwnership { path, .. } if *path == top),
        "{error:?}"
    );
    assert!(error.is_user_error());
    assert_eq!(
        error.to_string(),
        format!(
            "git refuses to work in {top}: the repository is owned by another user, and git's \
             `safe.directory` setting does not list it; if you trust it, run \
             `git config --global --add safe.directory {top}` and try again",
            top = top.display()
        )
    );
}

#[test]
fn opening_a_subdirectory_finds_the_top_level() {
    let fixture = Fixture::clean();
    let repo = Repo::open(&fixture.user.join("lib")).unwrap();
    assert_eq!(repo.path(), fixture.user.canonicalize().unwrap());
}

#[test]
fn a_panic_while_a_worktree_is_alive_leaves_no_directory() {
    let fixture = Fixture::busy();
    let repo = Repo::open(&fixture.user).unwrap();
    let (snapshot, files) = (repo.snapshot().unwrap(), fixture.files());
    let dir = fixture.worktree_dir("tdev/auto/c1-panic");
    let result = std::panic::catch_unwind(|| {
        let worktree = change(&repo, &fixture, "tdev/auto/c1-panic");
        assert!(worktree.path().exists());
        panic!("the backend crashed");
    });
    assert!(result.is_err());
    assert!(!dir.exists());
    assert_eq!(
        git(&fixture.user, &["worktree", "list", "--porcelain"])
            .matches("worktree ")
            .count(),
        1
    );
    assert_eq!(repo.snapshot().unwrap(), snapshot);
    assert_eq!(fixture.files(), files);
}

#[test]
fn prune_forgets_a_worktree_whose_directory_a_crash_left_behind() {
    let fixture = Fixture::clean();
    let repo = Repo::open(&fixture.user).unwrap();
    let base = repo.head().unwrap();
    let dir = fixture.worktree_dir("crashed");
    let worktree = repo
        .create_worktree(&base, "tdev/auto/crashed", &dir)
        .unwrap();
    // A crash: the process dies, no destructor runs, and someone deletes the directory.
    std::mem::forget(worktree);
    std::fs::remove_dir_all(&dir).unwrap();
    let metadata = fixture.user.join(".git/worktrees");
    assert_eq!(std::fs::read_dir(&metadata).unwrap().count(), 1);

    repo.prune().unwrap();

    assert_eq!(
        std::fs::read_dir(&metadata).map(|d| d.count()).unwrap_or(0),
        0
    );
    assert_eq!(
        git(&fixture.user, &["worktree", "list", "--porcelain"])
            .matches("worktree ")
            .count(),
        1
    );
    // The directory can be used again.
    let again = repo
        .create_worktree(&base, "tdev/auto/again", &dir)
        .unwrap();
    again.discard().unwrap();
}

#[test]
fn committing_nothing_is_refused() {
    let fixture = Fixture::clean();
    let repo = Repo::open(&fixture.user).unwrap();
    let base = repo.head().unwrap();
    let worktree = repo
        .create_worktree(&base, "tdev/auto/empty", &fixture.worktree_dir("empty"))
        .unwrap();
    assert_eq!(worktree.patch_id().unwrap(), None);
    assert_eq!(worktree.diff().unwrap(), "");
    assert_eq!(
        worktree.commit("Nothing").unwrap_err().to_string(),
        "nothing to commit in the worktree of `tdev/auto/empty`"
    );
    worktree.discard().unwrap();
}

#[test]
fn the_commit_message_is_kept_as_written() {
    let fixture = Fixture::clean();
    let repo = Repo::open(&fixture.user)
        .unwrap()
        .with_identity("Bot", "bot@example.org");
    let worktree = change(&repo, &fixture, "tdev/auto/message");
    let message = "Use yaml.safe_load\n\n## What\n\n# not a comment\n- item\n";
    worktree.commit(message).unwrap();
    let kept = worktree.keep().unwrap();
    assert_eq!(
        git(&fixture.user, &["log", "-1", "--format=%B", &kept.commit]),
        format!("{message}\n")
    );
    assert_eq!(
        git(
            &fixture.user,
            &["log", "-1", "--format=%an <%ae>", &kept.commit]
        ),
        "Bot <bot@example.org>\n"
    );
}

/// The coder pool makes, keeps and discards worktrees of one repository from several
/// threads at once; git's bookkeeping of worktrees does not survive that unguarded ("failed
/// to read .git/worktrees/NAME/commondir"), and a half-made worktree left its branch behind.
#[test]
fn worktrees_made_and_ended_from_many_threads_at_once_all_succeed() {
    let fixture = Fixture::busy();
    let repo = Repo::open(&fixture.user).unwrap();
    let snapshot = repo.snapshot().unwrap();
    let base = repo.head().unwrap();
    std::thread::scope(|scope| {
        for thread in 0..6 {
            let (repo, fixture, base) = (&repo, &fixture, &base);
            scope.spawn(move || {
                for round in 0..8 {
                    let branch = format!("tdev/auto/c{thread}-t{round}");
                    let worktree = repo
                        .create_worktree(base, &branch, &fixture.worktree_dir(&branch))
                        .unwrap_or_else(|e| panic!("{branch}: {e}"));
                    write(&worktree.path().join("new.py"), "NEW = 1\n");
                    if round % 2 == 0 {
                        worktree.commit("Add new.py").unwrap();
                        worktree.keep().unwrap();
                    } else {
                        worktree.discard().unwrap();
                    }
                }
            });
        }
    });
    assert_eq!(repo.snapshot().unwrap(), snapshot);
    // The kept half of the branches, and no worktree but the user's.
    assert_eq!(repo.branches("tdev/auto/").unwrap().len(), 6 * 4);
    assert_eq!(
        git(&fixture.user, &["worktree", "list", "--porcelain"])
            .matches("worktree ")
            .count(),
        1
    );
}
