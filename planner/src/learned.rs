//! The trained models behind the planner's [`Estimator`], for the tasks of one repository.
//!
//! It lives here rather than in `tdev-learners` so that the dependency runs from the planner
//! to the models: the learners know nothing of planning, and the planner can later use the
//! posteriors too (the first strategy of a task). The models predict from a task's features
//! *and* its context (the repository's baseline, the strategy's history), which
//! [`Estimator::estimate`] does not pass; the estimator is therefore made for one
//! repository, with the baseline and the histories the caller read for it.

use crate::{Estimate, Estimator};
use std::collections::HashMap;
use std::sync::Arc;
use tdev_core::{Baseline, Context, Strategy, StrategyHistory, TaskFeatures};
use tdev_learners::{LearnedModels, Prediction};

/// Estimates tasks of one repository with trained models.
#[derive(Clone, Debug)]
pub struct LearnedEstimator {
    models: Arc<LearnedModels>,
    baseline: Baseline,
    history: HashMap<(String, Strategy), StrategyHistory>,
    label: String,
}

impl LearnedEstimator {
    /// Estimates with `models` for a repository whose baseline is `baseline`; strategies
    /// have no history until [`LearnedEstimator::with_history`] gives it.
    pub fn new(models: Arc<LearnedModels>, baseline: Baseline) -> LearnedEstimator {
        LearnedEstimator {
            models,
            baseline,
            history: HashMap::new(),
            label: "learned models".to_owned(),
        }
    }

    /// Names the models in plans (`learned models v3`): what [`Estimator::describe`] says.
    pub fn with_label(mut self, label: impl Into<String>) -> LearnedEstimator {
        self.label = label.into();
        self
    }

    /// The history of each strategy on tasks of each kind, as the graph holds it now: the
    /// strategy's attempts on this repository, everywhere, and on tasks of that kind.
    pub fn with_history(
        mut self,
        history: impl IntoIterator<Item = ((String, Strategy), StrategyHistory)>,
    ) -> LearnedEstimator {
        self.history.extend(history);
        self
    }

    /// Everything the models expect of a task: seconds, probability, risk and tokens.
    pub fn prediction(&self, features: &TaskFeatures) -> Prediction {
        let history = self
            .history
            .get(&(features.kind.clone(), features.strategy.clone()))
            .copied()
            .unwrap_or_default();
        let context = Context {
            baseline: self.baseline,
            history,
        };
        self.models.predict(features, &context)
    }
}

/// Training rows at which a plan weighs the models' estimate and the heuristic's equally.
pub const HEURISTIC_ROWS: f64 = 100.0;

impl LearnedEstimator {
    /// The weight of the models' estimate against the heuristic's in a plan: `n / (n + 100)`
    /// for models trained on `n` rows.
    pub fn weight(&self) -> f64 {
        let rows = self.models.summary().rows as f64;
        rows / (rows + HEURISTIC_ROWS)
    }
}

impl Estimator for LearnedEstimator {
    /// The models' prediction shrunk toward the heuristic's by how much the models have seen
    /// ([`LearnedEstimator::weight`]): seconds by their logs, the probability linearly, the
    /// risk worked out again from both (`tdev_learners::risk`). Models trained on a handful
    /// of attempts barely move a plan (a safe fix is not "risk 5" because the first five
    /// attempts recorded failed); trained on thousands, they make it.
    fn estimate(&self, features: &TaskFeatures) -> Estimate {
        let prediction = self.prediction(features);
        let heuristic = crate::HeuristicEstimator.estimate(features);
        let w = self.weight();
        let heuristic_seconds = (heuristic.hours * 3600.0).max(tdev_learners::MIN_SECONDS);
        let seconds = (w * prediction.seconds.ln() + (1.0 - w) * heuristic_seconds.ln()).exp();
        let success_probability =
            w * prediction.success_probability + (1.0 - w) * heuristic.success_probability;
        let cost = tdev_learners::FailureCost {
            seconds,
            files: features.files,
        };
        Estimate {
            hours: seconds / 3600.0,
            success_probability,
            risk: tdev_learners::risk(1.0 - success_probability, cost),
        }
    }

    fn describe(&self) -> String {
        self.label.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tdev_core::{Family, Labels, Language, Tally, Timestamp, TrainingRow};

    fn features(strategy: &Strategy) -> TaskFeatures {
        TaskFeatures {
            kind: "fix-lint".into(),
            strategy: strategy.clone(),
            findings: 3,
            files: 1,
            total_complexity: 0.0,
            priority: 0.5,
        }
    }

    /// The estimate is the models' prediction in hours, and the history given for a
    /// strategy reaches the models.
    #[test]
    fn estimates_are_the_models_predictions_in_hours_with_the_strategys_history() {
        let strategy = Strategy::new(Family::UnsafeToolFix, "B0");
        let baseline = Baseline::unknown(Language::Python);
        // The strategy failed on its first attempts and passed once it had a record.
        let rows: Vec<TrainingRow> = (0..200u32)
            .map(|i| {
                let earlier = Tally {
                    attempts: i % 20,
                    passes: i % 20,
                };
                TrainingRow {
                    repository: "demo".into(),
                    started_at: Timestamp::parse("2026-11-25T10:00:00Z").unwrap(),
                    features: features(&strategy),
                    context: Context {
                        baseline,
                        history: StrategyHistory {
                            repository: earlier,
                            everywhere: earlier,
                            same_kind: earlier,
                        },
                    },
                    labels: Labels {
                        passed: i % 20 >= 10,
                        failed: vec![],
                        duration_secs: 30.0 + f64::from(i % 7),
                        tokens: None,
                        cost: None,
                        fate: None,
                    },
                }
            })
            .collect();
        let models = Arc::new(LearnedModels::train(&rows).unwrap());
        let fresh = LearnedEstimator::new(Arc::clone(&models), baseline);
        let proven = fresh.clone().with_history([(
            ("fix-lint".to_owned(), strategy.clone()),
            StrategyHistory {
                repository: Tally {
                    attempts: 15,
                    passes: 15,
                },
                everywhere: Tally {
                    attempts: 15,
                    passes: 15,
                },
                same_kind: Tally {
                    attempts: 15,
                    passes: 15,
                },
            },
        )]);
        let task = features(&strategy);
        let estimate = fresh.estimate(&task);
        let prediction = fresh.prediction(&task);
        assert!((30.0..37.0).contains(&prediction.seconds), "{prediction:?}");
        // 200 rows weigh two thirds against the heuristic's: the estimate lies between them,
        // where the weight puts it.
        let heuristic = crate::HeuristicEstimator.estimate(&task);
        let w = fresh.weight();
        assert!((w - 200.0 / 300.0).abs() < 1e-9);
        let expected =
            (w * prediction.seconds.ln() + (1.0 - w) * (heuristic.hours * 3600.0).ln()).exp();
        assert!(
            (estimate.hours * 3600.0 - expected).abs() < 1e-6,
            "{estimate:?}"
        );
        assert!(prediction.seconds < estimate.hours * 3600.0);
        assert!(estimate.hours < heuristic.hours);
        assert!(
            proven.estimate(&task).success_probability > estimate.success_probability + 0.3,
            "{:?} vs {estimate:?}",
            proven.estimate(&task)
        );
    }
}
