//! Publishing one kept branch: the push, then, when a token is there, its pull request.

use tdev_worktree::Repo;

use crate::config::PublishConfig;
use crate::error::Result;
use crate::github::{GitHub, NewPullRequest, PullRequest};

/// Pushes the kept `branch` to the configured remote and, when the token variable holds a
/// token and the user's checkout is on a branch (`base`), opens its pull request against
/// `base`, titled with the first paragraph of the commit `message` and described by the
/// rest. Returns the pull request, or `None` when none was asked for.
///
/// Whether to publish at all (`[publish] push`) is the caller's to check.
pub fn publish_branch(
    repo: &Repo,
    config: &PublishConfig,
    branch: &str,
    base: Option<&str>,
    message: &str,
) -> Result<Option<PullRequest>> {
    repo.push(branch, &config.remote)?;
    let (Ok(github), Some(base)) = (GitHub::from_config(config), base) else {
        return Ok(None);
    };
    let (title, body) = message.split_once("\n\n").unwrap_or((message, ""));
    let pull = github.create_pull_request(
        &config.github_repo(repo)?,
        &NewPullRequest {
            title: title.to_owned(),
            head: branch.to_owned(),
            base: base.to_owned(),
            body: body.to_owned(),
        },
    )?;
    Ok(Some(pull))
}
