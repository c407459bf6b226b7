//! A synthetic world of attempts with known behaviour, for the learners' tests and the
//! retraining benchmark (`examples/retrain.rs`): five repositories, nine strategies over five
//! kinds of task, durations that grow with the findings and the test suite, pass rates that
//! fall with low coverage and wide changes, noise on both. Rows come in time order with the
//! strategy's history counted as the knowledge reader counts it: only earlier attempts.

#![allow(dead_code)]

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Normal};
use std::collections::HashMap;
use tdev_core::{
    Baseline, Context, Labels, Language, Strategy, StrategyHistory, Tally, TaskFeatures, Timestamp,
    TrainingRow,
};

/// The strategies of the world: task kind, strategy, typical seconds of the change itself,
/// log-odds of passing at average conditions.
pub const STRATEGIES: [(&str, &str, f64, f64); 9] = [
    ("fix-lint", "ruff-fix:E7", 4.0, 2.5),
    ("fix-lint", "ruff-fix:F4", 5.0, 2.0),
    ("fix-lint", "ruff-unsafe-fix:B0", 8.0, 0.0),
    ("fix-lint", "codemod:none-comparison", 6.0, 1.5),
    ("format", "format:ruff-format", 3.0, 3.0),
    ("reduce-complexity", "llm:refactor", 240.0, -0.5),
    ("add-docstrings", "llm:docstrings", 90.0, 1.0),
    ("add-tests", "llm:add-tests", 400.0, -1.0),
    ("fix-security", "codemod:yaml-safe-load", 6.0, 1.0),
];

/// The repositories: name, language, lines, test-suite seconds.
pub const REPOSITORIES: [(&str, Language, u64, f64); 5] = [
    ("attrs", Language::Python, 21_000, 12.0),
    ("click", Language::Python, 28_000, 25.0),
    ("requests", Language::Python, 11_500, 40.0),
    ("dateutil", Language::Python, 24_000, 8.0),
    ("semver", Language::Rust, 3_000, 5.0),
];

/// The world's state: its random numbers and the history every row so far has made.
#[derive(Debug)]
pub struct World {
    rng: StdRng,
    noise: Normal<f64>,
    /// Seconds since the first attempt.
    clock: i64,
    here: HashMap<(String, Strategy), Tally>,
    everywhere: HashMap<Strategy, Tally>,
    same_kind: HashMap<(String, Strategy), Tally>,
}

/// What an attempt is made of before it runs.
#[derive(Clone, Debug)]
pub struct Setup {
    /// Index into [`REPOSITORIES`].
    pub repository: usize,
    /// The task.
    pub features: TaskFeatures,
    /// Its baseline (the history is filled in when the attempt is made).
    pub baseline: Baseline,
}

impl World {
    /// A world whose random numbers start from `seed`.
    pub fn new(seed: u64) -> World {
        World {
            rng: StdRng::seed_from_u64(seed),
            noise: Normal::new(0.0, 1.0).expect("a valid normal"),
            clock: 0,
            here: HashMap::new(),
            everywhere: HashMap::new(),
            same_kind: HashMap::new(),
        }
    }

    /// `n` attempts of strategies drawn at random, each with its true outcome.
    pub fn rows(&mut self, n: usize) -> Vec<TrainingRow> {
        (0..n)
            .map(|_| {
                let (kind, strategy, ..) = STRATEGIES[self.rng.random_range(0..STRATEGIES.len())];
                let setup = self.setup(kind, strategy);
                let (passed, seconds) = self.truth(&setup);
                self.attempt(setup, passed, seconds)
            })
            .collect()
    }

    /// A task of `kind` by `strategy` on a repository drawn at random, with drawn features.
    pub fn setup(&mut self, kind: &str, strategy: &str) -> Setup {
        let repository = self.rng.random_range(0..REPOSITORIES.len());
        let (_, language, lines, test_secs) = REPOSITORIES[repository];
        let findings = self.rng.random_range(1..=20u32);
        let files = self.rng.random_range(1..=findings.min(8));
        let total_complexity = if kind == "reduce-complexity" {
            self.rng.random_range(10.0..60.0)
        } else {
            0.0
        };
        let coverage = self
            .rng
            .random_bool(0.7)
            .then(|| self.rng.random_range(0.0..1.0));
        Setup {
            repository,
            features: TaskFeatures {
                kind: kind.to_owned(),
                strategy: strategy.parse().expect("a valid strategy"),
                findings,
                files,
                total_complexity,
                priority: self.rng.random_range(0.0..1.0),
            },
            baseline: Baseline {
                language,
                coverage,
                test_duration_secs: Some(test_secs),
                repository_lines: Some(lines),
                churn: Some(f64::from(self.rng.random_range(0..30u32))),
            },
        }
    }

    /// What would truly happen: whether it passes, and its seconds.
    pub fn truth(&mut self, setup: &Setup) -> (bool, f64) {
        let strategy = setup.features.strategy.to_string();
        let (_, _, base_secs, base_logit) = STRATEGIES
            .iter()
            .find(|s| s.1 == strategy)
            .copied()
            .unwrap_or(("", "", 30.0, 0.0));
        let findings = f64::from(setup.features.findings);
        let test_secs = setup.baseline.test_duration_secs.unwrap_or(10.0);
        let median = base_secs * (1.0 + findings).powf(0.4) + test_secs;
        let seconds = median * (0.25 * self.noise.sample(&mut self.rng)).exp();
        let coverage = setup.baseline.coverage.unwrap_or(0.5);
        let logit = base_logit + 2.0 * (coverage - 0.5)
            - 0.4 * f64::from(setup.features.files).ln_1p()
            - 0.02 * setup.features.total_complexity;
        let passed = self.rng.random_bool(1.0 / (1.0 + (-logit).exp()));
        (passed, seconds)
    }

    /// The context an attempt of `setup` would be predicted in now.
    pub fn context(&self, setup: &Setup) -> Context {
        let strategy = &setup.features.strategy;
        let repository = REPOSITORIES[setup.repository].0.to_owned();
        Context {
            baseline: setup.baseline,
            history: StrategyHistory {
                repository: self
                    .here
                    .get(&(repository, strategy.clone()))
                    .copied()
                    .unwrap_or_default(),
                everywhere: self.everywhere.get(strategy).copied().unwrap_or_default(),
                same_kind: self
                    .same_kind
                    .get(&(setup.features.kind.clone(), strategy.clone()))
                    .copied()
                    .unwrap_or_default(),
            },
        }
    }

    /// Makes the attempt of `setup` with the given outcome, counting it in the history of
    /// the attempts after it.
    pub fn attempt(&mut self, setup: Setup, passed: bool, seconds: f64) -> TrainingRow {
        let context = self.context(&setup);
        let repository = REPOSITORIES[setup.repository].0.to_owned();
        let strategy = setup.features.strategy.clone();
        for tally in [
            self.here
                .entry((repository.clone(), strategy.clone()))
                .or_default(),
            self.everywhere.entry(strategy.clone()).or_default(),
            self.same_kind
                .entry((setup.features.kind.clone(), strategy.clone()))
                .or_default(),
        ] {
            tally.attempts += 1;
            tally.passes += u32::from(passed);
        }
        // One attempt a second from the start of 2026: the rows' times are in their order.
        let started_at = format!(
            "2026-01-{:02}T{:02}:{:02}:{:02}Z",
            1 + self.clock / 86_400,
            self.clock / 3600 % 24,
            self.clock / 60 % 60,
            self.clock % 60
        );
        self.clock += 1;
        let tokens = strategy.needs_model().then(|| {
            let findings = f64::from(setup.features.findings);
            (2000.0 * (1.0 + findings).powf(0.7) * (0.2 * self.noise.sample(&mut self.rng)).exp())
                as u64
        });
        TrainingRow {
            repository,
            started_at: Timestamp::parse(&started_at).expect("a valid timestamp"),
            features: setup.features,
            context,
            labels: Labels {
                passed,
                failed: if passed { vec![] } else { vec!["tests".into()] },
                duration_secs: seconds,
                tokens,
                cost: tokens.map(|t| t as f64 * 3e-6),
                fate: None,
            },
        }
    }

    /// The world's random numbers, for scenarios that draw their own.
    pub fn rng(&mut self) -> &mut StdRng {
        &mut self.rng
    }
}
