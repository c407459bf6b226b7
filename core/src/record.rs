//! The typed record of one evolution cycle, from findings to gate decisions.
//!
//! A `CycleRecord` is what the curator writes to the knowledge graph after the Learn phase. It
//! is plain data (serde, JSON-friendly) and checks its own consistency with
//! [`CycleRecord::validate`], so that nothing half-formed ever reaches the graph.

use crate::{Baseline, BranchFate, Finding, Strategy, TaskFeatures, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::fmt;

/// No primitive task may be estimated above this many hours; the planner splits larger ones.
pub const MAX_TASK_HOURS: f64 = 4.0;

/// A task is attempted at most this many times before the cycle moves on.
pub const MAX_ATTEMPTS_PER_TASK: u32 = 3;

/// Everything that happened in one evolution cycle on one repository.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CycleRecord {
    /// Unique id of the cycle: letters, digits, `.`, `_` and `-`.
    pub id: String,
    /// The repository the cycle worked on.
    pub repository: Repository,
    /// The commit the cycle's changes start from (hex object id), once the cycle knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_commit: Option<String>,
    /// What started the cycle.
    pub trigger: Trigger,
    /// The goal the planner decomposed, in words.
    pub goal: String,
    /// When the cycle started.
    pub started_at: Timestamp,
    /// When the cycle ended (after Learn).
    pub ended_at: Timestamp,
    /// How the cycle ended.
    pub outcome: Outcome,
    /// Why the cycle failed, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
    /// What research found.
    #[serde(default)]
    pub findings: Vec<Finding>,
    /// The planner's primitive tasks.
    #[serde(default)]
    pub tasks: Vec<Task>,
    /// Every attempt at every task, in order.
    #[serde(default)]
    pub attempts: Vec<Attempt>,
    /// Models retrained in the Learn phase of this cycle.
    #[serde(default)]
    pub models: Vec<ModelRecord>,
    /// What had become of branches earlier cycles proposed, for those whose fate changed
    /// since it was last recorded (see [`fates_to_record`](crate::fates_to_record)).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub branch_fates: Vec<BranchFate>,
}

/// A repository tdev works on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repository {
    /// Short name, unique within one tdev data directory (used in IRIs).
    pub name: String,
    /// Where it lives: a path or a URL.
    pub location: String,
    /// Its main language.
    pub language: Language,
}

/// Languages tdev analyses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Language {
    /// Python.
    Python,
    /// Rust.
    Rust,
    /// Anything else: recorded, not analysed natively.
    Other,
}

/// What started a cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Trigger {
    /// The daemon's schedule.
    Schedule,
    /// A person ran `tdev evolve`.
    Manual,
    /// A goal was set explicitly.
    Goal,
}

/// How a cycle ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// At least one task produced a gate-passing branch.
    Passed,
    /// Nothing passed, or the cycle broke down.
    Failed,
    /// There was nothing worth changing.
    NoChange,
    /// The cycle was interrupted (the process was killed or crashed) and recorded afterwards,
    /// with the reason, when its data directory was next opened.
    Aborted,
}

/// A primitive task of the plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Task {
    /// Id, unique within the cycle.
    pub id: String,
    /// What kind of work, e.g. `fix-lint`, `reduce-complexity`, `add-tests`.
    pub kind: String,
    /// One line for a person.
    pub title: String,
    /// The strategy chosen to do it, e.g. `ruff-fix:E7`, `codemod:yaml-safe-load`,
    /// `llm:refactor`.
    pub strategy: Strategy,
    /// Estimated effort in hours, at most [`MAX_TASK_HOURS`].
    pub estimate_hours: f64,
    /// Estimated risk from 1 (trivial) to 5 (dangerous).
    pub risk: u8,
    /// Ids of tasks that must finish first.
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// Ids of the findings this task addresses.
    #[serde(default)]
    pub addresses: Vec<String>,
    /// What its estimate was made from; absent in records written before tdev kept them.
    /// Their `kind` and `strategy` are the task's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub features: Option<TaskFeatures>,
    /// What the baseline knew about the task's code when it was planned (coverage of the
    /// lines its findings touch, the test suite's duration, the repository's size, the
    /// touched files' churn): the context the learners train on beside the features. Absent
    /// in older records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Baseline>,
}

/// One try at a task.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    /// Id of the task attempted.
    pub task: String,
    /// 1, 2 or 3.
    pub number: u32,
    /// The strategy used for this try.
    pub strategy: Strategy,
    /// The backend that produced the change, e.g. `ruff`, `codemod`, `llm:anthropic`.
    pub backend: String,
    /// When the attempt started.
    pub started_at: Timestamp,
    /// Wall-clock duration in seconds.
    pub duration_secs: f64,
    /// The change produced, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<Change>,
    /// The evaluation of the change, if it got that far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluation: Option<Evaluation>,
    /// The gate's verdict.
    pub gate: GateDecision,
    /// What an LLM backend spent on the attempt; absent for backends that spend nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<TokenUsage>,
}

/// Tokens and money an attempt spent on a model.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TokenUsage {
    /// Tokens sent (the prompt), as the provider counted them.
    pub input_tokens: u64,
    /// Tokens received (the answer).
    pub output_tokens: u64,
    /// What they cost, in the currency of the configured prices.
    pub cost: f64,
}

/// A change produced by an attempt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// Branch it was committed on (`tdev/auto/...`).
    pub branch: String,
    /// Commit id, once committed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// Files touched.
    pub files_changed: u32,
    /// Lines added.
    pub lines_added: u32,
    /// Lines removed.
    pub lines_removed: u32,
}

/// What the evaluator measured for a change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Metrics before and after the change.
    #[serde(default)]
    pub metrics: Vec<Metric>,
    /// Tests of the target that passed after the change.
    pub tests_passed: u32,
    /// Tests of the target that failed after the change.
    pub tests_failed: u32,
}

/// A metric measured before and after a change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    /// Name, e.g. `cyclomatic_complexity`, `docstring_coverage`.
    pub name: String,
    /// Value on the untouched code.
    pub before: f64,
    /// Value with the change.
    pub after: f64,
}

/// The gate's verdict on an attempt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateDecision {
    /// Whether the change may be merged into its branch.
    pub passed: bool,
    /// Why; required when the gate failed.
    #[serde(default)]
    pub reasons: Vec<String>,
    /// The conditions the change failed, as named in the `[gates]` table (`tests`,
    /// `docstrings`, ...), and `test_run` when the test run was stopped; when the gate was not
    /// reached because the tool turned its own change down, that refusal's name
    /// ([`PreGateRefusal`](crate::PreGateRefusal)); otherwise empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failed: Vec<String>,
}

/// A learned model version trained in a cycle's Learn phase.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelRecord {
    /// What the model estimates, e.g. `effort`, `risk`.
    pub name: String,
    /// Version, increasing per name.
    pub version: u32,
    /// When training finished.
    pub trained_at: Timestamp,
    /// Number of examples it was trained on.
    pub training_size: u32,
    /// SHA-256 of the model file, hex.
    pub sha256: String,
    /// Held-out metrics, e.g. `mae`, `brier`, `auc`.
    #[serde(default)]
    pub metrics: Vec<(String, f64)>,
}

impl ModelRecord {
    /// What makes this record unfit to be written (empty when it is fit), fields named
    /// relative to the record.
    pub fn problems(&self) -> Vec<RecordProblem> {
        let mut problems = Vec::new();
        let mut problem = |field: &str, message: &str| {
            problems.push(RecordProblem {
                field: field.to_owned(),
                message: message.to_owned(),
            });
        };
        if self.name.is_empty() {
            problem("name", "must not be empty");
        }
        let hex = self.sha256.len() == 64 && self.sha256.bytes().all(|b| b.is_ascii_hexdigit());
        if !hex {
            problem("sha256", "must be 64 hex digits");
        }
        if self.metrics.iter().any(|(_, v)| !v.is_finite()) {
            problem("metrics", "must be finite");
        }
        problems
    }
}

/// One reason a cycle record is not fit to be written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordProblem {
    /// Where in the record, e.g. `tasks[2].risk`.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for RecordProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl Outcome {
    /// The spelling used in JSON and in the graph.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Passed => "passed",
            Self::Failed => "failed",
            Self::NoChange => "no-change",
            Self::Aborted => "aborted",
        }
    }
}

impl Trigger {
    /// The spelling used in JSON and in the graph.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Schedule => "schedule",
            Self::Manual => "manual",
            Self::Goal => "goal",
        }
    }
}

impl Language {
    /// The language spelled as in JSON and in the graph (`python`, `rust`, `other`).
    pub fn parse(text: &str) -> Option<Language> {
        match text {
            "python" => Some(Self::Python),
            "rust" => Some(Self::Rust),
            "other" => Some(Self::Other),
            _ => None,
        }
    }

    /// The spelling used in JSON and in the graph.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Python => "python",
            Self::Rust => "rust",
            Self::Other => "other",
        }
    }
}

/// Whether `id` may be used as a cycle id: it becomes part of IRIs and branch names.
fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// A git object id: 40 hex digits (SHA-1) or 64 (SHA-256).
fn is_object_id(id: &str) -> bool {
    matches!(id.len(), 40 | 64) && id.bytes().all(|b| b.is_ascii_hexdigit())
}

impl CycleRecord {
    /// Checks that the record is internally consistent and within tdev's limits.
    ///
    /// Returns every problem found, not just the first, so that a person can fix them at once.
    pub fn validate(&self) -> Result<(), Vec<RecordProblem>> {
        let mut problems = Vec::new();
        let mut problem = |field: String, message: &str| {
            problems.push(RecordProblem {
                field,
                message: message.to_owned(),
            });
        };
        if !is_valid_id(&self.id) {
            problem(
                "id".into(),
                "must be 1-128 letters, digits, '.', '_' or '-'",
            );
        }
        if self.repository.name.trim().is_empty() {
            problem("repository.name".into(), "must not be empty");
        }
        if self.ended_at < self.started_at {
            problem("ended_at".into(), "is before started_at");
        }
        if matches!(self.outcome, Outcome::Failed | Outcome::Aborted)
            && self.failure_reason.is_none()
        {
            problem(
                "failure_reason".into(),
                &format!("is required when the outcome is {}", self.outcome.as_str()),
            );
        }
        let mut finding_ids = HashSet::new();
        for (i, f) in self.findings.iter().enumerate() {
            if !finding_ids.insert(f.id.as_str()) {
                problem(format!("findings[{i}].id"), "is a duplicate");
            }
            if !(0.0..=1.0).contains(&f.priority) {
                problem(format!("findings[{i}].priority"), "must be in [0, 1]");
            }
            if f.kind.is_empty() {
                problem(format!("findings[{i}].kind"), "must not be empty");
            }
        }
        let mut task_ids = HashSet::new();
        for (i, t) in self.tasks.iter().enumerate() {
            if !task_ids.insert(t.id.as_str()) {
                problem(format!("tasks[{i}].id"), "is a duplicate");
            }
            if !(t.estimate_hours > 0.0 && t.estimate_hours <= MAX_TASK_HOURS) {
                problem(
                    format!("tasks[{i}].estimate_hours"),
                    "must be above 0 and at most 4 (split larger tasks)",
                );
            }
            if !(1..=5).contains(&t.risk) {
                problem(format!("tasks[{i}].risk"), "must be from 1 to 5");
            }
            if let Some(features) = &t.features {
                if features.kind != t.kind || features.strategy != t.strategy {
                    problem(
                        format!("tasks[{i}].features"),
                        "must have the task's kind and strategy",
                    );
                }
                if !(features.total_complexity >= 0.0 && features.total_complexity.is_finite()) {
                    problem(
                        format!("tasks[{i}].features.total_complexity"),
                        "must be a finite number >= 0",
                    );
                }
                if !(0.0..=1.0).contains(&features.priority) {
                    problem(format!("tasks[{i}].features.priority"), "must be in [0, 1]");
                }
            }
            if let Some(baseline) = &t.baseline {
                if baseline.coverage.is_some_and(|c| !(0.0..=1.0).contains(&c)) {
                    problem(format!("tasks[{i}].baseline.coverage"), "must be in [0, 1]");
                }
                let measures = [
                    ("test_duration_secs", baseline.test_duration_secs),
                    ("churn", baseline.churn),
                ];
                for (name, value) in measures {
                    if value.is_some_and(|v| !(v >= 0.0 && v.is_finite())) {
                        problem(
                            format!("tasks[{i}].baseline.{name}"),
                            "must be a finite number >= 0",
                        );
                    }
                }
            }
        }
        for (i, t) in self.tasks.iter().enumerate() {
            for dep in &t.depends_on {
                if !task_ids.contains(dep.as_str()) {
                    problem(format!("tasks[{i}].depends_on"), "names an unknown task");
                }
            }
            for finding in &t.addresses {
                if !finding_ids.contains(finding.as_str()) {
                    problem(format!("tasks[{i}].addresses"), "names an unknown finding");
                }
            }
        }
        let mut attempt_keys = HashSet::new();
        for (i, a) in self.attempts.iter().enumerate() {
            if !task_ids.contains(a.task.as_str()) {
                problem(format!("attempts[{i}].task"), "names an unknown task");
            }
            if !(1..=MAX_ATTEMPTS_PER_TASK).contains(&a.number) {
                problem(format!("attempts[{i}].number"), "must be 1, 2 or 3");
            }
            if !attempt_keys.insert((a.task.as_str(), a.number)) {
                problem(
                    format!("attempts[{i}]"),
                    "repeats the number of an earlier attempt",
                );
            }
            if a.usage
                .is_some_and(|u| !(u.cost >= 0.0 && u.cost.is_finite()))
            {
                problem(
                    format!("attempts[{i}].usage.cost"),
                    "must be a finite amount, zero or more",
                );
            }
            if !(a.duration_secs >= 0.0 && a.duration_secs.is_finite()) {
                problem(
                    format!("attempts[{i}].duration_secs"),
                    "must be a finite number >= 0",
                );
            }
            if !a.gate.passed && a.gate.reasons.is_empty() {
                problem(
                    format!("attempts[{i}].gate.reasons"),
                    "must say why the gate failed",
                );
            }
            if let Some(change) = &a.change
                && !change.branch.starts_with("tdev/auto/")
            {
                problem(
                    format!("attempts[{i}].change.branch"),
                    "must start with tdev/auto/",
                );
            }
            let metrics = a.evaluation.iter().flat_map(|e| &e.metrics);
            for (j, m) in metrics.enumerate() {
                if !(m.before.is_finite() && m.after.is_finite()) {
                    problem(
                        format!("attempts[{i}].evaluation.metrics[{j}]"),
                        "must be finite",
                    );
                }
            }
        }
        if let Some(commit) = &self.base_commit
            && !is_object_id(commit)
        {
            problem(
                "base_commit".into(),
                "must be a git object id: 40 or 64 hex digits",
            );
        }
        let mut fate_branches = HashSet::new();
        for (i, f) in self.branch_fates.iter().enumerate() {
            if !f.branch.starts_with("tdev/auto/") {
                problem(
                    format!("branch_fates[{i}].branch"),
                    "must start with tdev/auto/",
                );
            }
            if !fate_branches.insert(f.branch.as_str()) {
                problem(format!("branch_fates[{i}].branch"), "is a duplicate");
            }
        }
        for (i, m) in self.models.iter().enumerate() {
            for p in m.problems() {
                problem(format!("models[{i}].{}", p.field), &p.message);
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Severity, Span};
    use std::collections::BTreeMap;

    fn valid() -> CycleRecord {
        let t = |s: &str| Timestamp::parse(s).unwrap();
        CycleRecord {
            id: "c-1".into(),
            repository: Repository {
                name: "demo".into(),
                location: "/src/demo".into(),
                language: Language::Python,
            },
            base_commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
            trigger: Trigger::Manual,
            goal: "fix security findings".into(),
            started_at: t("2026-11-25T10:00:00Z"),
            ended_at: t("2026-11-25T10:10:00Z"),
            outcome: Outcome::Passed,
            failure_reason: None,
            findings: vec![Finding {
                id: "f1".into(),
                kind: "bandit:B506".into(),
                severity: Severity::High,
                path: "app.py".into(),
                span: Some(Span::line(3)),
                symbol: None,
                message: "yaml.load".into(),
                evidence: None,
                metrics: BTreeMap::new(),
                fix: None,
                priority: 0.9,
            }],
            tasks: vec![Task {
                id: "t1".into(),
                kind: "fix-security".into(),
                title: "Use safe_load".into(),
                strategy: "codemod:safe-load".parse().unwrap(),
                estimate_hours: 0.5,
                risk: 2,
                depends_on: vec![],
                addresses: vec!["f1".into()],
                features: Some(TaskFeatures {
                    kind: "fix-security".into(),
                    strategy: "codemod:safe-load".parse().unwrap(),
                    findings: 1,
                    files: 1,
                    total_complexity: 0.0,
                    priority: 0.9,
                }),
                baseline: Some(Baseline {
                    coverage: Some(0.75),
                    test_duration_secs: Some(4.5),
                    repository_lines: Some(1200),
                    churn: Some(3.0),
                    ..Baseline::unknown(Language::Python)
                }),
            }],
            attempts: vec![Attempt {
                task: "t1".into(),
                number: 1,
                strategy: "codemod:safe-load".parse().unwrap(),
                backend: "codemod".into(),
                started_at: t("2026-11-25T10:01:00Z"),
                duration_secs: 12.5,
                usage: None,
                change: Some(Change {
                    branch: "tdev/auto/c-1-t1".into(),
                    commit: Some("abc1234".into()),
                    files_changed: 1,
                    lines_added: 1,
                    lines_removed: 1,
                }),
                evaluation: None,
                gate: GateDecision {
                    passed: true,
                    reasons: vec![],
                    failed: vec![],
                },
            }],
            models: vec![],
            branch_fates: vec![BranchFate {
                branch: "tdev/auto/c-0-t1".into(),
                fate: crate::Fate::Merged,
                observed_at: t("2026-11-25T10:00:00Z"),
            }],
        }
    }

    /// Breaks a valid record with `edit` and checks the problems reported.
    fn check(edit: impl FnOnce(&mut CycleRecord), expected: &[&str]) {
        let mut record = valid();
        edit(&mut record);
        let problems = match record.validate() {
            Ok(()) => vec![],
            Err(problems) => problems.iter().map(ToString::to_string).collect(),
        };
        assert_eq!(problems, expected);
    }

    #[test]
    fn a_complete_record_is_valid() {
        check(|_| {}, &[]);
    }

    #[test]
    fn every_limit_is_checked() {
        check(
            |r| r.id = "has space".into(),
            &["id: must be 1-128 letters, digits, '.', '_' or '-'"],
        );
        check(
            |r| r.ended_at = Timestamp::from_unix(0),
            &["ended_at: is before started_at"],
        );
        check(
            |r| r.outcome = Outcome::Failed,
            &["failure_reason: is required when the outcome is failed"],
        );
        check(
            |r| r.outcome = Outcome::Aborted,
            &["failure_reason: is required when the outcome is aborted"],
        );
        check(
            |r| r.findings[0].priority = 1.5,
            &["findings[0].priority: must be in [0, 1]"],
        );
        check(
            |r| r.base_commit = Some("HEAD".into()),
            &["base_commit: must be a git object id: 40 or 64 hex digits"],
        );
        check(
            |r| r.tasks[0].estimate_hours = 4.5,
            &["tasks[0].estimate_hours: must be above 0 and at most 4 (split larger tasks)"],
        );
        check(
            |r| r.tasks[0].risk = 0,
            &["tasks[0].risk: must be from 1 to 5"],
        );
        check(
            |r| r.tasks[0].depends_on = vec!["t9".into()],
            &["tasks[0].depends_on: names an unknown task"],
        );
        check(
            |r| r.attempts[0].number = 4,
            &["attempts[0].number: must be 1, 2 or 3"],
        );
        check(
            |r| r.attempts[0].task = "t9".into(),
            &["attempts[0].task: names an unknown task"],
        );
        check(
            |r| r.attempts[0].change.as_mut().unwrap().branch = "main".into(),
            &["attempts[0].change.branch: must start with tdev/auto/"],
        );
        check(
            |r| r.attempts[0].gate.passed = false,
            &["attempts[0].gate.reasons: must say why the gate failed"],
        );
        check(
            |r| r.attempts.push(r.attempts[0].clone()),
            &["attempts[1]: repeats the number of an earlier attempt"],
        );
        check(
            |r| r.tasks[0].features.as_mut().unwrap().strategy = "llm:fix".parse().unwrap(),
            &["tasks[0].features: must have the task's kind and strategy"],
        );
        check(
            |r| r.tasks[0].features.as_mut().unwrap().priority = 2.0,
            &["tasks[0].features.priority: must be in [0, 1]"],
        );
        check(
            |r| r.branch_fates[0].branch = "main".into(),
            &["branch_fates[0].branch: must start with tdev/auto/"],
        );
        check(
            |r| r.branch_fates.push(r.branch_fates[0].clone()),
            &["branch_fates[1].branch: is a duplicate"],
        );
        check(
            |r| r.tasks[0].features.as_mut().unwrap().total_complexity = -1.0,
            &["tasks[0].features.total_complexity: must be a finite number >= 0"],
        );
        check(
            |r| r.tasks[0].baseline.as_mut().unwrap().coverage = Some(1.5),
            &["tasks[0].baseline.coverage: must be in [0, 1]"],
        );
        check(
            |r| r.tasks[0].baseline.as_mut().unwrap().churn = Some(f64::NAN),
            &["tasks[0].baseline.churn: must be a finite number >= 0"],
        );
    }

    /// Records written before tasks kept their features stay valid.
    #[test]
    fn a_task_without_features_is_valid() {
        check(|r| r.tasks[0].features = None, &[]);
        let mut json = serde_json::to_value(valid()).unwrap();
        json["tasks"][0].as_object_mut().unwrap().remove("features");
        let record: CycleRecord = serde_json::from_value(json).unwrap();
        assert_eq!(record.tasks[0].features, None);
        assert!(record.validate().is_ok());
    }

    #[test]
    fn an_unknown_strategy_is_refused_where_it_is() {
        let mut json = serde_json::to_value(valid()).unwrap();
        json["attempts"][0]["strategy"] = "ruff:E711".into();
        let error = serde_json::from_value::<CycleRecord>(json).unwrap_err();
        assert!(
            error.to_string().contains("`ruff:E711` is not a strategy"),
            "{error}"
        );
    }

    #[test]
    fn all_problems_are_reported_at_once() {
        let mut record = valid();
        record.tasks[0].risk = 9;
        record.attempts[0].duration_secs = f64::NAN;
        assert_eq!(record.validate().unwrap_err().len(), 2);
    }
}
