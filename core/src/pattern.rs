//! A learned pattern: in this situation, this strategy worked this often.
//!
//! Patterns are what the planner, the LLM prompt and `tdev ask` retrieve by similarity; the
//! pattern index stores one per (situation, strategy, language).

use crate::Language;
use serde::{Deserialize, Serialize};

/// One (situation, strategy) pair with its track record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pattern {
    /// The situation in words: the finding kind, message and code context.
    pub situation: String,
    /// The strategy applied, e.g. `codemod:safe-load`.
    pub strategy: String,
    /// Language of the code.
    pub language: Language,
    /// How often the strategy passed the gate in this situation.
    pub successes: u64,
    /// How often it failed.
    pub failures: u64,
    /// An example change (a unified diff), the most recent successful one if any.
    #[serde(default)]
    pub example_change: String,
}

/// The outcome of one more use of a pattern, to be added to its counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatternOutcome {
    /// The gate passed.
    Success,
    /// The gate failed.
    Failure,
}

impl Pattern {
    /// Share of uses that passed; 0 when never used.
    pub fn success_rate(&self) -> f64 {
        let total = self.successes + self.failures;
        if total == 0 {
            0.0
        } else {
            self.successes as f64 / total as f64
        }
    }
}
