//! ruff's fixes as a backend, with the pinned ruff on real git repositories: the safe
//! strategy makes ruff's safe fixes, the unsafe strategy only what its unsafe fixes add (so
//! the two branches never repeat each other's change), and a file where the two meet on the
//! same lines is left to the safe change, with the reason.

mod common;

use common::{Repo, tool_request, tools_dir};
use tdev_coder::{AttemptOutcome, AttemptResult, Backend, FailureReason, RuffFixBackend};
use tdev_core::Fixability;

/// ruff's fixes for the UP0 family on `paths`, safe ones or unsafe ones.
fn fix(repo: &Repo, unsafe_fixes: bool, paths: &[&str]) -> AttemptResult {
    let (strategy, fix) = if unsafe_fixes {
        ("ruff-unsafe-fix:UP0", Fixability::Unsafe)
    } else {
        ("ruff-fix:UP0", Fixability::Safe)
    };
    let request = tool_request(strategy, "ruff:UP031", Some(fix), paths);
    RuffFixBackend::new(tools_dir(), "UP0", unsafe_fixes).attempt(&request, repo.path())
}

fn assert_changed(result: &AttemptResult, files: &[&str]) {
    let files: Vec<String> = files.iter().map(|f| (*f).to_owned()).collect();
    assert_eq!(result.changed_files(), Some(files.as_slice()), "{result:?}");
}

/// A `.format` call (UP032, a safe fix) and a `%` format (UP031, an unsafe fix), apart.
const APART: &str =
    "def f(x, y):\n    a = \"{}\".format(x)\n\n    b = 1\n    c = \"%s\" % y\n    return a, b, c\n";

#[test]
fn the_safe_strategy_makes_the_safe_fixes_only() {
    let repo = Repo::new(&[("m.py", APART), ("other.py", "z = \"{}\".format(1)\n")]);
    assert_changed(&fix(&repo, false, &["m.py"]), &["m.py"]);
    assert_eq!(
        repo.read("m.py").unwrap(),
        APART.replace("\"{}\".format(x)", "f\"{x}\"")
    );
    assert_eq!(repo.read("other.py").unwrap(), "z = \"{}\".format(1)\n");
}

#[test]
fn the_unsafe_strategy_leaves_out_what_the_safe_one_does() {
    let repo = Repo::new(&[("m.py", APART)]);
    assert_changed(&fix(&repo, true, &["m.py"]), &["m.py"]);
    // The `.format` call is the safe strategy's to change; the `%` format is upgraded as far
    // as ruff takes it in one run.
    assert_eq!(
        repo.read("m.py").unwrap(),
        APART.replace("\"%s\" % y", "f\"{y}\"")
    );
}

#[test]
fn an_unsafe_fix_on_the_safe_fixes_lines_waits_for_the_safe_change() {
    let adjacent = "def f(x, y):\n    a = \"{}\".format(x)\n    c = \"%s\" % y\n    return a, c\n";
    let repo = Repo::new(&[("m.py", adjacent), ("n.py", APART)]);

    // Alone, the file's unsafe fix cannot be separated from its safe one: nothing is kept.
    let result = fix(&repo, true, &["m.py"]);
    match &result.outcome {
        AttemptOutcome::Failed(reason @ FailureReason::OverlapsSaferChange { paths, safer }) => {
            assert_eq!(paths, &["m.py".to_owned()]);
            assert_eq!(safer.to_string(), "ruff-fix:UP0");
            assert!(reason.to_string().contains("`m.py`"), "{reason}");
        }
        other => panic!("expected an overlap, got {other:?}"),
    }
    assert_eq!(repo.status(), "");

    // With another file whose unsafe fix stands apart, that file is the change.
    assert_changed(&fix(&repo, true, &["m.py", "n.py"]), &["n.py"]);
    assert_eq!(repo.read("m.py").unwrap(), adjacent);
}

/// ruff's safe F401 fix removes `import readline` with `import os`, but that import gives
/// `input()` line editing: the change alters behaviour and is not kept. The whole attempt is
/// refused with the reason (the other unused import is no reason to keep the rest), and the
/// file is as it was. (An import inside `try:` is refused the same way; the pinned ruff offers
/// no safe fix for those.)
#[test]
fn an_import_kept_for_its_effect_is_not_removed() {
    let original = "import os\nimport readline\n\n\ndef ask():\n    return input()\n";
    let repo = Repo::new(&[("cli.py", original)]);
    let request = tool_request(
        "ruff-fix:F4",
        "ruff:F401",
        Some(Fixability::Safe),
        &["cli.py"],
    );
    let result = RuffFixBackend::new(tools_dir(), "F4", false).attempt(&request, repo.path());
    match &result.outcome {
        AttemptOutcome::Failed(FailureReason::RemovesEffectImport { path, import }) => {
            assert_eq!(
                (path.as_str(), import.as_str()),
                ("cli.py", "import readline")
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(repo.read("cli.py").unwrap(), original);
    // Without it, `import os` goes as F401 says.
    let plain = "import os\n\n\ndef ask():\n    return input()\n";
    let repo = Repo::new(&[("cli.py", plain)]);
    let result = RuffFixBackend::new(tools_dir(), "F4", false).attempt(&request, repo.path());
    assert_changed(&result, &["cli.py"]);
}

/// B011's unsafe fix joins a message written over two lines into `raise AssertionError('a' ' b')`:
/// two string literals side by side on one line, which a reviewer would join by hand. The
/// change is not kept, and the reason names the rule and the place.
#[test]
fn a_fix_that_leaves_strings_side_by_side_is_not_kept() {
    let original =
        "def f(x):\n    assert False, ('the value was'\n                   ' not expected')\n";
    let repo = Repo::new(&[("check.py", original)]);
    let request = tool_request(
        "ruff-unsafe-fix:B011",
        "ruff:B011",
        Some(Fixability::Unsafe),
        &["check.py"],
    );
    let result = RuffFixBackend::new(tools_dir(), "B011", true).attempt(&request, repo.path());
    match &result.outcome {
        AttemptOutcome::Failed(FailureReason::Leftover { rule, place, .. }) => {
            assert_eq!((rule.as_str(), place.as_str()), ("ISC001", "check.py:2"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(repo.read("check.py").unwrap(), original);
}

/// `toolz/compatibility.py` keeps names for old code to import, `Sequence` among them; F401's
/// fix would remove that import and break its importers. A module that defines no function or
/// class is such a module: the fix is refused, with the reason.
#[test]
fn an_import_of_a_module_of_names_is_not_removed() {
    let shim = "import operator\n\nmap = map\niteritems = operator.methodcaller('items')\nfrom collections.abc import Sequence\n";
    let repo = Repo::new(&[("compat.py", shim)]);
    let request = tool_request(
        "ruff-fix:F4",
        "ruff:F401",
        Some(Fixability::Safe),
        &["compat.py"],
    );
    let result = RuffFixBackend::new(tools_dir(), "F4", false).attempt(&request, repo.path());
    match &result.outcome {
        AttemptOutcome::Failed(FailureReason::RemovesExportedName { import, .. }) => {
            assert_eq!(import, "from collections.abc import Sequence");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(repo.read("compat.py").unwrap(), shim);
}

/// UP031's fix writes `f'={str(self.item)}='`; a reviewer would ask for the conversion flag,
/// which ruff's RUF010 fix gives. It is applied to the file the fix started it in, and not to
/// another file's older `{str(...)}`.
#[test]
fn what_a_fix_starts_is_finished_in_its_file_only() {
    let old = "def show(item):\n    return f'{str(item)}'\n";
    let repo = Repo::new(&[
        (
            "key.py",
            "class Key:\n    def __str__(self):\n        return '=%s=' % str(self.item)\n",
        ),
        ("old.py", old),
    ]);
    let request = tool_request(
        "ruff-unsafe-fix:UP0",
        "ruff:UP031",
        Some(Fixability::Unsafe),
        &["key.py", "old.py"],
    );
    let result = RuffFixBackend::new(tools_dir(), "UP0", true).attempt(&request, repo.path());
    assert_changed(&result, &["key.py"]);
    assert_eq!(
        repo.read("key.py").unwrap(),
        "class Key:\n    def __str__(self):\n        return f'={self.item!s}='\n"
    );
    assert_eq!(repo.read("old.py").unwrap(), old);
}
