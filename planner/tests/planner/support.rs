//! Findings and task graphs written as one-liners, so that every case fits on a line.

use std::collections::BTreeMap;
use tdev_core::{Finding, Fixability, Severity, Span, Task};
use tdev_planner::Plan;

/// Findings from specs such as `"ruff:E711 a.py unsafe p=0.3 @func cx=12 cov=0.4 L=7"`: the
/// kind, then in any order a path (has a `.`), `safe`/`unsafe`, a priority, a symbol, a
/// complexity, a coverage and a line. Ids are `f1`, `f2`, ... in order.
pub fn findings(specs: &[&str]) -> Vec<Finding> {
    specs
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            let mut words = spec.split_whitespace();
            let mut finding = Finding {
                id: format!("f{}", i + 1),
                kind: words.next().expect("a kind").to_owned(),
                severity: Severity::Medium,
                path: "a.py".into(),
                span: None,
                symbol: None,
                message: spec.to_string(),
                evidence: None,
                metrics: BTreeMap::new(),
                fix: None,
                priority: 0.5,
            };
            for word in words {
                let number = |prefix: &str| word[prefix.len()..].parse::<f64>().unwrap();
                match word {
                    "safe" => finding.fix = Some(Fixability::Safe),
                    "unsafe" => finding.fix = Some(Fixability::Unsafe),
                    w if w.starts_with("p=") => finding.priority = number("p="),
                    w if w.starts_with("cx=") => {
                        finding.metrics.insert("complexity".into(), number("cx="));
                    }
                    w if w.starts_with("cov=") => {
                        finding.metrics.insert("coverage".into(), number("cov="));
                    }
                    w if w.starts_with("L=") => {
                        finding.span = Some(Span::line(number("L=") as u32))
                    }
                    w if w.starts_with('@') => finding.symbol = Some(w[1..].to_owned()),
                    w if w.contains('.') => finding.path = w.to_owned(),
                    w => panic!("unknown word {w:?} in {spec:?}"),
                }
            }
            finding
        })
        .collect()
}

/// Each task on a line: `t2 llm:refactor a.py 1.7h r4 <t1`, `<` naming its dependencies.
pub fn describe(plan: &Plan) -> Vec<String> {
    plan.tasks
        .iter()
        .map(|t| {
            let files = plan.details[&t.id].files.join(",");
            let mut line = format!(
                "{} {} {} {}h r{}",
                t.id, t.strategy, files, t.estimate_hours, t.risk
            );
            if !t.depends_on.is_empty() {
                line.push_str(&format!(" <{}", t.depends_on.join(",")));
            }
            line
        })
        .collect()
}

/// Tasks from a spec such as `"a:2:x.py b:1:x.py<a c:3"`: id, hours, the file it touches
/// (optional), and after `<` the ids it depends on. Returns the tasks and one finding per file.
pub fn graph(spec: &str) -> (Vec<Task>, Vec<Finding>) {
    let mut tasks = Vec::new();
    let mut files = BTreeMap::new();
    for word in spec.split_whitespace() {
        let (task, deps) = word.split_once('<').unwrap_or((word, ""));
        let mut parts = task.split(':');
        let id = parts.next().unwrap().to_owned();
        let hours = parts.next().unwrap().parse().unwrap();
        let addresses = match parts.next() {
            Some(file) => {
                let n = files.len();
                let finding = files.entry(file.to_owned()).or_insert(format!("f{n}"));
                vec![finding.clone()]
            }
            None => vec![],
        };
        tasks.push(Task {
            id,
            kind: "fix-lint".into(),
            title: String::new(),
            strategy: "ruff-fix:E7".parse().unwrap(),
            estimate_hours: hours,
            risk: 1,
            depends_on: deps
                .split(',')
                .filter(|d| !d.is_empty())
                .map(str::to_owned)
                .collect(),
            addresses,
            features: None,
            baseline: None,
        });
    }
    let findings = files
        .into_iter()
        .map(|(path, id)| Finding {
            id,
            kind: "ruff:E711".into(),
            severity: Severity::Low,
            path,
            span: None,
            symbol: None,
            message: String::new(),
            evidence: None,
            metrics: BTreeMap::new(),
            fix: None,
            priority: 0.5,
        })
        .collect();
    (tasks, findings)
}
