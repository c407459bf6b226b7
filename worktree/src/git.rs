//! The one place that starts `git`, so every call gets the same protective options.
//!
//! Every invocation runs `git -C <dir>` with paths printed verbatim (`core.quotePath=false`),
//! the user's hooks disabled (`core.hooksPath=/dev/null`: tdev's own commits and checkouts
//! must not run the user's code), no optional locks (so `git status` does not rewrite the
//! user's index), no terminal prompts, and without the `GIT_*` variables that would
//! redirect it to another repository or index (they are set when tdev runs from a hook).

use std::ffi::OsStr;
use std::io::Write;
use std::path::Path;
use std::process::{ChildStdout, Command, Stdio};

use crate::error::{Error, Result};

/// Variables that make git act on another repository, index or object store than `-C` names.
const REDIRECTING_VARIABLES: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_PREFIX",
];

/// One git command being built.
pub(crate) struct Git {
    command: Command,
    args: Vec<String>,
    input: Option<Vec<u8>>,
}

/// What a finished git command printed, and how it exited.
pub(crate) struct Output {
    pub(crate) stdout: Vec<u8>,
    pub(crate) success: bool,
    pub(crate) code: Option<i32>,
    stderr: Vec<u8>,
    status: String,
}

impl Git {
    /// `git -C dir` with tdev's protective options.
    pub(crate) fn new(dir: &Path) -> Git {
        let mut command = Command::new("git");
        command
            .arg("-C")
            .arg(dir)
            .args([
                "--no-optional-locks",
                "-c",
                "core.quotePath=false",
                "-c",
                "core.hooksPath=/dev/null",
            ])
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_OPTIONAL_LOCKS", "0");
        for name in REDIRECTING_VARIABLES {
            command.env_remove(name);
        }
        Git {
            command,
            args: Vec::new(),
            input: None,
        }
    }

    /// Adds arguments.
    pub(crate) fn args<I, S>(mut self, args: I) -> Git
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        for arg in args {
            self.args.push(arg.as_ref().to_string_lossy().into_owned());
            self.command.arg(arg);
        }
        self
    }

    /// Sets an environment variable for this command only.
    pub(crate) fn env(mut self, name: &str, value: &str) -> Git {
        self.command.env(name, value);
        self
    }

    /// Feeds `input` on standard input.
    pub(crate) fn input(mut self, input: Vec<u8>) -> Git {
        self.input = Some(input);
        self
    }

    /// Runs the command whatever its exit status.
    pub(crate) fn output(mut self) -> Result<Output> {
        self.command
            .stdin(if self.input.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self.command.spawn().map_err(spawn_error)?;
        if let Some(input) = self.input.take() {
            let mut stdin = child.stdin.take().expect("stdin was piped");
            // git may exit before reading everything (e.g. on an error); its exit status
            // then says what went wrong, so a broken pipe here is not reported on its own.
            let writer = std::thread::spawn(move || {
                let _ = stdin.write_all(&input);
            });
            let output = child.wait_with_output();
            let _ = writer.join();
            return self.finish(output);
        }
        let output = child.wait_with_output();
        self.finish(output)
    }

    fn finish(&self, output: std::io::Result<std::process::Output>) -> Result<Output> {
        let output = output.map_err(|source| Error::Io {
            path: "git".into(),
            source,
        })?;
        Ok(Output {
            success: output.status.success(),
            code: output.status.code(),
            status: output.status.to_string(),
            stdout: output.stdout,
            stderr: output.stderr,
        })
    }

    /// Runs the command; a failure exit is an error carrying git's message.
    pub(crate) fn run(self) -> Result<Vec<u8>> {
        let args = self.args.join(" ");
        let output = self.output()?;
        if output.success {
            Ok(output.stdout)
        } else {
            Err(output.into_error(args))
        }
    }

    /// Runs the command and returns its standard output as text, trailing newline removed.
    pub(crate) fn text(self) -> Result<String> {
        let args = self.args.join(" ");
        let stdout = self.run()?;
        let mut text = String::from_utf8(stdout).map_err(|_| Error::NotUtf8(args))?;
        while text.ends_with('\n') {
            text.pop();
        }
        Ok(text)
    }

    /// Runs the command and hands its standard output to `read` as it comes, for output too
    /// large to hold (a history, an archive). An error of `read` comes first: a reader that
    /// stops early makes git fail with a broken pipe.
    pub(crate) fn stream<T>(mut self, read: impl FnOnce(ChildStdout) -> Result<T>) -> Result<T> {
        let args = self.args.join(" ");
        self.command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self.command.spawn().map_err(spawn_error)?;
        let stdout = child.stdout.take().expect("stdout was piped");
        // `read` owns the pipe and closes it when it returns, so git cannot wait on it.
        let value = read(stdout);
        let output = self.finish(child.wait_with_output())?;
        let value = value?;
        if output.success {
            Ok(value)
        } else {
            Err(output.into_error(args))
        }
    }

    /// Runs a command that prints an answer or exits with 1 when there is none (`rev-parse
    /// --verify -q`, `symbolic-ref -q`): the text, trailing newline removed, or `None`;
    /// any other exit is an error.
    pub(crate) fn optional_text(self) -> Result<Option<String>> {
        let args = self.args.join(" ");
        let output = self.output()?;
        match output.code {
            Some(0) => Ok(Some(
                String::from_utf8(output.stdout)
                    .map_err(|_| Error::NotUtf8(args))?
                    .trim_end_matches('\n')
                    .to_owned(),
            )),
            Some(1) => Ok(None),
            _ => Err(output.into_error(args)),
        }
    }

    /// Runs a command whose exit status answers a question: 0 is yes, 1 is no, anything
    /// else is an error.
    pub(crate) fn yes(self) -> Result<bool> {
        let args = self.args.join(" ");
        let output = self.output()?;
        match output.code {
            Some(0) => Ok(true),
            Some(1) => Ok(false),
            _ => Err(output.into_error(args)),
        }
    }
}

/// The error for git that could not be started.
fn spawn_error(error: std::io::Error) -> Error {
    if error.kind() == std::io::ErrorKind::NotFound {
        Error::GitMissing(error)
    } else {
        Error::Io {
            path: "git".into(),
            source: error,
        }
    }
}

impl Output {
    /// What git wrote on its standard error, trimmed.
    pub(crate) fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr).trim().to_owned()
    }

    pub(crate) fn into_error(self, args: String) -> Error {
        Error::Git {
            args,
            status: self.status,
            stderr: String::from_utf8_lossy(&self.stderr).trim().to_owned(),
        }
    }
}
