//! The trained models as one value: what the Learn phase produces from rows, writes as one
//! file, and the planner asks for a task's effort, success probability, risk and first
//! strategy.

use crate::classifier::Classifier;
use crate::encode::Encoder;
use crate::error::{Error, Result};
use crate::posterior::{Posteriors, Prior};
use crate::regression::Regression;
use crate::risk::{FailureCost, risk};
use ndarray::{Array1, Axis};
use serde::{Deserialize, Serialize};
use tdev_core::{Context, Family, Strategy, TaskFeatures, TrainingRow};

/// Durations below this many seconds count as this many: a recorded 0 (a tool that
/// declined at once) has no logarithm, and nothing tdev does takes less.
pub const MIN_SECONDS: f64 = 0.1;

/// How training treats its rows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Options {
    /// Rows needed before the regression and the classifier are fitted; below, they fall
    /// back to per-family means and per-strategy rates.
    pub min_rows: usize,
    /// Task kinds with a column of their own, at most (the most frequent).
    pub max_kinds: usize,
    /// Strategies with a column of their own, at most (the most frequent).
    pub max_strategies: usize,
    /// The Beta prior of the per-strategy posteriors (the uniform one when either count is
    /// not a finite number above 0).
    pub prior: Prior,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            min_rows: 100,
            max_kinds: 16,
            max_strategies: 32,
            prior: Prior::default(),
        }
    }
}

/// What the models expect of one task.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Prediction {
    /// Expected wall time of an attempt, in seconds (the median estimate; at least
    /// [`MIN_SECONDS`]).
    pub seconds: f64,
    /// Probability that an attempt passes the gate, in [0, 1].
    pub success_probability: f64,
    /// Risk from 1 to 5 ([`risk`](crate::risk())).
    pub risk: u8,
    /// Expected tokens, for strategies a model backend carries out, once attempts with
    /// tokens have been recorded.
    pub tokens: Option<f64>,
}

/// Why a model was not fitted and a simpler estimate stands in for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Fallback {
    /// Fewer rows than [`Options::min_rows`].
    TooFewRows {
        /// Rows there were.
        rows: usize,
        /// Rows needed.
        needed: usize,
    },
    /// Every attempt passed, or none did: nothing tells passing from failing.
    SingleClass {
        /// Whether they all passed.
        passed: bool,
    },
}

/// How one model was fitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// A ridge regression of the log (effort, tokens).
    Ridge,
    /// A logistic regression (success).
    Logistic,
    /// The fallback: per-family means of the log, or per-strategy pass rates.
    Fallback(Fallback),
}

/// What was trained, for the model's record and the warnings of the Learn phase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary {
    /// Rows trained on.
    pub rows: usize,
    /// Encoded columns.
    pub columns: usize,
    /// The effort model.
    pub effort: Method,
    /// The tokens model, when any row had tokens.
    pub tokens: Option<Method>,
    /// The success model.
    pub success: Method,
    /// (Task kind, strategy) pairs with a posterior.
    pub arms: usize,
}

/// An estimate to compare with what happened: the part of a [`Prediction`] the evaluation
/// scores, which the heuristic can give too.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Forecast {
    /// Expected wall time, in seconds.
    pub seconds: f64,
    /// Probability of passing the gate.
    pub success_probability: f64,
}

/// The trained models: effort, tokens, success (and from these, risk) and the per-strategy
/// posteriors, with the encoding they share.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LearnedModels {
    pub(crate) rows: usize,
    pub(crate) encoder: Encoder,
    pub(crate) effort: Regression,
    pub(crate) tokens: Option<Regression>,
    pub(crate) success: Classifier,
    pub(crate) posteriors: Posteriors,
}

impl LearnedModels {
    /// Trains every model on `rows` with the default [`Options`].
    pub fn train(rows: &[TrainingRow]) -> Result<LearnedModels> {
        LearnedModels::train_with(rows, &Options::default())
    }

    /// Trains every model on `rows`.
    ///
    /// Rows are checked first ([`Error::InvalidRow`]); none at all is [`Error::NoRows`].
    /// Too few rows, or rows that all passed or all failed, are not an error: the models
    /// fall back to simpler estimates ([`Summary`] says which).
    pub fn train_with(rows: &[TrainingRow], options: &Options) -> Result<LearnedModels> {
        if rows.is_empty() {
            return Err(Error::NoRows);
        }
        for (index, row) in rows.iter().enumerate() {
            check(index, row)?;
        }
        let prior = if options.prior.is_valid() {
            options.prior
        } else {
            Prior::default()
        };
        let (encoder, x) = Encoder::fit(rows, options.max_kinds, options.max_strategies);
        let families: Vec<Family> = rows.iter().map(|r| r.features.strategy.family()).collect();

        let log_seconds = rows
            .iter()
            .map(|r| r.labels.duration_secs.max(MIN_SECONDS).ln())
            .collect::<Array1<f64>>();
        let effort = Regression::fit("effort", x.view(), log_seconds, &families, options.min_rows)?;

        let with_tokens: Vec<usize> = (0..rows.len())
            .filter(|i| rows[*i].labels.tokens.is_some())
            .collect();
        let tokens = if with_tokens.is_empty() {
            None
        } else {
            let log_tokens = with_tokens
                .iter()
                .map(|i| (rows[*i].labels.tokens.unwrap_or(0).max(1) as f64).ln())
                .collect::<Array1<f64>>();
            let families: Vec<Family> = with_tokens.iter().map(|i| families[*i]).collect();
            let x = x.select(Axis(0), &with_tokens);
            Some(Regression::fit(
                "tokens",
                x.view(),
                log_tokens,
                &families,
                options.min_rows,
            )?)
        };

        let passed: Vec<bool> = rows.iter().map(|r| r.labels.passed).collect();
        let strategies: Vec<&Strategy> = rows.iter().map(|r| &r.features.strategy).collect();
        let success = Classifier::fit(x.view(), &passed, &strategies, options.min_rows)?;

        Ok(LearnedModels {
            rows: rows.len(),
            encoder,
            effort,
            tokens,
            success,
            posteriors: Posteriors::from_rows(rows, prior),
        })
    }

    /// What the models expect of `features` in `context`.
    pub fn predict(&self, features: &TaskFeatures, context: &Context) -> Prediction {
        let mut encoded = vec![0.0; self.encoder.width()];
        self.encoder.encode(features, context, &mut encoded);
        let family = features.strategy.family();
        let seconds = self
            .effort
            .predict(&encoded, family)
            .exp()
            .clamp(MIN_SECONDS, f64::MAX);
        let success_probability = self
            .success
            .probability(&encoded, &features.strategy)
            .clamp(0.0, 1.0);
        let tokens = match &self.tokens {
            Some(model) if features.strategy.needs_model() => {
                Some(model.predict(&encoded, family).exp().clamp(1.0, f64::MAX))
            }
            _ => None,
        };
        let cost = FailureCost {
            seconds,
            files: features.files,
        };
        Prediction {
            seconds,
            success_probability,
            risk: risk(1.0 - success_probability, cost),
            tokens,
        }
    }

    /// The prediction for a recorded row, as the evaluation scores it.
    pub fn forecast(&self, row: &TrainingRow) -> Forecast {
        let prediction = self.predict(&row.features, &row.context);
        Forecast {
            seconds: prediction.seconds,
            success_probability: prediction.success_probability,
        }
    }

    /// The per-strategy posteriors, for Thompson sampling of the strategy tried first.
    pub fn posteriors(&self) -> &Posteriors {
        &self.posteriors
    }

    /// What was trained and how.
    pub fn summary(&self) -> Summary {
        Summary {
            rows: self.rows,
            columns: self.encoder.width(),
            effort: self.effort.method(),
            tokens: self.tokens.as_ref().map(Regression::method),
            success: self.success.method(),
            arms: self.posteriors.arms(),
        }
    }

    /// Whether every part fits the encoding and holds finite numbers: what a decoded file
    /// must satisfy before it is used.
    pub(crate) fn is_consistent(&self) -> bool {
        let width = self.encoder.width();
        self.encoder.is_consistent()
            && self.effort.is_consistent(width)
            && self.tokens.as_ref().is_none_or(|t| t.is_consistent(width))
            && self.success.is_consistent(width)
            && self.posteriors.prior().is_valid()
    }
}

/// Refuses a row with a value no attempt can have.
fn check(index: usize, row: &TrainingRow) -> Result<()> {
    let invalid = |field: &'static str, problem: String| {
        Err(Error::InvalidRow {
            index,
            field,
            problem,
        })
    };
    let non_negative = |v: f64| v.is_finite() && v >= 0.0;
    let labels = &row.labels;
    if !non_negative(labels.duration_secs) {
        return invalid(
            "duration",
            format!(
                "is {}; it must be a finite number of seconds, 0 or more",
                labels.duration_secs
            ),
        );
    }
    let features = &row.features;
    if !non_negative(features.total_complexity) {
        return invalid(
            "total complexity",
            format!(
                "is {}; it must be finite, 0 or more",
                features.total_complexity
            ),
        );
    }
    if !(features.priority.is_finite() && (0.0..=1.0).contains(&features.priority)) {
        return invalid(
            "priority",
            format!("is {}; it must be in [0, 1]", features.priority),
        );
    }
    let baseline = &row.context.baseline;
    if let Some(c) = baseline.coverage
        && !(c.is_finite() && (0.0..=1.0).contains(&c))
    {
        return invalid("coverage", format!("is {c}; it must be a share in [0, 1]"));
    }
    if let Some(s) = baseline.test_duration_secs
        && !non_negative(s)
    {
        return invalid(
            "test-suite duration",
            format!("is {s}; it must be a finite number of seconds, 0 or more"),
        );
    }
    if let Some(c) = baseline.churn
        && !non_negative(c)
    {
        return invalid("churn", format!("is {c}; it must be finite, 0 or more"));
    }
    let history = &row.context.history;
    for (field, tally) in [
        ("history here", history.repository),
        ("history everywhere", history.everywhere),
        ("history on the kind", history.same_kind),
    ] {
        if tally.passes > tally.attempts {
            return invalid(
                field,
                format!(
                    "counts {} passes in {} attempts",
                    tally.passes, tally.attempts
                ),
            );
        }
    }
    Ok(())
}
