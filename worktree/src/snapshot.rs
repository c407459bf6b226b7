//! What tdev must never change in the user's repository, captured so it can be compared.

use std::collections::BTreeMap;
use std::path::Path;

use crate::branch::BRANCH_PREFIX;
use crate::error::Result;
use crate::git::Git;

/// The state of a user's repository that tdev promises not to touch: HEAD, the working
/// tree and index as `git status` sees them (untracked and ignored files included, with the
/// content of every changed or untracked file), every ref except tdev's own `tdev/auto/`
/// branches (and their remote-tracking copies), and the stash.
///
/// Take one before and one after; they compare equal when nothing was touched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    /// The branch HEAD points to (`refs/heads/...`), or `None` when detached.
    pub head_ref: Option<String>,
    /// The commit HEAD resolves to.
    pub head_commit: String,
    /// `git status --porcelain=v2 -z` entries, untracked and ignored files included.
    pub status: Vec<String>,
    /// The object id of the content of every changed or untracked file, by path; `git
    /// status` alone would not notice a file already modified being modified again.
    pub contents: BTreeMap<String, String>,
    /// Every ref and the object it points to, except tdev's own: `refs/heads/tdev/auto/*`
    /// and, once pushed, `refs/remotes/<remote>/tdev/auto/*`.
    pub refs: BTreeMap<String, String>,
    /// The stash entries' commit ids, newest first.
    pub stash: Vec<String>,
}

/// Takes the snapshot of the repository at `top` (its top level).
pub(crate) fn take(top: &Path) -> Result<Snapshot> {
    let head_ref = symbolic_head(top)?;
    let head_commit = Git::new(top)
        .args(["rev-parse", "--verify", "HEAD^{commit}"])
        .text()?;
    let raw = Git::new(top)
        .args([
            "status",
            "--porcelain=v2",
            "-z",
            "--untracked-files=all",
            "--ignored=matching",
            "--ignore-submodules=none",
        ])
        .run()?;
    let status: Vec<String> = raw
        .split(|&b| b == 0)
        .filter(|entry| !entry.is_empty())
        .map(|entry| String::from_utf8_lossy(entry).into_owned())
        .collect();
    let contents = contents(top, &status)?;
    let refs = Git::new(top)
        .args(["for-each-ref", "--format=%(objectname) %(refname)"])
        .text()?
        .lines()
        .filter_map(|line| line.split_once(' '))
        .filter(|(_, name)| !is_tdevs_own(name))
        .map(|(id, name)| (name.to_owned(), id.to_owned()))
        .collect();
    let stash = Git::new(top)
        .args(["log", "-g", "--format=%H", "refs/stash", "--"])
        .output()?;
    let stash = if stash.success {
        String::from_utf8_lossy(&stash.stdout)
            .lines()
            .map(str::to_owned)
            .collect()
    } else {
        // No stash yet: `refs/stash` does not exist.
        Vec::new()
    };
    Ok(Snapshot {
        head_ref,
        head_commit,
        status,
        contents,
        refs,
        stash,
    })
}

/// tdev's own refs: its branches, and their remote-tracking copies once pushed.
fn is_tdevs_own(name: &str) -> bool {
    let branch = name.strip_prefix("refs/heads/").or_else(|| {
        name.strip_prefix("refs/remotes/")
            .and_then(|rest| rest.split_once('/'))
            .map(|(_, branch)| branch)
    });
    branch.is_some_and(|branch| branch.starts_with(BRANCH_PREFIX))
}

fn symbolic_head(top: &Path) -> Result<Option<String>> {
    let output = Git::new(top)
        .args(["symbolic-ref", "-q", "HEAD"])
        .output()?;
    Ok(output.success.then(|| {
        String::from_utf8_lossy(&output.stdout)
            .trim_end()
            .to_owned()
    }))
}

/// The content ids of changed (`1`, `2`) and untracked (`?`) entries whose file exists.
fn contents(top: &Path, status: &[String]) -> Result<BTreeMap<String, String>> {
    let mut paths = Vec::new();
    let mut entries = status.iter();
    while let Some(entry) = entries.next() {
        let path = match entry.as_bytes().first() {
            // `1 XY sub mH mI mW hH hI path`: the path is the ninth field.
            Some(b'1') => entry.splitn(9, ' ').nth(8),
            // `2 XY sub mH mI mW hH hI Xscore path`, followed by the original path entry.
            Some(b'2') => {
                entries.next();
                entry.splitn(10, ' ').nth(9)
            }
            Some(b'?') => entry.get(2..),
            _ => None,
        };
        if let Some(path) = path
            && top.join(path).is_file()
        {
            paths.push(path.to_owned());
        }
    }
    let mut contents = BTreeMap::new();
    for chunk in paths.chunks(256) {
        let ids = Git::new(top)
            .args(["hash-object", "--no-filters", "--"])
            .args(chunk)
            .text()?;
        contents.extend(chunk.iter().cloned().zip(ids.lines().map(str::to_owned)));
    }
    Ok(contents)
}
