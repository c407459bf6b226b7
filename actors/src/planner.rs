//! The planner actor: turns a cycle's goal and findings into a plan.

use crate::fault::Faults;
use crate::{ActorKind, PhaseError};
use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use tdev_core::Finding;
use tdev_planner::{Backends, Goal, Plan, Planner as HtnPlanner, SharedEstimator};

/// Messages of the planner actor.
#[derive(Debug)]
pub enum PlannerMsg {
    /// Plan `goal` over `findings`, at most `max_tasks` tasks.
    Plan {
        /// The goal in words (see `tdev plan --help`).
        goal: String,
        /// What research found.
        findings: Vec<Finding>,
        /// Cap on the number of tasks.
        max_tasks: usize,
        /// The backends that can carry strategies out in this cycle: work they cannot do is
        /// left out of the plan and counted.
        backends: Backends,
        /// The estimator for this plan, when the cycle has one (trained models for the
        /// repository); otherwise the tree's.
        estimator: Option<SharedEstimator>,
        /// The span planning runs in (its cycle's `plan`).
        span: tracing::Span,
        /// The plan, or why there is none.
        reply: RpcReplyPort<Result<Plan, PhaseError>>,
    },
}

/// Plans with the estimator of the tree's configuration (the heuristic one until the
/// learners train models).
#[derive(Debug)]
pub(crate) struct Planner;

pub(crate) struct PlannerArgs {
    pub faults: Faults,
    pub estimator: SharedEstimator,
}

impl Actor for Planner {
    type Msg = PlannerMsg;
    type State = PlannerArgs;
    type Arguments = PlannerArgs;

    async fn pre_start(
        &self,
        _myself: ActorRef<Self::Msg>,
        args: PlannerArgs,
    ) -> Result<Self::State, ActorProcessingErr> {
        Ok(args)
    }

    async fn handle(
        &self,
        _myself: ActorRef<Self::Msg>,
        message: Self::Msg,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        state.faults.check(ActorKind::Planner);
        match message {
            PlannerMsg::Plan {
                goal,
                findings,
                max_tasks,
                backends,
                estimator,
                span,
                reply,
            } => {
                let _entered = span.enter();
                crate::fault::halt_point(ActorKind::Planner);
                let estimator = estimator.unwrap_or_else(|| state.estimator.clone());
                let plan = Goal::parse(&goal).and_then(|goal| {
                    HtnPlanner::new(&estimator)
                        .with_max_tasks(max_tasks)
                        .with_backends(backends)
                        .plan(goal, &findings)
                });
                let _ = reply.send(plan.map_err(PhaseError::from));
            }
        }
        Ok(())
    }
}
