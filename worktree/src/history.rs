//! A directory's recent history as patches, for research's churn. A repository's history can
//! be too large to hold, so the caller reads git's output as git writes it; what the patches
//! mean is the caller's concern, starting git is this crate's.

use std::io::{BufRead, BufReader};
use std::path::Path;

use crate::error::{Error, Result};
use crate::git::Git;

/// Streams the patches of the last `limit` commits of the repository containing `dir` that
/// touch files under `dir` matching `pathspecs` (e.g. `*.py`) to `read`, newest commit
/// first, and returns what `read` returns.
///
/// Returns `None` when there is no history to read: `dir` is in no repository (or in one git
/// refuses), the repository has no commit, or git is not installed. git failing on a
/// repository with commits is an error, and so is `read` failing.
///
/// The output is `git log -p -U0` without merge commits (their changes are on the branches
/// that made them), rename detection, colour or external diff programs, with paths relative
/// to `dir` and printed verbatim. Each commit starts with the line `\0commit <hash>`,
/// followed by its diff of each file: `--- a/<path>` (or `/dev/null`), `+++ b/<path>` (or
/// `/dev/null`), then hunk headers `@@ -<start>[,<len>] +<start>[,<len>] @@` each followed
/// by the removed and added lines only.
pub fn log_patches<T>(
    dir: &Path,
    limit: usize,
    pathspecs: &[&str],
    read: impl FnOnce(&mut dyn BufRead) -> std::io::Result<T>,
) -> Result<Option<T>> {
    let head = Git::new(dir)
        .args(["rev-parse", "--verify", "--quiet", "HEAD"])
        .output();
    if !head.is_ok_and(|output| output.success) {
        return Ok(None);
    }
    Git::new(dir)
        .args(["log", "-p", "-U0", "--no-color", "--no-ext-diff"])
        .args(["--no-renames", "--no-merges", "--relative"])
        .args(["--format=%x00commit %H", &format!("-n{limit}"), "--"])
        .args(pathspecs)
        .stream(|stdout| {
            read(&mut BufReader::new(stdout)).map_err(|source| Error::Io {
                path: dir.to_owned(),
                source,
            })
        })
        .map(Some)
}
