//! What the models cost since a time, from the attempts' recorded usage: the daemon's
//! spend-per-day budget (`queries/spend-since.rq`).

use crate::error::{Error, Result};
use crate::graph::KnowledgeGraph;
use oxigraph::model::{Literal, Term, vocab::xsd};
use oxigraph::sparql::{QueryResults, Variable};
use tdev_core::Timestamp;

/// The query: the sum of `tdev:cost` over the attempts started at or after `?since`.
pub const SPEND_SINCE_QUERY: &str = include_str!("../queries/spend-since.rq");

impl KnowledgeGraph {
    /// What the attempts started at or after `since` cost, in the currency of the configured
    /// prices; 0 when none recorded a cost.
    pub fn spent_since(&self, since: Timestamp) -> Result<f64> {
        let since = Literal::new_typed_literal(since.to_string(), xsd::DATE_TIME);
        let results = self.query_with(
            SPEND_SINCE_QUERY,
            &[(Variable::new_unchecked("since"), Term::Literal(since))],
        )?;
        let QueryResults::Solutions(mut rows) = results else {
            return Ok(0.0);
        };
        let Some(row) = rows.next() else {
            return Ok(0.0);
        };
        let row = row.map_err(|e| Error::Evaluation(e.to_string()))?;
        Ok(match row.get("spent") {
            Some(Term::Literal(spent)) => spent.value().parse().unwrap_or(0.0),
            _ => 0.0,
        })
    }
}
