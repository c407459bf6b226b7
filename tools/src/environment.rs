//! tdev's own tool environment: a Python virtual environment holding the pinned tools, where it
//! lives, how it is installed, and what state it is in.
//!
//! An install stamps the environment with the pins' hash (`tdev-pins.sha256`) only after every
//! tool installed and answered with its pinned version, and removes the stamp before it starts:
//! an install that crashed half-way leaves no stamp, so adapters refuse the environment and the
//! next install redoes it. Installs take a lock on `<dir>.lock`, so two at once do the work
//! once.

use crate::error::{Error, Result};
use crate::pins::{Pin, Pins};
use crate::process::{self, Capture};
use serde::Serialize;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The file stamped with the pins' hash after a complete install.
pub const MARKER: &str = "tdev-pins.sha256";

/// A tool environment, at a directory, checked against pins.
#[derive(Clone, Debug)]
pub struct ToolEnv {
    dir: PathBuf,
    pins: Pins,
}

impl ToolEnv {
    /// The environment at `dir` as this tdev pins it. Nothing is checked until a tool is asked
    /// for.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self::with_pins(dir, Pins::builtin())
    }

    /// The environment at `dir`, checked against other pins.
    pub fn with_pins(dir: impl Into<PathBuf>, pins: Pins) -> Self {
        Self {
            dir: dir.into(),
            pins,
        }
    }

    /// Its directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Its pins.
    pub fn pins(&self) -> &Pins {
        &self.pins
    }

    /// The environment's own Python.
    pub fn python(&self) -> PathBuf {
        self.dir.join("bin/python")
    }

    /// The command of an installed tool, refusing an environment whose install did not finish
    /// or that holds other versions than the pins.
    pub fn tool(&self, name: &str) -> Result<PathBuf> {
        let not_installed = || Error::NotInstalled {
            tool: name.to_owned(),
            dir: self.dir.clone(),
        };
        let stamp = std::fs::read_to_string(self.dir.join(MARKER)).map_err(|_| not_installed())?;
        if stamp.trim() != self.pins.hash() {
            return Err(Error::Outdated {
                dir: self.dir.clone(),
            });
        }
        let path = self.bin(name);
        if self.pins.get(name).is_none() || !path.is_file() {
            return Err(not_installed());
        }
        Ok(path)
    }

    fn bin(&self, name: &str) -> PathBuf {
        self.dir.join("bin").join(name)
    }

    /// Whether the environment is stamped as completely installed from these pins.
    pub fn is_complete(&self) -> bool {
        std::fs::read_to_string(self.dir.join(MARKER))
            .is_ok_and(|stamp| stamp.trim() == self.pins.hash())
    }

    /// Creates the environment and installs the pins into it, unless it is already complete
    /// (or `options.force`). `progress` hears about each step as it starts and ends.
    pub fn install(
        &self,
        options: &InstallOptions,
        progress: &mut dyn FnMut(InstallStep<'_>),
    ) -> Result<InstallOutcome> {
        if !options.force && self.is_complete() && self.python().is_file() {
            return Ok(InstallOutcome::UpToDate);
        }
        // One install at a time; a second one waits, then finds the work done. The lock file
        // sits beside the environment because `venv --clear` empties the directory itself.
        let lock_path = self.dir.with_extension("lock");
        if let Some(parent) = lock_path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(Error::io(format!("creating {}", parent.display())))?;
        }
        let lock = std::fs::File::create(&lock_path)
            .map_err(Error::io(format!("creating {}", lock_path.display())))?;
        lock.lock()
            .map_err(Error::io(format!("locking {}", lock_path.display())))?;
        if !options.force && self.is_complete() && self.python().is_file() {
            return Ok(InstallOutcome::UpToDate);
        }
        let marker = self.dir.join(MARKER);
        match std::fs::remove_file(&marker) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(Error::io(format!("removing {}", marker.display()))(e));
            }
            _ => {}
        }
        if options.force || !self.python().is_file() {
            progress(InstallStep::Creating { dir: &self.dir });
            self.create_venv(options)?;
        }
        for pin in &self.pins.tools {
            progress(InstallStep::Installing(pin));
            self.pip_install(pin, options)?;
            let status = self.tool_status(pin)?;
            if status.state != ToolState::Ok {
                return Err(Error::PipFailed {
                    spec: pin.spec(),
                    dir: self.dir.clone(),
                    detail: format!(
                        "pip succeeded but {} {}",
                        pin.name,
                        status.detail.unwrap_or_else(|| "does not run".to_owned())
                    ),
                });
            }
            progress(InstallStep::Installed(pin));
        }
        let temporary = self.dir.join(format!("{MARKER}.tmp"));
        std::fs::write(&temporary, format!("{}\n", self.pins.hash()))
            .and_then(|()| std::fs::rename(&temporary, &marker))
            .map_err(Error::io(format!("writing {}", marker.display())))?;
        Ok(InstallOutcome::Installed)
    }

    fn create_venv(&self, options: &InstallOptions) -> Result<()> {
        std::fs::create_dir_all(&self.dir)
            .map_err(Error::io(format!("creating {}", self.dir.display())))?;
        let mut command = Command::new(&options.python);
        command.args(["-m", "venv", "--clear"]).arg(&self.dir);
        let output = match process::run(
            "python3 -m venv",
            &mut command,
            options.timeout,
            Capture::Separate,
        ) {
            Err(Error::Spawn { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::NoPython {
                    python: options.python.clone(),
                });
            }
            other => other?,
        };
        if output.code != 0 || !self.python().is_file() {
            let detail = if output.stderr.is_empty() {
                process::tail(&output.stdout)
            } else {
                output.stderr_tail()
            };
            return Err(Error::NoVenv {
                python: options.python.clone(),
                detail,
            });
        }
        Ok(())
    }

    fn pip_install(&self, pin: &Pin, options: &InstallOptions) -> Result<()> {
        let mut command = Command::new(self.python());
        command
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--require-virtualenv",
                "--no-input",
            ])
            .args(&options.pip_args)
            .arg(pin.spec());
        let output = process::run("pip", &mut command, options.timeout, Capture::Separate)?;
        if output.code != 0 {
            return Err(Error::PipFailed {
                spec: pin.spec(),
                dir: self.dir.clone(),
                detail: output.stderr_tail(),
            });
        }
        Ok(())
    }

    /// Every pinned tool: its pinned and installed versions, its path and its state. A missing
    /// or broken tool is a state here, not an error.
    pub fn status(&self) -> Result<EnvStatus> {
        let tools = self
            .pins
            .tools
            .iter()
            .map(|pin| self.tool_status(pin))
            .collect::<Result<_>>()?;
        Ok(EnvStatus {
            dir: self.dir.clone(),
            complete: self.is_complete(),
            tools,
        })
    }

    fn tool_status(&self, pin: &Pin) -> Result<ToolStatus> {
        let path = self.bin(&pin.name);
        let mut status = ToolStatus {
            name: pin.name.clone(),
            pinned: pin.version.clone(),
            installed: None,
            path: path.clone(),
            state: ToolState::Missing,
            detail: None,
        };
        if !path.is_file() {
            return Ok(status);
        }
        // Ask the tool itself: the package metadata can claim a version whose files are gone.
        let run = process::run(
            &pin.name,
            Command::new(&path).arg("--version"),
            Duration::from_secs(60),
            Capture::Separate,
        );
        let output = match run {
            Ok(output) if output.code == 0 => output,
            Ok(output) => {
                status.state = ToolState::Broken;
                status.detail = Some(format!(
                    "`{} --version` failed: {}",
                    pin.name,
                    output.stderr_tail()
                ));
                return Ok(status);
            }
            Err(e @ (Error::Spawn { .. } | Error::Timeout { .. } | Error::Crashed { .. })) => {
                status.state = ToolState::Broken;
                status.detail = Some(e.to_string());
                return Ok(status);
            }
            Err(e) => return Err(e),
        };
        let text = String::from_utf8_lossy(if output.stdout.is_empty() {
            &output.stderr
        } else {
            &output.stdout
        })
        .into_owned();
        status.installed = version_in(&text);
        status.state = match &status.installed {
            Some(v) if *v == pin.version => ToolState::Ok,
            Some(v) => {
                status.detail = Some(format!("is version {v}, pinned {}", pin.version));
                ToolState::WrongVersion
            }
            None => {
                status.detail = Some(format!("printed no version: {}", text.trim()));
                ToolState::Broken
            }
        };
        Ok(status)
    }
}

/// The first version-looking word of a tool's `--version` output: `ruff 0.17.6`,
/// `Coverage.py, version 7.17.4 with C extension`.
pub(crate) fn version_in(text: &str) -> Option<String> {
    text.lines().next()?.split_whitespace().find_map(|word| {
        let word = word.trim_end_matches([',', ';', ')']);
        let looks = word.starts_with(|c: char| c.is_ascii_digit())
            && word.contains('.')
            && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '.');
        looks.then(|| word.to_owned())
    })
}

/// How to install.
#[derive(Clone, Debug)]
pub struct InstallOptions {
    /// The Python that creates the environment (default `python3` on PATH).
    pub python: PathBuf,
    /// Recreate the environment from scratch even if it is complete.
    pub force: bool,
    /// Extra arguments for every `pip install`, e.g. `--index-url URL` for a mirror or
    /// `--no-index --find-links DIR` for an offline install.
    pub pip_args: Vec<String>,
    /// Time limit of each step (creating the environment, each pip run).
    pub timeout: Duration,
}

impl Default for InstallOptions {
    fn default() -> Self {
        Self {
            python: PathBuf::from("python3"),
            force: false,
            pip_args: Vec::new(),
            timeout: Duration::from_secs(600),
        }
    }
}

/// A step of an install, as it happens.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum InstallStep<'a> {
    /// Creating the virtual environment.
    Creating {
        /// Where.
        dir: &'a Path,
    },
    /// Installing a tool.
    Installing(&'a Pin),
    /// A tool is installed and answers with its pinned version.
    Installed(&'a Pin),
}

impl fmt::Display for InstallStep<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Creating { dir } => write!(f, "creating the tool environment {}", dir.display()),
            Self::Installing(pin) => write!(f, "installing {} {}", pin.name, pin.version),
            Self::Installed(pin) => write!(f, "installed {} {}", pin.name, pin.version),
        }
    }
}

/// What an install did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstallOutcome {
    /// It installed the pins.
    Installed,
    /// The environment was already complete; nothing was done.
    UpToDate,
}

/// The state of one tool in the environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ToolState {
    /// Installed at its pinned version.
    Ok,
    /// Not installed.
    Missing,
    /// Installed at another version.
    WrongVersion,
    /// Installed but it does not run or does not say its version.
    Broken,
}

impl ToolState {
    /// The spelling in tables and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Missing => "missing",
            Self::WrongVersion => "wrong-version",
            Self::Broken => "broken",
        }
    }
}

/// One tool of the environment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ToolStatus {
    /// The tool.
    pub name: String,
    /// The version tdev pins.
    pub pinned: String,
    /// The version the tool says it is, when it runs.
    pub installed: Option<String>,
    /// Its command.
    pub path: PathBuf,
    /// Its state.
    pub state: ToolState,
    /// Why it is not ok, when it is not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// The whole environment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EnvStatus {
    /// Its directory.
    pub dir: PathBuf,
    /// Whether an install from these pins finished (adapters refuse it otherwise).
    pub complete: bool,
    /// Every pinned tool.
    pub tools: Vec<ToolStatus>,
}

impl EnvStatus {
    /// Whether adapters can use it: complete and every tool ok.
    pub fn is_ready(&self) -> bool {
        self.complete && self.tools.iter().all(|t| t.state == ToolState::Ok)
    }
}

#[cfg(test)]
mod tests {
    use super::version_in;

    fn check(output: &str, expected: Option<&str>) {
        assert_eq!(version_in(output).as_deref(), expected, "{output:?}");
    }

    #[test]
    fn versions_are_read_from_what_each_tool_prints() {
        check("ruff 0.17.6\n", Some("0.17.6"));
        check(
            "bandit 1.9.4\n  python version = 3.11.7 (main)\n",
            Some("1.9.4"),
        );
        check("pytest 9.2.0\n", Some("9.2.0"));
        check(
            "Coverage.py, version 7.17.4 with C extension\n",
            Some("7.17.4"),
        );
        check("usage: tool [-h]\n", None);
        check("", None);
    }
}
