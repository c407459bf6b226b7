//! Pushing one kept branch, and nothing else, to a remote.

use crate::branch::check_branch;
use crate::error::Result;
use crate::git::Git;
use crate::repo::Repo;

/// Pushes `branch` (a `tdev/auto/` branch) to the same name on `remote`; no other ref, no
/// tags, no hooks, never forced.
pub fn push(repo: &Repo, branch: &str, remote: &str) -> Result<()> {
    check_branch(repo.path(), branch)?;
    let refspec = format!("refs/heads/{branch}:refs/heads/{branch}");
    Git::new(repo.path())
        .args([
            "push",
            "--quiet",
            "--no-verify",
            "--no-follow-tags",
            "--",
            remote,
            &refspec,
        ])
        .run()?;
    Ok(())
}
