//! The gate policy: which conditions a change must meet and their thresholds, read from the
//! `[gates]` table of `tdev.toml`. Every key is optional; the defaults are documented in
//! `docs/gates.md` and modelled on SonarQube's "Sonar way" gate for new code.

use crate::{Error, Globs, Result};
use serde::{Deserialize, Serialize};
use tdev_core::Severity;

/// Every condition of the gate, one table each.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Policy {
    /// Fail a condition whose measurement is missing (no coverage, no maintainability index)
    /// instead of passing it as "not measured".
    pub fail_when_unmeasured: bool,
    /// Existing tests are not edited, deleted or weakened.
    pub test_integrity: TestIntegrityPolicy,
    /// No test that passed on the baseline fails after the change.
    pub tests: TestsPolicy,
    /// Changed lines are covered by tests.
    pub coverage: CoveragePolicy,
    /// No new serious security finding.
    pub security: SecurityPolicy,
    /// Total cyclomatic complexity does not grow.
    pub complexity_total: ComplexityTotalPolicy,
    /// The most complex function of the touched files does not get more complex.
    pub complexity_max: ComplexityMaxPolicy,
    /// No touched file loses maintainability.
    pub maintainability: MaintainabilityPolicy,
    /// Docstring coverage does not fall.
    pub docstrings: DocstringsPolicy,
    /// Duplicated lines do not grow.
    pub duplication: DuplicationPolicy,
    /// No line the change adds is longer than the repository allows.
    pub line_length: LineLengthPolicy,
}

/// `[gates.test_integrity]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TestIntegrityPolicy {
    /// Whether the condition is checked.
    pub enabled: bool,
    /// Globs of test files (`*`, `?` within a segment, `**` for any segments, `[abc]`,
    /// `{a,b}`), compiled when read.
    pub patterns: Globs,
    /// Task kinds that write tests: they may only add to test files.
    pub test_writing_kinds: Vec<String>,
}

/// `[gates.tests]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TestsPolicy {
    /// Whether the condition is checked.
    pub enabled: bool,
    /// How many tests may newly fail.
    pub max_new_failures: u32,
}

/// `[gates.coverage]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CoveragePolicy {
    /// Whether the condition is checked.
    pub enabled: bool,
    /// Least coverage of the changed executable lines, in percent.
    pub min_percent: f64,
    /// Also pass when the changed lines are covered at least as well as the touched files
    /// were on the baseline.
    pub or_not_lower: bool,
}

/// `[gates.security]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SecurityPolicy {
    /// Whether the condition is checked.
    pub enabled: bool,
    /// Findings of this severity or above count.
    pub min_severity: Severity,
    /// How many new findings that count are allowed.
    pub max_new: u32,
}

/// `[gates.complexity_total]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ComplexityTotalPolicy {
    /// Whether the condition is checked.
    pub enabled: bool,
    /// How much the total cyclomatic complexity may grow.
    pub max_increase: u32,
}

/// `[gates.complexity_max]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ComplexityMaxPolicy {
    /// Whether the condition is checked.
    pub enabled: bool,
    /// How much the complexity of the most complex function of the touched files may grow.
    pub max_increase: u32,
}

/// `[gates.maintainability]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MaintainabilityPolicy {
    /// Whether the condition is checked.
    pub enabled: bool,
    /// How many points (of 100) the maintainability index of a touched file may drop.
    pub max_drop: f64,
}

/// `[gates.docstrings]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DocstringsPolicy {
    /// Whether the condition is checked.
    pub enabled: bool,
    /// How many percentage points docstring coverage may drop.
    pub max_drop: f64,
}

/// `[gates.duplication]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DuplicationPolicy {
    /// Whether the condition is checked.
    pub enabled: bool,
    /// How many duplicated lines may be added.
    pub max_increase: u32,
}

/// `[gates.line_length]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LineLengthPolicy {
    /// Whether the condition is checked.
    pub enabled: bool,
}

impl Default for LineLengthPolicy {
    fn default() -> Self {
        LineLengthPolicy { enabled: true }
    }
}

impl Default for TestIntegrityPolicy {
    fn default() -> Self {
        let strings = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect();
        TestIntegrityPolicy {
            enabled: true,
            patterns: Globs::new([
                "**/tests/**",
                "**/test/**",
                "**/test_*.py",
                "**/*_test.py",
                "**/conftest.py",
                // Fixtures the tests read or run are part of the tests.
                "**/test_data/**",
                "**/testdata/**",
            ])
            .expect("the default test-file patterns are valid globs"),
            test_writing_kinds: strings(&["add-tests"]),
        }
    }
}

impl Default for TestsPolicy {
    fn default() -> Self {
        TestsPolicy {
            enabled: true,
            max_new_failures: 0,
        }
    }
}

impl Default for CoveragePolicy {
    fn default() -> Self {
        CoveragePolicy {
            enabled: true,
            min_percent: 80.0,
            or_not_lower: true,
        }
    }
}

impl Default for SecurityPolicy {
    fn default() -> Self {
        SecurityPolicy {
            enabled: true,
            min_severity: Severity::High,
            max_new: 0,
        }
    }
}

impl Default for ComplexityTotalPolicy {
    fn default() -> Self {
        ComplexityTotalPolicy {
            enabled: true,
            max_increase: 0,
        }
    }
}

impl Default for ComplexityMaxPolicy {
    fn default() -> Self {
        ComplexityMaxPolicy {
            enabled: true,
            max_increase: 0,
        }
    }
}

impl Default for MaintainabilityPolicy {
    fn default() -> Self {
        MaintainabilityPolicy {
            enabled: true,
            max_drop: 1.0,
        }
    }
}

impl Default for DocstringsPolicy {
    fn default() -> Self {
        DocstringsPolicy {
            enabled: true,
            max_drop: 0.0,
        }
    }
}

impl Default for DuplicationPolicy {
    fn default() -> Self {
        DuplicationPolicy {
            enabled: true,
            max_increase: 0,
        }
    }
}

impl Policy {
    /// Checks the values serde cannot: percentages within 0 to 100, tolerances not negative.
    /// The error names the key, e.g. `gates.coverage.min_percent`.
    pub fn validate(&self) -> Result<()> {
        let checks = [
            (
                "gates.coverage.min_percent",
                self.coverage.min_percent,
                100.0,
            ),
            (
                "gates.maintainability.max_drop",
                self.maintainability.max_drop,
                100.0,
            ),
            ("gates.docstrings.max_drop", self.docstrings.max_drop, 100.0),
        ];
        for (key, value, max) in checks {
            if !(0.0..=max).contains(&value) {
                return Err(Error::Policy(format!(
                    "{key} is {value}; it must be from 0 to {max}"
                )));
            }
        }
        Ok(())
    }

    /// Whether `path` is a test file by `test_integrity.patterns`.
    pub fn is_test_file(&self, path: &str) -> bool {
        self.test_integrity.patterns.matches(path)
    }
}
