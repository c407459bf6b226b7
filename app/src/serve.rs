//! Reads for other processes while this one holds the data directory.
//!
//! oxigraph's store has one writer, and opening it read-only while another process writes is
//! undefined behaviour, so a second tdev never opens a store someone else holds. Instead the
//! holder (`tdev evolve`, later the daemon) answers read queries on a Unix socket it names in
//! the directory's lock file, and `tdev sparql`, `tdev cycles` and `tdev show` ask it
//! ([`Reader::open`]). The answers are the query's results in standard formats (SPARQL JSON
//! results, N-Triples), read back into the same `QueryResults` a direct open gives, so the
//! output is the same either way.
//!
//! The protocol, one connection per query: the client writes one JSON line, `{"query": TEXT,
//! "bindings": [[NAME, TERM], ...]}` (terms in N-Triples syntax); the server answers with one
//! JSON line, `{"kind": "solutions" | "boolean" | "graph"}` followed by the results, or
//! `{"error": {...}}` with the knowledge layer's error in parts.
//!
//! The daemon answers control requests on the same socket, so `tdev status`, `tdev pause` and
//! `tdev resume` find it the way the read commands do: `{"control": "status" | "pause" |
//! "pause-now" | "resume"}` is answered with one line, `{"status": DAEMON-STATUS}` (the
//! scheduler's [`tdev_schedule::DaemonStatus`]), or `{"error": {"kind": "no-daemon", ...}}`
//! from a holder that runs no scheduler (`tdev evolve`). `{"cycle": WANTED}` asks the daemon
//! for a cycle now ([`crate::start::Wanted`]; `tdev mcp`'s `start_cycle`), which its scheduler
//! starts or holds back as it would an agent's request through A2A; the answer is one line,
//! `{"cycle": {"started": CYCLE}}` or `{"cycle": {"refused": REASON}}`
//! ([`crate::start::Answer`]), or the same `no-daemon` error.

use crate::start::{Answer, Wanted};
use crate::{Error, Result};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{Term, Triple};
use oxigraph::sparql::QueryTripleIter;
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsParser};
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;
use tdev_knowledge::{
    GraphFormat, KnowledgeBase, OutputFormat, QueryResults, ResultsFormat, Variable,
};

/// At most this many queries are answered at once; more wait for a turn by being refused with
/// a message the client shows.
const MAX_CONCURRENT: usize = 16;
/// A client that sends nothing for this long is dropped.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Unix socket paths are limited to about 107 bytes; longer ones go to the temporary directory.
const MAX_SOCKET_PATH: usize = 100;

#[derive(Serialize, Deserialize)]
struct Request {
    #[serde(default)]
    query: String,
    #[serde(default)]
    bindings: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    control: Option<ControlRequest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cycle: Option<Wanted>,
}

/// What a control request asks of the daemon.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ControlRequest {
    /// Its schedules, running cycles, budgets and next runs.
    Status,
    /// Start no new cycle.
    Pause,
    /// Start no new cycle, and running cycles make no new attempt (the kill switch).
    PauseNow,
    /// Start cycles again; the kill switch off.
    Resume,
}

/// The daemon's side of control requests, given to the read server once the scheduler runs.
pub trait Control: Send + Sync + std::fmt::Debug {
    /// Does what `request` asks and says the daemon's status after.
    fn control(&self, request: ControlRequest) -> Result<tdev_schedule::DaemonStatus>;
    /// Asks the scheduler for the cycle `wanted` describes, which the pause, the kill switch
    /// and the budgets hold back as they hold a scheduled one; says whether it started.
    fn request_cycle(&self, wanted: Wanted) -> Result<Answer>;
}

/// Where the read server finds the daemon's [`Control`], once there is one.
type ControlSlot = Arc<std::sync::RwLock<Option<Arc<dyn Control>>>>;

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Kind {
    Solutions,
    Boolean,
    Graph,
}

#[derive(Default, Serialize, Deserialize)]
struct Header {
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<Kind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<WireError>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<Box<tdev_schedule::DaemonStatus>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cycle: Option<Answer>,
}

/// A knowledge error in parts, so the client rebuilds the same error (and message) the holder
/// had.
#[derive(Serialize, Deserialize)]
struct WireError {
    /// `syntax`, `evaluation` or `other`.
    kind: String,
    message: String,
    #[serde(default)]
    line: Option<usize>,
    #[serde(default)]
    column: Option<usize>,
}

/// How long a process waits for a holder of the data directory that serves no reads (yet):
/// a host opens its socket just after the store, a direct reader lets go at once.
pub(crate) const PATIENCE: std::time::Duration = std::time::Duration::from_secs(10);

/// Answers read queries on a socket until dropped.
#[derive(Debug)]
pub struct ReadServer {
    socket: PathBuf,
    control: ControlSlot,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ReadServer {
    /// Starts answering queries on `knowledge`'s graph and names the socket in the data
    /// directory's lock file.
    pub fn start(knowledge: &KnowledgeBase) -> Result<Self> {
        let socket = socket_path(knowledge.root());
        // A socket file left by a holder that was killed is in the way; the lock says it is
        // ours now.
        let _ = std::fs::remove_file(&socket);
        let listener = UnixListener::bind(&socket)
            .map_err(Error::io(format!("listening on {}", socket.display())))?;
        std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o600))
            .map_err(Error::io(format!("restricting {}", socket.display())))?;
        knowledge.advertise(&socket.display().to_string())?;
        let stop = Arc::new(AtomicBool::new(false));
        let control = ControlSlot::default();
        let thread = {
            let (stop, knowledge, control) = (stop.clone(), knowledge.clone(), control.clone());
            std::thread::Builder::new()
                .name("tdev-read-server".into())
                .spawn(move || accept(&listener, &knowledge, &control, &stop))
                .map_err(Error::io("starting the read server"))?
        };
        Ok(Self {
            socket,
            control,
            stop,
            thread: Some(thread),
        })
    }

    /// The socket it listens on.
    pub fn socket(&self) -> &Path {
        &self.socket
    }

    /// Answers control requests through `control` from now on (`None`: no more).
    pub fn set_control(&self, control: Option<Arc<dyn Control>>) {
        *self
            .control
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = control;
    }
}

impl Drop for ReadServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop, which then sees the flag. When the socket cannot be reached
        // (its file was removed, the data directory with it), nothing can wake the loop: the
        // thread is left to end with the process rather than joined for ever.
        let woken = UnixStream::connect(&self.socket).is_ok();
        if let Some(thread) = self.thread.take()
            && woken
        {
            let _ = thread.join();
        }
        let _ = std::fs::remove_file(&self.socket);
    }
}

/// `<data dir>/read.sock`, or a name in the temporary directory when that path is too long
/// for a Unix socket.
fn socket_path(dir: &Path) -> PathBuf {
    let inside = dir.join("read.sock");
    if inside.as_os_str().len() <= MAX_SOCKET_PATH {
        return inside;
    }
    use std::hash::{Hash, Hasher};
    let mut hasher = std::hash::DefaultHasher::new();
    dir.hash(&mut hasher);
    std::env::temp_dir().join(format!(
        "tdev-{}-{:016x}.sock",
        std::process::id(),
        hasher.finish()
    ))
}

fn accept(
    listener: &UnixListener,
    knowledge: &KnowledgeBase,
    control: &ControlSlot,
    stop: &AtomicBool,
) {
    let busy = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let Ok(mut stream) = stream else { continue };
        if busy.fetch_add(1, Ordering::SeqCst) >= MAX_CONCURRENT {
            busy.fetch_sub(1, Ordering::SeqCst);
            let _ = send_error(&mut stream, "other", "too many queries at once; try again");
            continue;
        }
        let (knowledge, busy, control) = (knowledge.clone(), busy.clone(), control.clone());
        let spawned = std::thread::Builder::new()
            .name("tdev-read-query".into())
            .spawn(move || {
                if let Err(e) = answer(stream, &knowledge, &control) {
                    tracing::debug!("a read query ended early: {e}");
                }
                busy.fetch_sub(1, Ordering::SeqCst);
            });
        if spawned.is_err() {
            tracing::warn!("could not start a thread for a read query");
        }
    }
}

fn answer(
    stream: UnixStream,
    knowledge: &KnowledgeBase,
    control: &ControlSlot,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(REQUEST_TIMEOUT))?;
    let mut line = String::new();
    BufReader::new(&stream).read_line(&mut line)?;
    let mut out = std::io::BufWriter::new(&stream);
    let request: Request = match serde_json::from_str(&line) {
        Ok(request) => request,
        Err(e) => return send_error(&mut out, "other", &format!("bad request: {e}")),
    };
    if let Some(asked) = request.control {
        let Some(daemon) = daemon(control) else {
            return send_error(&mut out, NO_DAEMON, "this tdev process runs no daemon");
        };
        let answered = daemon.control(asked).map(|status| Header {
            status: Some(Box::new(status)),
            ..Header::default()
        });
        return send_answer(&mut out, answered);
    }
    if let Some(wanted) = request.cycle {
        let Some(daemon) = daemon(control) else {
            return send_error(&mut out, NO_DAEMON, "this tdev process runs no daemon");
        };
        let answered = daemon.request_cycle(wanted).map(|answer| Header {
            cycle: Some(answer),
            ..Header::default()
        });
        return send_answer(&mut out, answered);
    }
    let bindings: std::result::Result<Vec<(Variable, Term)>, String> = request
        .bindings
        .iter()
        .map(|(name, term)| {
            Ok((
                Variable::new(name).map_err(|e| e.to_string())?,
                Term::from_str(term).map_err(|e| e.to_string())?,
            ))
        })
        .collect();
    let bindings = match bindings {
        Ok(bindings) => bindings,
        Err(e) => return send_error(&mut out, "other", &format!("bad binding: {e}")),
    };
    let results = match knowledge.graph.query_with(&request.query, &bindings) {
        Ok(results) => results,
        Err(tdev_knowledge::Error::SparqlSyntax {
            message,
            line,
            column,
            ..
        }) => {
            let error = WireError {
                kind: "syntax".into(),
                message,
                line,
                column,
            };
            return send(
                &mut out,
                &Header {
                    error: Some(error),
                    ..Header::default()
                },
            );
        }
        Err(tdev_knowledge::Error::Evaluation(message)) => {
            return send_error(&mut out, "evaluation", &message);
        }
        Err(e) => return send_error(&mut out, "other", &e.to_string()),
    };
    let (kind, format) = match &results {
        QueryResults::Solutions(_) => (Kind::Solutions, OutputFormat::Results(ResultsFormat::Json)),
        QueryResults::Boolean(_) => (Kind::Boolean, OutputFormat::Results(ResultsFormat::Json)),
        QueryResults::Graph(_) => (Kind::Graph, OutputFormat::Graph(GraphFormat::NTriples)),
    };
    send(
        &mut out,
        &Header {
            kind: Some(kind),
            ..Header::default()
        },
    )?;
    let mut out = tdev_knowledge::write_results(results, format, out)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    out.flush()
}

/// The daemon's side of control requests, if this process runs one.
fn daemon(control: &ControlSlot) -> Option<Arc<dyn Control>> {
    control
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone()
}

/// Sends the daemon's answer, or its failure as an error.
fn send_answer(out: &mut impl Write, answered: Result<Header>) -> std::io::Result<()> {
    match answered {
        Ok(header) => send(out, &header),
        Err(e) => send_error(out, "other", &e.to_string()),
    }
}

fn send(out: &mut impl Write, header: &Header) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, header)?;
    out.write_all(b"\n")?;
    out.flush()
}

fn send_error(out: &mut impl Write, kind: &str, message: &str) -> std::io::Result<()> {
    let error = WireError {
        kind: kind.into(),
        message: message.into(),
        line: None,
        column: None,
    };
    send(
        out,
        &Header {
            error: Some(error),
            ..Header::default()
        },
    )
}

/// The error kind of a control request to a holder that runs no daemon.
const NO_DAEMON: &str = "no-daemon";

/// What the process holding a data directory said to a control request: by default, the
/// daemon's status.
#[derive(Debug)]
pub enum Controlled<T = Box<tdev_schedule::DaemonStatus>> {
    /// The daemon answered.
    Daemon(T),
    /// The holder runs no daemon.
    NotADaemon,
    /// No process holds the directory.
    NoHolder,
}

/// Sends `request` to the process holding `dir`, if any.
pub fn control(dir: &Path, request: ControlRequest) -> Result<Controlled> {
    let request = Request {
        query: String::new(),
        bindings: Vec::new(),
        control: Some(request),
        cycle: None,
    };
    exchange(dir, &request, |header| header.status)
}

/// Asks the daemon holding `dir`, if any, for the cycle `wanted` describes (its `repo` the
/// repository's top level); the daemon's answer says whether its scheduler started it.
pub fn request_cycle(dir: &Path, wanted: &Wanted) -> Result<Controlled<Answer>> {
    let request = Request {
        query: String::new(),
        bindings: Vec::new(),
        control: None,
        cycle: Some(wanted.clone()),
    };
    exchange(dir, &request, |header| header.cycle)
}

/// Sends `request` to the process holding `dir`, if any, and takes the daemon's answer out
/// of the header with `answer`.
fn exchange<T>(
    dir: &Path,
    request: &Request,
    answer: impl FnOnce(Header) -> Option<T>,
) -> Result<Controlled<T>> {
    let Some(socket) = tdev_knowledge::DataDirLock::endpoint(dir) else {
        return Ok(Controlled::NoHolder);
    };
    let broken = |message: String| Error::Holder {
        dir: dir.to_path_buf(),
        message,
    };
    // A socket that refuses connections belongs to a holder that is gone (killed).
    let Ok(mut stream) = UnixStream::connect(&socket) else {
        return Ok(Controlled::NoHolder);
    };
    let mut line = serde_json::to_vec(request).map_err(|e| broken(e.to_string()))?;
    line.push(b'\n');
    stream
        .write_all(&line)
        .map_err(|e| broken(format!("sending the request: {e}")))?;
    let mut said = String::new();
    BufReader::new(stream)
        .read_line(&mut said)
        .map_err(|e| broken(format!("reading the answer: {e}")))?;
    let mut header: Header =
        serde_json::from_str(&said).map_err(|e| broken(format!("reading the answer: {e}")))?;
    let error = header.error.take();
    match (answer(header), error) {
        (Some(answer), _) => Ok(Controlled::Daemon(answer)),
        (None, Some(error)) if error.kind == NO_DAEMON => Ok(Controlled::NotADaemon),
        (None, Some(error)) => Err(broken(error.message)),
        (None, None) => Err(broken(
            "the answer says neither what was done nor an error".into(),
        )),
    }
}

/// Read access to a data directory: the store itself when this process can open it, else the
/// process that holds it.
#[derive(Debug)]
pub enum Reader {
    /// This process holds the directory.
    Local(KnowledgeBase),
    /// Another process holds it and answers on this socket.
    Holder {
        /// The data directory.
        dir: PathBuf,
        /// The holder's socket.
        socket: PathBuf,
    },
}

impl Reader {
    /// Opens `dir`, or, when another tdev process holds it and answers reads, reads through
    /// that process. A holder that does not answer reads is waited for up to 10 s (a host
    /// opens its socket just after the store; a direct reader lets go at once), then named.
    pub fn open(dir: &Path) -> Result<Self> {
        let config = crate::Config::load(&dir.join(crate::datadir::CONFIG_FILE))?;
        match crate::datadir::open_knowledge(dir, &config, PATIENCE) {
            Ok(kb) => Ok(Self::Local(kb)),
            Err(Error::Knowledge(locked @ tdev_knowledge::Error::Locked { .. })) => {
                match tdev_knowledge::DataDirLock::endpoint(dir) {
                    Some(socket) if UnixStream::connect(&socket).is_ok() => Ok(Self::Holder {
                        dir: dir.to_path_buf(),
                        socket: PathBuf::from(socket),
                    }),
                    _ => Err(locked.into()),
                }
            }
            Err(e) => Err(e),
        }
    }

    /// Runs a SPARQL query with some variables bound beforehand; the default graph is the
    /// union of all graphs, as `KnowledgeGraph::query_with` has it.
    pub fn query_with(
        &self,
        query: &str,
        bindings: &[(Variable, Term)],
    ) -> Result<QueryResults<'static>> {
        match self {
            Self::Local(kb) => Ok(kb.graph.query_with(query, bindings)?),
            Self::Holder { dir, socket } => ask(dir, socket, query, bindings),
        }
    }

    /// Runs a SPARQL query.
    pub fn query(&self, query: &str) -> Result<QueryResults<'static>> {
        self.query_with(query, &[])
    }
}

fn ask(
    dir: &Path,
    socket: &Path,
    query: &str,
    bindings: &[(Variable, Term)],
) -> Result<QueryResults<'static>> {
    let broken = |message: String| Error::Holder {
        dir: dir.to_path_buf(),
        message,
    };
    let mut stream = UnixStream::connect(socket)
        .map_err(|e| broken(format!("connecting to {}: {e}", socket.display())))?;
    let request = Request {
        query: query.to_owned(),
        bindings: bindings
            .iter()
            .map(|(v, t)| (v.as_str().to_owned(), t.to_string()))
            .collect(),
        control: None,
        cycle: None,
    };
    let mut line = serde_json::to_vec(&request).map_err(|e| broken(e.to_string()))?;
    line.push(b'\n');
    stream
        .write_all(&line)
        .map_err(|e| broken(format!("sending the query: {e}")))?;
    let mut reader = BufReader::new(stream);
    let mut header = String::new();
    reader
        .read_line(&mut header)
        .map_err(|e| broken(format!("reading the answer: {e}")))?;
    let header: Header = serde_json::from_str(&header)
        .map_err(|e| broken(format!("reading the answer's header: {e}")))?;
    if let Some(error) = header.error {
        return Err(match error.kind.as_str() {
            "syntax" => tdev_knowledge::Error::SparqlSyntax {
                kind: "query",
                message: error.message,
                line: error.line,
                column: error.column,
            }
            .into(),
            "evaluation" => tdev_knowledge::Error::Evaluation(error.message).into(),
            _ => broken(error.message),
        });
    }
    match header.kind {
        Some(Kind::Solutions | Kind::Boolean) => {
            let parsed = QueryResultsParser::from_format(QueryResultsFormat::Json)
                .for_reader(reader)
                .map_err(|e| broken(format!("reading the results: {e}")))?;
            Ok(QueryResults::from(parsed))
        }
        Some(Kind::Graph) => {
            // Read whole before returning, so a holder that stops half-way is an error here
            // rather than a truncated graph.
            let triples = RdfParser::from_format(RdfFormat::NTriples)
                .for_reader(reader)
                .map(|quad| quad.map(Triple::from))
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|e| broken(format!("reading the graph: {e}")))?;
            Ok(QueryResults::from(QueryTripleIter::new(
                triples.into_iter().map(Ok),
            )))
        }
        None => Err(broken("the answer says neither results nor error".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::start::DaemonCycle;
    use std::sync::Mutex;

    /// A daemon's control that starts every cycle asked for but those whose goal says
    /// `refuse` (held back) or `fail` (its scheduler gone), and keeps what it was asked.
    #[derive(Debug, Default)]
    struct Fake {
        asked: Mutex<Vec<Wanted>>,
    }

    impl Control for Fake {
        fn control(&self, request: ControlRequest) -> Result<tdev_schedule::DaemonStatus> {
            Err(Error::user(format!("not asked: {request:?}")))
        }

        fn request_cycle(&self, wanted: Wanted) -> Result<Answer> {
            self.asked.lock().unwrap().push(wanted.clone());
            match wanted.goal.as_deref() {
                Some("refuse") => Ok(Answer::Refused("held back: paused".into())),
                Some("fail") => Err(Error::user("the scheduler is gone")),
                _ => Ok(Answer::Started(DaemonCycle {
                    cycle: "project-1".into(),
                    daemon_pid: 7,
                    repository: wanted.repo,
                    name: "project".into(),
                    goal: "improve overall quality".into(),
                    backend: tdev_planner::BackendChoice::Tools,
                    max_tasks: 1,
                })),
            }
        }
    }

    #[test]
    fn a_cycle_request_reaches_the_daemons_control_and_its_answer_comes_back() {
        let dir = tempfile::tempdir().unwrap();
        let wanted = |goal: Option<&str>| Wanted {
            repo: "/src/project".into(),
            goal: goal.map(str::to_owned),
            backend: None,
            max_tasks: Some(1),
        };
        let asked = |goal| request_cycle(dir.path(), &wanted(goal));
        assert!(matches!(asked(None), Ok(Controlled::NoHolder)));
        let knowledge = KnowledgeBase::open(dir.path()).unwrap();
        let server = ReadServer::start(&knowledge).unwrap();
        // A holder that runs no daemon (`tdev evolve`) says so.
        assert!(matches!(asked(None), Ok(Controlled::NotADaemon)));
        let fake = Arc::new(Fake::default());
        server.set_control(Some(fake.clone()));
        match asked(None) {
            Ok(Controlled::Daemon(Answer::Started(cycle))) => {
                assert_eq!(cycle.cycle, "project-1");
                assert_eq!(cycle.repository, Path::new("/src/project"));
            }
            other => panic!("{other:?}"),
        }
        match asked(Some("refuse")) {
            Ok(Controlled::Daemon(Answer::Refused(reason))) => {
                assert_eq!(reason, "held back: paused");
            }
            other => panic!("{other:?}"),
        }
        let failed = asked(Some("fail")).unwrap_err();
        assert!(
            failed.to_string().contains("the scheduler is gone"),
            "{failed}"
        );
        assert_eq!(
            *fake.asked.lock().unwrap(),
            [wanted(None), wanted(Some("refuse")), wanted(Some("fail"))]
        );
        // The status requests go on as before, answered by the same control.
        let status = control(dir.path(), ControlRequest::Status).unwrap_err();
        assert!(status.to_string().contains("not asked: Status"), "{status}");
    }

    #[test]
    fn stopping_does_not_hang_when_the_socket_file_is_gone() {
        let dir = tempfile::tempdir().unwrap();
        let knowledge = KnowledgeBase::open(dir.path()).unwrap();
        let server = ReadServer::start(&knowledge).unwrap();
        std::fs::remove_file(server.socket()).unwrap();
        let (done, stopped) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            drop(server);
            let _ = done.send(());
        });
        // Not a measure of speed: a drop that joins the unwakeable accept loop never returns.
        assert!(
            stopped
                .recv_timeout(std::time::Duration::from_secs(120))
                .is_ok(),
            "dropping the read server hung"
        );
    }
}
