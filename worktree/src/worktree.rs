//! A linked git worktree where one attempt makes its change, on its own `tdev/auto/` branch.

use std::path::{Path, PathBuf};

use crate::admin::AdminLock;
use crate::branch::BRANCH_PREFIX;
use crate::diff;
use crate::error::{Error, Result};
use crate::git::Git;

/// A checkout of a base commit outside the user's working tree, on a new `tdev/auto/`
/// branch, made by [`Repo::create_worktree`](crate::Repo::create_worktree).
///
/// End it with [`keep`](Worktree::keep) (the branch stays) or
/// [`discard`](Worktree::discard) (the branch goes). One dropped without either, e.g. by a
/// panic, removes its directory on a best-effort basis and keeps its branch;
/// [`Repo::prune`](crate::Repo::prune) cleans up after a crash.
#[derive(Debug)]
pub struct Worktree {
    repo: PathBuf,
    git_dir: PathBuf,
    path: PathBuf,
    branch: String,
    base: String,
    identity: (String, String),
    finished: bool,
}

/// A branch kept with its change committed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Kept {
    /// The branch, under `tdev/auto/`.
    pub branch: String,
    /// The commit the branch points to.
    pub commit: String,
}

impl Worktree {
    pub(crate) fn new(
        repo: PathBuf,
        git_dir: PathBuf,
        path: PathBuf,
        branch: String,
        base: String,
        identity: (String, String),
    ) -> Worktree {
        Worktree {
            repo,
            git_dir,
            path,
            branch,
            base,
            identity,
            finished: false,
        }
    }

    /// The worktree's directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The branch checked out in it.
    pub fn branch(&self) -> &str {
        &self.branch
    }

    /// The commit id it started from.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Records every file in the worktree's own index (`git add -A`; ignored files stay
    /// out), so diffs see new and deleted files. The user's index is a different file.
    fn stage(&self) -> Result<()> {
        Git::new(&self.path).args(["add", "-A"]).run()?;
        Ok(())
    }

    fn staged_diff(&self, options: &[String]) -> Result<String> {
        self.stage()?;
        let args = format!("diff --cached {}", options.join(" "));
        let bytes = Git::new(&self.path)
            .args(["diff", "--cached"])
            .args(options)
            .args([self.base.as_str(), "--"])
            .run()?;
        String::from_utf8(bytes).map_err(|_| Error::NotUtf8(args))
    }

    /// The change against the base as a unified diff without context (`-U0`, prefixes
    /// `a/` and `b/`, renames detected), new and deleted files included: what the gates
    /// parse.
    pub fn diff(&self) -> Result<String> {
        self.staged_diff(&diff::unified(0))
    }

    /// The same change with three lines of context, for people: pull-request
    /// descriptions and pattern examples.
    pub fn diff_with_context(&self) -> Result<String> {
        self.staged_diff(&diff::unified(3))
    }

    /// The paths the change touches (both sides of a rename), relative to the top level.
    pub fn changed_files(&self) -> Result<Vec<String>> {
        self.stage()?;
        let names = Git::new(&self.path)
            .args([
                "diff",
                "--cached",
                "--name-only",
                "-z",
                "--no-renames",
                "--no-relative",
                self.base.as_str(),
                "--",
            ])
            .run()?;
        Ok(names
            .split(|&b| b == 0)
            .filter(|name| !name.is_empty())
            .map(|name| String::from_utf8_lossy(name).into_owned())
            .collect())
    }

    /// The `git patch-id --stable` of the change against the base; `None` when nothing
    /// changed. The same change made twice has the same id, which
    /// [`Repo::branch_with_patch_id`](crate::Repo::branch_with_patch_id) looks up.
    pub fn patch_id(&self) -> Result<Option<String>> {
        self.stage()?;
        let bytes = Git::new(&self.path)
            .args(["diff", "--cached"])
            .args(diff::PATCH_ID_DIFF)
            .args([self.base.as_str(), "--"])
            .run()?;
        diff::patch_id(&self.path, bytes)
    }

    /// Commits everything in the worktree on its branch and returns the commit id.
    ///
    /// Author and committer are tdev's identity ([`DEFAULT_IDENTITY`](crate::DEFAULT_IDENTITY)
    /// unless [`Repo::with_identity`](crate::Repo::with_identity) set another); the message
    /// is kept as written (Markdown headings are not comments); no hook runs and nothing is
    /// signed.
    pub fn commit(&self, message: &str) -> Result<String> {
        self.stage()?;
        let unchanged = Git::new(&self.path)
            .args(["diff", "--cached", "--quiet", "HEAD", "--"])
            .yes()?;
        if unchanged {
            return Err(Error::NothingToCommit(self.branch.clone()));
        }
        let (name, email) = &self.identity;
        Git::new(&self.path)
            .env("GIT_AUTHOR_NAME", name)
            .env("GIT_AUTHOR_EMAIL", email)
            .env("GIT_COMMITTER_NAME", name)
            .env("GIT_COMMITTER_EMAIL", email)
            .args([
                "commit",
                "--quiet",
                "--no-verify",
                "--no-gpg-sign",
                "--cleanup=whitespace",
                "--file=-",
            ])
            .input(message.as_bytes().to_vec())
            .run()?;
        Git::new(&self.path)
            .args(["rev-parse", "--verify", "HEAD"])
            .text()
    }

    /// Removes the worktree's directory and keeps its branch with whatever was committed;
    /// changes not committed are dropped.
    pub fn keep(mut self) -> Result<Kept> {
        let commit = Git::new(&self.repo)
            .args([
                "rev-parse",
                "--verify",
                &format!("refs/heads/{}", self.branch),
            ])
            .text()?;
        self.finished = true;
        self.remove()?;
        Ok(Kept {
            branch: self.branch.clone(),
            commit,
        })
    }

    /// Removes the worktree's directory and deletes its branch.
    pub fn discard(mut self) -> Result<()> {
        // Only tdev's own branches may ever be deleted; `create_worktree` refuses any other
        // name, so failing here means a bug, not a user's mistake.
        assert!(
            self.branch.starts_with(BRANCH_PREFIX),
            "tdev must never delete the branch {}",
            self.branch
        );
        self.finished = true;
        // `git branch -D` reads the worktree list too (a branch checked out is not deleted).
        let _lock = AdminLock::take(&self.git_dir)?;
        self.remove_held()?;
        Git::new(&self.repo)
            .args(["branch", "-D", &self.branch])
            .run()?;
        Ok(())
    }

    /// `git worktree remove --force`; when git cannot (the directory is half gone or
    /// locked), deletes the directory and lets `git worktree prune` forget it.
    fn remove(&self) -> Result<()> {
        let _lock = AdminLock::take(&self.git_dir)?;
        self.remove_held()
    }

    /// [`remove`](Worktree::remove), with the lock on the worktree list already held.
    fn remove_held(&self) -> Result<()> {
        if self.path.exists() {
            let removed = Git::new(&self.repo)
                .args(["worktree", "remove", "--force"])
                .args([&self.path])
                .run();
            if removed.is_ok() {
                return Ok(());
            }
            match std::fs::remove_dir_all(&self.path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(Error::Io {
                        path: self.path.clone(),
                        source: e,
                    });
                }
                _ => {}
            }
        }
        Git::new(&self.repo).args(["worktree", "prune"]).run()?;
        Ok(())
    }
}

impl Drop for Worktree {
    fn drop(&mut self) {
        if !self.finished {
            // Best effort: a panic must not leave a checkout behind, and a failure here has
            // nobody to report to; `Repo::prune` cleans up whatever remains.
            let _ = self.remove();
        }
    }
}
