//! Effort, success and risk estimates behind one trait, so that trained models can replace the
//! heuristic without the planner changing.

use serde::{Deserialize, Serialize};

/// What an estimator knows about a task: the features a learned model is trained on.
///
/// Kept explicit and serialisable because the plan records them with each task, and the
/// learning phase reads them back as training examples.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskFeatures {
    /// The task's kind, e.g. `fix-lint`, `reduce-complexity`, `add-tests`.
    pub kind: String,
    /// The strategy that will do it, e.g. `ruff-fix:E7`, `codemod:yaml-safe-load`.
    pub strategy: String,
    /// How many findings the task addresses.
    pub findings: u32,
    /// How many files it touches.
    pub files: u32,
    /// Sum of the cyclomatic complexity of the code it addresses (0 when unknown).
    pub total_complexity: f64,
    /// The highest priority among its findings, in [0, 1].
    pub priority: f64,
}

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
pub trait Estimator {
    /// Estimates one task.
    fn estimate(&self, features: &TaskFeatures) -> Estimate;
}

impl<E: Estimator + ?Sized> Estimator for &E {
    fn estimate(&self, features: &TaskFeatures) -> Estimate {
        (**self).estimate(features)
    }
}

/// Fixed rules of thumb, used until trained models exist.
///
/// With `n` findings, `f` files and total complexity `c`:
///
/// | strategy | hours | success | risk |
/// |---|---|---|---|
/// | `ruff-fix:*`, `clippy-fix:*` | 0.1 + 0.02 n + 0.05 f | 0.95 | 1 |
/// | `codemod:*` | 0.2 + 0.05 n + 0.05 f | 0.85 | 2 |
/// | `ruff-unsafe-fix:*` | 0.3 + 0.1 n + 0.05 f | 0.70 | 3 |
/// | `llm:docstrings` | 0.2 + 0.15 n | 0.80 | 1 |
/// | `llm:add-tests` | 1 + 0.5 n | 0.60 | 2 |
/// | `llm:refactor` | the larger of 0.5 + 0.12 c and 1 n | 0.55 | 4; 5 above c = 40 |
/// | `llm:fix-security` | 0.5 + 0.3 n | 0.60 | 3 |
/// | other `llm:*` | 0.5 + 0.25 n | 0.65 | 3 |
/// | anything else | 1 + 0.5 n | 0.50 | 3 |
///
/// A task touching more than 5 files is one step riskier (at most 5). The tool fixes are cheap
/// and keep the code's meaning; refactoring costs in proportion to the complexity removed (a
/// function of complexity 30 takes about half a day). Priority does not change the estimate;
/// it is a feature for learned models, which may find that urgent findings are harder.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HeuristicEstimator;

impl Estimator for HeuristicEstimator {
    fn estimate(&self, features: &TaskFeatures) -> Estimate {
        let n = f64::from(features.findings);
        let f = f64::from(features.files);
        let c = features.total_complexity.max(0.0);
        let family = features.strategy.split(':').next().unwrap_or_default();
        let (hours, success_probability, risk) = match (family, features.strategy.as_str()) {
            ("ruff-fix" | "clippy-fix" | "format", _) => (0.1 + 0.02 * n + 0.05 * f, 0.95, 1),
            ("codemod", _) => (0.2 + 0.05 * n + 0.05 * f, 0.85, 2),
            ("ruff-unsafe-fix", _) => (0.3 + 0.1 * n + 0.05 * f, 0.70, 3),
            (_, "llm:docstrings") => (0.2 + 0.15 * n, 0.80, 1),
            (_, "llm:add-tests") => (1.0 + 0.5 * n, 0.60, 2),
            (_, "llm:refactor") => {
                let risk = if c > 40.0 { 5 } else { 4 };
                ((0.5 + 0.12 * c).max(n), 0.55, risk)
            }
            (_, "llm:fix-security") => (0.5 + 0.3 * n, 0.60, 3),
            ("llm", _) => (0.5 + 0.25 * n, 0.65, 3),
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
