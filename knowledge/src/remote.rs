//! The graph on a SPARQL 1.1 server instead of the embedded store: queries and updates sent
//! through the SPARQL 1.1 Protocol, their answers read back into the same `QueryResults` the
//! embedded store gives, so nothing above the knowledge graph changes.
//!
//! How a request reaches the server is the [`Endpoint`] the caller gives (`tdev-app` sends it
//! over HTTP); this crate knows the protocol's content, not its transport. Queries are parsed
//! here first, so a syntax error is reported with its line and column as on the embedded
//! store, and variables bound beforehand (`KnowledgeGraph::query_with`) are joined into the
//! query as a `VALUES` table at the bottom of its pattern, the one standard way to give a
//! server initial bindings. Writes are single update requests (`DELETE DATA` and
//! `INSERT DATA` together), which a SPARQL 1.1 server applies as a whole.
//!
//! The server's default graph must be the union of its named graphs, as tdev's queries
//! expect (Oxigraph: `oxigraph serve --union-default-graph`; Fuseki: `tdb2:unionDefaultGraph
//! true`; Virtuoso and QLever query all graphs by default); connecting checks it.

use crate::backend::Change;
use crate::protocol::QueryOptions;
use crate::{Error, Result, vocab};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{Term, Triple, Variable};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsParser};
use oxigraph::sparql::{QueryResults, QueryTripleIter};
use spargebra::algebra::GraphPattern;
use spargebra::term::GroundTerm;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// A SPARQL 1.1 service the knowledge graph can live on: how a query and an update reach
/// it. `tdev-app` implements it over HTTP (the SPARQL 1.1 Protocol).
pub trait Endpoint: Send + Sync + std::fmt::Debug {
    /// What the service is called in messages: its address.
    fn name(&self) -> &str;

    /// Runs `query` on the dataset `dataset` names (none: the service's default), and returns
    /// the answer's body in the media type `accept`: `application/sparql-results+json` for
    /// SELECT and ASK, `application/n-triples` for CONSTRUCT and DESCRIBE.
    fn query(
        &self,
        query: &str,
        dataset: &ProtocolDataset<'_>,
        accept: &str,
    ) -> std::result::Result<Vec<u8>, EndpointError>;

    /// Runs `update`, a SPARQL 1.1 update request: all of its operations or none.
    fn update(&self, update: &str) -> std::result::Result<(), EndpointError>;
}

/// The dataset a protocol request names (`default-graph-uri`, `named-graph-uri`).
#[derive(Clone, Copy, Debug, Default)]
pub struct ProtocolDataset<'a> {
    /// The graphs merged into the default graph.
    pub default_graphs: &'a [String],
    /// The graphs `GRAPH` patterns see.
    pub named_graphs: &'a [String],
}

/// Why a request to an [`Endpoint`] did not succeed. Each message is a sentence saying what
/// happened and what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EndpointError {
    /// The service could not be reached, or did not answer in time.
    #[error("{0}")]
    Unreachable(String),
    /// The service refused the request for how tdev is configured to reach it (no service at
    /// that address, credentials needed): the user's to fix.
    #[error("{0}")]
    Refused(String),
    /// The service answered with an error.
    #[error("{0}")]
    Failed(String),
}

/// A data directory's graph on a SPARQL service: the service, and who this process is in the
/// leases the processes sharing it take.
#[derive(Clone, Debug)]
pub struct Remote {
    /// The service.
    pub endpoint: Arc<dyn Endpoint>,
    /// This process in leases: unique among the processes sharing the service (a daemon's host
    /// and data directory, which one process at a time holds).
    pub holder: String,
    /// How long a lease lasts unless renewed; a holder that stops renewing (killed) is taken
    /// over after this long.
    pub lease: Duration,
}

const JSON_RESULTS: &str = "application/sparql-results+json";
const N_TRIPLES: &str = "application/n-triples";

impl Remote {
    pub(crate) fn name(&self) -> &str {
        self.endpoint.name()
    }

    /// The knowledge layer's error for a failed request.
    pub(crate) fn error(&self, error: EndpointError) -> Error {
        let endpoint = self.name().to_owned();
        match error {
            EndpointError::Refused(message) => Error::EndpointRefused { endpoint, message },
            EndpointError::Unreachable(message) | EndpointError::Failed(message) => {
                Error::Endpoint { endpoint, message }
            }
        }
    }

    fn broken(&self, what: &str, e: impl std::fmt::Display) -> Error {
        Error::Endpoint {
            endpoint: self.name().to_owned(),
            message: format!("answered with {what} tdev cannot read: {e}"),
        }
    }

    /// Runs a query as `KnowledgeGraph::query_opts` does on the embedded store: parsed here,
    /// `bindings` joined in, sent on the dataset `options` names. A cancellation before the
    /// request is sent stops it; once sent, the service's own time limit applies.
    pub(crate) fn query(
        &self,
        sparql: &str,
        bindings: &[(Variable, Term)],
        options: &QueryOptions,
    ) -> Result<QueryResults<'static>> {
        let mut query = spargebra::SparqlParser::new()
            .with_base_iri(vocab::ID)
            .expect("the id namespace is a valid IRI")
            .parse_query(sparql)
            .map_err(|e| crate::graph::syntax_error("query", &e))?;
        if !bindings.is_empty() {
            bind(&mut query, bindings)?;
        }
        if options.cancel.as_ref().is_some_and(|c| c.is_cancelled()) {
            return Err(Error::Evaluation("the query was cancelled".into()));
        }
        let dataset = ProtocolDataset {
            default_graphs: &options.default_graphs,
            named_graphs: &options.named_graphs,
        };
        let graph = matches!(
            query,
            spargebra::Query::Construct { .. } | spargebra::Query::Describe { .. }
        );
        self.send(&query.to_string(), &dataset, graph)
    }

    /// Sends query text as it is and reads the answer: a graph when `graph`, else solutions
    /// or a boolean.
    fn send(
        &self,
        text: &str,
        dataset: &ProtocolDataset<'_>,
        graph: bool,
    ) -> Result<QueryResults<'static>> {
        let accept = if graph { N_TRIPLES } else { JSON_RESULTS };
        let body = self
            .endpoint
            .query(text, dataset, accept)
            .map_err(|e| self.error(e))?;
        if graph {
            // Read whole, so that a broken answer is an error here rather than a truncated graph.
            let triples = RdfParser::from_format(RdfFormat::NTriples)
                .for_slice(&body)
                .map(|quad| quad.map(Triple::from))
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|e| self.broken("a graph", e))?;
            return Ok(QueryResults::from(QueryTripleIter::new(
                triples.into_iter().map(Ok),
            )));
        }
        let parsed = QueryResultsParser::from_format(QueryResultsFormat::Json)
            .for_reader(std::io::Cursor::new(body))
            .map_err(|e| self.broken("results", e))?;
        Ok(QueryResults::from(parsed))
    }

    /// The solutions of one of tdev's own SELECT queries (`vocab::PREFIXES` included), each
    /// as variable name to value.
    pub(crate) fn select(&self, text: &str) -> Result<Vec<BTreeMap<String, Term>>> {
        let QueryResults::Solutions(rows) = self.send(text, &ProtocolDataset::default(), false)?
        else {
            return Err(self.broken("a boolean", "a SELECT query's answer"));
        };
        let mut out = Vec::new();
        for row in rows {
            let row = row.map_err(|e| self.broken("results", e))?;
            out.push(
                row.iter()
                    .map(|(var, term)| (var.as_str().to_owned(), term.clone()))
                    .collect(),
            );
        }
        Ok(out)
    }

    /// The answer of one of tdev's own ASK queries.
    pub(crate) fn ask(&self, text: &str) -> Result<bool> {
        match self.send(text, &ProtocolDataset::default(), false)? {
            QueryResults::Boolean(answer) => Ok(answer),
            _ => Err(self.broken("solutions", "an ASK query's answer")),
        }
    }

    /// The triples of one of tdev's own CONSTRUCT queries.
    pub(crate) fn construct(&self, text: &str) -> Result<Vec<Triple>> {
        match self.send(text, &ProtocolDataset::default(), true)? {
            QueryResults::Graph(triples) => triples
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|e| self.broken("a graph", e)),
            _ => Err(self.broken("solutions", "a CONSTRUCT query's answer")),
        }
    }

    /// Sends an update request as it is.
    pub(crate) fn update(&self, text: &str) -> Result<()> {
        self.endpoint.update(text).map_err(|e| self.error(e))
    }

    /// Applies `change` in one update request.
    pub(crate) fn apply(&self, change: &Change) -> Result<()> {
        if change.is_empty() {
            return Ok(());
        }
        self.update(&change.to_update())
    }

    /// Checks that the service's default graph is the union of its named graphs: the
    /// ontology, in its own named graph, must be seen without naming it.
    pub(crate) fn check_union_default_graph(&self) -> Result<()> {
        let seen = self.ask(&format!(
            "ASK {{ <{}Cycle> a <http://www.w3.org/2002/07/owl#Class> }}",
            vocab::NS
        ))?;
        if seen {
            return Ok(());
        }
        Err(Error::EndpointRefused {
            endpoint: self.name().to_owned(),
            message: "does not query the union of its named graphs by default, as tdev's \
                      queries expect: start Oxigraph's server with --union-default-graph \
                      (Fuseki: tdb2:unionDefaultGraph true; Virtuoso and QLever do it already)"
                .into(),
        })
    }
}

/// Joins `bindings` into `query` as a one-row `VALUES` table under its solution modifiers,
/// projection, grouping, filters and `BIND`s, so that the variables have their values
/// wherever the pattern uses them, as the embedded store's substitution gives them. (A filter
/// nested inside an `OPTIONAL` or `UNION` branch sees the value only if the branch matches
/// the variable itself; tdev's queries bind only variables their patterns match.)
fn bind(query: &mut spargebra::Query, bindings: &[(Variable, Term)]) -> Result<()> {
    let mut variables = Vec::new();
    let mut row = Vec::new();
    for (variable, term) in bindings {
        let ground = match term {
            Term::NamedNode(n) => GroundTerm::NamedNode(n.clone()),
            Term::Literal(l) => GroundTerm::Literal(l.clone()),
            _ => {
                return Err(Error::Evaluation(format!(
                    "?{} is bound to {term}, which a query sent to a SPARQL endpoint cannot \
                     carry; bind an IRI or a literal",
                    variable.as_str()
                )));
            }
        };
        variables.push(variable.clone());
        row.push(Some(ground));
    }
    let values = GraphPattern::Values {
        variables,
        bindings: vec![row],
    };
    let pattern = match query {
        spargebra::Query::Select { pattern, .. }
        | spargebra::Query::Construct { pattern, .. }
        | spargebra::Query::Describe { pattern, .. }
        | spargebra::Query::Ask { pattern, .. } => pattern,
    };
    let taken = std::mem::replace(pattern, GraphPattern::Bgp { patterns: vec![] });
    *pattern = join_at_bottom(taken, values);
    Ok(())
}

fn join_at_bottom(pattern: GraphPattern, values: GraphPattern) -> GraphPattern {
    let down = |inner: Box<GraphPattern>| Box::new(join_at_bottom(*inner, values.clone()));
    match pattern {
        GraphPattern::Slice {
            inner,
            start,
            length,
        } => GraphPattern::Slice {
            inner: down(inner),
            start,
            length,
        },
        GraphPattern::Distinct { inner } => GraphPattern::Distinct { inner: down(inner) },
        GraphPattern::Reduced { inner } => GraphPattern::Reduced { inner: down(inner) },
        GraphPattern::Project { inner, variables } => GraphPattern::Project {
            inner: down(inner),
            variables,
        },
        GraphPattern::OrderBy { inner, expression } => GraphPattern::OrderBy {
            inner: down(inner),
            expression,
        },
        GraphPattern::Filter { expr, inner } => GraphPattern::Filter {
            expr,
            inner: down(inner),
        },
        GraphPattern::Extend {
            inner,
            variable,
            expression,
        } => GraphPattern::Extend {
            inner: down(inner),
            variable,
            expression,
        },
        GraphPattern::Group {
            inner,
            variables,
            aggregates,
        } => GraphPattern::Group {
            inner: down(inner),
            variables,
            aggregates,
        },
        other => GraphPattern::Join {
            left: Box::new(values),
            right: Box::new(other),
        },
    }
}
