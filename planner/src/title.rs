//! The one line that says, for a person, what a change by a strategy does and where: a task's
//! title, and the commit subject of the change kept for it. Both come from here, so that a
//! change made by another strategy than its task planned, or to fewer files, is described as
//! what it is ("Apply ruff unsafe fixes ... in app/compat.py"), not as what was planned.

use std::collections::BTreeSet;
use tdev_core::{Family, Finding, Strategy};
use tdev_targets::python::codemod;

/// What a model or an agent is asked to do, by the name of its request (`llm:<request>`).
const REQUESTS: [(&str, &str); 6] = [
    ("fix-security", "fix security findings"),
    ("fix-lint", "fix lint findings"),
    ("fix", "fix findings"),
    ("refactor", "refactor to reduce complexity"),
    ("add-tests", "add tests"),
    ("docstrings", "write docstrings"),
];

/// What a change by `strategy` does, as a verb phrase without its place ("apply ruff safe
/// fixes for rule family E7", "refactor to reduce complexity").
pub fn strategy_action(strategy: &Strategy) -> String {
    let name = strategy.name();
    match strategy.family() {
        Family::ToolFix => format!("apply ruff safe fixes for rule family {name}"),
        Family::UnsafeToolFix => format!("apply ruff unsafe fixes for rule family {name}"),
        Family::ClippyFix => format!("apply clippy's fix for {name}"),
        Family::Formatter => format!("format with {name}, as the repository does"),
        Family::Codemod => codemod::by_id(name).map_or_else(
            || format!("apply the {name} codemod"),
            |c| c.summary().to_owned(),
        ),
        Family::Model | Family::Command => REQUESTS
            .iter()
            .find(|(request, _)| *request == name)
            .map_or_else(|| name.replace('-', " "), |(_, what)| (*what).to_owned()),
        // A family newer than this list.
        _ => format!("apply {strategy}"),
    }
}

/// One line for a person: what a change by `strategy` does ([`strategy_action`]), where (the
/// file of `findings`, or the directory their files share), which symbols (up to three, in one
/// file) or how many files and findings, and, for one stage `(i, n)` of work done in stages,
/// which.
///
/// ```
/// use tdev_core::{Finding, Severity};
/// use tdev_planner::title;
///
/// let finding = |path: &str| Finding {
///     id: path.into(),
///     kind: "ruff:F401".into(),
///     severity: Severity::Low,
///     path: path.into(),
///     span: None,
///     symbol: None,
///     message: String::new(),
///     evidence: None,
///     metrics: Default::default(),
///     fix: None,
///     priority: 0.5,
/// };
/// let (a, b) = (finding("app/a.py"), finding("app/b.py"));
/// assert_eq!(
///     title(&"ruff-fix:F4".parse()?, &[&a, &b], None),
///     "Apply ruff safe fixes for rule family F4 in app/ (2 files, 2 findings)"
/// );
/// assert_eq!(
///     title(&"ruff-unsafe-fix:F4".parse()?, &[&a], None),
///     "Apply ruff unsafe fixes for rule family F4 in app/a.py"
/// );
/// # Ok::<(), tdev_core::StrategyError>(())
/// ```
pub fn title(strategy: &Strategy, findings: &[&Finding], stage: Option<(u32, u32)>) -> String {
    let mut what = strategy_action(strategy);
    if let Some(first) = what.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    let files: BTreeSet<&str> = findings.iter().map(|f| f.path.as_str()).collect();
    let place = match files.len() {
        1 => files
            .iter()
            .next()
            .map(|f| (*f).to_owned())
            .unwrap_or_default(),
        _ => common_directory(&files),
    };
    // Tests are written for the code they test, not in it.
    let preposition = if strategy.needs_model() && strategy.name() == "add-tests" {
        "for"
    } else {
        "in"
    };
    let mut title = format!("{what} {preposition} {place}");
    let symbols: BTreeSet<&str> = findings
        .iter()
        .filter_map(|f| f.symbol.as_deref())
        .collect();
    let mut counts = Vec::new();
    if files.len() > 1 {
        counts.push(format!("{} files", files.len()));
    }
    if files.len() == 1 && !symbols.is_empty() && symbols.len() <= 3 {
        let symbols: Vec<&str> = symbols.into_iter().collect();
        title.push_str(&format!(": {}", symbols.join(", ")));
    } else if findings.len() > 1 {
        counts.push(format!("{} findings", findings.len()));
    }
    if !counts.is_empty() {
        title.push_str(&format!(" ({})", counts.join(", ")));
    }
    if let Some((i, n)) = stage {
        title.push_str(&format!(", stage {i} of {n}"));
    }
    title
}

/// The directory shared by all the files, `./` for the repository root.
fn common_directory(files: &BTreeSet<&str>) -> String {
    let mut common: Option<Vec<&str>> = None;
    for file in files {
        let dirs: Vec<&str> = file.split('/').collect();
        let dirs = &dirs[..dirs.len().saturating_sub(1)];
        common = Some(match common {
            None => dirs.to_vec(),
            Some(c) => c
                .iter()
                .zip(dirs)
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| *a)
                .collect(),
        });
    }
    match common.unwrap_or_default().join("/") {
        dir if dir.is_empty() => "./".to_owned(),
        dir => format!("{dir}/"),
    }
}
