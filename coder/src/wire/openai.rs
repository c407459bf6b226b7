//! The OpenAI-compatible chat completions API: `POST {base_url}/chat/completions` with a
//! bearer token; the answer is `choices[0].message.content`, `finish_reason` `length` means
//! cut off, and `usage` counts `prompt_tokens` and `completion_tokens`.

use super::{Completion, WireRequest, from_json, malformed};
use crate::FailureReason;
use crate::config::LlmConfig;
use serde::Deserialize;
use serde_json::json;

pub(crate) fn request(config: &LlmConfig, key: &str, system: &str, user: &str) -> WireRequest {
    let body = json!({
        "model": config.model,
        "max_tokens": config.max_tokens,
        "messages": [
            {"role": "system", "content": system},
            {"role": "user", "content": user},
        ],
    });
    WireRequest {
        url: format!("{}/chat/completions", config.base_url()),
        headers: vec![
            ("authorization", format!("Bearer {key}")),
            ("content-type", "application/json".to_owned()),
        ],
        body: body.to_string(),
    }
}

#[derive(Deserialize)]
struct Response {
    choices: Vec<Choice>,
    #[serde(default)]
    usage: Option<Usage>,
}

#[derive(Deserialize)]
struct Choice {
    message: Message,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct Message {
    #[serde(default)]
    content: Option<String>,
}

#[derive(Deserialize)]
struct Usage {
    #[serde(default)]
    prompt_tokens: u64,
    #[serde(default)]
    completion_tokens: u64,
}

pub(crate) fn parse(body: &str) -> Result<Completion, FailureReason> {
    let response: Response = from_json("chat completions", body)?;
    let usage = response.usage.unwrap_or(Usage {
        prompt_tokens: 0,
        completion_tokens: 0,
    });
    let Some(choice) = response.choices.into_iter().next() else {
        return Err(malformed("the response has no choices"));
    };
    let truncated = choice.finish_reason.as_deref() == Some("length");
    Ok(Completion {
        text: choice.message.content.unwrap_or_default(),
        stop_reason: choice.finish_reason,
        truncated,
        input_tokens: usage.prompt_tokens,
        output_tokens: usage.completion_tokens,
    })
}
