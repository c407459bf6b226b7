//! Repository leases, when several daemons share one graph on a SPARQL server: a daemon runs
//! cycles only on the repositories whose lease it holds, renews them on the scheduler's tick
//! and releases them when it stops; `tdev evolve` holds the lease of its repository while its
//! cycles run. On the embedded store there are none: the data directory's lock already makes
//! one process its only writer, and nothing here makes a request.

use crate::{Error, Result};
use std::collections::BTreeMap;
use std::sync::mpsc;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;
use tdev_actors::ScheduledRepository;
use tdev_knowledge::{KnowledgeBase, Lease, LeaseState};

/// A daemon's leases on the repositories it schedules.
#[derive(Debug, Default)]
pub struct Leases {
    /// By repository key: the lease, and who held it at the last round (`None`: this daemon;
    /// the holder's id, not its claim, whose expiry changes with every renewal), to log only
    /// changes.
    leases: Mutex<BTreeMap<String, (Lease, Option<String>)>>,
}

impl Leases {
    /// One round over `repositories`: each lease taken, renewed or found held by another
    /// daemon. Returns the repositories this daemon may not start cycles on, by key, with who
    /// holds them (or why it cannot tell). Logs each change of holder.
    pub fn refresh(
        &self,
        knowledge: &KnowledgeBase,
        repositories: &[ScheduledRepository],
    ) -> BTreeMap<String, String> {
        let mut elsewhere = BTreeMap::new();
        let graph = &knowledge.graph;
        let mut leases = self.leases.lock().unwrap_or_else(PoisonError::into_inner);
        for repository in repositories {
            let key = &repository.policy.key;
            if !leases.contains_key(key) {
                let Some(lease) = graph.repository_lease(&repository.name) else {
                    return elsewhere;
                };
                // Unknown yet: the first round logs whatever it finds.
                leases.insert(key.clone(), (lease, Some(String::new())));
            }
            let (lease, before) = leases.get_mut(key).expect("inserted above");
            let (now, holder) = match lease.refresh(graph) {
                Ok(LeaseState::Held) => (None, None),
                Ok(LeaseState::HeldBy(claim)) => {
                    (Some(claim.holder.clone()), Some(format!("daemon {claim}")))
                }
                // Not knowing is not holding: no cycle starts until the server answers.
                Err(e) => (
                    Some("unknown".to_owned()),
                    Some(format!("unknown (the lease could not be read: {e})")),
                ),
            };
            if *before != now {
                match &holder {
                    None => tracing::info!(
                        "{}: this daemon holds the repository's lease and runs its cycles",
                        repository.name
                    ),
                    Some(holder) => tracing::info!(
                        "{}: the lease is held by {holder}; this daemon runs no cycle on it \
                         until that lease is released or lapses",
                        repository.name
                    ),
                }
            }
            if let Some(holder) = holder {
                elsewhere.insert(key.clone(), holder);
            }
            *before = now;
        }
        elsewhere
    }

    /// Releases every lease this daemon holds, so another daemon takes them at once rather
    /// than after they lapse.
    pub fn release(&self, knowledge: &KnowledgeBase) {
        let mut leases = self.leases.lock().unwrap_or_else(PoisonError::into_inner);
        for (key, (lease, _)) in leases.iter_mut() {
            if let Err(e) = lease.release(&knowledge.graph) {
                tracing::warn!("releasing the lease of {key}: {e}; it lapses on its own");
            }
        }
        leases.clear();
    }
}

/// The lease of one repository held for `tdev evolve`, renewed in the background until
/// dropped, then released.
#[derive(Debug)]
pub struct Held {
    stop: Option<mpsc::Sender<()>>,
    renewer: Option<std::thread::JoinHandle<()>>,
}

impl Held {
    /// Takes the lease of the repository `name`, when the graph is shared; the user's mistake
    /// when another daemon holds it.
    pub fn take(knowledge: &KnowledgeBase, name: &str) -> Result<Option<Self>> {
        let Some(mut lease) = knowledge.graph.repository_lease(name) else {
            return Ok(None);
        };
        match lease.refresh(&knowledge.graph)? {
            LeaseState::Held => {}
            LeaseState::HeldBy(claim) => {
                return Err(Error::user(format!(
                    "{name} is leased to daemon {claim}, which evolves it on the shared graph \
                     {}; stop that daemon (or remove the repository from its [daemon] table) \
                     or wait until its lease lapses",
                    knowledge.graph.location()
                )));
            }
        }
        let (stop, stopped) = mpsc::channel::<()>();
        let knowledge = knowledge.clone();
        let name = name.to_owned();
        let renewer = std::thread::Builder::new()
            .name("tdev-lease".into())
            .spawn(move || {
                // A round makes a request only when half of the lease has run.
                while let Err(mpsc::RecvTimeoutError::Timeout) =
                    stopped.recv_timeout(Duration::from_secs(1))
                {
                    match lease.refresh(&knowledge.graph) {
                        Ok(LeaseState::Held) => {}
                        Ok(LeaseState::HeldBy(claim)) => {
                            tracing::warn!("{name}: lost the lease to daemon {claim}");
                        }
                        Err(e) => tracing::warn!("{name}: renewing the lease: {e}"),
                    }
                }
                if let Err(e) = lease.release(&knowledge.graph) {
                    tracing::warn!("{name}: releasing the lease: {e}; it lapses on its own");
                }
            })
            .map_err(Error::io("starting the lease's renewal"))?;
        Ok(Some(Self {
            stop: Some(stop),
            renewer: Some(renewer),
        }))
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(renewer) = self.renewer.take() {
            let _ = renewer.join();
        }
    }
}
