//! Content negotiation: which serialisation a client gets, from the `format`/`output`/
//! `results` parameters SPARQLWrapper and others send (first), else the `Accept` header with
//! its q-values, else the default of the kind of result (SPARQL JSON for solutions and
//! booleans, Turtle for graphs, N-Quads for whole datasets).

use crate::{Error, Result};
use tdev_knowledge::{GraphFormat, OutputFormat, ResultsFormat};

/// What a response holds, which decides the formats that can carry it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Solutions of a SELECT or the boolean of an ASK.
    Results,
    /// The triples of a CONSTRUCT, a DESCRIBE or one graph of the store.
    Graph,
    /// A whole dataset (named graphs and all).
    Dataset,
}

/// Each media type served, by kind, in the order preferred when a client accepts several
/// equally (`*/*`, `text/*`). The first of each kind is its default.
const RESULTS: &[(&str, ResultsFormat)] = &[
    ("application/sparql-results+json", ResultsFormat::Json),
    ("application/sparql-results+xml", ResultsFormat::Xml),
    ("text/csv", ResultsFormat::Csv),
    ("text/tab-separated-values", ResultsFormat::Tsv),
    ("application/json", ResultsFormat::Json),
    ("application/xml", ResultsFormat::Xml),
    ("text/xml", ResultsFormat::Xml),
];
const GRAPHS: &[(&str, GraphFormat)] = &[
    ("text/turtle", GraphFormat::Turtle),
    ("application/n-triples", GraphFormat::NTriples),
    ("application/n-quads", GraphFormat::NQuads),
    ("application/ld+json", GraphFormat::JsonLd),
    ("application/trig", GraphFormat::TriG),
    ("application/rdf+xml", GraphFormat::RdfXml),
    ("application/turtle", GraphFormat::Turtle),
    ("application/x-turtle", GraphFormat::Turtle),
    ("text/plain", GraphFormat::NTriples),
];
const DATASETS: &[(&str, GraphFormat)] = &[
    ("application/n-quads", GraphFormat::NQuads),
    ("application/trig", GraphFormat::TriG),
    ("application/ld+json", GraphFormat::JsonLd),
];

/// The short names of the format parameters.
fn short(kind: Kind, name: &str) -> Option<OutputFormat> {
    let name = name.trim().to_ascii_lowercase();
    let results = |f| Some(OutputFormat::Results(f));
    let graph = |f| Some(OutputFormat::Graph(f));
    match (kind, name.as_str()) {
        (Kind::Results, "json" | "srj") => results(ResultsFormat::Json),
        (Kind::Results, "xml" | "srx") => results(ResultsFormat::Xml),
        (Kind::Results, "csv") => results(ResultsFormat::Csv),
        (Kind::Results, "tsv") => results(ResultsFormat::Tsv),
        (Kind::Graph, "turtle" | "ttl" | "n3") => graph(GraphFormat::Turtle),
        (Kind::Graph, "ntriples" | "n-triples" | "nt") => graph(GraphFormat::NTriples),
        (Kind::Graph, "rdf" | "rdf+xml" | "xml") => graph(GraphFormat::RdfXml),
        (Kind::Graph | Kind::Dataset, "nquads" | "n-quads" | "nq") => graph(GraphFormat::NQuads),
        (Kind::Graph | Kind::Dataset, "trig") => graph(GraphFormat::TriG),
        (Kind::Graph | Kind::Dataset, "json-ld" | "jsonld" | "json") => graph(GraphFormat::JsonLd),
        _ => None,
    }
}

fn table(kind: Kind) -> Vec<(&'static str, OutputFormat)> {
    match kind {
        Kind::Results => RESULTS
            .iter()
            .map(|(m, f)| (*m, OutputFormat::Results(*f)))
            .collect(),
        Kind::Graph => GRAPHS
            .iter()
            .map(|(m, f)| (*m, OutputFormat::Graph(*f)))
            .collect(),
        Kind::Dataset => DATASETS
            .iter()
            .map(|(m, f)| (*m, OutputFormat::Graph(*f)))
            .collect(),
    }
}

/// The media type a format is served as.
pub(crate) fn media_type(format: OutputFormat) -> &'static str {
    let found = match format {
        OutputFormat::Results(r) => RESULTS.iter().find(|(_, f)| *f == r).map(|(m, _)| *m),
        OutputFormat::Graph(g) => GRAPHS.iter().find(|(_, f)| *f == g).map(|(m, _)| *m),
    };
    found.unwrap_or("application/octet-stream")
}

/// The RDF format of a request body, from its Content-Type.
pub(crate) fn body_format(content_type: &str) -> Option<GraphFormat> {
    let essence = essence(content_type);
    GRAPHS.iter().find(|(m, _)| *m == essence).map(|(_, f)| *f)
}

/// The media type without parameters, lower-cased.
pub(crate) fn essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// What a client asked for.
#[derive(Clone, Debug, Default)]
pub(crate) struct Wanted {
    /// Values of the `format`, `output` and `results` parameters, in order.
    pub params: Vec<String>,
    /// The `Accept` header.
    pub accept: Option<String>,
}

impl Wanted {
    /// The format for a response of `kind`.
    pub fn choose(&self, kind: Kind) -> Result<OutputFormat> {
        let available = table(kind);
        if !self.params.is_empty() {
            // A parameter may be a short name or a media type (SPARQLWrapper sends
            // `format=tsv&format=text/tab-separated-values`); the first one served wins.
            for value in &self.params {
                if let Some(format) = short(kind, value) {
                    return Ok(format);
                }
                let value = essence(value);
                if let Some((_, format)) = available.iter().find(|(m, _)| *m == value) {
                    return Ok(*format);
                }
            }
            return Err(not_acceptable(kind, self.params.join(", ")));
        }
        let Some(accept) = self.accept.as_deref().filter(|a| !a.trim().is_empty()) else {
            return Ok(available[0].1);
        };
        let mut best: Option<(f32, usize, OutputFormat)> = None;
        for (position, range) in accept.split(',').enumerate() {
            let mut parts = range.split(';');
            let pattern = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if q <= 0.0 {
                continue;
            }
            let matched = available.iter().find(|(media, _)| {
                pattern == "*/*"
                    || pattern == *media
                    || pattern
                        .strip_suffix("/*")
                        .is_some_and(|top| media.split('/').next() == Some(top))
            });
            if let Some((_, format)) = matched {
                // Higher q wins; among equal q, the earlier range in the header.
                if best.is_none_or(|(bq, bp, _)| q > bq || (q == bq && position < bp)) {
                    best = Some((q, position, *format));
                }
            }
        }
        best.map(|(_, _, f)| f)
            .ok_or_else(|| not_acceptable(kind, accept.to_owned()))
    }
}

fn not_acceptable(kind: Kind, asked: String) -> Error {
    let mut available: Vec<&str> = table(kind).iter().map(|(m, _)| *m).collect();
    available.dedup();
    Error::NotAcceptable {
        asked,
        what: match kind {
            Kind::Results => "query solutions or a boolean",
            Kind::Graph => "a graph",
            Kind::Dataset => "a dataset of named graphs",
        },
        available: available.join(", "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(kind: Kind, params: &[&str], accept: Option<&str>, expected: Option<&str>) {
        let wanted = Wanted {
            params: params.iter().map(|p| (*p).to_owned()).collect(),
            accept: accept.map(str::to_owned),
        };
        let got = wanted.choose(kind).ok().map(media_type);
        assert_eq!(got, expected, "{kind:?} {params:?} {accept:?}");
    }

    #[test]
    fn formats_are_chosen_by_parameter_then_q_values_then_default() {
        use Kind::*;
        check(Results, &[], None, Some("application/sparql-results+json"));
        check(Graph, &[], None, Some("text/turtle"));
        check(Dataset, &[], None, Some("application/n-quads"));
        check(
            Results,
            &["xml"],
            Some("text/csv"),
            Some("application/sparql-results+xml"),
        );
        check(
            Results,
            &["tsv", "text/tab-separated-values"],
            None,
            Some("text/tab-separated-values"),
        );
        check(Graph, &["json-ld"], None, Some("application/ld+json"));
        check(Graph, &["xml"], None, Some("application/rdf+xml"));
        check(Results, &["turtle"], None, None);
        check(
            Results,
            &[],
            Some("text/csv;q=0.5, application/sparql-results+xml"),
            Some("application/sparql-results+xml"),
        );
        check(
            Results,
            &[],
            Some("text/csv;q=0.9, text/tab-separated-values"),
            Some("text/tab-separated-values"),
        );
        check(Results, &[], Some("text/*"), Some("text/csv"));
        check(
            Results,
            &[],
            Some("*/*;q=0.1, text/turtle"),
            Some("application/sparql-results+json"),
        );
        check(Results, &[], Some("text/turtle"), None);
        check(
            Results,
            &[],
            Some("application/json;q=0, text/csv;q=0"),
            None,
        );
        check(
            Graph,
            &[],
            Some("application/n-triples;q=0.8, application/ld+json"),
            Some("application/ld+json"),
        );
        check(Graph, &[], Some("application/sparql-results+json"), None);
    }
}
