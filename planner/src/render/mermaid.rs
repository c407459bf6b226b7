//! A plan as a Mermaid flowchart: one node per task labelled with its estimate and risk, an
//! edge per dependency, and the critical path highlighted.

use crate::Plan;
use std::fmt::Write as _;

/// Renders the plan as a Mermaid `flowchart TD`.
pub fn mermaid(plan: &Plan) -> String {
    let mut out = String::from("flowchart TD\n");
    for task in &plan.tasks {
        let label = format!(
            "{}: {}\n{} · {} h · risk {}",
            task.id, task.title, task.strategy, task.estimate_hours, task.risk
        );
        let _ = writeln!(out, "    {}[\"{}\"]", node(&task.id), label_text(&label));
    }
    for task in &plan.tasks {
        for dep in &task.depends_on {
            let _ = writeln!(out, "    {} --> {}", node(dep), node(&task.id));
        }
    }
    if !plan.critical_path.tasks.is_empty() {
        out.push_str("    classDef critical stroke:#d62728,stroke-width:3px\n");
        let nodes: Vec<String> = plan.critical_path.tasks.iter().map(|t| node(t)).collect();
        let _ = writeln!(out, "    class {} critical", nodes.join(","));
    }
    out
}

/// A node id Mermaid accepts for any task id: letters and digits are kept, every other byte
/// becomes `_` and two hex digits (so distinct ids stay distinct), and a prefix keeps ids such
/// as `end` from reading as keywords.
fn node(id: &str) -> String {
    let mut out = String::from("task_");
    for byte in id.bytes() {
        if byte.is_ascii_alphanumeric() {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "_{byte:02x}");
        }
    }
    out
}

/// Label text inside `["..."]`: Mermaid's entity codes for the characters that would end the
/// label or be read as markup, and `<br/>` for line breaks.
fn label_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '`' => out.push_str("#96;"),
            '\n' => out.push_str("<br/>"),
            c => out.push(c),
        }
    }
    out
}
