//! Why planning can fail: the user's words, inconsistent input, or an estimator out of range.

use crate::Goal;

/// Everything that can go wrong while planning or analysing a task graph.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The words name no goal the planner knows.
    #[error("unknown goal {given:?}; the known goals are: {}", Goal::known())]
    UnknownGoal {
        /// The words as given.
        given: String,
    },
    /// The words name more than one goal.
    #[error(
        "the goal {given:?} names more than one goal ({}); pick one of: {}",
        matches.iter().map(|g| format!("{:?}", g.as_str())).collect::<Vec<_>>().join(", "),
        Goal::known()
    )]
    AmbiguousGoal {
        /// The words as given.
        given: String,
        /// The goals they name.
        matches: Vec<Goal>,
    },
    /// Two findings share an id, so a task could not say which one it addresses.
    #[error("two findings have the id {0:?}; finding ids must be unique")]
    DuplicateFinding(String),
    /// Two tasks share an id.
    #[error("two tasks have the id {0:?}; task ids must be unique")]
    DuplicateTask(String),
    /// A task depends on a task that is not in the graph.
    #[error("task {task:?} depends on {dependency:?}, which is not in the plan")]
    UnknownDependency {
        /// The task.
        task: String,
        /// The id it names.
        dependency: String,
    },
    /// A task addresses a finding that is not among the findings given.
    #[error("task {task:?} addresses finding {finding:?}, which is not among the findings")]
    UnknownFinding {
        /// The task.
        task: String,
        /// The finding id it names.
        finding: String,
    },
    /// Tasks depend on each other in a cycle, so no order can satisfy them.
    #[error("the tasks depend on each other in a cycle: {}", cycle.join(" -> "))]
    Cycle {
        /// The task ids along the cycle, the first repeated at the end.
        cycle: Vec<String>,
    },
    /// The estimator returned a value out of range.
    #[error("the estimator gave {task} an invalid {what}")]
    InvalidEstimate {
        /// What the task was about to be (its title).
        task: String,
        /// Which value was invalid, with the value.
        what: String,
    },
    /// A task stays above the 4-hour limit however it is split.
    #[error(
        "{task} is still estimated at {hours:.1} h when split into {stages} stages, above the \
         limit of {limit} h per task",
        limit = tdev_core::MAX_TASK_HOURS
    )]
    TooLarge {
        /// The task (its title).
        task: String,
        /// Its smallest estimate.
        hours: f64,
        /// Into how many stages it was split at most.
        stages: u32,
    },
}

impl Error {
    /// Whether the error is the user's mistake (their words or their input file) rather than a
    /// failure of the planner or its estimator.
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            Self::UnknownGoal { .. }
                | Self::AmbiguousGoal { .. }
                | Self::DuplicateFinding(_)
                | Self::DuplicateTask(_)
                | Self::UnknownDependency { .. }
                | Self::UnknownFinding { .. }
                | Self::Cycle { .. }
        )
    }
}

/// The planner's result type.
pub type Result<T> = std::result::Result<T, Error>;
