//! JSON-RPC 2.0 as the A2A binding uses it: one request object per HTTP POST, its answer in
//! the body of a 200 (a client library reads the error object only from a success status),
//! and the error codes of JSON-RPC and of A2A (specification §5.4, §9.5).

use axum::Json;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// The body is not JSON.
pub(crate) const PARSE_ERROR: i64 = -32700;
/// The JSON is not a JSON-RPC request object.
pub(crate) const INVALID_REQUEST: i64 = -32600;
/// No such method.
pub(crate) const METHOD_NOT_FOUND: i64 = -32601;
/// The method's parameters are wrong.
pub(crate) const INVALID_PARAMS: i64 = -32602;
/// The server failed.
pub(crate) const INTERNAL_ERROR: i64 = -32603;
/// No task has that id (any more).
pub(crate) const TASK_NOT_FOUND: i64 = -32001;
/// The task cannot be canceled.
pub(crate) const TASK_NOT_CANCELABLE: i64 = -32002;
/// Push notifications are not offered.
pub(crate) const PUSH_NOTIFICATION_NOT_SUPPORTED: i64 = -32003;
/// The operation is not offered (streaming, listing, the extended card, a further message to
/// a task).
pub(crate) const UNSUPPORTED_OPERATION: i64 = -32004;
/// A part of a media type the agent does not read, or an answer in no accepted media type.
pub(crate) const CONTENT_TYPE_NOT_SUPPORTED: i64 = -32005;
/// The `A2A-Version` asked for is not spoken here.
pub(crate) const VERSION_NOT_SUPPORTED: i64 = -32009;

/// A JSON-RPC error: its code and one sentence saying what was wrong and what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RpcError {
    pub code: i64,
    pub message: String,
}

impl RpcError {
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// A request, checked as far as JSON-RPC goes.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Call {
    /// The id its answer carries.
    pub id: Value,
    pub method: String,
    /// Its parameters; `{}` when it has none.
    pub params: Value,
}

/// Reads one request from `body`; when it is not one, the error to answer with and the id it
/// carries (`null` when that cannot be read).
pub(crate) fn read(body: &[u8]) -> Result<Call, (Value, RpcError)> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        (
            Value::Null,
            RpcError::new(PARSE_ERROR, format!("the body is not JSON: {e}")),
        )
    })?;
    let invalid = |id: &Value, message: &str| {
        Err((
            id.clone(),
            RpcError::new(INVALID_REQUEST, message.to_owned()),
        ))
    };
    let Value::Object(request) = value else {
        return invalid(
            &Value::Null,
            "a request is one JSON-RPC 2.0 object; batches are not answered",
        );
    };
    let id = match request.get("id") {
        Some(id @ (Value::String(_) | Value::Number(_))) => id.clone(),
        Some(Value::Null) | None => {
            return invalid(
                &Value::Null,
                "the request has no id; A2A's methods answer, so send one (a string or a number)",
            );
        }
        Some(_) => return invalid(&Value::Null, "the id must be a string or a number"),
    };
    if request.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return invalid(&id, "the request must say \"jsonrpc\": \"2.0\"");
    }
    let Some(method) = request.get("method").and_then(Value::as_str) else {
        return invalid(&id, "the request has no method name");
    };
    let params = match request.get("params") {
        None | Some(Value::Null) => json!({}),
        Some(params @ Value::Object(_)) => params.clone(),
        Some(_) => {
            return Err((
                id,
                RpcError::new(INVALID_PARAMS, "params must be an object"),
            ));
        }
    };
    Ok(Call {
        id,
        method: method.to_owned(),
        params,
    })
}

/// The answer carrying `result`.
pub(crate) fn result(id: Value, result: Value) -> Response {
    Json(json!({"jsonrpc": "2.0", "id": id, "result": result})).into_response()
}

/// The answer carrying `error`.
pub(crate) fn error(id: Value, error: RpcError) -> Response {
    Json(json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": {"code": error.code, "message": error.message},
    }))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(body: &str, code: i64, id: Value) {
        let (got_id, e) = read(body.as_bytes()).unwrap_err();
        assert_eq!((e.code, got_id), (code, id), "{body}: {}", e.message);
    }

    #[test]
    fn what_is_no_request_gets_its_code() {
        check("{", PARSE_ERROR, Value::Null);
        check("[]", INVALID_REQUEST, Value::Null);
        check(
            r#"{"jsonrpc":"2.0","method":"GetTask"}"#,
            INVALID_REQUEST,
            Value::Null,
        );
        check(
            r#"{"jsonrpc":"2.0","id":{},"method":"GetTask"}"#,
            INVALID_REQUEST,
            Value::Null,
        );
        check(r#"{"id":7,"method":"GetTask"}"#, INVALID_REQUEST, json!(7));
        check(r#"{"jsonrpc":"2.0","id":"a"}"#, INVALID_REQUEST, json!("a"));
        check(
            r#"{"jsonrpc":"2.0","id":"a","method":"GetTask","params":[1]}"#,
            INVALID_PARAMS,
            json!("a"),
        );
        let call = read(br#"{"jsonrpc":"2.0","id":1,"method":"GetTask"}"#).unwrap();
        assert_eq!(call.params, json!({}));
    }
}
