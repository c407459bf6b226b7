//! A copy of a repository's files kept in one place across cycles, so that a build tool that
//! tells changed sources by their modification time and their path (cargo does both) rebuilds
//! only what a change touched. Each attempt lives in a worktree of its own; building there
//! would rebuild the whole workspace every time, and leave one set of build products per
//! worktree behind.
//!
//! [`sync`] makes the mirror hold exactly the source's files, writing only those whose content
//! differs, so the others keep their modification times.

use crate::error::{Error, Result};
use std::collections::BTreeSet;
use std::path::Path;

/// What [`sync`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncStats {
    /// Files written because they were new or their content differed.
    pub written: usize,
    /// Files and directories removed because the source no longer has them.
    pub removed: usize,
    /// Files left as they were.
    pub unchanged: usize,
}

/// Makes `mirror` hold the same files as `source` (created when missing). The source's
/// top-level `.git` is not copied. Symbolic links are copied as links; other special files are
/// left out.
pub fn sync(source: &Path, mirror: &Path) -> Result<SyncStats> {
    std::fs::create_dir_all(mirror).map_err(Error::io("creating", mirror))?;
    let mut stats = SyncStats::default();
    sync_dir(source, mirror, true, &mut stats)?;
    Ok(stats)
}

fn sync_dir(source: &Path, mirror: &Path, top: bool, stats: &mut SyncStats) -> Result<()> {
    let mut names = BTreeSet::new();
    let entries = std::fs::read_dir(source).map_err(Error::io("reading", source))?;
    for entry in entries {
        let entry = entry.map_err(Error::io("reading", source))?;
        let name = entry.file_name();
        if top && name == ".git" {
            continue;
        }
        let from = entry.path();
        let to = mirror.join(&name);
        let kind = entry.file_type().map_err(Error::io("reading", &from))?;
        let existing = std::fs::symlink_metadata(&to).ok().map(|m| m.file_type());
        if kind.is_dir() {
            if existing.is_some_and(|e| !e.is_dir()) {
                remove(&to, stats)?;
            }
            std::fs::create_dir_all(&to).map_err(Error::io("creating", &to))?;
            sync_dir(&from, &to, false, stats)?;
        } else if kind.is_symlink() {
            let target = std::fs::read_link(&from).map_err(Error::io("reading", &from))?;
            if existing.is_some_and(|e| e.is_symlink())
                && std::fs::read_link(&to).ok().as_deref() == Some(target.as_path())
            {
                stats.unchanged += 1;
            } else {
                if existing.is_some() {
                    remove(&to, stats)?;
                }
                std::os::unix::fs::symlink(&target, &to).map_err(Error::io("linking", &to))?;
                stats.written += 1;
            }
        } else if kind.is_file() {
            let content = std::fs::read(&from).map_err(Error::io("reading", &from))?;
            let same = existing.is_some_and(|e| e.is_file())
                && std::fs::read(&to).is_ok_and(|old| old == content);
            if same {
                stats.unchanged += 1;
            } else {
                if existing.is_some_and(|e| !e.is_file()) {
                    remove(&to, stats)?;
                }
                std::fs::write(&to, &content).map_err(Error::io("writing", &to))?;
                let permissions = entry
                    .metadata()
                    .map_err(Error::io("reading", &from))?
                    .permissions();
                std::fs::set_permissions(&to, permissions).map_err(Error::io("writing", &to))?;
                stats.written += 1;
            }
        } else {
            continue;
        }
        names.insert(name);
    }
    let entries = std::fs::read_dir(mirror).map_err(Error::io("reading", mirror))?;
    for entry in entries {
        let entry = entry.map_err(Error::io("reading", mirror))?;
        let kept = names.contains(&entry.file_name()) || (top && entry.file_name() == ".git");
        if !kept {
            remove(&entry.path(), stats)?;
        }
    }
    Ok(())
}

fn remove(path: &Path, stats: &mut SyncStats) -> Result<()> {
    let is_dir = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir());
    if is_dir {
        std::fs::remove_dir_all(path)
    } else {
        std::fs::remove_file(path)
    }
    .map_err(Error::io("removing", path))?;
    stats.removed += 1;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime};

    fn write(root: &Path, path: &str, content: &str) {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }

    fn files(root: &Path) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    let relative = path.strip_prefix(root).unwrap().display().to_string();
                    out.push((relative, std::fs::read_to_string(&path).unwrap()));
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn mirror_holds_the_source_and_keeps_unchanged_files_as_they_were() {
        let source = tempfile::tempdir().unwrap();
        let mirror = tempfile::tempdir().unwrap();
        write(source.path(), "src/lib.rs", "pub fn a() {}");
        write(source.path(), "src/main.rs", "fn main() {}");
        write(source.path(), ".git/HEAD", "ref: refs/heads/main");
        let first = sync(source.path(), mirror.path()).unwrap();
        assert_eq!((first.written, first.removed, first.unchanged), (2, 0, 0));

        // An old modification time on an unchanged file must survive the next sync.
        let old = SystemTime::now() - Duration::from_secs(3600);
        let kept = std::fs::File::options()
            .write(true)
            .open(mirror.path().join("src/main.rs"))
            .unwrap();
        kept.set_modified(old).unwrap();
        write(source.path(), "src/lib.rs", "pub fn b() {}");
        std::fs::remove_file(source.path().join("src/main.rs")).unwrap();
        write(source.path(), "src/new.rs", "");
        write(mirror.path(), "target/junk", "left by a build");
        let second = sync(source.path(), mirror.path()).unwrap();
        assert_eq!(
            (second.written, second.removed, second.unchanged),
            (2, 2, 0)
        );
        assert_eq!(
            files(mirror.path()),
            files(source.path())
                .into_iter()
                .filter(|(p, _)| !p.starts_with(".git"))
                .collect::<Vec<_>>()
        );

        write(source.path(), "src/main.rs", "fn main() {}");
        sync(source.path(), mirror.path()).unwrap();
        let untouched = mirror.path().join("src/new.rs");
        std::fs::File::options()
            .write(true)
            .open(&untouched)
            .unwrap()
            .set_modified(old)
            .unwrap();
        let third = sync(source.path(), mirror.path()).unwrap();
        assert_eq!(third.written, 0);
        assert_eq!(
            std::fs::metadata(untouched).unwrap().modified().unwrap(),
            old
        );
    }
}
