//! The coder pool: the `coder` child of the root, a supervisor of N coder workers, so that the
//! tasks of one parallel group of the plan are coded at the same time. A new branch goes to
//! the least busy worker; everything after (keep, discard, the next attempt of the same task)
//! goes to the worker that holds its worktree.
//!
//! *Why not ractor's factory:* a factory routes a job by hashing its key (two tasks may land
//! on one worker while another is idle) or sticks a key to a worker only while a job of it is
//! in flight (a `Keep` comes after the attempt has finished, from the cycle, once the evaluator
//! has judged the change); it restarts a failed worker itself, without bound, and tells only
//! its log why. Here a worktree must be found again by its branch, a worker's restarts count
//! towards the tree's bound, and each is announced as an [`Event::ActorRestarted`].

use crate::coder::{
    AttemptJob, AttemptOutput, Checkout, Coder, CoderArgs, CoderConfig, NoChange, WorkerMsg, branch,
};
use crate::error::Unknown;
use crate::fault::Faults;
use crate::restarts::{RESTART_WINDOW, Restarts, failure};
use crate::{ActorKind, Event, PhaseError};
use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort, SupervisionEvent};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tdev_coder::BudgetLedger;
use tdev_worktree::Repo;
use tokio::sync::broadcast;

/// How long the pool waits for its workers to stop (one busy with a long attempt is abandoned
/// after this).
const WORKER_STOP_TIMEOUT: Duration = Duration::from_secs(60);

/// Messages of the coder (its pool; the workers are internal).
#[derive(Debug)]
pub enum CoderMsg {
    /// Start a cycle on a repository; the reply is the commit it starts from.
    Begin {
        /// The cycle.
        cycle: String,
        /// The repository's top level.
        repo: PathBuf,
        /// The span opening it runs in (its cycle's `baseline`).
        span: tracing::Span,
        /// The base commit, or why the repository cannot be worked on.
        reply: RpcReplyPort<Result<String, PhaseError>>,
    },
    /// Make one attempt in a fresh worktree.
    Attempt {
        /// What to do.
        job: Box<AttemptJob>,
        /// The span the attempt's change is made in (its attempt's `code`).
        span: tracing::Span,
        /// What came of it.
        reply: RpcReplyPort<AttemptOutput>,
    },
    /// Commit the change on its branch and remove the worktree; the reply is the commit id.
    Keep {
        /// The attempt's branch.
        branch: String,
        /// The commit message (subject and PR description).
        message: String,
        /// The span the commit (and publishing) runs in (its attempt's `merge`).
        span: tracing::Span,
        /// The commit, or why it failed.
        reply: RpcReplyPort<Result<String, PhaseError>>,
    },
    /// Remove the worktree and delete its branch.
    Discard {
        /// The attempt's branch.
        branch: String,
        /// The span the removal runs in (its attempt's `merge`).
        span: tracing::Span,
        /// Done, or why it failed.
        reply: RpcReplyPort<Result<(), PhaseError>>,
    },
    /// The cycle has ended: forget its repository and whose worktrees were whose.
    End {
        /// The cycle.
        cycle: String,
    },
}

#[derive(Debug)]
pub(crate) struct CoderPool;

pub(crate) struct PoolArgs {
    pub config: CoderConfig,
    /// Where Rust repositories build (the evaluator's settings), for clippy's fixes.
    pub build: crate::EvaluatorConfig,
    pub events: broadcast::Sender<Event>,
    pub faults: Faults,
}

pub(crate) struct PoolState {
    args: PoolArgs,
    /// One ledger for every worker, so that the budgets hold for the pool as a whole.
    ledger: Arc<BudgetLedger>,
    workers: Vec<Slot>,
    /// Which worker holds (or last held) each branch's worktree, and for which cycle.
    owners: HashMap<String, Owner>,
    /// The repository of each cycle under way: cycles of different repositories run side by
    /// side.
    checkouts: HashMap<String, Arc<Checkout>>,
    /// When workers were restarted, within [`RESTART_WINDOW`].
    restarts: Restarts,
}

/// The worker holding a branch's worktree, and the cycle it belongs to.
struct Owner {
    worker: usize,
    cycle: String,
}

struct Slot {
    worker: ActorRef<WorkerMsg>,
    /// Messages sent to the worker and not yet handled.
    load: Arc<AtomicUsize>,
}

impl Actor for CoderPool {
    type Msg = CoderMsg;
    type State = PoolState;
    type Arguments = PoolArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<Self::Msg>,
        args: PoolArgs,
    ) -> Result<Self::State, ActorProcessingErr> {
        let config = &args.config;
        std::fs::create_dir_all(&config.worktrees_dir)?;
        let (per_cycle, per_day) = config
            .llm
            .as_ref()
            .map_or((f64::INFINITY, f64::INFINITY), |llm| {
                (llm.budget_per_cycle, llm.budget_per_day)
            });
        let ledger = Arc::new(BudgetLedger::open(&config.ledger_dir, per_cycle, per_day)?);
        let mut state = PoolState {
            workers: Vec::new(),
            owners: HashMap::new(),
            checkouts: HashMap::new(),
            restarts: Restarts::default(),
            ledger,
            args,
        };
        for _ in 0..state.args.config.workers.max(1) {
            let slot = state.spawn_worker(&myself).await?;
            state.workers.push(slot);
        }
        Ok(state)
    }

    async fn handle(
        &self,
        _myself: ActorRef<Self::Msg>,
        message: Self::Msg,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        match message {
            CoderMsg::Begin {
                cycle,
                repo,
                span,
                reply,
            } => {
                state.ledger.start_cycle();
                let begun = crate::trace::spawn_blocking_in(span, move || {
                    let repo = Repo::open(&repo)?;
                    let branch = repo.current_branch()?;
                    repo.prune()?;
                    let head = repo.head()?;
                    Ok::<_, tdev_worktree::Error>((repo, head, branch))
                })
                .await;
                let _ = reply.send(match begun {
                    Ok(Ok((repo, head, branch))) => {
                        state
                            .checkouts
                            .insert(cycle, Arc::new(Checkout { repo, branch }));
                        Ok(head)
                    }
                    Ok(Err(e)) => Err(PhaseError::Git(e)),
                    Err(e) => Err(PhaseError::interrupted("opening the repository")(e)),
                });
            }
            CoderMsg::Attempt { job, span, reply } => {
                let Some(checkout) = state.checkouts.get(&job.cycle).cloned() else {
                    let _ = reply.send(AttemptOutput {
                        backend: job.strategy.to_string(),
                        result: Err(NoChange::Failed(
                            "the cycle has not begun on a repository".into(),
                        )),
                        usage: None,
                    });
                    return Ok(());
                };
                let branch = branch(&job);
                let worker = match state.owners.get(&branch) {
                    Some(owner) => owner.worker,
                    None => state.least_busy(),
                };
                let cycle = job.cycle.clone();
                state.owners.insert(branch, Owner { worker, cycle });
                state.send(
                    worker,
                    WorkerMsg::Attempt {
                        job,
                        checkout,
                        span,
                        reply,
                    },
                );
            }
            CoderMsg::Keep {
                branch,
                message,
                span,
                reply,
            } => match state.owners.get(&branch).and_then(|owner| {
                let checkout = state.checkouts.get(&owner.cycle)?;
                Some((owner.worker, checkout.clone()))
            }) {
                Some((worker, checkout)) => state.send(
                    worker,
                    WorkerMsg::Keep {
                        branch,
                        message,
                        checkout,
                        span,
                        reply,
                    },
                ),
                _ => {
                    let _ = reply.send(Err(PhaseError::Unknown(Unknown::Worktree(branch))));
                }
            },
            CoderMsg::Discard {
                branch,
                span,
                reply,
            } => match state.owners.get(&branch) {
                Some(owner) => {
                    let worker = owner.worker;
                    state.send(
                        worker,
                        WorkerMsg::Discard {
                            branch,
                            span,
                            reply,
                        },
                    );
                }
                None => {
                    let _ = reply.send(Ok(()));
                }
            },
            CoderMsg::End { cycle } => {
                state.checkouts.remove(&cycle);
                state.owners.retain(|_, owner| owner.cycle != cycle);
            }
        }
        Ok(())
    }

    /// Stops the workers and waits for them, so that their worktrees are removed before the
    /// tree reports that it has stopped.
    async fn post_stop(
        &self,
        myself: ActorRef<Self::Msg>,
        _state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        myself
            .stop_children_and_wait(None, Some(WORKER_STOP_TIMEOUT))
            .await;
        Ok(())
    }

    /// A worker that fails is replaced alone, with an empty count of messages (its mailbox
    /// went with it, and every caller waiting on it was told it failed). Restarts count
    /// within [`RESTART_WINDOW`] as the root counts its children's; beyond `MAX_RESTARTS`
    /// the pool stops, and the root decides whether to restart it.
    async fn handle_supervisor_evt(
        &self,
        myself: ActorRef<Self::Msg>,
        event: SupervisionEvent,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        let Some((cell, reason)) = failure(event) else {
            return Ok(());
        };
        let Some(index) = state
            .workers
            .iter()
            .position(|slot| slot.worker.get_id() == cell.get_id())
        else {
            return Ok(());
        };
        if let Err(n) = state.restarts.count() {
            myself.stop(Some(format!(
                "{n} coder worker restarts within {} s, the last because {reason}; stopping",
                RESTART_WINDOW.as_secs(),
            )));
            return Ok(());
        }
        let _ = state.args.events.send(Event::ActorRestarted {
            actor: ActorKind::Coder,
            reason,
        });
        state.workers[index] = state.spawn_worker(&myself).await?;
        Ok(())
    }
}

impl PoolState {
    /// Starts a worker linked to the pool.
    async fn spawn_worker(&self, pool: &ActorRef<CoderMsg>) -> Result<Slot, ActorProcessingErr> {
        let load = Arc::new(AtomicUsize::new(0));
        let args = CoderArgs {
            config: self.args.config.clone(),
            build: self.args.build.clone(),
            ledger: Arc::clone(&self.ledger),
            faults: self.args.faults.clone(),
            load: Arc::clone(&load),
        };
        let (worker, _) = Actor::spawn_linked(None, Coder, args, pool.get_cell()).await?;
        Ok(Slot { worker, load })
    }

    /// The worker with the fewest messages waiting, the first of them on a tie.
    fn least_busy(&self) -> usize {
        self.workers
            .iter()
            .enumerate()
            .min_by_key(|(_, slot)| slot.load.load(Ordering::SeqCst))
            .map_or(0, |(index, _)| index)
    }

    /// Hands a message to a worker. If the worker has just failed, the message is dropped
    /// with its reply port, and the caller learns that the coder failed.
    fn send(&self, worker: usize, message: WorkerMsg) {
        let slot = &self.workers[worker];
        slot.load.fetch_add(1, Ordering::SeqCst);
        if slot.worker.cast(message).is_err() {
            slot.load.fetch_sub(1, Ordering::SeqCst);
        }
    }
}
