//! Knowledge-graph benchmark: write throughput of cycle records and latency of the questions
//! tdev asks of what it has learned, at about a million triples.
//!
//! Run: `cargo bench --bench knowledge [-- --records N] [--only import|curator] [--batch N] [--keep DIR] [--query FILE]...`. Prints a Markdown table for
//! docs/benchmarks.md. Not a criterion bench: each phase runs once at full scale, since the
//! interesting number is how the store behaves after 10,000 records, not a micro-loop.

#[path = "../tests/support/synthetic.rs"]
mod synthetic;

use oxigraph::model::{Literal, NamedNode, Term};
use std::time::{Duration, Instant};
use tdev_knowledge::{KnowledgeGraph, QueryResults, Variable, vocab};

/// The five learned-knowledge questions: (label, query, bindings as `(variable, IRI or
/// string)`). The trend and the model history are asked for one repository and one model, as
/// a person asks them, and for all of them at once.
/// A variable and its value: an IRI in `<>` or a string.
type Binding = Option<(&'static str, &'static str)>;

const QUERIES: [(&str, &str, Binding); 7] = [
    ("pass rate per strategy", PASS_RATE, None),
    ("slowest tasks", SLOWEST, None),
    (
        "trend of one repository",
        TREND,
        Some(("repository", "<https://tdev.dev/id/repo/attrs>")),
    ),
    ("trend of all 5 repositories", TREND, None),
    ("findings by kind", FINDINGS, None),
    ("history of one model", MODELS, Some(("name", "effort"))),
    ("history of both models", MODELS, None),
];
const PASS_RATE: &str = include_str!("../knowledge/queries/pass-rate-per-strategy.rq");
const SLOWEST: &str = include_str!("../knowledge/queries/slowest-tasks.rq");
const TREND: &str = include_str!("../knowledge/queries/repository-trend.rq");
const FINDINGS: &str = include_str!("../knowledge/queries/findings-by-kind.rq");
const MODELS: &str = include_str!("../knowledge/queries/model-history.rq");

fn run(graph: &KnowledgeGraph, query: &str, bindings: &[(Variable, Term)]) -> usize {
    match graph.query_with(query, bindings).expect("query runs") {
        QueryResults::Solutions(rows) => rows.inspect(|r| assert!(r.is_ok(), "{r:?}")).count(),
        QueryResults::Boolean(_) => 1,
        QueryResults::Graph(triples) => triples.inspect(|t| assert!(t.is_ok())).count(),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

/// Writes `records` in batches of `batch` (1: one transaction per record, the curator's path;
/// 1000: `tdev kg record`'s import path), then times the queries.
fn phase(
    label: &str,
    records: &[tdev_core::CycleRecord],
    batch: usize,
    keep: Option<&str>,
    extra: &[(String, String)],
) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = keep.map_or(dir.path(), std::path::Path::new);
    let graph = KnowledgeGraph::open(path).expect("store opens");
    let start = Instant::now();
    for chunk in records.chunks(batch) {
        graph.record_cycles(chunk).expect("records are written");
    }
    let write = start.elapsed();
    let quads = graph.len().expect("len");
    println!("### {label}");
    println!();
    println!("| metric | value |");
    println!("|---|---|");
    println!("| records written | {} |", records.len());
    println!("| quads in store | {quads} |");
    println!("| write time | {:.2} s |", write.as_secs_f64());
    println!(
        "| records/s | {:.0} |",
        records.len() as f64 / write.as_secs_f64()
    );
    println!("| quads/s | {:.0} |", quads as f64 / write.as_secs_f64());
    if std::env::var_os("COMPACT").is_some() {
        let t = Instant::now();
        graph.compact().expect("compaction");
        println!("| compaction | {:.2} s |", t.elapsed().as_secs_f64());
    }
    println!();
    println!("| query | rows | p50 ms | p95 ms | max ms |");
    println!("|---|---|---|---|---|");
    let queries = QUERIES.iter().map(|(name, query, binding)| {
        let bindings: Vec<(Variable, Term)> = binding
            .iter()
            .map(|(var, value)| {
                let term = match value.strip_prefix('<').and_then(|v| v.strip_suffix('>')) {
                    Some(iri) => NamedNode::new_unchecked(iri).into(),
                    None => Literal::from(*value).into(),
                };
                (Variable::new_unchecked(*var), term)
            })
            .collect();
        (name.to_string(), query.to_string(), bindings)
    });
    let extra = extra
        .iter()
        .map(|(n, q)| (n.clone(), q.clone(), Vec::new()));
    for (name, query, bindings) in queries.chain(extra) {
        let (query, bindings) = (query.as_str(), bindings.as_slice());
        let rows = run(&graph, query, bindings);
        for _ in 0..3 {
            run(&graph, query, bindings);
        }
        let mut times: Vec<Duration> = (0..100)
            .map(|_| {
                let t = Instant::now();
                run(&graph, query, bindings);
                t.elapsed()
            })
            .collect();
        times.sort();
        println!(
            "| {name} | {rows} | {} | {} | {} |",
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.95)),
            ms(*times.last().expect("100 runs"))
        );
    }
    // The same question answered by raw aggregation over every attempt, for scale.
    let raw = format!("{}{}", vocab::PREFIXES, tdev_knowledge::STRATEGY_QUERY);
    let mut times: Vec<Duration> = (0..5)
        .map(|_| {
            let t = Instant::now();
            run(&graph, &raw, &[]);
            t.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "| pass rate per strategy, raw aggregation | {} | {} | {} | {} |",
        run(&graph, &raw, &[]),
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.95)),
        ms(*times.last().expect("5 runs"))
    );
    println!();
}

fn main() {
    let mut count: u64 = 10_000;
    let mut only = None;
    let mut keep = None;
    let mut batch = tdev_knowledge::IMPORT_BATCH;
    let mut extra = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--records" => {
                count = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .expect("--records N")
            }
            "--only" => only = args.next(),
            // Records per batch on the import path.
            "--batch" => batch = args.next().and_then(|n| n.parse().ok()).expect("--batch N"),
            // Leaves the import's store in DIR (which must not exist), to query it afterwards.
            "--keep" => keep = args.next(),
            // More queries to time, from files.
            "--query" => {
                let file = args.next().expect("--query FILE");
                let text = std::fs::read_to_string(&file).expect("query file");
                extra.push((file, text));
            }
            _ => {}
        }
    }
    let records: Vec<_> = (0..count).map(|i| synthetic::record(42, i)).collect();
    if only.as_deref() != Some("curator") {
        phase(
            &format!("Import: batches of {batch} records (`tdev kg record`)"),
            &records,
            batch,
            keep.as_deref(),
            &extra,
        );
    }
    if only.as_deref() != Some("import") {
        phase(
            "Curator: one transaction per record",
            &records,
            1,
            None,
            &extra,
        );
    }
}
