//! Fault injection for the supervision and crash tests: a switch that makes one actor panic in
//! the middle of its next message, as a bug would (the check costs one atomic load per
//! message; only tests, through [`crate::Tree::inject_panic`], set it); and halt points, where
//! a process started with `TDEV_HALT_IN=<actor>` stops for good (after touching the file
//! `TDEV_HALT_SIGNAL` names) so that a test can kill it with SIGKILL in that very phase:
//! research scanning, the planner planning, the coder inside a fresh worktree, the evaluator
//! about to test a change, the curator about to write a cycle.

use crate::ActorKind;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, OnceLock};

/// Shared by the tree and its actors; `NONE` or the `ActorKind` index to panic in.
#[derive(Clone, Debug, Default)]
pub(crate) struct Faults(Arc<AtomicU8>);

const NONE: u8 = u8::MAX;

impl Faults {
    pub(crate) fn new() -> Self {
        Faults(Arc::new(AtomicU8::new(NONE)))
    }

    /// Arms a panic in `actor`'s next message.
    pub(crate) fn arm(&self, actor: ActorKind) {
        self.0.store(index(actor), Ordering::SeqCst);
    }

    /// Panics if a panic is armed for `actor`, disarming it first (so the restarted actor
    /// works).
    pub(crate) fn check(&self, actor: ActorKind) {
        let armed = self
            .0
            .compare_exchange(index(actor), NONE, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok();
        assert!(!armed, "injected panic in the {} actor", actor.name());
    }
}

fn index(actor: ActorKind) -> u8 {
    ActorKind::ALL
        .iter()
        .position(|a| *a == actor)
        .and_then(|i| u8::try_from(i).ok())
        .unwrap_or(NONE)
}

/// The variable naming the actor to halt in (`research`, `planner`, `coder`, `evaluator`,
/// `curator`).
pub const HALT_IN: &str = "TDEV_HALT_IN";
/// The variable naming the file touched when the halt point is reached.
pub const HALT_SIGNAL: &str = "TDEV_HALT_SIGNAL";

/// Stops this thread for good when the process was started to halt in `actor`: the crash
/// tests' way to be sure a kill lands in a given phase. Reads the environment once.
pub(crate) fn halt_point(actor: ActorKind) {
    static HALT: OnceLock<Option<(String, Option<std::path::PathBuf>)>> = OnceLock::new();
    let halt = HALT.get_or_init(|| {
        let actor = std::env::var(HALT_IN).ok().filter(|a| !a.is_empty())?;
        Some((actor, std::env::var_os(HALT_SIGNAL).map(Into::into)))
    });
    let Some((name, signal)) = halt else { return };
    if name != actor.name() {
        return;
    }
    if let Some(signal) = signal {
        let _ = std::fs::write(signal, actor.name());
    }
    tracing::warn!(
        "halted in the {} actor ({HALT_IN}), waiting to be killed",
        actor.name()
    );
    loop {
        std::thread::park();
    }
}
