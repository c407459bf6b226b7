//! What the learners know, for the commands that ask: the estimator a plan is made with
//! (the newest readable model version, else the heuristic, with each strategy's history read
//! from the running statistics) and `tdev learn eval`, a time-ordered evaluation of the models
//! against the heuristic on the recorded history, whose forecasts `tdev learn report` plots.

use crate::serve::Reader;
use crate::{Error, Result};
use serde::Serialize;
use std::path::Path;
use std::sync::Arc;
use tdev_actors::{CurrentModels, load_latest};
use tdev_core::{Baseline, TrainingRow};
use tdev_knowledge::{
    ModelFiles, STRATEGY_TALLIES_QUERY, StrategyTallies, TRAINING_ROWS_QUERY,
    strategy_tallies_bindings, strategy_tallies_from, training_rows_from,
};
use tdev_learners::metrics::CalibrationBin;
use tdev_learners::{EFFORT_TOLERANCE, Evaluation, Forecast, LearnedModels, MIN_SECONDS, score};
use tdev_planner::{Estimator, HeuristicEstimator, LearnedEstimator, SharedEstimator};

/// Every recorded attempt as a training row, oldest first, from whoever holds the data
/// directory.
pub fn training_rows(reader: &Reader) -> Result<Vec<TrainingRow>> {
    Ok(training_rows_from(reader.query(TRAINING_ROWS_QUERY)?)?)
}

/// What the running statistics hold of every strategy, with the details of the repository
/// named `repository` (`tdev ask`'s evidence, and the histories of a plan's estimates).
pub fn strategy_tallies(reader: &Reader, repository: &str) -> Result<StrategyTallies> {
    let results = reader.query_with(
        STRATEGY_TALLIES_QUERY,
        &strategy_tallies_bindings(repository),
    )?;
    Ok(strategy_tallies_from(results, repository)?)
}

/// The estimator plans of `repository` are made with, and warnings for the user: the newest
/// model version of the data directory `dir` that reads back, given the repository's
/// baseline and each strategy's history so far; the heuristic when there is no data
/// directory, no model yet, or no readable one (each said in a warning but the first two).
pub fn planning_estimator(
    dir: Option<&Path>,
    repository: &str,
    baseline: Baseline,
) -> Result<(SharedEstimator, Vec<String>)> {
    let Some(dir) = dir else {
        return Ok((Arc::new(HeuristicEstimator), Vec::new()));
    };
    let (current, warnings) = load_latest(&ModelFiles::new(dir.join("models")));
    let Some(current) = current else {
        return Ok((Arc::new(HeuristicEstimator), warnings));
    };
    let tallies = strategy_tallies(&Reader::open(dir)?, repository)?;
    Ok((learned(&current, &tallies, baseline), warnings))
}

/// [`planning_estimator`] for a caller that has read the repository's tallies already.
pub fn planning_estimator_with(
    dir: &Path,
    tallies: &StrategyTallies,
    baseline: Baseline,
) -> (SharedEstimator, Vec<String>) {
    let (current, warnings) = load_latest(&ModelFiles::new(dir.join("models")));
    match current {
        Some(current) => (learned(&current, tallies, baseline), warnings),
        None => (Arc::new(HeuristicEstimator), warnings),
    }
}

fn learned(
    current: &CurrentModels,
    tallies: &StrategyTallies,
    baseline: Baseline,
) -> SharedEstimator {
    Arc::new(
        LearnedEstimator::new(current.models.clone(), baseline)
            .with_history(tallies.histories())
            .with_label(current.describe()),
    )
}

/// The share of the history, oldest first, that the first evaluation fold trains on.
const FIRST_TRAINING_SHARE: f64 = 0.5;

/// Folds of the time-ordered evaluation.
const FOLDS: usize = 5;

/// `tdev learn eval`: the learned models and the heuristic scored on the same attempts, each
/// attempt predicted by models trained only on attempts that started before its fold.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Attempts recorded.
    pub rows: usize,
    /// Attempts scored (those after the first training share).
    pub scored: usize,
    /// Folds: each trains on everything before it and scores itself.
    pub folds: usize,
    /// The learned models' scores.
    pub learned: Scores,
    /// The heuristic's scores on the same attempts.
    pub heuristic: Scores,
}

/// One estimator's scores (`tdev_learners::Evaluation`, serialisable).
#[derive(Clone, Debug, Serialize)]
pub struct Scores {
    /// Mean absolute error of the duration, in seconds.
    pub effort_mae_secs: Option<f64>,
    /// Share of attempts whose duration was estimated within ±30%.
    pub effort_within: Option<f64>,
    /// Brier score of the success probability (lower is better).
    pub brier: Option<f64>,
    /// AUC of the success probability (0.5 is chance).
    pub auc: Option<f64>,
    /// Calibration: predicted against observed pass rates.
    pub calibration: Vec<Bin>,
}

/// One bin of a calibration table.
#[derive(Clone, Debug, Serialize)]
pub struct Bin {
    /// The bin's range of predicted probability.
    pub from: f64,
    /// Its upper end.
    pub to: f64,
    /// Attempts in it.
    pub count: usize,
    /// Their mean predicted probability.
    pub predicted: f64,
    /// The share of them that passed.
    pub observed: f64,
}

impl From<&Evaluation> for Scores {
    fn from(e: &Evaluation) -> Scores {
        Scores {
            effort_mae_secs: e.effort_mae_secs,
            effort_within: e.effort_within,
            brier: e.brier,
            auc: e.auc,
            calibration: e.calibration.iter().map(Bin::from).collect(),
        }
    }
}

impl From<&CalibrationBin> for Bin {
    fn from(b: &CalibrationBin) -> Bin {
        Bin {
            from: b.lower,
            to: b.upper,
            count: b.count,
            predicted: b.mean_probability,
            observed: b.observed,
        }
    }
}

/// One attempt the time-ordered evaluation scored, with what each estimator forecast for it.
#[derive(Clone, Copy, Debug)]
pub struct Scored<'a> {
    /// The attempt.
    pub row: &'a TrainingRow,
    /// The fold it was scored in, from 0.
    pub fold: usize,
    /// The learned models' forecast, by models trained only on attempts before its fold.
    pub learned: Forecast,
    /// The heuristic's forecast.
    pub heuristic: Forecast,
}

impl Scored<'_> {
    /// The actual duration, floored as training and scoring floor it.
    pub fn actual_secs(&self) -> f64 {
        self.row.labels.duration_secs.max(MIN_SECONDS)
    }
}

/// The forecasts of the time-ordered evaluation, attempt by attempt, before they are scored:
/// what `tdev learn eval` sums up and `tdev learn report` plots.
#[derive(Clone, Debug)]
pub struct Forecasts<'a> {
    /// Attempts recorded.
    pub rows: usize,
    /// Folds.
    pub folds: usize,
    /// The scored attempts, oldest first.
    pub scored: Vec<Scored<'a>>,
}

/// Forecasts in time order: the history after its first half is cut into [`FOLDS`] folds;
/// each attempt of a fold is forecast by models trained on every attempt that started before
/// the fold, and by the heuristic. A user error when too little is recorded to score
/// anything.
pub fn forecast_history(rows: &[TrainingRow]) -> Result<Forecasts<'_>> {
    let first = ((rows.len() as f64) * FIRST_TRAINING_SHARE).ceil() as usize;
    if rows.len() < 2 * FOLDS || first >= rows.len() {
        return Err(Error::user(format!(
            "{} attempts are recorded; the time-ordered evaluation of the models needs at \
             least {} to train on the past and score what came after; run `tdev evolve` on a \
             repository first",
            rows.len(),
            2 * FOLDS
        )));
    }
    let scored = &rows[first..];
    let fold = scored.len().div_ceil(FOLDS);
    let mut out = Vec::with_capacity(scored.len());
    for (number, start) in (0..scored.len()).step_by(fold).enumerate() {
        let end = (start + fold).min(scored.len());
        // Everything that started before the fold's first attempt, so that attempts of one
        // cycle (which share a start time) are never split between training and scoring.
        let cut = rows.partition_point(|r| r.started_at < scored[start].started_at);
        let models = LearnedModels::train(&rows[..cut])?;
        out.extend(scored[start..end].iter().map(|row| Scored {
            row,
            fold: number,
            learned: models.forecast(row),
            heuristic: heuristic(row),
        }));
    }
    Ok(Forecasts {
        rows: rows.len(),
        folds: scored.len().div_ceil(fold),
        scored: out,
    })
}

/// The heuristic's forecast for a recorded attempt (its hours as seconds).
fn heuristic(row: &TrainingRow) -> Forecast {
    let estimate = HeuristicEstimator.estimate(&row.features);
    Forecast {
        seconds: estimate.hours * 3600.0,
        success_probability: estimate.success_probability,
    }
}

impl Forecasts<'_> {
    /// The scores of both estimators on the scored attempts.
    pub fn report(&self) -> Report {
        let learned: Vec<(Forecast, &TrainingRow)> =
            self.scored.iter().map(|s| (s.learned, s.row)).collect();
        let heuristic: Vec<(Forecast, &TrainingRow)> =
            self.scored.iter().map(|s| (s.heuristic, s.row)).collect();
        Report {
            rows: self.rows,
            scored: self.scored.len(),
            folds: self.folds,
            learned: Scores::from(&score(&learned)),
            heuristic: Scores::from(&score(&heuristic)),
        }
    }
}

/// Evaluates in time order ([`forecast_history`]) and scores both estimators.
pub fn evaluate_history(rows: &[TrainingRow]) -> Result<Report> {
    Ok(forecast_history(rows)?.report())
}

/// A duration in seconds as the reports print it (`12.3 s`), `-` when undefined.
pub fn format_secs(value: Option<f64>) -> String {
    value.map_or("-".to_owned(), |v| format!("{v:.1} s"))
}

/// A share as the reports print it (`67%`), `-` when undefined.
pub fn format_percent(value: Option<f64>) -> String {
    value.map_or("-".to_owned(), |v| format!("{:.0}%", v * 100.0))
}

/// A score (Brier, AUC) as the reports print it (`0.123`), `-` when undefined.
pub fn format_score(value: Option<f64>) -> String {
    value.map_or("-".to_owned(), |v| format!("{v:.3}"))
}

/// The lines of the reports' summary table: (measure, learned, heuristic).
pub fn summary_lines(report: &Report) -> [(String, String, String); 4] {
    let (l, h) = (&report.learned, &report.heuristic);
    [
        (
            "effort: mean absolute error".to_owned(),
            format_secs(l.effort_mae_secs),
            format_secs(h.effort_mae_secs),
        ),
        (
            format!("effort: within ±{:.0}%", EFFORT_TOLERANCE * 100.0),
            format_percent(l.effort_within),
            format_percent(h.effort_within),
        ),
        (
            "success: Brier score (lower is better)".to_owned(),
            format_score(l.brier),
            format_score(h.brier),
        ),
        (
            "success: AUC (0.5 is chance)".to_owned(),
            format_score(l.auc),
            format_score(h.auc),
        ),
    ]
}

/// The report for a terminal.
pub fn render(report: &Report) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} attempts recorded; the last {} scored in {} time-ordered folds, each predicted by \
         models trained only on the attempts before it.\n",
        report.rows, report.scored, report.folds
    );
    let _ = writeln!(out, "{:<38}{:>10}{:>12}", "", "learned", "heuristic");
    for (name, learned, heuristic) in summary_lines(report) {
        let _ = writeln!(out, "{name:<38}{learned:>10}{heuristic:>12}");
    }
    let _ = writeln!(out, "\nCalibration of the learned success probability:");
    let _ = writeln!(
        out,
        "  {:<12}{:>9}{:>11}{:>10}",
        "predicted", "attempts", "mean", "passed"
    );
    for bin in report.learned.calibration.iter().filter(|b| b.count > 0) {
        let _ = writeln!(
            out,
            "  {:<12}{:>9}{:>10.0}%{:>9.0}%",
            format!("{:.0}–{:.0}%", bin.from * 100.0, bin.to * 100.0),
            bin.count,
            bin.predicted * 100.0,
            bin.observed * 100.0
        );
    }
    out
}
