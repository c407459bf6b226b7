//! The pattern index: what the planner and `tdev ask` retrieve.

use tdev_core::{Language, Pattern, PatternOutcome};
use tdev_knowledge::{PatternIndex, SearchFilter};

fn pattern(
    situation: &str,
    strategy: &str,
    language: Language,
    successes: u64,
    failures: u64,
) -> Pattern {
    Pattern {
        situation: situation.to_owned(),
        strategy: strategy.to_owned(),
        language,
        successes,
        failures,
        example_change: String::new(),
    }
}

fn sample() -> Vec<Pattern> {
    vec![
        pattern(
            "yaml.load called without a Loader (bandit B506)",
            "codemod:safe-load",
            Language::Python,
            9,
            1,
        ),
        pattern(
            "comparison to None with == (ruff E711)",
            "ruff-fix:E711",
            Language::Python,
            20,
            0,
        ),
        pattern(
            "comparison to None with == in a lambda",
            "codemod:is-none",
            Language::Python,
            1,
            3,
        ),
        pattern(
            "mutable default argument list (ruff B006)",
            "codemod:mutable-default",
            Language::Python,
            4,
            4,
        ),
        pattern(
            "needless return at the end of a function",
            "clippy-fix",
            Language::Rust,
            7,
            0,
        ),
    ]
}

fn strategies(index: &PatternIndex, text: &str, filter: &SearchFilter) -> Vec<String> {
    index
        .search(text, filter, 10)
        .unwrap()
        .into_iter()
        .map(|h| h.pattern.strategy)
        .collect()
}

#[test]
fn search_ranks_by_similarity_and_filters() {
    let index = PatternIndex::in_memory().unwrap();
    index.upsert(&sample()).unwrap();
    let all = SearchFilter::default();
    assert_eq!(
        strategies(&index, "yaml.load(data)", &all)[0],
        "codemod:safe-load"
    );
    let none = strategies(&index, "x == None", &all);
    assert_eq!(none.len(), 2, "{none:?}");
    let reliable = SearchFilter {
        min_success_rate: Some(0.5),
        ..SearchFilter::default()
    };
    assert_eq!(
        strategies(&index, "x == None", &reliable),
        ["ruff-fix:E711"]
    );
    let rust = SearchFilter {
        language: Some(Language::Rust),
        ..SearchFilter::default()
    };
    assert!(strategies(&index, "comparison to None", &rust).is_empty());
    assert_eq!(strategies(&index, "return", &rust), ["clippy-fix"]);
    let exact = SearchFilter {
        strategy: Some("codemod:is-none".into()),
        ..SearchFilter::default()
    };
    assert_eq!(strategies(&index, "None", &exact), ["codemod:is-none"]);
    // Without text, the most successful patterns come first.
    let mut best = strategies(&index, "", &all);
    assert_eq!(best.len(), 5);
    assert_eq!(
        best.pop().as_deref(),
        Some("codemod:is-none"),
        "the least successful is last"
    );
    best.truncate(2);
    best.sort();
    assert_eq!(
        best,
        ["clippy-fix", "ruff-fix:E711"],
        "the two never-failing ones lead"
    );
    let top = index.search("", &all, 1).unwrap();
    assert_eq!(top[0].success_rate, 1.0);
    let bad = SearchFilter {
        min_success_rate: Some(1.5),
        ..SearchFilter::default()
    };
    assert!(index.search("x", &bad, 5).is_err());
}

#[test]
fn upsert_replaces_and_outcomes_accumulate() {
    let index = PatternIndex::in_memory().unwrap();
    index.upsert(&sample()).unwrap();
    index.upsert(&sample()).unwrap();
    assert_eq!(index.len(), 5);
    let situation = "yaml.load called without a Loader (bandit B506)";
    let p = index
        .record_outcome(
            situation,
            "codemod:safe-load",
            Language::Python,
            PatternOutcome::Success,
            "-yaml.load(x)\n+yaml.safe_load(x)",
        )
        .unwrap();
    assert_eq!((p.successes, p.failures), (10, 1));
    assert_eq!(index.len(), 5);
    let p = index
        .record_outcome(
            "a brand new situation",
            "llm:openai",
            Language::Other,
            PatternOutcome::Failure,
            "",
        )
        .unwrap();
    assert_eq!((p.successes, p.failures), (0, 1));
    assert_eq!(index.len(), 6);
}

#[test]
fn the_index_survives_restart() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = PatternIndex::open(dir.path()).unwrap();
        index.upsert(&sample()).unwrap();
    }
    let index = PatternIndex::open(dir.path()).unwrap();
    assert_eq!(index.len(), 5);
    assert_eq!(
        strategies(&index, "yaml", &SearchFilter::default()),
        ["codemod:safe-load"]
    );
}
