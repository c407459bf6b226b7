//! Fault injection for the supervision tests: a switch that makes one actor panic in the
//! middle of its next message, as a bug would. The check costs one atomic load per message;
//! only tests (through [`crate::Tree::inject_panic`]) ever set it.

use crate::ActorKind;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

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
