//! The root supervisor: starts the phase actors, runs cycles through them, and restarts any
//! that fails (one-for-one), up to a bound.

use crate::curator::{Curator, CuratorArgs, CuratorMsg};
use crate::cycle::{self, CycleRequest};
use crate::evaluator::{Evaluator, EvaluatorArgs, EvaluatorMsg};
use crate::fault::Faults;
use crate::planner::{Planner, PlannerArgs, PlannerMsg};
use crate::pool::{CoderMsg, CoderPool, PoolArgs};
use crate::research::{Research, ResearchArgs, ResearchMsg};
use crate::restarts::{RESTART_WINDOW, Restarts, failure};
use crate::{ActorKind, Event, TreeConfig};
use ractor::{Actor, ActorCell, ActorProcessingErr, ActorRef, RpcReplyPort, SupervisionEvent};
use std::time::Duration;
use tdev_core::CycleRecord;
use tokio::sync::broadcast;

/// How long the root waits for its children to stop (a child busy with a long test run is
/// abandoned after this).
const CHILD_STOP_TIMEOUT: Duration = Duration::from_secs(60);

/// Messages of the root supervisor.
#[derive(Debug)]
pub enum RootMsg {
    /// Run one cycle; the reply is its record, whatever happened (failures are recorded too).
    RunCycle(Box<CycleRequest>, RpcReplyPort<CycleRecord>),
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
    pub events: broadcast::Sender<Event>,
    pub faults: Faults,
}

pub(crate) struct RootState {
    args: RootArgs,
    children: Children,
    restarts: Restarts,
    /// Cycles the curator failed to record, recorded before the next cycle runs.
    unrecorded: Vec<CycleRecord>,
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
        Ok(RootState {
            args,
            children,
            restarts: Restarts::default(),
            unrecorded: Vec::new(),
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
                let mut still_unrecorded = Vec::new();
                for record in std::mem::take(&mut state.unrecorded) {
                    if cycle::record_again(&state.children, &record).await.is_err() {
                        still_unrecorded.push(record);
                    }
                }
                state.unrecorded = still_unrecorded;
                let (record, recorded) = cycle::run(&state.children, &state.args, *request).await;
                if !recorded {
                    state.unrecorded.push(record.clone());
                }
                let _ = reply.send(record);
            }
        }
        Ok(())
    }

    /// Stops the children and waits for them, so that when the tree has stopped the curator
    /// has closed the data directory.
    async fn post_stop(
        &self,
        myself: ActorRef<Self::Msg>,
        _state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        myself
            .stop_children_and_wait(None, Some(CHILD_STOP_TIMEOUT))
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
        let Some(kind) = state.children.kind_of(&cell) else {
            return Ok(());
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
        let (args, cell) = (&state.args, myself.get_cell());
        let children = &mut state.children;
        match kind {
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
        Ok(())
    }
}

impl Children {
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

fn curator_args(args: &RootArgs) -> CuratorArgs {
    CuratorArgs {
        data_dir: args.config.data_dir.clone(),
        faults: args.faults.clone(),
    }
}
