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
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread::JoinHandle;
use std::time::Duration;
use tdev_tools::process::{Ended, GroupChild, read_tail};

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

        // Its own process group, so a timeout kills everything it started, and whatever it
        // left running goes too, so its pipes close.
        let mut child = GroupChild::spawn(
            Command::new(&argv[0])
                .args(&argv[1..])
                .current_dir(&worktree)
                .envs(&self.config.env)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped()),
        )
        .map_err(|error| FailureReason::CommandFailed {
            code: None,
            detail: format!("cannot start `{}`: {error}", argv[0]),
            stdout_tail: String::new(),
            stderr_tail: String::new(),
        })?;
        let stdout = Tail::collect(child.stdout.take());
        let stderr = Tail::collect(child.stderr.take());
        let ended = child.wait_timeout(Duration::from_secs(self.config.timeout_secs));
        let stdout_tail = stdout.finish();
        let stderr_tail = stderr.finish();

        let failure = match ended {
            Ended {
                timed_out: true, ..
            } => Some(FailureReason::Timeout {
                after_secs: self.config.timeout_secs,
                stdout_tail,
                stderr_tail,
            }),
            Ended {
                status: Ok(status), ..
            } if !status.success() => Some(FailureReason::CommandFailed {
                code: status.code(),
                detail: match status.signal() {
                    Some(signal) => format!("killed by signal {signal}"),
                    None => String::new(),
                },
                stdout_tail,
                stderr_tail,
            }),
            Ended { status: Ok(_), .. } => None,
            Ended {
                status: Err(error), ..
            } => Some(FailureReason::CommandFailed {
                code: None,
                detail: format!("cannot wait for the command: {error}"),
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

/// The end of an output stream, read on its own thread so a chatty command never blocks on a
/// full pipe.
struct Tail {
    reader: Option<JoinHandle<String>>,
}

impl Tail {
    fn collect(stream: Option<impl Read + Send + 'static>) -> Tail {
        Tail {
            reader: stream.map(|stream| std::thread::spawn(move || read_tail(stream, TAIL_BYTES))),
        }
    }

    /// The last lines, once the stream has closed.
    fn finish(self) -> String {
        let text = self
            .reader
            .and_then(|reader| reader.join().ok())
            .unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(TAIL_LINES)..].join("\n")
    }
}
