//! One change at a time to git's list of worktrees.
//!
//! `git worktree add` writes a new entry under `.git/worktrees/` in several steps, and every
//! `git worktree` command reads all the entries; one that reads an entry another is still
//! writing fails ("failed to read .git/worktrees/NAME/commondir"). The coder pool makes
//! several worktrees of one repository at once, so every command that adds, removes, prunes
//! or lists worktrees holds this lock: an exclusive `flock` on the repository's git
//! directory. It is advisory, so git itself and the user's own commands are not held up, and
//! it serves threads and processes alike (each lock opens its own descriptor); the kernel
//! releases it when its holder ends, however it ends, and it leaves no file behind.

use std::fs::File;
use std::path::Path;

use crate::error::{Error, Result};

/// Held while git's worktree list changes; released when dropped.
#[derive(Debug)]
pub(crate) struct AdminLock {
    _held: File,
}

impl AdminLock {
    /// Waits for, then takes, the lock of the repository whose (common) git directory is
    /// `git_dir`.
    pub(crate) fn take(git_dir: &Path) -> Result<AdminLock> {
        let io = |source| Error::Io {
            path: git_dir.to_owned(),
            source,
        };
        let file = File::open(git_dir).map_err(io)?;
        file.lock().map_err(io)?;
        Ok(AdminLock { _held: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_waits_for_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let first = AdminLock::take(dir.path()).unwrap();
        // Another descriptor in this same process is refused while the first is held...
        let other = File::open(dir.path()).unwrap();
        assert!(other.try_lock().is_err());
        drop(first);
        // ...and takes it once the first is gone.
        assert!(other.try_lock().is_ok());
    }
}
