//! What a running cycle tells the world: one closed enum, broadcast to every subscriber (the
//! CLI's progress lines today; the daemon's live events and logs later).

use tdev_core::{Outcome, Strategy};
use tdev_planner::NeedsModel;

/// The actors of the tree, for events and fault injection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ActorKind {
    /// Scans repositories into findings.
    Research,
    /// Turns findings into a plan.
    Planner,
    /// Produces changes in worktrees.
    Coder,
    /// Measures changes and applies the gate.
    Evaluator,
    /// Writes the knowledge graph and the pattern index.
    Curator,
    /// Starts the daemon's cycles on their schedules (not part of a cycle, so not in `ALL`).
    Scheduler,
}

impl ActorKind {
    /// Every actor, in the order a cycle uses them.
    pub const ALL: [ActorKind; 5] = [
        ActorKind::Research,
        ActorKind::Planner,
        ActorKind::Coder,
        ActorKind::Evaluator,
        ActorKind::Curator,
    ];

    /// Its name in events and messages.
    pub fn name(self) -> &'static str {
        match self {
            ActorKind::Research => "research",
            ActorKind::Planner => "planner",
            ActorKind::Coder => "coder",
            ActorKind::Evaluator => "evaluator",
            ActorKind::Curator => "curator",
            ActorKind::Scheduler => "scheduler",
        }
    }
}

/// Progress of the tree and its cycles.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// A cycle began on a repository.
    CycleStarted {
        /// The cycle's id.
        cycle: String,
        /// The repository's name.
        repository: String,
    },
    /// Research finished.
    Researched {
        /// The cycle's id.
        cycle: String,
        /// Findings found.
        findings: usize,
        /// Files measured.
        files: u32,
    },
    /// The plan is made.
    Planned {
        /// The cycle's id.
        cycle: String,
        /// Tasks planned.
        tasks: usize,
        /// Findings left out because a change for them waits on a branch already.
        already_proposed: usize,
        /// Findings left out because every tool's change for them was refused on this commit,
        /// by the gate or the tool itself (and no model may try them).
        already_refused: usize,
        /// Work left out because only a model could do it and none can run, and how to
        /// enable one.
        needs_model: Option<NeedsModel>,
        /// What made the estimates: the heuristic, or which version of the learned models.
        estimated_by: String,
    },
    /// An attempt at a task began.
    AttemptStarted {
        /// The cycle's id.
        cycle: String,
        /// The task's id.
        task: String,
        /// 1, 2 or 3.
        number: u32,
        /// The strategy tried.
        strategy: Strategy,
    },
    /// An attempt ended.
    AttemptFinished {
        /// The cycle's id.
        cycle: String,
        /// The task's id.
        task: String,
        /// 1, 2 or 3.
        number: u32,
        /// Whether the gate passed.
        passed: bool,
        /// Why not, or what happened.
        reasons: Vec<String>,
        /// The branch the change was kept on.
        branch: Option<String>,
    },
    /// The Learn phase after a recorded cycle: what the planner's models learned, or why
    /// they could not be retrained (the models in use stay).
    Learned {
        /// The cycle's id.
        cycle: String,
        /// What happened.
        learned: Result<crate::Learned, String>,
    },
    /// A cycle ended and was recorded (or recording failed, said in `reason`).
    CycleFinished {
        /// The cycle's id.
        cycle: String,
        /// How it ended.
        outcome: Outcome,
        /// Why it failed, when it did.
        reason: Option<String>,
    },
    /// An actor failed and was restarted by the root supervisor.
    ActorRestarted {
        /// Which.
        actor: ActorKind,
        /// Why it failed.
        reason: String,
    },
}
