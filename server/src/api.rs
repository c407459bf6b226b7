//! The JSON API: recorded cycles (`GET /api/cycles`, `GET /api/cycles/{id}`), the learning
//! charts' data (`GET /api/learning`), proposed branches and their fates (`GET /api/branches`),
//! the daemon's schedules and budgets (`GET /api/status`) and recommendations
//! (`POST /api/ask`, whose [`answer`] A2A's ask skill gives too), through the same functions
//! of the `app` façade the CLI's `tdev cycles`, `tdev show`, `tdev learn report`,
//! `tdev status` and `tdev ask` call.

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
use tdev_schedule::DaemonStatus;

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

pub(crate) async fn learning(
    Shared(state): Shared<State>,
) -> Result<Json<tdev_app::report::LearningData>> {
    let reader = Reader::Local(state.knowledge.clone());
    // Training the models of each fold takes longer than a query: no time limit, a slot.
    let data = state
        .blocking(None, move |_| Ok(tdev_app::report::learning(&reader)?))
        .await?;
    Ok(Json(data))
}

pub(crate) async fn branches(
    Shared(state): Shared<State>,
) -> Result<Json<Vec<tdev_app::branches::Branch>>> {
    let knowledge = state.knowledge.clone();
    let branches = state
        .blocking(Some(state.config.query_timeout), move |_| {
            Ok(tdev_app::branches::branches(&knowledge)?)
        })
        .await?;
    Ok(Json(branches))
}

pub(crate) async fn status(Shared(state): Shared<State>) -> Result<Json<DaemonStatus>> {
    let Some(status) = &state.status else {
        return Err(Error::NotFound(
            "no daemon runs beside this server: schedules and budgets are those of \
             `tdev daemon`, which serves this API when [http] is configured"
                .into(),
        ));
    };
    status().map(Json).ok_or_else(|| {
        Error::Unavailable("the daemon has not said its status yet; try again shortly".into())
    })
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
    answer(&state, request.question, request.repository.as_deref())
        .await
        .map(Json)
}

/// `tdev ask`'s answer to `question` on one of the repositories the server may scan
/// (`repository`, by path or directory name; may be left out when there is one), as
/// `POST /api/ask` and A2A's ask skill give it.
pub(crate) async fn answer(
    state: &State,
    question: String,
    repository: Option<&str>,
) -> Result<tdev_app::ask::Answer> {
    let Some(context) = state.ask.clone() else {
        return Err(Error::Forbidden(
            "ask is not enabled on this server: the daemon names the repositories it may scan"
                .into(),
        ));
    };
    let repo = choose(&context.repositories, repository)?;
    let knowledge = state.knowledge.clone();
    // A scan takes as long as the repository needs; no time limit, but it holds a slot.
    state
        .blocking(None, move |_| {
            let dir = knowledge.root().to_path_buf();
            let reader = Reader::Local(knowledge);
            Ok(tdev_app::ask::ask_in(
                &question,
                &repo,
                &context.layout,
                &context.config,
                Some((&dir, &reader)),
            )?)
        })
        .await
}

/// The repository a request names, among those configured; never a path outside them.
pub(crate) fn choose(repositories: &[PathBuf], named: Option<&str>) -> Result<PathBuf> {
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
