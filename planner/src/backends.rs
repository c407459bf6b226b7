//! What can carry out strategies in a run: the backends a person allowed (`--backend`) and
//! the ones configured on this machine. The planner plans only what they can do and says what
//! it left out for want of a model, and how to enable it; the cycle attempts only what they
//! can start.

use crate::Compound;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use tdev_core::{Family, Strategy};

/// Which backends may change code, as `tdev evolve --backend` says.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BackendChoice {
    /// Tool fixers and codemods, and the model when an `[llm]` table configures one.
    #[default]
    Auto,
    /// Tool fixers and codemods only.
    Tools,
    /// The model for what needs one, as `Auto` does.
    Llm,
    /// The agent command of the `[command]` table in place of the model.
    Command,
}

impl BackendChoice {
    /// The spelling `--backend` and the configuration use (`auto`, `tools`, `llm`, `command`).
    pub fn as_str(self) -> &'static str {
        match self {
            BackendChoice::Auto => "auto",
            BackendChoice::Tools => "tools",
            BackendChoice::Llm => "llm",
            BackendChoice::Command => "command",
        }
    }
}

/// Why no model can take up work in a run: the reason and what would enable one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum NoModel {
    /// `--backend tools` leaves models out.
    ToolsOnly,
    /// No `[llm]` table in `tdev.toml`.
    NoLlm,
    /// `--backend command` without a `[command]` table in `tdev.toml`.
    NoCommand,
}

impl fmt::Display for NoModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NoModel::ToolsOnly => "`--backend tools` leaves models out",
            NoModel::NoLlm => "add an [llm] table to tdev.toml, see docs/backends.md",
            NoModel::NoCommand => "add a [command] table to tdev.toml, see docs/backends.md",
        })
    }
}

/// The backends a run can use: every tool fixer and codemod, and a model or an agent when one
/// is allowed and configured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Backends {
    /// The family model work goes to (`Model` or `Command`), or why there is none.
    model: Result<Family, NoModel>,
}

impl Default for Backends {
    /// Every backend, as if a model were configured: planning in the abstract.
    fn default() -> Self {
        Backends {
            model: Ok(Family::Model),
        }
    }
}

impl Backends {
    /// What a run with `choice` can use, given whether `[llm]` and `[command]` are configured.
    ///
    /// ```
    /// use tdev_planner::{BackendChoice, Backends, NoModel};
    ///
    /// let plain = Backends::new(BackendChoice::Auto, false, false);
    /// assert_eq!(plain.no_model(), Some(NoModel::NoLlm));
    /// assert!(Backends::new(BackendChoice::Auto, true, false).model_may_try());
    /// assert!(!Backends::new(BackendChoice::Tools, true, true).model_may_try());
    /// ```
    pub const fn new(
        choice: BackendChoice,
        llm_configured: bool,
        command_configured: bool,
    ) -> Self {
        let model = match choice {
            BackendChoice::Tools => Err(NoModel::ToolsOnly),
            BackendChoice::Command if command_configured => Ok(Family::Command),
            BackendChoice::Command => Err(NoModel::NoCommand),
            BackendChoice::Auto | BackendChoice::Llm if llm_configured => Ok(Family::Model),
            BackendChoice::Auto | BackendChoice::Llm => Err(NoModel::NoLlm),
        };
        Backends { model }
    }

    /// Whether a model or an agent may take up work in this run.
    pub fn model_may_try(&self) -> bool {
        self.model.is_ok()
    }

    /// Why no model may, when none may.
    pub fn no_model(&self) -> Option<NoModel> {
        self.model.err()
    }

    /// The strategy this run follows for `strategy`: itself for a tool or codemod, a model's
    /// request handed to the agent command under `--backend command` (`llm:refactor` becomes
    /// `command:refactor`); `None` when nothing here can carry it out.
    pub fn carry_out(&self, strategy: &Strategy) -> Option<Strategy> {
        if strategy.is_deterministic() {
            return Some(strategy.clone());
        }
        self.model.ok().map(|family| strategy.with_family(family))
    }
}

/// Work the planner left out because only a model could do it and none can run here.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedsModel {
    /// How many tasks it would have made, by the compound task they belong to.
    pub tasks: BTreeMap<Compound, usize>,
    /// Why no model can run, and what would enable one.
    pub because: NoModel,
}

impl NeedsModel {
    /// How many tasks in all.
    pub fn total(&self) -> usize {
        self.tasks.values().sum()
    }
}

impl fmt::Display for NeedsModel {
    /// `3 tasks need a model (docstrings, refactoring): add an [llm] table to tdev.toml, ...`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut work: Vec<&str> = Vec::new();
        for compound in self.tasks.keys() {
            if !work.contains(&compound.work()) {
                work.push(compound.work());
            }
        }
        let total = self.total();
        let (tasks, need) = if total == 1 {
            ("task", "needs")
        } else {
            ("tasks", "need")
        };
        write!(
            f,
            "{total} {tasks} {need} a model ({}): {}",
            work.join(", "),
            self.because
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Which family model work goes to for each choice, configuration and why there is none.
    #[test]
    #[rustfmt::skip]
    fn model_work_goes_where_the_choice_and_the_configuration_say() {
        let check = |choice, llm, command, expected: Result<Family, NoModel>| {
            let backends = Backends::new(choice, llm, command);
            assert_eq!(backends.model, expected, "{choice:?} llm={llm} command={command}");
            assert_eq!(backends.model_may_try(), expected.is_ok());
        };
        use BackendChoice::*;
        check(Auto, false, false, Err(NoModel::NoLlm));
        check(Auto, false, true, Err(NoModel::NoLlm));
        check(Auto, true, false, Ok(Family::Model));
        check(Llm, false, false, Err(NoModel::NoLlm));
        check(Llm, true, true, Ok(Family::Model));
        check(Tools, true, true, Err(NoModel::ToolsOnly));
        check(Command, true, false, Err(NoModel::NoCommand));
        check(Command, false, true, Ok(Family::Command));
    }

    /// The spelling of traces and logs is the configuration's.
    #[test]
    fn a_choice_is_spelled_as_the_configuration_spells_it() {
        use BackendChoice::*;
        for choice in [Auto, Tools, Llm, Command] {
            let json = serde_json::to_value(choice).unwrap();
            assert_eq!(json.as_str(), Some(choice.as_str()));
        }
    }

    #[test]
    #[rustfmt::skip]
    fn tools_always_run_and_model_work_only_with_a_model() {
        let check = |backends: Backends, strategy: &str, expected: Option<&str>| {
            let strategy: Strategy = strategy.parse().unwrap();
            let carried = backends.carry_out(&strategy).map(|s| s.to_string());
            assert_eq!(carried.as_deref(), expected, "{backends:?} {strategy}");
        };
        let none = Backends::new(BackendChoice::Auto, false, false);
        let llm = Backends::new(BackendChoice::Auto, true, false);
        let agent = Backends::new(BackendChoice::Command, false, true);
        for backends in [none, llm, agent] {
            check(backends, "ruff-fix:E7", Some("ruff-fix:E7"));
            check(backends, "codemod:yaml-safe-load", Some("codemod:yaml-safe-load"));
            check(backends, "ruff-unsafe-fix:E7", Some("ruff-unsafe-fix:E7"));
            check(backends, "clippy-fix:needless_return", Some("clippy-fix:needless_return"));
            check(backends, "format:rustfmt", Some("format:rustfmt"));
        }
        check(none, "llm:refactor", None);
        check(llm, "llm:refactor", Some("llm:refactor"));
        check(agent, "llm:refactor", Some("command:refactor"));
        check(agent, "command:refactor", Some("command:refactor"));
    }

    #[test]
    fn what_was_left_out_for_want_of_a_model_is_said_with_how_to_enable_it() {
        let check = |tasks: &[(Compound, usize)], because, expected: &str| {
            let needs = NeedsModel {
                tasks: tasks.iter().copied().collect(),
                because,
            };
            assert_eq!(needs.to_string(), expected);
        };
        check(
            &[(Compound::Refactor, 2), (Compound::Document, 1)],
            NoModel::NoLlm,
            "3 tasks need a model (refactoring, docstrings): add an [llm] table to tdev.toml, \
             see docs/backends.md",
        );
        check(
            &[(Compound::Protect, 1)],
            NoModel::ToolsOnly,
            "1 task needs a model (tests): `--backend tools` leaves models out",
        );
        check(
            &[(Compound::Protect, 1), (Compound::Cover, 2)],
            NoModel::NoCommand,
            "3 tasks need a model (tests): add a [command] table to tdev.toml, see \
             docs/backends.md",
        );
    }
}
