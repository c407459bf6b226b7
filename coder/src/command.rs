//! The command backend: an external coding agent run headless in the worktree. Its change is
//! whatever it leaves there, found with git; it fails when it exits unsuccessfully, runs out
//! of time (its whole process group is killed) or changes nothing, and then its edits are
//! undone.

use crate::config::CommandConfig;
use crate::snapshot::Snapshot;
use crate::{
    AttemptOutcome, AttemptRequest, AttemptResult, Backend, FailureReason, Result, Usage, prompt,
};
use std::io::{Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// Bytes of each output stream kept, from its end.
const TAIL_BYTES: usize = 16 * 1024;
/// Lines of each output stream reported.
const TAIL_LINES: usize = 40;

/// An external command that edits the worktree.
#[derive(Debug)]
pub struct CommandBackend {
    config: CommandConfig,
    name: String,
}

impl CommandBackend {
    /// A backend running `config.argv`.
    pub fn new(config: CommandConfig) -> Result<Self> {
        config.validate()?;
        let program = Path::new(&config.argv[0])
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| config.argv[0].clone());
        Ok(CommandBackend {
            name: format!("command:{program}"),
            config,
        })
    }
}

impl Backend for CommandBackend {
    fn name(&self) -> &str {
        &self.name
    }

    fn attempt(&self, request: &AttemptRequest, worktree: &Path) -> AttemptResult {
        match self.run(request, worktree) {
            Ok(outcome) => AttemptResult {
                outcome,
                usage: Usage::default(),
            },
            Err(reason) => AttemptResult::failed(reason, Usage::default()),
        }
    }
}

/// How the command ended.
enum Ending {
    Exited(ExitStatus),
    TimedOut,
    /// Waiting failed; the process group is killed all the same.
    Lost(String),
}

impl CommandBackend {
    fn run(
        &self,
        request: &AttemptRequest,
        worktree: &Path,
    ) -> std::result::Result<AttemptOutcome, FailureReason> {
        let local = |detail: String| FailureReason::Local { detail };
        let worktree = worktree
            .canonicalize()
            .map_err(|error| local(format!("cannot open the worktree: {error}")))?;
        let prompt = format!(
            "{}\n\n{}",
            prompt::SYSTEM_PROMPT,
            prompt::user_prompt(request)
        );
        // The prompt file lives outside the worktree so it is not mistaken for the change.
        let mut prompt_file = tempfile::Builder::new()
            .prefix("tdev-prompt-")
            .suffix(".md")
            .tempfile()
            .map_err(|error| local(format!("cannot write the prompt file: {error}")))?;
        prompt_file
            .write_all(prompt.as_bytes())
            .map_err(|error| local(format!("cannot write the prompt file: {error}")))?;
        let argv: Vec<String> = self
            .config
            .argv
            .iter()
            .map(|arg| {
                arg.replace("{prompt_file}", &prompt_file.path().to_string_lossy())
                    .replace("{worktree}", &worktree.to_string_lossy())
                    .replace("{prompt}", &prompt)
            })
            .collect();
        let snapshot = Snapshot::take(&worktree).map_err(local)?;

        let mut child = Command::new(&argv[0])
            .args(&argv[1..])
            .current_dir(&worktree)
            .envs(&self.config.env)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Its own process group, so a timeout kills everything it started.
            .process_group(0)
            .spawn()
            .map_err(|error| FailureReason::CommandFailed {
                code: None,
                detail: format!("cannot start `{}`: {error}", argv[0]),
                stdout_tail: String::new(),
                stderr_tail: String::new(),
            })?;
        let group = rustix::process::Pid::from_child(&child);
        let stdout = collect_tail(child.stdout.take());
        let stderr = collect_tail(child.stderr.take());
        let ending = wait_with_timeout(child, Duration::from_secs(self.config.timeout_secs));
        // Whatever the command left running in its group goes too, so its pipes close.
        let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
        let stdout_tail = stdout.finish();
        let stderr_tail = stderr.finish();

        let failure = match ending {
            Ending::TimedOut => Some(FailureReason::Timeout {
                after_secs: self.config.timeout_secs,
                stdout_tail,
                stderr_tail,
            }),
            Ending::Exited(status) if !status.success() => Some(FailureReason::CommandFailed {
                code: status.code(),
                detail: match status.signal() {
                    Some(signal) => format!("killed by signal {signal}"),
                    None => String::new(),
                },
                stdout_tail,
                stderr_tail,
            }),
            Ending::Exited(_) => None,
            Ending::Lost(detail) => Some(FailureReason::CommandFailed {
                code: None,
                detail,
                stdout_tail,
                stderr_tail,
            }),
        };
        let changed = snapshot.changed(&worktree).map_err(local)?;
        if let Some(failure) = failure {
            snapshot.restore(&worktree, &changed).map_err(local)?;
            return Err(failure);
        }
        if changed.is_empty() {
            return Err(FailureReason::NoChange);
        }
        Ok(AttemptOutcome::Changed { files: changed })
    }
}

/// Waits for the child on another thread, so the wait can be given up after `timeout`.
fn wait_with_timeout(mut child: Child, timeout: Duration) -> Ending {
    let (sender, receiver) = mpsc::channel();
    let pid = rustix::process::Pid::from_child(&child);
    let waiter = std::thread::spawn(move || {
        let _ = sender.send(child.wait());
    });
    let ending = match receiver.recv_timeout(timeout) {
        Ok(Ok(status)) => Ending::Exited(status),
        Ok(Err(error)) => Ending::Lost(format!("cannot wait for the command: {error}")),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            Ending::Lost("the thread waiting for the command died".to_owned())
        }
        Err(mpsc::RecvTimeoutError::Timeout) => {
            let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
            Ending::TimedOut
        }
    };
    // After the kill the wait returns promptly; joining reaps the child.
    let _ = waiter.join();
    ending
}

/// The end of an output stream, read on its own thread so a chatty command never blocks on a
/// full pipe.
struct Tail {
    buffer: Arc<Mutex<Vec<u8>>>,
    reader: Option<JoinHandle<()>>,
}

fn collect_tail(stream: Option<impl Read + Send + 'static>) -> Tail {
    let buffer = Arc::new(Mutex::new(Vec::new()));
    let reader = stream.map(|mut stream| {
        let buffer = Arc::clone(&buffer);
        std::thread::spawn(move || {
            let mut chunk = [0u8; 8192];
            while let Ok(read) = stream.read(&mut chunk) {
                if read == 0 {
                    break;
                }
                let mut kept = buffer.lock().unwrap_or_else(|p| p.into_inner());
                kept.extend_from_slice(&chunk[..read]);
                if kept.len() > TAIL_BYTES {
                    let excess = kept.len() - TAIL_BYTES;
                    kept.drain(..excess);
                }
            }
        })
    });
    Tail { buffer, reader }
}

impl Tail {
    /// The last lines, once the stream has closed.
    fn finish(mut self) -> String {
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        let bytes = self.buffer.lock().unwrap_or_else(|p| p.into_inner());
        let text = String::from_utf8_lossy(&bytes);
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(TAIL_LINES)..].join("\n")
    }
}
