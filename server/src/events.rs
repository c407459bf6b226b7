//! `/events`: the daemon's cycle events as server-sent events. Each subscriber gets the
//! events published on the state's broadcast channel after it connected, one SSE event per
//! `tdev_actors::Event`, named by its kind, with a JSON object as data. A subscriber that
//! reads too slowly is told how many it missed (`lagged`). The stream ends when the server
//! shuts down.

use crate::state::State;
use axum::extract::State as Shared;
use axum::response::sse::{Event as Sse, KeepAlive};
use futures_util::stream::Stream;
use serde_json::{Value, json};
use std::convert::Infallible;
use tdev_actors::Event;
use tokio::sync::broadcast::error::RecvError;

/// The SSE event name and JSON data of a cycle event.
pub fn render(event: &Event) -> (&'static str, Value) {
    match event {
        Event::CycleStarted { cycle, repository } => (
            "cycle-started",
            json!({ "cycle": cycle, "repository": repository }),
        ),
        Event::Researched {
            cycle,
            findings,
            files,
        } => (
            "researched",
            json!({ "cycle": cycle, "findings": findings, "files": files }),
        ),
        Event::Planned {
            cycle,
            tasks,
            already_proposed,
            already_refused,
            needs_model,
            estimated_by,
        } => (
            "planned",
            json!({
                "cycle": cycle,
                "tasks": tasks,
                "already_proposed": already_proposed,
                "already_refused": already_refused,
                "needs_model": needs_model.as_ref().map(ToString::to_string),
                "estimated_by": estimated_by,
            }),
        ),
        Event::AttemptStarted {
            cycle,
            task,
            number,
            strategy,
        } => (
            "attempt-started",
            json!({
                "cycle": cycle,
                "task": task,
                "number": number,
                "strategy": strategy.to_string(),
            }),
        ),
        Event::AttemptFinished {
            cycle,
            task,
            number,
            passed,
            reasons,
            branch,
        } => (
            "attempt-finished",
            json!({
                "cycle": cycle,
                "task": task,
                "number": number,
                "passed": passed,
                "reasons": reasons,
                "branch": branch,
            }),
        ),
        Event::Learned { cycle, learned } => (
            "learned",
            match learned {
                Ok(learned) => json!({ "cycle": cycle, "learned": format!("{learned:?}") }),
                Err(why) => json!({ "cycle": cycle, "error": why }),
            },
        ),
        Event::CycleFinished {
            cycle,
            outcome,
            reason,
        } => (
            "cycle-finished",
            json!({ "cycle": cycle, "outcome": outcome.as_str(), "reason": reason }),
        ),
        Event::ActorRestarted { actor, reason } => (
            "actor-restarted",
            json!({ "actor": actor.name(), "reason": reason }),
        ),
        other => ("event", json!({ "debug": format!("{other:?}") })),
    }
}

pub(crate) async fn events(
    Shared(state): Shared<State>,
) -> axum::response::Sse<impl Stream<Item = Result<Sse, Infallible>>> {
    // Subscribed here, before the response goes out: every event published after the
    // client has its response reaches it.
    let receiver = state.events.subscribe();
    let stopping = state.stopping.clone();
    let stream = futures_util::stream::unfold(
        (receiver, stopping),
        |(mut receiver, mut stopping)| async move {
            if *stopping.borrow() {
                return None;
            }
            let next = tokio::select! {
                next = receiver.recv() => next,
                _ = stopping.changed() => return None,
            };
            let sse = match next {
                Ok(event) => {
                    let (name, data) = render(&event);
                    Sse::default().event(name).data(data.to_string())
                }
                Err(RecvError::Lagged(missed)) => Sse::default()
                    .event("lagged")
                    .data(json!({ "missed": missed }).to_string()),
                Err(RecvError::Closed) => return None,
            };
            Some((Ok(sse), (receiver, stopping)))
        },
    );
    axum::response::Sse::new(stream).keep_alive(KeepAlive::default())
}
