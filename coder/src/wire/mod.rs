//! The two HTTP APIs an LLM backend speaks, reduced to what tdev needs from either: send a
//! system and a user prompt, get back the text, whether it was cut off, and the tokens used.

pub(crate) mod anthropic;
pub(crate) mod openai;

use crate::FailureReason;
use crate::config::{LlmConfig, Provider};

/// A model's answer as both APIs can express it.
#[derive(Debug, PartialEq)]
pub(crate) struct Completion {
    /// The answer's text.
    pub text: String,
    /// The provider's stop reason, when it gave one.
    pub stop_reason: Option<String>,
    /// Whether the answer stopped at the token limit.
    pub truncated: bool,
    /// Prompt tokens as the provider counted them.
    pub input_tokens: u64,
    /// Answer tokens as the provider counted them.
    pub output_tokens: u64,
}

/// An HTTP request ready to send. It holds the key in a header, so it has no `Debug`: it is
/// never printed.
pub(crate) struct WireRequest {
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

/// The request for `config`'s provider; `key` goes only into the auth header.
pub(crate) fn request(config: &LlmConfig, key: &str, system: &str, user: &str) -> WireRequest {
    match config.provider {
        Provider::Openai => openai::request(config, key, system, user),
        Provider::Anthropic => anthropic::request(config, key, system, user),
    }
}

/// Reads a successful response body of `config`'s provider.
pub(crate) fn parse(config: &LlmConfig, body: &str) -> Result<Completion, FailureReason> {
    match config.provider {
        Provider::Openai => openai::parse(body),
        Provider::Anthropic => anthropic::parse(body),
    }
}

fn malformed(detail: impl Into<String>) -> FailureReason {
    FailureReason::MalformedAnswer {
        detail: detail.into(),
    }
}

/// Parses a body as JSON of type `T`, naming the API in the failure.
fn from_json<T: serde::de::DeserializeOwned>(api: &str, body: &str) -> Result<T, FailureReason> {
    serde_json::from_str(body)
        .map_err(|error| malformed(format!("the body is not a {api} response: {error}")))
}
