//! Test integrity: a change is graded against the original tests, so it must not edit, delete
//! or weaken them. Judged from the change alone (its diff), line by line.
//!
//! What a diff shows and what it cannot, for the record (`docs/gates.md` says the same):
//! - In a test file (by the policy's patterns) that existed before, any removed or altered
//!   line, a deletion, a rename, or a binary change breaks integrity. A hunk that takes out
//!   and puts back the very same lines (only the newline at the end of the file changed) does
//!   not.
//! - Lines added to a test file are allowed, unless they skip a test (`pytest.mark.skip`,
//!   `pytest.mark.xfail`, `pytest.skip(`, `unittest.skip`, Rust `#[ignore]`).
//! - Outside test files, tests live in Rust `#[cfg(test)]` modules and Python doctests; with
//!   no context lines a diff does not say whether a line sits in such a module, so any removed
//!   line of a `.rs` file that is `#[test]`, `#[cfg(test)]` or an `assert!`, `assert_eq!`,
//!   `assert_ne!` breaks integrity (even a runtime check in library code: a person decides),
//!   and so does a removed `>>>` doctest line of a `.py` file. Python `assert` statements in
//!   library code are runtime checks, not tests, and may go.
//! - Lines added inside an existing test function (an early `return`) cannot be told apart
//!   from a new test method from a `-U0` diff; the test outcomes still see what they do.
//! - For a test-writing task only additions to test files are allowed: any other file touched
//!   breaks integrity.

use crate::{ChangeSet, FileChange, FileStatus, Hunk, Line, Policy};
use serde::{Deserialize, Serialize};
use std::fmt;

/// One place where a change broke test integrity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrityViolation {
    /// The file, as it was before the change when it existed.
    pub path: String,
    /// The line concerned: in the file before the change for removed lines, after it for
    /// added ones; `None` for the file as a whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// What the change did there, e.g. ``changes the assertion `assert x == 1` ``.
    pub problem: String,
}

impl fmt::Display for IntegrityViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line} {}", self.path, self.problem),
            None => write!(f, "{} {}", self.path, self.problem),
        }
    }
}

/// Every place where `change`, made for a task of kind `task_kind`, breaks test integrity.
pub fn test_integrity(
    policy: &Policy,
    task_kind: &str,
    change: &ChangeSet,
) -> Vec<IntegrityViolation> {
    let writes_tests = policy
        .test_integrity
        .test_writing_kinds
        .iter()
        .any(|kind| kind == task_kind);
    let mut violations = Vec::new();
    for file in &change.files {
        // A copy leaves its source as it was: it is a new file.
        let existed = !matches!(file.status, FileStatus::Added | FileStatus::Copied);
        let was_test = existed && policy.is_test_file(file.path_before());
        let is_test = file.status != FileStatus::Deleted && policy.is_test_file(&file.path);
        let before = file.path_before();
        let mut violation = |path: &str, line: Option<u32>, problem: String| {
            violations.push(IntegrityViolation {
                path: path.to_owned(),
                line,
                problem,
            });
        };
        if was_test {
            match file.status {
                FileStatus::Deleted => violation(before, None, "deletes a test file".into()),
                FileStatus::Renamed => {
                    violation(
                        before,
                        None,
                        format!("renames a test file to {}", file.path),
                    );
                }
                _ => {}
            }
            if file.binary && file.status != FileStatus::Deleted {
                violation(before, None, "changes a binary test file".into());
            }
            if file.status != FileStatus::Deleted {
                for hunk in file.hunks.iter().filter(|hunk| !same_lines(hunk)) {
                    let verb = if hunk.added.is_empty() {
                        "removes"
                    } else {
                        "changes"
                    };
                    for line in &hunk.removed {
                        violation(
                            before,
                            Some(line.number),
                            format!("{verb} {}", describe(line)),
                        );
                    }
                }
            }
        } else if writes_tests && !is_test {
            let line = file.added().chain(file.removed()).next().map(|l| l.number);
            violation(
                &file.path,
                line,
                "is not a test file, and a test-writing task may only add to test files".into(),
            );
        } else if existed && !is_test {
            for line in file
                .removed()
                .filter(|line| removes_inline_test(file, line))
            {
                violation(
                    before,
                    Some(line.number),
                    format!("removes {}", describe(line)),
                );
            }
        }
        if is_test || file.path.ends_with(".rs") {
            for line in file.added().filter(|line| skips_a_test(&line.text)) {
                violation(
                    &file.path,
                    Some(line.number),
                    format!("adds a skip `{}`", short(&line.text)),
                );
            }
        }
    }
    violations
}

/// A hunk that takes out and puts back the same text: only the final newline changed.
fn same_lines(hunk: &Hunk) -> bool {
    hunk.removed.len() == hunk.added.len()
        && hunk
            .removed
            .iter()
            .zip(&hunk.added)
            .all(|(a, b)| a.text == b.text)
}

/// A removed line of a non-test file that belongs to a test as far as the diff can tell.
fn removes_inline_test(file: &FileChange, line: &Line) -> bool {
    let text = line.text.trim_start();
    if file.path_before().ends_with(".rs") {
        text.starts_with("#[test]")
            || text.starts_with("#[cfg(test)]")
            || ["assert!", "assert_eq!", "assert_ne!"]
                .iter()
                .any(|macro_name| text.starts_with(macro_name))
    } else if file.path_before().ends_with(".py") {
        text.starts_with(">>>")
    } else {
        false
    }
}

fn skips_a_test(text: &str) -> bool {
    let text = text.trim_start();
    [
        "pytest.mark.skip",
        "pytest.mark.xfail",
        "pytest.skip(",
        "unittest.skip",
        "#[ignore",
    ]
    .iter()
    .any(|marker| text.contains(marker))
}

fn is_assertion(text: &str) -> bool {
    let text = text.trim_start();
    [
        "assert ",
        "assert(",
        "self.assert",
        "assert!",
        "assert_eq!",
        "assert_ne!",
    ]
    .iter()
    .any(|start| text.starts_with(start))
        || text.contains("pytest.raises")
}

/// "the assertion `assert x == 1`" or "`x = 1`".
fn describe(line: &Line) -> String {
    if is_assertion(&line.text) {
        format!("the assertion `{}`", short(&line.text))
    } else if line.text.trim().is_empty() {
        "a blank line".to_owned()
    } else {
        format!("`{}`", short(&line.text))
    }
}

/// The line trimmed and cut to a length a reason sentence can carry.
fn short(text: &str) -> String {
    const MAX: usize = 72;
    let text = text.trim();
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_owned(),
    }
}
