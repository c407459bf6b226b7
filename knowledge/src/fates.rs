//! What became of the branches tdev proposed on a repository: the branches passing attempts
//! kept (with their commits and when they were made), which a cycle looks at, and the fates
//! cycles saw, whose latest per branch is the label the maintainers gave the change.

use crate::error::{Error, Result};
use crate::graph::KnowledgeGraph;
use crate::vocab;
use oxigraph::model::{Literal, Term};
use oxigraph::sparql::{QueryResults, QuerySolution, Variable};
use std::collections::BTreeMap;
use tdev_core::{BranchFate, Fate, ProposedBranch, Timestamp};

const PROPOSED_QUERY: &str = "
SELECT ?repository ?branch ?sha ?at WHERE {
  ?cycle tdev:repository [ tdev:name ?repository ] ; tdev:hasAttempt ?a .
  ?a tdev:gateDecision [ tdev:passed true ] ; tdev:produced ?change ; prov:startedAtTime ?at .
  ?change tdev:branch ?branch .
  OPTIONAL { ?change tdev:commit [ tdev:sha ?sha ] }
}";

const FATES_QUERY: &str = "
SELECT ?repository ?cycle ?branch ?fate ?at WHERE {
  ?cycle tdev:repository [ tdev:name ?repository ] ; tdev:observedFate ?f .
  ?f tdev:fateOfBranch ?branch ; tdev:fate ?fate ; tdev:observedAt ?at .
}";

impl KnowledgeGraph {
    /// The branches passing attempts on `repository` kept, each with its commit and when it
    /// was proposed (the attempt's start), sorted by branch.
    pub fn proposed_branches(&self, repository: &str) -> Result<Vec<ProposedBranch>> {
        let mut branches: BTreeMap<String, ProposedBranch> = BTreeMap::new();
        for row in self.rows(PROPOSED_QUERY, repository)? {
            let (Some(branch), Some(at)) = (text(&row, "branch"), time(&row, "at")) else {
                continue;
            };
            let proposed = ProposedBranch {
                branch: branch.clone(),
                commit: text(&row, "sha"),
                proposed_at: at,
            };
            // Branch names hold the cycle's id, so one branch is one attempt; should a name
            // come back anyway, the first proposal is the one whose age counts.
            match branches.get(&branch) {
                Some(kept) if kept.proposed_at <= proposed.proposed_at => {}
                _ => {
                    branches.insert(branch, proposed);
                }
            }
        }
        Ok(branches.into_values().collect())
    }

    /// The latest recorded fate of every branch proposed on `repository` that a cycle has
    /// looked at, sorted by branch: the label the maintainers gave each change so far.
    pub fn branch_fates(&self, repository: &str) -> Result<Vec<BranchFate>> {
        // branch -> (observed at, cycle IRI, fate): the latest observation wins, and of two at
        // the same second the later cycle's (cycle ids of one repository sort by start).
        let mut latest: BTreeMap<String, (Timestamp, String, Fate)> = BTreeMap::new();
        for row in self.rows(FATES_QUERY, repository)? {
            let (Some(cycle), Some(branch), Some(fate), Some(at)) = (
                text(&row, "cycle"),
                text(&row, "branch"),
                text(&row, "fate").and_then(|f| f.parse::<Fate>().ok()),
                time(&row, "at"),
            ) else {
                continue;
            };
            let seen = (at, cycle, fate);
            match latest.get(&branch) {
                Some(kept) if (kept.0, &kept.1) >= (seen.0, &seen.1) => {}
                _ => {
                    latest.insert(branch, seen);
                }
            }
        }
        Ok(latest
            .into_iter()
            .map(|(branch, (observed_at, _, fate))| BranchFate {
                branch,
                fate,
                observed_at,
            })
            .collect())
    }

    /// The solutions of `query` with `?repository` bound to `repository`.
    fn rows(&self, query: &str, repository: &str) -> Result<Vec<QuerySolution>> {
        let results = self.query_with(
            &format!("{}{query}", vocab::PREFIXES),
            &[(
                Variable::new_unchecked("repository"),
                Term::Literal(Literal::from(repository)),
            )],
        )?;
        let QueryResults::Solutions(rows) = results else {
            return Ok(Vec::new());
        };
        rows.map(|row| row.map_err(|e| Error::Evaluation(e.to_string())))
            .collect()
    }
}

/// A variable's value as text: an IRI or a literal's lexical form.
fn text(row: &QuerySolution, name: &str) -> Option<String> {
    match row.get(name) {
        Some(Term::NamedNode(n)) => Some(n.as_str().to_owned()),
        Some(Term::Literal(l)) => Some(l.value().to_owned()),
        _ => None,
    }
}

/// A variable's `xsd:dateTime` value.
fn time(row: &QuerySolution, name: &str) -> Option<Timestamp> {
    Timestamp::parse(&text(row, name)?).ok()
}
