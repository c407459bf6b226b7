//! The wire formats of query results and graphs, and their serialisation.

use crate::{Error, Result};
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::sparql::QueryResults;
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use std::io::Write;

/// Formats of SELECT and ASK results.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResultsFormat {
    /// SPARQL 1.1 Query Results JSON.
    Json,
    /// SPARQL Query Results XML.
    Xml,
    /// SPARQL 1.1 Query Results CSV.
    Csv,
    /// SPARQL 1.1 Query Results TSV.
    Tsv,
}

/// Formats of RDF graphs and datasets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphFormat {
    /// Turtle (one graph).
    Turtle,
    /// N-Triples (one graph).
    NTriples,
    /// N-Quads (a dataset).
    NQuads,
    /// TriG (a dataset).
    TriG,
    /// JSON-LD 1.1 (a dataset), with tdev's prefixes as its context.
    JsonLd,
    /// RDF/XML (one graph), what SPARQLWrapper asks a CONSTRUCT for by default.
    RdfXml,
}

impl ResultsFormat {
    fn oxigraph(self) -> QueryResultsFormat {
        match self {
            Self::Json => QueryResultsFormat::Json,
            Self::Xml => QueryResultsFormat::Xml,
            Self::Csv => QueryResultsFormat::Csv,
            Self::Tsv => QueryResultsFormat::Tsv,
        }
    }
}

impl GraphFormat {
    pub(crate) fn oxigraph(self) -> RdfFormat {
        match self {
            Self::Turtle => RdfFormat::Turtle,
            Self::NTriples => RdfFormat::NTriples,
            Self::NQuads => RdfFormat::NQuads,
            Self::TriG => RdfFormat::TriG,
            Self::JsonLd => RdfFormat::JsonLd {
                profile: oxigraph::io::JsonLdProfileSet::empty(),
            },
            Self::RdfXml => RdfFormat::RdfXml,
        }
    }

    /// Whether the format holds named graphs.
    pub fn holds_datasets(self) -> bool {
        matches!(self, Self::NQuads | Self::TriG | Self::JsonLd)
    }

    /// Guesses the format from a file name's extension.
    pub fn from_path(path: &std::path::Path) -> Option<Self> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "ttl" | "turtle" => Some(Self::Turtle),
            "nt" => Some(Self::NTriples),
            "nq" => Some(Self::NQuads),
            "trig" => Some(Self::TriG),
            "jsonld" => Some(Self::JsonLd),
            "rdf" => Some(Self::RdfXml),
            _ => None,
        }
    }

    /// The serializer with tdev's usual prefixes, for readable Turtle and TriG.
    pub(crate) fn serializer(self) -> RdfSerializer {
        let mut serializer = RdfSerializer::from_format(self.oxigraph());
        if !matches!(self, Self::NTriples | Self::NQuads) {
            for (prefix, iri) in [
                ("tdev", crate::vocab::NS),
                ("prov", crate::vocab::PROV),
                ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
                ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
                ("xsd", "http://www.w3.org/2001/XMLSchema#"),
                ("owl", "http://www.w3.org/2002/07/owl#"),
            ] {
                serializer = serializer
                    .with_prefix(prefix, iri)
                    .expect("the built-in prefixes are valid IRIs");
            }
        }
        serializer
    }
}

/// How to write the results of a query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    /// Solutions or a boolean, in a SPARQL results format.
    Results(ResultsFormat),
    /// A graph, in an RDF format.
    Graph(GraphFormat),
}

/// Writes query results in `format`; a mismatch (a graph asked as CSV, solutions as Turtle)
/// is an error that names the formats that would work.
pub fn write_results<W: Write>(
    results: QueryResults<'_>,
    format: OutputFormat,
    writer: W,
) -> Result<W> {
    let io = Error::io("writing query results");
    match (results, format) {
        (QueryResults::Solutions(rows), OutputFormat::Results(f)) => {
            let serializer = QueryResultsSerializer::from_format(f.oxigraph());
            let mut out = serializer
                .serialize_solutions_to_writer(writer, rows.variables().to_vec())
                .map_err(Error::io("writing query results"))?;
            for row in rows {
                let row = row.map_err(|e| Error::Evaluation(e.to_string()))?;
                out.serialize(&row)
                    .map_err(Error::io("writing query results"))?;
            }
            out.finish().map_err(io)
        }
        (QueryResults::Boolean(value), OutputFormat::Results(f)) => {
            QueryResultsSerializer::from_format(f.oxigraph())
                .serialize_boolean_to_writer(writer, value)
                .map_err(io)
        }
        (QueryResults::Graph(triples), OutputFormat::Graph(f)) => {
            let mut out = f.serializer().for_writer(writer);
            for triple in triples {
                let triple = triple.map_err(|e| Error::Evaluation(e.to_string()))?;
                out.serialize_triple(&triple)
                    .map_err(Error::io("writing query results"))?;
            }
            out.finish().map_err(io)
        }
        (QueryResults::Graph(_), OutputFormat::Results(f)) => Err(Error::FormatMismatch {
            format: format!("{f:?}").to_lowercase(),
            what: "the graph a CONSTRUCT or DESCRIBE query returns",
            valid: "turtle, ntriples",
        }),
        (QueryResults::Solutions(_), OutputFormat::Graph(f)) => Err(Error::FormatMismatch {
            format: format!("{f:?}").to_lowercase(),
            what: "the solutions a SELECT query returns",
            valid: "json, xml, csv, tsv, table",
        }),
        (QueryResults::Boolean(_), OutputFormat::Graph(f)) => Err(Error::FormatMismatch {
            format: format!("{f:?}").to_lowercase(),
            what: "the boolean an ASK query returns",
            valid: "json, xml, csv, tsv, table",
        }),
    }
}
