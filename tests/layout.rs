//! The scripts and the binary agree on where tdev keeps things: `scripts/layout.sh` (which
//! the demo and the test scripts source) against `tdev paths --json` (`tdev_app::Layout`),
//! under the variables a user may set. They once disagreed: the demo installed the tools in
//! `~/.cache/tdev/tools` while `tdev scan` looked in `~/.local/share/tdev/tools`, so a scan
//! after the demo found no ruff or bandit findings.

use std::path::Path;
use std::process::Command;

/// Every variable that moves a path, so the runs below start from nothing of the machine's.
const VARIABLES: [&str; 8] = [
    "HOME",
    "TDEV_CACHE",
    "XDG_CACHE_HOME",
    "XDG_DATA_HOME",
    "TDEV_TOOLS_DIR",
    "TDEV_TEST_ENVS",
    "TDEV_DATASETS",
    "CARGO_TARGET_DIR",
];

/// Runs `command` with only `vars` of the path variables set, and returns what it printed.
fn run(command: &mut Command, vars: &[(&str, &str)]) -> Vec<u8> {
    for name in VARIABLES {
        command.env_remove(name);
    }
    let output = command.envs(vars.iter().copied()).output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// What `tdev paths --json` says, as (cache, tools, test-envs, datasets, user data).
fn binary(vars: &[(&str, &str)]) -> [String; 5] {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tdev"));
    let stdout = run(command.args(["paths", "--json"]), vars);
    let layout: serde_json::Value = serde_json::from_slice(&stdout).unwrap();
    ["cache", "tools", "test_envs", "datasets", "user_data"]
        .map(|key| layout[key].as_str().unwrap().to_owned())
}

/// What `scripts/layout.sh` says, in the same order.
fn script(vars: &[(&str, &str)]) -> [String; 5] {
    let layout = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/layout.sh");
    let mut command = Command::new("bash");
    command.arg("-c").arg(format!(
        ". '{}'; printf '%s\\n' \"$tdev_cache\" \"$tdev_tools\" \"$tdev_test_envs\" \
         \"$tdev_datasets\" \"$tdev_user_data\"",
        layout.display()
    ));
    let text = String::from_utf8(run(&mut command, vars)).unwrap();
    let lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines.try_into().expect("five paths")
}

fn check(vars: &[(&str, &str)], expected_tools: &str) {
    let (binary, script) = (binary(vars), script(vars));
    assert_eq!(binary, script, "with {vars:?}");
    assert_eq!(binary[1], expected_tools, "with {vars:?}");
}

#[test]
fn scripts_and_binary_put_the_tool_environment_in_one_place() {
    check(&[("HOME", "/h")], "/h/.cache/tdev/tools");
    check(
        &[("HOME", "/h"), ("XDG_CACHE_HOME", "/xc")],
        "/xc/tdev/tools",
    );
    check(
        &[("HOME", "/h"), ("XDG_CACHE_HOME", "")],
        "/h/.cache/tdev/tools",
    );
    check(
        &[
            ("HOME", "/h"),
            ("TDEV_CACHE", "/t"),
            ("XDG_CACHE_HOME", "/xc"),
        ],
        "/t/tools",
    );
    check(
        &[
            ("HOME", "/h"),
            ("TDEV_TOOLS_DIR", "/tools"),
            ("XDG_DATA_HOME", "/xd"),
        ],
        "/tools",
    );
    check(
        &[
            ("HOME", "/h"),
            ("TDEV_TEST_ENVS", "/e"),
            ("TDEV_DATASETS", "/d"),
        ],
        "/h/.cache/tdev/tools",
    );
}
