//! Knowledge-graph benchmark: write throughput of cycle records and latency of the questions
//! tdev asks of what it has learned, at about a million triples.
//!
//! Run: `cargo bench --bench knowledge [-- --records N]`. Prints a Markdown table for
//! docs/benchmarks.md. Not a criterion bench: each phase runs once at full scale, since the
//! interesting number is how the store behaves after 10,000 records, not a micro-loop.

#[path = "../tests/support/synthetic.rs"]
mod synthetic;

use std::time::{Duration, Instant};
use tdev_knowledge::{KnowledgeGraph, QueryResults, vocab};

const QUERIES: [(&str, &str); 5] = [
    (
        "pass rate per strategy",
        include_str!("../knowledge/queries/pass-rate-per-strategy.rq"),
    ),
    (
        "slowest tasks",
        include_str!("../knowledge/queries/slowest-tasks.rq"),
    ),
    (
        "per-repository trend",
        include_str!("../knowledge/queries/repository-trend.rq"),
    ),
    (
        "findings by kind",
        include_str!("../knowledge/queries/findings-by-kind.rq"),
    ),
    (
        "model history",
        include_str!("../knowledge/queries/model-history.rq"),
    ),
];

fn run(graph: &KnowledgeGraph, query: &str) -> usize {
    match graph.query(query).expect("query runs") {
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

fn main() {
    let mut records: u64 = 10_000;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--records" {
            records = args
                .next()
                .and_then(|n| n.parse().ok())
                .expect("--records N");
        }
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let graph = KnowledgeGraph::open(dir.path()).expect("store opens");
    let batch: Vec<_> = (0..records).map(|i| synthetic::record(42, i)).collect();

    let start = Instant::now();
    for record in &batch {
        graph.record_cycle(record).expect("record is written");
    }
    let write = start.elapsed();
    let quads = graph.len().expect("len");
    println!("| metric | value |");
    println!("|---|---|");
    println!("| records written | {records} |");
    println!("| quads in store | {quads} |");
    println!("| write time | {:.2} s |", write.as_secs_f64());
    println!(
        "| records/s | {:.0} |",
        records as f64 / write.as_secs_f64()
    );
    println!("| quads/s | {:.0} |", quads as f64 / write.as_secs_f64());
    println!();
    println!("| query | rows | p50 ms | p95 ms | max ms |");
    println!("|---|---|---|---|---|");
    for (name, query) in QUERIES {
        let rows = run(&graph, query);
        for _ in 0..3 {
            run(&graph, query);
        }
        let mut times: Vec<Duration> = (0..100)
            .map(|_| {
                let t = Instant::now();
                run(&graph, query);
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
            run(&graph, &raw);
            t.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "| pass rate per strategy, raw aggregation | {} | {} | {} | {} |",
        run(&graph, &raw),
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.95)),
        ms(*times.last().expect("5 runs"))
    );
}
