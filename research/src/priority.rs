//! The priority of a finding: one number in [0, 1] that puts high-impact work first.
//!
//! Three signals, weighted: how serious the finding is (half the weight), how much of a
//! hotspot its code is, that is how often it changes times how complex it is (three tenths:
//! code that changes often is where quality pays back), and how little of it the tests cover
//! (two tenths: changing uncovered code is where regressions hide). A signal that is not
//! known (no git history, no coverage measured) is left out and the others are rescaled, so
//! a priority is comparable within one scan whatever was measured.

use tdev_core::Severity;

const SEVERITY_WEIGHT: f64 = 0.5;
const HOTSPOT_WEIGHT: f64 = 0.3;
const COVERAGE_WEIGHT: f64 = 0.2;

/// The priority of a finding of `severity` in code with hotspot score `hotspot` and line
/// coverage `coverage` (both in [0, 1], `None` when not measured); rounded to 3 decimals.
pub fn priority(severity: Severity, hotspot: Option<f64>, coverage: Option<f64>) -> f64 {
    let severity = match severity {
        Severity::Info => 0.1,
        Severity::Low => 0.35,
        Severity::Medium => 0.65,
        Severity::High => 1.0,
    };
    let mut score = SEVERITY_WEIGHT * severity;
    let mut weight = SEVERITY_WEIGHT;
    if let Some(hotspot) = hotspot {
        score += HOTSPOT_WEIGHT * hotspot.clamp(0.0, 1.0);
        weight += HOTSPOT_WEIGHT;
    }
    if let Some(coverage) = coverage {
        score += COVERAGE_WEIGHT * (1.0 - coverage.clamp(0.0, 1.0));
        weight += COVERAGE_WEIGHT;
    }
    crate::round(score / weight, 3)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Severity::*;

    #[test]
    fn priority_ranks_severity_hotspots_and_uncovered_code_first() {
        // Severity alone orders findings.
        assert!(priority(High, None, None) > priority(Medium, None, None));
        assert!(priority(Medium, None, None) > priority(Low, None, None));
        assert!(priority(Low, None, None) > priority(Info, None, None));
        // A hot spot outranks the same finding in code that never changes.
        assert!(priority(Low, Some(0.9), None) > priority(Low, Some(0.1), None));
        // Uncovered code outranks covered code.
        assert!(priority(Low, None, Some(0.1)) > priority(Low, None, Some(0.9)));
        // A low-severity finding in the hottest, uncovered code beats a medium one in cold,
        // covered code.
        assert!(priority(Low, Some(1.0), Some(0.0)) > priority(Medium, Some(0.0), Some(1.0)));
    }

    #[test]
    fn priority_stays_within_bounds() {
        assert_eq!(priority(High, Some(1.0), Some(0.0)), 1.0);
        assert_eq!(priority(High, None, None), 1.0);
        assert_eq!(priority(Info, Some(0.0), Some(1.0)), 0.05);
        assert_eq!(
            priority(Info, Some(7.0), Some(-3.0)),
            priority(Info, Some(1.0), Some(0.0))
        );
    }
}
