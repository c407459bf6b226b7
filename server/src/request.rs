//! Reading a request: its parameters (repeated ones kept, as `default-graph-uri` needs), its
//! body within the configured limit, and its bearer token.

use crate::state::State;
use crate::{Error, Result};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};

/// URL or form parameters, in order, repeated names kept.
#[derive(Clone, Debug, Default)]
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    pub fn parse(text: &[u8]) -> Self {
        Self(form_urlencoded::parse(text).into_owned().collect())
    }

    pub fn extend(&mut self, other: Params) {
        self.0.extend(other.0);
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _)| n == name)
    }

    /// The parameter's one value; given twice is the client's mistake.
    pub fn one(&self, name: &str) -> Result<Option<String>> {
        let mut values = self.all(name);
        match values.len() {
            0 => Ok(None),
            1 => Ok(values.pop()),
            _ => Err(Error::BadRequest(format!(
                "the parameter {name} is given {} times; give it once",
                values.len()
            ))),
        }
    }
}

/// The Content-Type's media type, lower-cased, without parameters.
pub(crate) fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(crate::negotiate::essence)
        .unwrap_or_default()
}

/// The body, or 413 past the limit.
pub(crate) fn body(state: &State, body: Result<Bytes, BytesRejection>) -> Result<Bytes> {
    body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Error::PayloadTooLarge {
                limit: state.config.max_body_bytes,
            }
        } else {
            Error::BadRequest(rejection.body_text())
        }
    })
}

/// The body as text.
pub(crate) fn text(body: Bytes) -> Result<String> {
    String::from_utf8(body.to_vec())
        .map_err(|_| Error::BadRequest("the request body is not UTF-8".into()))
}

/// Lets a write through only with the configured token: 403 when there is none (no
/// credential could succeed), 401 with a challenge when it is missing or wrong.
pub(crate) fn authorize(state: &State, headers: &HeaderMap, what: &str) -> Result<()> {
    let Some(token) = &state.config.token else {
        return Err(Error::Forbidden(format!(
            "{what} are disabled: the server has no update token (set http.token_file or \
             http.token_env in tdev.toml)"
        )));
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, credentials) = v.trim().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| credentials.trim())
        });
    match given {
        None => Err(Error::Unauthorized { wrong: false }),
        Some(given) if token.matches(given) => Ok(()),
        Some(_) => Err(Error::Unauthorized { wrong: true }),
    }
}
