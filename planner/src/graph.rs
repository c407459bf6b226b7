//! The plan as a DAG (petgraph): checked for cycles, with its critical path and the groups of
//! tasks that can run in parallel.

use crate::{Error, Result};
use petgraph::Direction;
use petgraph::algo::{has_path_connecting, tarjan_scc, toposort};
use petgraph::graph::{DiGraph, NodeIndex};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use tdev_core::{Finding, Task};

/// The longest chain of dependent tasks, by estimated hours: how long the plan takes with
/// unlimited parallel workers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CriticalPath {
    /// Task ids along the path, first to last.
    pub tasks: Vec<String>,
    /// Sum of their estimates.
    pub hours: f64,
}

/// Tasks and their dependencies as a directed acyclic graph; edges go from a task to the tasks
/// that depend on it.
#[derive(Debug)]
pub struct TaskGraph {
    graph: DiGraph<usize, ()>,
    ids: Vec<String>,
    hours: Vec<f64>,
    files: Vec<BTreeSet<String>>,
}

impl TaskGraph {
    /// Builds the graph of `tasks`; a task's files are the paths of the findings it addresses.
    ///
    /// Fails on a duplicate task id, a dependency or finding that does not exist, and a cycle
    /// (the error names the tasks along it).
    pub fn new(tasks: &[Task], findings: &[Finding]) -> Result<TaskGraph> {
        let paths: HashMap<&str, &str> = findings
            .iter()
            .map(|f| (f.id.as_str(), f.path.as_str()))
            .collect();
        let mut graph = DiGraph::with_capacity(tasks.len(), tasks.len());
        let mut index = HashMap::new();
        let mut files = Vec::with_capacity(tasks.len());
        for (i, task) in tasks.iter().enumerate() {
            if index.insert(task.id.as_str(), graph.add_node(i)).is_some() {
                return Err(Error::DuplicateTask(task.id.clone()));
            }
            let mut touched = BTreeSet::new();
            for finding in &task.addresses {
                let path = paths
                    .get(finding.as_str())
                    .ok_or_else(|| Error::UnknownFinding {
                        task: task.id.clone(),
                        finding: finding.clone(),
                    })?;
                touched.insert((*path).to_owned());
            }
            files.push(touched);
        }
        for task in tasks {
            let to = index[task.id.as_str()];
            for dep in &task.depends_on {
                let from = index
                    .get(dep.as_str())
                    .ok_or_else(|| Error::UnknownDependency {
                        task: task.id.clone(),
                        dependency: dep.clone(),
                    })?;
                graph.update_edge(*from, to, ());
            }
        }
        let graph = TaskGraph {
            graph,
            ids: tasks.iter().map(|t| t.id.clone()).collect(),
            hours: tasks.iter().map(|t| t.estimate_hours).collect(),
            files,
        };
        graph.check_acyclic()?;
        Ok(graph)
    }

    /// Fails with the tasks along a cycle, if there is one.
    fn check_acyclic(&self) -> Result<()> {
        let Err(cycle) = toposort(&self.graph, None) else {
            return Ok(());
        };
        // toposort names one node on a cycle; its strongly connected component holds the
        // cycle. Shown: the shortest way from the component's first task back to itself.
        let component: HashSet<NodeIndex> = tarjan_scc(&self.graph)
            .into_iter()
            .find(|c| c.contains(&cycle.node_id()))
            .unwrap_or_default()
            .into_iter()
            .collect();
        let start = component.iter().min().copied().unwrap_or(cycle.node_id());
        let mut previous: HashMap<NodeIndex, NodeIndex> = HashMap::new();
        let mut queue = VecDeque::from([start]);
        let mut closing = start;
        'search: while let Some(node) = queue.pop_front() {
            for next in self.sorted_neighbors(node, Direction::Outgoing) {
                if next == start {
                    closing = node;
                    break 'search;
                }
                if component.contains(&next) && !previous.contains_key(&next) {
                    previous.insert(next, node);
                    queue.push_back(next);
                }
            }
        }
        let mut path = vec![closing];
        while let Some(&p) = path.last().and_then(|n| previous.get(n)) {
            path.push(p);
        }
        path.reverse();
        path.push(start);
        let cycle = path.iter().map(|&n| self.id(n).to_owned()).collect();
        Err(Error::Cycle { cycle })
    }

    fn id(&self, node: NodeIndex) -> &str {
        &self.ids[self.graph[node]]
    }

    /// Neighbours in task order, so that every result is deterministic.
    fn sorted_neighbors(&self, node: NodeIndex, direction: Direction) -> Vec<NodeIndex> {
        let mut nodes: Vec<NodeIndex> = self.graph.neighbors_directed(node, direction).collect();
        nodes.sort_unstable();
        nodes.dedup();
        nodes
    }

    /// The nodes in a topological order that prefers earlier tasks.
    fn order(&self) -> Vec<NodeIndex> {
        let mut waiting: Vec<usize> = self
            .graph
            .node_indices()
            .map(|n| {
                self.graph
                    .neighbors_directed(n, Direction::Incoming)
                    .count()
            })
            .collect();
        let mut ready: BTreeSet<NodeIndex> = self
            .graph
            .node_indices()
            .filter(|n| waiting[n.index()] == 0)
            .collect();
        let mut order = Vec::with_capacity(waiting.len());
        while let Some(node) = ready.pop_first() {
            order.push(node);
            for next in self.sorted_neighbors(node, Direction::Outgoing) {
                waiting[next.index()] -= 1;
                if waiting[next.index()] == 0 {
                    ready.insert(next);
                }
            }
        }
        order
    }

    /// The longest path by estimated hours (the earliest such path when several tie).
    pub fn critical_path(&self) -> CriticalPath {
        let mut length = vec![0.0_f64; self.ids.len()];
        let mut previous: Vec<Option<NodeIndex>> = vec![None; self.ids.len()];
        let mut end: Option<NodeIndex> = None;
        for node in self.order() {
            let best = self
                .sorted_neighbors(node, Direction::Incoming)
                .into_iter()
                .fold(None, |best: Option<NodeIndex>, p| match best {
                    Some(b) if length[b.index()] >= length[p.index()] => Some(b),
                    _ => Some(p),
                });
            let before = best.map_or(0.0, |b| length[b.index()]);
            length[node.index()] = before + self.hours[self.graph[node]];
            previous[node.index()] = best;
            if end.is_none_or(|e| length[node.index()] > length[e.index()]) {
                end = Some(node);
            }
        }
        let mut tasks = Vec::new();
        let mut node = end;
        while let Some(n) = node {
            tasks.push(self.id(n).to_owned());
            node = previous[n.index()];
        }
        tasks.reverse();
        let hours = end.map_or(0.0, |e| length[e.index()]);
        CriticalPath {
            tasks,
            hours: round(hours),
        }
    }

    /// Groups of tasks that can run in parallel, in order: each group holds tasks whose
    /// dependencies are all in earlier groups, earliest tasks first, and never two tasks that
    /// touch the same file (their branches would conflict).
    pub fn groups(&self) -> Vec<Vec<String>> {
        let mut done: HashSet<NodeIndex> = HashSet::new();
        let mut remaining: Vec<NodeIndex> = self.graph.node_indices().collect();
        let mut groups = Vec::new();
        while !remaining.is_empty() {
            let mut group = Vec::new();
            let mut busy: HashSet<&str> = HashSet::new();
            remaining.retain(|&node| {
                let ready = self
                    .graph
                    .neighbors_directed(node, Direction::Incoming)
                    .all(|p| done.contains(&p));
                let files = &self.files[self.graph[node]];
                if ready && files.iter().all(|f| !busy.contains(f.as_str())) {
                    busy.extend(files.iter().map(String::as_str));
                    group.push(node);
                    false
                } else {
                    true
                }
            });
            // Cannot happen in an acyclic graph: the first ready task always fits.
            if group.is_empty() {
                break;
            }
            done.extend(group.iter().copied());
            groups.push(group.iter().map(|&n| self.id(n).to_owned()).collect());
        }
        groups
    }
}

/// Hours to two decimals, so that sums print as people write them.
pub(crate) fn round(hours: f64) -> f64 {
    (hours * 100.0).round() / 100.0
}

/// Removes the edges implied by others (a → c when a → b → c), so that a plan lists only the
/// dependencies that say something.
pub(crate) fn transitive_reduction(nodes: usize, edges: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut graph: DiGraph<(), ()> = DiGraph::with_capacity(nodes, edges.len());
    for _ in 0..nodes {
        graph.add_node(());
    }
    for &(a, b) in edges {
        graph.update_edge(NodeIndex::new(a), NodeIndex::new(b), ());
    }
    edges
        .iter()
        .copied()
        .filter(|&(a, b)| {
            let (a, b) = (NodeIndex::new(a), NodeIndex::new(b));
            !graph
                .neighbors(a)
                .any(|via| via != b && has_path_connecting(&graph, via, b, None))
        })
        .collect()
}
