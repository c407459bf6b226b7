//! The SPARQL 1.1 Graph Store Protocol at `/store`: `?default` is the store's own default
//! graph, `?graph=IRI` a named graph, neither the whole dataset (GET only). GET always works;
//! PUT (replace), POST (add) and DELETE need `http.store_writable` and the bearer token. Each
//! write is one transaction, after which the running statistics are rebuilt.

use crate::negotiate::{Kind, Wanted, body_format, media_type};
use crate::request::{Params, authorize, body, content_type};
use crate::sparql::respond;
use crate::state::State;
use crate::{Error, Result};
use axum::body::Bytes;
use axum::extract::State as Shared;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::Response;
use tdev_knowledge::{GraphTarget, OutputFormat};

const RDF_TYPES: &str = "text/turtle, application/n-triples, application/n-quads, \
                         application/trig, application/ld+json, application/rdf+xml";

fn target(uri: &Uri) -> Result<Option<GraphTarget>> {
    let params = Params::parse(uri.query().unwrap_or_default().as_bytes());
    match (params.has("default"), params.one("graph")?) {
        (true, Some(_)) => Err(Error::BadRequest(
            "?default and ?graph= name different graphs; give one".into(),
        )),
        (true, None) => Ok(Some(GraphTarget::Default)),
        (false, Some(iri)) => Ok(Some(GraphTarget::Named(iri))),
        (false, None) => Ok(None),
    }
}

fn required(uri: &Uri) -> Result<GraphTarget> {
    target(uri)?
        .ok_or_else(|| Error::BadRequest("name the graph to write: ?default or ?graph=IRI".into()))
}

fn writable(state: &State, headers: &HeaderMap) -> Result<()> {
    if !state.config.store_writable {
        return Err(Error::Forbidden(
            "the graph store is read-only: set http.store_writable = true in tdev.toml to \
             write graphs"
                .into(),
        ));
    }
    authorize(state, headers, "graph store writes")
}

pub(crate) async fn get(
    Shared(state): Shared<State>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response> {
    let target = target(&uri)?;
    let wanted = Wanted {
        params: Params::parse(uri.query().unwrap_or_default().as_bytes()).all("format"),
        accept: headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    };
    let format = wanted.choose(match target {
        Some(_) => Kind::Graph,
        None => Kind::Dataset,
    })?;
    let OutputFormat::Graph(graph_format) = format else {
        unreachable!("graphs and datasets are served in RDF formats")
    };
    let knowledge = state.knowledge.clone();
    let limit = state.config.query_timeout;
    let bytes = state
        .blocking(Some(limit), move |_| {
            let graph = &knowledge.graph;
            Ok(match &target {
                Some(target) => {
                    if !graph.contains_graph(target)? {
                        return Err(Error::NotFound(format!("no graph {}", describe(target))));
                    }
                    graph.dump_target(Vec::new(), graph_format, target)?
                }
                None => graph.dump(Vec::new(), graph_format, None)?,
            })
        })
        .await?;
    Ok(respond(media_type(format), bytes))
}

async fn write(
    state: State,
    uri: Uri,
    headers: HeaderMap,
    payload: Result<Bytes, BytesRejection>,
    replace: bool,
) -> Result<StatusCode> {
    writable(&state, &headers)?;
    let target = required(&uri)?;
    let payload = body(&state, payload)?;
    let given = content_type(&headers);
    let format = body_format(&given).ok_or(Error::UnsupportedMediaType {
        given,
        expected: RDF_TYPES,
    })?;
    let knowledge = state.knowledge.clone();
    let created = state
        .blocking(None, move |_| {
            let existed = knowledge.graph.contains_graph(&target)?;
            knowledge
                .graph
                .write_graph(&target, payload.as_ref(), format, replace)?;
            Ok(!existed)
        })
        .await?;
    Ok(if created {
        StatusCode::CREATED
    } else {
        StatusCode::NO_CONTENT
    })
}

pub(crate) async fn put(
    Shared(state): Shared<State>,
    uri: Uri,
    headers: HeaderMap,
    payload: Result<Bytes, BytesRejection>,
) -> Result<StatusCode> {
    write(state, uri, headers, payload, true).await
}

pub(crate) async fn post(
    Shared(state): Shared<State>,
    uri: Uri,
    headers: HeaderMap,
    payload: Result<Bytes, BytesRejection>,
) -> Result<StatusCode> {
    write(state, uri, headers, payload, false).await
}

pub(crate) async fn delete(
    Shared(state): Shared<State>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<StatusCode> {
    writable(&state, &headers)?;
    let target = required(&uri)?;
    let knowledge = state.knowledge.clone();
    let described = describe(&target);
    let existed = state
        .blocking(None, move |_| Ok(knowledge.graph.drop_graph(&target)?))
        .await?;
    if existed {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Error::NotFound(format!("no graph {described}")))
    }
}

fn describe(target: &GraphTarget) -> String {
    match target {
        GraphTarget::Default => "default".into(),
        GraphTarget::Named(iri) => format!("<{iri}>"),
    }
}
