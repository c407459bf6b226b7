//! Learned estimators for tdev's planner: effort (regression of attempt duration), success
//! and risk (classification of gate passes) and per-strategy Beta posteriors for exploration.
//!
//! Empty until the learning issue: the models will be trained from features read out of the
//! knowledge graph, and must never depend on ractor or do IO beyond their model files.
