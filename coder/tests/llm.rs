//! The LLM backend against a local HTTP server speaking each API: answers that apply, every
//! way an answer can fail (each a failed attempt with its reason and nothing applied), the
//! request the server receives, and the budget caps.

mod common;

use common::{KEY, KEY_VARIABLE, Repo, TestServer, with_api_key};
use serde_json::{Value, json};
use std::sync::Arc;
use tdev_coder::{
    AttemptRequest, Backend, BudgetLedger, CodeExcerpt, LEDGER_FILE, LlmBackend, LlmConfig,
    Provider, SYSTEM_PROMPT, TaskBrief, Usage,
};
use tdev_core::{Finding, Language, Pattern, Severity, Span};

const APP: &str = "import yaml\n\n\ndef load(path):\n    with open(path) as handle:\n        return yaml.load(handle)\n";
const UTIL: &str = "def is_missing(x):\n    return x == None\n";
const FILES: &[(&str, &str)] = &[("app.py", APP), ("util.py", UTIL)];

const FINDING_MESSAGE: &str = "yaml.load without a safe Loader can build arbitrary objects";

const GOOD_DIFF: &str = "Use the safe loader.\n\n```diff\n--- a/app.py\n+++ b/app.py\n@@ -5,2 +5,2 @@\n     with open(path) as handle:\n-        return yaml.load(handle)\n+        return yaml.safe_load(handle)\n```\n";
const GOOD_BLOCK: &str = "util.py\n```python\n<<<<<<< SEARCH\n    return x == None\n=======\n    return x is None\n>>>>>>> REPLACE\n```\n";
const WRONG_CONTEXT: &str = "--- a/app.py\n+++ b/app.py\n@@ -6 +6 @@\n-        return yaml.load(stream)\n+        return yaml.safe_load(stream)\n";
const SECOND_FILE_FAILS: &str = "--- a/app.py\n+++ b/app.py\n@@ -6 +6 @@\n-        return yaml.load(handle)\n+        return yaml.safe_load(handle)\n--- a/util.py\n+++ b/util.py\n@@ -2 +2 @@\n-    return x == nothing\n+    return x is None\n";
const ESCAPING: &str = "--- a/../../etc/evil.py\n+++ b/../../etc/evil.py\n@@ -1 +1 @@\n-a\n+b\n";

fn request() -> AttemptRequest {
    AttemptRequest {
        task: TaskBrief {
            kind: "fix-security".to_owned(),
            title: "Load YAML safely in app.py".to_owned(),
            strategy: "llm:fix".parse().unwrap(),
        },
        findings: vec![Finding {
            id: "f-1".to_owned(),
            kind: "bandit:B506".to_owned(),
            severity: Severity::High,
            path: "app.py".to_owned(),
            span: Some(Span::line(6)),
            symbol: Some("load".to_owned()),
            message: FINDING_MESSAGE.to_owned(),
            evidence: Some("return yaml.load(handle)".to_owned()),
            metrics: Default::default(),
            fix: None,
            priority: 0.9,
        }],
        excerpts: vec![CodeExcerpt::around("app.py", APP, 6, 6, 3)],
        conventions: "ruff format, line length 88, Google docstrings".to_owned(),
        similar_patterns: vec![Pattern {
            situation: "bandit:B506 yaml.load in a loader function".to_owned(),
            strategy: "codemod:safe-load".to_owned(),
            language: Language::Python,
            successes: 3,
            failures: 1,
            example_change: "-    return yaml.load(f)\n+    return yaml.safe_load(f)\n".to_owned(),
        }],
        previous_failure: vec!["the test suite failed: test_load".to_owned()],
    }
}

fn config(provider: Provider, server: &TestServer) -> LlmConfig {
    let mut config = LlmConfig::new(provider, "test-model");
    config.base_url = Some(match provider {
        Provider::Openai => format!("{}/v1", server.url),
        Provider::Anthropic => server.url.clone(),
    });
    config.api_key_env = Some(KEY_VARIABLE.to_owned());
    config.max_tokens = 1000;
    config.price_input_per_million = 3.0;
    config.price_output_per_million = 15.0;
    config
}

/// A successful response body of `provider` carrying `text`, stopped for `stop`
/// (`None`: the provider's normal end).
fn answer(provider: Provider, text: &str, stop: Option<&str>) -> String {
    match provider {
        Provider::Openai => json!({
            "id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": "test-model",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                         "finish_reason": stop.unwrap_or("stop")}],
            "usage": {"prompt_tokens": 1200, "completion_tokens": 300, "total_tokens": 1500}
        }),
        Provider::Anthropic => json!({
            "id": "msg_1", "type": "message", "role": "assistant", "model": "test-model",
            "content": [{"type": "text", "text": text}],
            "stop_reason": stop.unwrap_or("end_turn"), "stop_sequence": null,
            "usage": {"input_tokens": 1200, "output_tokens": 300}
        }),
    }
    .to_string()
}

/// What 1200 tokens in and 300 out cost at the test prices.
const ANSWER_COST: f64 = (1200.0 * 3.0 + 300.0 * 15.0) / 1_000_000.0;

/// One attempt against a server answering `status` and `body`. `Ok` lists the changed files
/// with their contents; `Err` is the failure as a person reads it, and then the worktree must
/// be as committed.
fn check(provider: Provider, status: u16, body: String, expected: Result<&[(&str, &str)], &str>) {
    let repo = Repo::new(FILES);
    let server = TestServer::start(status, body);
    let ledger_dir = tempfile::tempdir().unwrap();
    let ledger = Arc::new(BudgetLedger::open(ledger_dir.path(), 1.0, 5.0).unwrap());
    let backend = LlmBackend::new(config(provider, &server), ledger).unwrap();
    let result = backend.attempt(&request(), repo.path());
    match expected {
        Ok(files) => {
            let names: Vec<String> = files.iter().map(|(name, _)| name.to_string()).collect();
            assert_eq!(result.changed_files(), Some(names.as_slice()), "{result:?}");
            for (name, content) in files {
                assert_eq!(
                    repo.read(name).as_deref(),
                    Some(*content),
                    "content of {name}"
                );
            }
        }
        Err(reason) => {
            let failure = result.failure().map(ToString::to_string);
            assert_eq!(failure.as_deref(), Some(reason));
            assert_eq!(repo.status(), "", "nothing may be applied");
        }
    }
    assert_eq!(server.received().len(), 1, "one request per attempt");
}

const SAFE_LOAD: &str = "import yaml\n\n\ndef load(path):\n    with open(path) as handle:\n        return yaml.safe_load(handle)\n";
const IS_NONE: &str = "def is_missing(x):\n    return x is None\n";

fn cases(provider: Provider) {
    let ok = |text: &str| answer(provider, text, None);
    check(provider, 200, ok(GOOD_DIFF), Ok(&[("app.py", SAFE_LOAD)]));
    check(provider, 200, ok(GOOD_BLOCK), Ok(&[("util.py", IS_NONE)]));
    check(
        provider,
        200,
        "{\"id\": ".to_owned(),
        Err(&format!(
            "the answer was malformed: the body is not a {} response: EOF while parsing a value at line 1 column 7",
            api(provider)
        )),
    );
    check(
        provider,
        200,
        "{\"id\": \"x\"}".to_owned(),
        Err(&format!(
            "the answer was malformed: the body is not a {} response: missing field `{}` at line 1 column 11",
            api(provider),
            if provider == Provider::Openai {
                "choices"
            } else {
                "content"
            }
        )),
    );
    check(
        provider,
        200,
        ok("I looked at the code and it is fine as it is."),
        Err("the answer held neither a unified diff nor search/replace blocks"),
    );
    check(
        provider,
        200,
        answer(provider, &GOOD_DIFF[..120], Some(cut_off(provider))),
        Err(&format!(
            "the answer was cut off at the token limit (stop reason `{}`); make the change smaller",
            cut_off(provider)
        )),
    );
    check(
        provider,
        200,
        ok(WRONG_CONTEXT),
        Err(
            "hunk 1 for `app.py` does not apply: its lines are not in the file (the first is `return yaml.load(stream)`)",
        ),
    );
    check(
        provider,
        200,
        ok(SECOND_FILE_FAILS),
        Err(
            "hunk 1 for `util.py` does not apply: its lines are not in the file (the first is `return x == nothing`)",
        ),
    );
    check(
        provider,
        200,
        ok(ESCAPING),
        Err("the patch names `../../etc/evil.py`, which is outside the worktree or inside .git"),
    );
    check(
        provider,
        429,
        r#"{"error": {"type": "rate_limit_error"}}"#.to_owned(),
        Err(r#"the server answered HTTP 429: {"error": {"type": "rate_limit_error"}}"#),
    );
    check(
        provider,
        500,
        "upstream exploded".to_owned(),
        Err("the server answered HTTP 500: upstream exploded"),
    );
}

fn api(provider: Provider) -> &'static str {
    match provider {
        Provider::Openai => "chat completions",
        Provider::Anthropic => "Messages API",
    }
}

fn cut_off(provider: Provider) -> &'static str {
    match provider {
        Provider::Openai => "length",
        Provider::Anthropic => "max_tokens",
    }
}

#[test]
fn openai_answers() {
    with_api_key("openai_answers", || cases(Provider::Openai));
}

#[test]
fn anthropic_answers() {
    with_api_key("anthropic_answers", || cases(Provider::Anthropic));
}

/// Sends one good request and returns what the server received, with the attempt's usage.
fn received(provider: Provider) -> (common::Received, Value, Usage) {
    let repo = Repo::new(FILES);
    let server = TestServer::start(200, answer(provider, GOOD_DIFF, None));
    let ledger_dir = tempfile::tempdir().unwrap();
    let ledger = Arc::new(BudgetLedger::open(ledger_dir.path(), 1.0, 5.0).unwrap());
    let backend = LlmBackend::new(config(provider, &server), ledger).unwrap();
    let result = backend.attempt(&request(), repo.path());
    assert!(result.changed_files().is_some(), "{result:?}");
    let [request] = server.received().try_into().expect("exactly one request");
    let body: Value = serde_json::from_str(&request.body).unwrap();
    (request, body, result.usage)
}

#[test]
fn openai_request_carries_bearer_key_model_and_prompt() {
    with_api_key("openai_request_carries_bearer_key_model_and_prompt", || {
        let (request, body, usage) = received(Provider::Openai);
        assert_eq!(
            (request.method.as_str(), request.path.as_str()),
            ("POST", "/v1/chat/completions")
        );
        assert_eq!(
            request.headers.get("authorization"),
            Some(&format!("Bearer {KEY}"))
        );
        assert_eq!(request.headers.get("x-api-key"), None);
        assert_eq!(
            (body["model"].as_str(), body["max_tokens"].as_u64()),
            (Some("test-model"), Some(1000))
        );
        assert_eq!(body["messages"][0]["role"], "system");
        assert_eq!(body["messages"][0]["content"].as_str(), Some(SYSTEM_PROMPT));
        assert_eq!(body["messages"][1]["role"], "user");
        let prompt = body["messages"][1]["content"].as_str().unwrap();
        assert_prompt(prompt);
        assert_eq!(
            usage,
            Usage {
                input_tokens: 1200,
                output_tokens: 300,
                cost: ANSWER_COST
            }
        );
    });
}

#[test]
fn anthropic_request_carries_api_key_version_model_and_prompt() {
    with_api_key(
        "anthropic_request_carries_api_key_version_model_and_prompt",
        || {
            let (request, body, usage) = received(Provider::Anthropic);
            assert_eq!(
                (request.method.as_str(), request.path.as_str()),
                ("POST", "/v1/messages")
            );
            assert_eq!(
                request.headers.get("x-api-key").map(String::as_str),
                Some(KEY)
            );
            assert_eq!(
                request.headers.get("anthropic-version").map(String::as_str),
                Some("2023-06-01")
            );
            assert_eq!(request.headers.get("authorization"), None);
            assert_eq!(
                (body["model"].as_str(), body["max_tokens"].as_u64()),
                (Some("test-model"), Some(1000))
            );
            assert_eq!(body["system"].as_str(), Some(SYSTEM_PROMPT));
            assert_eq!(body["messages"][0]["role"], "user");
            assert_prompt(body["messages"][0]["content"].as_str().unwrap());
            assert_eq!(
                usage,
                Usage {
                    input_tokens: 1200,
                    output_tokens: 300,
                    cost: ANSWER_COST
                }
            );
        },
    );
}

/// Regression: the Anthropic API counts the prompt tokens read from or written to its cache
/// apart from `input_tokens`, and so does llama.cpp's server; a retry whose prompt began as
/// the first attempt's was recorded as a prompt of one token.
#[test]
fn anthropic_prompt_tokens_include_the_cached_ones() {
    with_api_key("anthropic_prompt_tokens_include_the_cached_ones", || {
        let repo = Repo::new(FILES);
        let body = json!({
            "id": "msg_1", "type": "message", "role": "assistant", "model": "test-model",
            "content": [{"type": "text", "text": GOOD_DIFF}],
            "stop_reason": "end_turn", "stop_sequence": null,
            "usage": {"input_tokens": 1, "cache_creation_input_tokens": 199,
                      "cache_read_input_tokens": 1000, "output_tokens": 300}
        });
        let server = TestServer::start(200, body.to_string());
        let ledger_dir = tempfile::tempdir().unwrap();
        let ledger = Arc::new(BudgetLedger::open(ledger_dir.path(), 1.0, 5.0).unwrap());
        let backend = LlmBackend::new(config(Provider::Anthropic, &server), ledger).unwrap();
        let result = backend.attempt(&request(), repo.path());
        assert_eq!(
            result.usage,
            Usage {
                input_tokens: 1200,
                output_tokens: 300,
                cost: ANSWER_COST
            }
        );
    });
}

/// The user prompt carries the finding, the code, the conventions, the last failure and the
/// similar accepted changes.
fn assert_prompt(prompt: &str) {
    for expected in [
        FINDING_MESSAGE,
        "bandit:B506 at app.py:6 in `load`",
        "app.py (lines 3-6):",
        "        return yaml.load(handle)\n",
        "ruff format, line length 88, Google docstrings",
        "the test suite failed: test_load",
        "- strategy `codemod:safe-load`, passed 3 of 4 times: bandit:B506 yaml.load in a loader function",
        "+    return yaml.safe_load(f)",
    ] {
        assert!(
            prompt.contains(expected),
            "the prompt lacks {expected:?}:\n{prompt}"
        );
    }
    assert!(!prompt.contains(KEY), "the key never enters the prompt");
}

#[test]
fn unanswered_and_unreachable_servers_are_failed_attempts() {
    with_api_key(
        "unanswered_and_unreachable_servers_are_failed_attempts",
        || {
            let repo = Repo::new(FILES);
            let ledger_dir = tempfile::tempdir().unwrap();
            let ledger = Arc::new(BudgetLedger::open(ledger_dir.path(), 1.0, 5.0).unwrap());
            let attempt = |config: LlmConfig| {
                let backend = LlmBackend::new(config, Arc::clone(&ledger)).unwrap();
                let result = backend.attempt(&request(), repo.path());
                assert_eq!(repo.status(), "");
                result
                    .failure()
                    .map(ToString::to_string)
                    .unwrap_or_default()
            };

            let silent = TestServer::silent();
            let mut config = config(Provider::Openai, &silent);
            config.timeout_secs = 1;
            assert_eq!(attempt(config), "the attempt ran out of time after 1 s");
            assert_eq!(silent.received().len(), 1);

            let mut config = LlmConfig::new(Provider::Anthropic, "test-model");
            config.base_url = Some(TestServer::closed_url());
            config.api_key_env = Some(KEY_VARIABLE.to_owned());
            let failure = attempt(config);
            assert!(
                failure.starts_with("the request failed in transport: "),
                "{failure}"
            );
            assert!(!failure.contains(KEY));
        },
    );
}

#[test]
fn a_missing_key_sends_nothing() {
    let repo = Repo::new(FILES);
    let server = TestServer::start(200, answer(Provider::Openai, GOOD_DIFF, None));
    let ledger_dir = tempfile::tempdir().unwrap();
    let ledger = Arc::new(BudgetLedger::open(ledger_dir.path(), 1.0, 5.0).unwrap());
    let mut config = config(Provider::Openai, &server);
    config.api_key_env = Some("TDEV_CODER_TEST_UNSET_VARIABLE".to_owned());
    let result = LlmBackend::new(config, ledger)
        .unwrap()
        .attempt(&request(), repo.path());
    assert_eq!(
        result.failure().map(ToString::to_string).as_deref(),
        Some(
            "the environment variable TDEV_CODER_TEST_UNSET_VARIABLE that holds the API key is unset or empty"
        )
    );
    assert_eq!(server.received().len(), 0);
}

/// Attempts against a ledger with the given caps, after `spent_today` was already spent today;
/// returns the failure (if any), the number of requests the server saw, and the ledger.
fn budget(
    per_cycle: f64,
    per_day: f64,
    spent_today: f64,
) -> (Option<String>, usize, Arc<BudgetLedger>, tempfile::TempDir) {
    let repo = Repo::new(FILES);
    let server = TestServer::start(200, answer(Provider::Anthropic, GOOD_DIFF, None));
    let ledger_dir = tempfile::tempdir().unwrap();
    let today = tdev_core::Timestamp::now().date();
    std::fs::write(
        ledger_dir.path().join(LEDGER_FILE),
        json!({"day": today, "spent": spent_today}).to_string(),
    )
    .unwrap();
    let ledger = Arc::new(BudgetLedger::open(ledger_dir.path(), per_cycle, per_day).unwrap());
    let backend =
        LlmBackend::new(config(Provider::Anthropic, &server), Arc::clone(&ledger)).unwrap();
    let result = backend.attempt(&request(), repo.path());
    (
        result.failure().map(ToString::to_string),
        server.received().len(),
        ledger,
        ledger_dir,
    )
}

#[test]
fn budgets_refuse_before_sending() {
    with_api_key("budgets_refuse_before_sending", || {
        // The worst case is max_tokens (1000) of output at 15 per million, plus the prompt.
        let (failure, requests, _, _) = budget(0.01, 5.0, 0.0);
        let failure = failure.expect("refused");
        assert!(
            failure.starts_with(
                "the cycle budget would be exceeded: spent 0.0000, this request up to 0.01"
            ),
            "{failure}"
        );
        assert_eq!(requests, 0);

        let (failure, requests, _, _) = budget(1.0, 5.0, 4.999);
        let failure = failure.expect("refused");
        assert!(
            failure.starts_with("the day budget would be exceeded: spent 4.9990"),
            "{failure}"
        );
        assert_eq!(requests, 0);
    });
}

#[test]
fn spending_is_counted_per_cycle_and_saved_per_day() {
    with_api_key("spending_is_counted_per_cycle_and_saved_per_day", || {
        let (failure, requests, ledger, dir) = budget(1.0, 5.0, 0.5);
        assert_eq!((failure, requests), (None, 1));
        assert_eq!(ledger.spent_this_cycle(), ANSWER_COST);
        assert_eq!(ledger.spent_today(), 0.5 + ANSWER_COST);
        let saved: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join(LEDGER_FILE)).unwrap())
                .unwrap();
        assert_eq!(saved["spent"].as_f64(), Some(0.5 + ANSWER_COST));
        let reopened = BudgetLedger::open(dir.path(), 1.0, 5.0).unwrap();
        assert_eq!(
            (reopened.spent_this_cycle(), reopened.spent_today()),
            (0.0, 0.5 + ANSWER_COST)
        );
        ledger.start_cycle();
        assert_eq!(ledger.spent_this_cycle(), 0.0);
    });
}
