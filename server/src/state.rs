//! What every handler shares: the open knowledge base, the configuration, the slots that
//! bound store work, the channel the daemon publishes cycle events on, the daemon's live
//! gauges and status, what `POST /api/ask` may scan, how A2A's evolve skill starts a cycle,
//! the A2A tasks kept, and how long each query took last time.

use crate::config::Config;
use crate::live::{Live, NoLive};
use crate::quick::Quick;
use crate::{Error, Result};
use futures_util::future::BoxFuture;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tdev_actors::{Event, Refused, Requested};
use tdev_knowledge::{CancellationToken, KnowledgeBase};
use tdev_schedule::DaemonStatus;
use tokio::sync::{Semaphore, broadcast, watch};

/// Events kept for a subscriber that reads slower than they come; past that it is told how
/// many it missed.
pub const EVENT_CAPACITY: usize = 256;

/// What `POST /api/ask` needs: where tdev's tools live, the configuration the answer plans
/// with, and the repositories it may scan (a client names one of these, never a path of its
/// choosing).
#[derive(Clone, Debug)]
pub struct AskContext {
    /// tdev's paths (tools, caches).
    pub layout: tdev_app::Layout,
    /// The data directory's configuration.
    pub config: tdev_app::Config,
    /// The repositories a question may be about.
    pub repositories: Vec<PathBuf>,
}

/// The daemon's latest status, read without waiting on the scheduler; `None` until it first
/// answers.
pub type StatusSource = Arc<dyn Fn() -> Option<DaemonStatus> + Send + Sync>;

/// Asks the daemon's scheduler for a cycle: its id, or why the scheduler did not start it
/// (the pause, a budget, a cycle under way); `Err` when the scheduler could not be asked.
pub type CycleStarter = Arc<
    dyn Fn(
            Requested,
        )
            -> BoxFuture<'static, std::result::Result<std::result::Result<String, Refused>, String>>
        + Send
        + Sync,
>;

/// What A2A's evolve skill needs: the repositories it may start cycles on (a client names one
/// of these) and the scheduler that starts them.
#[derive(Clone)]
pub struct EvolveContext {
    /// The daemon's scheduled repositories.
    pub repositories: Vec<PathBuf>,
    /// Starts a cycle through the scheduler.
    pub start: CycleStarter,
}

impl std::fmt::Debug for EvolveContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EvolveContext")
            .field("repositories", &self.repositories)
            .finish_non_exhaustive()
    }
}

/// The server's shared state; cheap to clone.
#[derive(Clone)]
pub struct State {
    pub(crate) knowledge: KnowledgeBase,
    pub(crate) config: Arc<Config>,
    pub(crate) events: broadcast::Sender<Event>,
    pub(crate) live: Arc<dyn Live>,
    pub(crate) ask: Option<Arc<AskContext>>,
    pub(crate) status: Option<StatusSource>,
    pub(crate) evolve: Option<Arc<EvolveContext>>,
    pub(crate) a2a: Arc<crate::a2a::Tasks>,
    slots: Arc<Semaphore>,
    quick: Arc<Quick>,
    pub(crate) stopping: watch::Receiver<bool>,
    stop: Arc<watch::Sender<bool>>,
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State")
            .field("data", &self.knowledge.root())
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl State {
    /// Serves `knowledge` (the handle the process holds) as `config` says, with a fresh event
    /// channel, no live gauges, no `/api/status`, no `/api/ask` and no A2A evolve skill.
    pub fn new(knowledge: KnowledgeBase, config: Config) -> Self {
        let (stop, stopping) = watch::channel(false);
        Self {
            knowledge,
            slots: Arc::new(Semaphore::new(config.max_concurrent.max(1))),
            quick: Arc::default(),
            config: Arc::new(config),
            events: broadcast::channel(EVENT_CAPACITY).0,
            live: Arc::new(NoLive),
            ask: None,
            status: None,
            evolve: None,
            a2a: Arc::default(),
            stopping,
            stop: Arc::new(stop),
        }
    }

    /// Streams the events published on `events` at `/events` (the daemon's channel).
    #[must_use]
    pub fn with_events(mut self, events: broadcast::Sender<Event>) -> Self {
        self.events = events;
        self
    }

    /// Adds the daemon's gauges to `/metrics`.
    #[must_use]
    pub fn with_live(mut self, live: Arc<dyn Live>) -> Self {
        self.live = live;
        self
    }

    /// Answers `GET /api/status` with what `status` says: the daemon's schedules and budgets.
    #[must_use]
    pub fn with_status(mut self, status: StatusSource) -> Self {
        self.status = Some(status);
        self
    }

    /// Enables `POST /api/ask` on the repositories `ask` names.
    #[must_use]
    pub fn with_ask(mut self, ask: AskContext) -> Self {
        self.ask = Some(Arc::new(ask));
        self
    }

    /// Enables A2A's evolve skill (with the update token) on the repositories `evolve` names.
    #[must_use]
    pub fn with_evolve(mut self, evolve: EvolveContext) -> Self {
        self.evolve = Some(Arc::new(evolve));
        self
    }

    /// The sender `/events` subscribes to: publish cycle events here.
    pub fn events(&self) -> broadcast::Sender<Event> {
        self.events.clone()
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Waits until no store work runs, including queries that timed out and are still
    /// finishing on their thread.
    pub async fn idle(&self) {
        let all = u32::try_from(self.config.max_concurrent.max(1)).unwrap_or(u32::MAX);
        if let Ok(permits) = self.slots.acquire_many(all).await {
            drop(permits);
        }
    }

    /// Slots free for store work now.
    pub(crate) fn free_slots(&self) -> usize {
        self.slots.available_permits()
    }

    /// Ends the event streams, so that a graceful shutdown does not wait for their clients.
    pub(crate) fn stop_streams(&self) {
        let _ = self.stop.send(true);
    }

    /// The key under which the cost of `query` (its text with everything else that changes
    /// the answer) is remembered, for [`State::query`].
    pub(crate) fn query_key(&self, query: &impl std::hash::Hash) -> u64 {
        self.quick.key(query)
    }

    /// Evaluates a query in one of the store's slots within the configured time limit: on
    /// the worker that took the request when the same query (`key`) was last answered
    /// quickly from the embedded store, else on the blocking pool (see [`crate::quick`]).
    /// A query stopped at the limit is [`Error::Timeout`] either way.
    pub(crate) async fn query<T: Send + 'static>(
        &self,
        key: u64,
        work: impl FnOnce(CancellationToken) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let limit = self.config.query_timeout;
        if !self.knowledge.graph.is_remote() && self.quick.is_quick(key, self.config.quick_query) {
            let _slot = self
                .slots
                .clone()
                .try_acquire_owned()
                .map_err(|_| Error::Busy)?;
            let cancel = CancellationToken::new();
            let _watch = self.quick.watch(limit, cancel.clone());
            let start = Instant::now();
            let answer = work(cancel.clone());
            self.quick.record(key, start.elapsed());
            return match answer {
                Err(_) if cancel.is_cancelled() => Err(Error::Timeout(limit)),
                answer => answer,
            };
        }
        let quick = Arc::clone(&self.quick);
        self.blocking(Some(limit), move |cancel| {
            let start = Instant::now();
            let answer = work(cancel);
            quick.record(key, start.elapsed());
            answer
        })
        .await
    }

    /// Runs `work` on the blocking pool, in one of the store's slots (503 with `Retry-After`
    /// when none is free) and, when `limit` is given, within that time: past it the token
    /// given to `work` is cancelled and the client gets 503 at once. The slot stays taken
    /// until the thread ends, so work still finishing keeps counting against the limit.
    pub(crate) async fn blocking<T: Send + 'static>(
        &self,
        limit: Option<Duration>,
        work: impl FnOnce(CancellationToken) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let slot = self
            .slots
            .clone()
            .try_acquire_owned()
            .map_err(|_| Error::Busy)?;
        let cancel = CancellationToken::new();
        let token = cancel.clone();
        let handle = tokio::task::spawn_blocking(move || {
            let _slot = slot;
            work(token)
        });
        let joined = match limit {
            None => handle.await,
            Some(limit) => match tokio::time::timeout(limit, handle).await {
                Ok(joined) => joined,
                Err(_) => {
                    cancel.cancel();
                    return Err(Error::Timeout(limit));
                }
            },
        };
        joined.map_err(|e| Error::Worker(e.to_string()))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    async fn ask(state: &State) -> axum::response::Response {
        let request = Request::get("/query?query=ASK%7B%7D")
            .body(Body::empty())
            .unwrap();
        crate::app(state.clone()).oneshot(request).await.unwrap()
    }

    #[tokio::test]
    async fn a_request_past_the_concurrency_limit_is_503_with_retry_after() {
        let dir = tempfile::tempdir().unwrap();
        let knowledge = KnowledgeBase::open(dir.path()).unwrap();
        let state = State::new(
            knowledge,
            Config {
                max_concurrent: 1,
                ..Config::default()
            },
        );
        // Work that holds the only slot until told to stop, and says when it has it.
        let (release, released) = std::sync::mpsc::channel::<()>();
        let (started, running) = tokio::sync::oneshot::channel();
        let holder = {
            let state = state.clone();
            tokio::spawn(async move {
                state
                    .blocking(None, move |_| {
                        let _ = started.send(());
                        let _ = released.recv();
                        Ok(())
                    })
                    .await
            })
        };
        running.await.unwrap();
        let busy = ask(&state).await;
        assert_eq!(busy.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(busy.headers()["retry-after"], "1");
        release.send(()).unwrap();
        holder.await.unwrap().unwrap();
        assert_eq!(ask(&state).await.status(), StatusCode::OK);
    }

    #[test]
    fn the_token_is_never_shown() {
        let config = Config {
            token: Some(crate::Token::new("secret-secret-secret").unwrap()),
            ..Config::default()
        };
        assert!(!format!("{config:?}").contains("secret"));
        assert!(crate::Token::new("short").is_err());
    }

    #[test]
    fn a_public_address_needs_a_token() {
        let public = "0.0.0.0:7878".parse().unwrap();
        assert!(Config::default().check_address(public).is_err());
        assert!(
            Config::default()
                .check_address("127.0.0.1:1".parse().unwrap())
                .is_ok()
        );
        let with_token = Config {
            token: Some(crate::Token::new("secret-secret-secret").unwrap()),
            ..Config::default()
        };
        assert!(with_token.check_address(public).is_ok());
    }
}
