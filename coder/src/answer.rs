//! Reads a model's answer into a `FilePatch` list, whether it wrote a unified diff or
//! search/replace blocks, tolerating what models add around them: prose, code fences, CRLF
//! line ends, blank lines that lost their leading space, hunk headers without numbers.

use crate::FailureReason;
use crate::patch::{Edit, FileAction, FilePatch};

const SEARCH: &str = "<<<<<<< SEARCH";
const DIVIDER: &str = "=======";
const REPLACE: &str = ">>>>>>> REPLACE";

/// The patch an answer holds, in answer order.
pub(crate) fn parse(answer: &str) -> Result<Vec<FilePatch>, FailureReason> {
    let text = answer.replace("\r\n", "\n");
    let lines: Vec<&str> = text.split('\n').collect();
    if lines.iter().any(|line| line.trim() == SEARCH) {
        parse_blocks(&lines)
    } else if lines.iter().any(|line| line.starts_with("@@")) {
        parse_diff(&lines)
    } else {
        Err(FailureReason::NoPatch)
    }
}

fn malformed(detail: impl Into<String>) -> FailureReason {
    FailureReason::MalformedAnswer {
        detail: detail.into(),
    }
}

/// Search/replace blocks, each after a line naming its file:
///
/// ```text
/// src/app.py
/// <<<<<<< SEARCH
/// old lines
/// =======
/// new lines
/// >>>>>>> REPLACE
/// ```
fn parse_blocks(lines: &[&str]) -> Result<Vec<FilePatch>, FailureReason> {
    let mut patches: Vec<FilePatch> = Vec::new();
    let mut path: Option<String> = None;
    let mut index = 0;
    let mut block = 0;
    while index < lines.len() {
        let line = lines[index];
        index += 1;
        if line.trim() != SEARCH {
            if let Some(candidate) = path_candidate(line) {
                path = Some(candidate);
            }
            continue;
        }
        block += 1;
        let Some(file) = path.clone() else {
            return Err(malformed(format!(
                "search/replace block {block} has no file path on a line before it"
            )));
        };
        let mut search = Vec::new();
        while index < lines.len() && lines[index].trim_end() != DIVIDER {
            search.push(lines[index].to_owned());
            index += 1;
        }
        index += 1;
        let mut replace = Vec::new();
        while index < lines.len() && !lines[index].trim_start().starts_with(REPLACE) {
            replace.push(lines[index].to_owned());
            index += 1;
        }
        if index >= lines.len() {
            return Err(malformed(format!(
                "search/replace block {block} for `{file}` is not closed by `{REPLACE}`"
            )));
        }
        index += 1;
        let action = if search.iter().all(|line| line.trim().is_empty()) {
            FileAction::Create(replace)
        } else {
            FileAction::Modify {
                edits: vec![Edit {
                    old: search,
                    new: replace,
                    hint: None,
                }],
                ordered: false,
            }
        };
        push(&mut patches, file, action);
    }
    Ok(patches)
}

/// A line that names a file: a single token that looks like a path, maybe wrapped in
/// backticks or bold, maybe after `File:`. Prose and fences are not.
fn path_candidate(line: &str) -> Option<String> {
    let mut text = line.trim();
    if text.starts_with("```") || text.starts_with("~~~") {
        return None;
    }
    for prefix in ["File:", "file:", "Path:", "path:", "#"] {
        if let Some(rest) = text.strip_prefix(prefix) {
            text = rest.trim_start_matches('#').trim();
        }
    }
    let text = text.trim_matches(|c| c == '`' || c == '*' || c == '"' || c == '\'');
    let text = text.trim_end_matches(':');
    let looks_like_path = !text.is_empty()
        && !text.contains(char::is_whitespace)
        && (text.contains('/') || text.contains('.'))
        && !text.starts_with(['<', '=', '>']);
    looks_like_path.then(|| text.to_owned())
}

/// Adds an action to the patch of its file, so several blocks for one file are applied one
/// after the other to the same content.
fn push(patches: &mut Vec<FilePatch>, path: String, action: FileAction) {
    let existing = patches.iter_mut().find(|patch| patch.path == path);
    match (existing, action) {
        (
            Some(FilePatch {
                action: FileAction::Modify { edits, .. },
                ..
            }),
            FileAction::Modify { edits: more, .. },
        ) => edits.extend(more),
        (_, action) => patches.push(FilePatch { path, action }),
    }
}

/// A unified diff: `--- a/x` / `+++ b/x` headers, then `@@` hunks.
fn parse_diff(lines: &[&str]) -> Result<Vec<FilePatch>, FailureReason> {
    let mut patches = Vec::new();
    let mut index = 0;
    while index < lines.len() {
        if !is_file_header(lines, index) {
            index += 1;
            continue;
        }
        let old_path = header_path(&lines[index][4..]);
        let new_path = header_path(&lines[index + 1][4..]);
        index += 2;
        let mut hunks = Vec::new();
        while index < lines.len() && lines[index].starts_with("@@") {
            let (hunk, next) = parse_hunk(lines, index);
            hunks.push(hunk);
            index = next;
        }
        let name = new_path.clone().or(old_path.clone()).unwrap_or_default();
        if hunks.is_empty() {
            return Err(malformed(format!("the diff for `{name}` has no hunks")));
        }
        let action = match (old_path, new_path) {
            (None, None) => return Err(malformed("a diff header names /dev/null twice")),
            (None, Some(_)) => FileAction::Create(hunks.into_iter().flat_map(|h| h.new).collect()),
            (Some(_), None) => FileAction::Delete(hunks.into_iter().flat_map(|h| h.old).collect()),
            (Some(_), Some(_)) => FileAction::Modify {
                edits: hunks,
                ordered: true,
            },
        };
        patches.push(FilePatch { path: name, action });
    }
    if patches.is_empty() {
        return Err(malformed(
            "the answer has @@ hunks but no `--- a/path` / `+++ b/path` header naming the file",
        ));
    }
    Ok(patches)
}

fn is_file_header(lines: &[&str], index: usize) -> bool {
    lines[index].starts_with("--- ")
        && lines
            .get(index + 1)
            .is_some_and(|next| next.starts_with("+++ "))
}

/// The path of a `---`/`+++` header, without the `a/`/`b/` prefix or a trailing timestamp;
/// `None` for `/dev/null`.
fn header_path(text: &str) -> Option<String> {
    let text = text.split('\t').next().unwrap_or("").trim();
    if text == "/dev/null" {
        return None;
    }
    let text = text
        .strip_prefix("a/")
        .or_else(|| text.strip_prefix("b/"))
        .unwrap_or(text);
    Some(text.to_owned())
}

/// One hunk starting at its `@@` line; returns it and the index of the line after it.
fn parse_hunk(lines: &[&str], start: usize) -> (Edit, usize) {
    let (hint, old_count) = hunk_header(lines[start]);
    let mut old = Vec::new();
    let mut new = Vec::new();
    // Blank lines with no prefix: models drop the space of an empty context line, but a blank
    // line also separates a diff from the prose after it, so trailing ones are settled below.
    let mut blank_run = 0;
    let mut index = start + 1;
    while index < lines.len() {
        let line = lines[index];
        if line.starts_with("@@") || line.starts_with("```") || is_file_header(lines, index) {
            break;
        }
        if line.is_empty() {
            blank_run += 1;
            old.push(String::new());
            new.push(String::new());
        } else if let Some(rest) = line.strip_prefix(' ') {
            blank_run = 0;
            old.push(rest.to_owned());
            new.push(rest.to_owned());
        } else if let Some(rest) = line.strip_prefix('-') {
            blank_run = 0;
            old.push(rest.to_owned());
        } else if let Some(rest) = line.strip_prefix('+') {
            blank_run = 0;
            new.push(rest.to_owned());
        } else if line.starts_with('\\') {
            // "\ No newline at end of file": the file keeps whatever ending it has.
        } else {
            break;
        }
        index += 1;
    }
    // Drop trailing unprefixed blank lines beyond what the header counted (all of them when it
    // counted nothing): they are the gap before prose, not context.
    let keep_old = old_count.unwrap_or(0);
    while blank_run > 0 && (old_count.is_none() || old.len() > keep_old) {
        old.pop();
        new.pop();
        blank_run -= 1;
    }
    (Edit { old, new, hint }, index)
}

/// The old start line (0-based) and old line count of `@@ -l,c +l,c @@`, when it has them.
fn hunk_header(line: &str) -> (Option<usize>, Option<usize>) {
    let Some(old) = line
        .split_whitespace()
        .find_map(|token| token.strip_prefix('-'))
    else {
        return (None, None);
    };
    let mut parts = old.splitn(2, ',');
    let start = parts.next().and_then(|s| s.parse::<usize>().ok());
    let count = match parts.next() {
        Some(count) => count.parse::<usize>().ok(),
        None => start.map(|_| 1),
    };
    (start.map(|s| s.saturating_sub(1)), count)
}
