//! The repository's own formatter as a backend: `format:rustfmt` or `format:ruff-format`
//! formats the files of the task's findings, and only those (`cargo fmt` formats a whole
//! workspace; what it changes elsewhere is put back). Neither runs the target's code.

use crate::snapshot::Snapshot;
use crate::{AttemptOutcome, AttemptRequest, AttemptResult, Backend, FailureReason, Usage};
use std::path::{Path, PathBuf};
use tdev_tools::ToolEnv;
use tdev_tools::formatter::Formatter;

/// Formats files with the formatter the repository uses.
#[derive(Debug)]
pub struct FormatBackend {
    formatter: Formatter,
    env: ToolEnv,
    name: String,
}

impl FormatBackend {
    /// The backend for the formatter named `name` (`rustfmt`, `ruff-format`), with ruff from
    /// the tool environment in `tools_dir`.
    pub fn new(name: &str, tools_dir: PathBuf) -> Result<Self, String> {
        let formatter = Formatter::from_name(name)
            .ok_or_else(|| format!("tdev does not run the formatter `{name}`"))?;
        Ok(Self {
            formatter,
            env: ToolEnv::new(tools_dir),
            name: format!("format:{name}"),
        })
    }
}

impl Backend for FormatBackend {
    fn name(&self) -> &str {
        &self.name
    }

    fn attempt(&self, request: &AttemptRequest, worktree: &Path) -> AttemptResult {
        let failed = |detail: String| {
            AttemptResult::failed(FailureReason::Local { detail }, Usage::default())
        };
        let mut paths: Vec<String> = request.findings.iter().map(|f| f.path.clone()).collect();
        paths.sort();
        paths.dedup();
        let snapshot = match Snapshot::take(worktree) {
            Ok(snapshot) => snapshot,
            Err(detail) => return failed(detail),
        };
        if let Err(e) = tdev_tools::formatter::format(self.formatter, &self.env, worktree, &paths) {
            let _ = snapshot
                .changed(worktree)
                .and_then(|files| snapshot.restore(worktree, &files));
            return failed(e.to_string());
        }
        let changed = match snapshot.changed(worktree) {
            Ok(files) => files,
            Err(detail) => return failed(detail),
        };
        let (mine, others): (Vec<String>, Vec<String>) =
            changed.into_iter().partition(|f| paths.contains(f));
        if let Err(detail) = snapshot.restore(worktree, &others) {
            return failed(detail);
        }
        if mine.is_empty() {
            AttemptResult::failed(FailureReason::NoChange, Usage::default())
        } else {
            AttemptResult {
                outcome: AttemptOutcome::Changed { files: mine },
                usage: Usage::default(),
            }
        }
    }
}
