//! Running statistics: per-strategy, per-repository-day and per-finding-kind counts, each
//! strategy's counts per repository (with the gate conditions it failed, the cycles it was
//! attempted in, how many and the newest, and one of the gate's reasons) and per task kind,
//! each learned model's current version, and the slowest attempts, kept in the named graph
//! `https://tdev.dev/graph/stats`.
//!
//! Aggregating a million triples for every question takes hundreds of milliseconds; reading a
//! few counters takes well under one. The writer updates the counters in the same transaction
//! as the cycle it records, from a mirror in memory ([`Statistics`]) so that a write needs no
//! read, and they can never disagree with the cycle graphs; after changes
//! that bypass the writer (bulk load, SPARQL UPDATE) they are rebuilt from the raw data by the
//! very aggregation queries they stand in for ([`rebuild`]).

use crate::Result;
use crate::backend::{Backend, Change};
use crate::record::{self, attempt_iri, decimal_seconds, millis};
use crate::vocab::{self, tdev};
use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{
    GraphNameRef, Literal, NamedNode, NamedNodeRef, NamedOrBlankNode, Quad, Term,
};
use oxigraph::store::{Store, Transaction};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use tdev_core::{CycleRecord, ModelRecord, Outcome};

/// How many of the slowest attempts are kept.
pub const SLOWEST_KEPT: usize = 20;

fn stats_graph() -> GraphNameRef<'static> {
    stats_graph_node().into()
}

fn stats_graph_node() -> NamedNodeRef<'static> {
    NamedNodeRef::new_unchecked(vocab::STATS_GRAPH)
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

fn repository_strategy_node(repository: &str, strategy: &str) -> NamedNode {
    vocab::id(&["stats", "repository", repository, "strategy", strategy])
}

fn failed_condition_node(repository: &str, strategy: &str, condition: &str) -> NamedNode {
    vocab::id(&[
        "stats",
        "repository",
        repository,
        "strategy",
        strategy,
        "condition",
        condition,
    ])
}

fn kind_strategy_node(kind: &str, strategy: &str) -> NamedNode {
    vocab::id(&["stats", "kind", kind, "strategy", strategy])
}

fn model_node(name: &str) -> NamedNode {
    vocab::id(&["stats", "model", name])
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

/// The increments one record brings to a strategy.
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

/// How a counter's value is written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Unit {
    /// `xsd:integer`.
    Count,
    /// `xsd:decimal` seconds, exact to the millisecond.
    Millis,
}

impl Unit {
    fn literal(self, value: i64) -> Literal {
        match self {
            Self::Count => Literal::from(value),
            Self::Millis => decimal_seconds(value),
        }
    }

    fn parse(self, lexical: &str) -> Option<i64> {
        match self {
            Self::Count => lexical.parse().ok(),
            Self::Millis => parse_millis(lexical),
        }
    }
}

/// Every counter predicate of the statistics graph.
const COUNTERS: [(NamedNodeRef<'static>, Unit); 6] = [
    (tdev::ATTEMPT_COUNT, Unit::Count),
    (tdev::PASS_COUNT, Unit::Count),
    (tdev::TOTAL_DURATION_SECONDS, Unit::Millis),
    (tdev::CYCLE_COUNT, Unit::Count),
    (tdev::PASSED_CYCLE_COUNT, Unit::Count),
    (tdev::FINDING_COUNT, Unit::Count),
];

type Key = (NamedNode, NamedNodeRef<'static>);

/// Slowest first; ties broken by IRI, exactly as [`SLOWEST_QUERY`] orders them.
fn rank(a: &(i64, NamedNode), b: &(i64, NamedNode)) -> std::cmp::Ordering {
    b.0.cmp(&a.0).then(a.1.cmp(&b.1))
}

/// One counter of the mirror: its value and the literal the graph holds for it.
#[derive(Clone)]
struct Counter {
    unit: Unit,
    value: i64,
    /// What the graph holds now; `None` for a counter not yet written.
    stored: Option<Term>,
}

/// A text of the mirror (a strategy's sample reason) and the literal the graph holds for it.
#[derive(Clone)]
struct Text {
    value: String,
    /// What the graph holds now; `None` for a text not yet written.
    stored: Option<Term>,
}

/// A link of the mirror that only moves forward (the newest cycle a strategy was attempted
/// in, the current version of a model) and the node the graph holds for it.
#[derive(Clone)]
struct Link {
    value: NamedNode,
    /// What the graph holds now; `None` for a link not yet written.
    stored: Option<Term>,
}

/// Every link predicate of the statistics graph.
const LINKS: [NamedNodeRef<'static>; 2] = [tdev::LAST_ATTEMPTED_IN, tdev::CURRENT_MODEL];

/// Whether `candidate` is further on than `current` for a link of `predicate`: a model of a
/// higher version (the last segment of its IRI), a cycle of a greater IRI (tdev's cycle ids
/// begin with the repository and the UTC start time).
fn later(predicate: NamedNodeRef<'_>, candidate: &NamedNode, current: &NamedNode) -> bool {
    if predicate == tdev::CURRENT_MODEL {
        let version = |model: &NamedNode| {
            model
                .as_str()
                .rsplit('/')
                .next()
                .and_then(|v| v.parse::<u64>().ok())
        };
        return version(candidate) > version(current);
    }
    candidate.as_str() > current.as_str()
}

/// The running statistics and the repository descriptions, mirrored in memory so that writing
/// cycles needs no read of them.
///
/// The mirror is exact while every write goes through `KnowledgeGraph`, which the data
/// directory's lock (and RocksDB's own) guarantees for a store on disk. Writes that bypass the
/// writer (bulk load, SPARQL UPDATE) rebuild the statistics and drop the mirror, which is then
/// reloaded from the graph.
#[derive(Clone, Default)]
pub(crate) struct Statistics {
    counters: HashMap<Key, Counter>,
    texts: HashMap<Key, Text>,
    links: HashMap<Key, Link>,
    slowest: Vec<(i64, NamedNode)>,
    repositories: HashMap<NamedNode, Vec<Quad>>,
}

/// What writing a batch of records does to the statistics graph and the repositories graph,
/// and the mirror to keep once the write has committed.
pub(crate) struct Update {
    remove: Vec<Quad>,
    insert: Vec<Quad>,
    after: Statistics,
}

impl Update {
    /// How many stored statistics values the update replaces.
    pub(crate) fn replaced(&self) -> usize {
        self.remove.len()
    }

    /// Adds the update's quads to a transaction.
    pub(crate) fn write(&self, tx: &mut Transaction<'_>) {
        for quad in &self.remove {
            tx.remove(quad);
        }
        tx.extend(&self.insert);
    }

    /// Adds the update's quads to a change for a shared graph.
    pub(crate) fn add_to(self, change: &mut Change) {
        change.remove.extend(self.remove);
        change.insert.extend(self.insert);
    }
}

fn stats_quad(s: &NamedNode, p: NamedNodeRef<'_>, o: impl Into<Term>) -> Quad {
    Quad::new(
        s.clone(),
        p,
        o,
        NamedNode::new_unchecked(vocab::STATS_GRAPH),
    )
}

/// The node whose `tdev:statisticsPending` marks statistics left behind by an interrupted
/// import.
fn pending_marker() -> Quad {
    stats_quad(
        &vocab::id(&["stats"]),
        tdev::STATISTICS_PENDING,
        Literal::from(true),
    )
}

/// Marks the statistics as not yet covering data being imported, before a bulk import.
pub(crate) fn mark_pending(store: &Store) -> Result<()> {
    Ok(store.insert(&pending_marker())?)
}

/// Clears the marker of [`mark_pending`] in the transaction that brings the statistics up to
/// date.
pub(crate) fn clear_pending(tx: &mut Transaction<'_>) {
    tx.remove(&pending_marker());
}

/// Rebuilds statistics written before tdev kept them per repository and strategy and per
/// task kind, so that a data directory made by an older tdev answers `tdev ask` from them
/// at once. Such statistics have a strategy's counts and none per repository.
pub(crate) fn upgrade(store: &Store) -> Result<()> {
    let has = |class: NamedNodeRef<'_>| -> Result<bool> {
        let first = store
            .quads_for_pattern(
                None,
                Some(rdf::TYPE),
                Some(class.into()),
                Some(stats_graph()),
            )
            .next()
            .transpose()?;
        Ok(first.is_some())
    };
    let linked = |predicate: NamedNodeRef<'_>| -> Result<bool> {
        let first = store
            .quads_for_pattern(None, Some(predicate), None, Some(stats_graph()))
            .next()
            .transpose()?;
        Ok(first.is_some())
    };
    let any_model = store
        .quads_for_pattern(None, Some(rdf::TYPE), Some(tdev::MODEL.into()), None)
        .next()
        .transpose()?
        .is_some();
    let per_repository = has(tdev::REPOSITORY_STRATEGY_STATISTICS)?;
    let why = if has(tdev::STRATEGY_STATISTICS)? && !per_repository {
        Some("per-repository strategy counts")
    } else if per_repository && !linked(tdev::LAST_ATTEMPTED_IN)? {
        Some("the newest cycle of each strategy")
    } else if any_model && !has(tdev::MODEL_STATISTICS)? {
        Some("each model's current version")
    } else {
        None
    };
    if let Some(what) = why {
        tracing::info!("the statistics predate {what}; rebuilding them");
        rebuild(&Backend::Local(store.clone()))?;
    }
    Ok(())
}

impl Statistics {
    /// Reads the statistics and repository graphs. Statistics an interrupted import left
    /// behind are rebuilt first.
    pub(crate) fn load(backend: &Backend) -> Result<Self> {
        let repositories = NamedNodeRef::new_unchecked(vocab::REPOSITORIES_GRAPH);
        let (stats, repositories, durations) = match backend {
            Backend::Local(store) => {
                if store.contains(&pending_marker())? {
                    tracing::warn!("an earlier import was interrupted; rebuilding the statistics");
                    rebuild(backend)?;
                }
                let stats: Vec<Quad> = store
                    .quads_for_pattern(None, None, None, Some(stats_graph()))
                    .collect::<std::result::Result<_, _>>()?;
                let mut durations = HashMap::new();
                for quad in &stats {
                    if quad.predicate.as_ref() == tdev::SLOW_ATTEMPT
                        && let Term::NamedNode(attempt) = &quad.object
                    {
                        let duration = store
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
                            durations.insert(attempt.clone(), ms);
                        }
                    }
                }
                let repositories = store
                    .quads_for_pattern(None, None, None, Some(repositories.into()))
                    .collect::<std::result::Result<_, _>>()?;
                (stats, repositories, durations)
            }
            Backend::Remote(_) => {
                let stats = backend.graph_quads(stats_graph_node())?;
                let mut durations = HashMap::new();
                for row in backend.select(
                    "SELECT ?attempt ?seconds WHERE { GRAPH <https://tdev.dev/graph/stats> { \
                     ?list tdev:slowAttempt ?attempt } ?attempt tdev:durationSeconds ?seconds }",
                )? {
                    if let (Some(Term::NamedNode(attempt)), Some(ms)) = (
                        row.get("attempt"),
                        row.get("seconds")
                            .and_then(literal_value)
                            .and_then(parse_millis),
                    ) {
                        durations.insert(attempt.clone(), ms);
                    }
                }
                (stats, backend.graph_quads(repositories)?, durations)
            }
        };
        Ok(Self::from_quads(stats, repositories, &durations))
    }

    /// The mirror of the statistics graph's quads and the repositories graph's, given the
    /// durations of the slowest attempts.
    fn from_quads(
        stats_quads: Vec<Quad>,
        repository_quads: Vec<Quad>,
        durations: &HashMap<NamedNode, i64>,
    ) -> Self {
        let mut stats = Self::default();
        for quad in stats_quads {
            let NamedOrBlankNode::NamedNode(node) = quad.subject else {
                continue;
            };
            if quad.predicate.as_ref() == tdev::SAMPLE_REASON
                && let Term::Literal(value) = quad.object
            {
                let text = Text {
                    value: value.value().to_owned(),
                    stored: Some(value.into()),
                };
                stats.texts.insert((node, tdev::SAMPLE_REASON), text);
                continue;
            }
            if let Some(predicate) = LINKS.into_iter().find(|p| *p == quad.predicate.as_ref())
                && let Term::NamedNode(value) = &quad.object
            {
                let link = Link {
                    value: value.clone(),
                    stored: Some(value.clone().into()),
                };
                stats.links.insert((node, predicate), link);
                continue;
            }
            let Term::Literal(value) = quad.object else {
                if quad.predicate.as_ref() == tdev::SLOW_ATTEMPT
                    && let Term::NamedNode(attempt) = quad.object
                    && let Some(ms) = durations.get(&attempt)
                {
                    stats.slowest.push((*ms, attempt));
                }
                continue;
            };
            let counter = COUNTERS.iter().find(|(p, _)| *p == quad.predicate.as_ref());
            if let Some((predicate, unit)) = counter
                && let Some(n) = unit.parse(value.value())
            {
                let counter = Counter {
                    unit: *unit,
                    value: n,
                    stored: Some(value.into()),
                };
                stats.counters.insert((node, *predicate), counter);
            }
        }
        stats.slowest.sort_by(rank);
        for quad in repository_quads {
            if let NamedOrBlankNode::NamedNode(repo) = &quad.subject {
                stats
                    .repositories
                    .entry(repo.clone())
                    .or_default()
                    .push(quad);
            }
        }
        stats
    }

    /// What writing `records` (valid, not yet recorded) does to the statistics.
    pub(crate) fn plan(&self, records: &[CycleRecord]) -> Update {
        self.plan_with(|after, insert| {
            for record in records {
                after.add(record, insert);
            }
        })
    }

    /// What recording `models` (trained after their cycle was recorded) does to the
    /// statistics: each name's current version.
    pub(crate) fn plan_models(&self, models: &[ModelRecord]) -> Update {
        self.plan_with(|after, insert| after.add_models(models, insert))
    }

    /// The update that `change` (counting into a copy of the mirror, quads describing new
    /// nodes to the list it is given) makes.
    fn plan_with(&self, change: impl FnOnce(&mut Self, &mut Vec<Quad>)) -> Update {
        let mut after = self.clone();
        let mut insert = Vec::new();
        change(&mut after, &mut insert);
        let mut remove = Vec::new();
        // A value that changed: the one the graph holds out, the new one in.
        let mut rewrite = |key: &Key, value: Term, stored: &mut Option<Term>| {
            if let Some(old) = stored.replace(value.clone()) {
                remove.push(stats_quad(&key.0, key.1, old));
            }
            insert.push(stats_quad(&key.0, key.1, value));
        };
        for (key, counter) in &mut after.counters {
            if self
                .counters
                .get(key)
                .is_none_or(|old| old.value != counter.value)
            {
                let value = counter.unit.literal(counter.value).into();
                rewrite(key, value, &mut counter.stored);
            }
        }
        for (key, text) in &mut after.texts {
            if self
                .texts
                .get(key)
                .is_none_or(|old| old.value != text.value)
            {
                let value = Literal::from(text.value.as_str()).into();
                rewrite(key, value, &mut text.stored);
            }
        }
        for (key, link) in &mut after.links {
            if self
                .links
                .get(key)
                .is_none_or(|old| old.value != link.value)
            {
                rewrite(key, link.value.clone().into(), &mut link.stored);
            }
        }
        let list = slowest_node();
        if self.slowest.is_empty() && !after.slowest.is_empty() {
            insert.push(stats_quad(&list, rdf::TYPE, tdev::SLOWEST_ATTEMPTS));
        }
        for (_, old) in self.slowest.iter().filter(|o| !after.slowest.contains(o)) {
            remove.push(stats_quad(&list, tdev::SLOW_ATTEMPT, old.clone()));
        }
        for (_, new) in after.slowest.iter().filter(|n| !self.slowest.contains(n)) {
            insert.push(stats_quad(&list, tdev::SLOW_ATTEMPT, new.clone()));
        }
        for (repo, description) in &after.repositories {
            let old = self.repositories.get(repo);
            let unchanged = old.is_some_and(|old| {
                old.len() == description.len() && description.iter().all(|q| old.contains(q))
            });
            if !unchanged {
                remove.extend(old.into_iter().flatten().cloned());
                insert.extend(description.iter().cloned());
            }
        }
        Update {
            remove,
            insert,
            after,
        }
    }

    /// Keeps the mirror of a committed update.
    pub(crate) fn commit(&mut self, update: Update) {
        *self = update.after;
    }

    fn bump(&mut self, node: &NamedNode, predicate: NamedNodeRef<'static>, unit: Unit, delta: i64) {
        self.counters
            .entry((node.clone(), predicate))
            .or_insert(Counter {
                unit,
                value: 0,
                stored: None,
            })
            .value += delta;
    }

    fn is_new(&self, node: &NamedNode, first_counter: NamedNodeRef<'static>) -> bool {
        !self.counters.contains_key(&(node.clone(), first_counter))
    }

    /// Moves a link to `to` if that is further on than where it points.
    fn advance(&mut self, node: &NamedNode, predicate: NamedNodeRef<'static>, to: &NamedNode) {
        match self.links.entry((node.clone(), predicate)) {
            std::collections::hash_map::Entry::Occupied(mut link) => {
                if later(predicate, to, &link.get().value) {
                    link.get_mut().value = to.clone();
                }
            }
            std::collections::hash_map::Entry::Vacant(empty) => {
                empty.insert(Link {
                    value: to.clone(),
                    stored: None,
                });
            }
        }
    }

    /// Points each model name at its current version.
    fn add_models(&mut self, models: &[ModelRecord], describe: &mut Vec<Quad>) {
        for m in models {
            let node = model_node(&m.name);
            let key = (node.clone(), tdev::CURRENT_MODEL);
            if !self.links.contains_key(&key) {
                describe.push(stats_quad(&node, rdf::TYPE, tdev::MODEL_STATISTICS));
                describe.push(stats_quad(
                    &node,
                    tdev::NAME,
                    Literal::from(m.name.as_str()),
                ));
            }
            self.advance(
                &node,
                tdev::CURRENT_MODEL,
                &record::model_iri(&m.name, m.version),
            );
        }
    }

    /// Counts one record; quads describing nodes it creates go to `describe`.
    fn add(&mut self, record: &CycleRecord, describe: &mut Vec<Quad>) {
        let repo = vocab::repository(&record.repository.name);
        self.repositories
            .insert(repo.clone(), record::repository_quads(record));

        // Keyed by the strategy as written, which is how the statistics name it.
        let mut strategies: BTreeMap<String, Counts> = BTreeMap::new();
        let (mut attempts, mut passes) = (0, 0);
        for a in &record.attempts {
            let counts = strategies.entry(a.strategy.to_string()).or_default();
            counts.attempts += 1;
            counts.passes += i64::from(a.gate.passed);
            counts.millis += millis(a.duration_secs);
            attempts += 1;
            passes += i64::from(a.gate.passed);
        }
        for (strategy, counts) in &strategies {
            let node = strategy_node(strategy);
            if self.is_new(&node, tdev::ATTEMPT_COUNT) {
                describe.push(stats_quad(&node, rdf::TYPE, tdev::STRATEGY_STATISTICS));
                describe.push(stats_quad(
                    &node,
                    tdev::STRATEGY,
                    Literal::from(strategy.as_str()),
                ));
            }
            self.bump(&node, tdev::ATTEMPT_COUNT, Unit::Count, counts.attempts);
            self.bump(&node, tdev::PASS_COUNT, Unit::Count, counts.passes);
            self.bump(
                &node,
                tdev::TOTAL_DURATION_SECONDS,
                Unit::Millis,
                counts.millis,
            );
        }

        self.add_per_repository(record, &strategies, describe);
        self.add_per_kind(record, describe);
        self.add_models(&record.models, describe);

        let day = record.started_at.date();
        let node = repository_day_node(&record.repository.name, &day);
        if self.is_new(&node, tdev::CYCLE_COUNT) {
            let date = Literal::new_typed_literal(day, xsd::DATE);
            describe.push(stats_quad(
                &node,
                rdf::TYPE,
                tdev::REPOSITORY_DAY_STATISTICS,
            ));
            describe.push(stats_quad(&node, tdev::ON_REPOSITORY, repo));
            describe.push(stats_quad(&node, tdev::DAY, date));
        }
        let passed = i64::from(record.outcome == Outcome::Passed);
        self.bump(&node, tdev::CYCLE_COUNT, Unit::Count, 1);
        self.bump(&node, tdev::PASSED_CYCLE_COUNT, Unit::Count, passed);
        self.bump(&node, tdev::ATTEMPT_COUNT, Unit::Count, attempts);
        self.bump(&node, tdev::PASS_COUNT, Unit::Count, passes);

        let mut kinds: BTreeMap<&str, i64> = BTreeMap::new();
        for f in &record.findings {
            *kinds.entry(f.kind.as_str()).or_default() += 1;
        }
        for (kind, count) in kinds {
            let node = finding_kind_node(kind);
            if self.is_new(&node, tdev::FINDING_COUNT) {
                describe.push(stats_quad(&node, rdf::TYPE, tdev::FINDING_KIND_STATISTICS));
                describe.push(stats_quad(&node, tdev::KIND, Literal::from(kind)));
            }
            self.bump(&node, tdev::FINDING_COUNT, Unit::Count, count);
        }

        // The bounded list of slowest attempts.
        let floor = self.slowest.get(SLOWEST_KEPT - 1).cloned();
        let candidates = record
            .attempts
            .iter()
            .map(|a| (millis(a.duration_secs), attempt_iri(&record.id, a)))
            .filter(|c| floor.as_ref().is_none_or(|floor| rank(c, floor).is_lt()));
        let before = self.slowest.len();
        self.slowest.extend(candidates);
        if self.slowest.len() > before {
            self.slowest.sort_by(rank);
            self.slowest.truncate(SLOWEST_KEPT);
        }
    }
}

impl Statistics {
    /// Counts one record's attempts per strategy on its repository: attempts, passes and
    /// seconds (`strategies`, already counted per strategy), the cycle, the failed gate
    /// conditions and the first of the gate's reasons.
    fn add_per_repository(
        &mut self,
        record: &CycleRecord,
        strategies: &BTreeMap<String, Counts>,
        describe: &mut Vec<Quad>,
    ) {
        let name = record.repository.name.as_str();
        let repo = vocab::repository(name);
        let cycle = record::cycle_iri(&record.id);
        for (strategy, counts) in strategies {
            let node = repository_strategy_node(name, strategy);
            if self.is_new(&node, tdev::ATTEMPT_COUNT) {
                describe.push(stats_quad(
                    &node,
                    rdf::TYPE,
                    tdev::REPOSITORY_STRATEGY_STATISTICS,
                ));
                describe.push(stats_quad(&node, tdev::ON_REPOSITORY, repo.clone()));
                describe.push(stats_quad(
                    &node,
                    tdev::STRATEGY,
                    Literal::from(strategy.as_str()),
                ));
            }
            self.bump(&node, tdev::ATTEMPT_COUNT, Unit::Count, counts.attempts);
            self.bump(&node, tdev::PASS_COUNT, Unit::Count, counts.passes);
            self.bump(
                &node,
                tdev::TOTAL_DURATION_SECONDS,
                Unit::Millis,
                counts.millis,
            );
            describe.push(stats_quad(&node, tdev::ATTEMPTED_IN, cycle.clone()));
            self.bump(&node, tdev::CYCLE_COUNT, Unit::Count, 1);
            self.advance(&node, tdev::LAST_ATTEMPTED_IN, &cycle);
        }
        // A condition counts once per attempt, as the graph holds it once per gate.
        let mut conditions: BTreeMap<(String, &str), i64> = BTreeMap::new();
        for a in &record.attempts {
            let strategy = a.strategy.to_string();
            let failed: BTreeSet<&str> = a.gate.failed.iter().map(String::as_str).collect();
            for condition in failed {
                *conditions.entry((strategy.clone(), condition)).or_default() += 1;
            }
            if a.gate.passed {
                continue;
            }
            let node = repository_strategy_node(name, &strategy);
            for reason in a.gate.reasons.iter().filter(|r| !r.is_empty()) {
                let text = self
                    .texts
                    .entry((node.clone(), tdev::SAMPLE_REASON))
                    .or_insert_with(|| Text {
                        value: reason.clone(),
                        stored: None,
                    });
                if *reason < text.value {
                    text.value.clone_from(reason);
                }
            }
        }
        for ((strategy, condition), count) in conditions {
            let node = failed_condition_node(name, &strategy, condition);
            if self.is_new(&node, tdev::ATTEMPT_COUNT) {
                describe.push(stats_quad(
                    &node,
                    rdf::TYPE,
                    tdev::FAILED_CONDITION_STATISTICS,
                ));
                describe.push(stats_quad(&node, tdev::ON_REPOSITORY, repo.clone()));
                describe.push(stats_quad(
                    &node,
                    tdev::STRATEGY,
                    Literal::from(strategy.as_str()),
                ));
                describe.push(stats_quad(
                    &node,
                    tdev::GATE_CONDITION,
                    Literal::from(condition),
                ));
            }
            self.bump(&node, tdev::ATTEMPT_COUNT, Unit::Count, count);
        }
    }

    /// Counts one record's attempts per task kind and strategy (an attempt whose task the
    /// record does not list has no kind, and is not counted, as in the training rows).
    fn add_per_kind(&mut self, record: &CycleRecord, describe: &mut Vec<Quad>) {
        let kinds: HashMap<&str, &str> = record
            .tasks
            .iter()
            .map(|t| (t.id.as_str(), t.kind.as_str()))
            .collect();
        let mut counts: BTreeMap<(&str, String), Counts> = BTreeMap::new();
        for a in &record.attempts {
            let Some(kind) = kinds.get(a.task.as_str()) else {
                continue;
            };
            let entry = counts.entry((kind, a.strategy.to_string())).or_default();
            entry.attempts += 1;
            entry.passes += i64::from(a.gate.passed);
        }
        for ((kind, strategy), counts) in counts {
            let node = kind_strategy_node(kind, &strategy);
            if self.is_new(&node, tdev::ATTEMPT_COUNT) {
                describe.push(stats_quad(&node, rdf::TYPE, tdev::KIND_STRATEGY_STATISTICS));
                describe.push(stats_quad(&node, tdev::KIND, Literal::from(kind)));
                describe.push(stats_quad(
                    &node,
                    tdev::STRATEGY,
                    Literal::from(strategy.as_str()),
                ));
            }
            self.bump(&node, tdev::ATTEMPT_COUNT, Unit::Count, counts.attempts);
            self.bump(&node, tdev::PASS_COUNT, Unit::Count, counts.passes);
        }
    }
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

/// Raw aggregation behind the counts of `tdev:RepositoryStrategyStatistics`.
pub const REPOSITORY_STRATEGY_QUERY: &str = "SELECT ?repository ?strategy \
 (COUNT(?attempt) AS ?attempts) (SUM(IF(?passed, 1, 0)) AS ?passes) \
 (SUM(?duration) AS ?seconds) WHERE { \
 ?cycle a tdev:Cycle ; tdev:repository ?repository ; tdev:hasAttempt ?attempt . \
 ?attempt tdev:strategy ?strategy ; tdev:durationSeconds ?duration ; \
 tdev:gateDecision/tdev:passed ?passed } GROUP BY ?repository ?strategy";

/// Raw query behind `tdev:sampleReason`: the first (in code-point order) non-empty reason of
/// a failed gate, per repository and strategy.
pub const SAMPLE_REASON_QUERY: &str = "SELECT ?repository ?strategy (MIN(?why) AS ?reason) \
 WHERE { ?cycle a tdev:Cycle ; tdev:repository ?repository ; tdev:hasAttempt ?attempt . \
 ?attempt tdev:strategy ?strategy ; tdev:gateDecision ?gate . \
 ?gate tdev:passed false ; tdev:reason ?why FILTER(STR(?why) != \"\") } \
 GROUP BY ?repository ?strategy";

/// Raw query behind `tdev:attemptedIn`.
pub const ATTEMPTED_IN_QUERY: &str = "SELECT DISTINCT ?repository ?strategy ?cycle WHERE { \
 ?cycle a tdev:Cycle ; tdev:repository ?repository ; tdev:hasAttempt ?attempt . \
 ?attempt tdev:strategy ?strategy }";

/// Raw aggregation behind `tdev:ModelStatistics`.
pub const CURRENT_MODEL_QUERY: &str = "SELECT ?name (MAX(?version) AS ?current) WHERE { \
 ?model a tdev:Model ; tdev:name ?name ; tdev:version ?version } GROUP BY ?name";

/// Raw aggregation behind `tdev:FailedConditionStatistics`.
pub const FAILED_CONDITION_QUERY: &str = "SELECT ?repository ?strategy ?condition \
 (COUNT(DISTINCT ?attempt) AS ?attempts) WHERE { \
 ?cycle a tdev:Cycle ; tdev:repository ?repository ; tdev:hasAttempt ?attempt . \
 ?attempt tdev:strategy ?strategy ; tdev:gateDecision/tdev:failedCondition ?condition } \
 GROUP BY ?repository ?strategy ?condition";

/// Raw aggregation behind `tdev:KindStrategyStatistics`.
pub const KIND_STRATEGY_QUERY: &str = "SELECT ?kind ?strategy (COUNT(?attempt) AS ?attempts) \
 (SUM(IF(?passed, 1, 0)) AS ?passes) WHERE { \
 ?attempt a tdev:Attempt ; tdev:task ?task ; tdev:strategy ?strategy ; \
 tdev:gateDecision/tdev:passed ?passed . ?task tdev:kind ?kind } GROUP BY ?kind ?strategy";

/// Raw aggregation behind `tdev:FindingKindStatistics`.
pub const FINDING_KIND_QUERY: &str = "SELECT ?kind (COUNT(?finding) AS ?findings) WHERE { \
 ?finding a tdev:Finding ; tdev:kind ?kind } GROUP BY ?kind";

/// Raw query behind `tdev:SlowestAttempts`.
pub const SLOWEST_QUERY: &str = "SELECT ?attempt ?duration WHERE { \
 ?attempt a tdev:Attempt ; tdev:durationSeconds ?duration } \
 ORDER BY DESC(?duration) STR(?attempt) LIMIT 20";

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
pub(crate) fn rebuild(backend: &Backend) -> Result<()> {
    let quads = rebuild_quads(backend)?;
    replace(backend, quads)
}

/// The statistics the raw aggregation gives.
pub(crate) fn rebuild_quads(backend: &Backend) -> Result<Vec<Quad>> {
    let solutions = |query: &str| backend.select(query);
    let mut quads: Vec<Quad> = Vec::new();
    let mut push = |s: &NamedNode, p: NamedNodeRef<'_>, o: Term| {
        let graph = NamedNode::new_unchecked(vocab::STATS_GRAPH);
        quads.push(Quad::new(s.clone(), p, o, graph));
    };
    let count = |row: &BTreeMap<String, Term>, var: &str| Term::from(Literal::from(int(row, var)));
    for row in solutions(STRATEGY_QUERY)? {
        let Some(strategy) = text(&row, "strategy") else {
            continue;
        };
        let node = strategy_node(strategy);
        let ms = text(&row, "seconds").and_then(parse_millis).unwrap_or(0);
        push(&node, rdf::TYPE, tdev::STRATEGY_STATISTICS.into());
        push(&node, tdev::STRATEGY, Literal::from(strategy).into());
        push(&node, tdev::ATTEMPT_COUNT, count(&row, "attempts"));
        push(&node, tdev::PASS_COUNT, count(&row, "passes"));
        push(
            &node,
            tdev::TOTAL_DURATION_SECONDS,
            decimal_seconds(ms).into(),
        );
    }
    for row in solutions(REPOSITORY_DAY_QUERY)? {
        let (Some(Term::NamedNode(repo)), Some(day)) = (row.get("repository"), text(&row, "day"))
        else {
            continue;
        };
        // The inverse of `vocab::repository`: the name is the IRI's last segment.
        let name = percent_decode(repo.as_str().rsplit('/').next().unwrap_or_default());
        let node = repository_day_node(&name, day);
        let date = Literal::new_typed_literal(day, xsd::DATE);
        push(&node, rdf::TYPE, tdev::REPOSITORY_DAY_STATISTICS.into());
        push(&node, tdev::ON_REPOSITORY, repo.clone().into());
        push(&node, tdev::DAY, date.into());
        push(&node, tdev::CYCLE_COUNT, count(&row, "cycles"));
        push(&node, tdev::PASSED_CYCLE_COUNT, count(&row, "passedCycles"));
        push(&node, tdev::ATTEMPT_COUNT, count(&row, "attempts"));
        push(&node, tdev::PASS_COUNT, count(&row, "passes"));
    }
    for row in solutions(FINDING_KIND_QUERY)? {
        let Some(kind) = text(&row, "kind") else {
            continue;
        };
        let node = finding_kind_node(kind);
        push(&node, rdf::TYPE, tdev::FINDING_KIND_STATISTICS.into());
        push(&node, tdev::KIND, Literal::from(kind).into());
        push(&node, tdev::FINDING_COUNT, count(&row, "findings"));
    }
    // The inverse of `vocab::repository`: the name is the IRI's last segment.
    let repository_name = |row: &BTreeMap<String, Term>| match row.get("repository") {
        Some(Term::NamedNode(repo)) => Some((
            repo.clone(),
            percent_decode(repo.as_str().rsplit('/').next().unwrap_or_default()),
        )),
        _ => None,
    };
    for row in solutions(REPOSITORY_STRATEGY_QUERY)? {
        let (Some((repo, name)), Some(strategy)) = (repository_name(&row), text(&row, "strategy"))
        else {
            continue;
        };
        let node = repository_strategy_node(&name, strategy);
        let ms = text(&row, "seconds").and_then(parse_millis).unwrap_or(0);
        push(
            &node,
            rdf::TYPE,
            tdev::REPOSITORY_STRATEGY_STATISTICS.into(),
        );
        push(&node, tdev::ON_REPOSITORY, repo.into());
        push(&node, tdev::STRATEGY, Literal::from(strategy).into());
        push(&node, tdev::ATTEMPT_COUNT, count(&row, "attempts"));
        push(&node, tdev::PASS_COUNT, count(&row, "passes"));
        push(
            &node,
            tdev::TOTAL_DURATION_SECONDS,
            decimal_seconds(ms).into(),
        );
    }
    for row in solutions(SAMPLE_REASON_QUERY)? {
        let (Some((_, name)), Some(strategy), Some(reason)) = (
            repository_name(&row),
            text(&row, "strategy"),
            text(&row, "reason"),
        ) else {
            continue;
        };
        let node = repository_strategy_node(&name, strategy);
        push(&node, tdev::SAMPLE_REASON, Literal::from(reason).into());
    }
    // How many cycles, and the newest, per repository and strategy.
    let mut cycles: BTreeMap<NamedNode, (i64, NamedNode)> = BTreeMap::new();
    for row in solutions(ATTEMPTED_IN_QUERY)? {
        let (Some((_, name)), Some(strategy), Some(Term::NamedNode(cycle))) = (
            repository_name(&row),
            text(&row, "strategy"),
            row.get("cycle"),
        ) else {
            continue;
        };
        let node = repository_strategy_node(&name, strategy);
        push(&node, tdev::ATTEMPTED_IN, cycle.clone().into());
        let entry = cycles.entry(node).or_insert((0, cycle.clone()));
        entry.0 += 1;
        if later(tdev::LAST_ATTEMPTED_IN, cycle, &entry.1) {
            entry.1 = cycle.clone();
        }
    }
    for (node, (count, newest)) in cycles {
        push(&node, tdev::CYCLE_COUNT, Literal::from(count).into());
        push(&node, tdev::LAST_ATTEMPTED_IN, newest.into());
    }
    for row in solutions(CURRENT_MODEL_QUERY)? {
        let (Some(name), Some(version)) = (
            text(&row, "name"),
            text(&row, "current").and_then(|v| v.parse::<u32>().ok()),
        ) else {
            continue;
        };
        let node = model_node(name);
        push(&node, rdf::TYPE, tdev::MODEL_STATISTICS.into());
        push(&node, tdev::NAME, Literal::from(name).into());
        push(
            &node,
            tdev::CURRENT_MODEL,
            record::model_iri(name, version).into(),
        );
    }
    for row in solutions(FAILED_CONDITION_QUERY)? {
        let (Some((repo, name)), Some(strategy), Some(condition)) = (
            repository_name(&row),
            text(&row, "strategy"),
            text(&row, "condition"),
        ) else {
            continue;
        };
        let node = failed_condition_node(&name, strategy, condition);
        push(&node, rdf::TYPE, tdev::FAILED_CONDITION_STATISTICS.into());
        push(&node, tdev::ON_REPOSITORY, repo.into());
        push(&node, tdev::STRATEGY, Literal::from(strategy).into());
        push(&node, tdev::GATE_CONDITION, Literal::from(condition).into());
        push(&node, tdev::ATTEMPT_COUNT, count(&row, "attempts"));
    }
    for row in solutions(KIND_STRATEGY_QUERY)? {
        let (Some(kind), Some(strategy)) = (text(&row, "kind"), text(&row, "strategy")) else {
            continue;
        };
        let node = kind_strategy_node(kind, strategy);
        push(&node, rdf::TYPE, tdev::KIND_STRATEGY_STATISTICS.into());
        push(&node, tdev::KIND, Literal::from(kind).into());
        push(&node, tdev::STRATEGY, Literal::from(strategy).into());
        push(&node, tdev::ATTEMPT_COUNT, count(&row, "attempts"));
        push(&node, tdev::PASS_COUNT, count(&row, "passes"));
    }
    let slowest = solutions(SLOWEST_QUERY)?;
    if !slowest.is_empty() {
        let list = slowest_node();
        push(&list, rdf::TYPE, tdev::SLOWEST_ATTEMPTS.into());
        for row in slowest {
            if let Some(attempt @ Term::NamedNode(_)) = row.get("attempt") {
                push(&list, tdev::SLOW_ATTEMPT, attempt.clone());
            }
        }
    }
    Ok(quads)
}

/// Replaces the statistics graph with `quads`, in one transaction or update request.
pub(crate) fn replace(backend: &Backend, quads: Vec<Quad>) -> Result<()> {
    match backend {
        Backend::Local(store) => {
            let mut tx = store.start_transaction()?;
            tx.clear_graph(stats_graph())?;
            tx.extend(quads.iter().map(Quad::as_ref));
            tx.commit()?;
            Ok(())
        }
        Backend::Remote(_) => backend.apply(&Change {
            drop: vec![stats_graph_node().into_owned().into()],
            insert: quads,
            ..Change::default()
        }),
    }
}

fn percent_decode(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment)
        .decode_utf8_lossy()
        .into_owned()
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
