//! The goal of a cycle, parsed from a person's words, which decides what the plan works on.

use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What a cycle sets out to do. Each goal decomposes into its own compound tasks.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Goal {
    /// Everything research found, most valuable first (the default).
    #[default]
    Overall,
    /// Reduce the complexity of the hotspots, tidying and protecting them with tests first.
    Hotspots,
    /// Fix security findings.
    Security,
    /// Add tests where coverage is low.
    Coverage,
    /// Fix lint findings.
    Lint,
    /// Document what lacks documentation.
    Documentation,
}

impl Goal {
    /// Every goal, in the order they are listed to people.
    pub const ALL: [Goal; 6] = [
        Goal::Overall,
        Goal::Hotspots,
        Goal::Security,
        Goal::Coverage,
        Goal::Lint,
        Goal::Documentation,
    ];

    /// The goal in words, as recorded in a cycle record.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Overall => "improve overall quality",
            Self::Hotspots => "raise quality of the hotspots",
            Self::Security => "fix security findings",
            Self::Coverage => "lift coverage",
            Self::Lint => "fix lint findings",
            Self::Documentation => "improve documentation",
        }
    }

    /// Word stems that name the goal; a word of the user's that starts with one names it.
    fn stems(self) -> &'static [&'static str] {
        match self {
            // Matched as whole words, and only when no other goal is named: "raise quality of
            // the hotspots" is about hotspots even though it says "quality".
            Self::Overall => &[
                "overall",
                "all",
                "everything",
                "general",
                "quality",
                "improve",
            ],
            Self::Hotspots => &["hotspot", "complex", "refactor", "maintainab", "churn"],
            Self::Security => &["secur", "vulnerab", "bandit"],
            Self::Coverage => &["cover", "test"],
            Self::Lint => &["lint", "ruff", "clippy", "style", "warning"],
            Self::Documentation => &["doc"],
        }
    }

    /// The known goals, quoted and comma-separated, for error messages.
    pub(crate) fn known() -> String {
        Self::ALL
            .iter()
            .map(|g| format!("{:?}", g.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Reads a goal from a person's words: the goal's own words, or words naming it, such as
    /// "security", "fix the lint warnings" or "more tests".
    pub fn parse(words: &str) -> Result<Goal> {
        let lower = words.to_lowercase();
        let tokens: Vec<&str> = lower
            .split(|c: char| !c.is_alphanumeric())
            .filter(|t| !t.is_empty())
            .collect();
        let named = |goal: Goal, whole_words: bool| {
            tokens.iter().any(|t| {
                goal.stems().iter().any(|s| {
                    if whole_words {
                        t == s
                    } else {
                        t.starts_with(s)
                    }
                })
            })
        };
        let specific: Vec<Goal> = Self::ALL[1..]
            .iter()
            .copied()
            .filter(|&g| named(g, false))
            .collect();
        match specific.as_slice() {
            [goal] => Ok(*goal),
            [] if named(Goal::Overall, true) => Ok(Goal::Overall),
            [] => Err(Error::UnknownGoal {
                given: words.to_owned(),
            }),
            _ => Err(Error::AmbiguousGoal {
                given: words.to_owned(),
                matches: specific,
            }),
        }
    }
}

impl fmt::Display for Goal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Goal {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Goal::parse(s)
    }
}
