//! The priority of a finding: one number in [0, 1] that puts high-impact work first.
//!
//! Three signals, weighted: how serious the finding is (half the weight), how much of a
//! hotspot its code is, that is how often it changes times how complex it is (three tenths:
//! code that changes often is where quality pays back), and how little of it the tests cover
//! (two tenths: changing uncovered code is where regressions hide). A signal that is not
//! known (no git history, no coverage measured) is left out and the others are rescaled, so
//! a priority is comparable within one scan whatever was measured.
//!
//! The order of a scan's findings is what a maintainer reads first, so it puts the product
//! before its tests: a complex test function or a long test module is reported, with the
//! priority its own signals give it, but listed after every finding in the code the tests
//! exercise (a first screen of test findings reads as "your tests are the problem"). Within
//! each part, findings go by priority, then by place.

use crate::test_files::TestFiles;
use std::collections::HashSet;
use tdev_core::{Finding, Severity};

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

/// Orders `findings` for a maintainer: those outside `tests` first, then those in tests;
/// within each, highest priority first, then by path, line and kind.
pub(crate) fn rank(findings: &mut [Finding], tests: &TestFiles) {
    // Matching globs once per file rather than once per comparison.
    let in_tests: HashSet<String> = findings
        .iter()
        .filter(|f| tests.contains(&f.path))
        .map(|f| f.path.clone())
        .collect();
    findings.sort_by(|a, b| {
        in_tests
            .contains(&a.path)
            .cmp(&in_tests.contains(&b.path))
            .then_with(|| b.priority.total_cmp(&a.priority))
            .then_with(|| a.path.cmp(&b.path))
            .then_with(|| a.span.cmp(&b.span))
            .then_with(|| a.kind.cmp(&b.kind))
    });
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

    fn finding(path: &str, kind: &str, priority: f64) -> Finding {
        Finding {
            id: format!("{kind}-{path}"),
            kind: kind.to_owned(),
            severity: Low,
            path: path.to_owned(),
            span: None,
            symbol: None,
            message: String::new(),
            evidence: None,
            metrics: Default::default(),
            fix: None,
            priority,
        }
    }

    /// The order `rank` gives, as `path kind` lines.
    fn ranked(mut findings: Vec<Finding>, patterns: &[&str]) -> Vec<String> {
        let patterns = tdev_gates::Globs::new(patterns.iter().copied()).unwrap();
        rank(&mut findings, &TestFiles::new(&patterns));
        findings
            .iter()
            .map(|f| format!("{} {} {}", f.path, f.kind, f.priority))
            .collect()
    }

    #[test]
    fn findings_in_tests_rank_after_the_products_whatever_their_priority() {
        let findings = vec![
            finding("pkg/tests/test_core.py", "complexity", 1.0),
            finding("pkg/core.py", "docstring", 0.2),
            finding("tests/test_util.py", "maintainability", 0.9),
            finding("pkg/util.py", "complexity", 0.6),
            finding("conftest.py", "ruff:E711", 0.7),
            finding("pkg/testing.py", "hotspot", 0.4),
        ];
        let defaults = crate::test_files::default_patterns();
        let defaults: Vec<&str> = defaults.patterns().iter().map(String::as_str).collect();
        assert_eq!(
            ranked(findings.clone(), &defaults),
            [
                "pkg/util.py complexity 0.6",
                "pkg/testing.py hotspot 0.4",
                "pkg/core.py docstring 0.2",
                "pkg/tests/test_core.py complexity 1",
                "tests/test_util.py maintainability 0.9",
                "conftest.py ruff:E711 0.7",
            ]
        );
        // The patterns decide what a test is: with none, priority alone orders.
        assert_eq!(
            ranked(findings, &[]),
            [
                "pkg/tests/test_core.py complexity 1",
                "tests/test_util.py maintainability 0.9",
                "conftest.py ruff:E711 0.7",
                "pkg/util.py complexity 0.6",
                "pkg/testing.py hotspot 0.4",
                "pkg/core.py docstring 0.2",
            ]
        );
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
