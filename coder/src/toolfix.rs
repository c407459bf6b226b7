//! ruff's own fixes as a backend: `ruff-fix:<rules>` applies its safe fixes for the rules (a
//! code or a family such as `E7`), `ruff-unsafe-fix:<rules>` its unsafe ones too, a riskier
//! strategy the planner keeps apart.

use crate::{AttemptOutcome, AttemptRequest, AttemptResult, Backend, FailureReason, Usage};
use std::path::{Path, PathBuf};
use std::process::Command;
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
        let mut paths: Vec<String> = request.findings.iter().map(|f| f.path.clone()).collect();
        paths.sort();
        paths.dedup();
        if let Err(e) =
            tdev_tools::ruff_fix(&self.env, worktree, &self.rules, self.unsafe_fixes, &paths)
        {
            return failed(FailureReason::Local {
                detail: format!("ruff --fix: {e}"),
            });
        }
        match changed_files(worktree) {
            Ok(files) if files.is_empty() => failed(FailureReason::NoChange),
            Ok(files) => AttemptResult {
                outcome: AttemptOutcome::Changed { files },
                usage: Usage::default(),
            },
            Err(detail) => failed(FailureReason::Local { detail }),
        }
    }
}

/// The files `git status` sees changed in the worktree, sorted.
fn changed_files(worktree: &Path) -> Result<Vec<String>, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(worktree)
        .args([
            "-c",
            "core.quotePath=false",
            "status",
            "--porcelain=v1",
            "-z",
            "--untracked-files=all",
        ])
        .output()
        .map_err(|e| format!("running git status: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "git status: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let mut files: Vec<String> = output
        .stdout
        .split(|b| *b == 0)
        .filter(|entry| entry.len() > 3)
        .map(|entry| String::from_utf8_lossy(&entry[3..]).into_owned())
        .collect();
    files.sort();
    files.dedup();
    Ok(files)
}
