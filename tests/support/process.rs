//! What the tests that run whole `tdev evolve` processes share: a throw-away home for tdev's
//! data and cache, a small real repository with findings every backend can act on, git, and
//! waiting for a condition with a deadline.

#![allow(dead_code)] // each test file uses its own part

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// How long a condition may take to come true: a cycle's research on a small repository takes
/// seconds, but a loaded machine is slow.
const DEADLINE: Duration = Duration::from_secs(300);

/// `tdev` run in `home`, with its data (the per-user directory) and cache under `home`; the
/// tool and test environments the test scripts installed are shared, as they take minutes to
/// make.
pub fn tdev(home: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tdev"));
    command
        .current_dir(home)
        .env_remove("TDEV_DATA_DIR")
        .env_remove("RUST_LOG")
        .env("XDG_DATA_HOME", home.join("data"))
        .env("TDEV_CACHE", home.join("cache"))
        .env("TDEV_TOOLS_DIR", shared("TDEV_TOOLS_DIR", "tools"))
        .env("TDEV_TEST_ENVS", shared("TDEV_TEST_ENVS", "test-envs"));
    // No trace export to a collector the developer's shell names; the tests that export say
    // where to.
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("OTEL_") {
            command.env_remove(name);
        }
    }
    command
}

/// A cache the test scripts share with every test (`var`, else `~/.cache/tdev/<sub>`): the
/// tool and test environments, which take minutes to make.
pub fn shared(var: &str, sub: &str) -> PathBuf {
    std::env::var_os(var).map_or_else(
        || {
            let user = std::env::var_os("HOME").expect("HOME is set");
            Path::new(&user).join(".cache/tdev").join(sub)
        },
        PathBuf::from,
    )
}

/// git's trimmed output in `repo`; panics when git fails.
pub fn git(repo: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(args)
        .output()
        .expect("running git");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// A one-commit Python repository under `home` with a finding a codemod fixes (`== None`,
/// found by ruff's E711) and an undocumented public function.
pub fn repository(home: &Path) -> PathBuf {
    repository_named(home, "project")
}

/// [`repository`] in `home/name`: tdev names the repository `name`.
pub fn repository_named(home: &Path, name: &str) -> PathBuf {
    let repo = home.join(name);
    std::fs::create_dir_all(repo.join("pkg")).unwrap();
    std::fs::write(repo.join("pkg/__init__.py"), "").unwrap();
    std::fs::write(
        repo.join("pkg/check.py"),
        "def count(values):\n    n = 0\n    for value in values:\n        if value == None:\n            n += 1\n    return n\n",
    )
    .unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "-A"]);
    git(
        &repo,
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "commit",
            "-q",
            "-m",
            "start",
        ],
    );
    repo
}

/// tdev in `home` with `args`; its stdout, failing the test unless it exits 0.
pub fn ok(home: &Path, args: &[&str]) -> String {
    let output = tdev(home).args(args).output().unwrap();
    assert!(
        output.status.success(),
        "tdev {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Polls `done` until it holds or the deadline passes; true when it held.
pub fn wait_for(mut done: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < DEADLINE {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    done()
}

/// A `tdev daemon` a test started: stopped when dropped, also when the test fails before it
/// stops it (SIGTERM, then SIGKILL if it has not exited within a minute), so that no daemon
/// outlives its test.
pub struct Daemon(pub std::process::Child);

impl Daemon {
    /// `tdev daemon` on `data`, its log (stderr) written to `log`.
    pub fn start(home: &Path, data: &Path, log: &Path) -> Self {
        let log = std::fs::File::create(log).unwrap();
        Self::spawn(
            tdev(home)
                .arg("--data-dir")
                .arg(data)
                .arg("daemon")
                .stderr(log),
        )
    }

    /// A daemon started by `command` (its stdout discarded).
    pub fn spawn(command: &mut Command) -> Self {
        Daemon(
            command
                .stdout(std::process::Stdio::null())
                .spawn()
                .expect("starting tdev daemon"),
        )
    }

    pub fn id(&self) -> u32 {
        self.0.id()
    }

    /// Sends SIGTERM and waits for the exit; the exit code.
    pub fn terminate(mut self) -> Option<i32> {
        signal_term(self.id());
        self.0.wait().unwrap().code()
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if !matches!(self.0.try_wait(), Ok(None)) {
            return;
        }
        signal_term(self.id());
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(60) {
            if !matches!(self.0.try_wait(), Ok(None)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn signal_term(pid: u32) {
    let sent = Command::new("kill")
        .arg("-TERM")
        .arg(pid.to_string())
        .status()
        .unwrap();
    assert!(sent.success(), "kill -TERM {pid}");
}

/// The address the daemon's HTTP server took (port 0 in the configuration), from its log.
pub fn serving(log: &Path) -> Option<String> {
    let log = std::fs::read_to_string(log).ok()?;
    let at = log.find("serving HTTP on http://")? + "serving HTTP on http://".len();
    Some(log[at..].split_whitespace().next()?.to_owned())
}

/// A GET over a plain socket, with `Accept: accept` when given: the status code and the body.
pub fn get(address: &str, path: &str, accept: Option<&str>) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    let accept = accept
        .map(|a| format!("Accept: {a}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: {address}\r\n{accept}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    let code = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    // Some servers (Oxigraph's) send chunks even to an HTTP/1.0 request.
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    (
        code,
        if chunked {
            dechunk(body)
        } else {
            body.to_owned()
        },
    )
}

/// The body of a chunked response.
fn dechunk(chunks: &str) -> String {
    let (mut chunks, mut body) = (chunks.as_bytes(), Vec::new());
    while let Some(end) = chunks.windows(2).position(|w| w == b"\r\n") {
        let size = String::from_utf8_lossy(&chunks[..end]);
        let size = usize::from_str_radix(size.split(';').next().unwrap().trim(), 16).unwrap();
        if size == 0 {
            break;
        }
        body.extend_from_slice(&chunks[end + 2..end + 2 + size]);
        chunks = &chunks[end + 2 + size + 2..];
    }
    String::from_utf8(body).unwrap()
}
