//! Which files of a repository a scan reads, and why it leaves the others out.
//!
//! The walk honours `.gitignore`, `.ignore` and git's global excludes and skips hidden
//! directories (virtual environments, `.git`, `.tox`), as ripgrep does, because those are
//! what a maintainer considers "not the code". Symbolic links are not followed: the files a
//! link inside the repository leads to are scanned where they are (following would count
//! them twice), and a link that loops or leads out of the repository is reported, so the scan
//! always terminates and never reads outside the tree it was given.

use crate::{Language, SkipReason, Skipped};
use ignore::WalkBuilder;
use std::path::{Path, PathBuf};

/// A source file the scan will read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Candidate {
    /// Where it is on disk.
    pub path: PathBuf,
    /// Relative to the scanned root, with `/` separators.
    pub relative: String,
    /// Its language, from its extension.
    pub language: Language,
}

/// The source files under `root`, sorted by relative path, and what was left out.
pub(crate) fn walk(root: &Path) -> (Vec<Candidate>, Vec<Skipped>) {
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let mut candidates = Vec::new();
    let mut skipped = Vec::new();
    // Ignore files apply whether or not the directory is a git checkout (sdists ship
    // `.gitignore` files too).
    for entry in WalkBuilder::new(root).require_git(false).build() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                skipped.extend(skipped_for(&error, root));
                continue;
            }
        };
        let path = entry.path();
        if entry.path_is_symlink() {
            skipped.extend(link(root, &canonical_root, path));
            continue;
        }
        let Some(language) = Language::of(path) else {
            continue;
        };
        if entry.file_type().is_some_and(|t| t.is_file()) {
            candidates.push(Candidate {
                path: path.to_path_buf(),
                relative: relative(root, path),
                language,
            });
        }
    }
    candidates.sort_by(|a, b| a.relative.cmp(&b.relative));
    skipped.sort_by(|a, b| a.path.cmp(&b.path));
    (candidates, skipped)
}

/// What to report about a symbolic link, which the walk never follows: a link inside the
/// repository leads to files scanned where they are; one that loops or leads outside is
/// reported as such. Links to files that are not source are not worth a line.
fn link(root: &Path, canonical_root: &Path, path: &Path) -> Option<Skipped> {
    let reason = match path.canonicalize() {
        Err(error) if error.raw_os_error() == Some(LOOP_ERRNO) => SkipReason::SymlinkLoop,
        Err(_) => SkipReason::BrokenSymlink,
        Ok(target) if !target.starts_with(canonical_root) => SkipReason::OutsideRepository,
        Ok(target)
            if path.parent().is_some_and(|parent| {
                parent
                    .canonicalize()
                    .is_ok_and(|parent| parent.starts_with(&target))
            }) =>
        {
            SkipReason::SymlinkLoop
        }
        Ok(target) if target.is_dir() || Language::of(&target).is_some() => {
            SkipReason::Symlink(relative(canonical_root, &target))
        }
        Ok(_) => return None,
    };
    Some(Skipped {
        path: relative(root, path),
        reason,
    })
}

/// ELOOP, "too many levels of symbolic links": 40 on Linux, 62 on macOS and the BSDs.
const LOOP_ERRNO: i32 = if cfg!(target_os = "linux") { 40 } else { 62 };

/// `path` relative to `root`, with `/` separators whatever the platform.
fn relative(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<_> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect();
    parts.join("/")
}

/// What to report for an error of the walk; `None` for errors in ignore files, which only
/// make the walk consider more files.
fn skipped_for(error: &ignore::Error, root: &Path) -> Option<Skipped> {
    match error {
        ignore::Error::WithPath { path, err } => {
            let mut skip = skipped_for(err, root)?;
            skip.path = relative(root, path);
            Some(skip)
        }
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            skipped_for(err, root)
        }
        ignore::Error::Loop { child, .. } => Some(Skipped {
            path: relative(root, child),
            reason: SkipReason::SymlinkLoop,
        }),
        ignore::Error::Io(io) => Some(Skipped {
            path: String::new(),
            reason: SkipReason::Unreadable(io.to_string()),
        }),
        ignore::Error::Partial(_)
        | ignore::Error::Glob { .. }
        | ignore::Error::UnrecognizedFileType(_)
        | ignore::Error::InvalidDefinition => None,
    }
}
