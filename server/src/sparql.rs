//! The SPARQL 1.1 Protocol: queries at `/query` (GET with `?query=`, POST with an
//! `application/sparql-query` or a form body) on the dataset the request names, and updates
//! at `/update` (POST with an `application/sparql-update` or a form body), which need the
//! bearer token. Queries run under the concurrency and time limits, on the blocking pool
//! unless the same query was answered quickly last time (`crate::quick`).

use crate::negotiate::{Kind, Wanted, media_type};
use crate::request::{Params, authorize, body, content_type, text};
use crate::state::State;
use crate::{Error, Result};
use axum::body::Bytes;
use axum::extract::State as Shared;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use tdev_knowledge::{QueryOptions, QueryResults};

const QUERY_TYPES: &str = "application/sparql-query, application/x-www-form-urlencoded";
const UPDATE_TYPES: &str = "application/sparql-update, application/x-www-form-urlencoded";

pub(crate) async fn query_get(
    Shared(state): Shared<State>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response> {
    let params = Params::parse(uri.query().unwrap_or_default().as_bytes());
    let query = params
        .one("query")?
        .ok_or_else(|| Error::BadRequest("GET /query needs a query parameter".into()))?;
    run(state, query, &params, &headers).await
}

pub(crate) async fn query_post(
    Shared(state): Shared<State>,
    uri: Uri,
    headers: HeaderMap,
    payload: Result<Bytes, BytesRejection>,
) -> Result<Response> {
    let payload = body(&state, payload)?;
    let mut params = Params::parse(uri.query().unwrap_or_default().as_bytes());
    let query = match content_type(&headers).as_str() {
        "application/sparql-query" => text(payload)?,
        "application/x-www-form-urlencoded" => {
            let form = Params::parse(&payload);
            let query = form
                .one("query")?
                .ok_or_else(|| Error::BadRequest("the form has no query parameter".into()))?;
            params.extend(form);
            query
        }
        other => {
            return Err(Error::UnsupportedMediaType {
                given: other.to_owned(),
                expected: QUERY_TYPES,
            });
        }
    };
    run(state, query, &params, &headers).await
}

async fn run(
    state: State,
    query: String,
    params: &Params,
    headers: &HeaderMap,
) -> Result<Response> {
    let wanted = Wanted {
        params: ["format", "output", "results"]
            .iter()
            .flat_map(|name| params.all(name))
            .collect(),
        accept: headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    };
    let options = QueryOptions {
        default_graphs: params.all("default-graph-uri"),
        named_graphs: params.all("named-graph-uri"),
        cancel: None,
    };
    let key = state.query_key(&(
        &query,
        &options.default_graphs,
        &options.named_graphs,
        &wanted.params,
        &wanted.accept,
    ));
    let knowledge = state.knowledge.clone();
    let (format, bytes) = state
        .query(key, move |cancel| {
            let options = QueryOptions {
                cancel: Some(cancel),
                ..options
            };
            let results = knowledge.graph.query_opts(&query, &options)?;
            let kind = match results {
                QueryResults::Graph(_) => Kind::Graph,
                _ => Kind::Results,
            };
            let format = wanted.choose(kind)?;
            // Serialised whole here, inside the time limit and the slot: the evaluation is
            // lazy and happens while the results are written.
            let bytes = tdev_knowledge::write_results(results, format, Vec::new())?;
            Ok((format, bytes))
        })
        .await?;
    Ok(respond(media_type(format), bytes))
}

/// A response with `content_type` that says it varies with `Accept`.
pub(crate) fn respond(content_type: &'static str, bytes: Vec<u8>) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::VARY, HeaderValue::from_static("accept"));
    response
}

pub(crate) async fn update(
    Shared(state): Shared<State>,
    uri: Uri,
    headers: HeaderMap,
    payload: Result<Bytes, BytesRejection>,
) -> Result<StatusCode> {
    authorize(&state, &headers, "updates")?;
    let payload = body(&state, payload)?;
    let mut params = Params::parse(uri.query().unwrap_or_default().as_bytes());
    let update = match content_type(&headers).as_str() {
        "application/sparql-update" => text(payload)?,
        "application/x-www-form-urlencoded" => {
            let form = Params::parse(&payload);
            let update = form
                .one("update")?
                .ok_or_else(|| Error::BadRequest("the form has no update parameter".into()))?;
            params.extend(form);
            update
        }
        other => {
            return Err(Error::UnsupportedMediaType {
                given: other.to_owned(),
                expected: UPDATE_TYPES,
            });
        }
    };
    if params.has("using-graph-uri") || params.has("using-named-graph-uri") {
        return Err(Error::BadRequest(
            "using-graph-uri and using-named-graph-uri are not supported; write USING or WITH \
             in the update instead"
                .into(),
        ));
    }
    let knowledge = state.knowledge.clone();
    // No time limit: an update cannot be cancelled half-way, and answering 503 while it goes
    // on to commit would tell the client it failed when it did not.
    state
        .blocking(None, move |_| Ok(knowledge.graph.update(&update)?))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
