//! Several `tdev daemon`s sharing one knowledge graph on a real SPARQL server: Oxigraph's own
//! (`oxigraph serve --union-default-graph`, the `oxigraph` package of PyPI that
//! tests/requirements.txt pins), started on loopback by the test, each daemon with its own
//! data directory (`[knowledge] endpoint` in its tdev.toml).
//!
//! Two daemons evolving one repository each both record their cycles in the shared graph,
//! which the test reads from the server directly; neither keeps a graph of its own, each its
//! own pattern index. Two daemons configured with the same repository: one holds its lease and
//! runs its cycles, the other says (in its log and in `tdev status`) who holds it and runs
//! none, and `tdev evolve` on the repository is refused; killed, the holder stops renewing
//! the lease, which lapses and is taken over. A server that is down, answers elsewhere or
//! lacks the union default graph is said with its address.
//!
//! Nothing waits a fixed time: every wait polls the server, a log or `tdev status` until a
//! condition holds or a deadline passes.

#[path = "support/process.rs"]
mod process;
#[path = "support/python.rs"]
mod python;

use process::{Daemon, get, repository_named, serving, tdev, wait_for};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// Oxigraph's server, stopped when dropped.
struct Oxigraph {
    child: Child,
    address: String,
}

impl Oxigraph {
    /// `oxigraph serve` on a free loopback port, its store in `dir`, queries seeing the union
    /// of all graphs; returned once it answers.
    fn start(dir: &Path) -> Self {
        Self::serve(dir, true)
    }

    /// [`Oxigraph::start`], the default graph the union of all graphs only when `union`.
    fn serve(dir: &Path, union: bool) -> Self {
        let python = python::python("oxigraph (tests/requirements.txt)");
        let tool = python.parent().unwrap().join("oxigraph");
        assert!(
            tool.exists(),
            "{} not found: run scripts/test-env to install the oxigraph package of \
             tests/requirements.txt",
            tool.display()
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let address = format!("127.0.0.1:{port}");
        let mut command = Command::new(&tool);
        command
            .arg("serve")
            .arg("--location")
            .arg(dir)
            .arg("--bind")
            .arg(&address);
        if union {
            command.arg("--union-default-graph");
        }
        let child = command
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.with_extension("log")).unwrap())
            .spawn()
            .expect("starting oxigraph serve");
        let mut server = Self { child, address };
        let up = wait_for(|| {
            assert!(
                server.child.try_wait().unwrap().is_none(),
                "oxigraph serve exited: {}",
                std::fs::read_to_string(dir.with_extension("log")).unwrap_or_default()
            );
            std::net::TcpStream::connect(&server.address).is_ok()
        });
        assert!(up, "oxigraph serve did not listen on {}", server.address);
        server
    }

    /// A SELECT or ASK answered by the server itself, as CSV rows without the header.
    fn rows(&self, query: &str) -> Vec<String> {
        let path = format!("/query?query={}", encode(query));
        let (code, body) = get(&self.address, &path, Some("text/csv"));
        assert_eq!(code, 200, "{query}: {body}");
        body.lines().skip(1).map(str::to_owned).collect()
    }

    fn ask(&self, query: &str) -> bool {
        let path = format!("/query?query={}", encode(query));
        let (code, body) = get(
            &self.address,
            &path,
            Some("application/sparql-results+json"),
        );
        assert_eq!(code, 200, "{query}: {body}");
        body.contains("true")
    }
}

impl Drop for Oxigraph {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Percent-encodes a query for a URL.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

const PREFIXES: &str = "PREFIX tdev: <https://tdev.dev/ns#> ";

/// A data directory `home/.tdev` on the shared graph of `server`, whose `[daemon]` evolves
/// `repo` every two seconds with tool fixers, one task per cycle, at most `per_hour` cycles an
/// hour; leases of four seconds; HTTP on a free loopback port.
fn configure(home: &Path, server: &Oxigraph, repo: &Path, per_hour: u32) -> PathBuf {
    let data = home.join(".tdev");
    std::fs::create_dir_all(&data).unwrap();
    let config = format!(
        "[knowledge]\nendpoint = \"http://{}\"\nlease_secs = 4\n\n\
         [daemon]\ncycles_per_hour = {per_hour}\n\n[[daemon.repositories]]\npath = \"{}\"\n\
         schedule = \"*/2 * * * * *\"\nbackend = \"tools\"\nmax_tasks = 1\n\n\
         [http]\nlisten = \"127.0.0.1:0\"\n",
        server.address,
        repo.display()
    );
    std::fs::write(data.join("tdev.toml"), config).unwrap();
    // `tdev init` keeps the configuration it finds, and makes no graph of its own.
    let init = tdev(home).arg("init").arg(home).output().unwrap();
    assert!(init.status.success(), "{init:?}");
    data
}

/// tdev in `home` on the data directory `data`.
fn on(home: &Path, data: &Path) -> Command {
    let mut command = tdev(home);
    command.arg("--data-dir").arg(data);
    command
}

/// `tdev status --json` of the daemon on `data`, when one runs.
fn status(home: &Path, data: &Path) -> Option<serde_json::Value> {
    let output = on(home, data).args(["status", "--json"]).output().unwrap();
    (output.status.code() == Some(0)).then(|| serde_json::from_slice(&output.stdout).unwrap())
}

fn log(home: &Path, name: &str) -> String {
    std::fs::read_to_string(home.join(name)).unwrap_or_default()
}

/// Recorded cycles of each repository, by name, as the server counts them.
fn cycles_by_repository(server: &Oxigraph) -> Vec<String> {
    server.rows(&format!(
        "{PREFIXES}SELECT ?name (COUNT(?cycle) AS ?cycles) WHERE {{ \
         GRAPH ?g {{ ?cycle a tdev:Cycle ; tdev:repository ?r }} ?r tdev:name ?name }} \
         GROUP BY ?name ORDER BY ?name"
    ))
}

/// Two homes under `root`, `a` and `b`, one per daemon.
fn homes(root: &Path) -> Vec<PathBuf> {
    ["a", "b"]
        .iter()
        .map(|h| {
            let home = root.join(h);
            std::fs::create_dir_all(&home).unwrap();
            home
        })
        .collect()
}

#[test]
fn two_daemons_on_one_oxigraph_server_each_record_their_repository_in_the_shared_graph() {
    let root = tempfile::tempdir().unwrap();
    let server = Oxigraph::start(&root.path().join("store"));
    let homes = homes(root.path());
    let names = ["alpha", "beta"];
    let data: Vec<PathBuf> = homes
        .iter()
        .zip(names)
        .map(|(home, name)| configure(home, &server, &repository_named(home, name), 1))
        .collect();
    let daemons: Vec<Daemon> = homes
        .iter()
        .zip(&data)
        .map(|(home, data)| Daemon::start(home, data, &home.join("daemon.log")))
        .collect();

    // Each daemon runs its repository's one cycle of the hour; both land in the one graph.
    let mut counts = Vec::new();
    let both = wait_for(|| {
        counts = cycles_by_repository(&server);
        counts == ["alpha,1", "beta,1"]
    });
    assert!(
        both,
        "the shared graph holds {counts:?}; logs:\n{}\n{}",
        log(&homes[0], "daemon.log"),
        log(&homes[1], "daemon.log")
    );
    // Each cycle in its own named graph, as on the embedded store, and completed.
    let outcomes = server.rows(&format!(
        "{PREFIXES}SELECT ?name ?outcome WHERE {{ GRAPH ?g {{ ?c a tdev:Cycle ; \
         tdev:outcome ?outcome ; tdev:repository ?r }} ?r tdev:name ?name \
         FILTER(STRSTARTS(STR(?g), \"https://tdev.dev/graph/cycle/\")) }} ORDER BY ?name"
    ));
    assert_eq!(outcomes.len(), 2, "{outcomes:?}");
    assert!(
        outcomes.iter().all(|o| !o.ends_with(",aborted")),
        "{outcomes:?}"
    );
    // The running statistics on the server count both repositories' attempts.
    let tallied = server.rows(&format!(
        "{PREFIXES}SELECT ?name WHERE {{ GRAPH <https://tdev.dev/graph/stats> {{ \
         ?s a tdev:RepositoryStrategyStatistics ; tdev:repository ?r }} ?r tdev:name ?name }}"
    ));
    for name in names {
        assert!(
            tallied.iter().any(|t| t == name),
            "no statistics for {name}: {tallied:?}"
        );
    }
    // Each daemon's SPARQL endpoint answers from the shared graph, the other's cycles included.
    let address = serving(&homes[1].join("daemon.log")).expect("the log names the HTTP address");
    let query = format!(
        "{PREFIXES}SELECT ?name WHERE {{ ?c a tdev:Cycle ; tdev:repository/tdev:name ?name }} \
         ORDER BY ?name"
    );
    let (code, body) = get(
        &address,
        &format!("/query?query={}", encode(&query)),
        Some("text/csv"),
    );
    assert_eq!(code, 200, "{body}");
    assert_eq!(body.lines().skip(1).collect::<Vec<_>>(), ["alpha", "beta"]);
    // And so do the CLI's reads.
    let listed = on(&homes[0], &data[0])
        .args(["cycles", "--json"])
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(
        listed.contains("\"alpha-") && listed.contains("\"beta-"),
        "{listed}"
    );

    // Stopped cleanly, they release their leases: the leases graph is empty.
    for daemon in daemons {
        assert_eq!(daemon.terminate(), Some(0));
    }
    assert!(
        !server.ask("ASK { GRAPH <https://tdev.dev/graph/leases> { ?s ?p ?o } }"),
        "a lease is left after both daemons stopped"
    );
    // Neither keeps a graph of its own; each keeps its own pattern index.
    for data in &data {
        assert!(!data.join("graph").exists(), "{}", data.display());
        assert!(data.join("patterns").is_dir(), "{}", data.display());
    }
}

#[test]
fn two_daemons_on_one_repository_take_turns_by_its_lease() {
    let root = tempfile::tempdir().unwrap();
    let server = Oxigraph::start(&root.path().join("store"));
    let shared = repository_named(root.path(), "shared");
    let homes = homes(root.path());
    let data: Vec<PathBuf> = homes
        .iter()
        .map(|home| configure(home, &server, &shared, 1000))
        .collect();

    // The first daemon takes the lease and runs cycles.
    let first = Daemon::start(&homes[0], &data[0], &homes[0].join("daemon.log"));
    let running = wait_for(|| log(&homes[0], "daemon.log").contains("started on shared"));
    assert!(running, "{}", log(&homes[0], "daemon.log"));
    assert!(
        log(&homes[0], "daemon.log").contains("shared: this daemon holds the repository's lease"),
        "{}",
        log(&homes[0], "daemon.log")
    );

    // The second one finds it held: it says so in its log and in `tdev status`, and starts
    // no cycle on it.
    let second = Daemon::start(&homes[1], &data[1], &homes[1].join("daemon.log"));
    let mut seen = None;
    let refused = wait_for(|| {
        seen = status(&homes[1], &data[1]);
        // Held back for the lease once due (the schedule's first time after the start).
        seen.as_ref().is_some_and(|s| {
            let repository = &s["repositories"][0];
            repository["leased_to"]
                .as_str()
                .is_some_and(|h| h.contains(&format!("pid {}", first.id())))
                && repository["held"]["by"] == "leased"
        })
    });
    assert!(
        refused,
        "the second daemon does not see the lease: {seen:?}"
    );
    let text = on(&homes[1], &data[1]).arg("status").output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("shared: leased to daemon") && text.contains(&format!("pid {}", first.id())),
        "{text}"
    );
    let said = log(&homes[1], "daemon.log");
    assert!(
        said.contains("shared: the lease is held by daemon"),
        "{said}"
    );
    // A cycle of the first one ends while the second watches: still none of its own.
    let ended_before = log(&homes[0], "daemon.log")
        .matches("ended on shared")
        .count();
    let another = wait_for(|| {
        log(&homes[0], "daemon.log")
            .matches("ended on shared")
            .count()
            > ended_before
    });
    assert!(another, "{}", log(&homes[0], "daemon.log"));
    assert!(
        !log(&homes[1], "daemon.log").contains("started on shared"),
        "both daemons ran cycles on one repository:\n{}",
        log(&homes[1], "daemon.log")
    );

    // Nor does `tdev evolve` on a third data directory sharing the graph: it is refused,
    // naming the holder, before any cycle starts.
    let third = root.path().join("c");
    std::fs::create_dir_all(&third).unwrap();
    let third_data = configure(&third, &server, &shared, 1000);
    let evolve = on(&third, &third_data)
        .args(["evolve", "--repo"])
        .arg(&shared)
        .args(["--backend", "tools"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&evolve.stderr);
    assert_eq!(evolve.status.code(), Some(2), "{said}");
    assert!(
        said.contains("shared is leased to daemon")
            && said.contains(&format!("pid {}", first.id())),
        "{said}"
    );

    // Killed, the first one stops renewing its lease: it lapses, and the second takes over
    // and runs the repository's cycles.
    let mut first = first;
    first.0.kill().expect("SIGKILL");
    first.0.wait().unwrap();
    let took_over = wait_for(|| log(&homes[1], "daemon.log").contains("started on shared"));
    assert!(took_over, "{}", log(&homes[1], "daemon.log"));
    let said = log(&homes[1], "daemon.log");
    let held_at = said
        .find("shared: this daemon holds the repository's lease")
        .expect("the take-over is logged");
    let started_at = said.find("started on shared").unwrap();
    assert!(held_at < started_at, "{said}");
    let taken = status(&homes[1], &data[1]).expect("the second daemon runs");
    assert!(taken["repositories"][0]["leased_to"].is_null(), "{taken}");
    let ended = wait_for(|| log(&homes[1], "daemon.log").contains("ended on shared"));
    assert!(ended, "{}", log(&homes[1], "daemon.log"));
    assert_eq!(second.terminate(), Some(0));
    // The first daemon's claim lapsed and stays (only its holder removes it); the second's is
    // gone with its clean stop.
    let holders = server.rows(
        "PREFIX tdev: <https://tdev.dev/ns#> SELECT ?holder WHERE { \
         GRAPH <https://tdev.dev/graph/leases> { ?l a tdev:Lease ; tdev:holder ?holder } }",
    );
    assert_eq!(holders.len(), 1, "{holders:?}");
    assert!(holders[0].ends_with("/a/.tdev"), "{holders:?}");
}

#[test]
fn a_server_that_is_down_elsewhere_or_set_up_otherwise_is_said_with_its_address() {
    let root = tempfile::tempdir().unwrap();
    let home = root.path();
    let data = home.join(".tdev");
    std::fs::create_dir_all(&data).unwrap();
    let check = |endpoint: &str, code: i32, expected: &str| {
        std::fs::write(
            data.join("tdev.toml"),
            format!("[knowledge]\nendpoint = \"{endpoint}\"\n"),
        )
        .unwrap();
        let output = on(home, &data).args(["sparql", "ASK {}"]).output().unwrap();
        let said = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(code), "{endpoint}: {said}");
        assert!(said.contains(expected), "{endpoint}: {said}");
    };
    // Nothing listens: a failure, with the address and where to look.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    check(
        &format!("http://127.0.0.1:{port}"),
        1,
        &format!("the SPARQL endpoint http://127.0.0.1:{port}/query could not be reached"),
    );
    // A server answers, but not at that address, or without the union default graph tdev's
    // queries need: the configuration's mistake, saying what to change.
    let server = Oxigraph::serve(&home.join("store"), false);
    check(
        &format!("http://{}/nothing", server.address),
        2,
        "has no SPARQL service there (HTTP 404); fix [knowledge] in tdev.toml",
    );
    check(
        &format!("http://{}", server.address),
        2,
        "start Oxigraph's server with --union-default-graph",
    );
}
