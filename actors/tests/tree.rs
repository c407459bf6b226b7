//! The supervisor tree running real cycles on a small Python repository made in the test:
//! real git, ruff from tdev's tool environment, pytest in the sandbox, the real knowledge graph.
//! A cycle keeps a gate-passing branch and leaves the user's checkout alone; running again does
//! not propose the same change twice, nor a tool's change that the gate or the tool itself
//! refused on the same commit; independent tasks are coded at the same time by the
//! coder pool; a panic in any actor, a coder worker included, fails only the cycle it served;
//! hostile tests are stopped or contained by the sandbox and the cycle records why; with the
//! kill switch on, a cycle plans its tasks and starts no attempt.

mod common;
#[path = "../../tests/support/git.rs"]
mod support;

use common::config;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::{cache, git};
use tdev_actors::{ActorKind, CycleRequest, Event, Tree, TreeConfig};
use tdev_core::{CycleRecord, Outcome, Trigger};
use tdev_knowledge::KnowledgeGraph;
use tdev_planner::BackendChoice;

/// A repository with one `== None` comparison (ruff's E711, fixed by the built-in codemod),
/// its tests, and the user's own uncommitted work.
fn repository(root: &Path) -> PathBuf {
    let repo = root.join("shop");
    std::fs::create_dir_all(repo.join("shop")).unwrap();
    std::fs::create_dir_all(repo.join("tests")).unwrap();
    let write = |path: &str, text: &str| std::fs::write(repo.join(path), text).unwrap();
    write(
        "pyproject.toml",
        "[project]\nname = \"shop\"\nversion = \"1.0\"\nrequires-python = \">=3.9\"\n",
    );
    write("shop/__init__.py", "\"\"\"A shop.\"\"\"\n");
    write(
        "shop/cart.py",
        "\"\"\"Carts.\"\"\"\n\n\ndef is_empty(items):\n    \"\"\"Whether there is no cart at all.\"\"\"\n    return items == None\n",
    );
    write(
        "tests/test_cart.py",
        "from shop.cart import is_empty\n\n\ndef test_none_is_empty():\n    assert is_empty(None)\n\n\ndef test_list_is_not():\n    assert not is_empty([])\n",
    );
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "A shop"]);
    // The user is in the middle of something.
    write("NOTES.md", "uncommitted notes\n");
    repo
}

/// Adds a second package with its own `== None` comparison and its tests, committed: a second
/// task, independent of the first (another directory, other files).
fn add_billing(repo: &Path) {
    std::fs::create_dir_all(repo.join("billing")).unwrap();
    let write = |path: &str, text: &str| std::fs::write(repo.join(path), text).unwrap();
    write("billing/__init__.py", "\"\"\"Billing.\"\"\"\n");
    write(
        "billing/invoice.py",
        "\"\"\"Invoices.\"\"\"\n\n\ndef is_unpaid(paid_at):\n    \"\"\"Whether no payment was recorded.\"\"\"\n    return paid_at == None\n",
    );
    write(
        "tests/test_invoice.py",
        "from billing.invoice import is_unpaid\n\n\ndef test_none_is_unpaid():\n    assert is_unpaid(None)\n\n\ndef test_a_date_is_paid():\n    assert not is_unpaid(\"2026-01-01\")\n",
    );
    git(repo, &["add", "billing", "tests/test_invoice.py"]);
    git(repo, &["commit", "-q", "-m", "Billing"]);
}

/// The files each branch changes against `main`, one sorted list per branch.
fn files_changed(repo: &Path, branches: &[String]) -> Vec<Vec<String>> {
    let mut all: Vec<Vec<String>> = branches
        .iter()
        .map(|branch| {
            let range = format!("main...{branch}");
            git(repo, &["diff", "--name-only", &range])
                .lines()
                .map(str::to_owned)
                .collect()
        })
        .collect();
    all.sort();
    all
}

fn request(repo: &Path, id: &str) -> CycleRequest {
    CycleRequest {
        id: id.to_owned(),
        repo: repo.to_path_buf(),
        repository: "shop".to_owned(),
        goal: "improve overall quality".to_owned(),
        max_tasks: 3,
        trigger: Trigger::Manual,
        dry_run: false,
        backend: BackendChoice::Tools,
    }
}

/// The branch fates a cycle recorded, as `branch: fate`.
fn fates(record: &CycleRecord) -> Vec<String> {
    record
        .branch_fates
        .iter()
        .map(|f| format!("{}: {}", f.branch, f.fate))
        .collect()
}

fn kept_branches(record: &CycleRecord) -> Vec<String> {
    record
        .attempts
        .iter()
        .filter(|a| a.gate.passed)
        .filter_map(|a| a.change.as_ref().map(|c| c.branch.clone()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cycle_keeps_a_passing_branch_and_never_touches_the_checkout() {
    let root = tempfile::tempdir().unwrap();
    let repo = repository(root.path());
    // Kept branches are pushed to the user's remote when [publish] says so.
    let remote = root.path().join("remote.git");
    git(
        root.path(),
        &["init", "-q", "--bare", remote.to_str().unwrap()],
    );
    git(
        &repo,
        &["remote", "add", "origin", remote.to_str().unwrap()],
    );
    let user = tdev_worktree::Repo::open(&repo).unwrap();
    let before = user.snapshot().unwrap();

    let mut config = config(root.path());
    config.coder.publish.push = true;
    let tree = Tree::start(config).await.unwrap();
    let first = tree.run_cycle(request(&repo, "c-1")).await.unwrap();
    assert_eq!(first.outcome, Outcome::Passed, "{first:#?}");
    assert_eq!(kept_branches(&first), ["tdev/auto/c-1-t1"]);
    let branch = git(&repo, &["show", "tdev/auto/c-1-t1:shop/cart.py"]);
    assert!(branch.contains("return items is None"), "{branch}");
    let message = git(&repo, &["log", "-1", "--format=%B", "tdev/auto/c-1-t1"]);
    assert!(message.contains("codemod:none-comparison"), "{message}");
    assert!(
        message.contains("https://tdev.dev/graph/cycle/c-1"),
        "{message}"
    );

    // Running again leaves the finding alone: the graph says its change waits on a branch.
    let second = tree.run_cycle(request(&repo, "c-2")).await.unwrap();
    assert!(second.attempts.is_empty(), "{second:#?}");
    assert_eq!(second.outcome, Outcome::NoChange, "{second:#?}");
    // It looked at the first cycle's branch: neither merged nor deleted, and young.
    assert_eq!(fates(&second), ["tdev/auto/c-1-t1: open"], "{second:#?}");
    tree.stop().await;

    assert_eq!(
        user.snapshot().unwrap(),
        before,
        "the user's checkout changed"
    );
    assert_eq!(
        git(&repo, &["branch", "--list", "tdev/auto/*"])
            .lines()
            .count(),
        1
    );
    assert_eq!(
        std::fs::read_to_string(repo.join("NOTES.md")).unwrap(),
        "uncommitted notes\n"
    );

    // What the cycles did is in the graph: the branch of each passing task.
    let graph = KnowledgeGraph::open(&root.path().join("data/graph")).unwrap();
    let branches = query_strings(
        &graph,
        include_str!("../../knowledge/queries/passing-branches.rq"),
        "branch",
    );
    assert_eq!(branches, ["tdev/auto/c-1-t1"]);
    drop(graph);

    // The records the curator wrote satisfy the SHACL shapes, checked by pyshacl.
    let (conforms, report) = shacl(&[first, second]);
    assert!(conforms, "{report}");
}

/// Validates `records` against `ontology/shapes.ttl` with pyshacl (installed by
/// `scripts/test-env`), as `tests/shacl.rs` does for synthetic records.
fn shacl(records: &[CycleRecord]) -> (bool, String) {
    use tdev_knowledge::{GraphFormat, vocab};
    let graph = KnowledgeGraph::in_memory().unwrap();
    let mut data = Vec::new();
    for record in records {
        graph.record_cycle(record).unwrap();
        data = graph
            .dump(
                data,
                GraphFormat::NTriples,
                Some(vocab::cycle_graph(&record.id).as_str()),
            )
            .unwrap();
    }
    data = graph
        .dump(data, GraphFormat::NTriples, Some(vocab::REPOSITORIES_GRAPH))
        .unwrap();
    shacl_ntriples(&data)
}

/// Validates N-Triples against the shapes with pyshacl.
fn shacl_ntriples(data: &[u8]) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cycles.nt");
    std::fs::write(&file, data).unwrap();
    let python = cache("venv/bin/python", "TDEV_PYTHON");
    let ontology = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ontology");
    let output = Command::new(python)
        .args([
            "-m", "pyshacl", "-i", "rdfs", "-df", "nt", "-sf", "turtle", "-ef", "turtle", "-s",
        ])
        .arg(ontology.join("shapes.ttl"))
        .arg("-e")
        .arg(ontology.join("tdev.ttl"))
        .arg(&file)
        .output()
        .expect("running pyshacl (scripts/test-env installs it)");
    let report = String::from_utf8_lossy(&output.stdout).into_owned();
    match output.status.code() {
        Some(0) => (true, report),
        Some(1) => (false, report),
        _ => panic!(
            "pyshacl failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ),
    }
}

fn query_strings(graph: &KnowledgeGraph, query: &str, variable: &str) -> Vec<String> {
    let tdev_knowledge::QueryResults::Solutions(solutions) = graph.query(query).unwrap() else {
        panic!("not a SELECT");
    };
    solutions
        .map(|s| match s.unwrap().get(variable) {
            Some(oxigraph::model::Term::Literal(l)) => l.value().to_owned(),
            other => format!("{other:?}"),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_kill_switch_on_a_cycle_starts_no_attempt_and_after_release_it_does() {
    let root = tempfile::tempdir().unwrap();
    let repo = repository(root.path());
    let config = config(root.path());
    let switch = config.attempts.clone();
    let tree = Tree::start(config).await.unwrap();
    switch.halt();
    let halted = tree.run_cycle(request(&repo, "c-1")).await.unwrap();
    assert!(
        !halted.tasks.is_empty(),
        "the cycle plans as usual: {halted:#?}"
    );
    assert!(halted.attempts.is_empty(), "{:#?}", halted.attempts);
    assert_eq!(git(&repo, &["branch", "--list", "tdev/auto/*"]), "");
    switch.release();
    let released = tree.run_cycle(request(&repo, "c-2")).await.unwrap();
    assert!(!released.attempts.is_empty(), "{released:#?}");
    tree.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_in_any_actor_fails_that_cycle_and_the_next_one_runs() {
    for actor in ActorKind::ALL {
        let root = tempfile::tempdir().unwrap();
        let repo = repository(root.path());
        let tree = Tree::start(config(root.path())).await.unwrap();
        let mut events = tree.subscribe();

        tree.inject_panic(actor);
        let failed = tree.run_cycle(request(&repo, "c-1")).await.unwrap();
        assert_eq!(failed.outcome, Outcome::Failed, "{actor:?}");
        let reason = failed.failure_reason.clone().unwrap_or_default();
        assert!(reason.contains(actor.name()), "{actor:?}: {reason}");

        // The next cycle runs through every phase. The curator is first asked what earlier
        // cycles proposed, so its panic ends the first cycle before any change is made, and
        // the next one makes it.
        let next = tree.run_cycle(request(&repo, "c-2")).await.unwrap();
        assert_eq!(next.outcome, Outcome::Passed, "{actor:?}: {next:#?}");
        tree.stop().await;

        let mut restarted = false;
        while let Ok(event) = events.try_recv() {
            if let tdev_actors::Event::ActorRestarted {
                actor: which,
                reason,
            } = event
            {
                assert!(reason.contains("injected panic"), "{reason}");
                restarted |= which == actor;
            }
        }
        assert!(restarted, "{actor:?} was not restarted");

        // Both cycles are recorded, the failed one with its reason (a cycle the curator could
        // not write is written before the next one).
        let graph = KnowledgeGraph::open(&root.path().join("data/graph")).unwrap();
        let outcomes = query_strings(
            &graph,
            "PREFIX tdev: <https://tdev.dev/ns#>\n\
             SELECT ?o WHERE { ?c a tdev:Cycle ; tdev:outcome ?o } ORDER BY ?c",
            "o",
        );
        assert_eq!(outcomes, ["failed", "passed"], "{actor:?}");
    }
}

/// Runs one cycle on the shop with a hostile `test` file added under `tests/`, with the
/// evaluator's limits as `limit` sets them; returns why the cycle failed (it must fail, and
/// keep no branch).
async fn hostile_cycle(
    name: &str,
    test: &str,
    limit: impl FnOnce(&mut tdev_runner::Limits),
) -> String {
    let root = tempfile::tempdir().unwrap();
    let repo = repository(root.path());
    let path = format!("tests/{name}");
    std::fs::write(repo.join(&path), test).unwrap();
    git(&repo, &["add", &path]);
    git(&repo, &["commit", "-q", "-m", "A hostile test"]);
    let mut config = config(root.path());
    limit(&mut config.evaluator.limits);
    let tree = Tree::start(config).await.unwrap();
    let record = tree.run_cycle(request(&repo, "c-1")).await.unwrap();
    tree.stop().await;
    assert_eq!(record.outcome, Outcome::Failed, "{record:#?}");
    assert!(git(&repo, &["branch", "--list", "tdev/auto/*"]).is_empty());
    let reason = record.failure_reason.unwrap_or_default();
    assert!(reason.starts_with("the baseline test run: "), "{reason}");
    reason
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_test_suite_that_never_ends_is_stopped_and_the_cycle_says_why() {
    // A hostile test: it would sleep for an hour.
    let reason = hostile_cycle(
        "test_forever.py",
        "import time\n\n\ndef test_forever():\n    time.sleep(3600)\n",
        |limits| limits.wall_time = std::time::Duration::from_secs(20),
    )
    .await;
    assert!(reason.contains("20"), "the limit is named: {reason}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_test_that_forks_without_end_is_contained_and_the_cycle_says_why() {
    // A hostile test that forks sleeping children; it stops by itself at 2000 so that a
    // containment failure cannot take the machine down (everything here runs as root).
    let reason = hostile_cycle(
        "test_fork.py",
        "import os, time\n\n\ndef test_fork():\n    for _ in range(2000):\n        if os.fork() == 0:\n            time.sleep(20)\n            os._exit(0)\n",
        |limits| limits.max_processes = 64,
    )
    .await;
    assert!(reason.contains("process"), "{reason}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn independent_tasks_are_coded_at_the_same_time_and_both_kept() {
    let root = tempfile::tempdir().unwrap();
    let repo = repository(root.path());
    add_billing(&repo);
    let user = tdev_worktree::Repo::open(&repo).unwrap();
    let before = user.snapshot().unwrap();

    let tree = Tree::start(config(root.path())).await.unwrap();
    let mut events = tree.subscribe();
    let record = tree.run_cycle(request(&repo, "c-1")).await.unwrap();
    tree.stop().await;

    assert_eq!(record.outcome, Outcome::Passed, "{record:#?}");
    let mut kept = kept_branches(&record);
    kept.sort();
    assert_eq!(kept, ["tdev/auto/c-1-t1", "tdev/auto/c-1-t2"]);
    assert_eq!(
        files_changed(&repo, &kept),
        [["billing/invoice.py"], ["shop/cart.py"]]
    );
    // The record keeps the plan's order, whichever task finished first.
    let order: Vec<&str> = record.attempts.iter().map(|a| a.task.as_str()).collect();
    assert_eq!(order, ["t1", "t2"]);
    // Both attempts were under way before either ended: the two workers coded at once.
    let mut started = 0;
    while let Ok(event) = events.try_recv() {
        match event {
            Event::AttemptStarted { .. } => started += 1,
            Event::AttemptFinished { .. } => break,
            _ => {}
        }
    }
    assert_eq!(
        started, 2,
        "the second attempt started after the first ended"
    );
    assert_eq!(
        user.snapshot().unwrap(),
        before,
        "the user's checkout changed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coder_worker_that_panics_is_replaced_and_the_pool_goes_on() {
    let root = tempfile::tempdir().unwrap();
    let repo = repository(root.path());
    add_billing(&repo);
    let tree = Tree::start(config(root.path())).await.unwrap();
    let mut events = tree.subscribe();

    // One of the two workers panics on the attempt it is given; the other task goes on to
    // its end in the same cycle.
    tree.inject_panic(ActorKind::Coder);
    let failed = tree.run_cycle(request(&repo, "c-1")).await.unwrap();
    assert_eq!(failed.outcome, Outcome::Failed, "{failed:#?}");
    let reason = failed.failure_reason.clone().unwrap_or_default();
    assert!(
        reason.contains("the coder actor failed while serving the cycle"),
        "{reason}"
    );
    // The next cycle has both workers again: the surviving task's change is on its branch
    // already, the other one is made now.
    let next = tree.run_cycle(request(&repo, "c-2")).await.unwrap();
    tree.stop().await;
    assert_eq!(next.outcome, Outcome::Passed, "{next:#?}");
    let mut kept = kept_branches(&failed);
    kept.extend(kept_branches(&next));
    assert_eq!(kept.len(), 2, "{failed:#?}\n{next:#?}");
    assert_eq!(
        files_changed(&repo, &kept),
        [["billing/invoice.py"], ["shop/cart.py"]]
    );
    let mut restarts = Vec::new();
    while let Ok(event) = events.try_recv() {
        if let Event::ActorRestarted { actor, reason } = event {
            restarts.push((actor, reason));
        }
    }
    assert_eq!(restarts.len(), 1, "{restarts:?}");
    assert_eq!(restarts[0].0, ActorKind::Coder);
    assert!(restarts[0].1.contains("injected panic"), "{restarts:?}");
}

/// Makes the shop's only finding a function without a docstring, committed.
fn undocumented(repo: &Path) {
    std::fs::write(
        repo.join("shop/cart.py"),
        "\"\"\"Carts.\"\"\"\n\n\ndef is_empty(items):\n    return items is None\n",
    )
    .unwrap();
    git(repo, &["commit", "-q", "-am", "Carts without a docstring"]);
}

/// Runs one cycle towards better documentation of `repo` (the [`undocumented`] shop) with
/// `config` and `backend`; returns its record and the events the tree sent meanwhile.
async fn documentation_cycle(
    repo: &Path,
    config: TreeConfig,
    backend: BackendChoice,
) -> (CycleRecord, Vec<Event>) {
    let tree = Tree::start(config).await.unwrap();
    let mut events = tree.subscribe();
    let request = CycleRequest {
        goal: "improve documentation".to_owned(),
        backend,
        ..request(repo, "c-1")
    };
    let record = tree.run_cycle(request).await.unwrap();
    tree.stop().await;
    let mut sent = Vec::new();
    while let Ok(event) = events.try_recv() {
        sent.push(event);
    }
    (record, sent)
}

/// Runs one cycle on the [`undocumented`] shop in `root`. Its only task, a docstring, goes to
/// an agent command (`[command]`, `--backend command`) whose change adds the hostile `test` as
/// `tests/<name>`, and the evaluator runs it in the sandbox with the rest of the suite. Checks
/// that every attempt was refused because that new test failed (as pytest reported it under
/// the sandbox) and that no branch was kept; returns the record.
async fn hostile_change_cycle(root: &Path, name: &str, function: &str, test: &str) -> CycleRecord {
    let repo = root.join("shop");
    let agent = root.join("agent");
    std::fs::create_dir_all(&agent).unwrap();
    std::fs::write(agent.join(name), test).unwrap();
    let mut config = config(root);
    config.coder.command = Some(tdev_coder::CommandConfig {
        argv: vec![
            "cp".to_owned(),
            agent.join(name).display().to_string(),
            format!("{{worktree}}/tests/{name}"),
        ],
        timeout_secs: 60,
        env: Default::default(),
    });
    let (record, _) = documentation_cycle(&repo, config, BackendChoice::Command).await;

    assert_eq!(record.outcome, Outcome::Failed, "{record:#?}");
    assert!(git(&repo, &["branch", "--list", "tdev/auto/*"]).is_empty());
    assert_eq!(record.attempts.len(), 3, "{record:#?}");
    let refused = format!("tests/{name}::{function} (new, failed)");
    for attempt in &record.attempts {
        assert!(attempt.change.is_some(), "{attempt:#?}");
        assert!(
            attempt.gate.reasons.iter().any(|r| r.contains(&refused)),
            "{:?}",
            attempt.gate.reasons
        );
    }
    record
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_test_that_writes_outside_its_worktree_is_refused_and_the_cycle_says_why() {
    let root = tempfile::tempdir().unwrap();
    let repo = repository(root.path());
    undocumented(&repo);
    // What the test goes for: the user's uncommitted notes, a new file in their checkout and
    // one in their git directory, and a file of ours in the user's real home (the sandbox
    // gives the test another HOME).
    let home = std::env::var_os("HOME").expect("HOME is set");
    let mut in_home = tempfile::Builder::new()
        .prefix(".tdev-hostile-")
        .tempfile_in(&home)
        .unwrap();
    std::io::Write::write_all(&mut in_home, b"untouched\n").unwrap();
    let targets = [
        repo.join("NOTES.md"),
        repo.join("escaped.txt"),
        repo.join(".git/escaped"),
        in_home.path().to_path_buf(),
    ];
    let targets: Vec<String> = targets
        .iter()
        .map(|t| format!("{:?}", t.display().to_string()))
        .collect();
    let test = format!(
        "\"\"\"Writes outside its worktree: into the user's checkout and home.\"\"\"\n\n\
         TARGETS = [{}]\n\n\n\
         def test_escape():\n\
         \x20   refused = []\n\
         \x20   for target in TARGETS:\n\
         \x20       try:\n\
         \x20           with open(target, \"a\") as f:\n\
         \x20               f.write(\"written from inside the sandbox\\n\")\n\
         \x20       except OSError as e:\n\
         \x20           refused.append(f\"{{target}}: {{e}}\")\n\
         \x20   assert not refused, refused\n",
        targets.join(", ")
    );
    let user = tdev_worktree::Repo::open(&repo).unwrap();
    let before = user.snapshot().unwrap();
    let record = hostile_change_cycle(root.path(), "test_escape.py", "test_escape", &test).await;
    assert_eq!(
        user.snapshot().unwrap(),
        before,
        "the user's checkout changed"
    );
    assert_eq!(
        std::fs::read_to_string(repo.join("NOTES.md")).unwrap(),
        "uncommitted notes\n"
    );
    assert!(!repo.join("escaped.txt").exists());
    assert!(!repo.join(".git/escaped").exists());
    assert_eq!(
        std::fs::read_to_string(in_home.path()).unwrap(),
        "untouched\n"
    );
    assert!(
        record
            .attempts
            .iter()
            .all(|a| a.evaluation.as_ref().is_some_and(|e| e.tests_failed == 1)),
        "{record:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_test_that_opens_a_connection_reaches_nothing_and_the_cycle_says_why() {
    let root = tempfile::tempdir().unwrap();
    undocumented(&repository(root.path()));
    // A listener of ours, outside the sandbox: the only place the test tries to reach.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let test = format!(
        "\"\"\"Phones home: a connection to a listener on this machine.\"\"\"\n\
         import socket\n\n\n\
         def test_phone_home():\n\
         \x20   with socket.create_connection((\"127.0.0.1\", {port}), timeout=5) as connection:\n\
         \x20       connection.sendall(b\"hello from inside the sandbox\")\n"
    );
    hostile_change_cycle(root.path(), "test_phone_home.py", "test_phone_home", &test).await;
    // A connection that was made waits in the listener's queue until accepted, even after
    // its client has gone: there must be none.
    listener.set_nonblocking(true).unwrap();
    let accepted = listener.accept();
    assert!(
        matches!(&accepted, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "the test reached the listener: {accepted:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_on_a_deleted_branch_is_worked_on_again_and_the_same_change_is_not_proposed_twice()
{
    let root = tempfile::tempdir().unwrap();
    let repo = repository(root.path());
    let tree = Tree::start(config(root.path())).await.unwrap();
    let first = tree.run_cycle(request(&repo, "c-1")).await.unwrap();
    assert_eq!(kept_branches(&first), ["tdev/auto/c-1-t1"], "{first:#?}");

    // The user turns the branch down by deleting it: its finding is free again, and a new
    // branch is proposed for it.
    git(&repo, &["branch", "-D", "tdev/auto/c-1-t1"]);
    let second = tree.run_cycle(request(&repo, "c-2")).await.unwrap();
    assert_eq!(kept_branches(&second), ["tdev/auto/c-2-t1"], "{second:#?}");
    assert_eq!(fates(&second), ["tdev/auto/c-1-t1: deleted"], "{second:#?}");

    // A branch outside tdev's knowledge (restored by hand from the first) holds the same
    // change: git's patch id finds it, and nothing is proposed twice.
    git(
        &repo,
        &["branch", "-m", "tdev/auto/c-2-t1", "tdev/auto/by-hand"],
    );
    let third = tree.run_cycle(request(&repo, "c-3")).await.unwrap();
    assert!(kept_branches(&third).is_empty(), "{third:#?}");
    assert_eq!(third.outcome, Outcome::NoChange, "{third:#?}");
    assert!(
        third.attempts[0].gate.reasons[0].contains("already proposed on tdev/auto/by-hand"),
        "{third:#?}"
    );
    // A fate already recorded is not recorded again.
    assert_eq!(fates(&third), ["tdev/auto/c-2-t1: deleted"], "{third:#?}");

    // The maintainer squashes the change into main: both proposals of it are merged now.
    git(&repo, &["merge", "-q", "--squash", "tdev/auto/by-hand"]);
    git(
        &repo,
        &["commit", "-q", "-m", "Compare with None by identity"],
    );
    let fourth = tree.run_cycle(request(&repo, "c-4")).await.unwrap();
    tree.stop().await;
    assert_eq!(
        fates(&fourth),
        ["tdev/auto/c-1-t1: merged", "tdev/auto/c-2-t1: merged"],
        "{fourth:#?}"
    );
}

/// The `already_refused` count of the cycle's `Planned` event among the events received.
fn refused_at_planning(events: &mut tokio::sync::broadcast::Receiver<Event>) -> Option<usize> {
    while let Ok(event) = events.try_recv() {
        if let Event::Planned {
            already_refused, ..
        } = event
        {
            return Some(already_refused);
        }
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tool_change_the_gate_refused_is_not_tried_again_on_the_same_commit() {
    let root = tempfile::tempdir().unwrap();
    let repo = repository(root.path());
    // ruff's unsafe fix for E731 turns the lambda into a function without a docstring, which
    // the gate refuses (docstring coverage falls).
    std::fs::write(
        repo.join("shop/price.py"),
        "\"\"\"Prices.\"\"\"\n\ndouble = lambda amount: 2 * amount\n",
    )
    .unwrap();
    git(&repo, &["add", "shop/price.py"]);
    git(&repo, &["commit", "-q", "-m", "Prices"]);
    let head = git(&repo, &["rev-parse", "HEAD"]).trim().to_owned();
    let is_e731 = |a: &&tdev_core::Attempt| a.strategy.to_string() == "ruff-unsafe-fix:E7";

    let tree = Tree::start(config(root.path())).await.unwrap();
    let mut events = tree.subscribe();
    let first = tree.run_cycle(request(&repo, "c-1")).await.unwrap();
    assert_eq!(first.base_commit.as_deref(), Some(head.as_str()));
    let refused = first
        .attempts
        .iter()
        .find(is_e731)
        .expect("an E731 attempt");
    assert!(
        refused.evaluation.is_some() && !refused.gate.passed,
        "{first:#?}"
    );
    assert!(
        refused
            .gate
            .reasons
            .iter()
            .any(|r| r.contains("Docstring coverage")),
        "{refused:#?}"
    );
    assert_eq!(refused_at_planning(&mut events), Some(0));

    // On the same commit the same tool would make the same change: it is left out.
    let second = tree.run_cycle(request(&repo, "c-2")).await.unwrap();
    assert!(!second.attempts.iter().any(|a| is_e731(&a)), "{second:#?}");
    assert_eq!(refused_at_planning(&mut events), Some(1));

    // A new commit may change the verdict: the finding is tried again.
    std::fs::write(repo.join("CHANGES.md"), "1.1: prices\n").unwrap();
    git(&repo, &["add", "CHANGES.md"]);
    git(&repo, &["commit", "-q", "-m", "Changes"]);
    let third = tree.run_cycle(request(&repo, "c-3")).await.unwrap();
    tree.stop().await;
    assert!(third.attempts.iter().any(|a| is_e731(&a)), "{third:#?}");
    assert_eq!(refused_at_planning(&mut events), Some(0));
}

/// Regression: a ruff fix that the fixer itself refused before the gate (an unused import in
/// a module of names for other code to import, whose importers would break) was tried again
/// in every cycle on the same commit, and each of those cycles ended failed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tool_change_refused_before_the_gate_is_not_tried_again_on_the_same_commit() {
    let root = tempfile::tempdir().unwrap();
    let repo = repository(root.path());
    std::fs::write(
        repo.join("shop/compat.py"),
        "\"\"\"Names kept for older importers.\"\"\"\n\nfrom shop.cart import is_empty\n",
    )
    .unwrap();
    git(&repo, &["add", "shop/compat.py"]);
    git(&repo, &["commit", "-q", "-m", "Compatibility"]);
    let is_f4 = |a: &&tdev_core::Attempt| a.strategy.name() == "F4";

    let tree = Tree::start(config(root.path())).await.unwrap();
    let mut events = tree.subscribe();
    let first = tree.run_cycle(request(&repo, "c-1")).await.unwrap();
    let refused: Vec<(String, Vec<String>)> = first
        .attempts
        .iter()
        .filter(is_f4)
        .map(|a| (a.strategy.to_string(), a.gate.failed.clone()))
        .collect();
    // The safe fix removes the import and is turned down; the unsafe one adds nothing to it.
    assert_eq!(
        refused,
        [
            (
                "ruff-fix:F4".to_owned(),
                vec!["removes_exported_name".to_owned()]
            ),
            (
                "ruff-unsafe-fix:F4".to_owned(),
                vec!["no_change".to_owned()]
            ),
        ],
        "{first:#?}"
    );
    assert!(
        first
            .attempts
            .iter()
            .filter(is_f4)
            .all(|a| a.evaluation.is_none()),
        "{first:#?}"
    );
    assert_eq!(refused_at_planning(&mut events), Some(0));

    // On the same commit the fixer would turn the same change down: it is left out, and with
    // the codemod's change waiting on its branch there is nothing to do, which is no failure.
    let second = tree.run_cycle(request(&repo, "c-2")).await.unwrap();
    tree.stop().await;
    assert!(!second.attempts.iter().any(|a| is_f4(&a)), "{second:#?}");
    assert_eq!(refused_at_planning(&mut events), Some(1));
    assert_eq!(second.outcome, Outcome::NoChange, "{second:#?}");
}

/// Two repositories given to one tree at the same time: their cycles run side by side (both
/// start before either ends, and the tree answers a status request meanwhile), each keeps its
/// own branch in its own repository, both are recorded and SHACL-valid, and neither checkout
/// changes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_tree_evolves_two_repositories_at_once() {
    let root = tempfile::tempdir().unwrap();
    let repos = [
        repository(&root.path().join("a")),
        repository(&root.path().join("b")),
    ];
    let before: Vec<_> = repos
        .iter()
        .map(|r| tdev_worktree::Repo::open(r).unwrap().snapshot().unwrap())
        .collect();
    let tree = Tree::start(config(root.path())).await.unwrap();
    let mut events = tree.subscribe();
    let named = |repo: &Path, id: &str, name: &str| CycleRequest {
        repository: name.to_owned(),
        ..request(repo, id)
    };
    let watch = async {
        let mut started = Vec::new();
        while started.len() < 2 {
            match events.recv().await.unwrap() {
                Event::CycleStarted { cycle, .. } => started.push(cycle),
                Event::CycleFinished { cycle, .. } => {
                    panic!("{cycle} ended before both had started: {started:?}")
                }
                _ => {}
            }
        }
        let status = tree.status().await.unwrap();
        (started, status)
    };
    let (a, b, (started, status)) = tokio::join!(
        tree.run_cycle(named(&repos[0], "a-1", "shop-a")),
        tree.run_cycle(named(&repos[1], "b-1", "shop-b")),
        watch,
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(started.len(), 2);
    let mut running: Vec<&str> = status
        .iter()
        .filter(|s| s.started_at.is_some())
        .map(|s| s.cycle.as_str())
        .collect();
    running.sort_unstable();
    assert_eq!(running, ["a-1", "b-1"], "{status:#?}");
    assert!(tree.status().await.unwrap().is_empty());
    tree.stop().await;

    assert_eq!(a.outcome, Outcome::Passed, "{a:#?}");
    assert_eq!(b.outcome, Outcome::Passed, "{b:#?}");
    assert_eq!(kept_branches(&a), ["tdev/auto/a-1-t1"]);
    assert_eq!(kept_branches(&b), ["tdev/auto/b-1-t1"]);
    for (repo, (branch, other)) in repos.iter().zip([
        ("tdev/auto/a-1-t1", "tdev/auto/b-1-t1"),
        ("tdev/auto/b-1-t1", "tdev/auto/a-1-t1"),
    ]) {
        let listed = git(repo, &["branch", "--list", "tdev/auto/*"]);
        assert!(
            listed.contains(branch) && !listed.contains(other),
            "{listed}"
        );
    }
    for (repo, before) in repos.iter().zip(&before) {
        let after = tdev_worktree::Repo::open(repo).unwrap().snapshot().unwrap();
        assert_eq!(&after, before, "the checkout of {} changed", repo.display());
    }
    let (conforms, report) = shacl(&[a, b]);
    assert!(conforms, "{report}");
}

/// With no model configured, the docstring only a model could write is not planned, let
/// alone attempted, and the plan says how to have it done.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_no_model_configured_model_work_is_not_planned_and_the_plan_says_so() {
    let root = tempfile::tempdir().unwrap();
    let repo = repository(root.path());
    undocumented(&repo);
    let (record, events) =
        documentation_cycle(&repo, config(root.path()), BackendChoice::Auto).await;
    assert!(record.tasks.is_empty(), "{record:#?}");
    assert!(record.attempts.is_empty(), "{record:#?}");
    assert_eq!(record.outcome, Outcome::NoChange, "{record:#?}");
    let said = events.into_iter().find_map(|event| match event {
        Event::Planned { needs_model, .. } => needs_model.map(|n| n.to_string()),
        _ => None,
    });
    assert_eq!(
        said.as_deref(),
        Some(
            "1 task needs a model (docstrings): add an [llm] table to tdev.toml, see \
             docs/backends.md"
        )
    );
}

/// Regression: a model strategy whose backend could not start (here the variable the [llm]
/// table names for the key is unset) was attempted three times, and the cycle said "none of
/// the 3 attempts passed the gate" though no attempt reached it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_strategy_that_cannot_start_is_tried_once_and_the_cycle_says_no_attempt_reached_the_gate()
{
    let root = tempfile::tempdir().unwrap();
    let repo = repository(root.path());
    undocumented(&repo);
    let mut config = config(root.path());
    let mut llm = tdev_coder::LlmConfig::new(tdev_coder::Provider::Openai, "m");
    llm.api_key_env = Some("TDEV_TEST_KEY_THAT_IS_NEVER_SET".to_owned());
    // Nothing listens there, should a request go out after all.
    llm.base_url = Some("http://127.0.0.1:9".to_owned());
    config.coder.llm = Some(llm);
    let (record, _) = documentation_cycle(&repo, config, BackendChoice::Auto).await;
    let tried: Vec<String> = record
        .attempts
        .iter()
        .map(|a| a.strategy.to_string())
        .collect();
    assert_eq!(tried, ["llm:docstrings"], "{record:#?}");
    assert_eq!(record.outcome, Outcome::Failed, "{record:#?}");
    let reason = record.failure_reason.as_deref().unwrap_or_default();
    assert!(
        reason.starts_with("no attempt reached the gate: llm:docstrings: could not start: ")
            && reason.contains("TDEV_TEST_KEY_THAT_IS_NEVER_SET"),
        "{reason}"
    );
}

/// The events of one kind received so far, in order.
fn drain<T>(
    events: &mut tokio::sync::broadcast::Receiver<Event>,
    pick: impl Fn(Event) -> Option<T>,
) -> Vec<T> {
    let mut out = Vec::new();
    while let Ok(event) = events.try_recv() {
        out.extend(pick(event));
    }
    out
}

/// The Learn phase: after the first recorded cycle the planner's models are trained and kept
/// as version 1 (a file in the data directory and a SHACL-valid record in that cycle's
/// graph), and the next cycle plans with them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cycle_trains_the_planners_models_and_the_next_cycle_plans_with_them() {
    use tdev_actors::Learned;
    let root = tempfile::tempdir().unwrap();
    let repo = repository(root.path());
    let tree = Tree::start(config(root.path())).await.unwrap();
    let mut events = tree.subscribe();
    let first = tree.run_cycle(request(&repo, "c-1")).await.unwrap();
    assert!(!first.attempts.is_empty(), "{first:#?}");
    let planned = |e: Event| match e {
        Event::Planned { estimated_by, .. } => Some(estimated_by),
        Event::Learned { learned, .. } => Some(format!("{learned:?}")),
        _ => None,
    };
    let seen = drain(&mut events, planned);
    assert_eq!(seen[0], "the heuristic", "{seen:?}");
    let kept = format!(
        "{:?}",
        Ok::<_, String>(Learned::Kept {
            version: 1,
            rows: first.attempts.len(),
            held_out: None
        })
    );
    assert_eq!(seen[1], kept, "{seen:?}");
    let model = root.path().join("data/models/planner-v1.bin");
    assert!(model.is_file(), "{} was not written", model.display());

    // A new finding on a new commit: the second cycle's plan is estimated by version 1.
    add_billing(&repo);
    let second = tree.run_cycle(request(&repo, "c-2")).await.unwrap();
    tree.stop().await;
    assert!(!second.tasks.is_empty(), "{second:#?}");
    let seen = drain(&mut events, planned);
    assert!(
        seen[0].starts_with("learned models v1 ("),
        "the second plan was not made with the learned models: {seen:?}"
    );
    // Its attempts were held out: the candidate was kept as version 2 or refused.
    assert!(
        seen[1].contains("Kept { version: 2") || seen[1].contains("Refused { version: 1"),
        "{seen:?}"
    );

    // The model is recorded in the graph of the cycle that trained it, and SHACL-valid.
    let graph = KnowledgeGraph::open(&root.path().join("data/graph")).unwrap();
    let versions = query_strings(
        &graph,
        "PREFIX tdev: <https://tdev.dev/ns#> PREFIX prov: <http://www.w3.org/ns/prov#>
         SELECT ?version WHERE { ?m a tdev:Model ; tdev:version ?version ;
           prov:wasGeneratedBy <https://tdev.dev/id/cycle/c-1> }",
        "version",
    );
    assert_eq!(versions, ["1"]);
    let mut data = Vec::new();
    for cycle in ["c-1", "c-2"] {
        data = graph
            .dump(
                data,
                tdev_knowledge::GraphFormat::NTriples,
                Some(tdev_knowledge::vocab::cycle_graph(cycle).as_str()),
            )
            .unwrap();
    }
    data = graph
        .dump(
            data,
            tdev_knowledge::GraphFormat::NTriples,
            Some(tdev_knowledge::vocab::REPOSITORIES_GRAPH),
        )
        .unwrap();
    let (conforms, report) = shacl_ntriples(&data);
    assert!(conforms, "{report}");
}
