//! The Anthropic Messages API: `POST {base_url}/v1/messages` with `x-api-key` and
//! `anthropic-version` headers and a top-level `system`; the answer is the `text` blocks of
//! `content`, `stop_reason` `max_tokens` means cut off, and `usage` counts `input_tokens` (plus
//! the prompt-cache counts) and `output_tokens`.

use super::{Completion, WireRequest, from_json, malformed};
use crate::FailureReason;
use crate::config::LlmConfig;
use serde::Deserialize;
use serde_json::json;

/// The API version tdev's request and response shapes follow.
pub(crate) const API_VERSION: &str = "2023-06-01";

pub(crate) fn request(config: &LlmConfig, key: &str, system: &str, user: &str) -> WireRequest {
    let body = json!({
        "model": config.model,
        "max_tokens": config.max_tokens,
        "system": system,
        "messages": [{"role": "user", "content": user}],
    });
    WireRequest {
        url: format!("{}/v1/messages", config.base_url()),
        headers: vec![
            ("x-api-key", key.to_owned()),
            ("anthropic-version", API_VERSION.to_owned()),
            ("content-type", "application/json".to_owned()),
        ],
        body: body.to_string(),
    }
}

#[derive(Deserialize)]
struct Response {
    content: Vec<Block>,
    #[serde(default)]
    stop_reason: Option<String>,
    #[serde(default)]
    usage: Option<Usage>,
}

#[derive(Deserialize)]
struct Block {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    text: Option<String>,
}

/// `input_tokens` counts only the prompt tokens that were neither read from nor written to
/// the provider's prompt cache; those are counted apart. llama.cpp's server reports its own
/// cache the same way, so a retry sharing the first attempt's prompt showed as one token.
#[derive(Deserialize)]
struct Usage {
    #[serde(default)]
    input_tokens: u64,
    #[serde(default)]
    cache_creation_input_tokens: u64,
    #[serde(default)]
    cache_read_input_tokens: u64,
    #[serde(default)]
    output_tokens: u64,
}

impl Usage {
    /// Every prompt token sent, cached or not: tdev has one input price, and counting cached
    /// tokens at it errs on the side of the budgets.
    fn prompt_tokens(&self) -> u64 {
        self.input_tokens
            .saturating_add(self.cache_creation_input_tokens)
            .saturating_add(self.cache_read_input_tokens)
    }
}

pub(crate) fn parse(body: &str) -> Result<Completion, FailureReason> {
    let response: Response = from_json("Messages API", body)?;
    let usage = response.usage.unwrap_or(Usage {
        input_tokens: 0,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: 0,
    });
    let texts: Vec<String> = response
        .content
        .into_iter()
        .filter(|block| block.kind == "text")
        .filter_map(|block| block.text)
        .collect();
    if texts.is_empty() && response.stop_reason.as_deref() != Some("max_tokens") {
        return Err(malformed("the response has no text content block"));
    }
    let truncated = response.stop_reason.as_deref() == Some("max_tokens");
    Ok(Completion {
        text: texts.join(""),
        stop_reason: response.stop_reason,
        truncated,
        input_tokens: usage.prompt_tokens(),
        output_tokens: usage.output_tokens,
    })
}
