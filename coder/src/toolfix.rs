//! ruff's own fixes as a backend: `ruff-fix:<rules>` applies its safe fixes for the rules (a
//! code or a family such as `E7`), `ruff-unsafe-fix:<rules>` its unsafe ones, a riskier
//! strategy the planner keeps apart.
//!
//! ruff has no switch for "unsafe fixes only": `--unsafe-fixes` applies the safe ones too, so
//! the unsafe strategy's branch would repeat the safe strategy's change to the same file. The
//! unsafe fixer therefore runs ruff twice, safe fixes and then unsafe ones, and keeps what the
//! second run added, merged onto the original file with `git merge-file`. Where the two meet
//! on the same lines the file is left out, and the attempt says which change it waits for.

use crate::snapshot::Snapshot;
use crate::{AttemptOutcome, AttemptRequest, AttemptResult, Backend, FailureReason, Usage};
use std::path::{Path, PathBuf};
use tdev_core::{Family, Strategy};
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

    fn fix(&self, worktree: &Path, paths: &[String], unsafe_fixes: bool) -> Result<(), String> {
        tdev_tools::ruff_fix(&self.env, worktree, &self.rules, unsafe_fixes, paths)
            .map(drop)
            .map_err(|e| format!("ruff --fix: {e}"))
    }

    /// Runs the safe fixes, then the unsafe ones, and leaves in each file only what the
    /// unsafe run added. Returns the files where it met the safe fixes' lines.
    fn unsafe_only(&self, worktree: &Path, paths: &[String]) -> Result<Vec<String>, String> {
        let read = |path: &String| std::fs::read(worktree.join(path)).ok();
        let original: Vec<Option<Vec<u8>>> = paths.iter().map(read).collect();
        self.fix(worktree, paths, false)?;
        let safe: Vec<Option<Vec<u8>>> = paths.iter().map(read).collect();
        self.fix(worktree, paths, true)?;
        let mut overlapping = Vec::new();
        for ((path, original), safe) in paths.iter().zip(original).zip(safe) {
            let (Some(original), Some(safe)) = (original, safe) else {
                continue;
            };
            let file = worktree.join(path);
            let fixed = std::fs::read(&file).map_err(|e| format!("cannot read `{path}`: {e}"))?;
            let kept = if fixed == safe {
                original
            } else if let Some(merged) =
                tdev_worktree::merge_file(&original, &safe, &fixed).map_err(|e| e.to_string())?
            {
                merged
            } else {
                overlapping.push(path.clone());
                original
            };
            std::fs::write(&file, kept).map_err(|e| format!("cannot write `{path}`: {e}"))?;
        }
        Ok(overlapping)
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
        let overlapping = if self.unsafe_fixes {
            self.unsafe_only(worktree, &paths)
        } else {
            self.fix(worktree, &paths, false).map(|()| Vec::new())
        };
        let overlapping = match overlapping {
            Ok(overlapping) => overlapping,
            Err(detail) => {
                let _ = snapshot.undo(worktree);
                return failed(FailureReason::Local { detail });
            }
        };
        let result = snapshot.keep_only(worktree, &paths);
        match result.outcome {
            AttemptOutcome::Failed(FailureReason::NoChange) if !overlapping.is_empty() => {
                failed(FailureReason::OverlapsSaferChange {
                    paths: overlapping,
                    safer: Strategy::new(Family::ToolFix, self.rules.join(",")),
                })
            }
            _ => result,
        }
    }
}
