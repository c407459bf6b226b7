//! Every built-in codemod turns its fixture (`test_data/codemods/<id>.py.in`, realistic code
//! with the cases it changes and those it declines) into the expected output (`.py.out`; run
//! with `UPDATE_EXPECT=1` to rewrite them, then review the diff).
//!
//! Every built-in codemod, run over the fixtures and every Python file of the dataset projects
//! (fetched by `scripts/fetch-datasets`) and of the test environment's own site-packages
//! (installed by `scripts/test-env`), keeps its contract on real code: the result parses with tree-sitter and
//! compiles with the real CPython, a second run changes nothing, the replacements rebuild the
//! result, and only lines holding a site are touched. How many sites each codemod found,
//! declined and changed is printed per corpus.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use tdev_targets::python::codemod::{self, Codemod, Edit};
use tdev_targets::python::has_syntax_errors;

mod support;
use support::python;

/// Runs the test environment's Python; its standard output, or a panic showing what it said.
fn run_python(args: &[&std::ffi::OsStr]) -> String {
    let output = Command::new(python())
        .args(args)
        .output()
        .expect("running python");
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data/codemods")
}

#[test]
fn fixtures_become_their_expected_output() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    for codemod in codemod::all() {
        let input = fixtures().join(format!("{}.py.in", codemod.id()));
        let expected_path = fixtures().join(format!("{}.py.out", codemod.id()));
        let source = std::fs::read_to_string(&input).unwrap();
        let got = codemod
            .apply(&source, None)
            .unwrap()
            .map_or(source.clone(), |e| e.source);
        if update {
            std::fs::write(&expected_path, &got).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if got != expected {
            failures.push(format!(
                "{}: expected\n{expected}\ngot\n{got}",
                expected_path.display()
            ));
        }
        // Each fixture shows both sides: sites changed and sites declined.
        let sites = codemod.find(&source).unwrap();
        assert!(
            sites.iter().any(|s| s.declined.is_some())
                && sites.iter().any(|s| s.declined.is_none()),
            "{}: {sites:?}",
            input.display()
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The fixtures, the unpacked Python projects of the manifest, and the test environment's
/// site-packages, each with its Python files.
fn corpora() -> Vec<(String, Vec<PathBuf>)> {
    let mut fixture_files: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".py.in"))
        .collect();
    fixture_files.sort();
    let mut dirs: Vec<(String, PathBuf)> = support::python_projects();
    let site_packages = run_python(&[
        "-c".as_ref(),
        "import sysconfig; print(sysconfig.get_paths()['purelib'])".as_ref(),
    ]);
    dirs.push((
        "test-env site-packages".to_owned(),
        PathBuf::from(site_packages.trim()),
    ));
    let mut corpora = vec![("fixtures".to_owned(), fixture_files)];
    corpora.extend(dirs.into_iter().map(|(label, dir)| {
        let mut files = Vec::new();
        python_files(&dir, &mut files);
        (label, files)
    }));
    corpora
}

fn python_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            python_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "py") {
            out.push(path);
        }
    }
}

/// 1-based line of byte `at`.
fn line_of(source: &str, at: usize) -> u32 {
    u32::try_from(source[..at].matches('\n').count() + 1).unwrap()
}

/// The contract of one edit of `source`: what is wrong with it, if anything.
fn problems(codemod: &dyn Codemod, source: &str, edit: &Edit) -> Vec<String> {
    let mut problems = Vec::new();
    // The replacements, applied in order, give the new source.
    let mut rebuilt = String::new();
    let mut at = 0;
    for r in &edit.replacements {
        rebuilt.push_str(&source[at..r.range.start]);
        rebuilt.push_str(&r.text);
        at = r.range.end;
    }
    rebuilt.push_str(&source[at..]);
    if rebuilt != edit.source {
        problems.push("the replacements do not rebuild the new source".to_owned());
    }
    if has_syntax_errors(&edit.source).unwrap() {
        problems.push("the result has syntax errors".to_owned());
    }
    match codemod.apply(&edit.source, None) {
        Ok(None) => {}
        Ok(Some(again)) => problems.push(format!(
            "a second run changes {} more site(s)",
            again.sites.len()
        )),
        Err(e) => problems.push(format!("a second run fails: {e}")),
    }
    // Whole lines inserted at a line start touch no existing line; anything else touches the
    // lines it spans, which must hold a site. The one exception is documented: the import
    // that yaml-safe-load extends with `safe_load`.
    let site_lines = |line: u32| {
        edit.sites
            .iter()
            .any(|s| s.span.line <= line && line <= s.span.end_line)
    };
    for r in &edit.replacements {
        let at_line_start = r.range.start == 0
            || r.range.start == source.len()
            || source.as_bytes()[r.range.start - 1] == b'\n';
        if r.range.is_empty() && at_line_start {
            continue;
        }
        if codemod.id() == "yaml-safe-load" && r.range.is_empty() && r.text.starts_with(", safe_") {
            continue;
        }
        let first = line_of(source, r.range.start);
        let last = line_of(source, r.range.end.max(r.range.start + 1) - 1);
        if let Some(line) = (first..=last).find(|l| !site_lines(*l)) {
            problems.push(format!("line {line} is touched but holds no site"));
        }
    }
    problems
}

#[derive(Default)]
struct Counts {
    found: usize,
    declined: usize,
    changed: usize,
    files: usize,
}

#[test]
fn codemods_keep_their_contract_on_real_code() {
    let codemods = codemod::all();
    let scratch = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for (label, files) in corpora() {
        let mut counts: BTreeMap<&str, Counts> = BTreeMap::new();
        // The changed files, written out for CPython to compile: (copy, original, codemod).
        let mut written: Vec<(PathBuf, PathBuf, &str)> = Vec::new();
        for file in &files {
            let Ok(source) = std::fs::read_to_string(file) else {
                continue; // not UTF-8: the codemods only read text
            };
            for codemod in &codemods {
                let count = counts.entry(codemod.id()).or_default();
                let sites = codemod.find(&source).unwrap();
                count.found += sites.len();
                let declined = sites.iter().filter(|s| s.declined.is_some()).count();
                count.declined += declined;
                // Parsing is the cost of a debug build: `apply` only runs where `find` says it
                // can act (that it then does is checked below).
                if declined == sites.len() {
                    continue;
                }
                let edit = match codemod.apply(&source, None) {
                    Ok(Some(edit)) => edit,
                    Ok(None) => {
                        failures.push(format!(
                            "{}: {}: sites found but nothing applied",
                            file.display(),
                            codemod.id()
                        ));
                        continue;
                    }
                    Err(e) => {
                        failures.push(format!("{}: {}: {e}", file.display(), codemod.id()));
                        continue;
                    }
                };
                count.changed += edit.sites.len();
                count.files += 1;
                for problem in problems(codemod.as_ref(), &source, &edit) {
                    failures.push(format!("{}: {}: {problem}", file.display(), codemod.id()));
                }
                let copy = scratch.path().join(format!("{}.py", written.len()));
                std::fs::write(&copy, &edit.source).unwrap();
                written.push((copy, file.clone(), codemod.id()));
            }
        }
        for (id, c) in &counts {
            println!(
                "{label}: {id}: {} site(s) found, {} declined, {} changed in {} file(s)",
                c.found, c.declined, c.changed, c.files
            );
        }
        // One CPython run per changed file keeps the report precise; there are few.
        for (copy, original, id) in &written {
            let output = Command::new(python())
                .args(["-m".as_ref(), "py_compile".as_ref(), copy.as_os_str()])
                .output()
                .expect("running python");
            if !output.status.success() {
                failures.push(format!(
                    "{}: {id}: CPython does not compile the result: {}",
                    original.display(),
                    String::from_utf8_lossy(&output.stderr).trim()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
