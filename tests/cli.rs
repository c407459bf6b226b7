//! The `tdev` binary as a user runs it: separate processes, real files, exit codes.

#[path = "support/git.rs"]
mod support;
#[path = "support/synthetic.rs"]
mod synthetic;

use std::path::Path;
use std::process::{Command, Output};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn tdev(dir: &Path, args: &[&str]) -> Run {
    tdev_with(dir, args, &[])
}

/// Runs tdev in `dir` with `env` set besides.
fn tdev_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = Command::new(env!("CARGO_BIN_EXE_tdev"))
        .args(args)
        .current_dir(dir)
        .env_remove("TDEV_DATA_DIR")
        // The per-user data directory of these runs is their own, and empty.
        .env("XDG_DATA_HOME", dir.join(".xdg-of-this-test"))
        .env_remove("RUST_LOG")
        .envs(env.iter().copied())
        .output()
        .expect("running tdev");
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8(stdout).unwrap(),
        stderr: String::from_utf8(stderr).unwrap(),
    }
}

/// Runs tdev expecting the user's-mistake exit code 2 and `message` on stderr.
fn fails(dir: &Path, args: &[&str], message: &str) {
    let run = tdev(dir, args);
    assert_eq!(run.code, 2, "tdev {args:?} should fail: {}", run.stderr);
    assert!(run.stderr.contains(message), "{}", run.stderr);
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let run = tdev(dir, args);
    assert_eq!(run.code, 0, "tdev {args:?} failed:\n{}", run.stderr);
    run.stdout
}

fn initialised() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["init"]);
    dir
}

/// Configures a model in the data directory `dir/.tdev` (an [llm] table; nothing contacts
/// it unless a cycle attempts a task), so that plans hold the work only a model can do.
fn with_llm(dir: &Path) {
    let config = dir.join(".tdev/tdev.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("\n[llm]\nprovider = \"openai\"\nmodel = \"m\"\n");
    std::fs::write(config, text).unwrap();
}

/// Number of quads, read from `kg stats --json`.
fn quads(dir: &Path) -> u64 {
    let stats: serde_json::Value =
        serde_json::from_str(&ok(dir, &["kg", "stats", "--json"])).unwrap();
    stats["quads"].as_u64().unwrap()
}

const COUNT_ALL: &str = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }";

fn count_all(dir: &Path) -> u64 {
    let csv = ok(dir, &["sparql", COUNT_ALL, "--format", "csv"]);
    csv.lines().nth(1).unwrap().trim().parse().unwrap()
}

#[test]
fn init_then_count_prints_the_ontology_triples() {
    let dir = initialised();
    let ontology = oxigraph::io::RdfParser::from_format(oxigraph::io::RdfFormat::Turtle)
        .for_slice(tdev_knowledge::ONTOLOGY)
        .count() as u64;
    let table = ok(dir.path(), &["sparql", COUNT_ALL]);
    assert_eq!(
        table.lines().nth(2).map(str::trim),
        Some(ontology.to_string().as_str()),
        "{table}"
    );
    assert!(dir.path().join(".tdev/tdev.toml").is_file());
    let again = ok(dir.path(), &["init"]);
    assert!(again.contains("already a tdev data directory"), "{again}");
    assert_eq!(count_all(dir.path()), ontology);
}

#[test]
fn commands_find_the_data_directory_from_a_subdirectory() {
    let dir = initialised();
    let nested = dir.path().join("src/deep");
    std::fs::create_dir_all(&nested).unwrap();
    assert!(count_all(&nested) > 0);
    let elsewhere = tempfile::tempdir().unwrap();
    fails(
        elsewhere.path(),
        &["sparql", COUNT_ALL],
        "run `tdev init` there or pass --data-dir",
    );
    // Once the per-user data directory exists (`tdev evolve` or `tdev cycles` made it outside
    // any `.tdev/`), the queries read it.
    ok(elsewhere.path(), &["cycles"]);
    assert!(count_all(elsewhere.path()) > 0);
    let data_dir = dir.path().join(".tdev");
    let explicit = ok(
        elsewhere.path(),
        &["--data-dir", data_dir.to_str().unwrap(), "kg", "stats"],
    );
    assert!(explicit.contains("ontology triples"), "{explicit}");
}

#[test]
fn a_malformed_query_exits_2_with_position_and_changes_nothing() {
    let dir = initialised();
    let before = quads(dir.path());
    let run = tdev(dir.path(), &["sparql", "SELECT ?s\nWHERE { ?s ?p }"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .starts_with("error: invalid SPARQL query at <query>:2:"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("WHERE { ?s ?p }\n"),
        "the offending line is shown: {}",
        run.stderr
    );
    let run = tdev(
        dir.path(),
        &["sparql", "--update", "INSERT DATA { <http://a> }"],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(quads(dir.path()), before);
}

#[test]
fn an_unknown_format_lists_the_valid_ones() {
    let dir = initialised();
    fails(
        dir.path(),
        &["sparql", COUNT_ALL, "--format", "yaml"],
        "[possible values: json, xml, csv, tsv, table, turtle, ntriples]",
    );
    fails(
        dir.path(),
        &["sparql", COUNT_ALL, "--format", "turtle"],
        "use one of: json, xml, csv, tsv, table",
    );
}

#[test]
fn a_recorded_cycle_is_visible_to_the_next_process() {
    let dir = initialised();
    let records: Vec<_> = (0..3).map(|i| synthetic::record(3, i)).collect();
    let file = dir.path().join("cycles.json");
    std::fs::write(&file, serde_json::to_string(&records).unwrap()).unwrap();
    ok(dir.path(), &["kg", "record", "cycles.json"]);
    let csv = ok(
        dir.path(),
        &[
            "sparql",
            "SELECT ?c WHERE { ?c a <https://tdev.dev/ns#Cycle> } ORDER BY ?c",
            "--format",
            "csv",
        ],
    );
    assert_eq!(csv.lines().count(), 4, "{csv}");
    assert!(csv.contains(&records[2].id), "{csv}");
    // One query file answers for any repository through --bind.
    let trend = Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge/queries/repository-trend.rq");
    let trend = trend.to_str().unwrap();
    let repo = format!(
        "repository=<https://tdev.dev/id/repo/{}>",
        records[0].repository.name
    );
    let one = ok(
        dir.path(),
        &[
            "sparql", "--file", trend, "--bind", &repo, "--format", "csv",
        ],
    );
    assert_eq!(one.lines().count(), 2, "one repository, one day: {one}");
    let all = ok(dir.path(), &["sparql", "--file", trend, "--format", "csv"]);
    assert_eq!(all.lines().count(), 4, "three repositories: {all}");
    fails(
        dir.path(),
        &["sparql", "--file", trend, "--bind", "repository"],
        "expected NAME=VALUE",
    );
    // Recording them again is refused, names the problem and writes nothing.
    let before = quads(dir.path());
    fails(
        dir.path(),
        &["kg", "record", "cycles.json"],
        "is already recorded",
    );
    assert_eq!(quads(dir.path()), before);
    let run = tdev(
        dir.path(),
        &["kg", "record", "--skip-recorded", "cycles.json"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("recorded 0 cycle(s), skipped 3 already recorded"),
        "{}",
        run.stderr
    );
    // A file that is not a record says where.
    std::fs::write(dir.path().join("bad.json"), "{\"id\": 3}").unwrap();
    fails(dir.path(), &["kg", "record", "bad.json"], "bad.json:1:");
}

#[test]
fn a_second_process_is_told_who_holds_the_store() {
    let dir = initialised();
    let lock = tdev_knowledge::DataDirLock::acquire(&dir.path().join(".tdev")).unwrap();
    let run = tdev(dir.path(), &["sparql", COUNT_ALL]);
    assert_eq!(run.code, 2);
    let holder = format!("is in use by pid {} (", std::process::id());
    assert!(run.stderr.contains(&holder), "{}", run.stderr);
    assert!(
        !run.stderr.contains("Resource temporarily unavailable"),
        "{}",
        run.stderr
    );
    drop(lock);
    assert!(count_all(dir.path()) > 0);
}

#[test]
fn dump_then_load_into_a_fresh_store_round_trips() {
    let dir = initialised();
    let records: Vec<_> = (0..20).map(|i| synthetic::record(5, i)).collect();
    std::fs::write(
        dir.path().join("c.json"),
        serde_json::to_string(&records).unwrap(),
    )
    .unwrap();
    ok(dir.path(), &["kg", "record", "c.json"]);
    ok(dir.path(), &["kg", "dump", "--output", "all.nq"]);
    let fresh = initialised();
    let dump = dir.path().join("all.nq");
    ok(fresh.path(), &["kg", "load", dump.to_str().unwrap()]);
    assert_eq!(quads(fresh.path()), quads(dir.path()));
    let queries = Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge/queries");
    for entry in std::fs::read_dir(queries).unwrap() {
        let path = entry.unwrap().path();
        let args = [
            "sparql",
            "--file",
            path.to_str().unwrap(),
            "--format",
            "tsv",
        ];
        assert_eq!(
            ok(fresh.path(), &args),
            ok(dir.path(), &args),
            "{}",
            path.display()
        );
    }
    std::fs::write(fresh.path().join("bad.ttl"), "<http://a> <http://b> .").unwrap();
    let before = quads(fresh.path());
    fails(
        fresh.path(),
        &["kg", "load", "bad.ttl"],
        "cannot load bad.ttl",
    );
    assert_eq!(quads(fresh.path()), before);
}

#[test]
fn patterns_can_be_added_and_searched() {
    let dir = initialised();
    let patterns = r#"[
      {"situation": "yaml.load without a Loader", "strategy": "codemod:safe-load", "language": "python", "successes": 4, "failures": 1},
      {"situation": "comparison to None with ==", "strategy": "ruff-fix:E711", "language": "python", "successes": 9, "failures": 0}
    ]"#;
    std::fs::write(dir.path().join("p.json"), patterns).unwrap();
    ok(dir.path(), &["patterns", "add", "p.json"]);
    let text = ok(dir.path(), &["patterns", "search", "yaml.load(stream)"]);
    assert!(
        text.starts_with("1. codemod:safe-load [python] passed 4/5 (80%)"),
        "{text}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&ok(dir.path(), &["patterns", "search", "None", "--json"])).unwrap();
    assert_eq!(json[0]["pattern"]["strategy"], "ruff-fix:E711");
}

#[test]
fn completions_are_generated() {
    let dir = tempfile::tempdir().unwrap();
    let script = ok(dir.path(), &["completions", "bash"]);
    assert!(
        script.contains("sparql") && script.contains("--data-dir"),
        "{script}"
    );
}

#[test]
fn the_configured_format_is_the_default_and_a_bad_config_is_located() {
    let dir = initialised();
    let config = dir.path().join(".tdev/tdev.toml");
    std::fs::write(&config, "[sparql]\nformat = \"csv\"\n").unwrap();
    let csv = ok(dir.path(), &["sparql", COUNT_ALL]);
    assert!(csv.starts_with("n\r\n"), "{csv}");
    std::fs::write(&config, "[sparql]\nformat = \"yaml\"\n").unwrap();
    fails(
        dir.path(),
        &["sparql", COUNT_ALL],
        "tdev.toml:2:10: unknown variant `yaml`",
    );
}

#[test]
fn triples_load_into_the_named_graph_asked_for() {
    let dir = initialised();
    std::fs::write(
        dir.path().join("notes.ttl"),
        "<https://example.org/a> <https://example.org/says> \"hello\" .\n",
    )
    .unwrap();
    ok(
        dir.path(),
        &[
            "kg",
            "load",
            "notes.ttl",
            "--graph",
            "https://example.org/notes",
        ],
    );
    let query = "SELECT ?g WHERE { GRAPH ?g { ?s <https://example.org/says> ?o } }";
    let csv = ok(dir.path(), &["sparql", query, "--format", "csv"]);
    assert_eq!(csv, "g\r\nhttps://example.org/notes\r\n");
    let turtle = ok(
        dir.path(),
        &[
            "kg",
            "dump",
            "--graph",
            "https://example.org/notes",
            "--format",
            "turtle",
        ],
    );
    assert!(turtle.contains("\"hello\""), "{turtle}");
    let run = tdev(dir.path(), &["kg", "dump", "--format", "turtle"]);
    assert_eq!(run.code, 2, "a whole store needs a dataset format");
    assert!(run.stderr.contains("nquads, trig"), "{}", run.stderr);
}

/// The planner's fixture: findings as `tdev scan --json` prints them.
const SHOP_FINDINGS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/planner/test_data/findings/shop.json"
);

/// `tdev plan --json` of the shop's findings towards security, run in `dir`.
fn security_plan(dir: &Path) -> serde_json::Value {
    let json = ok(
        dir,
        &[
            "plan",
            "--findings",
            SHOP_FINDINGS,
            "--goal",
            "security",
            "--json",
        ],
    );
    serde_json::from_str(&json).unwrap()
}

#[test]
fn plan_prints_text_json_and_mermaid_from_a_findings_file() {
    let dir = initialised();
    with_llm(dir.path());
    let text = ok(dir.path(), &["plan", "--findings", SHOP_FINDINGS]);
    let snapshot = include_str!("../planner/test_data/plans/shop-overall.txt");
    assert_eq!(text, snapshot);
    let plan = security_plan(dir.path());
    assert_eq!(plan["goal"], "security");
    let strategies: Vec<&str> = plan["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["strategy"].as_str().unwrap())
        .collect();
    assert_eq!(strategies, ["codemod:yaml-safe-load", "llm:fix-security"]);
    let mermaid = ok(
        dir.path(),
        &[
            "plan",
            "--findings",
            SHOP_FINDINGS,
            "--mermaid",
            "--max-tasks",
            "3",
        ],
    );
    assert!(mermaid.starts_with("flowchart TD\n"), "{mermaid}");
    assert_eq!(mermaid.matches("[\"t").count(), 3, "{mermaid}");
}

#[test]
fn with_no_model_configured_plan_leaves_model_work_out_and_says_how_to_enable_it() {
    // No data directory at all: the defaults, which configure no model.
    let dir = tempfile::tempdir().unwrap();
    let text = ok(dir.path(), &["plan", "--findings", SHOP_FINDINGS]);
    let snapshot = include_str!("../planner/test_data/plans/shop-overall-no-model.txt");
    assert_eq!(text, snapshot);
    assert!(!text.contains("llm:"), "{text}");
    let json = security_plan(dir.path());
    let strategies: Vec<&str> = json["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["strategy"].as_str().unwrap())
        .collect();
    assert_eq!(strategies, ["codemod:yaml-safe-load"]);
    assert_eq!(json["needs_model"]["tasks"]["secure"], 1, "{json:#}");
    assert_eq!(json["needs_model"]["because"], "no-llm", "{json:#}");
    // A data directory without an [llm] table plans the same; with one, everything.
    let data = initialised();
    assert_eq!(
        ok(data.path(), &["plan", "--findings", SHOP_FINDINGS]),
        snapshot
    );
    with_llm(data.path());
    assert_eq!(
        ok(data.path(), &["plan", "--findings", SHOP_FINDINGS]),
        include_str!("../planner/test_data/plans/shop-overall.txt")
    );
}

#[test]
fn evolve_refuses_a_backend_that_is_not_configured_with_exit_2() {
    let dir = initialised();
    let repo = support::committed(&[("a.py", "x = 1\n")]);
    let repo = repo.path().to_str().unwrap();
    fails(
        dir.path(),
        &["evolve", "--repo", repo, "--backend", "llm", "--dry-run"],
        "--backend llm needs an [llm] table in",
    );
    fails(
        dir.path(),
        &[
            "evolve",
            "--repo",
            repo,
            "--backend",
            "command",
            "--dry-run",
        ],
        "--backend command needs a [command] table in",
    );
}

#[test]
fn plan_reads_a_bare_array_of_findings() {
    let dir = tempfile::tempdir().unwrap();
    let scan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(SHOP_FINDINGS).unwrap()).unwrap();
    std::fs::write(dir.path().join("array.json"), scan["findings"].to_string()).unwrap();
    let text = ok(
        dir.path(),
        &[
            "plan",
            "--findings",
            "array.json",
            "--goal",
            "fix lint findings",
        ],
    );
    assert!(
        text.starts_with("Plan for \"fix lint findings\": 5 tasks"),
        "{text}"
    );
    let capped = ok(
        dir.path(),
        &[
            "plan",
            "--findings",
            "array.json",
            "--goal",
            "lint",
            "--max-tasks",
            "0",
        ],
    );
    assert_eq!(
        capped,
        "Nothing to plan for \"fix lint findings\": the cap on tasks left out all 5.\n"
    );
    std::fs::write(dir.path().join("empty.json"), "[]").unwrap();
    let empty = ok(dir.path(), &["plan", "--findings", "empty.json"]);
    assert_eq!(
        empty,
        "Nothing to plan for \"improve overall quality\": no finding is in its scope.\n"
    );
}

#[test]
fn plan_refuses_a_malformed_file_and_an_unknown_goal_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.json"),
        "{\"findings\": [\n  {\"id\": 3}\n]}",
    )
    .unwrap();
    fails(
        dir.path(),
        &["plan", "--findings", "bad.json"],
        "error: bad.json:2:10: not an array of findings or an object with a `findings` array",
    );
    std::fs::write(dir.path().join("text.json"), "findings!").unwrap();
    fails(
        dir.path(),
        &["plan", "--findings", "text.json"],
        "error: text.json: not an array of findings or an object with a `findings` array",
    );
    fails(
        dir.path(),
        &[
            "plan",
            "--findings",
            SHOP_FINDINGS,
            "--goal",
            "make it fast",
        ],
        "error: unknown goal \"make it fast\"; the known goals are: \"improve overall quality\", \
         \"raise quality of the hotspots\", \"fix security findings\", \"lift coverage\", \"fix \
         lint findings\", \"improve documentation\"",
    );
    fails(
        dir.path(),
        &["plan", "--findings", SHOP_FINDINGS, "--json", "--mermaid"],
        "cannot be used with",
    );
}

#[test]
fn plan_scans_a_repository_first() {
    let repo = tempfile::tempdir().unwrap();
    let branches: String = (0..15)
        .map(|i| format!("    if x == {i}:\n        return {i}\n"))
        .collect();
    std::fs::write(
        repo.path().join("app.py"),
        format!(
            "\"\"\"App.\"\"\"\n\ndef route(x):\n    \"\"\"Route.\"\"\"\n{branches}    return None\n"
        ),
    )
    .unwrap();
    let data = initialised();
    with_llm(data.path());
    let data_dir = data.path().join(".tdev");
    let plan: serde_json::Value = serde_json::from_str(&ok(
        repo.path(),
        &[
            "--data-dir",
            data_dir.to_str().unwrap(),
            "plan",
            "--repo",
            ".",
            "--json",
        ],
    ))
    .unwrap();
    let tasks = plan["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 1, "{plan:#}");
    assert_eq!(tasks[0]["kind"], "reduce-complexity");
    assert_eq!(tasks[0]["addresses"].as_array().unwrap().len(), 1);
    fails(
        repo.path(),
        &["plan", "--repo", "missing"],
        "missing is not a directory",
    );
}

#[test]
fn evolve_refuses_a_directory_that_is_not_a_git_repository() {
    let dir = initialised();
    let plain = tempfile::tempdir().unwrap();
    let run = tdev(
        dir.path(),
        &[
            "evolve",
            "--repo",
            plain.path().to_str().unwrap(),
            "--dry-run",
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("not a git repository"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("tdev evolve works on a git repository"),
        "{}",
        run.stderr
    );
}

/// Runs git in `dir` as a user with a fixed identity.
fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=u", "-c", "user.email=u@example.com"])
        .args(args)
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

/// Whether this process runs as root, the only user that can give files away: the owner of
/// a file it just made.
fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    let file = tempfile::NamedTempFile::new().unwrap();
    file.as_file().metadata().unwrap().uid() == 0
}

#[test]
fn a_repository_owned_by_another_user_is_reported_as_gits_refusal_not_as_no_repository() {
    if !is_root() {
        println!("skipped: only root can give a repository to another user (chown)");
        return;
    }
    let dir = initialised();
    let repo = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| git(repo.path(), args);
    git(&["init", "-q"]);
    std::fs::write(repo.path().join("app.py"), "x = 1\n").unwrap();
    git(&["add", "."]);
    git(&["commit", "-qm", "init"]);
    // As an unpacked archive or a mounted volume is: another user's.
    let chown = Command::new("chown")
        .args(["-R", "12345:12345"])
        .arg(repo.path())
        .status()
        .unwrap();
    assert!(chown.success());

    let top = repo.path().canonicalize().unwrap();
    let path = top.to_str().unwrap();
    let trust = format!("`git config --global --add safe.directory {path}`");
    for args in [
        &["evolve", "--repo", path, "--cycles", "1"][..],
        &["scan", "--repo", path],
        &["plan", "--repo", path],
    ] {
        // Only git's defaults: no safe.directory of this machine's configuration.
        let git_defaults = [
            ("GIT_CONFIG_GLOBAL", "/dev/null"),
            ("GIT_CONFIG_NOSYSTEM", "1"),
        ];
        let run = tdev_with(dir.path(), args, &git_defaults);
        assert_eq!(run.code, 2, "tdev {args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains(&format!(
                "git refuses to work in {path}: the repository is owned by another user, and \
                 git's `safe.directory` setting does not list it; if you trust it, run {trust}"
            )),
            "tdev {args:?}: {}",
            run.stderr
        );
        assert!(
            !run.stderr.contains("git init"),
            "tdev {args:?}: {}",
            run.stderr
        );
    }
}

#[test]
fn a_dry_run_records_the_plan_and_changes_nothing() {
    let dir = initialised();
    with_llm(dir.path());
    let branches: String = (0..15)
        .map(|i| format!("    if x == {i}:\n        return {i}\n"))
        .collect();
    let app = format!(
        "\"\"\"App.\"\"\"\n\ndef route(x):\n    \"\"\"Route.\"\"\"\n{branches}    return None\n"
    );
    let repo = support::committed(&[("app.py", &app)]);
    let records: serde_json::Value = serde_json::from_str(&ok(
        dir.path(),
        &[
            "evolve",
            "--repo",
            repo.path().to_str().unwrap(),
            "--dry-run",
            "--json",
        ],
    ))
    .unwrap();
    let record = &records[0];
    assert_eq!(record["outcome"], "no-change", "{record:#}");
    assert_eq!(
        record["tasks"][0]["kind"], "reduce-complexity",
        "{record:#}"
    );
    assert!(record["attempts"].as_array().unwrap().is_empty());
    // The task keeps what its estimate was made from, in the record and in the graph.
    let features = &record["tasks"][0]["features"];
    assert_eq!(features["strategy"], "llm:refactor", "{record:#}");
    // The function's complexity and the file's hotspot.
    assert_eq!(features["findings"], 2, "{record:#}");
    let csv = ok(
        dir.path(),
        &[
            "sparql",
            "PREFIX tdev: <https://tdev.dev/ns#> SELECT ?findings ?complexity WHERE { \
             ?task tdev:features [ tdev:findingsAddressed ?findings ; \
             tdev:totalComplexity ?complexity ] }",
            "--format",
            "csv",
        ],
    );
    let row: Vec<&str> = csv.lines().nth(1).unwrap().trim().split(',').collect();
    let complexity = features["total_complexity"].as_f64().unwrap();
    assert!(complexity > 0.0, "{record:#}");
    assert_eq!(row[0], "2", "{csv}");
    assert_eq!(row[1].parse::<f64>().unwrap(), complexity, "{csv}");
    let cycles = ok(dir.path(), &["cycles", "--json"]);
    let cycles: serde_json::Value = serde_json::from_str(&cycles).unwrap();
    assert_eq!(cycles[0]["id"], record["id"]);
    assert_eq!(cycles[0]["tasks"], "1");
    let shown = ok(dir.path(), &["show", record["id"].as_str().unwrap()]);
    assert!(
        shown.contains("Refactor to reduce complexity in app.py"),
        "{shown}"
    );
    fails(
        dir.path(),
        &["show", "no-such-cycle"],
        "no cycle no-such-cycle is recorded",
    );
}

/// `tdev learn eval` trains on the past and scores what came after, against the heuristic;
/// with too little history it says so and exits 2.
#[test]
fn learn_eval_scores_the_models_against_the_heuristic_in_time_order() {
    let dir = initialised();
    fails(dir.path(), &["learn", "eval"], "0 attempts are recorded");
    let records: Vec<_> = (0..60).map(|i| synthetic::record(5, i)).collect();
    let attempts: usize = records.iter().map(|r| r.attempts.len()).sum();
    std::fs::write(
        dir.path().join("cycles.json"),
        serde_json::to_string(&records).unwrap(),
    )
    .unwrap();
    ok(dir.path(), &["kg", "record", "cycles.json"]);

    let report: serde_json::Value =
        serde_json::from_str(&ok(dir.path(), &["learn", "eval", "--json"])).unwrap();
    assert_eq!(report["rows"].as_u64().unwrap() as usize, attempts);
    let scored = report["scored"].as_u64().unwrap() as usize;
    assert_eq!(scored, attempts - attempts.div_ceil(2), "{report}");
    let calibrated: u64 = report["learned"]["calibration"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["count"].as_u64().unwrap())
        .sum();
    assert_eq!(
        calibrated as usize, scored,
        "every scored attempt is in a bin"
    );
    // The synthetic attempts take 0 to 10 minutes; the heuristic guesses in tenths of hours.
    let mae = |who: &str| report[who]["effort_mae_secs"].as_f64().unwrap();
    assert!(mae("learned") < mae("heuristic"), "{report}");

    let text = ok(dir.path(), &["learn", "eval"]);
    assert!(text.contains("effort: within ±30%"), "{text}");
    assert!(
        text.contains("Calibration of the learned success probability"),
        "{text}"
    );
}

/// `tdev learn report` writes one page of charts with the numbers of `tdev learn eval`, every
/// text from the graph escaped; without enough history, or with an output that is a file, it
/// says so, exits 2 and writes nothing.
#[test]
fn learn_report_writes_a_page_of_charts_with_the_numbers_of_learn_eval() {
    let dir = initialised();
    fails(
        dir.path(),
        &["learn", "report", "--out", "report"],
        "0 attempts are recorded",
    );
    assert!(!dir.path().join("report").exists());
    let mut records: Vec<_> = (0..60).map(|i| synthetic::record(5, i)).collect();
    records[3].repository.name = "<b>bold</b>".into();
    // The latest cycle's goal is its repository's latest, which the page shows.
    records[59].goal = "<script>alert(1)</script>".into();
    std::fs::write(
        dir.path().join("cycles.json"),
        serde_json::to_string(&records).unwrap(),
    )
    .unwrap();
    ok(dir.path(), &["kg", "record", "cycles.json"]);
    let eval: serde_json::Value =
        serde_json::from_str(&ok(dir.path(), &["learn", "eval", "--json"])).unwrap();

    let printed = ok(dir.path(), &["learn", "report", "--out", "report/nested"]);
    assert_eq!(printed.trim(), "report/nested/index.html");
    let out = dir.path().join("report/nested");
    let page = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
    assert!(page.trim_end().ends_with("</html>"));
    assert!(page.matches("<svg").count() >= 3, "{page}");
    assert_eq!(page.matches("<svg").count(), page.matches("</svg>").count());
    assert!(
        !page.contains("<script") && !page.contains("src=\""),
        "no script, nothing loaded"
    );
    let number = |path: &[&str]| {
        path.iter()
            .fold(&eval, |v, key| &v[*key])
            .as_f64()
            .unwrap_or_else(|| panic!("{path:?} in {eval}"))
    };
    // The summary table's cells, formatted as `tdev learn eval` prints them.
    for expected in [
        format!("{:.3}", number(&["learned", "auc"])),
        format!("{:.3}", number(&["heuristic", "auc"])),
        format!("{:.3}", number(&["learned", "brier"])),
        format!("{:.1} s", number(&["learned", "effort_mae_secs"])),
        format!("{:.1} s", number(&["heuristic", "effort_mae_secs"])),
    ] {
        let cell = format!("<td>{expected}</td>");
        assert!(page.contains(&cell), "{cell} is not in the page");
    }
    assert!(page.contains(&format!("{} attempts recorded", eval["rows"])));
    assert!(
        page.contains("<td>effort</td><td>1</td>"),
        "the model versions recorded: {page}"
    );
    assert!(!page.contains("<b>bold"), "{page}");
    assert!(page.contains("&lt;b&gt;bold&lt;/b&gt;"), "{page}");
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{page}"
    );
    let files: Vec<_> = std::fs::read_dir(&out).unwrap().collect();
    assert_eq!(files.len(), 1, "no temporary file is left: {files:?}");

    std::fs::write(dir.path().join("page.html"), "kept").unwrap();
    fails(
        dir.path(),
        &["learn", "report", "--out", "page.html"],
        "page.html is not a directory",
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("page.html")).unwrap(),
        "kept"
    );
}

/// `tdev ask` about failures answers, from the running statistics, what the recorded attempts
/// say: each failing strategy's failures and gate conditions, its passes here and everywhere,
/// every cycle it was tried in (newest first: tdev's ids sort by time, the synthetic ones too)
/// and one of the gate's reasons.
#[test]
fn ask_which_strategies_fail_answers_what_the_records_say() {
    use std::collections::BTreeMap;
    use tdev_core::{Strategy, Timestamp};
    let dir = initialised();
    let records: Vec<_> = (0..40).map(|i| synthetic::record(3, i)).collect();
    std::fs::write(
        dir.path().join("cycles.json"),
        serde_json::to_string(&records).unwrap(),
    )
    .unwrap();
    ok(dir.path(), &["kg", "record", "cycles.json"]);
    // A repository named like the synthetic one.
    let parent = tempfile::tempdir().unwrap();
    let repo = parent.path().join("attrs");
    std::fs::create_dir(&repo).unwrap();
    std::fs::write(repo.join("app.py"), "x = 1\n").unwrap();
    support::git(&repo, &["init", "-q", "-b", "main"]);
    support::git(&repo, &["add", "-A"]);
    support::git(&repo, &["commit", "-q", "-m", "files"]);
    let question = "which strategies fail on this repository and why";
    let answer: serde_json::Value = serde_json::from_str(&ok(
        dir.path(),
        &["ask", question, "--repo", repo.to_str().unwrap(), "--json"],
    ))
    .unwrap();
    assert_eq!(answer["repository"], "attrs", "{answer:#}");

    #[derive(Default)]
    struct Expected {
        attempts: u32,
        passes: u32,
        conditions: BTreeMap<String, u32>,
        cycles: Vec<(Timestamp, String)>,
        reason: Option<String>,
    }
    let mut here: BTreeMap<Strategy, Expected> = BTreeMap::new();
    let mut everywhere: BTreeMap<Strategy, (u32, u32)> = BTreeMap::new();
    for record in &records {
        for a in &record.attempts {
            let all = everywhere.entry(a.strategy.clone()).or_default();
            all.0 += 1;
            all.1 += u32::from(a.gate.passed);
            if record.repository.name != "attrs" {
                continue;
            }
            let e = here.entry(a.strategy.clone()).or_default();
            e.attempts += 1;
            e.passes += u32::from(a.gate.passed);
            for condition in &a.gate.failed {
                *e.conditions.entry(condition.clone()).or_default() += 1;
            }
            let cycle = (record.started_at, record.id.clone());
            if !e.cycles.contains(&cycle) {
                e.cycles.push(cycle);
            }
            if !a.gate.passed {
                for reason in &a.gate.reasons {
                    if e.reason.as_ref().is_none_or(|r| reason < r) {
                        e.reason = Some(reason.clone());
                    }
                }
            }
        }
    }
    let mut failing: Vec<(&Strategy, &Expected)> =
        here.iter().filter(|(_, e)| e.passes < e.attempts).collect();
    failing.sort_by_key(|(_, e)| std::cmp::Reverse(e.attempts - e.passes));
    failing.truncate(5);
    let recommendations = answer["recommendations"].as_array().unwrap();
    assert_eq!(recommendations.len(), failing.len(), "{answer:#}");
    assert!(failing.len() >= 3, "the sample has failures");
    for (got, (strategy, e)) in recommendations.iter().zip(failing) {
        let conditions: Vec<String> = e
            .conditions
            .iter()
            .map(|(c, n)| format!("{c} ({n})"))
            .collect();
        assert_eq!(
            got["summary"],
            format!(
                "{strategy} failed {} of {} attempts here, on {}",
                e.attempts - e.passes,
                e.attempts,
                conditions.join(", ")
            )
        );
        assert_eq!(got["confidence"]["observations"], e.attempts);
        let (all, all_passed) = everywhere[strategy];
        let graph = &got["evidence"][0];
        assert_eq!(
            graph["detail"],
            format!(
                "{strategy}: {} of {} attempts passed the gate on this repository, \
                 {all_passed} of {all} on every repository",
                e.passes, e.attempts
            )
        );
        let mut cycles = e.cycles.clone();
        cycles.sort_by(|a, b| b.cmp(a));
        // How many, and the newest (ids grow with time).
        assert_eq!(graph["cycles"], cycles.len(), "{strategy}");
        assert_eq!(graph["latest_cycle"], cycles[0].1.as_str(), "{strategy}");
        assert_eq!(
            got["evidence"][1]["detail"],
            format!("one of the gate's reasons: {}", e.reason.as_ref().unwrap())
        );
    }
}

/// A model file that cannot be read is passed over with a warning, and the plan says the
/// heuristic made its estimates.
#[test]
fn a_corrupt_model_file_makes_plan_warn_and_use_the_heuristic() {
    let dir = initialised();
    let models = dir.path().join(".tdev/models");
    std::fs::create_dir_all(&models).unwrap();
    std::fs::write(models.join("planner-v1.bin"), b"tdevmdl\0 damaged").unwrap();
    let run = tdev(dir.path(), &["plan", "--findings", SHOP_FINDINGS]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("planner-v1.bin")
            && run.stderr.contains("falling back to the heuristic"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.contains("Estimates by the heuristic."),
        "{}",
        run.stdout
    );
}

/// `tdev ask` answers the three example questions about a repository from its scan, the
/// recorded attempts (with their cycles) and the models, every recommendation with evidence;
/// a question of no known kind is refused with examples and exit code 2.
#[test]
fn ask_answers_what_to_fix_first_what_fails_and_how_long() {
    let dir = initialised();
    with_llm(dir.path());
    let repo = dir.path().join("shop");
    std::fs::create_dir_all(repo.join("shop")).unwrap();
    let branches: String = (0..15)
        .map(|i| format!("    if x == {i}:\n        return {i}\n"))
        .collect();
    std::fs::write(
        repo.join("shop/app.py"),
        format!(
            "\"\"\"App.\"\"\"\n\ndef route(x):\n    \"\"\"Route.\"\"\"\n{branches}    return None\n"
        ),
    )
    .unwrap();
    std::fs::write(repo.join("shop/other.py"), "def helper():\n    return 1\n").unwrap();
    // Cycles recorded on this repository ("shop", its directory's name).
    let records: Vec<_> = (0..20)
        .map(|i| {
            let mut record = synthetic::record(9, i);
            record.repository.name = "shop".into();
            record
        })
        .collect();
    let ids: Vec<String> = records.iter().map(|r| r.id.clone()).collect();
    std::fs::write(
        dir.path().join("cycles.json"),
        serde_json::to_string(&records).unwrap(),
    )
    .unwrap();
    ok(dir.path(), &["kg", "record", "cycles.json"]);
    let ask = |question: &str| -> serde_json::Value {
        serde_json::from_str(&ok(
            dir.path(),
            &["ask", question, "--repo", "shop", "--json"],
        ))
        .unwrap()
    };

    let first = ask("What should I fix first in shop/app.py?");
    assert_eq!(first["understood_as"]["kind"], "fix-first", "{first:#}");
    assert_eq!(first["understood_as"]["path"], "shop/app.py");
    let recommendations = first["recommendations"].as_array().unwrap();
    assert!(!recommendations.is_empty(), "{first:#}");
    for r in recommendations {
        let sources: Vec<&str> = r["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["source"].as_str().unwrap())
            .collect();
        assert!(
            sources.contains(&"scan") && sources.contains(&"graph"),
            "{r:#}"
        );
        let scan = &r["evidence"][0]["detail"];
        assert!(scan.as_str().unwrap().contains("shop/app.py"), "{r:#}");
        assert!(["high", "medium", "low"].contains(&r["confidence"]["level"].as_str().unwrap()));
    }

    let failing = ask("which strategies fail on this repository and why");
    assert_eq!(failing["understood_as"]["kind"], "failures");
    let recommendations = failing["recommendations"].as_array().unwrap();
    assert!(
        !recommendations.is_empty(),
        "the sample has failures: {failing:#}"
    );
    for r in recommendations {
        assert!(r["summary"].as_str().unwrap().contains(" failed "), "{r:#}");
        assert!(r["evidence"][0]["cycles"].as_u64().unwrap() > 0, "{r:#}");
        let latest = r["evidence"][0]["latest_cycle"].as_str().unwrap();
        assert!(ids.contains(&latest.to_owned()), "{r:#}");
    }

    let long = ask("how long will the tool fixes of this repository take");
    assert_eq!(long["understood_as"]["tools_only"], true);
    let long = ask("how long will the work on this repository take");
    let summary = long["recommendations"][0]["summary"].as_str().unwrap();
    assert!(summary.contains("tasks, about"), "{long:#}");

    let text = ok(
        dir.path(),
        &["ask", "which strategies fail here", "--repo", "shop"],
    );
    assert!(
        text.contains("confidence") && text.contains("cycles:"),
        "{text}"
    );
    fails(
        dir.path(),
        &["ask", "tell me a joke", "--repo", "shop"],
        "what should I fix first",
    );
}
