//! `tdev ask` on a big graph: how long the knowledge part of answering each kind of question
//! takes with 10,000 recorded cycles, beside reading every training row (what `tdev ask` read
//! before the running statistics kept per-repository strategy counts) and the plain SPARQL
//! query a user would run for the same evidence.
//!
//! Run: `cargo bench --bench ask [-- --records N] [--runs N] [--keep DIR]`. Prints a Markdown
//! table for docs/benchmarks.md. Not a criterion bench, for the reason `benches/knowledge.rs`
//! gives: the interesting number is the store's behaviour at full scale.
//!
//! The records are written as `tdev kg record` writes them, into a data directory on disk,
//! with 2,000 patterns in its index and a planner model trained on the records, so that the
//! answers are made as with a learned estimator. The repository's scan is not timed: each question is
//! answered from the same findings by `tdev_app::ask::answer`, everything `tdev ask` does after
//! scanning (the strategies' statistics, the model, the plan, the recommendations, and for
//! "what to fix first" a pattern search per recommendation). Opening the data directory, which
//! a `tdev ask` process does once, is timed apart.

#[path = "../tests/support/synthetic.rs"]
mod synthetic;

use std::path::Path;
use std::time::{Duration, Instant};
use tdev_app::Reader;
use tdev_app::ask::{Question, answer};
use tdev_app::plan::Scanned;
use tdev_core::{Baseline, Finding, Fixability, Language, Severity, Span};
use tdev_knowledge::{KnowledgeBase, ModelFiles, QueryResults, vocab};

const STRATEGY_CYCLES: &str = include_str!("../knowledge/queries/strategy-cycles.rq");
const PASS_RATE: &str = include_str!("../knowledge/queries/pass-rate-per-strategy.rq");

/// The repository asked about: one of the five of the synthetic records.
const REPOSITORY: &str = "attrs";

/// Times `f` `runs` times after two warm-up runs; sorted.
fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Vec<Duration> {
    for _ in 0..2 {
        std::hint::black_box(f());
    }
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed()
        })
        .collect();
    times.sort();
    times
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn row(what: &str, times: &[Duration]) {
    let ms = |d: Duration| format!("{:.2}", d.as_secs_f64() * 1000.0);
    println!(
        "| {what} | {} | {} | {} | {} |",
        times.len(),
        ms(percentile(times, 0.5)),
        ms(percentile(times, 0.95)),
        ms(*times.last().expect("timed runs"))
    );
}

fn count(results: QueryResults<'static>) -> usize {
    match results {
        QueryResults::Solutions(rows) => rows.inspect(|r| assert!(r.is_ok(), "{r:?}")).count(),
        QueryResults::Boolean(_) => 1,
        QueryResults::Graph(triples) => triples.count(),
    }
}

/// Findings like a scan of a Python repository gives: ruff's fixable lints over a few
/// directories, some with unsafe fixes only.
fn findings() -> Vec<Finding> {
    let mut rng = synthetic::Rng::new(7);
    let rules = [
        ("ruff:E711", Some(Fixability::Safe)),
        ("ruff:F401", Some(Fixability::Safe)),
        ("ruff:UP006", Some(Fixability::Safe)),
        ("ruff:B006", Some(Fixability::Unsafe)),
        ("ruff:SIM108", Some(Fixability::Unsafe)),
    ];
    (0..60)
        .map(|i| {
            let (kind, fix) = rules[i % rules.len()];
            Finding {
                id: format!("f{i}"),
                kind: kind.to_owned(),
                severity: Severity::Low,
                path: format!("src/pkg_{}/module_{}.py", rng.below(4), rng.below(12)),
                span: Some(Span::line(1 + rng.below(300) as u32)),
                symbol: None,
                message: format!("{kind} here"),
                evidence: None,
                metrics: Default::default(),
                fix,
                priority: (rng.unit() * 1000.0).round() / 1000.0,
            }
        })
        .collect()
}

fn main() {
    let mut records: u64 = 10_000;
    let mut runs: usize = 20;
    let mut keep = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--records" => records = args.next().and_then(|n| n.parse().ok()).expect("N"),
            "--runs" => runs = args.next().and_then(|n| n.parse().ok()).expect("N"),
            // Leaves the data directory in DIR, to ask it with the binary afterwards.
            "--keep" => keep = args.next(),
            _ => {}
        }
    }
    let temporary = tempfile::tempdir().expect("temporary directory");
    let dir = keep.as_deref().map_or(temporary.path(), Path::new);
    let kb = KnowledgeBase::open(dir).expect("data directory opens");
    let cycles: Vec<_> = (0..records).map(|i| synthetic::record(42, i)).collect();
    let start = Instant::now();
    for chunk in cycles.chunks(tdev_knowledge::IMPORT_BATCH) {
        kb.graph.record_cycles(chunk).expect("records are written");
    }
    let written = start.elapsed();
    // The pattern index as cycles leave it: situations of the findings' kinds, with the
    // strategies a plan of them uses, so that "what to fix first" finds similar ones.
    let strategies = [
        "ruff-fix:E7",
        "ruff-fix:F4",
        "ruff-fix:UP0",
        "ruff-unsafe-fix:B0",
        "ruff-unsafe-fix:SIM1",
    ];
    let found = findings();
    let patterns: Vec<tdev_core::Pattern> = (0..2000)
        .map(|i| {
            let finding = &found[i % found.len()];
            tdev_core::Pattern {
                situation: format!(
                    "{} {} in {} variant {i}",
                    finding.kind, finding.message, finding.path
                ),
                strategy: strategies[i % strategies.len()].to_owned(),
                language: Language::Python,
                successes: (i % 7) as u64,
                failures: (i % 3) as u64,
                example_change: String::new(),
            }
        })
        .collect();
    kb.patterns.upsert(&patterns).expect("patterns are written");
    let attempts: usize = cycles.iter().map(|c| c.attempts.len()).sum();
    let training = kb.graph.training_rows().expect("training rows");
    let models = tdev_learners::LearnedModels::train(&training).expect("models train");
    ModelFiles::new(dir.join("models"))
        .write("planner", 1, &models.to_bytes())
        .expect("model file");
    println!(
        "{records} cycles, {attempts} attempts, {} quads written in {:.1} s; asking about \
         {REPOSITORY} ({} cycles).\n",
        kb.graph.len().expect("len"),
        written.as_secs_f64(),
        cycles
            .iter()
            .filter(|c| c.repository.name == REPOSITORY)
            .count()
    );
    println!("| step | runs | p50 ms | p95 ms | max ms |");
    println!("|---|---|---|---|---|");

    let reader = Reader::Local(kb.clone());
    row(
        "`KnowledgeGraph::training_rows()` (every attempt)",
        &time(runs, || kb.graph.training_rows().expect("rows").len()),
    );
    row(
        "`tdev_app::learn::strategy_tallies` (the running statistics)",
        &time(runs, || {
            tdev_app::learn::strategy_tallies(&reader, REPOSITORY)
                .expect("tallies")
                .here
                .len()
        }),
    );
    let scanned = Scanned {
        findings: findings(),
        baseline: Baseline {
            repository_lines: Some(20_000),
            ..Baseline::unknown(Language::Python)
        },
        repository: REPOSITORY.to_owned(),
    };
    let config = tdev_app::Config::default();
    let questions = [
        ("what should I fix first", Question::FixFirst { path: None }),
        (
            "which strategies fail on this repository and why",
            Question::Failures,
        ),
        (
            "how long will the tool fixes of this repository take",
            Question::Duration { tools_only: true },
        ),
    ];
    for (question, understood) in &questions {
        let times = time(runs, || {
            let got = answer(
                question,
                understood.clone(),
                &scanned,
                &config,
                Some((dir, &reader)),
            )
            .expect("an answer");
            assert!(got.estimated_by.contains("learned"), "{}", got.estimated_by);
            assert!(
                !got.recommendations.is_empty(),
                "{question}: {:?}",
                got.notes
            );
            got.recommendations.len()
        });
        row(&format!("`tdev ask \"{question}\"` after the scan"), &times);
    }
    // What a user would run instead with `tdev sparql`: the evidence of the failures question
    // aggregated over every attempt, for every repository and for one.
    let bound = [(
        tdev_knowledge::Variable::new_unchecked("repository"),
        oxigraph::model::Literal::from(REPOSITORY).into(),
    )];
    row(
        "`tdev sparql --file strategy-cycles.rq` (every repository)",
        &time(runs, || {
            count(kb.graph.query(STRATEGY_CYCLES).expect("query"))
        }),
    );
    row(
        "the same, `--bind repository='\"attrs\"'`",
        &time(runs, || {
            count(kb.graph.query_with(STRATEGY_CYCLES, &bound).expect("query"))
        }),
    );
    row(
        "`tdev sparql --file pass-rate-per-strategy.rq` (statistics)",
        &time(runs, || count(kb.graph.query(PASS_RATE).expect("query"))),
    );
    let raw = format!(
        "{}{}",
        vocab::PREFIXES,
        tdev_knowledge::REPOSITORY_STRATEGY_QUERY
    );
    row(
        "raw per-repository strategy counts (`REPOSITORY_STRATEGY_QUERY`)",
        &time(runs, || count(kb.graph.query(&raw).expect("query"))),
    );
    drop(reader);
    drop(kb);
    row(
        "opening the data directory (`Reader::open`), once per `tdev ask`",
        &time(runs, || {
            matches!(Reader::open(dir).expect("opens"), Reader::Local(_))
        }),
    );
}
