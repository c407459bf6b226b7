//! tdev's isolation and merge step: every attempt works in its own linked git worktree on a
//! `tdev/auto/` branch, outside the user's working tree, and a gate-passing change is kept
//! on that branch with a commit message and pull-request description that say what, why and
//! how it was judged. A kept branch can be pushed ([`Repo::push`]); opening its pull request
//! over GitHub's API is `tdev-publish`'s, so that this crate needs no HTTP client.
//!
//! All of it drives the real `git` program. tdev never writes to the user's working tree,
//! index, HEAD or branches: its only traces in a repository are `refs/heads/tdev/auto/*`
//! and git's worktree metadata under `.git/worktrees/`. [`Repo::snapshot`] captures what
//! must stay the same so tests can prove it.
//!
//! tdev's git commands start here (`git.rs`), so each gets the same protective options:
//! other crates read a repository's state and commits through [`Repo`], the coder's
//! backends inspect and restore an attempt's directory through [`WorkingDir`], and research
//! reads a directory's history for churn through [`log_patches`]; what became of the branches
//! tdev proposed (merged, squashed and cherry-picked ones included) is
//! [`Repo::branch_fates`].
//!
//! ```
//! use std::process::Command;
//! use tdev_worktree::Repo;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let home = tempfile::tempdir()?;
//! let user = home.path().join("project");
//! let git = |args: &[&str]| Command::new("git").arg("-C").arg(&user).args(args).status();
//! std::fs::create_dir(&user)?;
//! git(&["init", "-q"])?;
//! std::fs::write(user.join("app.py"), "x = 1\n")?;
//! git(&["add", "."])?;
//! git(&["-c", "user.name=u", "-c", "user.email=u@x", "commit", "-qm", "init"])?;
//!
//! let repo = Repo::open(&user)?;
//! let before = repo.snapshot()?;
//! let base = repo.head()?;
//! let worktree = repo.create_worktree(&base, "tdev/auto/c1-t1", &home.path().join("wt"))?;
//! std::fs::write(worktree.path().join("app.py"), "x = 2\n")?;
//! assert!(worktree.diff()?.contains("+x = 2"));
//! worktree.commit("Set x to 2")?;
//! let kept = worktree.keep()?;
//! assert_eq!(repo.branches("tdev/auto/")?, vec![kept.branch]);
//! assert_eq!(repo.snapshot()?, before);
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs)]

mod admin;
mod branch;
mod description;
mod diff;
mod error;
mod fate;
mod git;
mod history;
mod names;
mod recover;
mod remote;
mod repo;
mod snapshot;
mod workdir;
mod worktree;

pub use branch::BRANCH_PREFIX;
pub use description::{
    MAX_SUBJECT_CHARS, PrInfo, commit_message, commit_subject, cycle_graph_iri, pr_description,
};
pub use error::{Error, Result};
pub use history::log_patches;
pub use names::{repo_key, repository_name};
pub use recover::Abandoned;
pub use repo::{DEFAULT_IDENTITY, Repo};
pub use snapshot::Snapshot;
pub use workdir::{WorkingDir, merge_file};
pub use worktree::{Kept, Worktree};
