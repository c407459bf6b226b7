//! Where trained models are kept: versioned files in the data directory (`models/`), each
//! written whole or not at all, and their records in the graph (`ModelRecord`, in the graph
//! of the cycle that trained them).
//!
//! The files are opaque bytes here: the learners make and read them (`LearnedModels::to_bytes`,
//! which carries its own format version and checksum), so a corrupt file is found when it is
//! read, and the caller falls back to the version before it.

use crate::error::{Error, Result};
use crate::graph::KnowledgeGraph;
use crate::record;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use tdev_core::ModelRecord;

/// The versioned model files of one data directory: `<dir>/<name>-v<version>.bin`.
#[derive(Clone, Debug)]
pub struct ModelFiles {
    dir: PathBuf,
}

impl ModelFiles {
    /// The model files under `dir` (created on the first write).
    pub fn new(dir: impl Into<PathBuf>) -> ModelFiles {
        ModelFiles { dir: dir.into() }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file of `name`'s `version`.
    pub fn path(&self, name: &str, version: u32) -> PathBuf {
        self.dir.join(format!("{name}-v{version}.bin"))
    }

    /// The versions of `name` on disk, newest first. A missing directory has none; files
    /// that are not `<name>-v<number>.bin` (a temporary file left by a crash) are ignored.
    pub fn versions(&self, name: &str) -> Result<Vec<u32>> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::io(format!("reading {}", self.dir.display()))(e)),
        };
        let prefix = format!("{name}-v");
        let mut versions: Vec<u32> = entries
            .filter_map(|entry| entry.ok())
            .filter_map(|entry| {
                let file = entry.file_name().into_string().ok()?;
                file.strip_prefix(&prefix)?
                    .strip_suffix(".bin")?
                    .parse()
                    .ok()
            })
            .collect();
        versions.sort_unstable_by(|a, b| b.cmp(a));
        Ok(versions)
    }

    /// The bytes of `name`'s `version`.
    pub fn read(&self, name: &str, version: u32) -> Result<Vec<u8>> {
        let path = self.path(name, version);
        fs::read(&path).map_err(Error::io(format!("reading {}", path.display())))
    }

    /// Writes `bytes` as `name`'s `version`, atomically: to a temporary file that is synced,
    /// then renamed over the final name, then the directory synced. A crash leaves either
    /// the whole file or none (at most a temporary file, which [`ModelFiles::versions`]
    /// ignores).
    pub fn write(&self, name: &str, version: u32, bytes: &[u8]) -> Result<PathBuf> {
        let path = self.path(name, version);
        let context = || format!("writing {}", path.display());
        fs::create_dir_all(&self.dir).map_err(Error::io(context()))?;
        let temporary = self
            .dir
            .join(format!(".{name}-v{version}.bin.{}.tmp", std::process::id()));
        let mut file = fs::File::create(&temporary).map_err(Error::io(context()))?;
        file.write_all(bytes)
            .and_then(|()| file.sync_all())
            .map_err(Error::io(context()))?;
        drop(file);
        fs::rename(&temporary, &path).map_err(Error::io(context()))?;
        // The rename is durable once the directory is.
        if let Ok(dir) = fs::File::open(&self.dir) {
            let _ = dir.sync_all();
        }
        Ok(path)
    }
}

impl KnowledgeGraph {
    /// Records trained models in the graph of the cycle that trained them
    /// (`<cycle> tdev:trainedModel <model>`), in one transaction. The cycle must be recorded;
    /// an invalid record or an unknown cycle writes nothing.
    pub fn record_models(&self, cycle_id: &str, models: &[ModelRecord]) -> Result<()> {
        let problems: Vec<String> = models
            .iter()
            .enumerate()
            .flat_map(|(i, m)| {
                m.problems()
                    .into_iter()
                    .map(move |p| format!("models[{i}].{p}"))
            })
            .collect();
        if !problems.is_empty() {
            return Err(Error::InvalidRecord {
                id: cycle_id.to_owned(),
                problems,
            });
        }
        if !self.has_cycle(cycle_id)? {
            return Err(Error::UnknownCycle(cycle_id.to_owned()));
        }
        let quads = record::model_quads_of(cycle_id, models);
        self.write_models(quads, models)
    }
}
