//! Churn from git history: how often each file changed, and which of today's lines each
//! commit touched, so that functions get a change frequency too.
//!
//! One `git log -p -U0` over the most recent commits (run by `tdev_worktree::log_patches`,
//! parsed here) gives, per commit and file, the changed line ranges in that commit's version
//! of the file. Walking from the newest commit to the oldest, each commit's ranges are
//! carried forward through the hunks of every newer commit to today's line numbers (lines a
//! newer commit replaced fall away), which is what `git blame` does line by line, at the cost
//! of one process for the whole repository.
//! Renames are not followed: a renamed file's history starts at its rename. Merge commits are
//! left out, as their changes are counted on the branches that made them.

use crate::{Churn, Error, Result};
use std::collections::HashMap;
use std::io::BufRead;
use std::path::Path;

/// The files churn is read for: the languages a scan measures.
const SOURCES: [&str; 3] = ["*.py", "*.pyi", "*.rs"];

/// The history of the files of one repository, as far as it was read.
#[derive(Clone, Debug, Default)]
pub struct History {
    /// Commits read (0 when the directory is not in a git repository or has no commits).
    pub commits: u32,
    files: HashMap<String, FileHistory>,
}

/// The history of one file path.
#[derive(Clone, Debug, Default)]
pub(crate) struct FileHistory {
    /// Commits, added and removed lines.
    pub churn: Churn,
    /// For each commit that touched the file, the ranges of today's lines it changed
    /// (half-open, 1-based).
    touched: Vec<Vec<(u32, u32)>>,
    /// Each newer commit's hunks, newest first, to carry older commits' ranges forward.
    newer: Vec<Vec<Hunk>>,
    /// The file was created by a commit already read: older commits are about an earlier
    /// file of the same name.
    born: bool,
}

/// One hunk of a `-U0` diff.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Hunk {
    /// First old line it replaces (for a pure insertion, the line the insertion precedes).
    old_start: u32,
    old_len: u32,
    /// First new line (for a pure deletion, the line before the deleted ones).
    new_start: u32,
    new_len: u32,
}

impl History {
    /// Reads the last `limit` commits of the git repository containing `root`, for the files
    /// under `root`. A directory outside any repository, a repository without commits, or no
    /// git at all give an empty history; git failing on a repository it knows is an error.
    pub fn read(root: &Path, limit: usize) -> Result<History> {
        // Like every git command of tdev's, this one runs through `tdev-worktree`; its output
        // is parsed as it comes, since a long history need not fit in memory.
        let history = tdev_worktree::log_patches(root, limit, &SOURCES, |log| History::parse(log))
            .map_err(|e| Error::Git {
                path: root.to_path_buf(),
                message: e.to_string(),
            })?;
        Ok(history.unwrap_or_default())
    }

    /// Parses `git log -p -U0` output, newest commit first.
    fn parse(mut input: impl BufRead) -> std::io::Result<History> {
        let mut history = History::default();
        // The current commit's hunks per file, applied when the next commit starts.
        let mut commit: Vec<(String, Vec<Hunk>, bool)> = Vec::new();
        let mut old_path = String::new();
        let mut line = Vec::new();
        loop {
            line.clear();
            if input.read_until(b'\n', &mut line)? == 0 {
                break;
            }
            let text = line.strip_suffix(b"\n").unwrap_or(&line);
            if text.starts_with(b"\0commit ") {
                history.apply(std::mem::take(&mut commit));
                history.commits += 1;
            } else if let Some(path) = text.strip_prefix(b"--- ") {
                old_path = String::from_utf8_lossy(path).into_owned();
            } else if let Some(path) = text.strip_prefix(b"+++ ") {
                let created = old_path == "/dev/null";
                let path = if path == b"/dev/null" {
                    // A deletion: the file is gone after this commit.
                    old_path.strip_prefix("a/").unwrap_or(&old_path).to_owned()
                } else {
                    let path = String::from_utf8_lossy(path);
                    path.strip_prefix("b/").unwrap_or(&path).to_owned()
                };
                commit.push((path, Vec::new(), created));
            } else if text.starts_with(b"@@ ")
                && let (Some(hunk), Some(file)) = (Hunk::parse(text), commit.last_mut())
            {
                file.1.push(hunk);
            }
        }
        history.apply(commit);
        Ok(history)
    }

    /// Adds one commit's hunks (the commit is older than every commit applied before).
    fn apply(&mut self, commit: Vec<(String, Vec<Hunk>, bool)>) {
        for (path, hunks, created) in commit {
            let file = self.files.entry(path).or_default();
            if file.born {
                continue;
            }
            file.add(hunks);
            file.born = created;
        }
    }

    /// The history of one file, relative to the scanned root with `/` separators.
    pub(crate) fn file(&self, path: &str) -> Option<&FileHistory> {
        self.files.get(path)
    }
}

impl FileHistory {
    /// Adds a commit older than every commit added before.
    fn add(&mut self, hunks: Vec<Hunk>) {
        self.churn.commits += 1;
        let mut ranges = Vec::new();
        for hunk in &hunks {
            self.churn.lines_added += hunk.new_len;
            self.churn.lines_removed += hunk.old_len;
            ranges.push(hunk.new_range());
        }
        for newer in self.newer.iter().rev() {
            ranges = ranges
                .into_iter()
                .flat_map(|(start, end)| carry(start, end, newer))
                .collect();
        }
        self.touched.push(ranges);
        self.newer.push(hunks);
    }

    /// How many commits changed at least one of today's lines `start..=end`.
    pub(crate) fn commits_touching(&self, start: u32, end: u32) -> u32 {
        let count = self
            .touched
            .iter()
            .filter(|ranges| ranges.iter().any(|&(s, e)| s <= end && start < e))
            .count();
        u32::try_from(count).unwrap_or(u32::MAX)
    }
}

impl Hunk {
    /// The lines of the new version this hunk wrote; for a pure deletion, the line before
    /// it, which belongs to the function the deleted lines were in.
    fn new_range(&self) -> (u32, u32) {
        if self.new_len == 0 {
            let line = self.new_start.max(1);
            (line, line + 1)
        } else {
            (self.new_start, self.new_start + self.new_len)
        }
    }

    /// Parses `@@ -a[,b] +c[,d] @@ ...`.
    fn parse(line: &[u8]) -> Option<Hunk> {
        let line = std::str::from_utf8(line).ok()?;
        let mut parts = line.split(' ').skip(1);
        let (old_start, old_len) = range(parts.next()?.strip_prefix('-')?)?;
        let (new_start, new_len) = range(parts.next()?.strip_prefix('+')?)?;
        // git names the line *before* an insertion; what moves is from the next one.
        let old_start = if old_len == 0 {
            old_start + 1
        } else {
            old_start
        };
        Some(Hunk {
            old_start,
            old_len,
            new_start,
            new_len,
        })
    }
}

fn range(text: &str) -> Option<(u32, u32)> {
    match text.split_once(',') {
        Some((start, len)) => Some((start.parse().ok()?, len.parse().ok()?)),
        None => Some((text.parse().ok()?, 1)),
    }
}

/// The lines `start..end` of a file's version before a commit, as line ranges of the version
/// after it: lines the commit rewrote become the lines it wrote in their place (as
/// `git log -L` follows a range), the others move by what came before them.
fn carry(start: u32, end: u32, hunks: &[Hunk]) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let mut offset: i64 = 0;
    let mut at = start;
    let moved = |line: u32, offset: i64| u32::try_from(i64::from(line) + offset).unwrap_or(0);
    for hunk in hunks {
        if at >= end {
            break;
        }
        if at < hunk.old_start {
            let until = end.min(hunk.old_start);
            out.push((moved(at, offset), moved(until, offset)));
            at = until;
        }
        let rewritten_end = end.min(hunk.old_start + hunk.old_len);
        if at < rewritten_end {
            out.push(hunk.new_range());
            at = rewritten_end;
        }
        offset += i64::from(hunk.new_len) - i64::from(hunk.old_len);
    }
    if at < end {
        out.push((moved(at, offset), moved(end, offset)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hunk(spec: &str) -> Hunk {
        Hunk::parse(format!("@@ {spec} @@").as_bytes()).unwrap()
    }

    /// Carries `start..end` through the hunks given in `git diff` notation.
    fn check_carry(start: u32, end: u32, hunks: &[&str], expected: &[(u32, u32)]) {
        let hunks: Vec<Hunk> = hunks.iter().map(|h| hunk(h)).collect();
        assert_eq!(carry(start, end, &hunks), expected);
    }

    #[test]
    fn lines_move_past_newer_changes() {
        // Nothing before: unchanged.
        check_carry(1, 3, &["-10,2 +10,5"], &[(1, 3)]);
        // Three lines inserted after line 2 push lines 3.. down by three.
        check_carry(5, 7, &["-2,0 +3,3"], &[(8, 10)]);
        // Line 3 replaced by two lines: 1..3 keeps lines 1-2 and line 3 becomes lines 3-4.
        check_carry(1, 4, &["-3 +3,2"], &[(1, 3), (3, 5)]);
        // Lines after a deletion of two move up by two.
        check_carry(10, 12, &["-4,2 +3,0"], &[(8, 10)]);
        // A range spanning a rewritten block follows it.
        check_carry(1, 10, &["-4,2 +4,1"], &[(1, 4), (4, 5), (5, 9)]);
        // Entirely rewritten: the new lines.
        check_carry(4, 6, &["-4,2 +4,3"], &[(4, 7)]);
        // Entirely deleted: the line before the deletion.
        check_carry(4, 6, &["-4,2 +3,0"], &[(3, 4)]);
    }

    #[test]
    fn history_parses_git_log_output() {
        // Newest first: the second commit inserted 2 lines at the top of a.py; the first
        // created a.py with 4 lines.
        let log = "\0commit 2\n\ndiff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n\
                   @@ -0,0 +1,2 @@\n+x\n+y\n\
                   \0commit 1\n\ndiff --git a/a.py b/a.py\nnew file mode 100644\n\
                   --- /dev/null\n+++ b/a.py\n@@ -0,0 +1,4 @@\n+1\n+2\n+3\n+4\n";
        let history = History::parse(log.as_bytes()).unwrap();
        let file = history.file("a.py").unwrap();
        assert_eq!(history.commits, 2);
        assert_eq!(file.churn.commits, 2);
        assert_eq!(file.churn.lines_added, 6);
        // Today's lines 1-2 come from commit 2, lines 3-6 from commit 1.
        assert_eq!(file.commits_touching(1, 2), 1);
        assert_eq!(file.commits_touching(3, 6), 1);
        assert_eq!(file.commits_touching(2, 3), 2);
    }
}
