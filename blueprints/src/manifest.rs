//! A blueprint's `blueprint.toml`: what it builds, the parts it composes, and its typed
//! template variables.

use std::collections::BTreeMap;

use serde::Deserialize;

/// What a blueprint says about itself.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Its name, as `--blueprint` takes it: `python-fastapi`.
    pub name: String,
    /// One sentence: what it builds, with what.
    pub summary: String,
    /// The language of what it generates.
    pub language: Language,
    /// What kind of program it generates.
    pub kind: Kind,
    /// The parts it composes, each with the values it can build: `persistence = ["database",
    /// "memory"]`. A spec that needs a part it lacks, or a value it does not list, is
    /// refused with that reason.
    #[serde(default)]
    pub parts: BTreeMap<Part, Vec<String>>,
    /// The template variables a user may set (`--set NAME=VALUE`), with their types and
    /// defaults. Templates see them under `vars`.
    #[serde(default)]
    pub variables: BTreeMap<String, Variable>,
    /// The commands that check a generated project, run in its directory, in order.
    #[serde(default)]
    pub checks: Vec<String>,
    /// How to run what it generates, from its directory.
    pub run: String,
}

/// The languages blueprints generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Python 3.
    Python,
    /// Rust.
    Rust,
}

impl Language {
    /// As `--lang` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Language::Python => "python",
            Language::Rust => "rust",
        }
    }
}

impl std::str::FromStr for Language {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "python" => Ok(Language::Python),
            "rust" => Ok(Language::Rust),
            other => Err(format!(
                "no blueprint is written in `{other}`; the languages are python and rust"
            )),
        }
    }
}

/// What kind of program a blueprint generates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// An HTTP service over the spec's records, answering as its OpenAPI document says.
    RestApi,
    /// A command-line program over the spec's records.
    Cli,
    /// A background worker that takes jobs from a queue.
    Worker,
}

impl Kind {
    /// In words.
    pub fn name(self) -> &'static str {
        match self {
            Kind::RestApi => "REST API",
            Kind::Cli => "command-line tool",
            Kind::Worker => "background worker",
        }
    }
}

/// The parts a blueprint composes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Part {
    /// Where records are kept: `database`, `memory`.
    Persistence,
    /// Who may call: `none`, `bearer`.
    Authentication,
    /// How long lists are paged: `offset`.
    Pagination,
    /// A limit on requests per client: `fixed-window`.
    RateLimit,
}

impl Part {
    /// In words.
    pub fn name(self) -> &'static str {
        match self {
            Part::Persistence => "persistence",
            Part::Authentication => "authentication",
            Part::Pagination => "pagination",
            Part::RateLimit => "rate limits",
        }
    }
}

/// A typed template variable.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variable {
    /// Its type; a value given for it is checked against it.
    #[serde(rename = "type")]
    pub kind: VariableKind,
    /// Its value unless one is given.
    pub default: toml::Value,
    /// What it is for, for `--help`-like listings.
    pub help: String,
    /// For a choice: the values it takes.
    #[serde(default)]
    pub values: Vec<String>,
}

/// The types of template variables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VariableKind {
    /// Any text.
    String,
    /// A whole number.
    Integer,
    /// `true` or `false`.
    Boolean,
    /// One of `values`.
    Choice,
}
