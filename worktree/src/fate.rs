//! What became of the branches tdev proposed, read from the repository alone (no network):
//! merged into the default branch, deleted without being merged, or still there, open or
//! stale.
//!
//! A change counts as merged when the default branch holds it in any of the ways maintainers
//! take changes:
//! - **by ancestry**: the proposed commit is an ancestor of the default branch (a merge
//!   commit or a fast-forward);
//! - **by patch id**: the default branch has, since the branch forked, a commit whose
//!   `git patch-id --stable` equals the branch's whole change (a squash merge, or a cherry-pick
//!   of a one-commit branch), or commits equal to each of the branch's commits (a rebase
//!   merge, a cherry-pick of them all; `git cherry`'s rule).
//!
//! Patch ids are computed from diffs without context lines, so a squash made after the
//! default branch changed the lines around the change still matches; a change the maintainer
//! edited before merging no longer does, and counts as not merged.
//!
//! Both the commit the record names and the branch's tip today are looked at, so a branch a
//! maintainer added commits to and then merged counts as merged too.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use tdev_core::{BranchFate, Fate, ProposedBranch, Timestamp};

use crate::diff::{FATE_DIFF, patch_ids};
use crate::error::Result;
use crate::git::Git;
use crate::repo::Repo;

impl Repo {
    /// The branch a maintainer merges into, as a revision for [`Repo::branch_fates`]: the
    /// remote `origin`'s default branch as last fetched (`refs/remotes/origin/HEAD`), else a
    /// local `main` or `master`, else the branch checked out (unless it is tdev's own);
    /// `None` when there is none of these.
    pub fn default_branch(&self) -> Result<Option<String>> {
        let remote = Git::new(self.path())
            .args(["symbolic-ref", "-q", "refs/remotes/origin/HEAD"])
            .optional_text()?;
        if let Some(remote) = remote.filter(|r| !r.is_empty()) {
            return Ok(Some(remote));
        }
        for name in ["main", "master"] {
            if crate::branch::branch_exists(self.path(), name)? {
                return Ok(Some(format!("refs/heads/{name}")));
            }
        }
        Ok(self
            .current_branch()?
            .filter(|name| !name.starts_with(crate::BRANCH_PREFIX))
            .map(|name| format!("refs/heads/{name}")))
    }

    /// What became of each `proposed` branch, as of `now`, in the order given: merged into
    /// `default_branch` (see the module's documentation for how), otherwise deleted when its
    /// ref is gone, otherwise stale when it was proposed more than `stale_after` before `now`,
    /// otherwise open. Each fate is observed at `now`.
    ///
    /// A proposal whose recorded commit this repository does not have (collected as garbage,
    /// or never fetched here) is judged by its branch's tip alone, or deleted without one.
    pub fn branch_fates(
        &self,
        default_branch: &str,
        proposed: &[ProposedBranch],
        now: Timestamp,
        stale_after: Duration,
    ) -> Result<Vec<BranchFate>> {
        let tips = self.branch_tips()?;
        // The commits each proposal may have reached the default branch as: the one recorded
        // and the branch's tip, when the repository has them.
        let mut candidates: Vec<Vec<String>> = Vec::with_capacity(proposed.len());
        for p in proposed {
            let mut commits = Vec::new();
            for commit in p.commit.iter().chain(tips.get(&p.branch)) {
                if let Some(commit) = self.commit_id(commit)?
                    && !commits.contains(&commit)
                {
                    commits.push(commit);
                }
            }
            candidates.push(commits);
        }
        let mut mainline: Option<HashSet<String>> = None;
        let mut fates = Vec::with_capacity(proposed.len());
        for (p, commits) in proposed.iter().zip(&candidates) {
            let mut merged = false;
            for commit in commits {
                if self.is_ancestor(commit, default_branch)? {
                    merged = true;
                    break;
                }
            }
            for commit in commits.iter().filter(|_| !merged) {
                // The default branch's patch ids are read once for every proposal, and only
                // when one is not merged by ancestry.
                let mainline = match &mut mainline {
                    Some(ids) => ids,
                    None => mainline.insert(
                        self.mainline_patch_ids(default_branch, candidates.iter().flatten())?,
                    ),
                };
                if self.merged_by_patch_id(commit, default_branch, mainline)? {
                    merged = true;
                    break;
                }
            }
            let age = now.unix().saturating_sub(p.proposed_at.unix());
            let fate = if merged {
                Fate::Merged
            } else if !tips.contains_key(&p.branch) {
                Fate::Deleted
            } else if age > i64::try_from(stale_after.as_secs()).unwrap_or(i64::MAX) {
                Fate::Stale
            } else {
                Fate::Open
            };
            fates.push(BranchFate {
                branch: p.branch.clone(),
                fate,
                observed_at: now,
            });
        }
        Ok(fates)
    }

    /// Every local branch with the commit it points at.
    fn branch_tips(&self) -> Result<HashMap<String, String>> {
        let refs = Git::new(self.path())
            .args([
                "for-each-ref",
                "--format=%(objectname) %(refname)",
                "refs/heads/",
            ])
            .text()?;
        Ok(refs
            .lines()
            .filter_map(|line| {
                let (commit, name) = line.split_once(' ')?;
                Some((
                    name.strip_prefix("refs/heads/")?.to_owned(),
                    commit.to_owned(),
                ))
            })
            .collect())
    }

    /// The full id of `commit` when it is a commit id this repository has; `None` for
    /// anything else (a recorded id is never read as an option or a ref name).
    fn commit_id(&self, commit: &str) -> Result<Option<String>> {
        let hex = (4..=64).contains(&commit.len()) && commit.bytes().all(|b| b.is_ascii_hexdigit());
        if !hex {
            return Ok(None);
        }
        Git::new(self.path())
            .args(["rev-parse", "--verify", "-q", "--end-of-options"])
            .args([format!("{commit}^{{commit}}")])
            .optional_text()
    }

    /// Whether `commit` is an ancestor of (or is) `branch`.
    fn is_ancestor(&self, commit: &str, branch: &str) -> Result<bool> {
        Git::new(self.path())
            .args(["merge-base", "--is-ancestor", commit, branch])
            .yes()
    }

    /// The patch ids of the default branch's commits since the oldest point where one of
    /// `commits` forked from it: every commit a proposal could have been merged as.
    fn mainline_patch_ids<'a>(
        &self,
        branch: &str,
        commits: impl Iterator<Item = &'a String>,
    ) -> Result<HashSet<String>> {
        let mut args = vec!["merge-base".to_owned(), "--octopus".into(), branch.into()];
        args.extend(commits.cloned());
        let fork = Git::new(self.path()).args(&args).optional_text()?;
        // Histories with nothing in common: no commit of the default branch holds a proposal.
        let Some(fork) = fork.filter(|f| !f.is_empty()) else {
            return Ok(HashSet::new());
        };
        let ids = self.commit_patch_ids(&[branch.to_owned(), format!("^{fork}")])?;
        Ok(ids.into_iter().collect())
    }

    /// The patch id of every commit (merges left out) in the range `revisions` names.
    fn commit_patch_ids(&self, revisions: &[String]) -> Result<Vec<String>> {
        let log = Git::new(self.path())
            .args([
                "log",
                "--no-merges",
                "--no-show-signature",
                "--format=commit %H",
                "-p",
            ])
            .args(FATE_DIFF)
            .args(["--end-of-options"])
            .args(revisions)
            .args(["--"])
            .run()?;
        patch_ids(self.path(), log)
    }

    /// Whether the default branch's commits (`mainline`, their patch ids) hold the change
    /// of `commit` (not an ancestor of `branch`): all of its branch's own commits one by one,
    /// or all of them together as one.
    fn merged_by_patch_id(
        &self,
        commit: &str,
        branch: &str,
        mainline: &HashSet<String>,
    ) -> Result<bool> {
        let own = self.commit_patch_ids(&[commit.to_owned(), format!("^{branch}")])?;
        if !own.is_empty() && own.iter().all(|id| mainline.contains(id)) {
            return Ok(true);
        }
        if own.len() < 2 {
            // One commit: its change as a whole is the one just compared.
            return Ok(false);
        }
        let combined = Git::new(self.path())
            .args(["diff"])
            .args(FATE_DIFF)
            .args(["--end-of-options", &format!("{branch}...{commit}"), "--"])
            .run()?;
        Ok(crate::diff::patch_id(self.path(), combined)?.is_some_and(|id| mainline.contains(&id)))
    }
}
