//! What a sandboxed run ended with: its exit status, the end of its output, and, when the
//! sandbox stopped it, why, in a sentence that can go into a cycle record as it is.

use std::fmt;
use std::process::ExitStatus;
use std::time::Duration;

/// Why the sandbox stopped (or contained) a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StopReason {
    /// The run was still going at its wall-time limit and was killed.
    TimedOut {
        /// The limit.
        limit: Duration,
    },
    /// A process used more than its CPU-time limit.
    CpuTime {
        /// The limit.
        limit: Duration,
    },
    /// The run used more memory than allowed.
    Memory {
        /// The limit in bytes.
        limit: u64,
    },
    /// The run tried to have more processes alive at once than allowed; the forks beyond
    /// the limit failed.
    ProcessLimit {
        /// The limit.
        limit: u64,
    },
    /// A process tried to write a file larger than allowed.
    FileSize {
        /// The limit in bytes.
        limit: u64,
    },
    /// The run's first process was killed by a signal for another reason.
    Signal {
        /// The signal number.
        signal: i32,
    },
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TimedOut { limit } => write!(
                f,
                "stopped after the wall-time limit of {} s; every process it started was killed",
                limit.as_secs_f64()
            ),
            Self::CpuTime { limit } => write!(
                f,
                "stopped: a process used more than the CPU-time limit of {} s",
                limit.as_secs_f64()
            ),
            Self::Memory { limit } => write!(
                f,
                "stopped: it used more than the memory limit of {} MiB",
                limit >> 20
            ),
            Self::ProcessLimit { limit } => write!(
                f,
                "contained: it tried to run more than {limit} processes at once and the forks \
                 beyond the limit failed"
            ),
            Self::FileSize { limit } => write!(
                f,
                "stopped: it tried to write a file larger than the limit of {} MiB",
                limit >> 20
            ),
            Self::Signal { signal } => write!(f, "killed by signal {signal}"),
        }
    }
}

/// The result of [`crate::Sandbox::run`].
#[derive(Debug, Clone)]
pub struct RunOutcome {
    /// The exit status of the run's first process.
    pub status: ExitStatus,
    /// The last bytes of its standard output (lossily decoded).
    pub stdout_tail: String,
    /// The last bytes of its standard error (lossily decoded).
    pub stderr_tail: String,
    /// Wall time from start until every process was gone.
    pub duration: Duration,
    /// Why the sandbox stopped or contained it, if it did.
    pub stopped: Option<StopReason>,
}

impl RunOutcome {
    /// True when the command exited with status 0 and the sandbox did not stop it.
    pub fn success(&self) -> bool {
        self.status.success() && self.stopped.is_none()
    }
}
