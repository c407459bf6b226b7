//! The real small code model of `scripts/local-model`, for end-to-end tests of the LLM
//! backend: started once per test process on a free loopback port, shared by its tests, and
//! gone when the process ends, however it ends.
//!
//! The server is told to stop when its standard input closes, and only this process holds
//! the other end of that pipe: the kernel closes it when the process exits, even when killed,
//! so no server outlives the tests (a `static` is never dropped, so nothing else would run at
//! exit). It uses one thread with OpenMP's passive waiting, which keeps its speed when a build
//! shares the cores.
//!
//! A model that is not installed fails the test that needs it, naming the command that
//! installs it, as the tests needing tdev's tool environment do.

#![allow(dead_code)] // each test file uses its own part

use std::io::{BufRead, BufReader, Read, Seek};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};

/// A running local model server.
#[derive(Debug)]
pub struct LocalModel {
    /// `http://127.0.0.1:PORT`, without a trailing slash: the Anthropic API's base URL; the
    /// OpenAI-compatible API's is this followed by `/v1`.
    pub base_url: String,
    /// The name the server gives its model.
    pub model: String,
    /// Held, never written: the server stops when it closes.
    _stdin: Mutex<ChildStdin>,
    _child: Mutex<Child>,
}

/// The server, started by the first test that asks for it.
pub fn local_model() -> &'static LocalModel {
    static MODEL: OnceLock<LocalModel> = OnceLock::new();
    MODEL.get_or_init(start)
}

/// The repository's `scripts/local-model`, found from the crate the test belongs to.
fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|dir| dir.join("scripts/local-model"))
        .find(|script| script.is_file())
        .expect("scripts/local-model in a directory above the crate")
}

fn start() -> LocalModel {
    let script = script();
    // What the server says goes to a file, read when it fails to start: a pipe nobody reads
    // could fill and stop it.
    let mut log = tempfile::tempfile().expect("a temporary file");
    let mut child = Command::new(&script)
        .args(["serve", "--threads", "1", "--json", "--until-stdin-closes"])
        .env("OMP_WAIT_POLICY", "PASSIVE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(log.try_clone().expect("a second handle"))
        // Its own process group: a Ctrl-C meant for the tests reaches the server only
        // through its closed stdin, after the tests are gone.
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
    let stdin = child.stdin.take().expect("piped stdin");
    let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
    let mut line = String::new();
    // The script prints one line once the server answers /health, or exits saying why not.
    let read = stdout.read_line(&mut line);
    if read.is_err() || line.trim().is_empty() {
        let status = child
            .wait()
            .map_or_else(|e| format!("not waited for: {e}"), |s| s.to_string());
        let mut stderr = String::new();
        let _ = log.rewind().and_then(|()| log.read_to_string(&mut stderr));
        panic!(
            "the local model server did not start ({status}): {}\n\
             The end-to-end tests of the LLM backend need the local model: run \
             `scripts/local-model install` (scripts/test-env and scripts/test do).",
            stderr.trim()
        );
    }
    let started: serde_json::Value = serde_json::from_str(&line)
        .unwrap_or_else(|e| panic!("scripts/local-model printed {line:?}: {e}"));
    let field = |name: &str| {
        started[name]
            .as_str()
            .unwrap_or_else(|| panic!("no {name} in {line:?}"))
            .to_owned()
    };
    LocalModel {
        base_url: field("base_url"),
        model: field("model"),
        _stdin: Mutex::new(stdin),
        _child: Mutex::new(child),
    }
}
