//! The knowledge graph on a SPARQL service shared by several processes, against the same
//! engine as a service: each request is answered by an oxigraph store on disk (RocksDB, as
//! Oxigraph's server keeps it) the way `oxigraph serve --union-default-graph` answers it,
//! through the protocol's formats (SPARQL JSON results, N-Triples) but without HTTP, which
//! `tests/remote.rs` of the binary adds with a real Oxigraph server.
//!
//! Checked: every query file answers as on the embedded store, with and without bound
//! variables; the running statistics equal the raw aggregation, also when two writers record
//! at once; a lease is held by one holder at a time, released, and taken over once its holder
//! stops renewing it; a service that is unreachable or not set up as tdev needs is said so.

#[path = "../../tests/support/synthetic.rs"]
mod synthetic;

use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{GraphName, NamedNode, NamedOrBlankNode, Term, Variable};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::Store;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tdev_knowledge::{
    Endpoint, EndpointError, Error, KnowledgeGraph, LeaseState, ProtocolDataset, Remote, vocab,
};

/// An oxigraph store answering protocol requests: a SPARQL service in this process.
struct Service {
    store: Store,
    /// Whether queries see the union of all graphs by default (`--union-default-graph`).
    union: bool,
    /// Refuses every request as a stopped server would.
    down: AtomicBool,
    _dir: tempfile::TempDir,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Service")
    }
}

impl Service {
    fn new(union: bool) -> Arc<Self> {
        let dir = tempfile::tempdir().unwrap();
        Arc::new(Self {
            store: Store::open(dir.path()).unwrap(),
            union,
            down: AtomicBool::new(false),
            _dir: dir,
        })
    }

    fn check(&self) -> Result<(), EndpointError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(EndpointError::Unreachable(
                "could not be reached (connection refused)".into(),
            ));
        }
        Ok(())
    }
}

impl Endpoint for Service {
    fn name(&self) -> &str {
        "in-process"
    }

    fn query(
        &self,
        query: &str,
        dataset: &ProtocolDataset<'_>,
        accept: &str,
    ) -> Result<Vec<u8>, EndpointError> {
        self.check()?;
        let failed = |e: &dyn std::fmt::Display| EndpointError::Failed(e.to_string());
        let mut prepared = SparqlEvaluator::new()
            .parse_query(query)
            .map_err(|e| failed(&e))?;
        if !dataset.default_graphs.is_empty() || !dataset.named_graphs.is_empty() {
            let named = |iris: &[String]| -> Vec<NamedNode> {
                iris.iter().map(|i| NamedNode::new(i).unwrap()).collect()
            };
            let graphs = prepared.dataset_mut();
            graphs.set_default_graph(
                named(dataset.default_graphs)
                    .into_iter()
                    .map(GraphName::NamedNode)
                    .collect(),
            );
            graphs.set_available_named_graphs(
                named(dataset.named_graphs)
                    .into_iter()
                    .map(NamedOrBlankNode::NamedNode)
                    .collect(),
            );
        } else if self.union && prepared.dataset().is_default_dataset() {
            prepared.dataset_mut().set_default_graph_as_union();
        }
        let results = prepared
            .on_store(&self.store)
            .execute()
            .map_err(|e| failed(&e))?;
        let mut body = Vec::new();
        match results {
            QueryResults::Solutions(rows) => {
                assert_eq!(accept, "application/sparql-results+json");
                let mut out = QueryResultsSerializer::from_format(QueryResultsFormat::Json)
                    .serialize_solutions_to_writer(&mut body, rows.variables().to_vec())
                    .unwrap();
                for row in rows {
                    out.serialize(&row.map_err(|e| failed(&e))?).unwrap();
                }
                out.finish().unwrap();
            }
            QueryResults::Boolean(answer) => {
                assert_eq!(accept, "application/sparql-results+json");
                QueryResultsSerializer::from_format(QueryResultsFormat::Json)
                    .serialize_boolean_to_writer(&mut body, answer)
                    .unwrap();
            }
            QueryResults::Graph(triples) => {
                assert_eq!(accept, "application/n-triples");
                let mut out = RdfSerializer::from_format(RdfFormat::NTriples).for_writer(&mut body);
                for triple in triples {
                    out.serialize_triple(&triple.map_err(|e| failed(&e))?)
                        .unwrap();
                }
                out.finish().unwrap();
            }
        }
        Ok(body)
    }

    fn update(&self, update: &str) -> Result<(), EndpointError> {
        self.check()?;
        SparqlEvaluator::new()
            .parse_update(update)
            .map_err(|e| EndpointError::Failed(format!("{e}: {update}")))?
            .on_store(&self.store)
            .execute()
            .map_err(|e| EndpointError::Failed(e.to_string()))
    }
}

fn connect(service: &Arc<Service>, holder: &str, lease: Duration) -> KnowledgeGraph {
    KnowledgeGraph::connect(Remote {
        endpoint: service.clone(),
        holder: holder.into(),
        lease,
    })
    .unwrap()
}

const LEASE: Duration = Duration::from_secs(30);

/// Rows of a query's answer as sorted maps of variable to N-Triples term, sorted; a graph as
/// sorted triples, a boolean as one row.
fn answer(graph: &KnowledgeGraph, query: &str, bindings: &[(Variable, Term)]) -> Vec<String> {
    let mut out: Vec<String> = match graph.query_with(query, bindings).unwrap() {
        QueryResults::Solutions(rows) => rows
            .map(|row| {
                let row: BTreeMap<String, String> = row
                    .unwrap()
                    .iter()
                    .map(|(v, t)| {
                        let mut value = normalise(&t.to_string());
                        // GROUP_CONCAT's order is the store's, which SPARQL leaves open.
                        if v.as_str() == "cycles" {
                            let mut ids: Vec<&str> = value.trim_matches('"').split(' ').collect();
                            ids.sort_unstable();
                            value = ids.join(" ");
                        }
                        (v.as_str().to_owned(), value)
                    })
                    .collect();
                format!("{row:?}")
            })
            .collect(),
        QueryResults::Boolean(b) => vec![b.to_string()],
        QueryResults::Graph(triples) => triples.map(|t| t.unwrap().to_string()).collect(),
    };
    out.sort();
    out
}

/// Decimal sums print as `12.5` or `12.500` depending on who computed them; compare values.
fn normalise(term: &str) -> String {
    let value = term.split("^^").next().unwrap_or(term).trim_matches('"');
    match value.parse::<f64>() {
        Ok(x) if term.contains("XMLSchema#decimal") || term.contains("XMLSchema#double") => {
            format!("{x:.3}")
        }
        _ => term.to_owned(),
    }
}

fn query_files() -> Vec<(String, String)> {
    let dir = format!("{}/queries", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&path).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn a_shared_graph_answers_every_query_file_as_the_embedded_store_does() {
    let records: Vec<_> = (0..40).map(|i| synthetic::record(11, i)).collect();
    let local = KnowledgeGraph::in_memory().unwrap();
    local.record_cycles(&records[..20]).unwrap();
    let service = Service::new(true);
    let shared = connect(&service, "a", LEASE);
    shared.record_cycles(&records[..20]).unwrap();
    // One by one too, as the curator writes them.
    for record in &records[20..] {
        local.record_cycle(record).unwrap();
        shared.record_cycle(record).unwrap();
    }
    let repository = &records[0].repository.name;
    let cycle = vocab::cycle_graph(&records[3].id);
    let iri = |text: &str| Term::NamedNode(NamedNode::new(text).unwrap());
    let bindings: Vec<(&str, Term)> = vec![
        ("repository", vocab::repository(repository).into()),
        ("repository", Term::Literal(repository.as_str().into())),
        (
            "cycle",
            iri(&vocab::id(&["cycle", &records[3].id]).into_string()),
        ),
        ("name", Term::Literal("effort".into())),
        (
            "since",
            Term::Literal(oxigraph::model::Literal::new_typed_literal(
                records[10].started_at.to_string(),
                oxigraph::model::vocab::xsd::DATE_TIME,
            )),
        ),
    ];
    let mut compared = 0;
    for (name, query) in query_files() {
        let expected = answer(&local, &query, &[]);
        assert_eq!(answer(&shared, &query, &[]), expected, "{name}");
        for (variable, value) in &bindings {
            if !query.contains(&format!("?{variable}")) {
                continue;
            }
            let bound = [(Variable::new(*variable).unwrap(), value.clone())];
            // The embedded store binds only projected variables.
            if local.query_with(&query, &bound).is_err() {
                continue;
            }
            let expected = answer(&local, &query, &bound);
            assert_eq!(
                answer(&shared, &query, &bound),
                expected,
                "{name} with ?{variable} = {value}"
            );
            compared += usize::from(!expected.is_empty());
        }
    }
    assert!(compared >= 8, "only {compared} bound queries had answers");
    // The cycle's named graph, the repositories and the statistics are the same triples.
    for graph in [
        cycle.as_str(),
        vocab::REPOSITORIES_GRAPH,
        vocab::STATS_GRAPH,
        vocab::ONTOLOGY_GRAPH,
    ] {
        let query = format!("CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}");
        let expected = answer(&local, &query, &[]);
        assert!(!expected.is_empty(), "{graph}");
        assert_eq!(answer(&shared, &query, &[]), expected, "{graph}");
    }
    assert_eq!(shared.cycle_count().unwrap(), 40);
    assert_eq!(
        shared.strategy_tallies(repository).unwrap(),
        local.strategy_tallies(repository).unwrap()
    );
    assert_eq!(
        shared.training_rows().unwrap(),
        local.training_rows().unwrap()
    );
}

/// The statistics graph's triples, values normalised.
fn statistics(graph: &KnowledgeGraph) -> Vec<String> {
    answer(
        graph,
        &format!(
            "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{}> {{ ?s ?p ?o }} }}",
            vocab::STATS_GRAPH
        ),
        &[],
    )
}

#[test]
fn two_writers_at_once_keep_the_statistics_equal_to_the_raw_aggregation() {
    let service = Service::new(true);
    let writers: Vec<KnowledgeGraph> = ["host-a:/a", "host-b:/b"]
        .iter()
        .map(|holder| connect(&service, holder, LEASE))
        .collect();
    std::thread::scope(|scope| {
        for (w, writer) in writers.iter().enumerate() {
            scope.spawn(move || {
                for i in 0..25 {
                    let seed = 20 + u64::try_from(w).unwrap();
                    writer.record_cycle(&synthetic::record(seed, i)).unwrap();
                }
            });
        }
    });
    let reader = &writers[0];
    assert_eq!(reader.cycle_count().unwrap(), 50);
    let written = statistics(reader);
    reader.rebuild_statistics().unwrap();
    assert_eq!(written, statistics(reader));
    // And they are what one writer alone would have written.
    let alone = KnowledgeGraph::in_memory().unwrap();
    for w in 0..2 {
        for i in 0..25 {
            alone.record_cycle(&synthetic::record(20 + w, i)).unwrap();
        }
    }
    assert_eq!(written, statistics(&alone));
    // No writer's lease is left behind.
    let leases = format!("ASK {{ GRAPH <{}> {{ ?s ?p ?o }} }}", vocab::LEASES_GRAPH);
    assert_eq!(answer(reader, &leases, &[]), ["false"]);
}

#[test]
fn updates_and_loads_through_the_service_rebuild_the_statistics() {
    let service = Service::new(true);
    let graph = connect(&service, "a", LEASE);
    graph.record_cycle(&synthetic::record(5, 0)).unwrap();
    let before = statistics(&graph);
    // Removing a cycle graph through SPARQL UPDATE: its counts go with it.
    graph
        .update(&format!(
            "DROP GRAPH {}",
            vocab::cycle_graph(&synthetic::record(5, 0).id)
        ))
        .unwrap();
    assert_ne!(statistics(&graph), before);
    assert_eq!(graph.cycle_count().unwrap(), 0);
    // A syntax error is found here, with its position, and nothing is sent.
    let Err(Error::SparqlSyntax { line, .. }) = graph.update("INSERT DATA {\n  <a> <b> }") else {
        panic!("a broken update was not refused")
    };
    assert_eq!(line, Some(2));
    // A dump loads back.
    let local = KnowledgeGraph::in_memory().unwrap();
    local.record_cycle(&synthetic::record(5, 1)).unwrap();
    let dump = local
        .dump(Vec::new(), tdev_knowledge::GraphFormat::NQuads, None)
        .unwrap();
    graph
        .load(
            dump.as_slice(),
            tdev_knowledge::GraphFormat::NQuads,
            None,
            "dump.nq",
            |_| {},
        )
        .unwrap();
    assert_eq!(graph.cycle_count().unwrap(), 1);
    assert_eq!(statistics(&graph), statistics(&local));
}

#[test]
fn a_lease_has_one_holder_until_released_or_left_to_lapse() {
    let service = Service::new(true);
    let ttl = Duration::from_secs(2);
    let a = connect(&service, "a", ttl);
    let b = connect(&service, "b", ttl);
    let mut lease_a = a.repository_lease("project").unwrap();
    let mut lease_b = b.repository_lease("project").unwrap();
    assert_eq!(lease_a.refresh(&a).unwrap(), LeaseState::Held);
    let LeaseState::HeldBy(claim) = lease_b.refresh(&b).unwrap() else {
        panic!("b took a lease a holds")
    };
    assert_eq!(claim.holder, "a");
    assert_eq!(claim.pid, Some(std::process::id()));
    // Another repository is free for b.
    let mut other = b.repository_lease("elsewhere").unwrap();
    assert_eq!(other.refresh(&b).unwrap(), LeaseState::Held);

    // Released: b takes it at once, and a now waits.
    lease_a.release(&a).unwrap();
    assert_eq!(lease_b.refresh(&b).unwrap(), LeaseState::Held);
    assert!(matches!(lease_a.refresh(&a).unwrap(), LeaseState::HeldBy(c) if c.holder == "b"));

    // b stops renewing (killed): a takes over once the claim lapses on the server's clock, and
    // not before.
    drop(lease_b);
    let started = Instant::now();
    let mut rounds = 0;
    loop {
        rounds += 1;
        match lease_a.refresh(&a).unwrap() {
            LeaseState::Held => break,
            LeaseState::HeldBy(_) => {
                assert!(
                    started.elapsed() < Duration::from_secs(60),
                    "never taken over"
                );
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
    assert!(rounds > 1, "taken over while b's claim was live");
    assert!(lease_a.is_held());
}

#[test]
fn a_service_that_is_down_or_not_set_up_for_tdev_is_said_so() {
    // Without a union default graph, tdev's queries would see nothing: refused, saying how to
    // start the server.
    let flat = Service::new(false);
    let err = KnowledgeGraph::connect(Remote {
        endpoint: flat,
        holder: "a".into(),
        lease: LEASE,
    })
    .unwrap_err();
    assert!(err.is_user_error(), "{err}");
    assert!(err.to_string().contains("--union-default-graph"), "{err}");

    let service = Service::new(true);
    let graph = connect(&service, "a", LEASE);
    // What only the embedded store does is refused, saying why.
    let err = graph.compact().unwrap_err();
    assert!(err.is_user_error(), "{err}");
    assert!(err.to_string().contains("in-process"), "{err}");
    // A server that went away is a failure, named.
    service.down.store(true, Ordering::SeqCst);
    let err = graph.record_cycle(&synthetic::record(3, 0)).unwrap_err();
    assert!(!err.is_user_error(), "{err}");
    assert_eq!(
        err.to_string(),
        "the SPARQL endpoint in-process could not be reached (connection refused)"
    );
}
