//! A git working directory opened by its path, for the coder's backends: what a tool or an
//! agent changed in an attempt's worktree, and putting it back when the attempt fails. The
//! backends are handed a directory, not the [`Worktree`](crate::Worktree) that made it, and
//! their git commands go through here like every other.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::git::Git;

/// A git working directory: an attempt's worktree, or any checkout.
#[derive(Clone, Debug)]
pub struct WorkingDir {
    dir: PathBuf,
}

impl WorkingDir {
    /// The working directory at `dir`; nothing is checked until an operation runs.
    pub fn at(dir: &Path) -> WorkingDir {
        WorkingDir {
            dir: dir.to_owned(),
        }
    }

    /// The commit checked out; `None` before the first commit.
    pub fn head(&self) -> Result<Option<String>> {
        Git::new(&self.dir)
            .args(["rev-parse", "--verify", "-q", "HEAD"])
            .optional_text()
    }

    /// The paths `git status` reports (modified, staged, deleted, untracked; both sides of a
    /// rename), relative to the top level.
    pub fn dirty_paths(&self) -> Result<BTreeSet<String>> {
        let out = Git::new(&self.dir)
            .args(["status", "--porcelain=v1", "-z", "--untracked-files=all"])
            .run()?;
        let out = String::from_utf8_lossy(&out);
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

    /// The paths that differ between the commit `from` and HEAD (`git diff --name-only`).
    pub fn changed_since(&self, from: &str) -> Result<Vec<String>> {
        let names = Git::new(&self.dir)
            .args(["diff", "--name-only", "-z", from, "HEAD", "--"])
            .run()?;
        Ok(String::from_utf8_lossy(&names)
            .split('\0')
            .filter(|path| !path.is_empty())
            .map(str::to_owned)
            .collect())
    }

    /// Whether HEAD has a file at `path`.
    pub fn in_head(&self, path: &str) -> Result<bool> {
        Ok(Git::new(&self.dir)
            .args(["cat-file", "-e", &format!("HEAD:{path}")])
            .output()?
            .success)
    }

    /// The content of `path` in HEAD; `None` when HEAD has no file there.
    pub fn read_in_head(&self, path: &str) -> Result<Option<Vec<u8>>> {
        if !self.in_head(path)? {
            return Ok(None);
        }
        Git::new(&self.dir)
            .args(["cat-file", "blob", &format!("HEAD:{path}")])
            .run()
            .map(Some)
    }

    /// Moves HEAD back to `commit`, keeping the files as they are (`git reset --soft`): what
    /// undoes commits an agent made.
    pub fn reset_soft(&self, commit: &str) -> Result<()> {
        Git::new(&self.dir)
            .args(["reset", "-q", "--soft", commit])
            .run()?;
        Ok(())
    }

    /// Puts `path` back as HEAD has it, in the index and the working directory.
    pub fn restore_from_head(&self, path: &str) -> Result<()> {
        Git::new(&self.dir)
            .args(["checkout", "HEAD", "--", path])
            .run()?;
        Ok(())
    }

    /// Drops `path` from the index, if it is there (a new file a command staged).
    pub fn unstage(&self, path: &str) -> Result<()> {
        Git::new(&self.dir)
            .args(["rm", "-q", "--cached", "--ignore-unmatch", "--", path])
            .run()?;
        Ok(())
    }
}

/// `current` with the change from `base` to `other` applied (`git merge-file`), or `None`
/// when that change touches lines `current` changed from `base` too. No repository is
/// involved: the three versions are written to a temporary directory.
pub fn merge_file(current: &[u8], base: &[u8], other: &[u8]) -> Result<Option<Vec<u8>>> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| crate::Error::Io { path, source }
    };
    let temp = std::env::temp_dir();
    let dir = tempfile::Builder::new()
        .prefix("tdev-merge-")
        .tempdir()
        .map_err(io(&temp))?;
    for (name, content) in [("current", current), ("base", base), ("other", other)] {
        let file = dir.path().join(name);
        std::fs::write(&file, content).map_err(io(&file))?;
    }
    let output = Git::new(dir.path())
        .args(["merge-file", "-p", "current", "base", "other"])
        .output()?;
    // The exit code is the number of conflicts; git's errors are negative (255 here).
    match output.code {
        Some(0) => Ok(Some(output.stdout)),
        Some(1..=127) => Ok(None),
        _ => Err(output.into_error("merge-file -p current base other".to_owned())),
    }
}
