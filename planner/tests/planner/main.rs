//! The planner as its callers see it: plans from findings, the task graph's analyses, the
//! renderers, and the limits every plan keeps.

mod goals;
mod graph;
mod plans;
mod properties;
mod snapshots;
mod support;
