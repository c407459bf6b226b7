//! Applies a patch to a worktree all or nothing: every hunk and block is checked against the
//! files first, in memory; only when all fit are the new contents written, each to a temporary
//! file beside its target and then renamed over it.

use crate::patch::{Edit, FileAction, FilePatch};
use crate::{FailureReason, paths};
use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Applies a model's answer (a unified diff or search/replace blocks) to `worktree`, and
/// returns the files it changed, sorted. On any failure nothing is written.
pub fn apply_answer(worktree: &Path, answer: &str) -> Result<Vec<String>, FailureReason> {
    let patches = crate::answer::parse(answer)?;
    apply(worktree, &patches)
}

/// A file's text split into lines, remembering its line ending and final newline so an edit
/// changes only the lines it means to.
struct Text {
    lines: Vec<String>,
    crlf: bool,
    final_newline: bool,
}

impl Text {
    fn parse(content: &str) -> Self {
        let crlf = content.contains("\r\n");
        let final_newline = content.ends_with('\n');
        let body = content.strip_suffix('\n').unwrap_or(content);
        let lines = if content.is_empty() {
            Vec::new()
        } else {
            body.split('\n')
                .map(|line| line.strip_suffix('\r').unwrap_or(line).to_owned())
                .collect()
        };
        Text {
            lines,
            crlf,
            final_newline: final_newline || content.is_empty(),
        }
    }

    fn render(&self) -> String {
        let ending = if self.crlf { "\r\n" } else { "\n" };
        let mut out = self.lines.join(ending);
        if self.final_newline && !self.lines.is_empty() {
            out.push_str(ending);
        }
        out
    }
}

/// What a file becomes.
enum NewContent {
    Write(String),
    Remove,
}

pub(crate) fn apply(worktree: &Path, patches: &[FilePatch]) -> Result<Vec<String>, FailureReason> {
    let mut planned: BTreeMap<String, (PathBuf, NewContent)> = BTreeMap::new();
    for patch in patches {
        let (target, name) = paths::resolve(worktree, &patch.path)?;
        // A file named twice (a diff with two sections for it, or two spellings of its path)
        // is edited on top of the first result, not on top of the disk.
        let current = match planned.get(&name) {
            Some((_, NewContent::Write(text))) => Some(text.clone()),
            Some((_, NewContent::Remove)) => None,
            None => read(&target, &name)?,
        };
        let content = plan_file(patch, current)?;
        planned.insert(name, (target, content));
    }
    write_all(&planned)?;
    Ok(planned.into_keys().collect())
}

fn read(target: &Path, name: &str) -> Result<Option<String>, FailureReason> {
    match fs::read(target) {
        Ok(bytes) => {
            String::from_utf8(bytes)
                .map(Some)
                .map_err(|_| FailureReason::PatchDoesNotApply {
                    path: name.to_owned(),
                    hunk: 1,
                    why: "the file is not UTF-8 text".to_owned(),
                })
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(FailureReason::Local {
            detail: format!("cannot read `{name}`: {error}"),
        }),
    }
}

fn plan_file(patch: &FilePatch, current: Option<String>) -> Result<NewContent, FailureReason> {
    let refuse = |hunk: usize, why: &str| FailureReason::PatchDoesNotApply {
        path: patch.path.clone(),
        hunk,
        why: why.to_owned(),
    };
    match (&patch.action, current) {
        (FileAction::Create(lines), None) => {
            let text = Text {
                lines: lines.clone(),
                crlf: false,
                final_newline: true,
            };
            Ok(NewContent::Write(text.render()))
        }
        (FileAction::Create(_), Some(_)) => Err(refuse(1, "it creates a file that already exists")),
        (FileAction::Delete(_), None) | (FileAction::Modify { .. }, None) => {
            Err(refuse(1, "the file does not exist"))
        }
        (FileAction::Delete(lines), Some(content)) => {
            let text = Text::parse(&content);
            if lines.is_empty() || same_lines(&text.lines, lines, |a, b| a == b) {
                Ok(NewContent::Remove)
            } else {
                Err(refuse(
                    1,
                    "it deletes the file, but its lines are not the file's",
                ))
            }
        }
        (FileAction::Modify { edits, ordered }, Some(content)) => {
            let mut text = Text::parse(&content);
            let mut cursor = 0;
            let mut shift: isize = 0;
            for (number, edit) in edits.iter().enumerate() {
                let from = if *ordered { cursor } else { 0 };
                let hint = edit.hint.map(|hint| hint.saturating_add_signed(shift));
                let at = locate(&text.lines, edit, from, hint)
                    .map_err(|why| refuse(number + 1, &why))?;
                text.lines
                    .splice(at..at + edit.old.len(), edit.new.iter().cloned());
                cursor = at + edit.new.len();
                shift += edit.new.len() as isize - edit.old.len() as isize;
            }
            Ok(NewContent::Write(text.render()))
        }
    }
}

fn same_lines(a: &[String], b: &[String], eq: impl Fn(&str, &str) -> bool) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| eq(x, y))
}

/// Where `edit.old` starts in `lines` at or after `from`: an exact match first, then one
/// that ignores whitespace at the ends of lines. Several matches are told apart only by the
/// answer's own line number; otherwise the edit is refused rather than guessed.
fn locate(
    lines: &[String],
    edit: &Edit,
    from: usize,
    hint: Option<usize>,
) -> Result<usize, String> {
    if edit.old.is_empty() {
        return if lines.is_empty() {
            Ok(0)
        } else {
            Err("it has no context or removed lines to place it by".to_owned())
        };
    }
    let exact = |a: &str, b: &str| a == b;
    let loose = |a: &str, b: &str| a.trim_end() == b.trim_end();
    for (eq, kind) in [
        (&exact as &dyn Fn(&str, &str) -> bool, "exactly"),
        (&loose, "ignoring trailing whitespace"),
    ] {
        let last = lines.len().checked_sub(edit.old.len());
        let matches: Vec<usize> = match last {
            Some(last) if from <= last => (from..=last)
                .filter(|&at| same_lines(&lines[at..at + edit.old.len()], &edit.old, eq))
                .collect(),
            _ => Vec::new(),
        };
        match matches.as_slice() {
            [] => continue,
            [only] => return Ok(*only),
            several => {
                return match hint.filter(|hint| several.contains(hint)) {
                    Some(hint) => Ok(hint),
                    None => Err(format!(
                        "its lines match {kind} at {} places (lines {}), so where it goes is \
                         ambiguous; give more context",
                        several.len(),
                        several
                            .iter()
                            .map(|at| (at + 1).to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                };
            }
        }
    }
    let first = edit.old.iter().find(|line| !line.trim().is_empty());
    Err(match first {
        Some(line) => format!(
            "its lines are not in the file (the first is `{}`)",
            line.trim()
        ),
        None => "its lines are not in the file".to_owned(),
    })
}

/// Writes every planned file: first each new content to a temporary file in its target's
/// directory, then all renames, then the removals, so a failure while writing leaves the
/// worktree as it was.
fn write_all(planned: &BTreeMap<String, (PathBuf, NewContent)>) -> Result<(), FailureReason> {
    let local = |name: &str, error: std::io::Error| FailureReason::Local {
        detail: format!("cannot write `{name}`: {error}"),
    };
    let mut staged = Vec::new();
    let mut created_dirs = Vec::new();
    for (name, (target, content)) in planned {
        let NewContent::Write(text) = content else {
            continue;
        };
        let dir = target
            .parent()
            .expect("a resolved path is inside the worktree");
        if !dir.exists() {
            let mut first_missing = dir;
            while let Some(parent) = first_missing.parent().filter(|p| !p.exists()) {
                first_missing = parent;
            }
            if let Err(error) = fs::create_dir_all(dir) {
                undo_dirs(&created_dirs);
                return Err(local(name, error));
            }
            created_dirs.push(first_missing.to_path_buf());
        }
        let staged_file = tempfile::NamedTempFile::new_in(dir).and_then(|mut file| {
            file.write_all(text.as_bytes())?;
            if let Ok(meta) = fs::metadata(target) {
                fs::set_permissions(file.path(), meta.permissions())?;
            }
            Ok(file)
        });
        match staged_file {
            Ok(file) => staged.push((name, target, file)),
            Err(error) => {
                drop(staged);
                undo_dirs(&created_dirs);
                return Err(local(name, error));
            }
        }
    }
    for (name, target, file) in staged {
        file.persist(target)
            .map_err(|error| local(name, error.error))?;
    }
    for (name, (target, content)) in planned {
        if let NewContent::Remove = content {
            fs::remove_file(target).map_err(|error| local(name, error))?;
        }
    }
    Ok(())
}

fn undo_dirs(dirs: &[PathBuf]) {
    for dir in dirs.iter().rev() {
        let _ = fs::remove_dir_all(dir);
    }
}
