//! What the daemon remembers across restarts: when each repository last ran on its schedule,
//! since when it has been scheduled, the cycles started in the last hour (for the hourly
//! budgets) and whether it is paused. Pure data and its updates; the scheduler actor writes it
//! to `<data dir>/daemon/state.json` after every change.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tdev_core::Timestamp;

/// How far back the cycles-per-hour budgets look.
pub const HOUR: i64 = 3600;

/// The daemon's persisted state.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct State {
    /// No new cycles start while paused (`tdev pause`); kept across restarts.
    pub paused: bool,
    /// Per repository, by its configured path as written.
    pub repositories: BTreeMap<String, RepositoryState>,
    /// The cycles started in the last hour, oldest first.
    pub starts: Vec<Start>,
}

/// One repository's schedule so far.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepositoryState {
    /// When the daemon first scheduled it: occurrences before this are not owed.
    pub since: Timestamp,
    /// The schedule's occurrence its last cycle ran for.
    pub last_run: Option<Timestamp>,
}

/// A cycle the daemon started.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Start {
    /// The repository's key.
    pub repository: String,
    /// When it started.
    pub at: Timestamp,
}

impl State {
    /// Begins keeping time for every repository of `keys` not known yet, from `now`, and
    /// forgets those no longer configured.
    pub fn track<'a>(&mut self, keys: impl IntoIterator<Item = &'a str>, now: Timestamp) {
        let keys: Vec<&str> = keys.into_iter().collect();
        self.repositories
            .retain(|key, _| keys.contains(&key.as_str()));
        for key in keys {
            self.repositories
                .entry(key.to_owned())
                .or_insert(RepositoryState {
                    since: now,
                    last_run: None,
                });
        }
    }

    /// The time after which the schedule's next occurrence is owed: its last run, else when
    /// it was first scheduled.
    pub fn anchor(&self, key: &str) -> Option<Timestamp> {
        let state = self.repositories.get(key)?;
        Some(
            state
                .last_run
                .map_or(state.since, |last| last.max(state.since)),
        )
    }

    /// Notes that `key`'s cycle for the occurrence `slot` started at `now`.
    pub fn started(&mut self, key: &str, slot: Timestamp, now: Timestamp) {
        if let Some(state) = self.repositories.get_mut(key) {
            state.last_run = Some(slot);
        }
        self.starts.push(Start {
            repository: key.to_owned(),
            at: now,
        });
        self.forget_before(now);
    }

    /// Notes that a cycle of `key` asked for off its schedule started at `now`: it counts
    /// against the hourly budgets, and the schedule's next run is still owed.
    pub fn requested(&mut self, key: &str, now: Timestamp) {
        self.starts.push(Start {
            repository: key.to_owned(),
            at: now,
        });
        self.forget_before(now);
    }

    /// Drops the starts older than an hour before `now`: they no longer count.
    pub fn forget_before(&mut self, now: Timestamp) {
        self.starts.retain(|s| s.at.unix() > now.unix() - HOUR);
    }

    /// How many cycles started within the hour before `now`: of `key`, or of all.
    pub fn started_within_hour(&self, key: Option<&str>, now: Timestamp) -> u32 {
        let n = self
            .starts
            .iter()
            .filter(|s| s.at.unix() > now.unix() - HOUR && s.at <= now)
            .filter(|s| key.is_none_or(|key| s.repository == key))
            .count();
        u32::try_from(n).unwrap_or(u32::MAX)
    }
}
