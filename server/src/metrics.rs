//! `/metrics` in the Prometheus text exposition format (version 0.0.4) and `/health`.
//!
//! What the graph holds is counted by SPARQL at each scrape, with the queries in
//! `knowledge/queries/` (`metrics-cycles.rq`, `metrics-attempts.rq`, `model-versions.rq`):
//! cycles by outcome, attempts by gate decision, the gate-pass rate, attempt durations as a
//! histogram, what model backends spent, and the newest version and held-out measures of each
//! model. The daemon adds its live gauges through [`Live`](crate::Live), and the server says how
//! many of its slots are busy.

use crate::live::Gauge;
use crate::state::State;
use crate::{Error, Result};
use axum::Json;
use axum::extract::State as Shared;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use tdev_app::Reader;
use tdev_app::history::{Rows, lexical};

const CYCLES: &str = include_str!("../../knowledge/queries/metrics-cycles.rq");
const ATTEMPTS: &str = include_str!("../../knowledge/queries/metrics-attempts.rq");
const MODELS: &str = include_str!("../../knowledge/queries/model-versions.rq");

/// The histogram's bucket bounds, in seconds, and the variables of `metrics-attempts.rq` that
/// count them.
const BUCKETS: [(&str, &str); 6] = [
    ("1", "le1"),
    ("10", "le10"),
    ("60", "le60"),
    ("300", "le300"),
    ("900", "le900"),
    ("3600", "le3600"),
];

/// The model measures exported, as `model-versions.rq` names them.
const MODEL_MEASURES: [&str; 5] = ["heldOut", "mae", "within30", "brier", "auc"];

/// Metric families in the order written: name, type and help.
#[derive(Default)]
struct Exposition {
    families: Vec<(String, &'static str, String, Vec<String>)>,
}

impl Exposition {
    fn sample(
        &mut self,
        name: &str,
        kind: &'static str,
        help: &str,
        labels: &[(&str, &str)],
        value: f64,
    ) {
        if !valid_name(name)
            || labels
                .iter()
                .any(|(l, _)| !valid_name(l) || l.contains(':'))
        {
            tracing::warn!("a metric with an invalid name was left out: {name}");
            return;
        }
        let index = match self.families.iter().position(|(n, ..)| n == name) {
            Some(i) => i,
            None => {
                self.families
                    .push((name.to_owned(), kind, help.to_owned(), Vec::new()));
                self.families.len() - 1
            }
        };
        let mut line = name.to_owned();
        if !labels.is_empty() {
            let inner: Vec<String> = labels
                .iter()
                .map(|(l, v)| format!("{l}=\"{}\"", escape(v)))
                .collect();
            let _ = write!(line, "{{{}}}", inner.join(","));
        }
        let _ = write!(line, " {}", number(value));
        self.families[index].3.push(line);
    }

    /// The samples of a histogram family share the base name's HELP and TYPE.
    fn histogram_line(&mut self, base: &str, help: &str, line: String) {
        match self.families.iter_mut().find(|(n, ..)| n == base) {
            Some(family) => family.3.push(line),
            None => self
                .families
                .push((base.to_owned(), "histogram", help.to_owned(), vec![line])),
        }
    }

    fn render(&self) -> String {
        let mut out = String::new();
        for (name, kind, help, lines) in &self.families {
            let help = help.replace('\\', "\\\\").replace('\n', "\\n");
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {kind}");
            for line in lines {
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    }
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn number(value: f64) -> String {
    if value.is_nan() {
        "NaN".into()
    } else if value.is_infinite() {
        if value > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else {
        format!("{value}")
    }
}

/// The rows of a SELECT as maps from variable to the term's lexical value.
fn records(rows: &Rows) -> Vec<BTreeMap<&str, String>> {
    rows.rows
        .iter()
        .map(|row| {
            rows.header
                .iter()
                .zip(row)
                .filter_map(|(name, term)| Some((name.as_str(), lexical(term.as_ref()?))))
                .collect()
        })
        .collect()
}

fn value(record: &BTreeMap<&str, String>, name: &str) -> f64 {
    record.get(name).and_then(|v| v.parse().ok()).unwrap_or(0.0)
}

/// Runs the metric queries and writes the exposition.
fn exposition(reader: &Reader, live: Vec<Gauge>, busy: usize, slots: usize) -> Result<String> {
    let query = |text: &str| -> Result<Rows> { Ok(tdev_app::history::rows(reader.query(text)?)?) };
    let mut out = Exposition::default();
    for record in records(&query(CYCLES)?) {
        let outcome = record.get("outcome").cloned().unwrap_or_default();
        out.sample(
            "tdev_cycles_total",
            "counter",
            "Recorded cycles, by outcome.",
            &[("outcome", &outcome)],
            value(&record, "cycles"),
        );
    }
    let attempt_rows = query(ATTEMPTS)?;
    let attempts = records(&attempt_rows);
    let (mut total, mut passed, mut seconds, mut cost, mut input, mut output) =
        (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    let mut buckets = [0.0; BUCKETS.len()];
    for record in &attempts {
        let n = value(record, "attempts");
        let gate = record.get("passed").map_or("false", |p| {
            if p == "true" || p == "1" {
                "true"
            } else {
                "false"
            }
        });
        out.sample(
            "tdev_attempts_total",
            "counter",
            "Recorded attempts, by whether they passed the gate.",
            &[("passed", gate)],
            n,
        );
        total += n;
        if gate == "true" {
            passed += n;
        }
        seconds += value(record, "totalSeconds");
        cost += value(record, "cost");
        input += value(record, "inputTokens");
        output += value(record, "outputTokens");
        for (bucket, (_, variable)) in buckets.iter_mut().zip(BUCKETS) {
            *bucket += value(record, variable);
        }
    }
    if total > 0.0 {
        out.sample(
            "tdev_gate_pass_ratio",
            "gauge",
            "Share of recorded attempts that passed the gate.",
            &[],
            passed / total,
        );
    }
    let help = "How long recorded attempts took, in seconds.";
    for ((bound, _), count) in BUCKETS.iter().zip(buckets) {
        out.histogram_line(
            "tdev_attempt_duration_seconds",
            help,
            format!(
                "tdev_attempt_duration_seconds_bucket{{le=\"{bound}\"}} {}",
                number(count)
            ),
        );
    }
    for line in [
        format!(
            "tdev_attempt_duration_seconds_bucket{{le=\"+Inf\"}} {}",
            number(total)
        ),
        format!("tdev_attempt_duration_seconds_sum {}", number(seconds)),
        format!("tdev_attempt_duration_seconds_count {}", number(total)),
    ] {
        out.histogram_line("tdev_attempt_duration_seconds", help, line);
    }
    out.sample(
        "tdev_spend_usd_total",
        "counter",
        "What model backends cost over all recorded attempts, in US dollars.",
        &[],
        cost,
    );
    for (direction, tokens) in [("input", input), ("output", output)] {
        out.sample(
            "tdev_model_tokens_total",
            "counter",
            "Tokens model backends used over all recorded attempts.",
            &[("direction", direction)],
            tokens,
        );
    }
    // model-versions.rq lists each model's versions newest first: the first row of a name is
    // the version in use.
    let mut seen = Vec::new();
    for record in records(&query(MODELS)?) {
        let name = record.get("name").cloned().unwrap_or_default();
        if seen.contains(&name) {
            continue;
        }
        out.sample(
            "tdev_model_version",
            "gauge",
            "The newest trained version of each planner model.",
            &[("model", &name)],
            value(&record, "version"),
        );
        for measure in MODEL_MEASURES {
            if record.contains_key(measure) {
                out.sample(
                    "tdev_model_metric",
                    "gauge",
                    "Held-out measures of the newest version of each model.",
                    &[("model", &name), ("metric", measure)],
                    value(&record, measure),
                );
            }
        }
        seen.push(name);
    }
    out.sample(
        "tdev_http_slots_busy",
        "gauge",
        "Store slots of the HTTP server in use (queries, updates, scans).",
        &[],
        busy as f64,
    );
    out.sample(
        "tdev_http_slots",
        "gauge",
        "Store slots of the HTTP server (http.max_concurrent).",
        &[],
        slots as f64,
    );
    for gauge in live {
        let labels: Vec<(&str, &str)> = gauge
            .labels
            .iter()
            .map(|(l, v)| (l.as_str(), v.as_str()))
            .collect();
        out.sample(&gauge.name, "gauge", &gauge.help, &labels, gauge.value);
    }
    Ok(out.render())
}

pub(crate) async fn metrics(Shared(state): Shared<State>) -> Result<Response> {
    let reader = Reader::Local(state.knowledge.clone());
    let live = state.live.gauges();
    let slots = state.config.max_concurrent;
    // The scrape itself takes a slot: counted here before it runs.
    let busy = slots - state.free_slots() + 1;
    let text = state
        .blocking(Some(state.config.query_timeout), move |_| {
            exposition(&reader, live, busy, slots)
        })
        .await?;
    let mut response = text.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    Ok(response)
}

/// `/health`: the store answers; how many cycles it holds (counted from its graph names).
/// It takes no slot, so a busy server still says it is alive.
pub(crate) async fn health(Shared(state): Shared<State>) -> Result<Json<serde_json::Value>> {
    let knowledge = state.knowledge.clone();
    let cycles = tokio::task::spawn_blocking(move || knowledge.graph.cycle_count())
        .await
        .map_err(|e| Error::Worker(e.to_string()))??;
    Ok(Json(
        serde_json::json!({ "status": "ok", "cycles": cycles }),
    ))
}
