//! What became of a branch tdev proposed: the maintainers merged it, deleted it, or left it
//! open. It is the label a maintainer gives a change, beside the gate's verdict and the
//! attempt's duration, so tdev can learn which changes a repository's people take.
//!
//! Each cycle looks at the branches earlier cycles proposed and records a [`BranchFate`] for
//! every one whose fate changed since it was last recorded ([`fates_to_record`]); the latest
//! one recorded for a branch is its label.

use crate::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

/// How many days a proposed branch may stay open before it counts as [`Fate::Stale`], unless
/// `[learn] stale_after_days` says otherwise.
pub const DEFAULT_STALE_AFTER_DAYS: u32 = 30;

/// What became of a proposed branch, as far as the repository shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Fate {
    /// Its change is on the default branch: merged, fast-forwarded, rebased, squashed or
    /// cherry-picked.
    Merged,
    /// The branch is gone and its change is not on the default branch.
    Deleted,
    /// The branch is there, unmerged, longer after it was proposed than the configured age.
    Stale,
    /// The branch is there, unmerged, and younger than that.
    Open,
}

impl Fate {
    /// Every fate, in the order of their spelling in messages.
    pub const ALL: [Fate; 4] = [Fate::Merged, Fate::Deleted, Fate::Stale, Fate::Open];

    /// The spelling used in JSON and in the graph.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Merged => "merged",
            Self::Deleted => "deleted",
            Self::Stale => "stale",
            Self::Open => "open",
        }
    }

    /// Whether nothing can change it any more: a merged change stays merged. A deleted branch
    /// is looked at again, since its change may still reach the default branch (a pull
    /// request merged on the forge after the local branch was removed).
    pub fn is_settled(self) -> bool {
        self == Self::Merged
    }
}

impl fmt::Display for Fate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A word that is not a [`Fate`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a branch fate: expected merged, deleted, stale or open")]
pub struct FateError(String);

impl FromStr for Fate {
    type Err = FateError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Fate::ALL
            .into_iter()
            .find(|fate| fate.as_str() == s)
            .ok_or_else(|| FateError(s.to_owned()))
    }
}

/// The fate of one branch as a cycle saw it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BranchFate {
    /// The `tdev/auto/...` branch an earlier cycle proposed.
    pub branch: String,
    /// What had become of it.
    pub fate: Fate,
    /// When the cycle looked.
    pub observed_at: Timestamp,
}

/// A branch a passing attempt proposed, as the knowledge graph remembers it: what a cycle
/// needs to find out its fate.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ProposedBranch {
    /// The `tdev/auto/...` branch.
    pub branch: String,
    /// The commit the change was kept as (`Change::commit`); absent in records that lack it.
    pub commit: Option<String>,
    /// When it was proposed: the start of the attempt that made it.
    pub proposed_at: Timestamp,
}

/// Of the fates a cycle `observed`, those worth recording: the ones that differ from the
/// `latest` recorded fate of their branch (a branch's first observation always does), sorted
/// by branch. A branch that stays open is recorded once, not by every cycle.
pub fn fates_to_record(observed: Vec<BranchFate>, latest: &[BranchFate]) -> Vec<BranchFate> {
    let latest: HashMap<&str, Fate> = latest
        .iter()
        .map(|known| (known.branch.as_str(), known.fate))
        .collect();
    let mut news: Vec<BranchFate> = observed
        .into_iter()
        .filter(|seen| latest.get(seen.branch.as_str()) != Some(&seen.fate))
        .collect();
    news.sort_by(|a, b| a.branch.cmp(&b.branch));
    news.dedup_by(|a, b| a.branch == b.branch);
    news
}

/// Of the branches earlier cycles `proposed`, those whose fate may still change: the ones
/// whose `latest` recorded fate is not settled ([`Fate::is_settled`]).
pub fn fates_to_observe(
    proposed: Vec<ProposedBranch>,
    latest: &[BranchFate],
) -> Vec<ProposedBranch> {
    let settled: std::collections::HashSet<&str> = latest
        .iter()
        .filter(|known| known.fate.is_settled())
        .map(|known| known.branch.as_str())
        .collect();
    proposed
        .into_iter()
        .filter(|p| !settled.contains(p.branch.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fate(branch: &str, fate: Fate) -> BranchFate {
        BranchFate {
            branch: format!("tdev/auto/{branch}"),
            fate,
            observed_at: Timestamp::from_unix(1_000),
        }
    }

    #[test]
    fn fates_are_spelled_as_in_json_and_read_back() {
        for fate in Fate::ALL {
            assert_eq!(fate.to_string().parse::<Fate>(), Ok(fate));
            let json = serde_json::to_string(&fate).unwrap();
            assert_eq!(json, format!("\"{fate}\""));
        }
        assert_eq!(
            "closed".parse::<Fate>().unwrap_err().to_string(),
            "`closed` is not a branch fate: expected merged, deleted, stale or open"
        );
    }

    #[test]
    fn only_a_changed_fate_is_recorded_again() {
        let latest = [fate("a", Fate::Open), fate("b", Fate::Open)];
        let observed = vec![
            fate("c", Fate::Open),
            fate("b", Fate::Stale),
            fate("a", Fate::Open),
        ];
        assert_eq!(
            fates_to_record(observed, &latest),
            [fate("b", Fate::Stale), fate("c", Fate::Open)]
        );
    }

    #[test]
    fn a_merged_branch_is_not_looked_at_again_and_a_deleted_one_is() {
        let proposed = |branch: &str| ProposedBranch {
            branch: format!("tdev/auto/{branch}"),
            commit: None,
            proposed_at: Timestamp::from_unix(0),
        };
        let latest = [fate("a", Fate::Merged), fate("b", Fate::Deleted)];
        let left = fates_to_observe(vec![proposed("a"), proposed("b"), proposed("c")], &latest);
        assert_eq!(left, [proposed("b"), proposed("c")]);
    }
}
