//! Every plan keeps tdev's limits, whatever the findings: checked over varied generated
//! findings with the same rules a cycle record is checked by before it is written.

use std::collections::{BTreeMap, HashMap, HashSet};
use tdev_core::{
    CycleRecord, Finding, Fixability, Language, Outcome, Repository, Severity, Span, Timestamp,
    Trigger,
};
use tdev_planner::{Goal, Plan, Planner};

/// splitmix64: deterministic variety without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const KINDS: [&str; 16] = [
    "complexity",
    "hotspot",
    "missing-docs",
    "docstring",
    "coverage",
    "ruff:E711",
    "ruff:E712",
    "ruff:F401",
    "ruff:B006",
    "ruff:UP035",
    "ruff:D103",
    "ruff:S506",
    "bandit:B506",
    "bandit:B105",
    "clippy::needless_return",
    "todo-comment",
];

fn generate(rng: &mut Rng) -> Vec<Finding> {
    let files: Vec<String> = (0..1 + rng.below(40))
        .map(|i| format!("{}/m{i}.py", ["pkg", "pkg/sub", "lib", "tests"][i % 4]))
        .collect();
    (0..rng.below(150))
        .map(|i| {
            let mut metrics = BTreeMap::new();
            if rng.below(2) == 0 {
                metrics.insert("complexity".to_owned(), (1 + rng.below(150)) as f64);
            }
            if rng.below(3) == 0 {
                metrics.insert("coverage".to_owned(), rng.below(101) as f64 / 100.0);
            }
            let line = 1 + rng.below(500) as u32;
            Finding {
                id: format!("f{i}"),
                kind: rng.pick(&KINDS).to_owned(),
                severity: [
                    Severity::Info,
                    Severity::Low,
                    Severity::Medium,
                    Severity::High,
                ][rng.below(4)],
                path: files[rng.below(files.len())].clone(),
                span: (rng.below(4) != 0).then(|| Span::line(line)),
                symbol: (rng.below(2) == 0).then(|| format!("func{}", rng.below(10))),
                message: String::new(),
                evidence: None,
                metrics,
                fix: [None, Some(Fixability::Safe), Some(Fixability::Unsafe)][rng.below(3)],
                priority: rng.below(101) as f64 / 100.0,
            }
        })
        .collect()
}

/// The plan's tasks recorded in a cycle, checked as the writer would check them.
fn validate(plan: &Plan, findings: &[Finding]) {
    let t = Timestamp::parse("2026-11-25T10:00:00Z").unwrap();
    let record = CycleRecord {
        id: "c-1".into(),
        repository: Repository {
            name: "demo".into(),
            location: "/src/demo".into(),
            language: Language::Python,
        },
        base_commit: None,
        trigger: Trigger::Goal,
        goal: plan.goal.to_string(),
        started_at: t,
        ended_at: t,
        outcome: Outcome::NoChange,
        failure_reason: None,
        findings: findings.to_vec(),
        tasks: plan.tasks.clone(),
        attempts: vec![],
        models: vec![],
        branch_fates: vec![],
    };
    let problems: Vec<String> = record
        .validate()
        .err()
        .unwrap_or_default()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(problems, Vec::<String>::new());
}

/// Groups partition the tasks, respect dependencies and never share a file; the critical path
/// follows dependencies and sums its estimates; dependencies come earlier in the task list.
fn check_shape(plan: &Plan, max_tasks: usize) {
    assert!(plan.tasks.len() <= max_tasks);
    let position: HashMap<&str, usize> = plan
        .tasks
        .iter()
        .enumerate()
        .map(|(i, t)| (t.id.as_str(), i))
        .collect();
    for (i, task) in plan.tasks.iter().enumerate() {
        assert!(!task.addresses.is_empty(), "{task:?}");
        for dep in &task.depends_on {
            assert!(position[dep.as_str()] < i, "{task:?}");
        }
    }
    let mut group_of = HashMap::new();
    for (g, group) in plan.groups.iter().enumerate() {
        let mut files = HashSet::new();
        for id in group {
            assert!(
                group_of.insert(id.as_str(), g).is_none(),
                "{id} in two groups"
            );
            for file in &plan.details[id].files {
                assert!(files.insert(file), "{file} twice in group {g}");
            }
        }
    }
    assert_eq!(group_of.len(), plan.tasks.len());
    for task in &plan.tasks {
        for dep in &task.depends_on {
            assert!(group_of[dep.as_str()] < group_of[task.id.as_str()]);
        }
    }
    let path = &plan.critical_path.tasks;
    for pair in path.windows(2) {
        let after = &plan.tasks[position[pair[1].as_str()]];
        assert!(after.depends_on.contains(&pair[0]), "{path:?}");
    }
    let sum: f64 = path
        .iter()
        .map(|id| plan.tasks[position[id.as_str()]].estimate_hours)
        .sum();
    assert!((sum - plan.critical_path.hours).abs() < 1e-6);
    let longest = plan
        .tasks
        .iter()
        .map(|t| t.estimate_hours)
        .fold(0.0, f64::max);
    assert!(plan.critical_path.hours + 1e-6 >= longest);
}

#[test]
fn every_plan_keeps_the_limits_of_a_cycle_record() {
    let mut rng = Rng(7);
    let mut tasks_seen = 0;
    for _ in 0..300 {
        let findings = generate(&mut rng);
        let goal = Goal::ALL[rng.below(Goal::ALL.len())];
        let max_tasks = rng.below(40);
        let planner = Planner::default().with_max_tasks(max_tasks);
        let plan = planner.plan(goal, &findings).unwrap();
        validate(&plan, &findings);
        check_shape(&plan, max_tasks);
        assert_eq!(
            planner.plan(goal, &findings).unwrap(),
            plan,
            "plans are deterministic"
        );
        tasks_seen += plan.tasks.len();
    }
    // The generator is varied enough to exercise real plans, not only empty ones.
    assert!(tasks_seen > 1000, "{tasks_seen}");
}
