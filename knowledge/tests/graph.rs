//! The knowledge graph as the curator and a user see it: records in, answers out.

#[path = "../../tests/support/synthetic.rs"]
mod synthetic;

use oxigraph::model::Term;
use std::collections::BTreeMap;
use tdev_knowledge::{
    Error, GraphFormat, KnowledgeGraph, OutputFormat, QueryResults, ResultsFormat, vocab,
};

fn graph_with(records: u64) -> KnowledgeGraph {
    let graph = KnowledgeGraph::in_memory().unwrap();
    for i in 0..records {
        graph.record_cycle(&synthetic::record(7, i)).unwrap();
    }
    graph
}

/// Rows of a SELECT as sorted maps of variable to N-Triples term, sorted.
fn rows(graph: &KnowledgeGraph, query: &str) -> Vec<BTreeMap<String, String>> {
    let QueryResults::Solutions(solutions) = graph.query(query).unwrap() else {
        panic!("not a SELECT: {query}")
    };
    let mut out: Vec<_> = solutions
        .map(|s| {
            s.unwrap()
                .iter()
                .map(|(v, t)| (v.as_str().to_owned(), t.to_string()))
                .collect()
        })
        .collect();
    out.sort();
    out
}

fn count(graph: &KnowledgeGraph, pattern: &str) -> i64 {
    let query = format!(
        "{}SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}",
        vocab::PREFIXES
    );
    let QueryResults::Solutions(mut s) = graph.query(&query).unwrap() else {
        unreachable!()
    };
    let Some(Term::Literal(n)) = s.next().unwrap().unwrap().get("n").cloned() else {
        panic!()
    };
    n.value().parse().unwrap()
}

fn query_file(name: &str) -> String {
    std::fs::read_to_string(format!("{}/queries/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

const LEARNED_QUERIES: [&str; 5] = [
    "pass-rate-per-strategy.rq",
    "slowest-tasks.rq",
    "repository-trend.rq",
    "findings-by-kind.rq",
    "model-history.rq",
];

#[test]
fn a_recorded_cycle_lives_in_its_own_named_graph() {
    let graph = graph_with(1);
    let record = synthetic::record(7, 0);
    let g = vocab::cycle_graph(&record.id);
    let in_graph = count(&graph, &format!("GRAPH <{}> {{ ?s ?p ?o }}", g.as_str()));
    let moved = tdev_core::CycleRecord {
        id: "moved".into(),
        repository: tdev_core::Repository {
            location: "/elsewhere".into(),
            ..record.repository.clone()
        },
        ..record.clone()
    };
    graph.record_cycle(&moved).unwrap();
    let locations = rows(
        &graph,
        &format!(
            "{}SELECT ?l WHERE {{ ?r tdev:location ?l }}",
            vocab::PREFIXES
        ),
    );
    assert_eq!(
        locations.len(),
        1,
        "a moved repository has one location: {locations:?}"
    );
    let expected = record.findings.len() * 8 + record.attempts.len() * 8;
    assert!(
        in_graph as usize > expected,
        "{in_graph} quads in the cycle graph"
    );
    assert_eq!(count(&graph, "?c a tdev:Cycle ; tdev:outcome ?o"), 2);
    assert!(graph.has_cycle(&record.id).unwrap());
}

#[test]
fn the_union_default_graph_does_not_repeat_shared_facts() {
    // Twenty cycles on five repositories: the default graph (the union of all graphs) must show
    // each repository once, however many cycles mention it.
    let graph = graph_with(20);
    assert_eq!(count(&graph, "?r a tdev:Repository"), 5);
}

#[test]
fn an_invalid_record_writes_nothing() {
    let graph = graph_with(3);
    let before = graph.len().unwrap();
    let mut bad = synthetic::record(7, 99);
    bad.tasks[0].risk = 9;
    bad.attempts[0].number = 4;
    let err = graph.record_cycle(&bad).unwrap_err();
    assert!(matches!(err, Error::InvalidRecord { .. }), "{err}");
    let message = err.to_string();
    assert!(
        message.contains("tasks[0].risk: must be from 1 to 5"),
        "{message}"
    );
    assert!(
        message.contains("attempts[0].number: must be 1, 2 or 3"),
        "{message}"
    );
    assert_eq!(graph.len().unwrap(), before);
}

#[test]
fn recording_the_same_cycle_twice_is_refused_and_changes_nothing() {
    let graph = graph_with(2);
    let before = graph.len().unwrap();
    let err = graph.record_cycle(&synthetic::record(7, 1)).unwrap_err();
    assert!(matches!(err, Error::CycleExists(_)), "{err}");
    assert_eq!(graph.len().unwrap(), before);
}

#[test]
fn running_statistics_equal_the_raw_aggregation() {
    let graph = graph_with(300);
    let strategies = rows(
        &graph,
        &format!("{}{}", vocab::PREFIXES, tdev_knowledge::STRATEGY_QUERY),
    );
    let from_stats = rows(
        &graph,
        &format!(
            "{}SELECT ?strategy ?attempts ?passes ?seconds WHERE {{ GRAPH <{}> {{ ?s a tdev:StrategyStatistics ; tdev:strategy ?strategy ; tdev:attemptCount ?attempts ; tdev:passCount ?passes ; tdev:totalDurationSeconds ?seconds }} }}",
            vocab::PREFIXES,
            vocab::STATS_GRAPH
        ),
    );
    assert_eq!(strategies.len(), synthetic::STRATEGIES.len());
    assert_eq!(normalise(&from_stats), normalise(&strategies));

    let kinds = rows(
        &graph,
        &format!("{}{}", vocab::PREFIXES, tdev_knowledge::FINDING_KIND_QUERY),
    );
    let kinds_stats = rows(
        &graph,
        &format!(
            "{}SELECT ?kind ?findings WHERE {{ GRAPH <{}> {{ ?s tdev:kind ?kind ; tdev:findingCount ?findings }} }}",
            vocab::PREFIXES,
            vocab::STATS_GRAPH
        ),
    );
    assert_eq!(kinds_stats, kinds);

    let days = rows(
        &graph,
        &format!(
            "{}{}",
            vocab::PREFIXES,
            tdev_knowledge::REPOSITORY_DAY_QUERY
        ),
    );
    let days_stats = rows(
        &graph,
        &format!(
            "{}SELECT ?repository ?day ?cycles ?passedCycles ?attempts ?passes WHERE {{ GRAPH <{}> {{ ?s tdev:repository ?repository ; tdev:day ?d ; tdev:cycleCount ?cycles ; tdev:passedCycleCount ?passedCycles ; tdev:attemptCount ?attempts ; tdev:passCount ?passes }} BIND(STR(?d) AS ?day) }}",
            vocab::PREFIXES,
            vocab::STATS_GRAPH
        ),
    );
    assert!(
        days.len() > 5,
        "300 cycles 15 minutes apart span several days"
    );
    assert_eq!(days_stats, days);

    let slowest = rows(
        &graph,
        &format!("{}{}", vocab::PREFIXES, tdev_knowledge::SLOWEST_QUERY),
    );
    let slowest_stats = rows(
        &graph,
        &format!(
            "{}SELECT ?attempt ?duration WHERE {{ GRAPH <{}> {{ ?l tdev:slowAttempt ?attempt }} ?attempt tdev:durationSeconds ?duration }}",
            vocab::PREFIXES,
            vocab::STATS_GRAPH
        ),
    );
    assert_eq!(slowest_stats.len(), tdev_knowledge::SLOWEST_KEPT);
    assert_eq!(slowest_stats, slowest);
}

/// Decimal sums print as `12.5` or `12.500` depending on who computed them; compare values.
fn normalise(rows: &[BTreeMap<String, String>]) -> Vec<BTreeMap<String, String>> {
    rows.iter()
        .map(|row| {
            row.iter()
                .map(|(k, v)| {
                    let value = v.split('^').next().unwrap_or(v).trim_matches('"');
                    let value = match value.parse::<f64>() {
                        Ok(x) => format!("{x:.3}"),
                        Err(_) => value.to_owned(),
                    };
                    (k.clone(), value)
                })
                .collect()
        })
        .collect()
}

#[test]
fn rebuilding_statistics_reproduces_them_exactly() {
    let graph = graph_with(120);
    let incremental = statistics(&graph);
    graph.rebuild_statistics().unwrap();
    assert_eq!(statistics(&graph), incremental);
}

#[test]
fn dump_then_load_round_trips() {
    let graph = graph_with(40);
    let dump = graph.dump(Vec::new(), GraphFormat::NQuads, None).unwrap();
    let copy = KnowledgeGraph::in_memory().unwrap();
    copy.load(
        dump.as_slice(),
        GraphFormat::NQuads,
        None,
        "dump.nq",
        |_| {},
    )
    .unwrap();
    assert_eq!(copy.len().unwrap(), graph.len().unwrap());
    for name in LEARNED_QUERIES {
        let q = query_file(name);
        assert_eq!(rows(&copy, &q), rows(&graph, &q), "{name}");
    }
    let trig = graph.dump(Vec::new(), GraphFormat::TriG, None).unwrap();
    let copy = KnowledgeGraph::in_memory().unwrap();
    copy.load(
        trig.as_slice(),
        GraphFormat::TriG,
        None,
        "dump.trig",
        |_| {},
    )
    .unwrap();
    assert_eq!(copy.len().unwrap(), graph.len().unwrap());
}

#[test]
fn a_file_with_a_syntax_error_loads_nothing() {
    let graph = graph_with(1);
    let before = graph.len().unwrap();
    let text = "<http://a> <http://b> <http://c> .\n<http://a> <http://b> \"unterminated .\n";
    let err = graph
        .load(
            text.as_bytes(),
            GraphFormat::NTriples,
            None,
            "bad.nt",
            |_| {},
        )
        .unwrap_err();
    let message = err.to_string();
    assert!(message.starts_with("cannot load bad.nt:"), "{message}");
    assert!(err.is_user_error());
    assert_eq!(graph.len().unwrap(), before);
}

#[test]
fn a_malformed_query_reports_line_and_column() {
    let graph = graph_with(1);
    let Err(err) = graph.query("SELECT ?x\nWHERE { ?x ?y }") else {
        panic!("parsed")
    };
    let Error::SparqlSyntax { line, column, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(*line, Some(2), "{err}");
    assert!(column.is_some_and(|c| (14..=16).contains(&c)), "{err}");
}

#[test]
fn a_malformed_update_changes_nothing() {
    let graph = graph_with(2);
    let before = graph.len().unwrap();
    let err = graph
        .update("INSERT DATA { <http://a> <http://b> }")
        .unwrap_err();
    assert!(err.is_user_error(), "{err}");
    assert_eq!(graph.len().unwrap(), before);
}

#[test]
fn an_update_keeps_statistics_true() {
    let graph = graph_with(10);
    let first = synthetic::record(7, 0);
    graph
        .update(&format!(
            "DROP GRAPH <{}>",
            vocab::cycle_graph(&first.id).as_str()
        ))
        .unwrap();
    let total: i64 = rows(
        &graph,
        &format!(
            "{}SELECT (SUM(?n) AS ?total) WHERE {{ GRAPH <{}> {{ \
             ?s a tdev:RepositoryDayStatistics ; tdev:cycleCount ?n }} }}",
            vocab::PREFIXES,
            vocab::STATS_GRAPH
        ),
    )[0]["total"]
        .split('"')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(total, 9);
}

#[test]
fn results_serialise_in_every_format() {
    let graph = graph_with(3);
    let q = "SELECT ?kind ?findings WHERE { GRAPH <https://tdev.dev/graph/stats> { ?s <https://tdev.dev/ns#kind> ?kind ; <https://tdev.dev/ns#findingCount> ?findings } } ORDER BY ?kind LIMIT 1";
    for (format, expect_start) in [
        (
            ResultsFormat::Json,
            "{\"head\":{\"vars\":[\"kind\",\"findings\"]}",
        ),
        (ResultsFormat::Xml, "<?xml"),
        (ResultsFormat::Csv, "kind,findings\r\n"),
        (ResultsFormat::Tsv, "?kind\t?findings\n"),
    ] {
        let out = tdev_knowledge::write_results(
            graph.query(q).unwrap(),
            OutputFormat::Results(format),
            Vec::new(),
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with(expect_start), "{format:?}: {text}");
    }
    let construct =
        "CONSTRUCT { ?c a <https://tdev.dev/ns#Cycle> } WHERE { ?c a <https://tdev.dev/ns#Cycle> }";
    let out = tdev_knowledge::write_results(
        graph.query(construct).unwrap(),
        OutputFormat::Graph(GraphFormat::NTriples),
        Vec::new(),
    )
    .unwrap();
    assert_eq!(String::from_utf8(out).unwrap().lines().count(), 3);
    let cycle = vocab::id(&["cycle", &synthetic::record(7, 0).id]);
    let describe = format!("DESCRIBE <{}>", cycle.as_str());
    let out = tdev_knowledge::write_results(
        graph.query(&describe).unwrap(),
        OutputFormat::Graph(GraphFormat::Turtle),
        Vec::new(),
    )
    .unwrap();
    let turtle = String::from_utf8(out).unwrap();
    assert!(turtle.contains("tdev:outcome"), "{turtle}");
    let err = tdev_knowledge::write_results(
        graph.query(construct).unwrap(),
        OutputFormat::Results(ResultsFormat::Csv),
        Vec::new(),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("use one of: turtle, ntriples"),
        "{err}"
    );
}

#[test]
fn a_record_survives_closing_and_reopening_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let record = synthetic::record(7, 5);
    {
        let graph = KnowledgeGraph::open(dir.path()).unwrap();
        graph.record_cycle(&record).unwrap();
    }
    let graph = KnowledgeGraph::open(dir.path()).unwrap();
    assert!(graph.has_cycle(&record.id).unwrap());
    assert_eq!(
        count(&graph, "?a a tdev:Attempt"),
        record.attempts.len() as i64
    );
}

#[test]
fn statistics_stay_exact_across_reopen_update_and_more_writes() {
    // The writer mirrors the statistics in memory; every path that resets or reloads the
    // mirror must leave them equal to a rebuild from the raw data.
    let dir = tempfile::tempdir().unwrap();
    let stats = format!(
        "SELECT ?s ?p ?o WHERE {{ GRAPH <{}> {{ ?s ?p ?o }} }}",
        vocab::STATS_GRAPH
    );
    {
        let graph = KnowledgeGraph::open(dir.path()).unwrap();
        for i in 0..40 {
            graph.record_cycle(&synthetic::record(9, i)).unwrap();
        }
    }
    let graph = KnowledgeGraph::open(dir.path()).unwrap();
    for i in 40..80 {
        graph.record_cycle(&synthetic::record(9, i)).unwrap();
    }
    graph
        .update(
            "PREFIX tdev: <https://tdev.dev/ns#> \
             DELETE { GRAPH ?g { ?f tdev:kind ?k } } INSERT { GRAPH ?g { ?f tdev:kind \"renamed\" } } \
             WHERE { GRAPH ?g { ?f a tdev:Finding ; tdev:kind ?k FILTER(?k = \"complexity\") } }",
        )
        .unwrap();
    for i in 80..120 {
        graph.record_cycle(&synthetic::record(9, i)).unwrap();
    }
    let incremental = normalise(&rows(&graph, &stats));
    graph.rebuild_statistics().unwrap();
    assert_eq!(normalise(&rows(&graph, &stats)), incremental);
    assert!(incremental.iter().any(|row| row["o"].contains("renamed")));
}

/// The statistics graph as sorted rows with numbers normalised.
fn statistics(graph: &KnowledgeGraph) -> Vec<BTreeMap<String, String>> {
    let query = format!(
        "SELECT ?s ?p ?o WHERE {{ GRAPH <{}> {{ ?s ?p ?o }} }}",
        vocab::STATS_GRAPH
    );
    normalise(&rows(graph, &query))
}

#[test]
fn a_bulk_import_counts_like_single_writes() {
    let records: Vec<_> = (0..200).map(|i| synthetic::record(11, i)).collect();
    assert!(records.len() > tdev_knowledge::BULK_THRESHOLD);
    let one_by_one = KnowledgeGraph::in_memory().unwrap();
    for record in &records {
        one_by_one.record_cycle(record).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let bulk = KnowledgeGraph::open(dir.path()).unwrap();
    bulk.record_cycles(&records[..150]).unwrap();
    bulk.record_cycles(&records[150..]).unwrap();
    assert_eq!(bulk.len().unwrap(), one_by_one.len().unwrap());
    assert_eq!(statistics(&bulk), statistics(&one_by_one));
    assert!(bulk.has_cycle(&records[10].id).unwrap());
    let before = bulk.len().unwrap();
    let again: Vec<_> = (199..300).map(|i| synthetic::record(11, i)).collect();
    let err = bulk.record_cycles(&again).unwrap_err();
    assert!(
        matches!(err, Error::CycleExists(ref id) if *id == records[199].id),
        "{err}"
    );
    let twice = vec![synthetic::record(11, 500), synthetic::record(11, 500)];
    assert!(matches!(
        bulk.record_cycles(&twice),
        Err(Error::CycleExists(_))
    ));
    assert_eq!(
        bulk.len().unwrap(),
        before,
        "a refused batch writes nothing"
    );
}

#[test]
fn statistics_left_behind_by_an_interrupted_import_are_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    {
        let graph = KnowledgeGraph::open(dir.path()).unwrap();
        for i in 0..30 {
            graph.record_cycle(&synthetic::record(13, i)).unwrap();
        }
    }
    // What a crash between the bulk load and the statistics transaction leaves: the marker,
    // and statistics that miss the imported cycles.
    {
        let store = oxigraph::store::Store::open(dir.path()).unwrap();
        let tdev = "https://tdev.dev/ns#";
        store
            .update(format!(
                "DELETE WHERE {{ GRAPH <{stats}> {{ ?s <{tdev}attemptCount> ?n }} }}; \
                 INSERT DATA {{ GRAPH <{stats}> {{ <https://tdev.dev/id/stats> <{tdev}statisticsPending> true }} }}",
                stats = vocab::STATS_GRAPH
            ).as_str())
            .unwrap();
    }
    let graph = KnowledgeGraph::open(dir.path()).unwrap();
    graph.record_cycle(&synthetic::record(13, 30)).unwrap();
    let written = statistics(&graph);
    graph.rebuild_statistics().unwrap();
    assert_eq!(written, statistics(&graph));
    assert!(
        !written
            .iter()
            .any(|row| row["p"].contains("statisticsPending"))
    );
}

#[test]
fn an_outdated_ontology_is_replaced_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let ontology = format!("GRAPH <{}> {{ ?s ?p ?o }}", vocab::ONTOLOGY_GRAPH);
    let shipped = count(&KnowledgeGraph::open(dir.path()).unwrap(), &ontology);
    {
        // What an older tdev left: one term fewer and one that no longer exists.
        let store = oxigraph::store::Store::open(dir.path()).unwrap();
        store
            .update(
                format!(
                    "DELETE WHERE {{ GRAPH <{g}> {{ <{ns}Cycle> <http://www.w3.org/2000/01/rdf-schema#comment> ?c }} }}; \
                     INSERT DATA {{ GRAPH <{g}> {{ <{ns}Gone> a <http://www.w3.org/2002/07/owl#Class> }} }}",
                    g = vocab::ONTOLOGY_GRAPH,
                    ns = vocab::NS
                )
                .as_str(),
            )
            .unwrap();
    }
    let graph = KnowledgeGraph::open(dir.path()).unwrap();
    assert_eq!(count(&graph, &ontology), shipped);
    assert_eq!(count(&graph, "tdev:Gone ?p ?o"), 0);
}

#[test]
fn what_an_attempt_spent_on_a_model_is_recorded() {
    let graph = KnowledgeGraph::in_memory().unwrap();
    let mut record = synthetic::record(3, 0);
    record.attempts[0].usage = Some(tdev_core::TokenUsage {
        input_tokens: 1200,
        output_tokens: 300,
        cost: 0.0125,
    });
    graph.record_cycle(&record).unwrap();
    assert_eq!(
        count(&graph, "?a tdev:inputTokens 1200 ; tdev:outputTokens 300"),
        1
    );
    assert_eq!(
        count(&graph, "?a tdev:cost ?c FILTER (?c > 0.012 && ?c < 0.013)"),
        1
    );
    // A cost that is not a finite amount is refused before anything is written.
    record.id = "syn-3-bad".into();
    record.attempts[0].usage = Some(tdev_core::TokenUsage {
        input_tokens: 1,
        output_tokens: 1,
        cost: f64::NAN,
    });
    let error = graph.record_cycle(&record).unwrap_err().to_string();
    assert!(error.contains("attempts[0].usage.cost"), "{error}");
}

#[test]
fn the_spend_since_a_time_sums_the_cost_of_the_attempts_started_from_then() {
    let graph = KnowledgeGraph::in_memory().unwrap();
    assert_eq!(
        graph
            .spent_since(tdev_core::Timestamp::from_unix(0))
            .unwrap(),
        0.0
    );
    let mut record = synthetic::record(3, 0);
    assert!(
        record.attempts.len() >= 2,
        "the sample has attempts to spend on"
    );
    let (first, second) = (record.attempts[0].started_at, record.attempts[1].started_at);
    record.attempts[0].usage = Some(tdev_core::TokenUsage {
        input_tokens: 10,
        output_tokens: 10,
        cost: 0.5,
    });
    record.attempts[1].usage = Some(tdev_core::TokenUsage {
        input_tokens: 10,
        output_tokens: 10,
        cost: 0.25,
    });
    graph.record_cycle(&record).unwrap();
    let since = |t: tdev_core::Timestamp| graph.spent_since(t).unwrap();
    assert!((since(first.min(second)) - 0.75).abs() < 1e-9);
    let later = tdev_core::Timestamp::from_unix(first.max(second).unix() + 1);
    assert_eq!(since(later), 0.0);
}

#[test]
fn proposals_are_the_findings_of_passing_tasks_with_their_branches() {
    let graph = KnowledgeGraph::in_memory().unwrap();
    let records: Vec<_> = (0..12).map(|i| synthetic::record(11, i)).collect();
    for record in &records {
        graph.record_cycle(record).unwrap();
    }
    let mut repositories: Vec<&str> = records.iter().map(|r| r.repository.name.as_str()).collect();
    repositories.sort();
    repositories.dedup();
    assert!(repositories.len() > 1, "the sample spans repositories");
    let mut seen_any = false;
    for repository in repositories {
        // What the records say, worked out without the graph.
        let mut expected = Vec::new();
        for record in records.iter().filter(|r| r.repository.name == repository) {
            for attempt in record.attempts.iter().filter(|a| a.gate.passed) {
                let Some(change) = &attempt.change else {
                    continue;
                };
                let task = record.tasks.iter().find(|t| t.id == attempt.task).unwrap();
                for finding in &task.addresses {
                    expected.push(tdev_knowledge::Proposal {
                        finding: finding.clone(),
                        branch: change.branch.clone(),
                    });
                }
            }
        }
        expected.sort();
        expected.dedup();
        seen_any |= !expected.is_empty();
        assert_eq!(
            graph.proposals(repository).unwrap(),
            expected,
            "{repository}"
        );
    }
    assert!(seen_any, "the sample has passing changes");
    assert_eq!(graph.proposals("no-such-repository").unwrap(), []);
}

#[test]
fn refusals_are_findings_whose_tool_attempts_were_all_refused_on_that_commit() {
    let graph = KnowledgeGraph::in_memory().unwrap();
    let mut records: Vec<_> = (0..80).map(|i| synthetic::record(12, i)).collect();
    // Two cycles on one commit: the later one's refusal is the one reported.
    let shared = records[0].base_commit.clone();
    let same_repo = records
        .iter()
        .position(|r| r.id != records[0].id && r.repository == records[0].repository)
        .unwrap();
    records[same_repo].base_commit = shared;
    // A cycle whose refusals all came from failing tests, on a commit of its own: a flaky
    // test must not hold its findings back.
    let failed_only = |r: &tdev_core::CycleRecord| -> Option<String> {
        r.tasks
            .iter()
            .find(|t| {
                let tried: Vec<_> = r.attempts.iter().filter(|a| a.task == t.id).collect();
                !tried.is_empty()
                    && tried
                        .iter()
                        .all(|a| !a.gate.passed && a.strategy.is_deterministic())
            })
            .map(|t| t.id.clone())
    };
    let mut flaky = records
        .iter()
        .find(|r| failed_only(r).is_some())
        .unwrap()
        .clone();
    let task = failed_only(&flaky).unwrap();
    flaky.id.push_str("-flaky");
    flaky.base_commit = Some("ab".repeat(20));
    for attempt in flaky.attempts.iter_mut().filter(|a| a.task == task) {
        attempt.gate.failed = vec!["tests".to_owned()];
        attempt
            .evaluation
            .get_or_insert_with(|| tdev_core::Evaluation {
                metrics: Vec::new(),
                tests_passed: 10,
                tests_failed: 1,
            });
    }
    records.push(flaky);
    for record in &records {
        graph.record_cycle(record).unwrap();
    }
    let mut seen_any = false;
    let mut commits: Vec<(&str, &str)> = records
        .iter()
        .map(|r| {
            (
                r.repository.name.as_str(),
                r.base_commit.as_deref().unwrap(),
            )
        })
        .collect();
    commits.sort_unstable();
    commits.dedup();
    for (repository, commit) in commits {
        // What the records say, worked out without the graph.
        let mut expected: BTreeMap<String, tdev_knowledge::Refusal> = BTreeMap::new();
        let on_commit = records.iter().filter(|r| {
            r.repository.name == repository && r.base_commit.as_deref() == Some(commit)
        });
        for record in on_commit {
            for task in &record.tasks {
                let tried: Vec<_> = record
                    .attempts
                    .iter()
                    .filter(|a| a.task == task.id)
                    .collect();
                // Refused by the gate, not on the tests, or by the tool before it.
                let refused = |a: &tdev_core::Attempt| {
                    let failed = &a.gate.failed;
                    if a.evaluation.is_some() {
                        !failed.iter().any(|c| c == "tests" || c == "test_run")
                    } else {
                        !failed.is_empty()
                            && failed
                                .iter()
                                .all(|c| c.parse::<tdev_core::PreGateRefusal>().is_ok())
                    }
                };
                let exhausted = !tried.is_empty()
                    && tried
                        .iter()
                        .all(|a| !a.gate.passed && refused(a) && a.strategy.is_deterministic());
                if !exhausted {
                    continue;
                }
                for finding in &task.addresses {
                    let refusal = tdev_knowledge::Refusal {
                        finding: finding.clone(),
                        cycle: record.id.clone(),
                        strategies: tried.iter().map(|a| a.strategy.clone()).collect(),
                        reason: tried.last().unwrap().gate.reasons[0].clone(),
                    };
                    match expected.get(finding) {
                        Some(kept) if kept.cycle >= refusal.cycle => {}
                        _ => {
                            expected.insert(finding.clone(), refusal);
                        }
                    }
                }
            }
        }
        let expected: Vec<_> = expected.into_values().collect();
        seen_any |= !expected.is_empty();
        assert_eq!(
            graph.refusals(repository, commit).unwrap(),
            expected,
            "{repository} at {commit}"
        );
    }
    assert!(seen_any, "the sample has refused tool attempts");
    let (repository, commit) = (&records[0].repository.name, "f".repeat(40));
    assert_eq!(graph.refusals(repository, &commit).unwrap(), []);
}

/// The learners' rows are every attempt with its labels, the task's features (from the
/// findings for tasks recorded without them), the baseline when recorded, and the strategy's
/// history counted only from attempts that started strictly earlier.
#[test]
fn training_rows_carry_each_attempt_with_the_history_before_it() {
    use tdev_core::{Baseline, Language, Tally, TaskFeatures};
    let graph = KnowledgeGraph::in_memory().unwrap();
    let mut records: Vec<_> = (0..60).map(|i| synthetic::record(13, i)).collect();
    // Half the cycles are recent enough to have features and a baseline.
    for (i, record) in records.iter_mut().enumerate().filter(|(i, _)| i % 2 == 1) {
        for task in &mut record.tasks {
            task.features = Some(TaskFeatures {
                kind: task.kind.clone(),
                strategy: task.strategy.clone(),
                findings: 1 + (i % 3) as u32,
                files: 2,
                total_complexity: i as f64,
                priority: 0.25,
            });
            task.baseline = Some(Baseline {
                coverage: Some(0.5),
                churn: (i % 4 == 1).then_some(3.0),
                repository_lines: Some(1000 + i as u64),
                ..Baseline::unknown(Language::Python)
            });
        }
    }
    // Later cycles of the same repository saw what became of earlier passing branches; for
    // some, twice (the later observation is the label).
    let mut expected_fate: BTreeMap<String, tdev_core::Fate> = BTreeMap::new();
    let kept: Vec<(String, String)> = records[..30]
        .iter()
        .flat_map(|r| {
            r.attempts
                .iter()
                .filter(|a| a.gate.passed)
                .filter_map(|a| a.change.as_ref())
                .map(|c| (r.repository.name.clone(), c.branch.clone()))
        })
        .collect();
    for (k, (repository, branch)) in kept.iter().enumerate() {
        let observers: Vec<usize> = (40..60)
            .filter(|&i| &records[i].repository.name == repository)
            .take(1 + k % 2)
            .collect();
        for (n, &i) in observers.iter().enumerate() {
            let fate = tdev_core::Fate::ALL[(k + n) % 4];
            let at = records[i].started_at;
            records[i].branch_fates.push(tdev_core::BranchFate {
                branch: branch.clone(),
                fate,
                observed_at: at,
            });
            expected_fate.insert(branch.clone(), fate);
        }
    }
    assert!(expected_fate.len() > 5, "the sample has fates");
    for record in &records {
        graph.record_cycle(record).unwrap();
    }
    let rows = graph.training_rows().unwrap();

    // Every attempt, worked out from the records without the graph.
    let attempts: Vec<_> = records
        .iter()
        .flat_map(|r| r.attempts.iter().map(move |a| (r, a)))
        .collect();
    assert_eq!(rows.len(), attempts.len());
    assert!(
        rows.windows(2).all(|w| w[0].started_at <= w[1].started_at),
        "oldest first"
    );
    let tally = |keep: &dyn Fn(&tdev_core::CycleRecord, &tdev_core::Attempt) -> bool| {
        let kept = attempts.iter().filter(|(r, a)| keep(r, a));
        let (attempts, passes) = kept.fold((0, 0), |(n, p), (_, a)| {
            (n + 1, p + u32::from(a.gate.passed))
        });
        Tally { attempts, passes }
    };
    let mut with_history = 0;
    for (record, attempt) in &attempts {
        let task = record.tasks.iter().find(|t| t.id == attempt.task).unwrap();
        let matching: Vec<_> = rows
            .iter()
            .filter(|row| {
                row.repository == record.repository.name
                    && row.started_at == attempt.started_at
                    && row.features.strategy == attempt.strategy
                    && row.labels.duration_secs == attempt.duration_secs
            })
            .collect();
        assert_eq!(matching.len(), 1, "{} {}", record.id, attempt.task);
        let row = matching[0];
        assert_eq!(row.labels.passed, attempt.gate.passed);
        assert_eq!(row.labels.failed, attempt.gate.failed);
        let branch = attempt
            .change
            .as_ref()
            .filter(|_| attempt.gate.passed)
            .map(|c| c.branch.clone());
        let fate = branch.and_then(|b| expected_fate.get(&b).copied());
        assert_eq!(row.labels.fate, fate, "{} {}", record.id, attempt.task);
        assert_eq!(row.features.kind, task.kind);
        match &task.features {
            Some(features) => assert_eq!(&row.features, features),
            None => {
                assert_eq!(row.features.findings, task.addresses.len() as u32);
                assert_eq!(row.features.files, 1, "one finding, one path");
                let finding = record
                    .findings
                    .iter()
                    .find(|f| f.id == task.addresses[0])
                    .unwrap();
                assert_eq!(row.features.priority, finding.priority);
            }
        }
        // The language is the repository's, whatever the task's baseline said.
        let language = record.repository.language;
        let baseline = Baseline {
            language,
            ..task.baseline.unwrap_or(Baseline::unknown(language))
        };
        assert_eq!(row.context.baseline, baseline);
        let before = |_: &tdev_core::CycleRecord, a: &tdev_core::Attempt| {
            a.started_at < attempt.started_at && a.strategy == attempt.strategy
        };
        let history = row.context.history;
        assert_eq!(
            history.repository,
            tally(&|r, a| before(r, a) && r.repository == record.repository)
        );
        assert_eq!(history.everywhere, tally(&before));
        let kind = |r: &tdev_core::CycleRecord, a: &tdev_core::Attempt| {
            r.tasks
                .iter()
                .any(|t| t.id == a.task && t.kind == task.kind)
        };
        assert_eq!(history.same_kind, tally(&|r, a| before(r, a) && kind(r, a)));
        with_history += usize::from(history.everywhere.attempts > 0);
    }
    assert!(
        with_history > attempts.len() / 2,
        "later attempts have a history"
    );
}

#[test]
fn proposed_branches_are_the_kept_changes_with_their_commits_and_times() {
    let graph = KnowledgeGraph::in_memory().unwrap();
    let records: Vec<_> = (0..12).map(|i| synthetic::record(11, i)).collect();
    for record in &records {
        graph.record_cycle(record).unwrap();
    }
    let repository = records[0].repository.name.as_str();
    // What the records say, worked out without the graph.
    let mut expected = Vec::new();
    for record in records.iter().filter(|r| r.repository.name == repository) {
        for attempt in record.attempts.iter().filter(|a| a.gate.passed) {
            let change = attempt.change.as_ref().unwrap();
            expected.push(tdev_core::ProposedBranch {
                branch: change.branch.clone(),
                commit: change.commit.clone(),
                proposed_at: attempt.started_at,
            });
        }
    }
    expected.sort();
    assert!(!expected.is_empty(), "the sample has passing changes");
    assert_eq!(graph.proposed_branches(repository).unwrap(), expected);
    assert_eq!(graph.proposed_branches("no-such-repository").unwrap(), []);
}

#[test]
fn the_latest_recorded_fate_of_each_branch_is_its_label() {
    use tdev_core::{BranchFate, Fate, Timestamp};
    let graph = KnowledgeGraph::in_memory().unwrap();
    let first = synthetic::record(3, 0);
    let other = synthetic::record(3, 1);
    assert_ne!(first.repository.name, other.repository.name);
    // The first record's passing attempt: its branch is "a".
    let kept = first
        .attempts
        .iter()
        .find(|a| a.gate.passed)
        .expect("a pass");
    let a = kept.change.as_ref().unwrap().branch["tdev/auto/".len()..].to_owned();
    let at = |day: i64| Timestamp::from_unix(first.ended_at.unix() + day * 86_400);
    let fate = |branch: &str, fate: Fate, day: i64| BranchFate {
        branch: format!("tdev/auto/{branch}"),
        fate,
        observed_at: at(day),
    };
    // A later cycle on the same repository, which only observed fates.
    let observing = |id: &str, base: &tdev_core::CycleRecord, day: i64, fates: Vec<BranchFate>| {
        tdev_core::CycleRecord {
            id: id.into(),
            started_at: at(day),
            ended_at: at(day),
            outcome: tdev_core::Outcome::NoChange,
            failure_reason: None,
            findings: vec![],
            tasks: vec![],
            attempts: vec![],
            models: vec![],
            branch_fates: fates,
            ..base.clone()
        }
    };
    for record in [
        first.clone(),
        other.clone(),
        observing(
            "later-1",
            &first,
            1,
            vec![fate(&a, Fate::Open, 1), fate("b", Fate::Open, 1)],
        ),
        observing(
            "later-2",
            &first,
            40,
            vec![fate(&a, Fate::Merged, 40), fate("b", Fate::Stale, 40)],
        ),
        observing("elsewhere", &other, 2, vec![fate("c", Fate::Deleted, 2)]),
    ] {
        graph.record_cycle(&record).unwrap();
    }
    assert_eq!(
        graph.branch_fates(&first.repository.name).unwrap(),
        // Sorted by branch.
        [fate("b", Fate::Stale, 40), fate(&a, Fate::Merged, 40)]
    );
    assert_eq!(
        graph.branch_fates(&other.repository.name).unwrap(),
        [fate("c", Fate::Deleted, 2)]
    );
    assert_eq!(graph.branch_fates("no-such-repository").unwrap(), []);
    // The guide's query gives the passing attempt its latest fate.
    let guide = include_str!("../../docs/ontology.md");
    let query = guide
        .split("What became of each passing change")
        .nth(1)
        .and_then(|rest| rest.split("```sparql\n").nth(1))
        .and_then(|rest| rest.split("```").next())
        .expect("docs/ontology.md has the query");
    let literal = |text: &str| format!("\"{text}\"");
    assert_eq!(
        rows(&graph, query),
        [BTreeMap::from([
            ("strategy".to_owned(), literal(&kept.strategy.to_string())),
            ("branch".to_owned(), literal(&format!("tdev/auto/{a}"))),
            ("fate".to_owned(), literal("merged")),
        ])]
    );
    // Each observation is a node of its cycle's graph.
    let g = vocab::cycle_graph("later-2");
    assert_eq!(
        count(
            &graph,
            &format!(
                "GRAPH <{}> {{ ?c tdev:observedFate [ a tdev:BranchFate ; \
                 tdev:fateOfBranch ?b ; tdev:fate ?f ; tdev:observedAt ?t ] }}",
                g.as_str()
            )
        ),
        2
    );
}

/// Synthetic records with more variety in what the per-repository statistics count: three
/// kinds of task, gates failing two conditions (one listed twice) and with several reasons,
/// one of them empty.
fn varied_records(seed: u64, count: u64) -> Vec<tdev_core::CycleRecord> {
    let mut records: Vec<_> = (0..count).map(|i| synthetic::record(seed, i)).collect();
    for (i, record) in records.iter_mut().enumerate() {
        for task in &mut record.tasks {
            task.kind = ["fix-finding", "refactor", "docstrings"][i % 3].to_owned();
        }
        for attempt in record.attempts.iter_mut().filter(|a| !a.gate.passed) {
            if i % 4 == 0 {
                attempt.gate.failed.push("coverage".into());
                attempt.gate.failed.push("coverage".into());
                attempt.gate.reasons.push(String::new());
                attempt
                    .gate
                    .reasons
                    .push(format!("coverage fell in cycle {i}"));
            }
        }
    }
    records
}

#[test]
fn per_repository_and_per_kind_statistics_equal_the_raw_aggregation() {
    let graph = KnowledgeGraph::in_memory().unwrap();
    let records = varied_records(17, 160);
    // Single writes and a bulk import, which count alike.
    for record in &records[..80] {
        graph.record_cycle(record).unwrap();
    }
    graph.record_cycles(&records[80..]).unwrap();
    let stats = |pattern: &str| {
        normalise(&rows(
            &graph,
            &format!(
                "{}SELECT * WHERE {{ GRAPH <{}> {{ {pattern} }} }}",
                vocab::PREFIXES,
                vocab::STATS_GRAPH
            ),
        ))
    };
    let raw = |query: &str| normalise(&rows(&graph, &format!("{}{query}", vocab::PREFIXES)));
    let strip = |mut rows: Vec<BTreeMap<String, String>>| {
        for row in &mut rows {
            row.remove("s");
        }
        rows.sort();
        rows
    };
    let cases = [
        (
            tdev_knowledge::REPOSITORY_STRATEGY_QUERY,
            "?s a tdev:RepositoryStrategyStatistics ; tdev:repository ?repository ; \
             tdev:strategy ?strategy ; tdev:attemptCount ?attempts ; tdev:passCount ?passes ; \
             tdev:totalDurationSeconds ?seconds",
        ),
        (
            tdev_knowledge::SAMPLE_REASON_QUERY,
            "?s tdev:repository ?repository ; tdev:strategy ?strategy ; \
             tdev:sampleReason ?reason",
        ),
        (
            tdev_knowledge::ATTEMPTED_IN_QUERY,
            "?s tdev:repository ?repository ; tdev:strategy ?strategy ; tdev:attemptedIn ?cycle",
        ),
        (
            tdev_knowledge::FAILED_CONDITION_QUERY,
            "?s a tdev:FailedConditionStatistics ; tdev:repository ?repository ; \
             tdev:strategy ?strategy ; tdev:gateCondition ?condition ; tdev:attemptCount ?attempts",
        ),
        (
            tdev_knowledge::KIND_STRATEGY_QUERY,
            "?s a tdev:KindStrategyStatistics ; tdev:kind ?kind ; tdev:strategy ?strategy ; \
             tdev:attemptCount ?attempts ; tdev:passCount ?passes",
        ),
    ];
    for (query, pattern) in cases {
        let expected = strip(raw(query));
        assert!(expected.len() > 5, "{query}: {expected:?}");
        assert_eq!(strip(stats(pattern)), expected, "{query}");
    }
    assert!(
        raw(tdev_knowledge::SAMPLE_REASON_QUERY)
            .iter()
            .any(|r| r["reason"].starts_with("coverage fell")),
        "the varied reasons are among the samples"
    );
    let incremental = statistics(&graph);
    graph.rebuild_statistics().unwrap();
    assert_eq!(statistics(&graph), incremental);
}

/// `tdev ask` and the plans' histories read the running statistics; they must say what the
/// training rows (and the raw query a user would run) say.
#[test]
fn strategy_tallies_count_what_the_training_rows_count() {
    use tdev_core::Strategy;
    let graph = KnowledgeGraph::in_memory().unwrap();
    let records = varied_records(19, 150);
    for record in &records {
        graph.record_cycle(record).unwrap();
    }
    let training = graph.training_rows().unwrap();
    let cycles_query = query_file("strategy-cycles.rq");
    let raw = rows(&graph, &cycles_query);
    let repositories: std::collections::BTreeSet<&str> =
        records.iter().map(|r| r.repository.name.as_str()).collect();
    for repository in repositories {
        let tallies = graph.strategy_tallies(repository).unwrap();
        assert_eq!(
            tallies.histories(),
            tdev_knowledge::current_histories(&training, repository),
            "{repository}"
        );
        // Per strategy on the repository, counted from the rows.
        let mut expected: BTreeMap<Strategy, (u32, u32, f64, BTreeMap<String, u32>)> =
            BTreeMap::new();
        for row in training.iter().filter(|r| r.repository == repository) {
            let e = expected.entry(row.features.strategy.clone()).or_default();
            e.0 += 1;
            e.1 += u32::from(row.labels.passed);
            e.2 += row.labels.duration_secs;
            for condition in &row.labels.failed {
                *e.3.entry(condition.clone()).or_default() += 1;
            }
        }
        assert_eq!(
            tallies.here.keys().collect::<Vec<_>>(),
            expected.keys().collect::<Vec<_>>()
        );
        for (strategy, (attempts, passes, seconds, conditions)) in &expected {
            let here = &tallies.here[strategy];
            assert_eq!(
                (here.attempts, here.passes),
                (*attempts, *passes),
                "{strategy}"
            );
            assert!((here.seconds - seconds).abs() < 1e-6, "{strategy}");
            assert_eq!(&here.conditions, conditions, "{strategy}");
            // The cycles and reason of the raw query anyone can run with `tdev sparql`.
            let raw_row = raw
                .iter()
                .find(|r| {
                    r["repository"] == format!("\"{repository}\"")
                        && r["strategy"] == format!("\"{strategy}\"")
                })
                .unwrap_or_else(|| panic!("{repository} {strategy} in {raw:?}"));
            let mut raw_cycles: Vec<&str> =
                raw_row["cycles"].trim_matches('"').split(' ').collect();
            raw_cycles.sort_unstable();
            // How many, and the newest (synthetic ids grow with time).
            assert_eq!(here.cycles as usize, raw_cycles.len(), "{strategy}");
            assert_eq!(
                here.last_cycle.as_deref(),
                raw_cycles.last().copied(),
                "{strategy}"
            );
            assert_eq!(
                here.reason.as_ref().map(|r| format!("\"{r}\"")).as_ref(),
                raw_row.get("reason"),
                "{strategy}"
            );
        }
        let everywhere: u32 = tallies.everywhere.values().map(|t| t.attempts).sum();
        assert_eq!(everywhere as usize, training.len());
    }
}

/// A data directory written by an older tdev, whose statistics lack what tdev now keeps (per
/// repository and per kind strategy statistics; how many cycles tried a strategy and the
/// newest; each model's current version), gets it when it is next opened, so `tdev ask` has
/// it at once.
#[test]
fn statistics_of_an_older_tdev_are_completed_on_open() {
    let stats = vocab::STATS_GRAPH;
    let tdev = "https://tdev.dev/ns#";
    let classes = |classes: &[&str]| -> Vec<String> {
        classes
            .iter()
            .map(|class| {
                format!(
                    "DELETE {{ GRAPH <{stats}> {{ ?s ?p ?o }} }} \
                     WHERE {{ GRAPH <{stats}> {{ ?s a <{tdev}{class}> ; ?p ?o }} }}"
                )
            })
            .collect()
    };
    let older: [(&str, Vec<String>); 3] = [
        (
            "no per-repository or per-kind statistics",
            classes(&[
                "RepositoryStrategyStatistics",
                "FailedConditionStatistics",
                "KindStrategyStatistics",
            ]),
        ),
        (
            "no count and newest of a strategy's cycles",
            vec![format!(
                "DELETE {{ GRAPH <{stats}> {{ ?s <{tdev}lastAttemptedIn> ?c ; \
                 <{tdev}cycleCount> ?n }} }} WHERE {{ GRAPH <{stats}> {{ \
                 ?s a <{tdev}RepositoryStrategyStatistics> ; <{tdev}lastAttemptedIn> ?c ; \
                 <{tdev}cycleCount> ?n }} }}"
            )],
        ),
        ("no model statistics", classes(&["ModelStatistics"])),
    ];
    for (what, deletes) in older {
        let dir = tempfile::tempdir().unwrap();
        let expected = {
            let graph = KnowledgeGraph::open(dir.path()).unwrap();
            // Fifty: the last retrains the synthetic models.
            for i in 0..50 {
                graph.record_cycle(&synthetic::record(23, i)).unwrap();
            }
            statistics(&graph)
        };
        // What an older tdev left.
        {
            let store = oxigraph::store::Store::open(dir.path()).unwrap();
            let before = store.len().unwrap();
            for delete in &deletes {
                store.update(delete.as_str()).unwrap();
            }
            assert!(store.len().unwrap() < before, "{what}: nothing was deleted");
        }
        let graph = KnowledgeGraph::open(dir.path()).unwrap();
        assert_eq!(statistics(&graph), expected, "{what}");
        let tallies = graph.strategy_tallies("attrs").unwrap();
        assert!(
            tallies.here.len() > 1,
            "{what}: ask has the repository's strategies"
        );
        assert!(
            tallies
                .here
                .values()
                .all(|r| r.cycles > 0 && r.last_cycle.is_some()),
            "{what}: {tallies:?}"
        );
    }
}

/// `current-models.rq` reads the statistics' pointer at each model's highest version, which
/// models recorded after their cycle move (never back to a lower version), and which a
/// rebuild from the model records gives again.
#[test]
fn the_current_model_is_the_highest_version_recorded() {
    let graph = KnowledgeGraph::in_memory().unwrap();
    let first = synthetic::record(5, 0);
    let second = synthetic::record(5, 1);
    graph.record_cycle(&first).unwrap();
    graph.record_cycle(&second).unwrap();
    let model = |name: &str, version: u32, metrics: &[(&str, f64)]| tdev_core::ModelRecord {
        name: name.to_owned(),
        version,
        trained_at: first.started_at,
        training_size: 10 * version,
        sha256: format!("{version:064x}"),
        metrics: metrics.iter().map(|(m, v)| ((*m).to_owned(), *v)).collect(),
    };
    let current = |graph: &KnowledgeGraph| {
        let text = query_file("current-models.rq");
        rows(graph, &text)
            .into_iter()
            .map(|row| {
                let get = |k: &str| row.get(k).map(|v| v.split('^').next().unwrap().to_owned());
                (get("name"), get("version"), get("measure"), get("value"))
            })
            .collect::<std::collections::BTreeSet<_>>()
    };
    assert!(current(&graph).is_empty(), "no model yet");
    graph
        .record_models(
            &first.id,
            &[model("effort", 2, &[("mae", 1.5), ("auc", 0.75)])],
        )
        .unwrap();
    // An older version recorded later does not move the pointer back.
    graph
        .record_models(
            &second.id,
            &[model("effort", 1, &[("mae", 9.0)]), model("risk", 1, &[])],
        )
        .unwrap();
    let s = |v: &str| Some(format!("\"{v}\""));
    let expected = std::collections::BTreeSet::from([
        (s("effort"), s("2"), None, None),
        (s("effort"), s("2"), s("auc"), s("0.75")),
        (s("effort"), s("2"), s("mae"), s("1.5")),
        (s("risk"), s("1"), None, None),
    ]);
    assert_eq!(current(&graph), expected);
    let incremental = statistics(&graph);
    graph.rebuild_statistics().unwrap();
    assert_eq!(statistics(&graph), incremental);
    assert_eq!(current(&graph), expected);
}
