//! One evolution cycle, driven by the root through its children: research, plan, then for each
//! task up to three attempts (code, evaluate, gate, merge or discard), then learn. The tasks of
//! one parallel group of the plan run at the same time (the coder is a pool; the evaluator
//! takes their changes one after the other); the next group starts when the whole group is
//! done, so a task's prerequisites have passed or failed before it is considered.
//!
//! Every way a cycle can go wrong ends in a record: an actor that fails or panics while serving
//! the cycle makes it a failed cycle with the reason, and the curator writes it all the same.

use crate::coder::{AttemptJob, AttemptOutput, NoChange};
use crate::curator::{CuratorMsg, Lesson};
use crate::evaluator::{EvaluatorMsg, Verdict};
use crate::planner::PlannerMsg;
use crate::pool::CoderMsg;
use crate::research::ResearchMsg;
use crate::root::{Children, RootArgs};
use crate::{ActorKind, Event, PhaseError};
use ractor::rpc::CallResult;
use ractor::{ActorRef, Message, RpcReplyPort};
use std::collections::{HashMap, HashSet, VecDeque};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tdev_core::{
    Attempt, Baseline, Change, CycleRecord, Finding, GateDecision, Language, Outcome,
    PatternOutcome, Repository, Strategy, Task, Timestamp, Trigger,
};
use tdev_learners::rand::SeedableRng;
use tdev_learners::rand::rngs::StdRng;
use tdev_planner::{BackendChoice, Backends, Earlier, LearnedEstimator, SharedEstimator};
use tokio::sync::broadcast;
use tracing::Instrument as _;
use tracing::field::Empty;

/// What to run a cycle on, and how.
#[derive(Clone, Debug, PartialEq)]
pub struct CycleRequest {
    /// The cycle's id (letters, digits, `.`, `_`, `-`; part of branch names and IRIs).
    pub id: String,
    /// The repository's top level.
    pub repo: PathBuf,
    /// Its short name in the knowledge graph.
    pub repository: String,
    /// The goal in words (see `tdev plan --help`).
    pub goal: String,
    /// At most this many tasks.
    pub max_tasks: usize,
    /// What started it.
    pub trigger: Trigger,
    /// Research and plan only: no worktree, no change.
    pub dry_run: bool,
    /// Which backends may change code (`--backend`): with the configuration, what the cycle
    /// plans and attempts.
    pub backend: BackendChoice,
}

const SCAN_TIMEOUT: Duration = Duration::from_secs(15 * 60);
const PLAN_TIMEOUT: Duration = Duration::from_secs(5 * 60);
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(60 * 60);
const EVALUATE_TIMEOUT: Duration = Duration::from_secs(2 * 60 * 60);
const RECORD_TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// Runs the cycle and returns its record and whether the curator recorded it (if not, the
/// record says why, and the root records it once the curator is back). The cycle runs in a
/// `cycle` span of its own, the root of its trace, whatever the caller's span.
pub(crate) async fn run(
    children: &Children,
    args: &RootArgs,
    request: CycleRequest,
) -> (CycleRecord, bool) {
    let span = tracing::info_span!(
        parent: None,
        "cycle",
        cycle.id = %request.id,
        repository = %request.repository,
        backend = %request.backend.as_str(),
        trigger = %request.trigger.as_str(),
        outcome = Empty,
        otel.status_code = Empty,
    );
    let (record, recorded) = run_in_span(children, args, request)
        .instrument(span.clone())
        .await;
    span.record("outcome", tracing::field::display(record.outcome.as_str()));
    if record.outcome == Outcome::Failed {
        span.record("otel.status_code", "error");
    }
    (record, recorded)
}

async fn run_in_span(
    children: &Children,
    args: &RootArgs,
    request: CycleRequest,
) -> (CycleRecord, bool) {
    let events = &args.events;
    let _ = events.send(Event::CycleStarted {
        cycle: request.id.clone(),
        repository: request.repository.clone(),
    });
    let started_at = Timestamp::now();
    let mut record = CycleRecord {
        id: request.id.clone(),
        repository: Repository {
            name: request.repository.clone(),
            location: request.repo.display().to_string(),
            language: Language::Other,
        },
        base_commit: None,
        trigger: request.trigger,
        goal: request.goal.clone(),
        started_at,
        ended_at: started_at,
        outcome: Outcome::NoChange,
        failure_reason: None,
        findings: Vec::new(),
        tasks: Vec::new(),
        attempts: Vec::new(),
        models: Vec::new(),
        branch_fates: Vec::new(),
    };
    let mut lessons = Vec::new();
    let mut duplicates = HashSet::new();
    let driven = drive(
        children,
        args,
        &request,
        &mut record,
        &mut lessons,
        &mut duplicates,
    )
    .await;
    // The cycle's baseline and checkout are of no more use; the next cycle makes its own.
    let _ = children.evaluator.cast(EvaluatorMsg::End {
        cycle: request.id.clone(),
    });
    let _ = children.coder.cast(CoderMsg::End {
        cycle: request.id.clone(),
    });
    match driven {
        Err(reason) => {
            record.outcome = Outcome::Failed;
            record.failure_reason = Some(reason.to_string());
        }
        Ok(()) => {
            // Nothing new to propose (every change is already on a branch) is not a failure.
            (record.outcome, record.failure_reason) =
                tdev_planner::cycle_outcome(&record.attempts, |a| {
                    duplicates.contains(&(a.task.clone(), a.number))
                });
        }
    }
    record.ended_at = Timestamp::now();
    let span = tracing::info_span!("record");
    let recorded = call(
        &children.curator,
        ActorKind::Curator,
        RECORD_TIMEOUT,
        span,
        |reply, span| CuratorMsg::Record {
            record: Box::new(record.clone()),
            lessons,
            span,
            reply,
        },
    )
    .await
    .and_then(|r| r);
    let was_recorded = recorded.is_ok();
    if let Err(reason) = recorded {
        record.outcome = Outcome::Failed;
        let previous = record.failure_reason.take();
        record.failure_reason = Some(match previous {
            Some(previous) => format!("{previous}; then recording failed: {reason}"),
            None => format!("recording failed: {reason}"),
        });
    }
    if was_recorded {
        // Learn: the planner's models retrained on what this cycle added. A failure here
        // loses nothing (the cycle is recorded; the models in use stay) and is reported.
        let span = tracing::info_span!("learn");
        let learned = call(
            &children.curator,
            ActorKind::Curator,
            RECORD_TIMEOUT,
            span,
            |reply, span| CuratorMsg::Learn {
                cycle: record.id.clone(),
                started_at: record.started_at,
                span,
                reply,
            },
        )
        .await
        .and_then(|r| r)
        .map_err(|e| e.to_string());
        if let Err(reason) = &learned {
            tracing::warn!("the Learn phase of cycle {} failed: {reason}", record.id);
        }
        let _ = events.send(Event::Learned {
            cycle: record.id.clone(),
            learned,
        });
    }
    let _ = events.send(Event::CycleFinished {
        cycle: record.id.clone(),
        outcome: record.outcome,
        reason: record.failure_reason.clone(),
    });
    (record, was_recorded)
}

/// Records a cycle whose recording failed, once the curator is back.
pub(crate) async fn record_again(
    children: &Children,
    record: &CycleRecord,
) -> Result<String, PhaseError> {
    call(
        &children.curator,
        ActorKind::Curator,
        RECORD_TIMEOUT,
        // Written before the next cycle, outside any: a trace of its own.
        tracing::info_span!(parent: None, "record", cycle.id = %record.id),
        |reply, span| CuratorMsg::Record {
            record: Box::new(record.clone()),
            lessons: Vec::new(),
            span,
            reply,
        },
    )
    .await?
}

async fn drive(
    children: &Children,
    args: &RootArgs,
    request: &CycleRequest,
    record: &mut CycleRecord,
    lessons: &mut Vec<Lesson>,
    duplicates: &mut HashSet<(String, u32)>,
) -> Result<(), PhaseError> {
    let events = &args.events;
    let span = tracing::info_span!("research");
    let scan = call(
        &children.research,
        ActorKind::Research,
        SCAN_TIMEOUT,
        span,
        |reply, span| ResearchMsg::Scan {
            repo: request.repo.clone(),
            span,
            reply,
        },
    )
    .await??;
    record.repository.language = scan.main_language();
    record.findings = scan.findings.clone();
    let _ = events.send(Event::Researched {
        cycle: request.id.clone(),
        findings: scan.findings.len(),
        files: scan.summary.files,
    });

    // The plan phase: what the checkout and earlier cycles say, then the planner.
    let plan_span = tracing::info_span!("plan");
    let checkout = checkout_state(&request.repo)
        .instrument(plan_span.clone())
        .await;
    record.base_commit.clone_from(&checkout.head);
    // What earlier cycles proposed and is still waiting on its branch, and what every tool
    // tried and had refused (by the gate or by the tool itself) on this very commit
    // (`tdev_planner::select` says why).
    let history = call(
        &children.curator,
        ActorKind::Curator,
        RECORD_TIMEOUT,
        plan_span.clone(),
        |reply, span| CuratorMsg::History {
            repository: request.repository.clone(),
            base_commit: checkout.head.clone(),
            span,
            reply,
        },
    )
    .await??;
    // What became of the branches earlier cycles proposed: the label their maintainers gave.
    let observed = branch_fates(
        &request.repo,
        tdev_core::fates_to_observe(history.branches, &history.fates),
        args.config.stale_after,
    )
    .instrument(plan_span.clone())
    .await;
    record.branch_fates = tdev_core::fates_to_record(observed, &history.fates);
    let mut earlier = Earlier {
        waiting: history
            .proposals
            .into_iter()
            .filter(|p| checkout.branches.contains(&p.branch))
            .map(|p| p.finding)
            .collect(),
        refused: history
            .refusals
            .into_iter()
            .map(|r| (r.finding, r.strategies))
            .collect(),
    };
    let backends = available_backends(&args.config.coder, request.backend);
    let language = record.repository.language;
    let models = history
        .models
        .as_ref()
        .map(|current| current.models.clone());
    let estimator = history.models.map(|current| {
        let baseline = Baseline {
            repository_lines: Some(scan.summary.sloc),
            ..Baseline::unknown(language)
        };
        let label = current.describe();
        let learned = LearnedEstimator::new(current.models, baseline)
            .with_history(history.strategies)
            .with_label(label);
        Arc::new(learned) as SharedEstimator
    });
    let selection = tdev_planner::select(&scan.findings, &earlier, &backends, |path| {
        args.config.gates.is_test_file(path)
    });
    let plan = call(
        &children.planner,
        ActorKind::Planner,
        PLAN_TIMEOUT,
        plan_span,
        |reply, span| PlannerMsg::Plan {
            goal: request.goal.clone(),
            findings: selection.plannable,
            max_tasks: request.max_tasks,
            backends,
            estimator,
            span,
            reply,
        },
    )
    .await??;
    record.tasks = plan.tasks.clone();
    for task in &mut record.tasks {
        task.baseline = Some(task_baseline(&scan, &plan, task, language));
    }
    let _ = events.send(Event::Planned {
        cycle: request.id.clone(),
        tasks: plan.tasks.len(),
        already_proposed: selection.already_proposed,
        already_refused: selection.already_refused,
        needs_model: plan.needs_model.clone(),
        estimated_by: plan.estimated_by.clone(),
    });
    if request.dry_run || plan.tasks.is_empty() {
        return Ok(());
    }

    // The baseline phase: the repository opened for worktrees, the untouched code measured.
    let baseline_span = tracing::info_span!("baseline");
    let base = call(
        &children.coder,
        ActorKind::Coder,
        ATTEMPT_TIMEOUT,
        baseline_span.clone(),
        |reply, span| CoderMsg::Begin {
            cycle: request.id.clone(),
            repo: request.repo.clone(),
            span,
            reply,
        },
    )
    .await??;
    record.base_commit = Some(base.clone());
    call(
        &children.evaluator,
        ActorKind::Evaluator,
        EVALUATE_TIMEOUT,
        baseline_span,
        |reply, span| EvaluatorMsg::Baseline {
            cycle: request.id.clone(),
            repo: request.repo.clone(),
            base: base.clone(),
            scan: Box::new(scan.clone()),
            span,
            reply,
        },
    )
    .await??;

    // Refusals hold for the commit they were made on, which is the one planned from unless
    // the checkout moved since.
    if checkout.head.as_ref() != Some(&base) {
        earlier.refused.clear();
    }
    let context = TaskContext {
        coder: children.coder.clone(),
        evaluator: children.evaluator.clone(),
        events: args.events.clone(),
        request: Arc::new(request.clone()),
        base,
        backends,
        language: record.repository.language,
        refused: Arc::new(earlier.refused),
        models,
        attempts: args.config.attempts.clone(),
    };
    let mut passed: HashSet<String> = HashSet::new();
    let mut runs: HashMap<String, TaskRun> = HashMap::new();
    let mut stopped: Option<PhaseError> = None;
    for group in plan.task_groups() {
        let mut running = tokio::task::JoinSet::new();
        for task in group {
            // A task whose prerequisite did not pass is not attempted: its change would be
            // judged on code the plan expected to be different. Nor is any once the kill
            // switch is on.
            if context.attempts.is_halted() || task.depends_on.iter().any(|d| !passed.contains(d)) {
                continue;
            }
            let findings: Vec<Finding> = record
                .findings
                .iter()
                .filter(|f| task.addresses.contains(&f.id))
                .cloned()
                .collect();
            let (context, task) = (context.clone(), task.clone());
            // Spawned, so given its span explicitly: a new task starts outside every span.
            let span = tracing::info_span!(
                "task",
                task.id = %task.id,
                task.kind = %task.kind,
                strategy = %task.strategy,
                passed = Empty,
            );
            let task_span = span.clone();
            running.spawn(
                async move {
                    let mut run = TaskRun::default();
                    run.result = run_task(&context, &task, &findings, &mut run).await;
                    if let Ok(passed) = &run.result {
                        task_span.record("passed", passed);
                    }
                    (task.id, run)
                }
                .instrument(span),
            );
        }
        let mut failed = false;
        while let Some(joined) = running.join_next().await {
            let (id, run) = match joined {
                Ok(done) => done,
                // Only a bug in the cycle itself gets here (actors' failures are replies).
                Err(e) => {
                    failed = true;
                    stopped.get_or_insert(PhaseError::interrupted("a task of the cycle")(e));
                    continue;
                }
            };
            match run.result {
                Ok(true) => {
                    passed.insert(id.clone());
                }
                Ok(false) => {}
                Err(_) => failed = true,
            }
            runs.insert(id, run);
        }
        // A failed actor ends the cycle, once the rest of its group has kept or discarded
        // what it made.
        if failed {
            break;
        }
    }
    // The record lists the attempts in the plan's order, whatever order they finished in.
    let mut failure = None;
    for task in &plan.tasks {
        if let Some(run) = runs.remove(&task.id) {
            record.attempts.extend(run.attempts);
            lessons.extend(run.lessons);
            duplicates.extend(run.duplicates.into_iter().map(|n| (task.id.clone(), n)));
            if let Err(reason) = run.result {
                failure.get_or_insert(reason);
            }
        }
    }
    match failure.or(stopped) {
        Some(reason) => Err(reason),
        None => Ok(()),
    }
}

/// What the cycle's backends can do: the request's choice and what the configuration holds.
fn available_backends(config: &crate::CoderConfig, choice: BackendChoice) -> Backends {
    Backends::new(choice, config.llm.is_some(), config.command.is_some())
}

/// What every task of a cycle needs, owned, so that the tasks of a group run as tasks of
/// their own.
#[derive(Clone)]
struct TaskContext {
    coder: ActorRef<CoderMsg>,
    evaluator: ActorRef<EvaluatorMsg>,
    events: broadcast::Sender<Event>,
    request: Arc<CycleRequest>,
    base: String,
    backends: Backends,
    language: Language,
    /// For findings whose tool strategies were all refused on this base commit, those
    /// strategies: they are not tried again on it.
    refused: Arc<HashMap<String, Vec<Strategy>>>,
    /// The planner's learned models, when trained: their posteriors choose which of a
    /// task's strategies is tried first.
    models: Option<Arc<tdev_learners::LearnedModels>>,
    /// The kill switch: on, no new attempt starts.
    attempts: crate::AttemptSwitch,
}

/// What came of one task: its attempts and lessons, and whether one passed (`Err` when an
/// actor failed while serving it).
struct TaskRun {
    attempts: Vec<Attempt>,
    lessons: Vec<Lesson>,
    /// The numbers of its attempts whose change was already proposed on a branch.
    duplicates: Vec<u32>,
    result: Result<bool, PhaseError>,
}

impl Default for TaskRun {
    fn default() -> Self {
        TaskRun {
            attempts: Vec::new(),
            lessons: Vec::new(),
            duplicates: Vec::new(),
            result: Ok(false),
        }
    }
}

/// What a cycle needs to know of the repository's git state before it plans.
#[derive(Debug, Default)]
struct CheckoutState {
    /// The commit checked out, when there is one.
    head: Option<String>,
    /// The `tdev/auto/` branches that exist: a proposal whose branch is gone was merged or
    /// turned down, and its findings may be worked on again.
    branches: HashSet<String>,
}

async fn checkout_state(repo: &std::path::Path) -> CheckoutState {
    let repo = repo.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let Ok(repo) = tdev_worktree::Repo::open(&repo) else {
            return CheckoutState::default();
        };
        CheckoutState {
            head: repo.head().ok(),
            branches: repo
                .branches(tdev_worktree::BRANCH_PREFIX)
                .map(|branches| branches.into_iter().collect())
                .unwrap_or_default(),
        }
    })
    .await
    .unwrap_or_default()
}

/// What became of the `proposed` branches, as the repository shows now. A fate is a label
/// for learning, not something the cycle needs: when git cannot tell (no default branch, a
/// shallow clone, git failing), the cycle goes on and records none.
async fn branch_fates(
    repo: &std::path::Path,
    proposed: Vec<tdev_core::ProposedBranch>,
    stale_after: Duration,
) -> Vec<tdev_core::BranchFate> {
    if proposed.is_empty() {
        return Vec::new();
    }
    let repo = repo.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let repo = tdev_worktree::Repo::open(&repo).ok()?;
        let default = repo.default_branch().ok()??;
        repo.branch_fates(&default, &proposed, Timestamp::now(), stale_after)
            .ok()
    })
    .await
    .ok()
    .flatten()
    .unwrap_or_default()
}

/// Up to three attempts at one task; returns whether one passed the gate.
async fn run_task(
    context: &TaskContext,
    task: &Task,
    findings: &[Finding],
    run: &mut TaskRun,
) -> Result<bool, PhaseError> {
    let request = &*context.request;
    let mut feedback: Vec<String> = Vec::new();
    let mut order = tdev_planner::attempt_order(task, &context.refused, &context.backends);
    if let Some(models) = &context.models {
        // Seeded by the cycle and task, so that a cycle's choices can be replayed.
        let seed = tdev_core::stable_hash(format!("{}/{}", request.id, task.id).as_bytes());
        let mut rng = <StdRng as SeedableRng>::seed_from_u64(seed);
        order = tdev_planner::order_by_posteriors(order, task, models.posteriors(), &mut rng);
    }
    let mut order: VecDeque<Strategy> = order.into();
    let mut number = 0;
    while let Some(strategy) = order.pop_front() {
        // The kill switch (`tdev pause --now`, or the daemon stopping) lets the attempt under
        // way finish and starts no other.
        if context.attempts.is_halted() {
            break;
        }
        number += 1;
        // The attempt's phases are its children, named explicitly: the attempt is not the
        // current span of this task.
        let attempt_span = tracing::info_span!(
            "attempt",
            // Signed: OpenTelemetry's integers are, and an unsigned one would become text.
            attempt.number = i64::from(number),
            strategy = %strategy,
            backend = Empty,
            gate.passed = Empty,
            gate.failed = Empty,
            no_change = Empty,
        );
        let _ = context.events.send(Event::AttemptStarted {
            cycle: request.id.clone(),
            task: task.id.clone(),
            number,
            strategy: strategy.clone(),
        });
        let started_at = Timestamp::now();
        let clock = Instant::now();
        let job = AttemptJob {
            cycle: request.id.clone(),
            base: context.base.clone(),
            task: task.clone(),
            number,
            strategy: strategy.clone(),
            findings: findings.to_vec(),
            feedback: feedback.clone(),
        };
        let span = tracing::info_span!(parent: &attempt_span, "code");
        let output: AttemptOutput = call(
            &context.coder,
            ActorKind::Coder,
            ATTEMPT_TIMEOUT,
            span,
            |reply, span| CoderMsg::Attempt {
                job: Box::new(job),
                span,
                reply,
            },
        )
        .await?;
        attempt_span.record("backend", output.backend.as_str());
        let mut attempt = Attempt {
            task: task.id.clone(),
            number,
            strategy: strategy.clone(),
            backend: output.backend.clone(),
            started_at,
            duration_secs: 0.0,
            change: None,
            evaluation: None,
            gate: GateDecision {
                passed: false,
                reasons: Vec::new(),
                failed: Vec::new(),
            },
            usage: output.usage,
        };
        let mut kept_branch = None;
        match &output.result {
            Err(reason) => {
                attempt_span.record("no_change", tracing::field::display(reason));
                attempt.gate.reasons.push(reason.to_string());
                // Named like a gate condition, so that later cycles on this commit know the
                // backend would turn the same change down again.
                attempt
                    .gate
                    .failed
                    .extend(reason.refusal().map(|r| r.to_string()));
            }
            Ok(change) => {
                let span = tracing::info_span!(parent: &attempt_span, "evaluate");
                let verdict: Verdict = call(
                    &context.evaluator,
                    ActorKind::Evaluator,
                    EVALUATE_TIMEOUT,
                    span,
                    |reply, span| EvaluatorMsg::Evaluate {
                        cycle: context.request.id.clone(),
                        worktree: change.worktree.clone(),
                        diff: change.diff.clone(),
                        task_kind: task.kind.clone(),
                        span,
                        reply,
                    },
                )
                .await??;
                attempt_span.record("gate.passed", verdict.decision.passed);
                if !verdict.decision.failed.is_empty() {
                    let failed = verdict.decision.failed.join(",");
                    attempt_span.record("gate.failed", failed.as_str());
                }
                let merge = tracing::info_span!(
                    parent: &attempt_span,
                    "merge",
                    kept = verdict.decision.passed
                );
                attempt.evaluation = Some(verdict.evaluation.clone());
                attempt.gate = verdict.decision.clone();
                attempt.change = Some(Change {
                    branch: change.branch.clone(),
                    commit: None,
                    files_changed: change.files_changed,
                    lines_added: change.lines_added,
                    lines_removed: change.lines_removed,
                });
                if attempt.gate.passed {
                    let message = crate::coder::commit_message(
                        request,
                        task,
                        findings,
                        &change.files,
                        &attempt,
                        &verdict,
                    );
                    let commit = call(
                        &context.coder,
                        ActorKind::Coder,
                        ATTEMPT_TIMEOUT,
                        merge,
                        |reply, span| CoderMsg::Keep {
                            branch: change.branch.clone(),
                            message,
                            span,
                            reply,
                        },
                    )
                    .await??;
                    if let Some(change) = attempt.change.as_mut() {
                        change.commit = Some(commit);
                    }
                    kept_branch = Some(change.branch.clone());
                } else {
                    call(
                        &context.coder,
                        ActorKind::Coder,
                        ATTEMPT_TIMEOUT,
                        merge,
                        |reply, span| CoderMsg::Discard {
                            branch: change.branch.clone(),
                            span,
                            reply,
                        },
                    )
                    .await??;
                    // An attempt that changed nothing is not a lesson about the strategy.
                }
                run.lessons.push(Lesson {
                    situation: crate::coder::situation(task, findings),
                    strategy: strategy.clone(),
                    language: context.language,
                    outcome: if attempt.gate.passed {
                        PatternOutcome::Success
                    } else {
                        PatternOutcome::Failure
                    },
                    change: change.diff_with_context.clone(),
                });
            }
        }
        attempt.duration_secs = clock.elapsed().as_secs_f64();
        let passed = attempt.gate.passed;
        let _ = context.events.send(Event::AttemptFinished {
            cycle: request.id.clone(),
            task: task.id.clone(),
            number,
            passed,
            reasons: attempt.gate.reasons.clone(),
            branch: kept_branch,
        });
        feedback = attempt.gate.reasons.clone();
        run.attempts.push(attempt);
        match &output.result {
            Err(NoChange::AlreadyProposed(_)) => {
                run.duplicates.push(number);
                return Ok(false);
            }
            // Its backend would not start the next time either.
            Err(NoChange::CannotStart(_)) => order.retain(|s| s != &strategy),
            _ if passed => return Ok(true),
            _ => {}
        }
    }
    Ok(false)
}

/// The language most of the measured files are in.
/// What the scan knew of a task's code when it was planned: the repository's size and the
/// churn of the task's files (the test suite's duration is added once the baseline ran).
fn task_baseline(
    scan: &tdev_research::Scan,
    plan: &tdev_planner::Plan,
    task: &tdev_core::Task,
    language: Language,
) -> Baseline {
    let files = plan.details.get(&task.id).map(|d| d.files.as_slice());
    let churn = files.map(|files| {
        files
            .iter()
            .filter_map(|path| scan.files.iter().find(|f| &f.path == path))
            .map(|f| f64::from(f.churn.commits))
            .sum()
    });
    Baseline {
        repository_lines: Some(scan.summary.sloc),
        // Without history the scan read no churn: unknown, not zero.
        churn: churn.filter(|_| scan.summary.commits > 0),
        ..Baseline::unknown(language)
    }
}

/// Calls a child and turns every way the call can fail (the child stopped, panicked while
/// handling it, or took too long) into the reason the cycle failed. The message carries
/// `span`, the span the child does the work in; the wait is in it too.
async fn call<M, T>(
    actor: &ActorRef<M>,
    kind: ActorKind,
    timeout: Duration,
    span: tracing::Span,
    message: impl FnOnce(RpcReplyPort<T>, tracing::Span) -> M,
) -> Result<T, PhaseError>
where
    M: Message,
    T: Send + 'static,
{
    let carried = span.clone();
    let called = actor
        .call(|reply| message(reply, carried), Some(timeout))
        .instrument(span)
        .await;
    match called {
        Ok(CallResult::Success(value)) => Ok(value),
        Ok(CallResult::Timeout) => Err(PhaseError::Timeout {
            actor: kind,
            secs: timeout.as_secs(),
        }),
        Ok(CallResult::SenderError) => Err(PhaseError::Crashed { actor: kind }),
        Err(error) => Err(PhaseError::NotRunning {
            actor: kind,
            reason: error.to_string(),
        }),
    }
}
