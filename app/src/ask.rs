//! `tdev ask`: recommendations from what tdev knows, each with its evidence and confidence.
//!
//! A question is matched to one of three kinds by its words ([`Question::understand`]):
//! what to fix first (in the whole repository or under a path it names), which strategies
//! fail on the repository and why, and how long the repository's work (or its tool fixes)
//! would take. The answers combine a fresh scan and plan of the repository, the recorded
//! attempts (the graph), the pattern index (BM25 over situations like the finding's) and the
//! planner's models (`docs/learning.md`). Every recommendation names its evidence, with the
//! cycles it comes from, and how sure it is: `high` with 10 or more recorded attempts of its
//! strategy, `medium` with 3 to 9, `low` with fewer. What the graph holds of each strategy is
//! read from its running statistics (`StrategyTallies`), not from every recorded attempt, so
//! that the answer takes milliseconds on a graph of 10,000 cycles (`docs/benchmarks.md`).

use crate::config::Config;
use crate::layout::Layout;
use crate::learn::{planning_estimator_with, strategy_tallies};
use crate::plan::{Scanned, scan_for_planning};
use crate::serve::Reader;
use crate::{Error, Result};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use tdev_core::{Finding, Strategy};
use tdev_knowledge::{SearchFilter, StrategyRecord, StrategyTallies};
use tdev_planner::{BackendChoice, Backends, Goal, HeuristicEstimator, Plan, Planner};

/// Recommendations listed at most.
const MAX_RECOMMENDATIONS: usize = 5;

/// The kinds of question `tdev ask` answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Question {
    /// What to fix first, in the repository or under `path`.
    FixFirst {
        /// A file or directory the question names, relative to the repository.
        path: Option<String>,
    },
    /// Which strategies fail on the repository, and why.
    Failures,
    /// How long the repository's work would take; only its tool fixes when `tools_only`.
    Duration {
        /// The question asked about tool fixes only.
        tools_only: bool,
    },
}

impl Question {
    /// The kind of `question`, from its words; `exists` says whether a word names a file or
    /// directory of the repository (for "what should I fix first in src/parser.py"). A
    /// question of no known kind is the user's to rephrase, with examples.
    pub fn understand(question: &str, exists: impl Fn(&str) -> bool) -> Result<Question> {
        let lower = question.to_lowercase();
        let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
        if has(&["how long", "duration", "time", "take"]) {
            return Ok(Question::Duration {
                tools_only: has(&["tool"]),
            });
        }
        if has(&["fail", "refus", "reject", "why"]) {
            return Ok(Question::Failures);
        }
        if has(&[
            "first",
            "fix",
            "start",
            "recommend",
            "improve",
            "priorit",
            "should",
        ]) {
            let path = question
                .split_whitespace()
                .map(|w| w.trim_matches(|c: char| "\"'`?,;:!()".contains(c)))
                .map(|w| w.trim_end_matches('.').trim_start_matches("./"))
                .find(|w| (w.contains('/') || w.contains('.')) && exists(w))
                .map(str::to_owned);
            return Ok(Question::FixFirst { path });
        }
        Err(Error::user(format!(
            "tdev ask does not know how to answer {question:?}; it answers questions such as \
             \"what should I fix first in src/parser.py\", \"which strategies fail on this \
             repository and why\" and \"how long will the tool fixes of this repository take\""
        )))
    }

    /// What the plan behind the answer may use: tool fixes only for "how long will the tool
    /// fixes take", else what `tdev evolve` could do with `config`.
    pub fn backends(&self, config: &Config) -> Backends {
        match self {
            Question::Duration { tools_only: true } => {
                Backends::new(BackendChoice::Tools, false, false)
            }
            _ => Backends::new(
                BackendChoice::Auto,
                config.llm.is_some(),
                config.command.is_some(),
            ),
        }
    }

    fn describe(&self) -> String {
        match self {
            Question::FixFirst { path: Some(path) } => format!("what to fix first in {path}"),
            Question::FixFirst { path: None } => "what to fix first".to_owned(),
            Question::Failures => "which strategies fail here, and why".to_owned(),
            Question::Duration { tools_only: true } => "how long the tool fixes take".to_owned(),
            Question::Duration { tools_only: false } => {
                "how long the planned work takes".to_owned()
            }
        }
    }
}

/// The answer to a question.
#[derive(Clone, Debug, Serialize)]
pub struct Answer {
    /// The question as asked.
    pub question: String,
    /// What it was understood as.
    pub understood_as: Question,
    /// The repository, by its name in the graph.
    pub repository: String,
    /// The recommendations, the most useful first.
    pub recommendations: Vec<Recommendation>,
    /// What made the estimates: the heuristic or a version of the learned models.
    pub estimated_by: String,
    /// What the answer could not use, and warnings.
    pub notes: Vec<String>,
}

/// One recommendation with what it rests on.
#[derive(Clone, Debug, Serialize)]
pub struct Recommendation {
    /// What to do, or what was found, in one sentence.
    pub summary: String,
    /// How sure tdev is.
    pub confidence: Confidence,
    /// What it rests on.
    pub evidence: Vec<Evidence>,
}

/// How sure a recommendation is: the level, from how many attempts of its strategy are
/// recorded, and the probability it rests on, when there is one.
#[derive(Clone, Debug, Serialize)]
pub struct Confidence {
    /// `high`, `medium` or `low`.
    pub level: &'static str,
    /// Recorded attempts behind it.
    pub observations: u32,
    /// The probability the recommendation rests on (of passing the gate), when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
}

impl Confidence {
    fn of(observations: u32, probability: Option<f64>) -> Confidence {
        let level = match observations {
            10.. => "high",
            3..=9 => "medium",
            _ => "low",
        };
        Confidence {
            level,
            observations,
            probability,
        }
    }
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// One piece of evidence.
#[derive(Clone, Debug, Serialize)]
pub struct Evidence {
    /// Where it comes from: `scan`, `graph`, `patterns` or `model`.
    pub source: &'static str,
    /// What it says.
    pub detail: String,
    /// How many recorded cycles it comes from (for `graph`).
    #[serde(skip_serializing_if = "is_zero")]
    pub cycles: u32,
    /// The newest of them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_cycle: Option<String>,
}

/// What the graph holds of each strategy: on the repository asked about, and everywhere.
struct Knowledge {
    tallies: StrategyTallies,
}

impl Knowledge {
    fn here(&self, strategy: &Strategy) -> Option<&StrategyRecord> {
        self.tallies.here.get(strategy)
    }

    /// Attempts and passes of `strategy` on every repository.
    fn everywhere(&self, strategy: &Strategy) -> (u32, u32) {
        self.tallies
            .everywhere
            .get(strategy)
            .map_or((0, 0), |t| (t.attempts, t.passes))
    }
}

/// Answers `question` about the repository `repo`, from the data directory `data` when there
/// is one (without, from the scan and the heuristic alone, which the notes say). The data
/// directory is opened only after the scan, so that it is not held while the scan runs.
pub fn ask(
    question: &str,
    repo: &Path,
    layout: &Layout,
    config: &Config,
    data: Option<&Path>,
) -> Result<Answer> {
    let understood = Question::understand(question, |word| repo.join(word).exists())?;
    let scanned = scan_for_planning(repo, &understood.backends(config), layout, config)?;
    match data {
        Some(dir) => {
            let reader = Reader::open(dir)?;
            answer(question, understood, &scanned, config, Some((dir, &reader)))
        }
        None => answer(question, understood, &scanned, config, None),
    }
}

/// [`ask`] for a caller that already reads the data directory (`data`: the directory and its
/// open [`Reader`]), as the daemon's HTTP server does with the store it holds.
pub fn ask_in(
    question: &str,
    repo: &Path,
    layout: &Layout,
    config: &Config,
    data: Option<(&Path, &Reader)>,
) -> Result<Answer> {
    let understood = Question::understand(question, |word| repo.join(word).exists())?;
    let scanned = scan_for_planning(repo, &understood.backends(config), layout, config)?;
    answer(question, understood, &scanned, config, data)
}

/// Everything [`ask`] does after scanning the repository: reads what the data directory
/// `data` (with its open reader) knows of the repository's strategies, plans the scanned
/// findings and recommends. `benches/ask.rs` times it on a graph of 10,000 cycles.
pub fn answer(
    question: &str,
    understood: Question,
    scanned: &Scanned,
    config: &Config,
    data: Option<(&Path, &Reader)>,
) -> Result<Answer> {
    let backends = understood.backends(config);
    let repository = scanned.repository.clone();
    let mut notes = Vec::new();
    let (knowledge, estimator) = match data {
        Some((dir, reader)) => {
            let tallies = strategy_tallies(reader, &repository)?;
            let (estimator, warnings) = planning_estimator_with(dir, &tallies, scanned.baseline);
            notes.extend(warnings);
            (Knowledge { tallies }, estimator)
        }
        None => {
            notes.push(
                "no data directory: nothing recorded to draw on; run `tdev evolve` first".into(),
            );
            let knowledge = Knowledge {
                tallies: StrategyTallies::default(),
            };
            let estimator: tdev_planner::SharedEstimator = Arc::new(HeuristicEstimator);
            (knowledge, estimator)
        }
    };
    let findings: Vec<Finding> = match &understood {
        Question::FixFirst { path: Some(path) } => scanned
            .findings
            .iter()
            .filter(|f| f.path == *path || f.path.starts_with(&format!("{path}/")))
            .cloned()
            .collect(),
        _ => scanned.findings.clone(),
    };
    let plan = Planner::new(estimator)
        .with_max_tasks(usize::MAX)
        .with_backends(backends)
        .plan(Goal::default(), &findings)?;
    let recommendations = match &understood {
        Question::FixFirst { .. } => fix_first(
            &plan,
            &findings,
            &knowledge,
            data.map(|(_, reader)| reader),
            &mut notes,
        )?,
        Question::Failures => failures(&knowledge),
        Question::Duration { .. } => duration(&plan, &knowledge),
    };
    if recommendations.is_empty() {
        notes.push(match &understood {
            Question::Failures => format!("nothing has failed on {repository} yet"),
            _ => "nothing to recommend: no finding here that tdev can work on".to_owned(),
        });
    }
    Ok(Answer {
        question: question.to_owned(),
        understood_as: understood,
        repository,
        recommendations,
        estimated_by: plan.estimated_by.clone(),
        notes,
    })
}

/// The graph's evidence for a strategy: its attempts here and everywhere, with cycles.
fn graph_evidence(knowledge: &Knowledge, strategy: &Strategy) -> Evidence {
    let (all, all_passed) = knowledge.everywhere(strategy);
    match knowledge.here(strategy) {
        Some(here) => Evidence {
            source: "graph",
            detail: format!(
                "{strategy}: {} of {} attempts passed the gate on this repository, \
                 {all_passed} of {all} on every repository",
                here.passes, here.attempts
            ),
            cycles: here.cycles,
            latest_cycle: here.last_cycle.clone(),
        },
        None => Evidence {
            source: "graph",
            detail: format!(
                "{strategy}: never tried on this repository; {all_passed} of {all} attempts \
                 passed on every repository"
            ),
            cycles: 0,
            latest_cycle: None,
        },
    }
}

fn seconds(secs: f64) -> String {
    if secs < 90.0 {
        format!("{secs:.0} s")
    } else if secs < 5400.0 {
        format!("{:.0} min", secs / 60.0)
    } else {
        format!("{:.1} h", secs / 3600.0)
    }
}

/// The plan's tasks by value for the time they take: priority times the chance of passing,
/// per estimated minute (a task under a minute counts as one, so that being quick alone does
/// not put a task that will likely fail first).
fn fix_first(
    plan: &Plan,
    findings: &[Finding],
    knowledge: &Knowledge,
    reader: Option<&Reader>,
    notes: &mut Vec<String>,
) -> Result<Vec<Recommendation>> {
    let patterns = match reader {
        Some(Reader::Local(kb)) => Some(kb.patterns.clone()),
        Some(Reader::Holder { .. }) => {
            notes.push(
                "the pattern index is held by another tdev process; patterns are left out".into(),
            );
            None
        }
        None => None,
    };
    let mut ranked: Vec<(f64, &tdev_core::Task)> = plan
        .tasks
        .iter()
        .filter_map(|task| {
            let detail = plan.details.get(&task.id)?;
            let value = detail.priority.max(0.01) * detail.success_probability
                / detail.estimate_secs.max(60.0);
            Some((value, task))
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut out = Vec::new();
    for (_, task) in ranked.into_iter().take(MAX_RECOMMENDATIONS) {
        let detail = &plan.details[&task.id];
        let addressed: Vec<&Finding> = findings
            .iter()
            .filter(|f| task.addresses.contains(&f.id))
            .collect();
        let mut evidence = Vec::new();
        if let Some(first) = addressed.first() {
            let line = first
                .span
                .map(|s| format!(":{}", s.line))
                .unwrap_or_default();
            evidence.push(Evidence {
                source: "scan",
                detail: format!(
                    "{} finding(s); the first: {}{line} {} ({})",
                    addressed.len(),
                    first.path,
                    first.message,
                    first.kind
                ),
                cycles: 0,
                latest_cycle: None,
            });
        }
        evidence.push(Evidence {
            source: "model",
            detail: format!(
                "about {} per attempt, {:.0}% chance of passing the gate, risk {} ({})",
                seconds(detail.estimate_secs),
                detail.success_probability * 100.0,
                task.risk,
                plan.estimated_by
            ),
            cycles: 0,
            latest_cycle: None,
        });
        evidence.push(graph_evidence(knowledge, &task.strategy));
        if let (Some(patterns), Some(first)) = (&patterns, addressed.first()) {
            let filter = SearchFilter {
                strategy: Some(task.strategy.to_string()),
                ..SearchFilter::default()
            };
            let situation = format!("{} {}", first.kind, first.message);
            if let Some(hit) = patterns.search(&situation, &filter, 1)?.into_iter().next() {
                evidence.push(Evidence {
                    source: "patterns",
                    detail: format!(
                        "the most similar situation seen: {} passed, {} failed with {}",
                        hit.pattern.successes, hit.pattern.failures, hit.pattern.strategy
                    ),
                    cycles: 0,
                    latest_cycle: None,
                });
            }
        }
        let (observations, _) = knowledge.everywhere(&task.strategy);
        out.push(Recommendation {
            summary: format!("{} ({})", task.title, task.strategy),
            confidence: Confidence::of(observations, Some(detail.success_probability)),
            evidence,
        });
    }
    Ok(out)
}

/// The strategies that failed on the repository, the most failures first, with the gate's
/// conditions and a reason.
fn failures(knowledge: &Knowledge) -> Vec<Recommendation> {
    let mut failing: Vec<(&Strategy, &StrategyRecord)> = knowledge
        .tallies
        .here
        .iter()
        .filter(|(_, record)| record.passes < record.attempts)
        .collect();
    failing.sort_by_key(|(_, r)| std::cmp::Reverse(r.attempts - r.passes));
    failing
        .into_iter()
        .take(MAX_RECOMMENDATIONS)
        .map(|(strategy, record)| {
            let failed = record.attempts - record.passes;
            let conditions: Vec<String> = record
                .conditions
                .iter()
                .map(|(c, n)| format!("{c} ({n})"))
                .collect();
            let why = if conditions.is_empty() {
                "before the gate".to_owned()
            } else {
                format!("on {}", conditions.join(", "))
            };
            let mut evidence = vec![graph_evidence(knowledge, strategy)];
            if let Some(reason) = &record.reason {
                evidence.push(Evidence {
                    source: "graph",
                    detail: format!("one of the gate's reasons: {reason}"),
                    cycles: 0,
                    latest_cycle: None,
                });
            }
            let rate = f64::from(failed + 1) / f64::from(record.attempts + 2);
            Recommendation {
                summary: format!(
                    "{strategy} failed {failed} of {} attempts here, {why}",
                    record.attempts
                ),
                confidence: Confidence::of(record.attempts, Some(1.0 - rate)),
                evidence,
            }
        })
        .collect()
}

/// The plan's estimated time, per strategy family, with what was observed of each here.
fn duration(plan: &Plan, knowledge: &Knowledge) -> Vec<Recommendation> {
    let mut by_family: BTreeMap<&'static str, (f64, Vec<&Strategy>)> = BTreeMap::new();
    for task in &plan.tasks {
        let secs = plan.details.get(&task.id).map_or(0.0, |d| d.estimate_secs);
        let entry = by_family
            .entry(task.strategy.family().prefix())
            .or_default();
        entry.0 += secs;
        entry.1.push(&task.strategy);
    }
    let total: f64 = by_family.values().map(|(s, _)| s).sum();
    let mut out = Vec::new();
    if !plan.tasks.is_empty() {
        let observed: u32 = plan
            .tasks
            .iter()
            .filter_map(|t| knowledge.here(&t.strategy))
            .map(|r| r.attempts)
            .sum();
        out.push(Recommendation {
            summary: format!(
                "{} tasks, about {} of attempts in all (one attempt each)",
                plan.tasks.len(),
                seconds(total)
            ),
            confidence: Confidence::of(observed, None),
            evidence: vec![Evidence {
                source: "model",
                detail: format!("estimated by {}", plan.estimated_by),
                cycles: 0,
                latest_cycle: None,
            }],
        });
    }
    for (family, (secs, strategies)) in by_family {
        let mut evidence = Vec::new();
        let mut seen = Vec::new();
        let mut observations = 0;
        for strategy in strategies {
            if seen.contains(&strategy) {
                continue;
            }
            seen.push(strategy);
            if let Some(record) = knowledge.here(strategy) {
                observations += record.attempts;
                evidence.push(Evidence {
                    source: "graph",
                    detail: format!(
                        "{strategy}: {} attempts here took {} on average",
                        record.attempts,
                        seconds(record.seconds / f64::from(record.attempts.max(1)))
                    ),
                    cycles: record.cycles,
                    latest_cycle: record.last_cycle.clone(),
                });
            }
        }
        out.push(Recommendation {
            summary: format!("{family}: about {}", seconds(secs)),
            confidence: Confidence::of(observations, None),
            evidence,
        });
    }
    out
}

/// The answer for a terminal.
pub fn render(answer: &Answer) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} (estimates by {})",
        answer.repository,
        answer.understood_as.describe(),
        answer.estimated_by
    );
    for (i, r) in answer.recommendations.iter().enumerate() {
        let probability = r
            .confidence
            .probability
            .map(|p| format!(", {:.0}%", p * 100.0))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "\n{}. {}\n   confidence {} ({} recorded attempts{probability})",
            i + 1,
            r.summary,
            r.confidence.level,
            r.confidence.observations
        );
        for e in &r.evidence {
            let _ = writeln!(out, "   - {}: {}", e.source, e.detail);
            if let Some(latest) = &e.latest_cycle {
                let more = e.cycles.saturating_sub(1);
                let more = if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                };
                let _ = writeln!(out, "     cycles: {latest}{more}");
            }
        }
    }
    for note in &answer.notes {
        let _ = writeln!(out, "\nNote: {note}.");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The three example questions of the issue, and one of no known kind.
    #[test]
    fn questions_are_understood_by_their_words() {
        let exists = |w: &str| w == "src/parser.py";
        assert_eq!(
            Question::understand("What should I fix first in src/parser.py?", exists).unwrap(),
            Question::FixFirst {
                path: Some("src/parser.py".into())
            }
        );
        assert_eq!(
            Question::understand("what should I fix first in src/other.py", exists).unwrap(),
            Question::FixFirst { path: None },
            "a path that is not in the repository is not a filter"
        );
        assert_eq!(
            Question::understand("which strategies fail on this repository and why", exists)
                .unwrap(),
            Question::Failures
        );
        assert_eq!(
            Question::understand(
                "how long will the tool fixes of this repository take",
                exists
            )
            .unwrap(),
            Question::Duration { tools_only: true }
        );
        let error = Question::understand("tell me a joke", exists).unwrap_err();
        assert!(error.is_user_error() && error.to_string().contains("what should I fix first"));
    }
}
