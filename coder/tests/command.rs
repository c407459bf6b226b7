//! The command backend with real processes in a real git worktree: a command that edits, one
//! that fails (its edits undone), one that runs out of time, one that changes nothing.

mod common;

use common::Repo;
use tdev_coder::{
    AttemptRequest, Backend, CommandBackend, CommandConfig, FailureReason, TaskBrief,
};

const FILES: &[(&str, &str)] = &[("app.py", "x = 1\n")];

fn request() -> AttemptRequest {
    AttemptRequest {
        task: TaskBrief {
            kind: "add-docstrings".to_owned(),
            title: "Document the module app.py".to_owned(),
            strategy: "command:agent".parse().unwrap(),
        },
        findings: Vec::new(),
        excerpts: Vec::new(),
        conventions: String::new(),
        similar_patterns: Vec::new(),
        previous_failure: Vec::new(),
    }
}

/// Runs `sh -c script` (with the prompt file as `$1`) as the configured command with a
/// `timeout` in seconds. `Ok` lists the changed files; `Err` is the failure, and then the
/// worktree must be as committed.
fn check(script: &str, timeout_secs: u64, expected: Result<&[&str], FailureReason>) -> Repo {
    let repo = Repo::new(FILES);
    let config = CommandConfig {
        argv: ["sh", "-c", script, "agent", "{prompt_file}"]
            .map(String::from)
            .to_vec(),
        timeout_secs,
        env: Default::default(),
    };
    let result = CommandBackend::new(config)
        .unwrap()
        .attempt(&request(), repo.path());
    match expected {
        Ok(files) => {
            let files: Vec<String> = files.iter().map(|f| f.to_string()).collect();
            assert_eq!(result.changed_files(), Some(files.as_slice()), "{result:?}");
        }
        Err(reason) => {
            assert_eq!(result.failure(), Some(&reason));
            assert_eq!(repo.status(), "", "a failed command's edits are undone");
        }
    }
    repo
}

#[test]
fn a_command_that_edits_the_worktree_is_a_change() {
    let repo = check(
        "printf '\"\"\"The app.\"\"\"\\n' | cat - app.py > app.tmp && mv app.tmp app.py && cp \"$1\" PROMPT.md",
        60,
        Ok(&["PROMPT.md", "app.py"]),
    );
    assert_eq!(
        repo.read("app.py").as_deref(),
        Some("\"\"\"The app.\"\"\"\nx = 1\n")
    );
    let prompt = repo.read("PROMPT.md").unwrap();
    assert!(prompt.contains("Document the module app.py"), "{prompt}");
}

#[test]
fn a_failing_command_is_a_failure_and_its_edits_are_undone() {
    check(
        "echo 'y = 2' >> app.py; echo new > new.py; echo working; echo 'cannot continue' >&2; exit 3",
        60,
        Err(FailureReason::CommandFailed {
            code: Some(3),
            detail: String::new(),
            stdout_tail: "working".to_owned(),
            stderr_tail: "cannot continue".to_owned(),
        }),
    );
}

#[test]
fn a_command_that_runs_out_of_time_is_killed_with_its_children() {
    check(
        "echo started; echo 'thinking' >&2; echo 'y = 2' >> app.py; sleep 600 & wait",
        1,
        Err(FailureReason::Timeout {
            after_secs: 1,
            stdout_tail: "started".to_owned(),
            stderr_tail: "thinking".to_owned(),
        }),
    );
}

#[test]
fn a_command_that_commits_its_change_is_a_change() {
    check(
        "echo 'y = 2' >> app.py && echo 'z = 3' > new.py && git add -A && git -c user.name=a -c user.email=a@b.invalid commit -qm agent",
        60,
        Ok(&["app.py", "new.py"]),
    );
}

#[test]
fn a_failing_command_that_committed_is_undone_commit_and_all() {
    let repo = check(
        "echo 'y = 2' >> app.py && echo 'z = 3' > new.py && git add -A && git -c user.name=a -c user.email=a@b.invalid commit -qm agent && exit 1",
        60,
        Err(FailureReason::CommandFailed {
            code: Some(1),
            detail: String::new(),
            stdout_tail: String::new(),
            stderr_tail: String::new(),
        }),
    );
    assert_eq!(repo.git(&["log", "--format=%s"]), "initial\n");
}

#[test]
fn a_command_that_changes_nothing_is_a_failure() {
    check("echo 'nothing to do'", 60, Err(FailureReason::NoChange));
}

#[test]
fn a_command_that_cannot_start_is_a_failure() {
    let repo = Repo::new(FILES);
    let config = CommandConfig {
        argv: vec!["/nonexistent/agent".to_owned()],
        timeout_secs: 60,
        env: Default::default(),
    };
    let result = CommandBackend::new(config)
        .unwrap()
        .attempt(&request(), repo.path());
    let failure = result
        .failure()
        .map(ToString::to_string)
        .unwrap_or_default();
    assert!(
        failure.starts_with("the command failed: cannot start `/nonexistent/agent`"),
        "{failure}"
    );
}
