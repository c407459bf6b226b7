//! The task graph on small hand-written graphs: critical path, parallel groups, and the
//! errors for cycles and dangling ids.

use crate::support::graph;
use tdev_planner::TaskGraph;

/// Builds the graph of `spec` (see `support::graph`) and describes its critical path and
/// groups, or the error.
fn check(spec: &str, expected: &str) {
    let (tasks, findings) = graph(spec);
    let actual = match TaskGraph::new(&tasks, &findings) {
        Ok(graph) => {
            let path = graph.critical_path();
            let groups: Vec<String> = graph
                .groups()
                .iter()
                .map(|g| format!("[{}]", g.join(" ")))
                .collect();
            format!(
                "critical {} ({} h); groups {}",
                path.tasks.join(" -> "),
                path.hours,
                groups.join(" ")
            )
        }
        Err(e) => e.to_string(),
    };
    assert_eq!(actual, expected, "{spec}");
}

#[test]
#[rustfmt::skip]
fn the_critical_path_is_the_longest_chain_by_hours() {
    check("a:2 b:1<a c:3", "critical a -> b (3 h); groups [a c] [b]");
    check("a:1 b:2<a c:3<a d:1<b,c", "critical a -> c -> d (5 h); groups [a] [b c] [d]");
    check("a:4 b:0.5<a c:1", "critical a -> b (4.5 h); groups [a c] [b]");
    check("a:0.1 b:0.2<a", "critical a -> b (0.3 h); groups [a] [b]");
    check("a:1 b:1 c:5<a d:1<b", "critical a -> c (6 h); groups [a b] [c d]");
    check("", "critical  (0 h); groups ");
}

#[test]
#[rustfmt::skip]
fn tasks_on_the_same_file_never_share_a_group() {
    check("a:1:x.py b:1:x.py c:1:y.py", "critical a (1 h); groups [a c] [b]");
    check("a:1:x.py b:1:y.py<a c:1:y.py", "critical a -> b (2 h); groups [a c] [b]");
    check("a:1:x.py b:1:x.py c:1:x.py", "critical a (1 h); groups [a] [b] [c]");
}

#[test]
#[rustfmt::skip]
fn a_cycle_is_named() {
    check("a:1<b b:1<a", "the tasks depend on each other in a cycle: a -> b -> a");
    check("a:1<a", "the tasks depend on each other in a cycle: a -> a");
    check("x:1 a:1<x,c b:1<a c:1<b", "the tasks depend on each other in a cycle: a -> b -> c -> a");
}

#[test]
#[rustfmt::skip]
fn dangling_and_duplicate_ids_are_refused() {
    check("a:1<z", "task \"a\" depends on \"z\", which is not in the plan");
    check("a:1 a:2", "two tasks have the id \"a\"; task ids must be unique");
}
