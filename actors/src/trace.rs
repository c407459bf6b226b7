//! The cycle's tracing spans, carried across actors and tasks by hand: a message that does a
//! phase's work carries the span it belongs to, and the actor does the work inside it, so what
//! the work logs, and any span it opens, belongs to its cycle, task and attempt whichever
//! thread runs it. (A span entered on one thread is not current on another: a message, a
//! spawned task or a blocking job would otherwise lose it.)
//!
//! ```text
//! cycle       cycle.id, repository, backend, trigger; outcome when it ends (a trace's root)
//! ├── research, plan, baseline            the cycle's phases, in order
//! ├── task    task.id, task.kind, strategy; passed when it ends
//! │   └── attempt   attempt.number, strategy; backend, gate.passed, gate.failed, no_change
//! │       ├── code
//! │       ├── evaluate
//! │       │   └── gate   passed
//! │       └── merge      kept
//! ├── record
//! └── learn
//! ```
//!
//! `docs/observability.md` documents them for the people reading the traces.

use tracing::Span;

/// Runs `work` on tokio's blocking pool inside `span`.
pub(crate) fn spawn_blocking_in<F, R>(span: Span, work: F) -> tokio::task::JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    tokio::task::spawn_blocking(move || span.in_scope(work))
}
