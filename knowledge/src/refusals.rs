//! What tdev's tools could not do on a commit: the findings of tasks whose every attempt was a
//! tool or codemod strategy that the gate refused, on the same base commit. Those strategies
//! are deterministic, so on that commit they would make the same changes and get the same
//! verdicts again; a cycle leaves these findings out until the repository moves on to another
//! commit (or a model, which answers differently each time, is there to try them). A refusal
//! for failing tests, or a stopped test run, does not count: a flaky test would otherwise
//! hold a finding back for as long as the commit stays.

use crate::error::{Error, Result};
use crate::graph::KnowledgeGraph;
use crate::proposals::finding_id;
use crate::vocab;
use oxigraph::model::{Literal, Term};
use oxigraph::sparql::{QueryResults, Variable};
use std::collections::BTreeMap;
use tdev_core::Strategy;

/// One finding whose deterministic strategies were all refused on a commit.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Refusal {
    /// The finding's id (stable across scans, see `Finding::id`).
    pub finding: String,
    /// The cycle that tried them last.
    pub cycle: String,
    /// The strategies tried, in the order of their attempts.
    pub strategies: Vec<Strategy>,
    /// The gate's first reason for refusing the last attempt.
    pub reason: String,
}

const QUERY: &str = "
SELECT ?repository ?base ?cycle ?task ?number ?strategy ?passed ?evaluated ?onTests ?reason
       ?finding WHERE {
  ?cycle tdev:repository [ tdev:name ?repository ] ; tdev:baseCommit ?base ;
         tdev:hasAttempt ?attempt .
  ?attempt tdev:task ?task ; tdev:attemptNumber ?number ; tdev:strategy ?strategy ;
           tdev:gateDecision ?gate .
  ?gate tdev:passed ?passed .
  BIND(EXISTS { ?attempt tdev:evaluation ?evaluation } AS ?evaluated)
  BIND(EXISTS { ?gate tdev:failedCondition ?condition .
                FILTER(?condition IN (\"tests\", \"test_run\")) } AS ?onTests)
  OPTIONAL { ?gate tdev:reason ?reason }
  ?task tdev:addresses ?finding .
}";

/// One attempt, as far as refusals need it.
#[derive(Default)]
struct Tried {
    /// `None` for a strategy this tdev cannot read: not known to be deterministic.
    strategy: Option<Strategy>,
    refused: bool,
    reason: Option<String>,
}

impl KnowledgeGraph {
    /// The findings on `repository` whose tasks, in cycles on `base_commit`, had only
    /// deterministic attempts, every one of which was evaluated and refused by the gate;
    /// sorted, one per finding (the latest cycle's).
    ///
    /// An attempt that failed before the gate (a tool error, a timeout, a change already
    /// proposed) or on the target's tests does not count: it may go otherwise next time.
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
            tried.refused = text("passed").as_deref() == Some("false")
                && text("evaluated").as_deref() == Some("true")
                && text("onTests").as_deref() == Some("false");
            tried.reason = tried.reason.take().or_else(|| text("reason"));
            tried.strategy = strategy.parse().ok();
            let addressed = findings.entry(key).or_default();
            if !addressed.contains(&finding) {
                addressed.push(finding);
            }
        }
        let mut latest: BTreeMap<String, Refusal> = BTreeMap::new();
        for (key, tried) in attempts {
            let exhausted = tried
                .values()
                .all(|t| t.refused && t.strategy.as_ref().is_some_and(Strategy::is_deterministic));
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
