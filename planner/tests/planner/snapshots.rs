//! Snapshots of the renderers on a fixture of findings shaped like `tdev scan --json` output.
//! `UPDATE_EXPECT=1 cargo test -p tdev-planner` rewrites them after a deliberate change.

use expect_test::expect_file;
use tdev_core::Finding;
use tdev_planner::{BackendChoice, Backends, Goal, Plan, Planner};

/// The shop's plan for `goal` with every backend.
fn shop(goal: Goal) -> Plan {
    shop_with(goal, Backends::default())
}

fn shop_with(goal: Goal, backends: Backends) -> Plan {
    #[derive(serde::Deserialize)]
    struct Scan {
        findings: Vec<Finding>,
    }
    let text = include_str!("../../test_data/findings/shop.json");
    let scan: Scan = serde_json::from_str(text).unwrap();
    Planner::default()
        .with_backends(backends)
        .plan(goal, &scan.findings)
        .unwrap()
}

#[test]
fn text_plan_of_the_shop() {
    expect_file!["../../test_data/plans/shop-overall.txt"]
        .assert_eq(&tdev_planner::text(&shop(Goal::Overall)));
}

/// What `tdev plan` shows where no model is configured: the tools' work, and what was left.
#[test]
fn text_plan_of_the_shop_without_a_model() {
    let backends = Backends::new(BackendChoice::Auto, false, false);
    expect_file!["../../test_data/plans/shop-overall-no-model.txt"]
        .assert_eq(&tdev_planner::text(&shop_with(Goal::Overall, backends)));
}

#[test]
fn text_plan_of_the_shop_hotspots() {
    expect_file!["../../test_data/plans/shop-hotspots.txt"]
        .assert_eq(&tdev_planner::text(&shop(Goal::Hotspots)));
}

#[test]
fn mermaid_plan_of_the_shop() {
    expect_file!["../../test_data/plans/shop-overall.mmd"]
        .assert_eq(&tdev_planner::mermaid(&shop(Goal::Overall)));
}

#[test]
fn json_plan_round_trips() {
    let plan = shop(Goal::Overall);
    let json = serde_json::to_string(&plan).unwrap();
    assert_eq!(serde_json::from_str::<Plan>(&json).unwrap(), plan);
}

#[test]
fn mermaid_escapes_ids_and_labels() {
    let (mut tasks, findings) = crate::support::graph("end:1 a-b:2<end");
    tasks[1].title = "Fix \"quotes\" <here> & #there".into();
    let graph = tdev_planner::TaskGraph::new(&tasks, &findings).unwrap();
    let plan = Plan {
        goal: Goal::Lint,
        critical_path: graph.critical_path(),
        groups: graph.groups(),
        tasks,
        details: Default::default(),
        left_out: 0,
        too_large: Vec::new(),
        needs_model: None,
        estimated_by: "the heuristic".into(),
    };
    expect_test::expect![[r#"
        flowchart TD
            task_end["end: <br/>ruff-fix:E7 · 1 h · risk 1"]
            task_a_2db["a-b: Fix #quot;quotes#quot; #lt;here#gt; #amp; #35;there<br/>ruff-fix:E7 · 2 h · risk 1"]
            task_end --> task_a_2db
            classDef critical stroke:#d62728,stroke-width:3px
            class task_end,task_a_2db critical
    "#]]
    .assert_eq(&tdev_planner::mermaid(&plan));
}
