//! The Agent2Agent (A2A) protocol, so that other agents can ask tdev what it learned and have
//! it evolve a repository: the agent card (`GET /.well-known/agent-card.json`) and the
//! JSON-RPC binding (`POST /a2a`) of A2A 1.0, whose methods are SendMessage and GetTask, and
//! of 0.3, whose methods are `message/send` and `tasks/get` (the `A2A-Version` header picks
//! the version, as the specification says; without it, the method's name does).
//!
//! SendMessage runs a skill ([`skills`]) as a task kept in memory ([`tasks`]): `ask` answers
//! before the call returns, unless the client asks to be answered at once and polls with
//! GetTask; `evolve` returns once the daemon's scheduler started the cycle, and its task
//! follows the cycle until it is recorded. No streaming and no push notifications: their
//! methods are answered with the protocol's errors for what an agent does not offer.

mod card;
mod rpc;
mod skills;
mod tasks;
mod wire;

pub(crate) use tasks::Tasks;

use crate::Result;
use crate::request;
use crate::state::State;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State as Shared};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use rpc::RpcError;
use serde_json::Value;
use skills::{Output, Skill};
use tasks::{Said, Task, TaskState};
use wire::{Method, Version};

pub(crate) use card::RPC_PATH;

/// The header (or query parameter) naming the protocol version of a request.
const VERSION_HEADER: &str = "A2A-Version";

/// `GET /.well-known/agent-card.json`.
pub(crate) async fn agent_card(Shared(state): Shared<State>, headers: HeaderMap) -> Response {
    let base = card::base(&state, &headers);
    let mut response = axum::Json(card::card(&state, &base)).into_response();
    // The card changes only with the configuration: clients may keep it a while.
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("max-age=300"),
    );
    response
}

/// `POST /a2a`: one JSON-RPC request. Its errors are JSON-RPC errors in a 200, except what
/// HTTP says better: a body over the limit (413) and a missing or wrong token for the evolve
/// skill (401, as `/update` answers it; 403 when the server has none).
pub(crate) async fn endpoint(
    Shared(state): Shared<State>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Result<Response> {
    let body = request::body(&state, body)?;
    let call = match rpc::read(&body) {
        Ok(call) => call,
        Err((id, e)) => return Ok(rpc::error(id, e)),
    };
    let asked = requested_version(&headers, query.as_deref());
    let id = call.id.clone();
    Ok(
        match handle(&state, &headers, asked.as_deref(), call).await? {
            Ok(result) => rpc::result(id, result),
            Err(e) => rpc::error(id, e),
        },
    )
}

/// The `A2A-Version` the request names, by header or query parameter.
fn requested_version(headers: &HeaderMap, query: Option<&str>) -> Option<String> {
    if let Some(value) = headers.get(VERSION_HEADER) {
        return Some(value.to_str().unwrap_or("?").to_owned());
    }
    let query = request::Params::parse(query.unwrap_or_default().as_bytes());
    query.all(VERSION_HEADER).pop()
}

/// Answers `call`: its result or a JSON-RPC error, or (outer) what HTTP answers.
async fn handle(
    state: &State,
    headers: &HeaderMap,
    asked: Option<&str>,
    call: rpc::Call,
) -> Result<Result<Value, RpcError>> {
    let Some((method, named)) = wire::method(&call.method) else {
        return Ok(Err(RpcError::new(
            rpc::METHOD_NOT_FOUND,
            format!(
                "no method {:?}: this agent answers SendMessage and GetTask (A2A 1.0), and \
                 message/send and tasks/get (A2A 0.3)",
                call.method
            ),
        )));
    };
    let version = match asked.map(|v| (v, Version::parse(v))) {
        None => named,
        Some((asked, None)) => {
            return Ok(Err(RpcError::new(
                rpc::VERSION_NOT_SUPPORTED,
                format!(
                    "{VERSION_HEADER} {asked} is not spoken here: this agent speaks A2A 1.0 and 0.3"
                ),
            )));
        }
        Some((_, Some(version))) if version != named => {
            let other = wire::method_name(method, version).unwrap_or("nothing");
            return Ok(Err(RpcError::new(
                rpc::METHOD_NOT_FOUND,
                format!(
                    "{} is a method of A2A {}, and the request asks for {}, where it is {other}",
                    call.method,
                    named.name(),
                    version.name()
                ),
            )));
        }
        Some((_, Some(version))) => version,
    };
    let tasks = &state.a2a;
    Ok(match method {
        Method::SendMessage => return send(state, headers, version, &call.params).await,
        Method::GetTask => wire::read_get(&call.params).and_then(|(id, history)| {
            tasks
                .get(&id)
                .map(|task| wire::task(&task, version, history))
                .ok_or_else(|| not_found(&id))
        }),
        Method::CancelTask => wire::read_get(&call.params).and_then(|(id, _)| {
            let task = tasks.get(&id).ok_or_else(|| not_found(&id))?;
            Err(RpcError::new(
                rpc::TASK_NOT_CANCELABLE,
                if task.state.is_terminal() {
                    format!("task {id} has ended; there is nothing to cancel")
                } else {
                    format!(
                        "task {id} cannot be canceled: a question runs to its answer, and a \
                         cycle is stopped with `tdev pause --now`"
                    )
                },
            ))
        }),
        Method::Streaming => Err(RpcError::new(
            rpc::UNSUPPORTED_OPERATION,
            "streaming is not offered (capabilities.streaming is false): send the message with \
             SendMessage and poll its task with GetTask",
        )),
        Method::ListTasks => Err(RpcError::new(
            rpc::UNSUPPORTED_OPERATION,
            "listing tasks is not offered: keep the ids SendMessage returns and use GetTask",
        )),
        Method::PushConfig => Err(RpcError::new(
            rpc::PUSH_NOTIFICATION_NOT_SUPPORTED,
            "push notifications are not offered (capabilities.pushNotifications is false): \
             poll with GetTask",
        )),
        Method::ExtendedCard => Err(RpcError::new(
            rpc::UNSUPPORTED_OPERATION,
            "there is no extended agent card (capabilities.extendedAgentCard is false): the \
             card at /.well-known/agent-card.json is the whole of it",
        )),
    })
}

fn not_found(id: &str) -> RpcError {
    RpcError::new(
        rpc::TASK_NOT_FOUND,
        format!(
            "no task {id}: the id is not one this agent gave, or the task is older than the \
             {} it keeps",
            tasks::CAPACITY
        ),
    )
}

/// SendMessage: reads the message, picks the skill, checks that it may run, and runs it as a
/// new task.
async fn send(
    state: &State,
    headers: &HeaderMap,
    version: Version,
    params: &Value,
) -> Result<Result<Value, RpcError>> {
    let incoming = match wire::read_send(params, version) {
        Ok(incoming) => incoming,
        Err(e) => return Ok(Err(e)),
    };
    if let Some(task) = &incoming.task_id {
        return Ok(Err(match state.a2a.get(task) {
            None => not_found(task),
            Some(_) => RpcError::new(
                rpc::UNSUPPORTED_OPERATION,
                format!(
                    "task {task} takes no further message: each request is a task of its own, \
                     so send it without a taskId"
                ),
            ),
        }));
    }
    let checked = Output::accepted(&incoming.accepted)
        .and_then(|output| Ok((output, skills::choose(&incoming.parts, &incoming.metadata)?)));
    let (output, skill) = match checked {
        Ok(checked) => checked,
        Err(e) => return Ok(Err(e)),
    };
    // What the skill runs on, checked before a task exists.
    let evolve_repo = match &skill {
        Skill::Ask { .. } => None,
        Skill::Evolve { repository, .. } => {
            let Some(context) = &state.evolve else {
                return Ok(Err(RpcError::new(
                    rpc::UNSUPPORTED_OPERATION,
                    "evolve runs only in `tdev daemon`, whose scheduler starts the cycles; this \
                     server runs beside none",
                )));
            };
            request::authorize(state, headers, "cycles started through A2A")?;
            match crate::api::choose(&context.repositories, repository.as_deref()) {
                Ok(repo) => Some(repo),
                Err(e) => return Ok(Err(RpcError::new(rpc::INVALID_PARAMS, e.to_string()))),
            }
        }
    };
    let id = tasks::new_id();
    let task = Task {
        id: id.clone(),
        context_id: incoming.context_id.clone().unwrap_or_else(tasks::new_id),
        skill: skill.id(),
        state: TaskState::Working,
        said: None,
        updated: tdev_core::Timestamp::now(),
        artifacts: Vec::new(),
        history: vec![Said {
            message_id: incoming.message_id.clone(),
            parts: incoming.parts.clone(),
        }],
    };
    state.a2a.insert(task);
    // The skill runs on a task of its own: a client that hangs up does not stop it, and its
    // task records how it ended for GetTask. `decided` is dropped (or, by evolve, sent) once
    // the task has an answer worth returning: its end, or the start of its cycle.
    let (decided, answered) = tokio::sync::oneshot::channel::<()>();
    {
        let state = state.clone();
        let id = id.clone();
        tokio::spawn(async move {
            let tasks = state.a2a.clone();
            match (skill, evolve_repo) {
                (
                    Skill::Ask {
                        question,
                        repository,
                    },
                    _,
                ) => {
                    skills::ask(state, &tasks, id, question, repository, output).await;
                    drop(decided);
                }
                (Skill::Evolve { goal, .. }, Some(repo)) => {
                    skills::evolve(state, &tasks, id, repo, goal, output, decided).await;
                }
                (Skill::Evolve { .. }, None) => {}
            }
        });
    }
    if !incoming.return_immediately {
        let _ = answered.await;
    }
    // Forgotten only if more tasks than the store keeps were started meanwhile.
    Ok(match state.a2a.get(&id) {
        Some(task) => Ok(wire::send_result(&task, version, incoming.history_length)),
        None => Err(RpcError::new(
            rpc::INTERNAL_ERROR,
            format!("task {id} was forgotten before it was answered: the server is too busy"),
        )),
    })
}
