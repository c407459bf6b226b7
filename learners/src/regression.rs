//! The effort models: a ridge regression of the log of an attempt's duration (or of a model
//! backend's tokens) on the encoded features, and the per-family means it falls back to when
//! there are too few rows to fit one.
//!
//! *Why the log:* durations span four orders of magnitude (a ruff fix in a second, a model's
//! refactoring in minutes, a test suite in an hour) and their errors are multiplicative; a
//! least-squares fit of the seconds themselves would be ruled by the few slowest attempts.
//! The exponential of the predicted log is the median estimate, the one that minimises the
//! absolute error people read as "how far off".
//!
//! *Why ridge:* the family and strategy columns are one-hot, so they are collinear with the
//! intercept (and a strategy alone in its family duplicates the family's column), and rare
//! strategies have a handful of rows; ordinary least squares is then singular or wild. An L2
//! penalty keeps every coefficient defined and shrinks the rare ones toward the overall
//! mean, a category as much as [`RIDGE_PSEUDO_ROWS`] rows of evidence would (its one-hot
//! column is centred, not scaled).
//!
//! *How it is solved:* in closed form, `(XᵀX + kI) w = Xᵀy` on the centred columns, with
//! linfa-linalg's Cholesky factorisation; the intercept is the mean log. One
//! pass over the rows builds the small system, so 100,000 rows take tens of milliseconds.
//! linfa-elasticnet's ridge (coordinate descent) solves the same problem but needed 6 to
//! 25 seconds on 100,000 rows: nested one-hot columns make coordinate descent crawl.

use crate::encode::family_index;
use crate::error::{Error, Result};
use crate::{Fallback, Method};
use linfa_linalg::cholesky::SolveCInplace;
use ndarray::{Array1, ArrayView2, Axis};
use serde::{Deserialize, Serialize};
use tdev_core::Family;

/// The strength of the ridge penalty, in rows: a category's coefficient is shrunk as if
/// this many rows at the overall mean were added to its own, so it matters for rare
/// strategies and kinds and fades as their rows accumulate.
pub(crate) const RIDGE_PSEUDO_ROWS: f64 = 4.0;

/// How many rows' worth of the overall mean a family's mean is shrunk with in the fallback.
const FAMILY_PSEUDO_ROWS: f64 = 1.0;

/// A fitted model of the log of a positive quantity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) enum Regression {
    /// A ridge regression on the encoded (centred) columns.
    Ridge {
        /// The log at the encoding's zero (the training rows' mean of every column).
        intercept: f64,
        /// One coefficient per encoded column.
        weights: Vec<f64>,
    },
    /// The mean log of each strategy family, shrunk toward the overall mean.
    FamilyMeans {
        /// The mean log over every row.
        overall: f64,
        /// The shrunk mean of each family, in the order of [`Family::ALL`].
        families: Vec<f64>,
        /// Why no ridge was fitted.
        reason: Fallback,
    },
}

impl Regression {
    /// Fits the logs `targets` of the rows of `x` (encoded columns), whose strategies'
    /// families are `families`: a ridge from `min_rows` rows on, the family means below.
    pub(crate) fn fit(
        model: &'static str,
        x: ArrayView2<'_, f64>,
        targets: Array1<f64>,
        families: &[Family],
        min_rows: usize,
    ) -> Result<Regression> {
        let rows = targets.len();
        if rows < min_rows.max(2) {
            let reason = Fallback::TooFewRows {
                rows,
                needed: min_rows.max(2),
            };
            return Ok(family_means(&targets, families, reason));
        }
        let (intercept, weights) =
            ridge(x, targets).map_err(|reason| Error::Training { model, reason })?;
        Ok(Regression::Ridge { intercept, weights })
    }

    /// The predicted log for one encoded row of a strategy of `family`.
    pub(crate) fn predict(&self, encoded: &[f64], family: Family) -> f64 {
        match self {
            Regression::Ridge { intercept, weights } => {
                intercept + weights.iter().zip(encoded).map(|(w, x)| w * x).sum::<f64>()
            }
            Regression::FamilyMeans {
                overall, families, ..
            } => families
                .get(family_index(family))
                .copied()
                .unwrap_or(*overall),
        }
    }

    /// How it was fitted.
    pub(crate) fn method(&self) -> Method {
        match self {
            Regression::Ridge { .. } => Method::Ridge,
            Regression::FamilyMeans { reason, .. } => Method::Fallback(*reason),
        }
    }

    /// Whether its shape fits `width` encoded columns and every number is finite.
    pub(crate) fn is_consistent(&self, width: usize) -> bool {
        match self {
            Regression::Ridge { intercept, weights } => {
                weights.len() == width
                    && intercept.is_finite()
                    && weights.iter().all(|w| w.is_finite())
            }
            Regression::FamilyMeans {
                overall, families, ..
            } => {
                families.len() == Family::ALL.len()
                    && overall.is_finite()
                    && families.iter().all(|m| m.is_finite())
            }
        }
    }
}

/// The ridge regression of `targets` on the columns `x`: the intercept and one coefficient
/// per column (the intercept is not penalised), or why the solve failed.
pub(crate) fn ridge(
    x: ArrayView2<'_, f64>,
    targets: Array1<f64>,
) -> std::result::Result<(f64, Vec<f64>), String> {
    let n = targets.len().max(1) as f64;
    let mean_target = targets.sum() / n;
    let centred = targets - mean_target;
    // The columns are centred on all the training rows; these may be some of them (the rows
    // with tokens), so centre on their own means here: (X - 1m)ᵀ(X - 1m) = XᵀX - n mmᵀ, and
    // (X - 1m)ᵀ(y - ȳ) = Xᵀ(y - ȳ).
    let means = x.sum_axis(Axis(0)) / n;
    let mut gram = x.t().dot(&x);
    for ((i, j), g) in gram.indexed_iter_mut() {
        *g -= n * means[i] * means[j];
    }
    // A one-hot column of c rows has |x_j - m_j|^2 about c: a penalty of k weighs like k rows
    // of the category (a numeric column has n, so k fades at once). It also keeps the system
    // positive definite for constant and duplicated columns.
    for j in 0..gram.nrows() {
        gram[[j, j]] += RIDGE_PSEUDO_ROWS;
    }
    let right = x.t().dot(&centred).insert_axis(Axis(1));
    let weights = gram
        .solvec_into(right)
        .map_err(|e| e.to_string())?
        .remove_axis(Axis(1));
    let intercept = mean_target - means.dot(&weights);
    if !intercept.is_finite() || weights.iter().any(|w| !w.is_finite()) {
        return Err("the coefficients are not finite".into());
    }
    Ok((intercept, weights.to_vec()))
}

/// The fallback: each family's mean log, shrunk toward the overall mean by
/// [`FAMILY_PSEUDO_ROWS`], so that one row of a family moves its estimate only part of the
/// way.
fn family_means(targets: &Array1<f64>, families: &[Family], reason: Fallback) -> Regression {
    let overall = if targets.is_empty() {
        0.0
    } else {
        targets.sum() / targets.len() as f64
    };
    let mut sums = vec![0.0; Family::ALL.len()];
    let mut counts = vec![0.0; Family::ALL.len()];
    for (target, family) in targets.iter().zip(families) {
        sums[family_index(*family)] += target;
        counts[family_index(*family)] += 1.0;
    }
    let families = sums
        .iter()
        .zip(&counts)
        .map(|(sum, count)| (sum + FAMILY_PSEUDO_ROWS * overall) / (count + FAMILY_PSEUDO_ROWS))
        .collect();
    Regression::FamilyMeans {
        overall,
        families,
        reason,
    }
}
