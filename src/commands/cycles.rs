//! `tdev cycles` and `tdev show`: what the recorded cycles did, read back from the knowledge
//! graph with SPARQL (the same questions anyone can ask with `tdev sparql`).

use super::Context;
use crate::exit::UserError;
use anyhow::Result;
use oxigraph::model::Term;
use std::io::Write;
use tdev_knowledge::QueryResults;

const CYCLES: &str = r#"PREFIX tdev: <https://tdev.dev/ns#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?id ?repository ?goal ?outcome ?started
       (COUNT(DISTINCT ?task) AS ?tasks) (COUNT(DISTINCT ?attempt) AS ?attempts)
       (COUNT(DISTINCT ?passed) AS ?passing)
WHERE {
  ?cycle a tdev:Cycle ; tdev:repository/tdev:name ?repository ; tdev:goal ?goal ;
         tdev:outcome ?outcome ; prov:startedAtTime ?started .
  OPTIONAL { ?cycle tdev:hasPlan/tdev:hasTask ?task }
  OPTIONAL { ?cycle tdev:hasAttempt ?attempt }
  OPTIONAL { ?cycle tdev:hasAttempt ?passed . ?passed tdev:gateDecision [ tdev:passed true ] }
  BIND (STRAFTER(STR(?cycle), "/cycle/") AS ?id)
}
GROUP BY ?id ?repository ?goal ?outcome ?started
ORDER BY DESC(?started)"#;

const TASKS: &str = r#"PREFIX tdev: <https://tdev.dev/ns#>
SELECT ?task ?title ?strategy ?hours ?risk
WHERE {
  ?cycle tdev:hasPlan/tdev:hasTask ?t .
  ?t tdev:title ?title ; tdev:strategy ?strategy ; tdev:estimatedHours ?hours ; tdev:risk ?risk .
  BIND (STRAFTER(STR(?t), "/task/") AS ?task)
}
ORDER BY ?task"#;

const ATTEMPTS: &str = r#"PREFIX tdev: <https://tdev.dev/ns#>
SELECT ?task ?number ?strategy ?backend ?seconds ?passed ?branch ?sha
       (GROUP_CONCAT(?reason; SEPARATOR=" | ") AS ?reasons)
WHERE {
  ?cycle tdev:hasAttempt ?a .
  ?a tdev:task ?t ; tdev:attemptNumber ?number ; tdev:strategy ?strategy ; tdev:backend ?backend ;
     tdev:durationSeconds ?seconds ; tdev:gateDecision ?gate .
  ?gate tdev:passed ?passed .
  OPTIONAL { ?gate tdev:reason ?reason }
  OPTIONAL { ?a tdev:produced ?change . ?change tdev:branch ?branch .
             OPTIONAL { ?change tdev:commit [ tdev:sha ?sha ] } }
  BIND (STRAFTER(STR(?t), "/task/") AS ?task)
}
GROUP BY ?task ?number ?strategy ?backend ?seconds ?passed ?branch ?sha
ORDER BY ?task ?number"#;

const CYCLE: &str = r#"PREFIX tdev: <https://tdev.dev/ns#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?repository ?goal ?outcome ?reason ?started ?ended (COUNT(?finding) AS ?findings)
WHERE {
  ?cycle a tdev:Cycle ; tdev:repository/tdev:name ?repository ; tdev:goal ?goal ;
         tdev:outcome ?outcome ; prov:startedAtTime ?started ; prov:endedAtTime ?ended .
  OPTIONAL { ?cycle tdev:failureReason ?reason }
  OPTIONAL { ?cycle tdev:hasFinding ?finding }
}
GROUP BY ?repository ?goal ?outcome ?reason ?started ?ended"#;

/// Rows of a SELECT as plain text cells.
fn rows(results: QueryResults) -> Result<(Vec<String>, Vec<Vec<String>>)> {
    let QueryResults::Solutions(solutions) = results else {
        anyhow::bail!("expected solutions");
    };
    let header: Vec<String> = solutions
        .variables()
        .iter()
        .map(|v| v.as_str().to_owned())
        .collect();
    let mut out = Vec::new();
    for solution in solutions {
        let solution = solution?;
        out.push(
            header
                .iter()
                .map(|name| solution.get(name.as_str()).map(plain).unwrap_or_default())
                .collect(),
        );
    }
    Ok((header, out))
}

fn plain(term: &Term) -> String {
    match term {
        Term::Literal(literal) => literal.value().to_owned(),
        other => crate::table::cell(other),
    }
}

fn print(json: bool, header: &[String], rows: &[Vec<String>]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        let objects: Vec<serde_json::Map<String, serde_json::Value>> = rows
            .iter()
            .map(|row| {
                header
                    .iter()
                    .cloned()
                    .zip(row.iter().map(|c| serde_json::Value::String(c.clone())))
                    .collect()
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &objects)?;
        writeln!(out)?;
    } else {
        crate::table::write(&mut out, header, rows)?;
    }
    Ok(())
}

pub fn list(ctx: &Context, json: bool) -> Result<()> {
    let kb = ctx.open()?;
    let (header, rows) = rows(kb.graph.query(CYCLES)?)?;
    print(json, &header, &rows)
}

pub fn show(ctx: &Context, cycle: &str, json: bool) -> Result<()> {
    let kb = ctx.open()?;
    let iri = tdev_knowledge::vocab::id(&["cycle", cycle]);
    // The cycle is fixed with VALUES: the queries group by what they select, and a bound
    // variable would have to be selected too.
    let bind = |query: &str| {
        let query = query.replacen(
            "WHERE {",
            &format!("WHERE {{\n  VALUES ?cycle {{ <{}> }}", iri.as_str()),
            1,
        );
        kb.graph.query(&query)
    };
    let (header, cycle_rows) = rows(bind(CYCLE)?)?;
    if cycle_rows.is_empty() {
        return Err(UserError::new(format!(
            "no cycle {cycle} is recorded; `tdev cycles` lists them"
        ))
        .into());
    }
    let (task_header, tasks) = rows(bind(TASKS)?)?;
    let (attempt_header, attempts) = rows(bind(ATTEMPTS)?)?;
    if json {
        let mut out = std::io::stdout().lock();
        let object = |header: &[String], row: &[String]| -> serde_json::Value {
            header
                .iter()
                .cloned()
                .zip(row.iter().map(|c| serde_json::Value::String(c.clone())))
                .collect::<serde_json::Map<_, _>>()
                .into()
        };
        let value = serde_json::json!({
            "cycle": cycle,
            "summary": object(&header, &cycle_rows[0]),
            "tasks": tasks.iter().map(|r| object(&task_header, r)).collect::<Vec<_>>(),
            "attempts": attempts.iter().map(|r| object(&attempt_header, r)).collect::<Vec<_>>(),
        });
        serde_json::to_writer_pretty(&mut out, &value)?;
        writeln!(out)?;
        return Ok(());
    }
    let summary = &cycle_rows[0];
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Cycle {cycle} on {}: {} (goal: {}), {} to {}, {} findings.",
        summary[0], summary[2], summary[1], summary[4], summary[5], summary[6]
    )?;
    if !summary[3].is_empty() {
        writeln!(out, "Why: {}", summary[3])?;
    }
    writeln!(out, "\nPlan:")?;
    crate::table::write(&mut out, &task_header, &tasks)?;
    writeln!(out, "\nAttempts:")?;
    crate::table::write(&mut out, &attempt_header, &attempts)?;
    Ok(())
}
