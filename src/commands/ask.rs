//! `tdev ask`: recommendations with their evidence and confidence.

use crate::cli::AskArgs;
use anyhow::Result;
use std::io::Write;
use std::path::Path;
use tdev_app::{Config, Layout};

pub fn run(args: AskArgs, layout: &Layout, config: &Config, data: Option<&Path>) -> Result<()> {
    let answer = tdev_app::ask::ask(&args.question, &args.repo, layout, config, data)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&answer)?)?;
    } else {
        write!(out, "{}", tdev_app::ask::render(&answer))?;
    }
    Ok(())
}
