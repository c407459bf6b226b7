//! Why publishing a kept branch failed, in words a person can act on.

/// Everything that can go wrong while pushing a kept branch and proposing it on GitHub.
///
/// A push or pull request that fails does not undo the change: the branch stays kept, and
/// the caller reports the error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// git refused or failed: the push, or reading the remote's URL.
    #[error(transparent)]
    Git(#[from] tdev_worktree::Error),
    /// The remote's URL does not name a `owner/repo` on a GitHub host.
    #[error(
        "cannot tell the GitHub owner and repository from the remote URL `{0}`: set `owner` and `repo` in [publish]"
    )]
    NotGitHubRemote(String),
    /// The environment variable meant to hold the GitHub token is unset or empty.
    #[error("no GitHub token: the environment variable {0} is unset or empty")]
    TokenMissing(String),
    /// GitHub refused the token.
    #[error(
        "GitHub refused the token from {token_source} (401 Unauthorized): {message}; create a token with pull-request write access and set it there"
    )]
    Unauthorized {
        /// Where the token came from (an environment variable's name).
        token_source: String,
        /// GitHub's own message.
        message: String,
    },
    /// GitHub answered with an unexpected status.
    #[error("GitHub answered {status} to {what}: {message}")]
    GitHub {
        /// The HTTP status code.
        status: u16,
        /// What was asked, e.g. `POST /repos/o/r/pulls`.
        what: String,
        /// GitHub's message (and validation errors), or the body.
        message: String,
    },
    /// The HTTP request could not be made or its answer not read.
    #[error("request to GitHub failed: {0}")]
    Http(#[from] reqwest::Error),
}

impl Error {
    /// Whether the failure is the user's to fix (a setting of `[publish]`, the token, or what
    /// git says is the user's), as opposed to git, GitHub or the network failing.
    pub fn is_user_error(&self) -> bool {
        match self {
            Error::Git(e) => e.is_user_error(),
            Error::NotGitHubRemote(_) | Error::TokenMissing(_) | Error::Unauthorized { .. } => true,
            Error::GitHub { .. } | Error::Http(_) => false,
        }
    }
}

/// The result of publishing.
pub type Result<T> = std::result::Result<T, Error>;
