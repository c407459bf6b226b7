//! What an external command changed in a worktree, found with git: the dirty paths before and
//! after the run, the contents of those dirty before, and the commits it may have made, so a
//! failed run can be undone.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

/// The worktree's uncommitted state before a run.
#[derive(Debug)]
pub(crate) struct Snapshot {
    /// Dirty paths and their content then (`None` when the path did not exist).
    dirty: BTreeMap<String, Option<Vec<u8>>>,
    /// The commit checked out then, if any.
    head: Option<String>,
}

impl Snapshot {
    /// Records the worktree's dirty paths and their contents.
    pub fn take(worktree: &Path) -> Result<Self, String> {
        let dirty = dirty_paths(worktree)?
            .into_iter()
            .map(|path| {
                let content = std::fs::read(worktree.join(&path)).ok();
                (path, content)
            })
            .collect();
        Ok(Snapshot {
            dirty,
            head: head(worktree),
        })
    }

    /// The paths whose state differs from the snapshot, sorted.
    pub fn changed(&self, worktree: &Path) -> Result<Vec<String>, String> {
        let mut now = dirty_paths(worktree)?;
        // An agent that commits its work leaves a clean status; its commits name the files.
        if let Some(before) = &self.head
            && head(worktree).as_ref() != Some(before)
        {
            let diff = git(worktree, &["diff", "--name-only", "-z", before, "HEAD"])?;
            now.extend(diff.split('\0').filter(|p| !p.is_empty()).map(String::from));
        }
        let mut changed: BTreeSet<String> = now
            .iter()
            .filter(|path| !self.dirty.contains_key(*path))
            .cloned()
            .collect();
        for (path, before) in &self.dirty {
            if std::fs::read(worktree.join(path)).ok() != *before {
                changed.insert(path.clone());
            }
        }
        Ok(changed.into_iter().collect())
    }

    /// Puts back everything changed since the snapshot: what a run that failed leaves.
    pub fn undo(&self, worktree: &Path) -> Result<(), String> {
        self.changed(worktree)
            .and_then(|files| self.restore(worktree, &files))
    }

    /// What a tool that rewrites more than it was asked to leaves of its change: every path
    /// changed since the snapshot outside `paths` is put back, and the attempt is the change
    /// to `paths` (or no change at all).
    pub fn keep_only(&self, worktree: &Path, paths: &[String]) -> crate::AttemptResult {
        use crate::{AttemptOutcome, AttemptResult, FailureReason, Usage};
        let kept = self.changed(worktree).and_then(|changed| {
            let (mine, others): (Vec<String>, Vec<String>) =
                changed.into_iter().partition(|f| paths.contains(f));
            self.restore(worktree, &others).map(|()| mine)
        });
        match kept {
            Ok(files) if files.is_empty() => {
                AttemptResult::failed(FailureReason::NoChange, Usage::default())
            }
            Ok(files) => AttemptResult {
                outcome: AttemptOutcome::Changed { files },
                usage: Usage::default(),
            },
            Err(detail) => AttemptResult::failed(FailureReason::Local { detail }, Usage::default()),
        }
    }

    /// Puts `changed` paths back as they were at the snapshot: dirty ones to their recorded
    /// content, clean tracked ones to HEAD, new ones removed.
    pub fn restore(&self, worktree: &Path, changed: &[String]) -> Result<(), String> {
        if let Some(before) = &self.head
            && head(worktree).as_ref() != Some(before)
        {
            git(worktree, &["reset", "-q", "--soft", before])?;
        }
        for path in changed {
            let file = worktree.join(path);
            match self.dirty.get(path) {
                Some(Some(content)) => std::fs::write(&file, content)
                    .map_err(|error| format!("cannot restore `{path}`: {error}"))?,
                Some(None) => remove(&file),
                None if in_head(worktree, path) => {
                    git(worktree, &["checkout", "HEAD", "--", path])?;
                }
                None => {
                    remove(&file);
                    // Drop it from the index too, in case the command staged it.
                    git(
                        worktree,
                        &["rm", "-q", "--cached", "--ignore-unmatch", "--", path],
                    )?;
                }
            }
        }
        Ok(())
    }
}

fn remove(file: &Path) {
    if file.is_dir() {
        let _ = std::fs::remove_dir_all(file);
    } else {
        let _ = std::fs::remove_file(file);
    }
}

fn head(worktree: &Path) -> Option<String> {
    git(worktree, &["rev-parse", "--verify", "-q", "HEAD"])
        .ok()
        .map(|out| out.trim().to_owned())
}

fn in_head(worktree: &Path, path: &str) -> bool {
    git(worktree, &["cat-file", "-e", &format!("HEAD:{path}")]).is_ok()
}

/// Paths `git status` reports (modified, staged, deleted, untracked; both sides of a rename).
fn dirty_paths(worktree: &Path) -> Result<BTreeSet<String>, String> {
    let out = git(
        worktree,
        &["status", "--porcelain=v1", "-z", "--untracked-files=all"],
    )?;
    let mut paths = BTreeSet::new();
    let mut entries = out.split('\0').filter(|entry| !entry.is_empty());
    while let Some(entry) = entries.next() {
        if entry.len() < 4 {
            continue;
        }
        let (status, path) = entry.split_at(3);
        paths.insert(path.to_owned());
        // A rename or copy is followed by the original path as its own entry.
        if (status.contains('R') || status.contains('C'))
            && let Some(original) = entries.next()
        {
            paths.insert(original.to_owned());
        }
    }
    Ok(paths)
}

fn git(worktree: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(worktree)
        .args(args)
        .output()
        .map_err(|error| format!("cannot run git: {error}"))?;
    if !output.status.success() {
        return Err(format!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}
