//! `tdev scan` as a user runs it: reports for people and scripts, its errors, and its findings
//! checked against the JSON Schema published in `docs/findings.schema.json` by a real JSON
//! Schema validator (python-jsonschema, installed by `scripts/test-env`).

use std::path::{Path, PathBuf};
use std::process::Command;

fn tdev(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_tdev"))
        .args(args)
        .env_remove("TDEV_DATA_DIR")
        .output()
        .expect("running tdev");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn scan(repo: &Path, format: &[&str]) -> String {
    let mut args = vec!["scan", "--repo", repo.to_str().unwrap()];
    args.extend(format);
    let (code, stdout, stderr) = tdev(&args);
    assert_eq!(code, 0, "tdev {args:?}: {stderr}");
    stdout
}

/// A repository with one complex function, one undocumented module and one broken file.
fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let branches: String = (0..25)
        .map(|i| format!("    if x == {i}:\n        return {i}\n"))
        .collect();
    std::fs::write(
        dir.path().join("app.py"),
        format!("def route(x):\n{branches}    return None\n"),
    )
    .unwrap();
    std::fs::write(dir.path().join("broken.py"), "def f(:\n").unwrap();
    dir
}

#[test]
fn scan_reports_for_people_and_for_scripts() {
    let repo = fixture();
    let text = scan(repo.path(), &[]);
    assert!(
        text.starts_with("1 file, 52 lines, 1 function or class measured in"),
        "{text}"
    );
    assert!(text.contains("app.py:1 (route)"), "{text}");
    assert!(
        text.contains("broken.py  does not parse (line 1)"),
        "{text}"
    );

    let markdown = scan(repo.path(), &["--markdown"]);
    assert!(
        markdown.contains("| priority | severity | kind | where | what |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| 0.65 | medium | complexity | app.py:1 (route) |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| broken.py | does not parse (line 1) |"),
        "{markdown}"
    );

    let json: serde_json::Value = serde_json::from_str(&scan(repo.path(), &["--json"])).unwrap();
    assert_eq!(json["summary"]["files"], 1);
    assert_eq!(json["files"][0]["functions"][0]["complexity"], 26);
    assert_eq!(json["findings"][0]["kind"], "complexity");
    assert_eq!(json["skipped"][0]["reason"], "does-not-parse");
    assert_eq!(json["skipped"][0]["detail"], 1);
}

#[test]
fn scanning_a_missing_directory_is_a_users_mistake() {
    let (code, _, stderr) = tdev(&["scan", "--repo", "/no/such/repo"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains(
            "/no/such/repo is not a directory; give the repository to scan with --repo PATH"
        ),
        "{stderr}"
    );
}

fn cache(sub: &str, env: &str) -> PathBuf {
    std::env::var_os(env).map(PathBuf::from).unwrap_or_else(|| {
        let home = std::env::var_os("HOME").expect("HOME is set");
        Path::new(&home).join(".cache/tdev").join(sub)
    })
}

/// Validates each finding of the JSON array file `findings` against the published schema;
/// returns (valid, invalid) counts and the validator's messages.
fn validate(findings: &Path) -> (usize, usize, String) {
    let python = cache("venv/bin/python", "TDEV_PYTHON");
    assert!(
        python.exists(),
        "{} not found: run scripts/test-env",
        python.display()
    );
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/findings.schema.json");
    let script = "import json, sys\n\
        from jsonschema import Draft202012Validator as V\n\
        schema = json.load(open(sys.argv[1])); V.check_schema(schema); v = V(schema)\n\
        good = bad = 0\n\
        for f in json.load(open(sys.argv[2])):\n\
        \x20   errors = list(v.iter_errors(f))\n\
        \x20   bad += bool(errors); good += not errors\n\
        \x20   for e in errors: print(f.get('id'), e.message, file=sys.stderr)\n\
        print(good, bad)\n";
    let output = Command::new(python)
        .args(["-c", script])
        .arg(schema)
        .arg(findings)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stderr}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    let (good, bad) = stdout.trim().split_once(' ').unwrap();
    (good.parse().unwrap(), bad.parse().unwrap(), stderr)
}

#[test]
fn findings_conform_to_the_published_schema() {
    let datasets = cache("datasets", "TDEV_DATASETS");
    let mut findings = Vec::new();
    for project in ["requests-2.34.2", "click-8.5.1", "attrs-26.1.0"] {
        let dir = datasets.join(project);
        assert!(
            dir.is_dir(),
            "{} is missing: run scripts/fetch-datasets",
            dir.display()
        );
        let report: serde_json::Value = serde_json::from_str(&scan(&dir, &["--json"])).unwrap();
        findings.extend(report["findings"].as_array().unwrap().iter().cloned());
    }
    let examples: serde_json::Value =
        serde_json::from_str(include_str!("../datasets/examples/cycles.json")).unwrap();
    for cycle in examples.as_array().unwrap() {
        findings.extend(cycle["findings"].as_array().unwrap().iter().cloned());
    }
    assert!(findings.len() > 50, "only {} findings", findings.len());

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("findings.json");
    std::fs::write(&file, serde_json::to_string(&findings).unwrap()).unwrap();
    let (good, bad, messages) = validate(&file);
    assert_eq!((good, bad), (findings.len(), 0), "{messages}");

    // The check can fail: a priority out of range and an unknown field are refused.
    findings[0]["priority"] = serde_json::json!(1.5);
    findings[1]["colour"] = serde_json::json!("red");
    std::fs::write(&file, serde_json::to_string(&findings).unwrap()).unwrap();
    let (_, bad, messages) = validate(&file);
    assert_eq!(bad, 2, "{messages}");
}
