//! A small client of GitHub's REST API: opening a pull request for a pushed branch.

use reqwest::StatusCode;
use reqwest::blocking::{Client, Response};
use serde::{Deserialize, Serialize};

use crate::config::PublishConfig;
use crate::error::{Error, Result};
use crate::remote::GitHubRepo;

/// The REST API version tdev speaks.
const API_VERSION: &str = "2022-11-28";

/// A GitHub REST API client holding a token.
pub struct GitHub {
    client: Client,
    api_url: String,
    token: String,
    token_source: String,
}

impl std::fmt::Debug for GitHub {
    // The token must never reach a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitHub")
            .field("api_url", &self.api_url)
            .field("token_source", &self.token_source)
            .finish_non_exhaustive()
    }
}

/// The pull request to open.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NewPullRequest {
    /// Its title: the commit's subject line.
    pub title: String,
    /// The branch with the change (`tdev/auto/...`), or `owner:branch` from a fork.
    pub head: String,
    /// The branch it would merge into, e.g. `main`.
    pub base: String,
    /// Its description in Markdown.
    pub body: String,
}

/// A pull request on GitHub.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PullRequest {
    /// Its number in the repository.
    pub number: u64,
    /// Its page.
    pub html_url: String,
    /// False when one was already open for the branch and that one is returned.
    pub created: bool,
}

#[derive(Deserialize)]
struct PullResponse {
    number: u64,
    html_url: String,
}

/// GitHub's error body: a message and, for validation failures, one message per problem.
#[derive(Deserialize, Default)]
struct ErrorBody {
    #[serde(default)]
    message: String,
    #[serde(default)]
    errors: Vec<ErrorDetail>,
}

#[derive(Deserialize)]
struct ErrorDetail {
    #[serde(default)]
    message: Option<String>,
}

impl ErrorBody {
    fn text(&self) -> String {
        let mut parts = vec![self.message.clone()];
        parts.extend(self.errors.iter().filter_map(|e| e.message.clone()));
        parts.retain(|p| !p.is_empty());
        parts.join(": ")
    }
}

impl GitHub {
    /// A client of the API at `api_url` (e.g. `https://api.github.com`) with `token`;
    /// `token_source` names where the token came from, for error messages.
    pub fn new(api_url: &str, token: String, token_source: &str) -> Result<GitHub> {
        let client = Client::builder()
            .user_agent(concat!("tdev/", env!("CARGO_PKG_VERSION")))
            .timeout(std::time::Duration::from_secs(60))
            .build()?;
        Ok(GitHub {
            client,
            api_url: api_url.trim_end_matches('/').to_owned(),
            token,
            token_source: token_source.to_owned(),
        })
    }

    /// A client configured by `[publish]`, its token read from the environment variable
    /// the configuration names.
    pub fn from_config(config: &PublishConfig) -> Result<GitHub> {
        GitHub::new(&config.api_url, config.token()?, &config.github_token_env)
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::blocking::RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.api_url))
            .bearer_auth(&self.token)
            .header(reqwest::header::ACCEPT, "application/vnd.github+json")
            .header("X-GitHub-Api-Version", API_VERSION)
    }

    /// Opens a pull request (`POST /repos/{owner}/{repo}/pulls`). When one is already open
    /// for the same head (GitHub answers 422 "already exists"), that one is returned with
    /// `created: false`.
    pub fn create_pull_request(
        &self,
        repo: &GitHubRepo,
        pull: &NewPullRequest,
    ) -> Result<PullRequest> {
        let path = format!("/repos/{}/{}/pulls", repo.owner, repo.repo);
        let what = format!("POST {path}");
        let response = self
            .request(reqwest::Method::POST, &path)
            .json(pull)
            .send()?;
        match response.status() {
            status if status.is_success() => {
                let created: PullResponse = response.json()?;
                Ok(PullRequest {
                    number: created.number,
                    html_url: created.html_url,
                    created: true,
                })
            }
            StatusCode::UNPROCESSABLE_ENTITY => {
                let body = error_body(response);
                if body.text().contains("already exists") {
                    self.open_pull_request(repo, pull)
                } else {
                    Err(Error::GitHub {
                        status: 422,
                        what,
                        message: body.text(),
                    })
                }
            }
            _ => Err(self.failure(response, what)),
        }
    }

    /// The open pull request from `pull.head` into `pull.base`.
    fn open_pull_request(&self, repo: &GitHubRepo, pull: &NewPullRequest) -> Result<PullRequest> {
        let path = format!("/repos/{}/{}/pulls", repo.owner, repo.repo);
        let what = format!("GET {path}");
        let head = if pull.head.contains(':') {
            pull.head.clone()
        } else {
            format!("{}:{}", repo.owner, pull.head)
        };
        let response = self
            .request(reqwest::Method::GET, &path)
            .query(&[
                ("head", head.as_str()),
                ("base", pull.base.as_str()),
                ("state", "open"),
            ])
            .send()?;
        if !response.status().is_success() {
            return Err(self.failure(response, what));
        }
        let open: Vec<PullResponse> = response.json()?;
        let first = open.into_iter().next().ok_or_else(|| Error::GitHub {
            status: 422,
            what,
            message: format!("a pull request for {head} is said to exist, but none is open"),
        })?;
        Ok(PullRequest {
            number: first.number,
            html_url: first.html_url,
            created: false,
        })
    }

    fn failure(&self, response: Response, what: String) -> Error {
        let status = response.status();
        let body = error_body(response);
        if status == StatusCode::UNAUTHORIZED {
            Error::Unauthorized {
                token_source: self.token_source.clone(),
                message: body.text(),
            }
        } else {
            Error::GitHub {
                status: status.as_u16(),
                what,
                message: body.text(),
            }
        }
    }
}

fn error_body(response: Response) -> ErrorBody {
    let text = response.text().unwrap_or_default();
    serde_json::from_str(&text).unwrap_or(ErrorBody {
        message: text.trim().to_owned(),
        errors: Vec::new(),
    })
}
