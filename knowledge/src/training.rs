//! Recorded attempts as the learners' training rows (`knowledge/queries/training-rows.rq`).
//!
//! The query reads what each attempt's record holds; the reader then counts, in time order,
//! each strategy's history before each attempt (on the repository, everywhere, on tasks of
//! the same kind), so that a row carries only what was known when the attempt started.
//! `docs/learning.md` lists every field with how it is computed.

use crate::error::{Error, Result};
use crate::graph::KnowledgeGraph;
use oxigraph::model::Term;
use oxigraph::sparql::QueryResults;
use std::collections::HashMap;
use tdev_core::{
    Baseline, Context, Labels, Language, Strategy, StrategyHistory, Tally, TaskFeatures, Timestamp,
    TrainingRow,
};

/// The query behind [`KnowledgeGraph::training_rows`].
pub const TRAINING_ROWS_QUERY: &str = include_str!("../queries/training-rows.rq");

/// One attempt as the query returns it, before the history is counted.
struct Read {
    /// The attempt's IRI: ties of `started_at` are broken by it, so the order is stable.
    attempt: String,
    row: TrainingRow,
}

impl KnowledgeGraph {
    /// Every recorded attempt as a [`TrainingRow`], oldest first, each with its strategy's
    /// history counted from the attempts that started before it.
    ///
    /// Attempts whose strategy this tdev cannot read are left out; tasks recorded before
    /// tdev kept their features get features from the findings they address (their count,
    /// their files and highest priority; complexity 0).
    pub fn training_rows(&self) -> Result<Vec<TrainingRow>> {
        training_rows_from(self.query(TRAINING_ROWS_QUERY)?)
    }
}

/// The rows of [`TRAINING_ROWS_QUERY`]'s results, however they were obtained (from this
/// process's store, or from the process holding the data directory), as
/// [`KnowledgeGraph::training_rows`] describes.
pub fn training_rows_from(results: QueryResults<'_>) -> Result<Vec<TrainingRow>> {
    {
        let QueryResults::Solutions(solutions) = results else {
            return Ok(Vec::new());
        };
        let mut read = Vec::new();
        for solution in solutions {
            let solution = solution.map_err(|e| Error::Evaluation(e.to_string()))?;
            let text = |name: &str| match solution.get(name) {
                Some(Term::Literal(l)) => Some(l.value().to_owned()),
                Some(Term::NamedNode(n)) => Some(n.as_str().to_owned()),
                _ => None,
            };
            let number = |name: &str| text(name).and_then(|v| v.parse::<f64>().ok());
            let count = |name: &str| {
                text(name)
                    .and_then(|v| v.parse::<u64>().ok())
                    .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
            };
            let (Some(attempt), Some(repository), Some(started), Some(strategy), Some(kind)) = (
                text("attempt"),
                text("repository"),
                text("started").and_then(|t| Timestamp::parse(&t).ok()),
                text("strategy").and_then(|s| s.parse::<Strategy>().ok()),
                text("kind"),
            ) else {
                continue;
            };
            let features = match (count("findings"), count("files")) {
                (Some(findings), Some(files)) => TaskFeatures {
                    kind,
                    strategy,
                    findings,
                    files,
                    total_complexity: number("complexity").unwrap_or(0.0),
                    priority: number("priority").unwrap_or(0.0),
                },
                _ => TaskFeatures {
                    kind,
                    strategy,
                    findings: count("addressed").unwrap_or(0),
                    files: count("paths").unwrap_or(0),
                    total_complexity: 0.0,
                    priority: number("topPriority").unwrap_or(0.0).clamp(0.0, 1.0),
                },
            };
            let language = text("language")
                .and_then(|l| Language::parse(&l))
                .unwrap_or(Language::Other);
            let baseline = Baseline {
                language,
                coverage: number("coverage"),
                test_duration_secs: number("testSeconds"),
                repository_lines: text("lines").and_then(|v| v.parse().ok()),
                churn: number("churn"),
            };
            let tokens = match (number("inputTokens"), number("outputTokens")) {
                // Counts are recorded as integers; the sum of two fits in f64's exact range.
                (Some(input), Some(output)) => Some((input + output) as u64),
                _ => None,
            };
            let failed = text("failed")
                .map(|f| f.split_whitespace().map(str::to_owned).collect())
                .unwrap_or_default();
            read.push(Read {
                attempt,
                row: TrainingRow {
                    repository,
                    started_at: started,
                    features,
                    context: Context {
                        baseline,
                        history: StrategyHistory::default(),
                    },
                    labels: Labels {
                        passed: text("passed").as_deref() == Some("true"),
                        failed,
                        duration_secs: number("seconds").unwrap_or(0.0),
                        tokens,
                        cost: tokens.and(number("cost")),
                        fate: text("fate").and_then(|f| f.parse().ok()),
                    },
                },
            });
        }
        read.sort_by(|a, b| (a.row.started_at, &a.attempt).cmp(&(b.row.started_at, &b.attempt)));
        let mut rows: Vec<TrainingRow> = read.into_iter().map(|r| r.row).collect();
        count_histories(&mut rows);
        Ok(rows)
    }
}

/// Tallies of a strategy's attempts, as the reader counts them.
#[derive(Default)]
struct Tallies {
    repository: HashMap<(String, Strategy), Tally>,
    everywhere: HashMap<Strategy, Tally>,
    same_kind: HashMap<(String, Strategy), Tally>,
}

impl Tallies {
    fn history(&self, repository: &str, features: &TaskFeatures) -> StrategyHistory {
        let strategy = &features.strategy;
        StrategyHistory {
            repository: self
                .repository
                .get(&(repository.to_owned(), strategy.clone()))
                .copied()
                .unwrap_or_default(),
            everywhere: self.everywhere.get(strategy).copied().unwrap_or_default(),
            same_kind: self
                .same_kind
                .get(&(features.kind.clone(), strategy.clone()))
                .copied()
                .unwrap_or_default(),
        }
    }

    fn add(&mut self, row: &TrainingRow) {
        let strategy = &row.features.strategy;
        let passed = u32::from(row.labels.passed);
        let tallies = [
            self.repository
                .entry((row.repository.clone(), strategy.clone()))
                .or_default(),
            self.everywhere.entry(strategy.clone()).or_default(),
            self.same_kind
                .entry((row.features.kind.clone(), strategy.clone()))
                .or_default(),
        ];
        for tally in tallies {
            tally.attempts += 1;
            tally.passes += passed;
        }
    }
}

/// Sets each row's history to what the rows that started strictly before it tell. `rows`
/// must be sorted by `started_at`; rows that started in the same second do not see each
/// other.
fn count_histories(rows: &mut [TrainingRow]) {
    let mut tallies = Tallies::default();
    let mut start = 0;
    while start < rows.len() {
        let at = rows[start].started_at;
        let end = start + rows[start..].partition_point(|r| r.started_at == at);
        for row in &mut rows[start..end] {
            row.context.history = tallies.history(&row.repository, &row.features);
        }
        for row in &rows[start..end] {
            tallies.add(row);
        }
        start = end;
    }
}

/// Each strategy's history on `repository` after all of `rows`, by (task kind, strategy):
/// what an estimator planning the repository's next tasks knows.
pub fn current_histories(
    rows: &[TrainingRow],
    repository: &str,
) -> HashMap<(String, Strategy), StrategyHistory> {
    let mut tallies = Tallies::default();
    for row in rows {
        tallies.add(row);
    }
    let mut out = HashMap::new();
    for (kind, strategy) in tallies.same_kind.keys() {
        let features = TaskFeatures {
            kind: kind.clone(),
            strategy: strategy.clone(),
            findings: 0,
            files: 0,
            total_complexity: 0.0,
            priority: 0.0,
        };
        out.insert(
            (kind.clone(), strategy.clone()),
            tallies.history(repository, &features),
        );
    }
    out
}
