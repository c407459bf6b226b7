//! Applying a model's answer: both forms, the noise models wrap them in, fuzzy-but-safe
//! matching, and refusal without a trace when anything does not fit.

mod common;

use common::Repo;
use tdev_coder::apply_answer;

const FILES: &[(&str, &str)] = &[
    (
        "app.py",
        "import yaml\n\n\ndef load(path):\n    with open(path) as handle:\n        return yaml.load(handle)\n",
    ),
    (
        "util.py",
        "def is_missing(x):\n    return x == None\n\n\ndef is_present(x):\n    return x != None\n",
    ),
    (
        "dup.py",
        "def a():\n    return 1\n\n\ndef b():\n    return 1\n",
    ),
    ("crlf.py", "x = 1\r\ny = 2\r\n"),
    ("ws.py", "value = 1   \nother = 2\n"),
];

/// Stands for "this file no longer exists" in an expectation.
const DELETED: &str = "<deleted>";

/// Applies `answer` to a fresh repository holding `FILES`. `Ok` lists every changed file with
/// its new content; `Err` is the failure as a person reads it, and then nothing may have
/// changed.
fn check(answer: &str, expected: Result<&[(&str, &str)], &str>) {
    let repo = Repo::new(FILES);
    let result = apply_answer(repo.path(), answer);
    match expected {
        Ok(files) => {
            let names: Vec<&str> = files.iter().map(|(name, _)| *name).collect();
            assert_eq!(result, Ok(names.iter().map(|n| n.to_string()).collect()));
            for (name, content) in files {
                let actual = repo.read(name);
                let actual = actual.as_deref().unwrap_or(DELETED);
                assert_eq!(actual, *content, "content of {name}");
            }
        }
        Err(reason) => {
            assert_eq!(
                result.map_err(|failure| failure.to_string()),
                Err(reason.to_owned())
            );
            assert_eq!(repo.status(), "", "nothing may be applied");
        }
    }
}

const SAFE_LOAD: &str = "import yaml\n\n\ndef load(path):\n    with open(path) as handle:\n        return yaml.safe_load(handle)\n";
const IS_NONE: &str =
    "def is_missing(x):\n    return x is None\n\n\ndef is_present(x):\n    return x != None\n";

#[test]
fn unified_diff_applies() {
    check(
        "--- a/app.py\n+++ b/app.py\n@@ -5,2 +5,2 @@\n     with open(path) as handle:\n-        return yaml.load(handle)\n+        return yaml.safe_load(handle)\n",
        Ok(&[("app.py", SAFE_LOAD)]),
    );
}

#[test]
fn diff_in_a_fence_with_prose_and_crlf_applies() {
    check(
        "Here is the fix:\r\n\r\n```diff\r\n--- a/app.py\r\n+++ b/app.py\r\n@@ -5,2 +5,2 @@\r\n     with open(path) as handle:\r\n-        return yaml.load(handle)\r\n+        return yaml.safe_load(handle)\r\n```\r\n\r\nThis avoids arbitrary object construction.\r\n",
        Ok(&[("app.py", SAFE_LOAD)]),
    );
}

#[test]
fn diff_without_hunk_numbers_and_with_a_blank_line_that_lost_its_space_applies() {
    check(
        "--- app.py\n+++ app.py\n@@ @@\n import yaml\n\n\n-def load(path):\n+def load(path):  # noqa\n",
        Ok(&[(
            "app.py",
            &SAFE_LOAD
                .replace("def load(path):", "def load(path):  # noqa")
                .replace("safe_load", "load"),
        )]),
    );
}

#[test]
fn search_replace_block_applies() {
    check(
        "`util.py`\n```python\n<<<<<<< SEARCH\n    return x == None\n=======\n    return x is None\n>>>>>>> REPLACE\n```\n",
        Ok(&[("util.py", IS_NONE)]),
    );
}

#[test]
fn several_blocks_for_several_files_apply_together() {
    check(
        "util.py\n<<<<<<< SEARCH\n    return x == None\n=======\n    return x is None\n>>>>>>> REPLACE\n\napp.py\n<<<<<<< SEARCH\n        return yaml.load(handle)\n=======\n        return yaml.safe_load(handle)\n>>>>>>> REPLACE\nutil.py\n<<<<<<< SEARCH\n    return x != None\n=======\n    return x is not None\n>>>>>>> REPLACE\n",
        Ok(&[
            ("app.py", SAFE_LOAD),
            ("util.py", &IS_NONE.replace("x != None", "x is not None")),
        ]),
    );
}

#[test]
fn trailing_whitespace_differences_are_tolerated() {
    check(
        "ws.py\n<<<<<<< SEARCH\nvalue = 1\n=======\nvalue = 10\n>>>>>>> REPLACE\n",
        Ok(&[("ws.py", "value = 10\nother = 2\n")]),
    );
}

#[test]
fn crlf_files_keep_their_line_ends() {
    check(
        "crlf.py\n<<<<<<< SEARCH\ny = 2\n=======\ny = 3\n>>>>>>> REPLACE\n",
        Ok(&[("crlf.py", "x = 1\r\ny = 3\r\n")]),
    );
}

#[test]
fn ambiguous_blocks_are_refused() {
    check(
        "dup.py\n<<<<<<< SEARCH\n    return 1\n=======\n    return 2\n>>>>>>> REPLACE\n",
        Err(
            "hunk 1 for `dup.py` does not apply: its lines match exactly at 2 places (lines 2, 6), so where it goes is ambiguous; give more context",
        ),
    );
}

#[test]
fn hunk_line_numbers_tell_repeated_context_apart() {
    check(
        "--- a/dup.py\n+++ b/dup.py\n@@ -6,1 +6,1 @@\n-    return 1\n+    return 2\n",
        Ok(&[(
            "dup.py",
            "def a():\n    return 1\n\n\ndef b():\n    return 2\n",
        )]),
    );
}

#[test]
fn context_that_is_not_in_the_file_is_refused() {
    check(
        "--- a/app.py\n+++ b/app.py\n@@ -5,2 +5,2 @@\n     with open(path, 'rb') as handle:\n-        return yaml.load(handle)\n+        return yaml.safe_load(handle)\n",
        Err(
            "hunk 1 for `app.py` does not apply: its lines are not in the file (the first is `with open(path, 'rb') as handle:`)",
        ),
    );
}

#[test]
fn a_failing_second_file_leaves_the_first_unchanged() {
    check(
        "--- a/app.py\n+++ b/app.py\n@@ -6 +6 @@\n-        return yaml.load(handle)\n+        return yaml.safe_load(handle)\n--- a/util.py\n+++ b/util.py\n@@ -2 +2 @@\n-    return x == Nil\n+    return x is None\n",
        Err(
            "hunk 1 for `util.py` does not apply: its lines are not in the file (the first is `return x == Nil`)",
        ),
    );
}

#[test]
fn a_failing_later_hunk_leaves_the_file_unchanged() {
    check(
        "--- a/util.py\n+++ b/util.py\n@@ -2 +2 @@\n-    return x == None\n+    return x is None\n@@ -6 +6 @@\n-    return x != Nil\n+    return x is not None\n",
        Err(
            "hunk 2 for `util.py` does not apply: its lines are not in the file (the first is `return x != Nil`)",
        ),
    );
}

#[test]
fn paths_outside_the_worktree_are_refused() {
    check(
        "--- a/../outside.py\n+++ b/../outside.py\n@@ -1 +1 @@\n-x\n+y\n",
        Err("the patch names `../outside.py`, which is outside the worktree or inside .git"),
    );
    check(
        "/etc/hostname\n<<<<<<< SEARCH\n=======\nowned\n>>>>>>> REPLACE\n",
        Err("the patch names `/etc/hostname`, which is outside the worktree or inside .git"),
    );
    check(
        ".git/config\n<<<<<<< SEARCH\n[core]\n=======\n[core]\n\thooksPath = /tmp\n>>>>>>> REPLACE\n",
        Err("the patch names `.git/config`, which is outside the worktree or inside .git"),
    );
}

#[test]
fn a_symlink_out_of_the_worktree_is_refused() {
    let repo = Repo::new(FILES);
    let outside = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(outside.path(), repo.path().join("link")).unwrap();
    let answer = "link/evil.py\n<<<<<<< SEARCH\n=======\nprint('owned')\n>>>>>>> REPLACE\n";
    let result = apply_answer(repo.path(), answer).map_err(|failure| failure.to_string());
    assert_eq!(
        result,
        Err(
            "the patch names `link/evil.py`, which is outside the worktree or inside .git"
                .to_owned()
        )
    );
    assert!(!outside.path().join("evil.py").exists());
}

#[test]
fn new_and_deleted_files_apply() {
    check(
        "--- /dev/null\n+++ b/pkg/new.py\n@@ -0,0 +1,2 @@\n+def new():\n+    return 1\n",
        Ok(&[("pkg/new.py", "def new():\n    return 1\n")]),
    );
    check(
        "pkg/other.py\n<<<<<<< SEARCH\n=======\nX = 1\n>>>>>>> REPLACE\n",
        Ok(&[("pkg/other.py", "X = 1\n")]),
    );
    check(
        "--- a/ws.py\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-value = 1   \n-other = 2\n",
        Ok(&[("ws.py", DELETED)]),
    );
}

#[test]
fn creating_a_file_that_exists_is_refused() {
    check(
        "--- /dev/null\n+++ b/app.py\n@@ -0,0 +1 @@\n+x = 1\n",
        Err("hunk 1 for `app.py` does not apply: it creates a file that already exists"),
    );
}

#[test]
fn answers_without_a_usable_patch_are_refused() {
    check(
        "I could not find a change that keeps behaviour the same.",
        Err("the answer held neither a unified diff nor search/replace blocks"),
    );
    check(
        "<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n",
        Err(
            "the answer was malformed: search/replace block 1 has no file path on a line before it",
        ),
    );
    check(
        "util.py\n<<<<<<< SEARCH\n    return x == None\n=======\n    return x is",
        Err(
            "the answer was malformed: search/replace block 1 for `util.py` is not closed by `>>>>>>> REPLACE`",
        ),
    );
    check(
        "@@ -1 +1 @@\n-x\n+y\n",
        Err(
            "the answer was malformed: the answer has @@ hunks but no `--- a/path` / `+++ b/path` header naming the file",
        ),
    );
}
