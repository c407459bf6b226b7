//! The cycle journal: a cycle is written down before it starts and crossed out when its record
//! is back, so a cycle that a kill or a crash interrupted is found the next time the data
//! directory is opened, recorded as aborted with the reason, and its leftovers are removed
//! from the user's repository (worktrees, and `tdev/auto/` branches holding no commit).
//!
//! One small JSON file per running cycle in `<data dir>/journal/`, written to a temporary
//! name, synced and renamed, so a file is either whole or absent.

use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use tdev_core::{CycleRecord, Language, Outcome, Repository, Timestamp, Trigger};
use tdev_knowledge::KnowledgeBase;

/// A cycle that has started.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The cycle's id.
    pub id: String,
    /// The repository's name in the graph.
    pub repository: String,
    /// The repository's top level.
    pub repo: PathBuf,
    /// The goal.
    pub goal: String,
    /// What started it.
    pub trigger: Trigger,
    /// When it started.
    pub started_at: Timestamp,
    /// The process that ran it.
    pub pid: u32,
}

/// The journal of a data directory.
#[derive(Clone, Debug)]
pub struct Journal {
    dir: PathBuf,
}

/// What recovering one interrupted cycle did.
#[derive(Clone, Debug, PartialEq)]
pub struct Recovered {
    /// The interrupted cycle.
    pub entry: Entry,
    /// What was removed from (and kept in) the user's repository.
    pub cleaned: Option<tdev_worktree::Abandoned>,
    /// Why the repository could not be cleaned, when it could not (it is gone, say).
    pub not_cleaned: Option<String>,
}

impl Journal {
    /// The journal of the data directory `data_dir`.
    pub fn new(data_dir: &Path) -> Self {
        Self {
            dir: data_dir.join("journal"),
        }
    }

    /// Writes `entry` down before its cycle starts.
    pub fn begin(&self, entry: &Entry) -> Result<()> {
        std::fs::create_dir_all(&self.dir)
            .map_err(Error::io(format!("creating {}", self.dir.display())))?;
        let path = self.path(&entry.id);
        let tmp = path.with_extension("json.tmp");
        let text = serde_json::to_vec_pretty(entry).expect("a journal entry serialises");
        let write = std::fs::File::create(&tmp).and_then(|mut file| {
            file.write_all(&text)?;
            file.sync_all()
        });
        write.map_err(Error::io(format!("writing {}", tmp.display())))?;
        std::fs::rename(&tmp, &path).map_err(Error::io(format!("writing {}", path.display())))
    }

    /// Whether the cycle `id` is written down and not crossed out.
    pub fn contains(&self, id: &str) -> bool {
        self.path(id).is_file()
    }

    /// Crosses out the cycle `id`: its record is back (written, or kept for writing).
    pub fn end(&self, id: &str) -> Result<()> {
        let path = self.path(id);
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(Error::io(format!("removing {}", path.display()))(e))
            }
            _ => Ok(()),
        }
    }

    /// The cycles that started and were never crossed out. A file that does not parse (cut
    /// short by a crash before the rename, which cannot happen, or edited by hand) is skipped
    /// with a warning rather than stopping every later run.
    pub fn interrupted(&self) -> Result<Vec<Entry>> {
        let read = match std::fs::read_dir(&self.dir) {
            Ok(read) => read,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::io(format!("reading {}", self.dir.display()))(e)),
        };
        let mut entries = Vec::new();
        for file in read {
            let path = file
                .map_err(Error::io(format!("reading {}", self.dir.display())))?
                .path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            match std::fs::read(&path)
                .map_err(|e| e.to_string())
                .and_then(|text| serde_json::from_slice(&text).map_err(|e| e.to_string()))
            {
                Ok(entry) => entries.push(entry),
                Err(e) => tracing::warn!("skipping journal entry {}: {e}", path.display()),
            }
        }
        entries.sort_by_key(|entry: &Entry| entry.started_at);
        Ok(entries)
    }

    fn path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.json"))
    }
}

/// Records every interrupted cycle of `knowledge`'s data directory as aborted and removes what
/// it left in its repository. Called by whoever opens the directory to run cycles, with the
/// directory's lock held, so no cycle of the journal is still running.
pub fn recover(knowledge: &KnowledgeBase, journal: &Journal) -> Result<Vec<Recovered>> {
    let mut recovered = Vec::new();
    for entry in journal.interrupted()? {
        let (cleaned, not_cleaned) = match tdev_worktree::Repo::open(&entry.repo).and_then(|repo| {
            repo.abandon(&format!("{}{}-", tdev_worktree::BRANCH_PREFIX, entry.id))
        }) {
            Ok(abandoned) => (Some(abandoned), None),
            Err(e) => (None, Some(e.to_string())),
        };
        if !knowledge.graph.has_cycle(&entry.id)? {
            knowledge
                .graph
                .record_cycle(&aborted_record(knowledge, &entry)?)?;
        }
        journal.end(&entry.id)?;
        recovered.push(Recovered {
            entry,
            cleaned,
            not_cleaned,
        });
    }
    Ok(recovered)
}

fn aborted_record(knowledge: &KnowledgeBase, entry: &Entry) -> Result<CycleRecord> {
    let now = Timestamp::now();
    Ok(CycleRecord {
        id: entry.id.clone(),
        repository: Repository {
            name: entry.repository.clone(),
            location: entry.repo.display().to_string(),
            language: recorded_language(knowledge, &entry.repository)?,
        },
        base_commit: None,
        trigger: entry.trigger,
        goal: entry.goal.clone(),
        started_at: entry.started_at,
        ended_at: now.max(entry.started_at),
        outcome: Outcome::Aborted,
        failure_reason: Some(format!(
            "interrupted: the tdev process (pid {}) stopped during the cycle, killed or \
             crashed; recorded at {now} when the data directory was next opened",
            entry.pid
        )),
        findings: Vec::new(),
        tasks: Vec::new(),
        attempts: Vec::new(),
        models: Vec::new(),
        branch_fates: Vec::new(),
    })
}

/// The language earlier cycles recorded for the repository, so the aborted cycle does not
/// give it a second one; `other` when there are none.
fn recorded_language(knowledge: &KnowledgeBase, repository: &str) -> Result<Language> {
    let query = "PREFIX tdev: <https://tdev.dev/ns#>\n\
                 SELECT ?name ?language WHERE { ?r a tdev:Repository ; tdev:name ?name ; \
                 tdev:language ?language } LIMIT 1";
    let name = tdev_knowledge::Variable::new("name").expect("a valid variable name");
    let results = knowledge.graph.query_with(
        query,
        &[(name, oxigraph::model::Literal::from(repository).into())],
    )?;
    let tdev_knowledge::QueryResults::Solutions(mut rows) = results else {
        return Ok(Language::Other);
    };
    let language = rows
        .next()
        .and_then(|row| row.ok())
        .and_then(|row| match row.get("language") {
            Some(oxigraph::model::Term::Literal(l)) => Some(l.value().to_owned()),
            _ => None,
        });
    Ok(match language.as_deref() {
        Some("python") => Language::Python,
        Some("rust") => Language::Rust,
        _ => Language::Other,
    })
}
