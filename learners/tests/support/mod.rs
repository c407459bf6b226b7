//! What the learners' tests share.

pub mod synthetic;
