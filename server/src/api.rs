//! The JSON API: recorded cycles (`GET /api/cycles`, `GET /api/cycles/{id}`) and
//! recommendations (`POST /api/ask`), through the same functions of the `app` façade the CLI's
//! `tdev cycles`, `tdev show` and `tdev ask` call.

use crate::state::State;
use crate::{Error, Result};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State as Shared};
use serde::Deserialize;
use serde_json::Value;
use std::path::PathBuf;
use tdev_app::Reader;
use tdev_app::history;

pub(crate) async fn cycles(Shared(state): Shared<State>) -> Result<Json<Value>> {
    let reader = Reader::Local(state.knowledge.clone());
    let rows = state
        .blocking(Some(state.config.query_timeout), move |_| {
            Ok(history::cycles(&reader)?)
        })
        .await?;
    Ok(Json(Value::Array(rows.objects())))
}

pub(crate) async fn cycle(
    Shared(state): Shared<State>,
    Path(id): Path<String>,
) -> Result<Json<Value>> {
    let reader = Reader::Local(state.knowledge.clone());
    let cycle = id.clone();
    let detail = state
        .blocking(Some(state.config.query_timeout), move |_| {
            history::cycle(&reader, &cycle).map_err(|e| match e {
                // The façade's only user error here is an unknown id.
                e if e.is_user_error() => Error::NotFound(e.to_string()),
                e => e.into(),
            })
        })
        .await?;
    Ok(Json(detail.to_json(&id)))
}

/// The body of `POST /api/ask`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AskRequest {
    /// The question, as `tdev ask` takes it.
    question: String,
    /// One of the configured repositories, by path or directory name; may be left out when
    /// only one is configured.
    #[serde(default)]
    repository: Option<String>,
}

pub(crate) async fn ask(
    Shared(state): Shared<State>,
    request: std::result::Result<Json<AskRequest>, JsonRejection>,
) -> Result<Json<tdev_app::ask::Answer>> {
    let Json(request) = request.map_err(|rejection| {
        if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            Error::PayloadTooLarge {
                limit: state.config.max_body_bytes,
            }
        } else {
            Error::BadRequest(rejection.body_text())
        }
    })?;
    let Some(context) = state.ask.clone() else {
        return Err(Error::Forbidden(
            "ask is not enabled on this server: the daemon names the repositories it may scan"
                .into(),
        ));
    };
    let repo = choose(&context.repositories, request.repository.as_deref())?;
    let knowledge = state.knowledge.clone();
    // A scan takes as long as the repository needs; no time limit, but it holds a slot.
    let answer = state
        .blocking(None, move |_| {
            let dir = knowledge.root().to_path_buf();
            let reader = Reader::Local(knowledge);
            Ok(tdev_app::ask::ask_in(
                &request.question,
                &repo,
                &context.layout,
                &context.config,
                Some((&dir, &reader)),
            )?)
        })
        .await?;
    Ok(Json(answer))
}

/// The repository a question names, among those configured; never a path outside them.
fn choose(repositories: &[PathBuf], named: Option<&str>) -> Result<PathBuf> {
    let names = || {
        repositories
            .iter()
            .map(|r| r.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match named {
        None if repositories.len() == 1 => Ok(repositories[0].clone()),
        None => Err(Error::BadRequest(format!(
            "name the repository the question is about: one of {}",
            names()
        ))),
        Some(name) => repositories
            .iter()
            .find(|r| r.as_os_str() == name || r.file_name().is_some_and(|f| f == name))
            .cloned()
            .ok_or_else(|| {
                Error::BadRequest(format!(
                    "{name:?} is not a repository this server may scan; one of {}",
                    names()
                ))
            }),
    }
}
