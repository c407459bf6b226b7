//! Why a git operation failed, in words a person can act on.

use std::path::PathBuf;

/// Everything that can go wrong while isolating, committing or pushing a change.
///
/// A change that fails a gate is not an error; these are failures of the machinery (git,
/// the file system) or refusals that protect the user's repository.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The `git` program could not be started.
    #[error("git was not found: install git and make sure it is on PATH ({0})")]
    GitMissing(#[source] std::io::Error),
    /// The path is not inside a git repository, git says.
    #[error("{} is not a git repository: run `git init` there, or point tdev at a checkout", path.display())]
    NotARepository {
        /// The path that was given.
        path: PathBuf,
    },
    /// The path is inside a bare repository, which has no working tree to change.
    #[error("{} is in a bare git repository, which has no working tree: point tdev at a checkout of it", path.display())]
    BareRepository {
        /// The path that was given.
        path: PathBuf,
    },
    /// git refused the repository because another user owns it: its `safe.directory`
    /// protection against running another user's configuration and hooks.
    #[error("git refuses to work in {}: the repository is owned by another user, and git's `safe.directory` setting does not list it; if you trust it, run `{command}` and try again", path.display())]
    DubiousOwnership {
        /// The repository as git names it.
        path: PathBuf,
        /// The command git suggests to trust it.
        command: String,
    },
    /// The repository has no commit, so there is no base to branch from.
    #[error("{} has no commits yet: commit something first, tdev branches from HEAD", path.display())]
    NoCommits {
        /// The repository's top level.
        path: PathBuf,
    },
    /// A git command exited with a failure.
    #[error("`git {args}` failed ({status}): {stderr}")]
    Git {
        /// The arguments, joined by spaces.
        args: String,
        /// The exit status as printed by the OS.
        status: String,
        /// What git wrote on its standard error, trimmed.
        stderr: String,
    },
    /// A branch name tdev may not create or delete: only `tdev/auto/...` names are allowed.
    #[error("refusing branch `{branch}`: tdev only creates and deletes branches under `{prefix}`")]
    BranchOutsidePrefix {
        /// The refused name.
        branch: String,
        /// The prefix every tdev branch carries.
        prefix: &'static str,
    },
    /// The branch name is not a valid git branch name.
    #[error("`{0}` is not a valid git branch name")]
    InvalidBranch(String),
    /// The branch already exists; tdev never reuses or moves a branch.
    #[error("branch `{0}` already exists: tdev never moves an existing branch")]
    BranchExists(String),
    /// The worktree directory would be inside the user's working tree or git directory.
    #[error("refusing worktree directory {}: it is inside the repository at {} (worktrees live outside it, e.g. in the data directory)", dir.display(), repo.display())]
    DirInsideRepository {
        /// The refused directory.
        dir: PathBuf,
        /// The repository's top level or git directory it would be inside.
        repo: PathBuf,
    },
    /// The base commit does not exist in the repository.
    #[error("`{0}` does not name a commit in this repository")]
    UnknownBase(String),
    /// There was nothing to commit in the worktree.
    #[error("nothing to commit in the worktree of `{0}`")]
    NothingToCommit(String),
    /// Reading or writing a file or directory failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// `tar` could not unpack a commit's files (`git archive | tar -x`).
    #[error("unpacking {commit} into {} failed: {detail}", dir.display())]
    Unpack {
        /// The commit exported.
        commit: String,
        /// Where its files were to go.
        dir: PathBuf,
        /// What tar said, or why it could not run.
        detail: String,
    },
    /// git printed something that is not UTF-8 where text was expected.
    #[error("`git {0}` printed text that is not UTF-8")]
    NotUtf8(String),
}

impl Error {
    /// Whether the failure is the user's to fix (a path that is no usable repository, a
    /// repository git refuses, git missing), as opposed to git or the machine failing: the
    /// binary exits 2 for these.
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            Error::GitMissing(_)
                | Error::NotARepository { .. }
                | Error::BareRepository { .. }
                | Error::DubiousOwnership { .. }
                | Error::NoCommits { .. }
        )
    }
}

/// The result of this crate's operations.
pub type Result<T> = std::result::Result<T, Error>;
