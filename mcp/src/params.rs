//! The tools' arguments: their JSON Schema (the doc comments are the descriptions a client
//! shows its model) and the checks the schema cannot say, each a user error in one sentence.

use schemars::JsonSchema;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use tdev_app::{BackendChoice, Error, Result};

/// The arguments of `sparql`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SparqlParams {
    /// A SPARQL 1.1 query: SELECT, ASK, CONSTRUCT or DESCRIBE (updates are refused). The
    /// default graph is the union of every cycle's graph; `GRAPH ?g { ... }` tells which cycle
    /// a fact comes from. The vocabulary is `https://tdev.dev/ns#` (classes such as
    /// tdev:Cycle, tdev:Task, tdev:Attempt, tdev:Finding); declare the prefixes you use.
    pub query: String,
    /// The results' format: json (SPARQL 1.1 JSON results, the default for SELECT and ASK),
    /// xml, csv or tsv; turtle (the default for CONSTRUCT and DESCRIBE) or ntriples.
    #[serde(default)]
    pub format: Option<Format>,
}

/// A results format, named as `tdev sparql --format` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// SPARQL 1.1 Query Results JSON.
    Json,
    /// SPARQL Query Results XML.
    Xml,
    /// SPARQL 1.1 Query Results CSV.
    Csv,
    /// SPARQL 1.1 Query Results TSV.
    Tsv,
    /// Turtle, for CONSTRUCT and DESCRIBE.
    Turtle,
    /// N-Triples, for CONSTRUCT and DESCRIBE.
    Ntriples,
}

impl Format {
    /// Its name, as the façade's `query::format` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Xml => "xml",
            Self::Csv => "csv",
            Self::Tsv => "tsv",
            Self::Turtle => "turtle",
            Self::Ntriples => "ntriples",
        }
    }
}

impl SparqlParams {
    /// The query; an empty one is the caller's mistake.
    pub fn query(&self) -> Result<&str> {
        non_empty(
            &self.query,
            "query",
            "a SPARQL query such as SELECT ?c WHERE { ?c a <https://tdev.dev/ns#Cycle> }",
        )
    }
}

/// The arguments of `ask`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AskParams {
    /// The question, in words: what to fix first (optionally under a path: "what should I fix
    /// first in src/parser.py"), which strategies fail on the repository and why, or how long
    /// its work (or its tool fixes) would take.
    pub question: String,
    /// The repository the question is about: a directory path, absolute or relative to where
    /// the server runs. Default: the git repository the server runs in.
    #[serde(default)]
    pub repository: Option<String>,
}

impl AskParams {
    /// The question; an empty one is the caller's mistake.
    pub fn question(&self) -> Result<&str> {
        non_empty(
            &self.question,
            "question",
            "a question such as \"what should I fix first\"",
        )
    }
}

/// The arguments of `show_cycle`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ShowCycleParams {
    /// The cycle's id, as the `cycles` tool lists it (its `id` field).
    pub id: String,
}

impl ShowCycleParams {
    /// The id; an empty one is the caller's mistake.
    pub fn id(&self) -> Result<&str> {
        non_empty(&self.id, "id", "a cycle id as the cycles tool lists them")
    }
}

/// The arguments of `plan`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanParams {
    /// The repository to scan and plan for: a directory path, absolute or relative to where
    /// the server runs.
    pub repository: String,
    /// The goal in words: "improve overall quality" (the default), "raise quality of the
    /// hotspots", "fix security findings", "lift coverage", "fix lint findings", "improve
    /// documentation", or words naming one ("security", "tests", "docs").
    #[serde(default)]
    pub goal: Option<String>,
    /// At most this many tasks, the most valuable first (default 20).
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub max_tasks: Option<usize>,
}

impl PlanParams {
    /// The task limit: the one given, else `tdev plan`'s default.
    pub fn max_tasks(&self) -> Result<usize> {
        at_least_one(self.max_tasks, tdev_app::plan::DEFAULT_MAX_TASKS)
    }
}

/// The arguments of `start_cycle`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StartCycleParams {
    /// The git repository to improve (a directory inside its working tree), absolute or
    /// relative to where the server runs. Changes land on tdev/auto/ branches only; the
    /// checkout is never touched.
    pub repository: String,
    /// The cycle's goal in words (as for plan; default "improve overall quality").
    #[serde(default)]
    pub goal: Option<String>,
    /// Which backends may change code: auto (the default: tool fixers and codemods, and the
    /// model when tdev.toml configures [llm]), tools, llm (needs [llm]) or command (needs
    /// [command]). When the tdev daemon starts the cycle, its configured backend for the
    /// repository (leave this out, or give that one).
    #[serde(default)]
    pub backend: Option<Backend>,
    /// At most this many tasks in the cycle, the most valuable first (default 5; when the
    /// tdev daemon starts the cycle, its configured limit for the repository).
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub max_tasks: Option<usize>,
}

impl StartCycleParams {
    /// The task limit given, if any; left out, the daemon's configuration or `tdev evolve`'s
    /// default decides.
    pub fn max_tasks(&self) -> Result<Option<usize>> {
        match self.max_tasks {
            Some(0) => Err(zero_tasks()),
            given => Ok(given),
        }
    }
}

/// Which backends may change code, as `tdev evolve --backend` names them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// Tool fixers and codemods, and the model when one is configured.
    #[default]
    Auto,
    /// Tool fixers and built-in codemods only.
    Tools,
    /// The model for every task it can take (needs an [llm] table).
    Llm,
    /// The configured agent command instead of the model (needs a [command] table).
    Command,
}

impl From<Backend> for BackendChoice {
    fn from(backend: Backend) -> Self {
        match backend {
            Backend::Auto => BackendChoice::Auto,
            Backend::Tools => BackendChoice::Tools,
            Backend::Llm => BackendChoice::Llm,
            Backend::Command => BackendChoice::Command,
        }
    }
}

/// The directory `given` names, relative paths taken from `cwd`; a path that is not a
/// directory is the caller's mistake.
pub fn directory(given: &str, cwd: &Path) -> Result<PathBuf> {
    if given.trim().is_empty() {
        return Err(Error::user(
            "repository is empty; give the path of a repository's directory",
        ));
    }
    let path = cwd.join(given);
    if path.is_dir() {
        Ok(path)
    } else {
        let relative = if Path::new(given).is_relative() {
            format!(
                " (relative paths are taken from {}, where the server runs)",
                cwd.display()
            )
        } else {
            String::new()
        };
        Err(Error::user(format!(
            "repository {given}: no such directory{relative}; give the path of a repository's \
             directory"
        )))
    }
}

fn non_empty<'a>(value: &'a str, name: &str, example: &str) -> Result<&'a str> {
    if value.trim().is_empty() {
        Err(Error::user(format!("{name} is empty; give {example}")))
    } else {
        Ok(value)
    }
}

fn at_least_one(value: Option<usize>, default: usize) -> Result<usize> {
    match value {
        None => Ok(default),
        Some(0) => Err(zero_tasks()),
        Some(n) => Ok(n),
    }
}

fn zero_tasks() -> Error {
    Error::user("max_tasks is 0; give at least 1, or leave it out for the default")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
        serde_json::from_value(value).unwrap()
    }

    /// `check(result, expected)`: `Ok` of a value, or an error whose message has `expected`.
    fn check<T: std::fmt::Debug + PartialEq>(result: Result<T>, expected: Result<T, &str>) {
        match (result, expected) {
            (Ok(got), Ok(want)) => assert_eq!(got, want),
            (Err(e), Err(words)) => {
                assert!(e.is_user_error(), "{e}");
                assert!(e.to_string().contains(words), "{e} lacks {words:?}");
            }
            (got, want) => panic!("got {got:?}, expected {want:?}"),
        }
    }

    #[test]
    fn an_empty_query_question_or_id_is_refused() {
        let sparql: SparqlParams = parse(json!({"query": "  "}));
        check(sparql.query(), Err("query is empty; give a SPARQL query"));
        let sparql: SparqlParams = parse(json!({"query": "ASK {}", "format": "csv"}));
        check(sparql.query(), Ok("ASK {}"));
        assert_eq!(sparql.format, Some(Format::Csv));
        let ask: AskParams = parse(json!({"question": ""}));
        check(ask.question(), Err("question is empty"));
        let show: ShowCycleParams = parse(json!({"id": ""}));
        check(show.id(), Err("id is empty; give a cycle id"));
    }

    #[test]
    fn max_tasks_defaults_per_tool_and_refuses_zero() {
        let plan: PlanParams = parse(json!({"repository": "."}));
        check(plan.max_tasks(), Ok(tdev_app::plan::DEFAULT_MAX_TASKS));
        // Left out, the daemon's configuration or `tdev evolve`'s default decides.
        let start: StartCycleParams = parse(json!({"repository": "."}));
        check(start.max_tasks(), Ok(None));
        let start: StartCycleParams = parse(json!({"repository": ".", "max_tasks": 2}));
        check(start.max_tasks(), Ok(Some(2)));
        let start: StartCycleParams = parse(json!({"repository": ".", "max_tasks": 0}));
        check(start.max_tasks(), Err("max_tasks is 0"));
        let plan: PlanParams = parse(json!({"repository": ".", "max_tasks": 3}));
        check(plan.max_tasks(), Ok(3));
    }

    #[test]
    fn unknown_arguments_and_values_do_not_parse() {
        let typo = serde_json::from_value::<PlanParams>(json!({"repo": "."}));
        assert!(typo.is_err());
        let backend = serde_json::from_value::<StartCycleParams>(
            json!({"repository": ".", "backend": "gpt"}),
        );
        assert!(backend.unwrap_err().to_string().contains("unknown variant"));
        let start: StartCycleParams = parse(json!({"repository": ".", "backend": "tools"}));
        assert_eq!(
            BackendChoice::from(start.backend.unwrap_or_default()),
            BackendChoice::Tools
        );
    }

    #[test]
    fn a_repository_is_a_directory_relative_to_the_server() {
        let cwd = tempfile::tempdir().unwrap();
        std::fs::create_dir(cwd.path().join("project")).unwrap();
        std::fs::write(cwd.path().join("file.txt"), "").unwrap();
        check(
            directory("project", cwd.path()),
            Ok(cwd.path().join("project")),
        );
        check(
            directory("missing", cwd.path()),
            Err("repository missing: no such directory (relative paths are taken from"),
        );
        check(directory("file.txt", cwd.path()), Err("no such directory"));
        check(
            directory("/no/such/dir", cwd.path()),
            Err("/no/such/dir: no such directory;"),
        );
        check(directory("", cwd.path()), Err("repository is empty"));
    }

    #[test]
    fn every_schema_says_what_each_argument_is() {
        for schema in [
            schemars::schema_for!(SparqlParams),
            schemars::schema_for!(AskParams),
            schemars::schema_for!(ShowCycleParams),
            schemars::schema_for!(PlanParams),
            schemars::schema_for!(StartCycleParams),
        ] {
            let value = schema.as_value();
            let properties = value["properties"].as_object().unwrap();
            for (name, property) in properties {
                assert!(
                    property.get("description").is_some(),
                    "{name} has no description: {value}"
                );
            }
        }
    }
}
