//! Deterministic synthetic cycle records, shaped like real ones, for tests and benchmarks.
//!
//! About 100 triples per record: two findings, a plan of two or three tasks and one to three
//! attempts per task, some with a change and an evaluation, and a model retrained every 50
//! cycles. The same seed gives the same records on every machine.

use tdev_core::{
    Attempt, Change, CycleRecord, Evaluation, Finding, GateDecision, Language, Metric, ModelRecord,
    Outcome, Repository, Severity, Span, Task, Timestamp, Trigger,
};

pub const STRATEGIES: [&str; 8] = [
    "ruff-fix:E711",
    "ruff-fix:F401",
    "ruff-unsafe-fix:B006",
    "codemod:safe-load",
    "codemod:is-none",
    "codemod:mutable-default",
    "clippy-fix",
    "llm:anthropic",
];

const FINDING_KINDS: [&str; 10] = [
    "complexity",
    "ruff:E711",
    "ruff:F401",
    "ruff:B006",
    "bandit:B506",
    "bandit:B105",
    "docstring",
    "coverage-gap",
    "clippy:needless_return",
    "churn-hotspot",
];

const REPOSITORIES: [(&str, Language); 5] = [
    ("attrs", Language::Python),
    ("requests", Language::Python),
    ("click", Language::Python),
    ("ripgrep", Language::Rust),
    ("tdev", Language::Rust),
];

/// splitmix64: tiny, deterministic and good enough for test data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The `i`-th synthetic record of the stream seeded with `seed`.
pub fn record(seed: u64, i: u64) -> CycleRecord {
    let mut rng = Rng::new(seed ^ i.wrapping_mul(0x2545_f491_4f6c_dd1d));
    let (repo, language) = REPOSITORIES[(i % REPOSITORIES.len() as u64) as usize];
    // Cycles every 15 minutes from 2026-01-01, so a run spans days and the trend has points.
    let started_at = Timestamp::from_unix(1_767_225_600 + i as i64 * 900);
    let id = format!("syn-{seed}-{i:06}");

    let findings: Vec<Finding> = (0..2)
        .map(|f| {
            let kind = FINDING_KINDS[rng.below(FINDING_KINDS.len() as u64) as usize];
            Finding {
                id: format!("f{f}"),
                kind: kind.to_owned(),
                severity: [Severity::Low, Severity::Medium, Severity::High][rng.below(3) as usize],
                path: format!("src/module_{}.py", rng.below(40)),
                span: Some(Span::line(1 + rng.below(400) as u32)),
                symbol: Some(format!("function_{}", rng.below(100))),
                message: format!("{kind} in function_{}", rng.below(100)),
                evidence: None,
                metrics: Default::default(),
                fix: None,
                priority: (rng.unit() * 1000.0).round() / 1000.0,
            }
        })
        .collect();

    let task_count = 1 + rng.below(3) as usize;
    let mut tasks = Vec::new();
    let mut attempts = Vec::new();
    let mut any_passed = false;
    for t in 0..task_count {
        let strategy = STRATEGIES[rng.below(STRATEGIES.len() as u64) as usize];
        let risk = 1 + rng.below(5) as u8;
        tasks.push(Task {
            id: format!("t{t}"),
            kind: "fix-finding".to_owned(),
            title: format!("Apply {strategy} to {}", findings[t % findings.len()].path),
            strategy: strategy.parse().unwrap(),
            estimate_hours: 0.25 + (rng.below(15) as f64) * 0.25,
            risk,
            depends_on: if t > 0 && rng.below(3) == 0 {
                vec![format!("t{}", t - 1)]
            } else {
                vec![]
            },
            addresses: vec![findings[t % findings.len()].id.clone()],
            // As records written before tasks kept their features.
            features: None,
            baseline: None,
        });
        // Riskier tasks pass less often, so learners have something to find.
        let pass_probability = 0.95 - 0.12 * f64::from(risk);
        for number in 1..=3u32 {
            let passed = rng.unit() < pass_probability;
            let branch = format!("tdev/auto/{id}-t{t}");
            let produced_change = passed || rng.below(2) == 0;
            attempts.push(Attempt {
                task: format!("t{t}"),
                number,
                strategy: strategy.parse().unwrap(),
                backend: strategy.split(':').next().unwrap_or(strategy).to_owned(),
                started_at: Timestamp::from_unix(started_at.unix() + 60 * i64::from(number)),
                duration_secs: (rng.unit() * 600.0 * 1000.0).round() / 1000.0,
                usage: None,
                change: produced_change.then(|| Change {
                    branch,
                    commit: passed
                        .then(|| format!("{:016x}{:016x}", rng.next_u64(), rng.next_u64())),
                    files_changed: 1 + rng.below(4) as u32,
                    lines_added: rng.below(40) as u32,
                    lines_removed: rng.below(40) as u32,
                }),
                evaluation: produced_change.then(|| Evaluation {
                    metrics: vec![Metric {
                        name: "cyclomatic_complexity".to_owned(),
                        before: 10.0 + rng.below(20) as f64,
                        after: 8.0 + rng.below(20) as f64,
                    }],
                    tests_passed: 50 + rng.below(200) as u32,
                    tests_failed: u32::from(!passed),
                }),
                // Riskier tasks fail on tests, the others on a metric.
                gate: match (passed, risk % 2) {
                    (true, _) => GateDecision {
                        passed,
                        reasons: vec![],
                        failed: vec![],
                    },
                    (false, 1) => GateDecision {
                        passed,
                        reasons: vec!["a test that passed before fails".to_owned()],
                        failed: vec!["tests".to_owned()],
                    },
                    (false, _) => GateDecision {
                        passed,
                        reasons: vec!["docstring coverage fell".to_owned()],
                        failed: vec!["docstrings".to_owned()],
                    },
                },
            });
            if passed {
                any_passed = true;
                break;
            }
        }
    }
    let models = if i % 50 == 49 {
        ["effort", "risk"]
            .iter()
            .map(|name| ModelRecord {
                name: (*name).to_owned(),
                version: (i / 50 + 1) as u32,
                trained_at: started_at,
                training_size: (i * 3) as u32,
                sha256: format!(
                    "{:016x}{:016x}{:016x}{:016x}",
                    rng.next_u64(),
                    rng.next_u64(),
                    rng.next_u64(),
                    rng.next_u64()
                ),
                metrics: vec![("mae".to_owned(), rng.unit() * 2.0)],
            })
            .collect()
    } else {
        vec![]
    };
    CycleRecord {
        id,
        repository: Repository {
            name: repo.to_owned(),
            location: format!("/srv/repos/{repo}"),
            language,
        },
        base_commit: Some(format!(
            "{:040x}",
            seed.wrapping_mul(1_000_003).wrapping_add(i)
        )),
        trigger: Trigger::Schedule,
        goal: "raise quality of the hotspots".to_owned(),
        started_at,
        ended_at: Timestamp::from_unix(started_at.unix() + 800),
        outcome: if any_passed {
            Outcome::Passed
        } else {
            Outcome::Failed
        },
        failure_reason: (!any_passed).then(|| "no task passed the gate".to_owned()),
        findings,
        tasks,
        attempts,
        models,
        branch_fates: Vec::new(),
    }
}
