//! The repository's formatter as a backend, with real `cargo fmt` and ruff on real git
//! repositories: the task's file is formatted and no other, and a formatter tdev does not run
//! is refused by name.

mod common;

use common::{Repo, tool_request, tools_dir};
use tdev_coder::{AttemptRequest, Backend, FormatBackend};
use tdev_core::Fixability;

fn request(kind: &str, path: &str) -> AttemptRequest {
    tool_request(kind, kind, Some(Fixability::Safe), &[path])
}

/// Formats `target` of a repository holding `files` with `formatter`: the attempt must say it
/// changed `target` alone, and the files must read as `expected` afterwards.
fn check(formatter: &str, files: &[(&str, &str)], target: &str, expected: &[(&str, &str)]) {
    let repo = Repo::new(files);
    let backend = FormatBackend::new(formatter, tools_dir()).unwrap();
    let result = backend.attempt(
        &request(&format!("format:{formatter}"), target),
        repo.path(),
    );
    assert_eq!(
        result.changed_files(),
        Some([target.to_owned()].as_slice()),
        "{result:?}"
    );
    for (path, content) in expected {
        assert_eq!(repo.read(path).unwrap(), *content, "{path}");
    }
}

const MANIFEST: &str = "[package]\nname = \"fmtme\"\nversion = \"0.1.0\"\nedition = \"2021\"\n";

#[test]
fn rustfmt_formats_the_tasks_file_only() {
    check(
        "rustfmt",
        &[
            ("Cargo.toml", MANIFEST),
            ("src/lib.rs", "mod other;\npub fn a( )->u32{1}\n"),
            ("src/other.rs", "pub fn b( ){}\n"),
        ],
        "src/lib.rs",
        &[
            ("src/lib.rs", "mod other;\npub fn a() -> u32 {\n    1\n}\n"),
            ("src/other.rs", "pub fn b( ){}\n"),
        ],
    );
}

#[test]
fn ruff_formats_with_the_repositorys_configuration() {
    check(
        "ruff-format",
        &[
            (
                "pyproject.toml",
                "[tool.ruff.format]\nquote-style = \"single\"\n",
            ),
            ("app.py", "x = {  \"a\":1 }\n"),
            ("other.py", "y = [1,2]\n"),
        ],
        "app.py",
        &[("app.py", "x = {'a': 1}\n"), ("other.py", "y = [1,2]\n")],
    );
}

#[test]
fn a_formatter_tdev_does_not_run_is_refused() {
    let error = FormatBackend::new("black", tools_dir()).unwrap_err();
    assert_eq!(error, "tdev does not run the formatter `black`");
}

/// A backend that writes given contents, as a tool or a model would.
#[derive(Debug)]
struct Writes(&'static [(&'static str, &'static str)]);

impl Backend for Writes {
    fn name(&self) -> &str {
        "writes"
    }

    fn attempt(&self, _: &AttemptRequest, worktree: &std::path::Path) -> tdev_coder::AttemptResult {
        for (path, content) in self.0 {
            std::fs::write(worktree.join(path), content).unwrap();
        }
        tdev_coder::AttemptResult {
            outcome: tdev_coder::AttemptOutcome::Changed {
                files: self.0.iter().map(|(p, _)| (*p).to_owned()).collect(),
            },
            usage: Default::default(),
        }
    }
}

#[test]
fn a_change_keeps_the_formatting_of_the_files_that_had_it() {
    let repo = Repo::new(&[
        ("Cargo.toml", MANIFEST),
        ("rustfmt.toml", ""),
        (
            "src/lib.rs",
            "mod messy;\n\npub fn a() -> u32 {\n    1\n}\n",
        ),
        ("src/messy.rs", "pub fn m( ) {}\n"),
    ]);
    let inner = Writes(&[
        ("src/lib.rs", "mod messy;\n\npub fn a() -> u32 { 2 }\n"),
        ("src/messy.rs", "pub fn m( ) { }\n"),
    ]);
    let backend = tdev_coder::KeepFormatted::new(Box::new(inner), tools_dir());
    let result = backend.attempt(&request("format:rustfmt", "src/lib.rs"), repo.path());
    assert_eq!(
        result.changed_files(),
        Some(["src/lib.rs".to_owned(), "src/messy.rs".to_owned()].as_slice())
    );
    // Formatted before, so formatted after; the file that was not is left as the change made
    // it, without unrelated formatting edits.
    assert_eq!(
        repo.read("src/lib.rs").unwrap(),
        "mod messy;\n\npub fn a() -> u32 {\n    2\n}\n"
    );
    assert_eq!(repo.read("src/messy.rs").unwrap(), "pub fn m( ) { }\n");
}

/// Statements a change made longer than the repository's limit are rewrapped to it, and
/// nothing else in the file is touched (not its quotes, not its other long lines).
#[test]
fn a_statement_made_too_long_is_rewrapped_to_the_repositorys_limit() {
    let long_before = "    s = 'an old line that is already longer than sixty columns'";
    let original = format!("def f(a, b):\n    y = {{'k':1}}\n{long_before}\n    return a\n");
    let repo = Repo::new(&[
        ("setup.cfg", "[flake8]\nmax-line-length = 60\n"),
        ("m.py", &original),
    ]);
    let inner = Writes(&[(
        "m.py",
        "def f(a, b):\n    y = {'k':1}\n    s = 'an old line that is already longer than sixty columns'\n    return call_something('aaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb', a, b)\n",
    )]);
    let backend = tdev_coder::KeepFormatted::new(Box::new(inner), tools_dir());
    let result = backend.attempt(&request("ruff-fix:UP0", "m.py"), repo.path());
    assert_eq!(result.changed_files(), Some(["m.py".to_owned()].as_slice()));
    assert_eq!(
        repo.read("m.py").unwrap(),
        format!(
            "def f(a, b):\n    y = {{'k':1}}\n{long_before}\n    return call_something(\n        'aaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb', a, b\n    )\n"
        )
    );
}

/// Where nothing is configured, the file's own longest line is the limit.
#[test]
fn without_a_configured_limit_the_files_longest_line_is_kept_to() {
    let repo = Repo::new(&[(
        "g.py",
        "def g(items):\n    # a comment that is forty-eight columns long..\n    return [x for x in items if x]\n",
    )]);
    let inner = Writes(&[(
        "g.py",
        "def g(items):\n    # a comment that is forty-eight columns long..\n    return [transform(x, option=True) for x in items if x is not None]\n",
    )]);
    let backend = tdev_coder::KeepFormatted::new(Box::new(inner), tools_dir());
    backend.attempt(&request("ruff-fix:UP0", "g.py"), repo.path());
    let text = repo.read("g.py").unwrap();
    assert!(
        text.contains("        transform(x, option=True)\n"),
        "{text}"
    );
    let widest = text.lines().map(|l| l.chars().count()).max().unwrap();
    assert_eq!(widest, 50, "{text}");
}
