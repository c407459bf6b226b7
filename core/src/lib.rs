//! Shared vocabulary of tdev: the typed record of one evolution cycle and the values it is made of.
//!
//! Every other crate speaks these types: research produces [`Finding`]s, the planner [`Task`]s
//! (each with its [`Strategy`] and the [`TaskFeatures`] its estimate was made from), the coder
//! and evaluator [`Attempt`]s, and the curator turns a whole [`CycleRecord`] into
//! triples; the learners train on [`TrainingRow`]s read back from them. The crate has no IO and few dependencies so that it changes slowly.
//!
//! ```
//! use tdev_core::{CycleRecord, Timestamp};
//!
//! let json = r#"{
//!   "id": "c-1",
//!   "repository": {"name": "demo", "location": "/src/demo", "language": "python"},
//!   "trigger": "manual", "goal": "raise quality of the hotspots",
//!   "started_at": "2026-11-25T10:00:00Z", "ended_at": "2026-11-25T10:05:00Z",
//!   "outcome": "no-change"
//! }"#;
//! let record: CycleRecord = serde_json::from_str(json)?;
//! assert!(record.validate().is_ok());
//! assert_eq!(record.started_at, Timestamp::parse("2026-11-25T10:00:00Z")?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

mod columns;
mod fate;
mod features;
mod finding;
mod hash;
pub mod lease;
mod pattern;
mod record;
mod refusal;
pub mod secrets;
mod strategy;
mod test_outcome;
mod time;
mod training;

pub use columns::{display_width, pad_end, truncate_to_width};
pub use fate::{
    BranchFate, DEFAULT_STALE_AFTER_DAYS, Fate, FateError, ProposedBranch, fates_to_observe,
    fates_to_record,
};
pub use features::TaskFeatures;
pub use finding::{Finding, Fixability, Severity, Span};
pub use hash::stable_hash;
pub use pattern::{Pattern, PatternOutcome};
pub use record::{
    Attempt, Change, CycleRecord, Evaluation, GateDecision, Language, MAX_ATTEMPTS_PER_TASK,
    MAX_TASK_HOURS, Metric, ModelRecord, Outcome, RecordProblem, Repository, Task, TokenUsage,
    Trigger,
};
pub use refusal::{PreGateRefusal, UnknownRefusal};
pub use strategy::{Family, Strategy, StrategyError, Tier};
pub use test_outcome::{TestOutcome, TestStatus};
pub use time::{Timestamp, TimestampError};
pub use training::{Baseline, Context, Labels, StrategyHistory, Tally, TrainingRow};
