//! `tdev mcp` as MCP clients use it: the real binary, started and spoken to by the Python
//! `mcp` package (`tests/clients/mcp_session.py`, installed by `scripts/test-env` from
//! `tests/requirements.txt`), and by hand, line by line, to see every byte of its stdout.
//! What it answers is compared with what the command line says on the same data directory.
//! Beside a running `tdev daemon`, `start_cycle` asks the daemon's scheduler, which starts the
//! cycle as its own and, paused, refuses it saying why.

#[path = "support/python.rs"]
mod python;

#[path = "support/process.rs"]
mod process;
#[path = "support/synthetic.rs"]
mod synthetic;

use process::{ok, repository, tdev, wait_for};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const COUNT_CYCLES: &str =
    "PREFIX tdev: <https://tdev.dev/ns#> SELECT (COUNT(?c) AS ?n) WHERE { ?c a tdev:Cycle }";
const BROKEN: &str = "SELECT ?c\nWHERE { ?c a }";
const TOOLS: [&str; 6] = [
    "ask",
    "cycles",
    "plan",
    "show_cycle",
    "sparql",
    "start_cycle",
];

fn python() -> PathBuf {
    python::python("the mcp package")
}

/// A data directory `home/.tdev` holding `n` recorded synthetic cycles.
fn recorded(home: &Path, n: u64) -> PathBuf {
    ok(home, &["init"]);
    let records: Vec<_> = (0..n).map(|i| synthetic::record(7, i)).collect();
    std::fs::write(
        home.join("cycles.json"),
        serde_json::to_string(&records).unwrap(),
    )
    .unwrap();
    ok(home, &["kg", "record", "cycles.json"]);
    home.join(".tdev")
}

/// What `mcp_session.py` reported after starting `tdev --data-dir DATA mcp` in `home` with
/// the environment tdev's test runs get (plus `env`) and making `calls`, then `together`
/// all at once.
fn session(
    home: &Path,
    data: &Path,
    env: &[(&str, &Path)],
    calls: Value,
    together: Value,
) -> Value {
    let mut environment: serde_json::Map<String, Value> = tdev(home)
        .get_envs()
        .filter_map(|(k, v)| Some((k.to_str()?.to_owned(), v?.to_str()?.into())))
        .collect();
    for (name, value) in env {
        environment.insert((*name).to_owned(), value.to_str().unwrap().into());
    }
    let config = json!({
        "command": env!("CARGO_BIN_EXE_tdev"),
        "args": ["--data-dir", data, "mcp"],
        "env": environment,
        "cwd": home,
        "calls": calls,
        "together": together,
    });
    let file = home.join("session.json");
    std::fs::write(&file, config.to_string()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/mcp_session.py");
    let output = Command::new(python())
        .arg(&script)
        .arg(&file)
        .output()
        .expect("starting the MCP client");
    assert!(
        output.status.success(),
        "the MCP client failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Fails the test when the server wrote anything but JSON-RPC messages to stdout.
fn spoke_only_json_rpc(report: &Value) {
    assert_eq!(
        report["stray_stdout"],
        json!([]),
        "the server wrote something other than JSON-RPC to stdout"
    );
}

/// Kills the process `pid` when dropped, so that a failing test leaves no cycle running.
struct KillOnDrop(u64);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", &self.0.to_string()])
            .status();
    }
}

/// The `n`-th call's answer: whether it is an error, and its texts.
fn answer(report: &Value, n: usize) -> (bool, Vec<String>) {
    answer_in(&report["calls"][n])
}

/// A call's answer: whether it is an error, and its texts.
fn answer_in(call: &Value) -> (bool, Vec<String>) {
    let texts = call["texts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_owned())
        .collect();
    (call["is_error"].as_bool().unwrap(), texts)
}

/// The `n`-th call's first text as JSON, failing the test when the call is an error.
fn answered_json(report: &Value, n: usize) -> Value {
    let (is_error, texts) = answer(report, n);
    assert!(!is_error, "call {n} failed: {texts:?}");
    serde_json::from_str(&texts[0]).unwrap_or_else(|e| panic!("call {n}: {e}: {}", texts[0]))
}

/// The `n`-th call's text, failing the test unless the call is an error.
fn refused(report: &Value, n: usize) -> String {
    let (is_error, texts) = answer(report, n);
    assert!(is_error, "call {n} should be an error: {texts:?}");
    texts.join("\n")
}

#[test]
fn a_python_mcp_client_lists_the_tools_reads_what_the_command_line_reads_and_is_told_its_mistakes()
{
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let data = recorded(home, 12);
    repository(home);
    std::fs::create_dir(home.join("plain")).unwrap();
    let data_arg = data.to_str().unwrap();
    let cli = |args: &[&str]| {
        let mut all = vec!["--data-dir", data_arg];
        all.extend_from_slice(args);
        ok(home, &all)
    };
    // What the command line says, to compare with.
    let count: Value =
        serde_json::from_str(&cli(&["sparql", "--format", "json", COUNT_CYCLES])).unwrap();
    let cycles: Value = serde_json::from_str(&cli(&["cycles", "--json"])).unwrap();
    let id = cycles[0]["id"].as_str().unwrap().to_owned();
    let shown: Value = serde_json::from_str(&cli(&["show", &id, "--json"])).unwrap();
    let plan: Value = serde_json::from_str(&cli(&[
        "plan",
        "--repo",
        "project",
        "--goal",
        "fix lint findings",
        "--json",
    ]))
    .unwrap();
    let broken = tdev(home)
        .args(["--data-dir", data_arg, "sparql", BROKEN])
        .output()
        .unwrap();
    assert_eq!(broken.status.code(), Some(2));
    let broken = String::from_utf8(broken.stderr).unwrap();
    let syntax = broken.lines().next().unwrap().trim_start_matches("error: ");

    let report = session(
        home,
        &data,
        &[],
        json!([
            {"tool": "sparql", "arguments": {"query": COUNT_CYCLES}},
            {"tool": "cycles"},
            {"tool": "show_cycle", "arguments": {"id": id}},
            {"tool": "plan", "arguments": {"repository": "project", "goal": "fix lint findings"}},
            {"tool": "ask", "arguments": {"question": "what should I fix first", "repository": "project"}},
            {"tool": "sparql", "arguments": {"query": "CONSTRUCT { ?c a <https://tdev.dev/ns#Cycle> } WHERE { ?c a <https://tdev.dev/ns#Cycle> }"}},
            // Mistakes, each told as the call's result.
            {"tool": "sparql", "arguments": {"query": BROKEN}},
            {"tool": "sparql", "arguments": {"query": "INSERT DATA { <https://a> <https://b> 1 }"}},
            {"tool": "sparql", "arguments": {"query": COUNT_CYCLES, "format": "yaml"}},
            {"tool": "show_cycle", "arguments": {"id": "no-such-cycle"}},
            {"tool": "start_cycle", "arguments": {"repository": "plain"}},
            {"tool": "plan", "arguments": {"repository": "missing"}},
            {"tool": "plan", "arguments": {"repository": "project", "max_tasks": 0}},
            {"tool": "ask", "arguments": {"question": "what should I fix first"}},
        ]),
        // Calls at once take turns with the data directory, none finds it taken.
        json!([
            {"tool": "sparql", "arguments": {"query": COUNT_CYCLES}},
            {"tool": "cycles"},
            {"tool": "sparql", "arguments": {"query": COUNT_CYCLES}},
            {"tool": "show_cycle", "arguments": {"id": id}},
            {"tool": "cycles"},
            {"tool": "sparql", "arguments": {"query": COUNT_CYCLES}},
        ]),
    );

    spoke_only_json_rpc(&report);
    assert_eq!(report["server"], "tdev");
    assert_eq!(report["has_tools_capability"], true);
    let tools = report["tools"].as_array().unwrap();
    let mut names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    names.sort_unstable();
    assert_eq!(names, TOOLS);
    for tool in tools {
        assert_eq!(tool["input_schema"]["type"], "object", "{tool}");
        assert!(
            !tool["description"].as_str().unwrap_or_default().is_empty(),
            "{tool}"
        );
    }
    let sparql = tools.iter().find(|t| t["name"] == "sparql").unwrap();
    assert_eq!(sparql["input_schema"]["required"], json!(["query"]));

    // The same numbers and rows as the command line.
    let answered = answered_json(&report, 0);
    assert_eq!(answered, count);
    assert_eq!(answered["results"]["bindings"][0]["n"]["value"], "12");
    assert_eq!(answered_json(&report, 1), cycles);
    let cycle = answered_json(&report, 2);
    assert_eq!(cycle["cycle"], id.as_str());
    assert_eq!(
        cycle["tasks"].as_array().unwrap().len(),
        shown["tasks"].as_array().unwrap().len()
    );
    assert_eq!(
        cycle["attempts"].as_array().unwrap().len(),
        shown["attempts"].as_array().unwrap().len()
    );
    assert_eq!(cycle["summary"]["outcome"], shown["summary"]["outcome"]);
    assert_eq!(answered_json(&report, 3), plan);
    let (is_error, texts) = answer(&report, 4);
    assert!(!is_error, "{texts:?}");
    let asked: Value = serde_json::from_str(&texts[0]).unwrap();
    assert_eq!(asked["understood_as"]["kind"], "fix-first");
    assert_eq!(asked["repository"], "project");
    assert!(
        texts[1].contains("what to fix first"),
        "the rendered answer: {}",
        texts[1]
    );
    let (is_error, turtle) = answer(&report, 5);
    assert!(!is_error);
    let graph = oxigraph::io::RdfParser::from_format(oxigraph::io::RdfFormat::Turtle)
        .for_slice(turtle[0].as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .expect("the CONSTRUCT answer is Turtle");
    assert_eq!(graph.len(), 12);

    // The parser's own words, located as `tdev sparql` locates them.
    let said = refused(&report, 6);
    assert_eq!(said.lines().next().unwrap(), syntax, "{said}");
    assert!(
        said.contains("WHERE { ?c a }"),
        "the offending line is shown: {said}"
    );
    assert!(refused(&report, 7).contains("is a SPARQL update"));
    assert!(refused(&report, 8).contains("yaml"));
    assert!(refused(&report, 9).contains("no cycle no-such-cycle is recorded"));
    let said = refused(&report, 10);
    assert!(said.contains("git repository"), "{said}");
    assert!(!data.join("logs").exists(), "nothing was started: {said}");
    assert!(refused(&report, 11).contains("repository missing: no such directory"));
    assert!(refused(&report, 12).contains("max_tasks is 0"));
    for call in report["together"].as_array().unwrap() {
        let (is_error, texts) = answer_in(call);
        assert!(!is_error, "a call made beside others failed: {texts:?}");
    }
    assert_eq!(report["together"].as_array().unwrap().len(), 6);
    // The server runs in `home`, which is no git repository.
    let said = refused(&report, 13);
    assert!(
        said.contains("name the repository the question is about"),
        "{said}"
    );
}

#[test]
fn start_cycle_answers_at_once_and_reads_go_through_the_cycle_it_started() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let data = recorded(home, 3);
    repository(home);
    // The cycle stops for good in its planning phase, holding the data directory, until the
    // test kills it.
    let signal = home.join("planning");
    let report = session(
        home,
        &data,
        &[
            ("TDEV_HALT_IN", Path::new("planner")),
            ("TDEV_HALT_SIGNAL", &signal),
        ],
        json!([
            {"tool": "start_cycle", "arguments": {"repository": "project", "backend": "tools", "max_tasks": 1}},
            {"tool": "cycles"},
            {"tool": "sparql", "arguments": {"query": COUNT_CYCLES}},
        ]),
        json!([]),
    );
    let started = answered_json(&report, 0);
    let pid = started["pid"].as_u64().unwrap();
    let cycle = KillOnDrop(pid);
    spoke_only_json_rpc(&report);
    let log = PathBuf::from(started["log"].as_str().unwrap());
    // No daemon runs: a `tdev evolve` of its own.
    assert_eq!(started["started_by"], "process", "{started}");
    assert_eq!(started["holds_data_dir"], true, "{started}");
    assert!(
        log.starts_with(data.canonicalize().unwrap().join("logs")),
        "{log:?}"
    );
    assert!(
        started["command"]
            .as_array()
            .unwrap()
            .contains(&json!("--max-tasks")),
        "{started}"
    );
    // The session is over and its server gone; the cycle goes on.
    assert!(
        wait_for(|| signal.exists()),
        "the cycle never got to planning; its log:\n{}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    assert!(alive(pid), "the cycle ended with the session");
    // Read through the running cycle, the same as the command line reads through it.
    let cycles: Value = serde_json::from_str(&ok(
        home,
        &["--data-dir", data.to_str().unwrap(), "cycles", "--json"],
    ))
    .unwrap();
    assert_eq!(answered_json(&report, 1), cycles);
    assert_eq!(cycles.as_array().unwrap().len(), 3);
    assert_eq!(
        answered_json(&report, 2)["results"]["bindings"][0]["n"]["value"],
        "3"
    );
    drop(cycle);
    assert!(wait_for(|| !alive(pid)), "pid {pid} outlived SIGKILL");
}

/// A data directory in `home` whose daemon evolves `repo` with tool fixers, one task a cycle,
/// on a yearly schedule, so that only requests start cycles; no HTTP server.
fn daemon_data(home: &Path, repo: &Path) -> PathBuf {
    ok(home, &["init"]);
    let data = home.join(".tdev");
    let config = format!(
        "[daemon]\n\n[[daemon.repositories]]\npath = \"{}\"\nschedule = \"0 0 0 1 1 *\"\n\
         backend = \"tools\"\nmax_tasks = 1\n\n[http]\nenabled = false\n",
        repo.display()
    );
    std::fs::write(data.join("tdev.toml"), config).unwrap();
    data
}

/// `tdev status --json` on `data`: the running daemon's status, or `None` when none answers.
fn daemon_status(home: &Path, data: &Path) -> Option<Value> {
    let output = tdev(home)
        .args(["--data-dir", data.to_str().unwrap(), "status", "--json"])
        .output()
        .unwrap();
    if output.status.code() != Some(0) {
        return None;
    }
    Some(serde_json::from_slice(&output.stdout).unwrap())
}

/// The recorded cycles' ids, as `tdev cycles` lists them.
fn recorded_ids(home: &Path, data: &Path) -> Vec<String> {
    let cycles: Value = serde_json::from_str(&ok(
        home,
        &["--data-dir", data.to_str().unwrap(), "cycles", "--json"],
    ))
    .unwrap();
    cycles
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn start_cycle_goes_through_the_daemons_scheduler_which_pauses_and_refuses_it_as_its_own() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let repo = repository(home);
    process::repository_named(home, "other");
    let data = daemon_data(home, &repo);
    let log = home.join("daemon.log");
    let daemon = process::Daemon::start(home, &data, &log);
    assert!(
        wait_for(|| daemon_status(home, &data).is_some()),
        "the daemon never answered tdev status: {}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );

    let report = session(
        home,
        &data,
        &[],
        json!([
            {"tool": "start_cycle", "arguments": {"repository": "project", "goal": "fix lint findings"}},
            // Only a repository the daemon evolves, as its tdev.toml configures it.
            {"tool": "start_cycle", "arguments": {"repository": "other"}},
            {"tool": "start_cycle", "arguments": {"repository": "project", "backend": "llm"}},
        ]),
        json!([]),
    );
    spoke_only_json_rpc(&report);
    let started = answered_json(&report, 0);
    assert_eq!(started["started_by"], "daemon", "{started}");
    assert_eq!(started["daemon_pid"], daemon.id(), "{started}");
    assert_eq!(
        started["repository"],
        repo.canonicalize().unwrap().to_str().unwrap()
    );
    assert_eq!(started["goal"], "fix lint findings", "{started}");
    assert_eq!(
        (&started["backend"], &started["max_tasks"]),
        (&json!("tools"), &json!(1)),
        "the daemon's configuration: {started}"
    );
    let cycle = started["cycle"].as_str().unwrap().to_owned();
    let (_, texts) = answer(&report, 0);
    assert!(
        texts[1].contains(&format!("started cycle {cycle}")) && texts[1].contains("show_cycle"),
        "{texts:?}"
    );
    assert!(
        !data.join("logs").exists(),
        "a tdev evolve was started beside the daemon"
    );
    let said = refused(&report, 1);
    assert!(
        said.contains("is not a repository this daemon evolves; it evolves")
            && said.contains(repo.canonicalize().unwrap().to_str().unwrap()),
        "{said}"
    );
    let said = refused(&report, 2);
    assert!(
        said.contains("runs the cycles of project with backend tools and max_tasks 1"),
        "{said}"
    );

    // The command line's `tdev evolve` is refused beside the daemon, and told what to do.
    let evolve = tdev(home)
        .args([
            "--data-dir",
            data.to_str().unwrap(),
            "evolve",
            "--repo",
            "project",
        ])
        .output()
        .unwrap();
    assert_eq!(evolve.status.code(), Some(2));
    let said = String::from_utf8_lossy(&evolve.stderr);
    assert!(
        said.contains(&format!("it is the tdev daemon (pid {})", daemon.id()))
            && said.contains("start_cycle"),
        "{said}"
    );

    // The daemon records the cycle as its own, asked for (`manual`, as A2A's are).
    assert!(
        wait_for(|| recorded_ids(home, &data).contains(&cycle)),
        "cycle {cycle} was never recorded: {}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    let status = daemon_status(home, &data).unwrap();
    assert_eq!(status["budgets"]["cycles_last_hour"], 1, "{status}");

    // Paused, the daemon holds a request back as it holds a scheduled cycle, and says why.
    ok(home, &["--data-dir", data.to_str().unwrap(), "pause"]);
    let report = session(
        home,
        &data,
        &[],
        json!([
            {"tool": "start_cycle", "arguments": {"repository": "project"}},
            {"tool": "sparql", "arguments": {"query": "PREFIX tdev: <https://tdev.dev/ns#> \
                SELECT ?id ?trigger WHERE { ?c a tdev:Cycle ; tdev:trigger ?trigger . \
                BIND (STRAFTER(STR(?c), \"/cycle/\") AS ?id) }"}},
            {"tool": "show_cycle", "arguments": {"id": cycle}},
        ]),
        json!([]),
    );
    let said = refused(&report, 0);
    assert!(
        said.contains("started no cycle on")
            && said.contains("held back: paused; `tdev resume` lets cycles start again"),
        "{said}"
    );
    let triggers = answered_json(&report, 1)["results"]["bindings"].clone();
    assert_eq!(
        triggers,
        json!([{
            "id": {"type": "literal", "value": cycle},
            "trigger": {"type": "literal", "value": "manual"},
        }]),
    );
    assert_eq!(answered_json(&report, 2)["cycle"], cycle.as_str());

    assert_eq!(daemon.terminate(), Some(0));
    assert_eq!(recorded_ids(home, &data), [cycle.as_str()]);
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(
        log.contains(&format!("cycle {cycle}: started on project (requested)")),
        "{log}"
    );
    assert!(!log.contains("(scheduled)"), "{log}");
}

/// Whether process `pid` runs (a zombie does not).
fn alive(pid: u64) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        // The state follows the command name, which is in parentheses.
        stat.rsplit_once(')')
            .is_some_and(|(_, rest)| !rest.trim_start().starts_with(['Z', 'X']))
    })
}

#[test]
fn the_server_writes_nothing_but_json_rpc_to_stdout_and_its_logs_to_stderr() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let data = recorded(home, 2);
    let mut server = tdev(home)
        .args(["-vv", "--data-dir", data.to_str().unwrap(), "mcp"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = server.stdin.take().unwrap();
    let mut output = BufReader::new(server.stdout.take().unwrap());
    let mut lines = Vec::new();
    let mut request = |message: Value| {
        writeln!(input, "{message}").unwrap();
        input.flush().unwrap();
        let Some(id) = message.get("id").cloned() else {
            return Value::Null;
        };
        loop {
            let mut line = String::new();
            assert!(output.read_line(&mut line).unwrap() > 0, "stdout closed");
            lines.push(line.clone());
            let parsed: Value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("not JSON on stdout ({e}): {line:?}"));
            if parsed.get("id") == Some(&id) {
                return parsed;
            }
        }
    };
    let initialized = request(
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "by-hand", "version": "0"}}}),
    );
    assert_eq!(
        initialized["result"]["serverInfo"]["name"], "tdev",
        "{initialized}"
    );
    request(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
    let listed = request(json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}));
    assert_eq!(
        listed["result"]["tools"].as_array().unwrap().len(),
        TOOLS.len()
    );
    let cycles = request(json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
        "params": {"name": "cycles", "arguments": {}}}));
    assert_eq!(cycles["result"]["isError"], false, "{cycles}");
    let broken = request(json!({"jsonrpc": "2.0", "id": 4, "method": "tools/call",
        "params": {"name": "sparql", "arguments": {"query": BROKEN}}}));
    assert_eq!(broken["result"]["isError"], true, "{broken}");
    let unknown = request(json!({"jsonrpc": "2.0", "id": 5, "method": "tools/call",
        "params": {"name": "no_such_tool", "arguments": {}}}));
    assert!(
        unknown.get("error").is_some(),
        "an unknown tool is the protocol's error: {unknown}"
    );
    drop(input);
    let status = server.wait().unwrap();
    let mut rest = String::new();
    output.read_to_string(&mut rest).unwrap();
    let mut stderr = String::new();
    server
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(status.success(), "{status}: {stderr}");
    for line in lines.iter().map(String::as_str).chain(rest.lines()) {
        let message: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("not JSON-RPC on stdout ({e}): {line:?}"));
        assert_eq!(message["jsonrpc"], "2.0", "{line}");
    }
    assert!(
        stderr.contains("serving MCP on stdio"),
        "the log goes to stderr: {stderr}"
    );
}

/// The ```json blocks of the section of `file` whose heading starts with `heading`.
fn json_blocks(file: &str, heading: &str) -> Vec<String> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap();
    let section = text
        .split("\n## ")
        .find(|s| s.starts_with(heading))
        .unwrap_or_else(|| panic!("{file} has a section {heading:?}"));
    section
        .split("```json\n")
        .skip(1)
        .map(|block| block.split("```").next().unwrap().to_owned())
        .collect()
}

#[test]
fn the_registrations_the_docs_and_the_help_show_are_json_naming_tdev_mcp() {
    let help = Command::new(env!("CARGO_BIN_EXE_tdev"))
        .args(["mcp", "--help"])
        .output()
        .unwrap();
    assert!(help.status.success());
    let help = String::from_utf8(help.stdout).unwrap();
    // The help's snippets run from a line `{` to the next `}` indented as much.
    let mut snippets = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for line in help.lines() {
        let indent = line.len() - line.trim_start().len();
        if current.is_none() && line.trim() == "{" {
            current = Some((indent, String::new()));
        }
        if let Some((opened, snippet)) = current.as_mut() {
            snippet.push_str(line);
            snippet.push('\n');
            if line.trim() == "}" && indent == *opened {
                snippets.extend(current.take().map(|(_, s)| s));
            }
        }
    }
    let mut all: Vec<(String, String)> = snippets
        .into_iter()
        .map(|s| ("tdev mcp --help".to_owned(), s))
        .collect();
    for (file, heading) in [
        ("README.md", "The MCP server"),
        ("docs/user-guide.md", "MCP"),
    ] {
        all.extend(
            json_blocks(file, heading)
                .into_iter()
                .map(|b| (file.to_owned(), b)),
        );
    }
    assert!(all.len() >= 5, "{all:?}");
    for (place, snippet) in &all {
        let value: Value = serde_json::from_str(snippet)
            .unwrap_or_else(|e| panic!("{place}: not JSON ({e}):\n{snippet}"));
        let servers = value
            .get("mcpServers")
            .or_else(|| value.get("servers"))
            .unwrap_or_else(|| panic!("{place}: no servers: {snippet}"));
        let tdev = &servers["tdev"];
        assert_eq!(tdev["command"], "tdev", "{place}");
        let args = tdev["args"].as_array().unwrap();
        assert_eq!(args[0], "--data-dir", "{place}");
        assert_eq!(args.last().unwrap(), "mcp", "{place}");
    }
}
