//! A cycle an interface asks for now and does not wait for (`tdev mcp`'s `start_cycle`):
//! started by the daemon holding the data directory when one runs, else as `tdev evolve` in
//! the background ([`crate::background`]).
//!
//! While a daemon holds the data directory, a `tdev evolve` beside it would find the directory
//! taken; and a cycle started behind the daemon's back would escape its pause, its kill switch
//! and its budgets. So the request goes to the daemon on its control socket
//! ([`crate::serve::request_cycle`]) and from there to its scheduler's `request_cycle`, the
//! path A2A's evolve skill takes: the pause and every budget hold it back exactly as they hold
//! a scheduled cycle, the cycle runs with the repository's configured backend and task limit,
//! and it is recorded with the trigger `manual`, as A2A's are.

use crate::background::Started;
use crate::datadir::DataDir;
use crate::evolve::{DEFAULT_GOAL, DEFAULT_MAX_TASKS, EvolveOptions, repository_top};
use crate::serve::Controlled;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use tdev_actors::ScheduledRepository;
use tdev_planner::BackendChoice;

/// A cycle asked for: what the caller said, and what it left out (`None`) left to the daemon's
/// configuration of the repository, or to `tdev evolve`'s defaults when no daemon runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wanted {
    /// The repository: a directory in its working tree (its top level on the control socket).
    pub repo: PathBuf,
    /// The cycle's goal in words.
    #[serde(default)]
    pub goal: Option<String>,
    /// Which backends may change code.
    #[serde(default)]
    pub backend: Option<BackendChoice>,
    /// At most this many tasks.
    #[serde(default)]
    pub max_tasks: Option<usize>,
}

/// A cycle the daemon's scheduler started.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaemonCycle {
    /// The cycle's id: the id `tdev cycles` and `tdev show` know it by once it is recorded.
    pub cycle: String,
    /// The daemon's process id.
    pub daemon_pid: u32,
    /// The repository's top level.
    pub repository: PathBuf,
    /// The repository's name in the knowledge graph.
    pub name: String,
    /// The cycle's goal.
    pub goal: String,
    /// Which backends may change code, as the daemon's configuration says.
    pub backend: BackendChoice,
    /// At most this many tasks, as the daemon's configuration says.
    pub max_tasks: usize,
}

/// What the daemon said to a [`Wanted`] on its control socket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Answer {
    /// Its scheduler started the cycle.
    Started(DaemonCycle),
    /// It started none: why, in a sentence that says what to do.
    Refused(String),
}

/// How the cycle [`start_cycle`] asked for was started.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "started_by", rename_all = "kebab-case")]
pub enum Begun {
    /// The daemon holding the data directory started it through its scheduler.
    Daemon(DaemonCycle),
    /// No daemon runs: `tdev evolve` runs it in the background.
    Process(Started),
}

/// Starts the cycle `wanted` describes on `data` and returns without waiting for it: through
/// the daemon holding the data directory, if one does (a refusal, such as its pause or a
/// budget, is the caller's error with the daemon's reason), else as `tdev evolve` run by
/// `exe` in the background ([`crate::background::start_evolve`]). A path that is no git
/// repository with a commit is refused first, either way.
///
/// The caller must not hold the data directory itself meanwhile.
pub fn start_cycle(exe: &Path, data: &DataDir, wanted: &Wanted) -> Result<Begun> {
    let top = repository_top(&wanted.repo)?;
    let asked = Wanted {
        repo: top.clone(),
        ..wanted.clone()
    };
    match crate::serve::request_cycle(&data.dir, &asked)? {
        Controlled::Daemon(Answer::Started(cycle)) => Ok(Begun::Daemon(cycle)),
        Controlled::Daemon(Answer::Refused(reason)) => Err(Error::user(format!(
            "the daemon holding {} started no cycle on {}: {reason}",
            data.dir.display(),
            top.display()
        ))),
        Controlled::NotADaemon => {
            let holder = tdev_knowledge::DataDirLock::holder_pid(&data.dir)
                .map_or_else(|| "another tdev".to_owned(), |pid| format!("pid {pid}"));
            Err(Error::user(format!(
                "the data directory {} is in use by {holder}, which runs no daemon (a tdev \
                 evolve, say); start the cycle once it has ended",
                data.dir.display()
            )))
        }
        Controlled::NoHolder => {
            let options = EvolveOptions {
                repo: top,
                cycles: 1,
                goal: wanted
                    .goal
                    .clone()
                    .unwrap_or_else(|| DEFAULT_GOAL.to_owned()),
                max_tasks: wanted.max_tasks.unwrap_or(DEFAULT_MAX_TASKS),
                dry_run: false,
                backend: wanted.backend.unwrap_or_default(),
            };
            Ok(Begun::Process(crate::background::start_evolve(
                exe, data, &options,
            )?))
        }
    }
}

/// The scheduled repository `wanted` asks a cycle of, among the daemon's `repositories`, or
/// why the daemon starts none: a repository it does not evolve, or a backend or task limit
/// other than the one its configuration gives the repository (the scheduler runs a cycle as
/// configured; only the goal is the caller's).
pub fn scheduled_for<'a>(
    repositories: &'a [ScheduledRepository],
    wanted: &Wanted,
) -> std::result::Result<&'a ScheduledRepository, String> {
    let Some(repository) = repositories.iter().find(|r| r.repo == wanted.repo) else {
        let evolved: Vec<String> = repositories
            .iter()
            .map(|r| r.repo.display().to_string())
            .collect();
        return Err(format!(
            "{} is not a repository this daemon evolves; it evolves {} (the \
             [[daemon.repositories]] of its tdev.toml): name one of those, or add the \
             repository there and restart the daemon",
            wanted.repo.display(),
            evolved.join(", ")
        ));
    };
    let backend = wanted.backend.filter(|b| *b != repository.backend);
    let max_tasks = wanted.max_tasks.filter(|n| *n != repository.max_tasks);
    if backend.is_some() || max_tasks.is_some() {
        return Err(format!(
            "the daemon runs the cycles of {} with backend {} and max_tasks {}, as its \
             tdev.toml says; leave backend and max_tasks out, or give those",
            repository.name,
            crate::background::backend_name(repository.backend),
            repository.max_tasks
        ));
    }
    Ok(repository)
}

/// What the daemon answers once its scheduler said `scheduled` to the cycle `wanted` asked of
/// `repository`: started with its id, or refused with the scheduler's reason.
pub fn answer(
    repository: &ScheduledRepository,
    wanted: &Wanted,
    scheduled: std::result::Result<String, tdev_actors::Refused>,
) -> Answer {
    match scheduled {
        Ok(cycle) => Answer::Started(DaemonCycle {
            cycle,
            daemon_pid: std::process::id(),
            repository: repository.repo.clone(),
            name: repository.name.clone(),
            goal: wanted
                .goal
                .clone()
                .unwrap_or_else(|| repository.goal.clone()),
            backend: repository.backend,
            max_tasks: repository.max_tasks,
        }),
        Err(refused) => Answer::Refused(refused.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tdev_schedule::Hold;

    fn scheduled(path: &str) -> ScheduledRepository {
        ScheduledRepository {
            repo: path.into(),
            name: Path::new(path)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned(),
            policy: tdev_schedule::Repository {
                key: path.into(),
                schedule: "0 3 * * *".parse().unwrap(),
                cycles_per_hour: None,
                open_branches: None,
            },
            goal: "fix lint findings".into(),
            backend: BackendChoice::Tools,
            max_tasks: 1,
        }
    }

    fn wanted(path: &str) -> Wanted {
        Wanted {
            repo: path.into(),
            goal: None,
            backend: None,
            max_tasks: None,
        }
    }

    /// `check(wanted, expected)`: the repository `wanted` gets among `/src/a` and `/src/b`,
    /// or a refusal containing `expected`.
    fn check(wanted: Wanted, expected: std::result::Result<&str, &str>) {
        let repositories = [scheduled("/src/a"), scheduled("/src/b")];
        match (scheduled_for(&repositories, &wanted), expected) {
            (Ok(got), Ok(path)) => assert_eq!(got.repo, Path::new(path)),
            (Err(said), Err(words)) => assert!(said.contains(words), "{said} lacks {words:?}"),
            (got, expected) => panic!("{got:?}, expected {expected:?}"),
        }
    }

    #[test]
    fn only_a_scheduled_repository_as_configured_is_asked_of_the_scheduler() {
        check(wanted("/src/b"), Ok("/src/b"));
        check(
            Wanted {
                goal: Some("security".into()),
                backend: Some(BackendChoice::Tools),
                max_tasks: Some(1),
                ..wanted("/src/a")
            },
            Ok("/src/a"),
        );
        check(
            wanted("/src/c"),
            Err("/src/c is not a repository this daemon evolves; it evolves /src/a, /src/b"),
        );
        check(
            Wanted {
                backend: Some(BackendChoice::Llm),
                ..wanted("/src/a")
            },
            Err("runs the cycles of a with backend tools and max_tasks 1"),
        );
        check(
            Wanted {
                max_tasks: Some(5),
                ..wanted("/src/a")
            },
            Err("leave backend and max_tasks out"),
        );
    }

    #[test]
    fn the_answer_names_the_cycle_or_says_the_schedulers_reason() {
        let repository = scheduled("/src/a");
        let started = answer(&repository, &wanted("/src/a"), Ok("a-1".into()));
        let Answer::Started(cycle) = started else {
            panic!("{started:?}")
        };
        assert_eq!(
            (cycle.cycle.as_str(), cycle.goal.as_str(), cycle.max_tasks),
            ("a-1", "fix lint findings", 1)
        );
        let asked = Wanted {
            goal: Some("security".into()),
            ..wanted("/src/a")
        };
        let Answer::Started(cycle) = answer(&repository, &asked, Ok("a-2".into())) else {
            panic!()
        };
        assert_eq!(cycle.goal, "security");
        assert_eq!(
            answer(
                &repository,
                &asked,
                Err(tdev_actors::Refused::Held(Hold::Paused))
            ),
            Answer::Refused("held back: paused; `tdev resume` lets cycles start again".into())
        );
    }
}
