//! `tdev new`: a requirement in plain language made into a service, written as a git
//! repository whose own checks pass.
//!
//! The requirement is read into a spec (`tdev-spec`); one too vague to build is refused with
//! its questions, and the `--answer`s given fill its gaps. The blueprint is chosen
//! (`tdev-blueprints`), or each one's reason for not fitting is given. The files are written
//! to a directory beside the target and moved into place only when complete, formatted with
//! the formatter the project declares, and committed as the repository's first commit. Then
//! the blueprint's checks (the service's tests and contract test) run in a virtual
//! environment kept outside the project, as `tdev evolve` keeps one for any repository.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde::Serialize;
use tdev_blueprints::{Language, Library, Settings, Want};
use tdev_spec::{Answers, Draft};

use crate::layout::Layout;
use crate::{DataDir, Error, Result};

/// What `tdev new` is asked to make.
#[derive(Clone, Debug, Default)]
pub struct NewOptions {
    /// The requirement, as written.
    pub requirement: String,
    /// The directory the service is written to; it must not exist, or be empty.
    pub out: PathBuf,
    /// A blueprint by name (`--blueprint`).
    pub blueprint: Option<String>,
    /// A language (`--lang`).
    pub language: Option<String>,
    /// `KEY=VALUE` answers to the requirement's questions (`--answer`, or the lines of an
    /// answers file).
    pub answers: Vec<String>,
    /// `NAME=VALUE` values of the blueprint's variables (`--set`).
    pub settings: Vec<String>,
    /// Run the blueprint's checks (the service's tests and contract test).
    pub check: bool,
}

/// How long one of the blueprint's checks may run before its processes are killed and it
/// counts as failed.
const CHECK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(600);

/// A step of `tdev new`, as it starts.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum NewStep<'a> {
    /// The blueprint chosen.
    Chosen(&'a str),
    /// Writing this many files.
    Writing(usize),
    /// Formatting with this formatter.
    Formatting(&'a str),
    /// Preparing the service's environment (a sentence from the runner).
    Environment(&'a str),
    /// Running one of the blueprint's checks.
    Checking(&'a str),
}

/// What `tdev new` made.
#[derive(Clone, Debug, Serialize)]
pub struct NewReport {
    /// The service's name.
    pub name: String,
    /// Where it is.
    pub dir: PathBuf,
    /// The blueprint it was made from.
    pub blueprint: String,
    /// How many files were written.
    pub files: usize,
    /// Its endpoints, `METHOD /path`.
    pub endpoints: Vec<String>,
    /// The acceptance criteria its tests check.
    pub criteria: Vec<String>,
    /// The questions left open, with the default taken for each.
    pub assumed: Vec<String>,
    /// The first commit of its repository.
    pub commit: String,
    /// Each check run, in order.
    pub checks: Vec<CheckResult>,
    /// How to run it.
    pub run: String,
    /// The service's IRI in the knowledge graph, when it was recorded.
    pub recorded: Option<String>,
    /// Why it was not recorded, when it was not (the data directory is held by another
    /// process, such as the daemon).
    pub not_recorded: Option<String>,
    /// Seconds from the requirement to the end of the checks.
    pub seconds: f64,
}

/// One check of the generated project.
#[derive(Clone, Debug, Serialize)]
pub struct CheckResult {
    /// The command, as the blueprint names it.
    pub command: String,
    /// Whether it exited 0.
    pub passed: bool,
    /// How long it took.
    pub seconds: f64,
    /// Its last line of output (pytest's and schemathesis's totals).
    pub summary: String,
}

impl NewReport {
    /// Whether every check passed (true when none ran).
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.passed)
    }
}

/// Makes the service `options` asks for and records it in the knowledge graph of `data`;
/// `progress` hears each step as it starts.
pub fn new(
    options: &NewOptions,
    layout: &Layout,
    data: Option<&DataDir>,
    progress: &mut dyn FnMut(NewStep<'_>),
) -> Result<NewReport> {
    let started = Instant::now();
    let draft = read(options)?;
    let out = target(&options.out)?;
    let want = Want {
        blueprint: options.blueprint.clone(),
        language: options
            .language
            .as_deref()
            .map(|l| {
                l.parse::<Language>()
                    .map_err(|e| Error::user(format!("--lang: {e}")))
            })
            .transpose()?,
    };
    let library = Library::builtin();
    let blueprint = library.choose(&draft.spec, &want)?;
    progress(NewStep::Chosen(&blueprint.manifest.name));
    let mut settings = Settings::default();
    for setting in &options.settings {
        let (name, value) = setting.split_once('=').ok_or_else(|| {
            Error::user(format!(
                "--set {setting}: a value is NAME=VALUE, for example --set port=9000"
            ))
        })?;
        settings = settings.with(name.trim(), value.trim());
    }
    let files = blueprint.render(&draft.spec, &settings)?;

    // Written beside the target and moved into place whole: an interrupted run leaves no
    // half-made project where the user asked for one.
    let parent = out.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(Error::io(format!("creating {}", parent.display())))?;
    let staging = tempfile::Builder::new()
        .prefix(".tdev-new-")
        .tempdir_in(parent)
        .map_err(Error::io(format!(
            "creating a directory in {}",
            parent.display()
        )))?;
    progress(NewStep::Writing(files.len()));
    for file in &files {
        let path = staging.path().join(&file.path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(Error::io(format!("creating {}", dir.display())))?;
        }
        std::fs::write(&path, &file.text)
            .map_err(Error::io(format!("writing {}", path.display())))?;
    }
    let tools = tdev_tools::ToolEnv::new(&layout.tools);
    for formatter in tdev_tools::formatter::detect(staging.path()) {
        progress(NewStep::Formatting(formatter.name()));
        tools.install(&tdev_tools::InstallOptions::default(), &mut |_| {})?;
        tdev_tools::formatter::format(formatter, &tools, staging.path(), &[".".into()])?;
    }
    let repo = tdev_worktree::Repo::init(
        staging.path(),
        &format!(
            "Generate {} from its requirement\n\nMade by `tdev new` with the {} blueprint; \
             docs/spec.json is the spec it read.",
            draft.spec.name, blueprint.manifest.name
        ),
    )?;
    let commit = repo.head()?;
    if out.exists() {
        // Empty (checked above): the rename needs it gone.
        std::fs::remove_dir(&out).map_err(Error::io(format!("replacing {}", out.display())))?;
    }
    let staged = staging.keep();
    std::fs::rename(&staged, &out).map_err(Error::io(format!(
        "moving {} to {}",
        staged.display(),
        out.display()
    )))?;

    let mut checks = Vec::new();
    if options.check {
        checks = run_checks(&blueprint.manifest.checks, &out, layout, progress)?;
    }
    let record = tdev_knowledge::ServiceRecord {
        name: draft.spec.name.clone(),
        requirement: options.requirement.trim().to_owned(),
        spec: serde_json::to_string(&draft.spec).expect("a spec serialises"),
        blueprint: blueprint.manifest.name.clone(),
        directory: out.display().to_string(),
        commit: commit.clone(),
        generated_at: tdev_core::Timestamp::now(),
        checks_passed: (!checks.is_empty()).then(|| checks.iter().all(|c| c.passed)),
    };
    let (recorded, not_recorded) = match data {
        None => (None, Some("no data directory was given".to_owned())),
        Some(data) => {
            let written = crate::datadir::open_knowledge(
                &data.dir,
                &data.config,
                std::time::Duration::from_secs(2),
            )
            .and_then(|kb| {
                let iri = kb.graph.record_service(&record)?;
                // The choice of blueprint for this requirement, as a pattern: later choices
                // find it by the requirement's words, with how its checks went.
                if let Some(passed) = record.checks_passed {
                    let language = match blueprint.manifest.language {
                        Language::Python => tdev_core::Language::Python,
                        Language::Rust => tdev_core::Language::Rust,
                    };
                    let outcome = if passed {
                        tdev_core::PatternOutcome::Success
                    } else {
                        tdev_core::PatternOutcome::Failure
                    };
                    kb.patterns.record_outcome(
                        &format!("requirement: {}", record.requirement),
                        &format!("blueprint:{}", record.blueprint),
                        language,
                        outcome,
                        "",
                    )?;
                }
                Ok(iri)
            });
            match written {
                Ok(iri) => (Some(iri.as_str().to_owned()), None),
                // The service is made; the graph is the only thing missing, and the user is
                // told why.
                Err(error) => (None, Some(error.to_string())),
            }
        }
    };
    let document = tdev_spec::openapi(&draft.spec);
    let endpoints = document["paths"]
        .as_object()
        .into_iter()
        .flatten()
        .flat_map(|(path, item)| {
            item.as_object()
                .into_iter()
                .flatten()
                .filter(|(method, _)| *method != "parameters")
                .map(move |(method, _)| format!("{} {path}", method.to_uppercase()))
        })
        .collect();
    Ok(NewReport {
        name: draft.spec.name.clone(),
        dir: out,
        blueprint: blueprint.manifest.name.clone(),
        files: files.len(),
        endpoints,
        criteria: draft
            .spec
            .acceptance
            .iter()
            .map(|c| c.text.clone())
            .collect(),
        assumed: draft.questions.iter().map(|q| q.text.clone()).collect(),
        commit,
        checks,
        run: blueprint.manifest.run.clone(),
        recorded,
        not_recorded,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The requirement read with its answers; refused, with its questions, when it is too
/// vague to build, and with its problems when it contradicts itself.
fn read(options: &NewOptions) -> Result<Draft> {
    if options.requirement.trim().is_empty() {
        return Err(Error::user(
            "the requirement is empty: say what the service keeps and what can be done with \
             it, for example tdev new \"A book has a title and an author. Members can borrow \
             a book.\" --out library",
        ));
    }
    let answers = Answers::parse(options.answers.iter().map(String::as_str))
        .map_err(|e| Error::user(e.to_string()))?;
    let draft = tdev_spec::read_with(&options.requirement, &answers)
        .map_err(|e| Error::user(e.to_string()))?;
    if !draft.is_clear() {
        let questions: Vec<String> = draft
            .questions
            .iter()
            .map(|q| format!("  {}: {}", q.key, q.text))
            .collect();
        return Err(Error::user(format!(
            "the requirement is too vague to build a service from (ambiguity {:.2}, at most \
             {:.2}): answer the questions below with --answer KEY=VALUE, or say more in the \
             requirement",
            draft.ambiguity,
            tdev_spec::UNCLEAR
        ))
        .with_hint(questions.join("\n")));
    }
    let problems = tdev_spec::problems(&draft.spec);
    if !problems.is_empty() {
        return Err(Error::user(format!(
            "the requirement contradicts itself: {}; mend it or answer with --answer",
            problems.join("; ")
        )));
    }
    Ok(draft)
}

/// `out` made absolute; refused when it holds anything.
fn target(out: &Path) -> Result<PathBuf> {
    if out.as_os_str().is_empty() {
        return Err(Error::user(
            "--out is empty: give the directory to write the service to",
        ));
    }
    let out =
        std::path::absolute(out).map_err(Error::io(format!("resolving {}", out.display())))?;
    if out.exists() {
        let empty = out.is_dir()
            && std::fs::read_dir(&out)
                .map_err(Error::io(format!("reading {}", out.display())))?
                .next()
                .is_none();
        if !empty {
            return Err(Error::user(format!(
                "{} exists and is not an empty directory: choose another --out, tdev new \
                 does not write over anything",
                out.display()
            )));
        }
    }
    Ok(out)
}

/// The blueprint's checks, run in the service's own environment.
fn run_checks(
    commands: &[String],
    dir: &Path,
    layout: &Layout,
    progress: &mut dyn FnMut(NewStep<'_>),
) -> Result<Vec<CheckResult>> {
    let sandbox = tdev_runner::Sandbox::new()?;
    let project = tdev_runner::python::PythonProject::detect(dir)?;
    let env = tdev_runner::python::PythonEnv::prepare(
        &project,
        &layout.test_envs,
        &sandbox,
        &mut |step| progress(NewStep::Environment(step)),
    )?;
    let mut results = Vec::new();
    for command in commands {
        progress(NewStep::Checking(command));
        let mut words = command.split_whitespace();
        let program = match words.next() {
            // The blueprint's `python` is the service's environment's.
            Some("python") => env.python.clone(),
            Some(other) => PathBuf::from(other),
            None => continue,
        };
        let mut process = Command::new(&program);
        process.args(words).current_dir(dir);
        let started = Instant::now();
        let ran = tdev_tools::process::run(
            command,
            &mut process,
            CHECK_TIMEOUT,
            tdev_tools::process::Capture::Separate,
        );
        let (passed, summary) = match ran {
            // The totals are the tool's last words on stdout (the server under test logs to
            // stderr); a command that says nothing there is summed up by its stderr.
            Ok(output) => {
                let stdout = String::from_utf8_lossy(&output.stdout);
                let printed = if stdout.trim().is_empty() {
                    String::from_utf8_lossy(&output.stderr).into_owned()
                } else {
                    stdout.into_owned()
                };
                let last = printed
                    .lines()
                    .rev()
                    .map(|l| l.trim_matches(|c: char| c == '=' || c.is_whitespace()))
                    .find(|l| !l.is_empty())
                    .unwrap_or_default()
                    .to_owned();
                (output.code == 0, last)
            }
            // A check that hangs or is killed failed; it is said how.
            Err(
                stopped @ (tdev_tools::Error::Timeout { .. } | tdev_tools::Error::Crashed { .. }),
            ) => (false, stopped.to_string()),
            Err(other) => return Err(other.into()),
        };
        results.push(CheckResult {
            command: command.clone(),
            passed,
            seconds: started.elapsed().as_secs_f64(),
            summary,
        });
    }
    Ok(results)
}
