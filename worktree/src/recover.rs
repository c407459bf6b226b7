//! Clearing away what an interrupted cycle left in a user's repository: its linked worktrees
//! and its `tdev/auto/` branches, with or without a commit. A commit on such a branch is a
//! change whose gate decision was never recorded (tdev commits before the evaluator tests the
//! change): kept, it would look like a proposal that passed, and the next cycles would take
//! its finding for one already proposed. The change is made again by a later cycle.

use crate::branch::BRANCH_PREFIX;
use crate::git::Git;
use crate::repo::Repo;
use crate::{Error, Result};
use std::path::PathBuf;

/// What [`Repo::abandon`] removed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Abandoned {
    /// Linked worktrees removed (their directories).
    pub worktrees: Vec<PathBuf>,
    /// Branches deleted.
    pub deleted: Vec<String>,
    /// Of those, the ones that held a commit no other branch holds: an unrecorded change.
    pub with_commits: Vec<String>,
}

impl Repo {
    /// Removes the worktrees on branches starting with `prefix` (which must be under
    /// `tdev/auto/`), then deletes those branches, saying which held a commit no other branch
    /// or tag holds.
    pub fn abandon(&self, prefix: &str) -> Result<Abandoned> {
        if !prefix.starts_with(BRANCH_PREFIX) {
            return Err(Error::BranchOutsidePrefix {
                branch: prefix.to_owned(),
                prefix: BRANCH_PREFIX,
            });
        }
        let mut abandoned = Abandoned::default();
        let lock = self.admin_lock()?;
        let list = Git::new(self.path())
            .args(["worktree", "list", "--porcelain"])
            .text()?;
        for (dir, branch) in linked_worktrees(&list) {
            if !branch.starts_with(prefix) {
                continue;
            }
            let removed = Git::new(self.path())
                .args(["worktree", "remove", "--force"])
                .args([&dir])
                .run();
            if removed.is_err() {
                // Half gone or locked: delete the directory and let prune forget it.
                match std::fs::remove_dir_all(&dir) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                        return Err(Error::Io {
                            path: dir,
                            source: e,
                        });
                    }
                    _ => {}
                }
            }
            abandoned.worktrees.push(dir);
        }
        drop(lock);
        self.prune()?;
        for branch in self.branches(prefix)? {
            // Commits on the branch that no other ref has (tdev's own branches aside):
            // none means the branch only points at someone else's work.
            let own = Git::new(self.path())
                .args([
                    "rev-list",
                    "--count",
                    &format!("refs/heads/{branch}"),
                    "--not",
                ])
                .args([
                    format!("--exclude=refs/heads/{BRANCH_PREFIX}*"),
                    "--all".into(),
                ])
                .text()?;
            let lock = self.admin_lock()?;
            Git::new(self.path())
                .args(["branch", "-D", &branch])
                .run()?;
            drop(lock);
            if own.trim() != "0" {
                abandoned.with_commits.push(branch.clone());
            }
            abandoned.deleted.push(branch);
        }
        Ok(abandoned)
    }
}

/// The linked worktrees in `git worktree list --porcelain` output, with their branches (the
/// main worktree, detached ones and bare entries are left out).
fn linked_worktrees(list: &str) -> Vec<(PathBuf, String)> {
    list.split("\n\n")
        .skip(1)
        .filter_map(|entry| {
            let mut dir = None;
            let mut branch = None;
            for line in entry.lines() {
                if let Some(path) = line.strip_prefix("worktree ") {
                    dir = Some(PathBuf::from(path));
                } else if let Some(name) = line.strip_prefix("branch refs/heads/") {
                    branch = Some(name.to_owned());
                }
            }
            Some((dir?, branch?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_main_worktree_and_detached_ones_are_left_out() {
        let list = "worktree /repo\nHEAD 1111\nbranch refs/heads/main\n\n\
                    worktree /w/a\nHEAD 2222\nbranch refs/heads/tdev/auto/c1-t1\n\n\
                    worktree /w/b\nHEAD 3333\ndetached\n";
        assert_eq!(
            linked_worktrees(list),
            vec![(PathBuf::from("/w/a"), "tdev/auto/c1-t1".to_owned())]
        );
    }
}
