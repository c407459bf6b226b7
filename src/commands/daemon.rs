//! `tdev daemon`, and `tdev status`, `pause` and `resume`, which talk to it.

use crate::exit::{NotRunning, UserError};
use anyhow::Result;
use std::io::Write;
use tdev_app::daemon::Answer;
use tdev_app::serve::ControlRequest;
use tdev_app::{DataDir, Host, Layout};
use tdev_core::Timestamp;
use tdev_schedule::DaemonStatus;

pub fn run(data: DataDir, layout: Layout) -> Result<()> {
    // Checked before the data directory is taken, so a wrong path is the first thing said.
    tdev_app::daemon::scheduled(&data.config, &data.dir)?;
    let http = http(&data)?;
    let (host, recovered) = Host::open(data, layout)?;
    for r in &recovered {
        tracing::warn!(
            "cycle {}: recorded as aborted (interrupted; started {} by pid {})",
            r.entry.id,
            r.entry.started_at,
            r.entry.pid
        );
    }
    tdev_app::daemon::run(
        &host,
        |repositories| {
            for r in repositories {
                tracing::info!(
                    "scheduling {} ({}) at \"{}\" UTC",
                    r.name,
                    r.repo.display(),
                    r.policy.schedule
                );
            }
            tracing::info!(
                "daemon running, pid {}; `tdev status` shows it",
                std::process::id()
            );
        },
        |beside| {
            http.map(|(config, listener)| tdev_server::beside_daemon(config, listener, beside))
        },
    )?;
    Ok(())
}

/// The HTTP server's configuration and its bound listener, unless `[http] enabled = false`:
/// a token that cannot be read or an address in use is said before the daemon starts.
fn http(data: &DataDir) -> Result<Option<(tdev_server::Config, std::net::TcpListener)>> {
    if !data.config.http.enabled {
        return Ok(None);
    }
    let file = data.dir.join(tdev_app::datadir::CONFIG_FILE);
    let config = tdev_server::Config::from_table(&data.config.http).map_err(|e| {
        UserError::new(format!(
            "{}: [http]: {e}; see \"The HTTP endpoint\" in docs/user-guide.md",
            file.display()
        ))
    })?;
    let listener = std::net::TcpListener::bind(config.listen).map_err(|e| {
        UserError::new(format!(
            "cannot listen on {} ([http] listen in {}): {e}; stop what listens there, set \
             another address (port 0 takes a free one) or `enabled = false`",
            config.listen,
            file.display()
        ))
    })?;
    Ok(Some((config, listener)))
}

pub fn status(data: &DataDir, json: bool) -> Result<()> {
    let answer = tdev_app::daemon::control(&data.dir, ControlRequest::Status)?;
    let mut out = std::io::stdout().lock();
    match answer {
        Answer::Running(status) => {
            if json {
                serde_json::to_writer_pretty(&mut out, &status)?;
                writeln!(out)?;
            } else {
                print_status(&mut out, &status)?;
            }
            Ok(())
        }
        Answer::NotRunning { paused } => {
            if json {
                writeln!(
                    out,
                    "{}",
                    serde_json::json!({ "running": false, "paused": paused })
                )?;
            } else {
                writeln!(
                    out,
                    "no tdev daemon is running on {}; the next `tdev daemon` starts {}",
                    data.dir.display(),
                    if paused { "paused" } else { "scheduling" }
                )?;
            }
            Err(NotRunning.into())
        }
    }
}

pub fn pause(data: &DataDir, now: bool) -> Result<()> {
    let request = if now {
        ControlRequest::PauseNow
    } else {
        ControlRequest::Pause
    };
    match tdev_app::daemon::control(&data.dir, request)? {
        Answer::Running(status) => {
            let running = status
                .repositories
                .iter()
                .filter(|r| r.running.is_some())
                .count();
            eprintln!(
                "paused the daemon (pid {}): no new cycle starts{}",
                status.pid,
                match (now, running) {
                    (true, 0) => String::new(),
                    (true, n) =>
                        format!("; the {n} running cycle(s) finish their current attempt and stop"),
                    (false, 0) => String::new(),
                    (false, n) => format!("; the {n} running cycle(s) go on to their end"),
                }
            );
        }
        Answer::NotRunning { .. } => eprintln!(
            "no daemon is running on {}; the next `tdev daemon` starts paused",
            data.dir.display()
        ),
    }
    Ok(())
}

pub fn resume(data: &DataDir) -> Result<()> {
    match tdev_app::daemon::control(&data.dir, ControlRequest::Resume)? {
        Answer::Running(status) => {
            eprintln!(
                "resumed the daemon (pid {}): cycles start again",
                status.pid
            );
        }
        Answer::NotRunning { .. } => eprintln!(
            "no daemon is running on {}; the next `tdev daemon` starts scheduling",
            data.dir.display()
        ),
    }
    Ok(())
}

fn print_status(out: &mut impl Write, status: &DaemonStatus) -> std::io::Result<()> {
    let state = match (status.stopping, status.halted, status.paused) {
        (true, _, _) => "stopping: running cycles end their attempt",
        (_, true, _) => "paused, kill switch on: running cycles make no new attempt",
        (_, _, true) => "paused: no new cycle starts (`tdev resume`)",
        _ => "scheduling",
    };
    writeln!(out, "daemon pid {}: {state}", status.pid)?;
    let time = |t: Option<Timestamp>| t.map_or_else(|| "-".to_owned(), |t| t.to_string());
    let rows: Vec<Vec<String>> = status
        .repositories
        .iter()
        .map(|r| {
            vec![
                r.name.clone(),
                r.schedule.clone(),
                time(r.last_run),
                time(r.next_run),
                r.running.clone().unwrap_or_else(|| "-".into()),
                format!(
                    "{}/{}",
                    r.cycles_last_hour,
                    r.cycles_per_hour.map_or("-".into(), |l| l.to_string())
                ),
                format!(
                    "{}/{}",
                    r.open_branches,
                    r.open_branches_limit.map_or("-".into(), |l| l.to_string())
                ),
                r.held
                    .as_ref()
                    .map_or_else(|| "-".into(), ToString::to_string),
            ]
        })
        .collect();
    let header: Vec<String> = [
        "repository",
        "schedule (UTC)",
        "last run",
        "next run",
        "running",
        "cycles/hour",
        "open branches",
        "held by",
    ]
    .iter()
    .map(|h| (*h).to_owned())
    .collect();
    crate::table::write(out, &header, &rows)?;
    for r in &status.repositories {
        if let Some(holder) = &r.leased_to {
            writeln!(
                out,
                "{}: leased to {holder}; this daemon takes it over when that lease is \
                 released or lapses",
                r.name
            )?;
        }
    }
    let b = &status.budgets;
    writeln!(
        out,
        "\ncycles started in the last hour: {}{}",
        b.cycles_last_hour,
        b.cycles_per_hour.map_or_else(String::new, |l| format!(
            " of {l} ({} left)",
            l.saturating_sub(b.cycles_last_hour)
        ))
    )?;
    writeln!(
        out,
        "model spend today (UTC): {:.2}{}",
        b.spent_today,
        b.spend_per_day.map_or_else(String::new, |l| format!(
            " of {l:.2} ({:.2} left)",
            (l - b.spent_today).max(0.0)
        ))
    )
}
