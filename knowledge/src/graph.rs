//! The knowledge graph: an oxigraph store (or a SPARQL server, `remote.rs`) holding the
//! ontology, one named graph per cycle and the running statistics.

use crate::backend::{Backend, Change};
use crate::format::GraphFormat;
use crate::lease::{Lease, Writing};
use crate::protocol::QueryOptions;
use crate::remote::Remote;
use crate::stats::{self, Statistics};
use crate::vocab;
use crate::{Error, Result, record};
use oxigraph::io::RdfParser;
use oxigraph::model::{
    GraphName, GraphNameRef, NamedNode, NamedNodeRef, NamedOrBlankNode, Quad, Term,
};
use oxigraph::sparql::{QueryResults, SparqlEvaluator, SparqlSyntaxError, Variable};
use oxigraph::store::{LoaderError, SerializerError, Store};
use std::collections::HashSet;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use tdev_core::{CycleRecord, ModelRecord};

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
    backend: Backend,
    /// Mirror of the running statistics; `None` until first needed or after a write that
    /// bypassed the writer. Kept for the embedded store only: on a SPARQL server other
    /// processes write too, so the statistics are read afresh for each write.
    stats: Mutex<Option<Statistics>>,
    /// Statistics values replaced since the store was last compacted.
    replaced: AtomicUsize,
}

impl std::fmt::Debug for KnowledgeGraph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KnowledgeGraph")
            .field("location", &self.location())
            .finish_non_exhaustive()
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
        let graph = Self::on(Backend::Local(Store::open(path)?));
        graph.install_ontology()?;
        stats::upgrade(graph.store().expect("a store on disk"))?;
        Ok(graph)
    }

    /// A graph held in memory, for tests and one-off tools.
    pub fn in_memory() -> Result<Self> {
        let graph = Self::on(Backend::Local(Store::new()?));
        graph.install_ontology()?;
        Ok(graph)
    }

    /// The graph on a SPARQL 1.1 service, shared with other processes: the ontology is
    /// installed (or replaced) there, and the service is checked to query the union of its
    /// graphs by default, as tdev's queries expect.
    pub fn connect(remote: Remote) -> Result<Self> {
        let graph = Self::on(Backend::Remote(remote));
        graph.install_ontology()?;
        if let Backend::Remote(remote) = &graph.backend {
            remote.check_union_default_graph()?;
        }
        Ok(graph)
    }

    fn on(backend: Backend) -> Self {
        Self {
            backend,
            stats: Mutex::new(None),
            replaced: AtomicUsize::new(0),
        }
    }

    pub(crate) fn backend(&self) -> &Backend {
        &self.backend
    }

    /// The embedded store, unless the graph is on a SPARQL server.
    pub(crate) fn store(&self) -> Option<&Store> {
        match &self.backend {
            Backend::Local(store) => Some(store),
            Backend::Remote(_) => None,
        }
    }

    /// Where the graph is: `embedded`, or the SPARQL service's address.
    pub fn location(&self) -> String {
        match &self.backend {
            Backend::Local(_) => "embedded".to_owned(),
            Backend::Remote(remote) => remote.name().to_owned(),
        }
    }

    /// Whether the graph is on a SPARQL server shared with other processes.
    pub fn is_remote(&self) -> bool {
        matches!(self.backend, Backend::Remote(_))
    }

    /// This process's lease on the repository `name`, for a graph shared on a SPARQL
    /// server; `None` on the embedded store, which one process at a time writes.
    pub fn repository_lease(&self, name: &str) -> Option<Lease> {
        match &self.backend {
            Backend::Local(_) => None,
            Backend::Remote(remote) => Some(Lease::new(
                vocab::repository(name),
                &remote.holder,
                remote.lease,
            )),
        }
    }

    /// The statistics' writer lease for one read-modify-write of a shared graph; `None` on
    /// the embedded store.
    pub(crate) fn writing(&self) -> Result<Option<Writing<'_>>> {
        match &self.backend {
            Backend::Local(_) => Ok(None),
            Backend::Remote(remote) => {
                Ok(Some(Writing::begin(self, &remote.holder, remote.lease)?))
            }
        }
    }

    /// Loads the shipped ontology into its named graph, replacing an older version.
    fn install_ontology(&self) -> Result<()> {
        let graph = NamedNodeRef::new_unchecked(vocab::ONTOLOGY_GRAPH);
        let expected = ontology_quads()?;
        let store = match &self.backend {
            Backend::Local(store) => store,
            Backend::Remote(_) => {
                let current: HashSet<Quad> = self.backend.graph_quads(graph)?.into_iter().collect();
                if current.len() == expected.len() && expected.iter().all(|q| current.contains(q)) {
                    return Ok(());
                }
                let _writing = self.writing()?;
                return self.backend.apply(&Change {
                    drop: vec![GraphName::NamedNode(graph.into_owned())],
                    insert: expected,
                    ..Change::default()
                });
            }
        };
        let current = store
            .quads_for_pattern(None, None, None, Some(graph.into()))
            .count();
        if current == expected.len() && contains_all(store, &expected)? {
            return Ok(());
        }
        let mut tx = store.start_transaction()?;
        tx.clear_graph(graph)?;
        tx.extend(expected.iter());
        tx.commit()?;
        Ok(())
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
        let store = match &self.backend {
            Backend::Local(store) => store,
            Backend::Remote(_) => return self.record_shared(records),
        };
        let mut guard = self.mirror();
        let stats = match &mut *guard {
            Some(stats) => stats,
            empty => empty.insert(Statistics::load(&self.backend)?),
        };
        let update = stats.plan(records);
        let mut recorded = Vec::with_capacity(records.len());
        if records.len() <= BULK_THRESHOLD {
            let mut tx = store.start_transaction()?;
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
            stats::mark_pending(store)?;
            let mut loader = store
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
            let mut tx = store.start_transaction()?;
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

    /// The statistics' mirror, locked. A panic while the lock was held may have left it
    /// half-updated: it is then dropped, to be reloaded.
    fn mirror(&self) -> std::sync::MutexGuard<'_, Option<Statistics>> {
        self.stats.lock().unwrap_or_else(|poisoned| {
            let mut guard = poisoned.into_inner();
            *guard = None;
            guard
        })
    }

    /// Writes the quads of trained models with the statistics' change they bring (each
    /// model name's current version), all or none: in one transaction on the embedded store,
    /// under the statistics' writer lease in one update request on a shared graph.
    pub(crate) fn write_models(&self, quads: Vec<Quad>, models: &[ModelRecord]) -> Result<()> {
        let store = match &self.backend {
            Backend::Local(store) => store,
            Backend::Remote(_) => {
                let Some(mut writing) = self.writing()? else {
                    unreachable!("a shared graph has a writer lease")
                };
                let update = Statistics::load(&self.backend)?.plan_models(models);
                let mut change = Change {
                    insert: quads,
                    ..Change::default()
                };
                update.add_to(&mut change);
                writing.renew()?;
                return self.backend.apply(&change);
            }
        };
        let mut guard = self.mirror();
        let stats = match &mut *guard {
            Some(stats) => stats,
            empty => empty.insert(Statistics::load(&self.backend)?),
        };
        let update = stats.plan_models(models);
        let mut tx = store.start_transaction()?;
        tx.extend(quads.iter());
        update.write(&mut tx);
        tx.commit()?;
        stats.commit(update);
        Ok(())
    }

    /// `record_cycles` on a graph shared on a SPARQL server. Other processes write the
    /// statistics too, so under the statistics' writer lease they are read afresh, and the
    /// cycles, the repositories' descriptions and the statistics' changes are written in one
    /// update request, which the server applies whole.
    fn record_shared(&self, records: &[CycleRecord]) -> Result<Vec<Recorded>> {
        let Some(mut writing) = self.writing()? else {
            unreachable!("only a shared graph records through here")
        };
        // Checked again under the lease: the checks before ran outside it.
        if let Some(id) = self.first_recorded(records)? {
            return Err(Error::CycleExists(id));
        }
        let update = Statistics::load(&self.backend)?.plan(records);
        let mut change = Change::default();
        let mut recorded = Vec::with_capacity(records.len());
        for record in records {
            let quads = record::quads(record);
            recorded.push(Recorded {
                graph: vocab::cycle_graph(&record.id).into_string(),
                quads: quads.len(),
            });
            change.insert.extend(quads);
        }
        update.add_to(&mut change);
        writing.renew()?;
        self.backend.apply(&change)?;
        Ok(recorded)
    }

    /// The first of `records` whose cycle is recorded already, in one query.
    fn first_recorded(&self, records: &[CycleRecord]) -> Result<Option<String>> {
        let graphs: String = records
            .iter()
            .map(|r| format!("{} ", vocab::cycle_graph(&r.id)))
            .collect();
        let rows = self.backend.select(&format!(
            "SELECT ?g WHERE {{ VALUES ?g {{ {graphs}}} GRAPH ?g {{ ?c a tdev:Cycle }} }} LIMIT 1"
        ))?;
        Ok(rows.first().and_then(|row| match row.get("g") {
            Some(Term::NamedNode(g)) => records
                .iter()
                .find(|r| vocab::cycle_graph(&r.id) == *g)
                .map(|r| r.id.clone()),
            _ => None,
        }))
    }

    /// Whether a cycle with this id is recorded.
    pub fn has_cycle(&self, cycle_id: &str) -> Result<bool> {
        self.backend
            .contains_named_graph(&vocab::cycle_graph(cycle_id))
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
        self.run_query(sparql, bindings, &QueryOptions::default())
    }

    /// Runs a query with `bindings` on the dataset `options` names (the union of all graphs
    /// when it names none and the query has no `FROM`), cancellable through its token.
    pub(crate) fn run_query(
        &self,
        sparql: &str,
        bindings: &[(Variable, Term)],
        options: &QueryOptions,
    ) -> Result<QueryResults<'static>> {
        let store = match &self.backend {
            Backend::Local(store) => store,
            Backend::Remote(remote) => return remote.query(sparql, bindings, options),
        };
        let mut evaluator = SparqlEvaluator::new()
            .with_base_iri(vocab::ID)
            .expect("the id namespace is a valid IRI");
        if let Some(cancel) = &options.cancel {
            evaluator = evaluator.with_cancellation_token(cancel.clone());
        }
        let mut prepared = evaluator
            .parse_query(sparql)
            .map_err(|e| syntax_error("query", &e))?;
        if !options.default_graphs.is_empty() || !options.named_graphs.is_empty() {
            // The protocol's dataset replaces the query's FROM and FROM NAMED (SPARQL 1.1
            // Protocol, 2.1.4).
            let iris = |list: &[String]| {
                list.iter()
                    .map(|i| parse_iri(i))
                    .collect::<Result<Vec<_>>>()
            };
            let default: Vec<GraphName> = iris(&options.default_graphs)?
                .into_iter()
                .map(GraphName::NamedNode)
                .collect();
            let named: Vec<NamedOrBlankNode> = iris(&options.named_graphs)?
                .into_iter()
                .map(NamedOrBlankNode::NamedNode)
                .collect();
            let dataset = prepared.dataset_mut();
            dataset.set_default_graph(default);
            dataset.set_available_named_graphs(named);
        } else if prepared.dataset().is_default_dataset() {
            prepared.dataset_mut().set_default_graph_as_union();
        }
        for (variable, value) in bindings {
            prepared = prepared.substitute_variable(variable.clone(), value.clone());
        }
        prepared
            .on_store(store)
            .execute()
            .map_err(|e| Error::Evaluation(e.to_string()))
    }

    /// Runs a SPARQL update, then rebuilds the running statistics from the changed data.
    pub fn update(&self, sparql: &str) -> Result<()> {
        let store = match &self.backend {
            Backend::Local(store) => store,
            Backend::Remote(remote) => {
                // Parsed here for the same syntax errors as on the embedded store; sent as
                // parsed, its relative IRIs resolved against the same base.
                let update = spargebra::SparqlParser::new()
                    .with_base_iri(vocab::ID)
                    .expect("the id namespace is a valid IRI")
                    .parse_update(sparql)
                    .map_err(|e| syntax_error("update", &e))?;
                remote.update(&update.to_string())?;
                return self.rebuild_statistics();
            }
        };
        let prepared = SparqlEvaluator::new()
            .with_base_iri(vocab::ID)
            .expect("the id namespace is a valid IRI")
            .parse_update(sparql)
            .map_err(|e| syntax_error("update", &e))?;
        prepared
            .on_store(store)
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
        let store = match &self.backend {
            Backend::Local(store) => store,
            Backend::Remote(remote) => {
                // Read whole first, so that a syntax error sends nothing; then one request.
                let quads = quads
                    .collect::<std::result::Result<Vec<_>, _>>()
                    .map_err(|e| Error::RdfSyntax {
                        source_name: source_name.to_owned(),
                        message: e.to_string(),
                    })?;
                remote.apply(&Change {
                    insert: quads,
                    ..Change::default()
                })?;
                self.rebuild_statistics()?;
                return Ok(read);
            }
        };
        let mut loader = store
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
    /// On a SPARQL server, the whole store is its named graphs (tdev writes nothing to the
    /// default graph, which queries there see as the union of all graphs).
    pub fn dump<W: Write>(&self, writer: W, format: GraphFormat, graph: Option<&str>) -> Result<W> {
        let graph = graph.map(parse_iri).transpose()?;
        if graph.is_none() && !format.holds_datasets() {
            return Err(Error::FormatMismatch {
                format: format!("{format:?}").to_lowercase(),
                what: "a whole store with named graphs (name one with --graph)",
                valid: "nquads, trig",
            });
        }
        let store = match &self.backend {
            Backend::Local(store) => store,
            Backend::Remote(remote) => {
                let quads = match &graph {
                    Some(graph) => self
                        .backend
                        .graph_quads(graph.as_ref())?
                        .into_iter()
                        .map(|q| {
                            Quad::new(q.subject, q.predicate, q.object, GraphName::DefaultGraph)
                        })
                        .collect(),
                    None => remote_quads(remote)?,
                };
                let io = Error::io("writing the dump");
                let mut out = format.serializer().for_writer(writer);
                for quad in &quads {
                    out.serialize_quad(quad)
                        .map_err(Error::io("writing the dump"))?;
                }
                return out.finish().map_err(io);
            }
        };
        let result = match graph {
            Some(graph) => store.dump_graph_to_writer(&graph, format.serializer(), writer),
            None => store.dump_to_writer(format.serializer(), writer),
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
        let mut writing = self.writing()?;
        let quads = stats::rebuild_quads(&self.backend)?;
        if let Some(writing) = &mut writing {
            // The aggregation may have taken a while.
            writing.renew()?;
        }
        stats::replace(&self.backend, quads)
    }

    /// Counts describing the graph.
    pub fn statistics(&self) -> Result<GraphStatistics> {
        let ontology = NamedNodeRef::new_unchecked(vocab::ONTOLOGY_GRAPH);
        let named_graphs = self.named_graphs()?;
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
        let ontology_triples = match &self.backend {
            Backend::Local(store) => store
                .quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(ontology)))
                .count(),
            Backend::Remote(_) => self.count(&format!("GRAPH {ontology} {{ ?s ?p ?o }}"))?,
        };
        Ok(GraphStatistics {
            quads: self.len()?,
            named_graphs: named_graphs.len(),
            cycles,
            ontology_triples,
            instances,
        })
    }

    /// The named graphs.
    pub(crate) fn named_graphs(&self) -> Result<Vec<NamedOrBlankNode>> {
        match &self.backend {
            Backend::Local(store) => Ok(store.named_graphs().collect::<Result<_, _>>()?),
            Backend::Remote(_) => Ok(self
                .backend
                .select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")?
                .into_iter()
                .filter_map(|row| match row.get("g") {
                    Some(Term::NamedNode(g)) => Some(NamedOrBlankNode::NamedNode(g.clone())),
                    Some(Term::BlankNode(g)) => Some(NamedOrBlankNode::BlankNode(g.clone())),
                    _ => None,
                })
                .collect()),
        }
    }

    /// How many solutions `pattern` has, on a shared graph.
    pub(crate) fn count(&self, pattern: &str) -> Result<usize> {
        let rows = self
            .backend
            .select(&format!("SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}"))?;
        Ok(rows
            .first()
            .and_then(|row| match row.get("n") {
                Some(Term::Literal(n)) => n.value().parse().ok(),
                _ => None,
            })
            .unwrap_or(0))
    }

    /// Compacts the store, dropping what deleted and replaced values left behind. Running
    /// statistics are rewritten on every write; their old values slow reads until compacted.
    /// A SPARQL server compacts its own storage: there it is the user's mistake to ask.
    pub fn compact(&self) -> Result<()> {
        match &self.backend {
            Backend::Local(store) => Ok(store.optimize()?),
            Backend::Remote(remote) => Err(Error::Unsupported {
                what: "compacting the store",
                why: format!(
                    "the graph is on the SPARQL server {}, which manages its own storage \
                     (Oxigraph: `oxigraph optimize` while it is stopped)",
                    remote.name()
                ),
            }),
        }
    }

    /// Number of quads in the store (on a SPARQL server: in its named graphs).
    pub fn len(&self) -> Result<usize> {
        match &self.backend {
            Backend::Local(store) => Ok(store.len()?),
            Backend::Remote(_) => self.count("GRAPH ?g { ?s ?p ?o }"),
        }
    }

    /// Whether the store holds no quads at all (not even the ontology).
    pub fn is_empty(&self) -> Result<bool> {
        match &self.backend {
            Backend::Local(store) => Ok(store.is_empty()?),
            Backend::Remote(_) => Ok(self.len()? == 0),
        }
    }
}

fn contains_all(store: &Store, quads: &[Quad]) -> Result<bool> {
    for quad in quads {
        if !store.contains(quad)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Every quad of a SPARQL server's named graphs.
fn remote_quads(remote: &Remote) -> Result<Vec<Quad>> {
    let rows = remote.select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")?;
    let mut quads = Vec::with_capacity(rows.len());
    for row in rows {
        let (Some(s), Some(Term::NamedNode(p)), Some(o), Some(g)) =
            (row.get("s"), row.get("p"), row.get("o"), row.get("g"))
        else {
            continue;
        };
        let subject = match s {
            Term::NamedNode(n) => NamedOrBlankNode::NamedNode(n.clone()),
            Term::BlankNode(b) => NamedOrBlankNode::BlankNode(b.clone()),
            _ => continue,
        };
        let graph = match g {
            Term::NamedNode(n) => GraphName::NamedNode(n.clone()),
            Term::BlankNode(b) => GraphName::BlankNode(b.clone()),
            _ => continue,
        };
        quads.push(Quad::new(subject, p.clone(), o.clone(), graph));
    }
    Ok(quads)
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
