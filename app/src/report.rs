//! `tdev learn report`: one self-contained HTML page that shows a person, in a browser, how
//! the planner's learning went: the gate-pass rate of the cycles over time, the estimates'
//! errors attempt by attempt (learned models against the heuristic, in time order), the
//! calibration of the learned chance of passing, the numbers of `tdev learn eval` and the
//! model versions recorded in the graph.
//!
//! The page has no script and loads nothing: the charts are inline SVG drawn here
//! ([`chart`]), the style is inline. Every text taken from the graph (repository names,
//! goals, cycle ids, model names) is escaped. The page is written to a temporary file and
//! renamed, so a crash leaves the previous page or none, never half of one.

mod chart;

use crate::history::{self, Rows};
use crate::learn::{self, Forecasts, Report, format_percent, format_score, format_secs};
use crate::serve::Reader;
use crate::{Error, Result};
use chart::{Axis, Chart, Mark, Point, Ticks};
use oxigraph::model::Term;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use tdev_core::{Timestamp, TrainingRow};

const MODEL_VERSIONS: &str = include_str!("../../knowledge/queries/model-versions.rq");

/// The file written in the output directory.
pub const PAGE: &str = "index.html";

/// Cycles in the rolling mean of the gate-pass rate.
const CYCLE_WINDOW: usize = 20;

/// Attempts in the rolling mean of the estimates' errors.
const ERROR_WINDOW: usize = 50;

/// Points a chart draws at most per series; beyond, consecutive values are averaged in
/// groups, so that a page of 100,000 attempts stays a few hundred kilobytes.
const MAX_POINTS: usize = 1500;

/// Errors below this are drawn at it, on the logarithmic axis.
const ERROR_FLOOR_SECS: f64 = 0.1;

/// One recorded cycle's outcome, as `knowledge/queries/cycles.rq` gives it.
#[derive(Clone, Debug, PartialEq)]
pub struct CycleOutcome {
    /// The cycle's id.
    pub id: String,
    /// The repository's name.
    pub repository: String,
    /// The goal it worked toward.
    pub goal: String,
    /// `passed`, `failed` or `aborted`.
    pub outcome: String,
    /// When it started (as written).
    pub started: String,
    /// Its attempts.
    pub attempts: u32,
    /// The attempts that passed the gate.
    pub passing: u32,
}

/// One recorded model version, as `knowledge/queries/model-versions.rq` gives it.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ModelVersion {
    /// The model's name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// When it was trained.
    pub trained_at: String,
    /// Attempts it was trained on.
    pub training_size: String,
    /// Attempts held out to score it, when any were.
    pub held_out: Option<f64>,
    /// Effort's mean absolute error on them, in seconds.
    pub mae: Option<f64>,
    /// Share of durations estimated within ±30%.
    pub within_30: Option<f64>,
    /// Brier score.
    pub brier: Option<f64>,
    /// AUC.
    pub auc: Option<f64>,
}

/// Everything the page shows.
#[derive(Clone, Debug)]
pub struct Learning<'a> {
    /// The data directory, for the heading.
    pub data_dir: String,
    /// When the page was made.
    pub generated: Timestamp,
    /// The time-ordered evaluation's forecasts.
    pub forecasts: Forecasts<'a>,
    /// Their scores (`tdev learn eval`).
    pub report: Report,
    /// Every cycle, oldest first.
    pub cycles: Vec<CycleOutcome>,
    /// Every model version, by name, newest first.
    pub models: Vec<ModelVersion>,
}

/// One point of a learning chart: a cycle's (or a scored attempt's) value, or, when there
/// are more than a chart draws, the mean of `count` consecutive ones starting at `x`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Dot {
    /// Its place on the horizontal axis: the cycle's or attempt's number, from 1.
    pub x: f64,
    /// Its value.
    pub y: f64,
    /// How many cycles or attempts it stands for.
    pub count: usize,
    /// What it is, in a sentence (the tooltip).
    pub title: String,
}

/// The learning curve: the gate-pass rate of each cycle that made attempts, in the order the
/// cycles started, with its rolling mean.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PassRate {
    /// Cycles recorded.
    pub cycles: usize,
    /// Cycles that made attempts: the points, before any grouping.
    pub attempted: usize,
    /// Cycles in the rolling mean.
    pub window: usize,
    /// The share of each cycle's attempts that passed the gate.
    pub points: Vec<Dot>,
    /// The rolling mean, as (cycle number, share).
    pub rolling: Vec<(f64, f64)>,
}

/// Where a fold of the time-ordered evaluation begins, on the errors' horizontal axis.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Fold {
    /// The number of its first scored attempt.
    pub x: f64,
    /// Its name (`fold 2`).
    pub label: String,
}

/// The estimates' absolute errors over time: each scored attempt's error in seconds, by the
/// learned models trained only on the attempts before its fold and by the heuristic.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Errors {
    /// Attempts scored: the points of each estimator, before any grouping.
    pub scored: usize,
    /// Attempts in the rolling means.
    pub window: usize,
    /// Errors below this are drawn at it (the axis is logarithmic).
    pub floor_secs: f64,
    /// The learned models' errors.
    pub learned: Vec<Dot>,
    /// The heuristic's errors.
    pub heuristic: Vec<Dot>,
    /// The rolling mean of the learned models' errors, as (attempt number, seconds).
    pub learned_rolling: Vec<(f64, f64)>,
    /// The rolling mean of the heuristic's errors.
    pub heuristic_rolling: Vec<(f64, f64)>,
    /// Where each fold after the first begins.
    pub folds: Vec<Fold>,
}

/// The data of `tdev learn report`'s charts and tables, for a page that draws them itself
/// (the daemon's dashboard, through `GET /api/learning`).
#[derive(Clone, Debug, Serialize)]
pub struct LearningData {
    /// The learning curve.
    pub pass_rate: PassRate,
    /// The estimates' errors over time; absent while too few attempts are recorded.
    pub errors: Option<Errors>,
    /// The scores of `tdev learn eval`, with the calibration; absent with `errors`.
    pub evaluation: Option<Report>,
    /// Why `errors` and `evaluation` are absent, in a sentence.
    pub unavailable: Option<String>,
    /// Every model version, by name, newest first.
    pub models: Vec<ModelVersion>,
}

/// The data of the learning charts of the knowledge base `reader` reads: the curve always,
/// the errors and scores once enough attempts are recorded to score any.
pub fn learning(reader: &Reader) -> Result<LearningData> {
    let rows = learn::training_rows(reader)?;
    let mut cycles = cycle_outcomes(&history::cycles(reader)?);
    cycles.reverse();
    let models = model_versions(&history::rows(reader.query(MODEL_VERSIONS)?)?);
    let (errors, evaluation, unavailable) = match learn::forecast_history(&rows) {
        Ok(forecasts) => (
            Some(error_series(&forecasts)),
            Some(forecasts.report()),
            None,
        ),
        Err(e) if e.is_user_error() => (None, None, Some(e.to_string())),
        Err(e) => return Err(e),
    };
    Ok(LearningData {
        pass_rate: pass_rate_series(&cycles),
        errors,
        evaluation,
        unavailable,
        models,
    })
}

/// Escapes `text` for HTML and SVG, in elements and in quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `tdev learn report`: writes the page of the data directory `dir` to `out/index.html`,
/// creating `out` when it is missing, and returns the path written. A user error when `out`
/// is not a directory, or when too little is recorded (as for `tdev learn eval`).
pub fn write(dir: &Path, out: &Path) -> Result<PathBuf> {
    if out.exists() && !out.is_dir() {
        return Err(Error::user(format!(
            "{} is not a directory; --out names the directory the report is written into \
             (as {PAGE})",
            out.display()
        )));
    }
    let reader = Reader::open(dir)?;
    let rows = learn::training_rows(&reader)?;
    let page = {
        let learning = read(&reader, dir, &rows)?;
        html(&learning)
    };
    std::fs::create_dir_all(out).map_err(Error::io(format!("creating {}", out.display())))?;
    let path = out.join(PAGE);
    write_atomically(&path, page.as_bytes())?;
    Ok(path)
}

/// Reads what the page shows.
fn read<'a>(reader: &Reader, dir: &Path, rows: &'a [TrainingRow]) -> Result<Learning<'a>> {
    let forecasts = learn::forecast_history(rows)?;
    let report = forecasts.report();
    let mut cycles = cycle_outcomes(&history::cycles(reader)?);
    cycles.reverse();
    let models = model_versions(&history::rows(reader.query(MODEL_VERSIONS)?)?);
    Ok(Learning {
        data_dir: dir.display().to_string(),
        generated: Timestamp::now(),
        forecasts,
        report,
        cycles,
        models,
    })
}

/// Writes `bytes` to a temporary file beside `path`, syncs it and renames it to `path`.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_file_name(format!(".{PAGE}.{}.tmp", std::process::id()));
    let written = std::fs::File::create(&tmp).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    if let Err(e) = written.and_then(|()| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(format!("writing {}", path.display()))(e));
    }
    Ok(())
}

/// The text of a cell: a literal's value, an IRI as it is.
fn cell(rows: &Rows, row: &[Option<Term>], name: &str) -> Option<String> {
    let index = rows.header.iter().position(|h| h == name)?;
    match row.get(index)?.as_ref()? {
        Term::Literal(l) => Some(l.value().to_owned()),
        Term::NamedNode(n) => Some(n.as_str().to_owned()),
        _ => None,
    }
}

fn cycle_outcomes(rows: &Rows) -> Vec<CycleOutcome> {
    let text = |row: &[Option<Term>], name: &str| cell(rows, row, name).unwrap_or_default();
    let count = |row: &[Option<Term>], name: &str| text(row, name).parse().unwrap_or(0);
    rows.rows
        .iter()
        .map(|row| CycleOutcome {
            id: text(row, "id"),
            repository: text(row, "repository"),
            goal: text(row, "goal"),
            outcome: text(row, "outcome"),
            started: text(row, "started"),
            attempts: count(row, "attempts"),
            passing: count(row, "passing"),
        })
        .collect()
}

fn model_versions(rows: &Rows) -> Vec<ModelVersion> {
    let number = |row: &[Option<Term>], name: &str| {
        cell(rows, row, name).and_then(|v| v.parse::<f64>().ok())
    };
    rows.rows
        .iter()
        .map(|row| ModelVersion {
            name: cell(rows, row, "name").unwrap_or_default(),
            version: cell(rows, row, "version").unwrap_or_default(),
            trained_at: cell(rows, row, "trainedAt").unwrap_or_default(),
            training_size: cell(rows, row, "trainingSize").unwrap_or_default(),
            held_out: number(row, "heldOut"),
            mae: number(row, "mae"),
            within_30: number(row, "within30"),
            brier: number(row, "brier"),
            auc: number(row, "auc"),
        })
        .collect()
}

const STYLE: &str = "body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;\
padding:0 1rem;color:#222}h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2.2rem}\
table{border-collapse:collapse;margin:.8rem 0}td,th{padding:.25rem .7rem;border-bottom:1px solid #ddd;\
text-align:right}td:first-child,th:first-child{text-align:left}.note{color:#555}\
svg{width:100%;height:auto;font-size:11px}svg .grid{stroke:#eee}svg .axis{stroke:#888}\
svg .tick,svg .label{fill:#444}svg .label{font-size:12px}\
svg .learned{fill:#1f6fb4;stroke:#1f6fb4;fill-opacity:.45}svg .heuristic{fill:#e8772e;stroke:#e8772e;fill-opacity:.45}\
svg .cycle{fill:#1f6fb4;fill-opacity:.35}svg .rolling{fill:#333;stroke:#333}\
svg polyline{stroke-width:2}svg polyline.learned{stroke:#0b4a80}\
svg polyline.heuristic{stroke:#b2500f}svg .fold{stroke:#aaa;stroke-dasharray:4 3}\
svg .diagonal{stroke:#999;stroke-dasharray:5 4}svg rect.learned,svg rect.heuristic,svg rect.cycle{fill-opacity:1}";

/// The page.
pub fn html(learning: &Learning<'_>) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>tdev: what the planner learned</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
    );
    let repositories: BTreeSet<&str> = learning
        .cycles
        .iter()
        .map(|c| c.repository.as_str())
        .collect();
    let _ = writeln!(
        out,
        "<h1>What the planner learned</h1>\n<p class=\"note\">Data directory {}; {} cycles on {} \
         repositories, {} attempts recorded. Made by <code>tdev learn report</code> at {}.</p>",
        escape(&learning.data_dir),
        learning.cycles.len(),
        repositories.len(),
        learning.report.rows,
        learning.generated
    );
    summary(&learning.report, &mut out);
    pass_rate(&learning.cycles, &mut out);
    errors(&learning.forecasts, &mut out);
    calibration(&learning.report, &mut out);
    models(&learning.models, &mut out);
    out.push_str("</body>\n</html>\n");
    out
}

fn summary(report: &Report, out: &mut String) {
    let _ = writeln!(
        out,
        "<h2>Learned models against the heuristic</h2>\n<p>The time-ordered evaluation of \
         <code>tdev learn eval</code>: {} attempts recorded; the last {} scored in {} folds, \
         each predicted by models trained only on the attempts that started before it, and by \
         the heuristic.</p>\n<table>\n<tr><th>measure</th><th>learned</th><th>heuristic</th></tr>",
        report.rows, report.scored, report.folds
    );
    for (name, learned, heuristic) in learn::summary_lines(report) {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&name),
            escape(&learned),
            escape(&heuristic)
        );
    }
    out.push_str("</table>\n");
}

/// Groups consecutive values into at most [`MAX_POINTS`] means: (first index, mean, count).
fn thin(values: &[f64]) -> Vec<(usize, f64, usize)> {
    let group = values.len().div_ceil(MAX_POINTS).max(1);
    values
        .chunks(group)
        .enumerate()
        .map(|(i, chunk)| {
            let mean = chunk.iter().sum::<f64>() / chunk.len() as f64;
            (i * group, mean, chunk.len())
        })
        .collect()
}

/// The mean of each value with the `window - 1` before it (fewer at the start).
fn rolling_mean(values: &[f64], window: usize) -> Vec<f64> {
    let mut sum = 0.0;
    let mut out = Vec::with_capacity(values.len());
    for (i, v) in values.iter().enumerate() {
        sum += v;
        if i >= window {
            sum -= values[i - window];
        }
        out.push(sum / (i + 1).min(window) as f64);
    }
    out
}

/// A rolling mean as a line, thinned like the points.
fn rolling_line(values: &[f64], window: usize, x_of: impl Fn(usize) -> f64) -> Vec<(f64, f64)> {
    let rolling = rolling_mean(values, window);
    let step = rolling.len().div_ceil(MAX_POINTS).max(1);
    let mut line: Vec<(f64, f64)> = (0..rolling.len())
        .step_by(step)
        .map(|i| (x_of(i), rolling[i]))
        .collect();
    if let Some(last) = rolling.len().checked_sub(1)
        && line.last().map(|l| l.0) != Some(x_of(last))
    {
        line.push((x_of(last), rolling[last]));
    }
    line
}

/// The learning curve of `cycles` (oldest first), thinned to at most [`MAX_POINTS`] points.
fn pass_rate_series(cycles: &[CycleOutcome]) -> PassRate {
    let attempted: Vec<&CycleOutcome> = cycles.iter().filter(|c| c.attempts > 0).collect();
    let rates: Vec<f64> = attempted
        .iter()
        .map(|c| f64::from(c.passing) / f64::from(c.attempts))
        .collect();
    let points = thin(&rates)
        .into_iter()
        .map(|(first, mean, count)| {
            let c = attempted[first];
            let title = if count == 1 {
                format!(
                    "cycle {} ({}, {}): {} of {} attempts passed",
                    c.id, c.repository, c.started, c.passing, c.attempts
                )
            } else {
                format!(
                    "cycles {} to {}: mean share {:.0}%",
                    first + 1,
                    first + count,
                    mean * 100.0
                )
            };
            Dot {
                x: (first + 1) as f64,
                y: mean,
                count,
                title,
            }
        })
        .collect();
    PassRate {
        cycles: cycles.len(),
        attempted: attempted.len(),
        window: CYCLE_WINDOW,
        points,
        rolling: rolling_line(&rates, CYCLE_WINDOW, |i| (i + 1) as f64),
    }
}

/// The chart's points of a series.
fn chart_points(dots: &[Dot], radius: f64) -> Vec<Point> {
    dots.iter()
        .map(|d| Point {
            x: d.x,
            y: d.y,
            radius,
            title: d.title.clone(),
        })
        .collect()
}

fn pass_rate(cycles: &[CycleOutcome], out: &mut String) {
    let series = pass_rate_series(cycles);
    let _ = writeln!(
        out,
        "<h2>Gate-pass rate per cycle</h2>\n<p>Each point is a cycle that made attempts, in the \
         order the cycles started: the share of its attempts that passed the gate. The line is \
         the mean of the last {CYCLE_WINDOW} cycles' shares: the learning curve. {} of {} \
         cycles made attempts.</p>",
        series.attempted, series.cycles
    );
    let chart = Chart {
        title: "Gate-pass rate per cycle, with its rolling mean".into(),
        x: Axis::linear(
            "cycle, in the order they started",
            1.0,
            series.attempted as f64,
            Ticks::Number,
        ),
        y: Axis::linear("share of attempts that passed", 0.0, 1.0, Ticks::Percent),
        marks: vec![
            Mark::Points {
                class: "cycle",
                points: chart_points(&series.points, 3.0),
            },
            Mark::Line {
                class: "rolling",
                points: series.rolling.clone(),
            },
        ],
        legend: vec![
            ("cycle", "one cycle".into()),
            ("rolling", format!("mean of the last {CYCLE_WINDOW}")),
        ],
    };
    out.push_str(&chart.svg());
    if series.points.iter().any(|p| p.count > 1) {
        let _ = writeln!(
            out,
            "<p class=\"note\">With {} cycles, each point is the mean of {} consecutive ones.</p>",
            series.attempted,
            series.attempted.div_ceil(MAX_POINTS)
        );
    }
    // Per repository: cycles, attempts, the share that passed, and the latest goal.
    let mut by_repository: BTreeMap<&str, (u32, u32, u32, &str)> = BTreeMap::new();
    for c in cycles {
        let entry = by_repository.entry(c.repository.as_str()).or_default();
        entry.0 += 1;
        entry.1 += c.attempts;
        entry.2 += c.passing;
        entry.3 = c.goal.as_str();
    }
    out.push_str(
        "<table>\n<tr><th>repository</th><th>cycles</th><th>attempts</th>\
         <th>passed the gate</th><th>latest goal</th></tr>\n",
    );
    for (repository, (count, attempts, passing, goal)) in &by_repository {
        let share = (*attempts > 0).then(|| f64::from(*passing) / f64::from(*attempts));
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{count}</td><td>{attempts}</td><td>{}</td><td>{}</td></tr>",
            escape(repository),
            escape(&format_percent(share)),
            escape(goal)
        );
    }
    out.push_str("</table>\n");
}

/// The estimates' errors of the time-ordered evaluation, thinned to at most [`MAX_POINTS`]
/// points per estimator.
fn error_series(forecasts: &Forecasts<'_>) -> Errors {
    let error = |seconds: f64, actual: f64| (seconds - actual).abs().max(ERROR_FLOOR_SECS);
    let learned: Vec<f64> = forecasts
        .scored
        .iter()
        .map(|s| error(s.learned.seconds, s.actual_secs()))
        .collect();
    let heuristic: Vec<f64> = forecasts
        .scored
        .iter()
        .map(|s| error(s.heuristic.seconds, s.actual_secs()))
        .collect();
    let dots = |values: &[f64], name: &str| -> Vec<Dot> {
        thin(values)
            .into_iter()
            .map(|(first, mean, count)| {
                let s = &forecasts.scored[first];
                let title = if count == 1 {
                    format!(
                        "{name}: {:.1} s off ({} on {}, {} s actual, started {})",
                        mean,
                        s.row.features.strategy,
                        s.row.repository,
                        format_secs(Some(s.actual_secs())),
                        s.row.started_at
                    )
                } else {
                    format!(
                        "{name}: attempts {} to {}, {mean:.1} s off on average",
                        first + 1,
                        first + count
                    )
                };
                Dot {
                    x: (first + 1) as f64,
                    y: mean,
                    count,
                    title,
                }
            })
            .collect()
    };
    let folds = forecasts
        .scored
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(i, s)| s.fold != forecasts.scored[i - 1].fold)
        .map(|(i, s)| Fold {
            x: (i + 1) as f64,
            label: format!("fold {}", s.fold + 1),
        })
        .collect();
    Errors {
        scored: forecasts.scored.len(),
        window: ERROR_WINDOW,
        floor_secs: ERROR_FLOOR_SECS,
        learned: dots(&learned, "learned"),
        heuristic: dots(&heuristic, "heuristic"),
        learned_rolling: rolling_line(&learned, ERROR_WINDOW, |i| (i + 1) as f64),
        heuristic_rolling: rolling_line(&heuristic, ERROR_WINDOW, |i| (i + 1) as f64),
        folds,
    }
}

fn errors(forecasts: &Forecasts<'_>, out: &mut String) {
    let _ = writeln!(
        out,
        "<h2>Estimate error over time</h2>\n<p>The absolute difference between the estimated \
         and the actual duration of each scored attempt, in time order (logarithmic scale; \
         errors under {ERROR_FLOOR_SECS} s are drawn at {ERROR_FLOOR_SECS} s). The learned \
         models of each fold were trained only on the attempts before it; the dashed rules \
         mark where a fold begins. The lines are the mean of the last {ERROR_WINDOW} \
         attempts' errors.</p>"
    );
    let series = error_series(forecasts);
    let (low, high) = series
        .learned
        .iter()
        .chain(&series.heuristic)
        .fold((f64::MAX, f64::MIN_POSITIVE), |(lo, hi), d| {
            (lo.min(d.y), hi.max(d.y))
        });
    let mut marks = vec![
        Mark::Points {
            class: "heuristic",
            points: chart_points(&series.heuristic, 2.0),
        },
        Mark::Points {
            class: "learned",
            points: chart_points(&series.learned, 2.0),
        },
        Mark::Line {
            class: "heuristic",
            points: series.heuristic_rolling.clone(),
        },
        Mark::Line {
            class: "learned",
            points: series.learned_rolling.clone(),
        },
    ];
    marks.extend(series.folds.iter().map(|f| Mark::Rule {
        class: "fold",
        x: f.x,
        label: f.label.clone(),
    }));
    let chart = Chart {
        title: "Absolute error of the duration estimates, learned against heuristic".into(),
        x: Axis::linear(
            "scored attempt, in the order they started",
            1.0,
            series.scored as f64,
            Ticks::Number,
        ),
        y: Axis::log("absolute error, seconds", low, high),
        marks,
        legend: vec![
            ("learned", "learned models".into()),
            ("heuristic", "heuristic".into()),
        ],
    };
    out.push_str(&chart.svg());
    if series.scored > MAX_POINTS {
        let _ = writeln!(
            out,
            "<p class=\"note\">With {} scored attempts, each point is the mean of {} consecutive \
             ones.</p>",
            series.scored,
            series.scored.div_ceil(MAX_POINTS)
        );
    }
}

fn calibration(report: &Report, out: &mut String) {
    let bins: Vec<&learn::Bin> = report
        .learned
        .calibration
        .iter()
        .filter(|b| b.count > 0)
        .collect();
    let _ = writeln!(
        out,
        "<h2>Calibration of the learned chance of passing</h2>\n<p>The scored attempts in ten \
         bins of predicted probability: each point is a bin's mean prediction against the \
         share of its attempts that passed, its area growing with the attempts in it. A \
         calibrated model's points lie on the dashed diagonal.</p>"
    );
    let largest = bins.iter().map(|b| b.count).max().unwrap_or(1).max(1);
    let points = bins
        .iter()
        .map(|b| Point {
            x: b.predicted,
            y: b.observed,
            radius: 3.0 + 9.0 * (b.count as f64 / largest as f64).sqrt(),
            title: format!(
                "{:.0}–{:.0}%: {} attempts, predicted {:.0}%, passed {:.0}%",
                b.from * 100.0,
                b.to * 100.0,
                b.count,
                b.predicted * 100.0,
                b.observed * 100.0
            ),
        })
        .collect();
    let chart = Chart {
        title: "Calibration: predicted against observed pass rate".into(),
        x: Axis::linear("predicted chance of passing", 0.0, 1.0, Ticks::Percent),
        y: Axis::linear("share that passed", 0.0, 1.0, Ticks::Percent),
        marks: vec![
            Mark::Diagonal,
            Mark::Points {
                class: "learned",
                points,
            },
        ],
        legend: vec![("learned", "a bin of the learned models' predictions".into())],
    };
    out.push_str(&chart.svg());
    out.push_str(
        "<table>\n<tr><th>predicted</th><th>attempts</th><th>mean prediction</th>\
         <th>passed</th></tr>\n",
    );
    for b in bins {
        let _ = writeln!(
            out,
            "<tr><td>{:.0}–{:.0}%</td><td>{}</td><td>{:.0}%</td><td>{:.0}%</td></tr>",
            b.from * 100.0,
            b.to * 100.0,
            b.count,
            b.predicted * 100.0,
            b.observed * 100.0
        );
    }
    out.push_str("</table>\n");
}

fn models(models: &[ModelVersion], out: &mut String) {
    out.push_str(
        "<h2>Model versions</h2>\n<p>Each version the Learn phase kept, with the attempts \
         it was trained on and its measures on the attempts held out when it was trained \
         (<code>knowledge/queries/model-versions.rq</code>).</p>\n",
    );
    if models.is_empty() {
        out.push_str("<p>No model version is recorded yet.</p>\n");
        return;
    }
    out.push_str(
        "<table>\n<tr><th>model</th><th>version</th><th>trained at</th><th>trained on</th>\
         <th>held out</th><th>effort MAE</th><th>within ±30%</th><th>Brier</th><th>AUC</th></tr>\n",
    );
    for m in models {
        let held_out = m.held_out.map_or("-".to_owned(), |n| format!("{n:.0}"));
        let cells = [
            m.name.clone(),
            m.version.clone(),
            m.trained_at.clone(),
            m.training_size.clone(),
            held_out,
            format_secs(m.mae),
            format_percent(m.within_30),
            format_score(m.brier),
            format_score(m.auc),
        ];
        out.push_str("<tr>");
        for c in cells {
            let _ = write!(out, "<td>{}</td>", escape(&c));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_elements_and_attributes() {
        assert_eq!(
            escape(r#"<script>alert("x" & 'y')</script>"#),
            "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;"
        );
        assert_eq!(escape("plain ±30%"), "plain ±30%");
    }

    #[test]
    fn rolling_means_start_with_what_there_is() {
        assert_eq!(rolling_mean(&[1.0, 0.0, 1.0, 1.0], 2), [1.0, 0.5, 0.5, 1.0]);
    }

    #[test]
    fn long_series_are_thinned_to_group_means() {
        let values: Vec<f64> = (0..3001).map(|i| f64::from(i % 2)).collect();
        let groups = thin(&values);
        assert!(groups.len() <= MAX_POINTS, "{}", groups.len());
        assert_eq!(groups[0], (0, 1.0 / 3.0, 3));
        assert_eq!(thin(&[0.5, 1.0]), [(0, 0.5, 1), (1, 1.0, 1)]);
    }
}
