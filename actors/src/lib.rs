//! tdev's supervisor tree: the actors that run an evolution cycle, and how they survive
//! their own failures.
//!
//! ```text
//! tdev (Root: one-for-one, at most 5 restarts a minute, then the tree stops)
//! ├── research    scans the repository: metrics, churn, findings        (tdev-research)
//! ├── planner     findings + goal -> plan of tasks, a DAG               (tdev-planner)
//! ├── coder       pool of N workers, one-for-one, bounded               (tdev-worktree,
//! │   ├── worker  a worktree per attempt, a backend makes the change;     codemods, tools, LLM)
//! │   └── worker  keeps passing changes on tdev/auto/ branches
//! ├── evaluator   baseline and after: metrics, the target's own tests    (tdev-runner,
//! │               in a sandbox, security; the gate decides                tdev-gates)
//! ├── curator     sole writer of the knowledge graph and pattern index   (tdev-knowledge)
//! └── scheduler   the daemon only: cron ticks, budgets, pause and the    (tdev-schedule)
//!                 kill switch; starts cycles through the root
//! ```
//!
//! The root drives each cycle (`cycle.rs`): research, plan, then up to three attempts per
//! task (code, evaluate, gate; keep or discard), the tasks of one parallel group of the plan
//! at the same time, then the curator records everything. Every child, and every coder worker
//! (restarted by the pool), is restarted when it fails; the cycle it was serving ends as a
//! failed cycle with the reason, and the next cycle runs on the restarted actor. A cycle the
//! curator itself could not record is kept by the root and recorded before the next one.
//! Progress is broadcast as [`Event`]s to every [`Tree::subscribe`]r, and traced as `tracing`
//! spans: a `cycle` span with its phases', tasks' and attempts' spans below it, carried in the
//! messages from actor to actor (`trace.rs` draws them).
//!
//! The scheduler runs only in the daemon (`TreeConfig::scheduler`): it asks the policy of
//! `tdev-schedule` which repositories are due and allowed, and sends their cycles to the root
//! as `tdev evolve` does, through a [`DaemonHost`] that journals them. Restarted when it
//! fails, it reads its state back from its file. The kill switch ([`AttemptSwitch`]) is looked
//! at by every cycle before each attempt.
//!
//! Each actor has one message enum; requests carry an `RpcReplyPort`; work that blocks (scans,
//! test runs, git) runs on tokio's blocking pool so the tree stays responsive.
#![warn(missing_docs)]

mod coder;
mod curator;
mod cycle;
mod error;
mod evaluator;
mod event;
mod fault;
mod learn;
mod planner;
mod pool;
mod research;
mod restarts;
mod root;
mod rust;
mod scheduler;
mod trace;

pub use coder::{
    AttemptJob, AttemptOutput, CoderConfig, DEFAULT_CODER_WORKERS, NoChange, ProducedChange,
};
pub use curator::{CuratorMsg, History, Lesson};
pub use cycle::CycleRequest;
pub use error::{PhaseError, Unknown};
pub use evaluator::{EvaluatorConfig, EvaluatorMsg, Verdict};
pub use event::{ActorKind, Event};
pub use learn::{CurrentModels, Learned, MAX_TRAINING_ROWS, MODEL_NAME, load_latest};
pub use planner::PlannerMsg;
pub use pool::CoderMsg;
pub use research::ResearchMsg;
pub use root::{CycleStatus, RootMsg};
pub use scheduler::{
    DEFAULT_TICK, DaemonHost, HostError, Refused, Requested, ScheduledRepository, SchedulerConfig,
    SchedulerMsg, StateFile,
};

use ractor::rpc::CallResult;
use ractor::{Actor, ActorRef};
use std::path::PathBuf;
use tdev_core::CycleRecord;
use tokio::sync::broadcast;

/// Errors of the tree itself; a cycle's own failures are in its record.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The tree could not start (the data directory is in use, say).
    #[error("the actors could not start: {0}")]
    Start(String),
    /// The tree stopped (too many restarts) or is not answering.
    #[error("the actors stopped: {0}")]
    Stopped(String),
    /// The daemon's state file could not be read or written.
    #[error("the daemon's state {}: {message}", path.display())]
    State {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The tree runs no scheduler (it is not the daemon's).
    #[error("no scheduler runs in this process")]
    NoScheduler,
}

/// Result of the tree's operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything the actors need to know, read once at start.
#[derive(Clone, Debug)]
pub struct TreeConfig {
    /// The data directory (the curator's graph and index, worktrees, test environments).
    pub data_dir: PathBuf,
    /// How research scans.
    pub scan: tdev_research::ScanOptions,
    /// The gate policy.
    pub gates: tdev_gates::Policy,
    /// The coder's settings.
    pub coder: coder::CoderConfig,
    /// The evaluator's settings.
    pub evaluator: evaluator::EvaluatorConfig,
    /// At most this many cycles run at once (of different repositories: one repository's
    /// cycles always run one after the other); at least 1.
    pub max_cycles: usize,
    /// How the planner estimates tasks: `tdev_planner::HeuristicEstimator` until the learners
    /// train models, which then take its place here.
    pub estimator: tdev_planner::SharedEstimator,
    /// How long a proposed branch may stay open, neither merged nor deleted, before a cycle
    /// labels it stale (`[learn] stale_after_days`).
    pub stale_after: std::time::Duration,
    /// The kill switch: when on, cycles make no new attempt.
    pub attempts: AttemptSwitch,
    /// The daemon's schedules; `None` for `tdev evolve`.
    pub scheduler: Option<SchedulerConfig>,
}

/// The kill switch every cycle looks at before it starts an attempt: on, a running cycle ends
/// its current attempt and starts no other (its remaining tasks are not attempted).
#[derive(Clone, Debug, Default)]
pub struct AttemptSwitch(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl AttemptSwitch {
    /// Turns it on.
    pub fn halt(&self) {
        self.0.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Turns it off.
    pub fn release(&self) {
        self.0.store(false, std::sync::atomic::Ordering::SeqCst);
    }

    /// Whether it is on.
    pub fn is_halted(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// How many cycles run at once unless configured: two cores' worth of test runs.
pub const DEFAULT_MAX_CYCLES: usize = 2;

/// A running supervisor tree.
#[derive(Debug)]
pub struct Tree {
    root: ActorRef<RootMsg>,
    handle: tokio::task::JoinHandle<()>,
    events: broadcast::Sender<Event>,
    faults: fault::Faults,
}

impl Tree {
    /// Starts the tree: the root and its five children, opening the data directory (and
    /// holding it until the tree stops).
    pub async fn start(config: TreeConfig) -> Result<Tree> {
        let knowledge = tdev_knowledge::KnowledgeBase::open(&config.data_dir)
            .map_err(|e| Error::Start(e.to_string()))?;
        Self::start_with(config, knowledge).await
    }

    /// Starts the tree on a data directory the process has opened already, so that the host
    /// can serve reads from the same handle while the curator writes.
    pub async fn start_with(
        config: TreeConfig,
        knowledge: tdev_knowledge::KnowledgeBase,
    ) -> Result<Tree> {
        let (events, _) = broadcast::channel(1024);
        let faults = fault::Faults::new();
        let args = root::RootArgs {
            config,
            knowledge,
            events: events.clone(),
            faults: faults.clone(),
        };
        let (root, handle) = Actor::spawn(None, root::Root, args)
            .await
            .map_err(|e| Error::Start(e.to_string()))?;
        Ok(Tree {
            root,
            handle,
            events,
            faults,
        })
    }

    /// A receiver of the tree's events from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }

    /// The channel the tree publishes its events on, for an interface that subscribes its
    /// own clients (the daemon's HTTP `/events`).
    pub fn events(&self) -> broadcast::Sender<Event> {
        self.events.clone()
    }

    /// Runs one cycle to its end and returns its record (recorded by the curator).
    pub async fn run_cycle(&self, request: CycleRequest) -> Result<CycleRecord> {
        match self
            .root
            .call(|reply| RootMsg::RunCycle(Box::new(request), reply), None)
            .await
        {
            Ok(CallResult::Success(record)) => Ok(record),
            Ok(_) => Err(Error::Stopped(
                "the root supervisor dropped the cycle".into(),
            )),
            Err(e) => Err(Error::Stopped(e.to_string())),
        }
    }

    /// The cycles asked for and not ended: running, or waiting for their repository or a slot.
    pub async fn status(&self) -> Result<Vec<CycleStatus>> {
        match self.root.call(RootMsg::Status, None).await {
            Ok(CallResult::Success(cycles)) => Ok(cycles),
            Ok(_) => Err(Error::Stopped("the root supervisor did not answer".into())),
            Err(e) => Err(Error::Stopped(e.to_string())),
        }
    }

    /// The daemon's scheduler, to pause, resume, ask or drain; it answers
    /// [`Error::NoScheduler`] when the tree runs none. Cheap to clone and to send to other
    /// threads (the control socket's).
    pub fn scheduler(&self) -> SchedulerHandle {
        SchedulerHandle {
            root: self.root.clone(),
        }
    }

    /// Makes `actor` panic in the middle of its next message, as a bug would: the hook the
    /// supervision tests use.
    pub fn inject_panic(&self, actor: ActorKind) {
        self.faults.arm(actor);
    }

    /// Stops every actor and waits for them (the curator closes the data directory).
    pub async fn stop(self) {
        self.root.stop(None);
        let _ = self.handle.await;
    }
}

/// The way to the daemon's scheduler through the root, which knows the current one (it
/// replaces the scheduler when it fails).
#[derive(Clone, Debug)]
pub struct SchedulerHandle {
    root: ActorRef<RootMsg>,
}

impl SchedulerHandle {
    /// Asks the scheduler.
    async fn ask<T: Send + 'static>(
        &self,
        message: impl FnOnce(ractor::RpcReplyPort<T>) -> SchedulerMsg,
    ) -> Result<T> {
        let scheduler = match self.root.call(RootMsg::Scheduler, None).await {
            Ok(CallResult::Success(Some(scheduler))) => scheduler,
            Ok(CallResult::Success(None)) => return Err(Error::NoScheduler),
            Ok(_) => return Err(Error::Stopped("the root supervisor did not answer".into())),
            Err(e) => return Err(Error::Stopped(e.to_string())),
        };
        match scheduler.call(message, None).await {
            Ok(CallResult::Success(answer)) => Ok(answer),
            Ok(_) => Err(Error::Stopped("the scheduler did not answer".into())),
            Err(e) => Err(Error::Stopped(e.to_string())),
        }
    }

    /// Starts no new cycle (persisted); with `halt`, running cycles make no new attempt.
    pub async fn pause(&self, halt: bool) -> Result<tdev_schedule::DaemonStatus> {
        self.ask(|reply| SchedulerMsg::Pause { halt, reply }).await
    }

    /// Starts cycles again and turns the kill switch off.
    pub async fn resume(&self) -> Result<tdev_schedule::DaemonStatus> {
        self.ask(SchedulerMsg::Resume).await
    }

    /// The daemon's schedules, running cycles and budgets.
    pub async fn daemon_status(&self) -> Result<tdev_schedule::DaemonStatus> {
        self.ask(SchedulerMsg::Status).await
    }

    /// Starts a cycle of a scheduled repository now, off its schedule, if the pause and the
    /// budgets allow it: its id once it is journalled and started, or why not.
    pub async fn request_cycle(
        &self,
        request: Requested,
    ) -> Result<std::result::Result<String, Refused>> {
        self.ask(|reply| SchedulerMsg::Request { request, reply })
            .await
    }

    /// Starts nothing more, lets running cycles end their current attempt, and returns once
    /// every cycle the scheduler started is recorded.
    pub async fn drain(&self) -> Result<()> {
        self.ask(SchedulerMsg::Drain).await
    }
}
