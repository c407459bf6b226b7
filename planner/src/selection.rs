//! Which findings a cycle plans for. A change may not edit existing tests (the gate's test
//! integrity), so findings in test files are recorded but not planned for. What the knowledge
//! graph says earlier cycles proposed, and what still waits on its `tdev/auto/` branch, is not
//! done again: the same change would be a duplicate, another one would overlap it. Nor is
//! what every tool tried and had refused (by the gate, or by the tool itself before it) on
//! this very commit, unless a model, which answers differently, may try it.

use crate::Backends;
use std::collections::{HashMap, HashSet};
use tdev_core::{Finding, Strategy};

/// What earlier cycles say about this repository's findings, read from the knowledge graph.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Earlier {
    /// Ids of findings whose proposed change still waits on its `tdev/auto/` branch.
    pub waiting: HashSet<String>,
    /// Ids of findings whose tool and codemod strategies were all refused (by the gate or the
    /// tool itself) on the commit
    /// the cycle starts from, with those strategies.
    pub refused: HashMap<String, Vec<Strategy>>,
}

/// The findings a cycle plans for, and how many it left out for what earlier cycles did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Selection {
    /// The findings to plan for, in the order research gave them.
    pub plannable: Vec<Finding>,
    /// Findings left out because a change for them waits on a `tdev/auto/` branch.
    pub already_proposed: usize,
    /// Findings left out because every tool's change for them was refused on this commit
    /// and no model may try them.
    pub already_refused: usize,
}

/// Chooses the findings to plan for: not in a test file (as `is_test_file` says), not waiting
/// on a branch, and not refused on this commit to every tool when no model may try them.
pub fn select(
    findings: &[Finding],
    earlier: &Earlier,
    backends: &Backends,
    is_test_file: impl Fn(&str) -> bool,
) -> Selection {
    let waiting = |f: &Finding| earlier.waiting.contains(&f.id);
    let settled = |f: &Finding| !backends.model_may_try() && earlier.refused.contains_key(&f.id);
    Selection {
        already_proposed: findings.iter().filter(|f| waiting(f)).count(),
        already_refused: findings
            .iter()
            .filter(|f| !waiting(f) && settled(f))
            .count(),
        plannable: findings
            .iter()
            .filter(|f| !waiting(f) && !settled(f) && !is_test_file(&f.path))
            .cloned()
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BackendChoice;
    use tdev_core::Severity;

    fn finding(id: &str, path: &str) -> Finding {
        Finding {
            id: id.into(),
            kind: "ruff:E731".into(),
            severity: Severity::Low,
            path: path.into(),
            span: None,
            symbol: None,
            message: String::new(),
            evidence: None,
            metrics: Default::default(),
            fix: None,
            priority: 0.5,
        }
    }

    /// Selects among `f1` to `f4` (`f4` in `tests/`), `f2` waiting on a branch and `f3`
    /// refused to the tools: the ids planned and the two counts.
    fn check(backends: Backends, expected: (&[&str], usize, usize)) {
        let findings = [
            finding("f1", "app/a.py"),
            finding("f2", "app/b.py"),
            finding("f3", "app/c.py"),
            finding("f4", "tests/test_a.py"),
        ];
        let earlier = Earlier {
            waiting: ["f2".to_owned()].into(),
            refused: [("f3".to_owned(), vec!["ruff-unsafe-fix:E7".parse().unwrap()])].into(),
        };
        let selection = select(&findings, &earlier, &backends, |p| p.starts_with("tests/"));
        let planned: Vec<&str> = selection.plannable.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(
            (
                planned.as_slice(),
                selection.already_proposed,
                selection.already_refused
            ),
            expected,
            "{backends:?}"
        );
    }

    #[test]
    fn waiting_refused_and_test_findings_are_left_out_and_counted() {
        // Without a model the refused finding is settled on this commit.
        check(
            Backends::new(BackendChoice::Auto, false, false),
            (&["f1"], 1, 1),
        );
        check(
            Backends::new(BackendChoice::Tools, true, false),
            (&["f1"], 1, 1),
        );
        // A model answers differently: it may try the refused finding.
        check(
            Backends::new(BackendChoice::Auto, true, false),
            (&["f1", "f3"], 1, 0),
        );
        check(
            Backends::new(BackendChoice::Command, false, true),
            (&["f1", "f3"], 1, 0),
        );
    }
}
