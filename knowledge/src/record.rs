//! Turns a typed [`CycleRecord`] into the triples of its own named graph.
//!
//! The mapping is the contract between the vocabulary (`ontology/tdev.ttl`), the shapes
//! (`ontology/shapes.ttl`) and every query in `docs/ontology.md`; the SHACL test checks it.

use crate::vocab::{self, prov, tdev};
use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{GraphName, Literal, NamedNode, NamedNodeRef, Quad, Term};
use tdev_core::{Attempt, Baseline, BranchFate, CycleRecord, ModelRecord, TaskFeatures, Timestamp};

/// Builds the quads of one record, all in the record's named graph.
struct Builder {
    graph: GraphName,
    quads: Vec<Quad>,
}

impl Builder {
    fn add(&mut self, subject: &NamedNode, predicate: NamedNodeRef<'_>, object: impl Into<Term>) {
        self.quads.push(Quad::new(
            subject.clone(),
            predicate,
            object.into(),
            self.graph.clone(),
        ));
    }

    fn add_opt<T: Into<Term>>(&mut self, s: &NamedNode, p: NamedNodeRef<'_>, o: Option<T>) {
        if let Some(o) = o {
            self.add(s, p, o);
        }
    }
}

/// An `xsd:dateTime` literal.
pub(crate) fn date_time(t: Timestamp) -> Literal {
    Literal::new_typed_literal(t.to_string(), xsd::DATE_TIME)
}

/// Durations are kept in whole milliseconds so that sums are exact in Rust and in SPARQL.
pub(crate) fn millis(secs: f64) -> i64 {
    (secs * 1000.0).round() as i64
}

/// An `xsd:decimal` literal of a number of milliseconds, in seconds.
pub(crate) fn decimal_seconds(ms: i64) -> Literal {
    let sign = if ms < 0 { "-" } else { "" };
    let ms = ms.unsigned_abs();
    Literal::new_typed_literal(
        format!("{sign}{}.{:03}", ms / 1000, ms % 1000),
        xsd::DECIMAL,
    )
}

/// The IRI of the cycle itself (the `prov:Activity`).
pub(crate) fn cycle_iri(cycle_id: &str) -> NamedNode {
    vocab::id(&["cycle", cycle_id])
}

/// The IRI of an attempt.
pub(crate) fn attempt_iri(cycle_id: &str, attempt: &Attempt) -> NamedNode {
    let number = attempt.number.to_string();
    vocab::id(&["cycle", cycle_id, "task", &attempt.task, "attempt", &number])
}

/// The description of the record's repository, in the shared repositories graph.
///
/// Repositories outlive cycles and are described once, not in every cycle graph: the default
/// graph of queries is the union of all graphs, where a repeated triple would be counted again.
pub(crate) fn repository_quads(record: &CycleRecord) -> Vec<Quad> {
    let mut b = Builder {
        graph: NamedNode::new_unchecked(vocab::REPOSITORIES_GRAPH).into(),
        quads: Vec::with_capacity(4),
    };
    let repo = vocab::repository(&record.repository.name);
    let r = &record.repository;
    b.add(&repo, rdf::TYPE, tdev::REPOSITORY);
    b.add(&repo, tdev::NAME, Literal::from(r.name.as_str()));
    b.add(&repo, tdev::LOCATION, Literal::from(r.location.as_str()));
    b.add(&repo, tdev::LANGUAGE, Literal::from(r.language.as_str()));
    b.quads
}

/// All quads of a record in the cycle's named graph. The record must be valid.
pub(crate) fn quads(record: &CycleRecord) -> Vec<Quad> {
    let id = record.id.as_str();
    let mut b = Builder {
        graph: vocab::cycle_graph(id).into(),
        quads: Vec::with_capacity(64 + 16 * record.attempts.len()),
    };
    let repo = vocab::repository(&record.repository.name);
    let cycle = cycle_iri(id);
    b.add(&cycle, rdf::TYPE, tdev::CYCLE);
    b.add(&cycle, tdev::ON_REPOSITORY, repo);
    b.add(
        &cycle,
        tdev::TRIGGER,
        Literal::from(record.trigger.as_str()),
    );
    b.add(&cycle, tdev::GOAL, Literal::from(record.goal.as_str()));
    b.add(
        &cycle,
        tdev::OUTCOME,
        Literal::from(record.outcome.as_str()),
    );
    b.add(&cycle, prov::STARTED_AT_TIME, date_time(record.started_at));
    b.add(&cycle, prov::ENDED_AT_TIME, date_time(record.ended_at));
    b.add(&cycle, prov::WAS_ASSOCIATED_WITH, tdev::AGENT);
    let reason = record.failure_reason.as_deref().map(Literal::from);
    b.add_opt(&cycle, tdev::FAILURE_REASON, reason);
    let base = record.base_commit.as_deref().map(Literal::from);
    b.add_opt(&cycle, tdev::BASE_COMMIT, base);

    for f in &record.findings {
        let finding = vocab::id(&["cycle", id, "finding", &f.id]);
        b.add(&cycle, tdev::HAS_FINDING, finding.clone());
        b.add(&finding, rdf::TYPE, tdev::FINDING);
        b.add(&finding, tdev::KIND, Literal::from(f.kind.as_str()));
        b.add(&finding, tdev::SEVERITY, Literal::from(f.severity.as_str()));
        b.add(&finding, tdev::PATH, Literal::from(f.path.as_str()));
        b.add_opt(
            &finding,
            tdev::LINE,
            f.span.map(|s| Literal::from(i64::from(s.line))),
        );
        b.add_opt(
            &finding,
            tdev::SYMBOL,
            f.symbol.as_deref().map(Literal::from),
        );
        b.add(&finding, tdev::MESSAGE, Literal::from(f.message.as_str()));
        b.add(&finding, tdev::PRIORITY, Literal::from(f.priority));
    }

    if !record.tasks.is_empty() {
        let plan = vocab::id(&["cycle", id, "plan"]);
        b.add(&cycle, tdev::HAS_PLAN, plan.clone());
        b.add(&plan, rdf::TYPE, tdev::PLAN);
        let task_iri = |task: &str| vocab::id(&["cycle", id, "task", task]);
        for t in &record.tasks {
            let task = task_iri(&t.id);
            b.add(&plan, tdev::HAS_TASK, task.clone());
            b.add(&task, rdf::TYPE, tdev::TASK);
            b.add(&task, tdev::KIND, Literal::from(t.kind.as_str()));
            b.add(&task, tdev::TITLE, Literal::from(t.title.as_str()));
            b.add(&task, tdev::STRATEGY, Literal::from(t.strategy.to_string()));
            b.add(
                &task,
                tdev::ESTIMATED_HOURS,
                Literal::from(t.estimate_hours),
            );
            b.add(&task, tdev::RISK, Literal::from(i64::from(t.risk)));
            for dep in &t.depends_on {
                b.add(&task, tdev::DEPENDS_ON, task_iri(dep));
            }
            for finding in &t.addresses {
                b.add(
                    &task,
                    tdev::ADDRESSES,
                    vocab::id(&["cycle", id, "finding", finding]),
                );
            }
            if let Some(features) = &t.features {
                features_quads(&mut b, &task, features);
            }
            if let Some(baseline) = &t.baseline {
                baseline_quads(&mut b, &task, baseline);
            }
        }
    }

    for a in &record.attempts {
        attempt_quads(&mut b, record, &cycle, a);
    }
    for m in &record.models {
        model_quads(&mut b, &cycle, m);
    }
    for f in &record.branch_fates {
        fate_quads(&mut b, id, &cycle, f);
    }
    b.quads
}

/// What the cycle saw had become of an earlier branch, on a node of its own
/// (`<cycle>/fate/<branch>`, the branch one encoded segment).
fn fate_quads(b: &mut Builder, cycle_id: &str, cycle: &NamedNode, f: &BranchFate) {
    let node = vocab::id(&["cycle", cycle_id, "fate", &f.branch]);
    b.add(cycle, tdev::OBSERVED_FATE, node.clone());
    b.add(&node, rdf::TYPE, tdev::BRANCH_FATE);
    b.add(
        &node,
        tdev::FATE_OF_BRANCH,
        Literal::from(f.branch.as_str()),
    );
    b.add(&node, tdev::FATE, Literal::from(f.fate.as_str()));
    b.add(&node, tdev::OBSERVED_AT, date_time(f.observed_at));
}

/// What a task's estimate was made from, on a node of its own (`<task>/features`). Its kind
/// and strategy are the task's, so they are not written again.
fn features_quads(b: &mut Builder, task: &NamedNode, features: &TaskFeatures) {
    let node = NamedNode::new_unchecked(format!("{}/features", task.as_str()));
    b.add(task, tdev::FEATURES, node.clone());
    b.add(&node, rdf::TYPE, tdev::TASK_FEATURES);
    b.add(
        &node,
        tdev::FINDINGS_ADDRESSED,
        Literal::from(i64::from(features.findings)),
    );
    b.add(
        &node,
        tdev::FILES_TOUCHED,
        Literal::from(i64::from(features.files)),
    );
    b.add(
        &node,
        tdev::TOTAL_COMPLEXITY,
        Literal::from(features.total_complexity),
    );
    b.add(
        &node,
        tdev::HIGHEST_PRIORITY,
        Literal::from(features.priority),
    );
}

/// What the baseline knew of a task, on a node of its own (`<task>/baseline`); each measure
/// only when it was measured. The language is the repository's.
fn baseline_quads(b: &mut Builder, task: &NamedNode, baseline: &Baseline) {
    let node = NamedNode::new_unchecked(format!("{}/baseline", task.as_str()));
    b.add(task, tdev::BASELINE, node.clone());
    b.add(&node, rdf::TYPE, tdev::TASK_BASELINE);
    b.add_opt(
        &node,
        tdev::LINE_COVERAGE,
        baseline.coverage.map(Literal::from),
    );
    let seconds = baseline.test_duration_secs.map(Literal::from);
    b.add_opt(&node, tdev::TEST_SUITE_SECONDS, seconds);
    let lines = baseline
        .repository_lines
        .map(|n| Literal::from(i64::try_from(n).unwrap_or(i64::MAX)));
    b.add_opt(&node, tdev::REPOSITORY_LINES, lines);
    b.add_opt(&node, tdev::CHURN, baseline.churn.map(Literal::from));
}

fn attempt_quads(b: &mut Builder, record: &CycleRecord, cycle: &NamedNode, a: &Attempt) {
    let id = record.id.as_str();
    let attempt = attempt_iri(id, a);
    let sub = |name: &str| NamedNode::new_unchecked(format!("{}/{name}", attempt.as_str()));
    b.add(cycle, tdev::HAS_ATTEMPT, attempt.clone());
    b.add(&attempt, rdf::TYPE, tdev::ATTEMPT);
    b.add(
        &attempt,
        tdev::OF_TASK,
        vocab::id(&["cycle", id, "task", &a.task]),
    );
    b.add(
        &attempt,
        tdev::ATTEMPT_NUMBER,
        Literal::from(i64::from(a.number)),
    );
    b.add(
        &attempt,
        tdev::STRATEGY,
        Literal::from(a.strategy.to_string()),
    );
    b.add(&attempt, tdev::BACKEND, Literal::from(a.backend.as_str()));
    b.add(&attempt, prov::STARTED_AT_TIME, date_time(a.started_at));
    b.add(
        &attempt,
        tdev::DURATION_SECONDS,
        decimal_seconds(millis(a.duration_secs)),
    );
    if let Some(usage) = a.usage {
        let tokens = |n: u64| Literal::from(i64::try_from(n).unwrap_or(i64::MAX));
        b.add(&attempt, tdev::INPUT_TOKENS, tokens(usage.input_tokens));
        b.add(&attempt, tdev::OUTPUT_TOKENS, tokens(usage.output_tokens));
        b.add(&attempt, tdev::COST, Literal::from(usage.cost));
    }

    if let Some(c) = &a.change {
        let change = sub("change");
        b.add(&attempt, tdev::PRODUCED, change.clone());
        b.add(&change, rdf::TYPE, tdev::CHANGE);
        b.add(&change, tdev::BRANCH, Literal::from(c.branch.as_str()));
        b.add(
            &change,
            tdev::FILES_CHANGED,
            Literal::from(i64::from(c.files_changed)),
        );
        b.add(
            &change,
            tdev::LINES_ADDED,
            Literal::from(i64::from(c.lines_added)),
        );
        b.add(
            &change,
            tdev::LINES_REMOVED,
            Literal::from(i64::from(c.lines_removed)),
        );
        if let Some(sha) = &c.commit {
            let commit = vocab::id(&["repo", &record.repository.name, "commit", sha]);
            b.add(&change, tdev::COMMITTED_AS, commit.clone());
            b.add(&commit, rdf::TYPE, tdev::COMMIT);
            b.add(&commit, tdev::SHA, Literal::from(sha.as_str()));
        }
    }
    if let Some(e) = &a.evaluation {
        let evaluation = sub("evaluation");
        b.add(&attempt, tdev::EVALUATED_BY, evaluation.clone());
        b.add(&evaluation, rdf::TYPE, tdev::EVALUATION);
        b.add(
            &evaluation,
            tdev::TESTS_PASSED,
            Literal::from(i64::from(e.tests_passed)),
        );
        b.add(
            &evaluation,
            tdev::TESTS_FAILED,
            Literal::from(i64::from(e.tests_failed)),
        );
        for m in &e.metrics {
            let metric = vocab::id(&[
                "cycle",
                id,
                "task",
                &a.task,
                "attempt",
                &a.number.to_string(),
                "metric",
                &m.name,
            ]);
            b.add(&evaluation, tdev::HAS_METRIC, metric.clone());
            b.add(&metric, rdf::TYPE, tdev::METRIC);
            b.add(&metric, tdev::NAME, Literal::from(m.name.as_str()));
            b.add(&metric, tdev::BEFORE, Literal::from(m.before));
            b.add(&metric, tdev::AFTER, Literal::from(m.after));
        }
    }
    let gate = sub("gate");
    b.add(&attempt, tdev::DECIDED_BY, gate.clone());
    b.add(&gate, rdf::TYPE, tdev::GATE_DECISION);
    b.add(&gate, tdev::PASSED, Literal::from(a.gate.passed));
    for reason in &a.gate.reasons {
        b.add(&gate, tdev::REASON, Literal::from(reason.as_str()));
    }
    for condition in &a.gate.failed {
        b.add(
            &gate,
            tdev::FAILED_CONDITION,
            Literal::from(condition.as_str()),
        );
    }
}

/// The quads of models trained after `cycle_id` was recorded, in that cycle's graph.
pub(crate) fn model_quads_of(cycle_id: &str, models: &[ModelRecord]) -> Vec<Quad> {
    let mut b = Builder {
        graph: vocab::cycle_graph(cycle_id).into(),
        quads: Vec::with_capacity(16 * models.len()),
    };
    let cycle = cycle_iri(cycle_id);
    for m in models {
        model_quads(&mut b, &cycle, m);
    }
    b.quads
}

/// The IRI of `name`'s model `version`.
pub(crate) fn model_iri(name: &str, version: u32) -> NamedNode {
    vocab::id(&["model", name, &version.to_string()])
}

fn model_quads(b: &mut Builder, cycle: &NamedNode, m: &ModelRecord) {
    let version = m.version.to_string();
    let model = model_iri(&m.name, m.version);
    b.add(cycle, tdev::TRAINED_MODEL, model.clone());
    b.add(&model, prov::WAS_GENERATED_BY, cycle.clone());
    b.add(&model, rdf::TYPE, tdev::MODEL);
    b.add(&model, tdev::NAME, Literal::from(m.name.as_str()));
    b.add(&model, tdev::VERSION, Literal::from(i64::from(m.version)));
    b.add(&model, prov::GENERATED_AT_TIME, date_time(m.trained_at));
    b.add(
        &model,
        tdev::TRAINING_SIZE,
        Literal::from(i64::from(m.training_size)),
    );
    b.add(
        &model,
        tdev::SHA,
        Literal::from(m.sha256.to_ascii_lowercase()),
    );
    for (name, value) in &m.metrics {
        let metric = vocab::id(&["model", &m.name, &version, "metric", name]);
        b.add(&model, tdev::HAS_METRIC, metric.clone());
        b.add(&metric, rdf::TYPE, tdev::METRIC);
        b.add(&metric, tdev::NAME, Literal::from(name.as_str()));
        b.add(&metric, tdev::VALUE, Literal::from(*value));
    }
}
