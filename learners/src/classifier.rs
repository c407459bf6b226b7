//! The success model: a logistic regression of "the gate passed" on the encoded features,
//! giving a probability, and the smoothed pass rates per strategy it falls back to when there
//! are too few rows or only one outcome to learn from.
//!
//! linfa-logistic fits it (L-BFGS on the summed log-loss). Its L2 penalty (`alpha`) of
//! [`LOGISTIC_ALPHA`] weighs like four rows of a category at even odds (a row's loss curves
//! by p(1 - p), at most 1/4), which keeps the coefficients finite when a strategy always
//! passes (a separable column) and fades as rows accumulate. The solver starts from the
//! linear probability model ([`warm_start`]), which costs one small linear solve and saves
//! about a third of the solver's time on 100,000 rows.

use crate::error::{Error, Result};
use crate::{Fallback, Method};
use linfa::DatasetBase;
use linfa::traits::Fit;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, ArrayView2};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tdev_core::Strategy;

/// The L2 penalty of the logistic regression on its summed log-loss.
const LOGISTIC_ALPHA: f64 = 1.0;

/// The solver stops once the gradient of the summed loss is below this per row: the
/// probabilities no longer move in the second decimal. (At 1e-4 per row the solver takes
/// about twice as long on 100,000 rows for the same probabilities to three decimals.)
const GRADIENT_TOLERANCE_PER_ROW: f64 = 1e-3;

/// L-BFGS iterations at most; the loss is convex and the columns centred and scaled, so it
/// converges well before.
const MAX_ITERATIONS: u64 = 100;

/// How many rows' worth of the overall pass rate a strategy's own rate is shrunk with in the
/// fallback.
const RATE_PSEUDO_ROWS: f64 = 2.0;

/// A fitted model of the probability that an attempt passes the gate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) enum Classifier {
    /// `P(pass) = 1 / (1 + exp(-(intercept + w · x)))` on the encoded columns.
    Logistic {
        /// The log-odds at the mean of every column.
        intercept: f64,
        /// One coefficient per encoded column.
        weights: Vec<f64>,
    },
    /// Each strategy's pass rate, shrunk toward the overall one.
    Rates {
        /// The overall pass rate by Laplace's rule, `(passes + 1) / (rows + 2)`.
        overall: f64,
        /// Each strategy's passes and attempts.
        strategies: BTreeMap<Strategy, (u32, u32)>,
        /// Why no logistic regression was fitted.
        reason: Fallback,
    },
}

impl Classifier {
    /// Fits the outcomes `passed` of the rows of `x`, whose strategies are `strategies`.
    pub(crate) fn fit(
        x: ArrayView2<'_, f64>,
        passed: &[bool],
        strategies: &[&Strategy],
        min_rows: usize,
    ) -> Result<Classifier> {
        let rows = passed.len();
        let passes = passed.iter().filter(|p| **p).count();
        let reason = if rows < min_rows.max(2) {
            Some(Fallback::TooFewRows {
                rows,
                needed: min_rows.max(2),
            })
        } else if passes == 0 || passes == rows {
            Some(Fallback::SingleClass {
                passed: passes == rows,
            })
        } else {
            None
        };
        if let Some(reason) = reason {
            return Ok(rates(passed, strategies, reason));
        }
        let targets = Array1::from_iter(passed.iter().copied());
        // linfa labels the more frequent outcome positive, the first one seen on a tie.
        let positive_passed = match (2 * passes).cmp(&rows) {
            std::cmp::Ordering::Equal => passed[0],
            order => order.is_gt(),
        };
        let start = warm_start(x, passed, positive_passed);
        let dataset = DatasetBase::new(x, targets);
        let mut solver = LogisticRegression::<f64>::default();
        if let Some(start) = start {
            solver = solver.initial_params(start);
        }
        let fitted = solver
            .alpha(LOGISTIC_ALPHA)
            .max_iterations(MAX_ITERATIONS)
            .gradient_tolerance(GRADIENT_TOLERANCE_PER_ROW * rows as f64)
            .fit(&dataset)
            .map_err(|e| Error::Training {
                model: "success",
                reason: e.to_string(),
            })?;
        // linfa gives the probability of the class it labelled positive, which is the more
        // frequent one: turn it around when that is failure.
        let sign = if fitted.labels().pos.class { 1.0 } else { -1.0 };
        let intercept = sign * fitted.intercept();
        let weights: Vec<f64> = fitted.params().iter().map(|w| sign * w).collect();
        if !intercept.is_finite() || weights.iter().any(|w| !w.is_finite()) {
            return Err(Error::Training {
                model: "success",
                reason: "the coefficients are not finite".into(),
            });
        }
        Ok(Classifier::Logistic { intercept, weights })
    }

    /// The probability that an attempt of `strategy`, encoded as `encoded`, passes.
    pub(crate) fn probability(&self, encoded: &[f64], strategy: &Strategy) -> f64 {
        match self {
            Classifier::Logistic { intercept, weights } => {
                let z = intercept + weights.iter().zip(encoded).map(|(w, x)| w * x).sum::<f64>();
                1.0 / (1.0 + (-z).exp())
            }
            Classifier::Rates {
                overall,
                strategies,
                ..
            } => {
                let (passes, attempts) = strategies.get(strategy).copied().unwrap_or_default();
                (f64::from(passes) + RATE_PSEUDO_ROWS * overall)
                    / (f64::from(attempts) + RATE_PSEUDO_ROWS)
            }
        }
    }

    /// How it was fitted.
    pub(crate) fn method(&self) -> Method {
        match self {
            Classifier::Logistic { .. } => Method::Logistic,
            Classifier::Rates { reason, .. } => Method::Fallback(*reason),
        }
    }

    /// Whether its shape fits `width` encoded columns and every number is in range.
    pub(crate) fn is_consistent(&self, width: usize) -> bool {
        match self {
            Classifier::Logistic { intercept, weights } => {
                weights.len() == width
                    && intercept.is_finite()
                    && weights.iter().all(|w| w.is_finite())
            }
            Classifier::Rates {
                overall,
                strategies,
                ..
            } => {
                (0.0..=1.0).contains(overall)
                    && strategies
                        .values()
                        .all(|(passes, attempts)| passes <= attempts)
            }
        }
    }
}

/// Where the solver starts: the linear probability model (a ridge regression of the 0/1
/// outcome), turned into log-odds around the pass rate, in linfa's orientation (passing is
/// positive when `positive_passed`), with the intercept last. L-BFGS then needs far fewer
/// steps through the nearly collinear one-hot columns than from zero.
fn warm_start(
    x: ArrayView2<'_, f64>,
    passed: &[bool],
    positive_passed: bool,
) -> Option<Array1<f64>> {
    let outcomes = passed
        .iter()
        .map(|p| if *p { 1.0 } else { 0.0 })
        .collect::<Array1<f64>>();
    // Both outcomes occur, so the rate is strictly between 0 and 1.
    let rate = outcomes.sum() / outcomes.len() as f64;
    let (_, slopes) = crate::regression::ridge(x, outcomes).ok()?;
    let spread = rate * (1.0 - rate);
    let sign = if positive_passed { 1.0 } else { -1.0 };
    let mut start: Vec<f64> = slopes.iter().map(|s| sign * s / spread).collect();
    start.push(sign * (rate / (1.0 - rate)).ln());
    Some(Array1::from(start))
}

/// The fallback: per-strategy pass rates shrunk toward the overall rate by
/// [`RATE_PSEUDO_ROWS`].
fn rates(passed: &[bool], strategies: &[&Strategy], reason: Fallback) -> Classifier {
    let passes = passed.iter().filter(|p| **p).count();
    let overall = (passes as f64 + 1.0) / (passed.len() as f64 + 2.0);
    let mut table: BTreeMap<Strategy, (u32, u32)> = BTreeMap::new();
    for (passed, strategy) in passed.iter().zip(strategies) {
        let entry = table.entry((*strategy).clone()).or_default();
        entry.0 += u32::from(*passed);
        entry.1 += 1;
    }
    Classifier::Rates {
        overall,
        strategies: table,
        reason,
    }
}
