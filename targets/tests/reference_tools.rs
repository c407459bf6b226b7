//! tdev's Python metrics agree with the tools people trust on the real projects of
//! `datasets/manifest.toml` (fetched by `scripts/fetch-datasets`): cyclomatic complexity with
//! radon's, docstring coverage with interrogate's (both pinned in `tests/requirements.txt`).
//! Every disagreement is printed with both figures and where it is.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use tdev_targets::python::{
    BlockKind, complexity, docstring_items, has_syntax_errors, maintainability_index, raw_metrics,
};

/// Share of radon's blocks on which tdev must agree, per project.
const REQUIRED_AGREEMENT: f64 = 0.99;

mod support;
use support::{python, python_projects as projects};

/// Runs the test environment's Python; its output, or a panic showing what it said.
fn run_python<'a>(args: impl IntoIterator<Item = &'a OsStr>) -> Vec<u8> {
    let output = Command::new(python())
        .args(args)
        .output()
        .expect("running python");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

type Key = (String, &'static str, String, u64);

/// radon's blocks of every file it parsed: (file, kind, qualified name, line) to complexity.
fn radon(dir: &Path) -> BTreeMap<Key, u64> {
    let stdout = run_python([
        "-m".as_ref(),
        "radon".as_ref(),
        "cc".as_ref(),
        "-j".as_ref(),
        dir.as_os_str(),
    ]);
    let report: serde_json::Value = serde_json::from_slice(&stdout).unwrap();
    let mut blocks = BTreeMap::new();
    for (file, entries) in report.as_object().unwrap() {
        let Some(entries) = entries.as_array() else {
            continue;
        }; // {"error": ...}: radon could not parse it
        for e in entries {
            let kind = match e["type"].as_str().unwrap() {
                "function" => "function",
                "method" => "method",
                _ => "class",
            };
            let name = match e["classname"].as_str() {
                Some(class) if kind == "method" => {
                    format!("{class}.{}", e["name"].as_str().unwrap())
                }
                _ => e["name"].as_str().unwrap().to_owned(),
            };
            let key = (file.clone(), kind, name, e["lineno"].as_u64().unwrap());
            blocks.insert(key, e["complexity"].as_u64().unwrap());
        }
    }
    blocks
}

fn tdev(file: &str) -> Option<BTreeMap<Key, u64>> {
    let source = std::fs::read_to_string(file).ok()?;
    if has_syntax_errors(&source).unwrap() {
        return None;
    }
    let mut blocks = BTreeMap::new();
    for b in complexity(&source).unwrap() {
        let (kind, name) = match (b.kind, &b.classname) {
            (BlockKind::Function, _) => ("function", b.name.clone()),
            (BlockKind::Method, Some(class)) => ("method", format!("{class}.{}", b.name)),
            (BlockKind::Method, None) => ("method", b.name.clone()),
            (BlockKind::Class, _) => ("class", b.name.clone()),
        };
        blocks.insert(
            (file.to_owned(), kind, name, b.line as u64),
            u64::from(b.complexity),
        );
    }
    Some(blocks)
}

#[test]
fn cyclomatic_complexity_matches_radon_on_real_projects() {
    let mut failures = Vec::new();
    for (label, dir) in projects() {
        let theirs = radon(&dir);
        let mut ours_by_file: BTreeMap<String, Option<BTreeMap<Key, u64>>> = BTreeMap::new();
        let (mut agree, mut total) = (0, 0);
        for (key, expected) in &theirs {
            let ours = ours_by_file
                .entry(key.0.clone())
                .or_insert_with(|| tdev(&key.0));
            total += 1;
            let got = ours.as_ref().and_then(|o| o.get(key));
            if got == Some(expected) {
                agree += 1;
            } else {
                let line = std::fs::read_to_string(&key.0)
                    .ok()
                    .and_then(|s| {
                        s.lines()
                            .nth(key.3 as usize - 1)
                            .map(str::trim)
                            .map(str::to_owned)
                    })
                    .unwrap_or_default();
                let cause = match (ours.as_ref(), got) {
                    (None, _) => "tdev saw syntax errors in the file".to_owned(),
                    (Some(_), None) => "tdev found no such block".to_owned(),
                    (Some(_), Some(n)) => format!("tdev counts {n}"),
                };
                println!(
                    "{}:{} {} {}: radon {expected}, {cause}: {line}",
                    key.0, key.3, key.1, key.2
                );
            }
        }
        let share = f64::from(agree) / f64::from(total.max(1));
        println!(
            "{label}: {agree}/{total} blocks agree ({:.2}%)",
            share * 100.0
        );
        if share < REQUIRED_AGREEMENT {
            failures.push(format!("{label}: {:.2}%", share * 100.0));
        }
    }
    assert!(
        failures.is_empty(),
        "below {}%: {failures:?}",
        REQUIRED_AGREEMENT * 100.0
    );
}

/// interrogate's covered and total items per file, with its default settings (the project's
/// own configuration is not read: the API is given a default `InterrogateConfig`).
fn interrogate(dir: &Path) -> BTreeMap<String, (u64, u64)> {
    let script = "import sys\n\
from interrogate.config import InterrogateConfig\n\
from interrogate.coverage import InterrogateCoverage\n\
r = InterrogateCoverage(paths=[sys.argv[1]], conf=InterrogateConfig()).get_coverage()\n\
for f in r.file_results:\n    print(f.covered, f.total, f.filename)\n";
    String::from_utf8(run_python([
        "-c".as_ref(),
        OsStr::new(script),
        dir.as_os_str(),
    ]))
    .unwrap()
    .lines()
    .map(|line| {
        let mut parts = line.splitn(3, ' ');
        let covered = parts.next().unwrap().parse().unwrap();
        let total = parts.next().unwrap().parse().unwrap();
        (parts.next().unwrap().to_owned(), (covered, total))
    })
    .collect()
}

#[test]
fn docstring_coverage_matches_interrogate_on_real_projects() {
    let mut failures = Vec::new();
    for (label, dir) in projects() {
        let theirs = interrogate(&dir);
        let (mut their_covered, mut their_total, mut our_covered, mut our_total) = (0, 0, 0, 0);
        for (file, (covered, total)) in &theirs {
            let source = std::fs::read_to_string(file).unwrap();
            let items = docstring_items(&source).unwrap();
            let ours = (
                items.iter().filter(|i| i.covered).count() as u64,
                items.len() as u64,
            );
            if ours != (*covered, *total) {
                println!(
                    "{file}: interrogate {covered}/{total} documented, tdev {}/{}",
                    ours.0, ours.1
                );
            }
            their_covered += covered;
            their_total += total;
            our_covered += ours.0;
            our_total += ours.1;
        }
        let theirs = 100.0 * their_covered as f64 / their_total.max(1) as f64;
        let ours = 100.0 * our_covered as f64 / our_total.max(1) as f64;
        println!("{label}: interrogate {theirs:.2}%, tdev {ours:.2}%");
        if (theirs - ours).abs() > 0.5 {
            failures.push(format!(
                "{label}: interrogate {theirs:.2}%, tdev {ours:.2}%"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "more than 0.5 points apart: {failures:?}"
    );
}

/// Files above this size are left out of the raw-metrics comparison: radon's line grouping
/// is quadratic in the length of a bracketed run, and the generated tables of idna (a
/// 17,000-line tuple) take it many minutes.
const MAX_RAW_FILE_BYTES: u64 = 200_000;

/// The Python files of `dir` up to [`MAX_RAW_FILE_BYTES`].
fn python_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            python_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "py")
            && std::fs::metadata(&path).unwrap().len() <= MAX_RAW_FILE_BYTES
        {
            out.push(path);
        }
    }
}

/// Runs `radon <command> -j FILES...` and returns its report per file.
fn radon_report(command: &str, dir: &Path) -> serde_json::Map<String, serde_json::Value> {
    let mut files = Vec::new();
    python_files(dir, &mut files);
    let mut args = vec![
        OsStr::new("-m"),
        OsStr::new("radon"),
        OsStr::new(command),
        OsStr::new("-j"),
    ];
    args.extend(files.iter().map(|f| f.as_os_str()));
    let stdout = run_python(args);
    match serde_json::from_slice(&stdout).unwrap() {
        serde_json::Value::Object(map) => map,
        other => panic!("unexpected radon output: {other}"),
    }
}

#[test]
fn maintainability_index_and_raw_metrics_match_radon_on_real_projects() {
    let mut failures = Vec::new();
    for (label, dir) in projects() {
        let mi = radon_report("mi", &dir);
        let raw = radon_report("raw", &dir);
        let (mut files, mut mi_close, mut raw_equal) = (0, 0, 0);
        for (file, report) in &mi {
            let Some(expected) = report["mi"].as_f64() else {
                continue;
            }; // radon could not parse it
            let source = std::fs::read_to_string(file).unwrap();
            files += 1;
            let ours = maintainability_index(&source).unwrap();
            match ours {
                Some(ours) if (ours - expected).abs() <= 1.0 => mi_close += 1,
                _ => println!("{file}: radon mi {expected:.2}, tdev {ours:.2?}"),
            }
            let theirs = &raw[file];
            let ours = raw_metrics(&source);
            let same = ours.is_some_and(|m| {
                [
                    ("loc", m.loc),
                    ("lloc", m.lloc),
                    ("sloc", m.sloc),
                    ("comments", m.comments),
                    ("multi", m.multi),
                    ("blank", m.blank),
                    ("single_comments", m.single_comments),
                ]
                .iter()
                .all(|(key, value)| theirs[*key].as_u64() == Some(u64::from(*value)))
            });
            if same {
                raw_equal += 1;
            } else {
                println!("{file}: radon raw {theirs}, tdev {ours:?}");
            }
        }
        println!(
            "{label}: MI within 1.0 on {mi_close}/{files} files, raw metrics equal on {raw_equal}/{files}"
        );
        if mi_close < files {
            failures.push(format!(
                "{label}: MI within 1.0 on {mi_close}/{files} files"
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:?}");
}
