//! What an estimate of a task is made from: the features a learned model is trained on.
//!
//! The planner computes them for each task and the cycle record keeps them with the task, so
//! the learning phase reads every task's features back from the graph next to how its
//! attempts went.

use crate::Strategy;
use serde::{Deserialize, Serialize};

/// What an estimator knows about a task.
///
/// Kept explicit and serialisable because the record keeps them with each task
/// (`Task::features`), and the learning phase reads them back as training examples.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskFeatures {
    /// The task's kind, e.g. `fix-lint`, `reduce-complexity`, `add-tests`.
    pub kind: String,
    /// The strategy that will do it, e.g. `ruff-fix:E7`, `codemod:yaml-safe-load`.
    pub strategy: Strategy,
    /// How many findings the task addresses.
    pub findings: u32,
    /// How many files it touches.
    pub files: u32,
    /// Sum of the cyclomatic complexity of the code it addresses (0 when unknown); a stage of
    /// a task done in stages carries its share.
    pub total_complexity: f64,
    /// The highest priority among its findings, in [0, 1].
    pub priority: f64,
}
