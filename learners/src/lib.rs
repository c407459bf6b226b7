//! Learned estimators for tdev's planner: effort (a ridge regression of the log of an
//! attempt's duration, and of a model backend's tokens), success (a logistic regression of
//! the gate passing, giving a probability), risk 1 to 5 derived from both, and per-strategy
//! Beta posteriors for choosing, by Thompson sampling, which strategy to try first.
//!
//! The crate is pure: it is given [`TrainingRow`]s (read out of the knowledge graph by
//! `tdev-knowledge`) and returns [`LearnedModels`], which go to and from bytes
//! ([`LearnedModels::to_bytes`]); where those bytes are kept is the caller's business. It
//! knows nothing of the store, the actors or the planner: the planner's `Estimator` is
//! implemented on top of [`LearnedModels::predict`] where both are visible. With few rows,
//! or rows that all passed or all failed, the models fall back to per-family means and
//! per-strategy rates instead of failing ([`Summary`] says which). The measures
//! `tdev learn eval` reports ([`metrics`]) and the retraining rule ([`retrain`]) are here
//! too. `docs/learning.md` lists every feature and how it is encoded.
//!
//! ```
//! use tdev_core::{Baseline, Context, Family, Labels, Language, Strategy, StrategyHistory,
//!                 TaskFeatures, Timestamp, TrainingRow};
//! use tdev_learners::LearnedModels;
//! use tdev_learners::rand::{SeedableRng, rngs::StdRng};
//!
//! let features = |strategy: &Strategy| TaskFeatures {
//!     kind: "fix-lint".into(),
//!     strategy: strategy.clone(),
//!     findings: 2,
//!     files: 1,
//!     total_complexity: 0.0,
//!     priority: 0.5,
//! };
//! let context = Context {
//!     baseline: Baseline::unknown(Language::Python),
//!     history: StrategyHistory::default(),
//! };
//! let safe = Strategy::new(Family::ToolFix, "E7");
//! let unsafe_fix = Strategy::new(Family::UnsafeToolFix, "E7");
//! // The safe fix passed in 3 seconds five times; the unsafe one failed after 40 seconds.
//! let mut rows = Vec::new();
//! for (strategy, passed, seconds) in [(&safe, true, 3.0), (&unsafe_fix, false, 40.0)] {
//!     for _ in 0..5 {
//!         rows.push(TrainingRow {
//!             repository: "demo".into(),
//!             started_at: Timestamp::parse("2026-11-25T10:00:00Z")?,
//!             features: features(strategy),
//!             context,
//!             labels: Labels { passed, failed: vec![], duration_secs: seconds,
//!                              tokens: None, cost: None, fate: None },
//!         });
//!     }
//! }
//! let models = LearnedModels::train(&rows)?;
//! let (quick, slow) = (models.predict(&features(&safe), &context),
//!                      models.predict(&features(&unsafe_fix), &context));
//! assert!(quick.seconds < slow.seconds);
//! assert!(quick.success_probability > slow.success_probability && quick.risk < slow.risk);
//!
//! // The file the Learn phase writes, read back.
//! let models = LearnedModels::from_bytes(&models.to_bytes())?;
//! // Thompson sampling with the caller's seeded generator tries the safe fix first.
//! let order = models.posteriors().thompson_order(
//!     "fix-lint", &[unsafe_fix.clone(), safe.clone()], &mut StdRng::seed_from_u64(7));
//! assert_eq!(order[0], safe);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

mod classifier;
mod encode;
mod error;
mod evaluate;
mod format;
pub mod metrics;
mod models;
mod posterior;
mod regression;
mod risk;

pub use error::{Error, Result};
pub use evaluate::{
    BRIER_SLACK, CALIBRATION_BINS, Comparison, EFFORT_TOLERANCE, Evaluation, MAE_SLACK, Retrain,
    evaluate, no_worse, retrain, score,
};
pub use format::FORMAT_VERSION;
pub use models::{
    Fallback, Forecast, LearnedModels, MIN_SECONDS, Method, Options, Prediction, Summary,
};
pub use posterior::{Outcomes, Posteriors, Prior};
/// The random number generators Thompson sampling takes, re-exported so that a caller seeds
/// one of the same version.
pub use rand;
pub use risk::{FailureCost, WIDE_TASK_FILES, risk};
pub use tdev_core::{Baseline, Context, Labels, StrategyHistory, Tally, TrainingRow};
