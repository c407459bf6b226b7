//! `tdev learn`: what the planner's models learned, and how well.

use super::Context;
use crate::cli::LearnCommand;
use anyhow::Result;
use std::io::Write;
use tdev_app::Reader;
use tdev_app::learn::{evaluate_history, render, training_rows};

pub fn run(ctx: &Context, command: LearnCommand) -> Result<()> {
    match command {
        LearnCommand::Eval { json } => {
            let rows = training_rows(&Reader::open(&ctx.dir)?)?;
            let report = evaluate_history(&rows)?;
            let mut out = std::io::stdout().lock();
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
            } else {
                write!(out, "{}", render(&report))?;
            }
            Ok(())
        }
        LearnCommand::Report { out } => {
            let path = tdev_app::report::write(&ctx.dir, &out)?;
            writeln!(std::io::stdout().lock(), "{}", path.display())?;
            Ok(())
        }
    }
}
