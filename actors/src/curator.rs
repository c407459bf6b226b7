//! The curator actor: the only writer of the knowledge graph and the pattern index. It writes
//! through the process's one handle on the data directory, which the tree is given (or opens)
//! at start, so a restarted curator goes on with the same open store.

use crate::fault::Faults;
use crate::learn::{self, CurrentModels, Learned};
use crate::{ActorKind, PhaseError};
use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use std::collections::HashMap;
use tdev_core::{CycleRecord, Language, PatternOutcome, Strategy, StrategyHistory, Timestamp};
use tdev_knowledge::KnowledgeBase;

/// What one attempt teaches the pattern index: the situation, the strategy and how it went.
#[derive(Clone, Debug, PartialEq)]
pub struct Lesson {
    /// The situation in words: the finding kinds, messages and code.
    pub situation: String,
    /// The strategy tried.
    pub strategy: Strategy,
    /// The code's language.
    pub language: Language,
    /// Whether the gate passed.
    pub outcome: PatternOutcome,
    /// The change (a unified diff), kept as the pattern's example when it passed.
    pub change: String,
}

/// Messages of the curator.
#[derive(Debug)]
pub enum CuratorMsg {
    /// Write a finished cycle and what its attempts teach; the reply is the cycle's graph IRI.
    Record {
        /// The whole cycle.
        record: Box<CycleRecord>,
        /// One lesson per attempt that got as far as the gate.
        lessons: Vec<Lesson>,
        /// The span the write runs in (its cycle's `record`).
        span: tracing::Span,
        /// Where the result goes.
        reply: RpcReplyPort<Result<String, PhaseError>>,
    },
    /// Retrain the planner's models after a recorded cycle (the Learn phase).
    Learn {
        /// The cycle just recorded.
        cycle: String,
        /// When it started: its attempts are the held-out rows.
        started_at: Timestamp,
        /// The span training runs in (its cycle's `learn`).
        span: tracing::Span,
        /// What was learned, or why nothing could be.
        reply: RpcReplyPort<Result<Learned, PhaseError>>,
    },
    /// What earlier cycles on a repository did that a new one must not redo, and what the
    /// planner's models know of it.
    History {
        /// The repository's name in the graph.
        repository: String,
        /// The commit the new cycle starts from, when it has one.
        base_commit: Option<String>,
        /// The span the reading runs in (its cycle's `plan`).
        span: tracing::Span,
        /// The history, or why the graph could not answer.
        reply: RpcReplyPort<Result<History, PhaseError>>,
    },
}

/// What earlier cycles on a repository did that a new one must not redo.
#[derive(Debug, Default)]
pub struct History {
    /// The findings passing changes addressed, with their branches.
    pub proposals: Vec<tdev_knowledge::Proposal>,
    /// The findings whose tool and codemod strategies were all refused on the same commit.
    pub refusals: Vec<tdev_knowledge::Refusal>,
    /// The planner's models in use, when any were trained.
    pub models: Option<CurrentModels>,
    /// Each (task kind, strategy)'s history on the repository and everywhere, as the models
    /// are given it; empty without models.
    pub strategies: HashMap<(String, Strategy), StrategyHistory>,
    /// The branches passing changes were kept on, with their commits and ages.
    pub branches: Vec<tdev_core::ProposedBranch>,
    /// The latest recorded fate of each branch a cycle has looked at.
    pub fates: Vec<tdev_core::BranchFate>,
}

/// Writes the cycles and lessons it is sent.
#[derive(Debug)]
pub(crate) struct Curator;

pub(crate) struct CuratorArgs {
    pub knowledge: KnowledgeBase,
    pub faults: Faults,
}

pub(crate) struct CuratorState {
    knowledge: KnowledgeBase,
    faults: Faults,
    /// The planner's models in use, read at start and replaced when the Learn phase keeps
    /// a new version.
    models: Option<CurrentModels>,
    /// Every recorded attempt as a training row, read when first needed and again after
    /// each cycle is recorded.
    rows: Option<Vec<tdev_core::TrainingRow>>,
}

impl Actor for Curator {
    type Msg = CuratorMsg;
    type State = CuratorState;
    type Arguments = CuratorArgs;

    async fn pre_start(
        &self,
        _myself: ActorRef<Self::Msg>,
        args: CuratorArgs,
    ) -> Result<Self::State, ActorProcessingErr> {
        let (models, warnings) = learn::load_latest(&args.knowledge.model_files());
        for warning in warnings {
            tracing::warn!("{warning}");
        }
        Ok(CuratorState {
            knowledge: args.knowledge,
            faults: args.faults,
            models,
            rows: None,
        })
    }

    async fn handle(
        &self,
        _myself: ActorRef<Self::Msg>,
        message: Self::Msg,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        state.faults.check(ActorKind::Curator);
        match message {
            CuratorMsg::Record {
                record,
                lessons,
                span,
                reply,
            } => {
                let _entered = span.enter();
                crate::fault::halt_point(ActorKind::Curator);
                state.rows = None;
                let _ = reply.send(record_cycle(&state.knowledge, &record, &lessons));
            }
            CuratorMsg::Learn {
                cycle,
                started_at,
                span,
                reply,
            } => {
                let _entered = span.enter();
                let learned =
                    learn::learn(&state.knowledge, &cycle, started_at, state.models.as_ref());
                let learned = learned.map(|(learned, kept)| {
                    if let Some(kept) = kept {
                        state.models = Some(kept);
                    }
                    learned
                });
                let _ = reply.send(learned);
            }
            CuratorMsg::History {
                repository,
                base_commit,
                span,
                reply,
            } => {
                let _entered = span.enter();
                let graph = &state.knowledge.graph;
                let models = state.models.clone();
                let rows = &mut state.rows;
                let history = graph.proposals(&repository).and_then(|proposals| {
                    let refusals = match &base_commit {
                        Some(commit) => graph.refusals(&repository, commit)?,
                        None => Vec::new(),
                    };
                    let strategies = match &models {
                        Some(_) => {
                            let rows = match rows {
                                Some(rows) => rows,
                                empty => empty.insert(graph.training_rows()?),
                            };
                            tdev_knowledge::current_histories(rows, &repository)
                        }
                        None => HashMap::new(),
                    };
                    Ok(History {
                        proposals,
                        refusals,
                        models,
                        strategies,
                        branches: graph.proposed_branches(&repository)?,
                        fates: graph.branch_fates(&repository)?,
                    })
                });
                let _ = reply.send(history.map_err(PhaseError::knowledge(
                    "asking the knowledge graph for history",
                )));
            }
        }
        Ok(())
    }
}

/// Writes the cycle, then the lessons: a lesson about a new situation adds a pattern with
/// its example change, a known one adds to the counts.
fn record_cycle(
    knowledge: &KnowledgeBase,
    record: &CycleRecord,
    lessons: &[Lesson],
) -> Result<String, PhaseError> {
    let recorded = knowledge
        .graph
        .record_cycle(record)
        .map_err(PhaseError::knowledge(format!(
            "writing cycle {} to the knowledge graph",
            record.id
        )))?;
    for lesson in lessons {
        knowledge
            .patterns
            .record_outcome(
                // The situation quotes the code and the change is a diff of it: neither may
                // carry a secret into the index (or, through it, into later prompts).
                &tdev_core::secrets::redact(&lesson.situation),
                &lesson.strategy.to_string(),
                lesson.language,
                lesson.outcome,
                &tdev_core::secrets::redact(&lesson.change),
            )
            .map_err(PhaseError::knowledge("updating the pattern index"))?;
    }
    Ok(recorded.graph)
}
