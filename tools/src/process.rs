//! Runs an external program the way every adapter needs it: no stdin, output captured in
//! temporary files (a pipe would hang when a grandchild keeps it open, and would need a reader
//! thread per stream), in its own process group, and killed with that whole group when its time
//! is up; what it started and left behind is killed when it exits, so nothing outlives it.

use crate::error::{Error, Result};
use rustix::process::{Pid, Signal, kill_process_group};
use std::io::{Read, Seek};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// What a program that exited by itself left behind.
#[derive(Debug)]
pub(crate) struct Output {
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
pub(crate) enum Capture {
    /// stdout and stderr apart.
    Separate,
    /// Both into one file, in the order they were written (cargo test's progress lines and the
    /// test binaries' results only make sense together).
    Merged,
}

/// Runs `command` as `tool` (the name used in messages) for at most `timeout`.
pub(crate) fn run(
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
        .stderr(stderr)
        .process_group(0);
    let mut child = command.spawn().map_err(|source| Error::Spawn {
        program: command.get_program().to_string_lossy().into_owned(),
        source,
    })?;
    // The child leads its own group, whose id is its pid.
    let group = Pid::from_child(&child);
    let (sender, receiver) = mpsc::channel();
    let waiter = std::thread::spawn(move || {
        // The receiver is gone only after a timeout, when nobody needs the status any more.
        let _ = sender.send(child.wait());
    });
    let status = match receiver.recv_timeout(timeout) {
        Ok(status) => status.map_err(Error::io(format!("waiting for {tool}")))?,
        Err(_) => {
            // Already gone (it exited at this very moment) is fine too.
            let _ = kill_process_group(group, Signal::KILL);
            let _ = waiter.join();
            return Err(Error::Timeout {
                tool: tool.to_owned(),
                seconds: timeout.as_secs(),
            });
        }
    };
    let _ = waiter.join();
    // Whatever it started and left running (a server a test forgot) goes with it. The group
    // id cannot have been reused while any member is alive; with none left this does nothing.
    let _ = kill_process_group(group, Signal::KILL);
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
    use super::{Capture, run};
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
    fn a_program_past_its_time_is_killed() {
        let err = sh("sleep 3600", 1).unwrap_err();
        assert!(matches!(err, Error::Timeout { seconds: 1, .. }), "{err}");
    }
}
