//! The SPARQL endpoint under load: simple SELECTs and the learned-knowledge queries sent over
//! loopback HTTP to tdev-server and, in the same run and on the same data, to Oxigraph's own
//! server, the reference a user would compare it with (issue 14: at least 90% of its
//! throughput, p95 under 20 ms for the learned-knowledge queries at a million triples).
//!
//! Run: `cargo bench --bench http [-- --records N] [--seconds S] [--warm-up S]
//! [--rounds R] [--concurrency C[,C...]] [--compact] [--only TEXT] [--query FILE]...
//! [--keep DIR] [--oxigraph PATH]`. Prints a Markdown table for
//! docs/benchmarks.md. Not a criterion bench: each measurement is a fixed time of load, as a
//! load generator measures a server.
//!
//! The records are written into a data directory as `tdev kg record` writes them, then
//! dumped as N-Quads and loaded into a store of Oxigraph's command-line tool (`oxigraph
//! load`), which serves it with `oxigraph serve --union-default-graph` (tdev's queries see
//! the union of all graphs too): a writable store, as the daemon's is; `--read-only` serves
//! it with `serve-read-only` instead. The tool is the `oxigraph` package of PyPI at
//! the version of the oxigraph crate tdev uses, installed on first use into a virtual
//! environment in tdev's cache (`<cache>/bench/oxigraph-<version>`; needs `python3` with
//! `venv`), or taken from `--oxigraph PATH` or `$TDEV_BENCH_OXIGRAPH`.
//!
//! tdev-server runs in this process on its own multi-thread runtime with the default
//! configuration; the load generator runs on another (one thread), so the two share the
//! machine's cores but not a scheduler. Each of `C` workers holds one keep-alive connection
//! and sends the next request when the last is answered; requests sent during the warm-up
//! are not counted. The measured time is cut into rounds that alternate between the two
//! servers (tdev-server, then Oxigraph, R times), so that the machine's speed, which drifts
//! from second to second on a shared virtual machine, weighs on both alike. Both servers get the same query text, as `GET /query?query=...` with
//! `Accept: application/sparql-results+json`; before the load, each query's answers from
//! the two are checked to have the same number of rows.

#[path = "../tests/support/synthetic.rs"]
mod synthetic;

use std::net::{SocketAddr, TcpListener as StdListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tdev_knowledge::{GraphFormat, KnowledgeBase};
use tdev_server::{Config, State};

/// The Oxigraph release compared with: the crate's version, so both evaluate with the same
/// engine and the comparison is of the servers.
const OXIGRAPH_VERSION: &str = "0.5.13";

const PREFIX: &str = "PREFIX tdev: <https://tdev.dev/ns#>\n";
const PASS_RATE: &str = include_str!("../knowledge/queries/pass-rate-per-strategy.rq");
const MODEL_VERSIONS: &str = include_str!("../knowledge/queries/model-versions.rq");
const CURRENT_MODELS: &str = include_str!("../knowledge/queries/current-models.rq");
const TALLIES: &str = include_str!("../knowledge/queries/strategy-tallies.rq");

/// The repository `strategy-tallies.rq` is asked about, as `tdev ask` asks it.
const REPOSITORY: &str = "https://tdev.dev/id/repo/attrs";

/// The queries sent: (label, text). `cycles.rq` (`tdev cycles`) is not among them: it groups
/// and sorts every cycle before a `LIMIT` could apply, so a limit bounds its answer but not
/// its work, which takes seconds at a million triples.
fn queries() -> Vec<(&'static str, String)> {
    vec![
        (
            "simple SELECT (`?c a tdev:Cycle`, LIMIT 10)",
            format!("{PREFIX}SELECT ?c WHERE {{ ?c a tdev:Cycle }} LIMIT 10"),
        ),
        (
            "ASK (a failed cycle)",
            format!("{PREFIX}ASK {{ ?c a tdev:Cycle ; tdev:outcome \"failed\" }}"),
        ),
        ("`pass-rate-per-strategy.rq`", PASS_RATE.to_owned()),
        ("`current-models.rq`", CURRENT_MODELS.to_owned()),
        // Every version ever kept: a history, which grows with every model kept.
        ("`model-versions.rq` (history)", MODEL_VERSIONS.to_owned()),
        (
            "`strategy-tallies.rq`, one repository (`VALUES`)",
            // What `tdev ask` binds, written as a client over HTTP writes it.
            bind_first(TALLIES, &format!("VALUES ?repository {{ <{REPOSITORY}> }}")),
        ),
    ]
}

/// `query` with `clause` at the start of its outermost group, as `tdev show` binds a cycle.
fn bind_first(query: &str, clause: &str) -> String {
    query.replacen("WHERE {", &format!("WHERE {{\n  {clause}"), 1)
}

#[derive(Debug)]
struct Options {
    records: u64,
    seconds: f64,
    warm_up: f64,
    rounds: u32,
    concurrency: Vec<usize>,
    keep: Option<PathBuf>,
    oxigraph: Option<PathBuf>,
    compact: bool,
    read_only: bool,
    only: Option<String>,
    extra: Vec<PathBuf>,
}

fn options() -> Options {
    let mut options = Options {
        // About 125 quads each: a million triples.
        records: 8_000,
        seconds: 5.0,
        warm_up: 1.0,
        rounds: 5,
        concurrency: vec![1, 4],
        keep: None,
        oxigraph: std::env::var_os("TDEV_BENCH_OXIGRAPH").map(PathBuf::from),
        compact: false,
        read_only: false,
        only: None,
        extra: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    let number = |value: Option<String>, flag: &str| -> f64 {
        value
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{flag} needs a number"))
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--records" => options.records = number(args.next(), "--records") as u64,
            // Measured load per query, server and concurrency, after the warm-up.
            "--seconds" => options.seconds = number(args.next(), "--seconds"),
            "--warm-up" => options.warm_up = number(args.next(), "--warm-up"),
            // The measured time is cut into R rounds per server, alternating between them.
            "--rounds" => options.rounds = (number(args.next(), "--rounds") as u32).max(1),
            // Concurrent connections; several values (`1,4`) measure each.
            "--concurrency" => {
                options.concurrency = args
                    .next()
                    .expect("--concurrency C[,C...]")
                    .split(',')
                    .map(|c| c.trim().parse().expect("--concurrency takes whole numbers"))
                    .collect();
            }
            // Leaves tdev's data directory in DIR, to query it afterwards.
            "--keep" => options.keep = args.next().map(PathBuf::from),
            // Oxigraph's command-line tool, instead of the one installed in the cache.
            "--oxigraph" => options.oxigraph = args.next().map(PathBuf::from),
            // Compacts both stores before serving them (`oxigraph optimize` for Oxigraph's).
            "--compact" => options.compact = true,
            // Serves Oxigraph's store with `serve-read-only` instead of `serve`.
            "--read-only" => options.read_only = true,
            // Only the queries whose label contains TEXT (to profile one).
            "--only" => options.only = args.next(),
            // One more query, from FILE, labelled with its name (to compare a rewrite).
            "--query" => options
                .extra
                .push(PathBuf::from(args.next().expect("--query FILE"))),
            _ => {}
        }
    }
    options
}

/// Oxigraph's command-line tool: the one given, else the one in tdev's cache, installed
/// there from PyPI the first time.
fn oxigraph_tool(given: Option<PathBuf>) -> PathBuf {
    if let Some(path) = given {
        return path;
    }
    let layout = tdev_app::Layout::from_env().expect("tdev's cache directory");
    let env = layout
        .cache
        .join("bench")
        .join(format!("oxigraph-{OXIGRAPH_VERSION}"));
    let tool = env.join("bin").join("oxigraph");
    if tool.exists() {
        return tool;
    }
    eprintln!(
        "installing oxigraph {OXIGRAPH_VERSION} from PyPI into {}",
        env.display()
    );
    let run = |command: &mut Command, what: &str| {
        let status = command.status().unwrap_or_else(|e| panic!("{what}: {e}"));
        assert!(
            status.success(),
            "{what} failed ({status}); install Oxigraph's CLI yourself (`pip install \
             oxigraph=={OXIGRAPH_VERSION}`) and pass --oxigraph PATH"
        );
    };
    run(
        Command::new("python3").args(["-m", "venv"]).arg(&env),
        "creating a virtual environment with `python3 -m venv`",
    );
    run(
        Command::new(env.join("bin").join("pip")).args([
            "install",
            "--quiet",
            &format!("oxigraph=={OXIGRAPH_VERSION}"),
        ]),
        "pip install oxigraph",
    );
    tool
}

/// A child process killed when dropped, so that a failed assertion does not leave the
/// server running.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A port free on the loopback interface now, for a server that binds its own.
fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Loads `dump` into a new store in `location` (optimised when `compact`) and serves it on
/// a free port: writable, as the daemon's store is (`serve`), or `read_only`
/// (`serve-read-only`, which opens the store without a writer).
fn start_oxigraph(
    tool: &Path,
    dump: &Path,
    location: &Path,
    compact: bool,
    read_only: bool,
) -> (Killed, SocketAddr) {
    let version = Command::new(tool)
        .arg("--version")
        .output()
        .expect("oxigraph --version runs");
    let version = String::from_utf8_lossy(&version.stdout);
    if !version.contains(OXIGRAPH_VERSION) {
        eprintln!(
            "warning: {} says {:?}; the comparison is meant for {OXIGRAPH_VERSION}",
            tool.display(),
            version.trim()
        );
    }
    let start = Instant::now();
    let status = Command::new(tool)
        .arg("load")
        .arg("--location")
        .arg(location)
        .arg("--file")
        .arg(dump)
        .stdout(Stdio::null())
        .status()
        .expect("oxigraph load runs");
    assert!(status.success(), "oxigraph load failed: {status}");
    eprintln!("oxigraph load: {:.1} s", start.elapsed().as_secs_f64());
    if compact {
        let start = Instant::now();
        let status = Command::new(tool)
            .arg("optimize")
            .arg("--location")
            .arg(location)
            .status()
            .expect("oxigraph optimize runs");
        assert!(status.success(), "oxigraph optimize failed: {status}");
        eprintln!("oxigraph optimize: {:.1} s", start.elapsed().as_secs_f64());
    }
    let address = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let serve = if read_only {
        "serve-read-only"
    } else {
        "serve"
    };
    let child = Command::new(tool)
        .arg(serve)
        .arg("--location")
        .arg(location)
        .arg("--bind")
        .arg(address.to_string())
        .arg("--union-default-graph")
        .stdout(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("oxigraph {serve} does not start: {e}"));
    (Killed(child), address)
}

/// What one fixed time of load measured.
struct Measured {
    /// Latency of each request answered 200 that was sent in the measured time.
    latencies: Vec<Duration>,
    /// Requests sent in the measured time that failed or were not answered 200.
    errors: usize,
    /// From the end of the warm-up until the last counted request was answered.
    elapsed: Duration,
}

impl Measured {
    fn nothing() -> Self {
        Self {
            latencies: Vec::new(),
            errors: 0,
            elapsed: Duration::ZERO,
        }
    }

    /// Adds a round's measurement to this one.
    fn add(&mut self, round: Measured) {
        self.latencies.extend(round.latencies);
        self.errors += round.errors;
        self.elapsed += round.elapsed;
    }

    fn per_second(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64()
    }

    /// The latency below which a share `p` of the requests were answered (the latencies
    /// sorted first).
    fn percentile(&self, p: f64) -> Duration {
        let index = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies[index]
    }
}

/// `GET /query?query=...` on `address`, as a URL built once.
fn query_url(address: SocketAddr, query: &str) -> reqwest::Url {
    reqwest::Url::parse_with_params(&format!("http://{address}/query"), [("query", query)])
        .expect("a valid URL")
}

fn client(connections: usize) -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .http1_only()
        .tcp_nodelay(true)
        .pool_max_idle_per_host(connections)
        .build()
        .expect("an HTTP client")
}

const ACCEPT: &str = "application/sparql-results+json";

/// The rows of the answer to `url` (1 for an ASK), with the ASK's answer.
async fn rows(client: &reqwest::Client, url: &reqwest::Url) -> (usize, Option<bool>) {
    let response = client
        .get(url.clone())
        .header(reqwest::header::ACCEPT, ACCEPT)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{url}: {e}"));
    let status = response.status();
    let body = response.text().await.expect("a body");
    assert_eq!(status, 200, "{url}: {body}");
    let json: serde_json::Value = serde_json::from_str(&body).expect("SPARQL results JSON");
    match json.get("boolean").and_then(serde_json::Value::as_bool) {
        Some(answer) => (1, Some(answer)),
        None => (
            json["results"]["bindings"]
                .as_array()
                .expect("bindings")
                .len(),
            None,
        ),
    }
}

/// Waits until the server at `address` answers a query, for at most a minute.
async fn wait_until_up(client: &reqwest::Client, address: SocketAddr, server: &mut Killed) {
    let url = query_url(address, "ASK {}");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let answered = client
            .get(url.clone())
            .header(reqwest::header::ACCEPT, ACCEPT)
            .send()
            .await
            .is_ok_and(|r| r.status().is_success());
        if answered {
            return;
        }
        if let Some(status) = server.0.try_wait().expect("the server's status") {
            panic!("oxigraph exited ({status}) before answering");
        }
        assert!(
            Instant::now() < deadline,
            "oxigraph did not answer on {address} within a minute"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `concurrency` workers, each on a connection of `client`'s (kept from round to round),
/// send `url` one request after another for `warm_up` and then `seconds`; what was sent
/// after the warm-up is counted.
async fn load(
    client: &reqwest::Client,
    url: &reqwest::Url,
    concurrency: usize,
    warm_up: Duration,
    seconds: Duration,
) -> Measured {
    let begin = Instant::now();
    let counted = begin + warm_up;
    let end = counted + seconds;
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let client = client.clone();
            let url = url.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut errors = 0;
                let mut last = counted;
                loop {
                    let sent = Instant::now();
                    if sent >= end {
                        break;
                    }
                    let answer = client
                        .get(url.clone())
                        .header(reqwest::header::ACCEPT, ACCEPT)
                        .send()
                        .await;
                    // The whole body is read, as a client that uses the answer would.
                    let ok = match answer {
                        Ok(response) => {
                            let ok = response.status() == 200;
                            response.bytes().await.is_ok() && ok
                        }
                        Err(_) => false,
                    };
                    let answered = Instant::now();
                    if sent >= counted {
                        last = last.max(answered);
                        if ok {
                            latencies.push(answered - sent);
                        } else {
                            errors += 1;
                        }
                    }
                }
                (latencies, errors, last)
            })
        })
        .collect();
    let mut measured = Measured {
        latencies: Vec::new(),
        errors: 0,
        elapsed: seconds,
    };
    for worker in workers {
        let (latencies, errors, last) = worker.await.expect("a load worker");
        measured.latencies.extend(latencies);
        measured.errors += errors;
        measured.elapsed = measured.elapsed.max(last - counted);
    }
    measured
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

fn main() {
    let options = options();
    let tool = oxigraph_tool(options.oxigraph.clone());
    let temporary = tempfile::tempdir().expect("temporary directory");
    let dir = options
        .keep
        .clone()
        .unwrap_or_else(|| temporary.path().join("tdev"));

    // tdev's data directory, written as `tdev kg record` writes it.
    let knowledge = KnowledgeBase::open(&dir).expect("data directory opens");
    let cycles: Vec<_> = (0..options.records)
        .map(|i| synthetic::record(42, i))
        .collect();
    let start = Instant::now();
    for chunk in cycles.chunks(tdev_knowledge::IMPORT_BATCH) {
        knowledge
            .graph
            .record_cycles(chunk)
            .expect("records are written");
    }
    let quads = knowledge.graph.len().expect("len");
    eprintln!(
        "{} cycles, {quads} quads written in {:.1} s",
        options.records,
        start.elapsed().as_secs_f64()
    );
    drop(cycles);
    if options.compact {
        let start = Instant::now();
        knowledge.graph.compact().expect("compaction");
        eprintln!("compaction: {:.1} s", start.elapsed().as_secs_f64());
    }

    // The same quads in Oxigraph's own store.
    let dump = temporary.path().join("dump.nq");
    let file = std::fs::File::create(&dump).expect("dump file");
    let writer = knowledge
        .graph
        .dump(std::io::BufWriter::new(file), GraphFormat::NQuads, None)
        .expect("dump");
    drop(writer);
    let (mut oxigraph, oxigraph_address) = start_oxigraph(
        &tool,
        &dump,
        &temporary.path().join("oxigraph"),
        options.compact,
        options.read_only,
    );

    // tdev-server, on a runtime of its own.
    let server_runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("tdev-server")
        .build()
        .expect("the server's runtime");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let listener = server_runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("a loopback listener");
    let tdev_address = listener.local_addr().expect("the listener's address");
    let server = server_runtime.spawn(tdev_server::serve(
        listener,
        State::new(knowledge.clone(), Config::default()),
        async move {
            let _ = stopped.await;
        },
    ));

    let load_runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("the load generator's runtime");
    let warm_up = Duration::from_secs_f64(options.warm_up);
    let seconds = Duration::from_secs_f64(options.seconds);
    load_runtime.block_on(async {
        let probe = client(1);
        wait_until_up(&probe, oxigraph_address, &mut oxigraph).await;
        println!(
            "{} cycles, {quads} quads; tdev-server on {tdev_address}, oxigraph {OXIGRAPH_VERSION} \
             {} on {oxigraph_address}; {:.0} s of load per row after {:.0} s of warm-up, in {} \
             rounds alternating between the servers.\n",
            options.records,
            if options.read_only { "serve-read-only" } else { "serve" },
            options.seconds,
            options.warm_up,
            options.rounds
        );
        println!(
            "| query | rows | connections | server | req/s | p50 ms | p95 ms | p99 ms | errors \
             | tdev/oxigraph req/s |"
        );
        println!("|---|---|---|---|---|---|---|---|---|---|");
        let extra = options.extra.iter().map(|file| {
            let text = std::fs::read_to_string(file)
                .unwrap_or_else(|e| panic!("reading {}: {e}", file.display()));
            let name = file.file_name().unwrap_or_default().to_string_lossy();
            (format!("`{name}`"), text)
        });
        let labelled = queries().into_iter().map(|(label, query)| (label.to_owned(), query));
        let chosen = labelled.chain(extra).filter(|(label, _)| {
            options.only.as_deref().is_none_or(|only| label.contains(only))
        });
        for (label, query) in chosen {
            let tdev_url = query_url(tdev_address, &query);
            let oxigraph_url = query_url(oxigraph_address, &query);
            let (tdev_rows, tdev_answer) = rows(&probe, &tdev_url).await;
            let (oxigraph_rows, oxigraph_answer) = rows(&probe, &oxigraph_url).await;
            assert_eq!(
                (tdev_rows, tdev_answer),
                (oxigraph_rows, oxigraph_answer),
                "{label}: tdev-server and oxigraph answer differently"
            );
            for &connections in &options.concurrency {
                let (tdev_client, oxigraph_client) = (client(connections), client(connections));
                let (mut tdev, mut reference) = (Measured::nothing(), Measured::nothing());
                let round = seconds / options.rounds;
                for number in 0..options.rounds {
                    let warm_up = if number == 0 { warm_up } else { Duration::ZERO };
                    let measured =
                        load(&tdev_client, &tdev_url, connections, warm_up, round).await;
                    tdev.add(measured);
                    let measured =
                        load(&oxigraph_client, &oxigraph_url, connections, warm_up, round).await;
                    reference.add(measured);
                }
                tdev.latencies.sort();
                reference.latencies.sort();
                let ratio = tdev.per_second() / reference.per_second();
                for (server, measured, ratio) in [
                    ("tdev-server", &tdev, format!("{:.0}%", ratio * 100.0)),
                    ("oxigraph", &reference, String::new()),
                ] {
                    let line = if measured.latencies.is_empty() {
                        format!(
                            "| {label} | {tdev_rows} | {connections} | {server} | 0 | | | | {} | {ratio} |",
                            measured.errors
                        )
                    } else {
                        format!(
                            "| {label} | {tdev_rows} | {connections} | {server} | {:.0} | {} | {} | {} | {} | {ratio} |",
                            measured.per_second(),
                            ms(measured.percentile(0.5)),
                            ms(measured.percentile(0.95)),
                            ms(measured.percentile(0.99)),
                            measured.errors
                        )
                    };
                    println!("{line}");
                }
            }
        }
    });
    let _ = stop.send(());
    server_runtime
        .block_on(server)
        .expect("the server's task")
        .expect("tdev-server ran");
    drop(oxigraph);
}
