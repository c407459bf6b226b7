//! `tdev plan`: research findings and a goal in, a plan of estimated tasks out.

use super::{display_name, read_input};
use crate::cli::PlanArgs;
use crate::exit::UserError;
use anyhow::Result;
use serde::Deserialize;
use std::io::Write;
use tdev_core::Finding;
use tdev_planner::{Goal, HeuristicEstimator, Planner};
use tdev_research::ScanOptions;

pub fn run(args: PlanArgs) -> Result<()> {
    let goal = match &args.goal {
        Some(words) => Goal::parse(words).map_err(|e| UserError::new(e.to_string()))?,
        None => Goal::default(),
    };
    let (name, findings) = match (&args.repo, &args.findings) {
        (Some(repo), _) => {
            let mut scan = super::scan::scan_with_progress(repo, &ScanOptions::default())?;
            super::scan::add_tools(&mut scan, crate::cli::ToolsMode::Auto)?;
            // As `tdev evolve` plans: existing tests are not changed, so their findings are
            // not planned for.
            let policy = tdev_gates::Policy::default();
            let findings = scan
                .findings
                .into_iter()
                .filter(|f| !policy.is_test_file(&f.path))
                .collect();
            (repo.display().to_string(), findings)
        }
        (None, Some(file)) => {
            let name = display_name(file);
            let findings = parse_findings(&read_input(file)?, &name)?;
            (name, findings)
        }
        (None, None) => unreachable!("clap requires --repo or --findings"),
    };
    let plan = Planner::new(HeuristicEstimator)
        .with_max_tasks(args.max_tasks)
        .plan(goal, &findings)
        .map_err(|e| -> anyhow::Error {
            if e.is_user_error() {
                UserError::new(format!("{name}: {e}")).into()
            } else {
                e.into()
            }
        })?;
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
