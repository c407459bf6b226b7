//! The words that go with a kept change: its commit message and pull-request description.
//! They describe the change that was kept (its strategy, the files it changed, the findings
//! there), which can differ from the task it was planned as: a later attempt may have kept a
//! riskier strategy's change, or one that touched fewer files than the task named.

use std::fmt::Write;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use tdev_core::{Finding, Metric, Strategy};

/// The longest subject line git tools and forges show without cutting it.
pub const MAX_SUBJECT_CHARS: usize = 72;

/// Everything a description says about one gate-passing attempt.
#[derive(Clone, Debug, PartialEq)]
pub struct PrInfo {
    /// The cycle's id; its named graph in the knowledge graph is named after it.
    pub cycle_id: String,
    /// The attempt number (1, 2 or 3).
    pub attempt: u32,
    /// What the change does, in one line (what it was made with, where): the description's
    /// first line, and the subject unless `subject` is given.
    pub title: String,
    /// The title of the task the change was made for; the description names it when it says
    /// otherwise than `title`.
    pub task_title: String,
    /// An imperative subject line for the commit (e.g. "Use yaml.safe_load in config
    /// loading"); `title` when `None`.
    pub subject: Option<String>,
    /// The strategy that produced the change, e.g. `codemod:yaml-safe-load`.
    pub strategy: Strategy,
    /// The files the change touches.
    pub files: Vec<String>,
    /// The findings the change addresses.
    pub findings: Vec<Finding>,
    /// Metrics before and after the change.
    pub metrics: Vec<Metric>,
    /// Whether the gate passed.
    pub gate_passed: bool,
    /// The gate report's lines: each condition and its reason, as the gate wrote them.
    pub gate_report: Vec<String>,
    /// Estimated risk from 1 (trivial) to 5 (dangerous).
    pub risk: u8,
    /// LLM tokens spent on the attempt, if any.
    pub tokens: Option<u64>,
    /// LLM cost of the attempt in US dollars, if any.
    pub cost_usd: Option<f64>,
}

/// The IRI of a cycle's named graph in the knowledge graph: `https://tdev.dev/graph/cycle/`
/// and the id with every byte outside `A-Za-z0-9-._~` percent-encoded, as the knowledge
/// crate writes it.
pub fn cycle_graph_iri(cycle_id: &str) -> String {
    /// RFC 3986's unreserved characters, which the knowledge crate keeps as they are.
    const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    let mut iri = String::from("https://tdev.dev/graph/cycle/");
    iri.extend(utf8_percent_encode(cycle_id, SEGMENT));
    iri
}

/// The commit's subject: the given subject or the change's title, on one line, without a
/// final full stop, starting with a capital, and at most [`MAX_SUBJECT_CHARS`] characters:
/// a long title loses its trailing clauses (counts, stages), or else its last words.
pub fn commit_subject(info: &PrInfo) -> String {
    let source = info.subject.as_deref().unwrap_or(&info.title);
    let line = one_line(source);
    let line = line.trim().trim_end_matches('.');
    let subject = shorten(line);
    let subject = subject.trim_end_matches([',', ':', ';', ' ']);
    let mut chars = subject.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "Apply tdev change".to_owned(),
    }
}

/// `line` if it fits; otherwise its longest leading clause (cut before `, `, `: `, ` (`,
/// ` - ` or a place, ` in `, outside parentheses) that fits; otherwise its longest run of
/// whole words that does not end on a word like "in" or "for".
fn shorten(line: &str) -> String {
    let fits = |s: &str| s.chars().count() <= MAX_SUBJECT_CHARS;
    if fits(line) {
        return line.to_owned();
    }
    let clause = [", ", ": ", " (", " - ", " in "]
        .iter()
        .flat_map(|sep| line.match_indices(sep).map(|(i, _)| i))
        .map(|i| &line[..i])
        .filter(|prefix| fits(prefix) && prefix.matches('(').count() == prefix.matches(')').count())
        .max_by_key(|prefix| prefix.len());
    if let Some(clause) = clause
        && clause.chars().count() >= MAX_SUBJECT_CHARS / 3
    {
        return clause.to_owned();
    }
    let mut subject = String::new();
    for word in line.split(' ') {
        let len = subject.chars().count() + usize::from(!subject.is_empty()) + word.chars().count();
        if len > MAX_SUBJECT_CHARS {
            break;
        }
        if !subject.is_empty() {
            subject.push(' ');
        }
        subject.push_str(word);
    }
    const DANGLING: [&str; 10] = [
        "in", "for", "of", "to", "on", "at", "and", "with", "the", "a",
    ];
    while let Some((rest, last)) = subject.rsplit_once(' ')
        && DANGLING.contains(&last)
    {
        subject.truncate(rest.len());
    }
    if subject.is_empty() {
        // One word longer than the limit: cut it.
        subject = line.chars().take(MAX_SUBJECT_CHARS).collect();
    }
    subject
}

/// The commit message: the subject, a blank line, and the description.
pub fn commit_message(info: &PrInfo) -> String {
    format!("{}\n\n{}", commit_subject(info), pr_description(info))
}

/// The pull-request description in Markdown: what changed, why, the metric deltas, the
/// gate report, the risk, and where the cycle is recorded.
pub fn pr_description(info: &PrInfo) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## What\n\n{}\n", one_line(&info.title));
    let _ = writeln!(out, "- Strategy: `{}`", info.strategy);
    if !info.files.is_empty() {
        let files: Vec<String> = info.files.iter().map(|f| format!("`{f}`")).collect();
        let _ = writeln!(out, "- Files: {}", files.join(", "));
    }
    let _ = writeln!(out, "- Risk: {} of 5", info.risk);

    out.push_str("\n## Why\n\n");
    if info.findings.is_empty() {
        out.push_str("No finding recorded.\n");
    }
    for finding in &info.findings {
        let place = match &finding.span {
            Some(span) => format!("{}:{}", finding.path, span.line),
            None => finding.path.clone(),
        };
        let symbol = finding
            .symbol
            .as_deref()
            .map(|s| format!(" in `{s}`"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "- `{}` ({}) at `{place}`{symbol}: {}",
            finding.kind,
            finding.severity.as_str(),
            one_line(&finding.message)
        );
    }

    if !info.metrics.is_empty() {
        out.push_str(
            "\n## Metric deltas\n\n| metric | before | after | change |\n|---|---:|---:|---:|\n",
        );
        for metric in &info.metrics {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                metric.name.replace('|', "\\|"),
                number(metric.before),
                number(metric.after),
                delta(metric.after - metric.before)
            );
        }
    }

    let verdict = if info.gate_passed { "passed" } else { "failed" };
    let _ = writeln!(out, "\n## Gate\n\nThe gate {verdict}.");
    if !info.gate_report.is_empty() {
        out.push('\n');
    }
    for line in &info.gate_report {
        let _ = writeln!(out, "- {}", one_line(line));
    }

    let _ = writeln!(out, "\n## Provenance\n");
    let _ = writeln!(out, "- Cycle: <{}>", cycle_graph_iri(&info.cycle_id));
    if one_line(&info.task_title) != one_line(&info.title) {
        let _ = writeln!(out, "- Task: {}", one_line(&info.task_title));
    }
    let _ = writeln!(out, "- Attempt: {}", info.attempt);
    match (info.tokens, info.cost_usd) {
        (Some(tokens), Some(cost)) => {
            let _ = writeln!(out, "- LLM: {tokens} tokens, ${cost:.4}");
        }
        (Some(tokens), None) => {
            let _ = writeln!(out, "- LLM: {tokens} tokens");
        }
        (None, Some(cost)) => {
            let _ = writeln!(out, "- LLM: ${cost:.4}");
        }
        (None, None) => {}
    }
    out.push_str("\nMade by tdev on a `tdev/auto/` branch; review before merging.\n");
    out
}

/// Text that is one Markdown line whatever it contained.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A metric value: whole numbers without decimals, others with up to three.
fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        return format!("{value:.0}");
    }
    let text = format!("{value:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn delta(value: f64) -> String {
    if value == 0.0 {
        "0".to_owned()
    } else if value > 0.0 {
        format!("+{}", number(value))
    } else {
        number(value)
    }
}
