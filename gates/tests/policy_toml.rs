//! The `[gates]` table of `tdev.toml`: the documented defaults are the real ones, every key is
//! read, and a misspelt key is refused.

use serde::Deserialize;
use tdev_core::Severity;
use tdev_gates::Policy;

/// `tdev.toml` as far as the gates are concerned.
#[derive(Debug, Deserialize)]
struct File {
    gates: Policy,
}

fn parse(text: &str) -> Result<Policy, String> {
    toml::from_str::<File>(text)
        .map(|file| file.gates)
        .map_err(|e| e.message().to_owned())
}

/// The `[gates]` example of `docs/gates.md` (its first TOML block).
fn documented() -> &'static str {
    let page = include_str!("../../docs/gates.md");
    let start = page
        .find("```toml\n")
        .expect("docs/gates.md has a toml block")
        + 8;
    let end = start + page[start..].find("```").expect("the block ends");
    &page[start..end]
}

#[test]
fn the_documented_table_is_the_default_policy() {
    assert_eq!(parse(documented()), Ok(Policy::default()));
    assert_eq!(parse("[gates]\n"), Ok(Policy::default()));
}

#[test]
fn every_key_is_read() {
    let text = r#"
        [gates]
        fail_when_unmeasured = true

        [gates.test_integrity]
        enabled = false
        patterns = ["spec/**"]
        test_writing_kinds = ["add-tests", "write-spec"]

        [gates.tests]
        enabled = false
        max_new_failures = 2

        [gates.coverage]
        enabled = false
        min_percent = 60.5
        or_not_lower = false

        [gates.security]
        enabled = false
        min_severity = "medium"
        max_new = 1

        [gates.complexity_total]
        enabled = false
        max_increase = 3

        [gates.complexity_max]
        enabled = false
        max_increase = 4

        [gates.maintainability]
        enabled = false
        max_drop = 2.5

        [gates.docstrings]
        enabled = false
        max_drop = 5.0

        [gates.duplication]
        enabled = false
        max_increase = 6
    "#;
    let mut expected = Policy {
        fail_when_unmeasured: true,
        ..Policy::default()
    };
    expected.test_integrity.enabled = false;
    expected.test_integrity.patterns = tdev_gates::Globs::new(["spec/**"]).unwrap();
    expected.test_integrity.test_writing_kinds = vec!["add-tests".into(), "write-spec".into()];
    (expected.tests.enabled, expected.tests.max_new_failures) = (false, 2);
    expected.coverage.enabled = false;
    expected.coverage.min_percent = 60.5;
    expected.coverage.or_not_lower = false;
    expected.security.enabled = false;
    expected.security.min_severity = Severity::Medium;
    expected.security.max_new = 1;
    let complexity_total = &mut expected.complexity_total;
    (complexity_total.enabled, complexity_total.max_increase) = (false, 3);
    let complexity_max = &mut expected.complexity_max;
    (complexity_max.enabled, complexity_max.max_increase) = (false, 4);
    let maintainability = &mut expected.maintainability;
    (maintainability.enabled, maintainability.max_drop) = (false, 2.5);
    (expected.docstrings.enabled, expected.docstrings.max_drop) = (false, 5.0);
    let duplication = &mut expected.duplication;
    (duplication.enabled, duplication.max_increase) = (false, 6);
    assert_eq!(parse(text), Ok(expected));
}

#[test]
fn a_partial_table_keeps_the_other_defaults() {
    let mut expected = Policy::default();
    expected.coverage.min_percent = 70.0;
    assert_eq!(
        parse("[gates.coverage]\nmin_percent = 70.0\n"),
        Ok(expected)
    );
}

#[test]
fn unknown_keys_and_bad_values_are_refused() {
    let check = |text: &str, expected: &str| {
        let message = parse(text).expect_err(text);
        assert!(message.contains(expected), "{message}");
    };
    check(
        "[gates.coverage]\nmin_pct = 70\n",
        "unknown field `min_pct`",
    );
    check("[gates.complexity]\n", "unknown field `complexity`");
    check(
        "[gates.security]\nmin_severity = \"urgent\"\n",
        "unknown variant `urgent`",
    );
}

#[test]
fn out_of_range_values_are_named_by_validate() {
    let policy = parse("[gates.coverage]\nmin_percent = 180.0\n").expect("parses");
    assert_eq!(
        policy.validate().unwrap_err().to_string(),
        "gates.coverage.min_percent is 180; it must be from 0 to 100"
    );
    assert!(Policy::default().validate().is_ok());
}
