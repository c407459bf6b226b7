//! `tdev daemon`'s A2A endpoint as another agent uses it: the Python `a2a-sdk`
//! (`tests/clients/a2a_session.py`, installed by `scripts/test-env` from
//! `tests/requirements.txt`) fetches the agent card with the SDK's card resolver, has the
//! evolve skill start a cycle through the daemon's scheduler (refused without the token, and a
//! second time by the daemon's budget), asks for recommendations, which name the cycle it
//! started, gets that task again by its id, and asks again over A2A 0.3.

#[path = "support/python.rs"]
mod python;

#[path = "support/process.rs"]
mod process;

use process::{Daemon, ok, repository, serving, tdev, wait_for};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

const TOKEN: &str = "a2a-test-token-0123456789";

/// A data directory in `home` whose daemon evolves `repo` on a yearly schedule (so that only
/// A2A starts cycles), at most one cycle an hour, serving HTTP with the update token read
/// from `TDEV_A2A_TOKEN`.
fn configure(home: &Path, repo: &Path) -> std::path::PathBuf {
    ok(home, &["init", home.to_str().unwrap()]);
    let data = home.join(".tdev");
    let config = format!(
        "[daemon]\ncycles_per_hour = 1\n\n[[daemon.repositories]]\npath = \"{}\"\n\
         schedule = \"0 0 0 1 1 *\"\nbackend = \"tools\"\nmax_tasks = 1\n\n\
         [http]\nlisten = \"127.0.0.1:0\"\ntoken_env = \"TDEV_A2A_TOKEN\"\n",
        repo.display()
    );
    std::fs::write(data.join("tdev.toml"), config).unwrap();
    data
}

/// The texts of a task's artifacts, and their JSON.
fn artifacts(task: &Value) -> (String, Vec<Value>) {
    let artifacts = task["artifacts"].as_array().unwrap();
    let text = artifacts
        .iter()
        .map(|a| a["text"].as_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    let data = artifacts
        .iter()
        .flat_map(|a| a["data"].as_array().unwrap().clone())
        .collect();
    (text, data)
}

/// Checks that `task` is an answered question whose recommendations rest on `cycle`: the
/// repository's finding, and the graph's evidence naming the cycle.
fn recommends_from(task: &Value, cycle: &str) {
    assert_eq!(task["state"], "TASK_STATE_COMPLETED", "{task}");
    assert_eq!(task["skill"], "ask", "{task}");
    let (text, data) = artifacts(task);
    assert!(
        text.contains("what to fix first") && text.contains("pkg/check.py"),
        "{text}"
    );
    let answer = &data[0];
    assert_eq!(answer["repository"], "project", "{answer}");
    let recommendations = answer["recommendations"].as_array().unwrap();
    assert!(!recommendations.is_empty(), "{answer}");
    let from_graph = recommendations
        .iter()
        .flat_map(|r| r["evidence"].as_array().unwrap())
        .filter(|e| e["source"] == "graph")
        .any(|e| e["latest_cycle"] == cycle);
    assert!(
        from_graph,
        "no evidence from the graph names {cycle}: {answer}"
    );
}

#[test]
fn an_a2a_client_fetches_the_card_starts_a_cycle_and_gets_recommendations_from_it() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let repo = repository(home);
    let data = configure(home, &repo);
    let log = home.join("daemon.log");
    let daemon = Daemon::spawn(
        tdev(home)
            .env("TDEV_A2A_TOKEN", TOKEN)
            .arg("--data-dir")
            .arg(&data)
            .arg("daemon")
            .stderr(std::fs::File::create(&log).unwrap()),
    );
    let mut address = None;
    assert!(
        wait_for(|| {
            address = serving(&log);
            address.is_some()
        }),
        "the daemon never served HTTP: {}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    let address = address.unwrap();
    let base = format!("http://{address}");

    let output = Command::new(python::python("a2a-sdk"))
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/a2a_session.py"))
        .arg(&base)
        .arg(TOKEN)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "the client's report is not JSON ({e}):\n{}\n{}\ndaemon log:\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
            std::fs::read_to_string(&log).unwrap_or_default()
        )
    });
    assert!(output.status.success(), "{report}");

    // The card, as the SDK's resolver read it.
    let card = &report["card"];
    assert_eq!(card["name"], "tdev");
    assert_eq!(card["skills"], serde_json::json!(["ask", "evolve"]));
    assert_eq!(
        card["interfaces"][0],
        serde_json::json!(["JSONRPC", "1.0", format!("{base}/a2a")])
    );
    assert_eq!(card["schemes"], serde_json::json!(["bearer"]));
    assert_eq!(card["streaming"], false);

    // Evolve: refused without the token; with it, a cycle the scheduler started, followed to
    // its end and recorded.
    let refused = report["evolve_without_token"].as_str().unwrap();
    assert!(refused.contains("401"), "{refused}");
    let started = &report["evolve"];
    assert_eq!(started["state"], "TASK_STATE_WORKING", "{started}");
    let cycle = artifacts(started).1[0]["cycle"]
        .as_str()
        .unwrap()
        .to_owned();
    let ended = &report["evolve_ended"];
    assert_eq!(ended["id"], started["id"]);
    assert_eq!(ended["state"], "TASK_STATE_COMPLETED", "{ended}");
    assert!(
        ended["said"]
            .as_str()
            .unwrap()
            .starts_with(&format!("cycle {cycle} ended: ")),
        "{ended}"
    );
    let recorded = ok(
        home,
        &["--data-dir", data.to_str().unwrap(), "cycles", "--json"],
    );
    let recorded: Vec<Value> = serde_json::from_str(&recorded).unwrap();
    assert_eq!(recorded.len(), 1, "{recorded:?}");
    assert_eq!(recorded[0]["id"], cycle.as_str());

    // Ask: recommendations from what that cycle recorded; GetTask finds the same answer; so
    // does a client of A2A 0.3.
    recommends_from(&report["ask"], &cycle);
    assert_eq!(report["get_task"]["id"], report["ask"]["id"]);
    assert_eq!(report["get_task"]["artifacts"], report["ask"]["artifacts"]);
    recommends_from(&report["ask_v03"], &cycle);

    // A second cycle within the hour: the daemon's budget refuses it, as it would a
    // scheduled one.
    let again = &report["evolve_again"];
    assert_eq!(again["state"], "TASK_STATE_REJECTED", "{again}");
    assert!(
        again["said"].as_str().unwrap().contains("cycles per hour"),
        "{again}"
    );
    assert_eq!(report["missing_task"], "TaskNotFoundError");

    assert_eq!(daemon.terminate(), Some(0));
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(
        log.contains(&format!("cycle {cycle}: started on project (requested)")),
        "{log}"
    );
    let recorded = ok(
        home,
        &["--data-dir", data.to_str().unwrap(), "cycles", "--json"],
    );
    assert_eq!(
        serde_json::from_str::<Vec<Value>>(&recorded).unwrap().len(),
        1
    );
}
