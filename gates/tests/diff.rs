//! The diff parser on what real git prints: each case commits files in a temporary repository,
//! changes them, and parses `git diff -U0` of the staged change as the evaluator will.

use expect_test::{Expect, expect};
use std::path::Path;
use std::process::Command;
use tdev_gates::{ChangeSet, GateInput, Policy, evaluate};

/// Runs git in `dir` with no user or system configuration, so the output is git's default.
fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.org")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.org")
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("git prints UTF-8 here")
}

/// Commits `files`, applies `change` to the working tree, and returns the staged diff.
fn git_diff(files: &[(&str, &[u8])], change: impl FnOnce(&Path)) -> String {
    git_diff_with(&[], files, change)
}

/// [`git_diff`] with extra options for `git diff`.
fn git_diff_with(options: &[&str], files: &[(&str, &[u8])], change: impl FnOnce(&Path)) -> String {
    let repo = tempfile::tempdir().expect("temp dir");
    let dir = repo.path();
    git(dir, &["init", "--quiet"]);
    for (path, content) in files {
        write(dir, path, content);
    }
    git(dir, &["add", "--all"]);
    git(dir, &["commit", "--quiet", "--allow-empty", "-m", "base"]);
    change(dir);
    git(dir, &["add", "--all"]);
    let mut args = vec![
        "diff",
        "--cached",
        "-U0",
        "-M",
        "--src-prefix=a/",
        "--dst-prefix=b/",
    ];
    args.extend(options);
    git(dir, &args)
}

fn write(dir: &Path, path: &str, content: &[u8]) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().expect("in a folder")).expect("mkdir");
    std::fs::write(path, content).expect("write");
}

fn remove(dir: &Path, path: &str) {
    std::fs::remove_file(dir.join(path)).expect("remove");
}

fn rename(dir: &Path, from: &str, to: &str) {
    std::fs::rename(dir.join(from), dir.join(to)).expect("rename");
}

/// Parses the diff of `change` on `files` and compares the change's listing with `expected`.
fn check(files: &[(&str, &[u8])], change: impl FnOnce(&Path), expected: Expect) {
    check_with(&[], files, change, expected);
}

/// [`check`] with extra options for `git diff`.
fn check_with(
    options: &[&str],
    files: &[(&str, &[u8])],
    change: impl FnOnce(&Path),
    expected: Expect,
) {
    let diff = git_diff_with(options, files, change);
    let parsed = ChangeSet::from_unified_diff(&diff).unwrap_or_else(|e| panic!("{e}\n{diff}"));
    expected.assert_eq(&parsed.to_string());
}

const APP: &[u8] = b"def total(xs):\n    s = 0\n    for x in xs:\n        s += x\n    return s\n";

#[test]
fn modified_lines_carry_their_numbers_on_each_side() {
    check(
        &[("app.py", APP)],
        |d| {
            let text = "\"\"\"Totals.\"\"\"\ndef total(xs):\n    return sum(xs)\n";
            write(d, "app.py", text.as_bytes());
        },
        expect![[r#"
            M app.py
              +1 """Totals."""
              -2     s = 0
              -3     for x in xs:
              -4         s += x
              -5     return s
              +3     return sum(xs)
        "#]],
    );
}

#[test]
fn added_and_deleted_files() {
    check(
        &[("old.py", b"x = 1\n")],
        |d| {
            remove(d, "old.py");
            write(d, "pkg/new.py", b"y = 2\nz = 3\n");
        },
        expect![[r#"
            D old.py
              -1 x = 1
            A pkg/new.py
              +1 y = 2
              +2 z = 3
        "#]],
    );
}

#[test]
fn renames_with_and_without_edits() {
    check(
        &[("tests/test_a.py", APP), ("b.py", b"b = 1\n")],
        |d| {
            rename(d, "tests/test_a.py", "tests/test_b.py");
            let edited = String::from_utf8_lossy(APP).replace("s = 0", "s = 0.0");
            std::fs::write(d.join("tests/test_b.py"), edited).expect("write");
            rename(d, "b.py", "c.py");
        },
        expect![[r#"
            R b.py -> c.py
            R tests/test_a.py -> tests/test_b.py
              -2     s = 0
              +2     s = 0.0
        "#]],
    );
}

#[test]
fn binary_and_empty_files_have_no_lines() {
    check(
        &[("data.bin", b"\x00\x01\x02")],
        |d| {
            write(d, "data.bin", b"\x00\x01\x03");
            write(d, "tests/data/img.bin", b"\x89PNG\x00\x00");
            write(d, "empty.py", b"");
        },
        expect![[r#"
            M data.bin (binary)
            A empty.py
            A tests/data/img.bin (binary)
        "#]],
    );
}

#[test]
fn binary_patches_are_skipped() {
    check_with(
        &["--binary"],
        &[("data.bin", b"\x00\x01\x02"), ("a.py", b"a = 1\n")],
        |d| {
            write(d, "data.bin", b"\x00\x01\x03\x04");
            write(d, "a.py", b"a = 2\n");
        },
        expect![[r#"
            M a.py
              -1 a = 1
              +1 a = 2
            M data.bin (binary)
        "#]],
    );
}

// The mode is set through the file system, as a user would.
#[cfg(unix)]
#[test]
fn mode_changes_and_copies() {
    check_with(
        &["-C", "--find-copies-harder"],
        &[("run.sh", b"echo hi\n"), ("tests/test_a.py", APP)],
        |d| {
            let executable = std::os::unix::fs::PermissionsExt::from_mode(0o755);
            std::fs::set_permissions(d.join("run.sh"), executable).expect("chmod");
            write(d, "tests/test_b.py", APP);
        },
        expect![[r#"
            M run.sh
            C tests/test_a.py -> tests/test_b.py
        "#]],
    );
}

#[test]
fn a_missing_newline_at_the_end_is_marked_on_its_line() {
    check(
        &[("a.py", b"x = 1\ny = 2"), ("b.py", b"p = 1\nq = 2\n")],
        |d| {
            write(d, "a.py", b"x = 1\ny = 2\n");
            write(d, "b.py", b"p = 1\nq = 3");
        },
        expect![[r#"
            M a.py
              -2 y = 2 (no newline)
              +2 y = 2
            M b.py
              -2 q = 2
              +2 q = 3 (no newline)
        "#]],
    );
}

#[test]
fn lines_that_look_like_file_headers_are_read_by_the_hunk_counts() {
    check(
        &[("q.sql", b"-- keep\nselect 1;\n")],
        |d| write(d, "q.sql", b"++ added\nselect 1;\n"),
        expect![[r#"
            M q.sql
              -1 -- keep
              +1 ++ added
        "#]],
    );
}

#[test]
fn quoted_and_spaced_paths_are_read_back() {
    check(
        &[("tést dir/ä b.py", b"a = 1\n")],
        |d| {
            write(d, "tést dir/ä b.py", b"a = 2\n");
            write(d, "with space.py", b"");
        },
        expect![[r#"
            M tést dir/ä b.py
              -1 a = 1
              +1 a = 2
            A with space.py
        "#]],
    );
}

#[test]
fn an_empty_diff_is_an_empty_change() {
    let diff = git_diff(&[("a.py", b"a = 1\n")], |_| {});
    assert_eq!(diff, "");
    assert_eq!(
        ChangeSet::from_unified_diff(&diff).unwrap(),
        ChangeSet::default()
    );
}

#[test]
fn a_hunk_shorter_than_its_header_is_an_error() {
    let diff = "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,2 +1 @@\n-a\n";
    let error = ChangeSet::from_unified_diff(diff).unwrap_err();
    assert_eq!(
        error.to_string(),
        "unified diff line 4: the hunk is shorter than its header says"
    );
}

#[test]
fn the_gate_reads_test_edits_from_real_git_output() {
    let test = b"from app import total\n\n\ndef test_total():\n    assert total([1, 2]) == 3\n";
    let diff = git_diff(&[("app.py", APP), ("tests/test_app.py", test)], |d| {
        let weakened = String::from_utf8_lossy(test).replace("== 3", "> 0");
        write(d, "tests/test_app.py", weakened.as_bytes());
        write(
            d,
            "tests/test_more.py",
            b"def test_more():\n    assert True\n",
        );
        remove(d, "app.py");
    });
    let input = GateInput {
        task_kind: "refactor".into(),
        change: ChangeSet::from_unified_diff(&diff).unwrap(),
        ..GateInput::default()
    };
    assert_eq!(
        evaluate(&Policy::default(), &input).reasons(),
        [
            "The change must leave the existing tests as they are, but tests/test_app.py:5 \
          changes the assertion `assert total([1, 2]) == 3`."
        ]
    );
}
