//! `tdev evolve`: runs evolution cycles on a repository through the supervisor tree, with
//! live progress on stderr and a summary (or the records, `--json`) on stdout.

use crate::cli::{BackendArg, EvolveArgs};
use anyhow::Result;
use std::io::Write;
use std::path::Path;
use tdev_actors::{ActorKind, Event, Learned};
use tdev_app::journal::Recovered;
use tdev_app::serve::{ControlRequest, Controlled};
use tdev_app::{BackendChoice, DataDir, EvolveOptions, Host, Layout};
use tdev_core::{CycleRecord, Outcome};

pub fn run(data: DataDir, layout: Layout, args: EvolveArgs) -> Result<()> {
    let options = EvolveOptions {
        repo: args.repo.clone(),
        cycles: args.cycles,
        goal: args.goal.clone(),
        max_tasks: args.max_tasks,
        dry_run: args.dry_run,
        backend: match args.backend {
            BackendArg::Auto => BackendChoice::Auto,
            BackendArg::Tools => BackendChoice::Tools,
            BackendArg::Llm => BackendChoice::Llm,
            BackendArg::Command => BackendChoice::Command,
        },
    };
    // Checked before the data directory is taken, so a wrong path or a backend that is not
    // configured is the first thing said.
    let top = tdev_app::evolve::repository_top(&options.repo)?;
    tdev_app::evolve::backends(options.backend, &data.config, &data.dir)?;
    if data.dir.starts_with(&top) && !args.dry_run {
        eprintln!(
            "note: the data directory {} is inside the repository; tdev writes only there and \
             keeps worktrees outside",
            data.dir.display()
        );
    }
    let dir = data.dir.clone();
    let (host, recovered) = Host::open(data, layout).map_err(|e| beside_daemon(e, &dir))?;
    for r in &recovered {
        print_recovered(r);
    }
    let records = tdev_app::evolve(&host, &options, print_event)?;
    drop(host);

    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &records)?;
        writeln!(out)?;
    } else {
        summary(&mut out, &records)?;
    }
    Ok(())
}

/// `e`, with a word on what to do instead when it is a daemon that holds the data directory
/// `dir`: `tdev evolve` cannot run beside it, and the daemon starts cycles itself.
fn beside_daemon(e: tdev_app::Error, dir: &Path) -> anyhow::Error {
    let held = matches!(
        &e,
        tdev_app::Error::Knowledge(tdev_knowledge::Error::Locked { .. })
    );
    if held
        && let Ok(Controlled::Daemon(status)) =
            tdev_app::serve::control(dir, ControlRequest::Status)
    {
        return tdev_app::Error::user(e.to_string())
            .with_hint(format!(
                "note: it is the tdev daemon (pid {}), which runs the cycles of the repositories \
                 its tdev.toml lists on their schedules (`tdev status` shows when); an agent \
                 asks it for a cycle now with `tdev mcp`'s start_cycle tool or A2A's evolve \
                 skill",
                status.pid
            ))
            .into();
    }
    e.into()
}

/// Says what recovering an interrupted cycle did.
fn print_recovered(r: &Recovered) {
    eprintln!(
        "cycle {}: recorded as aborted (interrupted; started {} by pid {})",
        r.entry.id, r.entry.started_at, r.entry.pid
    );
    match (&r.cleaned, &r.not_cleaned) {
        (Some(cleaned), _) => {
            if !cleaned.worktrees.is_empty() || !cleaned.deleted.is_empty() {
                eprintln!(
                    "  removed {} worktree(s) and {} branch(es) it left in {}",
                    cleaned.worktrees.len(),
                    cleaned.deleted.len(),
                    r.entry.repo.display()
                );
            }
            for branch in &cleaned.with_commits {
                eprintln!(
                    "  {branch} held a change whose gate decision was never recorded; a later \
                     cycle makes it again"
                );
            }
        }
        (None, Some(why)) => eprintln!("  could not clean {}: {why}", r.entry.repo.display()),
        (None, None) => {}
    }
}

/// Reasons one after the other: the gate's are sentences, others are joined by semicolons.
fn sentences(reasons: &[String]) -> String {
    let mut out = String::new();
    for reason in reasons {
        if !out.is_empty() {
            out.push_str(if out.ends_with('.') { " " } else { "; " });
        }
        out.push_str(reason);
    }
    out
}

fn print_event(event: &Event) {
    let line = match event {
        Event::CycleStarted { cycle, repository } => {
            format!("cycle {cycle}: started on {repository}")
        }
        Event::Researched {
            findings, files, ..
        } => {
            format!("  research: {findings} findings in {files} files")
        }
        Event::Planned {
            tasks,
            already_proposed,
            already_refused,
            needs_model,
            estimated_by,
            ..
        } => {
            let mut left_out = Vec::new();
            if *already_proposed > 0 {
                left_out.push(format!(
                    "{already_proposed} findings left out: a change for them waits on a tdev/auto/ branch"
                ));
            }
            if *already_refused > 0 {
                left_out.push(format!(
                    "{already_refused} left out: every tool's change for them was refused on this commit"
                ));
            }
            if let Some(needs) = needs_model {
                left_out.push(needs.to_string());
            }
            let estimates = format!("estimates by {estimated_by}");
            if left_out.is_empty() {
                format!("  plan: {tasks} tasks, {estimates}")
            } else {
                format!(
                    "  plan: {tasks} tasks, {estimates} ({})",
                    left_out.join("; ")
                )
            }
        }
        Event::AttemptStarted {
            task,
            number,
            strategy,
            ..
        } => {
            format!("  {task} attempt {number}: trying {strategy}")
        }
        Event::AttemptFinished {
            task,
            number,
            passed,
            reasons,
            branch,
            ..
        } => match (passed, branch) {
            (true, Some(branch)) => {
                format!("  {task} attempt {number}: passed the gate, kept on {branch}")
            }
            _ => format!(
                "  {task} attempt {number}: {}",
                if reasons.is_empty() {
                    "failed".to_owned()
                } else {
                    sentences(reasons)
                }
            ),
        },
        Event::CycleFinished {
            cycle,
            outcome,
            reason,
        } => match reason {
            Some(reason) => format!("cycle {cycle}: {} ({reason})", outcome.as_str()),
            None => format!("cycle {cycle}: {}", outcome.as_str()),
        },
        Event::Learned { learned, .. } => format!("  learn: {}", learned_line(learned)),
        Event::ActorRestarted { actor, reason } => {
            format!(
                "  the {} actor failed and was restarted: {reason}",
                ActorKind::name(*actor)
            )
        }
        _ => return,
    };
    eprintln!("{line}");
}

/// The Learn phase in one line: the version kept and how it did on the cycle's attempts, or
/// why the models in use stay.
fn learned_line(learned: &Result<Learned, String>) -> String {
    let scores = |e: &tdev_learners::Evaluation| {
        let mut parts = vec![format!("{} attempts held out", e.rows)];
        if let Some(within) = e.effort_within {
            parts.push(format!("{:.0}% of durations within ±30%", within * 100.0));
        }
        if let Some(brier) = e.brier {
            parts.push(format!("Brier {brier:.3}"));
        }
        parts.join(", ")
    };
    match learned {
        Ok(Learned::Kept {
            version,
            rows,
            held_out,
        }) => match held_out {
            Some(e) => format!(
                "planner models v{version} trained on {rows} attempts and kept ({})",
                scores(e)
            ),
            None => format!("planner models v{version} trained on {rows} attempts (the first)"),
        },
        Ok(Learned::Refused {
            version,
            candidate,
            previous,
        }) => format!(
            "a retrained model did worse on this cycle's attempts than v{version} ({} against {}); v{version} stays",
            scores(candidate),
            scores(previous)
        ),
        Ok(Learned::Nothing { why }) => format!("nothing new to learn: {why}"),
        Err(reason) => format!("retraining failed, the models in use stay: {reason}"),
    }
}

fn summary(out: &mut impl Write, records: &[CycleRecord]) -> std::io::Result<()> {
    let rows: Vec<Vec<String>> = records
        .iter()
        .map(|r| {
            let branches: Vec<&str> = r
                .attempts
                .iter()
                .filter(|a| a.gate.passed)
                .filter_map(|a| a.change.as_ref().map(|c| c.branch.as_str()))
                .collect();
            vec![
                r.id.clone(),
                r.outcome.as_str().to_owned(),
                r.findings.len().to_string(),
                r.tasks.len().to_string(),
                r.attempts.len().to_string(),
                if branches.is_empty() {
                    "-".into()
                } else {
                    branches.join(" ")
                },
            ]
        })
        .collect();
    let header: Vec<String> = [
        "cycle", "outcome", "findings", "tasks", "attempts", "branches",
    ]
    .iter()
    .map(|h| (*h).to_owned())
    .collect();
    crate::table::write(out, &header, &rows)?;
    if let Some(failed) = records
        .iter()
        .find(|r| matches!(r.outcome, Outcome::Failed | Outcome::Aborted))
    {
        writeln!(
            out,
            "\n{}: {}",
            failed.id,
            failed.failure_reason.as_deref().unwrap_or("failed")
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::sentences;

    #[test]
    fn gate_reasons_read_as_sentences_and_others_are_separated() {
        let reasons = |r: &[&str]| r.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            sentences(&reasons(&["It rose by 1.", "Coverage fell.", "no change"])),
            "It rose by 1. Coverage fell. no change"
        );
        assert_eq!(
            sentences(&reasons(&["the command failed", "it timed out"])),
            "the command failed; it timed out"
        );
    }
}
