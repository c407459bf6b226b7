//! The server beside `tdev daemon`: the daemon's knowledge base, its cycle events at
//! `/events`, `POST /api/ask` and A2A's skills on its scheduled repositories (evolve through
//! its scheduler, within its pause and budgets), and its live numbers in `/metrics` and its
//! schedules and budgets at `/api/status`, read from the scheduler's status every few seconds
//! so that a request never waits on the scheduler.

use crate::live::Gauge;
use crate::state::{AskContext, EvolveContext, State};
use crate::{Config, serve};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tdev_app::daemon::Beside;
use tdev_schedule::DaemonStatus;

/// How often the live gauges are refreshed from the scheduler.
const REFRESH: Duration = Duration::from_secs(5);

/// The server on `listener` (bound by the caller, so that an address in use is said before
/// the daemon starts) until the daemon stops. Its failures go to the log: the daemon goes on
/// evolving without it.
pub async fn beside_daemon(config: Config, listener: std::net::TcpListener, beside: Beside) {
    let listener = match listener
        .set_nonblocking(true)
        .and_then(|()| tokio::net::TcpListener::from_std(listener))
    {
        Ok(listener) => listener,
        Err(e) => {
            tracing::error!("the HTTP server could not take its listener: {e}");
            return;
        }
    };
    let status: Arc<Mutex<Option<DaemonStatus>>> = Arc::default();
    let refresher = tokio::spawn({
        let status = Arc::clone(&status);
        let scheduler = beside.scheduler.clone();
        async move {
            loop {
                if let Ok(now) = scheduler.daemon_status().await {
                    *status.lock().unwrap_or_else(|e| e.into_inner()) = Some(now);
                }
                tokio::time::sleep(REFRESH).await;
            }
        }
    });
    let latest = move || status.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let live = {
        let latest = latest.clone();
        move || latest().as_ref().map(gauges).unwrap_or_default()
    };
    let start = {
        let scheduler = beside.scheduler.clone();
        move |request| {
            let scheduler = scheduler.clone();
            Box::pin(async move {
                scheduler
                    .request_cycle(request)
                    .await
                    .map_err(|e| e.to_string())
            }) as futures_util::future::BoxFuture<'static, _>
        }
    };
    let state = State::new(beside.knowledge, config)
        .with_events(beside.events)
        .with_live(Arc::new(live))
        .with_status(Arc::new(latest))
        .with_evolve(EvolveContext {
            repositories: beside.repositories.clone(),
            start: Arc::new(start),
        })
        .with_ask(AskContext {
            layout: beside.layout,
            config: beside.config,
            repositories: beside.repositories,
        });
    if let Err(e) = serve(listener, state, beside.stopping).await {
        tracing::error!("the HTTP server stopped: {e}");
    }
    refresher.abort();
}

/// The daemon's gauges for `/metrics`: whether it is paused or halted, the cycles running and
/// the repositories held back (its queue), each budget's use and what is left of it, and each
/// repository's open branches and next run.
pub fn gauges(status: &DaemonStatus) -> Vec<Gauge> {
    let flag = |on: bool| if on { 1.0 } else { 0.0 };
    let running = status
        .repositories
        .iter()
        .filter(|r| r.running.is_some())
        .count();
    let held = status
        .repositories
        .iter()
        .filter(|r| r.running.is_none() && r.held.is_some())
        .count();
    let budgets = &status.budgets;
    let mut out = vec![
        Gauge::new(
            "tdev_daemon_paused",
            "1 while the daemon starts no cycle (tdev pause)",
            flag(status.paused),
        ),
        Gauge::new(
            "tdev_daemon_halted",
            "1 while the kill switch is on (tdev pause --now)",
            flag(status.halted),
        ),
        Gauge::new(
            "tdev_daemon_running_cycles",
            "Cycles running now",
            running as f64,
        ),
        Gauge::new(
            "tdev_daemon_queue_length",
            "Repositories whose cycle is due and held back (paused or over a budget)",
            held as f64,
        ),
        Gauge::new(
            "tdev_daemon_cycles_last_hour",
            "Cycles started in the last hour, all repositories",
            f64::from(budgets.cycles_last_hour),
        ),
        Gauge::new(
            "tdev_daemon_spent_today_usd",
            "What today's (UTC) attempts cost",
            budgets.spent_today,
        ),
    ];
    if let Some(limit) = budgets.cycles_per_hour {
        out.push(Gauge::new(
            "tdev_daemon_cycles_left_this_hour",
            "Cycles the hourly budget allows now",
            f64::from(limit.saturating_sub(budgets.cycles_last_hour)),
        ));
    }
    if let Some(limit) = budgets.spend_per_day {
        out.push(Gauge::new(
            "tdev_daemon_spend_left_today_usd",
            "What the daily spend budget allows for the rest of the day",
            (limit - budgets.spent_today).max(0.0),
        ));
    }
    for repository in &status.repositories {
        out.push(
            Gauge::new(
                "tdev_daemon_open_branches",
                "The repository's tdev/auto/ branches waiting for review",
                f64::from(repository.open_branches),
            )
            .label("repository", &repository.name),
        );
        if let Some(next) = repository.next_run {
            out.push(
                Gauge::new(
                    "tdev_daemon_next_run_timestamp_seconds",
                    "When the repository's next cycle is due (Unix time)",
                    next.unix() as f64,
                )
                .label("repository", &repository.name),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tdev_core::Timestamp;
    use tdev_schedule::{BudgetStatus, Hold, RepositoryStatus};

    fn repository(name: &str, running: bool, held: Option<Hold>) -> RepositoryStatus {
        RepositoryStatus {
            path: format!("/src/{name}").into(),
            name: name.into(),
            schedule: "0 3 * * *".into(),
            last_run: None,
            next_run: Some(Timestamp::from_unix(1_800_000_000)),
            running: running.then(|| format!("{name}-c1")),
            held,
            cycles_last_hour: 0,
            cycles_per_hour: None,
            open_branches: 3,
            open_branches_limit: Some(10),
            leased_to: None,
        }
    }

    fn value(gauges: &[Gauge], name: &str) -> Option<f64> {
        gauges.iter().find(|g| g.name == name).map(|g| g.value)
    }

    #[test]
    fn the_gauges_count_running_and_held_cycles_and_what_the_budgets_leave() {
        let status = DaemonStatus {
            pid: 1,
            paused: true,
            halted: false,
            stopping: false,
            repositories: vec![
                repository("a", true, None),
                repository("b", false, Some(Hold::Paused)),
                repository("c", false, None),
            ],
            budgets: BudgetStatus {
                cycles_last_hour: 5,
                cycles_per_hour: Some(4),
                spent_today: 1.5,
                spend_per_day: Some(2.0),
            },
        };
        let gauges = gauges(&status);
        assert_eq!(value(&gauges, "tdev_daemon_paused"), Some(1.0));
        assert_eq!(value(&gauges, "tdev_daemon_halted"), Some(0.0));
        assert_eq!(value(&gauges, "tdev_daemon_running_cycles"), Some(1.0));
        assert_eq!(value(&gauges, "tdev_daemon_queue_length"), Some(1.0));
        // Over the budget (a cycle may start just before a lower limit is configured): none left.
        assert_eq!(
            value(&gauges, "tdev_daemon_cycles_left_this_hour"),
            Some(0.0)
        );
        assert_eq!(
            value(&gauges, "tdev_daemon_spend_left_today_usd"),
            Some(0.5)
        );
        let open: Vec<_> = gauges
            .iter()
            .filter(|g| g.name == "tdev_daemon_open_branches")
            .map(|g| (g.labels[0].1.as_str(), g.value))
            .collect();
        assert_eq!(open, [("a", 3.0), ("b", 3.0), ("c", 3.0)]);
    }

    #[test]
    fn budgets_that_are_not_configured_have_no_gauge_of_what_is_left() {
        let status = DaemonStatus {
            pid: 1,
            paused: false,
            halted: false,
            stopping: false,
            repositories: Vec::new(),
            budgets: BudgetStatus {
                cycles_last_hour: 0,
                cycles_per_hour: None,
                spent_today: 0.0,
                spend_per_day: None,
            },
        };
        let gauges = gauges(&status);
        assert_eq!(value(&gauges, "tdev_daemon_cycles_left_this_hour"), None);
        assert_eq!(value(&gauges, "tdev_daemon_spend_left_today_usd"), None);
        assert_eq!(value(&gauges, "tdev_daemon_paused"), Some(0.0));
    }
}
