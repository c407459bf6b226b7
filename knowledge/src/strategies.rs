//! What the running statistics hold of each strategy (`knowledge/queries/strategy-tallies.rq`):
//! its attempts and passes on every repository and on each kind of task, and on one
//! repository its seconds, the gate conditions it failed, how many cycles it was attempted
//! in and the newest of them, and one of the gate's reasons.
//!
//! `tdev ask` and the histories a plan's learned estimates use read these instead of every
//! recorded attempt: counting the training rows takes seconds on a graph of 10,000 cycles,
//! these counters a few milliseconds (`docs/benchmarks.md`). They count the same attempts as
//! the training rows do (`KnowledgeGraph::training_rows`, `current_histories`); the knowledge
//! graph's tests check both ways agree.

use crate::error::{Error, Result};
use crate::graph::KnowledgeGraph;
use crate::vocab;
use oxigraph::model::Term;
use oxigraph::sparql::{QueryResults, Variable};
use std::collections::{BTreeMap, HashMap};
use tdev_core::{Strategy, StrategyHistory, Tally};

/// The query behind [`KnowledgeGraph::strategy_tallies`]; bind `?repository` with
/// [`strategy_tallies_bindings`].
pub const STRATEGY_TALLIES_QUERY: &str = include_str!("../queries/strategy-tallies.rq");

/// What is recorded of one strategy on one repository.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StrategyRecord {
    /// Attempts.
    pub attempts: u32,
    /// Attempts whose gate passed.
    pub passes: u32,
    /// Their durations, summed.
    pub seconds: f64,
    /// Attempts that failed each gate condition (or were turned down for each reason before
    /// the gate).
    pub conditions: BTreeMap<String, u32>,
    /// How many cycles it was attempted in (a cycle that tried two spellings of the strategy
    /// counts under each).
    pub cycles: u32,
    /// The id of the newest of them: the greatest, for the ids tdev gives
    /// (`<repository>-<UTC time>-<n>`).
    pub last_cycle: Option<String>,
    /// One of the gate's reasons for a failed attempt: the first in code-point order.
    pub reason: Option<String>,
}

/// What the statistics hold of every strategy, with one repository's details.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StrategyTallies {
    /// The repository of [`here`](Self::here), by name.
    pub repository: String,
    /// Each strategy on the repository.
    pub here: BTreeMap<Strategy, StrategyRecord>,
    /// Each strategy on every repository.
    pub everywhere: BTreeMap<Strategy, Tally>,
    /// Each (task kind, strategy) on every repository.
    pub by_kind: BTreeMap<(String, Strategy), Tally>,
}

impl StrategyTallies {
    /// Each (task kind, strategy)'s history for planning the repository's next tasks: what
    /// [`current_histories`](crate::current_histories) counts from every training row.
    pub fn histories(&self) -> HashMap<(String, Strategy), StrategyHistory> {
        self.by_kind
            .iter()
            .map(|((kind, strategy), same_kind)| {
                let history = StrategyHistory {
                    repository: self
                        .here
                        .get(strategy)
                        .map_or_else(Tally::default, |r| Tally {
                            attempts: r.attempts,
                            passes: r.passes,
                        }),
                    everywhere: self.everywhere.get(strategy).copied().unwrap_or_default(),
                    same_kind: *same_kind,
                };
                ((kind.clone(), strategy.clone()), history)
            })
            .collect()
    }
}

/// The bindings of [`STRATEGY_TALLIES_QUERY`] for the repository named `repository`.
pub fn strategy_tallies_bindings(repository: &str) -> Vec<(Variable, Term)> {
    vec![(
        Variable::new_unchecked("repository"),
        vocab::repository(repository).into(),
    )]
}

impl KnowledgeGraph {
    /// What the running statistics hold of every strategy, with the details of the repository
    /// named `repository`.
    pub fn strategy_tallies(&self, repository: &str) -> Result<StrategyTallies> {
        let results = self.query_with(
            STRATEGY_TALLIES_QUERY,
            &strategy_tallies_bindings(repository),
        )?;
        strategy_tallies_from(results, repository)
    }
}

/// The tallies in [`STRATEGY_TALLIES_QUERY`]'s results, however they were obtained (from this
/// process's store, or from the process holding the data directory). Rows of other
/// repositories than `repository` are left out, and so are strategies this tdev cannot read;
/// strategies written differently that read as the same one are added up.
pub fn strategy_tallies_from(
    results: QueryResults<'_>,
    repository: &str,
) -> Result<StrategyTallies> {
    let mut tallies = StrategyTallies {
        repository: repository.to_owned(),
        ..StrategyTallies::default()
    };
    let QueryResults::Solutions(solutions) = results else {
        return Ok(tallies);
    };
    let iri = vocab::repository(repository);
    for solution in solutions {
        let solution = solution.map_err(|e| Error::Evaluation(e.to_string()))?;
        let text = |name: &str| match solution.get(name) {
            Some(Term::Literal(l)) => Some(l.value()),
            Some(Term::NamedNode(n)) => Some(n.as_str()),
            _ => None,
        };
        let count = |name: &str| {
            text(name)
                .and_then(|v| v.parse::<u64>().ok())
                .map_or(0, |n| u32::try_from(n).unwrap_or(u32::MAX))
        };
        let (Some(part), Some(strategy)) = (
            text("part"),
            text("strategy").and_then(|s| s.parse::<Strategy>().ok()),
        ) else {
            continue;
        };
        let tally = || Tally {
            attempts: count("attempts"),
            passes: count("passes"),
        };
        let add = |into: &mut Tally, more: Tally| {
            into.attempts = into.attempts.saturating_add(more.attempts);
            into.passes = into.passes.saturating_add(more.passes);
        };
        if part == "everywhere" {
            add(tallies.everywhere.entry(strategy).or_default(), tally());
            continue;
        }
        if part == "kind" {
            if let Some(kind) = text("kind") {
                let entry = tallies.by_kind.entry((kind.to_owned(), strategy));
                add(entry.or_default(), tally());
            }
            continue;
        }
        if text("repository") != Some(iri.as_str()) {
            continue;
        }
        match part {
            "here" => {
                let record = tallies.here.entry(strategy).or_default();
                record.attempts = record.attempts.saturating_add(count("attempts"));
                record.passes = record.passes.saturating_add(count("passes"));
                record.seconds += text("seconds")
                    .and_then(|s| s.parse::<f64>().ok())
                    .unwrap_or(0.0);
                record.cycles = record.cycles.saturating_add(count("cycles"));
                if let Some((_, cycle)) = text("cycle").and_then(|c| c.split_once("/cycle/"))
                    && record.last_cycle.as_deref().is_none_or(|last| cycle > last)
                {
                    record.last_cycle = Some(cycle.to_owned());
                }
                if let Some(reason) = text("reason").filter(|r| !r.is_empty())
                    && record.reason.as_deref().is_none_or(|r| reason < r)
                {
                    record.reason = Some(reason.to_owned());
                }
            }
            "condition" => {
                if let Some(condition) = text("condition") {
                    let record = tallies.here.entry(strategy).or_default();
                    let n = record.conditions.entry(condition.to_owned()).or_default();
                    *n = n.saturating_add(count("attempts"));
                }
            }
            _ => {}
        }
    }
    Ok(tallies)
}
