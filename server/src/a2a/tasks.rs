//! The tasks the agent answered, kept in memory so that GetTask finds them: the most recent
//! [`CAPACITY`], the oldest forgotten first. They are not written anywhere: what a task did
//! that lasts (a cycle) is in the knowledge graph.

use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use tdev_core::Timestamp;

/// Tasks kept; GetTask on an older one is answered "task not found".
pub(crate) const CAPACITY: usize = 1024;

/// A part of a message or an artifact.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Part {
    /// `text/plain`.
    Text(String),
    /// `application/json`.
    Data(Value),
}

/// Where a task is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TaskState {
    Working,
    Completed,
    Failed,
    /// The agent declined it: a question it does not understand, a cycle the pause or a
    /// budget holds back.
    Rejected,
}

impl TaskState {
    pub fn is_terminal(self) -> bool {
        !matches!(self, TaskState::Working)
    }
}

/// What a task produced.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Artifact {
    pub id: String,
    pub name: String,
    pub description: String,
    pub parts: Vec<Part>,
}

/// The client's message that started a task.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Said {
    pub message_id: String,
    pub parts: Vec<Part>,
}

/// A task, whatever the version it is written in.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Task {
    pub id: String,
    pub context_id: String,
    /// The skill it runs: `ask` or `evolve`.
    pub skill: &'static str,
    pub state: TaskState,
    /// The agent's word on its state: why it was rejected or failed, what it is waiting for.
    pub said: Option<String>,
    /// When its state last changed.
    pub updated: Timestamp,
    pub artifacts: Vec<Artifact>,
    pub history: Vec<Said>,
}

/// The tasks kept.
#[derive(Debug, Default)]
pub(crate) struct Tasks {
    inner: Mutex<Kept>,
}

#[derive(Debug, Default)]
struct Kept {
    tasks: HashMap<String, Task>,
    /// Ids, oldest first.
    order: VecDeque<String>,
}

impl Tasks {
    /// Keeps `task`, forgetting the oldest past [`CAPACITY`].
    pub fn insert(&self, task: Task) {
        let mut kept = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if kept.tasks.insert(task.id.clone(), task.clone()).is_none() {
            kept.order.push_back(task.id);
        }
        while kept.order.len() > CAPACITY {
            if let Some(oldest) = kept.order.pop_front() {
                kept.tasks.remove(&oldest);
            }
        }
    }

    /// The task `id`, as it is now.
    pub fn get(&self, id: &str) -> Option<Task> {
        let kept = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        kept.tasks.get(id).cloned()
    }

    /// Changes the task `id`, if it is still kept, and notes when.
    pub fn update(&self, id: &str, change: impl FnOnce(&mut Task)) {
        let mut kept = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(task) = kept.tasks.get_mut(id) {
            change(task);
            task.updated = Timestamp::now();
        }
    }
}

/// A new id no client can guess: 128 random bits in hex.
pub(crate) fn new_id() -> String {
    format!("{:032x}", rand::random::<u128>())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(id: &str) -> Task {
        Task {
            id: id.into(),
            context_id: "c".into(),
            skill: "ask",
            state: TaskState::Working,
            said: None,
            updated: Timestamp::from_unix(0),
            artifacts: Vec::new(),
            history: Vec::new(),
        }
    }

    #[test]
    fn the_oldest_task_is_forgotten_past_the_capacity() {
        let tasks = Tasks::default();
        for i in 0..=CAPACITY {
            tasks.insert(task(&i.to_string()));
        }
        assert!(tasks.get("0").is_none());
        assert!(tasks.get("1").is_some());
        assert!(tasks.get(&CAPACITY.to_string()).is_some());
        tasks.update("1", |t| t.state = TaskState::Completed);
        let updated = tasks.get("1").unwrap();
        assert_eq!(updated.state, TaskState::Completed);
        assert!(updated.updated.unix() > 0);
        assert_ne!(new_id(), new_id());
    }
}
