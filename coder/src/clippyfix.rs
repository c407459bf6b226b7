//! clippy's own fixes as a backend: `clippy-fix:<lint>` applies clippy's machine-applicable
//! suggestions for one lint, and nothing else, to the files of the task's findings.
//!
//! `cargo clippy --fix` builds the workspace, which runs the target's build scripts and
//! procedural macros, so it runs in the sandbox like the target's tests; it fixes every file
//! it compiles, so fixes outside the task's files are put back (they belong to other tasks).

use crate::snapshot::Snapshot;
use crate::{AttemptRequest, AttemptResult, Backend, FailureReason, Usage};
use std::path::{Path, PathBuf};
use tdev_runner::rust::RustProject;
use tdev_runner::{Limits, Sandbox};

/// Applies clippy's fixes for one lint in a worktree.
#[derive(Debug)]
pub struct ClippyFixBackend {
    lint: String,
    target_dir: PathBuf,
    scratch_dir: PathBuf,
    limits: Limits,
    name: String,
}

impl ClippyFixBackend {
    /// The fixer for `lint` (`needless_return`, with or without `clippy::`), building into
    /// `target_dir` (outside every worktree) in a sandbox whose scratch directories go under
    /// `scratch_dir`, under `limits` (raised for builds, see [`RustProject::limits`]).
    pub fn new(lint: &str, target_dir: PathBuf, scratch_dir: PathBuf, limits: &Limits) -> Self {
        let lint = lint.trim_start_matches("clippy::").to_owned();
        Self {
            name: format!("clippy-fix:{lint}"),
            lint,
            target_dir,
            scratch_dir,
            limits: RustProject::limits(limits),
        }
    }
}

impl Backend for ClippyFixBackend {
    fn name(&self) -> &str {
        &self.name
    }

    fn attempt(&self, request: &AttemptRequest, worktree: &Path) -> AttemptResult {
        let failed = |detail: String| {
            AttemptResult::failed(FailureReason::Local { detail }, Usage::default())
        };
        if self.lint.is_empty()
            || !self
                .lint
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'_')
        {
            return failed(format!("`{}` is not a clippy lint name", self.lint));
        }
        let paths = request.finding_paths();
        let project = match RustProject::detect(worktree) {
            Ok(project) => project,
            Err(e) => return failed(e.to_string()),
        };
        let snapshot = match Snapshot::take(worktree) {
            Ok(snapshot) => snapshot,
            Err(detail) => return failed(detail),
        };
        let sandbox = match std::fs::create_dir_all(&self.scratch_dir)
            .map_err(|e| e.to_string())
            .and_then(|()| Sandbox::with_scratch_in(&self.scratch_dir).map_err(|e| e.to_string()))
        {
            Ok(sandbox) => sandbox,
            Err(e) => return failed(format!("the sandbox: {e}")),
        };
        let run = project.clippy(
            worktree,
            &self.target_dir,
            &sandbox,
            &self.limits,
            &tdev_tools::fix_only_args(&self.lint),
            true,
        );
        let run = match run {
            Ok(run) => run,
            Err(e) => return failed(format!("cargo clippy --fix: {e}")),
        };
        if !run.success() {
            // Nothing of a run that did not finish is kept.
            let _ = snapshot.undo(worktree);
            return failed(match run.stopped {
                Some(stopped) => format!("cargo clippy --fix {stopped}"),
                None => format!("cargo clippy --fix failed:\n{}", run.stderr_tail),
            });
        }
        snapshot.keep_only(worktree, &paths)
    }
}
