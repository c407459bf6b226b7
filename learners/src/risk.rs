//! Risk from 1 to 5: how likely an attempt is to fail, raised by what failing would cost.
//!
//! A risk matrix, as risk registers have: the likelihood of failing gives a level from 1 to
//! 5, the cost of failing an impact from 1 to 3, and the risk is the likelihood raised by the
//! impact above 1, at most 5.
//!
//! | failure probability | likelihood |
//! |---|---|
//! | below 0.10 | 1 |
//! | 0.10 to 0.25 | 2 |
//! | 0.25 to 0.50 | 3 |
//! | 0.50 to 0.75 | 4 |
//! | 0.75 and above | 5 |
//!
//! The cost of failing is the attempt's time, which a failure wastes (for a model backend
//! its tokens go with it), and its breadth: a change across many files is harder to review
//! and to retry.
//!
//! | expected attempt | impact |
//! |---|---|
//! | under 2 minutes | 1 |
//! | 2 to 30 minutes | 2 |
//! | 30 minutes or more | 3 |
//! | more than 5 files | one more (at most 3) |

/// Files above which a task counts as wide (the heuristic estimator's threshold too).
pub const WIDE_TASK_FILES: u32 = 5;

/// What a failed attempt would cost.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FailureCost {
    /// The attempt's expected wall time, in seconds: wasted if it fails.
    pub seconds: f64,
    /// How many files the task touches.
    pub files: u32,
}

/// The risk, 1 to 5, of an attempt failing with `failure_probability` at `cost`.
pub fn risk(failure_probability: f64, cost: FailureCost) -> u8 {
    let q = if failure_probability.is_finite() {
        failure_probability.clamp(0.0, 1.0)
    } else {
        1.0
    };
    let likelihood = match q {
        q if q < 0.10 => 1,
        q if q < 0.25 => 2,
        q if q < 0.50 => 3,
        q if q < 0.75 => 4,
        _ => 5,
    };
    let mut impact = match cost.seconds {
        s if s < 120.0 => 1,
        s if s < 1800.0 => 2,
        _ => 3,
    };
    if cost.files > WIDE_TASK_FILES {
        impact += 1;
    }
    let impact: u8 = impact.min(3);
    (likelihood + impact - 1).min(5)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn risk_follows_the_table() {
        let check = |q: f64, seconds: f64, files: u32, expected: u8| {
            assert_eq!(
                risk(q, FailureCost { seconds, files }),
                expected,
                "q {q}, {seconds} s, {files} files"
            );
        };
        check(0.05, 10.0, 1, 1);
        check(0.10, 10.0, 1, 2);
        check(0.30, 10.0, 1, 3);
        check(0.60, 10.0, 1, 4);
        check(0.90, 10.0, 1, 5);
        check(0.05, 600.0, 1, 2);
        check(0.05, 3600.0, 1, 3);
        check(0.05, 10.0, 6, 2);
        check(0.05, 3600.0, 6, 3);
        check(0.60, 3600.0, 6, 5);
        check(f64::NAN, 10.0, 1, 5);
        check(-1.0, 10.0, 1, 1);
    }
}
