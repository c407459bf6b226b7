//! The HTN domain: how a goal decomposes into compound tasks, and how the methods of a
//! compound task turn findings into primitive tasks, grouped so that one task does one kind of
//! work on one file or one directory.
//!
//! A goal names compound tasks ([`Goal`] → [`Compound`]). A compound task takes the findings
//! in its scope, and for each one the first of its methods whose precondition holds says which
//! primitive action fixes it (a kind of work and a strategy). Findings given the same action on
//! the same file (or, for tool fixes, the same directory) become one primitive task, which the
//! planner then estimates and splits.

use crate::{Backends, Goal};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use tdev_core::{Family, Finding, Fixability, Strategy};
use tdev_targets::python::codemod;

/// Below this line coverage (a fraction) a file gets tests before it is refactored; the same
/// bar as the default gate on changed lines.
pub const LOW_COVERAGE: f64 = 0.8;

/// What a finding is about, read from its kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Concern {
    /// `bandit:*`, and ruff's port of bandit (`S` rules such as `ruff:S506`).
    Security,
    /// Other `ruff:*` rules, `clippy:*` lints and `format:*` (a file the repository's
    /// formatter would change).
    Lint,
    /// `complexity`, `hotspot`, `maintainability` (what `tdev scan` reports).
    Complexity,
    /// `coverage`.
    Coverage,
    /// `docstring` (Python), `missing-docs` (Rust), and pydocstyle's rules in ruff (`D` rules
    /// such as `ruff:D103`).
    Documentation,
    /// Anything else.
    Other,
}

impl Concern {
    /// Classifies a finding kind.
    pub fn of(kind: &str) -> Concern {
        // The linter a ruff rule comes from is named by its letters: `S` is bandit, `D`
        // pydocstyle (while `SIM`, `DTZ` and the like are ordinary lint).
        let linter = ruff_rule(kind).map(|r| r.trim_end_matches(|c: char| c.is_ascii_digit()));
        if kind.starts_with("bandit:") || linter == Some("S") {
            Concern::Security
        } else if linter == Some("D") || matches!(kind, "docstring" | "missing-docs") {
            Concern::Documentation
        } else if ruff_rule(kind).is_some()
            || clippy_lint(kind).is_some()
            || formatter(kind).is_some()
        {
            Concern::Lint
        } else if matches!(kind, "complexity" | "hotspot" | "maintainability") {
            Concern::Complexity
        } else if kind == "coverage" {
            Concern::Coverage
        } else {
            Concern::Other
        }
    }
}

/// The rule code of a ruff finding (`ruff:E711` → `E711`).
fn ruff_rule(kind: &str) -> Option<&str> {
    kind.strip_prefix("ruff:").filter(|r| !r.is_empty())
}

/// The lint name of a clippy finding (`clippy::needless_return` or `clippy:needless_return`).
fn clippy_lint(kind: &str) -> Option<&str> {
    kind.strip_prefix("clippy:")
        .map(|l| l.trim_start_matches(':'))
        .filter(|l| !l.is_empty())
}

/// The formatter of a formatting finding (`format:rustfmt` → `rustfmt`).
fn formatter(kind: &str) -> Option<&str> {
    kind.strip_prefix("format:").filter(|f| !f.is_empty())
}

/// A ruff rule's family: its letters and first digit (`E711` → `E7`, `UP035` → `UP0`), the
/// grain at which ruff's `--select` groups related rules.
pub fn rule_family(rule: &str) -> &str {
    let letters = rule.bytes().take_while(u8::is_ascii_alphabetic).count();
    let end = (letters + 1).min(rule.len());
    rule.get(..end).unwrap_or(rule)
}

/// A compound task: work a goal is made of, decomposed further by its methods.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Compound {
    /// Fix security findings.
    Secure,
    /// Apply the safe tool fixes on the hotspot files before they are refactored.
    Tidy,
    /// Fix lint findings.
    FixLint,
    /// Add tests to hotspot files whose coverage is low, before they are refactored.
    Protect,
    /// Add tests where coverage is low.
    Cover,
    /// Reduce the complexity of hotspots.
    Refactor,
    /// Write missing documentation.
    Document,
    /// Fix findings of other kinds.
    FixOther,
}

impl Compound {
    /// The compound tasks a goal decomposes into, in the order they are worth doing.
    pub fn of_goal(goal: Goal) -> &'static [Compound] {
        use Compound::*;
        match goal {
            Goal::Overall => &[Secure, FixLint, Cover, Refactor, Document, FixOther],
            Goal::Hotspots => &[Tidy, Protect, Refactor],
            Goal::Security => &[Secure],
            Goal::Coverage => &[Cover],
            Goal::Lint => &[FixLint],
            Goal::Documentation => &[Document],
        }
    }

    /// A short name for people.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Secure => "secure",
            Self::Tidy => "tidy",
            Self::FixLint => "fix-lint",
            Self::Protect => "protect",
            Self::Cover => "cover",
            Self::Refactor => "refactor",
            Self::Document => "document",
            Self::FixOther => "fix-other",
        }
    }

    /// The work its tasks do, as a noun for people ("refactoring", "docstrings").
    pub fn work(self) -> &'static str {
        match self {
            Self::Secure => "security fixes",
            Self::Tidy | Self::FixLint => "lint fixes",
            Self::Protect | Self::Cover => "tests",
            Self::Refactor => "refactoring",
            Self::Document => "docstrings",
            Self::FixOther => "other fixes",
        }
    }

    /// The kind of the primitive tasks it produces (`Task::kind`).
    pub fn task_kind(self) -> &'static str {
        match self {
            Self::Secure => "fix-security",
            Self::Tidy | Self::FixLint => "fix-lint",
            Self::Protect | Self::Cover => "add-tests",
            Self::Refactor => "reduce-complexity",
            Self::Document => "add-docstrings",
            Self::FixOther => "fix-finding",
        }
    }

    /// Whether the finding is in the compound task's scope.
    fn takes(self, finding: &Finding, situation: &Situation) -> bool {
        let concern = Concern::of(&finding.kind);
        let hotspot = situation.hotspot_files.contains(&finding.path);
        match self {
            Self::Secure => concern == Concern::Security,
            Self::Tidy => {
                concern == Concern::Lint && hotspot && finding.fix == Some(Fixability::Safe)
            }
            Self::FixLint => concern == Concern::Lint,
            Self::Protect => concern == Concern::Coverage && hotspot,
            Self::Cover => concern == Concern::Coverage,
            Self::Refactor => concern == Concern::Complexity,
            Self::Document => concern == Concern::Documentation,
            Self::FixOther => concern == Concern::Other,
        }
    }

    /// The methods tried, in order, on each finding in scope.
    fn methods(self) -> &'static [Method] {
        match self {
            Self::Secure => &[SAFE_TOOL_FIX, CODEMOD, UNSAFE_TOOL_FIX, LLM_FIX_SECURITY],
            Self::Tidy => &[SAFE_TOOL_FIX],
            Self::FixLint => &[SAFE_TOOL_FIX, CODEMOD, UNSAFE_TOOL_FIX, LLM_FIX_LINT],
            Self::Protect | Self::Cover => &[ADD_TESTS],
            Self::Refactor => &[REFACTOR],
            Self::Document => &[SAFE_TOOL_FIX, DOCSTRINGS],
            Self::FixOther => &[SAFE_TOOL_FIX, CODEMOD, LLM_FIX],
        }
    }
}

/// Facts about the whole set of findings that methods and dependencies depend on.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Situation {
    /// Files with a complexity or hotspot finding.
    pub hotspot_files: BTreeSet<String>,
    /// Files with a finding measuring coverage below [`LOW_COVERAGE`], or a coverage finding
    /// without a measurement.
    pub low_coverage_files: BTreeSet<String>,
}

impl Situation {
    /// Reads the situation out of the findings.
    pub fn of(findings: &[Finding]) -> Situation {
        let mut situation = Situation::default();
        for f in findings {
            let concern = Concern::of(&f.kind);
            if concern == Concern::Complexity {
                situation.hotspot_files.insert(f.path.clone());
            }
            // Coverage may be given as a fraction or a percentage; a coverage finding that
            // does not say how much is covered counts as low.
            let low = match f.metrics.get("coverage") {
                Some(&c) => (if c > 1.0 { c / 100.0 } else { c }) < LOW_COVERAGE,
                None => concern == Concern::Coverage,
            };
            if low {
                situation.low_coverage_files.insert(f.path.clone());
            }
        }
        situation
    }
}

/// How widely a primitive action's findings are grouped into one task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Grouping {
    /// Tool fixes and codemods: one run covers a whole directory cheaply and reads as one
    /// change to review.
    Directory,
    /// Everything else: one file per task keeps a change reviewable.
    File,
}

/// The primitive action a method chooses for a finding; what it does, in words, follows from
/// its strategy (`title::strategy_action`).
struct Action {
    strategy: Strategy,
    grouping: Grouping,
}

/// A method of a compound task: a precondition on a finding and the action it then chooses.
struct Method {
    applies: fn(&Finding) -> bool,
    action: fn(&Finding) -> Action,
}

/// A tool fixes it without changing the code's meaning: ruff's safe fixes (by rule family),
/// clippy's machine-applicable suggestions.
const SAFE_TOOL_FIX: Method = Method {
    applies: |f| {
        f.fix == Some(Fixability::Safe)
            && (ruff_rule(&f.kind).is_some()
                || clippy_lint(&f.kind).is_some()
                || formatter(&f.kind).is_some())
    },
    action: |f| match (ruff_rule(&f.kind), clippy_lint(&f.kind), formatter(&f.kind)) {
        (Some(rule), _, _) => Action {
            strategy: Strategy::new(Family::ToolFix, rule_family(rule)),
            grouping: Grouping::Directory,
        },
        (None, Some(lint), _) => Action {
            strategy: Strategy::new(Family::ClippyFix, lint),
            grouping: Grouping::Directory,
        },
        (None, None, tool) => Action {
            strategy: Strategy::new(Family::Formatter, tool.unwrap_or_default()),
            grouping: Grouping::Directory,
        },
    },
};

/// The built-in codemod that fixes findings of `kind`, as the codemods themselves declare
/// (`Codemod::kinds`).
fn codemod_for(kind: &str) -> Option<Box<dyn codemod::Codemod>> {
    codemod::for_kind(kind).into_iter().next()
}

/// A built-in codemod fixes it.
const CODEMOD: Method = Method {
    applies: |f| codemod_for(&f.kind).is_some(),
    action: |f| {
        let id = codemod_for(&f.kind).map_or("", |c| c.id());
        Action {
            strategy: Strategy::new(Family::Codemod, id),
            grouping: Grouping::Directory,
        }
    },
};

/// Ruff has a fix that may change behaviour: a separate, riskier strategy per rule family.
const UNSAFE_TOOL_FIX: Method = Method {
    applies: |f| f.fix == Some(Fixability::Unsafe) && ruff_rule(&f.kind).is_some(),
    action: |f| {
        let family = rule_family(ruff_rule(&f.kind).unwrap_or_default());
        Action {
            strategy: Strategy::new(Family::UnsafeToolFix, family),
            grouping: Grouping::Directory,
        }
    },
};

/// Builds a method that always applies and hands the file to a model (`llm:<request>`).
macro_rules! llm_method {
    ($request:literal) => {
        Method {
            applies: |_| true,
            action: |_| Action {
                strategy: Strategy::new(Family::Model, $request),
                grouping: Grouping::File,
            },
        }
    };
}

const LLM_FIX_SECURITY: Method = llm_method!("fix-security");
const LLM_FIX_LINT: Method = llm_method!("fix-lint");
const LLM_FIX: Method = llm_method!("fix");
const REFACTOR: Method = llm_method!("refactor");
const ADD_TESTS: Method = llm_method!("add-tests");
const DOCSTRINGS: Method = llm_method!("docstrings");

/// A primitive task before it has an id: its findings, files and what it does.
#[derive(Clone, Debug)]
pub(crate) struct Draft<'a> {
    pub compound: Compound,
    pub strategy: Strategy,
    pub findings: Vec<&'a Finding>,
    pub files: BTreeSet<String>,
    /// `(i, n)` when a task too large for one attempt is done in `n` stages.
    pub stage: Option<(u32, u32)>,
    /// For a stage, a number shared by the stages of the same work (0 otherwise).
    pub origin: usize,
}

impl Draft<'_> {
    /// The task's kind.
    pub fn kind(&self) -> &'static str {
        self.compound.task_kind()
    }

    /// The highest priority among its findings.
    pub fn priority(&self) -> f64 {
        self.findings.iter().map(|f| f.priority).fold(0.0, f64::max)
    }

    /// Sum of the complexity its findings measure. A file-level hotspot repeats the complexity
    /// of the functions reported on their own, so it counts only when no function does.
    pub fn total_complexity(&self) -> f64 {
        let complexity = |f: &&Finding| f.metrics.get("complexity").copied().unwrap_or(0.0);
        let functions: f64 = self
            .findings
            .iter()
            .filter(|f| f.kind != "hotspot")
            .map(complexity)
            .sum();
        if functions > 0.0 {
            functions
        } else {
            self.findings.iter().map(complexity).sum()
        }
    }

    /// One line for a person: what, where, and how many findings (`title::title`).
    pub fn title(&self) -> String {
        crate::title::title(&self.strategy, &self.findings, self.stage)
    }
}

/// The directory of a file, the grain tool fixes are grouped at.
fn directory(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// The primitive drafts of a goal over findings, and the work left out because only a model
/// could do it and none can run.
pub(crate) struct Decomposition<'a> {
    pub drafts: Vec<Draft<'a>>,
    /// The drafts a model would have carried out, grouped as the others are.
    pub needs_model: Vec<Draft<'a>>,
}

/// Drafts by compound task, strategy and place (a directory or a file), as they fill.
type Groups<'a> = BTreeMap<(Compound, Strategy, String), Draft<'a>>;

/// Adds `finding` to the draft of `action` in `groups`, making the draft when it is the first.
fn add<'a>(groups: &mut Groups<'a>, compound: Compound, action: Action, finding: &'a Finding) {
    let place = match action.grouping {
        Grouping::Directory => directory(&finding.path).to_owned(),
        Grouping::File => finding.path.clone(),
    };
    let draft = groups
        .entry((compound, action.strategy.clone(), place))
        .or_insert_with(|| Draft {
            compound,
            strategy: action.strategy,
            findings: Vec::new(),
            files: BTreeSet::new(),
            stage: None,
            origin: 0,
        });
    draft.findings.push(finding);
    draft.files.insert(finding.path.clone());
}

/// The drafts of `groups`, each with its findings in the order of the file.
fn drafts(groups: Groups<'_>) -> Vec<Draft<'_>> {
    let mut drafts: Vec<Draft<'_>> = groups.into_values().collect();
    for draft in &mut drafts {
        draft
            .findings
            .sort_by(|a, b| (&a.path, a.span, &a.id).cmp(&(&b.path, b.span, &b.id)));
    }
    drafts
}

/// Decomposes the goal over the findings into primitive drafts, each finding in at most one
/// (the first compound task, in the goal's order, that takes it). A finding gets the first
/// method that applies to it and whose strategy `backends` can carry out; a finding only a
/// model could fix, with none to run, goes to the drafts a model would have made instead.
pub(crate) fn decompose<'a>(
    goal: Goal,
    findings: &'a [Finding],
    situation: &Situation,
    backends: &Backends,
) -> Decomposition<'a> {
    let compounds = Compound::of_goal(goal);
    let (mut planned, mut left_out) = (Groups::new(), Groups::new());
    for finding in findings {
        let Some(&compound) = compounds.iter().find(|c| c.takes(finding, situation)) else {
            continue;
        };
        let mut actions = compound
            .methods()
            .iter()
            .filter(|m| (m.applies)(finding))
            .map(|m| (m.action)(finding));
        let Some(first) = actions.next() else {
            continue;
        };
        let runnable = |a: &Action| backends.carry_out(&a.strategy).is_some();
        if runnable(&first) {
            add(&mut planned, compound, first, finding);
        } else if let Some(action) = actions.find(runnable) {
            add(&mut planned, compound, action, finding);
        } else {
            add(&mut left_out, compound, first, finding);
        }
    }
    Decomposition {
        drafts: drafts(planned),
        needs_model: drafts(left_out),
    }
}
