//! Real clients against the server on a loopback socket: Python's SPARQLWrapper and rdflib
//! (`SPARQLStore`, `SPARQLUpdateStore` with the bearer token), installed by `scripts/test-env`
//! from `tests/requirements.txt`, and the README's curl examples exactly as written.

#[path = "../../tests/support/python.rs"]
mod python;

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use support::{CYCLES, TOKEN, fixture, writable};
use tokio::net::TcpListener;

fn python() -> PathBuf {
    python::python("SPARQLWrapper and rdflib")
}

/// A server on 127.0.0.1 (port chosen by the system) over a fixture; returns its base URL,
/// the fixture and the way to stop it.
async fn start() -> (
    String,
    support::Fixture,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let f = fixture(writable());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let state = f.state.clone();
    let server = tokio::spawn(async move {
        tdev_server::serve(listener, state, async move {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });
    (base, f, stop, server)
}

async fn run(mut command: Command) -> Output {
    tokio::task::spawn_blocking(move || command.output().expect("starting the client"))
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sparqlwrapper_and_rdflib_query_and_update_the_running_server() {
    let (base, f, stop, server) = start().await;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/sparql_clients.py");
    let mut command = Command::new(python());
    command
        .arg(&script)
        .arg(&base)
        .arg(TOKEN)
        .arg(CYCLES.to_string());
    let output = run(command).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the clients failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("all clients passed"), "{stdout}");
    // What rdflib wrote is in the store itself.
    let written = f
        .knowledge
        .graph
        .query("ASK { GRAPH <http://example.org/clients> { ?s ?p \"hello\" } }")
        .unwrap();
    assert!(matches!(
        written,
        tdev_knowledge::QueryResults::Boolean(true)
    ));
    stop.send(()).unwrap();
    server.await.unwrap();
}

/// The shell commands of the README's "The HTTP endpoint" section: every line from `curl`
/// to the end of its (backslash-continued) command, in the section's fenced blocks.
fn readme_curl_examples() -> Vec<String> {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"))
            .unwrap();
    let section = readme
        .split("\n## ")
        .find(|s| s.starts_with("The HTTP endpoint"))
        .expect("the README has a section \"The HTTP endpoint\"");
    let mut commands = Vec::new();
    let mut current: Option<String> = None;
    for line in section.lines() {
        if let Some(command) = current.as_mut() {
            command.push('\n');
            command.push_str(line);
        } else if line.starts_with("curl ") {
            current = Some(line.to_owned());
        }
        if current.as_ref().is_some_and(|_| !line.ends_with('\\')) {
            commands.extend(current.take());
        }
    }
    commands
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_curl_examples_work_as_written() {
    let curl = Command::new("curl").arg("--version").output();
    assert!(
        curl.as_ref().is_ok_and(|o| o.status.success()),
        "curl is not installed on this machine, so the README's curl examples cannot be \
         checked: install curl (Debian: apt-get install curl)"
    );
    let examples = readme_curl_examples();
    assert!(
        examples.len() >= 2,
        "expected a query and an update: {examples:?}"
    );
    let (base, f, stop, server) = start().await;
    let before = f.quads();
    for example in &examples {
        // As written, but on this test's port.
        let command = example.replace("http://127.0.0.1:7878", &base);
        let mut shell = Command::new("sh");
        shell.arg("-c").arg(&command).env("TDEV_HTTP_TOKEN", TOKEN);
        let output = run(shell).await;
        assert!(
            output.status.success(),
            "{example}\nfailed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8_lossy(&output.stdout);
        if example.contains("/query") {
            assert!(stdout.starts_with("cycle,outcome"), "{example}\n{stdout}");
            assert_eq!(stdout.lines().count(), 6, "{example}\n{stdout}");
        }
    }
    assert!(f.quads() > before, "the README's update wrote nothing");
    // Without the token, the same update is refused and writes nothing.
    let update = examples
        .iter()
        .find(|e| e.contains("/update"))
        .expect("an update example");
    let after = f.quads();
    let mut shell = Command::new("sh");
    shell
        .arg("-c")
        .arg(update.replace("http://127.0.0.1:7878", &base))
        .env("TDEV_HTTP_TOKEN", "wrong-token-wrong-token");
    let output = run(shell).await;
    assert!(!output.status.success(), "a wrong token was accepted");
    assert!(String::from_utf8_lossy(&output.stdout).contains("update token"));
    assert_eq!(f.quads(), after);
    stop.send(()).unwrap();
    server.await.unwrap();
}
