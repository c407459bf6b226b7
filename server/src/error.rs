//! The server's one error type. Each kind maps to one HTTP status; a user's mistake is
//! answered with its sentence (a parser's message included), a failure of tdev or the machine
//! with a generic sentence while the details go to the log, so no internals leak.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::time::Duration;

/// What went wrong while serving a request (or starting the server).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request is malformed: a missing or repeated parameter, an invalid IRI, RDF that
    /// does not parse, a question tdev does not understand.
    #[error("{0}")]
    BadRequest(String),
    /// SPARQL that does not parse, with the parser's message and position.
    #[error("{0}")]
    Syntax(String),
    /// No bearer token, or the wrong one, on a request that writes.
    #[error("this endpoint needs the update token: send `Authorization: Bearer <token>`")]
    Unauthorized {
        /// A token was sent but it is not the configured one.
        wrong: bool,
    },
    /// The request is refused whatever the credentials: writes are disabled.
    #[error("{0}")]
    Forbidden(String),
    /// No such graph, cycle or route.
    #[error("{0}")]
    NotFound(String),
    /// None of the formats the client accepts can represent the results.
    #[error("none of the formats asked for ({asked}) can represent {what}; available: {available}")]
    NotAcceptable {
        /// What the client asked for.
        asked: String,
        /// What the results are.
        what: &'static str,
        /// The media types that would work.
        available: String,
    },
    /// A request body of a media type this endpoint does not read.
    #[error("unsupported Content-Type {given:?}; send one of: {expected}")]
    UnsupportedMediaType {
        /// The Content-Type sent.
        given: String,
        /// What the endpoint reads.
        expected: &'static str,
    },
    /// A request body over the configured limit.
    #[error("the request body is larger than the limit of {limit} bytes")]
    PayloadTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// Every slot for store work is taken.
    #[error("the server is busy with other requests; try again shortly")]
    Busy,
    /// What was asked for is not known yet (the daemon's first status); try again shortly.
    #[error("{0}")]
    Unavailable(String),
    /// A query ran past the time limit and was cancelled.
    #[error("the query ran longer than the limit of {} s and was stopped", .0.as_secs_f64())]
    Timeout(Duration),
    /// The configuration is unusable (a token that cannot be read, an address refused).
    #[error("{0}")]
    Config(String),
    /// The knowledge graph failed.
    #[error("the knowledge graph failed: {0}")]
    Knowledge(#[source] tdev_knowledge::Error),
    /// An operation of the host failed.
    #[error("{0}")]
    App(#[source] tdev_app::Error),
    /// A worker thread panicked or was cancelled.
    #[error("a worker failed: {0}")]
    Worker(String),
    /// Listening or serving failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The cause.
        source: std::io::Error,
    },
}

/// Result of the server's operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The HTTP status of this kind of error.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) | Self::Syntax(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::NotAcceptable { .. } => StatusCode::NOT_ACCEPTABLE,
            Self::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Busy | Self::Unavailable(_) | Self::Timeout(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Config(_)
            | Self::Knowledge(_)
            | Self::App(_)
            | Self::Worker(_)
            | Self::Io { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// True when the client (or the configuration's author) can fix it; false for failures
    /// of tdev or the machine.
    pub fn is_user_error(&self) -> bool {
        !self.status().is_server_error() || matches!(self, Self::Config(_))
    }
}

impl From<tdev_knowledge::Error> for Error {
    fn from(error: tdev_knowledge::Error) -> Self {
        use tdev_knowledge::Error as K;
        match error {
            K::SparqlSyntax { .. } => Self::Syntax(error.to_string()),
            e if e.is_user_error() => Self::BadRequest(e.to_string()),
            e => Self::Knowledge(e),
        }
    }
}

impl From<tdev_app::Error> for Error {
    fn from(error: tdev_app::Error) -> Self {
        match error {
            tdev_app::Error::Knowledge(e) => e.into(),
            e if e.is_user_error() => Self::BadRequest(e.to_string()),
            e => Self::App(e),
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = if status.is_server_error()
            && !matches!(self, Self::Busy | Self::Unavailable(_) | Self::Timeout(_))
        {
            // The chain may name paths, the store's internals or a token file: the log gets
            // it, the client only a sentence.
            tracing::error!("HTTP request failed: {}", chain(&self));
            "internal error: the request failed on the server; its log has the details".to_owned()
        } else {
            self.to_string()
        };
        let mut response = (status, format!("{message}\n")).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        match self {
            Self::Unauthorized { wrong } => {
                let challenge = if wrong {
                    r#"Bearer realm="tdev", error="invalid_token""#
                } else {
                    r#"Bearer realm="tdev""#
                };
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static(challenge),
                );
            }
            Self::Busy | Self::Unavailable(_) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            _ => {}
        }
        response
    }
}

pub(crate) fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
