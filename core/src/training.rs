//! One recorded attempt as a learner sees it: what was known before it started and how it
//! went. The knowledge layer reads these rows out of the graph and the learners train on
//! them, so the type lives here, where both see it without the reader depending on the
//! models or the models on the store.
//!
//! `docs/learning.md` lists every field with how it is computed and how the models encode it.

use crate::{Language, TaskFeatures, Timestamp};
use serde::{Deserialize, Serialize};

/// One attempt of a task: its features, the situation it ran in, and its outcome.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainingRow {
    /// The repository the attempt ran on (its short name), so that a caller can hold out
    /// whole repositories; not a feature.
    pub repository: String,
    /// When the attempt started, so that a caller can split rows in time; not a feature.
    pub started_at: Timestamp,
    /// The task's features, as the planner computed them for its estimate.
    pub features: TaskFeatures,
    /// What was known before the attempt: the baseline and the strategy's history.
    pub context: Context,
    /// How the attempt went.
    pub labels: Labels,
}

/// What is known about a task's situation before an attempt starts, beside the task's own
/// features: what a model is given both when it is trained and when it predicts.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Context {
    /// What the baseline evaluation knew about the code and the repository.
    pub baseline: Baseline,
    /// How the task's strategy fared before this attempt.
    pub history: StrategyHistory,
}

/// What the baseline (the code before the change) tells about a task, each measurement
/// optional because older records and some languages lack it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    /// The repository's language.
    pub language: Language,
    /// The share of the lines the task's findings touch that the baseline's tests cover, in
    /// [0, 1].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<f64>,
    /// How long the repository's test suite took on the baseline, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_duration_secs: Option<f64>,
    /// The repository's size in lines of code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository_lines: Option<u64>,
    /// How often the touched code changed: commits that changed it in the history the scan
    /// read, summed over the touched files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub churn: Option<f64>,
}

impl Baseline {
    /// A baseline of which only the language is known.
    pub fn unknown(language: Language) -> Baseline {
        Baseline {
            language,
            coverage: None,
            test_duration_secs: None,
            repository_lines: None,
            churn: None,
        }
    }
}

/// How a strategy fared before an attempt: its earlier attempts on the same repository, on
/// every repository, and on tasks of the same kind.
///
/// The reader counts in time order and only what *started before* the attempt, never the
/// attempt itself or anything after it, so that a model is trained on what it will know when
/// it predicts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StrategyHistory {
    /// Earlier attempts of the strategy on this repository.
    pub repository: Tally,
    /// Earlier attempts of the strategy on every repository, this one included.
    pub everywhere: Tally,
    /// Earlier attempts of the strategy on tasks of the same kind (`TaskFeatures::kind`), on
    /// every repository: how a strategy that works in general fares on this kind of work.
    #[serde(default)]
    pub same_kind: Tally,
}

/// Attempts and how many of them passed the gate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Attempts made.
    pub attempts: u32,
    /// Attempts whose change passed the gate (at most `attempts`).
    pub passes: u32,
}

/// How an attempt went: what the models learn to predict.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Labels {
    /// Whether the change passed the gate.
    pub passed: bool,
    /// The gate conditions it failed (`GateDecision::failed`), empty when it passed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failed: Vec<String>,
    /// Wall-clock duration of the attempt, in seconds.
    pub duration_secs: f64,
    /// Tokens a model backend spent (input and output), absent for other backends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens: Option<u64>,
    /// What those tokens cost, in the currency of the configured prices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<f64>,
    /// What the repository's maintainers did with the branch a passing attempt kept, as the
    /// latest cycle to look saw it (merged, deleted, stale, open); absent for attempts that
    /// kept no branch and for branches no cycle has looked at yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fate: Option<crate::Fate>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Family, Strategy};

    /// A row written by the knowledge reader reads back the same; fields older records lack
    /// may be left out.
    #[test]
    fn a_row_round_trips_through_json_and_unknown_measurements_may_be_left_out() {
        let row = TrainingRow {
            repository: "demo".into(),
            started_at: Timestamp::parse("2026-11-25T10:00:00Z").unwrap(),
            features: TaskFeatures {
                kind: "fix-lint".into(),
                strategy: Strategy::new(Family::ToolFix, "E7"),
                findings: 3,
                files: 1,
                total_complexity: 0.0,
                priority: 0.5,
            },
            context: Context {
                baseline: Baseline {
                    coverage: Some(0.8),
                    ..Baseline::unknown(Language::Python)
                },
                history: StrategyHistory {
                    repository: Tally {
                        attempts: 2,
                        passes: 1,
                    },
                    everywhere: Tally {
                        attempts: 10,
                        passes: 9,
                    },
                    same_kind: Tally {
                        attempts: 4,
                        passes: 4,
                    },
                },
            },
            labels: Labels {
                passed: false,
                failed: vec!["tests".into()],
                duration_secs: 12.5,
                tokens: None,
                cost: None,
                fate: None,
            },
        };
        let json = serde_json::to_string(&row).unwrap();
        assert!(!json.contains("churn"), "{json}");
        assert_eq!(serde_json::from_str::<TrainingRow>(&json).unwrap(), row);
    }
}
