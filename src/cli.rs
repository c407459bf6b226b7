//! The command-line surface: every command, flag and its help text.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// tdev learns how to improve code: it records every evolution cycle in a knowledge graph and
/// a pattern index, and answers questions about what it has learned.
///
/// Start with `tdev init` in a repository (or any directory), then query with `tdev sparql`.
/// Commands find the data directory `.tdev/` in the current directory or its parents, as git
/// finds `.git`; `--data-dir` (or TDEV_DATA_DIR) names one explicitly.
#[derive(Debug, Parser)]
#[command(name = "tdev", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    /// The data directory (default: the nearest `.tdev/` above the current directory).
    #[arg(long, global = true, env = "TDEV_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// More log output on stderr (-v info, -vv debug); RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a data directory `.tdev/` with its configuration, knowledge graph and pattern index.
    ///
    /// Running it again on an initialised directory changes nothing and says so.
    Init {
        /// Where to create `.tdev/` (default: the current directory).
        path: Option<PathBuf>,
    },
    /// Measure a repository and list what is worth improving, highest priority first.
    ///
    /// Reads every Python and Rust file the repository does not ignore, once: cyclomatic
    /// complexity, maintainability index, raw and Halstead metrics (radon's rules) and
    /// documentation coverage (interrogate's rules; rustc's `missing_docs`), plus churn from the last --history commits of its git history, which
    /// makes hotspots (often changed and complex). Files that are too large, generated,
    /// binary, not UTF-8 or do not parse, and links that loop or lead outside, are listed as
    /// skipped. Needs no data directory and changes nothing.
    ///
    /// Examples:
    ///   tdev scan --repo ~/src/project
    ///   tdev scan --json | jq '.findings[] | select(.severity == "high")'
    ///   tdev scan --markdown > scan.md
    Scan(ScanArgs),
    /// Run evolution cycles on a repository: research, plan, then per task up to three
    /// attempts in isolated git worktrees, each evaluated against the repository's own tests
    /// and gated; passing changes are committed on tdev/auto/<cycle>-<task> branches with a PR
    /// description. Your checkout, branches and working tree are never touched.
    ///
    /// The data directory is the nearest .tdev/ (or --data-dir); without one, the per-user
    /// one ($XDG_DATA_HOME/tdev/data or ~/.local/share/tdev/data) is created and used, so one
    /// data directory learns from every repository. Worktrees, test environments and scratch
    /// files live in tdev's cache (`tdev paths`), never in the repository. While `tdev daemon`
    /// runs on the data directory, it runs the cycles and `tdev evolve` is refused; agents
    /// ask the daemon for a cycle through `tdev mcp`'s start_cycle or A2A's evolve skill.
    ///
    /// Examples:
    ///   tdev evolve --repo ~/src/project --dry-run        # research and plan only
    ///   tdev evolve --repo . --cycles 3 --max-tasks 5
    ///   tdev evolve --repo . --goal "fix security findings" --backend tools
    #[command(verbatim_doc_comment)]
    Evolve(EvolveArgs),
    /// Evolve the repositories of tdev.toml's [daemon] table on their cron schedules, within
    /// their budgets, until SIGTERM or SIGINT.
    ///
    /// Each repository is a [[daemon.repositories]] entry: path, schedule (cron, UTC; five
    /// fields, or six with seconds first), goal, backend, max_tasks. Budgets, as Renovate
    /// has them: cycles_per_hour (all repositories, or one), open_branches (tdev/auto/
    /// branches neither merged nor deleted, per repository) and spend_per_day (model spend of
    /// the day, UTC). A run missed while the daemon was stopped runs once when it starts.
    /// One daemon per data directory; it answers `tdev status`, `tdev pause` and `tdev
    /// resume`, and the read commands, while it runs. On SIGTERM or SIGINT the running cycles
    /// finish their current attempt, are recorded, and it exits 0. Logs one line per cycle
    /// start and end on stderr. See "Running the daemon" in docs/user-guide.md.
    ///
    /// Example tdev.toml:
    ///   [daemon]
    ///   cycles_per_hour = 4
    ///   [[daemon.repositories]]
    ///   path = "/home/ada/src/project"
    ///   schedule = "0 3 * * *"
    ///   backend = "tools"
    ///   open_branches = 3
    #[command(verbatim_doc_comment)]
    Daemon,
    /// Show the daemon's schedules, running cycles, budgets left and next runs.
    ///
    /// Exit code 0 while a daemon runs on the data directory; 3 when none does (the output
    /// then says whether the next start begins paused), so scripts can tell the two apart.
    Status {
        /// Print JSON: the daemon's status, or {"running": false, "paused": ...}.
        #[arg(long)]
        json: bool,
    },
    /// Stop the daemon from starting cycles (kept across restarts) until `tdev resume`.
    ///
    /// Without --now, running cycles go on to their end. With --now (the kill switch), each
    /// running cycle finishes the attempt under way, starts no other, and is recorded with
    /// the attempts it made. With no daemon running, the next start begins paused.
    Pause {
        /// Also stop running cycles from making new attempts (the kill switch).
        #[arg(long)]
        now: bool,
    },
    /// Let the daemon start cycles again (and turn the kill switch off); runs owed while it
    /// was paused start once each, budgets allowing.
    Resume,
    /// List the recorded cycles, newest first.
    Cycles {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Show one recorded cycle: its plan, every attempt with the gate's reasons, and branches.
    Show {
        /// The cycle's id (as `tdev cycles` lists it).
        cycle: String,
        /// Print the cycle's record (the triples of its graph) as JSON-LD-free JSON rows.
        #[arg(long)]
        json: bool,
    },
    /// Run a SPARQL 1.1 query (or, with --update, an update) against the knowledge graph.
    ///
    /// The default graph is the union of all graphs, so plain patterns see every cycle; use
    /// GRAPH ?g { ... } to see which cycle a fact comes from. Prefixes tdev:, prov:, rdf:,
    /// rdfs: and xsd: need declaring as usual; see docs/ontology.md for example queries.
    ///
    /// Examples:
    ///   tdev sparql 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'
    ///   tdev sparql --file knowledge/queries/pass-rate-per-strategy.rq --format csv
    ///   tdev sparql --file knowledge/queries/repository-trend.rq --bind repository='<https://tdev.dev/id/repo/attrs>'
    Sparql(SparqlArgs),
    /// Load, dump and describe the knowledge graph.
    #[command(subcommand)]
    Kg(KgCommand),
    /// Search and add learned patterns (situation, strategy, outcome counts).
    #[command(subcommand)]
    Patterns(PatternsCommand),
    /// What the planner's models learned from the recorded attempts, and how well.
    ///
    /// After every cycle the Learn phase retrains the models (effort, chance of passing the
    /// gate, risk) on every recorded attempt and keeps the new version only if it does no
    /// worse on that cycle's attempts; `tdev plan` and each cycle then estimate with it.
    /// See docs/learning.md.
    #[command(subcommand)]
    Learn(LearnCommand),
    /// Ask for recommendations from what tdev learned, each with its evidence and confidence.
    ///
    /// Answers three kinds of question about a repository (by their words): what to fix
    /// first (in the repository, or under a file or directory the question names); which
    /// strategies fail on it and why; how long its work, or its tool fixes, would take. The
    /// answer combines a fresh scan and plan of the repository, the recorded attempts (with
    /// the cycles they come from), the pattern index and the planner's models. Confidence is
    /// high with 10 or more recorded attempts of a strategy, medium with 3 to 9, low with
    /// fewer.
    ///
    /// Examples:
    ///   tdev ask "what should I fix first in src/parser.py"
    ///   tdev ask "which strategies fail on this repository and why" --repo ~/src/project
    ///   tdev ask "how long will the tool fixes of this repository take" --json
    #[command(verbatim_doc_comment)]
    Ask(AskArgs),
    /// Plan a cycle: decompose a goal over research findings into estimated tasks of at most
    /// 4 hours, with their dependencies, the critical path and the groups that can run in
    /// parallel. Plans what `tdev evolve` can do with the data directory's tdev.toml: without
    /// an [llm] table, work only a model could do is left out, and the plan says how much.
    ///
    /// Examples:
    ///   tdev plan --repo ~/src/project
    ///   tdev plan --repo . --goal "raise quality of the hotspots" --json
    ///   tdev scan --json > scan.json && tdev plan --findings scan.json --mermaid > plan.mmd
    #[command(verbatim_doc_comment)]
    Plan(PlanArgs),
    /// Make a new service from a requirement in plain language: a git repository with the
    /// service, its tests (one per acceptance criterion, a smoke test of the real server),
    /// a contract test against its OpenAPI document, README, Dockerfile, compose file and CI
    /// workflow; then run its checks and say how they went.
    ///
    /// A requirement too vague to build is refused (exit 2) with its questions; answer them
    /// with --answer KEY=VALUE (or --answers FILE). A requirement no blueprint can build (a
    /// rate limit, say) is refused with each blueprint's reason. docs/new.md lists the forms
    /// a requirement is understood in. Needs no data directory; the service's packages are
    /// installed from PyPI into an environment in tdev's cache, not into the project.
    ///
    /// Examples:
    ///   tdev new "A book has a title and a unique isbn. Members can borrow a book." --out library
    ///   tdev new --file requirement.md --out todo --answer fields.todo=title,due:date
    ///   tdev new "A system for stuff." --out stuff          # refused: questions, exit 2
    #[command(verbatim_doc_comment)]
    New(NewArgs),
    /// Serve what tdev learned to other agents: a Model Context Protocol (MCP) server on
    /// stdin and stdout, for an MCP client (Claude Desktop, VS Code, an agent) to start.
    ///
    /// Tools: sparql {query, format?} (read-only SPARQL; SPARQL JSON results or Turtle),
    /// ask {question, repository?} (as `tdev ask`), cycles and show_cycle {id} (as `tdev
    /// cycles` and `tdev show`), plan {repository, goal?, max_tasks?} (as `tdev plan --repo`),
    /// start_cycle {repository, goal?, backend?, max_tasks?} (answers at once: while `tdev
    /// daemon` runs on the data directory, its scheduler starts the cycle, of a repository it
    /// evolves, as configured, unless its pause or a budget holds it back, and the answer
    /// gives the cycle's id; otherwise it starts `tdev evolve` in the background and answers
    /// with its pid and log file, in DATA_DIR/logs/). Each call opens the data directory and
    /// lets it go, so `tdev evolve` and the daemon run beside it (it then reads through them).
    /// Only protocol messages go to stdout; logs go to stderr (-v for more). It ends when the
    /// client closes stdin.
    ///
    /// Register it with the client, naming the data directory. Claude Desktop
    /// (claude_desktop_config.json):
    ///   {
    ///     "mcpServers": {
    ///       "tdev": {
    ///         "command": "tdev",
    ///         "args": ["--data-dir", "/home/ada/src/project/.tdev", "mcp"]
    ///       }
    ///     }
    ///   }
    /// VS Code (.vscode/mcp.json):
    ///   {
    ///     "servers": {
    ///       "tdev": {
    ///         "type": "stdio",
    ///         "command": "tdev",
    ///         "args": ["--data-dir", "${workspaceFolder}/.tdev", "mcp"]
    ///       }
    ///     }
    ///   }
    /// See "MCP" in docs/user-guide.md.
    #[command(verbatim_doc_comment)]
    Mcp,
    /// Install and inspect tdev's tool environment: pinned ruff, bandit, pytest and coverage.
    ///
    /// The environment is a Python virtual environment in TDEV_TOOLS_DIR, else
    /// <cache>/tools (`tdev paths` shows where); the user's own Python packages are never
    /// touched.
    #[command(subcommand)]
    Tools(ToolsCommand),
    /// Show where tdev keeps everything: its cache (tool environment, test environments,
    /// worktrees, build directories, datasets) and the per-user data directory.
    ///
    /// The cache is TDEV_CACHE, else $XDG_CACHE_HOME/tdev, else ~/.cache/tdev; TDEV_TOOLS_DIR,
    /// TDEV_TEST_ENVS, TDEV_DATASETS and CARGO_TARGET_DIR move single parts. The per-user data
    /// directory is $XDG_DATA_HOME/tdev/data, else ~/.local/share/tdev/data.
    Paths {
        /// Print JSON instead of `name path` lines.
        #[arg(long)]
        json: bool,
    },
    /// Print a shell completion script, e.g. `tdev completions bash > ~/.local/share/bash-completion/completions/tdev`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// The repository (or any directory) to scan.
    #[arg(long, default_value = ".", value_name = "PATH")]
    pub repo: PathBuf,

    /// Print the whole report as JSON (schema: docs/findings.md).
    #[arg(long, conflicts_with = "markdown")]
    pub json: bool,

    /// Print the report as Markdown, e.g. for a pull request or an issue.
    #[arg(long)]
    pub markdown: bool,

    /// How many findings and hotspots the text and Markdown reports list (JSON has all).
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub top: usize,

    /// Churn is read from this many of the most recent commits; 0 reads no history.
    #[arg(long, default_value_t = 500, value_name = "COMMITS")]
    pub history: usize,

    /// Files larger than this many KiB are skipped as not hand-written.
    #[arg(long, default_value_t = 1024, value_name = "KIB")]
    pub max_file_kib: u64,

    /// Add the findings of ruff and bandit from tdev's tool environment, and the files the
    /// repository's formatter (rustfmt, ruff's) would change: `auto` runs them when installed
    /// and says so when not (`tdev tools install`), `none` measures natively only, `require`
    /// fails unless every one ran. clippy is not run here: building runs the target's build
    /// scripts, which `tdev evolve` does in its sandbox.
    #[arg(long, value_enum, default_value = "auto")]
    pub tools: ToolsMode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ToolsMode {
    /// Run the tools that are installed; report the others as not run.
    Auto,
    /// Native analyses only.
    None,
    /// Fail unless every tool ran.
    Require,
}

#[derive(Debug, Args)]
pub struct EvolveArgs {
    /// The git repository to improve.
    #[arg(long, default_value = ".", value_name = "PATH")]
    pub repo: PathBuf,

    /// How many cycles to run, one after the other.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub cycles: u32,

    /// At most this many tasks per cycle, the most valuable first.
    #[arg(long, default_value_t = tdev_app::evolve::DEFAULT_MAX_TASKS, value_name = "K")]
    pub max_tasks: usize,

    /// The cycles' goal in words (see `tdev plan --help`).
    #[arg(long, default_value = tdev_app::evolve::DEFAULT_GOAL)]
    pub goal: String,

    /// Which backends may change code: `auto` (tool fixers and codemods, and the LLM when
    /// tdev.toml has an [llm] table; without one, work only a model could do is not planned),
    /// `tools` (tool fixers and codemods only), `llm` (as auto; needs [llm]), `command` (the
    /// [command] agent instead of the LLM; needs [command]).
    #[arg(long, value_enum, default_value = "auto")]
    pub backend: BackendArg,

    /// Research and plan, record the cycle, change nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Print the cycle records as JSON (docs/cycle-record.md) instead of a summary.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BackendArg {
    /// Tool fixers and codemods, and the LLM when one is configured.
    Auto,
    /// Tool fixers and built-in codemods only.
    Tools,
    /// The LLM for every task it can take (needs an [llm] table).
    Llm,
    /// The configured agent command instead of the LLM (needs a [command] table).
    Command,
}

#[derive(Debug, Args)]
pub struct SparqlArgs {
    /// The query text; `-` reads it from stdin.
    #[arg(required_unless_present = "file", conflicts_with = "file")]
    pub query: Option<String>,

    /// Read the query from a file.
    #[arg(long, short, value_name = "FILE")]
    pub file: Option<PathBuf>,

    /// Bind a variable of the query before it runs: NAME=VALUE, where VALUE is an RDF term in
    /// N-Triples syntax (<https://...>, "text", "3"^^<http://www.w3.org/2001/XMLSchema#integer>)
    /// or a bare word taken as a string. Repeatable.
    ///
    /// Example: --bind repository='<https://tdev.dev/id/repo/attrs>'
    #[arg(long, value_name = "NAME=VALUE")]
    pub bind: Vec<String>,

    /// Output format (default: table for SELECT and ASK, turtle for CONSTRUCT and DESCRIBE).
    #[arg(long, value_enum)]
    pub format: Option<QueryFormat>,

    /// Treat the text as a SPARQL 1.1 Update (INSERT DATA, DELETE WHERE, ...).
    ///
    /// Updates see the graphs as stored: a cycle's facts are in its own named graph, so match
    /// and change them inside GRAPH ?g { ... }. The running statistics are rebuilt afterwards.
    #[arg(long)]
    pub update: bool,
}

#[derive(Debug, Args)]
pub struct AskArgs {
    /// The question, in words (quote it).
    pub question: String,

    /// The repository it is about (default: the current directory).
    #[arg(long, value_name = "PATH", default_value = ".")]
    pub repo: PathBuf,

    /// Print the answer as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The requirement, in plain English (or user stories in Markdown).
    #[arg(
        value_name = "REQUIREMENT",
        required_unless_present = "file",
        conflicts_with = "file"
    )]
    pub requirement: Option<String>,

    /// Read the requirement from this file instead (`-` reads stdin).
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,

    /// The directory to write the service to; it must not exist, or be empty.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// Build with this blueprint (python-fastapi) instead of the first that fits.
    #[arg(long, value_name = "NAME")]
    pub blueprint: Option<String>,

    /// Build in this language: python (the default).
    #[arg(long = "lang", value_name = "LANGUAGE")]
    pub language: Option<String>,

    /// Answer one of the requirement's questions: KEY=VALUE (the question says which).
    #[arg(long, value_name = "KEY=VALUE")]
    pub answer: Vec<String>,

    /// Read answers from this file: a KEY=VALUE per line, # comments.
    #[arg(long, value_name = "FILE")]
    pub answers: Option<PathBuf>,

    /// Set one of the blueprint's variables: NAME=VALUE (python-fastapi: port, python_version).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub settings: Vec<String>,

    /// Write the service without running its checks.
    #[arg(long)]
    pub no_check: bool,

    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Scan this repository first and plan from its findings (as `tdev scan` finds them).
    #[arg(
        long,
        value_name = "PATH",
        required_unless_present = "findings",
        conflicts_with = "findings"
    )]
    pub repo: Option<PathBuf>,

    /// Plan from these findings instead: a JSON array of findings, or an object with a
    /// `findings` array (what `tdev scan --json` prints); `-` reads stdin.
    #[arg(long, value_name = "FILE")]
    pub findings: Option<PathBuf>,

    /// The cycle's goal in words: "improve overall quality" (the default), "raise quality of
    /// the hotspots", "fix security findings", "lift coverage", "fix lint findings",
    /// "improve documentation", or words naming one ("security", "tests", "docs").
    #[arg(long, value_name = "GOAL")]
    pub goal: Option<String>,

    /// At most this many tasks, the most valuable first (a task's prerequisites count).
    #[arg(long, value_name = "K", default_value_t = tdev_app::plan::DEFAULT_MAX_TASKS)]
    pub max_tasks: usize,

    /// Print the plan as a Mermaid flowchart.
    #[arg(long, conflicts_with = "json")]
    pub mermaid: bool,

    /// Print the plan as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum QueryFormat {
    /// SPARQL results JSON.
    Json,
    /// SPARQL results XML.
    Xml,
    /// SPARQL results CSV.
    Csv,
    /// SPARQL results TSV.
    Tsv,
    /// An aligned table for people.
    Table,
    /// Turtle, for CONSTRUCT and DESCRIBE.
    Turtle,
    /// N-Triples, for CONSTRUCT and DESCRIBE.
    Ntriples,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RdfFormat {
    /// Turtle (one graph).
    Turtle,
    /// N-Triples (one graph).
    Ntriples,
    /// N-Quads (all graphs).
    Nquads,
    /// TriG (all graphs).
    Trig,
}

#[derive(Debug, Subcommand)]
pub enum KgCommand {
    /// Bulk-load RDF files; a file with a syntax error loads nothing.
    ///
    /// The format is taken from the extension (.ttl .nt .nq .trig) unless --format is given.
    /// Triples of Turtle and N-Triples files go to the default graph, or to --graph.
    Load {
        /// Files to load; `-` reads stdin (then --format is required).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Format of the files.
        #[arg(long, value_enum)]
        format: Option<RdfFormat>,
        /// Named graph for the triples of single-graph formats.
        #[arg(long, value_name = "IRI")]
        graph: Option<String>,
    },
    /// Write the whole graph (N-Quads or TriG) or one named graph (any format).
    Dump {
        /// Output format.
        #[arg(long, value_enum, default_value = "nquads")]
        format: RdfFormat,
        /// Dump only this named graph.
        #[arg(long, value_name = "IRI")]
        graph: Option<String>,
        /// Write to this file (atomically) instead of stdout.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Record cycle records from JSON files (one record or an array of records per file).
    ///
    /// Each record is validated and written in its own transaction, into its own named graph;
    /// an invalid record is reported and writes nothing. The schema is docs/cycle-record.md.
    Record {
        /// JSON files; `-` reads stdin.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Skip cycles that are already recorded instead of reporting them, e.g. to resume an
        /// interrupted import.
        #[arg(long)]
        skip_recorded: bool,
    },
    /// Counts: quads, named graphs, cycles, instances per class, size on disk.
    Stats {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum LearnCommand {
    /// Score the learned models against the heuristic on the recorded history, in time order.
    ///
    /// The latest half of the attempts is cut into five folds; each fold is predicted by
    /// models trained only on the attempts that started before it (never on what came
    /// after), and by the heuristic. Prints the effort error (mean absolute error, share
    /// within ±30%), the Brier score and AUC of the chance of passing, and a calibration
    /// table.
    ///
    /// Examples:
    ///   tdev learn eval
    ///   tdev learn eval --json | jq '.learned.auc'
    Eval {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Write a page to read in a browser: how the learning went, in charts.
    ///
    /// Writes DIR/index.html (DIR is created when missing), one file with no script and
    /// nothing to download: the gate-pass rate of every cycle in time order with its rolling
    /// mean (the learning curve), the error of the learned and the heuristic duration
    /// estimates attempt by attempt in the evaluation of `tdev learn eval`, the calibration
    /// of the learned chance of passing, the numbers of `tdev learn eval`, and every model
    /// version recorded with its held-out measures. Needs as much history as
    /// `tdev learn eval` (10 attempts). Prints the path written.
    ///
    /// Examples:
    ///   tdev learn report --out report && xdg-open report/index.html
    ///   tdev learn report --out /srv/www/tdev --data-dir ~/.local/share/tdev/data
    #[command(verbatim_doc_comment)]
    Report {
        /// The directory to write index.html into.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum PatternsCommand {
    /// Find the patterns most similar to a situation (BM25), best first.
    ///
    /// Example: tdev patterns search "yaml.load without Loader" --language python --min-success-rate 0.5
    Search {
        /// What the situation looks like: a finding, a message, some code.
        text: String,
        /// Only patterns of this language.
        #[arg(long, value_enum)]
        language: Option<LanguageArg>,
        /// Only patterns of this strategy (exact name).
        #[arg(long)]
        strategy: Option<String>,
        /// Only patterns whose gate-pass rate is at least this (0 to 1).
        #[arg(long, value_name = "RATE")]
        min_success_rate: Option<f64>,
        /// How many patterns to show (default from tdev.toml, else 10).
        #[arg(long, short = 'n')]
        limit: Option<usize>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Add or replace patterns from a JSON file (one pattern or an array).
    Add {
        /// The JSON file; `-` reads stdin.
        file: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LanguageArg {
    Python,
    Rust,
    Other,
}

#[derive(Debug, Subcommand)]
pub enum ToolsCommand {
    /// Create the tool environment and install the pinned tools (progress on stderr).
    ///
    /// Does nothing when the environment is complete; an install that was interrupted is
    /// redone.
    Install {
        /// Recreate the environment from scratch even if it is complete.
        #[arg(long)]
        force: bool,
    },
    /// Each pinned tool: pinned and installed version, state (ok, missing, wrong-version,
    /// broken) and path. Exits 0 whatever the state; scripts read `--json`.
    Status {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}
