//! Planning as a command: a goal over a repository's findings (scanned here) or over findings
//! a person saved, into a plan of estimated tasks.

use crate::config::Config;
use crate::layout::Layout;
use crate::scan::{ToolsMode, scan};
use crate::{Error, Result};
use std::path::Path;
use std::sync::Arc;
use tdev_core::{Baseline, Finding, Language};
use tdev_planner::{
    BackendChoice, Backends, Earlier, Goal, HeuristicEstimator, Plan, Planner, SharedEstimator,
};
use tdev_research::ScanOptions;

/// At most this many tasks in a plan unless told otherwise (`tdev plan --max-tasks`).
pub use tdev_planner::DEFAULT_MAX_TASKS;

/// The estimator the tree starts with: the heuristic. Each cycle plans with the learned
/// models instead once the Learn phase has kept a version (the curator hands them to it).
pub fn estimator() -> SharedEstimator {
    Arc::new(HeuristicEstimator)
}

/// A repository scanned for planning: the findings a cycle would plan for, what the scan
/// tells the learned models, and the repository's name in the graph.
#[derive(Debug)]
pub struct Scanned {
    /// The findings to plan for: as `tdev evolve` selects them (existing tests are not
    /// changed, so their findings are left out).
    pub findings: Vec<Finding>,
    /// The repository's language and size.
    pub baseline: Baseline,
    /// Its name in the knowledge graph.
    pub repository: String,
}

/// Scans `repo` as `tdev plan --repo` and `tdev ask` do before planning.
pub fn scan_for_planning(
    repo: &Path,
    backends: &Backends,
    layout: &Layout,
    config: &Config,
) -> Result<Scanned> {
    let policy = &config.gates;
    let options = ScanOptions {
        test_patterns: policy.test_integrity.patterns.clone(),
        ..ScanOptions::default()
    };
    let report = scan(repo, &options, ToolsMode::Auto, layout, &|_| {})?;
    let top = crate::evolve::repository_top(repo).unwrap_or_else(|_| repo.to_path_buf());
    let selection = tdev_planner::select(&report.findings, &Earlier::default(), backends, |path| {
        policy.is_test_file(path)
    });
    Ok(Scanned {
        findings: selection.plannable,
        baseline: Baseline {
            repository_lines: Some(report.summary.sloc),
            ..Baseline::unknown(report.main_language())
        },
        repository: crate::ids::repository_name(&top),
    })
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
///
/// The estimates come from the newest learned models of the data directory `data` (with the
/// repository's history of each strategy) when there are any, else from the heuristic; the
/// plan says which (`Plan::estimated_by`). Warnings about unreadable model files are
/// returned beside the plan.
pub fn plan(
    goal: Option<&str>,
    from: FindingsFrom<'_>,
    max_tasks: usize,
    layout: &Layout,
    config: &Config,
    data: Option<&Path>,
) -> Result<(Plan, Vec<String>)> {
    let backends = Backends::new(
        BackendChoice::Auto,
        config.llm.is_some(),
        config.command.is_some(),
    );
    let goal = match goal {
        Some(words) => Goal::parse(words).map_err(|e| Error::user(e.to_string()))?,
        None => Goal::default(),
    };
    let mut baseline = Baseline::unknown(Language::Other);
    let mut repository = None;
    let (name, findings) = match from {
        FindingsFrom::Repo(repo) => {
            let scanned = scan_for_planning(repo, &backends, layout, config)?;
            baseline = scanned.baseline;
            repository = Some(scanned.repository);
            (repo.display().to_string(), scanned.findings)
        }
        FindingsFrom::Given { name, findings } => (name, findings),
    };
    let (estimator, warnings) = crate::learn::planning_estimator(
        data,
        repository.as_deref().unwrap_or_default(),
        baseline,
    )?;
    let plan = Planner::new(estimator)
        .with_max_tasks(max_tasks)
        .with_backends(backends)
        .plan(goal, &findings)
        .map_err(|e| {
            if e.is_user_error() {
                Error::user(format!("{name}: {e}"))
            } else {
                Error::from(e)
            }
        })?;
    Ok((plan, warnings))
}
