//! Python targets.
