//! `tdev sparql`: run a query or an update and print the results.

use super::{Context, display_name, read_input};
use crate::cli::{QueryFormat, SparqlArgs};
use crate::exit::UserError;
use crate::table;
use anyhow::Result;
use oxigraph::model::{Literal, Term};
use std::io::{BufWriter, Write};
use std::str::FromStr;
use tdev_app::config::TableOrResults;
use tdev_knowledge::{Error, GraphFormat, OutputFormat, QueryResults, ResultsFormat, Variable};

pub fn run(ctx: &Context, args: SparqlArgs) -> Result<()> {
    let (text, source) = match (&args.query, &args.file) {
        (_, Some(file)) => (read_input(file)?, display_name(file)),
        (Some(q), None) if q == "-" => (read_input(std::path::Path::new("-"))?, "<stdin>".into()),
        (Some(q), None) => (q.clone(), "<query>".into()),
        (None, None) => unreachable!("clap requires a query or --file"),
    };
    if args.update && (args.format.is_some() || !args.bind.is_empty()) {
        return Err(UserError::new("--format and --bind apply to queries, not to --update").into());
    }
    let bindings = args
        .bind
        .iter()
        .map(|b| parse_binding(b))
        .collect::<Result<Vec<_>>>()?;
    if args.update {
        // Writes need the directory itself; a holder serves reads only.
        let kb = super::open(ctx)?;
        kb.graph
            .update(&text)
            .map_err(|e| located(e, &text, &source))?;
        eprintln!(
            "update applied; the graph now holds {} quads",
            kb.graph.len()?
        );
        return Ok(());
    }
    let reader = tdev_app::Reader::open(&ctx.dir)?;
    let results = match reader.query_with(&text, &bindings) {
        Ok(results) => results,
        Err(tdev_app::Error::Knowledge(e)) => return Err(located(e, &text, &source)),
        Err(e) => return Err(e.into()),
    };
    let stdout = std::io::stdout().lock();
    let mut out = BufWriter::new(stdout);
    let format = args
        .format
        .unwrap_or(match (&results, ctx.config.sparql.format) {
            (QueryResults::Graph(_), _) => QueryFormat::Turtle,
            (_, TableOrResults::Table) => QueryFormat::Table,
            (_, TableOrResults::Json) => QueryFormat::Json,
            (_, TableOrResults::Xml) => QueryFormat::Xml,
            (_, TableOrResults::Csv) => QueryFormat::Csv,
            (_, TableOrResults::Tsv) => QueryFormat::Tsv,
        });
    let format = match format {
        QueryFormat::Table => return write_table(results, &mut out),
        QueryFormat::Json => OutputFormat::Results(ResultsFormat::Json),
        QueryFormat::Xml => OutputFormat::Results(ResultsFormat::Xml),
        QueryFormat::Csv => OutputFormat::Results(ResultsFormat::Csv),
        QueryFormat::Tsv => OutputFormat::Results(ResultsFormat::Tsv),
        QueryFormat::Turtle => OutputFormat::Graph(GraphFormat::Turtle),
        QueryFormat::Ntriples => OutputFormat::Graph(GraphFormat::NTriples),
    };
    let mut out = tdev_knowledge::write_results(results, format, out)?;
    out.flush()?;
    Ok(())
}

/// Parses `NAME=VALUE` into a variable and an RDF term; a bare word is a string literal.
fn parse_binding(text: &str) -> Result<(Variable, Term)> {
    let invalid = |why: String| UserError::new(format!("invalid --bind {text:?}: {why}"));
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| invalid("expected NAME=VALUE".into()))?;
    let variable =
        Variable::new(name.trim_start_matches(['?', '$'])).map_err(|e| invalid(format!("{e}")))?;
    let term = if value.starts_with(['<', '"', '_']) {
        Term::from_str(value).map_err(|e| invalid(format!("{e}")))?
    } else {
        Literal::from(value).into()
    };
    Ok((variable, term))
}

fn write_table(results: QueryResults<'_>, out: &mut impl Write) -> Result<()> {
    match results {
        QueryResults::Solutions(rows) => {
            let header: Vec<String> = rows
                .variables()
                .iter()
                .map(|v| v.as_str().to_owned())
                .collect();
            let variables = rows.variables().to_vec();
            let mut cells = Vec::new();
            for row in rows {
                let row = row.map_err(|e| Error::Evaluation(e.to_string()))?;
                cells.push(
                    variables
                        .iter()
                        .map(|v| row.get(v).map(table::cell).unwrap_or_default())
                        .collect(),
                );
            }
            table::write(out, &header, &cells)?;
        }
        QueryResults::Boolean(value) => writeln!(out, "{value}")?,
        QueryResults::Graph(_) => {
            return Err(Error::FormatMismatch {
                format: "table".into(),
                what: "the graph a CONSTRUCT or DESCRIBE query returns",
                valid: "turtle, ntriples",
            }
            .into());
        }
    }
    out.flush()?;
    Ok(())
}

/// Adds `source:line:column` and the offending line with a caret to a syntax error.
fn located(error: Error, text: &str, source: &str) -> anyhow::Error {
    tdev_app::query::located(error, text, source).into()
}
