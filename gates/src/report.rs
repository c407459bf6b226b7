//! The gate's verdict: every condition checked with what was measured, the threshold and, for
//! a failed one, a sentence saying why (fed to the next attempt's prompt).

use serde::{Deserialize, Serialize};
use std::fmt;
use tdev_core::{GateDecision, display_width, pad_end};

/// The verdict on one change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateReport {
    /// Whether every checked condition passed.
    pub passed: bool,
    /// The conditions checked, in a fixed order; switched-off conditions are left out.
    pub conditions: Vec<ConditionResult>,
}

/// One condition of the gate, judged.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConditionResult {
    /// The condition, as named in the `[gates]` table, e.g. `coverage`.
    pub name: String,
    /// Whether the change meets it.
    pub passed: bool,
    /// What was measured, e.g. `75.0% of 8 lines`.
    pub actual: String,
    /// What was required, e.g. `>= 80.0%`.
    pub threshold: String,
    /// Why it failed, as a sentence; empty when it passed.
    pub reason: String,
}

impl GateReport {
    /// A report of `conditions`, passed when all of them are.
    pub fn new(conditions: Vec<ConditionResult>) -> Self {
        GateReport {
            passed: conditions.iter().all(|c| c.passed),
            conditions,
        }
    }

    /// Why the change failed: one sentence per failed condition, in order.
    pub fn reasons(&self) -> Vec<String> {
        self.failed().map(|c| c.reason.clone()).collect()
    }

    /// The failed conditions.
    pub fn failed(&self) -> impl Iterator<Item = &ConditionResult> {
        self.conditions.iter().filter(|c| !c.passed)
    }

    /// The decision recorded in the cycle record.
    pub fn decision(&self) -> GateDecision {
        GateDecision {
            passed: self.passed,
            reasons: self.reasons(),
            failed: self.failed().map(|c| c.name.clone()).collect(),
        }
    }
}

impl From<&GateReport> for GateDecision {
    fn from(report: &GateReport) -> Self {
        report.decision()
    }
}

impl From<GateReport> for GateDecision {
    fn from(report: GateReport) -> Self {
        report.decision()
    }
}

/// A verdict line, a table of the conditions, then the reasons of the failed ones.
impl fmt::Display for GateReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let failed = self.failed().count();
        match failed {
            0 => writeln!(f, "gate passed ({} conditions)", self.conditions.len())?,
            _ => writeln!(
                f,
                "gate FAILED ({failed} of {} conditions)",
                self.conditions.len()
            )?,
        }
        let width = |column: fn(&ConditionResult) -> &str| {
            self.conditions
                .iter()
                .map(|c| display_width(column(c)))
                .max()
                .unwrap_or(0)
        };
        let name_width = width(|c| &c.name);
        let actual_width = width(|c| &c.actual);
        for c in &self.conditions {
            let status = if c.passed { "ok" } else { "FAIL" };
            let line = format!(
                "  {status:<4}  {}  {}  {}",
                pad_end(&c.name, name_width),
                pad_end(&c.actual, actual_width),
                c.threshold
            );
            writeln!(f, "{}", line.trim_end())?;
        }
        for c in self.failed() {
            writeln!(f, "- {}: {}", c.name, c.reason)?;
        }
        Ok(())
    }
}
