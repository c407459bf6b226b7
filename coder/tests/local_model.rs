//! The LLM backend against a real model through each API it speaks: Qwen2.5-Coder-0.5B-Instruct
//! served by llama.cpp on loopback (`scripts/local-model`), no canned answers. Its answer must
//! be applied to the worktree and its tokens counted as the server counted them; asked the
//! same twice, it must give the same change and be charged the same, though the second prompt
//! comes from the server's cache.
//!
//! The request is one the pattern memory helps with: a similar change that passed before
//! shows the diff to make. A model this small copies it, which is what makes the answer
//! reproducible and checkable; what is checked is the file it leaves, not its words.

mod common;
#[path = "../../tests/support/local_model.rs"]
mod local_model;

use common::{KEY_VARIABLE, Repo, with_api_key};
use std::sync::Arc;
use tdev_coder::{
    AttemptRequest, Backend, BudgetLedger, CodeExcerpt, LlmBackend, LlmConfig, Provider, TaskBrief,
    Usage,
};
use tdev_core::{Finding, Language, Pattern, Severity, Span};

const CART: &str = "\"\"\"Carts.\"\"\"\n\n\ndef is_empty(items):\n    \"\"\"Whether there is no cart at all.\"\"\"\n    return items == None\n";
const FIXED: &str = "\"\"\"Carts.\"\"\"\n\n\ndef is_empty(items):\n    \"\"\"Whether there is no cart at all.\"\"\"\n    return items is None\n";

fn request() -> AttemptRequest {
    AttemptRequest {
        task: TaskBrief {
            kind: "fix-finding".to_owned(),
            title: "Fix findings in shop/cart.py: is_empty".to_owned(),
            strategy: "llm:fix".parse().unwrap(),
        },
        findings: vec![Finding {
            id: "f-1".to_owned(),
            kind: "ruff:E711".to_owned(),
            severity: Severity::Low,
            path: "shop/cart.py".to_owned(),
            span: Some(Span::line(6)),
            symbol: Some("is_empty".to_owned()),
            message: "Comparison to `None` should be `cond is None`".to_owned(),
            evidence: Some("return items == None".to_owned()),
            metrics: Default::default(),
            fix: None,
            priority: 0.5,
        }],
        excerpts: vec![CodeExcerpt::around("shop/cart.py", CART, 6, 6, 8)],
        conventions: String::new(),
        similar_patterns: vec![Pattern {
            situation: "ruff:E711 comparison to None in a predicate".to_owned(),
            strategy: "codemod:none-comparison".to_owned(),
            language: Language::Python,
            successes: 3,
            failures: 0,
            example_change: "--- a/shop/cart.py\n+++ b/shop/cart.py\n@@ -5,2 +5,2 @@\n     \"\"\"Whether there is no cart at all.\"\"\"\n-    return items == None\n+    return items is None\n".to_owned(),
        }],
        previous_failure: Vec::new(),
    }
}

/// One attempt through `provider`'s API on a fresh repository; returns the file it left and
/// the usage.
fn attempt(provider: Provider) -> (String, Usage) {
    let server = local_model::local_model();
    let mut config = LlmConfig::new(provider, &server.model);
    config.base_url = Some(match provider {
        Provider::Openai => format!("{}/v1", server.base_url),
        Provider::Anthropic => server.base_url.clone(),
    });
    // The server takes no key; the backend sends the one `with_api_key` sets.
    config.api_key_env = Some(KEY_VARIABLE.to_owned());
    // The fix is a diff of about fifty tokens.
    config.max_tokens = 256;
    // One thread, and a build may share the cores.
    config.timeout_secs = 600;
    let ledger_dir = tempfile::tempdir().unwrap();
    let ledger = Arc::new(BudgetLedger::open(ledger_dir.path(), 1.0, 5.0).unwrap());
    let backend = LlmBackend::new(config, ledger).unwrap();
    let repo = Repo::new(&[("shop/cart.py", CART)]);
    let result = backend.attempt(&request(), repo.path());
    assert_eq!(
        result.changed_files(),
        Some(&["shop/cart.py".to_owned()][..]),
        "{result:?}"
    );
    assert_eq!(repo.status(), " M shop/cart.py\n");
    (repo.read("shop/cart.py").unwrap(), result.usage)
}

fn check(provider: Provider) {
    let (file, usage) = attempt(provider);
    assert_eq!(file, FIXED);
    assert!(
        usage.input_tokens > 100 && usage.output_tokens > 0,
        "{usage:?}"
    );
    // The same request again: the server answers from its prompt cache, and the attempt is
    // charged all the same.
    assert_eq!(attempt(provider), (file, usage));
}

#[test]
fn a_real_models_answer_is_applied_and_its_tokens_counted_over_the_openai_api() {
    with_api_key(
        "a_real_models_answer_is_applied_and_its_tokens_counted_over_the_openai_api",
        || check(Provider::Openai),
    );
}

#[test]
fn a_real_models_answer_is_applied_and_its_tokens_counted_over_the_anthropic_api() {
    with_api_key(
        "a_real_models_answer_is_applied_and_its_tokens_counted_over_the_anthropic_api",
        || check(Provider::Anthropic),
    );
}
