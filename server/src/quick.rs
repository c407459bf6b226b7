//! Quick queries answered where they arrive.
//!
//! A query handed to the blocking pool costs two wake-ups of a parked thread (one to start
//! the evaluation, one to take the answer back), tens of microseconds each on a small
//! virtual machine: as much again as a query that is answered in a tenth of a millisecond.
//! So the server remembers how long each query took the last time it was answered (the
//! same text, dataset and wanted format); one that took under [`QUICK`] (the default of
//! `Config::quick_query`) is evaluated on the
//! tokio worker that took the request, as a thread-per-connection server would, and every
//! other one (new, slower, or against a remote store) on the blocking pool, where it cannot
//! hold up the rest of the server. Dashboards, `tdev ask` and scripts send the same few
//! queries again and again, so after the first answer most go the short way.
//!
//! The time limit holds on both ways. On the pool it is a timer beside the task; on a
//! worker nothing else can run while the evaluation does, so a [`Watchdog`] thread cancels
//! the evaluation's token once its deadline has passed, checking every [`TICK`] while
//! anything is under watch and sleeping otherwise.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, RandomState};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::thread::Thread;
use std::time::{Duration, Instant};
use tdev_knowledge::CancellationToken;

/// By default, a query whose last answer took less than this is answered on the worker that
/// took it.
pub(crate) const QUICK: Duration = Duration::from_millis(1);

/// How many queries' costs are remembered; past it the memory starts again (a client that
/// writes a new query each time gains nothing from it anyway).
const REMEMBERED: usize = 1024;

/// How often the watchdog looks at the deadlines while something is under watch.
const TICK: Duration = Duration::from_millis(20);

/// How many empty ticks the watchdog waits before it sleeps until woken.
const IDLE_TICKS: u32 = 50;

/// What the server knows of each query's cost, and the watchdog of the quick ones.
#[derive(Default)]
pub(crate) struct Quick {
    hasher: RandomState,
    costs: Mutex<HashMap<u64, Duration>>,
    watchdog: Watchdog,
}

impl Quick {
    /// The key under which `query` (with everything that changes its answer) is remembered.
    pub(crate) fn key(&self, query: &impl Hash) -> u64 {
        self.hasher.hash_one(query)
    }

    /// Whether the query under `key` was answered in under `bound` the last time.
    pub(crate) fn is_quick(&self, key: u64, bound: Duration) -> bool {
        let costs = self.costs.lock().unwrap_or_else(PoisonError::into_inner);
        costs.get(&key).is_some_and(|cost| *cost < bound)
    }

    /// Remembers that the query under `key` took `cost` this time.
    pub(crate) fn record(&self, key: u64, cost: Duration) {
        let mut costs = self.costs.lock().unwrap_or_else(PoisonError::into_inner);
        if costs.len() >= REMEMBERED && !costs.contains_key(&key) {
            costs.clear();
        }
        costs.insert(key, cost);
    }

    /// Cancels `token` once `limit` has passed, unless the returned guard is dropped first.
    pub(crate) fn watch(&self, limit: Duration, token: CancellationToken) -> Watch<'_> {
        self.watchdog.watch(Instant::now() + limit, token)
    }
}

/// A thread that cancels the tokens whose deadline has passed. Started on first use; it
/// ends when its [`Quick`] is dropped.
#[derive(Default)]
struct Watchdog {
    shared: Arc<Mutex<Watched>>,
    thread: OnceLock<Thread>,
}

#[derive(Default)]
struct Watched {
    next: u64,
    pending: HashMap<u64, (Instant, CancellationToken)>,
    asleep: bool,
    closed: bool,
}

/// Takes its evaluation off the watchdog's list when dropped.
pub(crate) struct Watch<'a> {
    watchdog: &'a Watchdog,
    id: u64,
}

impl Drop for Watch<'_> {
    fn drop(&mut self) {
        lock(&self.watchdog.shared).pending.remove(&self.id);
    }
}

fn lock(shared: &Mutex<Watched>) -> std::sync::MutexGuard<'_, Watched> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Watchdog {
    fn watch(&self, deadline: Instant, token: CancellationToken) -> Watch<'_> {
        let thread = self.thread.get_or_init(|| {
            let shared = Arc::clone(&self.shared);
            std::thread::Builder::new()
                .name("tdev-server-watchdog".into())
                .spawn(move || guard(&shared))
                .expect("the query watchdog's thread starts")
                .thread()
                .clone()
        });
        let mut watched = lock(&self.shared);
        let id = watched.next;
        watched.next += 1;
        watched.pending.insert(id, (deadline, token));
        if std::mem::take(&mut watched.asleep) {
            thread.unpark();
        }
        Watch { watchdog: self, id }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        lock(&self.shared).closed = true;
        if let Some(thread) = self.thread.get() {
            thread.unpark();
        }
    }
}

/// The watchdog's loop: cancel what is overdue, every [`TICK`] while anything is watched.
fn guard(shared: &Mutex<Watched>) {
    let mut idle = 0;
    loop {
        let mut watched = lock(shared);
        if watched.closed {
            return;
        }
        let now = Instant::now();
        for (deadline, token) in watched.pending.values() {
            if *deadline <= now {
                token.cancel();
            }
        }
        idle = if watched.pending.is_empty() {
            idle + 1
        } else {
            0
        };
        if idle >= IDLE_TICKS {
            watched.asleep = true;
            drop(watched);
            // Woken by the next watch, or by the drop; a spurious wake-up only ticks once.
            std::thread::park();
            idle = 0;
        } else {
            drop(watched);
            std::thread::park_timeout(TICK);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_is_quick_only_once_it_was_answered_in_under_the_bound() {
        let quick = Quick::default();
        let fast = quick.key(&("ASK {}", "json"));
        let slow = quick.key(&("SELECT * { ?s ?p ?o }", "json"));
        assert!(
            !quick.is_quick(fast, QUICK),
            "nothing is known of a new query"
        );
        quick.record(fast, QUICK / 10);
        quick.record(slow, QUICK * 3);
        assert!(quick.is_quick(fast, QUICK));
        assert!(!quick.is_quick(slow, QUICK));
        // The last answer decides: a query that became slow goes back to the pool.
        quick.record(fast, QUICK);
        assert!(!quick.is_quick(fast, QUICK));
    }

    #[test]
    fn the_same_text_for_another_format_is_another_query() {
        let quick = Quick::default();
        quick.record(quick.key(&("ASK {}", "json")), Duration::ZERO);
        assert!(!quick.is_quick(quick.key(&("ASK {}", "xml")), QUICK));
    }

    #[test]
    fn the_memory_starts_again_when_full() {
        let quick = Quick::default();
        for i in 0..REMEMBERED {
            quick.record(quick.key(&i), Duration::ZERO);
        }
        assert!(quick.is_quick(quick.key(&0usize), QUICK));
        quick.record(quick.key(&REMEMBERED), Duration::ZERO);
        assert!(
            !quick.is_quick(quick.key(&0usize), QUICK),
            "the old costs were forgotten"
        );
        assert!(quick.is_quick(quick.key(&REMEMBERED), QUICK));
    }

    #[test]
    fn the_watchdog_cancels_what_runs_past_its_limit_and_only_that() {
        let quick = Quick::default();
        let late = CancellationToken::new();
        let on_time = CancellationToken::new();
        {
            let _late = quick.watch(Duration::from_millis(30), late.clone());
            let _on_time = quick.watch(Duration::from_secs(3600), on_time.clone());
            let waited = Instant::now();
            while !late.is_cancelled() {
                assert!(
                    waited.elapsed() < Duration::from_secs(60),
                    "the overdue token was never cancelled"
                );
                std::thread::sleep(Duration::from_millis(5));
            }
        }
        assert!(!on_time.is_cancelled());
        // A token taken off the list before its deadline is left alone.
        let dropped = CancellationToken::new();
        drop(quick.watch(Duration::from_millis(1), dropped.clone()));
        std::thread::sleep(TICK * 5);
        assert!(!dropped.is_cancelled());
    }

    #[test]
    fn the_watchdog_wakes_from_its_sleep_for_a_new_watch() {
        let quick = Quick::default();
        drop(quick.watch(Duration::from_secs(3600), CancellationToken::new()));
        // Let it fall asleep.
        let waited = Instant::now();
        while !lock(&quick.watchdog.shared).asleep {
            assert!(waited.elapsed() < Duration::from_secs(60), "it never slept");
            std::thread::sleep(TICK);
        }
        let token = CancellationToken::new();
        let _watch = quick.watch(Duration::ZERO, token.clone());
        let waited = Instant::now();
        while !token.is_cancelled() {
            assert!(
                waited.elapsed() < Duration::from_secs(60),
                "the sleeping watchdog was not woken"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}
