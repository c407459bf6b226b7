//! Why an actor could not do what a cycle asked of it. Every message that can fail replies
//! with a [`PhaseError`]; the cycle keeps it typed while it decides what to do (stop, or
//! record and go on) and writes its text into the record as the reason the cycle failed.

use crate::ActorKind;
use std::path::PathBuf;

/// Why a phase of a cycle (research, plan, a change's git work, evaluation, recording) could
/// not be done.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PhaseError {
    /// The repository (or a change's worktree) could not be scanned.
    #[error(transparent)]
    Scan(#[from] tdev_research::Error),
    /// The goal is unknown or the plan is inconsistent.
    #[error(transparent)]
    Plan(#[from] tdev_planner::Error),
    /// git failed on the user's repository or an attempt's worktree.
    #[error(transparent)]
    Git(#[from] tdev_worktree::Error),
    /// The target's tests or build could not be prepared or run.
    #[error("{doing}: {source}")]
    Runner {
        /// What was being done, e.g. `running the tests`.
        doing: &'static str,
        /// What went wrong.
        #[source]
        source: tdev_runner::Error,
    },
    /// A tool's report (clippy's) could not be read.
    #[error(transparent)]
    Tool(#[from] tdev_tools::Error),
    /// A run of the target's tests or build was stopped by one of its limits.
    #[error("{run}: {why}")]
    Stopped {
        /// Which run, e.g. `the baseline test run`.
        run: &'static str,
        /// The limit that stopped it.
        why: tdev_runner::StopReason,
    },
    /// `cargo clippy` failed without reporting a compile error.
    #[error("cargo clippy failed:\n{stderr}")]
    Clippy {
        /// The end of its error output.
        stderr: String,
    },
    /// The change's diff could not be read.
    #[error("reading the diff: {0}")]
    Diff(#[source] tdev_gates::Error),
    /// The knowledge base could not answer or record.
    #[error("{doing}: {source}")]
    Knowledge {
        /// What was being done, e.g. `updating the pattern index`.
        doing: String,
        /// What went wrong.
        #[source]
        source: tdev_knowledge::Error,
    },
    /// The planner's models could not be trained on the recorded attempts.
    #[error("training the planner's models: {source}")]
    Learn {
        /// What the learners said.
        #[source]
        source: tdev_learners::Error,
    },
    /// A directory of tdev's own (scratch space) could not be made.
    #[error("making {}: {source}", path.display())]
    Io {
        /// The directory.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: std::io::Error,
    },
    /// The cycle asked about something the actor does not hold (a bug in the cycle).
    #[error("{0}")]
    Unknown(Unknown),
    /// Work the actor handed to a thread of its own stopped (panicked or was cancelled).
    #[error("{work} stopped: {reason}")]
    Interrupted {
        /// The work, e.g. `the scan`.
        work: &'static str,
        /// Why, as the runtime says.
        reason: String,
    },
    /// The actor did not answer in time.
    #[error("the {} actor did not answer within {secs} s", actor.name())]
    Timeout {
        /// The actor.
        actor: ActorKind,
        /// How long the cycle waited.
        secs: u64,
    },
    /// The actor failed while handling the request; it is restarted.
    #[error("the {} actor failed while serving the cycle (it is restarted)", actor.name())]
    Crashed {
        /// The actor.
        actor: ActorKind,
    },
    /// The actor was not running when asked.
    #[error("the {} actor is not running: {reason}", actor.name())]
    NotRunning {
        /// The actor.
        actor: ActorKind,
        /// What the actor framework said.
        reason: String,
    },
}

/// What the cycle asked about and the actor does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Unknown {
    /// No baseline was taken for the cycle a change was sent for.
    #[error("no baseline was taken for cycle {0}")]
    Baseline(String),
    /// No worktree is waiting on the branch the cycle wants kept.
    #[error("no worktree is waiting on {0}")]
    Worktree(String),
}

impl PhaseError {
    /// Runner errors with what was being done.
    pub(crate) fn runner(doing: &'static str) -> impl FnOnce(tdev_runner::Error) -> PhaseError {
        move |source| PhaseError::Runner { doing, source }
    }

    /// Knowledge-base errors with what was being done.
    pub(crate) fn knowledge(
        doing: impl Into<String>,
    ) -> impl FnOnce(tdev_knowledge::Error) -> Self {
        let doing = doing.into();
        move |source| PhaseError::Knowledge { doing, source }
    }

    /// A failure to make `path`.
    pub(crate) fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> PhaseError + '_ {
        move |source| PhaseError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// Work on a thread of its own that stopped.
    pub(crate) fn interrupted(work: &'static str) -> impl FnOnce(tokio::task::JoinError) -> Self {
        move |e| PhaseError::Interrupted {
            work,
            reason: e.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The texts a cycle's record gives as its reason: each names the actor or the work, and
    /// those that wrap a library's error keep its words.
    #[test]
    fn reasons_read_as_they_did_when_they_were_strings() {
        let cases: Vec<(PhaseError, &str)> = vec![
            (
                PhaseError::Timeout {
                    actor: ActorKind::Evaluator,
                    secs: 7200,
                },
                "the evaluator actor did not answer within 7200 s",
            ),
            (
                PhaseError::Crashed {
                    actor: ActorKind::Coder,
                },
                "the coder actor failed while serving the cycle (it is restarted)",
            ),
            (
                PhaseError::Stopped {
                    run: "the baseline test run",
                    why: tdev_runner::StopReason::TimedOut {
                        limit: std::time::Duration::from_secs(600),
                    },
                },
                "the baseline test run: stopped after the wall-time limit of 600 s; every \
                 process it started was killed",
            ),
            (
                PhaseError::Unknown(Unknown::Worktree("tdev/auto/c-t1-1".into())),
                "no worktree is waiting on tdev/auto/c-t1-1",
            ),
            (
                PhaseError::Interrupted {
                    work: "the scan",
                    reason: "task 7 panicked".into(),
                },
                "the scan stopped: task 7 panicked",
            ),
            (
                PhaseError::Io {
                    path: "/tmp/scratch".into(),
                    source: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
                },
                "making /tmp/scratch: permission denied",
            ),
        ];
        for (error, text) in cases {
            assert_eq!(error.to_string(), text);
        }
    }

    #[test]
    fn wrapped_errors_keep_their_source() {
        let error = PhaseError::knowledge("updating the pattern index")(
            tdev_knowledge::Error::Evaluation("the store is closed".into()),
        );
        assert!(std::error::Error::source(&error).is_some());
        assert_eq!(
            error.to_string(),
            "updating the pattern index: SPARQL evaluation failed: the store is closed"
        );
    }
}
