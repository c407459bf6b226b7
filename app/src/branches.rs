//! The branches tdev proposed, with what became of them as far as the cycles saw: the ones
//! waiting for review and the fates of earlier ones, for the daemon's dashboard
//! (`GET /api/branches`). The graph answers through `KnowledgeGraph::proposed_branches` and
//! `branch_fates`, the questions a cycle asks before it plans.

use crate::Result;
use crate::history;
use crate::serve::Reader;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use tdev_core::{Fate, Timestamp};
use tdev_knowledge::KnowledgeBase;

/// One proposed branch and its latest recorded fate.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Branch {
    /// The repository, by its name in the graph.
    pub repository: String,
    /// The `tdev/auto/...` branch.
    pub branch: String,
    /// The commit the change was kept as, when recorded.
    pub commit: Option<String>,
    /// When it was proposed: the start of the attempt that made it.
    pub proposed_at: Timestamp,
    /// What a later cycle on the repository last saw become of it; absent until one looked.
    pub fate: Option<Fate>,
    /// When that cycle looked.
    pub observed_at: Option<Timestamp>,
}

impl Branch {
    /// Whether it still waits for a maintainer: no cycle saw it merged or deleted.
    pub fn is_waiting(&self) -> bool {
        matches!(self.fate, None | Some(Fate::Open | Fate::Stale))
    }
}

/// Every branch proposed on any repository with recorded cycles, newest first.
pub fn branches(knowledge: &KnowledgeBase) -> Result<Vec<Branch>> {
    let cycles = history::cycles(&Reader::Local(knowledge.clone()))?;
    let repositories: BTreeSet<String> = cycles
        .objects()
        .iter()
        .filter_map(|cycle| Some(cycle.get("repository")?.as_str()?.to_owned()))
        .collect();
    let mut out = Vec::new();
    for repository in repositories {
        let mut fates: HashMap<String, (Fate, Timestamp)> = knowledge
            .graph
            .branch_fates(&repository)?
            .into_iter()
            .map(|f| (f.branch, (f.fate, f.observed_at)))
            .collect();
        for proposed in knowledge.graph.proposed_branches(&repository)? {
            let fate = fates.remove(&proposed.branch);
            out.push(Branch {
                repository: repository.clone(),
                branch: proposed.branch,
                commit: proposed.commit,
                proposed_at: proposed.proposed_at,
                fate: fate.map(|f| f.0),
                observed_at: fate.map(|f| f.1),
            });
        }
    }
    out.sort_by(|a, b| {
        (b.proposed_at, &a.repository, &a.branch).cmp(&(a.proposed_at, &b.repository, &b.branch))
    });
    Ok(out)
}
