//! `tdev evolve`: runs evolution cycles on a repository through the supervisor tree, with
//! live progress on stderr and a summary (or the records, `--json`) on stdout.

use crate::cli::{BackendArg, EvolveArgs};
use crate::config::Config;
use crate::exit::UserError;
use anyhow::{Context as _, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use tdev_actors::{ActorKind, CycleRequest, Event, Tree, TreeConfig};
use tdev_core::{CycleRecord, Outcome, Timestamp, Trigger};

pub fn run(data_dir: &Path, config: &Config, args: EvolveArgs) -> Result<()> {
    let repo = args.repo.canonicalize().map_err(|e| {
        UserError::new(format!(
            "{}: {e}; give the repository with --repo PATH",
            args.repo.display()
        ))
    })?;
    let top = tdev_worktree::Repo::open(&repo)
        .map_err(|e| {
            UserError::new(format!(
                "{e}; tdev evolve works on a git repository with at least one commit"
            ))
        })?
        .path()
        .to_path_buf();
    if data_dir.starts_with(&top) && !args.dry_run {
        eprintln!(
            "note: the data directory {} is inside the repository; tdev writes only there and \
             keeps worktrees outside",
            data_dir.display()
        );
    }
    let name = repository_name(&top);
    let tree_config = tree_config(data_dir, config, &top)?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let records = runtime.block_on(async {
        let tree = Tree::start(tree_config)
            .await
            .map_err(|e| UserError::new(e.to_string()))?;
        let mut events = tree.subscribe();
        let printer = tokio::spawn(async move {
            while let Ok(event) = events.recv().await {
                print_event(&event);
            }
        });
        let mut records = Vec::new();
        for n in 1..=args.cycles {
            let request = CycleRequest {
                id: cycle_id(&name, n),
                repo: top.clone(),
                repository: name.clone(),
                goal: args.goal.clone(),
                max_tasks: args.max_tasks,
                trigger: Trigger::Manual,
                dry_run: args.dry_run,
                backend: match args.backend {
                    BackendArg::Auto => None,
                    BackendArg::Tools => Some("tools".into()),
                    BackendArg::Llm => Some("llm".into()),
                    BackendArg::Command => Some("command".into()),
                },
            };
            match tree.run_cycle(request).await {
                Ok(record) => records.push(record),
                Err(e) => {
                    tree.stop().await;
                    printer.abort();
                    return Err(anyhow::Error::from(e));
                }
            }
        }
        tree.stop().await;
        let _ = printer.await;
        Ok::<_, anyhow::Error>(records)
    })?;

    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &records)?;
        writeln!(out)?;
    } else {
        summary(&mut out, &records)?;
    }
    Ok(())
}

/// Where the actors keep what is not the knowledge graph: worktrees, test environments and
/// scratch space live under the per-user cache, outside every repository.
fn tree_config(data_dir: &Path, config: &Config, repo: &Path) -> Result<TreeConfig> {
    let cache = cache_dir();
    let tools_dir = tdev_tools::default_dir()
        .ok()
        .filter(|d| d.join("tdev-pins.sha256").is_file());
    let repo_key = format!(
        "{}-{:08x}",
        repository_name(repo),
        tdev_core::stable_hash(repo.display().to_string().as_bytes()) >> 32
    );
    Ok(TreeConfig {
        data_dir: data_dir.to_path_buf(),
        scan: tdev_research::ScanOptions::default(),
        gates: config.gates.clone(),
        coder: tdev_actors::CoderConfig {
            workers: config.coder.workers,
            worktrees_dir: cache.join("worktrees").join(&repo_key),
            tools_dir: tools_dir.clone(),
            llm: config.llm.clone(),
            command: config.command.clone(),
            ledger_dir: data_dir.to_path_buf(),
            publish: config.publish.clone(),
        },
        evaluator: tdev_actors::EvaluatorConfig {
            envs_dir: std::env::var_os("TDEV_TEST_ENVS")
                .map(PathBuf::from)
                .unwrap_or_else(|| cache.join("test-envs")),
            scratch_dir: cache.join("scratch"),
            // cargo's own setting first: a user who keeps builds in one place has the
            // dependencies built there already.
            cargo_target_dir: std::env::var_os("CARGO_TARGET_DIR")
                .filter(|d| !d.is_empty())
                .map(PathBuf::from)
                .unwrap_or_else(|| cache.join("targets").join(&repo_key)),
            rust_mirror_dir: cache.join("mirrors").join(&repo_key),
            tools_dir,
            limits: tdev_runner::Limits::default(),
        },
    })
}

/// `$XDG_CACHE_HOME/tdev`, else `~/.cache/tdev`.
fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir).join("tdev");
    }
    let home = std::env::var_os("HOME").unwrap_or_else(|| "/tmp".into());
    Path::new(&home).join(".cache/tdev")
}

/// The repository's directory name, reduced to what ids allow.
fn repository_name(repo: &Path) -> String {
    let name: String = repo
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "repo".into())
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    // A leading dot or dash would make ids look like options or hidden files.
    let name = name.trim_start_matches(['.', '-']).to_owned();
    if name.is_empty() { "repo".into() } else { name }
}

/// `<repo>-<UTC time>-<n>`: unique, sortable, and short enough for branch names.
fn cycle_id(repository: &str, n: u32) -> String {
    let now = Timestamp::now().to_string();
    let compact: String = now.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    format!("{repository}-{compact}-{n}")
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
                    "{already_refused} left out: the gate refused every tool's change for them on this commit"
                ));
            }
            if left_out.is_empty() {
                format!("  plan: {tasks} tasks")
            } else {
                format!("  plan: {tasks} tasks ({})", left_out.join("; "))
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
    if let Some(failed) = records.iter().find(|r| r.outcome == Outcome::Failed) {
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
