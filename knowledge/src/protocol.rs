//! What the SPARQL 1.1 Protocol and the Graph Store Protocol need of the graph beyond
//! `query` and `update`: a query on the dataset the request names (`default-graph-uri`,
//! `named-graph-uri`) that its caller can cancel, and whole-graph reads and writes. The HTTP
//! adapter (`tdev-server`) calls these; nothing here knows HTTP.

use crate::backend::Change;
use crate::format::GraphFormat;
use crate::graph::{KnowledgeGraph, parse_iri};
use crate::{Error, Result, vocab};
use oxigraph::io::RdfParser;
use oxigraph::model::{GraphName, GraphNameRef, NamedOrBlankNode, Quad};
use oxigraph::sparql::{CancellationToken, QueryResults};
use std::io::Read;

/// The dataset and the cancellation of one protocol query.
#[derive(Clone, Default)]
pub struct QueryOptions {
    /// `default-graph-uri`: the graphs merged into the default graph. When this and
    /// `named_graphs` are both empty the query's own `FROM` decides, else the union of all
    /// graphs, as in [`KnowledgeGraph::query`].
    pub default_graphs: Vec<String>,
    /// `named-graph-uri`: the graphs `GRAPH` patterns see.
    pub named_graphs: Vec<String>,
    /// Stops the evaluation when cancelled: the results' iterator then ends with an error.
    pub cancel: Option<CancellationToken>,
}

impl std::fmt::Debug for QueryOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueryOptions")
            .field("default_graphs", &self.default_graphs)
            .field("named_graphs", &self.named_graphs)
            .field("cancellable", &self.cancel.is_some())
            .finish()
    }
}

/// A graph of the store as the Graph Store Protocol names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GraphTarget {
    /// `?default`: the store's own default graph (not the union queries see).
    Default,
    /// `?graph=IRI`.
    Named(String),
}

impl GraphTarget {
    fn name(&self) -> Result<GraphName> {
        Ok(match self {
            Self::Default => GraphName::DefaultGraph,
            Self::Named(iri) => GraphName::NamedNode(parse_iri(iri)?),
        })
    }
}

impl KnowledgeGraph {
    /// Runs a query on the dataset `options` names, cancellable through its token.
    pub fn query_opts(
        &self,
        sparql: &str,
        options: &QueryOptions,
    ) -> Result<QueryResults<'static>> {
        self.run_query(sparql, &[], options)
    }

    /// Whether `target` exists: the default graph always does.
    pub fn contains_graph(&self, target: &GraphTarget) -> Result<bool> {
        Ok(match target.name()? {
            GraphName::NamedNode(g) => self.backend().contains_named_graph(&g)?,
            _ => true,
        })
    }

    /// Writes the triples of `target` in `format`.
    pub fn dump_target<W: std::io::Write>(
        &self,
        writer: W,
        format: GraphFormat,
        target: &GraphTarget,
    ) -> Result<W> {
        match (target, self.store()) {
            (GraphTarget::Named(iri), _) => self.dump(writer, format, Some(iri)),
            (GraphTarget::Default, None) => Err(default_graph_unreachable(self)),
            (GraphTarget::Default, Some(store)) => store
                .dump_graph_to_writer(GraphNameRef::DefaultGraph, format.serializer(), writer)
                .map_err(|e| Error::Io {
                    context: "writing the default graph".into(),
                    source: std::io::Error::other(e.to_string()),
                }),
        }
    }

    /// Adds the triples of `data` (in `format`, read whole before anything is written) to
    /// `target`, replacing what it held when `replace`. One transaction: on a syntax error or
    /// a failure nothing changes. The running statistics are rebuilt afterwards, as after any
    /// write that bypasses the cycle writer. Returns the number of triples read.
    pub fn write_graph(
        &self,
        target: &GraphTarget,
        data: impl Read,
        format: GraphFormat,
        replace: bool,
    ) -> Result<usize> {
        let graph = target.name()?;
        let quads = RdfParser::from_format(format.oxigraph())
            .rename_blank_nodes()
            .for_reader(data)
            .map(|quad| quad.map(|q| Quad::new(q.subject, q.predicate, q.object, graph.clone())))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| Error::RdfSyntax {
                source_name: "the request body".into(),
                message: e.to_string(),
            })?;
        let count = quads.len();
        match self.store() {
            Some(store) => {
                let mut tx = store.start_transaction()?;
                if replace {
                    tx.clear_graph(graph.as_ref())?;
                }
                tx.extend(quads.iter());
                tx.commit()?;
            }
            None => self.backend().apply(&Change {
                drop: if replace { vec![graph] } else { Vec::new() },
                insert: quads,
                ..Change::default()
            })?,
        }
        self.rebuild_statistics()?;
        Ok(count)
    }

    /// Removes `target` (a named graph) or empties it (the default graph). Returns whether
    /// there was such a graph.
    pub fn drop_graph(&self, target: &GraphTarget) -> Result<bool> {
        let existed = self.contains_graph(target)?;
        if existed {
            match self.store() {
                Some(store) => {
                    let mut tx = store.start_transaction()?;
                    match target.name()? {
                        GraphName::NamedNode(g) => {
                            tx.remove_named_graph(&g)?;
                        }
                        _ => tx.clear_graph(GraphNameRef::DefaultGraph)?,
                    }
                    tx.commit()?;
                }
                None => self.backend().apply(&Change {
                    drop: vec![target.name()?],
                    ..Change::default()
                })?,
            }
            self.rebuild_statistics()?;
        }
        Ok(existed)
    }

    /// How many cycles are recorded: their named graphs counted, without reading their
    /// triples, so a health check stays cheap on a large store.
    pub fn cycle_count(&self) -> Result<usize> {
        let Some(store) = self.store() else {
            // A SPARQL service lists graphs only by their triples: count each cycle's one
            // `tdev:Cycle` instead, found through the type index.
            return self.count(&format!(
                "SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?c a <{}Cycle> }} }}",
                vocab::NS
            ));
        };
        let mut count = 0;
        for graph in store.named_graphs() {
            if matches!(graph?, NamedOrBlankNode::NamedNode(g) if g.as_str().starts_with(vocab::CYCLE_GRAPH_PREFIX))
            {
                count += 1;
            }
        }
        Ok(count)
    }
}

/// The Graph Store Protocol's `?default` on a SPARQL server whose default graph is the union
/// of its graphs: there is no way to name the server's own default graph alone.
fn default_graph_unreachable(graph: &KnowledgeGraph) -> Error {
    Error::Unsupported {
        what: "reading the store's own default graph",
        why: format!(
            "the graph is on the SPARQL server {}, whose default graph is the union of its \
             named graphs; name a graph with ?graph=IRI",
            graph.location()
        ),
    }
}
