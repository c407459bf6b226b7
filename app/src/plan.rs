//! Planning as a command: a goal over a repository's findings (scanned here) or over findings
//! a person saved, into a plan of estimated tasks.

use crate::config::Config;
use crate::layout::Layout;
use crate::scan::{ToolsMode, scan};
use crate::{Error, Result};
use std::path::Path;
use std::sync::Arc;
use tdev_core::Finding;
use tdev_planner::{
    BackendChoice, Backends, Earlier, Goal, HeuristicEstimator, Plan, Planner, SharedEstimator,
};
use tdev_research::ScanOptions;

/// The estimator every plan of this host is made with, `tdev plan`'s and the tree's: the
/// heuristic one until the learners train models, which then take its place here.
pub fn estimator() -> SharedEstimator {
    Arc::new(HeuristicEstimator)
}

/// Where the findings come from.
#[derive(Debug)]
pub enum FindingsFrom<'a> {
    /// A fresh scan of this repository.
    Repo(&'a Path),
    /// Findings read elsewhere (a saved scan), under a name for messages.
    Given {
        /// The file's name, for messages.
        name: String,
        /// The findings.
        findings: Vec<Finding>,
    },
}

/// Plans `goal` (the default goal when `None`) over the findings, at most `max_tasks` tasks,
/// for the backends `config` makes available, as `tdev evolve` without `--backend` would:
/// without a model, the plan leaves model work out and says how to enable it.
pub fn plan(
    goal: Option<&str>,
    from: FindingsFrom<'_>,
    max_tasks: usize,
    layout: &Layout,
    config: &Config,
) -> Result<Plan> {
    let policy = &config.gates;
    let backends = Backends::new(
        BackendChoice::Auto,
        config.llm.is_some(),
        config.command.is_some(),
    );
    let goal = match goal {
        Some(words) => Goal::parse(words).map_err(|e| Error::user(e.to_string()))?,
        None => Goal::default(),
    };
    let (name, findings) = match from {
        FindingsFrom::Repo(repo) => {
            let options = ScanOptions {
                test_patterns: policy.test_integrity.patterns.clone(),
                ..ScanOptions::default()
            };
            let report = scan(repo, &options, ToolsMode::Auto, layout, &|_| {})?;
            // As `tdev evolve` plans: existing tests are not changed, so their findings are
            // not planned for.
            let selection =
                tdev_planner::select(&report.findings, &Earlier::default(), &backends, |path| {
                    policy.is_test_file(path)
                });
            (repo.display().to_string(), selection.plannable)
        }
        FindingsFrom::Given { name, findings } => (name, findings),
    };
    Planner::new(estimator())
        .with_max_tasks(max_tasks)
        .with_backends(backends)
        .plan(goal, &findings)
        .map_err(|e| {
            if e.is_user_error() {
                Error::user(format!("{name}: {e}"))
            } else {
                e.into()
            }
        })
}
