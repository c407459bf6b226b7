//! How a task is attempted and how a cycle's attempts add up: the strategies tried, in order,
//! for the up to three attempts a task gets, and the outcome and reason of a cycle from its
//! attempts.
//!
//! A tool or a codemod makes the same change when asked again, so it is tried once; a model,
//! told why it failed, may not, so a model's strategy is repeated to fill the attempts. A
//! strategy that fails escalates to the next riskier one for the same findings, in the order
//! of [`tdev_core::Tier`]: a safe ruff fix to the unsafe one, a codemod, an unsafe fix or a
//! clippy fix to a model when one may try.

use crate::{Backends, Estimator};
use std::collections::HashMap;
use tdev_core::{Attempt, Family, MAX_ATTEMPTS_PER_TASK, Outcome, Strategy, Task};

/// The strategies to try for `task`, one per attempt, at most [`MAX_ATTEMPTS_PER_TASK`]: the
/// planned one first, then the one it escalates to, as far as `backends` can carry them out
/// (a model's request goes to the agent command under `--backend command`); then a model's
/// strategy again, to fill the attempts. A tool or codemod strategy refused (by the gate or
/// the tool itself) on this commit for every finding the task addresses (`refused`, by
/// finding id) is left out: it would make the same change again. Empty when nothing here can
/// do the task.
pub fn attempt_order(
    task: &Task,
    refused: &HashMap<String, Vec<Strategy>>,
    backends: &Backends,
) -> Vec<Strategy> {
    let mut planned = vec![task.strategy.clone()];
    match task.strategy.family() {
        Family::ToolFix => planned.push(task.strategy.with_family(Family::UnsafeToolFix)),
        Family::Codemod | Family::UnsafeToolFix | Family::ClippyFix => {
            planned.push(Strategy::new(Family::Model, "fix"));
        }
        _ => {}
    }
    let refused_for_all = |strategy: &Strategy| {
        !task.addresses.is_empty()
            && task.addresses.iter().all(|finding| {
                refused
                    .get(finding)
                    .is_some_and(|tried| tried.contains(strategy))
            })
    };
    let mut order: Vec<Strategy> = planned
        .iter()
        .filter_map(|strategy| backends.carry_out(strategy))
        .filter(|strategy| !(strategy.is_deterministic() && refused_for_all(strategy)))
        .collect();
    order.truncate(MAX_ATTEMPTS_PER_TASK as usize);
    while order.len() < MAX_ATTEMPTS_PER_TASK as usize {
        match order.last() {
            Some(last) if !last.is_deterministic() => order.push(last.clone()),
            _ => break,
        }
    }
    order
}

/// How strongly the heuristic's pass rate counts before a strategy is seen on a kind of
/// task, in attempts: after about this many attempts, what was seen outweighs it.
pub const PRIOR_ATTEMPTS: f64 = 10.0;

/// `order` (from [`attempt_order`]) with its distinct strategies reordered by Thompson
/// sampling over the learned posteriors of each strategy on tasks of the task's kind, each
/// starting from the heuristic's pass rate as [`PRIOR_ATTEMPTS`] pseudo-attempts: with little
/// seen, the order stays the escalation order almost always (a safe fix before the unsafe
/// one); a strategy that keeps failing on that kind of task stops being tried first. A
/// model's strategy repeated to fill the attempts stays at the end.
pub fn order_by_posteriors<R: tdev_learners::rand::Rng + ?Sized>(
    order: Vec<Strategy>,
    task: &Task,
    posteriors: &tdev_learners::Posteriors,
    rng: &mut R,
) -> Vec<Strategy> {
    let mut distinct: Vec<Strategy> = Vec::new();
    for strategy in &order {
        if !distinct.contains(strategy) {
            distinct.push(strategy.clone());
        }
    }
    if distinct.len() < 2 {
        return order;
    }
    let prior_of = |strategy: &Strategy| {
        let features = tdev_core::TaskFeatures {
            kind: task.kind.clone(),
            strategy: strategy.clone(),
            ..task
                .features
                .clone()
                .unwrap_or_else(|| tdev_core::TaskFeatures {
                    kind: task.kind.clone(),
                    strategy: strategy.clone(),
                    findings: u32::try_from(task.addresses.len()).unwrap_or(u32::MAX),
                    files: 1,
                    total_complexity: 0.0,
                    priority: 0.0,
                })
        };
        let p = crate::HeuristicEstimator
            .estimate(&features)
            .success_probability
            .clamp(0.01, 0.99);
        tdev_learners::Prior {
            passes: p * PRIOR_ATTEMPTS,
            failures: (1.0 - p) * PRIOR_ATTEMPTS,
        }
    };
    let mut reordered = posteriors.thompson_order_from(&task.kind, &distinct, prior_of, rng);
    // The repeats that filled the attempts: the last strategy again, as before.
    while reordered.len() < order.len() {
        match reordered.last() {
            Some(last) if !last.is_deterministic() => reordered.push(last.clone()),
            _ => break,
        }
    }
    reordered
}

/// How a cycle that ran to its end went, from its attempts: passed when one passed the gate;
/// no change when there was nothing to propose (no attempt, or every one found its change
/// already proposed, as `duplicate` says); otherwise failed, with a reason that says whether
/// any attempt reached the gate and, for those that did not, why.
pub fn cycle_outcome(
    attempts: &[Attempt],
    duplicate: impl Fn(&Attempt) -> bool,
) -> (Outcome, Option<String>) {
    if attempts.iter().any(|a| a.gate.passed) {
        return (Outcome::Passed, None);
    }
    if attempts.iter().all(&duplicate) {
        return (Outcome::NoChange, None);
    }
    let reached = attempts.iter().filter(|a| a.evaluation.is_some()).count();
    let short: Vec<&Attempt> = attempts.iter().filter(|a| a.evaluation.is_none()).collect();
    let reason = match (reached, short.len()) {
        (0, _) => format!("no attempt reached the gate: {}", why_short(&short)),
        (1, 0) => "the attempt did not pass the gate".to_owned(),
        (n, 0) => format!("none of the {n} attempts passed the gate"),
        (1, k) => format!(
            "the one attempt that reached the gate did not pass it; {k} did not reach it: {}",
            why_short(&short)
        ),
        (n, k) => format!(
            "none of the {n} attempts that reached the gate passed it; {k} did not reach it: {}",
            why_short(&short)
        ),
    };
    (Outcome::Failed, Some(reason))
}

/// Why attempts stopped short of the gate: each strategy with its first reason, once, the
/// first three of them.
fn why_short(short: &[&Attempt]) -> String {
    const SHOWN: usize = 3;
    let mut seen: Vec<String> = Vec::new();
    for attempt in short {
        let reason = attempt
            .gate
            .reasons
            .first()
            .map_or("no reason given", String::as_str);
        let line = format!("{}: {reason}", attempt.strategy);
        if !seen.contains(&line) {
            seen.push(line);
        }
    }
    let more = seen.len().saturating_sub(SHOWN);
    seen.truncate(SHOWN);
    let mut out = seen.join("; ");
    if more > 0 {
        out.push_str(&format!("; and {more} more"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BackendChoice;
    use tdev_core::{Evaluation, GateDecision, Timestamp};

    fn task(strategy: &str, addresses: &[&str]) -> Task {
        Task {
            id: "t1".into(),
            kind: "fix-lint".into(),
            title: String::new(),
            strategy: strategy.parse().unwrap(),
            estimate_hours: 0.5,
            risk: 1,
            depends_on: Vec::new(),
            addresses: addresses.iter().map(|&a| a.to_owned()).collect(),
            features: None,
            baseline: None,
        }
    }

    /// No model configured, no `--backend`.
    const NONE: Backends = Backends::new(BackendChoice::Auto, false, false);

    /// The attempts at a task of `strategy` addressing `f1` and `f2`, `refused` naming the
    /// strategies refused for each (`f1:ruff-fix:E7`).
    fn check(backends: Backends, strategy: &str, refused: &[&str], expected: &[&str]) {
        let mut by_finding: HashMap<String, Vec<Strategy>> = HashMap::new();
        for entry in refused {
            let (finding, strategy) = entry.split_once(':').unwrap();
            by_finding
                .entry(finding.to_owned())
                .or_default()
                .push(strategy.parse().unwrap());
        }
        let order = attempt_order(&task(strategy, &["f1", "f2"]), &by_finding, &backends);
        let order: Vec<String> = order.iter().map(ToString::to_string).collect();
        assert_eq!(order, expected, "{backends:?} {strategy} {refused:?}");
    }

    #[test]
    #[rustfmt::skip]
    fn strategies_escalate_and_only_a_model_is_repeated() {
        let llm = Backends::new(BackendChoice::Auto, true, false);
        let agent = Backends::new(BackendChoice::Command, false, true);
        let tools = Backends::new(BackendChoice::Tools, true, true);
        check(llm, "ruff-fix:E7", &[], &["ruff-fix:E7", "ruff-unsafe-fix:E7"]);
        check(NONE, "ruff-fix:E7", &[], &["ruff-fix:E7", "ruff-unsafe-fix:E7"]);
        check(llm, "codemod:none-comparison", &[], &["codemod:none-comparison", "llm:fix", "llm:fix"]);
        check(NONE, "codemod:none-comparison", &[], &["codemod:none-comparison"]);
        check(tools, "codemod:none-comparison", &[], &["codemod:none-comparison"]);
        check(agent, "codemod:none-comparison", &[], &["codemod:none-comparison", "command:fix", "command:fix"]);
        check(llm, "ruff-unsafe-fix:E7", &[], &["ruff-unsafe-fix:E7", "llm:fix", "llm:fix"]);
        check(llm, "clippy-fix:needless_return", &[], &["clippy-fix:needless_return", "llm:fix", "llm:fix"]);
        check(llm, "format:rustfmt", &[], &["format:rustfmt"]);
        check(llm, "llm:refactor", &[], &["llm:refactor", "llm:refactor", "llm:refactor"]);
        check(agent, "llm:docstrings", &[], &["command:docstrings", "command:docstrings", "command:docstrings"]);
    }

    #[test]
    #[rustfmt::skip]
    fn a_model_strategy_with_no_model_to_run_it_is_not_attempted() {
        check(NONE, "llm:refactor", &[], &[]);
        check(Backends::new(BackendChoice::Tools, true, true), "llm:docstrings", &[], &[]);
        check(Backends::new(BackendChoice::Command, true, false), "llm:fix", &[], &[]);
    }

    #[test]
    #[rustfmt::skip]
    fn a_tool_refused_for_every_finding_on_this_commit_is_not_tried_again() {
        let llm = Backends::new(BackendChoice::Auto, true, false);
        check(NONE, "ruff-fix:E7", &["f1:ruff-fix:E7", "f2:ruff-fix:E7"], &["ruff-unsafe-fix:E7"]);
        check(NONE, "ruff-fix:E7", &["f1:ruff-fix:E7"], &["ruff-fix:E7", "ruff-unsafe-fix:E7"]);
        check(NONE, "ruff-unsafe-fix:E7", &["f1:ruff-unsafe-fix:E7", "f2:ruff-unsafe-fix:E7"], &[]);
        check(llm, "ruff-unsafe-fix:E7", &["f1:ruff-unsafe-fix:E7", "f2:ruff-unsafe-fix:E7"], &["llm:fix", "llm:fix", "llm:fix"]);
    }

    fn attempt(strategy: &str, reached: bool, passed: bool, reason: &str) -> Attempt {
        Attempt {
            task: "t1".into(),
            number: 1,
            strategy: strategy.parse().unwrap(),
            backend: strategy.into(),
            started_at: Timestamp::from_unix(0),
            duration_secs: 1.0,
            change: None,
            evaluation: reached.then(|| Evaluation {
                metrics: Vec::new(),
                tests_passed: 1,
                tests_failed: 0,
            }),
            gate: GateDecision {
                passed,
                reasons: if reason.is_empty() {
                    Vec::new()
                } else {
                    vec![reason.into()]
                },
                failed: Vec::new(),
            },
            usage: None,
        }
    }

    #[test]
    #[rustfmt::skip]
    fn a_failed_cycle_says_whether_its_attempts_reached_the_gate() {
        let check = |attempts: &[Attempt], expected: (Outcome, Option<&str>)| {
            let (outcome, reason) = cycle_outcome(attempts, |a| {
                a.gate.reasons.first().is_some_and(|r| r.starts_with("already proposed"))
            });
            assert_eq!((outcome, reason.as_deref()), expected, "{attempts:#?}");
        };
        let no_llm = "could not start: no LLM is configured: add an [llm] table to tdev.toml";
        check(&[], (Outcome::NoChange, None));
        check(&[attempt("codemod:x", true, true, ""), attempt("llm:fix", false, false, no_llm)], (Outcome::Passed, None));
        check(&[attempt("ruff-fix:E7", false, false, "already proposed on tdev/auto/x")], (Outcome::NoChange, None));
        check(&[attempt("llm:refactor", false, false, no_llm)], (Outcome::Failed, Some("no attempt reached the gate: llm:refactor: could not start: no LLM is configured: add an [llm] table to tdev.toml")));
        check(&[attempt("ruff-fix:E7", false, false, "the strategy changed nothing"), attempt("ruff-unsafe-fix:E7", false, false, "the strategy changed nothing"), attempt("ruff-fix:E7", false, false, "the strategy changed nothing")],
              (Outcome::Failed, Some("no attempt reached the gate: ruff-fix:E7: the strategy changed nothing; ruff-unsafe-fix:E7: the strategy changed nothing")));
        check(&[attempt("codemod:x", true, false, "Coverage fell."), attempt("llm:fix", true, false, "Tests failed."), attempt("llm:fix", true, false, "Tests failed.")],
              (Outcome::Failed, Some("none of the 3 attempts passed the gate")));
        check(&[attempt("codemod:x", true, false, "Coverage fell.")], (Outcome::Failed, Some("the attempt did not pass the gate")));
        check(&[attempt("codemod:x", true, false, "Coverage fell."), attempt("llm:fix", false, false, "the model's answer held no change")],
              (Outcome::Failed, Some("the one attempt that reached the gate did not pass it; 1 did not reach it: llm:fix: the model's answer held no change")));
        check(&[attempt("codemod:x", true, false, "Coverage fell."), attempt("llm:fix", true, false, "Tests failed."), attempt("llm:fix", false, false, "the model's answer held no change")],
              (Outcome::Failed, Some("none of the 2 attempts that reached the gate passed it; 1 did not reach it: llm:fix: the model's answer held no change")));
        let many: Vec<Attempt> = (0..5).map(|i| attempt(&format!("codemod:c{i}"), false, false, "declined")).collect();
        check(&many, (Outcome::Failed, Some("no attempt reached the gate: codemod:c0: declined; codemod:c1: declined; codemod:c2: declined; and 2 more")));
    }

    /// How often, over 400 seeds, `first` is the strategy tried first.
    fn share_first(posteriors: &tdev_learners::Posteriors, task: &Task, first: &str) -> f64 {
        use tdev_learners::rand::{SeedableRng, rngs::StdRng};
        let order = attempt_order(task, &HashMap::new(), &NONE);
        let firsts = (0..400)
            .filter(|&seed| {
                let mut rng = StdRng::seed_from_u64(seed);
                order_by_posteriors(order.clone(), task, posteriors, &mut rng)[0].to_string()
                    == first
            })
            .count();
        firsts as f64 / 400.0
    }

    /// With nothing seen the escalation order stands almost always; a strategy that keeps
    /// failing on one kind of task stops being tried first there, and only there.
    #[test]
    fn a_strategy_that_keeps_failing_on_a_kind_stops_being_tried_first() {
        let lint = task("ruff-fix:E7", &["f1"]);
        let mut posteriors = tdev_learners::Posteriors::new(tdev_learners::Prior::default());
        assert!(share_first(&posteriors, &lint, "ruff-fix:E7") > 0.8);

        let safe: Strategy = "ruff-fix:E7".parse().unwrap();
        let unsafe_fix: Strategy = "ruff-unsafe-fix:E7".parse().unwrap();
        for _ in 0..30 {
            posteriors.observe("fix-lint", &safe, false);
            posteriors.observe("fix-lint", &unsafe_fix, true);
        }
        assert!(share_first(&posteriors, &lint, "ruff-fix:E7") < 0.05);

        let docs = Task {
            kind: "improve-docs".into(),
            ..lint.clone()
        };
        assert!(share_first(&posteriors, &docs, "ruff-fix:E7") > 0.8);
        // Every strategy is still tried: only the order changed.
        let mut rng =
            <tdev_learners::rand::rngs::StdRng as tdev_learners::rand::SeedableRng>::seed_from_u64(
                1,
            );
        let mut tried = order_by_posteriors(
            vec![safe.clone(), unsafe_fix.clone()],
            &lint,
            &posteriors,
            &mut rng,
        );
        tried.sort();
        let mut expected = vec![safe, unsafe_fix];
        expected.sort();
        assert_eq!(tried, expected);
    }
}
