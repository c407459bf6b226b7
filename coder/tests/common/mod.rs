//! What the coder tests share: a real git worktree in a temporary directory, the request a
//! tool fixer gets, a small HTTP server on loopback that records what it receives, and a way
//! to run a test with the API key in its environment.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

/// A git repository with one commit holding `files`.
pub struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    pub fn new(files: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let repo = Repo { dir };
        repo.git(&["init", "-q", "-b", "main"]);
        for (path, content) in files {
            let file = repo.path().join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, content).unwrap();
        }
        repo.git(&["add", "-A"]);
        repo.git(&["commit", "-q", "-m", "initial"]);
        repo
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn read(&self, path: &str) -> Option<String> {
        std::fs::read_to_string(self.path().join(path)).ok()
    }

    /// `git status --porcelain`: empty when the worktree is as committed.
    pub fn status(&self) -> String {
        self.git(&["status", "--porcelain", "--untracked-files=all"])
    }

    pub fn git(&self, args: &[&str]) -> String {
        let output = Command::new("git")
            .arg("-C")
            .arg(self.path())
            .args([
                "-c",
                "user.name=tdev test",
                "-c",
                "user.email=test@tdev.invalid",
            ])
            .args(args)
            .output()
            .expect("git runs");
        assert!(output.status.success(), "git {args:?}: {output:?}");
        String::from_utf8(output.stdout).unwrap()
    }
}

/// One request as the test server received it.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    pub path: String,
    /// Header names in lower case.
    pub headers: BTreeMap<String, String>,
    pub body: String,
}

/// An HTTP/1.1 server on 127.0.0.1 that answers every request with one status and body, and
/// records each request before answering it (so a test that got its answer sees the record).
pub struct TestServer {
    pub url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl TestServer {
    pub fn start(status: u16, body: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&received);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { break };
                let Some(request) = read_request(&mut stream) else {
                    continue;
                };
                record.lock().unwrap().push(request);
                let response = format!(
                    "HTTP/1.1 {status} Test\r\ncontent-type: application/json\r\n\
                     content-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(response.as_bytes());
            }
        });
        TestServer { url, received }
    }

    /// A server that reads each request and never answers it, holding the connection open.
    pub fn silent() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&received);
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { break };
                if let Some(request) = read_request(&mut stream) {
                    record.lock().unwrap().push(request);
                }
                held.push(stream);
            }
        });
        TestServer { url, received }
    }

    /// The URL of a loopback port nobody listens on any more.
    pub fn closed_url() -> String {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        format!("http://{}", listener.local_addr().unwrap())
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

fn read_request(stream: &mut std::net::TcpStream) -> Option<Received> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let path = parts.next()?.to_owned();
    let mut headers = BTreeMap::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|value| value.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Received {
        method,
        path,
        headers,
        body: String::from_utf8(body).ok()?,
    })
}

/// The variable the tests' LLM backends read their key from, and the key it holds.
pub const KEY_VARIABLE: &str = "TDEV_CODER_TEST_API_KEY";
pub const KEY: &str = "test-key-not-a-secret";

/// Runs `body` where `KEY_VARIABLE` holds `KEY`. The backend reads the key only from the
/// environment, and a test cannot set a variable in its own (multi-threaded) process, so the
/// test runs itself again as a child process with the variable set.
pub fn with_api_key(test: &str, body: impl FnOnce()) {
    if std::env::var(KEY_VARIABLE).as_deref() == Ok(KEY) {
        body();
        return;
    }
    let output = Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(KEY_VARIABLE, KEY)
        .output()
        .expect("the test binary runs again");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "{test} failed in the child process:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// tdev's tool environment (ruff, pinned), which `scripts/test` installs: `TDEV_TOOLS_DIR`,
/// else the default cache's.
pub fn tools_dir() -> std::path::PathBuf {
    std::env::var_os("TDEV_TOOLS_DIR").map_or_else(
        || {
            let home = std::env::var_os("HOME").expect("HOME or TDEV_TOOLS_DIR is set");
            std::path::Path::new(&home).join(".cache/tdev/tools")
        },
        std::path::PathBuf::from,
    )
}

/// The request of a task with `strategy` whose findings, one per path, are of `kind`.
pub fn tool_request(
    strategy: &str,
    kind: &str,
    fix: Option<tdev_core::Fixability>,
    paths: &[&str],
) -> tdev_coder::AttemptRequest {
    tdev_coder::AttemptRequest {
        task: tdev_coder::TaskBrief {
            kind: "fix-lint".to_owned(),
            title: strategy.to_owned(),
            strategy: strategy.parse().unwrap(),
        },
        findings: paths
            .iter()
            .enumerate()
            .map(|(i, path)| tdev_core::Finding {
                id: format!("f{}", i + 1),
                kind: kind.to_owned(),
                severity: tdev_core::Severity::Low,
                path: (*path).to_owned(),
                span: None,
                symbol: None,
                message: format!("{kind} in {path}"),
                evidence: None,
                metrics: Default::default(),
                fix,
                priority: 0.0,
            })
            .collect(),
        excerpts: Vec::new(),
        conventions: String::new(),
        similar_patterns: Vec::new(),
        previous_failure: Vec::new(),
    }
}
