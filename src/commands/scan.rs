//! `tdev scan`: measures a repository and prints its findings and hotspots for a person (text
//! or Markdown) or a script (JSON).

use crate::cli::{ScanArgs, ToolsMode};
use crate::table;
use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::Write;
use std::sync::OnceLock;
use tdev_app::Layout;
use tdev_research::{Progress, Scan, ScanOptions};

/// Repositories with fewer files than this are done before a progress bar would be read.
const PROGRESS_MIN_FILES: usize = 200;

/// Scans `args.repo`, telling test files by the configured gate `policy`.
pub fn run(args: &ScanArgs, layout: &Layout, policy: &tdev_gates::Policy) -> Result<()> {
    let options = ScanOptions {
        max_file_bytes: args.max_file_kib.saturating_mul(1024),
        history_commits: args.history,
        test_patterns: policy.test_integrity.patterns.clone(),
        ..ScanOptions::default()
    };
    let tools = match args.tools {
        ToolsMode::Auto => tdev_app::ToolsMode::Auto,
        ToolsMode::None => tdev_app::ToolsMode::None,
        ToolsMode::Require => tdev_app::ToolsMode::Require,
    };
    let bar: OnceLock<ProgressBar> = OnceLock::new();
    let report = tdev_app::scan(&args.repo, &options, tools, layout, &|progress| {
        if let Progress::Measuring { done, total } = progress
            && total >= PROGRESS_MIN_FILES
        {
            bar.get_or_init(|| progress_bar(total))
                .set_position(done as u64);
        }
    })?;
    if let Some(bar) = bar.get() {
        bar.finish_and_clear();
    }

    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else if args.markdown {
        markdown(&mut out, &report, args.top)?;
    } else {
        text(&mut out, &report, args.top)?;
    }
    Ok(())
}

fn tools_line(report: &Scan) -> Option<String> {
    if report.tools.is_empty() {
        return None;
    }
    let parts: Vec<String> = report
        .tools
        .iter()
        .map(|t| match &t.error {
            None => format!(
                "{} {}",
                t.tool,
                plural(u64::from(t.findings), "finding", "findings")
            ),
            Some(error) => format!("{} did not run ({error})", t.tool),
        })
        .collect();
    Some(format!("Tools: {}.", parts.join("; ")))
}

/// How many findings are in tests, which the list puts after the product's; `None` when
/// there are none.
fn tests_line(report: &Scan) -> Option<String> {
    let s = &report.summary;
    if s.findings_in_tests == 0 {
        return None;
    }
    let rest = if s.findings_in_tests == s.findings {
        "there are none in library code"
    } else {
        "library code is listed first"
    };
    let verb = if s.findings_in_tests == 1 {
        "is"
    } else {
        "are"
    };
    Some(format!(
        "{} of {} {verb} in tests; {rest}.",
        s.findings_in_tests,
        plural(u64::from(s.findings), "finding", "findings"),
    ))
}

fn progress_bar(total: usize) -> ProgressBar {
    let bar =
        ProgressBar::with_draw_target(Some(total as u64), indicatif::ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("measuring {bar:30} {pos}/{len} files ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

fn summary_line(report: &Scan) -> String {
    let s = &report.summary;
    let history = if s.commits == 0 {
        "no git history".to_owned()
    } else {
        format!("churn from {} commits", s.commits)
    };
    format!(
        "{}, {}, {} measured in {:.2} s ({history}); {} skipped.\n\
         Mean complexity {:.2}; documentation coverage {:.1}%; {}.",
        plural(u64::from(s.files), "file", "files"),
        plural(s.loc, "line", "lines"),
        plural(
            u64::from(s.functions),
            "function or class",
            "functions and classes"
        ),
        s.duration_ms as f64 / 1000.0,
        s.skipped,
        s.mean_complexity,
        s.documentation_coverage,
        plural(u64::from(s.findings), "finding", "findings"),
    )
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Where a finding is, as `path:line (symbol)`.
fn location(finding: &tdev_core::Finding) -> String {
    let mut at = finding.path.clone();
    if let Some(span) = finding.span {
        at.push_str(&format!(":{}", span.line));
    }
    if let Some(symbol) = &finding.symbol {
        at.push_str(&format!(" ({symbol})"));
    }
    at
}

fn finding_rows(report: &Scan, top: usize) -> Vec<Vec<String>> {
    report
        .findings
        .iter()
        .take(top)
        .map(|f| {
            vec![
                format!("{:.2}", f.priority),
                f.severity.as_str().to_owned(),
                f.kind.clone(),
                location(f),
                f.message.clone(),
            ]
        })
        .collect()
}

/// The files with the highest hotspot scores; none without history.
fn hotspot_rows(report: &Scan, top: usize) -> Vec<Vec<String>> {
    let mut files: Vec<_> = report
        .files
        .iter()
        .filter(|f| f.hotspot.is_some_and(|h| h > 0.0))
        .collect();
    files.sort_by(|a, b| {
        b.hotspot
            .unwrap_or(0.0)
            .total_cmp(&a.hotspot.unwrap_or(0.0))
    });
    files
        .into_iter()
        .take(top)
        .map(|f| {
            vec![
                format!("{:.2}", f.hotspot.unwrap_or(0.0)),
                f.churn.commits.to_string(),
                f.complexity.to_string(),
                f.maintainability_index
                    .map_or_else(|| "-".to_owned(), |mi| format!("{mi:.1}")),
                f.path.clone(),
            ]
        })
        .collect()
}

fn skipped_rows(report: &Scan) -> Vec<Vec<String>> {
    report
        .skipped
        .iter()
        .map(|s| vec![s.path.clone(), s.reason.to_string()])
        .collect()
}

const FINDING_HEADER: [&str; 5] = ["priority", "severity", "kind", "where", "what"];
const HOTSPOT_HEADER: [&str; 5] = ["hotspot", "commits", "complexity", "MI", "file"];
const SKIPPED_HEADER: [&str; 2] = ["file", "why skipped"];

fn header(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

fn text(out: &mut impl Write, report: &Scan, top: usize) -> std::io::Result<()> {
    writeln!(out, "{}", summary_line(report))?;
    if let Some(line) = tools_line(report) {
        writeln!(out, "{line}")?;
    }
    if let Some(line) = tests_line(report) {
        writeln!(out, "{line}")?;
    }
    let findings = finding_rows(report, top);
    if !findings.is_empty() {
        writeln!(
            out,
            "\nTop findings ({} of {}):",
            findings.len(),
            report.findings.len()
        )?;
        table::write(out, &header(&FINDING_HEADER), &findings)?;
    }
    let hotspots = hotspot_rows(report, top);
    if !hotspots.is_empty() {
        writeln!(out, "\nHotspots (change frequency x complexity):")?;
        table::write(out, &header(&HOTSPOT_HEADER), &hotspots)?;
    }
    let skipped = skipped_rows(report);
    if !skipped.is_empty() {
        writeln!(out, "\nSkipped:")?;
        table::write(out, &header(&SKIPPED_HEADER), &skipped)?;
    }
    Ok(())
}

fn markdown(out: &mut impl Write, report: &Scan, top: usize) -> std::io::Result<()> {
    writeln!(out, "# Scan of `{}`\n", report.root.display())?;
    writeln!(out, "{}", summary_line(report).replace('\n', " "))?;
    if let Some(line) = tools_line(report) {
        writeln!(out, "\n{line}")?;
    }
    if let Some(line) = tests_line(report) {
        writeln!(out, "\n{line}")?;
    }
    let findings = finding_rows(report, top);
    if !findings.is_empty() {
        writeln!(
            out,
            "\n## Top findings ({} of {})\n",
            findings.len(),
            report.findings.len()
        )?;
        markdown_table(out, &FINDING_HEADER, &findings)?;
    }
    let hotspots = hotspot_rows(report, top);
    if !hotspots.is_empty() {
        writeln!(out, "\n## Hotspots\n")?;
        markdown_table(out, &HOTSPOT_HEADER, &hotspots)?;
    }
    let skipped = skipped_rows(report);
    if !skipped.is_empty() {
        writeln!(out, "\n## Skipped files\n")?;
        markdown_table(out, &SKIPPED_HEADER, &skipped)?;
    }
    Ok(())
}

fn markdown_table(
    out: &mut impl Write,
    header: &[&str],
    rows: &[Vec<String>],
) -> std::io::Result<()> {
    // Pipes in cells would end the cell; backticks keep code readable.
    let escape = |cell: &str| cell.replace('|', "\\|").replace('\n', " ");
    writeln!(out, "| {} |", header.join(" | "))?;
    writeln!(out, "|{}", "---|".repeat(header.len()))?;
    for row in rows {
        let cells: Vec<String> = row.iter().map(|c| escape(c)).collect();
        writeln!(out, "| {} |", cells.join(" | "))?;
    }
    Ok(())
}
