//! Recorded cycles satisfy `ontology/shapes.ttl`, checked by a real SHACL engine (pyshacl,
//! installed by `scripts/test-env`), and records broken in each way the shapes forbid fail.

#[path = "support/python.rs"]
mod python;

#[path = "support/synthetic.rs"]
mod synthetic;

use std::path::PathBuf;
use std::process::Command;
use tdev_knowledge::{GraphFormat, KnowledgeGraph, vocab};

fn python() -> PathBuf {
    python::python("pyshacl")
}

/// Validates N-Triples against the shapes (with the ontology for RDFS subclass reasoning).
/// Returns whether it conforms and pyshacl's report.
fn validate(data: &str) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("data.nt");
    std::fs::write(&file, data).unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let output = Command::new(python())
        .args([
            "-m", "pyshacl", "-i", "rdfs", "-df", "nt", "-sf", "turtle", "-ef", "turtle",
        ])
        .arg("-s")
        .arg(format!("{root}/ontology/shapes.ttl"))
        .arg("-e")
        .arg(format!("{root}/ontology/tdev.ttl"))
        .arg(&file)
        .output()
        .expect("running pyshacl");
    let report = String::from_utf8_lossy(&output.stdout).into_owned();
    match output.status.code() {
        Some(0) => (true, report),
        Some(1) => (false, report),
        _ => panic!(
            "pyshacl failed: {}\n{report}",
            String::from_utf8_lossy(&output.stderr)
        ),
    }
}

/// The cycle graphs and the repositories graph of `records`, as N-Triples.
fn recorded(records: &[tdev_core::CycleRecord]) -> String {
    let graph = KnowledgeGraph::in_memory().unwrap();
    let mut out = Vec::new();
    for record in records {
        graph.record_cycle(record).unwrap();
        let g = vocab::cycle_graph(&record.id);
        out = graph
            .dump(out, GraphFormat::NTriples, Some(g.as_str()))
            .unwrap();
    }
    out = graph
        .dump(out, GraphFormat::NTriples, Some(vocab::REPOSITORIES_GRAPH))
        .unwrap();
    String::from_utf8(out).unwrap()
}

/// A synthetic record whose tasks carry the features of their estimates, as the planner's do;
/// the synthetic records themselves have none, as records written before tdev kept them.
fn with_features(mut record: tdev_core::CycleRecord) -> tdev_core::CycleRecord {
    for task in &mut record.tasks {
        task.features = Some(tdev_core::TaskFeatures {
            kind: task.kind.clone(),
            strategy: task.strategy.clone(),
            findings: task.addresses.len() as u32,
            files: 1,
            total_complexity: 12.5,
            priority: 0.75,
        });
    }
    record
}

/// A synthetic record that also saw what became of branches earlier cycles proposed, one of
/// each fate.
fn with_fates(mut record: tdev_core::CycleRecord) -> tdev_core::CycleRecord {
    record.branch_fates = tdev_core::Fate::ALL
        .into_iter()
        .map(|fate| tdev_core::BranchFate {
            branch: format!("tdev/auto/earlier-{fate}"),
            fate,
            observed_at: record.started_at,
        })
        .collect();
    record
}

fn sample() -> String {
    // Record 49 carries retrained models; the others cover failed and passed cycles, with
    // and without the features of their tasks, and the fates of earlier branches.
    recorded(&[
        synthetic::record(1, 0),
        with_features(synthetic::record(1, 1)),
        with_fates(synthetic::record(1, 2)),
        synthetic::record(1, 49),
    ])
}

/// Applies `edit` to every line with `predicate` and checks the result is rejected for it.
fn check_broken(predicate: &str, edit: impl Fn(&str) -> Option<String>, expected_in_report: &str) {
    let data = sample();
    let mut edited = 0;
    let broken: String = data
        .lines()
        .filter_map(|line| {
            if line.contains(&format!("<{}{predicate}>", vocab::NS)) {
                edited += 1;
                edit(line)
            } else {
                Some(line.to_owned())
            }
        })
        .map(|l| l + "\n")
        .collect();
    assert!(edited > 0, "no line with tdev:{predicate} to break");
    let (conforms, report) = validate(&broken);
    assert!(!conforms, "breaking tdev:{predicate} went unnoticed");
    assert!(report.contains(expected_in_report), "{report}");
}

#[test]
fn recorded_cycles_conform_to_the_shapes() {
    let (conforms, report) = validate(&sample());
    assert!(conforms, "{report}");
}

#[test]
fn a_cycle_without_its_repository_is_rejected() {
    check_broken("repository", |_| None, "tdev:repository");
}

#[test]
fn a_fourth_attempt_is_rejected() {
    check_broken(
        "attemptNumber",
        |line| Some(line.replace("\"1\"^^", "\"4\"^^")),
        "tdev:attemptNumber",
    );
}

#[test]
fn a_change_outside_tdev_branches_is_rejected() {
    check_broken(
        "branch",
        |line| Some(line.replace("\"tdev/auto/", "\"main-")),
        "tdev:branch",
    );
}

#[test]
fn a_task_above_four_hours_is_rejected() {
    check_broken(
        "estimatedHours",
        |line| {
            let (head, _) = line.split_once(" \"").unwrap();
            Some(format!(
                "{head} \"6.5E0\"^^<http://www.w3.org/2001/XMLSchema#double> ."
            ))
        },
        "tdev:estimatedHours",
    );
}

#[test]
fn task_features_with_a_priority_above_one_are_rejected() {
    check_broken(
        "highestPriority",
        |line| {
            let (head, _) = line.split_once(" \"").unwrap();
            Some(format!(
                "{head} \"1.5E0\"^^<http://www.w3.org/2001/XMLSchema#double> ."
            ))
        },
        "tdev:highestPriority",
    );
}

#[test]
fn task_features_without_their_complexity_are_rejected() {
    check_broken("totalComplexity", |_| None, "tdev:totalComplexity");
}

#[test]
fn a_failed_gate_without_reasons_is_rejected() {
    check_broken("reason", |_| None, "GateDecision");
}

#[test]
fn a_fate_that_is_none_of_the_four_is_rejected() {
    check_broken(
        "fate",
        |line| Some(line.replace("\"merged\"", "\"closed\"")),
        "tdev:fate",
    );
}

#[test]
fn a_fate_of_a_branch_outside_tdev_branches_is_rejected() {
    check_broken(
        "fateOfBranch",
        |line| Some(line.replace("\"tdev/auto/", "\"main-")),
        "tdev:fateOfBranch",
    );
}

#[test]
fn a_fate_without_its_time_is_rejected() {
    check_broken("observedAt", |_| None, "tdev:observedAt");
}

/// The services graph of `graph`, as N-Triples.
fn services_graph(graph: &KnowledgeGraph) -> String {
    let out = graph
        .dump(
            Vec::new(),
            GraphFormat::NTriples,
            Some(vocab::SERVICES_GRAPH),
        )
        .unwrap();
    String::from_utf8(out).unwrap()
}

/// `data` without its triples of the tdev property `local`.
fn without(data: &str, local: &str) -> String {
    let predicate = format!("<{}{local}>", vocab::NS);
    let kept: String = data
        .lines()
        .filter(|l| !l.contains(&predicate))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(kept, data, "no tdev:{local} to drop");
    kept
}

fn service() -> tdev_knowledge::ServiceRecord {
    let requirement = "A book has a title and a unique isbn. Members can borrow a book.";
    tdev_knowledge::ServiceRecord {
        name: "book-service".into(),
        requirement: requirement.into(),
        spec: serde_json::to_string(&tdev_spec::read(requirement).spec).unwrap(),
        blueprint: "python-fastapi".into(),
        directory: "/home/ada/src/library".into(),
        commit: "0123456789abcdef0123456789abcdef01234567".into(),
        generated_at: tdev_core::Timestamp::parse("2026-12-03T10:00:00Z").unwrap(),
        checks_passed: Some(true),
    }
}

#[test]
fn a_recorded_service_conforms_and_one_without_its_requirement_does_not() {
    let graph = KnowledgeGraph::in_memory().unwrap();
    graph.record_service(&service()).unwrap();
    let data = services_graph(&graph);
    let (conforms, report) = validate(&data);
    assert!(conforms, "{report}\n{data}");
    // The requirement's words dropped, or the blueprint: the shapes refuse it.
    let (conforms, report) = validate(&without(&data, "text"));
    assert!(!conforms, "{report}");
    assert!(report.contains("text"), "{report}");
    let (conforms, report) = validate(&without(&data, "blueprint"));
    assert!(!conforms, "{report}");
}

#[test]
fn an_invalid_service_record_writes_nothing() {
    let graph = KnowledgeGraph::in_memory().unwrap();
    let mut record = service();
    record.directory = "relative/dir".into();
    record.commit = "not a commit".into();
    let error = graph.record_service(&record).unwrap_err().to_string();
    assert!(
        error.contains("directory") && error.contains("commit"),
        "{error}"
    );
    assert_eq!(services_graph(&graph), "");
}
