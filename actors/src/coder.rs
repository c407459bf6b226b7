//! A coder worker: one git worktree per attempt, on `tdev/auto/<cycle>-<task>`, where the
//! backend chosen by the attempt's strategy makes its change; a passing change is committed
//! and its branch kept, any other is discarded with its branch. The coder pool (`pool.rs`)
//! runs several workers and sends each branch's messages to the worker holding its worktree.

use crate::cycle::CycleRequest;
use crate::error::Unknown;
use crate::evaluator::Verdict;
use crate::fault::Faults;
use crate::{ActorKind, PhaseError};
use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tdev_coder::{
    AttemptRequest, Backend, BudgetLedger, ClippyFixBackend, CodeExcerpt, CodemodBackend,
    CommandBackend, CommandConfig, FormatBackend, KeepFormatted, LlmBackend, LlmConfig,
    RuffFixBackend, TaskBrief,
};
use tdev_core::{Attempt, Family, Finding, PreGateRefusal, Strategy, Task};
use tdev_worktree::{PrInfo, Repo, Worktree};

/// How many coder workers run when the configuration does not say (`[coder] workers`).
pub const DEFAULT_CODER_WORKERS: usize = 2;

/// The coder's settings.
#[derive(Clone, Debug)]
pub struct CoderConfig {
    /// How many workers code at the same time (at least one): the tasks of one parallel
    /// group of the plan are attempted concurrently, up to this many at once.
    pub workers: usize,
    /// Where attempt worktrees are made (outside every repository), in one directory per
    /// repository named by `tdev_worktree::repo_key`.
    pub worktrees_dir: PathBuf,
    /// tdev's tool environment (ruff), when installed.
    pub tools_dir: Option<PathBuf>,
    /// The LLM backend, when configured.
    pub llm: Option<LlmConfig>,
    /// The external agent command, when configured.
    pub command: Option<CommandConfig>,
    /// Where the LLM budget ledger is kept.
    pub ledger_dir: PathBuf,
    /// Whether kept branches are pushed and proposed as pull requests (`[publish]`).
    pub publish: tdev_publish::PublishConfig,
}

impl Default for CoderConfig {
    fn default() -> Self {
        CoderConfig {
            workers: DEFAULT_CODER_WORKERS,
            worktrees_dir: PathBuf::new(),
            tools_dir: None,
            llm: None,
            command: None,
            ledger_dir: PathBuf::new(),
            publish: tdev_publish::PublishConfig::default(),
        }
    }
}

/// One attempt to carry out.
#[derive(Clone, Debug)]
pub struct AttemptJob {
    /// The cycle's id.
    pub cycle: String,
    /// The commit the cycle started from.
    pub base: String,
    /// The task.
    pub task: Task,
    /// 1, 2 or 3.
    pub number: u32,
    /// The strategy to follow this time.
    pub strategy: Strategy,
    /// The findings the task addresses.
    pub findings: Vec<Finding>,
    /// Why the previous attempt failed, if it did.
    pub feedback: Vec<String>,
}

/// A change left in a worktree, waiting for the evaluator.
#[derive(Clone, Debug)]
pub struct ProducedChange {
    /// The worktree.
    pub worktree: PathBuf,
    /// Its branch.
    pub branch: String,
    /// `-U0` diff against the base (what the gate reads).
    pub diff: String,
    /// The diff with context, for patterns and descriptions.
    pub diff_with_context: String,
    /// The files it touches (both sides of a rename), relative to the top level.
    pub files: Vec<String>,
    /// Files touched.
    pub files_changed: u32,
    /// Lines added.
    pub lines_added: u32,
    /// Lines removed.
    pub lines_removed: u32,
}

/// What an attempt produced.
#[derive(Clone, Debug)]
pub struct AttemptOutput {
    /// The backend's name, for the record.
    pub backend: String,
    /// The change, or why there is none.
    pub result: Result<ProducedChange, NoChange>,
    /// What a model backend spent, when it spent anything.
    pub usage: Option<tdev_core::TokenUsage>,
}

/// Why an attempt left no change to evaluate.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NoChange {
    /// The strategy's backend could not start here (not configured, not installed, no key):
    /// another attempt with it would end the same way.
    CannotStart(String),
    /// The same change is already proposed on this existing branch: no point trying again.
    AlreadyProposed(String),
    /// The backend turned its own change down (or made none) for what the change was: on the
    /// same commit it would do so again, as deterministically as the gate refuses.
    Refused {
        /// Which refusal, as the record names it.
        refusal: PreGateRefusal,
        /// The backend's words.
        why: String,
    },
    /// The backend ran and left nothing worth evaluating, for this reason.
    Failed(String),
}

impl NoChange {
    /// The refusal it is, when the backend turned its change down for what it was.
    pub fn refusal(&self) -> Option<PreGateRefusal> {
        match self {
            NoChange::Refused { refusal, .. } => Some(*refusal),
            NoChange::CannotStart(_) | NoChange::AlreadyProposed(_) | NoChange::Failed(_) => None,
        }
    }
}

impl std::fmt::Display for NoChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NoChange::CannotStart(why) => write!(f, "could not start: {why}"),
            NoChange::AlreadyProposed(branch) => {
                write!(f, "the same change is already proposed on {branch}")
            }
            NoChange::Refused { why, .. } | NoChange::Failed(why) => f.write_str(why),
        }
    }
}

/// The repository a cycle works on: opened by the pool when the cycle begins and lent to the
/// workers with each message.
#[derive(Debug)]
pub(crate) struct Checkout {
    pub repo: Repo,
    /// The branch the user's checkout is on: the base of pull requests.
    pub branch: Option<String>,
}

/// Messages of a worker; only its pool sends them.
#[derive(Debug)]
pub(crate) enum WorkerMsg {
    /// Make one attempt in a fresh worktree, kept by this worker until `Keep` or `Discard`.
    Attempt {
        job: Box<AttemptJob>,
        checkout: Arc<Checkout>,
        span: tracing::Span,
        reply: RpcReplyPort<AttemptOutput>,
    },
    /// Commit the change on its branch and remove the worktree; the reply is the commit id.
    Keep {
        branch: String,
        message: String,
        checkout: Arc<Checkout>,
        span: tracing::Span,
        reply: RpcReplyPort<Result<String, PhaseError>>,
    },
    /// Remove the worktree and delete its branch.
    Discard {
        branch: String,
        span: tracing::Span,
        reply: RpcReplyPort<Result<(), PhaseError>>,
    },
}

#[derive(Debug)]
pub(crate) struct Coder;

pub(crate) struct CoderArgs {
    pub config: CoderConfig,
    /// Where Rust repositories build, for clippy's fixes.
    pub build: crate::EvaluatorConfig,
    pub ledger: Arc<BudgetLedger>,
    pub faults: Faults,
    /// Messages sent to this worker and not yet handled; the pool reads it to give new work
    /// to the least busy worker.
    pub load: Arc<AtomicUsize>,
}

pub(crate) struct CoderState {
    config: CoderConfig,
    faults: Faults,
    /// Worktrees waiting for the evaluator's verdict, by branch. Dropping one (when the actor
    /// stops or is restarted) removes its directory.
    live: HashMap<String, Worktree>,
    ledger: Arc<BudgetLedger>,
    load: Arc<AtomicUsize>,
    /// Where Rust repositories build, for clippy's fixes.
    build: crate::EvaluatorConfig,
}

impl Actor for Coder {
    type Msg = WorkerMsg;
    type State = CoderState;
    type Arguments = CoderArgs;

    async fn pre_start(
        &self,
        _myself: ActorRef<Self::Msg>,
        args: CoderArgs,
    ) -> Result<Self::State, ActorProcessingErr> {
        Ok(CoderState {
            config: args.config,
            faults: args.faults,
            live: HashMap::new(),
            ledger: args.ledger,
            load: args.load,
            build: args.build,
        })
    }

    async fn handle(
        &self,
        _myself: ActorRef<Self::Msg>,
        message: Self::Msg,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        state.faults.check(ActorKind::Coder);
        match message {
            WorkerMsg::Attempt {
                job,
                checkout,
                span,
                reply,
            } => {
                let output = attempt(state, checkout, *job, span).await;
                let _ = reply.send(output);
            }
            WorkerMsg::Keep {
                branch,
                message,
                checkout,
                span,
                reply,
            } => {
                let publish = state.config.publish.clone();
                let result = match state.live.remove(&branch) {
                    None => Err(PhaseError::Unknown(Unknown::Worktree(branch))),
                    Some(worktree) => crate::trace::spawn_blocking_in(span, move || {
                        let commit = worktree.commit(&message)?;
                        worktree.keep()?;
                        if publish.push {
                            // The change passed its gate whatever happens here: a failed push
                            // or pull request is reported, not a reason to drop the branch.
                            let base = checkout.branch.as_deref();
                            if let Err(e) = tdev_publish::publish_branch(
                                &checkout.repo,
                                &publish,
                                &branch,
                                base,
                                &message,
                            ) {
                                tracing::warn!("publishing {branch}: {e}");
                            }
                        }
                        Ok::<_, tdev_worktree::Error>(commit)
                    })
                    .await?
                    .map_err(PhaseError::Git),
                };
                let _ = reply.send(result);
            }
            WorkerMsg::Discard {
                branch,
                span,
                reply,
            } => {
                let result = match state.live.remove(&branch) {
                    None => Ok(()),
                    Some(worktree) => {
                        crate::trace::spawn_blocking_in(span, move || worktree.discard())
                            .await?
                            .map_err(PhaseError::Git)
                    }
                };
                let _ = reply.send(result);
            }
        }
        // A message that failed the actor is not counted down: the pool replaces the worker
        // and its count together.
        let _ = state
            .load
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
        Ok(())
    }
}

/// The branch an attempt's change is made on: one per task and cycle, whichever attempt.
pub(crate) fn branch(job: &AttemptJob) -> String {
    format!(
        "{}{}-{}",
        tdev_worktree::BRANCH_PREFIX,
        job.cycle,
        job.task.id
    )
}

async fn attempt(
    state: &mut CoderState,
    checkout: Arc<Checkout>,
    job: AttemptJob,
    span: tracing::Span,
) -> AttemptOutput {
    let target_dir = state.build.target_for(checkout.repo.path());
    let backend = match backend(
        &state.config,
        &state.build,
        &target_dir,
        &state.ledger,
        &job.strategy,
    ) {
        // Every change keeps the repository's formatting, whoever made it.
        Ok(backend) => Box::new(KeepFormatted::new(
            backend,
            state.config.tools_dir.clone().unwrap_or_default(),
        )),
        Err(reason) => {
            return AttemptOutput {
                backend: job.strategy.to_string(),
                result: Err(NoChange::CannotStart(reason)),
                usage: None,
            };
        }
    };
    let name = backend.name().to_owned();
    let branch = branch(&job);
    let dir = state
        .config
        .worktrees_dir
        .join(tdev_worktree::repo_key(checkout.repo.path()))
        .join(format!("{}-{}-{}", job.cycle, job.task.id, job.number));
    let made = crate::trace::spawn_blocking_in(span, move || {
        produce(&checkout.repo, &*backend, &job, &branch, &dir)
    })
    .await;
    let (made, usage) = match made {
        Ok((produced, usage)) => (Ok(produced), usage),
        Err(e) => (Err(e), None),
    };
    match made {
        Ok(Produced::Change(made)) => {
            let (worktree, change) = *made;
            state.live.insert(change.branch.clone(), worktree);
            AttemptOutput {
                backend: name,
                result: Ok(change),
                usage,
            }
        }
        Ok(Produced::Nothing(reason)) => AttemptOutput {
            backend: name,
            result: Err(reason),
            usage,
        },
        Err(e) => AttemptOutput {
            backend: name,
            result: Err(NoChange::Failed(format!("the attempt stopped: {e}"))),
            usage,
        },
    }
}

enum Produced {
    Change(Box<(Worktree, ProducedChange)>),
    /// Why there is no change.
    Nothing(NoChange),
}

/// Makes the worktree, runs the backend in it and describes the change; a worktree with
/// nothing worth evaluating is discarded here.
fn produce(
    repo: &Repo,
    backend: &dyn Backend,
    job: &AttemptJob,
    branch: &str,
    dir: &std::path::Path,
) -> (Produced, Option<tdev_core::TokenUsage>) {
    let worktree = match repo.create_worktree(&job.base, branch, dir) {
        Ok(worktree) => worktree,
        Err(e) => {
            return (
                Produced::Nothing(NoChange::Failed(format!("making the worktree: {e}"))),
                None,
            );
        }
    };
    crate::fault::halt_point(crate::ActorKind::Coder);
    let request = request(job, worktree.path());
    let result = backend.attempt(&request, worktree.path());
    let usage = result.usage;
    let spent = (usage.input_tokens + usage.output_tokens > 0 || usage.cost > 0.0).then_some(
        tdev_core::TokenUsage {
            input_tokens: usage.input_tokens,
            output_tokens: usage.output_tokens,
            cost: usage.cost,
        },
    );
    (describe(repo, job, worktree, &result), spent)
}

/// What the backend left in the worktree, as a change to evaluate or the reason there is none
/// (then the worktree is discarded).
fn describe(
    repo: &Repo,
    job: &AttemptJob,
    worktree: Worktree,
    result: &tdev_coder::AttemptResult,
) -> Produced {
    let nothing = |worktree: Worktree, reason: NoChange| match worktree.discard() {
        Ok(()) => Produced::Nothing(reason),
        Err(e) => Produced::Nothing(NoChange::Failed(format!(
            "{reason}; removing the worktree failed too: {e}"
        ))),
    };
    if let Some(reason) = result.failure() {
        let reason = match reason.refusal() {
            _ if reason.is_start_failure() => NoChange::CannotStart(reason.to_string()),
            Some(refusal) => NoChange::Refused {
                refusal,
                why: reason.to_string(),
            },
            None => NoChange::Failed(reason.to_string()),
        };
        return nothing(worktree, reason);
    }
    let described = (|| {
        let Some(patch_id) = worktree.patch_id()? else {
            return Ok(Err(NoChange::Refused {
                refusal: PreGateRefusal::NoChange,
                why: "the strategy changed nothing".to_owned(),
            }));
        };
        if let Some(existing) =
            repo.branch_with_patch_id(tdev_worktree::BRANCH_PREFIX, &job.base, &patch_id)?
        {
            return Ok(Err(NoChange::AlreadyProposed(existing)));
        }
        let diff = worktree.diff()?;
        let diff_with_context = worktree.diff_with_context()?;
        let files = worktree.changed_files()?;
        let (added, removed) = count_lines(&diff);
        Ok::<_, tdev_worktree::Error>(Ok(ProducedChange {
            worktree: worktree.path().to_path_buf(),
            branch: worktree.branch().to_owned(),
            diff,
            diff_with_context,
            files_changed: u32::try_from(files.len()).unwrap_or(u32::MAX),
            files,
            lines_added: added,
            lines_removed: removed,
        }))
    })();
    match described {
        Ok(Ok(change)) => Produced::Change(Box::new((worktree, change))),
        Ok(Err(reason)) => nothing(worktree, reason),
        Err(e) => nothing(
            worktree,
            NoChange::Failed(format!("reading the change: {e}")),
        ),
    }
}

/// Lines added and removed in a unified diff.
fn count_lines(diff: &str) -> (u32, u32) {
    let (mut added, mut removed) = (0, 0);
    for line in diff.lines() {
        if line.starts_with('+') && !line.starts_with("+++ ") {
            added += 1;
        } else if line.starts_with('-') && !line.starts_with("--- ") {
            removed += 1;
        }
    }
    (added, removed)
}

/// Lines of code shown around a finding, so a model sees the function it changes.
const EXCERPT_CONTEXT_LINES: u32 = 8;

/// The backend request: the task, its findings, the code around them and the feedback.
fn request(job: &AttemptJob, worktree: &std::path::Path) -> AttemptRequest {
    let excerpts = job
        .findings
        .iter()
        .filter_map(|finding| {
            let span = finding.span?;
            let source = std::fs::read_to_string(worktree.join(&finding.path)).ok()?;
            Some(CodeExcerpt::around(
                &finding.path,
                &source,
                span.line,
                span.end_line,
                EXCERPT_CONTEXT_LINES,
            ))
        })
        .collect();
    AttemptRequest {
        task: TaskBrief {
            kind: job.task.kind.clone(),
            title: job.task.title.clone(),
            strategy: job.strategy.clone(),
        },
        findings: job.findings.clone(),
        excerpts,
        conventions: String::new(),
        similar_patterns: Vec::new(),
        previous_failure: job.feedback.clone(),
    }
}

/// The backend a strategy names (`tdev_core::Family`), or why it cannot start here.
fn backend(
    config: &CoderConfig,
    build: &crate::EvaluatorConfig,
    target_dir: &std::path::Path,
    ledger: &Arc<BudgetLedger>,
    strategy: &Strategy,
) -> Result<Box<dyn Backend>, String> {
    let name = strategy.name();
    let tools = || {
        config.tools_dir.clone().ok_or_else(|| {
            "ruff is not installed in tdev's tool environment; run `tdev tools install`".to_owned()
        })
    };
    match strategy.family() {
        Family::Codemod => CodemodBackend::new(name)
            .map(|b| Box::new(b) as Box<dyn Backend>)
            .map_err(|e| e.to_string()),
        Family::ToolFix => Ok(Box::new(RuffFixBackend::new(tools()?, name, false))),
        Family::UnsafeToolFix => Ok(Box::new(RuffFixBackend::new(tools()?, name, true))),
        Family::Formatter => FormatBackend::new(name, config.tools_dir.clone().unwrap_or_default())
            .map(|b| Box::new(b) as Box<dyn Backend>),
        Family::ClippyFix => Ok(Box::new(ClippyFixBackend::new(
            name,
            target_dir.to_path_buf(),
            build.scratch_dir.clone(),
            &build.limits,
        ))),
        Family::Model => match &config.llm {
            None => Err("no LLM is configured: add an [llm] table to tdev.toml".to_owned()),
            Some(llm) => LlmBackend::new(llm.clone(), Arc::clone(ledger))
                .map(|b| Box::new(b) as Box<dyn Backend>)
                .map_err(|e| e.to_string()),
        },
        Family::Command => match &config.command {
            None => {
                Err("no agent command is configured: add a [command] table to tdev.toml".to_owned())
            }
            Some(command) => CommandBackend::new(command.clone())
                .map(|b| Box::new(b) as Box<dyn Backend>)
                .map_err(|e| e.to_string()),
        },
        _ => Err(format!("no backend carries out the strategy {strategy}")),
    }
}

/// The words of the situation a pattern is remembered under: what the findings say.
pub(crate) fn situation(task: &Task, findings: &[Finding]) -> String {
    let mut words = vec![task.kind.clone(), task.title.clone()];
    for f in findings {
        words.push(format!("{} {}", f.kind, f.message));
        if let Some(evidence) = &f.evidence {
            words.push(evidence.clone());
        }
    }
    words.join("\n")
}

/// The commit message of a passing attempt: subject and pull-request description, both of the
/// change kept (its strategy, the `files` it changed and the findings there), whatever the
/// task planned.
pub(crate) fn commit_message(
    request: &CycleRequest,
    task: &Task,
    findings: &[Finding],
    files: &[String],
    attempt: &Attempt,
    verdict: &Verdict,
) -> String {
    let addressed = addressed(findings, files);
    tdev_worktree::commit_message(&PrInfo {
        cycle_id: request.id.clone(),
        attempt: attempt.number,
        title: tdev_planner::title(&attempt.strategy, &addressed, None),
        task_title: task.title.clone(),
        subject: None,
        strategy: attempt.strategy.clone(),
        files: files.to_vec(),
        findings: addressed.into_iter().cloned().collect(),
        metrics: verdict.evaluation.metrics.clone(),
        gate_passed: verdict.decision.passed,
        gate_report: verdict.report.clone(),
        risk: task.risk,
        tokens: attempt.usage.map(|u| u.input_tokens + u.output_tokens),
        cost_usd: attempt.usage.map(|u| u.cost),
    })
}

/// The findings a change to `files` addresses: those in the files it changed, or all of them
/// when it changed none of their files (tests are written elsewhere than the code they test).
fn addressed<'a>(findings: &'a [Finding], files: &[String]) -> Vec<&'a Finding> {
    let changed: Vec<&Finding> = findings
        .iter()
        .filter(|f| files.contains(&f.path))
        .collect();
    if changed.is_empty() {
        findings.iter().collect()
    } else {
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tdev_core::{Evaluation, GateDecision, Severity, Trigger};
    use tdev_planner::BackendChoice;

    fn finding(id: &str, path: &str) -> Finding {
        Finding {
            id: id.into(),
            kind: "ruff:F401".into(),
            severity: Severity::Low,
            path: path.into(),
            span: None,
            symbol: None,
            message: format!("unused import in {path}"),
            evidence: None,
            metrics: Default::default(),
            fix: None,
            priority: 0.5,
        }
    }

    /// The commit message of attempt 2 of a task planned as `ruff-fix:F4` on two files, whose
    /// kept change was made with `strategy` and touched `files`.
    fn message(strategy: &str, files: &[&str]) -> String {
        let request = CycleRequest {
            id: "c-1".into(),
            repo: PathBuf::from("/src/shop"),
            repository: "shop".into(),
            goal: "improve overall quality".into(),
            max_tasks: 5,
            trigger: Trigger::Manual,
            dry_run: false,
            backend: BackendChoice::Tools,
        };
        let findings = [finding("f1", "shop/a.py"), finding("f2", "shop/b.py")];
        let planned: Strategy = "ruff-fix:F4".parse().unwrap();
        let task = Task {
            id: "t1".into(),
            kind: "fix-lint".into(),
            title: tdev_planner::title(&planned, &findings.iter().collect::<Vec<_>>(), None),
            strategy: planned,
            estimate_hours: 0.1,
            risk: 1,
            depends_on: vec![],
            addresses: vec!["f1".into(), "f2".into()],
            features: None,
            baseline: None,
        };
        let attempt = Attempt {
            task: "t1".into(),
            number: 2,
            strategy: strategy.parse().unwrap(),
            backend: strategy.into(),
            started_at: tdev_core::Timestamp::from_unix(1_767_225_600),
            duration_secs: 1.0,
            change: None,
            evaluation: None,
            gate: GateDecision {
                passed: true,
                reasons: vec![],
                failed: vec![],
            },
            usage: None,
        };
        let verdict = Verdict {
            evaluation: Evaluation {
                metrics: vec![],
                tests_passed: 2,
                tests_failed: 0,
            },
            decision: attempt.gate.clone(),
            report: vec![],
        };
        let files: Vec<String> = files.iter().map(|f| (*f).to_owned()).collect();
        commit_message(&request, &task, &findings, &files, &attempt, &verdict)
    }

    /// Regression: the subject and description said what the task planned ("safe fixes ...
    /// 2 files") while the change kept was an unsafe fix to one file.
    #[test]
    fn the_message_describes_the_change_kept_not_the_task_planned() {
        let text = message("ruff-unsafe-fix:F4", &["shop/a.py"]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "Apply ruff unsafe fixes for rule family F4 in shop/a.py"
        );
        for line in [
            "- Strategy: `ruff-unsafe-fix:F4`",
            "- Files: `shop/a.py`",
            "- `ruff:F401` (low) at `shop/a.py`: unused import in shop/a.py",
            "- Task: Apply ruff safe fixes for rule family F4 in shop/ (2 files, 2 findings)",
        ] {
            assert!(lines.contains(&line), "{line:?} missing from\n{text}");
        }
        assert!(!text.contains("shop/b.py"), "{text}");
    }

    #[test]
    fn a_change_as_planned_is_described_as_the_task_is() {
        let text = message("ruff-fix:F4", &["shop/a.py", "shop/b.py"]);
        assert!(
            text.starts_with(
                "Apply ruff safe fixes for rule family F4 in shop/ (2 files, 2 findings)\n"
            ),
            "{text}"
        );
        assert!(!text.contains("- Task: "), "{text}");
    }
}
