//! The one rule about branch names: tdev creates, pushes and deletes only `tdev/auto/...`.

use std::path::Path;

use crate::error::{Error, Result};
use crate::git::Git;

/// The prefix of every branch tdev creates; no other branch is ever created, moved or deleted.
pub const BRANCH_PREFIX: &str = "tdev/auto/";

/// Checks that `branch` is under [`BRANCH_PREFIX`] and is a valid git branch name.
pub(crate) fn check_branch(repo: &Path, branch: &str) -> Result<()> {
    let rest = branch.strip_prefix(BRANCH_PREFIX).unwrap_or_default();
    if rest.is_empty() || !branch.starts_with(BRANCH_PREFIX) {
        return Err(Error::BranchOutsidePrefix {
            branch: branch.to_owned(),
            prefix: BRANCH_PREFIX,
        });
    }
    // `check-ref-format --branch` also expands `@{-1}`-style names; a name that expands to
    // something else is not the literal name asked for, so compare the echo too.
    let output = Git::new(repo)
        .args(["check-ref-format", "--branch", branch])
        .output()?;
    let echoed = String::from_utf8_lossy(&output.stdout);
    if !output.success || echoed.trim_end() != branch {
        return Err(Error::InvalidBranch(branch.to_owned()));
    }
    Ok(())
}

/// Whether `refs/heads/<branch>` exists.
pub(crate) fn branch_exists(repo: &Path, branch: &str) -> Result<bool> {
    Git::new(repo)
        .args([
            "show-ref",
            "--verify",
            "--quiet",
            &format!("refs/heads/{branch}"),
        ])
        .yes()
}
