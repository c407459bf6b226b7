//! What a backend is asked to do: the task, the findings behind it, the code around them, how
//! the repository writes code, what worked before, and why the last try failed.

use serde::{Deserialize, Serialize};
use tdev_core::{Finding, Pattern, Strategy};

/// One attempt's input, the same for every backend.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttemptRequest {
    /// The task being carried out.
    pub task: TaskBrief,
    /// The findings the task addresses.
    pub findings: Vec<Finding>,
    /// The code around the findings, so a model sees what it changes.
    #[serde(default)]
    pub excerpts: Vec<CodeExcerpt>,
    /// How the repository writes code: formatter, line length, docstring style, in a few lines.
    #[serde(default)]
    pub conventions: String,
    /// Similar past changes that passed the gate, most similar first.
    #[serde(default)]
    pub similar_patterns: Vec<Pattern>,
    /// On a retry, why the previous attempt failed (gate reasons or the backend's reason).
    #[serde(default)]
    pub previous_failure: Vec<String>,
}

impl AttemptRequest {
    /// The files of the task's findings, sorted, once each: what a tool fixer may change.
    pub fn finding_paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = self.findings.iter().map(|f| f.path.clone()).collect();
        paths.sort();
        paths.dedup();
        paths
    }
}

/// The part of a planned task a backend needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskBrief {
    /// What kind of task, e.g. `reduce-complexity`, `fix-security`, `add-docstrings`.
    pub kind: String,
    /// One line for a person.
    pub title: String,
    /// The strategy this attempt follows, e.g. `llm:refactor` or `command:refactor`.
    pub strategy: Strategy,
}

/// A piece of a file, as it is in the worktree before the attempt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeExcerpt {
    /// File, relative to the worktree root, with `/` separators.
    pub path: String,
    /// Line number (1-based) of the first line of `text`.
    pub first_line: u32,
    /// The lines themselves.
    pub text: String,
}

impl CodeExcerpt {
    /// Cuts the lines around `first..=last` (1-based, inclusive) out of a file's text, with
    /// `context` lines on either side, clamped to the file.
    pub fn around(path: &str, source: &str, first: u32, last: u32, context: u32) -> Self {
        let lines: Vec<&str> = source.lines().collect();
        let start = first.saturating_sub(context).max(1);
        let end = (last.saturating_add(context) as usize).min(lines.len());
        let text = if (start as usize) <= end {
            let mut text = lines[start as usize - 1..end].join("\n");
            text.push('\n');
            text
        } else {
            String::new()
        };
        CodeExcerpt {
            path: path.to_owned(),
            first_line: start,
            text,
        }
    }
}
