//! `tdev plan`: research findings and a goal in, a plan of estimated tasks out.

use super::{display_name, read_input};
use crate::cli::PlanArgs;
use crate::exit::UserError;
use anyhow::Result;
use serde::Deserialize;
use std::io::Write;
use tdev_app::{Config, FindingsFrom, Layout};
use tdev_core::Finding;

/// Plans for the backends `config` (the data directory's `tdev.toml`, or the defaults) makes
/// available.
pub fn run(
    args: PlanArgs,
    layout: &Layout,
    config: &Config,
    data: Option<&std::path::Path>,
) -> Result<()> {
    let from = match (&args.repo, &args.findings) {
        (Some(repo), _) => FindingsFrom::Repo(repo),
        (None, Some(file)) => {
            let name = display_name(file);
            let findings = parse_findings(&read_input(file)?, &name)?;
            FindingsFrom::Given { name, findings }
        }
        (None, None) => unreachable!("clap requires --repo or --findings"),
    };
    let (plan, warnings) = tdev_app::plan(
        args.goal.as_deref(),
        from,
        args.max_tasks,
        layout,
        config,
        data,
    )?;
    for warning in warnings {
        eprintln!("warning: {warning}");
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&plan)?)?;
    } else if args.mermaid {
        write!(out, "{}", tdev_planner::mermaid(&plan))?;
    } else {
        write!(out, "{}", tdev_planner::text(&plan))?;
    }
    Ok(())
}

/// The output of a scan: findings and whatever else it reports.
#[derive(Deserialize)]
struct Scan {
    findings: Vec<Finding>,
}

/// Reads an array of findings or an object with a `findings` array, with errors located at
/// file:line:col.
fn parse_findings(text: &str, name: &str) -> Result<Vec<Finding>> {
    const WHAT: &str = "an array of findings or an object with a `findings` array";
    let located = |e: serde_json::Error| {
        UserError::new(format!(
            "{name}:{}:{}: not {WHAT}: {e}",
            e.line(),
            e.column()
        ))
    };
    match text.trim_start().chars().next() {
        Some('[') => Ok(serde_json::from_str(text).map_err(located)?),
        Some('{') => Ok(serde_json::from_str::<Scan>(text)
            .map_err(located)?
            .findings),
        _ => Err(UserError::new(format!(
            "{name}: not {WHAT}: it does not start with `[` or `{{`"
        ))
        .into()),
    }
}
