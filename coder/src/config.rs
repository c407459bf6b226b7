//! The `[llm]` and `[command]` tables of `tdev.toml`: which backend to talk to and how much it
//! may spend or take. The API key is never here, only the name of the variable that holds it.

use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// Which wire protocol the LLM server speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// The OpenAI-compatible chat completions API (`POST {base_url}/chat/completions`), spoken
    /// by OpenAI and by most local and hosted model servers.
    Openai,
    /// The Anthropic Messages API (`POST {base_url}/v1/messages`).
    Anthropic,
}

impl Provider {
    /// The spelling used in `tdev.toml` and in backend names.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Openai => "openai",
            Self::Anthropic => "anthropic",
        }
    }

    fn default_base_url(self) -> &'static str {
        match self {
            Self::Openai => "https://api.openai.com/v1",
            Self::Anthropic => "https://api.anthropic.com",
        }
    }

    fn default_key_variable(self) -> &'static str {
        match self {
            Self::Openai => "OPENAI_API_KEY",
            Self::Anthropic => "ANTHROPIC_API_KEY",
        }
    }
}

/// The `[llm]` table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LlmConfig {
    /// Which API the server speaks.
    pub provider: Provider,
    /// Where the server is; defaults to the provider's public endpoint.
    #[serde(default)]
    pub base_url: Option<String>,
    /// The model name the server knows.
    pub model: String,
    /// The environment variable holding the API key; defaults to `OPENAI_API_KEY` or
    /// `ANTHROPIC_API_KEY`. The key itself is never read from the file.
    #[serde(default)]
    pub api_key_env: Option<String>,
    /// The most tokens the answer may take.
    #[serde(default = "default_max_tokens")]
    pub max_tokens: u32,
    /// The most seconds one request may take, connection included.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
    /// Price of a million input (prompt) tokens, in the currency of the budgets.
    #[serde(default)]
    pub price_input_per_million: f64,
    /// Price of a million output (answer) tokens.
    #[serde(default)]
    pub price_output_per_million: f64,
    /// The most one cycle may spend.
    #[serde(default = "default_budget_per_cycle")]
    pub budget_per_cycle: f64,
    /// The most one UTC day may spend, across cycles and runs.
    #[serde(default = "default_budget_per_day")]
    pub budget_per_day: f64,
}

fn default_max_tokens() -> u32 {
    4096
}

fn default_timeout_secs() -> u64 {
    300
}

fn default_budget_per_cycle() -> f64 {
    1.0
}

fn default_budget_per_day() -> f64 {
    5.0
}

impl LlmConfig {
    /// A configuration with the defaults for everything but provider and model.
    pub fn new(provider: Provider, model: &str) -> Self {
        LlmConfig {
            provider,
            base_url: None,
            model: model.to_owned(),
            api_key_env: None,
            max_tokens: default_max_tokens(),
            timeout_secs: default_timeout_secs(),
            price_input_per_million: 0.0,
            price_output_per_million: 0.0,
            budget_per_cycle: default_budget_per_cycle(),
            budget_per_day: default_budget_per_day(),
        }
    }

    /// The server's base URL without a trailing `/`.
    pub fn base_url(&self) -> &str {
        self.base_url
            .as_deref()
            .unwrap_or(self.provider.default_base_url())
            .trim_end_matches('/')
    }

    /// The environment variable the key is read from.
    pub fn api_key_env(&self) -> &str {
        self.api_key_env
            .as_deref()
            .unwrap_or(self.provider.default_key_variable())
    }

    /// What `input_tokens` in and `output_tokens` out cost at the configured prices.
    pub fn cost(&self, input_tokens: u64, output_tokens: u64) -> f64 {
        (input_tokens as f64 * self.price_input_per_million
            + output_tokens as f64 * self.price_output_per_million)
            / 1_000_000.0
    }

    /// Checks what serde cannot: sensible numbers and a usable URL.
    pub fn validate(&self) -> Result<()> {
        let problem = if self.model.trim().is_empty() {
            Some("`llm.model` is empty; name the model the server serves".to_owned())
        } else if self.max_tokens == 0 {
            Some("`llm.max_tokens` must be at least 1".to_owned())
        } else if self.timeout_secs == 0 {
            Some("`llm.timeout_secs` must be at least 1".to_owned())
        } else if !(self.base_url().starts_with("http://")
            || self.base_url().starts_with("https://"))
        {
            Some(format!(
                "`llm.base_url` = {:?} is not an http:// or https:// URL",
                self.base_url()
            ))
        } else if self.api_key_env().is_empty() {
            Some("`llm.api_key_env` is empty; name the variable that holds the key".to_owned())
        } else {
            [
                ("price_input_per_million", self.price_input_per_million),
                ("price_output_per_million", self.price_output_per_million),
                ("budget_per_cycle", self.budget_per_cycle),
                ("budget_per_day", self.budget_per_day),
            ]
            .into_iter()
            .find(|(_, value)| !(value.is_finite() && *value >= 0.0))
            .map(|(name, value)| format!("`llm.{name}` = {value} must be zero or more"))
        };
        match problem {
            Some(problem) => Err(Error::Config(problem)),
            None => Ok(()),
        }
    }
}

/// The `[command]` table: an external coding agent run headless in the worktree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandConfig {
    /// The program and its arguments, one string each (no shell). Placeholders: `{prompt_file}`
    /// (a file holding the whole prompt), `{prompt}` (the prompt itself), `{worktree}` (the
    /// worktree's absolute path).
    pub argv: Vec<String>,
    /// The most seconds the command may run before its whole process group is killed.
    #[serde(default = "default_command_timeout_secs")]
    pub timeout_secs: u64,
    /// Extra environment variables for the command.
    #[serde(default)]
    pub env: std::collections::BTreeMap<String, String>,
}

fn default_command_timeout_secs() -> u64 {
    900
}

impl CommandConfig {
    /// Checks that there is a program to run and time to run it.
    pub fn validate(&self) -> Result<()> {
        if self.argv.first().is_none_or(|program| program.is_empty()) {
            return Err(Error::Config(
                "`command.argv` is empty; give the program and its arguments as a list".to_owned(),
            ));
        }
        if self.timeout_secs == 0 {
            return Err(Error::Config(
                "`command.timeout_secs` must be at least 1".to_owned(),
            ));
        }
        Ok(())
    }
}
