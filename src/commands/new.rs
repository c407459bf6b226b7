//! `tdev new`: a service from a requirement; progress on stderr, the summary on stdout.

use crate::cli::NewArgs;
use crate::exit::UserError;
use anyhow::{Context as _, Result};
use std::io::{Read, Write};
use tdev_app::Layout;
use tdev_app::new::{NewOptions, NewStep};

pub fn run(args: NewArgs, layout: &Layout, data: &tdev_app::DataDir) -> Result<()> {
    let requirement = match (&args.requirement, &args.file) {
        (Some(text), _) => text.clone(),
        (None, Some(path)) if path.as_os_str() == "-" => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("reading the requirement from stdin")?;
            text
        }
        (None, Some(path)) => std::fs::read_to_string(path).map_err(|e| {
            UserError::new(format!(
                "cannot read the requirement from {}: {e}",
                path.display()
            ))
        })?,
        (None, None) => unreachable!("clap requires one"),
    };
    let mut answers = Vec::new();
    if let Some(path) = &args.answers {
        let text = std::fs::read_to_string(path).map_err(|e| {
            UserError::new(format!(
                "cannot read the answers in {}: {e}",
                path.display()
            ))
        })?;
        answers.extend(text.lines().map(str::to_owned));
    }
    answers.extend(args.answer.iter().cloned());
    let options = NewOptions {
        requirement,
        out: args.out.clone(),
        blueprint: args.blueprint.clone(),
        language: args.language.clone(),
        answers,
        settings: args.settings.clone(),
        check: !args.no_check,
    };
    let report = tdev_app::new::new(&options, layout, Some(data), &mut |step| match step {
        NewStep::Chosen(name) => eprintln!("blueprint: {name}"),
        NewStep::Writing(files) => eprintln!("writing {files} files"),
        NewStep::Formatting(tool) => eprintln!("formatting with {tool}"),
        NewStep::Environment(what) => eprintln!("{what}"),
        NewStep::Checking(command) => eprintln!("running {command}"),
        _ => {}
    })?;

    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "Made {} in {} from the {} blueprint: {} files, first commit {}.",
            report.name,
            report.dir.display(),
            report.blueprint,
            report.files,
            &report.commit[..report.commit.len().min(12)]
        )?;
        writeln!(out, "\nEndpoints:")?;
        for endpoint in &report.endpoints {
            writeln!(out, "  {endpoint}")?;
        }
        writeln!(
            out,
            "\nIts tests check {} acceptance criteria.",
            report.criteria.len()
        )?;
        if !report.assumed.is_empty() {
            writeln!(out, "\nAssumed (answer with --answer to change):")?;
            for assumption in &report.assumed {
                writeln!(out, "  {assumption}")?;
            }
        }
        if report.checks.is_empty() {
            writeln!(out, "\nChecks not run (--no-check).")?;
        } else {
            writeln!(out, "\nChecks:")?;
            for check in &report.checks {
                writeln!(
                    out,
                    "  {} {} ({:.1} s): {}",
                    if check.passed { "passed" } else { "FAILED" },
                    check.command,
                    check.seconds,
                    check.summary
                )?;
            }
        }
        match (&report.recorded, &report.not_recorded) {
            (Some(iri), _) => writeln!(
                out,
                "\nRecorded as {iri} in {} (knowledge/queries/services.rq lists services).",
                data.dir.display()
            )?,
            (None, Some(why)) => writeln!(out, "\nNot recorded in the knowledge graph: {why}")?,
            (None, None) => {}
        }
        writeln!(
            out,
            "\nRun it: cd {} && {} (see its README). Done in {:.1} s.",
            report.dir.display(),
            report.run,
            report.seconds
        )?;
    }
    if !report.passed() {
        let failed: Vec<&str> = report
            .checks
            .iter()
            .filter(|c| !c.passed)
            .map(|c| c.command.as_str())
            .collect();
        anyhow::bail!(
            "the service is written to {}, but its checks failed: {} (run them there to see \
             why; this is a fault of the blueprint, please report it)",
            report.dir.display(),
            failed.join(", ")
        );
    }
    Ok(())
}
