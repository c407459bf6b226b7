//! Why running a target or setting up its tests failed: infrastructure, not the target's
//! verdict (a test that fails, or a command that the sandbox stops, is an outcome, not an error).

use std::path::PathBuf;

/// What went wrong while preparing or running a target.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file or directory could not be read, written or created.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What tdev was doing, as a verb phrase ("creating", "reading").
        action: &'static str,
        /// The path it was doing it to.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// A program needed to run or set up the target could not be started.
    #[error("cannot start {program}: {source}; is it installed and on PATH?")]
    Spawn {
        /// The program, as it was asked for.
        program: String,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// A configuration file of the repository could not be parsed.
    #[error("{}: {message}", path.display())]
    Config {
        /// The file.
        path: PathBuf,
        /// What was wrong, with line and column when the parser gave them.
        message: String,
    },
    /// Setting up the test environment failed (creating the virtual environment or
    /// installing packages); the message names the step and quotes the tool's last lines.
    #[error("setting up the test environment failed while {step}:\n{output}")]
    Setup {
        /// The step that failed, such as "installing requests>=2, pytest==9.2.0".
        step: String,
        /// The last lines the tool printed.
        output: String,
    },
    /// The repository has no test setup that tdev recognises.
    #[error("{}: {message}", repo.display())]
    NoTests {
        /// The repository.
        repo: PathBuf,
        /// What was looked for.
        message: String,
    },
}

impl Error {
    /// An [`Error::Io`] for `path`, to use with `map_err`.
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io {
            action,
            path,
            source,
        }
    }
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
