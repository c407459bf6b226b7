//! What a worktree reports about its change: the `-U0` diff the gates parse, the files it
//! touches, and a patch id that finds the same change already kept on a branch.

mod fixture;

use expect_test::{Expect, expect};
use fixture::{Fixture, git, write};
use tdev_worktree::Repo;

/// Applies `edit` in a fresh worktree on `branch` and returns it.
fn worktree_with(
    repo: &Repo,
    fixture: &Fixture,
    branch: &str,
    edit: &dyn Fn(&std::path::Path),
) -> tdev_worktree::Worktree {
    let base = repo.head().unwrap();
    let worktree = repo
        .create_worktree(&base, branch, &fixture.worktree_dir(branch))
        .unwrap();
    edit(worktree.path());
    worktree
}

fn safe_load(dir: &std::path::Path) {
    write(
        &dir.join("app.py"),
        "import yaml\n\nconfig = yaml.safe_load(open('c.yml'))\n",
    );
}

fn check_diff(edit: &dyn Fn(&std::path::Path), expected: Expect) {
    let fixture = Fixture::clean();
    let repo = Repo::open(&fixture.user).unwrap();
    let worktree = worktree_with(&repo, &fixture, "tdev/auto/diff", edit);
    let diff = worktree.diff().unwrap();
    let files = worktree.changed_files().unwrap().join(", ");
    // The gates read exactly this text.
    let parsed = tdev_gates::ChangeSet::from_unified_diff(&diff).expect("the gates parse the diff");
    let parsed: Vec<String> = parsed
        .files
        .iter()
        .map(|f| {
            format!(
                "{} {:?} +{} -{}",
                f.path,
                f.status,
                f.added().count(),
                f.removed().count()
            )
        })
        .collect();
    let files = format!("{files}\nparsed: {}", parsed.join("; "));
    expected.assert_eq(&format!("files: {files}\n{diff}"));
}

#[test]
fn diff_is_unified_without_context_and_includes_new_and_deleted_files() {
    check_diff(
        &|dir| {
            safe_load(dir);
            std::fs::remove_file(dir.join("lib/extra.py")).unwrap();
            write(&dir.join("lib/new.py"), "NEW = 1\n");
            write(&dir.join("ignored.log"), "never part of a change\n");
        },
        expect![[r#"
            files: app.py, lib/extra.py, lib/new.py
            parsed: app.py Modified +1 -1; lib/extra.py Deleted +0 -1; lib/new.py Added +1 -0
            diff --git a/app.py b/app.py
            index 991861f..6efac94 100644
            --- a/app.py
            +++ b/app.py
            @@ -3 +3 @@ import yaml
            -config = yaml.load(open('c.yml'))
            +config = yaml.safe_load(open('c.yml'))
            diff --git a/lib/extra.py b/lib/extra.py
            deleted file mode 100644
            index b15b1b0..0000000
            --- a/lib/extra.py
            +++ /dev/null
            @@ -1 +0,0 @@
            -VALUE = 1
            diff --git a/lib/new.py b/lib/new.py
            new file mode 100644
            index 0000000..8718bc6
            --- /dev/null
            +++ b/lib/new.py
            @@ -0,0 +1 @@
            +NEW = 1
        "#]],
    );
}

#[test]
fn diff_detects_a_rename() {
    check_diff(
        &|dir| std::fs::rename(dir.join("lib/extra.py"), dir.join("lib/renamed.py")).unwrap(),
        expect![[r#"
            files: lib/extra.py, lib/renamed.py
            parsed: lib/renamed.py Renamed +0 -0
            diff --git a/lib/extra.py b/lib/renamed.py
            similarity index 100%
            rename from lib/extra.py
            rename to lib/renamed.py
        "#]],
    );
}

#[test]
fn diff_with_context_shows_surrounding_lines() {
    let fixture = Fixture::clean();
    let repo = Repo::open(&fixture.user).unwrap();
    let worktree = worktree_with(&repo, &fixture, "tdev/auto/context", &safe_load);
    expect![[r#"
        diff --git a/app.py b/app.py
        index 991861f..6efac94 100644
        --- a/app.py
        +++ b/app.py
        @@ -1,3 +1,3 @@
         import yaml
        (blank)
        -config = yaml.load(open('c.yml'))
        +config = yaml.safe_load(open('c.yml'))
    "#]]
    // A blank context line is a lone space, which a snapshot cannot hold.
    .assert_eq(
        &worktree
            .diff_with_context()
            .unwrap()
            .replace("\n \n", "\n(blank)\n"),
    );
}

#[test]
fn the_user_config_does_not_change_the_diff_format() {
    let fixture = Fixture::clean();
    for setting in [
        "diff.noprefix=true",
        "diff.mnemonicPrefix=true",
        "color.ui=always",
        "diff.renames=false",
        "diff.context=10",
    ] {
        let (key, value) = setting.split_once('=').unwrap();
        git(&fixture.user, &["config", key, value]);
    }
    let repo = Repo::open(&fixture.user).unwrap();
    let worktree = worktree_with(&repo, &fixture, "tdev/auto/config", &safe_load);
    let diff = worktree.diff().unwrap();
    assert!(diff.starts_with("diff --git a/app.py b/app.py\n"), "{diff}");
    assert!(diff.contains("\n@@ -3 +3 @@"), "{diff}");
    assert!(!diff.contains('\u{1b}'), "{diff}");
}

#[test]
fn the_same_change_made_twice_is_found_on_the_first_branch() {
    let fixture = Fixture::clean();
    let repo = Repo::open(&fixture.user).unwrap();
    let base = repo.head().unwrap();

    let first = worktree_with(&repo, &fixture, "tdev/auto/c1-t1", &safe_load);
    let id = first.patch_id().unwrap().expect("a change");
    first.commit("Use yaml.safe_load").unwrap();
    first.keep().unwrap();

    // The next cycle, after the user has committed something else.
    write(&fixture.user.join("README.md"), "# Project\n\nMore.\n");
    git(&fixture.user, &["commit", "-qam", "Docs"]);
    let head = repo.head().unwrap();
    assert_ne!(head, base);

    let second = worktree_with(&repo, &fixture, "tdev/auto/c2-t1", &safe_load);
    assert_eq!(second.patch_id().unwrap().as_deref(), Some(id.as_str()));
    assert_eq!(
        repo.branch_with_patch_id("tdev/auto/", &head, &id)
            .unwrap()
            .as_deref(),
        Some("tdev/auto/c1-t1")
    );
    second.discard().unwrap();

    let other = worktree_with(&repo, &fixture, "tdev/auto/c2-t2", &|dir| {
        write(
            &dir.join("lib/util.py"),
            "def f(x):\n    return x is None\n",
        )
    });
    let other_id = other.patch_id().unwrap().expect("a change");
    assert_ne!(other_id, id);
    assert_eq!(
        repo.branch_with_patch_id("tdev/auto/", &head, &other_id)
            .unwrap(),
        None
    );
    other.discard().unwrap();
    assert_eq!(repo.branches("tdev/auto/").unwrap(), ["tdev/auto/c1-t1"]);
}
