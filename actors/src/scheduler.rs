//! The scheduler: the daemon's child of the root that starts cycles on their schedules. It
//! ticks, measures what the budgets need (through its [`DaemonHost`]), asks the policy
//! (`tdev_schedule::decide`) which repositories start, and runs their cycles through the root,
//! as `tdev evolve` does: journalled by the host before they start and crossed out when their
//! record is back, so a crash leaves them for the next start to record as aborted. It answers
//! pause, resume, the kill switch and status, starts a cycle an interface asks for when the
//! pause and the budgets allow it (`tdev_schedule::admit`), and drains when the daemon stops.
//!
//! What it remembers (last runs, the hour's starts, paused) is a [`StateFile`], written before
//! a cycle starts and after every change, so a restart (of the actor or the process) resumes
//! the schedules where they were, and a run missed while stopped is run once.

use crate::cycle::CycleRequest;
use crate::root::RootMsg;
use crate::{AttemptSwitch, Error, Result};
use ractor::rpc::CallResult;
use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tdev_core::{CycleRecord, Timestamp, Trigger};
use tdev_planner::BackendChoice;
use tdev_schedule::{
    Admission, BudgetStatus, DaemonStatus, Decision, Hold, RepositoryStatus, State, Usage,
};

/// How often the scheduler looks at the clock unless configured: schedules have a resolution
/// of one second.
pub const DEFAULT_TICK: Duration = Duration::from_secs(1);

/// An error a [`DaemonHost`] reports.
pub type HostError = Box<dyn std::error::Error + Send + Sync>;

/// What the scheduler needs from the process that holds the data directory: the journal and
/// the ids of cycles, and the usage the budgets count. Implemented by `tdev-app`.
pub trait DaemonHost: Send + Sync + std::fmt::Debug + 'static {
    /// Gives `request` an id no recorded or journalled cycle has and writes it down in the
    /// journal, before the cycle starts.
    fn begin(&self, request: &mut CycleRequest) -> Result<(), HostError>;
    /// Crosses the cycle out of the journal: its record is back.
    fn end(&self, record: &CycleRecord) -> Result<(), HostError>;
    /// Measures the open `tdev/auto/` branches of each repository and today's spend. May
    /// block (git, the graph); called on the blocking pool.
    fn usage(&self, repositories: &[ScheduledRepository], now: Timestamp) -> Usage;
}

/// A repository the daemon evolves on a schedule.
#[derive(Clone, Debug, PartialEq)]
pub struct ScheduledRepository {
    /// Its top level.
    pub repo: PathBuf,
    /// Its name in the knowledge graph.
    pub name: String,
    /// Its schedule and budgets; `policy.key` is `repo` as text.
    pub policy: tdev_schedule::Repository,
    /// The cycles' goal.
    pub goal: String,
    /// Which backends may change code.
    pub backend: BackendChoice,
    /// At most this many tasks per cycle.
    pub max_tasks: usize,
}

/// The daemon's schedules and budgets.
#[derive(Clone, Debug)]
pub struct SchedulerConfig {
    /// The repositories, in the order the policy considers them.
    pub repositories: Vec<ScheduledRepository>,
    /// The budgets across all repositories.
    pub budgets: tdev_schedule::Budgets,
    /// Where the state is kept.
    pub state: StateFile,
    /// How often to look at the clock.
    pub tick: Duration,
    /// The journal, ids and usage.
    pub host: Arc<dyn DaemonHost>,
}

/// Messages of the scheduler.
#[derive(Debug)]
pub enum SchedulerMsg {
    /// Look at the clock: start the cycles that are due and allowed.
    Tick,
    /// A cycle it started has ended (its record is recorded and crossed out).
    Finished {
        /// The repository's key.
        key: String,
        /// The cycle's id.
        id: String,
    },
    /// Start no new cycle (persisted); with `halt`, also the kill switch: running cycles make
    /// no new attempt. Replies with the status after.
    Pause {
        /// Turn the kill switch on too.
        halt: bool,
        /// The status after.
        reply: RpcReplyPort<DaemonStatus>,
    },
    /// Start cycles again and turn the kill switch off.
    Resume(RpcReplyPort<DaemonStatus>),
    /// The schedules, running cycles, budgets and next runs.
    Status(RpcReplyPort<DaemonStatus>),
    /// The daemon is stopping: start nothing more, let running cycles end their current
    /// attempt, and reply once every cycle it started has been recorded.
    Drain(RpcReplyPort<()>),
    /// Start a cycle of a scheduled repository now, off its schedule (an agent asked for it
    /// through A2A or MCP), if the pause and the budgets allow it as they would a scheduled
    /// one. Replies with the cycle's id once it is journalled and started, or why not.
    Request {
        /// Which repository.
        request: Requested,
        /// The cycle's id, or why it did not start.
        reply: RpcReplyPort<Result<String, Refused>>,
    },
}

/// A cycle asked for off the schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requested {
    /// The repository's top level, as configured.
    pub repo: PathBuf,
    /// The cycle's goal; the repository's configured goal when `None`.
    pub goal: Option<String>,
}

/// Why a requested cycle did not start.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Refused {
    /// The daemon is stopping.
    #[error("the daemon is stopping and starts no more cycles")]
    Stopping,
    /// The repository is not one the daemon schedules.
    #[error("{0} is not a repository the daemon evolves")]
    Unknown(PathBuf),
    /// A cycle of the repository is under way.
    #[error("a cycle of this repository is under way; one runs at a time")]
    Running,
    /// The pause or a budget holds it back.
    #[error("held back: {0}")]
    Held(Hold),
    /// The host could not journal it.
    #[error("the cycle could not be started: {0}")]
    NotStarted(String),
}

#[derive(Debug)]
pub(crate) struct Scheduler;

pub(crate) struct SchedulerArgs {
    pub config: SchedulerConfig,
    /// Where cycles run.
    pub root: ActorRef<RootMsg>,
    /// The kill switch every cycle of the tree looks at before an attempt.
    pub attempts: AttemptSwitch,
}

pub(crate) struct SchedulerState {
    config: SchedulerConfig,
    root: ActorRef<RootMsg>,
    attempts: AttemptSwitch,
    state: State,
    /// The cycles it started that have not ended, by repository key.
    launched: BTreeMap<String, String>,
    /// What the last tick measured, for the status.
    usage: Usage,
    /// Draining: the replies owed once nothing runs.
    drains: Vec<RpcReplyPort<()>>,
    stopping: bool,
    ticker: Option<tokio::task::JoinHandle<()>>,
}

impl Actor for Scheduler {
    type Msg = SchedulerMsg;
    type State = SchedulerState;
    type Arguments = SchedulerArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<Self::Msg>,
        args: SchedulerArgs,
    ) -> Result<Self::State, ActorProcessingErr> {
        let mut state = args.config.state.load()?;
        state.track(
            args.config
                .repositories
                .iter()
                .map(|r| r.policy.key.as_str()),
            Timestamp::now(),
        );
        args.config.state.save(&state)?;
        let ticker = myself.send_interval(args.config.tick, || SchedulerMsg::Tick);
        Ok(SchedulerState {
            config: args.config,
            root: args.root,
            attempts: args.attempts,
            state,
            launched: BTreeMap::new(),
            usage: Usage::default(),
            drains: Vec::new(),
            stopping: false,
            ticker: Some(ticker),
        })
    }

    async fn post_stop(
        &self,
        _myself: ActorRef<Self::Msg>,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        if let Some(ticker) = state.ticker.take() {
            ticker.abort();
        }
        Ok(())
    }

    async fn handle(
        &self,
        myself: ActorRef<Self::Msg>,
        message: Self::Msg,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        match message {
            SchedulerMsg::Tick => {
                if !state.stopping {
                    state.tick(&myself).await?;
                }
            }
            SchedulerMsg::Finished { key, id } => {
                if state.launched.get(&key) == Some(&id) {
                    state.launched.remove(&key);
                }
                if state.stopping && state.launched.is_empty() {
                    for reply in state.drains.drain(..) {
                        let _ = reply.send(());
                    }
                }
            }
            SchedulerMsg::Pause { halt, reply } => {
                state.state.paused = true;
                if halt {
                    state.attempts.halt();
                }
                state.config.state.save(&state.state)?;
                tracing::info!(
                    "paused{}",
                    if halt {
                        "; running cycles make no new attempt"
                    } else {
                        ""
                    }
                );
                let _ = reply.send(state.status());
            }
            SchedulerMsg::Resume(reply) => {
                state.state.paused = false;
                state.attempts.release();
                state.config.state.save(&state.state)?;
                tracing::info!("resumed");
                let _ = reply.send(state.status());
            }
            SchedulerMsg::Status(reply) => {
                let _ = reply.send(state.status());
            }
            SchedulerMsg::Request { request, reply } => {
                let answer = state.request(&myself, request).await?;
                let _ = reply.send(answer);
            }
            SchedulerMsg::Drain(reply) => {
                state.stopping = true;
                state.attempts.halt();
                if state.launched.is_empty() {
                    let _ = reply.send(());
                } else {
                    state.drains.push(reply);
                }
            }
        }
        Ok(())
    }
}

impl SchedulerState {
    /// Measures, decides, and starts what is due and allowed.
    async fn tick(&mut self, myself: &ActorRef<SchedulerMsg>) -> Result<(), ActorProcessingErr> {
        let now = Timestamp::now();
        let (host, repositories) = (self.config.host.clone(), self.config.repositories.clone());
        let mut usage = tokio::task::spawn_blocking(move || host.usage(&repositories, now))
            .await
            .map_err(|e| Error::Stopped(format!("measuring the budgets: {e}")))?;
        usage.running = self.running().await;
        self.state.forget_before(now);
        let verdicts = tdev_schedule::decide(
            &self.policies(),
            &self.config.budgets,
            &self.state,
            &usage,
            now,
        );
        let repositories = self.config.repositories.clone();
        for (verdict, repository) in verdicts.iter().zip(&repositories) {
            if let Decision::Start { slot } = verdict.decision {
                // Written before the cycle starts: a crash from here on leaves the journal
                // entry (recorded as aborted on the next start), not a second run of the slot.
                self.state.started(&verdict.key, slot, now);
                self.config.state.save(&self.state)?;
                let _ = self.launch(myself, repository, None, Trigger::Schedule);
            }
        }
        self.usage = usage;
        Ok(())
    }

    /// Starts the cycle `request` asks for if the pause and the budgets allow it, measured
    /// now, as a tick would for a due repository.
    async fn request(
        &mut self,
        myself: &ActorRef<SchedulerMsg>,
        request: Requested,
    ) -> Result<Result<String, Refused>, ActorProcessingErr> {
        if self.stopping {
            return Ok(Err(Refused::Stopping));
        }
        let Some(repository) = self
            .config
            .repositories
            .iter()
            .find(|r| r.repo == request.repo)
            .cloned()
        else {
            return Ok(Err(Refused::Unknown(request.repo)));
        };
        let now = Timestamp::now();
        let host = self.config.host.clone();
        let measured = std::slice::from_ref(&repository).to_vec();
        let mut usage = tokio::task::spawn_blocking(move || host.usage(&measured, now))
            .await
            .map_err(|e| Error::Stopped(format!("measuring the budgets: {e}")))?;
        usage.running = self.running().await;
        usage.running.extend(self.launched.keys().cloned());
        self.state.forget_before(now);
        let admission = tdev_schedule::admit(
            &repository.policy,
            &self.config.budgets,
            &self.state,
            &usage,
            now,
        );
        Ok(match admission {
            Admission::Running => Err(Refused::Running),
            Admission::Held(hold) => Err(Refused::Held(hold)),
            Admission::Start => {
                let key = repository.policy.key.clone();
                // Counted before it starts, as a scheduled start is: a crash from here on
                // leaves the journal entry, and the budget has counted it.
                self.state.requested(&key, now);
                self.config.state.save(&self.state)?;
                self.launch(myself, &repository, request.goal, Trigger::Manual)
                    .map_err(Refused::NotStarted)
            }
        })
    }

    fn policies(&self) -> Vec<tdev_schedule::Repository> {
        self.config
            .repositories
            .iter()
            .map(|r| r.policy.clone())
            .collect()
    }

    /// The repositories with a cycle under way: the ones it started, and the ones the root
    /// runs (a restarted scheduler knows only the latter).
    async fn running(&self) -> BTreeSet<String> {
        let mut running: BTreeSet<String> = self.launched.keys().cloned().collect();
        if let Ok(CallResult::Success(cycles)) = self.root.call(RootMsg::Status, None).await {
            running.extend(cycles.into_iter().map(|c| c.repo.display().to_string()));
        }
        running
    }

    /// Starts a cycle of `repository` through the root, as `tdev evolve` does, with `goal`
    /// (else the configured one); its id, or why the host could not journal it.
    fn launch(
        &mut self,
        myself: &ActorRef<SchedulerMsg>,
        repository: &ScheduledRepository,
        goal: Option<String>,
        trigger: Trigger,
    ) -> Result<String, String> {
        let mut request = CycleRequest {
            id: String::new(),
            repo: repository.repo.clone(),
            repository: repository.name.clone(),
            goal: goal.unwrap_or_else(|| repository.goal.clone()),
            max_tasks: repository.max_tasks,
            trigger,
            dry_run: false,
            backend: repository.backend,
        };
        if let Err(e) = self.config.host.begin(&mut request) {
            tracing::warn!(
                "{}: the cycle did not start: {e}",
                repository.repo.display()
            );
            return Err(e.to_string());
        }
        let key = repository.policy.key.clone();
        let id = request.id.clone();
        let why = match trigger {
            Trigger::Schedule => "scheduled",
            Trigger::Manual | Trigger::Goal => "requested",
        };
        tracing::info!("cycle {id}: started on {} ({why})", repository.name);
        let started = id.clone();
        self.launched.insert(key.clone(), id.clone());
        let (root, host, myself) = (self.root.clone(), self.config.host.clone(), myself.clone());
        let name = repository.name.clone();
        tokio::spawn(async move {
            let reply = root
                .call(|reply| RootMsg::RunCycle(Box::new(request), reply), None)
                .await;
            match reply {
                Ok(CallResult::Success(record)) => {
                    if let Err(e) = host.end(&record) {
                        tracing::warn!("cycle {id}: crossing it out of the journal: {e}");
                    }
                    match &record.failure_reason {
                        Some(reason) => tracing::info!(
                            "cycle {id}: ended on {name}: {} ({reason})",
                            record.outcome.as_str()
                        ),
                        None => tracing::info!(
                            "cycle {id}: ended on {name}: {}",
                            record.outcome.as_str()
                        ),
                    }
                }
                // The tree stopped under the cycle: the journal keeps it for the next start.
                _ => tracing::warn!("cycle {id}: on {name}: the tree stopped before it ended"),
            }
            let _ = myself.send_message(SchedulerMsg::Finished { key, id });
        });
        Ok(started)
    }

    /// The status now: the policy asked again on the last tick's usage, so a pause or resume
    /// shows at once.
    fn status(&self) -> DaemonStatus {
        let now = Timestamp::now();
        let mut usage = self.usage.clone();
        usage.running.extend(self.launched.keys().cloned());
        let verdicts = tdev_schedule::decide(
            &self.policies(),
            &self.config.budgets,
            &self.state,
            &usage,
            now,
        );
        let verdict = |key: &str| verdicts.iter().find(|v| v.key == key);
        let repositories = self
            .config
            .repositories
            .iter()
            .map(|r| {
                let key = r.policy.key.as_str();
                let verdict = verdict(key);
                RepositoryStatus {
                    path: r.repo.clone(),
                    name: r.name.clone(),
                    schedule: r.policy.schedule.to_string(),
                    last_run: self.state.repositories.get(key).and_then(|s| s.last_run),
                    next_run: match verdict.map(|v| &v.decision) {
                        // Owed and held: it runs as soon as the hold lifts.
                        Some(Decision::Held { slot, .. }) => Some(*slot),
                        _ => r.policy.schedule.next_after(now),
                    },
                    running: self.launched.get(key).cloned(),
                    held: verdict.and_then(|v| match &v.decision {
                        Decision::Held { hold, .. } => Some(hold.clone()),
                        _ => None,
                    }),
                    cycles_last_hour: self.state.started_within_hour(Some(key), now),
                    cycles_per_hour: r.policy.cycles_per_hour,
                    open_branches: self.usage.open_branches.get(key).copied().unwrap_or(0),
                    open_branches_limit: r.policy.open_branches,
                    leased_to: self.usage.leased_elsewhere.get(key).cloned(),
                }
            })
            .collect();
        DaemonStatus {
            pid: std::process::id(),
            paused: self.state.paused,
            halted: self.attempts.is_halted(),
            stopping: self.stopping,
            repositories,
            budgets: BudgetStatus {
                cycles_last_hour: self.state.started_within_hour(None, now),
                cycles_per_hour: self.config.budgets.cycles_per_hour,
                spent_today: self.usage.spent_today,
                spend_per_day: self.config.budgets.spend_per_day,
            },
        }
    }
}

/// The daemon's state on disk, `<data dir>/daemon/state.json`: written to a temporary file,
/// synced and renamed, so it is whole or absent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateFile {
    path: PathBuf,
}

impl StateFile {
    /// The state file of the data directory `data_dir`.
    pub fn new(data_dir: &Path) -> Self {
        Self {
            path: data_dir.join("daemon").join("state.json"),
        }
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The state; the default (nothing run, not paused) when there is no file yet.
    pub fn load(&self) -> Result<State> {
        let broken = |message: String| Error::State {
            path: self.path.clone(),
            message,
        };
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                broken(format!(
                    "{e}; delete it to start the schedules afresh (not paused)"
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
            Err(e) => Err(broken(e.to_string())),
        }
    }

    /// Writes `state` atomically.
    pub fn save(&self, state: &State) -> Result<()> {
        let broken = |e: std::io::Error| Error::State {
            path: self.path.clone(),
            message: e.to_string(),
        };
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(broken)?;
        let mut file = tempfile::NamedTempFile::new_in(dir).map_err(broken)?;
        let text = serde_json::to_vec_pretty(state).expect("the daemon's state serialises");
        file.write_all(&text).map_err(broken)?;
        file.as_file().sync_all().map_err(broken)?;
        file.persist(&self.path).map_err(|e| broken(e.error))?;
        Ok(())
    }
}
