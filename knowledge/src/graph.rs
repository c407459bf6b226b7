//! The knowledge graph: an oxigraph store holding the ontology, one named graph per cycle and
//! the running statistics.

use crate::format::GraphFormat;
use crate::stats::{self, Statistics};
use crate::vocab;
use crate::{Error, Result, record};
use oxigraph::io::RdfParser;
use oxigraph::model::{GraphName, GraphNameRef, NamedNode, NamedNodeRef, NamedOrBlankNode, Term};
use oxigraph::sparql::{QueryResults, SparqlEvaluator, SparqlSyntaxError, Variable};
use oxigraph::store::{LoaderError, SerializerError, Store};
use std::collections::HashSet;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use tdev_core::CycleRecord;

/// Statistics values replaced before the store is compacted (a few seconds per million quads).
const COMPACT_AFTER: usize = 20_000;

/// Batches of more records than this are written through the bulk loader.
pub const BULK_THRESHOLD: usize = 64;

/// Records per `record_cycles` call that an import should use: the bulk loader pays more the
/// larger the batch (measured on 2 cores: 1,750 records/s at 1,000, about 2,400 at 10,000).
pub const IMPORT_BATCH: usize = 10_000;

/// Memory the bulk loader may use. Measured on 2 cores with 10,000-record batches: 128 MB
/// wrote about 2,400 records/s, 512 MB 1,760 and 2 GB (oxigraph's default) 1,130.
const BULK_LOADER_MEGABYTES: usize = 128;

/// The ontology, as shipped in `ontology/tdev.ttl`.
pub const ONTOLOGY: &str = include_str!("../../ontology/tdev.ttl");
/// The SHACL shapes recorded cycles satisfy, as shipped in `ontology/shapes.ttl`.
pub const SHAPES: &str = include_str!("../../ontology/shapes.ttl");

/// tdev's RDF knowledge graph.
pub struct KnowledgeGraph {
    pub(crate) store: Store,
    /// Mirror of the running statistics; `None` until first needed or after a write that
    /// bypassed the writer.
    stats: Mutex<Option<Statistics>>,
    /// Statistics values replaced since the store was last compacted.
    replaced: AtomicUsize,
}

impl std::fmt::Debug for KnowledgeGraph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KnowledgeGraph").finish_non_exhaustive()
    }
}

/// What writing one cycle record did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recorded {
    /// The cycle's named graph, its provenance IRI.
    pub graph: String,
    /// How many quads were written to it.
    pub quads: usize,
}

/// Counts describing the graph, for `tdev kg stats`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct GraphStatistics {
    /// All quads, in every graph.
    pub quads: usize,
    /// Named graphs, including the ontology and statistics graphs.
    pub named_graphs: usize,
    /// Recorded cycles.
    pub cycles: usize,
    /// Triples of the ontology graph.
    pub ontology_triples: usize,
    /// Instances per class of the tdev vocabulary (local name to count), largest first.
    pub instances: Vec<(String, usize)>,
}

impl KnowledgeGraph {
    /// Opens the graph stored under `path`, creating it (with the ontology) if it is new;
    /// statistics an older tdev wrote without the counts it now keeps are rebuilt.
    pub fn open(path: &Path) -> Result<Self> {
        let graph = Self {
            store: Store::open(path)?,
            stats: Mutex::new(None),
            replaced: AtomicUsize::new(0),
        };
        graph.install_ontology()?;
        stats::upgrade(&graph.store)?;
        Ok(graph)
    }

    /// A graph held in memory, for tests and one-off tools.
    pub fn in_memory() -> Result<Self> {
        let graph = Self {
            store: Store::new()?,
            stats: Mutex::new(None),
            replaced: AtomicUsize::new(0),
        };
        graph.install_ontology()?;
        Ok(graph)
    }

    /// Loads the shipped ontology into its named graph, replacing an older version.
    fn install_ontology(&self) -> Result<()> {
        let graph = NamedNodeRef::new_unchecked(vocab::ONTOLOGY_GRAPH);
        let expected = ontology_quads()?;
        let current = self
            .store
            .quads_for_pattern(None, None, None, Some(graph.into()))
            .count();
        if current == expected.len() && self.contains_all(&expected)? {
            return Ok(());
        }
        let mut tx = self.store.start_transaction()?;
        tx.clear_graph(graph)?;
        tx.extend(expected.iter());
        tx.commit()?;
        Ok(())
    }

    fn contains_all(&self, quads: &[oxigraph::model::Quad]) -> Result<bool> {
        for quad in quads {
            if !self.store.contains(quad)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Writes one cycle record into its own named graph, with the running statistics, in one
    /// transaction. An invalid record or an already recorded cycle writes nothing.
    pub fn record_cycle(&self, record: &CycleRecord) -> Result<Recorded> {
        let mut recorded = self.record_cycles(std::slice::from_ref(record))?;
        Ok(recorded.remove(0))
    }

    /// Checks that `record` can be written: it is valid and its cycle is not recorded yet.
    pub fn check_record(&self, record: &CycleRecord) -> Result<()> {
        if let Err(problems) = record.validate() {
            return Err(Error::InvalidRecord {
                id: record.id.clone(),
                problems: problems.iter().map(ToString::to_string).collect(),
            });
        }
        if self.has_cycle(&record.id)? {
            return Err(Error::CycleExists(record.id.clone()));
        }
        Ok(())
    }

    /// Writes many cycle records, each into its own named graph, all or none.
    ///
    /// Up to [`BULK_THRESHOLD`] records go in one transaction with the statistics. Larger
    /// batches (imports) go through oxigraph's bulk loader, several times faster, and the
    /// statistics follow in a second transaction; a marker written first makes an import
    /// interrupted between the two rebuild the statistics when the store is next written.
    pub fn record_cycles(&self, records: &[CycleRecord]) -> Result<Vec<Recorded>> {
        let mut ids = HashSet::new();
        for record in records {
            if !ids.insert(record.id.as_str()) {
                return Err(Error::CycleExists(record.id.clone()));
            }
            self.check_record(record)?;
        }
        // A panic while the lock was held may have left the mirror half-updated: reload it.
        let mut guard = self.stats.lock().unwrap_or_else(|poisoned| {
            let mut guard = poisoned.into_inner();
            *guard = None;
            guard
        });
        let stats = match &mut *guard {
            Some(stats) => stats,
            empty => empty.insert(Statistics::load(&self.store)?),
        };
        let update = stats.plan(records);
        let mut recorded = Vec::with_capacity(records.len());
        if records.len() <= BULK_THRESHOLD {
            let mut tx = self.store.start_transaction()?;
            for record in records {
                let graph = vocab::cycle_graph(&record.id);
                // Checked again inside the transaction: the check above ran outside it.
                if tx.contains_named_graph(&graph)? {
                    return Err(Error::CycleExists(record.id.clone()));
                }
                let quads = record::quads(record);
                tx.insert_named_graph(&graph);
                tx.extend(quads.iter());
                recorded.push(Recorded {
                    graph: graph.into_string(),
                    quads: quads.len(),
                });
            }
            update.write(&mut tx);
            tx.commit()?;
        } else {
            stats::mark_pending(&self.store)?;
            let mut loader = self
                .store
                .bulk_loader()
                .with_max_memory_size_in_megabytes(BULK_LOADER_MEGABYTES);
            // Quads are made as the loader consumes them, so making them overlaps with the
            // loader's own threads.
            let quads = records.iter().flat_map(|record| {
                let quads = record::quads(record);
                let graph = vocab::cycle_graph(&record.id).into_string();
                recorded.push(Recorded {
                    graph,
                    quads: quads.len(),
                });
                quads
            });
            loader.load_quads(quads)?;
            loader.commit()?;
            let mut tx = self.store.start_transaction()?;
            update.write(&mut tx);
            stats::clear_pending(&mut tx);
            tx.commit()?;
        }
        let replaced = update.replaced();
        stats.commit(update);
        drop(guard);
        // Every replaced counter leaves a deleted key behind that reads must skip until
        // RocksDB compacts it away; thousands of them on the same few counters make the
        // statistics queries slow, so compact once enough have piled up.
        if self.replaced.fetch_add(replaced, Ordering::Relaxed) + replaced >= COMPACT_AFTER {
            self.replaced.store(0, Ordering::Relaxed);
            tracing::info!("compacting the knowledge graph");
            self.compact()?;
        }
        Ok(recorded)
    }

    /// Whether a cycle with this id is recorded.
    pub fn has_cycle(&self, cycle_id: &str) -> Result<bool> {
        Ok(self
            .store
            .contains_named_graph(&vocab::cycle_graph(cycle_id))?)
    }

    /// Runs a SPARQL query. Unless the query names its dataset (`FROM`), the default graph is
    /// the union of all graphs, so that plain patterns see every cycle.
    pub fn query(&self, sparql: &str) -> Result<QueryResults<'static>> {
        self.query_with(sparql, &[])
    }

    /// Runs a SPARQL query with some variables bound to values beforehand, so that one query
    /// file answers the question for any repository, model or strategy.
    pub fn query_with(
        &self,
        sparql: &str,
        bindings: &[(Variable, Term)],
    ) -> Result<QueryResults<'static>> {
        let mut prepared = SparqlEvaluator::new()
            .with_base_iri(vocab::ID)
            .expect("the id namespace is a valid IRI")
            .parse_query(sparql)
            .map_err(|e| syntax_error("query", &e))?;
        if prepared.dataset().is_default_dataset() {
            prepared.dataset_mut().set_default_graph_as_union();
        }
        for (variable, value) in bindings {
            prepared = prepared.substitute_variable(variable.clone(), value.clone());
        }
        prepared
            .on_store(&self.store)
            .execute()
            .map_err(|e| Error::Evaluation(e.to_string()))
    }

    /// Runs a SPARQL update, then rebuilds the running statistics from the changed data.
    pub fn update(&self, sparql: &str) -> Result<()> {
        let prepared = SparqlEvaluator::new()
            .with_base_iri(vocab::ID)
            .expect("the id namespace is a valid IRI")
            .parse_update(sparql)
            .map_err(|e| syntax_error("update", &e))?;
        prepared
            .on_store(&self.store)
            .execute()
            .map_err(|e| Error::Evaluation(e.to_string()))?;
        self.rebuild_statistics()
    }

    /// Loads an RDF file atomically: on a syntax error nothing is loaded. Triples of a
    /// single-graph format go to `graph` (the default graph when `None`). `progress` is called
    /// with the number of quads read every 100,000 quads. Returns the number of quads read.
    pub fn load(
        &self,
        reader: impl Read,
        format: GraphFormat,
        graph: Option<&str>,
        source_name: &str,
        mut progress: impl FnMut(u64),
    ) -> Result<u64> {
        let mut parser = RdfParser::from_format(format.oxigraph());
        if let Some(graph) = graph {
            parser = parser.with_default_graph(parse_iri(graph)?);
        }
        let mut read = 0_u64;
        let quads = parser
            .rename_blank_nodes()
            .for_reader(reader)
            .inspect(|quad| {
                if quad.is_ok() {
                    read += 1;
                    if read.is_multiple_of(100_000) {
                        progress(read);
                    }
                }
            });
        let mut loader = self
            .store
            .bulk_loader()
            .with_max_memory_size_in_megabytes(BULK_LOADER_MEGABYTES);
        loader
            .load_ok_quads::<_, LoaderError>(quads)
            .map_err(|e| match e {
                LoaderError::Storage(e) => Error::Storage(e),
                other => Error::RdfSyntax {
                    source_name: source_name.to_owned(),
                    message: other.to_string(),
                },
            })?;
        loader.commit()?;
        self.rebuild_statistics()?;
        Ok(read)
    }

    /// Writes the whole store (a dataset format) or one graph (any format).
    pub fn dump<W: Write>(&self, writer: W, format: GraphFormat, graph: Option<&str>) -> Result<W> {
        let result = match graph {
            Some(graph) => {
                let graph = parse_iri(graph)?;
                self.store
                    .dump_graph_to_writer(&graph, format.serializer(), writer)
            }
            None if !format.holds_datasets() => {
                return Err(Error::FormatMismatch {
                    format: format!("{format:?}").to_lowercase(),
                    what: "a whole store with named graphs (name one with --graph)",
                    valid: "nquads, trig",
                });
            }
            None => self.store.dump_to_writer(format.serializer(), writer),
        };
        result.map_err(|e| match e {
            SerializerError::Io(e) => Error::Io {
                context: "writing the dump".into(),
                source: e,
            },
            SerializerError::Storage(e) => Error::Storage(e),
            other => Error::Evaluation(other.to_string()),
        })
    }

    /// Recomputes the running statistics from the cycle graphs.
    pub fn rebuild_statistics(&self) -> Result<()> {
        let mut guard = self.stats.lock().unwrap_or_else(PoisonError::into_inner);
        *guard = None;
        stats::rebuild(&self.store)
    }

    /// Counts describing the graph.
    pub fn statistics(&self) -> Result<GraphStatistics> {
        let ontology = NamedNodeRef::new_unchecked(vocab::ONTOLOGY_GRAPH);
        let named_graphs: Vec<_> = self.store.named_graphs().collect::<Result<_, _>>()?;
        let cycles = named_graphs
            .iter()
            .filter(|g| {
                matches!(g, NamedOrBlankNode::NamedNode(g) if g.as_str().starts_with(vocab::CYCLE_GRAPH_PREFIX))
            })
            .count();
        let mut instances = Vec::new();
        let results = self.query(&format!(
            "{}SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a ?class FILTER(STRSTARTS(STR(?class), STR(tdev:))) }} GROUP BY ?class ORDER BY DESC(?n) ?class",
            vocab::PREFIXES
        ))?;
        if let QueryResults::Solutions(rows) = results {
            for row in rows {
                let row = row.map_err(|e| Error::Evaluation(e.to_string()))?;
                if let (Some(Term::NamedNode(class)), Some(Term::Literal(n))) =
                    (row.get("class"), row.get("n"))
                {
                    let name = class.as_str().trim_start_matches(vocab::NS).to_owned();
                    instances.push((name, n.value().parse().unwrap_or(0)));
                }
            }
        }
        Ok(GraphStatistics {
            quads: self.store.len()?,
            named_graphs: named_graphs.len(),
            cycles,
            ontology_triples: self
                .store
                .quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(ontology)))
                .count(),
            instances,
        })
    }

    /// Compacts the store, dropping what deleted and replaced values left behind. Running
    /// statistics are rewritten on every write; their old values slow reads until compacted.
    pub fn compact(&self) -> Result<()> {
        Ok(self.store.optimize()?)
    }

    /// Number of quads in the store.
    pub fn len(&self) -> Result<usize> {
        Ok(self.store.len()?)
    }

    /// Whether the store holds no quads at all (not even the ontology).
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.store.is_empty()?)
    }
}

fn ontology_quads() -> Result<Vec<oxigraph::model::Quad>> {
    let graph = GraphName::NamedNode(NamedNode::new_unchecked(vocab::ONTOLOGY_GRAPH));
    RdfParser::from_format(oxigraph::io::RdfFormat::Turtle)
        .with_default_graph(graph)
        .for_slice(ONTOLOGY)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::RdfSyntax {
            source_name: "ontology/tdev.ttl".into(),
            message: e.to_string(),
        })
}

pub(crate) fn parse_iri(iri: &str) -> Result<NamedNode> {
    NamedNode::new(iri).map_err(|e| Error::InvalidIri {
        iri: iri.to_owned(),
        message: e.to_string(),
    })
}

/// Turns the parser's error (`error at 3:15: expected ...`) into one carrying the position.
pub(crate) fn syntax_error(kind: &'static str, error: &SparqlSyntaxError) -> Error {
    let message = error.to_string();
    let position = message
        .strip_prefix("error at ")
        .and_then(|rest| rest.split_once(':').zip(rest.split_once(": ")))
        .and_then(|((line, _), (pos, _))| {
            let (_, column) = pos.split_once(':')?;
            Some((line.parse().ok()?, column.parse().ok()?))
        });
    Error::SparqlSyntax {
        kind,
        message,
        line: position.map(|(l, _)| l),
        column: position.map(|(_, c)| c),
    }
}
