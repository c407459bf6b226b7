//! The root supervisor: starts the phase actors, runs cycles through them, and restarts any
//! that fails (one-for-one), up to a bound.
//!
//! Each cycle runs as a task of its own, so the root answers (a status request, another
//! cycle) while cycles run: cycles of different repositories run side by side, up to
//! `TreeConfig::max_cycles` at once, and two cycles of one repository run one after the other.
//! In the daemon it also supervises the scheduler, which sends it the scheduled cycles.

use crate::curator::{Curator, CuratorArgs, CuratorMsg};
use crate::cycle::{self, CycleRequest};
use crate::evaluator::{Evaluator, EvaluatorArgs, EvaluatorMsg};
use crate::fault::Faults;
use crate::planner::{Planner, PlannerArgs, PlannerMsg};
use crate::pool::{CoderMsg, CoderPool, PoolArgs};
use crate::research::{Research, ResearchArgs, ResearchMsg};
use crate::restarts::{RESTART_WINDOW, Restarts, failure};
use crate::scheduler::{Scheduler, SchedulerArgs, SchedulerMsg};
use crate::{ActorKind, Event, TreeConfig};
use ractor::{
    Actor, ActorCell, ActorProcessingErr, ActorRef, ActorStatus, RpcReplyPort, SupervisionEvent,
};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tdev_core::{CycleRecord, Timestamp};
use tokio::sync::{Mutex, Semaphore, broadcast};

/// How long the root waits for its children to stop (a child busy with a long test run is
/// abandoned after this).
const CHILD_STOP_TIMEOUT: Duration = Duration::from_secs(60);

/// Messages of the root supervisor.
#[derive(Debug)]
pub enum RootMsg {
    /// Run one cycle; the reply is its record, whatever happened (failures are recorded too).
    /// The reply comes when the cycle ends; the root goes on answering meanwhile.
    RunCycle(Box<CycleRequest>, RpcReplyPort<CycleRecord>),
    /// The cycles under way or waiting for their turn, by id.
    Status(RpcReplyPort<Vec<CycleStatus>>),
    /// The current scheduler, when the tree runs one (the daemon's).
    Scheduler(RpcReplyPort<Option<ActorRef<SchedulerMsg>>>),
}

/// A cycle the tree has been asked to run and that has not ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CycleStatus {
    /// The cycle's id.
    pub cycle: String,
    /// The repository's name.
    pub repository: String,
    /// The repository's top level.
    pub repo: PathBuf,
    /// When it was asked for.
    pub requested_at: Timestamp,
    /// When it started running; `None` while it waits for its repository or for a free slot.
    pub started_at: Option<Timestamp>,
}

/// The refs a cycle talks to; replaced when a child is restarted.
#[derive(Clone, Debug)]
pub(crate) struct Children {
    pub research: ActorRef<ResearchMsg>,
    pub planner: ActorRef<PlannerMsg>,
    pub coder: ActorRef<CoderMsg>,
    pub evaluator: ActorRef<EvaluatorMsg>,
    pub curator: ActorRef<CuratorMsg>,
}

#[derive(Debug)]
pub(crate) struct Root;

pub(crate) struct RootArgs {
    pub config: TreeConfig,
    /// The process's handle on the data directory, the curator's to write through.
    pub knowledge: tdev_knowledge::KnowledgeBase,
    pub events: broadcast::Sender<Event>,
    pub faults: Faults,
}

pub(crate) struct RootState {
    args: Arc<RootArgs>,
    /// The children, shared with the cycles' tasks, which take the current ones when they
    /// start (a child restarted meanwhile is the new one).
    children: Arc<RwLock<Children>>,
    restarts: Restarts,
    /// Cycles the curator failed to record, recorded before the next cycle runs.
    unrecorded: Arc<Mutex<Vec<CycleRecord>>>,
    /// One lock per repository: its cycles run one after the other.
    repositories: HashMap<PathBuf, Arc<Mutex<()>>>,
    /// Slots for cycles running at once.
    slots: Arc<Semaphore>,
    /// The cycles not ended yet.
    cycles: Arc<std::sync::Mutex<BTreeMap<String, CycleStatus>>>,
    /// The cycles' tasks: each holds the tree's arguments, the open data directory among
    /// them, until it ends, so stopping the tree waits for them.
    tasks: tokio::task::JoinSet<()>,
    /// The daemon's scheduler, when the configuration has one.
    scheduler: Option<ActorRef<SchedulerMsg>>,
}

impl Actor for Root {
    type Msg = RootMsg;
    type State = RootState;
    type Arguments = RootArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<Self::Msg>,
        args: RootArgs,
    ) -> Result<Self::State, ActorProcessingErr> {
        let cell = myself.get_cell();
        let children = Children {
            research: Actor::spawn_linked(None, Research, research_args(&args), cell.clone())
                .await?
                .0,
            planner: Actor::spawn_linked(None, Planner, planner_args(&args), cell.clone())
                .await?
                .0,
            coder: Actor::spawn_linked(None, CoderPool, coder_args(&args), cell.clone())
                .await?
                .0,
            evaluator: Actor::spawn_linked(None, Evaluator, evaluator_args(&args), cell.clone())
                .await?
                .0,
            curator: Actor::spawn_linked(None, Curator, curator_args(&args), cell)
                .await?
                .0,
        };
        let slots = Arc::new(Semaphore::new(args.config.max_cycles.max(1)));
        let scheduler = match scheduler_args(&args, &myself) {
            Some(scheduler_args) => Some(
                Actor::spawn_linked(None, Scheduler, scheduler_args, myself.get_cell())
                    .await?
                    .0,
            ),
            None => None,
        };
        Ok(RootState {
            scheduler,
            args: Arc::new(args),
            children: Arc::new(RwLock::new(children)),
            restarts: Restarts::default(),
            unrecorded: Arc::default(),
            repositories: HashMap::new(),
            slots,
            cycles: Arc::default(),
            tasks: tokio::task::JoinSet::new(),
        })
    }

    async fn handle(
        &self,
        _myself: ActorRef<Self::Msg>,
        message: Self::Msg,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        match message {
            RootMsg::RunCycle(request, reply) => {
                let repository = state
                    .repositories
                    .entry(request.repo.clone())
                    .or_default()
                    .clone();
                state
                    .cycles
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .insert(
                        request.id.clone(),
                        CycleStatus {
                            cycle: request.id.clone(),
                            repository: request.repository.clone(),
                            repo: request.repo.clone(),
                            requested_at: Timestamp::now(),
                            started_at: None,
                        },
                    );
                let task = CycleTask {
                    args: state.args.clone(),
                    children: state.children.clone(),
                    unrecorded: state.unrecorded.clone(),
                    slots: state.slots.clone(),
                    cycles: state.cycles.clone(),
                };
                // Ended tasks are reaped here, so the set holds only running cycles.
                while state.tasks.try_join_next().is_some() {}
                state.tasks.spawn(task.run(*request, repository, reply));
            }
            RootMsg::Scheduler(reply) => {
                let _ = reply.send(state.scheduler.clone());
            }
            RootMsg::Status(reply) => {
                let cycles = state
                    .cycles
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .values()
                    .cloned()
                    .collect();
                let _ = reply.send(cycles);
            }
        }
        Ok(())
    }

    /// Stops the children and waits for them and for the cycles' tasks, so that when the
    /// tree has stopped the data directory is closed.
    async fn post_stop(
        &self,
        myself: ActorRef<Self::Msg>,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        myself
            .stop_children_and_wait(None, Some(CHILD_STOP_TIMEOUT))
            .await;
        // A cycle that replied a moment ago may still be letting go of the tree's arguments;
        // one still running finds its children stopped and ends.
        let _ = tokio::time::timeout(CHILD_STOP_TIMEOUT, async {
            while state.tasks.join_next().await.is_some() {}
        })
        .await;
        Ok(())
    }

    async fn handle_supervisor_evt(
        &self,
        myself: ActorRef<Self::Msg>,
        event: SupervisionEvent,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        let Some((cell, reason)) = failure(event) else {
            return Ok(());
        };
        let is_scheduler = state
            .scheduler
            .as_ref()
            .is_some_and(|s| s.get_id() == cell.get_id());
        let kind = if is_scheduler {
            ActorKind::Scheduler
        } else {
            match state.read_children().kind_of(&cell) {
                Some(kind) => kind,
                None => return Ok(()),
            }
        };
        if let Err(n) = state.restarts.count() {
            myself.stop(Some(format!(
                "{n} restarts within {} s, the last of the {} actor ({reason}); stopping",
                RESTART_WINDOW.as_secs(),
                kind.name()
            )));
            return Ok(());
        }
        let _ = state.args.events.send(Event::ActorRestarted {
            actor: kind,
            reason: reason.clone(),
        });
        let (args, cell) = (&*state.args, myself.get_cell());
        let mut children = state.read_children();
        match kind {
            ActorKind::Scheduler => {
                // It reads its state back from its file; the cycles it had started go on,
                // and it sees them in the root's status.
                if let Some(scheduler_args) = scheduler_args(args, &myself) {
                    state.scheduler = Some(
                        Actor::spawn_linked(None, Scheduler, scheduler_args, cell)
                            .await?
                            .0,
                    );
                }
                return Ok(());
            }
            ActorKind::Research => {
                children.research = Actor::spawn_linked(None, Research, research_args(args), cell)
                    .await?
                    .0;
            }
            ActorKind::Planner => {
                children.planner = Actor::spawn_linked(None, Planner, planner_args(args), cell)
                    .await?
                    .0;
            }
            ActorKind::Coder => {
                children.coder = Actor::spawn_linked(None, CoderPool, coder_args(args), cell)
                    .await?
                    .0;
            }
            ActorKind::Evaluator => {
                children.evaluator =
                    Actor::spawn_linked(None, Evaluator, evaluator_args(args), cell)
                        .await?
                        .0;
            }
            ActorKind::Curator => {
                children.curator = Actor::spawn_linked(None, Curator, curator_args(args), cell)
                    .await?
                    .0;
            }
        }
        *state
            .children
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = children;
        Ok(())
    }
}

impl RootState {
    /// The current children (a copy of their refs).
    fn read_children(&self) -> Children {
        self.children
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

/// What a cycle's own task needs of the root.
struct CycleTask {
    args: Arc<RootArgs>,
    children: Arc<RwLock<Children>>,
    unrecorded: Arc<Mutex<Vec<CycleRecord>>>,
    slots: Arc<Semaphore>,
    cycles: Arc<std::sync::Mutex<BTreeMap<String, CycleStatus>>>,
}

impl CycleTask {
    /// The current children, once every one is running: when a child fails, the root replaces
    /// it on the supervision event, which may come just after the failed cycle has ended and
    /// the next one started. A tree that stopped replacing children is given as it is, and the
    /// cycle reports the child that is not running.
    async fn running_children(&self) -> Children {
        let read = || {
            self.children
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .clone()
        };
        let deadline = tokio::time::Instant::now() + REPLACEMENT_WAIT;
        loop {
            let children = read();
            if children.all_running() || tokio::time::Instant::now() >= deadline {
                return children;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits for the repository and a slot, runs the cycle, replies with its record.
    async fn run(
        self,
        request: CycleRequest,
        repository: Arc<Mutex<()>>,
        reply: RpcReplyPort<CycleRecord>,
    ) {
        let id = request.id.clone();
        let _repository = repository.lock_owned().await;
        // The semaphore is never closed, so a permit always comes.
        let _slot = self.slots.clone().acquire_owned().await.ok();
        self.status(&id, |status| status.started_at = Some(Timestamp::now()));
        let children = self.running_children().await;
        {
            let mut unrecorded = self.unrecorded.lock().await;
            let mut still_unrecorded = Vec::new();
            for record in std::mem::take(&mut *unrecorded) {
                if cycle::record_again(&children, &record).await.is_err() {
                    still_unrecorded.push(record);
                }
            }
            *unrecorded = still_unrecorded;
        }
        let (record, recorded) = cycle::run(&children, &self.args, request).await;
        if !recorded {
            self.unrecorded.lock().await.push(record.clone());
        }
        self.cycles
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&id);
        let _ = reply.send(record);
    }

    fn status(&self, id: &str, change: impl FnOnce(&mut CycleStatus)) {
        if let Some(status) = self
            .cycles
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get_mut(id)
        {
            change(status);
        }
    }
}

/// How long a cycle that starts just after a child failed waits for the root to replace it.
const REPLACEMENT_WAIT: Duration = Duration::from_secs(10);

impl Children {
    /// Whether every child is running (none has failed and is waiting to be replaced).
    fn all_running(&self) -> bool {
        [
            self.research.get_status(),
            self.planner.get_status(),
            self.coder.get_status(),
            self.evaluator.get_status(),
            self.curator.get_status(),
        ]
        .iter()
        .all(|status| *status == ActorStatus::Running)
    }

    fn kind_of(&self, cell: &ActorCell) -> Option<ActorKind> {
        let id = cell.get_id();
        [
            (self.research.get_id(), ActorKind::Research),
            (self.planner.get_id(), ActorKind::Planner),
            (self.coder.get_id(), ActorKind::Coder),
            (self.evaluator.get_id(), ActorKind::Evaluator),
            (self.curator.get_id(), ActorKind::Curator),
        ]
        .into_iter()
        .find_map(|(child, kind)| (child == id).then_some(kind))
    }
}

fn research_args(args: &RootArgs) -> ResearchArgs {
    ResearchArgs {
        options: args.config.scan.clone(),
        tools_dir: args.config.coder.tools_dir.clone(),
        build: args.config.evaluator.clone(),
        faults: args.faults.clone(),
    }
}

fn planner_args(args: &RootArgs) -> PlannerArgs {
    PlannerArgs {
        faults: args.faults.clone(),
        estimator: args.config.estimator.clone(),
    }
}

fn coder_args(args: &RootArgs) -> PoolArgs {
    PoolArgs {
        config: args.config.coder.clone(),
        build: args.config.evaluator.clone(),
        events: args.events.clone(),
        faults: args.faults.clone(),
    }
}

fn evaluator_args(args: &RootArgs) -> EvaluatorArgs {
    EvaluatorArgs {
        config: args.config.clone(),
        faults: args.faults.clone(),
    }
}

fn scheduler_args(args: &RootArgs, root: &ActorRef<RootMsg>) -> Option<SchedulerArgs> {
    Some(SchedulerArgs {
        config: args.config.scheduler.clone()?,
        root: root.clone(),
        attempts: args.config.attempts.clone(),
    })
}

fn curator_args(args: &RootArgs) -> CuratorArgs {
    CuratorArgs {
        knowledge: args.knowledge.clone(),
        faults: args.faults.clone(),
    }
}
