//! What became of tdev's branches, read from a real repository where a maintainer merged,
//! squashed, cherry-picked, deleted or ignored them.

mod fixture;

use std::path::Path;
use std::time::Duration;

use expect_test::{Expect, expect};
use fixture::{Fixture, git, write};
use tdev_core::{ProposedBranch, Timestamp};
use tdev_worktree::Repo;

const DAY: i64 = 86_400;

/// The moment the fates are observed at.
fn now() -> Timestamp {
    Timestamp::parse("2026-03-01T00:00:00Z").unwrap()
}

/// Proposes a change as a cycle does: a worktree on HEAD, `edit`, a commit, the branch kept.
/// `days_ago` is when, for the age of the branch.
fn propose(
    repo: &Repo,
    fixture: &Fixture,
    name: &str,
    days_ago: i64,
    edit: &dyn Fn(&Path),
) -> ProposedBranch {
    let branch = format!("tdev/auto/{name}");
    let worktree = repo
        .create_worktree(&repo.head().unwrap(), &branch, &fixture.worktree_dir(name))
        .unwrap();
    edit(worktree.path());
    worktree.commit(&format!("Change {name}")).unwrap();
    let kept = worktree.keep().unwrap();
    ProposedBranch {
        branch: kept.branch,
        commit: Some(kept.commit),
        proposed_at: Timestamp::from_unix(now().unix() - days_ago * DAY),
    }
}

/// A change that adds a file of its own, so that no two proposals conflict.
fn adds(name: &'static str) -> impl Fn(&Path) {
    move |dir: &Path| write(&dir.join(format!("{name}.py")), &format!("{name} = 1\n"))
}

/// The fate of each proposal, one line each, with the default branch `check` found.
fn check(repo: &Repo, proposed: &[ProposedBranch], expected: Expect) {
    let default = repo.default_branch().unwrap().expect("a default branch");
    let fates = repo
        .branch_fates(
            &default,
            proposed,
            now(),
            Duration::from_secs(30 * DAY as u64),
        )
        .unwrap();
    let mut out = format!("default: {default}\n");
    for fate in fates {
        assert_eq!(fate.observed_at, now());
        out.push_str(&format!("{}: {}\n", fate.branch, fate.fate));
    }
    expected.assert_eq(&out);
}

#[test]
fn each_way_a_maintainer_takes_or_leaves_a_branch_gets_its_fate() {
    let fixture = Fixture::clean();
    let user = &fixture.user;
    let repo = Repo::open(user).unwrap();
    let merged = propose(&repo, &fixture, "merged", 3, &adds("merged"));
    let squashed = propose(&repo, &fixture, "squashed", 3, &|dir| {
        // The line right below the one the user changes next: its context differs on the
        // default branch by the time the change is squashed.
        write(
            &dir.join("app.py"),
            "import yaml\n\nconfig = yaml.safe_load(open('c.yml'))\n",
        );
    });
    let picked = propose(&repo, &fixture, "picked", 3, &adds("picked"));
    let deleted = propose(&repo, &fixture, "deleted", 3, &adds("deleted"));
    let open = propose(&repo, &fixture, "open", 3, &adds("open"));
    let stale = propose(&repo, &fixture, "stale", 45, &adds("stale"));
    // A branch the maintainer added a commit to, then squashed as a whole.
    let reworked = propose(&repo, &fixture, "reworked", 3, &adds("reworked"));
    // Squashed, then its branch deleted, as a forge does after merging a pull request.
    let squashed_gone = propose(&repo, &fixture, "squashed-gone", 3, &adds("gone"));

    // The maintainer, on main.
    write(
        &user.join("app.py"),
        "import yaml  # config\n\nconfig = yaml.load(open('c.yml'))\n",
    );
    git(user, &["commit", "-qam", "Comment the import"]);
    git(
        user,
        &["merge", "-q", "--no-ff", "-m", "Merge", "tdev/auto/merged"],
    );
    git(user, &["merge", "-q", "--squash", "tdev/auto/squashed"]);
    git(user, &["commit", "-qm", "Use safe_load (squashed)"]);
    git(user, &["cherry-pick", picked.commit.as_deref().unwrap()]);
    git(user, &["branch", "-D", "tdev/auto/deleted"]);
    let wt = fixture.home.path().join("rework");
    git(
        user,
        &[
            "worktree",
            "add",
            "-q",
            wt.to_str().unwrap(),
            "tdev/auto/reworked",
        ],
    );
    write(&wt.join("reworked.py"), "reworked = 2\n");
    git(&wt, &["commit", "-qam", "Review: another value"]);
    git(user, &["worktree", "remove", wt.to_str().unwrap()]);
    git(user, &["merge", "-q", "--squash", "tdev/auto/reworked"]);
    git(user, &["commit", "-qm", "Reworked (squashed)"]);
    git(
        user,
        &["merge", "-q", "--squash", "tdev/auto/squashed-gone"],
    );
    git(user, &["commit", "-qm", "Gone (squashed)"]);
    git(user, &["branch", "-D", "tdev/auto/squashed-gone"]);

    check(
        &repo,
        &[
            merged,
            squashed,
            picked,
            deleted,
            open,
            stale,
            reworked,
            squashed_gone,
        ],
        expect![[r#"
            default: refs/heads/main
            tdev/auto/merged: merged
            tdev/auto/squashed: merged
            tdev/auto/picked: merged
            tdev/auto/deleted: deleted
            tdev/auto/open: open
            tdev/auto/stale: stale
            tdev/auto/reworked: merged
            tdev/auto/squashed-gone: merged
        "#]],
    );
}

#[test]
fn a_branch_merged_by_squash_is_recorded_as_merged() {
    let fixture = Fixture::clean();
    let repo = Repo::open(&fixture.user).unwrap();
    let squashed = propose(&repo, &fixture, "c1-t1", 40, &adds("new"));
    // What a user's configuration may say does not change the patch ids compared.
    for (key, value) in [
        ("diff.noprefix", "true"),
        ("diff.context", "10"),
        ("color.ui", "always"),
        ("log.showSignature", "true"),
        ("format.pretty", "oneline"),
    ] {
        git(&fixture.user, &["config", key, value]);
    }
    let check_squash = |expected: Expect| check(&repo, std::slice::from_ref(&squashed), expected);
    check_squash(expect![[r#"
        default: refs/heads/main
        tdev/auto/c1-t1: stale
    "#]]);
    git(
        &fixture.user,
        &["merge", "-q", "--squash", "tdev/auto/c1-t1"],
    );
    git(&fixture.user, &["commit", "-qm", "New (squashed)"]);
    check_squash(expect![[r#"
        default: refs/heads/main
        tdev/auto/c1-t1: merged
    "#]]);
}

#[test]
fn a_different_change_on_the_default_branch_is_not_taken_for_the_proposal() {
    let fixture = Fixture::clean();
    let user = &fixture.user;
    let repo = Repo::open(user).unwrap();
    let proposal = propose(&repo, &fixture, "c1-t1", 1, &adds("new"));
    // The same file, another content: another change.
    write(&user.join("new.py"), "new = 2\n");
    git(user, &["add", "new.py"]);
    git(user, &["commit", "-qm", "Another new"]);
    git(user, &["branch", "-D", "tdev/auto/c1-t1"]);
    check(
        &repo,
        &[proposal],
        expect![[r#"
            default: refs/heads/main
            tdev/auto/c1-t1: deleted
        "#]],
    );
}

#[test]
fn a_proposal_whose_commit_is_unknown_is_judged_by_its_branch() {
    let fixture = Fixture::clean();
    let repo = Repo::open(&fixture.user).unwrap();
    let mut kept = propose(&repo, &fixture, "kept", 1, &adds("kept"));
    let mut gone = propose(&repo, &fixture, "gone", 1, &adds("gone"));
    git(&fixture.user, &["branch", "-D", "tdev/auto/gone"]);
    // Collected as garbage, recorded without one, or not a commit id at all.
    kept.commit = Some("0123456789abcdef0123456789abcdef01234567".into());
    gone.commit = Some("--output=/tmp/x".into());
    let none = ProposedBranch {
        commit: None,
        ..propose(&repo, &fixture, "none", 1, &adds("none"))
    };
    git(
        &fixture.user,
        &["merge", "-q", "--no-ff", "-m", "Merge", "tdev/auto/none"],
    );
    check(
        &repo,
        &[kept, gone, none],
        expect![[r#"
            default: refs/heads/main
            tdev/auto/kept: open
            tdev/auto/gone: deleted
            tdev/auto/none: merged
        "#]],
    );
}

#[test]
fn the_default_branch_is_the_remotes_then_main_then_the_checkout() {
    let fixture = Fixture::clean();
    let user = &fixture.user;
    let repo = Repo::open(user).unwrap();
    let default = || repo.default_branch().unwrap();
    assert_eq!(default().as_deref(), Some("refs/heads/main"));
    git(user, &["branch", "-q", "-m", "main", "trunk"]);
    assert_eq!(default().as_deref(), Some("refs/heads/trunk"));
    git(user, &["checkout", "-q", "--detach"]);
    assert_eq!(default(), None);
    git(user, &["update-ref", "refs/remotes/origin/develop", "HEAD"]);
    git(
        user,
        &[
            "symbolic-ref",
            "refs/remotes/origin/HEAD",
            "refs/remotes/origin/develop",
        ],
    );
    assert_eq!(default().as_deref(), Some("refs/remotes/origin/develop"));
}
