//! Read-only SPARQL for an interface that hands the results to another program (the MCP
//! server): a query's results as text in a standard format, within a size, and a query that
//! does not parse located at its line and column, as `tdev sparql` says it.
//!
//! A [`Reader`] only ever runs queries, so an update cannot change anything through here;
//! [`read`] still recognises one and says that it is an update, not a broken query.

use crate::serve::Reader;
use crate::{Error, Result};
use oxigraph::sparql::SparqlEvaluator;
use std::io::Write;
use tdev_knowledge::{GraphFormat, OutputFormat, QueryResults, ResultsFormat};

/// What [`read`] writes at most unless told otherwise: enough for any table a person reads,
/// small enough for a model's context.
pub const MAX_OUTPUT_BYTES: usize = 256 * 1024;

/// The formats [`read`] writes, by the names `tdev sparql --format` uses.
pub const FORMAT_NAMES: &str = "json, xml, csv, tsv (SELECT and ASK), turtle, ntriples \
                                (CONSTRUCT and DESCRIBE)";

/// A query's results, written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    /// The results in `media_type`.
    pub text: String,
    /// What the query returned: `solutions`, `boolean` or `graph`.
    pub kind: &'static str,
    /// The media type of `text`, e.g. `application/sparql-results+json`.
    pub media_type: &'static str,
}

/// The output format named `name` (as `tdev sparql --format` names them); a user error
/// listing the valid names otherwise.
pub fn format(name: &str) -> Result<OutputFormat> {
    Ok(match name.to_ascii_lowercase().as_str() {
        "json" => OutputFormat::Results(ResultsFormat::Json),
        "xml" => OutputFormat::Results(ResultsFormat::Xml),
        "csv" => OutputFormat::Results(ResultsFormat::Csv),
        "tsv" => OutputFormat::Results(ResultsFormat::Tsv),
        "turtle" => OutputFormat::Graph(GraphFormat::Turtle),
        "ntriples" => OutputFormat::Graph(GraphFormat::NTriples),
        _ => {
            return Err(Error::user(format!(
                "unknown format {name:?}; use one of: {FORMAT_NAMES}"
            )));
        }
    })
}

/// Runs `query` (named `source` in messages) and writes its results in `format`, by default
/// SPARQL JSON results for SELECT and ASK and Turtle for CONSTRUCT and DESCRIBE. Results
/// longer than `max_bytes` are refused with a user error that says to narrow the query, rather
/// than cut into text that does not parse. An update, a query that does not parse and a
/// format that cannot hold the results are user errors.
pub fn read(
    reader: &Reader,
    query: &str,
    source: &str,
    format: Option<OutputFormat>,
    max_bytes: usize,
) -> Result<Written> {
    let results = match reader.query(query) {
        Ok(results) => results,
        Err(Error::Knowledge(e @ tdev_knowledge::Error::SparqlSyntax { .. })) => {
            if is_update(query) {
                return Err(Error::user(format!(
                    "{source} is a SPARQL update; only queries (SELECT, ASK, CONSTRUCT, \
                     DESCRIBE) are answered here: run updates with `tdev sparql --update`"
                )));
            }
            return Err(located(e, query, source));
        }
        Err(e) => return Err(e),
    };
    let (kind, default) = match &results {
        QueryResults::Solutions(_) => ("solutions", OutputFormat::Results(ResultsFormat::Json)),
        QueryResults::Boolean(_) => ("boolean", OutputFormat::Results(ResultsFormat::Json)),
        QueryResults::Graph(_) => ("graph", OutputFormat::Graph(GraphFormat::Turtle)),
    };
    let format = format.unwrap_or(default);
    let mut out = Bounded {
        bytes: Vec::new(),
        max: max_bytes,
        overflowed: false,
    };
    let written = tdev_knowledge::write_results(results, format, &mut out).map(|_| ());
    match written {
        Ok(()) => {}
        Err(_) if out.overflowed => {
            return Err(Error::user(format!(
                "the results of {source} are longer than {max_bytes} bytes; narrow the query \
                 (fewer variables, a FILTER, or LIMIT) and ask again"
            )));
        }
        Err(e) => return Err(e.into()),
    }
    let text = String::from_utf8(out.bytes).map_err(|e| {
        tdev_knowledge::Error::Evaluation(format!("the results are not UTF-8: {e}"))
    })?;
    Ok(Written {
        text,
        kind,
        media_type: media_type(format),
    })
}

/// Whether `text` is a SPARQL update (it parses as one).
pub fn is_update(text: &str) -> bool {
    SparqlEvaluator::new()
        .with_base_iri(tdev_knowledge::vocab::ID)
        .is_ok_and(|evaluator| evaluator.parse_update(text).is_ok())
}

/// A syntax error of `text` (named `source`) as a user error saying `source:line:column`
/// and the parser's words, with the offending line and a caret as its hint; other errors as
/// they are.
pub fn located(error: tdev_knowledge::Error, text: &str, source: &str) -> Error {
    let tdev_knowledge::Error::SparqlSyntax {
        kind,
        message,
        line: Some(line),
        column: Some(column),
    } = &error
    else {
        return error.into();
    };
    let detail = message
        .split_once(": ")
        .map_or(message.as_str(), |(_, rest)| rest);
    let shown = text.lines().nth(line - 1).unwrap_or_default();
    let caret = format!("{}^", " ".repeat(column.saturating_sub(1)));
    Error::user(format!(
        "invalid SPARQL {kind} at {source}:{line}:{column}: {detail}"
    ))
    .with_hint(format!("  {shown}\n  {caret}"))
}

fn media_type(format: OutputFormat) -> &'static str {
    match format {
        OutputFormat::Results(ResultsFormat::Json) => "application/sparql-results+json",
        OutputFormat::Results(ResultsFormat::Xml) => "application/sparql-results+xml",
        OutputFormat::Results(ResultsFormat::Csv) => "text/csv",
        OutputFormat::Results(ResultsFormat::Tsv) => "text/tab-separated-values",
        OutputFormat::Graph(GraphFormat::Turtle) => "text/turtle",
        OutputFormat::Graph(GraphFormat::NTriples) => "application/n-triples",
        OutputFormat::Graph(GraphFormat::NQuads) => "application/n-quads",
        OutputFormat::Graph(GraphFormat::TriG) => "application/trig",
        OutputFormat::Graph(GraphFormat::JsonLd) => "application/ld+json",
        OutputFormat::Graph(GraphFormat::RdfXml) => "application/rdf+xml",
    }
}

/// A writer that takes at most `max` bytes and then fails, remembering that it did, so that
/// a query with millions of rows stops being read as soon as it is too long.
struct Bounded {
    bytes: Vec<u8>,
    max: usize,
    overflowed: bool,
}

impl Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + buf.len() > self.max {
            self.overflowed = true;
            return Err(std::io::Error::other("the results are too long"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader() -> (tempfile::TempDir, Reader) {
        let dir = tempfile::tempdir().unwrap();
        let kb = crate::datadir::create(dir.path()).unwrap();
        (dir, Reader::Local(kb))
    }

    const COUNT: &str = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }";

    #[test]
    fn a_select_is_sparql_json_and_a_construct_turtle() {
        let (_dir, reader) = reader();
        let written = read(&reader, COUNT, "<query>", None, MAX_OUTPUT_BYTES).unwrap();
        assert_eq!(written.kind, "solutions");
        let json: serde_json::Value = serde_json::from_str(&written.text).unwrap();
        let n = &json["results"]["bindings"][0]["n"]["value"];
        assert!(n.as_str().unwrap().parse::<u64>().unwrap() > 0, "{json}");
        let graph = read(
            &reader,
            "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3",
            "<query>",
            None,
            MAX_OUTPUT_BYTES,
        )
        .unwrap();
        assert_eq!((graph.kind, graph.media_type), ("graph", "text/turtle"));
        let ask = read(&reader, "ASK { ?s ?p ?o }", "<query>", None, 1000).unwrap();
        assert_eq!(ask.kind, "boolean");
        assert!(ask.text.contains("\"boolean\":true"), "{}", ask.text);
    }

    #[test]
    fn results_longer_than_the_bound_are_refused_whole() {
        let (_dir, reader) = reader();
        let all = "SELECT * WHERE { ?s ?p ?o }";
        let e = read(&reader, all, "<query>", None, 2000).unwrap_err();
        assert!(e.is_user_error(), "{e}");
        assert!(e.to_string().contains("longer than 2000 bytes"), "{e}");
    }

    #[test]
    fn an_update_is_refused_as_an_update_and_a_broken_query_located() {
        let (_dir, reader) = reader();
        let update = "INSERT DATA { <http://a> <http://b> <http://c> }";
        let e = read(&reader, update, "<query>", None, MAX_OUTPUT_BYTES).unwrap_err();
        assert!(e.to_string().contains("is a SPARQL update"), "{e}");
        let e = read(&reader, "SELECT ?s\nWHERE { ?s ?p }", "<query>", None, 100).unwrap_err();
        assert!(e.is_user_error());
        assert!(
            e.to_string()
                .starts_with("invalid SPARQL query at <query>:2:"),
            "{e}"
        );
        assert!(e.hint().unwrap().contains("WHERE { ?s ?p }"), "{e:?}");
    }

    #[test]
    fn a_format_is_named_as_tdev_sparql_names_it() {
        assert_eq!(
            format("CSV").unwrap(),
            OutputFormat::Results(ResultsFormat::Csv)
        );
        let e = format("yaml").unwrap_err();
        assert!(e.to_string().contains("use one of: json, xml"), "{e}");
        let (_dir, reader) = reader();
        let e = read(
            &reader,
            COUNT,
            "<query>",
            Some(format("turtle").unwrap()),
            1000,
        )
        .unwrap_err();
        assert!(e.is_user_error(), "{e}");
    }
}
