//! The user's remotes: pushing a kept branch sends that branch and nothing else, and a
//! remote's URL is read for publishing to tell the GitHub repository from.

mod fixture;

use fixture::{Fixture, git, write};
use tdev_worktree::{Error, Repo};

#[test]
fn push_sends_only_that_branch_and_never_runs_hooks() {
    let fixture = Fixture::busy();
    let remote = fixture.home.path().join("remote.git");
    git(
        fixture.home.path(),
        &["init", "-q", "--bare", remote.to_str().unwrap()],
    );
    git(
        &fixture.user,
        &["remote", "add", "origin", remote.to_str().unwrap()],
    );
    let repo = Repo::open(&fixture.user).unwrap();
    let before = repo.snapshot().unwrap();
    let base = repo.head().unwrap();
    let worktree = repo
        .create_worktree(&base, "tdev/auto/c1-t1", &fixture.worktree_dir("push"))
        .unwrap();
    write(&worktree.path().join("app.py"), "changed\n");
    worktree.commit("Change app").unwrap();
    let kept = worktree.keep().unwrap();

    repo.push(&kept.branch, "origin").unwrap();

    assert_eq!(
        git(
            &remote,
            &["for-each-ref", "--format=%(refname) %(objectname)"]
        ),
        format!("refs/heads/tdev/auto/c1-t1 {}\n", kept.commit)
    );
    assert_eq!(fixture.hooks_ran(), None);
    assert_eq!(repo.snapshot().unwrap(), before);
    assert!(matches!(
        repo.push("feature", "origin"),
        Err(Error::BranchOutsidePrefix { .. })
    ));
}

#[test]
fn a_remote_url_is_read_as_configured() {
    let fixture = Fixture::clean();
    git(
        &fixture.user,
        &["remote", "add", "origin", "git@github.com:octo/hello.git"],
    );
    let repo = Repo::open(&fixture.user).unwrap();
    assert_eq!(
        repo.remote_url("origin").unwrap(),
        "git@github.com:octo/hello.git"
    );
    assert!(matches!(repo.remote_url("missing"), Err(Error::Git { .. })));
}
