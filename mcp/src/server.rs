//! The tools: each reads its arguments, calls the `tdev-app` façade on the blocking pool, and
//! answers with text (JSON for programs, and for `ask` the rendered answer too).

use crate::params::{
    AskParams, PlanParams, ShowCycleParams, SparqlParams, StartCycleParams, directory,
};
use crate::reply;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, Implementation, ServerCapabilities, ServerConfig, Tool};
use rmcp::{ServerHandler, tool, tool_handler, tool_router};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use tdev_app::start::{Begun, Wanted};
use tdev_app::{DataDir, Error, FindingsFrom, Layout, Missing, Reader};

/// What the server needs to answer: where things are.
#[derive(Clone, Debug)]
pub struct Options {
    /// The data directory every call reads, and `start_cycle` starts a cycle on (through the
    /// daemon holding it, or `tdev evolve`).
    pub data_dir: PathBuf,
    /// tdev's paths: cache, tool and test environments.
    pub layout: Layout,
    /// The tdev executable `start_cycle` starts when no daemon runs.
    pub exe: PathBuf,
    /// The directory the server runs in: relative repository paths are taken from it, and a
    /// question that names no repository is about the git repository it is in.
    pub cwd: PathBuf,
}

/// The MCP server: the six tools over the façade.
#[derive(Clone, Debug)]
pub struct Server {
    options: Arc<Options>,
    /// Taken while a call has the data directory open, so that two calls of this process do
    /// not both try to (the store has one holder; the second would find it taken).
    store: Arc<Mutex<()>>,
}

const INSTRUCTIONS: &str = "tdev improves code in cycles (research, plan, change, evaluate, \
    gate, learn) and records every cycle in an RDF knowledge graph. Use `cycles` and \
    `show_cycle` for what the cycles did, `sparql` for any question about the recorded \
    knowledge (vocabulary https://tdev.dev/ns#), `ask` for recommendations on a repository, \
    `plan` for the tasks a cycle would do, and `start_cycle` to run one in the background \
    (through the tdev daemon, within its pause and budgets, when one runs).";

impl Server {
    /// A server answering from `options`.
    pub fn new(options: Options) -> Self {
        Self {
            options: Arc::new(options),
            store: Arc::default(),
        }
    }

    /// The tools it offers, as `tools/list` gives them, by name.
    pub fn tools() -> Vec<Tool> {
        Self::tool_router().list_all()
    }

    /// Runs `work` on the blocking pool with the data directory (located afresh, so a changed
    /// `tdev.toml` counts), in the store's turn; an error or a panic becomes the call's
    /// result. Calls take turns even where most of the work is a scan, since the store is
    /// opened at its end: simpler than two openers of one process finding each other.
    async fn call<F>(&self, work: F) -> CallToolResult
    where
        F: FnOnce(&Options, DataDir) -> tdev_app::Result<CallToolResult> + Send + 'static,
    {
        let (options, turn) = (self.options.clone(), self.store.clone());
        let done = tokio::task::spawn_blocking(move || {
            let _turn = turn.lock().unwrap_or_else(PoisonError::into_inner);
            let data = DataDir::locate(
                Some(&options.data_dir),
                &options.cwd,
                &options.layout,
                Missing::Refuse,
            )?;
            work(&options, data)
        })
        .await;
        match done {
            Ok(Ok(result)) => result,
            Ok(Err(e)) => reply::error(&e),
            Err(e) => reply::stopped(&e.to_string()),
        }
    }
}

#[tool_router]
impl Server {
    /// Run a read-only SPARQL 1.1 query over everything tdev recorded (every cycle, task,
    /// attempt, finding, gate decision, model) and get its results as SPARQL JSON results
    /// (SELECT, ASK) or Turtle (CONSTRUCT, DESCRIBE). Results longer than 256 KiB are
    /// refused: add LIMIT or narrow the query.
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn sparql(&self, Parameters(params): Parameters<SparqlParams>) -> CallToolResult {
        self.call(move |_, data| {
            let query = params.query()?;
            let format = params
                .format
                .map(|f| tdev_app::query::format(f.name()))
                .transpose()?;
            let reader = Reader::open(&data.dir)?;
            let written = tdev_app::query::read(
                &reader,
                query,
                "<query>",
                format,
                tdev_app::query::MAX_OUTPUT_BYTES,
            )?;
            Ok(reply::text([written.text]))
        })
        .await
    }

    /// Ask tdev for recommendations on a repository, each with its evidence and confidence:
    /// what to fix first, which strategies fail there and why, or how long its work would
    /// take. Scans the repository (seconds to minutes). Answers with the answer as JSON, then
    /// as text for people.
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn ask(&self, Parameters(params): Parameters<AskParams>) -> CallToolResult {
        self.call(move |options, data| {
            let question = params.question()?;
            let repo = match &params.repository {
                Some(given) => directory(given, &options.cwd)?,
                None => tdev_app::evolve::repository_top(&options.cwd).map_err(|e| {
                    if !e.is_user_error() {
                        return e;
                    }
                    Error::user(format!(
                        "name the repository the question is about (the repository argument): \
                         the server runs in {}, which is in no git repository",
                        options.cwd.display()
                    ))
                })?,
            };
            let answer = tdev_app::ask::ask(
                question,
                &repo,
                &options.layout,
                &data.config,
                Some(&data.dir),
            )?;
            Ok(reply::text([
                reply::json(&answer)?,
                tdev_app::ask::render(&answer),
            ]))
        })
        .await
    }

    /// List the recorded cycles, newest first, as a JSON array: each cycle's id, repository,
    /// goal, outcome, start and end, tasks and attempts.
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn cycles(&self) -> CallToolResult {
        self.call(|_, data| {
            let reader = Reader::open(&data.dir)?;
            let rows = tdev_app::history::cycles(&reader)?;
            Ok(reply::text([reply::json(&rows.objects())?]))
        })
        .await
    }

    /// Show one recorded cycle as JSON: its summary (repository, goal, outcome and why,
    /// times, findings), its planned tasks, and every attempt with the gate's reasons and the
    /// branch it kept.
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn show_cycle(&self, Parameters(params): Parameters<ShowCycleParams>) -> CallToolResult {
        self.call(move |_, data| {
            let id = params.id()?;
            let reader = Reader::open(&data.dir)?;
            let detail = tdev_app::history::cycle(&reader, id)?;
            Ok(reply::text([reply::json(&detail.to_json(id))?]))
        })
        .await
    }

    /// Plan a cycle on a repository without running it: its findings (scanned now) under a
    /// goal, decomposed into estimated tasks of at most 4 hours with their dependencies, the
    /// critical path and the groups that can run in parallel, as JSON. Estimates come from
    /// tdev's learned models when it has trained some.
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn plan(&self, Parameters(params): Parameters<PlanParams>) -> CallToolResult {
        self.call(move |options, data| {
            let repo = directory(&params.repository, &options.cwd)?;
            let max_tasks = params.max_tasks()?;
            let (plan, warnings) = tdev_app::plan(
                params.goal.as_deref(),
                FindingsFrom::Repo(&repo),
                max_tasks,
                &options.layout,
                &data.config,
                Some(&data.dir),
            )?;
            let warnings = warnings.into_iter().map(|w| format!("warning: {w}"));
            Ok(reply::text(
                std::iter::once(reply::json(&plan)?).chain(warnings),
            ))
        })
        .await
    }

    /// Start an evolution cycle on a git repository and answer at once, without waiting for
    /// it (it takes minutes). When a tdev daemon runs on the data directory, the daemon's
    /// scheduler starts it, for a repository the daemon evolves, with that repository's
    /// configured backend and task limit; its pause and budgets may hold it back, and then
    /// this call fails saying why. Otherwise it starts `tdev evolve` in the background and
    /// answers with its process id and log file. Passing changes are committed on tdev/auto/
    /// branches, never on the checkout. The cycle is recorded when it ends: see the cycles
    /// and show_cycle tools (the daemon's answer gives its id).
    #[tool(annotations(
        read_only_hint = false,
        destructive_hint = false,
        idempotent_hint = false,
        open_world_hint = false
    ))]
    async fn start_cycle(
        &self,
        Parameters(params): Parameters<StartCycleParams>,
    ) -> CallToolResult {
        // In the store's turn until the process holds the data directory, so that no read of
        // this one takes the directory just as the process opens it.
        self.call(move |options, data| {
            let wanted = Wanted {
                repo: directory(&params.repository, &options.cwd)?,
                goal: params.goal.clone(),
                backend: params.backend.map(Into::into),
                max_tasks: params.max_tasks()?,
            };
            let begun = tdev_app::start::start_cycle(&options.exe, &data, &wanted)?;
            let said = match &begun {
                Begun::Daemon(cycle) => format!(
                    "The tdev daemon (pid {}) started cycle {} on {}. It is recorded when it \
                     ends (minutes): then the cycles tool lists it and show_cycle \
                     {{\"id\": \"{}\"}} shows it.",
                    cycle.daemon_pid,
                    cycle.cycle,
                    cycle.repository.display(),
                    cycle.cycle
                ),
                Begun::Process(started) => format!(
                    "tdev evolve started on {} as pid {}; its progress goes to {}. The cycle \
                     is recorded when it ends (minutes): see the cycles tool.",
                    started.repository.display(),
                    started.pid,
                    started.log.display()
                ),
            };
            Ok(reply::text([reply::json(&begun)?, said]))
        })
        .await
    }
}

#[tool_handler]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("tdev", env!("CARGO_PKG_VERSION")))
            .with_instructions(INSTRUCTIONS)
    }
}
