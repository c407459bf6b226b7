//! The LLM backend: one HTTP request to a model, whose answer (a unified diff or
//! search/replace blocks) is applied to the worktree all or nothing, within spending caps.

use crate::budget::BudgetLedger;
use crate::config::LlmConfig;
use crate::wire::{self, Completion};
use crate::{
    AttemptOutcome, AttemptRequest, AttemptResult, Backend, FailureReason, Result, Usage, apply,
    prompt,
};
use std::path::Path;
use std::sync::{Arc, Once, OnceLock};
use std::time::Duration;

/// Most bytes of an error body kept in a failure reason.
const BODY_EXCERPT: usize = 500;

/// A model over HTTP, speaking the OpenAI-compatible or the Anthropic API.
#[derive(Debug)]
pub struct LlmBackend {
    config: LlmConfig,
    ledger: Arc<BudgetLedger>,
    /// Built on first use: reqwest's blocking client starts its own runtime and must not be
    /// built inside an async one, and `new` may well be called from an actor's async code,
    /// while `attempt` runs in `spawn_blocking`.
    client: OnceLock<std::result::Result<reqwest::blocking::Client, String>>,
    name: String,
}

impl LlmBackend {
    /// A backend for `config`, spending against `ledger` (share one ledger among all LLM
    /// backends of a process so the caps hold for all of them together).
    pub fn new(config: LlmConfig, ledger: Arc<BudgetLedger>) -> Result<Self> {
        config.validate()?;
        let name = format!("llm:{}", config.provider.as_str());
        Ok(LlmBackend {
            config,
            ledger,
            client: OnceLock::new(),
            name,
        })
    }

    /// The configuration the backend was built with.
    pub fn config(&self) -> &LlmConfig {
        &self.config
    }

    /// Sends the request; the usage is known only when an answer came back.
    fn complete(
        &self,
        key: &str,
        system: &str,
        user: &str,
    ) -> std::result::Result<Completion, FailureReason> {
        let client = self
            .client
            .get_or_init(|| {
                install_crypto_provider();
                reqwest::blocking::Client::builder()
                    .timeout(Duration::from_secs(self.config.timeout_secs))
                    .build()
                    .map_err(|error| format!("cannot build the HTTP client: {error}"))
            })
            .as_ref()
            .map_err(|detail| FailureReason::Local {
                detail: detail.clone(),
            })?;
        let wire = wire::request(&self.config, key, system, user);
        let mut builder = client.post(&wire.url).body(wire.body);
        for (name, value) in &wire.headers {
            builder = builder.header(*name, value);
        }
        let response = builder.send().map_err(|error| self.transport(error))?;
        let status = response.status();
        let body = response.text().map_err(|error| self.transport(error))?;
        if !status.is_success() {
            let mut excerpt: String = body.chars().take(BODY_EXCERPT).collect();
            if excerpt.len() < body.len() {
                excerpt.push('…');
            }
            return Err(FailureReason::HttpStatus {
                status: status.as_u16(),
                body: excerpt,
            });
        }
        wire::parse(&self.config, &body)
    }

    fn transport(&self, error: reqwest::Error) -> FailureReason {
        if error.is_timeout() {
            FailureReason::Timeout {
                after_secs: self.config.timeout_secs,
                stdout_tail: String::new(),
                stderr_tail: String::new(),
            }
        } else {
            // `without_url` keeps query strings (which some gateways use for keys) out of
            // records; the chain of causes says what failed.
            let error = error.without_url();
            let mut detail = error.to_string();
            let mut source = std::error::Error::source(&error);
            while let Some(cause) = source {
                detail.push_str(": ");
                detail.push_str(&cause.to_string());
                source = cause.source();
            }
            FailureReason::Transport { detail }
        }
    }
}

impl Backend for LlmBackend {
    fn name(&self) -> &str {
        &self.name
    }

    fn attempt(&self, request: &AttemptRequest, worktree: &Path) -> AttemptResult {
        let variable = self.config.api_key_env();
        let key = match std::env::var(variable) {
            Ok(key) if !key.trim().is_empty() => key,
            _ => {
                return AttemptResult::failed(
                    FailureReason::MissingApiKey {
                        variable: variable.to_owned(),
                    },
                    Usage::default(),
                );
            }
        };
        let system = prompt::SYSTEM_PROMPT;
        let mut user = prompt::user_prompt(request);
        // An instruction, not a line a model can answer by repeating it: Qwen2.5-Coder-0.5B
        // answered "Answer with search/replace blocks or a unified diff, as the rules say."
        // with the three words "search/replace blocks", whatever the task.
        user.push_str("Write the change now, as a unified diff or as search/replace blocks.\n");
        // Tokens are about four bytes of English and fewer of code; three errs on the side of
        // refusing, and the answer is counted at its cap.
        let input_estimate = ((system.len() + user.len()) / 3 + 1) as u64;
        let estimate = self
            .config
            .cost(input_estimate, u64::from(self.config.max_tokens));
        let reservation = match self.ledger.reserve(estimate) {
            Ok(reservation) => reservation,
            Err(reason) => return AttemptResult::failed(reason, Usage::default()),
        };
        let completion = self.complete(key.trim(), system, &user);
        let usage = match &completion {
            Ok(completion) => Usage {
                input_tokens: completion.input_tokens,
                output_tokens: completion.output_tokens,
                cost: self
                    .config
                    .cost(completion.input_tokens, completion.output_tokens),
            },
            Err(_) => Usage::default(),
        };
        if let Err(error) = self.ledger.settle(reservation, usage.cost) {
            tracing::warn!(%error, "the LLM spending could not be saved");
        }
        tracing::info!(
            backend = %self.name,
            model = %self.config.model,
            input_tokens = usage.input_tokens,
            output_tokens = usage.output_tokens,
            cost = usage.cost,
            "LLM request answered"
        );
        let completion = match completion {
            Ok(completion) => completion,
            Err(reason) => return AttemptResult::failed(reason, usage),
        };
        if completion.truncated {
            let stop_reason = completion.stop_reason.unwrap_or_default();
            return AttemptResult::failed(FailureReason::TruncatedAnswer { stop_reason }, usage);
        }
        match apply::apply_answer(worktree, &completion.text) {
            Ok(files) => AttemptResult {
                outcome: AttemptOutcome::Changed { files },
                usage,
            },
            Err(reason) => AttemptResult::failed(reason, usage),
        }
    }
}

/// reqwest is built without a bundled crypto provider; tdev uses ring's, installed once as the
/// process default unless the embedding program installed its own.
fn install_crypto_provider() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}
