//! The `tdev` command line: parses arguments, runs the command, maps errors to exit codes.
//!
//! Exit codes: 0 success, 1 tdev or the machine failed, 2 the input was wrong (bad query, bad
//! file, bad configuration, data directory in use), 3 `tdev status` found no daemon. Data goes
//! to stdout, logs and errors to stderr.

mod cli;
mod commands;
mod exit;
mod table;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    // The daemon's log is its progress: one line per cycle start and end at info.
    init_logging(cli.verbose + u8::from(matches!(cli.command, cli::Command::Daemon)));
    match commands::run(cli) {
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

/// Logs go to stderr; `RUST_LOG` overrides the level set by `-v`.
fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}
