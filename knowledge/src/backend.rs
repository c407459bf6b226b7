//! Where the knowledge graph lives: the embedded oxigraph store, or a SPARQL 1.1 server
//! ([`Remote`]). `KnowledgeGraph` keeps its public API the same for both; the few things the
//! statistics, the leases and the writer need of either are here, each said once for both.

use crate::remote::Remote;
use crate::{Error, Result, vocab};
use oxigraph::model::{GraphName, NamedNode, NamedNodeRef, Quad, Term};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::Store;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The store behind a `KnowledgeGraph`.
pub(crate) enum Backend {
    /// The embedded store (RocksDB on disk, or memory).
    Local(Store),
    /// A SPARQL 1.1 server shared with other processes.
    Remote(Remote),
}

/// Writes applied together: graphs dropped, then quads removed, then quads inserted.
#[derive(Debug, Default)]
pub(crate) struct Change {
    /// Graphs emptied (named graphs removed) first.
    pub drop: Vec<GraphName>,
    /// Quads removed.
    pub remove: Vec<Quad>,
    /// Quads inserted.
    pub insert: Vec<Quad>,
}

impl Change {
    pub(crate) fn is_empty(&self) -> bool {
        self.drop.is_empty() && self.remove.is_empty() && self.insert.is_empty()
    }

    /// The change as one SPARQL 1.1 update request.
    pub(crate) fn to_update(&self) -> String {
        let mut operations = Vec::new();
        for graph in &self.drop {
            operations.push(match graph {
                GraphName::NamedNode(g) => format!("DROP SILENT GRAPH {g}"),
                _ => "CLEAR SILENT DEFAULT".to_owned(),
            });
        }
        if !self.remove.is_empty() {
            operations.push(format!("DELETE DATA {{\n{}}}", quad_data(&self.remove)));
        }
        if !self.insert.is_empty() {
            operations.push(format!("INSERT DATA {{\n{}}}", quad_data(&self.insert)));
        }
        operations.join(" ;\n")
    }
}

/// Quads as the body of `INSERT DATA` or `DELETE DATA`, grouped by graph in their order.
fn quad_data(quads: &[Quad]) -> String {
    let mut by_graph: Vec<(&GraphName, Vec<&Quad>)> = Vec::new();
    for quad in quads {
        match by_graph.iter_mut().find(|(g, _)| *g == &quad.graph_name) {
            Some((_, list)) => list.push(quad),
            None => by_graph.push((&quad.graph_name, vec![quad])),
        }
    }
    let mut out = String::new();
    for (graph, quads) in by_graph {
        // The default graph's triples stand outside any GRAPH block.
        let named = matches!(graph, GraphName::NamedNode(_));
        if named {
            let _ = writeln!(out, "GRAPH {graph} {{");
        }
        for quad in quads {
            let _ = writeln!(out, "{} {} {} .", quad.subject, quad.predicate, quad.object);
        }
        if named {
            out.push_str("}\n");
        }
    }
    out
}

impl Backend {
    /// The solutions of one of tdev's own SELECT queries (prefixes added here), on the union
    /// of all graphs, each as variable name to value.
    pub(crate) fn select(&self, query: &str) -> Result<Vec<BTreeMap<String, Term>>> {
        let text = format!("{}{query}", vocab::PREFIXES);
        match self {
            Self::Local(store) => {
                let mut prepared = SparqlEvaluator::new()
                    .parse_query(&text)
                    .map_err(|e| Error::Evaluation(format!("tdev's query does not parse: {e}")))?;
                prepared.dataset_mut().set_default_graph_as_union();
                let QueryResults::Solutions(rows) = prepared
                    .on_store(store)
                    .execute()
                    .map_err(|e| Error::Evaluation(e.to_string()))?
                else {
                    return Ok(Vec::new());
                };
                let mut out = Vec::new();
                for row in rows {
                    let row = row.map_err(|e| Error::Evaluation(e.to_string()))?;
                    out.push(
                        row.iter()
                            .map(|(var, term)| (var.as_str().to_owned(), term.clone()))
                            .collect(),
                    );
                }
                Ok(out)
            }
            Self::Remote(remote) => remote.select(&text),
        }
    }

    /// The quads of one named graph.
    pub(crate) fn graph_quads(&self, graph: NamedNodeRef<'_>) -> Result<Vec<Quad>> {
        match self {
            Self::Local(store) => Ok(store
                .quads_for_pattern(None, None, None, Some(graph.into()))
                .collect::<std::result::Result<_, _>>()?),
            Self::Remote(remote) => {
                let triples = remote.construct(&format!(
                    "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}"
                ))?;
                Ok(triples
                    .into_iter()
                    .map(|t| t.in_graph(graph.into_owned()))
                    .collect())
            }
        }
    }

    /// Whether the named graph `graph` holds anything.
    pub(crate) fn contains_named_graph(&self, graph: &NamedNode) -> Result<bool> {
        match self {
            Self::Local(store) => Ok(store.contains_named_graph(graph)?),
            // A SPARQL service's graphs exist while they hold triples; a cycle's always does.
            Self::Remote(remote) => remote.ask(&format!("ASK {{ GRAPH {graph} {{ ?s ?p ?o }} }}")),
        }
    }

    /// Applies `change` atomically: one transaction, or one update request.
    pub(crate) fn apply(&self, change: &Change) -> Result<()> {
        match self {
            Self::Local(store) => {
                let mut tx = store.start_transaction()?;
                for graph in &change.drop {
                    match graph {
                        GraphName::NamedNode(g) => tx.remove_named_graph(g)?,
                        _ => tx.clear_graph(graph.as_ref())?,
                    }
                }
                for quad in &change.remove {
                    tx.remove(quad);
                }
                tx.extend(change.insert.iter());
                tx.commit()?;
                Ok(())
            }
            Self::Remote(remote) => remote.apply(change),
        }
    }

    /// Runs one of tdev's own update requests as it is (nothing rebuilt after).
    pub(crate) fn execute_update(&self, update: &str) -> Result<()> {
        match self {
            Self::Local(store) => SparqlEvaluator::new()
                .parse_update(update)
                .map_err(|e| Error::Evaluation(format!("tdev's update does not parse: {e}")))?
                .on_store(store)
                .execute()
                .map_err(|e| Error::Evaluation(e.to_string())),
            Self::Remote(remote) => remote.update(update),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::Literal;

    #[test]
    fn a_change_is_one_update_request_grouped_by_graph() {
        let g = NamedNode::new_unchecked("https://e/g");
        let s = NamedNode::new_unchecked("https://e/s");
        let p = NamedNode::new_unchecked("https://e/p");
        let quad =
            |o: i64, graph: GraphName| Quad::new(s.clone(), p.clone(), Literal::from(o), graph);
        let change = Change {
            drop: vec![GraphName::NamedNode(g.clone())],
            remove: vec![quad(1, g.clone().into())],
            insert: vec![
                quad(2, g.clone().into()),
                quad(3, GraphName::DefaultGraph),
                quad(4, g.clone().into()),
            ],
        };
        let expected = "DROP SILENT GRAPH <https://e/g> ;\n\
            DELETE DATA {\nGRAPH <https://e/g> {\n<https://e/s> <https://e/p> \"1\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n}\n} ;\n\
            INSERT DATA {\nGRAPH <https://e/g> {\n<https://e/s> <https://e/p> \"2\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n\
            <https://e/s> <https://e/p> \"4\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n}\n\
            <https://e/s> <https://e/p> \"3\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n}";
        assert_eq!(change.to_update(), expected);
        // It parses, and does what it says.
        let store = Store::new().unwrap();
        Backend::Local(store.clone())
            .execute_update(&change.to_update())
            .unwrap();
        assert_eq!(store.len().unwrap(), 3);
    }
}
