//! The daemon's policy, as pure functions: cron schedules ([`Schedule`]), what the daemon
//! remembers across restarts ([`State`]), the budgets ([`Budgets`]) and [`decide`], which says
//! for each repository whether a cycle starts now or what holds it back ([`Hold`]), and
//! [`admit`], the same for a cycle asked for off its schedule; and the
//! [`DaemonStatus`] `tdev status` shows. No clock and no IO: the scheduler actor passes the
//! time and what it measured, and writes the state.
//!
//! ```
//! use tdev_core::Timestamp;
//! use tdev_schedule::{Budgets, Decision, Repository, State, Usage, decide};
//!
//! let at = |t: &str| Timestamp::parse(t).unwrap();
//! let nightly = Repository {
//!     key: "/src/project".into(),
//!     schedule: "0 3 * * *".parse()?,
//!     cycles_per_hour: None,
//!     open_branches: Some(5),
//! };
//! let mut state = State::default();
//! state.track(["/src/project"], at("2026-12-01T12:00:00Z"));
//! // Stopped for two nights: one cycle is owed, for the latest night.
//! let verdicts = decide(&[nightly], &Budgets::default(), &state, &Usage::default(),
//!     at("2026-12-03T08:00:00Z"));
//! assert_eq!(verdicts[0].decision, Decision::Start { slot: at("2026-12-03T03:00:00Z") });
//! # Ok::<(), tdev_schedule::ScheduleError>(())
//! ```
#![warn(missing_docs)]

mod cron;
mod policy;
mod state;
mod status;

pub use cron::{Schedule, ScheduleError};
pub use policy::{
    Admission, Budgets, Decision, Hold, Repository, Scope, Usage, Verdict, admit, decide,
};
pub use state::{HOUR, RepositoryState, Start, State};
pub use status::{BudgetStatus, DaemonStatus, RepositoryStatus};
