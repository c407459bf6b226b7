//! The words sent to a model (or written for an external agent): a system prompt that says how
//! to answer, and a user prompt that carries the task, the findings, the code, the
//! repository's conventions, similar past changes and why the last attempt failed.

use crate::AttemptRequest;
use std::fmt::Write;

/// The rules every backend's model or agent follows, whatever form its change takes. A macro
/// so the two prompts below can be built from it at compile time.
macro_rules! rules {
    () => {
        "\
You are a careful senior engineer making one small, reviewable change to a repository so that \
a maintainer would merge it. You are given a task, the findings it addresses, the code around \
them, the repository's conventions, and sometimes similar changes that were accepted before or \
the reason a previous attempt failed.

Rules:
- Change only what the task needs. Keep behaviour the same unless the task says otherwise.
- Follow the repository's conventions (formatter, line length, docstring style, naming).
- Do not edit or delete existing tests or assertions unless the task is to write tests.
- Never touch files outside the repository, and never .git.
"
    };
}

/// The system prompt of the LLM backend: the rules and the two answer forms it accepts. Kept
/// stable so answers stay parseable.
pub const SYSTEM_PROMPT: &str = concat!(
    rules!(),
    "
Answer with the change only, in ONE of these two forms, and nothing else after it:

1. Search/replace blocks, one per edit. The line before each block is the file's path \
relative to the repository root. SEARCH holds lines copied exactly from the file, enough to \
be unique; REPLACE holds what they become. An empty SEARCH creates a new file.

path/to/file.py
<<<<<<< SEARCH
exact existing lines
=======
new lines
>>>>>>> REPLACE

2. A unified diff with `--- a/path` and `+++ b/path` headers and `@@ -start,count \
+start,count @@` hunks, each with three lines of unchanged context.

If the change cannot be made safely, answer with one sentence saying why and no patch."
);

/// The instructions for an external agent run by the command backend, which edits the files
/// itself: its change is whatever it leaves in the working directory.
pub const AGENT_INSTRUCTIONS: &str = concat!(
    rules!(),
    "
Make the change by editing the files in the current directory, which is the repository. Do \
not commit, push or create branches; do not ask questions, since nobody will answer. If the \
change cannot be made safely, change nothing and say why on standard error."
);

/// The user prompt for one request, with every secret in it (in the code, the findings, the
/// conventions or the examples) replaced by `<redacted:KIND>` (`tdev_core::secrets`): nothing
/// a model or an agent is sent carries one.
pub fn user_prompt(request: &AttemptRequest) -> String {
    tdev_core::secrets::redact(&unredacted_prompt(request)).into_owned()
}

fn unredacted_prompt(request: &AttemptRequest) -> String {
    let mut out = String::new();
    let task = &request.task;
    let _ = writeln!(
        out,
        "# Task\n{} (kind `{}`, strategy `{}`)\n",
        task.title, task.kind, task.strategy
    );
    if !request.findings.is_empty() {
        out.push_str("# Findings\n");
        for finding in &request.findings {
            let place = match finding.span {
                Some(span) if span.end_line != span.line => {
                    format!("{}:{}-{}", finding.path, span.line, span.end_line)
                }
                Some(span) => format!("{}:{}", finding.path, span.line),
                None => finding.path.clone(),
            };
            let _ = write!(
                out,
                "- [{}] {} at {place}",
                finding.severity.as_str(),
                finding.kind
            );
            if let Some(symbol) = &finding.symbol {
                let _ = write!(out, " in `{symbol}`");
            }
            let _ = writeln!(out, ": {}", finding.message);
            if let Some(evidence) = &finding.evidence {
                let _ = writeln!(out, "  evidence: {}", evidence.trim());
            }
            if !finding.metrics.is_empty() {
                let metrics: Vec<String> = finding
                    .metrics
                    .iter()
                    .map(|(name, value)| format!("{name}={value}"))
                    .collect();
                let _ = writeln!(out, "  metrics: {}", metrics.join(", "));
            }
        }
        out.push('\n');
    }
    if !request.excerpts.is_empty() {
        out.push_str("# Code\n");
        for excerpt in &request.excerpts {
            let lines = excerpt.text.lines().count() as u32;
            let last = excerpt.first_line + lines.saturating_sub(1);
            let fence = fence_for(&excerpt.text);
            let _ = writeln!(
                out,
                "{} (lines {}-{last}):\n{fence}\n{}{}{fence}\n",
                excerpt.path,
                excerpt.first_line,
                excerpt.text,
                if excerpt.text.ends_with('\n') {
                    ""
                } else {
                    "\n"
                }
            );
        }
    }
    if !request.conventions.trim().is_empty() {
        let _ = writeln!(out, "# Conventions\n{}\n", request.conventions.trim());
    }
    if !request.similar_patterns.is_empty() {
        out.push_str("# Similar changes that were accepted before\n");
        for pattern in &request.similar_patterns {
            let _ = writeln!(
                out,
                "- strategy `{}`, passed {} of {} times: {}",
                pattern.strategy,
                pattern.successes,
                pattern.successes + pattern.failures,
                pattern.situation.trim()
            );
            if !pattern.example_change.trim().is_empty() {
                let fence = fence_for(&pattern.example_change);
                let _ = writeln!(
                    out,
                    "{fence}diff\n{}\n{fence}",
                    pattern.example_change.trim_end()
                );
            }
        }
        out.push('\n');
    }
    if !request.previous_failure.is_empty() {
        out.push_str("# The previous attempt failed\n");
        for reason in &request.previous_failure {
            let _ = writeln!(out, "- {}", reason.trim());
        }
        out.push_str("Fix that in this attempt.\n\n");
    }
    out
}

/// A code fence longer than any run of backticks in the text, so the text cannot close it.
fn fence_for(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}
