//! What `tdev status` shows of a running daemon: each schedule with its last and next run,
//! the cycle under way and what holds it back, and the budgets with what is left of them.
//! Serialisable, as it crosses the control socket and `tdev status --json` prints it.

use crate::policy::Hold;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use tdev_core::Timestamp;

/// The daemon as it is now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DaemonStatus {
    /// The daemon's process id.
    pub pid: u32,
    /// No new cycle starts (`tdev pause`).
    pub paused: bool,
    /// The kill switch is on (`tdev pause --now`): running cycles make no new attempt.
    pub halted: bool,
    /// Stopping (SIGTERM or SIGINT): running cycles end their attempt, none starts.
    pub stopping: bool,
    /// Every scheduled repository.
    pub repositories: Vec<RepositoryStatus>,
    /// The budgets across all repositories.
    pub budgets: BudgetStatus,
}

/// One scheduled repository.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RepositoryStatus {
    /// Its top level.
    pub path: PathBuf,
    /// Its name in the knowledge graph.
    pub name: String,
    /// The cron expression.
    pub schedule: String,
    /// The occurrence its last cycle ran for.
    pub last_run: Option<Timestamp>,
    /// Its next occurrence.
    pub next_run: Option<Timestamp>,
    /// The cycle under way, by id.
    pub running: Option<String>,
    /// Why it is due and did not start, when it is.
    pub held: Option<Hold>,
    /// Its cycles started in the last hour.
    pub cycles_last_hour: u32,
    /// Its own cycles-per-hour budget.
    pub cycles_per_hour: Option<u32>,
    /// Its open `tdev/auto/` branches.
    pub open_branches: u32,
    /// Its open-branches budget.
    pub open_branches_limit: Option<u32>,
    /// Who holds its lease when another daemon sharing the graph does (it then runs the
    /// repository's cycles, this one none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leased_to: Option<String>,
}

/// The budgets across all repositories, and what is used.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BudgetStatus {
    /// Cycles started in the last hour.
    pub cycles_last_hour: u32,
    /// The budget.
    pub cycles_per_hour: Option<u32>,
    /// What today's (UTC) cycles cost.
    pub spent_today: f64,
    /// The budget.
    pub spend_per_day: Option<f64>,
}
