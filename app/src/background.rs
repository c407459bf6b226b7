//! `tdev evolve` started in the background, for an interface that must answer at once while
//! a cycle takes minutes (the MCP server's `start_cycle` when no daemon holds the data
//! directory; see [`crate::start`]): a detached process of the tdev executable on the same
//! data directory, its output in a log file there.
//!
//! The process is the command line's `tdev evolve`, so it holds the data directory, journals
//! and records its cycle, and answers the others' reads, exactly as when a person runs it.
//! It runs in a process group of its own, so that the client that started the interface
//! (which stops its server's whole group when it closes) does not stop the cycle with it.

use crate::datadir::DataDir;
use crate::evolve::{EvolveOptions, backends, repository_top};
use crate::{Error, Result};
use serde::Serialize;
use std::ffi::OsString;
use std::io::{Read as _, Seek as _, SeekFrom};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::time::{Duration, Instant};
use tdev_knowledge::DataDirLock;
use tdev_planner::BackendChoice;

/// The directory of the data directory that holds the background runs' logs.
pub const LOGS_DIR: &str = "logs";

/// How long [`start_evolve`] waits for the process to hold the data directory: it opens the
/// store first thing, which takes well under a second unless the machine is swamped.
const HOLD_TIMEOUT: Duration = Duration::from_secs(30);
/// How often it looks at the lock file meanwhile.
const HOLD_POLL: Duration = Duration::from_millis(25);
/// How much of the log an early end quotes.
const LOG_TAIL_BYTES: u64 = 4096;

/// A `tdev evolve` started in the background.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Started {
    /// Its process id.
    pub pid: u32,
    /// The file its output (progress, summary, errors) goes to.
    pub log: PathBuf,
    /// The repository's top level, as the cycle records it.
    pub repository: PathBuf,
    /// The command line it runs, the executable first.
    pub command: Vec<String>,
    /// True once it holds the data directory (and answers reads for others); false when it
    /// has not yet, after the wait.
    pub holds_data_dir: bool,
}

/// Starts `exe` (the tdev executable) as `tdev --data-dir DIR evolve` with `options` on
/// `data`, detached, and returns once it holds the data directory, without waiting for the
/// cycle. What `tdev evolve` would refuse at once (a path that is not a git repository with a
/// commit, a backend the configuration lacks) is refused here, before anything starts, as the
/// same user error; a process that ends before it holds the directory (another process holds
/// it, say) is an error that quotes the end of its log.
///
/// The caller must not hold the data directory itself meanwhile, or the process finds it
/// taken; once this returns, reads through [`Reader::open`](crate::Reader::open) go through
/// the process.
pub fn start_evolve(exe: &Path, data: &DataDir, options: &EvolveOptions) -> Result<Started> {
    let top = repository_top(&options.repo)?;
    backends(options.backend, &data.config, &data.dir)?;
    let dir = data
        .dir
        .canonicalize()
        .map_err(Error::io(format!("reading {}", data.dir.display())))?;
    let logs = dir.join(LOGS_DIR);
    std::fs::create_dir_all(&logs).map_err(Error::io(format!("creating {}", logs.display())))?;
    let (log, file) = new_log(&logs)?;
    let stderr = file
        .try_clone()
        .map_err(Error::io(format!("opening {}", log.display())))?;
    let args = evolve_args(&dir, &top, options);
    let mut child = Command::new(exe)
        .args(&args)
        .current_dir(&top)
        .stdin(Stdio::null())
        .stdout(file)
        .stderr(stderr)
        .process_group(0)
        .spawn()
        .map_err(Error::io(format!("starting {}", exe.display())))?;
    let pid = child.id();
    // Reaped when it ends, so that it does not linger as a zombie of a long-lived interface;
    // the channel says so to the wait below.
    let (ended, end) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("tdev-evolve-wait".into())
        .spawn(move || {
            let status = child.wait();
            match &status {
                Ok(status) => tracing::info!("background tdev evolve {pid} ended: {status}"),
                Err(e) => tracing::warn!("waiting for background tdev evolve {pid}: {e}"),
            }
            let _ = ended.send(status);
        })
        .map_err(Error::io("starting a thread to wait for tdev evolve"))?;
    let command: Vec<String> = std::iter::once(exe.as_os_str().to_owned())
        .chain(args)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let deadline = Instant::now() + HOLD_TIMEOUT;
    let holds_data_dir = loop {
        if DataDirLock::holder_pid(&dir) == Some(pid) && DataDirLock::endpoint(&dir).is_some() {
            break true;
        }
        match end.recv_timeout(HOLD_POLL) {
            Ok(status) => {
                let how = match status {
                    Ok(status) => status.to_string(),
                    Err(e) => format!("could not be waited for ({e})"),
                };
                return Err(Error::user(format!(
                    "`{}` ended before it started a cycle, {how}; its log {} ends with:\n{}",
                    command.join(" "),
                    log.display(),
                    tail(&log)
                )));
            }
            Err(RecvTimeoutError::Timeout) if Instant::now() < deadline => {}
            Err(_) => break false,
        }
    };
    Ok(Started {
        pid,
        log,
        repository: top,
        command,
        holds_data_dir,
    })
}

/// The last few lines of `log`, or why it cannot be read.
fn tail(log: &Path) -> String {
    let read = || -> std::io::Result<String> {
        let mut file = std::fs::File::open(log)?;
        let len = file.metadata()?.len();
        file.seek(SeekFrom::Start(len.saturating_sub(LOG_TAIL_BYTES)))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        Ok(String::from_utf8_lossy(&bytes).trim_end().to_owned())
    };
    read().unwrap_or_else(|e| format!("(unreadable: {e})"))
}

/// The arguments of `tdev evolve` for one cycle of `options` on the repository `top`, with
/// the data directory `dir`.
pub fn evolve_args(dir: &Path, top: &Path, options: &EvolveOptions) -> Vec<OsString> {
    let mut args: Vec<OsString> = vec![
        "--data-dir".into(),
        dir.into(),
        "evolve".into(),
        "--repo".into(),
        top.into(),
        "--cycles".into(),
        options.cycles.to_string().into(),
        "--max-tasks".into(),
        options.max_tasks.to_string().into(),
        "--goal".into(),
        options.goal.clone().into(),
        "--backend".into(),
        backend_name(options.backend).into(),
    ];
    if options.dry_run {
        args.push("--dry-run".into());
    }
    args
}

/// `--backend`'s name for `choice`.
pub fn backend_name(choice: BackendChoice) -> &'static str {
    match choice {
        BackendChoice::Auto => "auto",
        BackendChoice::Tools => "tools",
        BackendChoice::Llm => "llm",
        BackendChoice::Command => "command",
    }
}

/// A log file no other run has: `evolve-<UTC time>-<pid>-<n>.log`.
fn new_log(logs: &Path) -> Result<(PathBuf, std::fs::File)> {
    static RUNS: AtomicU32 = AtomicU32::new(0);
    let now = tdev_core::Timestamp::now().to_string();
    let compact: String = now.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    let n = RUNS.fetch_add(1, Ordering::SeqCst);
    let log = logs.join(format!("evolve-{compact}-{}-{n}.log", std::process::id()));
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&log)
        .map_err(Error::io(format!("creating {}", log.display())))?;
    Ok((log, file))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(repo: &Path) -> EvolveOptions {
        EvolveOptions {
            repo: repo.to_path_buf(),
            cycles: 1,
            goal: "fix security findings".into(),
            max_tasks: 3,
            dry_run: false,
            backend: BackendChoice::Tools,
        }
    }

    #[test]
    fn the_arguments_are_those_of_tdev_evolve() {
        let args = evolve_args(Path::new("/d"), Path::new("/r"), &options(Path::new("x")));
        let args: Vec<_> = args.iter().map(|a| a.to_str().unwrap()).collect();
        assert_eq!(
            args.join(" "),
            "--data-dir /d evolve --repo /r --cycles 1 --max-tasks 3 --goal fix security \
             findings --backend tools"
        );
    }

    #[test]
    fn a_directory_that_is_no_git_repository_is_refused_before_anything_starts() {
        let home = tempfile::tempdir().unwrap();
        crate::datadir::create(&home.path().join("data")).unwrap();
        let data = DataDir {
            dir: home.path().join("data"),
            config: crate::Config::default(),
            created: false,
        };
        let plain = home.path().join("plain");
        std::fs::create_dir(&plain).unwrap();
        // An executable that would leave a trace if it ran.
        let e = start_evolve(Path::new("/bin/true"), &data, &options(&plain)).unwrap_err();
        assert!(e.is_user_error(), "{e}");
        assert!(e.to_string().contains("git repository"), "{e}");
        assert!(!home.path().join("data").join(LOGS_DIR).exists());
    }

    #[test]
    fn a_backend_the_configuration_lacks_is_refused_and_an_early_end_quotes_the_log() {
        let home = tempfile::tempdir().unwrap();
        let repo = home.path().join("repo");
        std::fs::create_dir(&repo).unwrap();
        let git = |args: &[&str]| {
            let status = Command::new("git")
                .arg("-C")
                .arg(&repo)
                .args(args)
                .env("GIT_AUTHOR_NAME", "t")
                .env("GIT_AUTHOR_EMAIL", "t@example.org")
                .env("GIT_COMMITTER_NAME", "t")
                .env("GIT_COMMITTER_EMAIL", "t@example.org")
                .output()
                .unwrap();
            assert!(status.status.success(), "{status:?}");
        };
        git(&["init", "-q"]);
        git(&["commit", "-q", "--allow-empty", "-m", "first"]);
        crate::datadir::create(&home.path().join("data")).unwrap();
        let data = DataDir {
            dir: home.path().join("data"),
            config: crate::Config::default(),
            created: false,
        };
        let llm = EvolveOptions {
            backend: BackendChoice::Llm,
            ..options(&repo)
        };
        let e = start_evolve(Path::new("/bin/true"), &data, &llm).unwrap_err();
        assert!(e.to_string().contains("--backend llm needs"), "{e}");
        // A program that ends at once, saying its arguments, is reported with its log.
        let e = start_evolve(Path::new("/bin/echo"), &data, &options(&repo)).unwrap_err();
        let message = e.to_string();
        assert!(message.contains("ended before it started a cycle"), "{e}");
        assert!(message.contains("evolve --repo"), "the log is quoted: {e}");
    }
}
