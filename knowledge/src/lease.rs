//! Leases kept in the graph, for processes that share one graph on a SPARQL server: a daemon's
//! lease on each repository it evolves (so that two daemons never work on one repository),
//! and a writer's short lease on the running statistics (so that their read-modify-write is
//! one writer's at a time).
//!
//! Each claimant writes its own claim, a `tdev:Lease` node in the graph
//! `https://tdev.dev/graph/leases`, and removes only its own; the decisions (whose turn it
//! is, whether a claim lapsed, whether the lease is held) are `tdev_core::lease`'s, on the
//! server's clock (`NOW()`, read with the claims). The embedded store needs none of this: its
//! data directory's lock already makes one process its only writer.

use crate::backend::{Backend, Change};
use crate::graph::KnowledgeGraph;
use crate::vocab::{self, tdev};
use crate::{Error, Result};
use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{Literal, NamedNode, NamedNodeRef, Quad, Term};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use tdev_core::Timestamp;
use tdev_core::lease::{Claim, Confirmation, Step};

/// What a round of a lease found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LeaseState {
    /// This process holds the lease.
    Held,
    /// Another process does (or contends for it this round): its claim.
    HeldBy(Claim),
}

/// One process's lease on one resource (a repository, the statistics).
#[derive(Debug)]
pub struct Lease {
    resource: NamedNode,
    holder: String,
    ttl: Duration,
    /// When its claim was first made, while it has one.
    since: Option<Timestamp>,
    /// Until when it holds the lease, on this process's clock: the start of the round that
    /// confirmed it plus the lease's length, which ends no later than the claim on the
    /// server's clock.
    held_until: Option<Instant>,
}

impl Lease {
    pub(crate) fn new(resource: NamedNode, holder: &str, ttl: Duration) -> Self {
        Self {
            resource,
            holder: holder.to_owned(),
            ttl: ttl.max(Duration::from_secs(1)),
            since: None,
            held_until: None,
        }
    }

    /// The resource leased.
    pub fn resource(&self) -> &str {
        self.resource.as_str()
    }

    /// Whether this process holds the lease now, as of its last round.
    pub fn is_held(&self) -> bool {
        self.held_until.is_some_and(|until| Instant::now() < until)
    }

    /// One round: takes the lease if it is free or lapsed, renews it when half of it has run
    /// (no request before that), or says who holds it.
    pub fn refresh(&mut self, graph: &KnowledgeGraph) -> Result<LeaseState> {
        if self
            .held_until
            .is_some_and(|until| until.saturating_duration_since(Instant::now()) > self.ttl / 2)
        {
            return Ok(LeaseState::Held);
        }
        let started = Instant::now();
        let backend = graph.backend();
        let (now, claims) = read_claims(backend, &self.resource)?;
        let since = match tdev_core::lease::step(&claims, &self.holder, now) {
            Step::HeldBy(claim) => {
                self.lost();
                return Ok(LeaseState::HeldBy(claim));
            }
            Step::Withdraw(claim) => {
                withdraw(backend, &self.resource, &self.holder)?;
                self.lost();
                self.since = None;
                return Ok(LeaseState::HeldBy(claim));
            }
            Step::Claim { since } => since,
        };
        let expires = Timestamp::from_unix(
            now.unix() + i64::try_from(self.ttl.as_secs().max(1)).unwrap_or(i64::MAX / 2),
        );
        write_claim(backend, &self.resource, &self.holder, since, expires)?;
        self.since = Some(since);
        let (now, claims) = read_claims(backend, &self.resource)?;
        match tdev_core::lease::confirm(&claims, &self.holder, now) {
            Confirmation::Held => {
                self.held_until = Some(started + self.ttl);
                Ok(LeaseState::Held)
            }
            Confirmation::Contended(claim) => {
                self.lost();
                Ok(LeaseState::HeldBy(claim))
            }
            Confirmation::Lapsed => {
                self.lost();
                Err(Error::Endpoint {
                    endpoint: graph.location(),
                    message: format!(
                        "lost the claim on {} between writing and reading it: the lease of \
                         {} s is too short for how slowly the server answers; raise \
                         [knowledge] lease_secs",
                        self.resource,
                        self.ttl.as_secs()
                    ),
                })
            }
        }
    }

    /// Removes this process's claim, if it made one.
    pub fn release(&mut self, graph: &KnowledgeGraph) -> Result<()> {
        self.lost();
        if self.since.take().is_some() {
            withdraw(graph.backend(), &self.resource, &self.holder)?;
        }
        Ok(())
    }

    fn lost(&mut self) {
        self.held_until = None;
    }
}

/// The claims on `resource` and the server's time, from one query.
pub(crate) fn read_claims(
    backend: &Backend,
    resource: &NamedNode,
) -> Result<(Timestamp, Vec<Claim>)> {
    let rows = backend.select(&format!(
        "SELECT ?holder ?pid ?since ?expires ?now WHERE {{ BIND(NOW() AS ?now) \
         OPTIONAL {{ GRAPH <{}> {{ ?claim a tdev:Lease ; tdev:leaseOf {resource} ; \
         tdev:holder ?holder ; tdev:since ?since ; tdev:expires ?expires \
         OPTIONAL {{ ?claim tdev:holderPid ?pid }} }} }} }}",
        vocab::LEASES_GRAPH
    ))?;
    let text = |row: &BTreeMap<String, Term>, var: &str| match row.get(var) {
        Some(Term::Literal(l)) => Some(l.value().to_owned()),
        _ => None,
    };
    let mut now = None;
    let mut claims = Vec::new();
    for row in &rows {
        now = now.or_else(|| text(row, "now").and_then(|t| server_time(&t)));
        let (Some(holder), Some(since), Some(expires)) = (
            text(row, "holder"),
            text(row, "since").and_then(|t| server_time(&t)),
            text(row, "expires").and_then(|t| server_time(&t)),
        ) else {
            continue;
        };
        claims.push(Claim {
            holder,
            pid: text(row, "pid").and_then(|p| p.parse().ok()),
            since,
            expires,
        });
    }
    let now =
        now.ok_or_else(|| Error::Evaluation("the server did not say its time (NOW())".into()))?;
    Ok((now, claims))
}

/// Reads an `xsd:dateTime` with any time zone as UTC seconds.
fn server_time(lexical: &str) -> Option<Timestamp> {
    if let Ok(t) = Timestamp::parse(lexical) {
        return Some(t);
    }
    // `...+02:00` or `...-05:00`: the same instant is that much earlier or later in UTC.
    let (base, offset) = lexical.split_at(lexical.len().checked_sub(6)?);
    let sign = match offset.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (hours, minutes) = offset[1..].split_once(':')?;
    let shift = sign * (hours.parse::<i64>().ok()? * 3600 + minutes.parse::<i64>().ok()? * 60);
    let utc = Timestamp::parse(&format!("{base}Z")).ok()?;
    Some(Timestamp::from_unix(utc.unix() - shift))
}

fn claim_node(resource: &NamedNode, holder: &str) -> NamedNode {
    vocab::id(&["lease", resource.as_str(), holder])
}

fn leases_graph() -> NamedNode {
    NamedNode::new_unchecked(vocab::LEASES_GRAPH)
}

/// Writes (replacing) `holder`'s claim on `resource`, in one request.
fn write_claim(
    backend: &Backend,
    resource: &NamedNode,
    holder: &str,
    since: Timestamp,
    expires: Timestamp,
) -> Result<()> {
    let node = claim_node(resource, holder);
    let time = |t: Timestamp| Literal::new_typed_literal(t.to_string(), xsd::DATE_TIME);
    let quad = |p: NamedNodeRef<'_>, o: Term| Quad::new(node.clone(), p, o, leases_graph());
    let insert = Change {
        insert: vec![
            quad(rdf::TYPE, tdev::LEASE.into()),
            quad(tdev::LEASE_OF, resource.clone().into()),
            quad(tdev::HOLDER, Literal::from(holder).into()),
            quad(
                tdev::HOLDER_PID,
                Literal::from(i64::from(std::process::id())).into(),
            ),
            quad(tdev::SINCE, time(since).into()),
            quad(tdev::EXPIRES, time(expires).into()),
        ],
        ..Change::default()
    };
    backend.execute_update(&format!(
        "DELETE WHERE {{ GRAPH <{}> {{ {node} ?p ?o }} }} ;\n{}",
        vocab::LEASES_GRAPH,
        insert.to_update()
    ))
}

/// Removes `holder`'s claim on `resource`.
fn withdraw(backend: &Backend, resource: &NamedNode, holder: &str) -> Result<()> {
    backend.execute_update(&format!(
        "DELETE WHERE {{ GRAPH <{}> {{ {} ?p ?o }} }}",
        vocab::LEASES_GRAPH,
        claim_node(resource, holder)
    ))
}

/// The statistics' writer lease held for one read-modify-write; released when dropped.
pub(crate) struct Writing<'a> {
    graph: &'a KnowledgeGraph,
    lease: Lease,
}

impl<'a> Writing<'a> {
    /// Waits for the statistics' writer lease: as long as a lease lasts (a writer that died
    /// holding it is taken over then), and a minute more for the writers ahead.
    pub(crate) fn begin(graph: &'a KnowledgeGraph, holder: &str, ttl: Duration) -> Result<Self> {
        let mut lease = Lease::new(NamedNode::new_unchecked(vocab::STATS_GRAPH), holder, ttl);
        let deadline = Instant::now() + ttl + Duration::from_secs(60);
        let mut pause = Duration::from_millis(20);
        loop {
            match lease.refresh(graph)? {
                LeaseState::Held => return Ok(Self { graph, lease }),
                LeaseState::HeldBy(claim) if Instant::now() >= deadline => {
                    let _ = lease.release(graph);
                    return Err(Error::Endpoint {
                        endpoint: graph.location(),
                        message: format!(
                            "kept the statistics' writer lease with {claim} for longer than \
                             {} s; try again, or see whether that process is stuck",
                            (ttl + Duration::from_secs(60)).as_secs()
                        ),
                    });
                }
                LeaseState::HeldBy(_) => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(500));
                }
            }
        }
    }

    /// Makes sure the lease still holds before the write: renewed if half of it has run.
    pub(crate) fn renew(&mut self) -> Result<()> {
        match self.lease.refresh(self.graph)? {
            LeaseState::Held => Ok(()),
            LeaseState::HeldBy(claim) => Err(Error::Endpoint {
                endpoint: self.graph.location(),
                message: format!(
                    "lost the statistics' writer lease to {claim} before writing; nothing was \
                     written, try again"
                ),
            }),
        }
    }
}

impl Drop for Writing<'_> {
    fn drop(&mut self) {
        if let Err(e) = self.lease.release(self.graph) {
            tracing::warn!(
                "releasing the statistics' writer lease: {e}; it lapses in {} s",
                self.lease.ttl.as_secs()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_times_in_any_zone_are_read_as_utc() {
        let utc = Timestamp::parse("2026-01-02T03:04:05Z").unwrap();
        assert_eq!(server_time("2026-01-02T03:04:05Z"), Some(utc));
        assert_eq!(server_time("2026-01-02T03:04:05.123456Z"), Some(utc));
        assert_eq!(server_time("2026-01-02T05:04:05+02:00"), Some(utc));
        assert_eq!(server_time("2026-01-01T22:04:05.5-05:00"), Some(utc));
        assert_eq!(server_time("yesterday"), None);
    }
}
