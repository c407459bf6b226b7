//! What the recorded cycles did, read back with the SPARQL queries in `knowledge/queries/`
//! (the same questions anyone can ask with `tdev sparql`), for `tdev cycles` and `tdev show`.

use crate::serve::Reader;
use crate::{Error, Result};
use oxigraph::model::Term;
use tdev_knowledge::QueryResults;

const CYCLES: &str = include_str!("../../knowledge/queries/cycles.rq");
const CYCLE: &str = include_str!("../../knowledge/queries/cycle-summary.rq");
const TASKS: &str = include_str!("../../knowledge/queries/cycle-tasks.rq");
const ATTEMPTS: &str = include_str!("../../knowledge/queries/cycle-attempts.rq");

/// The solutions of a SELECT, as a header and rows of terms (unbound cells are `None`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rows {
    /// The variables, in the query's order.
    pub header: Vec<String>,
    /// One row per solution.
    pub rows: Vec<Vec<Option<Term>>>,
}

impl Rows {
    /// The rows as JSON objects, as the HTTP API and the MCP server return them: each
    /// variable to its term's lexical value (an IRI as itself); unbound variables left out.
    pub fn objects(&self) -> Vec<serde_json::Value> {
        self.rows
            .iter()
            .map(|row| {
                let object: serde_json::Map<String, serde_json::Value> = self
                    .header
                    .iter()
                    .zip(row)
                    .filter_map(|(name, term)| {
                        Some((
                            name.clone(),
                            serde_json::Value::String(lexical(term.as_ref()?)),
                        ))
                    })
                    .collect();
                serde_json::Value::Object(object)
            })
            .collect()
    }
}

/// A term's lexical form: a literal's value, an IRI as itself.
pub fn lexical(term: &Term) -> String {
    match term {
        Term::Literal(l) => l.value().to_owned(),
        Term::NamedNode(n) => n.as_str().to_owned(),
        other => other.to_string(),
    }
}

/// One recorded cycle: its summary, plan and attempts.
#[derive(Clone, Debug, PartialEq)]
pub struct CycleDetail {
    /// Repository, goal, outcome, reason, start, end, number of findings.
    pub summary: Rows,
    /// The planned tasks.
    pub tasks: Rows,
    /// The attempts, with the gate's reasons and kept branches.
    pub attempts: Rows,
}

impl CycleDetail {
    /// The cycle `id` as one JSON object: `cycle`, `summary` (an object, see
    /// [`Rows::objects`]), `tasks` and `attempts` (arrays of objects).
    pub fn to_json(&self, id: &str) -> serde_json::Value {
        serde_json::json!({
            "cycle": id,
            "summary": self.summary.objects().into_iter().next(),
            "tasks": self.tasks.objects(),
            "attempts": self.attempts.objects(),
        })
    }
}

/// Every recorded cycle, newest first.
pub fn cycles(reader: &Reader) -> Result<Rows> {
    rows(reader.query(CYCLES)?)
}

/// The cycle with id `cycle`; a user error when none is recorded.
pub fn cycle(reader: &Reader, cycle: &str) -> Result<CycleDetail> {
    let iri = tdev_knowledge::vocab::id(&["cycle", cycle]);
    // The cycle is fixed with VALUES: the queries group by what they select, and a bound
    // variable would have to be selected too.
    let bound = |query: &str| {
        let query = query.replacen(
            "WHERE {",
            &format!("WHERE {{\n  VALUES ?cycle {{ <{}> }}", iri.as_str()),
            1,
        );
        reader.query(&query).and_then(rows)
    };
    let summary = bound(CYCLE)?;
    if summary.rows.is_empty() {
        return Err(Error::user(format!(
            "no cycle {cycle} is recorded; `tdev cycles` lists them"
        )));
    }
    Ok(CycleDetail {
        summary,
        tasks: bound(TASKS)?,
        attempts: bound(ATTEMPTS)?,
    })
}

/// The solutions of a SELECT read into [`Rows`]; anything else is an error.
pub fn rows(results: QueryResults<'static>) -> Result<Rows> {
    let QueryResults::Solutions(solutions) = results else {
        return Err(tdev_knowledge::Error::Evaluation("expected solutions".into()).into());
    };
    let header: Vec<String> = solutions
        .variables()
        .iter()
        .map(|v| v.as_str().to_owned())
        .collect();
    let mut out = Vec::new();
    for solution in solutions {
        let solution = solution.map_err(|e| tdev_knowledge::Error::Evaluation(e.to_string()))?;
        out.push(
            header
                .iter()
                .map(|name| solution.get(name.as_str()).cloned())
                .collect(),
        );
    }
    Ok(Rows { header, rows: out })
}
