//! What can go wrong when tdev installs or runs an external tool. A tool *finding* problems in
//! the code it looks at is not an error: adapters return those as findings or outcomes.

use std::path::PathBuf;

/// Errors of installing and running external tools.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The Python interpreter that creates the tool environment is not there.
    #[error(
        "{python} was not found; install Python 3 (Debian/Ubuntu: `apt-get install python3 python3-venv`)"
    )]
    NoPython {
        /// The interpreter tdev tried to run.
        python: PathBuf,
    },
    /// The interpreter exists but cannot create virtual environments.
    #[error(
        "{python} cannot create a virtual environment (its venv or ensurepip module is missing; Debian/Ubuntu: `apt-get install python3-venv`): {detail}"
    )]
    NoVenv {
        /// The interpreter tdev ran.
        python: PathBuf,
        /// The last lines it wrote to stderr.
        detail: String,
    },
    /// pip failed to install a pinned tool.
    #[error("pip failed to install {spec} into {dir}; its last words: {detail}")]
    PipFailed {
        /// `name==version`.
        spec: String,
        /// The tool environment.
        dir: PathBuf,
        /// The last lines pip wrote to stderr.
        detail: String,
    },
    /// A tool an adapter needs is not in tdev's tool environment (or its install never finished).
    #[error("{tool} is not installed in tdev's tool environment {dir}; run `tdev tools install`")]
    NotInstalled {
        /// The tool.
        tool: String,
        /// The tool environment.
        dir: PathBuf,
    },
    /// The tool environment was installed from other pins than this tdev's.
    #[error(
        "tdev's tool environment {dir} holds other versions than this tdev pins; run `tdev tools install`"
    )]
    Outdated {
        /// The tool environment.
        dir: PathBuf,
    },
    /// The target's Python lacks a module the adapter runs (pytest, coverage).
    #[error(
        "{python} cannot import {module}; install pytest and coverage into the project's environment"
    )]
    MissingModule {
        /// The interpreter.
        python: PathBuf,
        /// The module it lacks.
        module: String,
    },
    /// cargo has no clippy (a toolchain installed without the component).
    #[error("cargo clippy is not installed; run `rustup component add clippy`")]
    NoClippy,
    /// A program could not be started at all.
    #[error("{program} could not be started: {source}")]
    Spawn {
        /// The program.
        program: String,
        /// Why.
        source: std::io::Error,
    },
    /// A tool ran longer than its time limit and was killed with its process group.
    #[error("{tool} did not finish within {seconds} s and was killed")]
    Timeout {
        /// The tool.
        tool: String,
        /// The limit.
        seconds: u64,
    },
    /// A tool was killed by a signal.
    #[error("{tool} crashed (signal {signal}); its last words: {detail}")]
    Crashed {
        /// The tool.
        tool: String,
        /// The signal number.
        signal: i32,
        /// The last lines it wrote to stderr.
        detail: String,
    },
    /// A tool exited with a status that means it failed, not that it found problems.
    #[error("{tool} failed (exit code {code}); its last words: {detail}")]
    Failed {
        /// The tool.
        tool: String,
        /// Its exit code.
        code: i32,
        /// The last lines it wrote to stderr.
        detail: String,
    },
    /// A tool's output was not what its adapter reads.
    #[error("the output of {tool} could not be read: {detail}")]
    Output {
        /// The tool.
        tool: String,
        /// What was wrong.
        detail: String,
    },
    /// Reading or writing a file failed.
    #[error("{context}: {source}")]
    Io {
        /// What tdev was doing.
        context: String,
        /// Why it failed.
        source: std::io::Error,
    },
}

impl Error {
    /// Whether the user can fix it (install something, run `tdev tools install`), as opposed to
    /// a tool or the machine failing.
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            Self::NoPython { .. }
                | Self::NoVenv { .. }
                | Self::NotInstalled { .. }
                | Self::Outdated { .. }
                | Self::MissingModule { .. }
                | Self::NoClippy
        )
    }

    pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> Self {
        let context = context.into();
        move |source| Self::Io { context, source }
    }
}

/// Result of installing and running tools.
pub type Result<T, E = Error> = std::result::Result<T, E>;
