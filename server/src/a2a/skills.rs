//! The agent's two skills and which one a message asks for. `ask` is `POST /api/ask`'s answer
//! (`tdev ask` on one of the daemon's repositories); `evolve` asks the daemon's scheduler for
//! a cycle, which the pause and the budgets may refuse as they would a scheduled one, and the
//! task then follows the cycle's events until it is recorded.
//!
//! The rule: the metadata's `skill`, else a data part's `skill`, else `evolve` when the
//! message has a data part and `ask` when it is only text.

use super::rpc::{self, RpcError};
use super::tasks::{Artifact, Part, TaskState, Tasks};
use crate::Error;
use crate::state::State;
use serde_json::{Map, Value, json};
use std::path::PathBuf;
use tdev_actors::{Event, Requested};
use tokio::sync::broadcast::error::RecvError;

/// What a message asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Skill {
    Ask {
        question: String,
        repository: Option<String>,
    },
    Evolve {
        repository: Option<String>,
        goal: Option<String>,
    },
}

impl Skill {
    pub fn id(&self) -> &'static str {
        match self {
            Skill::Ask { .. } => "ask",
            Skill::Evolve { .. } => "evolve",
        }
    }
}

/// The skill `parts` and `metadata` ask for, with its arguments.
pub(crate) fn choose(parts: &[Part], metadata: &Map<String, Value>) -> Result<Skill, RpcError> {
    let invalid = |message: String| RpcError::new(rpc::INVALID_PARAMS, message);
    let mut data = None;
    for part in parts {
        if let Part::Data(value) = part {
            if data.is_some() {
                return Err(invalid(
                    "the message has more than one data part; send the skill's arguments in one"
                        .into(),
                ));
            }
            let Value::Object(object) = value else {
                return Err(invalid(format!(
                    "the data part must be a JSON object of the skill's arguments, not {value}"
                )));
            };
            data = Some(object);
        }
    }
    let text = parts
        .iter()
        .filter_map(|p| match p {
            Part::Text(t) => Some(t.trim()),
            Part::Data(_) => None,
        })
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    let empty = Map::new();
    let args = data.unwrap_or(&empty);
    let string = |key: &str| -> Result<Option<String>, RpcError> {
        match args.get(key).or_else(|| metadata.get(key)) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(invalid(format!("{key} must be a string, not {other}"))),
        }
    };
    let named = match metadata.get("skill").or_else(|| args.get("skill")) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.as_str()),
        Some(other) => return Err(invalid(format!("skill must be a string, not {other}"))),
    };
    let skill = named.unwrap_or(if data.is_some() { "evolve" } else { "ask" });
    let allowed: &[&str] = match skill {
        "ask" => &["skill", "question", "repository"],
        "evolve" => &["skill", "repository", "goal"],
        other => {
            return Err(invalid(format!(
                "this agent has no skill {other:?}; its skills are ask and evolve"
            )));
        }
    };
    if let Some(unknown) = args.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(invalid(format!(
            "the {skill} skill takes no argument {unknown:?}; it takes {}",
            allowed[1..].join(" and ")
        )));
    }
    let repository = string("repository")?;
    Ok(match skill {
        "ask" => {
            let question = match args.get("question") {
                Some(Value::String(q)) => q.trim().to_owned(),
                _ => text,
            };
            if question.is_empty() {
                return Err(invalid(
                    "ask needs a question: send it as a text part, such as \"what should I \
                     fix first?\""
                        .into(),
                ));
            }
            Skill::Ask {
                question,
                repository,
            }
        }
        _ => Skill::Evolve {
            repository,
            goal: match args.get("goal") {
                Some(Value::String(g)) => Some(g.clone()),
                Some(Value::Null) | None => (!text.is_empty()).then_some(text),
                Some(other) => return Err(invalid(format!("goal must be a string, not {other}"))),
            },
        },
    })
}

/// Which parts an answer carries: text, JSON, or both, from the media types the client
/// accepts (all when it names none); neither is an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Output {
    text: bool,
    json: bool,
}

impl Output {
    pub fn accepted(modes: &[String]) -> Result<Output, RpcError> {
        if modes.is_empty() {
            return Ok(Output {
                text: true,
                json: true,
            });
        }
        let takes = |wanted: &str| {
            modes.iter().any(|m| {
                let m = m.trim().to_ascii_lowercase();
                m == wanted
                    || m == "*/*"
                    || m.strip_suffix("/*").is_some_and(|t| wanted.starts_with(t))
            })
        };
        let output = Output {
            text: takes("text/plain"),
            json: takes("application/json"),
        };
        if output.text || output.json {
            Ok(output)
        } else {
            Err(RpcError::new(
                rpc::CONTENT_TYPE_NOT_SUPPORTED,
                format!(
                    "the answer is text/plain or application/json, and the client accepts only {}",
                    modes.join(", ")
                ),
            ))
        }
    }

    fn parts(self, text: String, json: Value) -> Vec<Part> {
        let mut parts = Vec::new();
        if self.text {
            parts.push(Part::Text(text));
        }
        if self.json {
            parts.push(Part::Data(json));
        }
        parts
    }
}

/// Runs the ask skill for the task `id` and records how it ended.
pub(crate) async fn ask(
    state: State,
    tasks: &Tasks,
    id: String,
    question: String,
    repository: Option<String>,
    output: Output,
) {
    let answer = crate::api::answer(&state, question, repository.as_deref()).await;
    match answer {
        Ok(answer) => {
            let json = serde_json::to_value(&answer).unwrap_or(Value::Null);
            let text = tdev_app::ask::render(&answer);
            tasks.update(&id, |task| {
                task.state = TaskState::Completed;
                task.artifacts.push(Artifact {
                    id: format!("{id}-answer"),
                    name: "answer".into(),
                    description: format!(
                        "tdev's recommendations on {}: {}",
                        answer.repository, answer.question
                    ),
                    parts: output.parts(text, json),
                });
            });
        }
        Err(e) => tasks.update(&id, |task| failed(task, &e)),
    }
}

/// Starts the cycle the evolve skill asks for as the task `id`; once it started, follows the
/// daemon's events until the cycle ends, and records how.
pub(crate) async fn evolve(
    state: State,
    tasks: &Tasks,
    id: String,
    repo: PathBuf,
    goal: Option<String>,
    output: Output,
    decided: tokio::sync::oneshot::Sender<()>,
) {
    let Some(context) = state.evolve.clone() else {
        return;
    };
    // Subscribed before the cycle starts, so that no event of it is missed.
    let mut events = state.events.subscribe();
    let started = (context.start)(Requested {
        repo: repo.clone(),
        goal,
    })
    .await;
    let cycle = match started {
        Ok(Ok(cycle)) => cycle,
        Ok(Err(refused)) => {
            tasks.update(&id, |task| {
                task.state = TaskState::Rejected;
                task.said = Some(format!("no cycle started on {}: {refused}", repo.display()));
            });
            return;
        }
        Err(e) => {
            tracing::error!("A2A evolve: the scheduler did not answer: {e}");
            tasks.update(&id, |task| {
                task.state = TaskState::Failed;
                task.said = Some(
                    "internal error: the daemon's scheduler did not answer; its log has the \
                     details"
                        .into(),
                );
            });
            return;
        }
    };
    let started = json!({"cycle": cycle, "repository": repo});
    tasks.update(&id, |task| {
        task.said = Some(format!(
            "cycle {cycle} started on {}; it is recorded when it ends, in minutes",
            repo.display()
        ));
        task.artifacts.push(Artifact {
            id: format!("{id}-cycle"),
            name: "cycle".into(),
            description: "The cycle started: its id in the knowledge graph (GET /api/cycles/{id})"
                .into(),
            parts: output.parts(format!("cycle {cycle} started"), started),
        });
    });
    let _ = decided.send(());
    let mut stopping = state.stopping.clone();
    loop {
        let event = tokio::select! {
            event = events.recv() => event,
            _ = stopping.wait_for(|stop| *stop) => return,
        };
        let ended = match event {
            Ok(Event::CycleFinished {
                cycle: ended,
                outcome,
                reason,
            }) if ended == cycle => Some((outcome.as_str().to_owned(), reason)),
            // Events were missed, perhaps the cycle's end among them: the graph says whether
            // the cycle is recorded.
            Err(RecvError::Lagged(_)) => recorded(&state, &cycle).await,
            Ok(_) => None,
            Err(RecvError::Closed) => return,
        };
        if let Some((outcome, reason)) = ended {
            let said = match &reason {
                Some(reason) => format!("cycle {cycle} ended: {outcome} ({reason})"),
                None => format!("cycle {cycle} ended: {outcome}"),
            };
            let json = json!({"cycle": cycle, "outcome": outcome, "reason": reason});
            tasks.update(&id, |task| {
                task.state = TaskState::Completed;
                task.said = Some(said.clone());
                task.artifacts.push(Artifact {
                    id: format!("{id}-outcome"),
                    name: "outcome".into(),
                    description: "How the cycle ended".into(),
                    parts: output.parts(said, json),
                });
            });
            return;
        }
    }
}

/// The outcome and reason of `cycle` if the graph holds its record.
async fn recorded(state: &State, cycle: &str) -> Option<(String, Option<String>)> {
    let reader = tdev_app::Reader::Local(state.knowledge.clone());
    let id = cycle.to_owned();
    let detail = state
        .blocking(Some(state.config.query_timeout), move |_| {
            Ok(tdev_app::history::cycle(&reader, &id)?)
        })
        .await
        .ok()?;
    let summary = detail.to_json(cycle)["summary"].take();
    let outcome = summary["outcome"].as_str()?.to_owned();
    Some((outcome, summary["reason"].as_str().map(str::to_owned)))
}

/// Records that the task ended on `error`: rejected for the client's mistake (said as it is),
/// failed otherwise (a failure of tdev said without its details, which go to the log).
fn failed(task: &mut super::tasks::Task, error: &Error) {
    if error.is_user_error() {
        task.state = TaskState::Rejected;
        task.said = Some(error.to_string());
    } else {
        task.state = TaskState::Failed;
        task.said = Some(match error {
            Error::Busy | Error::Unavailable(_) | Error::Timeout(_) => error.to_string(),
            _ => {
                tracing::error!("A2A ask failed: {}", crate::error::chain(error));
                "internal error: the answer failed on the server; its log has the details".into()
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(parts: &[Part], metadata: Value, expected: Result<Skill, &str>) {
        let metadata = metadata.as_object().cloned().unwrap_or_default();
        match (choose(parts, &metadata), expected) {
            (Ok(got), Ok(expected)) => assert_eq!(got, expected),
            (Err(e), Err(says)) => assert!(e.message.contains(says), "{}", e.message),
            (got, expected) => panic!("{got:?}, expected {expected:?}"),
        }
    }

    fn text(t: &str) -> Part {
        Part::Text(t.into())
    }

    #[test]
    fn text_asks_data_evolves_and_the_metadata_says_which_first() {
        let ask = |question: &str, repository: Option<&str>| Skill::Ask {
            question: question.into(),
            repository: repository.map(str::to_owned),
        };
        let evolve = |repository: Option<&str>, goal: Option<&str>| Skill::Evolve {
            repository: repository.map(str::to_owned),
            goal: goal.map(str::to_owned),
        };
        check(
            &[text("what first?")],
            json!({}),
            Ok(ask("what first?", None)),
        );
        check(
            &[text("what first?")],
            json!({"repository": "attrs"}),
            Ok(ask("what first?", Some("attrs"))),
        );
        check(
            &[Part::Data(json!({"repository": "attrs"}))],
            json!({}),
            Ok(evolve(Some("attrs"), None)),
        );
        check(
            &[text("fix security findings")],
            json!({"skill": "evolve"}),
            Ok(evolve(None, Some("fix security findings"))),
        );
        check(
            &[Part::Data(json!({"skill": "ask", "question": "why?"}))],
            json!({}),
            Ok(ask("why?", None)),
        );
        check(
            &[text("x")],
            json!({"skill": "deploy"}),
            Err("no skill \"deploy\""),
        );
        check(&[text("  ")], json!({}), Err("ask needs a question"));
        check(
            &[Part::Data(json!({"repo": "attrs"}))],
            json!({}),
            Err("takes no argument \"repo\""),
        );
        check(
            &[Part::Data(json!([1]))],
            json!({}),
            Err("must be a JSON object"),
        );
        check(
            &[Part::Data(json!({})), Part::Data(json!({}))],
            json!({}),
            Err("more than one data part"),
        );
    }

    #[test]
    fn the_answer_carries_the_parts_the_client_accepts() {
        let modes = |m: &[&str]| m.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let both = Output {
            text: true,
            json: true,
        };
        assert_eq!(Output::accepted(&[]), Ok(both));
        assert_eq!(Output::accepted(&modes(&["*/*"])), Ok(both));
        assert_eq!(
            Output::accepted(&modes(&["text/*"])),
            Ok(Output {
                text: true,
                json: false
            })
        );
        assert_eq!(
            Output::accepted(&modes(&["application/json"])),
            Ok(Output {
                text: false,
                json: true
            })
        );
        let e = Output::accepted(&modes(&["image/png"])).unwrap_err();
        assert_eq!(e.code, rpc::CONTENT_TYPE_NOT_SUPPORTED);
    }
}
