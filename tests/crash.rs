//! `tdev evolve` killed with SIGKILL in each phase of a cycle: research, planning, an attempt
//! (inside its fresh worktree) and the curator's write. After each kill, the next run records
//! the interrupted cycle as aborted with the reason, and the user's repository keeps nothing
//! of it: no registered worktree, no `tdev/auto/` branch. Before the journal, the interrupted
//! cycles left nothing in the graph and, killed during an attempt, registered worktrees and
//! empty branches that looked like proposals.
//!
//! The kill lands in the phase because the process is started with `TDEV_HALT_IN`, which
//! stops the named actor for good once it gets there (and touches `TDEV_HALT_SIGNAL`).

#[path = "support/process.rs"]
mod process;

use process::{git, repository, tdev, wait_for};
use std::path::Path;
use std::process::Command;

/// Starts `tdev evolve` halting in `actor`, waits until it is there, kills it, and returns the
/// pid it had.
fn kill_in(home: &Path, repo: &Path, actor: &str, args: &[&str]) -> u32 {
    let signal = home.join(format!("halted-in-{actor}"));
    let mut child = tdev(home)
        .args(["evolve", "--repo"])
        .arg(repo)
        .args(args)
        .env("TDEV_HALT_IN", actor)
        .env("TDEV_HALT_SIGNAL", &signal)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("starting tdev evolve");
    let reached = wait_for(|| signal.exists() || matches!(child.try_wait(), Ok(Some(_))));
    assert!(
        reached && signal.exists(),
        "tdev evolve did not reach the {actor} actor (exit: {:?})",
        child.try_wait()
    );
    let pid = child.id();
    child.kill().expect("SIGKILL");
    child.wait().unwrap();
    pid
}

fn cycles(home: &Path) -> Vec<serde_json::Value> {
    let output = tdev(home).args(["cycles", "--json"]).output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn an_interrupted_cycle_is_recorded_as_aborted_and_leaves_nothing_in_the_repository() {
    let home = tempfile::tempdir().unwrap();
    let repo = repository(home.path());
    let before = git(&repo, &["rev-parse", "HEAD"]);
    let cases: [(&str, &[&str]); 4] = [
        ("research", &["--dry-run"]),
        ("planner", &["--dry-run"]),
        ("coder", &["--backend", "tools", "--max-tasks", "1"]),
        ("curator", &["--dry-run"]),
    ];
    for (n, (actor, args)) in cases.into_iter().enumerate() {
        let pid = kill_in(home.path(), &repo, actor, args);
        if actor == "coder" {
            // The kill left what the issue saw: a registered worktree on an empty branch.
            assert!(
                git(&repo, &["worktree", "list"]).lines().count() > 1,
                "the attempt's worktree should exist before recovery"
            );
        }

        // The next run (a dry run: research and plan only) recovers first.
        let output = tdev(home.path())
            .args(["evolve", "--dry-run", "--repo"])
            .arg(&repo)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stderr}");
        assert!(
            stderr.contains("recorded as aborted"),
            "after {actor}: {stderr}"
        );

        let aborted: Vec<_> = cycles(home.path())
            .into_iter()
            .filter(|c| c["outcome"] == "aborted")
            .collect();
        assert_eq!(
            aborted.len(),
            n + 1,
            "after the kill in {actor}: {aborted:#?}"
        );
        let newest = aborted
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .max()
            .unwrap();
        let shown = tdev(home.path()).args(["show", &newest]).output().unwrap();
        let shown = String::from_utf8_lossy(&shown.stdout);
        assert!(shown.contains(&format!("pid {pid}")), "{shown}");

        assert_eq!(
            git(&repo, &["worktree", "list", "--porcelain"])
                .lines()
                .filter(|l| l.starts_with("worktree "))
                .count(),
            1,
            "after the kill in {actor}, only the user's own worktree is registered"
        );
        assert_eq!(
            git(&repo, &["branch", "--list", "tdev/auto/*"]),
            "",
            "after the kill in {actor}"
        );
        assert_eq!(git(&repo, &["rev-parse", "HEAD"]), before);
        assert_eq!(git(&repo, &["status", "--porcelain"]), "");
    }
    // The store still opens and answers, and the journal is empty.
    let output = tdev(home.path())
        .args(["sparql", "ASK { ?s ?p ?o }"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let journal = home.path().join("data/tdev/data/journal");
    let left = std::fs::read_dir(&journal).map_or(0, |d| d.count());
    assert_eq!(left, 0, "journal entries left in {}", journal.display());
    // And nothing of the interrupted cycles was committed anywhere.
    let log = Command::new("git")
        .args(["-C"])
        .arg(&repo)
        .args(["log", "--all", "--oneline"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&log.stdout).lines().count(), 1);
}
