//! Optional publishing of a kept branch: a push to a remote and a GitHub pull request.

mod config;
mod github;
mod push;
mod remote;

pub use config::PublishConfig;
pub use github::{GitHub, NewPullRequest, PullRequest};
pub use push::push;
pub use remote::{GitHubRepo, parse_github_url};
