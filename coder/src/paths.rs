//! Turns a path named by a patch or a command into a file inside the worktree, refusing any
//! that could reach outside it: absolute paths, `..`, symlinks, and git's own directory.

use crate::FailureReason;
use std::path::{Component, Path, PathBuf};

/// The absolute path of `relative` inside `worktree` and its normal spelling (`/`-separated,
/// no `./`), or the refusal.
///
/// Existing ancestors are resolved through the file system so a symlinked directory that
/// leads out is caught; the file itself must not be a symlink, because writing it would
/// replace the link and reading it would follow it.
pub(crate) fn resolve(worktree: &Path, relative: &str) -> Result<(PathBuf, String), FailureReason> {
    let refuse = || FailureReason::PathOutsideWorktree {
        path: relative.to_owned(),
    };
    let path = Path::new(relative);
    if relative.is_empty() || relative.contains('\0') {
        return Err(refuse());
    }
    let mut names = Vec::new();
    for component in path.components() {
        match component {
            Component::Normal(name) if name != ".git" => names.push(name.to_string_lossy()),
            Component::CurDir => {}
            _ => return Err(refuse()),
        }
    }
    if names.is_empty() {
        return Err(refuse());
    }
    let normal = names.join("/");
    let root = worktree.canonicalize().map_err(|_| refuse())?;
    let target = root.join(&normal);
    if target
        .symlink_metadata()
        .is_ok_and(|meta| meta.file_type().is_symlink())
    {
        return Err(refuse());
    }
    let mut ancestor = target.parent();
    while let Some(dir) = ancestor {
        if dir.exists() {
            let real = dir.canonicalize().map_err(|_| refuse())?;
            if !real.starts_with(&root) {
                return Err(refuse());
            }
            break;
        }
        ancestor = dir.parent();
    }
    Ok((target, normal))
}
