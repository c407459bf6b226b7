//! Coder backends of tdev: the ways a change is produced for a task in a git worktree, behind
//! one [`Backend`] trait. This crate holds the tool fixers (ruff's fixes by rule family,
//! clippy's by lint, the repository's formatter), the built-in codemods, the LLM backend,
//! which speaks the OpenAI-compatible chat completions API and the Anthropic Messages API
//! over HTTP, and the command backend, which runs an external coding agent headless. It knows
//! nothing of actors or the CLI.
//!
//! A backend never returns an error for a failed attempt: the [`AttemptResult`] says which
//! files changed or gives a typed [`FailureReason`], with the tokens and cost spent. Answers
//! are applied all or nothing:
//!
//! ```
//! use tdev_coder::{FailureReason, apply_answer};
//!
//! let worktree = tempfile::tempdir()?;
//! std::fs::write(worktree.path().join("app.py"), "if x == None:\n    pass\n")?;
//! let answer = "Here is the fix.\n\napp.py\n```python\n<<<<<<< SEARCH\nif x == None:\n\
//!               =======\nif x is None:\n>>>>>>> REPLACE\n```\n";
//! assert_eq!(apply_answer(worktree.path(), answer), Ok(vec!["app.py".to_owned()]));
//! assert_eq!(
//!     std::fs::read_to_string(worktree.path().join("app.py"))?,
//!     "if x is None:\n    pass\n"
//! );
//! assert_eq!(apply_answer(worktree.path(), "I cannot do that."), Err(FailureReason::NoPatch));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

mod answer;
mod apply;
mod backend;
mod budget;
mod clippyfix;
mod codemod;
mod command;
mod config;
mod error;
mod format;
mod llm;
mod patch;
mod paths;
mod prompt;
mod request;
mod result;
mod snapshot;
mod toolfix;
mod wire;

pub use apply::apply_answer;
pub use backend::Backend;
pub use budget::{BudgetLedger, LEDGER_FILE, Reservation};
pub use clippyfix::ClippyFixBackend;
pub use codemod::CodemodBackend;
pub use command::CommandBackend;
pub use config::{CommandConfig, LlmConfig, Provider};
pub use error::{Error, Result};
pub use format::{FormatBackend, KeepFormatted};
pub use llm::LlmBackend;
pub use prompt::{AGENT_INSTRUCTIONS, SYSTEM_PROMPT, user_prompt};
pub use request::{AttemptRequest, CodeExcerpt, TaskBrief};
pub use result::{AttemptOutcome, AttemptResult, BudgetScope, FailureReason, Usage};
pub use toolfix::RuffFixBackend;
