//! What came of an attempt: the files it changed, or the typed reason it failed, and what it
//! cost.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The outcome of one attempt and its usage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttemptResult {
    /// Changed files or the reason nothing was changed.
    pub outcome: AttemptOutcome,
    /// Tokens and money spent, zero for backends that do not count them.
    pub usage: Usage,
}

impl AttemptResult {
    /// A failed attempt that spent `usage`.
    pub fn failed(reason: FailureReason, usage: Usage) -> Self {
        AttemptResult {
            outcome: AttemptOutcome::Failed(reason),
            usage,
        }
    }

    /// The failure reason, if the attempt failed.
    pub fn failure(&self) -> Option<&FailureReason> {
        match &self.outcome {
            AttemptOutcome::Failed(reason) => Some(reason),
            AttemptOutcome::Changed { .. } => None,
        }
    }

    /// The changed files, if the attempt changed something.
    pub fn changed_files(&self) -> Option<&[String]> {
        match &self.outcome {
            AttemptOutcome::Changed { files } => Some(files),
            AttemptOutcome::Failed(_) => None,
        }
    }
}

/// Whether the attempt left a change in the worktree.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttemptOutcome {
    /// The worktree holds a change to these files (relative, `/`-separated, sorted).
    Changed {
        /// The files written, created or deleted.
        files: Vec<String>,
    },
    /// Nothing was applied, for this reason.
    Failed(FailureReason),
}

/// Tokens and cost of one attempt.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Usage {
    /// Tokens sent (the prompt), as the provider counted them.
    pub input_tokens: u64,
    /// Tokens received (the answer), as the provider counted them.
    pub output_tokens: u64,
    /// What they cost, in the currency of the configured prices.
    pub cost: f64,
}

/// Which budget refused a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetScope {
    /// The cap for the current cycle.
    Cycle,
    /// The cap for the current UTC day.
    Day,
}

/// Why an attempt changed nothing. The `Display` text is one sentence fit to be fed back to
/// the next attempt and recorded in the graph.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
#[non_exhaustive]
pub enum FailureReason {
    /// The request did not reach the server or its answer did not come back.
    Transport {
        /// What the HTTP client said.
        detail: String,
    },
    /// The server answered with an error status.
    HttpStatus {
        /// The HTTP status code.
        status: u16,
        /// The start of the answer's body.
        body: String,
    },
    /// The server's answer was not the JSON the API promises.
    MalformedAnswer {
        /// What was wrong with it.
        detail: String,
    },
    /// The model answered, but with neither a unified diff nor search/replace blocks.
    NoPatch,
    /// The model stopped at its token limit, so its patch may be cut short.
    TruncatedAnswer {
        /// The provider's stop reason, e.g. `length` or `max_tokens`.
        stop_reason: String,
    },
    /// A hunk or block of the patch does not fit the file in the worktree.
    PatchDoesNotApply {
        /// The file the hunk or block is for.
        path: String,
        /// Which hunk or block of that file, 1-based.
        hunk: usize,
        /// Why it does not fit.
        why: String,
    },
    /// The patch names a file outside the worktree (or inside `.git`), which is never written.
    PathOutsideWorktree {
        /// The path as the patch gave it.
        path: String,
    },
    /// Sending the request could exceed a spending cap, so it was not sent.
    BudgetExhausted {
        /// Which cap.
        scope: BudgetScope,
        /// Already spent against it.
        spent: f64,
        /// The worst-case cost of the request.
        estimate: f64,
        /// The cap.
        cap: f64,
    },
    /// The environment variable that should hold the API key is unset or empty.
    MissingApiKey {
        /// The variable's name.
        variable: String,
    },
    /// The backend ran out of time: the HTTP request got no answer, or the command was killed
    /// with its whole process group.
    Timeout {
        /// The limit, in seconds.
        after_secs: u64,
        /// The last lines the command wrote to stdout (empty for HTTP).
        stdout_tail: String,
        /// The last lines the command wrote to stderr (empty for HTTP).
        stderr_tail: String,
    },
    /// The external command could not start or exited unsuccessfully.
    CommandFailed {
        /// Its exit code, when it exited (rather than not starting or being killed by a signal).
        code: Option<i32>,
        /// What went wrong, for a command that did not start or died of a signal.
        detail: String,
        /// The last lines it wrote to stdout.
        stdout_tail: String,
        /// The last lines it wrote to stderr.
        stderr_tail: String,
    },
    /// The command succeeded but left the worktree as it was.
    NoChange,
    /// Every change the strategy made touches lines a safer strategy of the same plan changes
    /// too, so it was not kept: it would overlap that change. It can be tried once that
    /// change is merged.
    OverlapsSaferChange {
        /// The files where the two changes meet.
        paths: Vec<String>,
        /// The safer strategy, e.g. `ruff-fix:UP0`.
        safer: tdev_core::Strategy,
    },
    /// The fix removes an import that is there for its side effect (inside `try:`, or of a
    /// module imported for what importing it does, such as `readline`), which changes what the
    /// program does however unused the name looks.
    RemovesEffectImport {
        /// The file.
        path: String,
        /// The import statement, as written.
        import: String,
    },
    /// The fix removes a module-level import from a module of names for other code to import
    /// (one that defines no function or class: a compatibility shim, a re-export), whose
    /// importers would break.
    RemovesExportedName {
        /// The file.
        path: String,
        /// The import statement, as written.
        import: String,
    },
    /// The fix leaves something a reviewer would fix by hand, which the code did not have
    /// before: a ruff rule's finding, e.g. `ISC001` (string literals joined on one line).
    Leftover {
        /// The rule, e.g. `ISC001`.
        rule: String,
        /// What the rule finds, in words.
        what: String,
        /// Where: `path:line`.
        place: String,
    },
    /// tdev itself failed around the attempt: reading or writing files, running git.
    Local {
        /// What failed.
        detail: String,
    },
}

impl FailureReason {
    /// Whether the backend could not start its work at all (no API key to send a request
    /// with, no budget left to send it): another attempt with it in the same cycle would end
    /// the same way, so it is not retried.
    pub fn is_start_failure(&self) -> bool {
        matches!(
            self,
            Self::MissingApiKey { .. } | Self::BudgetExhausted { .. }
        )
    }
}

impl FailureReason {
    /// The refusal it is, when a deterministic strategy turned its own change down for what
    /// the change was (or that there was none): on the same commit it would be turned down
    /// the same way, as the gate would refuse it again. `None` for failures that may go
    /// otherwise next time (a tool that crashed or ran out of time, a model's answer).
    pub fn refusal(&self) -> Option<tdev_core::PreGateRefusal> {
        use tdev_core::PreGateRefusal;
        match self {
            Self::RemovesEffectImport { .. } => Some(PreGateRefusal::RemovesEffectImport),
            Self::RemovesExportedName { .. } => Some(PreGateRefusal::RemovesExportedName),
            Self::Leftover { .. } => Some(PreGateRefusal::Leftover),
            Self::OverlapsSaferChange { .. } => Some(PreGateRefusal::OverlapsSaferChange),
            Self::NoChange => Some(PreGateRefusal::NoChange),
            Self::Transport { .. }
            | Self::HttpStatus { .. }
            | Self::MalformedAnswer { .. }
            | Self::NoPatch
            | Self::TruncatedAnswer { .. }
            | Self::PatchDoesNotApply { .. }
            | Self::PathOutsideWorktree { .. }
            | Self::BudgetExhausted { .. }
            | Self::MissingApiKey { .. }
            | Self::Timeout { .. }
            | Self::CommandFailed { .. }
            | Self::Local { .. } => None,
        }
    }
}

impl fmt::Display for FailureReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Transport { detail } => write!(f, "the request failed in transport: {detail}"),
            Self::HttpStatus { status, body } => {
                write!(f, "the server answered HTTP {status}: {body}")
            }
            Self::MalformedAnswer { detail } => write!(f, "the answer was malformed: {detail}"),
            Self::NoPatch => write!(
                f,
                "the answer held neither a unified diff nor search/replace blocks"
            ),
            Self::TruncatedAnswer { stop_reason } => write!(
                f,
                "the answer was cut off at the token limit (stop reason `{stop_reason}`); \
                 make the change smaller"
            ),
            Self::PatchDoesNotApply { path, hunk, why } => {
                write!(f, "hunk {hunk} for `{path}` does not apply: {why}")
            }
            Self::OverlapsSaferChange { paths, safer } => write!(
                f,
                "its changes to {} touch the lines that `{safer}` changes, so they were not \
                 kept; try again once that change is merged",
                paths
                    .iter()
                    .map(|p| format!("`{p}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Self::RemovesEffectImport { path, import } => write!(
                f,
                "it removes `{import}` from `{path}`, an import kept for its side effect; \
                 removing it changes what the program does, so the change was not kept"
            ),
            Self::RemovesExportedName { path, import } => write!(
                f,
                "it removes `{import}` from `{path}`, a module of names for other code to import \
                 (it defines no function or class), whose importers would break, so the change \
                 was not kept"
            ),
            Self::Leftover { rule, what, place } => write!(
                f,
                "it leaves {what} at `{place}` (ruff's {rule}), which a reviewer would fix by \
                 hand, so the change was not kept"
            ),
            Self::PathOutsideWorktree { path } => write!(
                f,
                "the patch names `{path}`, which is outside the worktree or inside .git"
            ),
            Self::BudgetExhausted {
                scope,
                spent,
                estimate,
                cap,
            } => {
                let scope = match scope {
                    BudgetScope::Cycle => "cycle",
                    BudgetScope::Day => "day",
                };
                write!(
                    f,
                    "the {scope} budget would be exceeded: spent {spent:.4}, this request up \
                     to {estimate:.4}, cap {cap:.4}"
                )
            }
            Self::MissingApiKey { variable } => write!(
                f,
                "the environment variable {variable} that holds the API key is unset or empty"
            ),
            Self::Timeout {
                after_secs,
                stderr_tail,
                ..
            } => {
                write!(f, "the attempt ran out of time after {after_secs} s")?;
                tail_suffix(f, stderr_tail)
            }
            Self::CommandFailed {
                code,
                detail,
                stderr_tail,
                ..
            } => {
                match code {
                    Some(code) => write!(f, "the command exited with code {code}")?,
                    None => write!(f, "the command failed: {detail}")?,
                }
                tail_suffix(f, stderr_tail)
            }
            Self::NoChange => write!(f, "the command changed nothing in the worktree"),
            Self::Local { detail } => write!(f, "tdev could not carry out the attempt: {detail}"),
        }
    }
}

/// Appends the last line of a command's stderr, which usually says what went wrong.
fn tail_suffix(f: &mut fmt::Formatter<'_>, tail: &str) -> fmt::Result {
    match tail.lines().rev().find(|line| !line.trim().is_empty()) {
        Some(line) => write!(f, "; stderr ends with: {}", line.trim()),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_missing_key_or_an_exhausted_budget_keeps_a_backend_from_starting() {
        let check = |reason: FailureReason, expected: bool| {
            assert_eq!(reason.is_start_failure(), expected, "{reason}");
        };
        check(
            FailureReason::MissingApiKey {
                variable: "OPENAI_API_KEY".into(),
            },
            true,
        );
        check(
            FailureReason::BudgetExhausted {
                scope: BudgetScope::Cycle,
                spent: 1.0,
                estimate: 0.5,
                cap: 1.0,
            },
            true,
        );
        check(FailureReason::NoPatch, false);
        check(FailureReason::NoChange, false);
        check(
            FailureReason::Transport {
                detail: "connection refused".into(),
            },
            false,
        );
    }

    #[test]
    fn a_tools_own_checks_and_an_empty_change_are_refusals_and_a_crash_is_not() {
        use tdev_core::PreGateRefusal;
        let check = |reason: FailureReason, expected: Option<PreGateRefusal>| {
            assert_eq!(reason.refusal(), expected, "{reason}");
        };
        check(
            FailureReason::RemovesExportedName {
                path: "compat.py".into(),
                import: "import os".into(),
            },
            Some(PreGateRefusal::RemovesExportedName),
        );
        check(
            FailureReason::Leftover {
                rule: "ISC001".into(),
                what: "string literals joined on one line".into(),
                place: "m.py:3".into(),
            },
            Some(PreGateRefusal::Leftover),
        );
        check(FailureReason::NoChange, Some(PreGateRefusal::NoChange));
        check(
            FailureReason::Local {
                detail: "ruff --fix: exited with 2".into(),
            },
            None,
        );
        check(
            FailureReason::Timeout {
                after_secs: 60,
                stdout_tail: String::new(),
                stderr_tail: String::new(),
            },
            None,
        );
    }
}
