//! tdev's supervisor tree (ractor): scheduler, research, planner, coder pool, evaluator and
//! curator actors, with explicit restart policies.
//!
//! Empty until the evolution-cycle issue. Only this crate and the binary will know ractor; the
//! curator actor will be the sole writer of `tdev_knowledge::KnowledgeBase`.
