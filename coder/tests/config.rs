//! The `[llm]` and `[command]` tables as a user writes them in `tdev.toml`.

use tdev_coder::{CommandConfig, LlmConfig};

/// Reads an `[llm]` table and checks it; `Ok` is (base URL, key variable, max tokens), `Err`
/// the message a user sees.
fn check(table: &str, expected: Result<(&str, &str, u32), &str>) {
    let parsed = toml::from_str::<LlmConfig>(table)
        .map_err(|error| error.message().to_owned())
        .and_then(|config| {
            config.validate().map_err(|error| error.to_string())?;
            Ok(config)
        });
    let actual = parsed
        .as_ref()
        .map(|c| (c.base_url(), c.api_key_env(), c.max_tokens));
    assert_eq!(actual.map_err(String::as_str), expected);
}

#[test]
fn llm_tables() {
    check(
        "provider = \"anthropic\"\nmodel = \"m\"",
        Ok(("https://api.anthropic.com", "ANTHROPIC_API_KEY", 4096)),
    );
    check(
        "provider = \"openai\"\nmodel = \"m\"\nbase_url = \"http://127.0.0.1:8000/v1/\"\napi_key_env = \"LOCAL_KEY\"\nmax_tokens = 512",
        Ok(("http://127.0.0.1:8000/v1", "LOCAL_KEY", 512)),
    );
    check(
        "provider = \"openai\"\nmodel = \"m\"\napi_key = \"sk-123\"",
        Err(
            "unknown field `api_key`, expected one of `provider`, `base_url`, `model`, `api_key_env`, `max_tokens`, `timeout_secs`, `price_input_per_million`, `price_output_per_million`, `budget_per_cycle`, `budget_per_day`",
        ),
    );
    check(
        "provider = \"gemini\"\nmodel = \"m\"",
        Err("unknown variant `gemini`, expected `openai` or `anthropic`"),
    );
    check(
        "provider = \"openai\"\nmodel = \"m\"\nbudget_per_day = -1.0",
        Err("invalid coder configuration: `llm.budget_per_day` = -1 must be zero or more"),
    );
    check(
        "provider = \"openai\"\nmodel = \"m\"\nbase_url = \"localhost:8000\"",
        Err(
            "invalid coder configuration: `llm.base_url` = \"localhost:8000\" is not an http:// or https:// URL",
        ),
    );
}

#[test]
fn command_tables() {
    let config: CommandConfig = toml::from_str(
        "argv = [\"agent\", \"--message-file\", \"{prompt_file}\"]\ntimeout_secs = 600",
    )
    .unwrap();
    assert_eq!((config.argv.len(), config.timeout_secs), (3, 600));
    assert!(config.validate().is_ok());
    let empty: CommandConfig = toml::from_str("argv = []").unwrap();
    assert_eq!(
        empty.validate().unwrap_err().to_string(),
        "invalid coder configuration: `command.argv` is empty; give the program and its arguments as a list"
    );
    assert!(toml::from_str::<CommandConfig>("argv = [\"a\"]\nshell = \"sh\"").is_err());
}
