//! tdev's optional publishing of a kept branch: a push of that one branch to the user's
//! remote and a pull request on GitHub, with the commit's subject as title and its
//! description as body. Nothing leaves the machine unless `[publish] push` says so.
//!
//! This is the only crate of tdev's that speaks to GitHub, and it holds the HTTP client that
//! brings, so that `tdev-worktree`, which every crate asks for git, needs none. Its git
//! commands (the push, a remote's URL) go through `tdev-worktree`'s [`Repo`].
//!
//! ```
//! use std::process::Command;
//! use tdev_publish::{PublishConfig, parse_github_url, publish_branch};
//! use tdev_worktree::Repo;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let home = tempfile::tempdir()?;
//! let (user, remote) = (home.path().join("project"), home.path().join("remote.git"));
//! let git = |dir: &std::path::Path, args: &[&str]| {
//!     Command::new("git").arg("-C").arg(dir).args(args).status()
//! };
//! std::fs::create_dir(&user)?;
//! git(&user, &["init", "-q"])?;
//! std::fs::write(user.join("app.py"), "x = 1\n")?;
//! git(&user, &["add", "."])?;
//! git(&user, &["-c", "user.name=u", "-c", "user.email=u@x", "commit", "-qm", "init"])?;
//! git(home.path(), &["init", "-q", "--bare", "remote.git"])?;
//! git(&user, &["remote", "add", "origin", remote.to_str().unwrap()])?;
//!
//! // A kept change, on its `tdev/auto/` branch.
//! let repo = Repo::open(&user)?;
//! let worktree = repo.create_worktree(&repo.head()?, "tdev/auto/c1-t1", &home.path().join("wt"))?;
//! std::fs::write(worktree.path().join("app.py"), "x = 2\n")?;
//! worktree.commit("Set x to 2")?;
//! let kept = worktree.keep()?;
//!
//! // Pushed; without a token in the variable the configuration names, no pull request.
//! let config = PublishConfig {
//!     push: true,
//!     github_token_env: "TDEV_EXAMPLE_TOKEN_NEVER_SET".to_owned(),
//!     ..PublishConfig::default()
//! };
//! let pull = publish_branch(&repo, &config, &kept.branch, Some("main"), "Set x to 2")?;
//! assert_eq!(pull, None);
//! assert!(git(&remote, &["show-ref", "--verify", "-q", "refs/heads/tdev/auto/c1-t1"])?.success());
//!
//! // Where pull requests would go: the repository the remote's URL names.
//! let github = parse_github_url("git@github.com:octo/hello.git").unwrap();
//! assert_eq!((github.owner.as_str(), github.repo.as_str()), ("octo", "hello"));
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs)]

mod branch;
mod config;
mod error;
mod github;
mod remote;

pub use branch::publish_branch;
pub use config::PublishConfig;
pub use error::{Error, Result};
pub use github::{GitHub, NewPullRequest, PullRequest};
pub use remote::{GitHubRepo, parse_github_url};
