//! Running statistics: per-strategy, per-repository-day and per-finding-kind counts, and the
//! slowest attempts, kept in the named graph `https://tdev.dev/graph/stats`.
//!
//! Aggregating a million triples for every question takes hundreds of milliseconds; reading a
//! few counters takes well under one. The writer updates the counters in the same transaction
//! as the cycle it records, so they can never disagree with the cycle graphs; after changes
//! that bypass the writer (bulk load, SPARQL UPDATE) they are rebuilt from the raw data by the
//! very aggregation queries they stand in for ([`rebuild`]).

use crate::record::{attempt_iri, decimal_seconds, millis};
use crate::vocab::{self, tdev};
use crate::{Error, Result};
use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{GraphNameRef, Literal, NamedNode, NamedNodeRef, Quad, QuadRef, Term};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::{Store, Transaction};
use std::collections::BTreeMap;
use tdev_core::{CycleRecord, Outcome};

/// How many of the slowest attempts are kept.
pub const SLOWEST_KEPT: usize = 20;

fn stats_graph() -> GraphNameRef<'static> {
    NamedNodeRef::new_unchecked(vocab::STATS_GRAPH).into()
}

fn strategy_node(strategy: &str) -> NamedNode {
    vocab::id(&["stats", "strategy", strategy])
}

fn repository_day_node(repository: &str, day: &str) -> NamedNode {
    vocab::id(&["stats", "repository", repository, "day", day])
}

fn finding_kind_node(kind: &str) -> NamedNode {
    vocab::id(&["stats", "finding-kind", kind])
}

fn slowest_node() -> NamedNode {
    vocab::id(&["stats", "slowest"])
}

/// Parses an `xsd:decimal` (or integer) lexical form of seconds into milliseconds.
pub(crate) fn parse_millis(lexical: &str) -> Option<i64> {
    let (negative, digits) = match lexical.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, lexical.strip_prefix('+').unwrap_or(lexical)),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let mut ms = 0;
    for (i, c) in frac.chars().enumerate() {
        let d = i64::from(c.to_digit(10)?);
        match i {
            0 => ms += d * 100,
            1 => ms += d * 10,
            2 => ms += d,
            _ => {}
        }
    }
    let total = whole.checked_mul(1000)?.checked_add(ms)?;
    Some(if negative { -total } else { total })
}

/// The increments one record brings to the statistics.
#[derive(Default)]
struct Counts {
    attempts: i64,
    passes: i64,
    millis: i64,
}

fn literal_value(term: &Term) -> Option<&str> {
    match term {
        Term::Literal(l) => Some(l.value()),
        _ => None,
    }
}

/// Reads a counter; absent counts as zero.
fn read(
    tx: &Transaction<'_>,
    node: &NamedNode,
    predicate: NamedNodeRef<'_>,
) -> Result<Option<Quad>> {
    Ok(tx
        .quads_for_pattern(
            Some(node.as_ref().into()),
            Some(predicate),
            None,
            Some(stats_graph()),
        )
        .next()
        .transpose()?)
}

fn add_integer(
    tx: &mut Transaction<'_>,
    node: &NamedNode,
    p: NamedNodeRef<'_>,
    delta: i64,
) -> Result<()> {
    let old = read(tx, node, p)?;
    let current = old
        .as_ref()
        .and_then(|q| literal_value(&q.object)?.parse::<i64>().ok());
    if let Some(q) = &old {
        tx.remove(q.as_ref());
    }
    let value = Literal::from(current.unwrap_or(0) + delta);
    tx.insert(QuadRef::new(node, p, &value, stats_graph()));
    Ok(())
}

fn add_millis(
    tx: &mut Transaction<'_>,
    node: &NamedNode,
    p: NamedNodeRef<'_>,
    delta: i64,
) -> Result<()> {
    let old = read(tx, node, p)?;
    let current = old
        .as_ref()
        .and_then(|q| parse_millis(literal_value(&q.object)?));
    if let Some(q) = &old {
        tx.remove(q.as_ref());
    }
    let value = decimal_seconds(current.unwrap_or(0) + delta);
    tx.insert(QuadRef::new(node, p, &value, stats_graph()));
    Ok(())
}

fn describe(tx: &mut Transaction<'_>, node: &NamedNode, class: NamedNodeRef<'_>) {
    tx.insert(QuadRef::new(node, rdf::TYPE, class, stats_graph()));
}

/// Adds one (valid) record to the running statistics, inside the record's transaction.
pub(crate) fn apply(tx: &mut Transaction<'_>, record: &CycleRecord) -> Result<()> {
    let mut strategies: BTreeMap<&str, Counts> = BTreeMap::new();
    let (mut attempts, mut passes) = (0, 0);
    for a in &record.attempts {
        let counts = strategies.entry(a.strategy.as_str()).or_default();
        counts.attempts += 1;
        counts.passes += i64::from(a.gate.passed);
        counts.millis += millis(a.duration_secs);
        attempts += 1;
        passes += i64::from(a.gate.passed);
    }
    for (strategy, counts) in &strategies {
        let node = strategy_node(strategy);
        describe(tx, &node, tdev::STRATEGY_STATISTICS);
        let name = Literal::from(*strategy);
        tx.insert(QuadRef::new(&node, tdev::STRATEGY, &name, stats_graph()));
        add_integer(tx, &node, tdev::ATTEMPT_COUNT, counts.attempts)?;
        add_integer(tx, &node, tdev::PASS_COUNT, counts.passes)?;
        add_millis(tx, &node, tdev::TOTAL_DURATION_SECONDS, counts.millis)?;
    }

    let day = record.started_at.date();
    let node = repository_day_node(&record.repository.name, &day);
    describe(tx, &node, tdev::REPOSITORY_DAY_STATISTICS);
    let repo = vocab::repository(&record.repository.name);
    tx.insert(QuadRef::new(
        &node,
        tdev::ON_REPOSITORY,
        &repo,
        stats_graph(),
    ));
    let day = Literal::new_typed_literal(day, xsd::DATE);
    tx.insert(QuadRef::new(&node, tdev::DAY, &day, stats_graph()));
    add_integer(tx, &node, tdev::CYCLE_COUNT, 1)?;
    let passed = i64::from(record.outcome == Outcome::Passed);
    add_integer(tx, &node, tdev::PASSED_CYCLE_COUNT, passed)?;
    add_integer(tx, &node, tdev::ATTEMPT_COUNT, attempts)?;
    add_integer(tx, &node, tdev::PASS_COUNT, passes)?;

    let mut kinds: BTreeMap<&str, i64> = BTreeMap::new();
    for f in &record.findings {
        *kinds.entry(f.kind.as_str()).or_default() += 1;
    }
    for (kind, count) in kinds {
        let node = finding_kind_node(kind);
        describe(tx, &node, tdev::FINDING_KIND_STATISTICS);
        tx.insert(QuadRef::new(
            &node,
            tdev::KIND,
            &Literal::from(kind),
            stats_graph(),
        ));
        add_integer(tx, &node, tdev::FINDING_COUNT, count)?;
    }

    let candidates = record
        .attempts
        .iter()
        .map(|a| (millis(a.duration_secs), attempt_iri(&record.id, a)));
    update_slowest(tx, candidates.collect())
}

/// Merges new attempts into the bounded list of slowest attempts: longest first, ties broken
/// by IRI, exactly as [`SLOWEST_QUERY`] orders them.
fn update_slowest(tx: &mut Transaction<'_>, mut candidates: Vec<(i64, NamedNode)>) -> Result<()> {
    if candidates.is_empty() {
        return Ok(());
    }
    let list = slowest_node();
    let mut members = Vec::with_capacity(SLOWEST_KEPT);
    for q in tx.quads_for_pattern(
        Some(list.as_ref().into()),
        Some(tdev::SLOW_ATTEMPT),
        None,
        Some(stats_graph()),
    ) {
        let Term::NamedNode(attempt) = q?.object else {
            continue;
        };
        let duration = tx
            .quads_for_pattern(
                Some(attempt.as_ref().into()),
                Some(tdev::DURATION_SECONDS),
                None,
                None,
            )
            .next()
            .transpose()?
            .and_then(|q| parse_millis(literal_value(&q.object)?));
        if let Some(ms) = duration {
            members.push((ms, attempt));
        }
    }
    let rank = |a: &(i64, NamedNode), b: &(i64, NamedNode)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
    members.sort_by(rank);
    if members.len() == SLOWEST_KEPT {
        let floor = &members[SLOWEST_KEPT - 1];
        candidates.retain(|c| rank(c, floor).is_lt());
        if candidates.is_empty() {
            return Ok(());
        }
    }
    let before: Vec<NamedNode> = members.iter().map(|m| m.1.clone()).collect();
    members.extend(candidates);
    members.sort_by(rank);
    members.truncate(SLOWEST_KEPT);
    describe(tx, &list, tdev::SLOWEST_ATTEMPTS);
    for old in before
        .iter()
        .filter(|o| !members.iter().any(|m| &m.1 == *o))
    {
        tx.remove(QuadRef::new(&list, tdev::SLOW_ATTEMPT, old, stats_graph()));
    }
    for (_, attempt) in &members {
        tx.insert(QuadRef::new(
            &list,
            tdev::SLOW_ATTEMPT,
            attempt,
            stats_graph(),
        ));
    }
    Ok(())
}

/// Raw aggregation behind [`tdev:StrategyStatistics`]. The statistics test checks that the
/// running counts equal its answers.
pub const STRATEGY_QUERY: &str = "SELECT ?strategy (COUNT(?attempt) AS ?attempts) \
 (SUM(IF(?passed, 1, 0)) AS ?passes) (SUM(?duration) AS ?seconds) WHERE { \
 ?attempt a tdev:Attempt ; tdev:strategy ?strategy ; tdev:durationSeconds ?duration ; \
 tdev:gateDecision/tdev:passed ?passed } GROUP BY ?strategy";

/// Raw aggregation behind `tdev:RepositoryDayStatistics`. Days are UTC, taken from the
/// cycle's start as written (`YYYY-MM-DD...Z`).
pub const REPOSITORY_DAY_QUERY: &str = "SELECT ?repository ?day (COUNT(?cycle) AS ?cycles) \
 (SUM(IF(?outcome = \"passed\", 1, 0)) AS ?passedCycles) (SUM(?a) AS ?attempts) \
 (SUM(?p) AS ?passes) WHERE { \
 { SELECT ?cycle (COUNT(?attempt) AS ?a) (SUM(IF(BOUND(?passed) && ?passed, 1, 0)) AS ?p) \
   WHERE { ?cycle a tdev:Cycle . \
   OPTIONAL { ?cycle tdev:hasAttempt ?attempt . ?attempt tdev:gateDecision/tdev:passed ?passed } } \
   GROUP BY ?cycle } \
 ?cycle tdev:repository ?repository ; prov:startedAtTime ?start ; tdev:outcome ?outcome . \
 BIND(SUBSTR(STR(?start), 1, 10) AS ?day) \
 } GROUP BY ?repository ?day";

/// Raw aggregation behind `tdev:FindingKindStatistics`.
pub const FINDING_KIND_QUERY: &str = "SELECT ?kind (COUNT(?finding) AS ?findings) WHERE { \
 ?finding a tdev:Finding ; tdev:kind ?kind } GROUP BY ?kind";

/// Raw query behind `tdev:SlowestAttempts`.
pub const SLOWEST_QUERY: &str = "SELECT ?attempt ?duration WHERE { \
 ?attempt a tdev:Attempt ; tdev:durationSeconds ?duration } \
 ORDER BY DESC(?duration) STR(?attempt) LIMIT 20";

fn solutions(store: &Store, query: &str) -> Result<Vec<BTreeMap<String, Term>>> {
    let text = format!("{}{query}", vocab::PREFIXES);
    let mut prepared = SparqlEvaluator::new()
        .parse_query(&text)
        .map_err(|e| Error::Evaluation(format!("statistics query does not parse: {e}")))?;
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

fn int(row: &BTreeMap<String, Term>, var: &str) -> i64 {
    row.get(var)
        .and_then(literal_value)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn text<'a>(row: &'a BTreeMap<String, Term>, var: &str) -> Option<&'a str> {
    row.get(var).and_then(literal_value)
}

/// Recomputes all statistics from the cycle graphs by raw aggregation, replacing the old ones
/// in one transaction.
pub(crate) fn rebuild(store: &Store) -> Result<()> {
    let mut quads: Vec<Quad> = Vec::new();
    let g = || NamedNode::new_unchecked(vocab::STATS_GRAPH);
    let mut push = |s: &NamedNode, p: NamedNodeRef<'_>, o: Term| {
        quads.push(Quad::new(s.clone(), p, o, g()));
    };
    for row in solutions(store, STRATEGY_QUERY)? {
        let Some(strategy) = text(&row, "strategy") else {
            continue;
        };
        let node = strategy_node(strategy);
        push(&node, rdf::TYPE, tdev::STRATEGY_STATISTICS.into());
        push(&node, tdev::STRATEGY, Literal::from(strategy).into());
        push(
            &node,
            tdev::ATTEMPT_COUNT,
            Literal::from(int(&row, "attempts")).into(),
        );
        push(
            &node,
            tdev::PASS_COUNT,
            Literal::from(int(&row, "passes")).into(),
        );
        let ms = text(&row, "seconds").and_then(parse_millis).unwrap_or(0);
        push(
            &node,
            tdev::TOTAL_DURATION_SECONDS,
            decimal_seconds(ms).into(),
        );
    }
    for row in solutions(store, REPOSITORY_DAY_QUERY)? {
        let (Some(Term::NamedNode(repo)), Some(day)) = (row.get("repository"), text(&row, "day"))
        else {
            continue;
        };
        let name = repo.as_str().rsplit('/').next().unwrap_or_default();
        let name = percent_decode(name);
        let node = repository_day_node(&name, day);
        push(&node, rdf::TYPE, tdev::REPOSITORY_DAY_STATISTICS.into());
        push(&node, tdev::ON_REPOSITORY, repo.clone().into());
        push(
            &node,
            tdev::DAY,
            Literal::new_typed_literal(day, xsd::DATE).into(),
        );
        push(
            &node,
            tdev::CYCLE_COUNT,
            Literal::from(int(&row, "cycles")).into(),
        );
        push(
            &node,
            tdev::PASSED_CYCLE_COUNT,
            Literal::from(int(&row, "passedCycles")).into(),
        );
        push(
            &node,
            tdev::ATTEMPT_COUNT,
            Literal::from(int(&row, "attempts")).into(),
        );
        push(
            &node,
            tdev::PASS_COUNT,
            Literal::from(int(&row, "passes")).into(),
        );
    }
    for row in solutions(store, FINDING_KIND_QUERY)? {
        let Some(kind) = text(&row, "kind") else {
            continue;
        };
        let node = finding_kind_node(kind);
        push(&node, rdf::TYPE, tdev::FINDING_KIND_STATISTICS.into());
        push(&node, tdev::KIND, Literal::from(kind).into());
        push(
            &node,
            tdev::FINDING_COUNT,
            Literal::from(int(&row, "findings")).into(),
        );
    }
    let slowest = solutions(store, SLOWEST_QUERY)?;
    if !slowest.is_empty() {
        let list = slowest_node();
        push(&list, rdf::TYPE, tdev::SLOWEST_ATTEMPTS.into());
        for row in slowest {
            if let Some(attempt @ Term::NamedNode(_)) = row.get("attempt") {
                push(&list, tdev::SLOW_ATTEMPT, attempt.clone());
            }
        }
    }
    let mut tx = store.start_transaction()?;
    tx.clear_graph(stats_graph())?;
    tx.extend(quads.iter().map(Quad::as_ref));
    tx.commit()?;
    Ok(())
}

fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = segment
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_seconds_round_trip_through_millis() {
        for ms in [0, 1, 999, 1000, 1001, 123_456, -5] {
            let lit = decimal_seconds(ms);
            assert_eq!(parse_millis(lit.value()), Some(ms), "{}", lit.value());
        }
        assert_eq!(parse_millis("12.5"), Some(12_500));
        assert_eq!(parse_millis("12"), Some(12_000));
        assert_eq!(parse_millis("0.0004"), Some(0));
        assert_eq!(parse_millis("x"), None);
    }

    #[test]
    fn percent_decoding_inverts_iri_segments() {
        assert_eq!(percent_decode("a%20b%2Fc"), "a b/c");
        assert_eq!(percent_decode("plain"), "plain");
    }
}
