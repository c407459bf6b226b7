//! The user's remotes: where a kept branch is pushed, one branch and nothing else, and the
//! URL a remote names (from which publishing tells the GitHub repository).

use crate::branch::check_branch;
use crate::error::Result;
use crate::git::Git;
use crate::repo::Repo;

impl Repo {
    /// Pushes `branch` (a `tdev/auto/` branch) to the same name on `remote`; no other ref, no
    /// tags, no hooks, never forced.
    pub fn push(&self, branch: &str, remote: &str) -> Result<()> {
        check_branch(self.path(), branch)?;
        let refspec = format!("refs/heads/{branch}:refs/heads/{branch}");
        Git::new(self.path())
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

    /// The URL `remote` fetches from (`git remote get-url`); an unknown remote is an error.
    pub fn remote_url(&self, remote: &str) -> Result<String> {
        Git::new(self.path())
            .args(["remote", "get-url", "--", remote])
            .text()
    }
}
