//! The change being gated, as structured per-file edits, and the parser that builds it from
//! git's unified diff (the evaluator runs `git diff -U0`).

use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Every file a change touches, in the order git lists them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeSet {
    /// One entry per touched file.
    pub files: Vec<FileChange>,
}

/// What a change did to one file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileChange {
    /// Path after the change (for a deleted file, the path it had), relative to the repository
    /// root with `/` separators.
    pub path: String,
    /// The path before the change, for a renamed or copied file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_path: Option<String>,
    /// Whether the file was added, modified, deleted, renamed or copied.
    pub status: FileStatus,
    /// Whether git treated the file as binary (it then shows no lines).
    #[serde(default)]
    pub binary: bool,
    /// The changed regions, in file order.
    #[serde(default)]
    pub hunks: Vec<Hunk>,
}

/// How a file was touched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileStatus {
    /// The file is new.
    Added,
    /// The file existed and still does, at the same path.
    Modified,
    /// The file is gone.
    Deleted,
    /// The file moved from `old_path` (and may also have been edited).
    Renamed,
    /// The file is a copy of `old_path` (and may also have been edited).
    Copied,
}

/// One changed region of a file: the lines taken out and the lines put in.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hunk {
    /// Lines removed, numbered in the file before the change.
    #[serde(default)]
    pub removed: Vec<Line>,
    /// Lines added, numbered in the file after the change.
    #[serde(default)]
    pub added: Vec<Line>,
}

/// One line of a file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// 1-based line number.
    pub number: u32,
    /// The text, without its line ending.
    pub text: String,
    /// The line is the last of its file and has no newline after it (git's
    /// `\ No newline at end of file`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub no_newline: bool,
}

fn is_false(value: &bool) -> bool {
    !*value
}

impl FileChange {
    /// Every removed line of the file, in order.
    pub fn removed(&self) -> impl Iterator<Item = &Line> {
        self.hunks.iter().flat_map(|hunk| &hunk.removed)
    }

    /// Every added line of the file, in order.
    pub fn added(&self) -> impl Iterator<Item = &Line> {
        self.hunks.iter().flat_map(|hunk| &hunk.added)
    }

    /// The path the file had before the change (`old_path` for renames and copies).
    pub fn path_before(&self) -> &str {
        self.old_path.as_deref().unwrap_or(&self.path)
    }
}

impl ChangeSet {
    /// Parses the output of `git diff` (any context size, `-U0` expected) with git's default
    /// `a/` and `b/` prefixes. Text before the first `diff --git` line (a commit message from
    /// `git show`) is skipped. An empty diff is an empty change.
    ///
    /// Errors on output that is not a git diff (a malformed hunk, a hunk shorter than its
    /// header says, a combined diff of a merge).
    pub fn from_unified_diff(diff: &str) -> Result<ChangeSet> {
        Parser::default().parse(diff)
    }

    /// Lines added over all files.
    pub fn lines_added(&self) -> usize {
        self.files.iter().map(|file| file.added().count()).sum()
    }

    /// Lines removed over all files.
    pub fn lines_removed(&self) -> usize {
        self.files.iter().map(|file| file.removed().count()).sum()
    }

    /// The path after the change of a file that had `before` as its path before the change,
    /// `None` when the change deleted it. Renames are followed; other paths are unchanged.
    pub fn path_after<'a>(&'a self, before: &'a str) -> Option<&'a str> {
        for file in &self.files {
            match file.status {
                FileStatus::Renamed if file.old_path.as_deref() == Some(before) => {
                    return Some(&file.path);
                }
                FileStatus::Deleted if file.path == before => return None,
                _ => {}
            }
        }
        Some(before)
    }
}

/// A short listing for a person: one line per file (`A`, `M`, `D`, `R`, `C`, as `git diff
/// --name-status` spells them), then its removed and added lines with their numbers.
impl fmt::Display for ChangeSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for file in &self.files {
            let letter = match file.status {
                FileStatus::Added => 'A',
                FileStatus::Modified => 'M',
                FileStatus::Deleted => 'D',
                FileStatus::Renamed => 'R',
                FileStatus::Copied => 'C',
            };
            match &file.old_path {
                Some(old) => write!(f, "{letter} {old} -> {}", file.path)?,
                None => write!(f, "{letter} {}", file.path)?,
            }
            writeln!(f, "{}", if file.binary { " (binary)" } else { "" })?;
            for hunk in &file.hunks {
                let lines = hunk.removed.iter().map(|line| ('-', line));
                for (sign, line) in lines.chain(hunk.added.iter().map(|line| ('+', line))) {
                    let end = if line.no_newline { " (no newline)" } else { "" };
                    writeln!(f, "  {sign}{} {}{end}", line.number, line.text)?;
                }
            }
        }
        Ok(())
    }
}

/// The parser's state: the file being read, if any.
#[derive(Default)]
struct Parser {
    files: Vec<FileChange>,
    current: Option<Pending>,
}

/// A file whose header is being read; its paths are settled when the next file starts.
struct Pending {
    /// Paths from the `diff --git` line, when they can be told apart.
    header: Option<(String, String)>,
    old: Option<String>,
    new: Option<String>,
    status: FileStatus,
    binary: bool,
    /// Inside a `GIT binary patch` (from `git diff --binary`), whose lines are skipped.
    binary_patch: bool,
    hunks: Vec<Hunk>,
    /// Which side the last hunk line was on, for a following `\ No newline at end of file`.
    last_added: Option<bool>,
}

impl Parser {
    fn parse(mut self, diff: &str) -> Result<ChangeSet> {
        let mut lines = diff.lines().enumerate().peekable();
        while let Some((index, line)) = lines.next() {
            let at = index + 1;
            if let Some(rest) = line.strip_prefix("diff --git ") {
                self.finish(at)?;
                self.current = Some(Pending::new(split_header(rest)));
                continue;
            }
            if line.starts_with("diff --cc ") || line.starts_with("diff --combined ") {
                return Err(error(at, "combined diffs of merges are not supported"));
            }
            let Some(file) = self.current.as_mut() else {
                continue; // preamble, e.g. the commit message of `git show`
            };
            if file.binary_patch {
                continue;
            }
            if let Some(header) = line.strip_prefix("@@ ") {
                let (mut old_at, mut old_left, mut new_at, mut new_left) = hunk_header(header)
                    .ok_or_else(|| error(at, format!("malformed hunk header `{line}`")))?;
                let mut hunk = Hunk::default();
                while old_left > 0 || new_left > 0 {
                    let Some((index, body)) = lines.next() else {
                        return Err(error(at, "the hunk is shorter than its header says"));
                    };
                    let at = index + 1;
                    // An empty line is an empty context line whose space was trimmed.
                    let sign = body.as_bytes().first().copied().unwrap_or(b' ');
                    let text = body.get(1..).unwrap_or("");
                    let line = |number| Line {
                        number,
                        text: text.to_owned(),
                        no_newline: false,
                    };
                    match sign {
                        b'-' if old_left > 0 => {
                            hunk.removed.push(line(old_at));
                            file.last_added = Some(false);
                            (old_at, old_left) = (old_at + 1, old_left - 1);
                        }
                        b'+' if new_left > 0 => {
                            hunk.added.push(line(new_at));
                            file.last_added = Some(true);
                            (new_at, new_left) = (new_at + 1, new_left - 1);
                        }
                        b' ' if old_left > 0 && new_left > 0 => {
                            file.last_added = None;
                            (old_at, old_left) = (old_at + 1, old_left - 1);
                            (new_at, new_left) = (new_at + 1, new_left - 1);
                        }
                        b'\\' => mark_no_newline(&mut hunk, file.last_added),
                        _ => {
                            return Err(error(
                                at,
                                format!("`{body}` does not fit the hunk's line counts"),
                            ));
                        }
                    }
                }
                file.hunks.push(hunk);
            } else if line.starts_with('\\') {
                // The marker after a hunk's last line.
                if let Some(hunk) = file.hunks.last_mut() {
                    mark_no_newline(hunk, file.last_added);
                }
            } else {
                file.header_line(line);
            }
        }
        self.finish(diff.lines().count() + 1)?;
        Ok(ChangeSet { files: self.files })
    }

    /// Settles the paths of the file being read and adds it to the change.
    fn finish(&mut self, at: usize) -> Result<()> {
        let Some(file) = self.current.take() else {
            return Ok(());
        };
        let (header_old, header_new) = file.header.unzip();
        let old = file.old.or(header_old);
        let new = file.new.or(header_new);
        let (path, old_path) = match file.status {
            FileStatus::Deleted => (old, None),
            FileStatus::Renamed | FileStatus::Copied => (new, old),
            FileStatus::Added | FileStatus::Modified => (new.or(old), None),
        };
        let path = path.ok_or_else(|| error(at, "a file's path cannot be told from its header"))?;
        self.files.push(FileChange {
            path,
            old_path,
            status: file.status,
            binary: file.binary,
            hunks: file.hunks,
        });
        Ok(())
    }
}

impl Pending {
    fn new(header: Option<(String, String)>) -> Self {
        Pending {
            header,
            old: None,
            new: None,
            status: FileStatus::Modified,
            binary: false,
            binary_patch: false,
            hunks: Vec::new(),
            last_added: None,
        }
    }

    /// Reads one extended header line; lines it does not know (`index`, modes, similarity)
    /// say nothing the gates use.
    fn header_line(&mut self, line: &str) {
        if line.starts_with("new file mode") {
            self.status = FileStatus::Added;
        } else if line.starts_with("deleted file mode") {
            self.status = FileStatus::Deleted;
        } else if let Some(path) = line.strip_prefix("rename from ") {
            self.status = FileStatus::Renamed;
            self.old = Some(unquote(path));
        } else if let Some(path) = line.strip_prefix("rename to ") {
            self.new = Some(unquote(path));
        } else if let Some(path) = line.strip_prefix("copy from ") {
            self.status = FileStatus::Copied;
            self.old = Some(unquote(path));
        } else if let Some(path) = line.strip_prefix("copy to ") {
            self.new = Some(unquote(path));
        } else if let Some(path) = line.strip_prefix("--- ") {
            self.old = strip_prefix(&file_line_path(path), "a/").or(self.old.take());
        } else if let Some(path) = line.strip_prefix("+++ ") {
            self.new = strip_prefix(&file_line_path(path), "b/").or(self.new.take());
        } else if line.starts_with("Binary files ") {
            self.binary = true;
        } else if line == "GIT binary patch" {
            self.binary = true;
            self.binary_patch = true;
        }
    }
}

/// Attaches `\ No newline at end of file` to the line just read.
fn mark_no_newline(hunk: &mut Hunk, last_added: Option<bool>) {
    let line = match last_added {
        Some(true) => hunk.added.last_mut(),
        Some(false) => hunk.removed.last_mut(),
        None => None,
    };
    if let Some(line) = line {
        line.no_newline = true;
    }
}

/// `a/x` -> `x`; `/dev/null` (the missing side of an added or deleted file) -> `None`.
fn strip_prefix(path: &str, prefix: &str) -> Option<String> {
    if path == "/dev/null" {
        return None;
    }
    Some(path.strip_prefix(prefix).unwrap_or(path).to_owned())
}

/// The two paths of `diff --git a/X b/Y`. Unquoted paths may contain spaces, so without quotes
/// they can only be told apart when they are equal (renames have their own header lines).
fn split_header(rest: &str) -> Option<(String, String)> {
    if rest.starts_with('"') {
        let (old, after) = quoted_token(rest)?;
        let after = after.strip_prefix(' ')?;
        let new = if after.starts_with('"') {
            quoted_token(after)?.0
        } else {
            after.to_owned()
        };
        return Some((strip_prefix(&old, "a/")?, strip_prefix(&new, "b/")?));
    }
    if rest.ends_with('"') {
        let start = rest.find(" \"")?;
        let new = quoted_token(&rest[start + 1..])?.0;
        return Some((
            strip_prefix(&rest[..start], "a/")?,
            strip_prefix(&new, "b/")?,
        ));
    }
    // "a/P b/P": both halves have the same length.
    if rest.len().is_multiple_of(2) {
        return None;
    }
    let middle = rest.len() / 2;
    let (old, new) = (rest.get(..middle)?, rest.get(middle + 1..)?);
    let (old, new) = (old.strip_prefix("a/")?, new.strip_prefix("b/")?);
    (old == new).then(|| (old.to_owned(), new.to_owned()))
}

/// The path of a `---` or `+++` line: quoted, or up to a tab (git puts one after a path with
/// spaces, GNU diff a date).
fn file_line_path(path: &str) -> String {
    if path.starts_with('"') {
        unquote(path)
    } else {
        path.split('\t').next().unwrap_or(path).to_owned()
    }
}

/// Removes git's C-style quotes from a path, if it has them.
fn unquote(path: &str) -> String {
    match quoted_token(path) {
        Some((unquoted, _)) => unquoted,
        None => path.to_owned(),
    }
}

/// Reads one `"..."` token with git's escapes (`\t`, `\"`, `\\`, octal bytes for non-ASCII)
/// from the start of `text`; returns it and the rest.
fn quoted_token(text: &str) -> Option<(String, &str)> {
    let body = text.strip_prefix('"')?;
    let mut bytes = Vec::new();
    let mut chars = body.char_indices();
    while let Some((index, c)) = chars.next() {
        match c {
            '"' => {
                let path = String::from_utf8_lossy(&bytes).into_owned();
                return Some((path, &body[index + 1..]));
            }
            '\\' => {
                let (_, escaped) = chars.next()?;
                let byte = match escaped {
                    'a' => 7,
                    'b' => 8,
                    't' => b'\t',
                    'n' => b'\n',
                    'v' => 11,
                    'f' => 12,
                    'r' => b'\r',
                    '0'..='7' => {
                        let mut value = escaped.to_digit(8)?;
                        for _ in 0..2 {
                            let (_, digit) = chars.next()?;
                            value = value * 8 + digit.to_digit(8)?;
                        }
                        u8::try_from(value).ok()?
                    }
                    other => u8::try_from(other).ok()?,
                };
                bytes.push(byte);
            }
            other => {
                let mut buffer = [0; 4];
                bytes.extend_from_slice(other.encode_utf8(&mut buffer).as_bytes());
            }
        }
    }
    None
}

/// `-12,3 +14,0 @@ def f():` -> (12, 3, 14, 0); a missing count means 1.
fn hunk_header(header: &str) -> Option<(u32, u32, u32, u32)> {
    let mut parts = header.split(' ');
    let old = parts.next()?.strip_prefix('-')?;
    let new = parts.next()?.strip_prefix('+')?;
    if parts.next()? != "@@" {
        return None;
    }
    let range = |range: &str| -> Option<(u32, u32)> {
        match range.split_once(',') {
            Some((start, count)) => Some((start.parse().ok()?, count.parse().ok()?)),
            None => Some((range.parse().ok()?, 1)),
        }
    };
    let ((old_start, old_count), (new_start, new_count)) = (range(old)?, range(new)?);
    Some((old_start, old_count, new_start, new_count))
}

fn error(line: usize, message: impl Into<String>) -> Error {
    Error::Diff {
        line,
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_paths_are_split_when_they_can_be() {
        let check = |rest: &str, expected: Option<(&str, &str)>| {
            let expected = expected.map(|(a, b)| (a.to_owned(), b.to_owned()));
            assert_eq!(split_header(rest), expected, "{rest}");
        };
        check("a/x.py b/x.py", Some(("x.py", "x.py")));
        check(
            "a/with space.py b/with space.py",
            Some(("with space.py", "with space.py")),
        );
        check("a/x.py b/y.py", None);
        check(
            r#""a/t\303\251st.py" "b/t\303\251st.py""#,
            Some(("tést.py", "tést.py")),
        );
        check(r#"a/x.py "b/tab\there""#, Some(("x.py", "tab\there")));
    }

    #[test]
    fn hunk_headers_default_their_counts_to_one() {
        assert_eq!(hunk_header("-3 +3,0 @@"), Some((3, 1, 3, 0)));
        assert_eq!(hunk_header("-0,0 +1,2 @@ def f():"), Some((0, 0, 1, 2)));
        assert_eq!(hunk_header("-x +1 @@"), None);
    }
}
