//! `tdev.toml`, the configuration in the data directory. Every key is optional.

use crate::{Error, Result};
use serde::Deserialize;
use std::path::Path;

/// The file `tdev init` writes: every key, commented, at its default.
pub const DEFAULT_FILE: &str = r#"# tdev configuration. Every key is optional; the values shown are the defaults.

[sparql]
# Output format of `tdev sparql` for SELECT and ASK when --format is not given:
# table, json, xml, csv or tsv.
format = "table"

[patterns]
# How many patterns `tdev patterns search` shows when --limit is not given.
limit = 10

# [knowledge] puts the knowledge graph on a SPARQL 1.1 server instead of the embedded store, so
# that several daemons (on several machines) share one graph, each evolving the repositories
# whose lease it holds (docs/user-guide.md, "Several daemons on one graph"). The pattern index
# and the models stay in this data directory. The server's default graph must be the union of
# its graphs (Oxigraph: `oxigraph serve --union-default-graph`).
# [knowledge]
# endpoint = "http://127.0.0.1:7878"   # queries go to <endpoint>/query, updates to <endpoint>/update
# query_endpoint = "http://host/sparql"   # or name each one (Virtuoso, QLever: the same URL)
# update_endpoint = "http://host/sparql"
# timeout_secs = 60                    # a request still unanswered after this long fails
# lease_secs = 60                      # a daemon that stops renewing its leases (killed) is taken over after this long

# [gates] holds the quality gate a change must pass before its branch is kept: no new failing
# test, coverage of the changed lines, no new high-severity security finding, complexity,
# maintainability, docstrings and duplication not worse, test integrity. docs/gates.md lists
# every key with its default, e.g.:
# [gates.coverage]
# min_percent = 80.0
[coder]
# How many coder workers make changes at the same time: the tasks of one parallel group of
# the plan are attempted concurrently, up to this many at once (at least 1).
workers = 2

[learn]
# How many days a branch tdev proposed may stay open, neither merged nor deleted, before each
# cycle records it as stale rather than open (docs/learning.md, "What became of a branch").
stale_after_days = 30

# The LLM and external-command coder backends have no defaults; without these tables they are
# not used. docs/backends.md describes every key.
# [llm]
# provider = "anthropic"             # or "openai" for any OpenAI-compatible server
# model = "MODEL-NAME"
# api_key_env = "ANTHROPIC_API_KEY"  # the key is read from this variable, never from this file
# budget_per_cycle = 1.0
# budget_per_day = 5.0
#
# [command]
# argv = ["my-agent", "--message-file", "{prompt_file}"]
# timeout_secs = 900

[http]
# The daemon's HTTP endpoint (docs/user-guide.md, "The HTTP endpoint"): the SPARQL protocol,
# the graph store, health, metrics, a JSON API and live events. Loopback by default; any other
# address needs an update token, since whoever reaches the port reads everything learned.
listen = "127.0.0.1:7878"
# The bearer token that /update and the graph store's writes require, read from a file or
# from an environment variable (one of the two), never from this file. Without a token,
# updates and graph store writes are refused (403).
# token_file = "/path/to/token"
# token_env = "TDEV_HTTP_TOKEN"
# Whether the graph store protocol (/store) may PUT, POST and DELETE graphs (with the token).
store_writable = false
# Request bodies larger than this are refused (413).
max_body_bytes = 10485760
# A query still running after this long is cancelled and answered 503.
query_timeout_secs = 30
# Queries, updates and other store work served at once; more are answered 503 with Retry-After.
max_concurrent = 8

# [publish] pushes each kept tdev/auto/ branch and opens a GitHub pull request for it. Off
# unless push = true; the token is read from the environment variable named here, never
# from this file.
# [publish]
# push = false
# remote = "origin"
# github_token_env = "GITHUB_TOKEN"
# api_url = "https://api.github.com"   # GitHub Enterprise: "https://HOST/api/v3"
# owner = "..."                        # owner and repo: read from the remote's URL when absent
# repo = "..."

# [daemon] is what `tdev daemon` evolves, when and how much (docs/user-guide.md, "Running the
# daemon"). Schedules are cron expressions in UTC: five fields, or six with seconds first.
# Budgets are optional; without one there is no limit.
# [daemon]
# cycles_per_hour = 4        # all repositories together
# spend_per_day = 5.0        # model spend of the day's (UTC) attempts, as recorded
# open_branches = 10         # per repository, unless it says otherwise
#
# [[daemon.repositories]]
# path = "/home/ada/src/project"   # relative paths are relative to this file's directory
# schedule = "0 3 * * *"
# goal = "improve overall quality"
# backend = "tools"                # auto, tools, llm or command, as `tdev evolve --backend`
# max_tasks = 5
# cycles_per_hour = 1
# open_branches = 3
"#;

/// The whole of `tdev.toml`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// The `[sparql]` table.
    pub sparql: SparqlConfig,
    /// The `[patterns]` table.
    pub patterns: PatternsConfig,
    /// The gate's policy, `[gates]`.
    pub gates: tdev_gates::Policy,
    /// The coder pool.
    pub coder: CoderTable,
    /// What the Learn phase labels, `[learn]`.
    pub learn: LearnTable,
    /// The LLM coder backend, when configured.
    pub llm: Option<tdev_coder::LlmConfig>,
    /// The external-command coder backend, when configured.
    pub command: Option<tdev_coder::CommandConfig>,
    /// Pushing kept branches and opening pull requests.
    pub publish: tdev_publish::PublishConfig,
    /// What `tdev daemon` evolves, when, and its budgets.
    pub daemon: DaemonTable,
    /// The daemon's HTTP endpoint, `[http]`.
    pub http: HttpTable,
    /// Where the knowledge graph lives, `[knowledge]`.
    pub knowledge: KnowledgeTable,
}

/// The `[knowledge]` table: the SPARQL 1.1 server the graph lives on, when it is not the
/// embedded store.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KnowledgeTable {
    /// The server's base address: queries go to `<endpoint>/query`, updates to
    /// `<endpoint>/update` (Oxigraph's layout, and Fuseki's under a dataset's address).
    pub endpoint: Option<String>,
    /// The query service's address, when it is not `<endpoint>/query`.
    pub query_endpoint: Option<String>,
    /// The update service's address, when it is not `<endpoint>/update`.
    pub update_endpoint: Option<String>,
    /// How long a request may go unanswered, in seconds.
    pub timeout_secs: u64,
    /// How long a lease lasts unless renewed, in seconds.
    pub lease_secs: u64,
}

impl Default for KnowledgeTable {
    fn default() -> Self {
        Self {
            endpoint: None,
            query_endpoint: None,
            update_endpoint: None,
            timeout_secs: 60,
            lease_secs: 60,
        }
    }
}

/// A SPARQL server's query and update addresses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointUrls {
    /// Where queries go.
    pub query: String,
    /// Where updates go.
    pub update: String,
}

impl KnowledgeTable {
    /// The server's addresses, or `None` for the embedded store; a mistake names the key.
    pub fn urls(&self) -> std::result::Result<Option<EndpointUrls>, String> {
        let base = self.endpoint.as_deref().map(|e| e.trim_end_matches('/'));
        let derive = |key: &str, path: &str, given: &Option<String>| match (given, base) {
            (Some(url), _) => Ok(url.clone()),
            (None, Some(base)) => Ok(format!("{base}/{path}")),
            (None, None) => Err(format!(
                "knowledge.{key} is not set: set knowledge.endpoint (the server's base address) \
                 or both knowledge.query_endpoint and knowledge.update_endpoint"
            )),
        };
        if base.is_none() && self.query_endpoint.is_none() && self.update_endpoint.is_none() {
            return Ok(None);
        }
        let urls = EndpointUrls {
            query: derive("query_endpoint", "query", &self.query_endpoint)?,
            update: derive("update_endpoint", "update", &self.update_endpoint)?,
        };
        for (key, url) in [
            ("endpoint", base.unwrap_or("http://")),
            ("query_endpoint", urls.query.as_str()),
            ("update_endpoint", urls.update.as_str()),
        ] {
            let rest = url
                .strip_prefix("http://")
                .or_else(|| url.strip_prefix("https://"));
            if rest.is_none() || (key != "endpoint" && rest == Some("")) {
                return Err(format!(
                    "knowledge.{key} = \"{url}\" is not an http:// or https:// address"
                ));
            }
        }
        Ok(Some(urls))
    }

    /// Checks the table's values; the message names the key.
    pub fn validate(&self) -> std::result::Result<(), String> {
        self.urls()?;
        if self.timeout_secs == 0 {
            return Err("knowledge.timeout_secs must be at least 1".into());
        }
        if self.lease_secs < 3 {
            return Err(
                "knowledge.lease_secs must be at least 3 (a lease is renewed when half of it \
                 has run)"
                    .into(),
            );
        }
        Ok(())
    }
}

/// The `[daemon]` table: the budgets across repositories and the scheduled repositories.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DaemonTable {
    /// At most this many cycles start in an hour, all repositories together.
    pub cycles_per_hour: Option<u32>,
    /// No cycle starts once the day's (UTC) attempts have cost this much.
    pub spend_per_day: Option<f64>,
    /// The open-branches budget of every repository that sets none.
    pub open_branches: Option<u32>,
    /// The `[[daemon.repositories]]`.
    pub repositories: Vec<ScheduledTable>,
}

/// One `[[daemon.repositories]]` entry.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduledTable {
    /// The repository; relative to the data directory when relative.
    pub path: std::path::PathBuf,
    /// When its cycles are due.
    pub schedule: tdev_schedule::Schedule,
    /// The cycles' goal.
    #[serde(default = "default_goal")]
    pub goal: String,
    /// Which backends may change code.
    #[serde(default)]
    pub backend: tdev_planner::BackendChoice,
    /// At most this many tasks per cycle.
    #[serde(default = "default_max_tasks")]
    pub max_tasks: usize,
    /// At most this many of its cycles start in an hour.
    pub cycles_per_hour: Option<u32>,
    /// No cycle starts while this many of its `tdev/auto/` branches are open.
    pub open_branches: Option<u32>,
}

/// The goal of `tdev evolve` and of a scheduled repository that names none.
pub const DEFAULT_GOAL: &str = "improve overall quality";
/// The tasks per cycle of `tdev evolve` and of a scheduled repository that names none.
pub const DEFAULT_MAX_TASKS: usize = 5;

fn default_goal() -> String {
    DEFAULT_GOAL.to_owned()
}

fn default_max_tasks() -> usize {
    DEFAULT_MAX_TASKS
}

/// The `[http]` table: the daemon's HTTP endpoint (`tdev-server` turns it into its own
/// configuration, reading the token from where this table says).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpTable {
    /// Whether `tdev daemon` serves HTTP at all.
    pub enabled: bool,
    /// The address to listen on; loopback unless an update token is configured. Port 0
    /// takes a free port, which the daemon's log names.
    pub listen: std::net::SocketAddr,
    /// A file holding the update token (its first line).
    pub token_file: Option<std::path::PathBuf>,
    /// An environment variable holding the update token.
    pub token_env: Option<String>,
    /// Whether the graph store protocol may write graphs (with the token).
    pub store_writable: bool,
    /// The largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// How long a query may run, in seconds.
    pub query_timeout_secs: u64,
    /// How many requests may use the store at once.
    pub max_concurrent: usize,
}

/// Where the daemon listens unless `[http] listen` says otherwise.
pub const DEFAULT_HTTP_LISTEN: &str = "127.0.0.1:7878";

impl Default for HttpTable {
    fn default() -> Self {
        Self {
            enabled: true,
            listen: DEFAULT_HTTP_LISTEN.parse().expect("a valid socket address"),
            token_file: None,
            token_env: None,
            store_writable: false,
            max_body_bytes: 10 * 1024 * 1024,
            query_timeout_secs: 30,
            max_concurrent: 8,
        }
    }
}

impl HttpTable {
    /// Whether a token source is named (the token itself is read when the server starts).
    pub fn has_token(&self) -> bool {
        self.token_file.is_some() || self.token_env.is_some()
    }

    /// Checks the table's values; the message names the key.
    pub fn validate(&self) -> std::result::Result<(), String> {
        if self.token_file.is_some() && self.token_env.is_some() {
            return Err("set one of http.token_file and http.token_env, not both".into());
        }
        if self.max_concurrent == 0 {
            return Err("http.max_concurrent must be at least 1".into());
        }
        if self.query_timeout_secs == 0 {
            return Err("http.query_timeout_secs must be at least 1".into());
        }
        if self.max_body_bytes < 1024 {
            return Err("http.max_body_bytes must be at least 1024".into());
        }
        if !self.listen.ip().is_loopback() && !self.has_token() {
            return Err(format!(
                "http.listen = \"{}\" is not a loopback address: set http.token_file or \
                 http.token_env too, or listen on 127.0.0.1",
                self.listen
            ));
        }
        Ok(())
    }
}

/// The `[sparql]` table.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SparqlConfig {
    /// The output format of SELECT and ASK results when none is asked for.
    pub format: TableOrResults,
}

/// How SELECT and ASK results are printed by default.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TableOrResults {
    /// An aligned text table.
    #[default]
    Table,
    /// SPARQL 1.1 Query Results JSON.
    Json,
    /// SPARQL Query Results XML.
    Xml,
    /// CSV.
    Csv,
    /// TSV.
    Tsv,
}

/// The `[coder]` table.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CoderTable {
    /// How many coder workers make changes at once.
    pub workers: usize,
}

impl Default for CoderTable {
    fn default() -> Self {
        Self {
            workers: tdev_actors::DEFAULT_CODER_WORKERS,
        }
    }
}

/// The `[learn]` table.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LearnTable {
    /// How many days a proposed branch may stay open before it is labelled stale.
    pub stale_after_days: u32,
}

impl Default for LearnTable {
    fn default() -> Self {
        Self {
            stale_after_days: tdev_core::DEFAULT_STALE_AFTER_DAYS,
        }
    }
}

impl LearnTable {
    /// The age past which an open branch is stale.
    pub fn stale_after(&self) -> std::time::Duration {
        std::time::Duration::from_secs(u64::from(self.stale_after_days) * 86_400)
    }
}

/// The `[patterns]` table.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PatternsConfig {
    /// How many patterns a search shows by default.
    pub limit: usize,
}

impl Default for SparqlConfig {
    fn default() -> Self {
        Self {
            format: TableOrResults::Table,
        }
    }
}

impl Default for PatternsConfig {
    fn default() -> Self {
        Self { limit: 10 }
    }
}

impl Config {
    /// Reads `path`; a missing file means all defaults.
    pub fn load(path: &Path) -> Result<Self> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(Error::io(format!("reading {}", path.display()))(e)),
        };
        let config: Self = toml::from_str(&text).map_err(|e| {
            let at = e
                .span()
                .map(|span| {
                    let line = text[..span.start].matches('\n').count() + 1;
                    let column =
                        span.start - text[..span.start].rfind('\n').map_or(0, |i| i + 1) + 1;
                    format!(":{line}:{column}")
                })
                .unwrap_or_default();
            Error::user(format!(
                "{}{at}: {}; fix the file or delete the key to use its default",
                path.display(),
                e.message()
            ))
        })?;
        config.gates.validate().map_err(|e| {
            Error::user(format!(
                "{}: {e}; see docs/gates.md for the allowed values",
                path.display()
            ))
        })?;
        if config.coder.workers == 0 {
            return Err(Error::user(format!(
                "{}: coder.workers must be at least 1; fix the file",
                path.display()
            )));
        }
        if config.learn.stale_after_days == 0 {
            return Err(Error::user(format!(
                "{}: learn.stale_after_days must be at least 1; fix the file",
                path.display()
            )));
        }
        let checked = config.llm.as_ref().map(|llm| llm.validate()).transpose();
        let checked = checked.and(config.command.as_ref().map(|c| c.validate()).transpose());
        checked.map_err(|e| Error::user(format!("{}: {e}; fix the file", path.display())))?;
        if let Some(spend) = config.daemon.spend_per_day
            && !(spend.is_finite() && spend >= 0.0)
        {
            return Err(Error::user(format!(
                "{}: daemon.spend_per_day must be a non-negative amount; fix the file",
                path.display()
            )));
        }
        config.http.validate().map_err(|e| {
            Error::user(format!(
                "{}: {e}; see \"The HTTP endpoint\" in docs/user-guide.md",
                path.display()
            ))
        })?;
        config.knowledge.validate().map_err(|e| {
            Error::user(format!(
                "{}: {e}; see \"Several daemons on one graph\" in docs/user-guide.md",
                path.display()
            ))
        })?;
        config.publish.validate().map_err(|e| {
            Error::user(format!(
                "{}: {e}; see the Branches and worktrees section of docs/user-guide.md",
                path.display()
            ))
        })?;
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_file_parses_to_the_defaults() {
        let config: Config = toml::from_str(DEFAULT_FILE).unwrap();
        assert!(matches!(config.sparql.format, TableOrResults::Table));
        assert_eq!(config.patterns.limit, PatternsConfig::default().limit);
        assert_eq!(config.coder.workers, CoderTable::default().workers);
        assert_eq!(
            config.learn.stale_after_days,
            tdev_core::DEFAULT_STALE_AFTER_DAYS
        );
    }

    #[test]
    fn the_age_of_a_stale_branch_is_read_and_zero_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tdev.toml");
        std::fs::write(&path, "[learn]\nstale_after_days = 7\n").unwrap();
        let learn = Config::load(&path).unwrap().learn;
        assert_eq!(
            learn.stale_after(),
            std::time::Duration::from_secs(7 * 86_400)
        );
        std::fs::write(&path, "[learn]\nstale_after_days = 0\n").unwrap();
        let err = Config::load(&path).unwrap_err().to_string();
        assert!(
            err.contains("learn.stale_after_days must be at least 1"),
            "{err}"
        );
    }

    #[test]
    fn the_number_of_coder_workers_is_read_and_zero_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tdev.toml");
        std::fs::write(&path, "[coder]\nworkers = 4\n").unwrap();
        assert_eq!(Config::load(&path).unwrap().coder.workers, 4);
        std::fs::write(&path, "[coder]\nworkers = 0\n").unwrap();
        let err = Config::load(&path).unwrap_err().to_string();
        assert!(err.contains("coder.workers must be at least 1"), "{err}");
    }

    #[test]
    fn a_gate_threshold_out_of_range_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tdev.toml");
        std::fs::write(&path, "[gates.coverage]\nmin_percent = 180.0\n").unwrap();
        let err = Config::load(&path).unwrap_err().to_string();
        assert!(err.contains("gates.coverage.min_percent"), "{err}");
    }

    #[test]
    fn coder_backends_are_read_and_a_key_in_the_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tdev.toml");
        std::fs::write(&path, "[llm]\nprovider = \"openai\"\nmodel = \"m\"\n").unwrap();
        let config = Config::load(&path).unwrap();
        assert_eq!(config.llm.map(|llm| llm.model), Some("m".to_owned()));
        std::fs::write(
            &path,
            "[llm]\nprovider = \"openai\"\nmodel = \"m\"\napi_key = \"k\"\n",
        )
        .unwrap();
        let err = Config::load(&path).unwrap_err().to_string();
        assert!(
            err.contains("tdev.toml:4:1: unknown field `api_key`"),
            "{err}"
        );
        std::fs::write(&path, "[command]\nargv = []\n").unwrap();
        let err = Config::load(&path).unwrap_err().to_string();
        assert!(err.contains("`command.argv` is empty"), "{err}");
    }

    #[test]
    fn a_publish_table_is_read_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tdev.toml");
        std::fs::write(&path, "[publish]\npush = true\nremote = \"upstream\"\n").unwrap();
        let config = Config::load(&path).unwrap();
        assert!(config.publish.push);
        assert_eq!(config.publish.remote, "upstream");
        std::fs::write(&path, "[publish]\napi_url = \"api.github.com\"\n").unwrap();
        let err = Config::load(&path).unwrap_err().to_string();
        assert!(
            err.contains("publish.api_url must be an http(s) URL"),
            "{err}"
        );
    }

    #[test]
    fn scheduled_repositories_are_read_and_a_bad_cron_expression_is_refused_where_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tdev.toml");
        std::fs::write(
            &path,
            "[daemon]\ncycles_per_hour = 4\n\n[[daemon.repositories]]\npath = \"..\"\n\
             schedule = \"*/5 * * * * *\"\nbackend = \"tools\"\n",
        )
        .unwrap();
        let daemon = Config::load(&path).unwrap().daemon;
        assert_eq!(daemon.cycles_per_hour, Some(4));
        let repository = &daemon.repositories[0];
        assert_eq!(repository.schedule.as_str(), "*/5 * * * * *");
        assert_eq!(repository.backend, tdev_planner::BackendChoice::Tools);
        assert_eq!(repository.goal, DEFAULT_GOAL);
        assert_eq!(repository.max_tasks, DEFAULT_MAX_TASKS);
        std::fs::write(
            &path,
            "[[daemon.repositories]]\npath = \".\"\nschedule = \"every night\"\n",
        )
        .unwrap();
        let err = Config::load(&path).unwrap_err().to_string();
        assert!(
            err.contains("tdev.toml:3:12: \"every night\" is not a cron expression"),
            "{err}"
        );
        std::fs::write(
            &path,
            "[[daemon.repositories]]\npath = \".\"\nschedule = \"0 3 * * *\"\nbudget = 1\n",
        )
        .unwrap();
        let err = Config::load(&path).unwrap_err().to_string();
        assert!(
            err.contains("tdev.toml:4:1: unknown field `budget`"),
            "{err}"
        );
    }

    #[test]
    fn the_http_table_is_read_and_a_public_address_needs_a_token() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tdev.toml");
        let defaults = Config::load(&path).unwrap().http;
        assert_eq!(defaults.listen.to_string(), DEFAULT_HTTP_LISTEN);
        assert!(!defaults.store_writable && !defaults.has_token());
        std::fs::write(
            &path,
            "[http]\nlisten = \"127.0.0.1:9000\"\ntoken_env = \"T\"\nmax_concurrent = 2\n",
        )
        .unwrap();
        let http = Config::load(&path).unwrap().http;
        assert_eq!((http.listen.port(), http.max_concurrent), (9000, 2));
        std::fs::write(&path, "[http]\nlisten = \"0.0.0.0:7878\"\n").unwrap();
        let err = Config::load(&path).unwrap_err().to_string();
        assert!(err.contains("is not a loopback address"), "{err}");
        std::fs::write(
            &path,
            "[http]\nlisten = \"0.0.0.0:7878\"\ntoken_file = \"/t\"\n",
        )
        .unwrap();
        assert!(Config::load(&path).is_ok());
        std::fs::write(&path, "[http]\nmax_concurrent = 0\n").unwrap();
        let err = Config::load(&path).unwrap_err().to_string();
        assert!(
            err.contains("http.max_concurrent must be at least 1"),
            "{err}"
        );
    }

    #[test]
    fn the_knowledge_table_names_a_server_or_the_embedded_store() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tdev.toml");
        let urls = |text: &str| {
            std::fs::write(&path, text).unwrap();
            Config::load(&path).map(|c| c.knowledge.urls().unwrap())
        };
        assert_eq!(urls("").unwrap(), None);
        assert_eq!(
            urls("[knowledge]\nendpoint = \"http://127.0.0.1:7878/\"\n").unwrap(),
            Some(EndpointUrls {
                query: "http://127.0.0.1:7878/query".into(),
                update: "http://127.0.0.1:7878/update".into(),
            })
        );
        assert_eq!(
            urls(
                "[knowledge]\nquery_endpoint = \"https://h/sparql\"\n\
                 update_endpoint = \"https://h/sparql\"\n"
            )
            .unwrap(),
            Some(EndpointUrls {
                query: "https://h/sparql".into(),
                update: "https://h/sparql".into(),
            })
        );
        let refused = |text: &str, expected: &str| {
            let err = urls(text).unwrap_err().to_string();
            assert!(err.contains(expected), "{err}");
            assert!(err.contains("tdev.toml"), "{err}");
        };
        refused(
            "[knowledge]\nquery_endpoint = \"http://h/q\"\n",
            "knowledge.update_endpoint is not set",
        );
        refused(
            "[knowledge]\nendpoint = \"127.0.0.1:7878\"\n",
            "knowledge.endpoint = \"127.0.0.1:7878\" is not an http:// or https:// address",
        );
        refused(
            "[knowledge]\nendpoint = \"http://h\"\nlease_secs = 1\n",
            "knowledge.lease_secs must be at least 3",
        );
    }

    #[test]
    fn a_typo_is_reported_with_its_position() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tdev.toml");
        std::fs::write(&path, "[sparql]\nformatt = \"csv\"\n").unwrap();
        let err = Config::load(&path).unwrap_err().to_string();
        assert!(
            err.contains("tdev.toml:2:1: unknown field `formatt`"),
            "{err}"
        );
    }
}
