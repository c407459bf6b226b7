//! Effort, success and risk estimates behind one trait, so that trained models can replace the
//! heuristic without the planner changing.

use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tdev_core::{Family, TaskFeatures};

/// An estimator's answer for one task.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// Expected effort in hours (above 0).
    pub hours: f64,
    /// Probability that an attempt passes the gate, in [0, 1].
    pub success_probability: f64,
    /// Risk from 1 (trivial) to 5 (dangerous).
    pub risk: u8,
}

/// Estimates a task from its features.
///
/// The planner checks what comes back (hours above 0 and finite, probability in [0, 1], risk
/// 1 to 5) and splits tasks estimated above [`tdev_core::MAX_TASK_HOURS`].
pub trait Estimator: std::fmt::Debug {
    /// Estimates one task.
    fn estimate(&self, features: &TaskFeatures) -> Estimate;

    /// What made the estimates, for a person reading the plan (`the heuristic`,
    /// `learned models v3 (1,204 attempts)`).
    fn describe(&self) -> String {
        "the heuristic".to_owned()
    }
}

impl<E: Estimator + ?Sized> Estimator for &E {
    fn estimate(&self, features: &TaskFeatures) -> Estimate {
        (**self).estimate(features)
    }

    fn describe(&self) -> String {
        (**self).describe()
    }
}

impl<E: Estimator + ?Sized> Estimator for Arc<E> {
    fn estimate(&self, features: &TaskFeatures) -> Estimate {
        (**self).estimate(features)
    }

    fn describe(&self) -> String {
        (**self).describe()
    }
}

/// An estimator shared between threads: what the supervisor tree's configuration carries, so
/// that a trained model replaces the heuristic without the planner or the actors changing.
pub type SharedEstimator = Arc<dyn Estimator + Send + Sync>;

/// Fixed rules of thumb, used until trained models exist.
///
/// With `n` findings, `f` files and total complexity `c`:
///
/// | strategy | hours | success | risk |
/// |---|---|---|---|
/// | `ruff-fix:*`, `clippy-fix:*`, `format:*` | 0.1 + 0.02 n + 0.05 f | 0.95 | 1 |
/// | `codemod:*` | 0.2 + 0.05 n + 0.05 f | 0.85 | 2 |
/// | `ruff-unsafe-fix:*` | 0.3 + 0.1 n + 0.05 f | 0.70 | 3 |
/// | `llm:docstrings` | 0.2 + 0.15 n | 0.80 | 1 |
/// | `llm:add-tests` | 1 + 0.5 n | 0.60 | 2 |
/// | `llm:refactor` | the larger of 0.5 + 0.12 c and 1 n | 0.55 | 4; 5 above c = 40 |
/// | `llm:fix-security` | 0.5 + 0.3 n | 0.60 | 3 |
/// | other `llm:*` | 0.5 + 0.25 n | 0.65 | 3 |
/// | a family added later | 1 + 0.5 n | 0.50 | 3 |
///
/// A `command:` strategy is estimated as the `llm:` one of the same name (an agent does the
/// model's work). A task touching more than 5 files is one step riskier (at most 5). The tool
/// fixes are cheap and keep the code's meaning; refactoring costs in proportion to the complexity removed (a
/// function of complexity 30 takes about half a day). Priority does not change the estimate;
/// it is a feature for learned models, which may find that urgent findings are harder.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HeuristicEstimator;

impl Estimator for HeuristicEstimator {
    fn estimate(&self, features: &TaskFeatures) -> Estimate {
        let n = f64::from(features.findings);
        let f = f64::from(features.files);
        let c = features.total_complexity.max(0.0);
        let (hours, success_probability, risk) = match features.strategy.family() {
            Family::ToolFix | Family::ClippyFix | Family::Formatter => {
                (0.1 + 0.02 * n + 0.05 * f, 0.95, 1)
            }
            Family::Codemod => (0.2 + 0.05 * n + 0.05 * f, 0.85, 2),
            Family::UnsafeToolFix => (0.3 + 0.1 * n + 0.05 * f, 0.70, 3),
            Family::Model | Family::Command => match features.strategy.name() {
                "docstrings" => (0.2 + 0.15 * n, 0.80, 1),
                "add-tests" => (1.0 + 0.5 * n, 0.60, 2),
                "refactor" => {
                    let risk = if c > 40.0 { 5 } else { 4 };
                    ((0.5 + 0.12 * c).max(n), 0.55, risk)
                }
                "fix-security" => (0.5 + 0.3 * n, 0.60, 3),
                _ => (0.5 + 0.25 * n, 0.65, 3),
            },
            _ => (1.0 + 0.5 * n, 0.50, 3),
        };
        let risk = if features.files > 5 { risk + 1 } else { risk };
        Estimate {
            hours,
            success_probability,
            risk: risk.min(5),
        }
    }
}
