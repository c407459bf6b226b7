//! How a task and its context become the numbers the models fit: one column per feature,
//! categories one-hot, counts and sizes through `ln(1 + x)`, unknown measurements as a value
//! of 0 beside a flag; every column centred on the training rows' mean, and the numeric ones
//! scaled to unit variance. `docs/learning.md` has the same list for people.

use ndarray::{Array2, ShapeBuilder};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tdev_core::{Context, Family, Language, Strategy, TaskFeatures, TrainingRow};

/// Categories seen in fewer training rows than this get no column of their own: a
/// coefficient learned from one or two rows is noise.
const MIN_CATEGORY_ROWS: usize = 3;

/// The numeric columns, in order, as `docs/learning.md` names them.
pub(crate) const NUMERIC: [&str; 18] = [
    "ln(1 + findings)",
    "ln(1 + files)",
    "ln(1 + total complexity)",
    "priority",
    "coverage",
    "coverage unknown",
    "ln(1 + test-suite seconds)",
    "test-suite duration unknown",
    "ln(1 + repository lines)",
    "repository size unknown",
    "ln(1 + churn)",
    "churn unknown",
    "pass rate here",
    "ln(1 + attempts here)",
    "pass rate everywhere",
    "ln(1 + attempts everywhere)",
    "pass rate on the kind",
    "ln(1 + attempts on the kind)",
];

/// The languages with a column each.
const LANGUAGES: [Language; 3] = [Language::Python, Language::Rust, Language::Other];

/// The encoding learned from the training rows: which kinds and strategies have a column,
/// and each column's mean and scale.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Encoder {
    /// Task kinds with a column of their own, most frequent first.
    kinds: Vec<String>,
    /// Strategies with a column of their own, most frequent first.
    strategies: Vec<Strategy>,
    /// Each column's mean over the training rows.
    means: Vec<f64>,
    /// What each centred column is multiplied by: one over the standard deviation for
    /// numeric columns, 1 for one-hot columns, 0 for a column that was constant.
    scales: Vec<f64>,
}

impl Encoder {
    /// Learns the encoding from `rows` and returns it with their encoded matrix, one row per
    /// training row, stored column by column (linfa-logistic's gradient, `Xᵀr`, then reads
    /// contiguous memory).
    pub(crate) fn fit(
        rows: &[TrainingRow],
        max_kinds: usize,
        max_strategies: usize,
    ) -> (Encoder, Array2<f64>) {
        let kinds = vocabulary(rows.iter().map(|r| &r.features.kind), max_kinds);
        let strategies = vocabulary(rows.iter().map(|r| &r.features.strategy), max_strategies);
        let mut encoder = Encoder {
            kinds,
            strategies,
            means: Vec::new(),
            scales: Vec::new(),
        };
        let width = encoder.width();
        let n = rows.len();
        let mut columns = vec![0.0; n * width];
        let mut buffer = vec![0.0; width];
        for (i, row) in rows.iter().enumerate() {
            encoder.raw(&row.features, &row.context, &mut buffer);
            for (j, value) in buffer.iter().enumerate() {
                columns[j * n + i] = *value;
            }
        }
        let mut matrix = Array2::from_shape_vec((n, width).f(), columns)
            .expect("n times width values, column by column");
        let n = n.max(1) as f64;
        let numeric = Family::ALL.len() + LANGUAGES.len();
        let numeric = numeric..numeric + NUMERIC.len();
        for (j, mut column) in matrix.columns_mut().into_iter().enumerate() {
            let mean = column.sum() / n;
            let variance = column.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
            // A constant column carries nothing the intercept does not. One-hot columns stay
            // 0/1 (centred), so that a penalty of k weighs like k rows of the category;
            // numeric ones are scaled to unit variance, so that one penalty suits them all.
            let scale = if variance <= 1e-12 {
                0.0
            } else if numeric.contains(&j) {
                1.0 / variance.sqrt()
            } else {
                1.0
            };
            column.mapv_inplace(|v| (v - mean) * scale);
            encoder.means.push(mean);
            encoder.scales.push(scale);
        }
        (encoder, matrix)
    }

    /// How many columns a row has.
    pub(crate) fn width(&self) -> usize {
        Family::ALL.len()
            + LANGUAGES.len()
            + NUMERIC.len()
            + self.kinds.len()
            + self.strategies.len()
    }

    /// Whether the learned means and scales fit the columns (a decoded model is checked).
    pub(crate) fn is_consistent(&self) -> bool {
        let finite = |v: &Vec<f64>| v.iter().all(|x| x.is_finite());
        self.means.len() == self.width()
            && self.scales.len() == self.width()
            && finite(&self.means)
            && finite(&self.scales)
    }

    /// The encoded columns of one task in its context, into `out` (of [`Self::width`]).
    pub(crate) fn encode(&self, features: &TaskFeatures, context: &Context, out: &mut [f64]) {
        self.raw(features, context, out);
        for ((value, mean), scale) in out.iter_mut().zip(&self.means).zip(&self.scales) {
            *value = (*value - mean) * scale;
        }
    }

    /// The columns before centring and scaling.
    fn raw(&self, features: &TaskFeatures, context: &Context, out: &mut [f64]) {
        out.fill(0.0);
        let family = family_index(features.strategy.family());
        out[family] = 1.0;
        let mut at = Family::ALL.len();
        let language = LANGUAGES
            .iter()
            .position(|l| *l == context.baseline.language)
            .unwrap_or(LANGUAGES.len() - 1);
        out[at + language] = 1.0;
        at += LANGUAGES.len();
        out[at..at + NUMERIC.len()].copy_from_slice(&numeric(features, context));
        at += NUMERIC.len();
        if let Some(k) = self.kinds.iter().position(|k| *k == features.kind) {
            out[at + k] = 1.0;
        }
        at += self.kinds.len();
        if let Some(s) = self.strategies.iter().position(|s| *s == features.strategy) {
            out[at + s] = 1.0;
        }
    }

    /// The name of every column, in order, for reports and the documentation's check.
    #[cfg(test)]
    pub(crate) fn names(&self) -> Vec<String> {
        let families = Family::ALL.iter().map(|f| format!("family {}", f.prefix()));
        let languages = LANGUAGES.iter().map(|l| format!("language {}", l.as_str()));
        let numeric = NUMERIC.iter().map(|n| (*n).to_owned());
        let kinds = self.kinds.iter().map(|k| format!("kind {k}"));
        let strategies = self.strategies.iter().map(|s| format!("strategy {s}"));
        families
            .chain(languages)
            .chain(numeric)
            .chain(kinds)
            .chain(strategies)
            .collect()
    }
}

/// Where a family stands in [`Family::ALL`]: its one-hot column, and its slot in per-family
/// tables.
pub(crate) fn family_index(family: Family) -> usize {
    Family::ALL
        .iter()
        .position(|f| *f == family)
        .expect("Family::ALL lists every family")
}

/// The categories seen in at least [`MIN_CATEGORY_ROWS`] rows, most frequent first (ties by
/// their order), at most `max`.
fn vocabulary<'a, T: Ord + Clone + 'a>(values: impl Iterator<Item = &'a T>, max: usize) -> Vec<T> {
    let mut counts: BTreeMap<&T, usize> = BTreeMap::new();
    for value in values {
        *counts.entry(value).or_default() += 1;
    }
    let mut frequent: Vec<(&T, usize)> = counts
        .into_iter()
        .filter(|(_, count)| *count >= MIN_CATEGORY_ROWS)
        .collect();
    // Stable: equal counts keep their sorted order.
    frequent.sort_by_key(|(_, count)| std::cmp::Reverse(*count));
    frequent
        .into_iter()
        .take(max)
        .map(|(v, _)| v.clone())
        .collect()
}

/// The numeric columns of [`NUMERIC`]. A value that is not finite counts as 0 (or unknown),
/// so that one bad measurement cannot turn a prediction into NaN.
fn numeric(features: &TaskFeatures, context: &Context) -> [f64; 18] {
    let clean = |v: f64| if v.is_finite() { v.max(0.0) } else { 0.0 };
    let log = |v: f64| clean(v).ln_1p();
    let known = |v: Option<f64>| match v {
        Some(v) if v.is_finite() => (log(v), 0.0),
        _ => (0.0, 1.0),
    };
    let baseline = &context.baseline;
    let coverage = match baseline.coverage {
        Some(c) if c.is_finite() => (c.clamp(0.0, 1.0), 0.0),
        _ => (0.0, 1.0),
    };
    let tests = known(baseline.test_duration_secs);
    let lines = known(baseline.repository_lines.map(|l| l as f64));
    let churn = known(baseline.churn);
    let history = &context.history;
    // Laplace's rule: an unknown strategy starts at 1/2, and a few attempts move it only so
    // far.
    let rate = |passes: u32, attempts: u32| {
        let passes = passes.min(attempts);
        (f64::from(passes) + 1.0) / (f64::from(attempts) + 2.0)
    };
    [
        log(f64::from(features.findings)),
        log(f64::from(features.files)),
        log(features.total_complexity),
        if features.priority.is_finite() {
            features.priority.clamp(0.0, 1.0)
        } else {
            0.0
        },
        coverage.0,
        coverage.1,
        tests.0,
        tests.1,
        lines.0,
        lines.1,
        churn.0,
        churn.1,
        rate(history.repository.passes, history.repository.attempts),
        log(f64::from(history.repository.attempts)),
        rate(history.everywhere.passes, history.everywhere.attempts),
        log(f64::from(history.everywhere.attempts)),
        rate(history.same_kind.passes, history.same_kind.attempts),
        log(f64::from(history.same_kind.attempts)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `docs/learning.md` lists every column: a column added here without it fails.
    #[test]
    fn the_documentation_names_every_column() {
        let docs = include_str!("../../docs/learning.md");
        let encoder = Encoder {
            kinds: vec!["fix-lint".into()],
            strategies: vec!["ruff-fix:E7".parse().unwrap()],
            means: Vec::new(),
            scales: Vec::new(),
        };
        let names = encoder.names();
        assert_eq!(names.len(), encoder.width());
        for name in &names {
            let documented = match name.split_once(' ') {
                Some(("family", family)) => docs.contains(&format!("`{family}`")),
                Some(("language", language)) => docs.contains(&format!("`{language}`")),
                Some(("kind", _)) => docs.contains("kind `<kind>`"),
                Some(("strategy", _)) => docs.contains("strategy `<family:name>`"),
                _ => docs.contains(&format!("`{name}`")),
            };
            assert!(
                documented,
                "docs/learning.md does not list the column {name}"
            );
        }
    }
}
