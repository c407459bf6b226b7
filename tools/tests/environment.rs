//! tdev's tool environment: its state as `status` shows it, the refusal of an environment that
//! is missing, half-installed or outdated, and the clear errors of an install that cannot work.

mod support;

use std::path::Path;
use support::{project, tools};
use tdev_tools::{
    BANDIT_TIMEOUT, Error, InstallOptions, InstallOutcome, MARKER, Pin, Pins, RuffOptions, ToolEnv,
    ToolState, bandit, ruff_check,
};

/// What ruff says when run from the environment at `dir`.
fn ruff_error(dir: &Path) -> Error {
    let repo = project(&[("a.py", "x = 1\n")]);
    ruff_check(&ToolEnv::new(dir), repo.path(), &RuffOptions::default()).unwrap_err()
}

#[test]
fn pins_name_exact_versions_of_the_four_tools() {
    let pins = Pins::builtin();
    let names: Vec<&str> = pins.tools.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["ruff", "bandit", "pytest", "coverage"]);
    for pin in &pins.tools {
        assert!(
            pin.version.split('.').all(|n| n.parse::<u32>().is_ok()),
            "{} is pinned to {}, not an exact version",
            pin.name,
            pin.version
        );
    }
}

#[test]
fn the_installed_environment_is_ready_at_the_pinned_versions() {
    let status = tools().status().unwrap();
    assert!(status.is_ready(), "{status:#?}");
    for tool in &status.tools {
        assert_eq!(tool.installed.as_deref(), Some(tool.pinned.as_str()));
        assert!(tool.path.is_file());
    }
}

#[test]
fn installing_a_complete_environment_does_nothing() {
    let mut steps = Vec::new();
    let outcome = tools()
        .install(&InstallOptions::default(), &mut |step| {
            steps.push(step.to_string())
        })
        .unwrap();
    assert_eq!(outcome, InstallOutcome::UpToDate);
    assert!(steps.is_empty(), "{steps:?}");
}

#[test]
fn a_missing_environment_shows_every_tool_missing() {
    let dir = tempfile::tempdir().unwrap();
    let status = ToolEnv::new(dir.path().join("tools")).status().unwrap();
    assert!(!status.is_ready());
    let states: Vec<ToolState> = status.tools.iter().map(|t| t.state).collect();
    assert_eq!(states, [ToolState::Missing; 4]);
}

#[test]
fn a_missing_environment_is_a_clear_error_for_adapters() {
    let dir = tempfile::tempdir().unwrap();
    let tools = dir.path().join("tools");
    let err = ruff_error(&tools);
    assert!(err.is_user_error());
    assert_eq!(
        err.to_string(),
        format!(
            "ruff is not installed in tdev's tool environment {}; run `tdev tools install`",
            tools.display()
        )
    );
    let repo = project(&[("a.py", "x = 1\n")]);
    let err = bandit(&ToolEnv::new(&tools), repo.path(), BANDIT_TIMEOUT).unwrap_err();
    assert!(
        err.to_string().starts_with("bandit is not installed"),
        "{err}"
    );
}

#[test]
fn an_interrupted_install_is_refused_until_redone() {
    // The tools are there but the stamp an install writes last is not.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("bin")).unwrap();
    std::fs::write(dir.path().join("bin/ruff"), "").unwrap();
    assert!(matches!(ruff_error(dir.path()), Error::NotInstalled { .. }));
    assert!(!ToolEnv::new(dir.path()).status().unwrap().complete);
}

#[test]
fn an_environment_installed_from_other_pins_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("bin")).unwrap();
    std::fs::write(dir.path().join("bin/ruff"), "").unwrap();
    std::fs::write(dir.path().join(MARKER), "0123\n").unwrap();
    let err = ruff_error(dir.path());
    assert!(err.is_user_error());
    assert_eq!(
        err.to_string(),
        format!(
            "tdev's tool environment {} holds other versions than this tdev pins; run `tdev tools install`",
            dir.path().display()
        )
    );
}

#[test]
fn installing_without_python_says_what_to_install() {
    let dir = tempfile::tempdir().unwrap();
    let options = InstallOptions {
        python: "/nonexistent/python3".into(),
        ..InstallOptions::default()
    };
    let err = ToolEnv::new(dir.path().join("tools"))
        .install(&options, &mut |_| {})
        .unwrap_err();
    assert!(err.is_user_error());
    assert_eq!(
        err.to_string(),
        "/nonexistent/python3 was not found; install Python 3 (Debian/Ubuntu: `apt-get install python3 python3-venv`)"
    );
}

#[test]
fn a_failed_pip_shows_its_last_words_and_leaves_no_stamp() {
    let dir = tempfile::tempdir().unwrap();
    let pins = Pins {
        tools: vec![Pin {
            name: "tdev-no-such-package".to_owned(),
            version: "0.0.0".to_owned(),
        }],
    };
    let env = ToolEnv::with_pins(dir.path().join("tools"), pins);
    // --no-index: pip fails at once, without the network.
    let options = InstallOptions {
        pip_args: vec!["--no-index".to_owned()],
        ..InstallOptions::default()
    };
    let mut steps = Vec::new();
    let err = env
        .install(&options, &mut |step| steps.push(step.to_string()))
        .unwrap_err();
    assert!(matches!(err, Error::PipFailed { .. }), "{err}");
    let message = err.to_string();
    assert!(
        message.starts_with("pip failed to install tdev-no-such-package==0.0.0 into "),
        "{message}"
    );
    assert!(message.contains("No matching distribution"), "{message}");
    assert_eq!(
        steps.last().unwrap(),
        "installing tdev-no-such-package 0.0.0"
    );
    assert!(!env.is_complete());
}
