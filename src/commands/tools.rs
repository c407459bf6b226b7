//! `tdev tools`: install and inspect tdev's pinned tool environment.

use crate::cli::ToolsCommand;
use crate::exit::UserError;
use crate::table;
use anyhow::Result;
use std::io::Write;
use tdev_app::Layout;
use tdev_tools::{InstallOptions, InstallOutcome, ToolEnv};

pub fn run(command: ToolsCommand, layout: &Layout) -> Result<()> {
    let env = ToolEnv::new(&layout.tools);
    match command {
        ToolsCommand::Install { force } => {
            let options = InstallOptions {
                force,
                ..InstallOptions::default()
            };
            let outcome = env
                .install(&options, &mut |step| eprintln!("{step}"))
                .map_err(translate)?;
            match outcome {
                InstallOutcome::Installed => {
                    eprintln!("done: the tools are installed in {}", env.dir().display());
                }
                InstallOutcome::UpToDate => eprintln!(
                    "the tool environment {} is up to date (--force reinstalls it)",
                    env.dir().display()
                ),
            }
            Ok(())
        }
        ToolsCommand::Status { json } => {
            let status = env.status().map_err(translate)?;
            let mut out = std::io::stdout().lock();
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&status)?)?;
                return Ok(());
            }
            let header = ["tool", "pinned", "installed", "state", "path"].map(String::from);
            let rows: Vec<Vec<String>> = status
                .tools
                .iter()
                .map(|t| {
                    vec![
                        t.name.clone(),
                        t.pinned.clone(),
                        t.installed.clone().unwrap_or_else(|| "-".to_owned()),
                        t.state.as_str().to_owned(),
                        t.path.display().to_string(),
                    ]
                })
                .collect();
            table::write(&mut out, &header, &rows)?;
            let verdict = if status.is_ready() {
                "ready"
            } else {
                "not ready: run `tdev tools install`"
            };
            writeln!(out, "environment: {} ({verdict})", status.dir.display())?;
            for tool in status.tools.iter().filter(|t| t.detail.is_some()) {
                writeln!(
                    out,
                    "{}: {}",
                    tool.name,
                    tool.detail.as_deref().unwrap_or("")
                )?;
            }
            Ok(())
        }
    }
}

/// The user's mistakes (no Python, nothing installed) exit 2; the rest are failures.
fn translate(err: tdev_tools::Error) -> anyhow::Error {
    if err.is_user_error() {
        UserError::new(err.to_string()).into()
    } else {
        err.into()
    }
}
