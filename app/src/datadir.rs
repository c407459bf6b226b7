//! The data directory a command works on: found as git finds `.git` (the current directory or
//! a parent), named with `--data-dir`, or the per-user one; and how one is created.

use crate::config::{Config, DEFAULT_FILE};
use crate::layout::Layout;
use crate::{Error, Result};
use std::path::{Path, PathBuf};
use tdev_knowledge::KnowledgeBase;

/// Name of the data directory inside a project.
pub const DIR_NAME: &str = ".tdev";
/// Name of the configuration file inside the data directory.
pub const CONFIG_FILE: &str = "tdev.toml";

/// A data directory and its configuration, not yet opened.
#[derive(Clone, Debug)]
pub struct DataDir {
    /// The directory.
    pub dir: PathBuf,
    /// Its `tdev.toml`.
    pub config: Config,
    /// True when this call created it (the per-user directory on first use).
    pub created: bool,
}

/// Whether a command may create the per-user data directory when nothing else is found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Missing {
    /// The commands that work across repositories (`evolve`, `cycles`, `show`) make it.
    Create,
    /// The commands that only read or load (`sparql`, `kg`, `patterns`) say how to make one.
    Refuse,
}

impl DataDir {
    /// `explicit` if given, else the nearest `.tdev/` at or above `cwd`, else the per-user
    /// directory of `layout`, made when `missing` says so and it does not exist yet.
    pub fn locate(
        explicit: Option<&Path>,
        cwd: &Path,
        layout: &Layout,
        missing: Missing,
    ) -> Result<Self> {
        let mut created = false;
        let dir = match find(explicit, cwd) {
            Ok(dir) => dir,
            Err(_) if explicit.is_none() => {
                let dir = layout.user_data.clone();
                if !dir.join(CONFIG_FILE).is_file() {
                    if missing == Missing::Refuse {
                        return Err(Error::user(format!(
                            "no tdev data directory: no {DIR_NAME}/ in {} or any parent, and no \
                             per-user one at {} yet; `tdev evolve` creates the per-user one, \
                             or run `tdev init` there or pass --data-dir",
                            cwd.display(),
                            dir.display()
                        )));
                    }
                    create(&dir)?;
                    created = true;
                }
                dir
            }
            Err(e) => return Err(e),
        };
        let config = Config::load(&dir.join(CONFIG_FILE))?;
        Ok(Self {
            dir,
            config,
            created,
        })
    }
}

/// The configuration of the data directory a command would use (`explicit`, else the nearest
/// `.tdev/`, else the per-user one when it exists), or the defaults when there is none: for
/// `tdev plan`, which needs no data directory but plans for the backends it configures.
pub fn config_or_default(explicit: Option<&Path>, cwd: &Path, layout: &Layout) -> Result<Config> {
    match existing(explicit, cwd, layout)? {
        Some(dir) => Config::load(&dir.join(CONFIG_FILE)),
        None => Ok(Config::default()),
    }
}

/// The data directory a command that creates none would use: `explicit` (which must be
/// one), else the nearest `.tdev/`, else the per-user one when it exists; `None` when there
/// is none.
pub fn existing(explicit: Option<&Path>, cwd: &Path, layout: &Layout) -> Result<Option<PathBuf>> {
    match find(explicit, cwd) {
        Ok(dir) => Ok(Some(dir)),
        Err(e) if explicit.is_some() => Err(e),
        Err(_) => Ok(Some(layout.user_data.clone()).filter(|d| d.join(CONFIG_FILE).is_file())),
    }
}

/// The data directory to use: `explicit` if given, else the nearest `.tdev/` holding a
/// `tdev.toml` at or above `start`.
pub fn find(explicit: Option<&Path>, start: &Path) -> Result<PathBuf> {
    if let Some(dir) = explicit {
        if dir.join(CONFIG_FILE).is_file() {
            return Ok(dir.to_path_buf());
        }
        return Err(Error::user(format!(
            "{} is not a tdev data directory (no {CONFIG_FILE} in it); create one with `tdev init`",
            dir.display()
        )));
    }
    for dir in start.ancestors() {
        let candidate = dir.join(DIR_NAME);
        if candidate.join(CONFIG_FILE).is_file() {
            return Ok(candidate);
        }
    }
    Err(Error::user(format!(
        "no tdev data directory ({DIR_NAME}/) in {} or any parent; run `tdev init` there or pass --data-dir",
        start.display()
    )))
}

/// Opens the knowledge base of the data directory `dir` where `config` puts its graph (the
/// embedded store, or the SPARQL server of `[knowledge]`), waiting up to `patience` for a
/// passing reader to let go of the directory.
pub fn open_knowledge(
    dir: &Path,
    config: &Config,
    patience: std::time::Duration,
) -> Result<KnowledgeBase> {
    let remote = crate::endpoint::remote(&config.knowledge, dir)?;
    Ok(KnowledgeBase::open_on(dir, patience, remote)?)
}

/// Makes `dir` a data directory (idempotent) and returns it opened.
pub fn create(dir: &Path) -> Result<KnowledgeBase> {
    let config = dir.join(CONFIG_FILE);
    let kb = if config.is_file() {
        open_knowledge(dir, &Config::load(&config)?, std::time::Duration::ZERO)?
    } else {
        KnowledgeBase::open(dir)?
    };
    if !config.is_file() {
        // Written last, so that a directory with a config file is always a complete one.
        let tmp = dir.join(format!("{CONFIG_FILE}.tmp"));
        std::fs::write(&tmp, DEFAULT_FILE)
            .map_err(Error::io(format!("writing {}", tmp.display())))?;
        std::fs::rename(&tmp, &config)
            .map_err(Error::io(format!("writing {}", config.display())))?;
    }
    Ok(kb)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn found_in_a_parent_like_git() {
        let root = tempfile::tempdir().unwrap();
        let data = root.path().join(DIR_NAME);
        std::fs::create_dir_all(&data).unwrap();
        std::fs::write(data.join(CONFIG_FILE), "").unwrap();
        let nested = root.path().join("a/b");
        std::fs::create_dir_all(&nested).unwrap();
        assert_eq!(find(None, &nested).unwrap(), data);
        assert!(find(None, &std::env::temp_dir().join("no-such-tdev-dir")).is_err());
        assert!(find(Some(&nested), &nested).is_err());
        assert_eq!(find(Some(&data), &nested).unwrap(), data);
    }
}
