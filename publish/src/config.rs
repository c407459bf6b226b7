//! The `[publish]` table of `tdev.toml`: whether and where kept branches are published.

use serde::{Deserialize, Serialize};

use tdev_worktree::Repo;

use crate::error::{Error, Result};
use crate::remote::{GitHubRepo, parse_github_url};

/// How kept branches are published. Nothing leaves the machine unless `push` is true; a
/// pull request is opened as well when the token variable holds a token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PublishConfig {
    /// Push each kept branch to `remote`.
    pub push: bool,
    /// The remote pushed to, and whose URL names the GitHub repository.
    pub remote: String,
    /// The environment variable holding the GitHub token (never the token itself).
    pub github_token_env: String,
    /// The GitHub REST API's base URL; GitHub Enterprise Server uses
    /// `https://HOST/api/v3`.
    pub api_url: String,
    /// The repository's owner on GitHub; read from the remote's URL when absent.
    pub owner: Option<String>,
    /// The repository's name on GitHub; read from the remote's URL when absent.
    pub repo: Option<String>,
}

impl Default for PublishConfig {
    fn default() -> PublishConfig {
        PublishConfig {
            push: false,
            remote: "origin".to_owned(),
            github_token_env: "GITHUB_TOKEN".to_owned(),
            api_url: "https://api.github.com".to_owned(),
            owner: None,
            repo: None,
        }
    }
}

impl PublishConfig {
    /// The GitHub repository pull requests go to: `owner` and `repo` when both are set,
    /// otherwise parsed from the URL of `remote` in `repo`.
    pub fn github_repo(&self, repo: &Repo) -> Result<GitHubRepo> {
        if let (Some(owner), Some(name)) = (&self.owner, &self.repo) {
            return Ok(GitHubRepo {
                owner: owner.clone(),
                repo: name.clone(),
            });
        }
        let url = repo.remote_url(&self.remote)?;
        let parsed = parse_github_url(&url).ok_or(Error::NotGitHubRemote(url))?;
        Ok(GitHubRepo {
            owner: self.owner.clone().unwrap_or(parsed.owner),
            repo: self.repo.clone().unwrap_or(parsed.repo),
        })
    }

    /// Checks the values serde cannot: the API URL is http(s), the remote and the token
    /// variable are named. Returns the first problem in words.
    pub fn validate(&self) -> std::result::Result<(), String> {
        if !(self.api_url.starts_with("https://") || self.api_url.starts_with("http://")) {
            return Err(format!(
                "publish.api_url must be an http(s) URL, not `{}`",
                self.api_url
            ));
        }
        if self.remote.trim().is_empty() {
            return Err("publish.remote must name a git remote".to_owned());
        }
        let name = &self.github_token_env;
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!(
                "publish.github_token_env must be the name of an environment variable (letters, digits, _), not `{name}`; the token itself never goes in the file"
            ));
        }
        Ok(())
    }

    /// The token from the environment variable [`github_token_env`](Self::github_token_env).
    pub fn token(&self) -> Result<String> {
        match std::env::var(&self.github_token_env) {
            Ok(token) if !token.trim().is_empty() => Ok(token.trim().to_owned()),
            _ => Err(Error::TokenMissing(self.github_token_env.clone())),
        }
    }
}
