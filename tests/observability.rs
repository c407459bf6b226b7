//! tdev's traces as an OpenTelemetry collector receives them: `tdev evolve` run with
//! `OTEL_EXPORTER_OTLP_ENDPOINT` naming a real OTLP/HTTP receiver on loopback
//! (`tests/clients/otlp_receiver.py`, which decodes the requests with the `opentelemetry-proto`
//! package as a collector does) sends one trace per cycle: a `cycle` span with the id the run
//! printed, its phases, and task and attempt spans below it, linked by their parent ids, with
//! the ids and the gate's outcome the record has. The daemon sends its cycles' spans before it
//! exits on SIGTERM, and its log names the cycle on the lines logged inside it. A collector
//! that cannot be reached costs a warning, said once, and nothing else; a protocol tdev does
//! not speak is the user's mistake.

#[path = "support/python.rs"]
mod python;

#[path = "support/process.rs"]
mod process;

use process::{Daemon, ok, repository, tdev, wait_for};
use serde_json::Value;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// The receiver, killed when dropped.
struct Receiver {
    child: Child,
    /// Its base URL, what `OTEL_EXPORTER_OTLP_ENDPOINT` is set to.
    url: String,
}

impl Receiver {
    /// Starts the receiver writing the spans it gets to `spans`; returns once it listens.
    fn start(spans: &Path) -> Self {
        let python = python::python("opentelemetry-proto");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/otlp_receiver.py");
        let mut child = Command::new(python)
            .arg(script)
            .arg(spans)
            .stdout(Stdio::piped())
            .spawn()
            .expect("starting the OTLP receiver");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("the receiver said {line:?}"))
            .to_owned();
        Receiver { child, url }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One cycle of `tdev evolve` on `repo` with tool fixers, one task, and `env` added: its exit
/// code, the record it printed and what it wrote on stderr.
fn evolve(home: &Path, repo: &Path, env: &[(&str, &str)]) -> (Option<i32>, Value, String) {
    let output = tdev(home)
        .args([
            "evolve",
            "--cycles",
            "1",
            "--backend",
            "tools",
            "--max-tasks",
            "1",
        ])
        .args(["--json", "--repo"])
        .arg(repo)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    let records: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("tdev evolve printed no records ({e}): {stderr}"));
    (output.status.code(), records[0].clone(), stderr)
}

/// A span as the receiver wrote it.
#[derive(Debug)]
struct Span {
    trace: String,
    id: String,
    parent: String,
    name: String,
    attributes: Value,
    service: Value,
}

fn spans(file: &Path) -> Vec<Span> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .map(|line| {
            let span: Value = serde_json::from_str(line).unwrap();
            let text = |key: &str| span[key].as_str().unwrap().to_owned();
            Span {
                trace: text("trace_id"),
                id: text("span_id"),
                parent: text("parent_span_id"),
                name: text("name"),
                attributes: span["attributes"].clone(),
                service: span["resource"]["service.name"].clone(),
            }
        })
        .collect()
}

/// The names of a span's ancestors, nearest first, through the parent ids.
fn ancestors<'a>(span: &'a Span, by_id: &HashMap<&str, &'a Span>) -> Vec<&'a str> {
    let mut names = Vec::new();
    let mut parent = span.parent.as_str();
    while let Some(up) = by_id.get(parent) {
        names.push(up.name.as_str());
        parent = up.parent.as_str();
    }
    assert!(
        parent.is_empty(),
        "{} has a parent that was not received: {parent}",
        span.name
    );
    names
}

#[test]
fn a_cycle_is_one_trace_with_its_phases_tasks_and_attempts() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let repo = repository(home);
    let file = home.join("spans.jsonl");
    let receiver = Receiver::start(&file);

    let (code, record, stderr) = evolve(
        home,
        &repo,
        &[("OTEL_EXPORTER_OTLP_ENDPOINT", &receiver.url)],
    );
    assert_eq!(code, Some(0), "{stderr}");
    // tdev has exited, and it exits only once the last batch was answered.
    let spans = spans(&file);
    let id = record["id"].as_str().unwrap();
    let cycles: Vec<&Span> = spans.iter().filter(|s| s.name == "cycle").collect();
    assert_eq!(cycles.len(), 1, "{spans:#?}");
    let cycle = cycles[0];
    assert_eq!(cycle.attributes["cycle.id"], id, "{cycle:#?}");
    assert_eq!(cycle.attributes["repository"], "project");
    assert_eq!(cycle.attributes["backend"], "tools");
    assert_eq!(cycle.attributes["outcome"], record["outcome"]);
    assert!(cycle.parent.is_empty(), "a cycle is the root of its trace");

    // Every span belongs to the cycle's trace, linked up to it; each phase where it runs.
    let by_id: HashMap<&str, &Span> = spans.iter().map(|s| (s.id.as_str(), s)).collect();
    let mut shape: Vec<String> = spans
        .iter()
        .map(|span| {
            assert_eq!(span.trace, cycle.trace, "{span:#?}");
            assert_eq!(span.service, "tdev", "{span:#?}");
            let mut path = ancestors(span, &by_id);
            path.reverse();
            path.push(&span.name);
            path.join(" > ")
        })
        .collect();
    shape.sort();
    shape.dedup();
    assert_eq!(
        shape,
        [
            "cycle",
            "cycle > baseline",
            "cycle > learn",
            "cycle > plan",
            "cycle > record",
            "cycle > research",
            "cycle > task",
            "cycle > task > attempt",
            "cycle > task > attempt > code",
            "cycle > task > attempt > evaluate",
            "cycle > task > attempt > evaluate > gate",
            "cycle > task > attempt > merge",
        ]
    );

    // The task and attempt spans are the record's, with its ids and the gate's outcome.
    let attempts = record["attempts"].as_array().unwrap();
    assert!(!attempts.is_empty(), "{record:#}");
    for attempt in attempts {
        let task = spans
            .iter()
            .find(|s| s.name == "task" && s.attributes["task.id"] == attempt["task"])
            .unwrap_or_else(|| panic!("no task span for {attempt:#}"));
        let span = spans
            .iter()
            .find(|s| {
                s.name == "attempt"
                    && s.parent == task.id
                    && s.attributes["attempt.number"] == attempt["number"]
            })
            .unwrap_or_else(|| panic!("no attempt span for {attempt:#} in {spans:#?}"));
        assert_eq!(span.attributes["strategy"], attempt["strategy"]);
        assert_eq!(
            span.attributes["gate.passed"], attempt["gate"]["passed"],
            "{span:#?}"
        );
    }
    assert_eq!(
        spans.iter().filter(|s| s.name == "attempt").count(),
        attempts.len()
    );
}

#[test]
fn the_daemon_sends_its_cycles_spans_before_it_exits_on_sigterm() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let repo = repository(home);
    ok(home, &["init", home.to_str().unwrap()]);
    let data = home.join(".tdev");
    std::fs::write(
        data.join("tdev.toml"),
        format!(
            "[daemon]\ncycles_per_hour = 1\n\n[[daemon.repositories]]\npath = \"{}\"\n\
             schedule = \"*/2 * * * * *\"\nbackend = \"tools\"\nmax_tasks = 1\n\n\
             [http]\nenabled = false\n",
            repo.display()
        ),
    )
    .unwrap();
    let file = home.join("spans.jsonl");
    let receiver = Receiver::start(&file);
    let log = std::fs::File::create(home.join("daemon.log")).unwrap();
    // Batches are sent only when full or at exit: the spans must come with the exit.
    let daemon = Daemon::spawn(
        tdev(home)
            .arg("--data-dir")
            .arg(&data)
            .arg("daemon")
            .env("OTEL_EXPORTER_OTLP_ENDPOINT", &receiver.url)
            .env("OTEL_BSP_SCHEDULE_DELAY", "3600000")
            .stderr(log),
    );
    let cycles = || -> Vec<Value> {
        let listed = ok(
            home,
            &["--data-dir", data.to_str().unwrap(), "cycles", "--json"],
        );
        serde_json::from_str(&listed).unwrap()
    };
    assert!(wait_for(|| cycles().len() == 1), "no cycle was recorded");
    assert!(spans(&file).is_empty(), "spans were sent before the exit");
    assert_eq!(daemon.terminate(), Some(0));

    let id = cycles()[0]["id"].as_str().unwrap().to_owned();
    let spans = spans(&file);
    let cycle = spans
        .iter()
        .find(|s| s.name == "cycle")
        .unwrap_or_else(|| panic!("no cycle span: {spans:#?}"));
    assert_eq!(cycle.attributes["cycle.id"], id.as_str(), "{cycle:#?}");
    assert_eq!(cycle.attributes["trigger"], "schedule", "{cycle:#?}");
    assert!(
        spans
            .iter()
            .any(|s| s.name == "attempt" && s.trace == cycle.trace)
    );

    // What the daemon logged inside the cycle names it, in plain text (the log is a file).
    let log = std::fs::read_to_string(home.join("daemon.log")).unwrap();
    let learned = format!(
        "cycle{{cycle.id={id} repository=project backend=tools trigger=schedule}}:learn: \
         trained the planner's models"
    );
    assert!(log.contains(&learned), "{log}");
    assert!(!log.contains('\x1b'), "{log}");
}

#[test]
fn a_collector_out_of_reach_costs_one_warning_and_nothing_else() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let repo = repository(home);
    // A loopback port nothing listens on any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let endpoint = format!("http://127.0.0.1:{port}");

    // One span a batch: many exports fail, one warning says so.
    let (code, record, stderr) = evolve(
        home,
        &repo,
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint),
            ("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "1"),
        ],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(record["outcome"], "passed", "{record:#}");
    let warning = format!("cannot send traces to {endpoint}/v1/traces");
    assert_eq!(stderr.matches(&warning).count(), 1, "{stderr}");
}

#[test]
fn a_protocol_tdev_does_not_speak_is_the_users_mistake() {
    let home = tempfile::tempdir().unwrap();
    let output = tdev(home.path())
        .args(["cycles"])
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4317")
        .env("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "OTEL_EXPORTER_OTLP_PROTOCOL=grpc: tdev sends traces over http/protobuf only"
        ),
        "{stderr}"
    );
}
