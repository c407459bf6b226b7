//! A plan as text for a terminal: the groups in order, each task with its estimate, risk and
//! strategy, then the critical path; what was left out and why comes first.

use crate::Plan;
use std::fmt::Write as _;
use tdev_core::{display_width, pad_end};

/// Renders the plan for people.
pub fn text(plan: &Plan) -> String {
    let mut out = String::new();
    if plan.tasks.is_empty() {
        let why = if plan.left_out > 0 {
            format!("the cap on tasks left out all {}", plan.left_out)
        } else if let Some(needs) = &plan.needs_model {
            needs.to_string()
        } else {
            "no finding is in its scope".to_owned()
        };
        let _ = writeln!(out, "Nothing to plan for \"{}\": {why}.", plan.goal);
        return out;
    }
    let _ = writeln!(
        out,
        "Plan for \"{}\": {} tasks, {} h in all, {} h on the critical path.",
        plan.goal,
        plan.tasks.len(),
        plan.total_hours(),
        plan.critical_path.hours
    );
    if !plan.estimated_by.is_empty() {
        let _ = writeln!(out, "Estimates by {}.", plan.estimated_by);
    }
    if plan.left_out > 0 {
        let _ = writeln!(
            out,
            "{} more tasks were left out by the cap on tasks (--max-tasks).",
            plan.left_out
        );
    }
    if let Some(needs) = &plan.needs_model {
        let _ = writeln!(out, "Left out: {needs}.");
    }
    let width = plan
        .tasks
        .iter()
        .map(|t| display_width(&t.id))
        .max()
        .unwrap_or(0);
    for (g, group) in plan.groups.iter().enumerate() {
        let tasks = if group.len() == 1 {
            "task"
        } else {
            "tasks in parallel"
        };
        let _ = writeln!(out, "\nGroup {} ({} {tasks})", g + 1, group.len());
        for id in group {
            let Some(task) = plan.tasks.iter().find(|t| &t.id == id) else {
                continue;
            };
            let mut line = format!(
                "  {}  {:>4} h  risk {}",
                pad_end(&task.id, width),
                task.estimate_hours,
                task.risk
            );
            if let Some(detail) = plan.details.get(id) {
                let _ = write!(
                    line,
                    "  ~{:>6}  success {:>3.0}%",
                    duration(detail.estimate_secs),
                    detail.success_probability * 100.0
                );
            }
            let _ = write!(line, "  {}  {}", task.kind, task.strategy);
            if !task.depends_on.is_empty() {
                let _ = write!(line, "  after {}", task.depends_on.join(", "));
            }
            let _ = writeln!(out, "{line}");
            let _ = writeln!(out, "  {}  {}", pad_end("", width), task.title);
        }
    }
    let _ = writeln!(
        out,
        "\nCritical path ({} h): {}",
        plan.critical_path.hours,
        plan.critical_path.tasks.join(" -> ")
    );
    out
}

/// Seconds as a person reads them: `45 s`, `12 min`, `1.5 h`.
fn duration(secs: f64) -> String {
    if secs < 90.0 {
        format!("{:.0} s", secs.max(0.0))
    } else if secs < 90.0 * 60.0 {
        format!("{:.0} min", secs / 60.0)
    } else {
        format!("{:.1} h", secs / 3600.0)
    }
}
