//! `tdev evolve` on a real project, as a user with no model configured runs it: the plain
//! command plans and attempts only what tool fixers and codemods can do, keeps what
//! `--backend tools` keeps, attempts no model strategy, and says what it left out for want
//! of a model. The project is toolz from the dataset manifest, made a git repository in a
//! temporary directory as `scripts/demo` does.

#[path = "support/git.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use support::{cache, git};

/// Runs tdev in `dir` (its data directory is `dir/.tdev`), with tdev's tool environment and
/// a per-user data directory of the test's own; returns stdout and stderr.
fn tdev(dir: &Path, args: &[&str]) -> (String, String) {
    let tools = cache("tools", "TDEV_TOOLS_DIR");
    assert!(
        tools.join("tdev-pins.sha256").is_file(),
        "{} is not installed: run scripts/test (it runs `tdev tools install`)",
        tools.display()
    );
    let output = Command::new(env!("CARGO_BIN_EXE_tdev"))
        .args(args)
        .current_dir(dir)
        .env("TDEV_TOOLS_DIR", &tools)
        .env("XDG_DATA_HOME", dir.join(".xdg-of-this-test"))
        .env_remove("TDEV_DATA_DIR")
        .env_remove("RUST_LOG")
        .output()
        .expect("running tdev");
    let (stdout, stderr) = (
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    );
    assert!(output.status.success(), "tdev {args:?}:\n{stderr}");
    (stdout, stderr)
}

/// toolz's released sources as a fresh git repository under `root`, with a data directory
/// of its own beside it; returns (the repository, the directory holding `.tdev/`).
fn toolz(root: &Path) -> (PathBuf, PathBuf) {
    let datasets = cache("datasets", "TDEV_DATASETS");
    let sources = datasets.join("toolz-1.2.0");
    assert!(
        sources.is_dir(),
        "{} is missing: run scripts/fetch-datasets",
        sources.display()
    );
    let repo = root.join("toolz");
    let copied = Command::new("cp")
        .arg("-r")
        .arg(&sources)
        .arg(&repo)
        .status()
        .unwrap();
    assert!(copied.success());
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "toolz 1.2.0"]);
    let data = root.join("data");
    std::fs::create_dir_all(&data).unwrap();
    tdev(&data, &["init"]);
    (repo, data)
}

/// One cycle on a fresh toolz with `extra` arguments: the record, what the kept branches
/// change (by task, against main), and the progress lines.
fn one_cycle(extra: &[&str]) -> (serde_json::Value, Vec<(String, String)>, String) {
    let root = tempfile::tempdir().unwrap();
    let (repo, data) = toolz(root.path());
    let mut args = vec![
        "evolve",
        "--repo",
        repo.to_str().unwrap(),
        "--cycles",
        "1",
        "--max-tasks",
        "4",
        "--json",
    ];
    args.extend(extra);
    let (stdout, stderr) = tdev(&data, &args);
    let records: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let record = records[0].clone();
    // Branch names carry the cycle's id, which carries the time: compare by task.
    let id = record["id"].as_str().unwrap().to_owned();
    let mut kept: Vec<(String, String)> = git(&repo, &["branch", "--list", "tdev/auto/*"])
        .lines()
        .map(|line| line.trim().trim_start_matches("* ").to_owned())
        .map(|branch| {
            let task = branch
                .strip_prefix(&format!("tdev/auto/{id}-"))
                .unwrap_or(&branch)
                .to_owned();
            (task, git(&repo, &["diff", &format!("main...{branch}")]))
        })
        .collect();
    kept.sort();
    // What the graph recorded agrees with the record.
    let (csv, _) = tdev(
        &data,
        &[
            "sparql",
            "PREFIX tdev: <https://tdev.dev/ns#> SELECT ?strategy WHERE { ?a a tdev:Attempt ; tdev:strategy ?strategy } ORDER BY ?strategy",
            "--format",
            "csv",
        ],
    );
    let mut recorded: Vec<String> = record["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["strategy"].as_str().unwrap().to_owned())
        .collect();
    recorded.sort();
    let in_graph: Vec<String> = csv.lines().skip(1).map(|l| l.trim().to_owned()).collect();
    assert_eq!(in_graph, recorded, "{csv}");
    (record, kept, stderr)
}

/// The attempts of a record as `task strategy passed`, one a line.
fn attempts(record: &serde_json::Value) -> Vec<String> {
    record["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| format!("{} {} {}", a["task"], a["strategy"], a["gate"]["passed"]))
        .collect()
}

#[test]
fn with_no_model_a_plain_evolve_keeps_what_backend_tools_keeps_and_tries_no_model() {
    let (plain, plain_kept, progress) = one_cycle(&[]);
    let (tools, tools_kept, _) = one_cycle(&["--backend", "tools"]);

    // Something was tried and kept, so the comparison can tell the two apart.
    assert!(!plain_kept.is_empty(), "{plain:#}");
    assert_eq!(plain_kept, tools_kept);
    assert_eq!(attempts(&plain), attempts(&tools), "{plain:#}\n{tools:#}");
    let strategies: Vec<&str> = plain["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .chain(plain["tasks"].as_array().unwrap())
        .map(|a| a["strategy"].as_str().unwrap())
        .collect();
    assert!(
        strategies.iter().all(|s| !s.starts_with("llm:")),
        "{strategies:?}"
    );
    // toolz has complex functions only a model could refactor: the plan says it left them
    // out and how to have them done.
    assert!(
        progress.contains("need a model (") || progress.contains("needs a model ("),
        "{progress}"
    );
    assert!(
        progress.contains("add an [llm] table to tdev.toml, see docs/backends.md"),
        "{progress}"
    );
}
