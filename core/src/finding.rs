//! A finding: one thing research found worth improving, in the one schema every analysis and
//! tool adapter reports in (published as JSON Schema in `docs/findings.schema.json`).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Worth fixing some day.
    Low,
    /// Worth fixing soon.
    Medium,
    /// Worth fixing now.
    High,
}

impl Severity {
    /// The spelling used in JSON and in the graph.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }
}

/// Where in a file a finding is: 1-based lines and columns, the end inclusive of its line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Span {
    /// First line, 1-based.
    pub line: u32,
    /// First column, 1-based (in characters).
    #[serde(default = "one")]
    pub column: u32,
    /// Last line, 1-based.
    pub end_line: u32,
    /// Column just past the end on the last line, 1-based (in characters).
    #[serde(default = "one")]
    pub end_column: u32,
}

fn one() -> u32 {
    1
}

impl Span {
    /// A span covering the whole of one line (its columns unknown).
    pub fn line(line: u32) -> Self {
        Span {
            line,
            column: 1,
            end_line: line,
            end_column: 1,
        }
    }
}

/// Whether a tool can fix the finding by itself, and how safely.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Fixability {
    /// The tool's fix keeps the code's meaning (ruff's "safe" applicability).
    Safe,
    /// The tool has a fix that may change behaviour; a riskier strategy.
    Unsafe,
}

/// Something research found worth improving.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Id, unique within the cycle (a scan derives it from kind, path and symbol, so the same
    /// problem keeps its id from scan to scan).
    pub id: String,
    /// What kind of problem, e.g. `complexity`, `ruff:E711`, `bandit:B506`.
    pub kind: String,
    /// How serious it is.
    pub severity: Severity,
    /// File, relative to the repository root, with `/` separators.
    pub path: String,
    /// Where in the file, when the finding has a place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
    /// The function, class or item concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symbol: Option<String>,
    /// One sentence for a person.
    pub message: String,
    /// What shows it: the offending source line or the tool's own words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// Measurements behind it, e.g. `complexity`, `churn`, `hotspot`, `coverage`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metrics: BTreeMap<String, f64>,
    /// Whether a tool can fix it by itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fixability>,
    /// Priority in [0, 1]; higher is more worth doing first.
    pub priority: f64,
}

impl Finding {
    /// Replaces the secrets in its words (message, evidence, symbol) with
    /// `<redacted:KIND>` ([`crate::secrets`]): a tool that quotes the code it flags (bandit's
    /// "Possible hardcoded password: '...'") must not carry a secret into the graph, the logs
    /// or a prompt. Says whether anything was redacted.
    pub fn redact_secrets(&mut self) -> bool {
        let mut redacted = crate::secrets::redact_in_place(&mut self.message);
        for text in [&mut self.evidence, &mut self.symbol].into_iter().flatten() {
            redacted |= crate::secrets::redact_in_place(text);
        }
        redacted
    }
}
