//! The planner itself: findings and a goal in, an estimated, ordered plan out.

use crate::dependencies::edges;
use crate::graph::{round, transitive_reduction};
use crate::htn::{Compound, Decomposition, Draft, Situation, decompose};
use crate::split::{Fitted, fit};
use crate::{
    Backends, CriticalPath, Error, Estimator, Goal, HeuristicEstimator, NeedsModel, Result,
    TaskGraph,
};
use petgraph::algo::toposort;
use petgraph::graph::{DiGraph, NodeIndex};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use tdev_core::{Finding, Task};

/// How many tasks a plan holds unless told otherwise.
pub const DEFAULT_MAX_TASKS: usize = 20;

/// A cycle's plan: primitive tasks in order of value, their dependencies, the critical path and
/// the groups that can run in parallel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// What the plan sets out to do.
    pub goal: Goal,
    /// The primitive tasks, most valuable first; every task's dependencies come before it.
    pub tasks: Vec<Task>,
    /// The longest chain of dependent tasks by estimated hours.
    pub critical_path: CriticalPath,
    /// Task ids in groups that can run in parallel, in the order the groups run.
    pub groups: Vec<Vec<String>>,
    /// What the planner knows about each task beyond `Task`, by task id.
    pub details: BTreeMap<String, TaskDetail>,
    /// How many more tasks the findings called for than the plan's cap allowed.
    pub left_out: usize,
    /// Work left out because no split brings it under the limit of hours per task, and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub too_large: Vec<String>,
    /// Work left out because only a model could do it and none can run here, and how to
    /// enable one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub needs_model: Option<NeedsModel>,
    /// What made the estimates (`Estimator::describe`): the heuristic, or which version of
    /// the learned models.
    #[serde(default)]
    pub estimated_by: String,
}

/// What the planner knows about a task beyond the recorded `Task`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskDetail {
    /// The compound task it was decomposed from.
    pub compound: Compound,
    /// The files it touches.
    pub files: Vec<String>,
    /// Its priority: the highest of its findings', or of the tasks waiting for it.
    pub priority: f64,
    /// Estimated probability that an attempt passes the gate.
    pub success_probability: f64,
    /// The estimate of an attempt's wall time in seconds, unrounded (the task's
    /// `estimate_hours` is rounded up to tenths of an hour).
    #[serde(default)]
    pub estimate_secs: f64,
}

impl Plan {
    /// Sum of the estimates of all tasks.
    pub fn total_hours(&self) -> f64 {
        round(self.tasks.iter().map(|t| t.estimate_hours).sum())
    }

    /// The tasks in the groups that may run at the same time, in the order the groups run; a
    /// task the groups leave out (a plan made elsewhere might) runs alone after them.
    pub fn task_groups(&self) -> Vec<Vec<&Task>> {
        let by_id: HashMap<&str, &Task> = self.tasks.iter().map(|t| (t.id.as_str(), t)).collect();
        let mut grouped: HashSet<&str> = HashSet::new();
        let mut groups: Vec<Vec<&Task>> = self
            .groups
            .iter()
            .map(|group| {
                group
                    .iter()
                    .filter_map(|id| by_id.get(id.as_str()).copied())
                    .filter(|task| grouped.insert(task.id.as_str()))
                    .collect()
            })
            .filter(|group: &Vec<&Task>| !group.is_empty())
            .collect();
        groups.extend(
            self.tasks
                .iter()
                .filter(|task| !grouped.contains(task.id.as_str()))
                .map(|task| vec![task]),
        );
        groups
    }
}

/// Turns findings into plans, with an estimator, a cap on the number of tasks and the
/// backends that can carry strategies out.
#[derive(Debug)]
pub struct Planner<E> {
    estimator: E,
    max_tasks: usize,
    backends: Backends,
}

impl Default for Planner<HeuristicEstimator> {
    fn default() -> Self {
        Planner::new(HeuristicEstimator)
    }
}

impl<E: Estimator> Planner<E> {
    /// A planner estimating with `estimator`, holding at most [`DEFAULT_MAX_TASKS`] tasks,
    /// planning for every backend.
    pub fn new(estimator: E) -> Self {
        Planner {
            estimator,
            max_tasks: DEFAULT_MAX_TASKS,
            backends: Backends::default(),
        }
    }

    /// Plans only what `backends` can carry out: without a model, work only a model could do
    /// is left out and counted in [`Plan::needs_model`].
    pub fn with_backends(mut self, backends: Backends) -> Self {
        self.backends = backends;
        self
    }

    /// Caps the number of tasks in a plan; the most valuable are kept.
    pub fn with_max_tasks(mut self, max_tasks: usize) -> Self {
        self.max_tasks = max_tasks;
        self
    }

    /// Plans the work towards `goal` on `findings`.
    ///
    /// The goal decomposes into compound tasks and those, by their methods, into primitive
    /// tasks, each split until estimated at 4 hours or less. Tasks are ordered by priority (a
    /// task inherits the priority of the tasks waiting for it, so that it is kept whenever they
    /// are); the first `max_tasks` make the plan. Findings no compound task of the goal takes
    /// are left alone: an empty plan is a valid answer. So are findings whose every method's
    /// strategy needs a model the planner's backends lack; the plan counts them.
    pub fn plan(&self, goal: Goal, findings: &[Finding]) -> Result<Plan> {
        let mut seen = HashSet::new();
        if let Some(f) = findings.iter().find(|f| !seen.insert(f.id.as_str())) {
            return Err(Error::DuplicateFinding(f.id.clone()));
        }
        let situation = Situation::of(findings);
        let mut chain = 0;
        let mut too_large = Vec::new();
        let mut fitted: Vec<Fitted<'_>> = Vec::new();
        let Decomposition {
            drafts,
            needs_model,
        } = decompose(goal, findings, &situation, &self.backends);
        for draft in drafts {
            fitted.extend(fit(&self.estimator, draft, &mut chain, &mut too_large)?);
        }
        // Work left for a model is counted as the tasks it would have made, split to fit.
        let mut for_model: BTreeMap<Compound, usize> = BTreeMap::new();
        for draft in needs_model {
            let compound = draft.compound;
            let pieces = fit(&self.estimator, draft, &mut 0, &mut Vec::new())?.len();
            if pieces > 0 {
                *for_model.entry(compound).or_default() += pieces;
            }
        }
        let drafts: Vec<&Draft<'_>> = fitted.iter().map(|f| &f.draft).collect();
        let all_edges = edges(&drafts, &situation);
        let (priority, depth) = priorities_and_depths(&fitted, &all_edges);
        let ranked = rank(&fitted, &priority, &depth, goal);
        let chosen: Vec<usize> = ranked.iter().copied().take(self.max_tasks).collect();
        let position: BTreeMap<usize, usize> = chosen
            .iter()
            .enumerate()
            .map(|(pos, &i)| (i, pos))
            .collect();
        let kept: Vec<(usize, usize)> = all_edges
            .iter()
            .filter_map(|(a, b)| Some((*position.get(a)?, *position.get(b)?)))
            .collect();
        let kept = transitive_reduction(chosen.len(), &kept);
        let id = |pos: usize| format!("t{}", pos + 1);
        let mut tasks = Vec::with_capacity(chosen.len());
        let mut details = BTreeMap::new();
        for (pos, &i) in chosen.iter().enumerate() {
            let Fitted {
                draft,
                features,
                estimate,
            } = &fitted[i];
            let mut depends_on: Vec<usize> = kept
                .iter()
                .filter(|(_, b)| *b == pos)
                .map(|(a, _)| *a)
                .collect();
            depends_on.sort_unstable();
            tasks.push(Task {
                id: id(pos),
                kind: draft.kind().to_owned(),
                title: draft.title(),
                strategy: draft.strategy.clone(),
                // Tenths of an hour: finer estimates would claim a precision they lack.
                estimate_hours: ((estimate.hours * 10.0 - 1e-9).ceil() / 10.0).max(0.1),
                risk: estimate.risk,
                depends_on: depends_on.into_iter().map(id).collect(),
                addresses: draft.findings.iter().map(|f| f.id.clone()).collect(),
                features: Some(features.clone()),
                baseline: None,
            });
            details.insert(
                id(pos),
                TaskDetail {
                    compound: draft.compound,
                    files: draft.files.iter().cloned().collect(),
                    priority: priority[i],
                    success_probability: (estimate.success_probability * 100.0).round() / 100.0,
                    estimate_secs: (estimate.hours * 3600.0).round(),
                },
            );
        }
        let graph = TaskGraph::new(&tasks, findings)?;
        Ok(Plan {
            goal,
            critical_path: graph.critical_path(),
            groups: graph.groups(),
            tasks,
            details,
            left_out: fitted.len() - chosen.len(),
            too_large,
            needs_model: self
                .backends
                .no_model()
                .filter(|_| !for_model.is_empty())
                .map(|because| NeedsModel {
                    tasks: for_model,
                    because,
                }),
            estimated_by: self.estimator.describe(),
        })
    }
}

/// The drafts' graph, for the orders and priorities computed before ids exist.
fn draft_graph(count: usize, edges: &[(usize, usize)]) -> DiGraph<(), ()> {
    let mut graph = DiGraph::with_capacity(count, edges.len());
    for _ in 0..count {
        graph.add_node(());
    }
    for &(a, b) in edges {
        graph.add_edge(NodeIndex::new(a), NodeIndex::new(b), ());
    }
    graph
}

/// Effective priorities (own, or inherited from a task waiting for it) and depths (longest
/// chain of prerequisites), by draft index.
fn priorities_and_depths(
    fitted: &[Fitted<'_>],
    edges: &[(usize, usize)],
) -> (Vec<f64>, Vec<usize>) {
    let graph = draft_graph(fitted.len(), edges);
    // The ordering rules only point from earlier steps to later ones, so there is an order.
    let order = toposort(&graph, None).unwrap_or_else(|_| graph.node_indices().collect());
    let mut priority: Vec<f64> = fitted.iter().map(|f| f.draft.priority()).collect();
    for &node in order.iter().rev() {
        for next in graph.neighbors(node) {
            priority[node.index()] = priority[node.index()].max(priority[next.index()]);
        }
    }
    let mut depth = vec![0; fitted.len()];
    for &node in &order {
        for next in graph.neighbors(node) {
            depth[next.index()] = depth[next.index()].max(depth[node.index()] + 1);
        }
    }
    (priority, depth)
}

/// Draft indices, most valuable first. Prerequisites share the priority of what waits for them
/// and have a smaller depth, so they always rank before it.
fn rank(fitted: &[Fitted<'_>], priority: &[f64], depth: &[usize], goal: Goal) -> Vec<usize> {
    let compounds = Compound::of_goal(goal);
    let compound_rank = |c: Compound| compounds.iter().position(|&x| x == c);
    let mut order: Vec<usize> = (0..fitted.len()).collect();
    order.sort_by(|&a, &b| {
        let (da, db) = (&fitted[a].draft, &fitted[b].draft);
        priority[b]
            .total_cmp(&priority[a])
            .then(depth[a].cmp(&depth[b]))
            .then(compound_rank(da.compound).cmp(&compound_rank(db.compound)))
            .then(da.files.first().cmp(&db.files.first()))
            .then(da.strategy.cmp(&db.strategy))
            .then(da.stage.cmp(&db.stage))
            .then(a.cmp(&b))
    });
    order
}
