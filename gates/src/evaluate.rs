//! The gate itself: each condition of the policy judged on the evaluator's measurements, as a
//! pure function.

use crate::{
    ConditionResult, FileMetrics, FindingKey, GateInput, GateReport, LineCoverage, Policy,
    test_integrity,
};
use std::collections::BTreeMap;
use tdev_core::TestStatus;

/// Slack for comparing floating-point measurements with thresholds, so that a value exactly
/// at the threshold (as a person computes it) passes.
const EPSILON: f64 = 1e-9;

/// How many integrity violations or tests a reason names before it says "and N more".
const NAMED: usize = 3;

/// One condition's judge.
type Judge = fn(&Policy, &GateInput) -> ConditionResult;

/// Judges `input` by every enabled condition of `policy`.
pub fn evaluate(policy: &Policy, input: &GateInput) -> GateReport {
    let judges: [(bool, Judge); 10] = [
        (policy.test_integrity.enabled, integrity),
        (policy.tests.enabled, tests),
        (policy.coverage.enabled, coverage),
        (policy.security.enabled, security),
        (policy.complexity_total.enabled, complexity_total),
        (policy.complexity_max.enabled, complexity_max),
        (policy.maintainability.enabled, maintainability),
        (policy.docstrings.enabled, docstrings),
        (policy.duplication.enabled, duplication),
        (policy.line_length.enabled, line_length),
    ];
    let conditions = judges
        .into_iter()
        .filter(|(enabled, _)| *enabled)
        .map(|(_, judge)| judge(policy, input))
        .collect();
    GateReport::new(conditions)
}

fn result(
    name: &str,
    passed: bool,
    actual: String,
    threshold: String,
    reason: String,
) -> ConditionResult {
    ConditionResult {
        name: name.to_owned(),
        passed,
        actual,
        threshold,
        reason: if passed { String::new() } else { reason },
    }
}

/// A condition whose measurement the evaluator did not provide.
fn unmeasured(policy: &Policy, name: &str, threshold: String, what: &str) -> ConditionResult {
    result(
        name,
        !policy.fail_when_unmeasured,
        "not measured".into(),
        threshold,
        format!("{what} was not measured, and the policy requires every measurement."),
    )
}

/// "1 violation", "2 violations".
fn count(n: usize, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
}

/// "a; b; c; and 2 more".
fn list(items: &[String]) -> String {
    let named = items
        .iter()
        .take(NAMED)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    match items.len().saturating_sub(NAMED) {
        0 => named,
        more => format!("{named}; and {more} more"),
    }
}

fn integrity(policy: &Policy, input: &GateInput) -> ConditionResult {
    let violations = test_integrity(policy, &input.task_kind, &input.change);
    let writes_tests = policy
        .test_integrity
        .test_writing_kinds
        .contains(&input.task_kind);
    let threshold = if writes_tests {
        "only additions to test files"
    } else {
        "existing tests untouched"
    };
    let named: Vec<String> = violations.iter().map(ToString::to_string).collect();
    result(
        "test_integrity",
        violations.is_empty(),
        count(violations.len(), "violation"),
        threshold.into(),
        format!(
            "The change must leave the existing tests as they are{}, but {}.",
            if writes_tests {
                " and only add tests"
            } else {
                ""
            },
            list(&named)
        ),
    )
}

fn tests(policy: &Policy, input: &GateInput) -> ConditionResult {
    let after = |id: &str| {
        input
            .tests_after
            .get(id)
            .copied()
            .unwrap_or(TestStatus::Missing)
    };
    let mut broken = Vec::new();
    for (id, before) in &input.tests_baseline {
        let now = after(id);
        if *before == TestStatus::Passed && now != TestStatus::Passed {
            broken.push(format!("{id} ({})", now.as_str()));
        }
    }
    // A test the change added must pass too.
    for (id, now) in &input.tests_after {
        if !input.tests_baseline.contains_key(id)
            && matches!(now, TestStatus::Failed | TestStatus::Error)
        {
            broken.push(format!("{id} (new, {})", now.as_str()));
        }
    }
    let max = policy.tests.max_new_failures;
    let passing = input
        .tests_baseline
        .values()
        .filter(|o| **o == TestStatus::Passed)
        .count();
    // With no passing test on the untouched code (none ran, or the suite did not build),
    // "no new failure" would say nothing about the change.
    if passing == 0 && broken.is_empty() {
        return unmeasured(policy, "tests", format!("<= {max}"), "A passing test suite");
    }
    result(
        "tests",
        broken.len() <= max as usize,
        format!(
            "{} of {passing} passing",
            count(broken.len(), "new failure")
        ),
        format!("<= {max}"),
        format!(
            "These tests passed on the untouched code, or were added by the change, and do not pass with it: {}.",
            list(&broken)
        ),
    )
}

fn percent(value: f64) -> String {
    format!("{value:.1}%")
}

fn coverage(policy: &Policy, input: &GateInput) -> ConditionResult {
    let rule = &policy.coverage;
    let Some(coverage) = input.coverage else {
        let threshold = format!(">= {}", percent(rule.min_percent));
        return unmeasured(policy, "coverage", threshold, "Coverage");
    };
    // Files with no executable lines before (new files) set no "previous coverage".
    let before = coverage
        .touched_files_before
        .percent()
        .filter(|_| rule.or_not_lower);
    let threshold = match before {
        Some(before) => format!(
            ">= {} or >= {} (before)",
            percent(rule.min_percent),
            percent(before)
        ),
        None => format!(">= {}", percent(rule.min_percent)),
    };
    let LineCoverage { covered, total } = coverage.changed_lines;
    let Some(changed) = coverage.changed_lines.percent() else {
        return result(
            "coverage",
            true,
            "no changed lines".into(),
            threshold,
            String::new(),
        );
    };
    let passed = changed + EPSILON >= rule.min_percent
        || before.is_some_and(|before| changed + EPSILON >= before);
    let or_before = before
        .map(|before| {
            format!(
                ", or as much as the touched files were covered before ({})",
                percent(before)
            )
        })
        .unwrap_or_default();
    result(
        "coverage",
        passed,
        format!("{} of {}", percent(changed), count(total as usize, "line")),
        threshold,
        format!(
            "Tests run {covered} of the {total} changed executable lines ({}); cover at least {}{or_before}.",
            percent(changed),
            percent(rule.min_percent),
        ),
    )
}

fn security(policy: &Policy, input: &GateInput) -> ConditionResult {
    let rule = &policy.security;
    // Findings of the baseline, keyed by where they are after the change (renames followed),
    // counted so that a second copy of a known finding is new.
    let mut known: BTreeMap<FindingKey, usize> = BTreeMap::new();
    for finding in &input.findings_before {
        let mut key = FindingKey::of(finding);
        if let Some(path) = input.change.path_after(&finding.path) {
            key.path = path.to_owned();
            *known.entry(key).or_default() += 1;
        }
    }
    let mut new = Vec::new();
    for finding in &input.findings_after {
        let key = FindingKey::of(finding);
        match known.get_mut(&key) {
            Some(count) if *count > 0 => *count -= 1,
            _ if finding.severity >= rule.min_severity => {
                let line = finding
                    .span
                    .map(|s| format!(":{}", s.line))
                    .unwrap_or_default();
                new.push(format!("{} at {}{line}", finding.kind, finding.path));
            }
            _ => {}
        }
    }
    result(
        "security",
        new.len() <= rule.max_new as usize,
        format!("{} new", new.len()),
        format!(
            "<= {} of {} or above",
            rule.max_new,
            rule.min_severity.as_str()
        ),
        format!(
            "The change adds security findings of {} severity or above: {}.",
            rule.min_severity.as_str(),
            list(&new)
        ),
    )
}

/// The metrics of non-test files (tests are judged by integrity, not by their complexity).
/// No hunk of the change has more lines past its file's limit than it took out, or a longer
/// one: a change may keep a long line it edits, but never add one.
fn line_length(_: &Policy, input: &GateInput) -> ConditionResult {
    let mut past = Vec::new();
    let mut checked = 0;
    for file in &input.change.files {
        let Some(limit) = input.line_limits.get(&file.path) else {
            continue;
        };
        if file.status == crate::FileStatus::Deleted {
            continue;
        }
        checked += 1;
        for hunk in &file.hunks {
            let long = |lines: &[crate::Line]| -> Vec<(u32, u32)> {
                lines
                    .iter()
                    .map(|l| (l.number, columns(&l.text)))
                    .filter(|(_, width)| *width > limit.columns)
                    .collect()
            };
            let (before, after) = (long(&hunk.removed), long(&hunk.added));
            let widest = |lines: &[(u32, u32)]| lines.iter().map(|(_, w)| *w).max().unwrap_or(0);
            if after.len() > before.len() || widest(&after) > widest(&before) {
                past.extend(after.into_iter().map(|(number, width)| {
                    format!(
                        "{}:{number} is {width} columns, past {} ({})",
                        file.path, limit.columns, limit.source
                    )
                }));
            }
        }
    }
    let threshold = "no added line past the file's limit".to_owned();
    if checked == 0 {
        return result(
            "line_length",
            true,
            "no file with a limit".into(),
            threshold,
            String::new(),
        );
    }
    result(
        "line_length",
        past.is_empty(),
        count(past.len(), "line") + " past the limit",
        threshold,
        format!(
            "The change adds lines longer than the repository allows: {}. Wrap them as the code around them is wrapped.",
            list(&past)
        ),
    )
}

/// A line's width in columns: characters, as pycodestyle counts them.
fn columns(line: &str) -> u32 {
    u32::try_from(line.chars().count()).unwrap_or(u32::MAX)
}

fn code_files<'a>(
    policy: &'a Policy,
    metrics: &'a BTreeMap<String, FileMetrics>,
) -> impl Iterator<Item = (&'a String, &'a FileMetrics)> {
    metrics
        .iter()
        .filter(|(path, _)| !policy.is_test_file(path))
}

/// Paths of the non-test files the change touched, before and after it.
fn touched(policy: &Policy, input: &GateInput) -> (Vec<String>, Vec<String>) {
    let before = input
        .change
        .files
        .iter()
        .map(|f| f.path_before().to_owned());
    let after = input.change.files.iter().map(|f| f.path.clone());
    let keep = |paths: Vec<String>| {
        paths
            .into_iter()
            .filter(|p| !policy.is_test_file(p))
            .collect()
    };
    (keep(before.collect()), keep(after.collect()))
}

fn complexity_total(policy: &Policy, input: &GateInput) -> ConditionResult {
    let sum = |metrics| -> u64 {
        code_files(policy, metrics)
            .map(|(_, m)| u64::from(m.complexity_total))
            .sum()
    };
    let (before, after) = (sum(&input.metrics_before), sum(&input.metrics_after));
    let max = policy.complexity_total.max_increase;
    let increase = after.saturating_sub(before);
    result(
        "complexity_total",
        increase <= u64::from(max),
        format!("{before} -> {after}"),
        format!("increase <= {max}"),
        format!(
            "Total cyclomatic complexity rose from {before} to {after}; it may rise by at most {max}."
        ),
    )
}

fn complexity_max(policy: &Policy, input: &GateInput) -> ConditionResult {
    let (paths_before, paths_after) = touched(policy, input);
    let max_of = |metrics: &BTreeMap<String, FileMetrics>, paths: &[String]| -> (u32, String) {
        paths
            .iter()
            .filter_map(|p| metrics.get(p).map(|m| (m.complexity_max, p.clone())))
            .max()
            .unwrap_or_default()
    };
    let (before, _) = max_of(&input.metrics_before, &paths_before);
    let (after, file) = max_of(&input.metrics_after, &paths_after);
    let max = policy.complexity_max.max_increase;
    result(
        "complexity_max",
        after <= before.saturating_add(max),
        format!("{before} -> {after}"),
        format!("increase <= {max}"),
        format!(
            "The most complex function of the touched files went from complexity {before} to {after} (in {file}); it may rise by at most {max}."
        ),
    )
}

fn maintainability(policy: &Policy, input: &GateInput) -> ConditionResult {
    let max_drop = policy.maintainability.max_drop;
    let threshold = format!("drop <= {max_drop:.1} per file");
    // The touched files measured on both sides, the worst drop first.
    let mut worst: Option<(f64, f64, String)> = None;
    for file in &input.change.files {
        if policy.is_test_file(&file.path) {
            continue;
        }
        let before = input
            .metrics_before
            .get(file.path_before())
            .and_then(|m| m.maintainability);
        let after = input
            .metrics_after
            .get(&file.path)
            .and_then(|m| m.maintainability);
        if let (Some(before), Some(after)) = (before, after)
            && worst
                .as_ref()
                .is_none_or(|(b, a, _)| before - after > b - a)
        {
            worst = Some((before, after, file.path.clone()));
        }
    }
    let Some((before, after, path)) = worst else {
        let measured = input.change.files.iter().all(|f| {
            policy.is_test_file(&f.path)
                || input
                    .metrics_after
                    .get(&f.path)
                    .is_none_or(|m| m.maintainability.is_some())
        });
        if !measured {
            return unmeasured(
                policy,
                "maintainability",
                threshold,
                "The maintainability index",
            );
        }
        return result(
            "maintainability",
            true,
            "no file measured twice".into(),
            threshold,
            String::new(),
        );
    };
    result(
        "maintainability",
        before - after <= max_drop + EPSILON,
        format!("{before:.1} -> {after:.1} ({path})"),
        threshold,
        format!(
            "The maintainability index of {path} fell from {before:.1} to {after:.1}; it may fall by at most {max_drop:.1}."
        ),
    )
}

fn docstrings(policy: &Policy, input: &GateInput) -> ConditionResult {
    let count = |metrics| {
        code_files(policy, metrics).fold((0u64, 0u64), |(d, n), (_, m)| {
            (d + u64::from(m.documented), n + u64::from(m.documentable))
        })
    };
    let share = |(documented, documentable): (u64, u64)| match documentable {
        0 => 100.0,
        n => 100.0 * documented as f64 / n as f64,
    };
    let (before, after) = (
        share(count(&input.metrics_before)),
        share(count(&input.metrics_after)),
    );
    let max_drop = policy.docstrings.max_drop;
    result(
        "docstrings",
        before - after <= max_drop + EPSILON,
        format!("{} -> {}", percent(before), percent(after)),
        format!("drop <= {max_drop:.1} points"),
        format!(
            "Docstring coverage fell from {} to {}; it may fall by at most {max_drop:.1} points: document the functions and classes the change adds.",
            percent(before),
            percent(after)
        ),
    )
}

fn duplication(policy: &Policy, input: &GateInput) -> ConditionResult {
    let max = policy.duplication.max_increase;
    let threshold = format!("increase <= {max} lines");
    let sum = |metrics| -> Option<u64> {
        code_files(policy, metrics)
            .map(|(_, m)| m.duplicated_lines.map(u64::from))
            .sum()
    };
    let (Some(before), Some(after)) = (sum(&input.metrics_before), sum(&input.metrics_after))
    else {
        return unmeasured(policy, "duplication", threshold, "Duplication");
    };
    result(
        "duplication",
        after.saturating_sub(before) <= u64::from(max),
        format!("{before} -> {after} lines"),
        threshold,
        format!(
            "Duplicated lines rose from {before} to {after}; they may rise by at most {max}: reuse the existing code instead of copying it."
        ),
    )
}
