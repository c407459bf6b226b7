//! What an external command changed in a worktree, found with git (through
//! `tdev-worktree`'s [`WorkingDir`]): the dirty paths before and after the run, the contents
//! of those dirty before, and the commits it may have made, so a failed run can be undone.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use tdev_worktree::WorkingDir;

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
        let dirty = WorkingDir::at(worktree)
            .dirty_paths()
            .map_err(git_failed)?
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
        let git = WorkingDir::at(worktree);
        let mut now = git.dirty_paths().map_err(git_failed)?;
        // An agent that commits its work leaves a clean status; its commits name the files.
        if let Some(before) = &self.head
            && head(worktree).as_ref() != Some(before)
        {
            now.extend(git.changed_since(before).map_err(git_failed)?);
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
        let git = WorkingDir::at(worktree);
        if let Some(before) = &self.head
            && head(worktree).as_ref() != Some(before)
        {
            git.reset_soft(before).map_err(git_failed)?;
        }
        for path in changed {
            let file = worktree.join(path);
            match self.dirty.get(path) {
                Some(Some(content)) => std::fs::write(&file, content)
                    .map_err(|error| format!("cannot restore `{path}`: {error}"))?,
                Some(None) => remove(&file),
                None if git.in_head(path).unwrap_or(false) => {
                    git.restore_from_head(path).map_err(git_failed)?;
                }
                None => {
                    remove(&file);
                    // Drop it from the index too, in case the command staged it.
                    git.unstage(path).map_err(git_failed)?;
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
    WorkingDir::at(worktree).head().ok().flatten()
}

fn git_failed(error: tdev_worktree::Error) -> String {
    error.to_string()
}
