//! Evolution cycles on one repository through the supervisor tree: the wiring of the tree
//! from the layout and the configuration, and the loop of cycles.

use crate::config::Config;
use crate::host::Host;
use crate::ids;
use crate::journal::Entry;
use crate::layout::Layout;
use crate::{Error, Result};
use std::path::{Path, PathBuf};
use tdev_actors::{CycleRequest, Event, Tree, TreeConfig};
use tdev_core::{CycleRecord, Trigger};
use tdev_planner::{BackendChoice, Backends};

/// The goal of a cycle nobody gave one.
pub const DEFAULT_GOAL: &str = "improve overall quality";
/// At most this many tasks per cycle unless told otherwise.
pub const DEFAULT_MAX_TASKS: usize = 5;

/// What `tdev evolve` was asked to do.
#[derive(Clone, Debug)]
pub struct EvolveOptions {
    /// The repository (any directory inside its working tree).
    pub repo: PathBuf,
    /// How many cycles, one after the other.
    pub cycles: u32,
    /// The goal in words.
    pub goal: String,
    /// At most this many tasks per cycle.
    pub max_tasks: usize,
    /// Research and plan only.
    pub dry_run: bool,
    /// Which backends may change code (`--backend`).
    pub backend: BackendChoice,
}

/// The repository `options.repo` is in, checked: its top level.
pub fn repository_top(repo: &Path) -> Result<PathBuf> {
    let repo = repo.canonicalize().map_err(|e| {
        Error::user(format!(
            "{}: {e}; give the repository with --repo PATH",
            repo.display()
        ))
    })?;
    let opened = tdev_worktree::Repo::open(&repo).map_err(|e| match e {
        tdev_worktree::Error::NotARepository { .. }
        | tdev_worktree::Error::BareRepository { .. }
        | tdev_worktree::Error::NoCommits { .. } => Error::user(format!(
            "{e}; tdev evolve works on a git repository with at least one commit"
        )),
        // A repository git refuses says what to do itself (a user error all the same).
        e => e.into(),
    })?;
    Ok(opened.path().to_path_buf())
}

/// What `choice` can use with `config`: naming a backend the configuration lacks (`--backend
/// llm` without `[llm]`, `--backend command` without `[command]`) is a mistake said at once,
/// since every task it would take could not start.
pub fn backends(choice: BackendChoice, config: &Config, data_dir: &Path) -> Result<Backends> {
    let missing = |flag: &str, table: &str| {
        Err(Error::user(format!(
            "--backend {flag} needs {table} in {}; see docs/backends.md",
            data_dir.join(crate::datadir::CONFIG_FILE).display()
        )))
    };
    match choice {
        BackendChoice::Llm if config.llm.is_none() => missing("llm", "an [llm] table"),
        BackendChoice::Command if config.command.is_none() => {
            missing("command", "a [command] table")
        }
        _ => Ok(Backends::new(
            choice,
            config.llm.is_some(),
            config.command.is_some(),
        )),
    }
}

/// Runs the cycles, calling `on_event` with every event of the tree (progress), and returns
/// their records, failed cycles included. Each cycle is journalled while it runs, so a kill
/// leaves it for the next [`Host::open`] to record as aborted and clean up.
pub fn evolve(
    host: &Host,
    options: &EvolveOptions,
    on_event: impl Fn(&Event) + Send + 'static,
) -> Result<Vec<CycleRecord>> {
    let top = repository_top(&options.repo)?;
    let name = ids::repository_name(&top);
    let data = host.data();
    backends(options.backend, &data.config, &data.dir)?;
    let config = tree_config(host.layout(), &data.dir, &data.config);
    let knowledge = host.knowledge().clone();
    // On a graph shared with daemons, the repository is this process's while its cycles run.
    let _lease = crate::lease::Held::take(&knowledge, &name)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Error::io("starting the async runtime"))?;
    runtime.block_on(async {
        let tree = Tree::start_with(config, knowledge).await?;
        let mut events = tree.subscribe();
        let printer = tokio::spawn(async move {
            while let Ok(event) = events.recv().await {
                on_event(&event);
            }
        });
        let mut records = Vec::new();
        for n in 1..=options.cycles {
            let request = CycleRequest {
                id: unused_cycle_id(host.knowledge(), host.journal(), &name, n)?,
                repo: top.clone(),
                repository: name.clone(),
                goal: options.goal.clone(),
                max_tasks: options.max_tasks,
                trigger: Trigger::Manual,
                dry_run: options.dry_run,
                backend: options.backend,
            };
            let entry = Entry {
                id: request.id.clone(),
                repository: request.repository.clone(),
                repo: request.repo.clone(),
                goal: request.goal.clone(),
                trigger: request.trigger,
                started_at: tdev_core::Timestamp::now(),
                pid: std::process::id(),
            };
            if let Err(e) = host.journal().begin(&entry) {
                tree.stop().await;
                printer.abort();
                return Err(e);
            }
            match tree.run_cycle(request).await {
                Ok(record) => {
                    host.journal().end(&record.id)?;
                    records.push(record);
                }
                Err(e) => {
                    tree.stop().await;
                    printer.abort();
                    return Err(e.into());
                }
            }
        }
        tree.stop().await;
        let _ = printer.await;
        Ok(records)
    })
}

/// A cycle id no recorded or journalled cycle has: ids name the time to the second, and two
/// runs started within one second (a run right after an interrupted one, say) would otherwise
/// share one, and the later would be taken for the earlier.
pub(crate) fn unused_cycle_id(
    knowledge: &tdev_knowledge::KnowledgeBase,
    journal: &crate::journal::Journal,
    name: &str,
    n: u32,
) -> Result<String> {
    let base = ids::cycle_id(name, n);
    let mut id = base.clone();
    let mut k = 1;
    while knowledge.graph.has_cycle(&id)? || journal.contains(&id) {
        k += 1;
        id = format!("{base}-{k}");
    }
    Ok(id)
}

/// Where the actors keep what is not the knowledge graph: worktrees, test environments and
/// scratch space live in the cache, outside every repository.
pub fn tree_config(layout: &Layout, data_dir: &Path, config: &Config) -> TreeConfig {
    let tools_dir = layout.installed_tools().map(Path::to_path_buf);
    TreeConfig {
        data_dir: data_dir.to_path_buf(),
        // Research tells test files as the gate does, so the cycle and its scan agree.
        scan: tdev_research::ScanOptions {
            test_patterns: config.gates.test_integrity.patterns.clone(),
            ..tdev_research::ScanOptions::default()
        },
        gates: config.gates.clone(),
        coder: tdev_actors::CoderConfig {
            workers: config.coder.workers,
            worktrees_dir: layout.worktrees.clone(),
            tools_dir: tools_dir.clone(),
            llm: config.llm.clone(),
            command: config.command.clone(),
            ledger_dir: data_dir.to_path_buf(),
            publish: config.publish.clone(),
        },
        evaluator: tdev_actors::EvaluatorConfig {
            envs_dir: layout.test_envs.clone(),
            scratch_dir: layout.scratch.clone(),
            cargo_target_dir: layout.cargo_target_dir.clone(),
            targets_dir: layout.targets.clone(),
            mirrors_dir: layout.mirrors.clone(),
            tools_dir,
            limits: tdev_runner::Limits::default(),
        },
        max_cycles: tdev_actors::DEFAULT_MAX_CYCLES,
        estimator: crate::plan::estimator(),
        stale_after: config.learn.stale_after(),
        attempts: tdev_actors::AttemptSwitch::default(),
        scheduler: None,
    }
}
