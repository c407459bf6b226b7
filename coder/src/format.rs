//! The repository's own formatter, two ways: as a backend (`format:rustfmt` or
//! `format:ruff-format` formats the files of the task's findings, and only those), and
//! around every other backend ([`KeepFormatted`]): a file a change touched, which the
//! formatter left alone before, is formatted again after the change, as its maintainer would
//! before committing. `cargo fmt` formats a whole workspace; what it changes elsewhere is put
//! back. Neither formatter runs the target's code. Then each statement a change made longer
//! than the repository's line limit (`tdev_tools::style`) is rewrapped to it, alone.

use crate::snapshot::Snapshot;
use crate::{AttemptOutcome, AttemptRequest, AttemptResult, Backend, FailureReason, Usage};
use std::collections::HashSet;
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
        self.rewrap_long_lines(worktree, files);
        result
    }
}

/// How many statements of one file are rewrapped at most, so that lines a formatter cannot
/// shorten (a long string) are not tried forever.
const MAX_REWRAPS: usize = 20;

impl KeepFormatted {
    /// Rewraps each statement of the changed Python files that has a line the change made
    /// longer than the repository allows (`tdev_tools::style`), with ruff's range formatting
    /// of that statement alone. What still does not fit is left for the gate's `line_length`
    /// condition to refuse, with the reason.
    fn rewrap_long_lines(&self, worktree: &Path, files: &[String]) {
        use tdev_tools::style;
        let configured = style::Configured::read(worktree);
        for path in files.iter().filter(|path| style::is_python(path)) {
            let original = tdev_worktree::WorkingDir::at(worktree)
                .read_in_head(path)
                .ok()
                .flatten()
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
            let limit = configured.for_path(path).cloned().or_else(|| {
                let original = original.as_deref().filter(|text| !text.is_empty())?;
                Some(style::longest_line(original.lines()))
            });
            let Some(limit) = limit else { continue };
            let known: HashSet<&str> = original.iter().flat_map(|t| t.lines()).collect();
            let tabs = known.iter().any(|line| line.starts_with('\t'));
            let mut tried: HashSet<String> = HashSet::new();
            for _ in 0..MAX_REWRAPS {
                let Ok(text) = std::fs::read_to_string(worktree.join(path)) else {
                    break;
                };
                let long = (1u32..).zip(text.lines()).find(|(_, line)| {
                    style::width(line) > limit.columns
                        && !known.contains(line)
                        && !tried.contains(*line)
                });
                let Some((number, line)) = long else { break };
                tried.insert(line.to_owned());
                let rewrapped = tdev_tools::formatter::rewrap(
                    &self.env,
                    worktree,
                    path,
                    number,
                    limit.columns,
                    tabs,
                );
                if rewrapped.is_err() {
                    break;
                }
            }
        }
    }
}
