//! Plans from findings: which primitive tasks the goal's methods choose, how they are grouped,
//! split to fit 4 hours, ordered and capped.

use crate::support::{describe, findings};
use tdev_planner::{
    BackendChoice, Backends, Error, Estimate, Estimator, Goal, Planner, TaskFeatures,
};

/// Plans `findings` towards the goal named by `goal` and compares the tasks, one per line.
fn check(goal: &str, specs: &[&str], expected: &[&str]) {
    let plan = Planner::default()
        .plan(Goal::parse(goal).unwrap(), &findings(specs))
        .unwrap();
    assert_eq!(describe(&plan), expected, "{goal}: {specs:?}");
}

/// Plans everything with at most `max` tasks; the last line says how many were left out.
fn check_max_tasks(max: usize, specs: &[&str], expected: &[&str]) {
    let plan = Planner::default()
        .with_max_tasks(max)
        .plan(Goal::Overall, &findings(specs))
        .unwrap();
    let mut actual = describe(&plan);
    actual.push(format!("left out {}", plan.left_out));
    assert_eq!(actual, expected, "{specs:?}");
}

#[test]
#[rustfmt::skip]
fn each_kind_of_finding_gets_its_strategy() {
    check("lint", &["ruff:F401 a.py safe"], &["t1 ruff-fix:F4 a.py 0.2h r1"]);
    check("lint", &["ruff:E711 a.py safe"], &["t1 ruff-fix:E7 a.py 0.2h r1"]);
    check("lint", &["ruff:E711 a.py unsafe"], &["t1 codemod:none-comparison a.py 0.3h r2"]);
    check("lint", &["ruff:B006 a.py unsafe"], &["t1 codemod:mutable-default a.py 0.3h r2"]);
    // Every codemod's own list of kinds decides, `negated-comparison`'s included.
    check("lint", &["ruff:E713 a.py"], &["t1 codemod:negated-comparison a.py 0.3h r2"]);
    check("lint", &["ruff:E714 a.py safe"], &["t1 ruff-fix:E7 a.py 0.2h r1"]);
    check("lint", &["ruff:E712 a.py unsafe"], &["t1 ruff-unsafe-fix:E7 a.py 0.5h r3"]);
    check("lint", &["ruff:UP035 a.py unsafe"], &["t1 ruff-unsafe-fix:UP0 a.py 0.5h r3"]);
    check("lint", &["ruff:E712 a.py"], &["t1 llm:fix-lint a.py 0.8h r3"]);
    check("lint", &["clippy::needless_return src/lib.rs safe"], &["t1 clippy-fix:needless_return src/lib.rs 0.2h r1"]);
    check("lint", &["clippy::too_many_lines src/lib.rs"], &["t1 llm:fix-lint src/lib.rs 0.8h r3"]);
    check("lint", &["format:rustfmt src/lib.rs safe"], &["t1 format:rustfmt src/lib.rs 0.2h r1"]);
    check("overall", &["format:ruff-format a.py safe"], &["t1 format:ruff-format a.py 0.2h r1"]);
    check("security", &["bandit:B506 a.py"], &["t1 codemod:yaml-safe-load a.py 0.3h r2"]);
    check("security", &["ruff:S506 a.py"], &["t1 codemod:yaml-safe-load a.py 0.3h r2"]);
    check("security", &["bandit:B105 a.py"], &["t1 llm:fix-security a.py 0.8h r3"]);
    check("hotspots", &["complexity a.py cx=10"], &["t1 llm:refactor a.py 1.7h r4"]);
    check("hotspots", &["hotspot a.py cx=10"], &["t1 llm:refactor a.py 1.7h r4"]);
    check("hotspots", &["complexity a.py cx=45"], &["t1 llm:refactor a.py 3.2h r4", "t2 llm:refactor a.py 3.2h r4 <t1"]);
    check("coverage", &["coverage a.py"], &["t1 llm:add-tests a.py 1.5h r2"]);
    check("docs", &["docstring a.py"], &["t1 llm:docstrings a.py 0.4h r1"]);
    check("docs", &["ruff:D100 a.py"], &["t1 llm:docstrings a.py 0.4h r1"]);
    check("lint", &["ruff:SIM108 a.py safe"], &["t1 ruff-fix:SIM1 a.py 0.2h r1"]);
    check("lint", &["ruff:DTZ005 a.py"], &["t1 llm:fix-lint a.py 0.8h r3"]);
    check("overall", &["mystery a.py"], &["t1 llm:fix a.py 0.8h r3"]);
}

#[test]
#[rustfmt::skip]
fn findings_are_grouped_by_rule_family_and_directory_or_by_file() {
    check("lint", &["ruff:F401 pkg/a.py safe", "ruff:F403 pkg/b.py safe", "ruff:F401 lib/c.py safe"], &["t1 ruff-fix:F4 lib/c.py 0.2h r1", "t2 ruff-fix:F4 pkg/a.py,pkg/b.py 0.3h r1"]);
    check("lint", &["ruff:F401 a.py safe", "ruff:E711 a.py safe"], &["t1 ruff-fix:E7 a.py 0.2h r1", "t2 ruff-fix:F4 a.py 0.2h r1"]);
    check("hotspots", &["complexity a.py cx=10", "complexity b.py cx=10", "complexity a.py cx=5 @g"], &["t1 llm:refactor a.py 2.3h r4", "t2 llm:refactor b.py 1.7h r4"]);
}

#[test]
#[rustfmt::skip]
fn a_goal_takes_only_the_findings_in_its_scope() {
    check("security", &["ruff:F401 a.py safe", "bandit:B506 a.py", "complexity a.py cx=9"], &["t1 codemod:yaml-safe-load a.py 0.3h r2"]);
    check("lint", &["bandit:B506 a.py", "docstring a.py", "mystery a.py"], &[]);
    // The hotspot goal tidies with safe fixes only the files it refactors, tests them first
    // when coverage is low, and leaves the rest alone.
    check("hotspots", &["complexity a.py cx=10", "ruff:F401 a.py safe", "ruff:F401 b.py safe", "ruff:E712 a.py unsafe"], &["t1 ruff-fix:F4 a.py 0.2h r1", "t2 llm:refactor a.py 1.7h r4 <t1"]);
    check("hotspots", &["complexity a.py cx=10", "coverage a.py", "coverage b.py"], &["t1 llm:add-tests a.py 1.5h r2", "t2 llm:refactor a.py 1.7h r4 <t1"]);
}

#[test]
#[rustfmt::skip]
fn tasks_over_four_hours_are_split() {
    // By finding: 0.5 + 0.12 * 38 = 5.1 h for the file.
    check("hotspots", &["complexity a.py cx=20 @f", "complexity a.py cx=18 @g"], &["t1 llm:refactor a.py 2.9h r4", "t2 llm:refactor a.py 2.7h r4"]);
    // One function of complexity 80 (10.1 h) is refactored in three stages, one after another.
    check("hotspots", &["complexity a.py cx=80"], &["t1 llm:refactor a.py 3.7h r4", "t2 llm:refactor a.py 3.7h r4 <t1", "t3 llm:refactor a.py 3.7h r4 <t2"]);
    check("coverage", &["coverage a.py L=1", "coverage a.py L=2", "coverage a.py L=3", "coverage a.py L=4", "coverage a.py L=5", "coverage a.py L=6", "coverage a.py L=7"], &["t1 llm:add-tests a.py 2.5h r2", "t2 llm:add-tests a.py 3h r2"]);
}

#[test]
fn a_tool_fix_over_many_files_is_split_by_file() {
    let specs: Vec<String> = (0..60)
        .map(|i| format!("ruff:F401 pkg/m{i:02}.py safe"))
        .collect();
    let specs: Vec<&str> = specs.iter().map(String::as_str).collect();
    let plan = Planner::default()
        .plan(Goal::Lint, &findings(&specs))
        .unwrap();
    let shape: Vec<(usize, f64, u8)> = plan
        .tasks
        .iter()
        .map(|t| (t.addresses.len(), t.estimate_hours, t.risk))
        .collect();
    // 0.1 + 0.02 * 60 + 0.05 * 60 = 4.3 h; halves of 30 files take 2.2 h each.
    assert_eq!(shape, [(30, 2.2, 2), (30, 2.2, 2)]);
}

#[test]
#[rustfmt::skip]
fn work_on_a_file_is_ordered_from_mechanical_to_creative() {
    check("overall", &["ruff:F401 a.py safe", "complexity a.py cx=10"], &["t1 ruff-fix:F4 a.py 0.2h r1", "t2 llm:refactor a.py 1.7h r4 <t1"]);
    check("overall", &["ruff:F401 a.py safe", "complexity b.py cx=10"], &["t1 ruff-fix:F4 a.py 0.2h r1", "t2 llm:refactor b.py 1.7h r4"]);
    check("security", &["bandit:B105 a.py", "bandit:B506 a.py"], &["t1 codemod:yaml-safe-load a.py 0.3h r2", "t2 llm:fix-security a.py 0.8h r3 <t1"]);
    check("overall", &["ruff:F401 pkg/a.py safe", "ruff:F401 pkg/b.py safe", "complexity pkg/b.py cx=10"], &["t1 ruff-fix:F4 pkg/a.py,pkg/b.py 0.3h r1", "t2 llm:refactor pkg/b.py 1.7h r4 <t1"]);
    // Implied dependencies are left out: the docstrings wait for the refactoring only.
    check("overall", &["docstring a.py", "complexity a.py cx=10", "ruff:F401 a.py safe"], &["t1 ruff-fix:F4 a.py 0.2h r1", "t2 llm:refactor a.py 1.7h r4 <t1", "t3 llm:docstrings a.py 0.4h r1 <t2"]);
}

#[test]
#[rustfmt::skip]
fn tests_come_before_a_refactoring_only_where_coverage_is_low() {
    check("overall", &["coverage a.py", "complexity a.py cx=10"], &["t1 llm:add-tests a.py 1.5h r2", "t2 llm:refactor a.py 1.7h r4 <t1"]);
    check("overall", &["coverage a.py cov=0.5", "complexity a.py cx=10"], &["t1 llm:add-tests a.py 1.5h r2", "t2 llm:refactor a.py 1.7h r4 <t1"]);
    check("overall", &["coverage a.py cov=0.9", "complexity a.py cx=10"], &["t1 llm:add-tests a.py 1.5h r2", "t2 llm:refactor a.py 1.7h r4"]);
    check("overall", &["coverage a.py cov=95", "complexity a.py cx=10 cov=40"], &["t1 llm:add-tests a.py 1.5h r2", "t2 llm:refactor a.py 1.7h r4 <t1"]);
}

#[test]
#[rustfmt::skip]
fn the_cap_keeps_the_highest_priorities_with_their_prerequisites() {
    check_max_tasks(1, &["complexity a.py cx=10 p=0.4", "bandit:B506 b.py p=0.9"], &["t1 codemod:yaml-safe-load b.py 0.3h r2", "left out 1"]);
    check_max_tasks(2, &["complexity a.py cx=10 p=0.9", "coverage a.py p=0.1", "bandit:B105 b.py p=0.5"], &["t1 llm:add-tests a.py 1.5h r2", "t2 llm:refactor a.py 1.7h r4 <t1", "left out 1"]);
    check_max_tasks(0, &["bandit:B105 b.py"], &["left out 1"]);
}

/// Plans with `backends`: the tasks, then what was left out for want of a model.
fn check_backends(backends: Backends, goal: &str, specs: &[&str], expected: &[&str]) {
    let plan = Planner::default()
        .with_backends(backends)
        .plan(Goal::parse(goal).unwrap(), &findings(specs))
        .unwrap();
    let mut actual = describe(&plan);
    actual.extend(plan.needs_model.map(|needs| format!("left out: {needs}")));
    assert_eq!(actual, expected, "{backends:?} {goal}: {specs:?}");
}

#[test]
#[rustfmt::skip]
fn without_a_model_only_what_tools_and_codemods_do_is_planned_and_the_rest_is_counted() {
    let none = Backends::new(BackendChoice::Auto, false, false);
    let tools = Backends::new(BackendChoice::Tools, true, false);
    let llm = Backends::new(BackendChoice::Auto, true, false);
    check_backends(none, "overall", &["ruff:F401 a.py safe", "complexity a.py cx=10", "docstring a.py", "docstring b.py"], &["t1 ruff-fix:F4 a.py 0.2h r1", "left out: 3 tasks need a model (refactoring, docstrings): add an [llm] table to tdev.toml, see docs/backends.md"]);
    check_backends(none, "security", &["bandit:B506 a.py", "bandit:B105 a.py"], &["t1 codemod:yaml-safe-load a.py 0.3h r2", "left out: 1 task needs a model (security fixes): add an [llm] table to tdev.toml, see docs/backends.md"]);
    check_backends(tools, "lint", &["ruff:E712 a.py unsafe", "ruff:E712 b.py"], &["t1 ruff-unsafe-fix:E7 a.py 0.5h r3", "left out: 1 task needs a model (lint fixes): `--backend tools` leaves models out"]);
    // The findings one task would have taken count once.
    check_backends(none, "docs", &["docstring a.py @f", "docstring a.py @g"], &["left out: 1 task needs a model (docstrings): add an [llm] table to tdev.toml, see docs/backends.md"]);
    check_backends(none, "coverage", &["coverage a.py", "coverage b.py"], &["left out: 2 tasks need a model (tests): add an [llm] table to tdev.toml, see docs/backends.md"]);
    // Nothing left out, nothing said.
    check_backends(none, "lint", &["ruff:F401 a.py safe"], &["t1 ruff-fix:F4 a.py 0.2h r1"]);
    // With a model, the plan of every backend.
    check_backends(llm, "security", &["bandit:B506 a.py", "bandit:B105 a.py"], &["t1 codemod:yaml-safe-load a.py 0.3h r2", "t2 llm:fix-security a.py 0.8h r3 <t1"]);
}

#[test]
fn a_plan_without_a_model_says_what_it_left_out_and_how_to_enable_it() {
    let plan = Planner::default()
        .with_backends(Backends::new(BackendChoice::Auto, false, false))
        .plan(
            Goal::Overall,
            &findings(&["complexity a.py cx=10", "ruff:F401 a.py safe"]),
        )
        .unwrap();
    let text = tdev_planner::text(&plan);
    assert!(
        text.contains(
            "Left out: 1 task needs a model (refactoring): add an [llm] table to tdev.toml, \
             see docs/backends.md.\n"
        ),
        "{text}"
    );
    let plan = Planner::default()
        .with_backends(Backends::new(BackendChoice::Auto, false, false))
        .plan(Goal::Hotspots, &findings(&["complexity a.py cx=10"]))
        .unwrap();
    assert_eq!(
        tdev_planner::text(&plan),
        "Nothing to plan for \"raise quality of the hotspots\": 1 task needs a model \
         (refactoring): add an [llm] table to tdev.toml, see docs/backends.md.\n"
    );
}

#[test]
fn duplicate_finding_ids_are_refused() {
    let mut input = findings(&["ruff:F401 a.py safe", "ruff:F401 b.py safe"]);
    input[1].id = "f1".into();
    let err = Planner::default().plan(Goal::Lint, &input).unwrap_err();
    assert!(matches!(err, Error::DuplicateFinding(_)), "{err}");
    assert_eq!(
        err.to_string(),
        "two findings have the id \"f1\"; finding ids must be unique"
    );
}

/// An estimator that answers the same for every task.
#[derive(Debug)]
struct Fixed(Estimate);

impl Estimator for Fixed {
    fn estimate(&self, _: &TaskFeatures) -> Estimate {
        self.0
    }
}

/// Plans one complex function with an estimator answering `(hours, success, risk)`.
fn check_estimator((hours, success_probability, risk): (f64, f64, u8), expected: &str) {
    let estimator = Fixed(Estimate {
        hours,
        success_probability,
        risk,
    });
    let actual =
        match Planner::new(estimator).plan(Goal::Hotspots, &findings(&["complexity a.py cx=10"])) {
            Ok(plan) => {
                let mut lines = describe(&plan);
                lines.extend(plan.too_large.iter().map(|why| format!("left out: {why}")));
                lines.join("; ")
            }
            Err(e) => e.to_string(),
        };
    assert_eq!(actual, expected);
}

#[test]
#[rustfmt::skip]
fn the_estimator_decides_and_is_checked() {
    check_estimator((2.0, 0.5, 3), "t1 llm:refactor a.py 2h r3");
    check_estimator((9.0, 0.5, 3), "left out: \"Refactor to reduce complexity in a.py\" is still estimated at 9.0 h when split into 8 stages, above the limit of 4 h per task");
    check_estimator((1.0, 0.5, 0), "the estimator gave \"Refactor to reduce complexity in a.py\" an invalid risk of 0");
    check_estimator((f64::NAN, 0.5, 3), "the estimator gave \"Refactor to reduce complexity in a.py\" an invalid effort of NaN h");
    check_estimator((1.0, 1.5, 3), "the estimator gave \"Refactor to reduce complexity in a.py\" an invalid success probability of 1.5");
}

#[test]
fn the_features_of_a_task_are_recorded_with_it() {
    let input = findings(&[
        "complexity a.py cx=15 @f p=0.7",
        "complexity a.py cx=10 @g p=0.3",
    ]);
    let plan = Planner::default().plan(Goal::Hotspots, &input).unwrap();
    let features = plan.tasks[0].features.as_ref().unwrap();
    assert_eq!(
        serde_json::to_string(features).unwrap(),
        r#"{"kind":"reduce-complexity","strategy":"llm:refactor","findings":2,"files":1,"total_complexity":25.0,"priority":0.7}"#
    );
    assert_eq!(plan.details["t1"].success_probability, 0.55);
}
