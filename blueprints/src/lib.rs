//! tdev's blueprint library: the project templates `tdev new` builds a service from.
//!
//! A blueprint is a directory under `blueprints/library/`: a `blueprint.toml`
//! ([`Manifest`]: what it builds, in which language, the [`Part`]s it composes and the values
//! each can take, its typed template [`Variable`]s, the commands that check what it
//! generates) and `files/`, the project's files as minijinja templates. [`Library::choose`]
//! picks the blueprint for a spec, or says why none can build it (a rate limit no blueprint
//! composes, a language none is written in); [`Blueprint::render`] turns the spec into the
//! project's files. The crate is pure: it returns files, `tdev new` writes them.
//!
//! ```
//! use tdev_blueprints::{Library, Settings, Want};
//!
//! let draft = tdev_spec::read("A todo has a title and a due date. Users can mark a todo as done.");
//! let library = Library::builtin();
//! let blueprint = library.choose(&draft.spec, &Want::default())?;
//! assert_eq!(blueprint.manifest.name, "python-fastapi");
//! let files = blueprint.render(&draft.spec, &Settings::default())?;
//! let main = files.iter().find(|f| f.path == "app/main.py").unwrap();
//! assert!(main.text.contains("/todos/{id}/mark-done"));
//! assert!(files.iter().any(|f| f.path == "openapi.json"));
//! # Ok::<(), tdev_blueprints::Error>(())
//! ```

mod context;
mod manifest;

use std::collections::BTreeMap;

pub use manifest::{Kind, Language, Manifest, Part, Variable, VariableKind};
use tdev_spec::{Persistence, Spec};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/library.rs"));
}

/// Why a blueprint could not be chosen or rendered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No blueprint can build what the spec asks for; each candidate's reason is given.
    #[error("no blueprint can build this service:\n{}", reasons.iter().map(|r| format!("  - {r}")).collect::<Vec<_>>().join("\n"))]
    NoBlueprint {
        /// One line per blueprint considered: its name and what it lacks.
        reasons: Vec<String>,
    },
    /// `--blueprint` named none of the library's.
    #[error("there is no blueprint `{name}`; the blueprints are {}", known.join(", "))]
    UnknownBlueprint {
        /// The name given.
        name: String,
        /// The library's blueprints.
        known: Vec<String>,
    },
    /// A variable given is not the blueprint's, or its value does not fit its type.
    #[error("`--set {name}`: {reason}")]
    Variable {
        /// The variable.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The spec has problems to mend before anything is generated.
    #[error("the spec is not consistent: {}", problems.join("; "))]
    Inconsistent {
        /// [`tdev_spec::problems`].
        problems: Vec<String>,
    },
    /// A blueprint of the library is broken: a failure of tdev, not of the requirement.
    #[error("the blueprint `{blueprint}` is broken ({file}): {detail}")]
    Broken {
        /// The blueprint.
        blueprint: String,
        /// The file at fault.
        file: String,
        /// What the template engine or the manifest reader said.
        detail: String,
    },
}

impl Error {
    /// Whether the user can mend it (another requirement, blueprint or value) rather than it
    /// being a fault of tdev.
    pub fn is_user_error(&self) -> bool {
        !matches!(self, Error::Broken { .. })
    }
}

/// A blueprint: its manifest and its templates.
#[derive(Clone, Debug)]
pub struct Blueprint {
    /// What `blueprint.toml` says.
    pub manifest: Manifest,
    /// The templates under `files/`, by the path of the file they become.
    templates: BTreeMap<String, &'static str>,
}

/// The blueprints tdev knows.
#[derive(Clone, Debug)]
pub struct Library {
    blueprints: Vec<Blueprint>,
}

/// What the user asked for beyond the spec (`--blueprint`, `--lang`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Want {
    /// A blueprint by name.
    pub blueprint: Option<String>,
    /// A language.
    pub language: Option<Language>,
}

/// Values of a blueprint's variables (`--set NAME=VALUE`), checked against their types.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    values: BTreeMap<String, String>,
}

impl Settings {
    /// `name` set to `value` (as typed on the command line).
    pub fn with(mut self, name: &str, value: &str) -> Self {
        self.values.insert(name.to_owned(), value.to_owned());
        self
    }
}

/// One file of a generated project.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    /// Relative to the project's directory, with `/`.
    pub path: String,
    /// Its text.
    pub text: String,
}

/// What building a spec needs from a blueprint: its kind, and a value for each part.
pub fn needs(spec: &Spec) -> (Kind, BTreeMap<Part, String>) {
    let mut parts = BTreeMap::new();
    let persistence = match spec.non_functional.persistence {
        Persistence::Database => "database",
        Persistence::Memory => "memory",
    };
    parts.insert(Part::Persistence, persistence.to_owned());
    let authentication = if spec.non_functional.authentication {
        "bearer"
    } else {
        "none"
    };
    parts.insert(Part::Authentication, authentication.to_owned());
    parts.insert(Part::Pagination, "offset".to_owned());
    if spec.non_functional.rate_limit.is_some() {
        parts.insert(Part::RateLimit, "fixed-window".to_owned());
    }
    (Kind::RestApi, parts)
}

impl Library {
    /// The blueprints built into tdev (`blueprints/library/`).
    pub fn builtin() -> Library {
        Library::from_files(embedded::FILES).expect("the built-in blueprints are tested")
    }

    /// A library from `(path, text)` pairs laid out as `library/` is.
    fn from_files(files: &[(&str, &'static str)]) -> Result<Library, Error> {
        let mut blueprints: BTreeMap<&str, (Option<&str>, BTreeMap<String, &'static str>)> =
            BTreeMap::new();
        for (path, text) in files {
            let Some((name, rest)) = path.split_once('/') else {
                continue;
            };
            let entry = blueprints.entry(name).or_default();
            if rest == "blueprint.toml" {
                entry.0 = Some(text);
            } else if let Some(file) = rest.strip_prefix("files/") {
                let file = file.strip_suffix(".j2").unwrap_or(file);
                entry.1.insert(file.to_owned(), text);
            }
        }
        let mut library = Vec::new();
        for (name, (manifest, templates)) in blueprints {
            let broken = |file: &str, detail: String| Error::Broken {
                blueprint: name.to_owned(),
                file: file.to_owned(),
                detail,
            };
            let manifest = manifest.ok_or_else(|| broken("blueprint.toml", "missing".into()))?;
            let manifest: Manifest =
                toml::from_str(manifest).map_err(|e| broken("blueprint.toml", e.to_string()))?;
            if manifest.name != name {
                return Err(broken(
                    "blueprint.toml",
                    format!("named `{}` in a directory named `{name}`", manifest.name),
                ));
            }
            library.push(Blueprint {
                manifest,
                templates,
            });
        }
        Ok(Library {
            blueprints: library,
        })
    }

    /// Every blueprint, by name.
    pub fn blueprints(&self) -> &[Blueprint] {
        &self.blueprints
    }

    /// The blueprint named `name`.
    pub fn get(&self, name: &str) -> Option<&Blueprint> {
        self.blueprints.iter().find(|b| b.manifest.name == name)
    }

    /// The blueprint that builds `spec` as `want` asks: the one named, or the first (by
    /// name) of the language asked for (Python unless asked) whose kind and parts cover
    /// what the spec needs. When none does, the error gives each candidate's reason.
    pub fn choose(&self, spec: &Spec, want: &Want) -> Result<&Blueprint, Error> {
        let candidates: Vec<&Blueprint> = match &want.blueprint {
            Some(name) => vec![self.get(name).ok_or_else(|| {
                Error::UnknownBlueprint {
                    name: name.clone(),
                    known: self
                        .blueprints
                        .iter()
                        .map(|b| b.manifest.name.clone())
                        .collect(),
                }
            })?],
            None => self.blueprints.iter().collect(),
        };
        let language = want.language.or(match want.blueprint {
            Some(_) => None,
            None => Some(Language::Python),
        });
        let mut reasons = Vec::new();
        for blueprint in candidates {
            match blueprint.lacks(spec, language) {
                None => return Ok(blueprint),
                Some(reason) => reasons.push(format!("{}: {reason}", blueprint.manifest.name)),
            }
        }
        Err(Error::NoBlueprint { reasons })
    }
}

impl Blueprint {
    /// Why this blueprint cannot build `spec` in `language`; `None` when it can.
    pub fn lacks(&self, spec: &Spec, language: Option<Language>) -> Option<String> {
        let manifest = &self.manifest;
        if let Some(language) = language
            && language != manifest.language
        {
            return Some(format!(
                "written in {}, not {}",
                manifest.language.name(),
                language.name()
            ));
        }
        let (kind, parts) = needs(spec);
        if kind != manifest.kind {
            return Some(format!(
                "builds a {}, and the requirement asks for a {}",
                manifest.kind.name(),
                kind.name()
            ));
        }
        for (part, value) in parts {
            match manifest.parts.get(&part) {
                None => {
                    let asked = match (part, spec.non_functional.rate_limit) {
                        (Part::RateLimit, Some(limit)) => format!(
                            "at most {} requests in {} s",
                            limit.requests, limit.per_seconds
                        ),
                        _ => value,
                    };
                    return Some(format!(
                        "does not compose {}, which the requirement asks for ({asked})",
                        part.name()
                    ));
                }
                Some(values) if !values.contains(&value) => {
                    return Some(format!(
                        "builds {} as {}, not {value}",
                        part.name(),
                        values.join(" or ")
                    ));
                }
                Some(_) => {}
            }
        }
        None
    }

    /// The project's files for `spec`, with `settings` for the blueprint's variables.
    pub fn render(&self, spec: &Spec, settings: &Settings) -> Result<Vec<File>, Error> {
        let problems = tdev_spec::problems(spec);
        if !problems.is_empty() {
            return Err(Error::Inconsistent { problems });
        }
        let vars = self.variables(settings)?;
        let context = context::Context::new(spec, self.manifest.language, vars);
        let mut environment = minijinja::Environment::new();
        environment.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        let syntax = minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
            .expect("the default delimiters are valid");
        environment.set_syntax(syntax);
        // Generated code is not HTML: nothing is escaped.
        environment.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
        context::add_filters(&mut environment);
        let broken = |file: &str, error: minijinja::Error| Error::Broken {
            blueprint: self.manifest.name.clone(),
            file: file.to_owned(),
            detail: format!("{error:#}"),
        };
        for (path, text) in &self.templates {
            environment
                .add_template(path, text)
                .map_err(|e| broken(path, e))?;
        }
        let value = minijinja::Value::from(minijinja::value::Serde(&context));
        let mut files = Vec::new();
        for path in self.templates.keys() {
            let template = environment
                .get_template(path)
                .map_err(|e| broken(path, e))?;
            let text = template.render(&value).map_err(|e| broken(path, e))?;
            // A template that renders to nothing is a file this spec does not need.
            if text.trim().is_empty() {
                continue;
            }
            files.push(File {
                path: path.clone(),
                text,
            });
        }
        files.extend(context.documents(spec));
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(files)
    }

    /// The variables' values: each given one checked against its type, the others their
    /// defaults.
    fn variables(&self, settings: &Settings) -> Result<BTreeMap<String, toml::Value>, Error> {
        let declared = &self.manifest.variables;
        if let Some(name) = settings.values.keys().find(|n| !declared.contains_key(*n)) {
            let known: Vec<&str> = declared.keys().map(String::as_str).collect();
            return Err(Error::Variable {
                name: name.clone(),
                reason: format!(
                    "{} has no such variable; its variables are {}",
                    self.manifest.name,
                    known.join(", ")
                ),
            });
        }
        let mut vars = BTreeMap::new();
        for (name, variable) in declared {
            let value = match settings.values.get(name) {
                None => variable.default.clone(),
                Some(text) => typed(variable, text).map_err(|reason| Error::Variable {
                    name: name.clone(),
                    reason,
                })?,
            };
            vars.insert(name.clone(), value);
        }
        Ok(vars)
    }
}

/// `text` as a value of `variable`'s type.
fn typed(variable: &Variable, text: &str) -> Result<toml::Value, String> {
    match variable.kind {
        VariableKind::String if !text.trim().is_empty() => Ok(toml::Value::String(text.into())),
        VariableKind::String => Err("give a value that is not empty".into()),
        VariableKind::Integer => text
            .parse::<i64>()
            .map(toml::Value::Integer)
            .map_err(|_| format!("`{text}` is not a whole number")),
        VariableKind::Boolean => match text {
            "true" => Ok(toml::Value::Boolean(true)),
            "false" => Ok(toml::Value::Boolean(false)),
            _ => Err(format!("`{text}` is not true or false")),
        },
        VariableKind::Choice if variable.values.iter().any(|v| v == text) => {
            Ok(toml::Value::String(text.into()))
        }
        VariableKind::Choice => Err(format!(
            "`{text}` is not one of {}",
            variable.values.join(", ")
        )),
    }
}
