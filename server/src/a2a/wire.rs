//! The A2A protocol's JSON in the two versions this server speaks: 1.0 (the ProtoJSON form of
//! `lf.a2a.v1`: PascalCase methods, `TASK_STATE_*` and `ROLE_*` enums, a part told apart by its
//! one field) and 0.3 (slash-separated methods, `kind` discriminators, lower-case states).
//! Requests are read into one form ([`Incoming`]) and tasks written from one form
//! ([`Task`]), so that the skills know nothing of the version.

use super::rpc::{self, RpcError};
use super::tasks::{Part, Task, TaskState};
use serde_json::{Map, Value, json};

/// A version of the protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Version {
    /// A2A 1.0.
    V1,
    /// A2A 0.3, which a request without an `A2A-Version` means.
    V03,
}

impl Version {
    /// Its `Major.Minor`, as the `A2A-Version` header and the agent card say it.
    pub fn name(self) -> &'static str {
        match self {
            Version::V1 => "1.0",
            Version::V03 => "0.3",
        }
    }

    /// The version an `A2A-Version` value names (`Major.Minor`, a patch number ignored, as the
    /// specification says), if this server speaks it; an empty value means 0.3.
    pub fn parse(value: &str) -> Option<Version> {
        let value = value.trim();
        if value.is_empty() {
            return Some(Version::V03);
        }
        let mut numbers = value.split('.');
        let major = numbers.next()?.parse::<u32>().ok()?;
        let minor = numbers.next().map_or(Some(0), |m| m.parse::<u32>().ok())?;
        match (major, minor) {
            (1, 0) => Some(Version::V1),
            (0, 3) => Some(Version::V03),
            _ => None,
        }
    }
}

/// An operation of the protocol, whatever its name in a version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Method {
    SendMessage,
    GetTask,
    /// Streaming a message or re-subscribing to a task: not offered.
    Streaming,
    CancelTask,
    ListTasks,
    /// Any of the push notification configuration methods: not offered.
    PushConfig,
    ExtendedCard,
}

/// Every method name of both versions, with its operation.
const METHODS: [(&str, Method, Version); 20] = [
    ("SendMessage", Method::SendMessage, Version::V1),
    ("GetTask", Method::GetTask, Version::V1),
    ("SendStreamingMessage", Method::Streaming, Version::V1),
    ("SubscribeToTask", Method::Streaming, Version::V1),
    ("CancelTask", Method::CancelTask, Version::V1),
    ("ListTasks", Method::ListTasks, Version::V1),
    (
        "CreateTaskPushNotificationConfig",
        Method::PushConfig,
        Version::V1,
    ),
    (
        "GetTaskPushNotificationConfig",
        Method::PushConfig,
        Version::V1,
    ),
    (
        "ListTaskPushNotificationConfigs",
        Method::PushConfig,
        Version::V1,
    ),
    (
        "DeleteTaskPushNotificationConfig",
        Method::PushConfig,
        Version::V1,
    ),
    ("GetExtendedAgentCard", Method::ExtendedCard, Version::V1),
    ("message/send", Method::SendMessage, Version::V03),
    ("tasks/get", Method::GetTask, Version::V03),
    ("message/stream", Method::Streaming, Version::V03),
    ("tasks/resubscribe", Method::Streaming, Version::V03),
    ("tasks/cancel", Method::CancelTask, Version::V03),
    (
        "tasks/pushNotificationConfig/set",
        Method::PushConfig,
        Version::V03,
    ),
    (
        "tasks/pushNotificationConfig/get",
        Method::PushConfig,
        Version::V03,
    ),
    (
        "tasks/pushNotificationConfig/list",
        Method::PushConfig,
        Version::V03,
    ),
    (
        "agent/getAuthenticatedExtendedCard",
        Method::ExtendedCard,
        Version::V03,
    ),
];

/// The operation `name` names and the version that name belongs to.
pub(crate) fn method(name: &str) -> Option<(Method, Version)> {
    METHODS
        .iter()
        .find(|(n, ..)| *n == name)
        .map(|&(_, method, version)| (method, version))
}

/// The name of `method` in `version` (its first, for the streaming and push methods).
pub(crate) fn method_name(method: Method, version: Version) -> Option<&'static str> {
    METHODS
        .iter()
        .find(|(_, m, v)| *m == method && *v == version)
        .map(|(n, ..)| *n)
}

/// A message sent to the agent, with what came with it, checked.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Incoming {
    /// The client's id of the message.
    pub message_id: String,
    /// The conversation it belongs to, when the client named one.
    pub context_id: Option<String>,
    /// The task it continues, when it names one.
    pub task_id: Option<String>,
    /// Its text and data parts, in order.
    pub parts: Vec<Part>,
    /// The request's metadata, overridden by the message's own.
    pub metadata: Map<String, Value>,
    /// The media types the client accepts in the answer; empty: any.
    pub accepted: Vec<String>,
    /// Answer at once with the task under way instead of waiting for it to end.
    pub return_immediately: bool,
    /// How many messages of the task's history to send back; all when `None`.
    pub history_length: Option<usize>,
}

/// Reads the parameters of SendMessage (1.0) or `message/send` (0.3).
pub(crate) fn read_send(params: &Value, version: Version) -> Result<Incoming, RpcError> {
    let params = object(params, "params")?;
    let message = params
        .get("message")
        .ok_or_else(|| invalid("params.message is missing: send the message to the agent"))?;
    let message = object(message, "params.message")?;
    let message_id = string(message, "messageId")?
        .filter(|id| !id.is_empty())
        .ok_or_else(|| invalid("params.message.messageId is missing: every message has an id"))?;
    let role = string(message, "role")?;
    let user = match version {
        Version::V1 => matches!(role.as_deref(), None | Some("ROLE_USER")),
        Version::V03 => role.as_deref() == Some("user"),
    };
    if !user {
        let expected = match version {
            Version::V1 => "ROLE_USER",
            Version::V03 => "user",
        };
        return Err(invalid(format!(
            "params.message.role is {role:?}; a client's message has the role {expected}"
        )));
    }
    let parts = message
        .get("parts")
        .and_then(Value::as_array)
        .filter(|parts| !parts.is_empty())
        .ok_or_else(|| invalid("params.message.parts is missing or empty: send a text part"))?;
    let parts = parts
        .iter()
        .enumerate()
        .map(|(i, part)| read_part(part, i, version))
        .collect::<Result<Vec<_>, _>>()?;
    let mut metadata = metadata(params, "params.metadata")?;
    metadata.extend(self::metadata(message, "params.message.metadata")?);
    let configuration = match params.get("configuration") {
        None | Some(Value::Null) => Map::new(),
        Some(c) => object(c, "params.configuration")?.clone(),
    };
    let push = match version {
        Version::V1 => "taskPushNotificationConfig",
        Version::V03 => "pushNotificationConfig",
    };
    if configuration.get(push).is_some_and(|c| !c.is_null()) {
        return Err(RpcError::new(
            rpc::PUSH_NOTIFICATION_NOT_SUPPORTED,
            "push notifications are not offered (capabilities.pushNotifications is false): \
             poll with GetTask",
        ));
    }
    let accepted = match configuration.get("acceptedOutputModes") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(modes)) => modes
            .iter()
            .map(|m| m.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| invalid("configuration.acceptedOutputModes must list strings"))?,
        Some(_) => return Err(invalid("configuration.acceptedOutputModes must be a list")),
    };
    let return_immediately = match version {
        Version::V1 => flag(&configuration, "returnImmediately")?.unwrap_or(false),
        Version::V03 => !flag(&configuration, "blocking")?.unwrap_or(true),
    };
    Ok(Incoming {
        message_id,
        context_id: string(message, "contextId")?,
        task_id: string(message, "taskId")?,
        parts,
        metadata,
        accepted,
        return_immediately,
        history_length: history_length(&configuration, "configuration")?,
    })
}

/// Reads the parameters of GetTask (1.0) or `tasks/get` (0.3): the task's id and how much of
/// its history to send.
pub(crate) fn read_get(params: &Value) -> Result<(String, Option<usize>), RpcError> {
    let params = object(params, "params")?;
    let id = string(params, "id")?
        .ok_or_else(|| invalid("params.id is missing: name the task by its id"))?;
    Ok((id, history_length(params, "params")?))
}

fn read_part(part: &Value, i: usize, version: Version) -> Result<Part, RpcError> {
    let part = object(part, &format!("params.message.parts[{i}]"))?;
    let text = || string(part, "text");
    let data = || match part.get("data") {
        Some(data) if !data.is_null() => Ok(Part::Data(data.clone())),
        _ => Err(invalid(format!("params.message.parts[{i}] has no data"))),
    };
    let file = || {
        Err(RpcError::new(
            rpc::CONTENT_TYPE_NOT_SUPPORTED,
            format!(
                "params.message.parts[{i}] is a file; tdev reads text parts (a question, or a \
                 goal) and data parts (JSON), and no files"
            ),
        ))
    };
    match version {
        Version::V1 => {
            if let Some(text) = text()? {
                Ok(Part::Text(text))
            } else if part.contains_key("data") {
                data()
            } else if part.contains_key("url") || part.contains_key("raw") {
                file()
            } else {
                Err(invalid(format!(
                    "params.message.parts[{i}] has none of text, data, url or raw"
                )))
            }
        }
        Version::V03 => match part.get("kind").and_then(Value::as_str) {
            Some("text") => text()?
                .map(Part::Text)
                .ok_or_else(|| invalid(format!("params.message.parts[{i}] has no text"))),
            Some("data") => data(),
            Some("file") => file(),
            kind => Err(invalid(format!(
                "params.message.parts[{i}].kind is {kind:?}; one of text, data or file"
            ))),
        },
    }
}

/// `task` as `version` writes it, with at most `history` messages of its history.
pub(crate) fn task(task: &Task, version: Version, history: Option<usize>) -> Value {
    let state = match (version, task.state) {
        (Version::V1, TaskState::Working) => "TASK_STATE_WORKING",
        (Version::V1, TaskState::Completed) => "TASK_STATE_COMPLETED",
        (Version::V1, TaskState::Failed) => "TASK_STATE_FAILED",
        (Version::V1, TaskState::Rejected) => "TASK_STATE_REJECTED",
        (Version::V03, TaskState::Working) => "working",
        (Version::V03, TaskState::Completed) => "completed",
        (Version::V03, TaskState::Failed) => "failed",
        (Version::V03, TaskState::Rejected) => "rejected",
    };
    let mut status = json!({"state": state, "timestamp": task.updated.to_string()});
    if let Some(said) = &task.said {
        status["message"] = message(
            version,
            &format!("{}-status", task.id),
            task,
            false,
            &[Part::Text(said.clone())],
        );
    }
    let artifacts: Vec<Value> = task
        .artifacts
        .iter()
        .map(|a| {
            json!({
                "artifactId": a.id,
                "name": a.name,
                "description": a.description,
                "parts": parts(version, &a.parts),
            })
        })
        .collect();
    let keep = history.unwrap_or(usize::MAX);
    let skip = task.history.len().saturating_sub(keep);
    let history: Vec<Value> = task.history[skip..]
        .iter()
        .map(|m| message(version, &m.message_id, task, true, &m.parts))
        .collect();
    let mut out = json!({
        "id": task.id,
        "contextId": task.context_id,
        "status": status,
        "artifacts": artifacts,
        "history": history,
        "metadata": {"skill": task.skill},
    });
    if version == Version::V03 {
        out["kind"] = json!("task");
    }
    out
}

/// SendMessage's result: the task, wrapped in 1.0 (`SendMessageResponse`), bare in 0.3.
pub(crate) fn send_result(task: &Task, version: Version, history: Option<usize>) -> Value {
    let written = self::task(task, version, history);
    match version {
        Version::V1 => json!({"task": written}),
        Version::V03 => written,
    }
}

fn message(version: Version, id: &str, task: &Task, user: bool, content: &[Part]) -> Value {
    let role = match (version, user) {
        (Version::V1, true) => "ROLE_USER",
        (Version::V1, false) => "ROLE_AGENT",
        (Version::V03, true) => "user",
        (Version::V03, false) => "agent",
    };
    let mut out = json!({
        "messageId": id,
        "contextId": task.context_id,
        "taskId": task.id,
        "role": role,
        "parts": parts(version, content),
    });
    if version == Version::V03 {
        out["kind"] = json!("message");
    }
    out
}

fn parts(version: Version, parts: &[Part]) -> Vec<Value> {
    parts
        .iter()
        .map(|part| match (version, part) {
            (Version::V1, Part::Text(text)) => json!({"text": text, "mediaType": "text/plain"}),
            (Version::V1, Part::Data(data)) => {
                json!({"data": data, "mediaType": "application/json"})
            }
            (Version::V03, Part::Text(text)) => json!({"kind": "text", "text": text}),
            // 0.3's data part holds an object.
            (Version::V03, Part::Data(data @ Value::Object(_))) => {
                json!({"kind": "data", "data": data})
            }
            (Version::V03, Part::Data(data)) => json!({"kind": "data", "data": {"value": data}}),
        })
        .collect()
}

fn invalid(message: impl Into<String>) -> RpcError {
    RpcError::new(rpc::INVALID_PARAMS, message)
}

fn object<'a>(value: &'a Value, what: &str) -> Result<&'a Map<String, Value>, RpcError> {
    value
        .as_object()
        .ok_or_else(|| invalid(format!("{what} must be an object")))
}

fn string(object: &Map<String, Value>, key: &str) -> Result<Option<String>, RpcError> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(invalid(format!("{key} must be a string"))),
    }
}

fn flag(object: &Map<String, Value>, key: &str) -> Result<Option<bool>, RpcError> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(invalid(format!("{key} must be true or false"))),
    }
}

fn metadata(object: &Map<String, Value>, what: &str) -> Result<Map<String, Value>, RpcError> {
    match object.get("metadata") {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(m)) => Ok(m.clone()),
        Some(_) => Err(invalid(format!("{what} must be an object"))),
    }
}

fn history_length(object: &Map<String, Value>, what: &str) -> Result<Option<usize>, RpcError> {
    match object.get("historyLength") {
        None | Some(Value::Null) => Ok(None),
        Some(n) => n
            .as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .map(Some)
            .ok_or_else(|| invalid(format!("{what}.historyLength must be a whole number"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_major_and_minor_and_empty_means_0_3() {
        let check = |value: &str, expected: Option<Version>| {
            assert_eq!(Version::parse(value), expected, "{value:?}");
        };
        check("1.0", Some(Version::V1));
        check("1.0.3", Some(Version::V1));
        check("1", Some(Version::V1));
        check("0.3", Some(Version::V03));
        check("", Some(Version::V03));
        check("0.2", None);
        check("2.0", None);
        check("one", None);
    }

    #[test]
    fn every_method_has_a_name_in_its_version() {
        for (name, method, version) in METHODS {
            assert_eq!(self::method(name), Some((method, version)));
            assert!(method_name(method, version).is_some());
        }
        assert_eq!(
            method_name(Method::SendMessage, Version::V03),
            Some("message/send")
        );
        assert_eq!(method("tasks/list"), None);
    }

    fn send(params: Value, version: Version) -> Result<Incoming, RpcError> {
        read_send(&params, version)
    }

    #[test]
    fn a_message_is_read_in_either_version() {
        let v1 = send(
            json!({"message": {"messageId": "m1", "role": "ROLE_USER",
                "parts": [{"text": "what should I fix first?"}, {"data": {"goal": "x"}}]},
                "configuration": {"returnImmediately": true, "historyLength": 0}}),
            Version::V1,
        )
        .unwrap();
        assert_eq!(
            v1.parts,
            [
                Part::Text("what should I fix first?".into()),
                Part::Data(json!({"goal": "x"}))
            ]
        );
        assert!(v1.return_immediately);
        assert_eq!(v1.history_length, Some(0));
        let v03 = send(
            json!({"message": {"kind": "message", "messageId": "m1", "role": "user",
                "parts": [{"kind": "text", "text": "hi"}], "metadata": {"skill": "ask"}},
                "metadata": {"skill": "evolve", "repository": "r"}}),
            Version::V03,
        )
        .unwrap();
        assert_eq!(v03.parts, [Part::Text("hi".into())]);
        assert!(!v03.return_immediately, "0.3 blocks unless told not to");
        assert_eq!(v03.metadata["skill"], "ask", "the message's metadata wins");
        assert_eq!(v03.metadata["repository"], "r");
    }

    #[test]
    fn a_malformed_message_is_invalid_params_and_a_file_an_unsupported_content_type() {
        let check = |params: Value, version: Version, code: i64, says: &str| {
            let e = send(params.clone(), version).unwrap_err();
            assert_eq!(e.code, code, "{params}: {}", e.message);
            assert!(e.message.contains(says), "{params}: {}", e.message);
        };
        let v1 = Version::V1;
        check(
            json!([]),
            v1,
            rpc::INVALID_PARAMS,
            "params must be an object",
        );
        check(
            json!({}),
            v1,
            rpc::INVALID_PARAMS,
            "params.message is missing",
        );
        check(
            json!({"message": {"parts": [{"text": "x"}]}}),
            v1,
            rpc::INVALID_PARAMS,
            "messageId",
        );
        check(
            json!({"message": {"messageId": "m", "parts": []}}),
            v1,
            rpc::INVALID_PARAMS,
            "parts is missing or empty",
        );
        check(
            json!({"message": {"messageId": "m", "role": "ROLE_AGENT", "parts": [{"text": "x"}]}}),
            v1,
            rpc::INVALID_PARAMS,
            "ROLE_USER",
        );
        check(
            json!({"message": {"messageId": "m", "parts": [{"url": "file:///etc/passwd"}]}}),
            v1,
            rpc::CONTENT_TYPE_NOT_SUPPORTED,
            "no files",
        );
        check(
            json!({"message": {"messageId": "m", "parts": [{"text": "x"}]},
                "configuration": {"taskPushNotificationConfig": {"url": "http://x"}}}),
            v1,
            rpc::PUSH_NOTIFICATION_NOT_SUPPORTED,
            "push notifications",
        );
        check(
            json!({"message": {"messageId": "m", "role": "user", "parts": [{"text": "x"}]}}),
            Version::V03,
            rpc::INVALID_PARAMS,
            "kind is None",
        );
    }

    #[test]
    fn a_task_is_written_in_each_version_s_shape() {
        let task = Task {
            id: "t1".into(),
            context_id: "c1".into(),
            skill: "ask",
            state: TaskState::Completed,
            said: None,
            updated: tdev_core::Timestamp::from_unix(0),
            artifacts: vec![super::super::tasks::Artifact {
                id: "t1-answer".into(),
                name: "answer".into(),
                description: "d".into(),
                parts: vec![Part::Text("fix".into()), Part::Data(json!({"a": 1}))],
            }],
            history: vec![super::super::tasks::Said {
                message_id: "m1".into(),
                parts: vec![Part::Text("q".into())],
            }],
        };
        let v1 = send_result(&task, Version::V1, None);
        assert_eq!(v1["task"]["status"]["state"], "TASK_STATE_COMPLETED");
        assert_eq!(v1["task"]["artifacts"][0]["parts"][1]["data"]["a"], 1);
        assert_eq!(v1["task"]["history"][0]["role"], "ROLE_USER");
        let v03 = send_result(&task, Version::V03, Some(0));
        assert_eq!(v03["kind"], "task");
        assert_eq!(v03["status"]["state"], "completed");
        assert_eq!(v03["artifacts"][0]["parts"][0]["kind"], "text");
        assert_eq!(v03["history"], json!([]));
    }
}
