//! `tdev daemon` as a user runs it, on a small real repository with a cron of every two
//! seconds: cycles start on their schedule; the cycles-per-hour budget stops the excess and
//! `tdev status` says so; `tdev pause` (kept across a restart) stops new cycles and `tdev
//! resume` starts them again; SIGTERM ends it with exit code 0 and nothing left in the journal
//! or the repository; a restart resumes from the persisted state; the daemon's HTTP server
//! answers SPARQL and shows its live numbers while it runs. And a bad `[daemon]` table is the
//! user's mistake, said with the file's name. Killed with SIGKILL twenty times, in each phase
//! of a cycle in turn, the daemon loses no completed cycle, records each interrupted one as
//! aborted, and leaves nothing in the repository.
//!
//! Nothing here waits a fixed time: every wait polls `tdev status` or `tdev cycles` until a
//! condition holds or a deadline passes.

#[path = "support/process.rs"]
mod process;

use process::{Daemon, get, git, repository, serving, tdev, wait_for};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A data directory in `home` whose `[daemon]` schedules `repo` every two seconds with tool
/// fixers, one task per cycle, at most `per_hour` cycles an hour.
fn configure(home: &Path, repo: &Path, per_hour: u32) -> PathBuf {
    let data = home.join(".tdev");
    if !data.exists() {
        let init = tdev(home).arg("init").arg(home).output().unwrap();
        assert!(init.status.success(), "{init:?}");
    }
    let config = format!(
        "[daemon]\ncycles_per_hour = {per_hour}\n\n[[daemon.repositories]]\npath = \"{}\"\n\
         schedule = \"*/2 * * * * *\"\nbackend = \"tools\"\nmax_tasks = 1\n\n\
         [http]\nlisten = \"127.0.0.1:0\"\n",
        repo.display()
    );
    std::fs::write(data.join("tdev.toml"), config).unwrap();
    data
}

fn start(home: &Path, data: &Path, log: &str) -> Daemon {
    Daemon::start(home, data, &home.join(log))
}

/// `tdev status --json`: the daemon's status, or `None` when none runs (exit code 3).
fn status(home: &Path, data: &Path) -> Option<serde_json::Value> {
    let output = on(home, data).args(["status", "--json"]).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "status --json is not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    match output.status.code() {
        Some(0) => Some(json),
        Some(3) => {
            assert_eq!(json["running"], false, "{json}");
            None
        }
        code => panic!("tdev status exited with {code:?}: {json}"),
    }
}

/// tdev in `home` on the data directory `data`.
fn on(home: &Path, data: &Path) -> Command {
    let mut command = tdev(home);
    command.arg("--data-dir").arg(data);
    command
}

/// The recorded cycles' ids and triggers.
fn cycles(home: &Path, data: &Path) -> Vec<serde_json::Value> {
    let output = on(home, data).args(["cycles", "--json"]).output().unwrap();
    assert!(output.status.success(), "{output:?}");
    serde_json::from_slice(&output.stdout).unwrap()
}

fn control(home: &Path, data: &Path, args: &[&str]) {
    let output = on(home, data).args(args).output().unwrap();
    assert!(output.status.success(), "tdev {args:?}: {output:?}");
}

fn held_by(status: &serde_json::Value) -> Option<String> {
    status["repositories"][0]["held"]["by"]
        .as_str()
        .map(str::to_owned)
}

#[test]
fn the_daemon_runs_cycles_on_schedule_within_its_budget_pauses_resumes_and_stops_cleanly() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let repo = repository(home);
    let head = git(&repo, &["rev-parse", "HEAD"]);
    let data = configure(home, &repo, 2);

    // Cycles start on the schedule, until the hour's budget of two stops the next ones.
    let daemon = start(home, &data, "daemon-1.log");
    let mut last = None;
    let held = wait_for(|| {
        last = status(home, &data);
        last.as_ref().is_some_and(|s| {
            held_by(s).as_deref() == Some("cycles-per-hour")
                && s["repositories"][0]["running"].is_null()
        })
    });
    assert!(held, "the budget never held the repository back: {last:?}");
    let status_now = last.unwrap();
    assert_eq!(status_now["budgets"]["cycles_last_hour"], 2, "{status_now}");
    let recorded = cycles(home, &data);
    assert_eq!(recorded.len(), 2, "{recorded:?}");

    // Its HTTP server answers SPARQL on the same knowledge base, and /metrics carries the
    // daemon's live numbers (refreshed every few seconds, so polled).
    let address = serving(&home.join("daemon-1.log")).expect("the log names the HTTP address");
    let query = "/query?query=SELECT%20(COUNT(%3Fc)%20AS%20%3Fn)%20WHERE%20%7B%20%3Fc%20a%20%3Chttps%3A%2F%2Ftdev.dev%2Fns%23Cycle%3E%20%7D";
    let (code, body) = get(&address, query, Some("text/csv"));
    assert_eq!((code, body.lines().nth(1)), (200, Some("2")), "{body}");
    let mut metrics = String::new();
    let live = wait_for(|| {
        metrics = get(&address, "/metrics", None).1;
        metrics.contains("\ntdev_daemon_cycles_last_hour 2\n")
            && metrics.contains("\ntdev_daemon_running_cycles 0\n")
            && metrics.contains("\ntdev_daemon_queue_length 1\n")
    });
    assert!(live, "{metrics}");

    // One daemon per data directory: a second one is refused, naming the first.
    let second = on(home, &data).arg("daemon").output().unwrap();
    assert_eq!(second.status.code(), Some(2));
    let said = String::from_utf8_lossy(&second.stderr);
    assert!(
        said.contains(&format!("pid {}", daemon.id())) && said.contains("daemon"),
        "{said}"
    );

    // Paused with the kill switch, then stopped with SIGTERM: exit 0, and no cycle beyond the
    // budget ever started (it would be recorded, or left in the journal).
    control(home, &data, &["pause", "--now"]);
    let paused_now = status(home, &data).unwrap();
    assert_eq!(paused_now["paused"], true, "{paused_now}");
    assert_eq!(paused_now["halted"], true, "{paused_now}");
    assert_eq!(daemon.terminate(), Some(0));
    assert_eq!(cycles(home, &data).len(), 2);
    let journal = data.join("journal");
    assert!(
        !journal.exists() || std::fs::read_dir(&journal).unwrap().next().is_none(),
        "the journal keeps an entry after a clean stop"
    );
    assert!(status(home, &data).is_none(), "no daemon runs any more");

    // Restarted with room in the budget: it starts paused (persisted), with the hour's two
    // cycles remembered, and the owed runs are held by the pause.
    configure(home, &repo, 10);
    let daemon = start(home, &data, "daemon-2.log");
    let mut last = None;
    let paused = wait_for(|| {
        last = status(home, &data);
        last.as_ref()
            .is_some_and(|s| held_by(s).as_deref() == Some("paused"))
    });
    assert!(
        paused,
        "the restarted daemon did not hold runs for the pause: {last:?}"
    );
    let status_now = last.unwrap();
    assert_eq!(status_now["paused"], true);
    // The kill switch is for the cycles that were running; a new daemon has none.
    assert_eq!(status_now["halted"], false);
    assert_eq!(status_now["budgets"]["cycles_last_hour"], 2, "{status_now}");
    assert_eq!(cycles(home, &data).len(), 2);

    // Resumed: cycles start again, triggered by the schedule.
    control(home, &data, &["resume"]);
    let resumed = wait_for(|| cycles(home, &data).len() >= 3);
    assert!(resumed, "no cycle started after tdev resume");
    assert_eq!(daemon.terminate(), Some(0));

    // Every cycle ended recorded; the user's checkout is as it was, and no worktree is left.
    assert!(
        !journal.exists() || std::fs::read_dir(&journal).unwrap().next().is_none(),
        "the journal keeps an entry after a clean stop"
    );
    assert_eq!(git(&repo, &["rev-parse", "HEAD"]), head);
    assert_eq!(git(&repo, &["status", "--porcelain"]), "");
    assert_eq!(git(&repo, &["worktree", "list"]).lines().count(), 1);
    let log = std::fs::read_to_string(home.join("daemon-2.log")).unwrap();
    assert!(log.contains("started on project (scheduled)"), "{log}");
    assert!(log.contains("ended on project"), "{log}");
}

#[test]
fn a_bad_daemon_table_is_refused_with_the_file_and_exit_code_2() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let repo = repository(home);
    let data = configure(home, &repo, 2);
    let config = data.join("tdev.toml");
    let check = |text: &str, expected: &str| {
        std::fs::write(&config, text).unwrap();
        let output = on(home, &data).arg("daemon").output().unwrap();
        let said = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{said}");
        assert!(said.contains("tdev.toml:"), "{said}");
        assert!(said.contains(expected), "{said}");
    };
    let repository = format!("[[daemon.repositories]]\npath = \"{}\"\n", repo.display());
    check(
        &format!("{repository}schedule = \"every night\"\n"),
        "\"every night\" is not a cron expression",
    );
    check(
        &format!("{repository}schedule = \"0 3 * * *\"\ncron = \"0 3 * * *\"\n"),
        "unknown field `cron`",
    );
    check("[daemon]\nbudget = 3\n", "unknown field `budget`");
    check("[daemon]\n", "no [[daemon.repositories]]");
}

/// The phases a kill lands in, by the actor the daemon halts in (`TDEV_HALT_IN`).
const PHASES: [&str; 5] = ["research", "planner", "coder", "evaluator", "curator"];

/// Starts the daemon halting in `actor`, waits until it is there and, while it waits, checks
/// that it answers from the store: the cycles completed so far and `aborted` recovered ones.
fn kill_in(home: &Path, data: &Path, actor: &str, completed: &[String], aborted: usize) {
    let signal = home.join(format!("halted-{aborted}-{actor}"));
    let log = std::fs::File::create(home.join(format!("daemon-kill-{aborted}.log"))).unwrap();
    let mut child = Daemon::spawn(
        on(home, data)
            .arg("daemon")
            .env("TDEV_HALT_IN", actor)
            .env("TDEV_HALT_SIGNAL", &signal)
            .stderr(log),
    );
    let reached = wait_for(|| signal.exists() || matches!(child.0.try_wait(), Ok(Some(_))));
    if !(reached && signal.exists()) {
        let said = std::fs::read_to_string(home.join(format!("daemon-kill-{aborted}.log")))
            .unwrap_or_default();
        let tail: Vec<&str> = said.lines().rev().take(6).collect();
        let newest = cycles(home, data)
            .into_iter()
            .map(|c| c["id"].as_str().unwrap_or_default().to_owned())
            .max()
            .unwrap_or_default();
        let shown = on(home, data).args(["show", &newest]).output().unwrap();
        eprintln!("{}", String::from_utf8_lossy(&shown.stdout));
        panic!(
            "kill {aborted}: the daemon did not reach the {actor} actor (exit: {:?}); its log \
             ends:\n{}",
            child.0.try_wait(),
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        );
    }
    let recorded = cycles(home, data);
    let ids: Vec<&str> = recorded.iter().filter_map(|c| c["id"].as_str()).collect();
    for id in completed {
        assert!(ids.contains(&id.as_str()), "kill {aborted}: {id} is gone");
    }
    let recovered = recorded
        .iter()
        .filter(|c| c["outcome"] == "aborted")
        .count();
    assert_eq!(
        recovered, aborted,
        "before kill {aborted} in {actor}: {recorded:#?}"
    );
    child.0.kill().expect("SIGKILL");
    child.0.wait().unwrap();
}

fn outcome_is_not(cycle: &serde_json::Value, outcome: &str) -> bool {
    cycle["outcome"].as_str().is_some_and(|o| o != outcome)
}

#[test]
fn twenty_kills_in_every_phase_lose_no_cycle_and_leave_nothing_behind() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let repo = repository(home);
    let head = git(&repo, &["rev-parse", "HEAD"]);
    // The user's own branch, which no kill and no recovery may touch.
    git(&repo, &["branch", "feature"]);
    let data = configure(home, &repo, 1000);

    // A cycle completes first: it is what a kill must not lose.
    let daemon = start(home, &data, "daemon-first.log");
    let done = wait_for(|| {
        cycles(home, &data)
            .iter()
            .any(|c| outcome_is_not(c, "aborted"))
    });
    assert!(done, "no cycle completed");
    assert_eq!(daemon.terminate(), Some(0));
    let completed: Vec<String> = cycles(home, &data)
        .iter()
        .filter(|c| outcome_is_not(c, "aborted"))
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    // Its proposal deleted, as a maintainer would, so that later cycles work on the finding
    // again and reach the coder and the evaluator.
    for branch in git(
        &repo,
        &[
            "branch",
            "--list",
            "--format=%(refname:short)",
            "tdev/auto/*",
        ],
    )
    .lines()
    {
        git(&repo, &["branch", "-D", branch]);
    }

    for kill in 0..20 {
        kill_in(home, &data, PHASES[kill % PHASES.len()], &completed, kill);
    }

    // Restarted without a halt: the last kill is recovered and the schedule goes on.
    let daemon = start(home, &data, "daemon-last.log");
    let resumed = wait_for(|| {
        cycles(home, &data)
            .iter()
            .filter(|c| outcome_is_not(c, "aborted"))
            .count()
            > completed.len()
    });
    assert!(resumed, "no cycle completed after the kills");
    assert_eq!(daemon.terminate(), Some(0));

    let recorded = cycles(home, &data);
    let aborted: Vec<&serde_json::Value> = recorded
        .iter()
        .filter(|c| c["outcome"] == "aborted")
        .collect();
    assert_eq!(aborted.len(), 20, "{recorded:#?}");
    for id in &completed {
        assert!(recorded.iter().any(|c| c["id"] == id.as_str()), "{id}");
    }
    // Each aborted cycle says why: interrupted, and by which process.
    let id = aborted[0]["id"].as_str().unwrap();
    let shown = on(home, &data).args(["show", id]).output().unwrap();
    let shown = String::from_utf8_lossy(&shown.stdout);
    assert!(
        shown.contains("interrupted") && shown.contains("pid "),
        "{shown}"
    );

    // The user's checkout, branch and history are as they were; no worktree is registered but
    // the checkout; every `tdev/auto/` branch left is one a completed cycle kept.
    assert_eq!(git(&repo, &["rev-parse", "HEAD"]), head);
    assert_eq!(git(&repo, &["rev-parse", "feature"]), head);
    assert_eq!(git(&repo, &["status", "--porcelain"]), "");
    assert_eq!(
        git(&repo, &["worktree", "list", "--porcelain"])
            .lines()
            .filter(|l| l.starts_with("worktree "))
            .count(),
        1
    );
    let kept: String = recorded
        .iter()
        .filter(|c| outcome_is_not(c, "aborted"))
        .map(|c| {
            let shown = on(home, &data)
                .args(["show", "--json", c["id"].as_str().unwrap()])
                .output()
                .unwrap();
            String::from_utf8_lossy(&shown.stdout).into_owned()
        })
        .collect();
    for branch in git(
        &repo,
        &[
            "branch",
            "--list",
            "--format=%(refname:short)",
            "tdev/auto/*",
        ],
    )
    .lines()
    {
        assert!(
            kept.contains(branch),
            "{branch} belongs to no completed cycle"
        );
    }
    let journal = data.join("journal");
    assert!(
        !journal.exists() || std::fs::read_dir(&journal).unwrap().next().is_none(),
        "the journal keeps an entry"
    );
    // Nor is a worktree or a sandbox left in tdev's cache.
    for dir in ["worktrees", "scratch"] {
        let left: Vec<_> = walk(&home.join("cache").join(dir));
        assert!(left.is_empty(), "left in the cache's {dir}: {left:?}");
    }
}

/// The directories under `dir` that are worktrees (hold a `.git` file) or sandboxes.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.join(".git").exists()
            || entry
                .file_name()
                .to_string_lossy()
                .starts_with("tdev-sandbox-")
        {
            found.push(path);
        } else if path.is_dir() {
            found.extend(walk(&path));
        }
    }
    found
}
