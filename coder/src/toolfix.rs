//! ruff's own fixes as a backend: `ruff-fix:<rules>` applies its safe fixes for the rules (a
//! code or a family such as `E7`), `ruff-unsafe-fix:<rules>` its unsafe ones too, a riskier
//! strategy the planner keeps apart.

use crate::snapshot::Snapshot;
use crate::{AttemptRequest, AttemptResult, Backend, FailureReason, Usage};
use std::path::{Path, PathBuf};
use tdev_tools::ToolEnv;

/// Applies ruff's fixes for some rules in a worktree.
#[derive(Debug)]
pub struct RuffFixBackend {
    env: ToolEnv,
    rules: Vec<String>,
    unsafe_fixes: bool,
    name: String,
}

impl RuffFixBackend {
    /// The fixer for `rules` (comma-separated codes or prefixes) with ruff from the tool
    /// environment in `tools_dir`.
    pub fn new(tools_dir: PathBuf, rules: &str, unsafe_fixes: bool) -> Self {
        let name = if unsafe_fixes {
            "ruff-unsafe-fix"
        } else {
            "ruff-fix"
        };
        RuffFixBackend {
            env: ToolEnv::new(tools_dir),
            rules: rules
                .split(',')
                .map(str::to_owned)
                .filter(|r| !r.is_empty())
                .collect(),
            unsafe_fixes,
            name: format!("{name}:{rules}"),
        }
    }
}

impl Backend for RuffFixBackend {
    fn name(&self) -> &str {
        &self.name
    }

    fn attempt(&self, request: &AttemptRequest, worktree: &Path) -> AttemptResult {
        let failed = |reason| AttemptResult::failed(reason, Usage::default());
        // Only the files of the task's findings: a fix elsewhere is another task's change.
        let paths = request.finding_paths();
        let snapshot = match Snapshot::take(worktree) {
            Ok(snapshot) => snapshot,
            Err(detail) => return failed(FailureReason::Local { detail }),
        };
        if let Err(e) =
            tdev_tools::ruff_fix(&self.env, worktree, &self.rules, self.unsafe_fixes, &paths)
        {
            return failed(FailureReason::Local {
                detail: format!("ruff --fix: {e}"),
            });
        }
        snapshot.keep_only(worktree, &paths)
    }
}
