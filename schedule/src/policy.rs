//! The daemon's policy: given the schedules, what it remembers, the budgets, what is in use
//! and the time, which repositories start a cycle now and which a pause or a budget holds back.
//! No clock and no IO: the caller passes `now` and the usage it measured.
//!
//! A repository is due when its schedule names a time after its anchor (its last run, else
//! when it was first scheduled) and at or before now. However many such times passed (the
//! daemon was stopped for a day, say), one cycle runs, for the latest of them: a missed run is
//! run once, not once per occurrence. A due repository that is held back stays due, and starts
//! when the pause or the budget lets it. Budgets are Renovate's kind: cycles started per hour
//! (per repository and across all), open `tdev/auto/` branches per repository, and the model
//! spend of the day (UTC).

use crate::cron::Schedule;
use crate::state::State;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use tdev_core::Timestamp;

/// A scheduled repository, as the policy sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Repository {
    /// The key its state is kept under (its path).
    pub key: String,
    /// When it is due.
    pub schedule: Schedule,
    /// At most this many of its cycles start in an hour.
    pub cycles_per_hour: Option<u32>,
    /// No cycle starts while this many of its `tdev/auto/` branches are open.
    pub open_branches: Option<u32>,
}

/// The budgets across all repositories.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Budgets {
    /// At most this many cycles start in an hour, all repositories together.
    pub cycles_per_hour: Option<u32>,
    /// No cycle starts once the cycles of the day (UTC) have cost this much.
    pub spend_per_day: Option<f64>,
}

/// What is in use now, measured by the caller.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Usage {
    /// The repositories with a cycle under way, by key.
    pub running: BTreeSet<String>,
    /// Each repository's open `tdev/auto/` branches, by key (absent: none counted).
    pub open_branches: BTreeMap<String, u32>,
    /// What the cycles of today (UTC) cost.
    pub spent_today: f64,
    /// The repositories another daemon sharing the graph holds the lease of, by key, with who
    /// holds it: this daemon starts no cycle on them.
    pub leased_elsewhere: BTreeMap<String, String>,
}

/// What to do about one repository now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "kebab-case")]
pub enum Decision {
    /// Start a cycle for the schedule's occurrence `slot`.
    Start {
        /// The occurrence.
        slot: Timestamp,
    },
    /// Not due until its next occurrence.
    Waiting,
    /// A cycle of it is under way (one at a time per repository).
    Running,
    /// Due for `slot`, but held back.
    Held {
        /// The occurrence owed.
        slot: Timestamp,
        /// Why.
        hold: Hold,
    },
}

/// Why a due repository does not start.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "kebab-case")]
pub enum Hold {
    /// Another daemon sharing the graph holds the repository's lease: it runs its cycles.
    Leased {
        /// Who holds it.
        holder: String,
    },
    /// The daemon is paused.
    Paused,
    /// The hourly budget is spent.
    CyclesPerHour {
        /// Whose budget: the repository's or all repositories'.
        scope: Scope,
        /// The budget.
        limit: u32,
    },
    /// Too many of the repository's branches wait for review.
    OpenBranches {
        /// The budget.
        limit: u32,
        /// How many are open.
        open: u32,
    },
    /// The day's model spend is reached.
    SpendPerDay {
        /// The budget.
        limit: f64,
        /// What today's cycles cost.
        spent: f64,
    },
}

/// Whose budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// The repository's own.
    Repository,
    /// All repositories together.
    Global,
}

impl fmt::Display for Hold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Leased { holder } => write!(
                f,
                "leased elsewhere: {holder}; this daemon starts no cycle on it until it holds \
                 the lease"
            ),
            Self::Paused => f.write_str("paused; `tdev resume` lets cycles start again"),
            Self::CyclesPerHour {
                scope: Scope::Repository,
                limit,
            } => write!(
                f,
                "cycles per hour: {limit} of this repository started in the last hour"
            ),
            Self::CyclesPerHour {
                scope: Scope::Global,
                limit,
            } => write!(
                f,
                "cycles per hour: {limit} started in the last hour across all repositories"
            ),
            Self::OpenBranches { limit, open } => write!(
                f,
                "open branches: {open} tdev/auto/ branches wait for review (limit {limit}); \
                 merge or delete some"
            ),
            Self::SpendPerDay { limit, spent } => write!(
                f,
                "model spend per day: {spent:.2} of {limit:.2} spent today (UTC)"
            ),
        }
    }
}

/// One repository's verdict.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    /// The repository's key.
    pub key: String,
    /// What to do now.
    pub decision: Decision,
    /// Its next occurrence after now (or after the one it runs now).
    pub next: Option<Timestamp>,
}

/// Decides, for every repository in the order given, whether a cycle starts at `now`. The
/// cycles it starts count against the budgets of those after it.
pub fn decide(
    repositories: &[Repository],
    budgets: &Budgets,
    state: &State,
    usage: &Usage,
    now: Timestamp,
) -> Vec<Verdict> {
    let mut started_all = state.started_within_hour(None, now);
    let mut verdicts = Vec::with_capacity(repositories.len());
    for repository in repositories {
        let key = repository.key.as_str();
        let next = repository.schedule.next_after(now);
        let owed = state.anchor(key).and_then(|anchor| {
            repository
                .schedule
                .latest_at_or_before(now)
                .filter(|latest| *latest > anchor)
        });
        let decision = match owed {
            _ if usage.running.contains(key) => Decision::Running,
            None => Decision::Waiting,
            Some(slot) => match hold(repository, budgets, state, usage, started_all, now) {
                Some(hold) => Decision::Held { slot, hold },
                None => {
                    started_all += 1;
                    Decision::Start { slot }
                }
            },
        };
        verdicts.push(Verdict {
            key: key.to_owned(),
            decision,
            next,
        });
    }
    verdicts
}

/// Whether a cycle asked for now, off its schedule (an agent's request through A2A or MCP),
/// may start.
#[derive(Clone, Debug, PartialEq)]
pub enum Admission {
    /// It may start.
    Start,
    /// A cycle of the repository is under way (one at a time per repository).
    Running,
    /// A pause or a budget holds it back, as it would hold back a scheduled one.
    Held(Hold),
}

/// Decides whether a cycle of `repository` asked for at `now` may start: the pause and every
/// budget apply as to a scheduled cycle, and the cycle counts against the hourly budgets once
/// started (the caller notes it with [`State::requested`]); the schedule itself is left as
/// it was, so the next scheduled run is still owed.
pub fn admit(
    repository: &Repository,
    budgets: &Budgets,
    state: &State,
    usage: &Usage,
    now: Timestamp,
) -> Admission {
    if usage.running.contains(&repository.key) {
        return Admission::Running;
    }
    let started_all = state.started_within_hour(None, now);
    match hold(repository, budgets, state, usage, started_all, now) {
        Some(hold) => Admission::Held(hold),
        None => Admission::Start,
    }
}

/// The first reason `repository` may not start now, in the order a person would fix them.
fn hold(
    repository: &Repository,
    budgets: &Budgets,
    state: &State,
    usage: &Usage,
    started_all: u32,
    now: Timestamp,
) -> Option<Hold> {
    if let Some(holder) = usage.leased_elsewhere.get(&repository.key) {
        return Some(Hold::Leased {
            holder: holder.clone(),
        });
    }
    if state.paused {
        return Some(Hold::Paused);
    }
    if let Some(limit) = repository.cycles_per_hour
        && state.started_within_hour(Some(&repository.key), now) >= limit
    {
        return Some(Hold::CyclesPerHour {
            scope: Scope::Repository,
            limit,
        });
    }
    if let Some(limit) = budgets.cycles_per_hour
        && started_all >= limit
    {
        return Some(Hold::CyclesPerHour {
            scope: Scope::Global,
            limit,
        });
    }
    let open = usage
        .open_branches
        .get(&repository.key)
        .copied()
        .unwrap_or(0);
    if let Some(limit) = repository.open_branches
        && open >= limit
    {
        return Some(Hold::OpenBranches { limit, open });
    }
    if let Some(limit) = budgets.spend_per_day
        && usage.spent_today >= limit
    {
        return Some(Hold::SpendPerDay {
            limit,
            spent: usage.spent_today,
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap()
    }

    /// One repository `a`, hourly at :00, scheduled since 00:30, after the given setup;
    /// `decision` is its verdict at `now`.
    fn check(
        now: &str,
        setup: impl FnOnce(&mut Repository, &mut Budgets, &mut State, &mut Usage),
        expected: Decision,
    ) {
        let mut repository = Repository {
            key: "a".into(),
            schedule: "0 * * * *".parse().unwrap(),
            cycles_per_hour: None,
            open_branches: None,
        };
        let (mut budgets, mut state, mut usage) =
            (Budgets::default(), State::default(), Usage::default());
        state.track(["a"], at("2026-12-03T00:30:00Z"));
        setup(&mut repository, &mut budgets, &mut state, &mut usage);
        let verdicts = decide(&[repository], &budgets, &state, &usage, at(now));
        assert_eq!(verdicts[0].decision, expected, "at {now}");
    }

    fn start(slot: &str) -> Decision {
        Decision::Start { slot: at(slot) }
    }

    fn held(slot: &str, hold: Hold) -> Decision {
        Decision::Held {
            slot: at(slot),
            hold,
        }
    }

    #[test]
    fn due_and_not_due() {
        let nothing = |_: &mut Repository, _: &mut Budgets, _: &mut State, _: &mut Usage| {};
        // Not before the first occurrence after it was scheduled.
        check("2026-12-03T00:59:59Z", nothing, Decision::Waiting);
        check(
            "2026-12-03T01:00:00Z",
            nothing,
            start("2026-12-03T01:00:00Z"),
        );
        check(
            "2026-12-03T01:00:07Z",
            nothing,
            start("2026-12-03T01:00:00Z"),
        );
        // Ran for 01:00: nothing owed until 02:00.
        let ran = |_: &mut Repository, _: &mut Budgets, s: &mut State, _: &mut Usage| {
            s.started("a", at("2026-12-03T01:00:00Z"), at("2026-12-03T01:00:03Z"));
        };
        check("2026-12-03T01:59:00Z", ran, Decision::Waiting);
        check("2026-12-03T02:00:00Z", ran, start("2026-12-03T02:00:00Z"));
        // One cycle of a repository at a time.
        let running = |_: &mut Repository, _: &mut Budgets, _: &mut State, u: &mut Usage| {
            u.running.insert("a".into());
        };
        check("2026-12-03T01:00:00Z", running, Decision::Running);
    }

    #[test]
    fn a_missed_run_after_a_restart_runs_once_for_the_latest_occurrence() {
        let ran_then_stopped =
            |_: &mut Repository, _: &mut Budgets, s: &mut State, _: &mut Usage| {
                s.started("a", at("2026-12-03T01:00:00Z"), at("2026-12-03T01:00:02Z"));
            };
        // Stopped from 01:10 to 05:20: four occurrences passed, one cycle is owed, for 05:00.
        check(
            "2026-12-03T05:20:00Z",
            ran_then_stopped,
            start("2026-12-03T05:00:00Z"),
        );
        // Once it ran for 05:00, the ones before are not owed any more.
        let caught_up = |_: &mut Repository, _: &mut Budgets, s: &mut State, _: &mut Usage| {
            s.started("a", at("2026-12-03T05:00:00Z"), at("2026-12-03T05:20:00Z"));
        };
        check("2026-12-03T05:21:00Z", caught_up, Decision::Waiting);
    }

    #[test]
    fn a_requested_cycle_is_held_as_a_scheduled_one_and_counts_against_the_hour() {
        let now = at("2026-12-03T00:40:00Z");
        let repository = Repository {
            key: "a".into(),
            schedule: "0 3 * * *".parse().unwrap(),
            cycles_per_hour: Some(1),
            open_branches: Some(2),
        };
        let (budgets, mut state, mut usage) =
            (Budgets::default(), State::default(), Usage::default());
        state.track(["a"], at("2026-12-03T00:30:00Z"));
        let admit = |state: &State, usage: &Usage| admit(&repository, &budgets, state, usage, now);
        // Not due on its schedule, and started all the same.
        assert_eq!(admit(&state, &usage), Admission::Start);
        state.requested("a", now);
        assert_eq!(state.anchor("a"), Some(at("2026-12-03T00:30:00Z")));
        assert_eq!(
            admit(&state, &usage),
            Admission::Held(Hold::CyclesPerHour {
                scope: Scope::Repository,
                limit: 1
            })
        );
        usage.running.insert("a".into());
        assert_eq!(admit(&state, &usage), Admission::Running);
        let (mut fresh, mut usage) = (State::default(), Usage::default());
        fresh.paused = true;
        assert_eq!(admit(&fresh, &usage), Admission::Held(Hold::Paused));
        fresh.paused = false;
        usage.open_branches.insert("a".into(), 2);
        assert_eq!(
            admit(&fresh, &usage),
            Admission::Held(Hold::OpenBranches { limit: 2, open: 2 })
        );
    }

    #[test]
    fn pause_and_each_budget_hold_a_due_repository_back_with_their_reason() {
        let slot = "2026-12-03T02:00:00Z";
        let now = "2026-12-03T02:00:05Z";
        let ran_at_one = |s: &mut State| {
            s.started("a", at("2026-12-03T01:00:00Z"), at("2026-12-03T01:30:00Z"));
        };
        check(now, |_, _, s, _| s.paused = true, held(slot, Hold::Paused));
        check(
            now,
            |r, _, s, _| {
                r.cycles_per_hour = Some(1);
                ran_at_one(s);
            },
            held(
                slot,
                Hold::CyclesPerHour {
                    scope: Scope::Repository,
                    limit: 1,
                },
            ),
        );
        // A start more than an hour ago no longer counts.
        check(
            "2026-12-03T02:30:01Z",
            |r, _, s, _| {
                r.cycles_per_hour = Some(1);
                ran_at_one(s);
            },
            start(slot),
        );
        check(
            now,
            |_, b, s, _| {
                b.cycles_per_hour = Some(2);
                ran_at_one(s);
                s.started("other", at(slot), at("2026-12-03T01:40:00Z"));
            },
            held(
                slot,
                Hold::CyclesPerHour {
                    scope: Scope::Global,
                    limit: 2,
                },
            ),
        );
        check(
            now,
            |r, _, _, u| {
                r.open_branches = Some(3);
                u.open_branches.insert("a".into(), 3);
            },
            held(slot, Hold::OpenBranches { limit: 3, open: 3 }),
        );
        check(
            now,
            |r, _, _, u| {
                r.open_branches = Some(3);
                u.open_branches.insert("a".into(), 2);
            },
            start(slot),
        );
        check(
            now,
            |_, b, _, u| {
                b.spend_per_day = Some(5.0);
                u.spent_today = 5.0;
            },
            held(
                slot,
                Hold::SpendPerDay {
                    limit: 5.0,
                    spent: 5.0,
                },
            ),
        );
        // Paused is said first: resuming is what a person would do first.
        check(
            now,
            |_, b, s, u| {
                s.paused = true;
                b.spend_per_day = Some(1.0);
                u.spent_today = 2.0;
            },
            held(slot, Hold::Paused),
        );
    }

    #[test]
    fn a_repository_another_daemon_holds_the_lease_of_is_held_back_first() {
        let slot = "2026-12-03T02:00:00Z";
        let now = "2026-12-03T02:00:05Z";
        let leased = |u: &mut Usage| {
            u.leased_elsewhere
                .insert("a".into(), "daemon b:/data (pid 7)".into());
        };
        let hold = Hold::Leased {
            holder: "daemon b:/data (pid 7)".into(),
        };
        check(now, |_, _, _, u| leased(u), held(slot, hold.clone()));
        // Before pause and budgets: nothing this daemon does would let it start.
        check(
            now,
            |_, _, s, u| {
                s.paused = true;
                leased(u);
            },
            held(slot, hold.clone()),
        );
        // Another repository's lease holds nothing back.
        check(
            now,
            |_, _, _, u| {
                u.leased_elsewhere.insert("b".into(), "daemon b".into());
            },
            start(slot),
        );
        // A cycle it started before losing the lease shows as running.
        check(
            now,
            |_, _, _, u| {
                leased(u);
                u.running.insert("a".into());
            },
            Decision::Running,
        );
        assert_eq!(
            hold.to_string(),
            "leased elsewhere: daemon b:/data (pid 7); this daemon starts no cycle on it until \
             it holds the lease"
        );
    }

    #[test]
    fn the_cycles_started_in_one_decision_count_against_the_global_budget() {
        let repository = |key: &str| Repository {
            key: key.into(),
            schedule: "0 * * * *".parse().unwrap(),
            cycles_per_hour: None,
            open_branches: None,
        };
        let mut state = State::default();
        state.track(["a", "b", "c"], at("2026-12-03T00:30:00Z"));
        let budgets = Budgets {
            cycles_per_hour: Some(2),
            spend_per_day: None,
        };
        let verdicts = decide(
            &[repository("a"), repository("b"), repository("c")],
            &budgets,
            &state,
            &Usage::default(),
            at("2026-12-03T01:00:00Z"),
        );
        let decisions: Vec<&Decision> = verdicts.iter().map(|v| &v.decision).collect();
        assert_eq!(
            decisions,
            [
                &start("2026-12-03T01:00:00Z"),
                &start("2026-12-03T01:00:00Z"),
                &held(
                    "2026-12-03T01:00:00Z",
                    Hold::CyclesPerHour {
                        scope: Scope::Global,
                        limit: 2
                    }
                ),
            ]
        );
        assert_eq!(verdicts[0].next, Some(at("2026-12-03T02:00:00Z")));
    }

    #[test]
    fn holds_read_as_sentences() {
        let hold = Hold::OpenBranches { limit: 2, open: 2 };
        assert_eq!(
            hold.to_string(),
            "open branches: 2 tdev/auto/ branches wait for review (limit 2); merge or delete some"
        );
    }
}
