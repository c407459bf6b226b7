//! Per-strategy Beta posteriors of the pass rate, and Thompson sampling over them: which
//! strategy to try first on a task.
//!
//! Each (task kind, strategy) pair is an arm with a Beta(prior passes + passes, prior
//! failures + failures) posterior of its pass rate. Thompson sampling draws one rate from
//! each candidate's posterior and tries the highest first, so a strategy that keeps failing
//! on a kind of task is rarely first there, while one with little data keeps a wide
//! posterior and still comes first now and then: exploration in proportion to what is not
//! yet known. Arms are per task kind so that failing on one kind of code does not condemn a
//! strategy on the others.
//!
//! The random numbers come from the caller's generator, so that a seeded one gives the same
//! order every time (tests, and a cycle replayed for a report).

use rand::Rng;
use rand_distr::{Beta, Distribution};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tdev_core::{Strategy, TrainingRow};

/// The Beta prior every arm starts from, as pseudo-counts.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Prior {
    /// Passes assumed before any attempt (above 0).
    pub passes: f64,
    /// Failures assumed before any attempt (above 0).
    pub failures: f64,
}

impl Default for Prior {
    /// Beta(1, 1): every pass rate equally likely.
    fn default() -> Prior {
        Prior {
            passes: 1.0,
            failures: 1.0,
        }
    }
}

impl Prior {
    /// Whether both pseudo-counts are finite and above 0, as a Beta distribution needs.
    pub(crate) fn is_valid(&self) -> bool {
        self.passes.is_finite()
            && self.failures.is_finite()
            && self.passes > 0.0
            && self.failures > 0.0
    }
}

/// What has been seen of one arm.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcomes {
    /// Attempts that passed the gate.
    pub passes: u32,
    /// Attempts that did not.
    pub failures: u32,
}

/// The posteriors of every (task kind, strategy) pair seen, over one prior.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Posteriors {
    prior: Prior,
    arms: BTreeMap<(String, Strategy), Outcomes>,
}

impl Posteriors {
    /// No observation yet: every arm is at `prior`.
    pub fn new(prior: Prior) -> Posteriors {
        Posteriors {
            prior,
            arms: BTreeMap::new(),
        }
    }

    /// The posteriors after every row's outcome.
    pub fn from_rows(rows: &[TrainingRow], prior: Prior) -> Posteriors {
        let mut posteriors = Posteriors::new(prior);
        for row in rows {
            let features = &row.features;
            posteriors.observe(&features.kind, &features.strategy, row.labels.passed);
        }
        posteriors
    }

    /// Counts one attempt of `strategy` on a task of `kind`.
    pub fn observe(&mut self, kind: &str, strategy: &Strategy, passed: bool) {
        let arm = self
            .arms
            .entry((kind.to_owned(), strategy.clone()))
            .or_default();
        if passed {
            arm.passes = arm.passes.saturating_add(1);
        } else {
            arm.failures = arm.failures.saturating_add(1);
        }
    }

    /// What has been seen of `strategy` on tasks of `kind` (nothing for an arm never tried).
    pub fn outcomes(&self, kind: &str, strategy: &Strategy) -> Outcomes {
        self.arms
            .get(&(kind.to_owned(), strategy.clone()))
            .copied()
            .unwrap_or_default()
    }

    /// The posterior's parameters (alpha, beta) for `strategy` on tasks of `kind`.
    pub fn parameters(&self, kind: &str, strategy: &Strategy) -> (f64, f64) {
        let seen = self.outcomes(kind, strategy);
        (
            self.prior.passes + f64::from(seen.passes),
            self.prior.failures + f64::from(seen.failures),
        )
    }

    /// The posterior mean pass rate of `strategy` on tasks of `kind`.
    pub fn mean(&self, kind: &str, strategy: &Strategy) -> f64 {
        let (alpha, beta) = self.parameters(kind, strategy);
        alpha / (alpha + beta)
    }

    /// One draw of the pass rate of `strategy` on tasks of `kind` from its posterior.
    pub fn sample<R: Rng + ?Sized>(&self, kind: &str, strategy: &Strategy, rng: &mut R) -> f64 {
        let (alpha, beta) = self.parameters(kind, strategy);
        // Both parameters are at least the prior's, which `Prior::is_valid` keeps above 0;
        // a prior built by hand out of range gets its mean instead of a panic.
        match Beta::new(alpha, beta) {
            Ok(distribution) => distribution.sample(rng),
            Err(_) => alpha / (alpha + beta),
        }
    }

    /// The candidates in the order Thompson sampling tries them on a task of `kind`: one draw
    /// each, highest first (ties keep the candidates' order).
    pub fn thompson_order<R: Rng + ?Sized>(
        &self,
        kind: &str,
        candidates: &[Strategy],
        rng: &mut R,
    ) -> Vec<Strategy> {
        let mut drawn: Vec<(f64, &Strategy)> = candidates
            .iter()
            .map(|s| (self.sample(kind, s, rng), s))
            .collect();
        drawn.sort_by(|a, b| b.0.total_cmp(&a.0));
        drawn.into_iter().map(|(_, s)| s.clone()).collect()
    }

    /// The candidates in the order Thompson sampling tries them, each arm's posterior built
    /// on its own prior (`prior_of`, for example the heuristic's pass rate as pseudo-counts)
    /// instead of the common one: what tdev believes before any attempt still counts, and
    /// what it sees of the arm moves the order away from it. Ties keep the candidates' order.
    pub fn thompson_order_from<R: Rng + ?Sized>(
        &self,
        kind: &str,
        candidates: &[Strategy],
        prior_of: impl Fn(&Strategy) -> Prior,
        rng: &mut R,
    ) -> Vec<Strategy> {
        let mut drawn: Vec<(f64, &Strategy)> = candidates
            .iter()
            .map(|strategy| {
                let prior = Some(prior_of(strategy))
                    .filter(Prior::is_valid)
                    .unwrap_or(self.prior);
                let seen = self.outcomes(kind, strategy);
                let (alpha, beta) = (
                    prior.passes + f64::from(seen.passes),
                    prior.failures + f64::from(seen.failures),
                );
                let draw = match Beta::new(alpha, beta) {
                    Ok(distribution) => distribution.sample(rng),
                    Err(_) => alpha / (alpha + beta),
                };
                (draw, strategy)
            })
            .collect();
        drawn.sort_by(|a, b| b.0.total_cmp(&a.0));
        drawn.into_iter().map(|(_, s)| s.clone()).collect()
    }

    /// How many arms have been seen.
    pub fn arms(&self) -> usize {
        self.arms.len()
    }

    /// The prior every arm starts from.
    pub fn prior(&self) -> Prior {
        self.prior
    }
}
