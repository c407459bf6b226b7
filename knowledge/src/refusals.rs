//! What tdev's tools could not do on a commit: the findings of tasks whose every attempt was a
//! tool or codemod strategy that was refused, on the same base commit, by the gate or, before
//! it, by the tool itself (a fix that would break importers, one that changed nothing: a
//! `PreGateRefusal` among the attempt's failed conditions). Those strategies are
//! deterministic, so on that commit they would make the same changes and get the same verdicts
//! again; a cycle leaves these findings out until the repository moves on to another commit
//! (or a model, which answers differently each time, is there to try them). A refusal for
//! failing tests, or a stopped test run, does not count: a flaky test would otherwise hold a
//! finding back for as long as the commit stays. Nor does a failure before the gate that names
//! no refusal (a tool that crashed or ran out of time, a change already proposed).

use crate::error::{Error, Result};
use crate::graph::KnowledgeGraph;
use crate::proposals::finding_id;
use crate::vocab;
use oxigraph::model::{Literal, Term};
use oxigraph::sparql::{QueryResults, Variable};
use std::collections::{BTreeMap, BTreeSet};
use tdev_core::{PreGateRefusal, Strategy};

/// One finding whose deterministic strategies were all refused on a commit.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Refusal {
    /// The finding's id (stable across scans, see `Finding::id`).
    pub finding: String,
    /// The cycle that tried them last.
    pub cycle: String,
    /// The strategies tried, in the order of their attempts.
    pub strategies: Vec<Strategy>,
    /// Why the last attempt was refused: the gate's first reason, or the tool's.
    pub reason: String,
}

const QUERY: &str = "
SELECT ?repository ?base ?cycle ?task ?number ?strategy ?passed ?evaluated ?condition ?reason
       ?finding WHERE {
  ?cycle tdev:repository [ tdev:name ?repository ] ; tdev:baseCommit ?base ;
         tdev:hasAttempt ?attempt .
  ?attempt tdev:task ?task ; tdev:attemptNumber ?number ; tdev:strategy ?strategy ;
           tdev:gateDecision ?gate .
  ?gate tdev:passed ?passed .
  BIND(EXISTS { ?attempt tdev:evaluation ?evaluation } AS ?evaluated)
  OPTIONAL { ?gate tdev:failedCondition ?condition }
  OPTIONAL { ?gate tdev:reason ?reason }
  ?task tdev:addresses ?finding .
}";

/// The failed conditions that say the target's tests decided: they may decide otherwise.
const ON_TESTS: [&str; 2] = ["tests", "test_run"];

/// One attempt, as far as refusals need it.
#[derive(Default)]
struct Tried {
    /// `None` for a strategy this tdev cannot read: not known to be deterministic.
    strategy: Option<Strategy>,
    passed: bool,
    evaluated: bool,
    /// Its gate decision's failed conditions.
    conditions: BTreeSet<String>,
    reason: Option<String>,
}

impl Tried {
    /// Whether the same strategy would be refused again on the same code: the gate refused
    /// the change, not for the tests, or the tool turned it down before the gate.
    fn refused(&self) -> bool {
        if self.passed {
            false
        } else if self.evaluated {
            !self
                .conditions
                .iter()
                .any(|c| ON_TESTS.contains(&c.as_str()))
        } else {
            !self.conditions.is_empty()
                && self
                    .conditions
                    .iter()
                    .all(|c| c.parse::<PreGateRefusal>().is_ok())
        }
    }
}

impl KnowledgeGraph {
    /// The findings on `repository` whose tasks, in cycles on `base_commit`, had only
    /// deterministic attempts, every one of which was refused: by the gate, or before it by
    /// the tool itself (a `PreGateRefusal`); sorted, one per finding (the latest cycle's).
    ///
    /// An attempt that failed before the gate otherwise (a tool error, a timeout, a change
    /// already proposed) or on the target's tests does not count: it may go otherwise next
    /// time.
    pub fn refusals(&self, repository: &str, base_commit: &str) -> Result<Vec<Refusal>> {
        let results = self.query_with(
            &format!("{}{QUERY}", vocab::PREFIXES),
            &[
                (
                    Variable::new_unchecked("repository"),
                    Term::Literal(Literal::from(repository)),
                ),
                (
                    Variable::new_unchecked("base"),
                    Term::Literal(Literal::from(base_commit)),
                ),
            ],
        )?;
        let QueryResults::Solutions(rows) = results else {
            return Ok(Vec::new());
        };
        // (cycle, task) -> attempts by number, and the findings the task addressed.
        type Key = (String, String);
        let mut attempts: BTreeMap<Key, BTreeMap<i64, Tried>> = BTreeMap::new();
        let mut findings: BTreeMap<Key, Vec<String>> = BTreeMap::new();
        for row in rows {
            let row = row.map_err(|e| Error::Evaluation(e.to_string()))?;
            let text = |name: &str| match row.get(name) {
                Some(Term::NamedNode(n)) => Some(n.as_str().to_owned()),
                Some(Term::Literal(l)) => Some(l.value().to_owned()),
                _ => None,
            };
            let (Some(cycle), Some(task), Some(number), Some(strategy), Some(finding)) = (
                text("cycle"),
                text("task"),
                text("number").and_then(|n| n.parse::<i64>().ok()),
                text("strategy"),
                text("finding").and_then(|f| finding_id(&f)),
            ) else {
                continue;
            };
            let cycle = last_segment(&cycle);
            let key = (cycle, task);
            let tried = attempts
                .entry(key.clone())
                .or_default()
                .entry(number)
                .or_default();
            tried.passed = text("passed").as_deref() == Some("true");
            tried.evaluated = text("evaluated").as_deref() == Some("true");
            tried.conditions.extend(text("condition"));
            tried.reason = tried.reason.take().or_else(|| text("reason"));
            tried.strategy = strategy.parse().ok();
            let addressed = findings.entry(key).or_default();
            if !addressed.contains(&finding) {
                addressed.push(finding);
            }
        }
        let mut latest: BTreeMap<String, Refusal> = BTreeMap::new();
        for (key, tried) in attempts {
            let exhausted = tried.values().all(|t| {
                t.refused() && t.strategy.as_ref().is_some_and(Strategy::is_deterministic)
            });
            if !exhausted {
                continue;
            }
            let strategies: Vec<Strategy> =
                tried.values().filter_map(|t| t.strategy.clone()).collect();
            let reason = tried
                .values()
                .last()
                .and_then(|t| t.reason.clone())
                .unwrap_or_default();
            for finding in findings.remove(&key).unwrap_or_default() {
                let refusal = Refusal {
                    finding: finding.clone(),
                    cycle: key.0.clone(),
                    strategies: strategies.clone(),
                    reason: reason.clone(),
                };
                // Cycle ids of one repository sort by their start time.
                match latest.get(&finding) {
                    Some(kept) if kept.cycle >= refusal.cycle => {}
                    _ => {
                        latest.insert(finding, refusal);
                    }
                }
            }
        }
        Ok(latest.into_values().collect())
    }
}

/// The cycle id at the end of a cycle's IRI (`.../cycle/<id>`; ids need no escaping).
fn last_segment(iri: &str) -> String {
    iri.rsplit('/').next().unwrap_or(iri).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tdev_core::{
        Attempt, Change, CycleRecord, Evaluation, Finding, GateDecision, Language, Outcome,
        Repository, Severity, Task, Timestamp, Trigger,
    };

    const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";

    /// One attempt: its strategy, whether the gate evaluated it, and its failed conditions.
    type Attempted<'a> = (&'a str, bool, &'a [&'a str]);

    /// A cycle on [`COMMIT`] with one task for finding `f1`, none of whose `attempts` passed.
    fn record(attempts: &[Attempted<'_>]) -> CycleRecord {
        let at = Timestamp::from_unix(1_767_225_600);
        CycleRecord {
            id: "c-1".into(),
            repository: Repository {
                name: "shop".into(),
                location: "/src/shop".into(),
                language: Language::Python,
            },
            base_commit: Some(COMMIT.into()),
            trigger: Trigger::Manual,
            goal: "improve overall quality".into(),
            started_at: at,
            ended_at: at,
            outcome: Outcome::Failed,
            failure_reason: Some("none passed".into()),
            findings: vec![Finding {
                id: "f1".into(),
                kind: "ruff:F401".into(),
                severity: Severity::Low,
                path: "shop/compat.py".into(),
                span: None,
                symbol: None,
                message: "unused import".into(),
                evidence: None,
                metrics: Default::default(),
                fix: None,
                priority: 0.5,
            }],
            tasks: vec![Task {
                id: "t1".into(),
                kind: "fix-lint".into(),
                title: "Apply ruff safe fixes for rule family F4 in shop/compat.py".into(),
                strategy: attempts[0].0.parse().unwrap(),
                estimate_hours: 0.1,
                risk: 1,
                depends_on: vec![],
                addresses: vec!["f1".into()],
                features: None,
                baseline: None,
            }],
            attempts: (1..)
                .zip(attempts)
                .map(|(number, (strategy, evaluated, failed))| Attempt {
                    task: "t1".into(),
                    number,
                    strategy: strategy.parse().unwrap(),
                    backend: strategy.to_string(),
                    started_at: at,
                    duration_secs: 1.0,
                    change: evaluated.then(|| Change {
                        branch: "tdev/auto/c-1-t1".into(),
                        commit: None,
                        files_changed: 1,
                        lines_added: 0,
                        lines_removed: 1,
                    }),
                    evaluation: evaluated.then(|| Evaluation {
                        metrics: vec![],
                        tests_passed: 2,
                        tests_failed: 0,
                    }),
                    gate: GateDecision {
                        passed: false,
                        reasons: vec![format!("attempt {number} was refused")],
                        failed: failed.iter().map(|c| (*c).to_owned()).collect(),
                    },
                    usage: None,
                })
                .collect(),
            models: vec![],
            branch_fates: vec![],
        }
    }

    /// Records a cycle of `attempts` and checks the strategies reported refused for `f1` on
    /// its commit (empty: the finding is not refused).
    fn check(attempts: &[Attempted<'_>], expected: &[&str]) {
        let graph = KnowledgeGraph::in_memory().unwrap();
        graph.record_cycle(&record(attempts)).unwrap();
        let refusals = graph.refusals("shop", COMMIT).unwrap();
        let strategies: Vec<String> = refusals
            .iter()
            .flat_map(|r| r.strategies.iter().map(ToString::to_string))
            .collect();
        assert_eq!(strategies, expected, "{attempts:?}");
        if let Some(refusal) = refusals.first() {
            let last = attempts.len();
            assert_eq!(
                (refusal.finding.as_str(), refusal.reason.clone()),
                ("f1", format!("attempt {last} was refused"))
            );
        }
        assert_eq!(graph.refusals("shop", &"f".repeat(40)).unwrap(), []);
    }

    /// Regression: a ruff fix that the fixer itself refused before the gate (an import removed
    /// from a re-export module) was tried again in every cycle on the same commit, and every
    /// such cycle ended failed.
    #[test]
    fn a_tools_own_refusal_before_the_gate_is_remembered_like_the_gates() {
        check(
            &[
                ("ruff-fix:F4", false, &["removes_exported_name"]),
                ("ruff-unsafe-fix:F4", false, &["no_change"]),
            ],
            &["ruff-fix:F4", "ruff-unsafe-fix:F4"],
        );
        check(
            &[
                ("ruff-fix:F4", false, &["leftover"]),
                ("ruff-unsafe-fix:F4", true, &["docstrings"]),
            ],
            &["ruff-fix:F4", "ruff-unsafe-fix:F4"],
        );
        check(
            &[("codemod:is-none", true, &["docstrings"])],
            &["codemod:is-none"],
        );
    }

    #[test]
    fn failures_that_may_go_otherwise_are_not_refusals() {
        // A tool that crashed or ran out of time, a change already proposed: no name.
        check(
            &[
                ("ruff-fix:F4", false, &["removes_exported_name"]),
                ("ruff-unsafe-fix:F4", false, &[]),
            ],
            &[],
        );
        // The target's tests, which may be flaky.
        check(&[("ruff-fix:F4", true, &["tests"])], &[]);
        check(&[("ruff-fix:F4", true, &["docstrings", "test_run"])], &[]);
        // A name this tdev does not know, before the gate.
        check(&[("ruff-fix:F4", false, &["removes_everything"])], &[]);
        // A model answers differently next time.
        check(
            &[
                ("ruff-fix:F4", false, &["removes_exported_name"]),
                ("llm:fix", false, &["no_change"]),
            ],
            &[],
        );
    }
}
