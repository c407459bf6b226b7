//! The A2A endpoint as a client sees it, through the router without a socket: the agent card,
//! JSON-RPC's and A2A's error codes for every kind of bad request, GetTask, and the evolve
//! skill on a scheduler that a test stands in for (the token it needs, the pause that holds it
//! back, and its task following the cycle's events until the cycle ends). A real client
//! library against a running daemon is `tests/a2a.rs` at the workspace root.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use support::{TOKEN, fixture, get, send, writable};
use tdev_actors::{Event, Refused, Requested};
use tdev_server::{Config, EvolveContext, State};

/// A POST of `body` to `/a2a` with `headers`: the HTTP status and the JSON answer.
async fn post(state: &State, body: &str, headers: &[(&str, &str)]) -> (StatusCode, Value) {
    let mut request = Request::post("/a2a").header("content-type", "application/json");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let answer = send(
        &tdev_server::app(state.clone()),
        request.body(Body::from(body.to_owned())).unwrap(),
    )
    .await;
    let json = serde_json::from_str(&answer.body).unwrap_or(Value::String(answer.body));
    (answer.status, json)
}

/// A JSON-RPC request of `method` with `params`, id 1.
fn call(method: &str, params: Value) -> String {
    json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string()
}

/// A 1.0 SendMessage's params: one message of `parts`, with `metadata`.
fn message(parts: Value, metadata: Value) -> Value {
    json!({"message": {"messageId": "m-1", "role": "ROLE_USER", "parts": parts, "metadata": metadata}})
}

/// Posts `body` (as A2A 1.0) and checks that the answer is the JSON-RPC error `code` in a 200,
/// saying `says`.
async fn check_error(state: &State, body: &str, code: i64, says: &str) {
    let (status, answer) = post(state, body, &[("A2A-Version", "1.0")]).await;
    assert_eq!(status, StatusCode::OK, "{body}: {answer}");
    assert_eq!(answer["jsonrpc"], "2.0", "{answer}");
    assert_eq!(answer["error"]["code"], code, "{body}: {answer}");
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(message.contains(says), "{body}: {message}");
}

#[tokio::test]
async fn every_kind_of_bad_request_gets_its_json_rpc_error_code() {
    let f = fixture(Config::default());
    let s = &f.state;
    check_error(s, "{not json", -32700, "not JSON").await;
    check_error(s, "[]", -32600, "batches").await;
    check_error(
        s,
        r#"{"jsonrpc":"2.0","method":"GetTask"}"#,
        -32600,
        "no id",
    )
    .await;
    check_error(
        s,
        r#"{"jsonrpc":"1.0","id":1,"method":"GetTask"}"#,
        -32600,
        "2.0",
    )
    .await;
    check_error(s, &call("tasks/list", json!({})), -32601, "no method").await;
    // A name of the other version than the one asked for.
    check_error(
        s,
        &call("message/send", json!({})),
        -32601,
        "where it is SendMessage",
    )
    .await;
    check_error(
        s,
        &call("GetTask", json!({})),
        -32602,
        "params.id is missing",
    )
    .await;
    check_error(s, &call("SendMessage", json!({})), -32602, "params.message").await;
    check_error(
        s,
        &call("SendMessage", message(json!([]), json!({}))),
        -32602,
        "parts is missing or empty",
    )
    .await;
    check_error(
        s,
        &call(
            "SendMessage",
            message(json!([{"text": "x"}]), json!({"skill": "deploy"})),
        ),
        -32602,
        "no skill \"deploy\"",
    )
    .await;
    check_error(
        s,
        &call("GetTask", json!({"id": "0123"})),
        -32001,
        "no task 0123",
    )
    .await;
    check_error(
        s,
        &call("CancelTask", json!({"id": "0123"})),
        -32001,
        "no task",
    )
    .await;
    check_error(
        s,
        &call(
            "SendMessage",
            message(json!([{"url": "file:///etc/passwd"}]), json!({})),
        ),
        -32005,
        "no files",
    )
    .await;
    let only_images = json!({"message": {"messageId": "m", "parts": [{"text": "what first?"}]},
        "configuration": {"acceptedOutputModes": ["image/png"]}});
    check_error(s, &call("SendMessage", only_images), -32005, "image/png").await;
    check_error(
        s,
        &call("SendStreamingMessage", json!({})),
        -32004,
        "streaming",
    )
    .await;
    check_error(s, &call("ListTasks", json!({})), -32004, "listing").await;
    check_error(
        s,
        &call("GetExtendedAgentCard", json!({})),
        -32004,
        "extended",
    )
    .await;
    check_error(
        s,
        &call("CreateTaskPushNotificationConfig", json!({})),
        -32003,
        "push notifications",
    )
    .await;
    // Evolve needs the daemon's scheduler, which this server has not.
    check_error(
        s,
        &call(
            "SendMessage",
            message(json!([{"data": {"goal": "x"}}]), json!({})),
        ),
        -32004,
        "tdev daemon",
    )
    .await;
    // A version this server does not speak.
    let (_, answer) = post(
        s,
        &call("GetTask", json!({"id": "x"})),
        &[("A2A-Version", "0.5")],
    )
    .await;
    assert_eq!(answer["error"]["code"], -32009, "{answer}");
    // Without a version, the method's name says which; 0.3 names answer in 0.3.
    let (_, answer) = post(s, &call("tasks/get", json!({"id": "x"})), &[]).await;
    assert_eq!(answer["error"]["code"], -32001, "{answer}");
    // A body over the limit is HTTP's 413, as everywhere on this server.
    let small = fixture(Config {
        max_body_bytes: 64,
        ..Config::default()
    });
    let big = call("GetTask", json!({"id": "x".repeat(100)}));
    assert_eq!(
        post(&small.state, &big, &[]).await.0,
        StatusCode::PAYLOAD_TOO_LARGE
    );
}

#[tokio::test]
async fn ask_without_repositories_to_scan_is_a_rejected_task_that_get_task_finds() {
    let f = fixture(Config::default());
    let question = message(json!([{"text": "what should I fix first?"}]), json!({}));
    let (status, answer) = post(&f.state, &call("SendMessage", question), &[]).await;
    assert_eq!(status, StatusCode::OK);
    let task = &answer["result"]["task"];
    assert_eq!(task["status"]["state"], "TASK_STATE_REJECTED", "{answer}");
    let said = &task["status"]["message"]["parts"][0]["text"];
    assert!(
        said.as_str().unwrap().contains("ask is not enabled"),
        "{answer}"
    );
    assert_eq!(task["metadata"]["skill"], "ask");
    assert_eq!(
        task["history"][0]["parts"][0]["text"],
        "what should I fix first?"
    );
    // GetTask finds it, in the version asked for.
    let id = task["id"].as_str().unwrap();
    let (_, got) = post(
        &f.state,
        &call("GetTask", json!({"id": id, "historyLength": 0})),
        &[],
    )
    .await;
    assert_eq!(got["result"]["id"], id, "{got}");
    assert_eq!(got["result"]["history"], json!([]), "{got}");
    let (_, got) = post(&f.state, &call("tasks/get", json!({"id": id})), &[]).await;
    assert_eq!(got["result"]["kind"], "task", "{got}");
    assert_eq!(got["result"]["status"]["state"], "rejected", "{got}");
    // An ended task takes no further message, and cannot be canceled.
    let mut again = message(json!([{"text": "and then?"}]), json!({}));
    again["message"]["taskId"] = json!(id);
    check_error(
        &f.state,
        &call("SendMessage", again),
        -32004,
        "no further message",
    )
    .await;
    check_error(
        &f.state,
        &call("CancelTask", json!({"id": id})),
        -32002,
        "has ended",
    )
    .await;
}

#[tokio::test]
async fn the_card_names_the_endpoint_on_the_address_reached_and_the_skills_enabled() {
    let f = fixture(Config::default());
    let request = Request::get("/.well-known/agent-card.json")
        .header("host", "tdev.local:7878")
        .body(Body::empty())
        .unwrap();
    let answer = send(&f.router(), request).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.content_type(), "application/json");
    let card: Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(card["name"], "tdev");
    assert_eq!(card["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        card["supportedInterfaces"][0]["url"],
        "http://tdev.local:7878/a2a"
    );
    assert_eq!(card["supportedInterfaces"][0]["protocolBinding"], "JSONRPC");
    assert_eq!(card["supportedInterfaces"][0]["protocolVersion"], "1.0");
    assert_eq!(card["capabilities"]["streaming"], false);
    // No repositories to scan and no scheduler: no skill to offer, no token to advertise.
    assert_eq!(card["skills"], json!([]), "{card}");
    assert!(card.get("securitySchemes").is_none(), "{card}");
    // Without a Host header, the configured address.
    let plain = send(&f.router(), get("/.well-known/agent-card.json")).await;
    let card: Value = serde_json::from_str(&plain.body).unwrap();
    assert_eq!(
        card["supportedInterfaces"][0]["url"], "http://127.0.0.1:7878/a2a",
        "{card}"
    );

    let evolving = f.state.clone().with_evolve(context(Answer::Start("c-1")));
    let card: Value = serde_json::from_str(
        &send(
            &tdev_server::app(evolving),
            get("/.well-known/agent-card.json"),
        )
        .await
        .body,
    )
    .unwrap();
    // The default configuration has no token, and evolve needs one.
    assert_eq!(card["skills"], json!([]), "{card}");
    let with_token = fixture(writable())
        .state
        .with_evolve(context(Answer::Start("c-1")));
    let card: Value = serde_json::from_str(
        &send(
            &tdev_server::app(with_token),
            get("/.well-known/agent-card.json"),
        )
        .await
        .body,
    )
    .unwrap();
    assert_eq!(card["skills"][0]["id"], "evolve", "{card}");
    assert_eq!(
        card["skills"][0]["securityRequirements"][0]["schemes"]["bearer"],
        json!({"list": []})
    );
    assert_eq!(
        card["securitySchemes"]["bearer"]["httpAuthSecurityScheme"]["scheme"],
        "Bearer"
    );
}

/// What the stand-in scheduler answers.
#[derive(Clone, Copy)]
enum Answer {
    Start(&'static str),
    Paused,
}

/// The requests the stand-in scheduler was given.
type Asked = Arc<Mutex<Vec<Requested>>>;

fn context(answer: Answer) -> EvolveContext {
    context_noting(answer, Asked::default())
}

fn context_noting(answer: Answer, asked: Asked) -> EvolveContext {
    EvolveContext {
        repositories: vec![PathBuf::from("/src/attrs"), PathBuf::from("/src/httpx")],
        start: Arc::new(move |request: Requested| {
            asked.lock().unwrap().push(request);
            Box::pin(async move {
                Ok(match answer {
                    Answer::Start(id) => Ok(id.to_owned()),
                    Answer::Paused => Err(Refused::Held(tdev_schedule::Hold::Paused)),
                })
            })
        }),
    }
}

#[tokio::test]
async fn evolve_needs_the_token_goes_through_the_scheduler_and_follows_its_cycle() {
    let asked = Asked::default();
    let f = fixture(writable());
    let state = f
        .state
        .clone()
        .with_evolve(context_noting(Answer::Start("attrs-c-7"), asked.clone()));
    let evolve = call(
        "SendMessage",
        message(
            json!([{"data": {"repository": "attrs", "goal": "fix security findings"}}]),
            json!({}),
        ),
    );

    // Without the token, or with another: HTTP's 401, as /update answers, and no cycle asked.
    let (status, _) = post(&state, &evolve, &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = post(
        &state,
        &evolve,
        &[("authorization", "Bearer wrong-token-0123456789")],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(asked.lock().unwrap().is_empty());
    // A server with no token refuses it whatever is sent.
    let tokenless = fixture(Config::default())
        .state
        .with_evolve(context(Answer::Start("c")));
    let bearer = format!("Bearer {TOKEN}");
    let (status, _) = post(&tokenless, &evolve, &[("authorization", &bearer)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A repository the daemon does not evolve is the client's mistake.
    let elsewhere = call(
        "SendMessage",
        message(json!([{"data": {"repository": "/etc"}}]), json!({})),
    );
    let (_, answer) = post(&state, &elsewhere, &[("authorization", &bearer)]).await;
    assert_eq!(answer["error"]["code"], -32602, "{answer}");

    // With it: the scheduler is asked for the named repository and goal, and the task works
    // until the cycle's end is published.
    let (status, answer) = post(&state, &evolve, &[("authorization", &bearer)]).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let task = &answer["result"]["task"];
    assert_eq!(task["status"]["state"], "TASK_STATE_WORKING", "{answer}");
    assert_eq!(
        task["artifacts"][0]["parts"][1]["data"]["cycle"], "attrs-c-7",
        "{answer}"
    );
    assert_eq!(
        *asked.lock().unwrap(),
        [Requested {
            repo: PathBuf::from("/src/attrs"),
            goal: Some("fix security findings".into()),
        }]
    );
    let id = task["id"].as_str().unwrap().to_owned();
    let events = state.events();
    // Another cycle's end is not this task's.
    for cycle in ["httpx-c-1", "attrs-c-7"] {
        events
            .send(Event::CycleFinished {
                cycle: cycle.into(),
                outcome: tdev_core::Outcome::Passed,
                reason: None,
            })
            .unwrap();
    }
    let mut state_now = Value::Null;
    for _ in 0..1000 {
        let (_, got) = post(&state, &call("GetTask", json!({"id": id})), &[]).await;
        state_now = got["result"].clone();
        if state_now["status"]["state"] != "TASK_STATE_WORKING" {
            break;
        }
        tokio::task::yield_now().await;
    }
    assert_eq!(
        state_now["status"]["state"], "TASK_STATE_COMPLETED",
        "{state_now}"
    );
    let said = state_now["status"]["message"]["parts"][0]["text"]
        .as_str()
        .unwrap();
    assert_eq!(said, "cycle attrs-c-7 ended: passed", "{state_now}");

    // A task whose watcher missed events (more than the channel keeps) finds the cycle's end
    // in the graph: the fixture's cycles are recorded.
    let recorded = f
        .state
        .clone()
        .with_evolve(context(Answer::Start("syn-7-000002")));
    let (_, answer) = post(&recorded, &evolve, &[("authorization", &bearer)]).await;
    let id = answer["result"]["task"]["id"].as_str().unwrap().to_owned();
    for _ in 0..=tdev_server::EVENT_CAPACITY {
        let _ = recorded.events().send(Event::CycleStarted {
            cycle: "other".into(),
            repository: "httpx".into(),
        });
    }
    let mut state_now = Value::Null;
    for _ in 0..1000 {
        let (_, got) = post(&recorded, &call("GetTask", json!({"id": id})), &[]).await;
        state_now = got["result"].clone();
        if state_now["status"]["state"] != "TASK_STATE_WORKING" {
            break;
        }
        tokio::task::yield_now().await;
    }
    assert_eq!(
        state_now["status"]["state"], "TASK_STATE_COMPLETED",
        "{state_now}"
    );
    let said = state_now["status"]["message"]["parts"][0]["text"]
        .as_str()
        .unwrap();
    assert!(said.starts_with("cycle syn-7-000002 ended: "), "{said}");

    // Paused: the scheduler refuses, and the task says why.
    let paused = f.state.clone().with_evolve(context(Answer::Paused));
    let (_, answer) = post(&paused, &evolve, &[("authorization", &bearer)]).await;
    let task = &answer["result"]["task"];
    assert_eq!(task["status"]["state"], "TASK_STATE_REJECTED", "{answer}");
    let said = task["status"]["message"]["parts"][0]["text"]
        .as_str()
        .unwrap();
    assert!(said.contains("paused; `tdev resume`"), "{said}");
}
