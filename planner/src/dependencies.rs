//! Which task must finish before which: the ordering rules between kinds of work on one file.
//!
//! Work on a file goes from the mechanical to the creative, so that each step starts from the
//! previous one's result and a mechanical change never has to be rebased under a rewritten
//! function: safe tool fixes, then codemods and unsafe fixes, then fixes by the LLM, then
//! refactoring, then docstrings (which describe the refactored code). Tests for a file whose
//! coverage is low come before refactoring it, so the refactoring is checked by them. The stages
//! of one large task run in order.

use crate::htn::{Draft, Situation};
use std::collections::BTreeMap;
use tdev_core::{Strategy, Tier};

/// The step of the per-file order a task belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Step {
    /// Ruff safe fixes, clippy's machine-applicable fixes, the formatter.
    SafeToolFix,
    /// Codemods and ruff's unsafe fixes.
    Mechanical,
    /// Fixes written by the LLM.
    LlmFix,
    /// New tests; they change no source file, so they are ordered only before refactoring.
    Tests,
    /// Refactoring for complexity.
    Refactor,
    /// Docstrings.
    Docstrings,
}

impl Step {
    /// The step of a task, from its kind and strategy.
    pub(crate) fn of(kind: &str, strategy: &Strategy) -> Step {
        match (kind, strategy.tier()) {
            (_, Tier::SafeToolFix) => Step::SafeToolFix,
            (_, Tier::Codemod | Tier::UnsafeToolFix) => Step::Mechanical,
            ("add-tests", _) => Step::Tests,
            ("reduce-complexity", _) => Step::Refactor,
            ("add-docstrings", _) => Step::Docstrings,
            _ => Step::LlmFix,
        }
    }
}

/// Whether a task of step `before` must finish before one of step `after` on a file they
/// share, given whether that file's coverage is low.
pub(crate) fn must_precede(before: Step, after: Step, low_coverage: bool) -> bool {
    match (before, after) {
        (Step::Tests, Step::Refactor) => low_coverage,
        (Step::Tests, _) | (_, Step::Tests) => false,
        _ => before < after,
    }
}

/// The dependency edges `(before, after)` between drafts, by index.
pub(crate) fn edges(drafts: &[&Draft<'_>], situation: &Situation) -> Vec<(usize, usize)> {
    let steps: Vec<Step> = drafts
        .iter()
        .map(|d| Step::of(d.kind(), &d.strategy))
        .collect();
    let mut by_file: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, d) in drafts.iter().enumerate() {
        for file in &d.files {
            by_file.entry(file).or_default().push(i);
        }
    }
    let mut edges = Vec::new();
    for (file, tasks) in &by_file {
        let low = situation.low_coverage_files.contains(*file);
        for &a in tasks {
            for &b in tasks {
                if must_precede(steps[a], steps[b], low) {
                    edges.push((a, b));
                }
            }
        }
    }
    let mut stages: BTreeMap<(usize, u32), usize> = BTreeMap::new();
    for (index, d) in drafts.iter().enumerate() {
        if let Some((i, _)) = d.stage {
            stages.insert((d.origin, i), index);
        }
    }
    for (&(origin, i), &a) in &stages {
        if let Some(&b) = stages.get(&(origin, i + 1)) {
            edges.push((a, b));
        }
    }
    edges.sort_unstable();
    edges.dedup();
    edges
}
