//! Secrets planted in a target repository never leave tdev: a documentation cycle with the
//! real local model (`scripts/local-model`) on a package whose module holds a GitHub token,
//! an AWS key, a database URL with its password, a password assignment and a private key.
//! None of them may be in a request the model server received (every request body is kept
//! by a recording proxy in front of it), in the log lines, in the cycle's record, in the
//! knowledge graph or in the pattern index; and the prompt must show that something was
//! redacted where they were.

#[path = "../../coder/tests/common/mod.rs"]
mod coder;
mod common;
#[path = "../../tests/support/local_model.rs"]
mod local_model;
#[path = "../../tests/support/git.rs"]
mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use support::git;
use tdev_actors::{CycleRequest, Tree};
use tdev_coder::{LlmConfig, Provider};
use tdev_core::Trigger;
use tdev_knowledge::{GraphFormat, KnowledgeBase, SearchFilter};
use tdev_planner::BackendChoice;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const TOKEN: &str = "ghp_Zq8v2LmN4pR6sT0uW3xY5aB7cD9eF1gH2jK4";
const AWS_KEY: &str = "AKIAZ7QW3ERT5YUI9OPL";
const DB_PASSWORD: &str = "Vx9-k2Lm-7Qp";
const PASSWORD: &str = "correct-horse-battery-9";
const KEY_BODY: &str = "MIIEpQIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM2Bb8";

fn secrets() -> [&'static str; 5] {
    [TOKEN, AWS_KEY, DB_PASSWORD, PASSWORD, KEY_BODY]
}

/// A package whose one module holds the secrets and a function without a docstring (the
/// cycle's task), with its tests, committed on `main`.
fn package(root: &Path) -> PathBuf {
    let repo = root.join("vault");
    std::fs::create_dir_all(repo.join("vault")).unwrap();
    std::fs::create_dir_all(repo.join("tests")).unwrap();
    let write = |path: &str, text: &str| std::fs::write(repo.join(path), text).unwrap();
    write(
        "pyproject.toml",
        "[project]\nname = \"vault\"\nversion = \"1.0\"\nrequires-python = \">=3.9\"\n",
    );
    write("vault/__init__.py", "\"\"\"Settings.\"\"\"\n");
    write(
        "vault/settings.py",
        &format!(
            "\"\"\"Connection settings.\"\"\"\n\nGITHUB_TOKEN = \"{TOKEN}\"\nAWS_ACCESS_KEY_ID = \"{AWS_KEY}\"\n\
             DATABASE_URL = \"postgres://admin:{DB_PASSWORD}@db.internal/app\"\npassword = \"{PASSWORD}\"\n\
             DEPLOY_KEY = \"\"\"-----BEGIN RSA PRIVATE KEY-----\n{KEY_BODY}\n-----END RSA PRIVATE KEY-----\n\"\"\"\n\n\n\
             def host(url):\n    return url.split(\"@\")[-1].split(\"/\")[0]\n"
        ),
    );
    write(
        "tests/test_settings.py",
        "from vault.settings import host\n\n\ndef test_host():\n    assert host(\"x://a:b@h/p\") == \"h\"\n",
    );
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "Settings"]);
    repo
}

/// A loopback HTTP proxy in front of `upstream` (`host:port`) that keeps the body of every
/// request it forwards. One request per connection: it asks the server to close after
/// answering and passes the answer back whole.
async fn recording_proxy(upstream: String) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let kept = bodies.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let (upstream, kept) = (upstream.clone(), kept.clone());
            tokio::spawn(async move {
                let _ = forward(client, &upstream, &kept).await;
            });
        }
    });
    (format!("http://{address}"), bodies)
}

async fn forward(
    mut client: TcpStream,
    upstream: &str,
    kept: &Mutex<Vec<String>>,
) -> std::io::Result<()> {
    let mut request = Vec::new();
    let mut buffer = [0u8; 8192];
    let head_end = loop {
        let n = client.read(&mut buffer).await?;
        if n == 0 {
            return Ok(());
        }
        request.extend_from_slice(&buffer[..n]);
        if let Some(i) = request.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&request[..head_end]).into_owned();
    let length: usize = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    while request.len() < head_end + length {
        let n = client.read(&mut buffer).await?;
        if n == 0 {
            break;
        }
        request.extend_from_slice(&buffer[..n]);
    }
    let body = &request[head_end..];
    kept.lock()
        .unwrap()
        .push(String::from_utf8_lossy(body).into_owned());
    let mut forwarded: String = head
        .trim_end()
        .lines()
        .filter(|line| !line.to_ascii_lowercase().starts_with("connection:"))
        .map(|line| format!("{line}\r\n"))
        .collect();
    forwarded.push_str("Connection: close\r\n\r\n");
    let mut server = TcpStream::connect(upstream).await?;
    server.write_all(forwarded.as_bytes()).await?;
    server.write_all(body).await?;
    let mut answer = Vec::new();
    server.read_to_end(&mut answer).await?;
    client.write_all(&answer).await?;
    client.shutdown().await
}

/// Every log line of this test process, at every level.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn secrets_in_the_target_reach_no_prompt_log_record_graph_or_pattern() {
    coder::with_api_key(
        "secrets_in_the_target_reach_no_prompt_log_record_graph_or_pattern",
        check,
    );
}

fn check() {
    let logs = Logs::default();
    let writer = logs.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    let root = tempfile::tempdir().unwrap();
    let repo = package(root.path());
    let server = local_model::local_model();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let upstream = server
        .base_url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let (proxy, bodies) = runtime.block_on(recording_proxy(upstream));
    let mut llm = LlmConfig::new(Provider::Openai, &server.model);
    llm.base_url = Some(format!("{proxy}/v1"));
    llm.api_key_env = Some(coder::KEY_VARIABLE.to_owned());
    llm.max_tokens = 200;
    llm.timeout_secs = 600;
    let mut config = common::config(root.path());
    config.coder.llm = Some(llm);
    let record = runtime.block_on(async {
        let tree = Tree::start(config).await.unwrap();
        let record = tree
            .run_cycle(CycleRequest {
                id: "c-1".to_owned(),
                repo: repo.clone(),
                repository: "vault".to_owned(),
                goal: "improve documentation".to_owned(),
                max_tasks: 1,
                trigger: Trigger::Manual,
                dry_run: false,
                backend: BackendChoice::Llm,
            })
            .await
            .unwrap();
        tree.stop().await;
        record
    });

    // The model was asked, about the module, with the secrets redacted where they were.
    let bodies = bodies.lock().unwrap().clone();
    assert!(
        !bodies.is_empty(),
        "no request reached the model: {record:#?}"
    );
    assert!(
        bodies.iter().any(|b| b.contains("def host(url)")),
        "the prompt did not show the module's code: {bodies:?}"
    );
    assert!(
        bodies.iter().any(|b| b.contains("<redacted:")),
        "nothing was redacted in the prompt: {bodies:?}"
    );
    let record_json = serde_json::to_string(&record).unwrap();
    let knowledge = KnowledgeBase::open(&root.path().join("data")).unwrap();
    let graph = String::from_utf8(
        knowledge
            .graph
            .dump(Vec::new(), GraphFormat::NQuads, None)
            .unwrap(),
    )
    .unwrap();
    let patterns: String = knowledge
        .patterns
        .search("", &SearchFilter::default(), 1000)
        .unwrap()
        .into_iter()
        .map(|hit| {
            format!(
                "{}\n{}\n",
                hit.pattern.situation, hit.pattern.example_change
            )
        })
        .collect();
    let logs = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(
        graph.contains("vault/settings.py"),
        "the graph holds the cycle's findings"
    );
    for secret in secrets() {
        for (place, text) in [
            ("a request to the model", bodies.join("\n")),
            ("the logs", logs.clone()),
            ("the record", record_json.clone()),
            ("the graph", graph.clone()),
            ("the pattern index", patterns.clone()),
        ] {
            assert!(!text.contains(secret), "{secret} reached {place}");
        }
    }
}
