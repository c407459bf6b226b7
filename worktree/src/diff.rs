//! The exact `git diff` options tdev reads changes with, and patch ids computed from them.
//!
//! The user's configuration must not change what tdev parses: prefixes are fixed
//! (`diff.noPrefix`, `diff.mnemonicPrefix`), colour, external diff drivers and textconv
//! filters are off, and renames are detected the same way whatever `diff.renames` says.

use std::path::Path;

use crate::error::Result;
use crate::git::Git;

/// Options shared by every diff tdev reads.
const STABLE: &[&str] = &[
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--no-relative",
    "--src-prefix=a/",
    "--dst-prefix=b/",
    "-M",
];

/// The change as the gates parse it: no context lines.
pub(crate) fn unified(context: u32) -> Vec<String> {
    let mut args: Vec<String> = STABLE.iter().map(|s| (*s).to_owned()).collect();
    args.push(format!("-U{context}"));
    args
}

/// The diff a patch id is computed from; the same for a worktree and for a branch, so the
/// same change gives the same id. `--binary` makes binary changes count by their content.
pub(crate) const PATCH_ID_DIFF: &[&str] = &[
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--no-relative",
    "--src-prefix=a/",
    "--dst-prefix=b/",
    "-M",
    "-U3",
    "--binary",
];

/// The diff a proposed change is compared with the default branch's commits by, to find it
/// merged: as [`PATCH_ID_DIFF`] but without context lines, so that a change squashed or
/// picked after the lines around it changed keeps its id.
pub(crate) const FATE_DIFF: &[&str] = &[
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--no-relative",
    "--src-prefix=a/",
    "--dst-prefix=b/",
    "-M",
    "-U0",
    "--binary",
];

/// `git patch-id --stable` of every commit in a `git log -p --format='commit %H'` output, in
/// its order; commits without a change have none.
pub(crate) fn patch_ids(dir: &Path, log: Vec<u8>) -> Result<Vec<String>> {
    if log.is_empty() {
        return Ok(Vec::new());
    }
    let output = Git::new(dir)
        .args(["patch-id", "--stable"])
        .input(log)
        .text()?;
    Ok(output
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_owned)
        .collect())
}

/// `git patch-id --stable` of a diff; `None` for an empty diff.
pub(crate) fn patch_id(dir: &Path, diff: Vec<u8>) -> Result<Option<String>> {
    if diff.is_empty() {
        return Ok(None);
    }
    let output = Git::new(dir)
        .args(["patch-id", "--stable"])
        .input(diff)
        .text()?;
    Ok(output.split_whitespace().next().map(str::to_owned))
}
