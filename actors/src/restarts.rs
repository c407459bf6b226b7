//! What the root and the coder pool share as supervisors: which supervision events are a
//! child's failure, and the bound on restarts that tells a transient fault from a crash loop.

use ractor::{ActorCell, SupervisionEvent};
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// More restarts than this within [`RESTART_WINDOW`] mean the fault is not transient: the
/// supervisor stops rather than crash-looping.
pub(crate) const MAX_RESTARTS: usize = 5;
pub(crate) const RESTART_WINDOW: Duration = Duration::from_secs(60);

/// The child that failed and why, if `event` is a failure. A child only stops by itself when
/// it could not go on (its `pre_start` failed on a restart, say), so that is a failure too.
pub(crate) fn failure(event: SupervisionEvent) -> Option<(ActorCell, String)> {
    match event {
        SupervisionEvent::ActorFailed(cell, error) => Some((cell, error.to_string())),
        SupervisionEvent::ActorTerminated(cell, _, reason) => {
            Some((cell, reason.unwrap_or_else(|| "stopped".to_owned())))
        }
        _ => None,
    }
}

/// Restarts within the last [`RESTART_WINDOW`].
#[derive(Debug, Default)]
pub(crate) struct Restarts(VecDeque<Instant>);

impl Restarts {
    /// Counts a restart now: how many fell within the window, as an error when that is more
    /// than [`MAX_RESTARTS`].
    pub(crate) fn count(&mut self) -> Result<usize, usize> {
        let now = Instant::now();
        self.0.push_back(now);
        while self
            .0
            .front()
            .is_some_and(|t| now.duration_since(*t) > RESTART_WINDOW)
        {
            self.0.pop_front();
        }
        match self.0.len() {
            n if n > MAX_RESTARTS => Err(n),
            n => Ok(n),
        }
    }
}
