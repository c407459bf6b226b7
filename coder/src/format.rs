//! The repository's own formatter, two ways: as a backend (`format:rustfmt` or
//! `format:ruff-format` formats the files of the task's findings, and only those), and
//! around every other backend ([`KeepFormatted`]): a file a change touched, which the
//! formatter left alone before, is formatted again after the change, as its maintainer would
//! before committing. `cargo fmt` formats a whole workspace; what it changes elsewhere is put
//! back. Neither formatter runs the target's code.

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
        let paths = request.finding_paths();
        let snapshot = match Snapshot::take(worktree) {
            Ok(snapshot) => snapshot,
            Err(detail) => return failed(detail),
        };
        if let Err(e) = tdev_tools::formatter::format(self.formatter, &self.env, worktree, &paths) {
            let _ = snapshot.undo(worktree);
            return failed(e.to_string());
        }
        snapshot.keep_only(worktree, &paths)
    }
}

/// Wraps a backend so that its change keeps the repository's formatting.
pub struct KeepFormatted {
    inner: Box<dyn Backend>,
    env: ToolEnv,
}

impl std::fmt::Debug for KeepFormatted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeepFormatted")
            .field("inner", &self.inner.name())
            .finish()
    }
}

impl KeepFormatted {
    /// `inner`, with ruff from the tool environment in `tools_dir`.
    pub fn new(inner: Box<dyn Backend>, tools_dir: PathBuf) -> Self {
        Self {
            inner,
            env: ToolEnv::new(tools_dir),
        }
    }
}

impl Backend for KeepFormatted {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn attempt(&self, request: &AttemptRequest, worktree: &Path) -> AttemptResult {
        // What each formatter would change before the change: those files are left as they
        // are, since formatting them would mix unrelated edits into the change.
        let before: Vec<(Formatter, Vec<String>)> = tdev_tools::formatter::detect(worktree)
            .into_iter()
            .filter_map(|f| {
                tdev_tools::formatter::unformatted(f, &self.env, worktree)
                    .ok()
                    .map(|files| (f, files))
            })
            .collect();
        let result = self.inner.attempt(request, worktree);
        let AttemptOutcome::Changed { files } = &result.outcome else {
            return result;
        };
        for (formatter, unformatted) in before {
            let targets: Vec<String> = files
                .iter()
                .filter(|f| formatter.formats(f) && !unformatted.contains(f))
                .cloned()
                .collect();
            if targets.is_empty() {
                continue;
            }
            let Ok(snapshot) = Snapshot::take(worktree) else {
                continue;
            };
            let formatted = tdev_tools::formatter::format(formatter, &self.env, worktree, &targets);
            let Ok(changed) = snapshot.changed(worktree) else {
                continue;
            };
            // A formatter that failed (a change that does not parse) leaves the change as
            // the backend made it; the gate and the tests judge it.
            let put_back: Vec<String> = changed
                .into_iter()
                .filter(|f| formatted.is_err() || !targets.contains(f))
                .collect();
            let _ = snapshot.restore(worktree, &put_back);
        }
        result
    }
}
