//! `tdev cycles` and `tdev show`: what the recorded cycles did, read back from the knowledge
//! graph (`tdev_app::history`), directly or through the process that holds it.

use super::Context;
use anyhow::Result;
use oxigraph::model::Term;
use std::io::Write;
use tdev_app::Reader;
use tdev_app::history::{self, Rows};

/// Rows as plain text cells: literals by their value, IRIs abbreviated.
fn cells(rows: &Rows) -> Vec<Vec<String>> {
    rows.rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|t| t.as_ref().map(plain).unwrap_or_default())
                .collect()
        })
        .collect()
}

fn plain(term: &Term) -> String {
    match term {
        Term::Literal(literal) => literal.value().to_owned(),
        other => crate::table::cell(other),
    }
}

fn objects(header: &[String], rows: &[Vec<String>]) -> Vec<serde_json::Value> {
    rows.iter()
        .map(|row| {
            header
                .iter()
                .cloned()
                .zip(row.iter().map(|c| serde_json::Value::String(c.clone())))
                .collect::<serde_json::Map<_, _>>()
                .into()
        })
        .collect()
}

pub fn list(ctx: &Context, json: bool) -> Result<()> {
    let reader = Reader::open(&ctx.dir)?;
    let rows = history::cycles(&reader)?;
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &objects(&rows.header, &cells(&rows)))?;
        writeln!(out)?;
    } else {
        crate::table::write(&mut out, &rows.header, &cells(&rows))?;
    }
    Ok(())
}

pub fn show(ctx: &Context, cycle: &str, json: bool) -> Result<()> {
    let reader = Reader::open(&ctx.dir)?;
    let detail = history::cycle(&reader, cycle)?;
    let summary = &cells(&detail.summary)[0];
    let tasks = cells(&detail.tasks);
    let attempts = cells(&detail.attempts);
    let mut out = std::io::stdout().lock();
    if json {
        let value = serde_json::json!({
            "cycle": cycle,
            "summary": objects(&detail.summary.header, std::slice::from_ref(summary))[0],
            "tasks": objects(&detail.tasks.header, &tasks),
            "attempts": objects(&detail.attempts.header, &attempts),
        });
        serde_json::to_writer_pretty(&mut out, &value)?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(
        out,
        "Cycle {cycle} on {}: {} (goal: {}), {} to {}, {} findings.",
        summary[0], summary[2], summary[1], summary[4], summary[5], summary[6]
    )?;
    if !summary[3].is_empty() {
        writeln!(out, "Why: {}", summary[3])?;
    }
    writeln!(out, "\nPlan:")?;
    crate::table::write(&mut out, &detail.tasks.header, &tasks)?;
    writeln!(out, "\nAttempts:")?;
    crate::table::write(&mut out, &detail.attempts.header, &attempts)?;
    Ok(())
}
