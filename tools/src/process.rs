//! Runs external programs so that nothing they start outlives them: each leads its own
//! process group, which is killed when its time is up and again when it has exited (what it
//! started and left behind goes with it).
//!
//! [`GroupChild`] is the one implementation of that, for every crate that starts programs:
//! the tool adapters here, the sandbox of `tdev-runner` (which adds its cgroups) and the
//! command backend of `tdev-coder`. It lives in this crate because it is the lowest one all
//! three depend on, and `tdev-core` does no IO. [`read_tail`] keeps the end of an output
//! stream for the callers that read pipes.
//!
//! The adapters' own runner, `run`, takes no stdin and captures the output in temporary
//! files: a pipe would hang when a grandchild keeps it open, and would need a reader thread
//! per stream.

use crate::error::{Error, Result};
use rustix::process::{Pid, Signal, kill_process_group};
use std::io::{Read, Seek};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{ChildStderr, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

/// A running program that leads its own process group.
///
/// Dropping it before [`GroupChild::wait_timeout`] kills the group and reaps the program.
#[derive(Debug)]
pub struct GroupChild {
    /// The program's standard output, when the command piped it.
    pub stdout: Option<ChildStdout>,
    /// The program's standard error, when the command piped it.
    pub stderr: Option<ChildStderr>,
    group: Pid,
    status: mpsc::Receiver<std::io::Result<ExitStatus>>,
    waiter: Option<JoinHandle<()>>,
}

/// How a program started with [`GroupChild::spawn`] ended.
#[derive(Debug)]
pub struct Ended {
    /// Its exit status, or why it could not be waited for.
    pub status: std::io::Result<ExitStatus>,
    /// Whether its time ran out, so that its group was killed.
    pub timed_out: bool,
}

impl GroupChild {
    /// Starts `command` as the leader of a new process group. Its standard streams are as the
    /// command sets them; piped ones are in [`GroupChild::stdout`] and
    /// [`GroupChild::stderr`].
    pub fn spawn(command: &mut Command) -> std::io::Result<GroupChild> {
        let mut child = command.process_group(0).spawn()?;
        // The child leads its own group, whose id is its pid.
        let group = Pid::from_child(&child);
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();
        let (sender, status) = mpsc::channel();
        // Waiting happens on its own thread so that the wait can be given up at the time
        // limit; the receiver is gone only when nobody needs the status any more.
        let waiter = std::thread::spawn(move || {
            let _ = sender.send(child.wait());
        });
        Ok(GroupChild {
            stdout,
            stderr,
            group,
            status,
            waiter: Some(waiter),
        })
    }

    /// Waits for the program at most `timeout`; past it, kills its whole group and waits for
    /// it to go. Either way, whatever it started and left running is killed when it has gone
    /// (the group id cannot have been reused while any member is alive; with none left the
    /// kill does nothing).
    pub fn wait_timeout(mut self, timeout: Duration) -> Ended {
        let lost = || {
            Err(std::io::Error::other(
                "the thread waiting for the program died",
            ))
        };
        let (status, timed_out) = match self.status.recv_timeout(timeout) {
            Ok(status) => (status, false),
            Err(mpsc::RecvTimeoutError::Disconnected) => (lost(), false),
            Err(mpsc::RecvTimeoutError::Timeout) => {
                self.kill_group();
                (self.status.recv().unwrap_or_else(|_| lost()), true)
            }
        };
        self.finish();
        Ended { status, timed_out }
    }

    /// Sends SIGKILL to every process of the group (those already gone are no error).
    pub fn kill_group(&self) {
        let _ = kill_process_group(self.group, Signal::KILL);
    }

    /// Kills what is left of the group and reaps the leader, once.
    fn finish(&mut self) {
        if let Some(waiter) = self.waiter.take() {
            self.kill_group();
            let _ = waiter.join();
        }
    }
}

impl Drop for GroupChild {
    fn drop(&mut self) {
        self.finish();
    }
}

/// Reads `reader` to its end and returns its last `keep` bytes, decoded lossily: a test suite
/// can print megabytes, and only its end (the summary, the traceback) is worth keeping in
/// memory and in a report.
pub fn read_tail(mut reader: impl Read, keep: usize) -> String {
    let mut kept: Vec<u8> = Vec::with_capacity(keep.min(1 << 16));
    let mut buffer = [0u8; 8192];
    loop {
        match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => {
                kept.extend_from_slice(&buffer[..n]);
                // Trim in large steps so that a chatty stream does not cost a copy per read.
                if kept.len() > keep * 2 {
                    kept.drain(..kept.len() - keep);
                }
            }
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    if kept.len() > keep {
        kept.drain(..kept.len() - keep);
    }
    String::from_utf8_lossy(&kept).into_owned()
}

/// What a program that exited by itself left behind.
#[derive(Debug)]
pub struct Output {
    /// Its exit code.
    pub code: i32,
    /// What it wrote to stdout (with `Capture::Merged`, also what it wrote to stderr).
    pub stdout: Vec<u8>,
    /// What it wrote to stderr (empty with `Capture::Merged`).
    pub stderr: Vec<u8>,
}

impl Output {
    /// The last lines of stderr, for error messages.
    pub fn stderr_tail(&self) -> String {
        tail(&self.stderr)
    }
}

/// Where the two output streams go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Capture {
    /// stdout and stderr apart.
    Separate,
    /// Both into one file, in the order they were written (cargo test's progress lines and the
    /// test binaries' results only make sense together).
    Merged,
}

/// Runs `command` as `tool` (the name used in messages) for at most `timeout`, in a process
/// group of its own that is killed whole when the time is up.
pub fn run(
    tool: &str,
    command: &mut Command,
    timeout: Duration,
    capture: Capture,
) -> Result<Output> {
    let temp = || tempfile::tempfile().map_err(Error::io("creating a temporary file"));
    let clone = |f: &std::fs::File| {
        f.try_clone()
            .map_err(Error::io("duplicating a file handle"))
    };
    let mut out = temp()?;
    let mut err = temp()?;
    let stderr = match capture {
        Capture::Separate => clone(&err)?,
        Capture::Merged => clone(&out)?,
    };
    command
        .stdin(Stdio::null())
        .stdout(clone(&out)?)
        .stderr(stderr);
    let child = GroupChild::spawn(command).map_err(|source| Error::Spawn {
        program: command.get_program().to_string_lossy().into_owned(),
        source,
    })?;
    let ended = child.wait_timeout(timeout);
    if ended.timed_out {
        return Err(Error::Timeout {
            tool: tool.to_owned(),
            seconds: timeout.as_secs(),
        });
    }
    let status = ended
        .status
        .map_err(Error::io(format!("waiting for {tool}")))?;
    let read = |f: &mut std::fs::File| -> Result<Vec<u8>> {
        let mut bytes = Vec::new();
        f.rewind()
            .and_then(|()| f.read_to_end(&mut bytes))
            .map_err(Error::io(format!("reading the output of {tool}")))?;
        Ok(bytes)
    };
    let stdout = read(&mut out)?;
    let stderr = read(&mut err)?;
    match status.code() {
        Some(code) => Ok(Output {
            code,
            stdout,
            stderr,
        }),
        None => Err(Error::Crashed {
            tool: tool.to_owned(),
            signal: status.signal().unwrap_or(0),
            detail: tail(if stderr.is_empty() { &stdout } else { &stderr }),
        }),
    }
}

/// The last few non-blank lines of a tool's output, enough to tell a person what went wrong.
pub(crate) fn tail(bytes: &[u8]) -> String {
    const LINES: usize = 6;
    let text = String::from_utf8_lossy(bytes);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let start = lines.len().saturating_sub(LINES);
    if lines.is_empty() {
        "(nothing)".to_owned()
    } else {
        lines[start..].join("\n")
    }
}

/// The error for a tool that exited with a status meaning failure.
pub(crate) fn failed(tool: &str, output: &Output) -> Error {
    let detail = if output.stderr.is_empty() {
        tail(&output.stdout)
    } else {
        output.stderr_tail()
    };
    Error::Failed {
        tool: tool.to_owned(),
        code: output.code,
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::{Capture, GroupChild, read_tail, run};
    use crate::error::Error;
    use std::process::Command;
    use std::time::Duration;

    fn sh(script: &str, timeout: u64) -> crate::Result<super::Output> {
        let mut command = Command::new("sh");
        command.args(["-c", script]);
        run(
            "sh",
            &mut command,
            Duration::from_secs(timeout),
            Capture::Separate,
        )
    }

    #[test]
    fn a_grandchild_holding_the_output_open_does_not_hold_up_the_caller() {
        let output = sh("sleep 3600 & echo started", 600).unwrap();
        assert_eq!(
            (output.code, output.stdout.as_slice()),
            (0, b"started\n".as_slice())
        );
    }

    #[test]
    fn a_program_killed_by_a_signal_is_reported_as_a_crash() {
        let err = sh("echo dying >&2; kill -SEGV $$", 600).unwrap_err();
        assert_eq!(
            err.to_string(),
            "sh crashed (signal 11); its last words: dying"
        );
    }

    #[test]
    fn read_tail_keeps_the_end() {
        let check = |input: &str, keep: usize, expected: &str| {
            assert_eq!(read_tail(input.as_bytes(), keep), expected);
        };
        check("hello", 10, "hello");
        check("hello world", 5, "world");
        check(&"x".repeat(100_000), 3, "xxx");
    }

    #[test]
    fn what_a_program_left_running_is_killed_with_its_group() {
        // The grandchild holds the pipe too: it closes, and reading ends, only when the
        // grandchild is gone. Had it survived, it would add its line an hour later.
        let mut command = Command::new("sh");
        command
            .args(["-c", "(sleep 3600; echo survived) & echo started"])
            .stdout(std::process::Stdio::piped());
        let mut child = GroupChild::spawn(&mut command).unwrap();
        let stdout = child.stdout.take().unwrap();
        let ended = child.wait_timeout(Duration::from_secs(600));
        assert!(ended.status.unwrap().success() && !ended.timed_out);
        assert_eq!(read_tail(stdout, 64), "started\n");
    }

    #[test]
    fn a_program_past_its_time_is_killed() {
        let err = sh("sleep 3600", 1).unwrap_err();
        assert!(matches!(err, Error::Timeout { seconds: 1, .. }), "{err}");
    }
}
