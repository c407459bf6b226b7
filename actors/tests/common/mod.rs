//! What the tests that run whole trees share: the tree's configuration for a cycle in a
//! temporary directory, with the tool and test environments `scripts/test` installs.
//! The including test crate has the git support module as `support`
//! (`#[path = "../../tests/support/git.rs"] mod support;`).

use crate::support::cache;
use std::path::Path;
use tdev_actors::{CoderConfig, EvaluatorConfig, TreeConfig};

/// A tree whose data, worktrees and scratch space are under `root`, with tool fixers and
/// codemods but no model or agent configured.
pub fn config(root: &Path) -> TreeConfig {
    let tools = cache("tools", "TDEV_TOOLS_DIR");
    assert!(
        tools.join("tdev-pins.sha256").is_file(),
        "{} is not installed: run scripts/test (it runs `tdev tools install`)",
        tools.display()
    );
    TreeConfig {
        data_dir: root.join("data"),
        scan: tdev_research::ScanOptions::default(),
        gates: tdev_gates::Policy::default(),
        coder: CoderConfig {
            workers: 2,
            worktrees_dir: root.join("worktrees"),
            tools_dir: Some(tools.clone()),
            llm: None,
            command: None,
            ledger_dir: root.join("data"),
            publish: tdev_publish::PublishConfig::default(),
        },
        evaluator: EvaluatorConfig {
            envs_dir: cache("test-envs", "TDEV_TEST_ENVS"),
            scratch_dir: root.join("scratch"),
            cargo_target_dir: None,
            targets_dir: root.join("cargo-targets"),
            mirrors_dir: root.join("mirrors"),
            tools_dir: Some(tools),
            limits: tdev_runner::Limits::default(),
        },
        max_cycles: tdev_actors::DEFAULT_MAX_CYCLES,
        estimator: std::sync::Arc::new(tdev_planner::HeuristicEstimator),
        stale_after: std::time::Duration::from_secs(
            u64::from(tdev_core::DEFAULT_STALE_AFTER_DAYS) * 86_400,
        ),
        attempts: tdev_actors::AttemptSwitch::default(),
        scheduler: None,
    }
}
