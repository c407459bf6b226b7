//! A strategy: how a task's change is made, by which kind of backend and with which rule,
//! codemod or request. The planner chooses one per task, the coder runs the backend it names,
//! the record and the graph keep it, and the knowledge read back from the graph is about it.
//!
//! Strategies are written `family:name` (`ruff-fix:E7`, `codemod:yaml-safe-load`,
//! `llm:refactor`), the form every recorded cycle and pattern holds; [`Strategy`] parses and
//! prints exactly that form, so a graph written by an earlier tdev reads the same.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Who carries a strategy out, and so how far its change can be trusted.
///
/// The order of the variants is no ranking; [`Family::tier`] gives the order in which a task
/// escalates from one strategy to the next.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Family {
    /// ruff's safe fixes for a rule family: `ruff-fix:<rules>` (`ruff-fix:E7`).
    ToolFix,
    /// clippy's machine-applicable suggestions for one lint: `clippy-fix:<lint>`. A family of
    /// its own because another backend runs it (in the sandbox, since cargo builds) and, with
    /// no unsafe variant, it escalates straight to a model.
    ClippyFix,
    /// The formatter the repository already uses: `format:<formatter>` (`format:rustfmt`).
    Formatter,
    /// A built-in codemod: `codemod:<id>` (`codemod:none-comparison`).
    Codemod,
    /// ruff's fixes that may change behaviour: `ruff-unsafe-fix:<rules>`.
    UnsafeToolFix,
    /// A model over HTTP, the `[llm]` backend: `llm:<what>` (`llm:refactor`).
    Model,
    /// An external coding agent, the `[command]` backend: `command:<what>`.
    Command,
}

/// How much judgement a strategy brings, in the order a task escalates: a safe tool fix
/// first, then a codemod, then an unsafe tool fix, then a model (or an agent).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tier {
    /// A tool's fixes that keep the code's meaning, and the repository's formatter.
    SafeToolFix,
    /// A built-in rewrite that declines whatever could change behaviour.
    Codemod,
    /// A tool's fixes that may change behaviour.
    UnsafeToolFix,
    /// A model or an agent: judgement, and a different answer each time.
    Model,
}

impl Family {
    /// Every family, in the order of their prefixes in messages.
    pub const ALL: [Family; 7] = [
        Family::ToolFix,
        Family::UnsafeToolFix,
        Family::ClippyFix,
        Family::Formatter,
        Family::Codemod,
        Family::Model,
        Family::Command,
    ];

    /// The prefix strategies of this family are written with.
    pub fn prefix(self) -> &'static str {
        match self {
            Family::ToolFix => "ruff-fix",
            Family::UnsafeToolFix => "ruff-unsafe-fix",
            Family::ClippyFix => "clippy-fix",
            Family::Formatter => "format",
            Family::Codemod => "codemod",
            Family::Model => "llm",
            Family::Command => "command",
        }
    }

    /// Where the family stands in the escalation order.
    pub fn tier(self) -> Tier {
        match self {
            Family::ToolFix | Family::ClippyFix | Family::Formatter => Tier::SafeToolFix,
            Family::Codemod => Tier::Codemod,
            Family::UnsafeToolFix => Tier::UnsafeToolFix,
            Family::Model | Family::Command => Tier::Model,
        }
    }

    /// Whether a strategy of this family makes the same change whenever it is given the same
    /// code: tools and codemods do, a model or an agent does not.
    pub fn is_deterministic(self) -> bool {
        self.tier() != Tier::Model
    }

    fn from_prefix(prefix: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|f| f.prefix() == prefix)
    }
}

/// How a task's change is made: a [`Family`] and the rule, codemod, formatter or request
/// within it. Written and parsed as `family:name`, or the family's prefix alone when the name
/// is empty (`clippy-fix`).
///
/// ```
/// use tdev_core::{Family, Strategy, Tier};
///
/// let safe: Strategy = "ruff-fix:E7".parse()?;
/// assert_eq!((safe.family(), safe.name()), (Family::ToolFix, "E7"));
/// assert_eq!(safe.to_string(), "ruff-fix:E7");
/// let model = Strategy::new(Family::Model, "refactor");
/// assert!(safe.is_deterministic() && !model.is_deterministic());
/// assert!(safe.tier() < model.tier() && model.tier() == Tier::Model);
/// assert!("ruff:E7".parse::<Strategy>().is_err());
/// # Ok::<(), tdev_core::StrategyError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Strategy {
    family: Family,
    name: String,
}

impl Strategy {
    /// The strategy `name` of `family`. The name is what follows the colon; it should hold no
    /// white space (the parser refuses it).
    pub fn new(family: Family, name: impl Into<String>) -> Strategy {
        Strategy {
            family,
            name: name.into(),
        }
    }

    /// Its family.
    pub fn family(&self) -> Family {
        self.family
    }

    /// The rule family, lint, formatter, codemod id or request after the colon (empty when
    /// there is none).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The same name in another family: `ruff-fix:E7` to `ruff-unsafe-fix:E7`, or a model's
    /// request handed to an agent command (`llm:refactor` to `command:refactor`).
    pub fn with_family(&self, family: Family) -> Strategy {
        Strategy::new(family, self.name.clone())
    }

    /// Where it stands in the escalation order.
    pub fn tier(&self) -> Tier {
        self.family.tier()
    }

    /// Whether it makes the same change whenever it is given the same code (see
    /// [`Family::is_deterministic`]).
    pub fn is_deterministic(&self) -> bool {
        self.family.is_deterministic()
    }

    /// Whether a model or an agent carries it out.
    pub fn needs_model(&self) -> bool {
        !self.is_deterministic()
    }
}

/// Strategies sort as their text does, so that plans ordered by strategy stay as they were
/// when strategies were strings.
impl Ord for Strategy {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.family.prefix(), &self.name).cmp(&(other.family.prefix(), &other.name))
    }
}

impl PartialOrd for Strategy {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.family.prefix())?;
        if !self.name.is_empty() {
            write!(f, ":{}", self.name)?;
        }
        Ok(())
    }
}

/// Why a text is not a strategy.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StrategyError {
    /// The part before the colon names no family.
    #[error(
        "`{strategy}` is not a strategy: `{prefix}` names no family of strategies (they are {})",
        families()
    )]
    UnknownFamily {
        /// The whole text.
        strategy: String,
        /// The part before the colon.
        prefix: String,
    },
    /// A colon with nothing after it, or white space in the name.
    #[error(
        "`{strategy}` is not a strategy: the name after the colon must be non-empty, without white space"
    )]
    BadName {
        /// The whole text.
        strategy: String,
    },
}

fn families() -> String {
    let prefixes: Vec<&str> = Family::ALL.iter().map(|f| f.prefix()).collect();
    prefixes.join(", ")
}

impl FromStr for Strategy {
    type Err = StrategyError;

    fn from_str(text: &str) -> Result<Strategy, StrategyError> {
        let (prefix, name) = match text.split_once(':') {
            Some((prefix, name)) => (prefix, Some(name)),
            None => (text, None),
        };
        let family = Family::from_prefix(prefix).ok_or_else(|| StrategyError::UnknownFamily {
            strategy: text.to_owned(),
            prefix: prefix.to_owned(),
        })?;
        let name = name.unwrap_or_default();
        let bad = name.chars().any(char::is_whitespace) || (name.is_empty() && text.ends_with(':'));
        if bad {
            return Err(StrategyError::BadName {
                strategy: text.to_owned(),
            });
        }
        Ok(Strategy::new(family, name))
    }
}

impl Serialize for Strategy {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Strategy {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Strategy, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every form tdev's planner and coder produce today, and every form the examples, the
    /// synthetic records and the knowledge tests hold: each parses into `family` and prints
    /// back exactly as it was written, so graphs recorded before read the same.
    #[test]
    #[rustfmt::skip]
    fn every_strategy_written_today_round_trips() {
        let check = |text: &str, family: Family, name: &str| {
            let strategy: Strategy = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!((strategy.family(), strategy.name()), (family, name), "{text}");
            assert_eq!(strategy.to_string(), text);
            let json = serde_json::to_string(&strategy).unwrap();
            assert_eq!(json, format!("\"{text}\""));
            assert_eq!(serde_json::from_str::<Strategy>(&json).unwrap(), strategy);
        };
        // The planner's methods (planner/src/htn.rs) and the coder's escalation.
        check("ruff-fix:E7", Family::ToolFix, "E7");
        check("ruff-fix:UP0", Family::ToolFix, "UP0");
        check("ruff-fix:SIM1", Family::ToolFix, "SIM1");
        check("ruff-unsafe-fix:E7", Family::UnsafeToolFix, "E7");
        check("clippy-fix:needless_return", Family::ClippyFix, "needless_return");
        check("format:rustfmt", Family::Formatter, "rustfmt");
        check("format:ruff-format", Family::Formatter, "ruff-format");
        check("codemod:yaml-safe-load", Family::Codemod, "yaml-safe-load");
        check("codemod:none-comparison", Family::Codemod, "none-comparison");
        check("codemod:mutable-default", Family::Codemod, "mutable-default");
        check("codemod:negated-comparison", Family::Codemod, "negated-comparison");
        for what in ["fix", "fix-lint", "fix-security", "refactor", "add-tests", "docstrings"] {
            check(&format!("llm:{what}"), Family::Model, what);
            check(&format!("command:{what}"), Family::Command, what);
        }
        // Several rules at once, as the ruff backend accepts them.
        check("ruff-fix:E7,F4", Family::ToolFix, "E7,F4");
        // datasets/examples/{cycles,patterns}.json, tests/support/synthetic.rs and the
        // knowledge and coder tests.
        check("ruff-fix:E711", Family::ToolFix, "E711");
        check("ruff-fix:F401", Family::ToolFix, "F401");
        check("ruff-unsafe-fix:B006", Family::UnsafeToolFix, "B006");
        check("codemod:safe-load", Family::Codemod, "safe-load");
        check("codemod:is-none", Family::Codemod, "is-none");
        check("clippy-fix", Family::ClippyFix, "");
        check("llm:anthropic", Family::Model, "anthropic");
        check("llm:openai", Family::Model, "openai");
        check("llm", Family::Model, "");
        check("command:agent", Family::Command, "agent");
    }

    #[test]
    fn datasets_examples_hold_only_strategies_that_parse() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../datasets/examples");
        let mut seen = 0;
        for file in ["cycles.json", "patterns.json"] {
            let text = std::fs::read_to_string(format!("{root}/{file}")).unwrap();
            let json: serde_json::Value = serde_json::from_str(&text).unwrap();
            let mut stack = vec![&json];
            while let Some(value) = stack.pop() {
                match value {
                    serde_json::Value::Object(map) => {
                        if let Some(serde_json::Value::String(s)) = map.get("strategy") {
                            let strategy: Strategy = s.parse().unwrap();
                            assert_eq!(&strategy.to_string(), s);
                            seen += 1;
                        }
                        stack.extend(map.values());
                    }
                    serde_json::Value::Array(items) => stack.extend(items),
                    _ => {}
                }
            }
        }
        assert!(seen >= 10, "only {seen} strategies in datasets/examples");
    }

    #[test]
    #[rustfmt::skip]
    fn what_is_not_a_strategy_says_why() {
        let check = |text: &str, expected: &str| {
            let error = text.parse::<Strategy>().unwrap_err().to_string();
            assert_eq!(error, expected, "{text}");
        };
        check("ruff:E711", "`ruff:E711` is not a strategy: `ruff` names no family of strategies (they are ruff-fix, ruff-unsafe-fix, clippy-fix, format, codemod, llm, command)");
        check("ruff-fix-unsafe:B006", "`ruff-fix-unsafe:B006` is not a strategy: `ruff-fix-unsafe` names no family of strategies (they are ruff-fix, ruff-unsafe-fix, clippy-fix, format, codemod, llm, command)");
        check("", "`` is not a strategy: `` names no family of strategies (they are ruff-fix, ruff-unsafe-fix, clippy-fix, format, codemod, llm, command)");
        check("codemod:", "`codemod:` is not a strategy: the name after the colon must be non-empty, without white space");
        check("llm:fix it", "`llm:fix it` is not a strategy: the name after the colon must be non-empty, without white space");
    }

    #[test]
    fn strategies_sort_as_their_text() {
        let texts = [
            "clippy-fix",
            "clippy-fix:a",
            "codemod:none-comparison",
            "codemod:yaml-safe-load",
            "format:rustfmt",
            "llm:docstrings",
            "llm:refactor",
            "ruff-fix:E7",
            "ruff-fix:F4",
            "ruff-unsafe-fix:E7",
        ];
        let mut strategies: Vec<Strategy> =
            texts.iter().rev().map(|t| t.parse().unwrap()).collect();
        strategies.sort();
        let sorted: Vec<String> = strategies.iter().map(ToString::to_string).collect();
        assert_eq!(sorted, texts);
    }

    #[test]
    fn tasks_escalate_from_safe_tool_fixes_to_models() {
        let tier = |text: &str| text.parse::<Strategy>().unwrap().tier();
        let order = [
            "ruff-fix:E7",
            "codemod:none-comparison",
            "ruff-unsafe-fix:E7",
            "llm:fix",
        ];
        assert!(
            order.windows(2).all(|w| tier(w[0]) < tier(w[1])),
            "{order:?}"
        );
        assert_eq!(tier("clippy-fix:x"), tier("format:rustfmt"));
        assert_eq!(tier("command:fix"), tier("llm:fix"));
        let deterministic: Vec<bool> = Family::ALL.iter().map(|f| f.is_deterministic()).collect();
        assert_eq!(deterministic, [true, true, true, true, true, false, false]);
    }
}
