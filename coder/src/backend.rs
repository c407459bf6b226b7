//! The one trait every coder backend implements, so the coder actor can try strategies in turn
//! without knowing how each produces its change.

use crate::{AttemptRequest, AttemptResult};
use std::path::Path;

/// Something that tries to make a change in a worktree for one task.
///
/// `attempt` is synchronous and may take minutes (an HTTP call, an external agent); the coder
/// actor calls it inside `spawn_blocking`. A backend never returns an error: whatever goes wrong
/// is a failed attempt with its reason, because a failure is data the cycle records and learns
/// from. It either leaves the worktree changed as `AttemptResult` says, or untouched.
pub trait Backend: Send + Sync {
    /// Short name for records and logs, e.g. `llm:anthropic` or `command`.
    fn name(&self) -> &str;

    /// Tries once to carry out the request in `worktree` (the root of a git worktree).
    fn attempt(&self, request: &AttemptRequest, worktree: &Path) -> AttemptResult;
}
