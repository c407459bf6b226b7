//! tdev's planner: decomposes a cycle's goal over the research findings into primitive tasks
//! of at most 4 hours each, estimated for effort, success and risk, ordered in a DAG with its
//! critical path and the groups that can run in parallel.
//!
//! The decomposition is a hierarchical task network (HTN, `htn.rs`): a [`Goal`] names
//! [`Compound`] tasks, whose methods turn findings into primitive tasks grouped by file or
//! directory. Estimates come from an [`Estimator`]: [`HeuristicEstimator`], or
//! [`LearnedEstimator`] once `tdev-learners` has trained models. Dependencies follow fixed
//! ordering rules (`dependencies.rs`) and form a [`TaskGraph`]. The planner plans only what
//! the run's [`Backends`] can carry out: without a model, work only a model could do is left
//! out and counted ([`NeedsModel`]).
//!
//! The policy of a cycle around the plan lives here too, as pure functions the cycle calls:
//! which findings are planned for ([`select`]), which strategies a task's attempts follow
//! ([`attempt_order`]), the order its parallel groups run in ([`Plan::task_groups`]) and how
//! the attempts add up to the cycle's outcome ([`cycle_outcome`]). The crate knows nothing of
//! actors or the command line.
//!
//! ```
//! use tdev_core::{Finding, Fixability, Severity};
//! use tdev_planner::{Goal, Planner};
//!
//! let finding = |id: &str, kind: &str, fix: Option<Fixability>| Finding {
//!     id: id.into(),
//!     kind: kind.into(),
//!     severity: Severity::Medium,
//!     path: "app/config.py".into(),
//!     span: None,
//!     symbol: None,
//!     message: String::new(),
//!     evidence: None,
//!     metrics: Default::default(),
//!     fix,
//!     priority: 0.5,
//! };
//! let findings = [
//!     finding("f1", "bandit:B506", None),
//!     finding("f2", "ruff:F401", Some(Fixability::Safe)),
//! ];
//! let plan = Planner::default().plan(Goal::parse("fix security findings")?, &findings)?;
//! assert_eq!(plan.tasks.len(), 1);
//! assert_eq!(plan.tasks[0].strategy.to_string(), "codemod:yaml-safe-load");
//! assert!(tdev_planner::mermaid(&plan).starts_with("flowchart TD"));
//! # Ok::<(), tdev_planner::Error>(())
//! ```
#![warn(missing_docs)]

mod attempts;
mod backends;
mod dependencies;
mod error;
mod estimate;
mod goal;
mod graph;
mod htn;
mod learned;
mod plan;
mod render;
mod selection;
mod split;
mod title;

pub use attempts::{PRIOR_ATTEMPTS, attempt_order, cycle_outcome, order_by_posteriors};
pub use backends::{BackendChoice, Backends, NeedsModel, NoModel};
pub use error::{Error, Result};
pub use estimate::{Estimate, Estimator, HeuristicEstimator, SharedEstimator};
pub use goal::Goal;
pub use graph::{CriticalPath, TaskGraph};
pub use htn::{Compound, Concern, LOW_COVERAGE, Situation, rule_family};
pub use learned::LearnedEstimator;
pub use plan::{DEFAULT_MAX_TASKS, Plan, Planner, TaskDetail};
pub use render::{mermaid, text};
pub use selection::{Earlier, Selection, select};
pub use tdev_core::TaskFeatures;
pub use title::{strategy_action, title};
