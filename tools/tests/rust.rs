//! The cargo adapters on a fixture crate written on the spot: clippy's lints as findings and
//! cargo test's outcomes per test binary. Each test builds into its own target directory.

mod support;

use std::path::Path;
use support::project;
use tdev_core::{Finding, Fixability, TestStatus};
use tdev_tools::{CargoOptions, cargo_test, clippy};

const MANIFEST: &str = "\
[package]
name = \"fixture\"
version = \"0.1.0\"
edition = \"2021\"

[workspace]
";

const LIB: &str = "\
pub fn next(x: u32) -> u32 {
    return x + 1;
}

#[cfg(test)]
mod tests {
    #[test]
    fn passes() {
        assert_eq!(super::next(1), 2);
    }

    #[test]
    fn fails() {
        assert_eq!(super::next(1), 3, \"off by one\");
    }

    #[test]
    #[ignore = \"slow\"]
    fn slow() {}
}
";

const INTEGRATION: &str = "\
#[test]
fn from_outside() {
    assert_eq!(fixture::next(0), 1);
}
";

fn options(target: &Path) -> CargoOptions {
    CargoOptions {
        target_dir: Some(target.to_owned()),
        ..CargoOptions::default()
    }
}

fn summary(findings: &[Finding]) -> Vec<String> {
    let mut lines: Vec<String> = findings
        .iter()
        .map(|f| {
            let span = f.span.unwrap();
            let fix = match f.fix {
                Some(Fixability::Safe) => "safe-fix",
                Some(Fixability::Unsafe) => "unsafe-fix",
                None => "no-fix",
            };
            format!(
                "{}:{}:{} {} {} {} | {}",
                f.path,
                span.line,
                span.column,
                f.kind,
                f.severity.as_str(),
                fix,
                f.evidence.as_deref().unwrap_or("-")
            )
        })
        .collect();
    lines.sort();
    lines
}

#[test]
fn clippy_lints_become_findings_once_each() {
    let dir = project(&[
        ("Cargo.toml", MANIFEST),
        ("src/lib.rs", LIB),
        (
            "tests/outside.rs",
            "#[test]\nfn t() {\n    let unused = 1;\n}\n",
        ),
    ]);
    let target = tempfile::tempdir().unwrap();
    let findings = clippy(dir.path(), &options(target.path())).unwrap();
    expect_test::expect![[r#"
        [
            "src/lib.rs:2:5 clippy::needless_return low safe-fix |     return x + 1;",
            "tests/outside.rs:3:9 rustc::unused_variables medium safe-fix |     let unused = 1;",
        ]
    "#]]
    .assert_debug_eq(&summary(&findings));
}

#[test]
fn a_compile_error_is_a_finding() {
    let dir = project(&[
        ("Cargo.toml", MANIFEST),
        ("src/lib.rs", "pub fn f() -> u32 {\n    \"no\"\n}\n"),
    ]);
    let target = tempfile::tempdir().unwrap();
    let findings = clippy(dir.path(), &options(target.path())).unwrap();
    expect_test::expect![[r#"
        [
            "src/lib.rs:2:5 rustc::E0308 high no-fix |     \"no\"",
        ]
    "#]]
    .assert_debug_eq(&summary(&findings));
}

#[test]
fn cargo_test_outcomes_per_binary() {
    let dir = project(&[
        ("Cargo.toml", MANIFEST),
        ("src/lib.rs", LIB),
        ("tests/outside.rs", INTEGRATION),
    ]);
    let target = tempfile::tempdir().unwrap();
    let report = cargo_test(dir.path(), &options(target.path())).unwrap();
    let mut lines: Vec<String> = report
        .binaries
        .iter()
        .flat_map(|b| {
            b.tests
                .iter()
                .map(move |t| format!("{} | {} | {}", b.name, t.id, t.status.as_str()))
        })
        .collect();
    lines.sort();
    expect_test::expect![[r#"
        [
            "tests/outside.rs | from_outside | passed",
            "unittests src/lib.rs | tests::fails | failed",
            "unittests src/lib.rs | tests::passes | passed",
            "unittests src/lib.rs | tests::slow | skipped",
        ]
    "#]]
    .assert_debug_eq(&lines);
    assert_eq!(report.build_failed, None);
    let failed = report
        .tests()
        .find(|t| t.status == TestStatus::Failed)
        .unwrap();
    let message = failed.message.as_deref().unwrap_or("");
    assert!(message.contains("off by one"), "{message}");
}

#[test]
fn a_project_that_does_not_build_is_reported_as_such() {
    let dir = project(&[
        ("Cargo.toml", MANIFEST),
        ("src/lib.rs", "pub fn f() -> u32 {\n    \"no\"\n}\n"),
    ]);
    let target = tempfile::tempdir().unwrap();
    let report = cargo_test(dir.path(), &options(target.path())).unwrap();
    assert_eq!(report.tests().count(), 0);
    let why = report.build_failed.expect("the build failed");
    assert!(why.contains("could not compile"), "{why}");
}

#[test]
fn a_directory_without_a_crate_is_an_error_not_an_empty_report() {
    let dir = project(&[("README", "not a crate\n")]);
    let target = tempfile::tempdir().unwrap();
    let err = cargo_test(dir.path(), &options(target.path())).unwrap_err();
    assert!(
        err.to_string().contains("could not find `Cargo.toml`"),
        "{err}"
    );
    let err = clippy(dir.path(), &options(target.path())).unwrap_err();
    assert!(
        err.to_string().contains("could not find `Cargo.toml`"),
        "{err}"
    );
}
