//! The host's one error type: every interface (CLI, daemon, MCP) tells the user's mistakes
//! (exit code 2, HTTP 4xx) from tdev's or the machine's failures by `Error::is_user_error`.

use std::path::PathBuf;

/// What went wrong in an operation of the host.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A mistake in what the user gave (a path, a file, the configuration): one sentence
    /// saying what, where and what to do.
    #[error("{message}")]
    User {
        /// The sentence.
        message: String,
        /// Printed after the error, such as the offending line with a caret.
        hint: Option<String>,
    },
    /// The knowledge graph or pattern index failed, or refused the input.
    #[error(transparent)]
    Knowledge(#[from] tdev_knowledge::Error),
    /// Scanning failed.
    #[error(transparent)]
    Research(#[from] tdev_research::Error),
    /// Planning failed or the goal or findings were refused.
    #[error(transparent)]
    Planner(#[from] tdev_planner::Error),
    /// The tool environment failed or is missing.
    #[error(transparent)]
    Tools(#[from] tdev_tools::Error),
    /// git refused or failed on the user's repository.
    #[error(transparent)]
    Worktree(#[from] tdev_worktree::Error),
    /// The supervisor tree could not start or stopped.
    #[error(transparent)]
    Actors(#[from] tdev_actors::Error),
    /// No blueprint can build the spec, a value given for one is wrong, or (a fault of
    /// tdev) a blueprint is broken.
    #[error(transparent)]
    Blueprints(#[from] tdev_blueprints::Error),
    /// A generated service's environment could not be prepared.
    #[error(transparent)]
    Runner(#[from] tdev_runner::Error),
    /// The learners could not train on the recorded attempts.
    #[error("training the planner's models: {0}")]
    Learners(#[from] tdev_learners::Error),
    /// A file or directory could not be read or written.
    #[error("{context}: {source}")]
    Io {
        /// What was being done, with the path.
        context: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The process holding the data directory answered a read request with something that is
    /// not the protocol, or stopped answering half-way.
    #[error("the tdev process holding {dir} did not answer properly: {message}")]
    Holder {
        /// The data directory.
        dir: PathBuf,
        /// What went wrong.
        message: String,
    },
}

/// Result of the host's operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A mistake of the user's, in one sentence.
    pub fn user(message: impl Into<String>) -> Self {
        Self::User {
            message: message.into(),
            hint: None,
        }
    }

    /// Adds text printed after the error.
    #[must_use]
    pub fn with_hint(self, hint: impl Into<String>) -> Self {
        match self {
            Self::User { message, .. } => Self::User {
                message,
                hint: Some(hint.into()),
            },
            other => other,
        }
    }

    /// A closure that wraps an IO error with what was being done.
    pub fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> Self {
        let context = context.into();
        move |source| Self::Io { context, source }
    }

    /// True when the user can fix it by changing their input (exit code 2).
    pub fn is_user_error(&self) -> bool {
        match self {
            Self::User { .. } => true,
            Self::Knowledge(e) => e.is_user_error(),
            Self::Planner(e) => e.is_user_error(),
            Self::Tools(e) => e.is_user_error(),
            Self::Worktree(e) => e.is_user_error(),
            Self::Blueprints(e) => e.is_user_error(),
            Self::Research(tdev_research::Error::NotADirectory(_)) => true,
            _ => false,
        }
    }

    /// Text to print after the error, when there is some.
    pub fn hint(&self) -> Option<&str> {
        match self {
            Self::User { hint, .. } => hint.as_deref(),
            _ => None,
        }
    }
}
