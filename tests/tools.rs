//! `tdev tools` as a user runs it: status always answers, and an install that cannot work says
//! why with exit code 2.

use std::path::Path;
use std::process::Command;

/// Runs tdev with its tool environment at `tools` and PATH set to `path`; exit code, stdout,
/// stderr.
fn tdev(tools: &Path, path: &str, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_tdev"))
        .args(args)
        .env("TDEV_TOOLS_DIR", tools)
        .env("PATH", path)
        .env_remove("RUST_LOG")
        .output()
        .expect("running tdev");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn status_of_a_missing_environment_shows_each_tool_missing_and_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let tools = dir.path().join("tools");
    let path = std::env::var("PATH").unwrap();
    let (code, table, stderr) = tdev(&tools, &path, &["tools", "status"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(table.matches(" missing ").count(), 4, "{table}");
    assert!(
        table.contains("not ready: run `tdev tools install`"),
        "{table}"
    );
    let (code, json, _) = tdev(&tools, &path, &["tools", "status", "--json"]);
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["complete"], false);
    assert_eq!(json["tools"][0]["name"], "ruff");
    assert_eq!(json["tools"][0]["state"], "missing");
}

#[test]
fn install_without_python_exits_2_saying_what_to_install() {
    let dir = tempfile::tempdir().unwrap();
    // An empty PATH: no python3 to be found.
    let empty = dir.path().join("bin");
    std::fs::create_dir(&empty).unwrap();
    let (code, _, stderr) = tdev(
        &dir.path().join("tools"),
        empty.to_str().unwrap(),
        &["tools", "install"],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("error: python3 was not found; install Python 3"),
        "{stderr}"
    );
}
