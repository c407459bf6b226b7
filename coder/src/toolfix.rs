//! ruff's own fixes as a backend: `ruff-fix:<rules>` applies its safe fixes for the rules (a
//! code or a family such as `E7`), `ruff-unsafe-fix:<rules>` its unsafe ones, a riskier
//! strategy the planner keeps apart.
//!
//! ruff has no switch for "unsafe fixes only": `--unsafe-fixes` applies the safe ones too, so
//! the unsafe strategy's branch would repeat the safe strategy's change to the same file. The
//! unsafe fixer therefore runs ruff twice, safe fixes and then unsafe ones, and keeps what the
//! second run added, merged onto the original file with `git merge-file`. Where the two meet
//! on the same lines the file is left out, and the attempt says which change it waits for.
//!
//! A fix that removes an import kept for its side effect (inside `try:`, or of a module such as
//! `readline` that is imported for what importing it does) is not kept: unused as the name
//! looks, removing it changes what the program does.

use crate::snapshot::Snapshot;
use crate::{AttemptOutcome, AttemptRequest, AttemptResult, Backend, FailureReason, Usage};
use std::path::{Path, PathBuf};
use tdev_core::{Family, Finding, Strategy};
use tdev_tools::ToolEnv;

/// Applies ruff's fixes for some rules in a worktree.
#[derive(Debug)]
pub struct RuffFixBackend {
    env: ToolEnv,
    rules: Vec<String>,
    unsafe_fixes: bool,
    name: String,
}

impl RuffFixBackend {
    /// The fixer for `rules` (comma-separated codes or prefixes) with ruff from the tool
    /// environment in `tools_dir`.
    pub fn new(tools_dir: PathBuf, rules: &str, unsafe_fixes: bool) -> Self {
        let name = if unsafe_fixes {
            "ruff-unsafe-fix"
        } else {
            "ruff-fix"
        };
        RuffFixBackend {
            env: ToolEnv::new(tools_dir),
            rules: rules
                .split(',')
                .map(str::to_owned)
                .filter(|r| !r.is_empty())
                .collect(),
            unsafe_fixes,
            name: format!("{name}:{rules}"),
        }
    }

    /// The findings of [`LEFTOVERS`] and [`FOLLOW_UPS`] in `paths`, from one run of ruff;
    /// `None` when ruff could not say.
    fn checked(&self, worktree: &Path, paths: &[String]) -> Option<Vec<Finding>> {
        let rules = LEFTOVERS.iter().map(|(rule, _)| *rule).chain(FOLLOW_UPS);
        let options = tdev_tools::RuffOptions {
            select: rules.map(str::to_owned).collect(),
            ..tdev_tools::RuffOptions::default()
        };
        let found = tdev_tools::ruff_check(&self.env, worktree, &options).ok()?;
        Some(
            found
                .into_iter()
                .filter(|f| paths.contains(&f.path))
                .collect(),
        )
    }

    fn fix(&self, worktree: &Path, paths: &[String], unsafe_fixes: bool) -> Result<(), String> {
        tdev_tools::ruff_fix(&self.env, worktree, &self.rules, unsafe_fixes, paths)
            .map(drop)
            .map_err(|e| format!("ruff --fix: {e}"))
    }

    /// Runs the safe fixes, then the unsafe ones, and leaves in each file only what the
    /// unsafe run added. Returns the files where it met the safe fixes' lines.
    fn unsafe_only(&self, worktree: &Path, paths: &[String]) -> Result<Vec<String>, String> {
        let read = |path: &String| std::fs::read(worktree.join(path)).ok();
        let original: Vec<Option<Vec<u8>>> = paths.iter().map(read).collect();
        self.fix(worktree, paths, false)?;
        let safe: Vec<Option<Vec<u8>>> = paths.iter().map(read).collect();
        self.fix(worktree, paths, true)?;
        let mut overlapping = Vec::new();
        for ((path, original), safe) in paths.iter().zip(original).zip(safe) {
            let (Some(original), Some(safe)) = (original, safe) else {
                continue;
            };
            let file = worktree.join(path);
            let fixed = std::fs::read(&file).map_err(|e| format!("cannot read `{path}`: {e}"))?;
            let kept = if fixed == safe {
                original
            } else if let Some(merged) =
                tdev_worktree::merge_file(&original, &safe, &fixed).map_err(|e| e.to_string())?
            {
                merged
            } else {
                overlapping.push(path.clone());
                original
            };
            std::fs::write(&file, kept).map_err(|e| format!("cannot write `{path}`: {e}"))?;
        }
        Ok(overlapping)
    }
}

impl Backend for RuffFixBackend {
    fn name(&self) -> &str {
        &self.name
    }

    fn attempt(&self, request: &AttemptRequest, worktree: &Path) -> AttemptResult {
        let failed = |reason| AttemptResult::failed(reason, Usage::default());
        // Only the files of the task's findings: a fix elsewhere is another task's change.
        let paths = request.finding_paths();
        let snapshot = match Snapshot::take(worktree) {
            Ok(snapshot) => snapshot,
            Err(detail) => return failed(FailureReason::Local { detail }),
        };
        let read = |path: &String| std::fs::read_to_string(worktree.join(path)).ok();
        let originals: Vec<Option<String>> = paths.iter().map(read).collect();
        let checked_before = self.checked(worktree, &paths);
        let overlapping = if self.unsafe_fixes {
            self.unsafe_only(worktree, &paths)
        } else {
            self.fix(worktree, &paths, false).map(|()| Vec::new())
        };
        let overlapping = match overlapping {
            Ok(overlapping) => overlapping,
            Err(detail) => {
                let _ = snapshot.undo(worktree);
                return failed(FailureReason::Local { detail });
            }
        };
        for (path, original) in paths.iter().zip(&originals) {
            let (Some(original), Some(fixed)) = (original, read(path)) else {
                continue;
            };
            if let Some(import) = effect_imports_removed(original, &fixed).into_iter().next() {
                let _ = snapshot.undo(worktree);
                return failed(FailureReason::RemovesEffectImport {
                    path: path.clone(),
                    import,
                });
            }
            if let Some(import) = exported_imports_removed(original, &fixed)
                .into_iter()
                .next()
            {
                let _ = snapshot.undo(worktree);
                return failed(FailureReason::RemovesExportedName {
                    path: path.clone(),
                    import,
                });
            }
        }
        // Finish what the fix started, in the files where it started it (and only there, so
        // that nothing unrelated changes).
        let mut checked_after = self.checked(worktree, &paths);
        if let (Some(before), Some(after)) = (&checked_before, &checked_after) {
            let follow_up = |f: &&Finding| is_rule(f, &FOLLOW_UPS);
            let mut started: Vec<String> = after
                .iter()
                .filter(follow_up)
                .filter(|a| !before.iter().filter(follow_up).any(|b| b.path == a.path))
                .map(|a| a.path.clone())
                .collect();
            started.dedup();
            if !started.is_empty() {
                let rules: Vec<String> = FOLLOW_UPS.iter().map(|r| (*r).to_owned()).collect();
                let _ = tdev_tools::ruff_fix(&self.env, worktree, &rules, false, &started);
                checked_after = self.checked(worktree, &paths);
            }
        }
        let leftover_rules: Vec<&str> = LEFTOVERS.iter().map(|(rule, _)| *rule).collect();
        if let (Some(before), Some(after)) = (&checked_before, &checked_after)
            && let Some(new) = after.iter().find(|f| {
                let same = |b: &&Finding| b.kind == f.kind && b.path == f.path;
                is_rule(f, &leftover_rules)
                    && before.iter().filter(same).count() < after.iter().filter(|a| same(a)).count()
            })
        {
            let _ = snapshot.undo(worktree);
            let rule = new.kind.trim_start_matches("ruff:").to_owned();
            let what = LEFTOVERS
                .iter()
                .find(|(code, _)| *code == rule)
                .map_or("a new finding", |(_, what)| *what);
            return failed(FailureReason::Leftover {
                place: format!("{}:{}", new.path, new.span.map_or(0, |s| s.line)),
                what: what.to_owned(),
                rule,
            });
        }
        let result = snapshot.keep_only(worktree, &paths);
        match result.outcome {
            AttemptOutcome::Failed(FailureReason::NoChange) if !overlapping.is_empty() => {
                failed(FailureReason::OverlapsSaferChange {
                    paths: overlapping,
                    safer: Strategy::new(Family::ToolFix, self.rules.join(",")),
                })
            }
            _ => result,
        }
    }
}

/// Whether `finding` is ruff's finding of one of `rules`.
fn is_rule(finding: &Finding, rules: &[&str]) -> bool {
    finding
        .kind
        .strip_prefix("ruff:")
        .is_some_and(|rule| rules.contains(&rule))
}

/// ruff's safe fixes that finish what another fix started, applied to a file where that fix
/// introduced their finding and that had none before: RUF010, `f'{str(x)}'` as UP031's fix
/// writes it, becomes `f'{x!s}'`, as a reviewer would ask.
const FOLLOW_UPS: [&str; 1] = ["RUF010"];

/// What a fix must not leave more of than the code had, as a reviewer would fix it by hand:
/// ruff's rule and what it finds.
const LEFTOVERS: [(&str, &str); 1] = [("ISC001", "string literals joined on one line")];

/// Modules imported for what importing them does: `readline` gives `input()` line editing,
/// `rlcompleter` tab completion, `this` and `antigravity` print or open something.
const EFFECT_MODULES: [&str; 4] = ["readline", "rlcompleter", "this", "antigravity"];

/// The one-line import statements of `original` that are there for their side effect and that
/// `fixed` has fewer of: an import inside a `try:` block (an optional feature switched on by
/// importing it, `except ImportError` or not) or of one of [`EFFECT_MODULES`].
fn effect_imports_removed(original: &str, fixed: &str) -> Vec<String> {
    removed_imports(original, fixed, |lines, index, module| {
        EFFECT_MODULES.contains(&module) || inside_try(lines, index)
    })
}

/// The one-line import statements of `original` that `fixed` has fewer of, each once, among
/// those `matters` picks (given the lines, the statement's index and its top-level module).
fn removed_imports(
    original: &str,
    fixed: &str,
    matters: impl Fn(&[&str], usize, &str) -> bool,
) -> Vec<String> {
    let lines: Vec<&str> = original.lines().collect();
    let count = |text: &str, statement: &str| text.lines().filter(|l| code(l) == statement).count();
    let mut removed: Vec<String> = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let statement = code(line);
        let Some(module) = imported_module(statement) else {
            continue;
        };
        if matters(&lines, index, module)
            && count(fixed, statement) < count(original, statement)
            && !removed.iter().any(|r| r == statement)
        {
            removed.push(statement.to_owned());
        }
    }
    removed
}

/// A line without its indentation and trailing comment.
fn code(line: &str) -> &str {
    line.split('#').next().unwrap_or_default().trim()
}

/// The module-level import statements that `fixed` has fewer of than `original`, when
/// `original` is a module of names for others to import: it defines no function or class, so
/// its imports are what it offers (a compatibility shim, a re-export), used or not.
fn exported_imports_removed(original: &str, fixed: &str) -> Vec<String> {
    let defines = original.lines().any(|line| {
        ["def ", "async def ", "class "]
            .iter()
            .any(|start| line.starts_with(start))
    });
    if defines {
        return Vec::new();
    }
    removed_imports(original, fixed, |lines, index, _| {
        !lines[index].starts_with([' ', '\t'])
    })
}

/// The top-level module of `import a.b` or `from a.b import c`.
fn imported_module(statement: &str) -> Option<&str> {
    let rest = statement
        .strip_prefix("import ")
        .or_else(|| statement.strip_prefix("from "))?;
    let name = rest.trim_start().split([' ', ',', '.']).next()?;
    (!name.is_empty()).then_some(name)
}

/// Whether the line at `index` is in the body of a `try:` (the nearest enclosing block header,
/// found by indentation, is `try:`).
fn inside_try(lines: &[&str], index: usize) -> bool {
    let indent = |line: &str| line.len() - line.trim_start().len();
    let mut level = indent(lines[index]);
    for line in lines[..index].iter().rev() {
        let text = line.trim();
        if text.is_empty() || text.starts_with('#') || indent(line) >= level {
            continue;
        }
        if text == "try:" || text.starts_with("try:") {
            return true;
        }
        level = indent(line);
        if level == 0 {
            return false;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::{effect_imports_removed, exported_imports_removed};

    #[test]
    fn a_module_of_names_keeps_its_imports() {
        // toolz/compatibility.py, shortened: names for old code to import, no function.
        let shim = "import operator\n\nmap = map\nfrom functools import reduce\niteritems = operator.methodcaller('items')\nfrom collections.abc import Sequence\n";
        let fixed = shim.replace("from collections.abc import Sequence\n", "");
        assert_eq!(
            exported_imports_removed(shim, &fixed),
            ["from collections.abc import Sequence"]
        );
        // A module with a function is code, whose unused imports F401 rightly removes.
        let code = format!("{shim}\n\ndef f():\n    return reduce\n");
        let fixed = code.replace("from collections.abc import Sequence\n", "");
        assert!(exported_imports_removed(&code, &fixed).is_empty());
    }

    #[test]
    fn imports_kept_for_their_effect_are_seen_going() {
        let cases: &[(&str, &str, &[&str])] = &[
            // ruff's F401 fix on the largest project of the issue: `pass` in its place.
            (
                "try:\n    import readline\nexcept ImportError:\n    pass\n",
                "try:\n    pass\nexcept ImportError:\n    pass\n",
                &["import readline"],
            ),
            (
                "import os\nimport readline\n",
                "import os\n",
                &["import readline"],
            ),
            (
                "def f():\n    try:\n        from lxml import etree\n    except ImportError:\n        etree = None\n",
                "def f():\n    try:\n        pass\n    except ImportError:\n        etree = None\n",
                &["from lxml import etree"],
            ),
            // An unused import outside `try:` is what F401 is for.
            (
                "import os\nimport sys\n\nprint(sys.argv)\n",
                "import sys\n\nprint(sys.argv)\n",
                &[],
            ),
            // Inside a function that follows a `try:` block, not inside the block.
            (
                "try:\n    x = 1\nexcept Exception:\n    pass\n\ndef f():\n    import json\n",
                "try:\n    x = 1\nexcept Exception:\n    pass\n\ndef f():\n    pass\n",
                &[],
            ),
            // Kept (a comment added): nothing is reported.
            (
                "try:\n    import readline\nexcept ImportError:\n    pass\n",
                "try:\n    import readline  # noqa: F401\nexcept ImportError:\n    pass\n",
                &[],
            ),
        ];
        for (original, fixed, expected) in cases {
            assert_eq!(
                effect_imports_removed(original, fixed),
                *expected,
                "{original}"
            );
        }
    }
}
