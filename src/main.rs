//! The `tdev` command line: parses arguments, runs the command, maps errors to exit codes.
//!
//! Exit codes: 0 success, 1 tdev or the machine failed, 2 the input was wrong (bad query, bad
//! file, bad configuration, data directory in use), 3 `tdev status` found no daemon. Data goes
//! to stdout, logs and errors to stderr.

mod cli;
mod commands;
mod exit;
mod table;
mod telemetry;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if exit::is_broken_pipe(&err) => ExitCode::SUCCESS,
        // Said on stdout already; only the code is left to give.
        Err(err) if exit::code(&err) == 3 => ExitCode::from(3),
        Err(err) => {
            eprintln!("error: {err:#}");
            if let Some(hint) = exit::hint(&err) {
                eprintln!("{hint}");
            }
            ExitCode::from(exit::code(&err))
        }
    }
}

/// Runs the command with logging (and trace export, when asked for) around it; the last
/// spans are sent before the process exits, whatever the command's result.
fn run(cli: cli::Cli) -> anyhow::Result<()> {
    // The daemon's log is its progress: one line per cycle start and end at info.
    let verbose = cli.verbose + u8::from(matches!(cli.command, cli::Command::Daemon));
    let telemetry = telemetry::init(verbose)?;
    let result = commands::run(cli);
    telemetry.shutdown();
    result
}
