//! `tdev daemon`: the repositories of `[daemon]` evolved on their schedules, within their
//! budgets, until SIGTERM or SIGINT. The host holds the data directory (and recovered the
//! cycles an earlier holder left) as for `tdev evolve`; the supervisor tree runs with its
//! scheduler, which starts cycles through the root as `tdev evolve` does, journalled by this
//! module's [`Hooks`]; `tdev status`, `pause` and `resume` reach the scheduler through the
//! read socket ([`crate::serve::Control`]), and so does a cycle an interface asks for
//! ([`crate::start`]), which the scheduler admits or holds back as it does A2A's.
//!
//! Stopping (SIGTERM, SIGINT): the scheduler starts nothing more and turns the kill switch on,
//! so each running cycle finishes the attempt under way, starts no other, and is recorded
//! (Learn included) and crossed out of the journal; then the tree stops, the store is closed
//! and the process exits 0. A second signal while draining is not needed and not waited for:
//! a kill at any point leaves the journal for the next start to record the cycle as aborted.

use crate::config::{Config, DaemonTable};
use crate::datadir::CONFIG_FILE;
use crate::host::Host;
use crate::journal::{Entry, Journal};
use crate::lease::Leases;
use crate::serve::{Control, ControlRequest, Controlled};
use crate::start::{self, Wanted};
use crate::{Error, Result};
use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tdev_actors::{
    CycleRequest, DaemonHost, Event, HostError, Learned, Requested, ScheduledRepository,
    SchedulerConfig, SchedulerHandle, StateFile, Tree,
};
use tdev_core::{CycleRecord, Fate, Timestamp};
use tdev_knowledge::KnowledgeBase;
use tdev_schedule::{DaemonStatus, Usage};

/// The repositories `[daemon]` schedules, checked: each is a git repository with a commit,
/// and each backend it names is configured. Said as the user's mistake, naming the file.
pub fn scheduled(config: &Config, data_dir: &Path) -> Result<Vec<ScheduledRepository>> {
    let file = data_dir.join(CONFIG_FILE);
    let table: &DaemonTable = &config.daemon;
    if table.repositories.is_empty() {
        return Err(Error::user(format!(
            "{}: no [[daemon.repositories]] to evolve; add one with a path and a schedule \
             (see \"Running the daemon\" in docs/user-guide.md)",
            file.display()
        )));
    }
    let mut repositories: Vec<ScheduledRepository> = Vec::new();
    for (i, entry) in table.repositories.iter().enumerate() {
        let path = data_dir.join(&entry.path);
        let top = crate::evolve::repository_top(&path).map_err(|e| {
            Error::user(format!(
                "{}: daemon.repositories[{i}].path: {e}",
                file.display()
            ))
        })?;
        crate::evolve::backends(entry.backend, config, data_dir)?;
        let key = top.display().to_string();
        if repositories.iter().any(|r| r.policy.key == key) {
            return Err(Error::user(format!(
                "{}: daemon.repositories[{i}]: {key} is scheduled twice; keep one entry",
                file.display()
            )));
        }
        repositories.push(ScheduledRepository {
            name: crate::ids::repository_name(&top),
            policy: tdev_schedule::Repository {
                key,
                schedule: entry.schedule.clone(),
                cycles_per_hour: entry.cycles_per_hour,
                open_branches: entry.open_branches.or(table.open_branches),
            },
            repo: top,
            goal: entry.goal.clone(),
            backend: entry.backend,
            max_tasks: entry.max_tasks,
        });
    }
    Ok(repositories)
}

/// The daemon's side of the scheduler: the journal and ids, as `tdev evolve` has them, and the
/// usage the budgets count.
#[derive(Debug)]
pub struct Hooks {
    knowledge: KnowledgeBase,
    journal: Journal,
    stale_after: Duration,
    /// The repositories' leases, when the graph is shared with other daemons.
    leases: Leases,
}

impl Hooks {
    /// The hooks of `host`'s data directory.
    pub fn new(host: &Host) -> Self {
        Self {
            knowledge: host.knowledge().clone(),
            journal: host.journal().clone(),
            stale_after: host.data().config.learn.stale_after(),
            leases: Leases::default(),
        }
    }

    /// Releases the repositories' leases this daemon holds (on a shared graph), once it runs
    /// no more cycles.
    pub fn release_leases(&self) {
        self.leases.release(&self.knowledge);
    }

    /// The repository's `tdev/auto/` branches neither merged nor deleted (open or stale), as
    /// its git shows them now.
    fn open_branches(&self, repository: &ScheduledRepository, now: Timestamp) -> Result<u32> {
        let proposed = self.knowledge.graph.proposed_branches(&repository.name)?;
        if proposed.is_empty() {
            return Ok(0);
        }
        let repo = tdev_worktree::Repo::open(&repository.repo)?;
        let Some(default) = repo.default_branch()? else {
            return Ok(0);
        };
        let fates = repo.branch_fates(&default, &proposed, now, self.stale_after)?;
        let open = fates
            .iter()
            .filter(|f| matches!(f.fate, Fate::Open | Fate::Stale))
            .count();
        Ok(u32::try_from(open).unwrap_or(u32::MAX))
    }
}

impl DaemonHost for Hooks {
    fn begin(&self, request: &mut CycleRequest) -> Result<(), HostError> {
        request.id =
            crate::evolve::unused_cycle_id(&self.knowledge, &self.journal, &request.repository, 1)?;
        self.journal.begin(&Entry {
            id: request.id.clone(),
            repository: request.repository.clone(),
            repo: request.repo.clone(),
            goal: request.goal.clone(),
            trigger: request.trigger,
            started_at: Timestamp::now(),
            pid: std::process::id(),
        })?;
        Ok(())
    }

    fn end(&self, record: &CycleRecord) -> Result<(), HostError> {
        Ok(self.journal.end(&record.id)?)
    }

    fn usage(&self, repositories: &[ScheduledRepository], now: Timestamp) -> Usage {
        let mut usage = Usage {
            // Taken, renewed or found held elsewhere on each tick, before anything starts.
            leased_elsewhere: self.leases.refresh(&self.knowledge, repositories),
            ..Usage::default()
        };
        for repository in repositories {
            // A repository git cannot read counts no open branch: its cycle will say why.
            match self.open_branches(repository, now) {
                Ok(open) => {
                    usage
                        .open_branches
                        .insert(repository.policy.key.clone(), open);
                }
                Err(e) => tracing::warn!(
                    "counting the open branches of {}: {e}",
                    repository.repo.display()
                ),
            }
        }
        let today = Timestamp::from_unix(now.unix() - now.unix().rem_euclid(86_400));
        usage.spent_today = self.knowledge.graph.spent_since(today).unwrap_or_else(|e| {
            tracing::warn!("reading today's model spend: {e}");
            0.0
        });
        usage
    }
}

/// The scheduler, reached from the read server's threads.
#[derive(Debug)]
struct SchedulerControl {
    scheduler: SchedulerHandle,
    runtime: tokio::runtime::Handle,
    /// The repositories it schedules, which are the ones a cycle may be asked of.
    repositories: Vec<ScheduledRepository>,
}

impl Control for SchedulerControl {
    fn control(&self, request: ControlRequest) -> Result<DaemonStatus> {
        let scheduler = &self.scheduler;
        // Called on the read server's own threads, outside the runtime.
        Ok(self.runtime.block_on(async {
            match request {
                ControlRequest::Status => scheduler.daemon_status().await,
                ControlRequest::Pause => scheduler.pause(false).await,
                ControlRequest::PauseNow => scheduler.pause(true).await,
                ControlRequest::Resume => scheduler.resume().await,
            }
        })?)
    }

    fn request_cycle(&self, wanted: Wanted) -> Result<start::Answer> {
        let repository = match start::scheduled_for(&self.repositories, &wanted) {
            Ok(repository) => repository,
            Err(reason) => return Ok(start::Answer::Refused(reason)),
        };
        // The path A2A's evolve skill takes: the scheduler admits it or says what holds it.
        let scheduled = self
            .runtime
            .block_on(self.scheduler.request_cycle(Requested {
                repo: repository.repo.clone(),
                goal: wanted.goal.clone(),
            }))?;
        Ok(start::answer(repository, &wanted, scheduled))
    }
}

/// What an interface serving beside the scheduler (the HTTP server) is given: the handle on
/// the knowledge base the process holds, the tree's event channel, the scheduler, what
/// `tdev ask` needs, and a future that completes when the daemon stops.
pub struct Beside {
    /// The knowledge base the process holds (the curator writes through the same handle).
    pub knowledge: KnowledgeBase,
    /// The channel the tree publishes its events on.
    pub events: tokio::sync::broadcast::Sender<Event>,
    /// The scheduler: the daemon's status, and the cycles other agents ask for.
    pub scheduler: SchedulerHandle,
    /// tdev's paths.
    pub layout: crate::Layout,
    /// The data directory's configuration.
    pub config: Config,
    /// The scheduled repositories' top levels.
    pub repositories: Vec<std::path::PathBuf>,
    /// Completes when the daemon stops: the interface then answers what is in flight and
    /// returns.
    pub stopping: std::pin::Pin<Box<dyn Future<Output = ()> + Send>>,
}

impl std::fmt::Debug for Beside {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Beside")
            .field("data", &self.knowledge.root())
            .field("repositories", &self.repositories)
            .finish_non_exhaustive()
    }
}

/// How long the daemon waits, once the cycles have drained, for an interface beside it to
/// answer what is in flight.
const BESIDE_GRACE: Duration = Duration::from_secs(10);

/// Runs the daemon on `host` until SIGTERM or SIGINT, then drains and returns. `started` is
/// called once the scheduler runs, with the repositories it schedules; `beside` then gets a
/// [`Beside`] and returns the interface to run beside the scheduler until the daemon stops
/// (the binary passes the HTTP server, or nothing).
pub fn run<F>(
    host: &Host,
    started: impl FnOnce(&[ScheduledRepository]),
    beside: impl FnOnce(Beside) -> Option<F>,
) -> Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    let data = host.data();
    let repositories = scheduled(&data.config, &data.dir)?;
    let mut config = crate::evolve::tree_config(host.layout(), &data.dir, &data.config);
    let hooks = Arc::new(Hooks::new(host));
    config.scheduler = Some(SchedulerConfig {
        repositories: repositories.clone(),
        budgets: tdev_schedule::Budgets {
            cycles_per_hour: data.config.daemon.cycles_per_hour,
            spend_per_day: data.config.daemon.spend_per_day,
        },
        state: StateFile::new(&data.dir),
        tick: tdev_actors::DEFAULT_TICK,
        host: hooks.clone(),
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Error::io("starting the async runtime"))?;
    runtime.block_on(async {
        // Listening before the tree starts, so a signal during the start is not lost.
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .map_err(Error::io("listening for SIGTERM"))?;
        let tree = Tree::start_with(config, host.knowledge().clone()).await?;
        let mut events = tree.subscribe();
        let logger = tokio::spawn(async move {
            while let Ok(event) = events.recv().await {
                log(&event);
            }
        });
        host.serve_control(Some(Arc::new(SchedulerControl {
            scheduler: tree.scheduler(),
            runtime: tokio::runtime::Handle::current(),
            repositories: repositories.clone(),
        })));
        started(&repositories);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let interface = beside(Beside {
            knowledge: host.knowledge().clone(),
            events: tree.events(),
            scheduler: tree.scheduler(),
            layout: host.layout().clone(),
            config: data.config.clone(),
            repositories: repositories.iter().map(|r| r.repo.clone()).collect(),
            stopping: Box::pin(async move {
                let _ = stopped.await;
            }),
        })
        .map(tokio::spawn);
        let signal = tokio::select! {
            _ = terminate.recv() => "SIGTERM",
            _ = tokio::signal::ctrl_c() => "SIGINT",
        };
        tracing::info!("{signal}: starting no more cycles; running ones end their attempt");
        let drained = tree.scheduler().drain().await;
        let _ = stop.send(());
        if let Some(interface) = interface
            && tokio::time::timeout(BESIDE_GRACE, interface).await.is_err()
        {
            tracing::warn!(
                "the HTTP server did not finish its requests within {}s; stopping anyway",
                BESIDE_GRACE.as_secs()
            );
        }
        host.serve_control(None);
        tree.stop().await;
        logger.abort();
        // Nothing runs any more: another daemon may take the repositories at once.
        let released = hooks.clone();
        let _ = tokio::task::spawn_blocking(move || released.release_leases()).await;
        drained?;
        tracing::info!("stopped");
        Ok(())
    })
}

/// The tree's events worth a line in the daemon's log (the scheduler logs cycles' starts and
/// ends itself).
fn log(event: &Event) {
    match event {
        Event::Learned { cycle, learned } => match learned {
            Ok(Learned::Kept { version, rows, .. }) => tracing::info!(
                "cycle {cycle}: learn: planner models v{version} trained on {rows} attempts and kept"
            ),
            Ok(Learned::Refused { version, .. }) => tracing::info!(
                "cycle {cycle}: learn: a retrained model did worse; v{version} stays"
            ),
            Ok(Learned::Nothing { why }) => {
                tracing::info!("cycle {cycle}: learn: nothing new to learn: {why}");
            }
            Err(reason) => tracing::warn!(
                "cycle {cycle}: learn: retraining failed, the models in use stay: {reason}"
            ),
        },
        Event::ActorRestarted { actor, reason } => tracing::warn!(
            "the {} actor failed and was restarted: {reason}",
            actor.name()
        ),
        _ => {}
    }
}

/// What `tdev status`, `pause` and `resume` got.
#[derive(Debug)]
pub enum Answer {
    /// The running daemon's status after the request.
    Running(Box<DaemonStatus>),
    /// No daemon runs; the persisted state after the request (pause and resume change it
    /// for the next start).
    NotRunning {
        /// Whether the next start begins paused.
        paused: bool,
    },
}

/// Sends `request` to the daemon holding `data_dir`; with none, reads (status) or changes
/// (pause, resume) the state the next daemon starts from.
pub fn control(data_dir: &Path, request: ControlRequest) -> Result<Answer> {
    match crate::serve::control(data_dir, request)? {
        Controlled::Daemon(status) => return Ok(Answer::Running(status)),
        Controlled::NotADaemon | Controlled::NoHolder => {}
    }
    let file = StateFile::new(data_dir);
    let mut state = file.load()?;
    let paused = match request {
        ControlRequest::Status => state.paused,
        ControlRequest::Pause | ControlRequest::PauseNow => true,
        ControlRequest::Resume => false,
    };
    if paused != state.paused {
        // A daemon starting now would take the lock and read the state; the window is the
        // file's rename, which is atomic, so it reads the old or the new state, whole.
        state.paused = paused;
        file.save(&state)?;
    }
    Ok(Answer::NotRunning { paused })
}
