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

/// The `where` column of the findings table of a text report: the first screen a person
/// reads.
fn first_screen(text: &str) -> Vec<String> {
    let mut lines = text.lines().skip_while(|l| !l.starts_with("Top findings"));
    lines.next();
    let Some(header) = lines.next() else {
        return Vec::new();
    };
    let column = header.find("where").expect("a where column");
    lines
        .skip(1)
        .take_while(|l| !l.starts_with('('))
        .map(|row| {
            let cell = row.get(column..).unwrap_or_default();
            cell.split("  ").next().unwrap_or_default().to_owned()
        })
        .collect()
}

/// A test file by the gate's default patterns (docs/gates.md), judged from a `where` cell.
fn in_tests(place: &str) -> bool {
    let path = place.split([':', ' ']).next().unwrap_or_default();
    let name = path.rsplit('/').next().unwrap_or_default();
    path.split('/')
        .any(|part| ["tests", "test", "test_data", "testdata"].contains(&part))
        || name.starts_with("test_")
        || name.ends_with("_test.py")
        || name == "conftest.py"
}

/// A data directory whose `tdev.toml` holds `config`, so that no per-user configuration
/// decides what the scan counts as tests.
fn data_dir(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tdev.toml"), config).unwrap();
    dir
}

#[test]
fn the_first_screen_of_a_scan_of_toolz_leads_with_library_code() {
    let toolz = cache("datasets", "TDEV_DATASETS").join("toolz-1.2.0");
    assert!(
        toolz.is_dir(),
        "{} is missing: run scripts/fetch-datasets",
        toolz.display()
    );
    let data = data_dir("");
    let text = scan(&toolz, &["--data-dir", data.path().to_str().unwrap()]);
    let json: serde_json::Value = serde_json::from_str(&scan(
        &toolz,
        &["--data-dir", data.path().to_str().unwrap(), "--json"],
    ))
    .unwrap();
    let total = json["summary"]["findings"].as_u64().unwrap() as usize;
    let tests = json["summary"]["findings_in_tests"].as_u64().unwrap() as usize;
    assert!(tests > 0 && tests < total, "{text}");
    assert!(
        text.contains(&format!(
            "{tests} of {total} findings are in tests; library code is listed first."
        )),
        "{text}"
    );

    let screen = first_screen(&text);
    assert!(!screen.is_empty(), "{text}");
    let library = (total - tests).min(screen.len());
    let (first, rest) = screen.split_at(library);
    assert!(first.iter().all(|place| !in_tests(place)), "{text}");
    assert!(rest.iter().all(|place| in_tests(place)), "{text}");
}

#[test]
fn scan_tells_tests_by_the_configured_patterns() {
    let repo = tempfile::tempdir().unwrap();
    let module = |name: &str, complexity: u32| {
        let branches: String = (1..complexity)
            .map(|i| format!("    if x == {i}:\n        return {i}\n"))
            .collect();
        format!("\"\"\"M.\"\"\"\n\ndef {name}(x):\n    \"\"\"D.\"\"\"\n{branches}    return 0\n")
    };
    std::fs::create_dir_all(repo.path().join("spec")).unwrap();
    std::fs::write(repo.path().join("app.py"), module("route", 12)).unwrap();
    std::fs::write(repo.path().join("spec/check_app.py"), module("check", 45)).unwrap();
    let args = |data: &tempfile::TempDir| {
        let data = data.path().to_str().unwrap().to_owned();
        [
            "--data-dir".to_owned(),
            data,
            "--tools".into(),
            "none".into(),
        ]
    };
    let run = |data: &tempfile::TempDir| {
        let args = args(data);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        scan(repo.path(), &args)
    };

    // By default `spec/` is product code, and its more complex function comes first.
    let text = run(&data_dir(""));
    assert_eq!(
        first_screen(&text),
        ["spec/check_app.py:3 (check)", "app.py:3 (route)"]
    );
    assert!(!text.contains("in tests"), "{text}");

    // Configured as tests, as the gate then judges them, `spec/` comes after the product.
    let text = run(&data_dir(
        "[gates.test_integrity]\npatterns = [\"spec/**\"]\n",
    ));
    assert_eq!(
        first_screen(&text),
        ["app.py:3 (route)", "spec/check_app.py:3 (check)"]
    );
    assert!(
        text.contains("1 of 2 findings is in tests; library code is listed first."),
        "{text}"
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
