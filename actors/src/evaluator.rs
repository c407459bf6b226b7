//! The evaluator actor: measures the untouched code once per cycle (its metrics, its security
//! findings and its own test suite, run in the sandbox), then each change the same way, and
//! lets the gate decide.

use crate::error::Unknown;
use crate::fault::Faults;
use crate::{ActorKind, PhaseError};
use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use tdev_core::{Evaluation, Finding, GateDecision, Metric, TestStatus};
use tdev_gates::{
    ChangeSet, CoverageInput, FileChange, FileMetrics, FileStatus, GateInput, LineCoverage,
    LineLimit, Policy,
};
use tdev_research::{FileReport, Scan, ScanOptions};
use tdev_runner::python::{PythonEnv, PythonProject};
use tdev_runner::rust::RustProject;
use tdev_runner::{FileLines, Limits, Sandbox, TestRun};
use tdev_worktree::Repo;

/// The evaluator's settings.
#[derive(Clone, Debug)]
pub struct EvaluatorConfig {
    /// Where per-repository test environments are kept (reused across cycles).
    pub envs_dir: PathBuf,
    /// Where the sandbox keeps its scratch directories and baselines are exported.
    pub scratch_dir: PathBuf,
    /// The one build directory of every Rust target, when the user keeps builds in one place
    /// (`CARGO_TARGET_DIR`: the dependencies are built there already).
    pub cargo_target_dir: Option<PathBuf>,
    /// Otherwise, where each Rust repository gets a build directory of its own (outside every
    /// worktree), named by `tdev_worktree::repo_key`.
    pub targets_dir: PathBuf,
    /// Where each Rust repository's code is copied to be built and tested, one directory per
    /// repository: one place across cycles, so that cargo rebuilds only what a change touched.
    pub mirrors_dir: PathBuf,
    /// tdev's tool environment (bandit), when installed.
    pub tools_dir: Option<PathBuf>,
    /// Limits on the target's tests.
    pub limits: Limits,
}

impl EvaluatorConfig {
    /// The build directory of `repo`'s Rust code.
    pub fn target_for(&self, repo: &Path) -> PathBuf {
        self.cargo_target_dir
            .clone()
            .unwrap_or_else(|| self.targets_dir.join(tdev_worktree::repo_key(repo)))
    }

    /// The mirror `repo`'s Rust code is built in.
    pub fn mirror_for(&self, repo: &Path) -> PathBuf {
        self.mirrors_dir.join(tdev_worktree::repo_key(repo))
    }
}

/// The evaluation of one change and the gate's verdict.
#[derive(Clone, Debug)]
pub struct Verdict {
    /// Metrics before and after, tests.
    pub evaluation: Evaluation,
    /// Passed or not, and why.
    pub decision: GateDecision,
    /// The gate's report, one line per condition, for the PR description.
    pub report: Vec<String>,
}

/// Messages of the evaluator.
#[derive(Debug)]
pub enum EvaluatorMsg {
    /// Measure the untouched code of a cycle: prepare the test environment and run the tests
    /// once on the base commit.
    Baseline {
        /// The cycle, whose changes are evaluated against this baseline.
        cycle: String,
        /// The repository.
        repo: PathBuf,
        /// The commit the cycle starts from.
        base: String,
        /// Research's scan of it.
        scan: Box<Scan>,
        /// The span the baseline is taken in (its cycle's `baseline`).
        span: tracing::Span,
        /// Done, or why the baseline could not be taken.
        reply: RpcReplyPort<Result<(), PhaseError>>,
    },
    /// Evaluate the change in a worktree against the baseline.
    Evaluate {
        /// The cycle whose baseline the change is judged against.
        cycle: String,
        /// The worktree holding the change.
        worktree: PathBuf,
        /// The change as a `-U0` diff against the base.
        diff: String,
        /// The task's kind (test-writing tasks may only add tests).
        task_kind: String,
        /// The span the evaluation runs in (its attempt's `evaluate`; the gate's span is
        /// opened inside it).
        span: tracing::Span,
        /// The verdict, or why there is none.
        reply: RpcReplyPort<Result<Verdict, PhaseError>>,
    },
    /// The cycle has ended: drop its baseline.
    End {
        /// The cycle.
        cycle: String,
    },
}

#[derive(Debug)]
pub(crate) struct Evaluator;

pub(crate) struct EvaluatorArgs {
    pub config: crate::TreeConfig,
    pub faults: Faults,
}

pub(crate) struct EvaluatorState {
    config: EvaluatorConfig,
    policy: Policy,
    faults: Faults,
    /// The baseline of each cycle under way: cycles of different repositories run side by
    /// side.
    baselines: HashMap<String, std::sync::Arc<Baseline>>,
}

/// The untouched code's measurements and how to run its tests.
struct Baseline {
    /// The user's repository (its mirror and build directory are named after it).
    repo: PathBuf,
    scan: Scan,
    tests: TestRun,
    suite: Suite,
    security: Vec<Finding>,
}

/// How the target's tests run.
enum Suite {
    Python(Box<PythonEnv>),
    Rust(RustProject),
}

impl Actor for Evaluator {
    type Msg = EvaluatorMsg;
    type State = EvaluatorState;
    type Arguments = EvaluatorArgs;

    async fn pre_start(
        &self,
        _myself: ActorRef<Self::Msg>,
        args: EvaluatorArgs,
    ) -> Result<Self::State, ActorProcessingErr> {
        Ok(EvaluatorState {
            config: args.config.evaluator.clone(),
            policy: args.config.gates.clone(),
            faults: args.faults,
            baselines: HashMap::new(),
        })
    }

    async fn handle(
        &self,
        _myself: ActorRef<Self::Msg>,
        message: Self::Msg,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        state.faults.check(ActorKind::Evaluator);
        match message {
            EvaluatorMsg::Baseline {
                cycle,
                repo,
                base,
                scan,
                span,
                reply,
            } => {
                let config = state.config.clone();
                let baseline = crate::trace::spawn_blocking_in(span, move || {
                    baseline(&config, &repo, &base, *scan)
                })
                .await?;
                let _ = reply.send(match baseline {
                    Ok(baseline) => {
                        state.baselines.insert(cycle, std::sync::Arc::new(baseline));
                        Ok(())
                    }
                    Err(e) => Err(e),
                });
            }
            EvaluatorMsg::Evaluate {
                cycle,
                worktree,
                diff,
                task_kind,
                span,
                reply,
            } => {
                crate::fault::halt_point(ActorKind::Evaluator);
                let Some(baseline) = state.baselines.get(&cycle).cloned() else {
                    let _ = reply.send(Err(PhaseError::Unknown(Unknown::Baseline(cycle))));
                    return Ok(());
                };
                let config = state.config.clone();
                let policy = state.policy.clone();
                let verdict = crate::trace::spawn_blocking_in(span, move || {
                    evaluate(&config, &policy, &baseline, &worktree, &diff, &task_kind)
                })
                .await?;
                let _ = reply.send(verdict);
            }
            EvaluatorMsg::End { cycle } => {
                state.baselines.remove(&cycle);
            }
        }
        Ok(())
    }
}

pub(crate) fn sandbox(config: &EvaluatorConfig) -> Result<Sandbox, PhaseError> {
    Sandbox::with_scratch_in(&config.scratch_dir).map_err(PhaseError::runner("the sandbox"))
}

/// A directory of its own in the scratch space, removed when dropped.
pub(crate) fn scratch(
    config: &EvaluatorConfig,
    prefix: &str,
) -> Result<tempfile::TempDir, PhaseError> {
    let dir = &config.scratch_dir;
    std::fs::create_dir_all(dir).map_err(PhaseError::io(dir))?;
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir_in(dir)
        .map_err(PhaseError::io(dir))
}

/// Exports the base commit (no worktree, no branch: `git archive`), prepares the test
/// environment and runs the tests once.
fn baseline(
    config: &EvaluatorConfig,
    repo: &Path,
    base: &str,
    scan: Scan,
) -> Result<Baseline, PhaseError> {
    let export = scratch(config, "baseline-")?;
    Repo::open(repo).and_then(|repo| repo.export(base, export.path()))?;
    let sandbox = sandbox(config)?;
    let suite = if export.path().join("Cargo.toml").is_file() {
        let project = RustProject::detect(export.path())
            .map_err(PhaseError::runner("reading the project"))?;
        Suite::Rust(project)
    } else {
        let project = PythonProject::detect(export.path())
            .map_err(PhaseError::runner("reading the project"))?;
        let env = PythonEnv::prepare(&project, &config.envs_dir, &sandbox, &mut |_| {})
            .map_err(PhaseError::runner("preparing the test environment"))?;
        Suite::Python(Box::new(env))
    };
    let tests = run_tests(config, repo, &suite, export.path(), &sandbox)?;
    if let Some(stopped) = &tests.stopped {
        return Err(PhaseError::Stopped {
            run: "the baseline test run",
            why: *stopped,
        });
    }
    let security = security_findings(config, export.path(), &scan);
    Ok(Baseline {
        repo: repo.to_path_buf(),
        scan,
        tests,
        suite,
        security,
    })
}

fn run_tests(
    config: &EvaluatorConfig,
    repo: &Path,
    suite: &Suite,
    dir: &Path,
    sandbox: &Sandbox,
) -> Result<TestRun, PhaseError> {
    match suite {
        Suite::Python(env) => tdev_runner::python::run_tests(env, dir, sandbox, &config.limits),
        Suite::Rust(project) => {
            // Built in the mirror, not where the code is: see `crate::rust`.
            let mirror = crate::rust::sync_mirror(config, repo, dir)?;
            let limits = RustProject::limits(&config.limits);
            project.run_tests(&mirror, &config.target_for(repo), sandbox, &limits)
        }
    }
    .map_err(PhaseError::runner("running the tests"))
}

/// The line limit of each changed Python or Rust file: the repository's configured one, else
/// the file's longest line before the change (its lines now, less those the change added, and
/// those it removed). A new file of a repository that configures nothing has no limit.
fn line_limits(worktree: &Path, change: &ChangeSet) -> BTreeMap<String, LineLimit> {
    use tdev_tools::style;
    let configured = style::Configured::read(worktree);
    let limit = |file: &FileChange| {
        let limit = configured.for_path(&file.path).cloned().or_else(|| {
            if !style::is_python(&file.path) {
                return None;
            }
            let text = std::fs::read_to_string(worktree.join(&file.path)).ok()?;
            let added: HashSet<u32> = file.added().map(|l| l.number).collect();
            let mut before = (1..)
                .zip(text.lines())
                .filter(|(number, _)| !added.contains(number))
                .map(|(_, line)| line)
                .chain(file.removed().map(|l| l.text.as_str()))
                .peekable();
            before.peek()?;
            Some(style::longest_line(before))
        })?;
        Some(LineLimit {
            columns: limit.columns,
            source: limit.source,
        })
    };
    change
        .files
        .iter()
        .filter(|f| f.status != FileStatus::Deleted)
        .filter_map(|f| Some((f.path.clone(), limit(f)?)))
        .collect()
}

/// Security findings of the code in `dir`: bandit's, when tdev's tool environment has it,
/// else those research found.
fn security_findings(config: &EvaluatorConfig, dir: &Path, scan: &Scan) -> Vec<Finding> {
    let from_bandit = config.tools_dir.as_ref().and_then(|tools| {
        let env = tdev_tools::ToolEnv::new(tools.clone());
        tdev_tools::bandit(&env, dir, std::time::Duration::from_secs(600))
            .ok()
            .map(|r| r.findings)
    });
    from_bandit.unwrap_or_else(|| {
        scan.findings
            .iter()
            .filter(|f| f.kind.starts_with("bandit:"))
            .cloned()
            .collect()
    })
}

fn evaluate(
    config: &EvaluatorConfig,
    policy: &Policy,
    baseline: &Baseline,
    worktree: &Path,
    diff: &str,
    task_kind: &str,
) -> Result<Verdict, PhaseError> {
    let change = ChangeSet::from_unified_diff(diff).map_err(PhaseError::Diff)?;
    let options = ScanOptions {
        history_commits: 0,
        // Test files as the gate tells them, as research's scan of the baseline did.
        test_patterns: policy.test_integrity.patterns.clone(),
        ..ScanOptions::default()
    };
    let after = tdev_research::scan(worktree, &options, &|_| {})?;
    let sandbox = sandbox(config)?;
    let tests = run_tests(config, &baseline.repo, &baseline.suite, worktree, &sandbox)?;
    let security = security_findings(config, worktree, &after);
    let coverage = coverage_input(
        &change,
        baseline.tests.coverage.as_ref(),
        tests.coverage.as_ref(),
    );
    let input = GateInput {
        task_kind: task_kind.to_owned(),
        metrics_before: file_metrics(&baseline.scan),
        metrics_after: file_metrics(&after),
        tests_baseline: baseline.tests.outcomes.clone(),
        tests_after: tests.outcomes.clone(),
        coverage,
        findings_before: baseline.security.clone(),
        findings_after: security,
        line_limits: line_limits(worktree, &change),
        change,
    };
    let gate = tracing::info_span!("gate", passed = tracing::field::Empty);
    let report = gate.in_scope(|| tdev_gates::evaluate(policy, &input));
    let mut decision = report.decision();
    if let Some(stopped) = &tests.stopped {
        decision.passed = false;
        decision
            .reasons
            .push(format!("the test run was stopped: {stopped}"));
        decision.failed.push("test_run".to_owned());
    }
    gate.record("passed", decision.passed);
    let count = |o| u32::try_from(tests.count(o)).unwrap_or(u32::MAX);
    Ok(Verdict {
        evaluation: Evaluation {
            metrics: metrics(&baseline.scan, &after),
            tests_passed: count(TestStatus::Passed),
            tests_failed: count(TestStatus::Failed) + count(TestStatus::Error),
        },
        decision,
        report: report.to_string().lines().map(str::to_owned).collect(),
    })
}

/// The gate's coverage figures: of the lines the change added, those that are executable
/// after the change and which of them the tests ran; the touched files' and the whole
/// repository's coverage before and after. `None` unless both runs measured coverage.
fn coverage_input(
    change: &ChangeSet,
    before: Option<&FileLines>,
    after: Option<&FileLines>,
) -> Option<CoverageInput> {
    let (before, after) = (before?, after?);
    let count = |lines: &FileLines, only: Option<&[&str]>| {
        let mut total = LineCoverage::default();
        for (path, (executed, missing)) in lines {
            if only.is_none_or(|only| only.contains(&path.as_str())) {
                total.covered += u32::try_from(executed.len()).unwrap_or(u32::MAX);
                total.total += u32::try_from(executed.len() + missing.len()).unwrap_or(u32::MAX);
            }
        }
        total
    };
    let mut changed = LineCoverage::default();
    let mut touched = Vec::new();
    for file in &change.files {
        touched.push(file.path.as_str());
        let Some((executed, missing)) = after.get(&file.path) else {
            continue;
        };
        for line in file.hunks.iter().flat_map(|h| &h.added) {
            if executed.contains(&line.number) {
                changed.covered += 1;
                changed.total += 1;
            } else if missing.contains(&line.number) {
                changed.total += 1;
            }
        }
    }
    Some(CoverageInput {
        changed_lines: changed,
        touched_files_before: count(before, Some(&touched)),
        total_before: count(before, None),
        total_after: count(after, None),
    })
}

fn file_metrics(scan: &Scan) -> BTreeMap<String, FileMetrics> {
    scan.files
        .iter()
        .map(|f: &FileReport| {
            (
                f.path.clone(),
                FileMetrics {
                    complexity_total: f.complexity,
                    complexity_max: f.functions.iter().map(|x| x.complexity).max().unwrap_or(0),
                    maintainability: f.maintainability_index,
                    documented: f.documented,
                    documentable: f.documentable,
                    duplicated_lines: f.duplicated_lines,
                },
            )
        })
        .collect()
}

/// tdev's own findings, without hotspots: the change is scanned without its history, so
/// counting them would credit every change with removing the hotspots.
fn native(scan: &Scan) -> f64 {
    scan.findings
        .iter()
        .filter(|f| !f.kind.contains(':') && f.kind != "hotspot")
        .count() as f64
}

/// Repository-wide figures before and after, for the record and the PR description.
fn metrics(before: &Scan, after: &Scan) -> Vec<Metric> {
    let total = |s: &Scan| f64::from(s.files.iter().map(|f| f.complexity).sum::<u32>());
    vec![
        Metric {
            name: "cyclomatic_complexity".into(),
            before: total(before),
            after: total(after),
        },
        Metric {
            name: "mean_function_complexity".into(),
            before: before.summary.mean_complexity,
            after: after.summary.mean_complexity,
        },
        Metric {
            name: "documentation_coverage".into(),
            before: before.summary.documentation_coverage,
            after: after.summary.documentation_coverage,
        },
        Metric {
            // tdev's own analyses only: the tools are not rerun on every change.
            name: "native_findings".into(),
            before: native(before),
            after: native(after),
        },
    ]
}
