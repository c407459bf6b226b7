//! What the two cargo adapters (clippy, test) share: their options and how cargo is started.

use crate::error::{Error, Result};
use crate::process::{self, Capture};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// How to run cargo on a Rust project.
#[derive(Clone, Debug)]
pub struct CargoOptions {
    /// Extra arguments for cargo, before any `--`, e.g. `-p NAME` or `--features X`.
    pub args: Vec<String>,
    /// Where cargo builds (`CARGO_TARGET_DIR`); `None` leaves cargo's choice, usually
    /// `target/` inside the project.
    pub target_dir: Option<PathBuf>,
    /// Time limit, build included.
    pub timeout: Duration,
}

impl Default for CargoOptions {
    fn default() -> Self {
        Self {
            args: Vec::new(),
            target_dir: None,
            timeout: Duration::from_secs(1800),
        }
    }
}

impl CargoOptions {
    /// `cargo <subcommand>` in `project`, with the options applied and colours off.
    pub(crate) fn command(&self, project: &Path, subcommand: &str) -> Command {
        let mut command = Command::new(cargo());
        command
            .current_dir(project)
            .env("CARGO_TERM_COLOR", "never")
            .arg(subcommand)
            .args(&self.args);
        if let Some(dir) = &self.target_dir {
            command.env("CARGO_TARGET_DIR", dir);
        }
        command
    }
}

/// The cargo to run: `$CARGO` when tdev itself runs under cargo (it names the toolchain in
/// use), else `cargo` on PATH.
fn cargo() -> PathBuf {
    std::env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from)
}

/// The workspace root of the project: compiler messages name files relative to it.
pub(crate) fn workspace_root(project: &Path) -> Result<PathBuf> {
    let mut command = Command::new(cargo());
    command.current_dir(project).args([
        "locate-project",
        "--workspace",
        "--message-format",
        "plain",
    ]);
    let output = process::run(
        "cargo locate-project",
        &mut command,
        Duration::from_secs(60),
        Capture::Separate,
    )?;
    if output.code != 0 {
        return Err(process::failed("cargo locate-project", &output));
    }
    let manifest = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    manifest
        .parent()
        .map(Path::to_owned)
        .ok_or_else(|| Error::Output {
            tool: "cargo locate-project".to_owned(),
            detail: format!("{} has no parent directory", manifest.display()),
        })
}
