//! Errors of the knowledge layer, split between a user's mistakes and infrastructure failing.

use std::path::PathBuf;

/// Everything that can go wrong in the knowledge graph or the pattern index.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A SPARQL query or update that does not parse; the message carries line and column.
    #[error("invalid SPARQL {kind}: {message}")]
    SparqlSyntax {
        /// `query` or `update`.
        kind: &'static str,
        /// The parser's message, with the position.
        message: String,
        /// 1-based line of the error, when the parser gave one.
        line: Option<usize>,
        /// 1-based column of the error, when the parser gave one.
        column: Option<usize>,
    },
    /// A query that parsed but failed while running (a type error, a cancelled query).
    #[error("SPARQL evaluation failed: {0}")]
    Evaluation(String),
    /// A result format that cannot represent the results of this query.
    #[error("{format} cannot represent {what}; use one of: {valid}")]
    FormatMismatch {
        /// The format asked for.
        format: String,
        /// What the query returns: solutions, a boolean or a graph.
        what: &'static str,
        /// The formats that would work.
        valid: &'static str,
    },
    /// An RDF file that does not parse; nothing of it was loaded.
    #[error("cannot load {source_name}: {message}")]
    RdfSyntax {
        /// The file (or `<stdin>`) being loaded.
        source_name: String,
        /// The parser's message, with the position.
        message: String,
    },
    /// A cycle record that is not internally consistent; nothing of it was written.
    #[error("cycle record {id:?} is invalid: {}", problems.join("; "))]
    InvalidRecord {
        /// The record's id.
        id: String,
        /// Every problem found.
        problems: Vec<String>,
    },
    /// A cycle with this id is already recorded; cycles are immutable once written.
    #[error("cycle {0:?} is already recorded")]
    CycleExists(String),
    /// A cycle that is not recorded was named (to attach models to it).
    #[error("no cycle {0:?} is recorded")]
    UnknownCycle(String),
    /// An IRI given by the user is not valid.
    #[error("invalid IRI {iri:?}: {message}")]
    InvalidIri {
        /// The text given.
        iri: String,
        /// Why it is not an IRI.
        message: String,
    },
    /// The data directory is held by another tdev process.
    #[error(
        "the tdev data directory {} is in use by {holder}; stop that process or wait for it to finish",
        dir.display()
    )]
    Locked {
        /// The data directory.
        dir: PathBuf,
        /// Who holds it: `pid N (command)`, or `another process` when unknown.
        holder: String,
    },
    /// The SPARQL server the graph is on could not be reached, or failed.
    #[error("the SPARQL endpoint {endpoint} {message}")]
    Endpoint {
        /// The endpoint's address.
        endpoint: String,
        /// What happened, and what to do.
        message: String,
    },
    /// The SPARQL server refused what tdev asked for how it is configured (no service at the
    /// address, credentials needed, no union default graph): the user's to fix.
    #[error("the SPARQL endpoint {endpoint} {message}")]
    EndpointRefused {
        /// The endpoint's address.
        endpoint: String,
        /// What happened, and what to do.
        message: String,
    },
    /// Something only the embedded store does was asked of a graph on a SPARQL server.
    #[error("{what} works only on the embedded store: {why}")]
    Unsupported {
        /// What was asked.
        what: &'static str,
        /// Why not here, and what to do instead.
        why: String,
    },
    /// A text query for the pattern index that cannot be parsed.
    #[error("invalid pattern search: {0}")]
    PatternQuery(String),
    /// The RDF store failed (RocksDB, IO, corruption).
    #[error("knowledge graph storage failed: {0}")]
    Storage(#[from] oxigraph::store::StorageError),
    /// The pattern index failed.
    #[error("pattern index failed: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// Reading or writing a file failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl Error {
    /// Whether the error is the user's to fix (bad input) rather than a failure of tdev or the
    /// machine. The CLI exits with code 2 for these.
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            Self::SparqlSyntax { .. }
                | Self::FormatMismatch { .. }
                | Self::RdfSyntax { .. }
                | Self::InvalidRecord { .. }
                | Self::CycleExists(_)
                | Self::UnknownCycle(_)
                | Self::InvalidIri { .. }
                | Self::Locked { .. }
                | Self::PatternQuery(_)
                | Self::Evaluation(_)
                | Self::EndpointRefused { .. }
                | Self::Unsupported { .. }
        )
    }

    pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> Self {
        let context = context.into();
        move |source| Self::Io { context, source }
    }
}

/// Result of the knowledge layer.
pub type Result<T, E = Error> = std::result::Result<T, E>;
