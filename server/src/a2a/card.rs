//! The agent card at `/.well-known/agent-card.json`: who tdev is, where its JSON-RPC endpoint
//! is (on the address the client reached, else the configured one), and the skills this
//! server can run now: `ask` when it may scan repositories, `evolve` beside the daemon's
//! scheduler with an update token, whose bearer scheme the card advertises.

use crate::state::State;
use axum::http::HeaderMap;
use axum::http::header::HOST;
use serde_json::{Value, json};

/// Where the JSON-RPC endpoint is, under the server's address.
pub(crate) const RPC_PATH: &str = "/a2a";

/// The security scheme's name in the card.
const BEARER: &str = "bearer";

const DESCRIPTION: &str = "tdev improves code repositories in cycles (research, plan, change, \
    evaluate, gate, learn) and learns from every one in an RDF knowledge graph. Ask it what to \
    fix first in a repository, which strategies fail there and why, or how long the work would \
    take; with the update token, have it start an evolution cycle.";

/// The card, with the endpoint on `base` (`http://host:port`).
pub(crate) fn card(state: &State, base: &str) -> Value {
    let url = format!("{base}{RPC_PATH}");
    let modes = json!(["text/plain", "application/json"]);
    let mut skills = Vec::new();
    if state.ask.is_some() {
        skills.push(json!({
            "id": "ask",
            "name": "Ask tdev",
            "description": "Recommendations on one of the daemon's repositories from what tdev \
                learned, each with its evidence and confidence, as `tdev ask` gives them: what \
                to fix first (or first under a path), which strategies fail there and why, how \
                long its work would take. Send the question as a text part; name the \
                repository (its path or directory name) in the metadata's `repository` when \
                the daemon has several. Answers with an artifact holding the answer as text \
                and as JSON.",
            "tags": ["code-quality", "recommendations", "knowledge-graph"],
            "examples": [
                "What should I fix first?",
                "Which strategies fail on this repository and why?",
                "How long will the tool fixes take?"
            ],
            "inputModes": modes,
            "outputModes": modes,
        }));
    }
    if state.evolve.is_some() && state.config.token.is_some() {
        skills.push(json!({
            "id": "evolve",
            "name": "Start an evolution cycle",
            "description": "Starts a cycle on one of the daemon's repositories now, through its \
                scheduler: refused while the daemon is paused or a budget (cycles per hour, \
                open branches, spend per day) is spent, as a scheduled cycle would be. Send a \
                data part {\"repository\": ..., \"goal\": ...} (both optional) or the metadata \
                {\"skill\": \"evolve\"} with the goal as text. Needs the update token as a \
                bearer token. The task works until the cycle is recorded; GetTask says how it \
                ended.",
            "tags": ["code-quality", "refactoring", "automation"],
            "examples": ["{\"goal\": \"fix security findings\"}"],
            "inputModes": modes,
            "outputModes": modes,
            "securityRequirements": [{"schemes": {BEARER: {"list": []}}}],
        }));
    }
    let mut card = json!({
        "name": "tdev",
        "description": DESCRIPTION,
        "version": env!("CARGO_PKG_VERSION"),
        "supportedInterfaces": [
            {"url": url, "protocolBinding": "JSONRPC", "protocolVersion": "1.0"},
            {"url": url, "protocolBinding": "JSONRPC", "protocolVersion": "0.3"},
        ],
        "capabilities": {
            "streaming": false,
            "pushNotifications": false,
            "extendedAgentCard": false,
        },
        "defaultInputModes": modes,
        "defaultOutputModes": modes,
        "skills": skills,
    });
    if state.config.token.is_some() {
        card["securitySchemes"] = json!({
            BEARER: {"httpAuthSecurityScheme": {
                "scheme": "Bearer",
                "description": "The daemon's update token (http.token_file or http.token_env \
                    in tdev.toml), needed by the evolve skill only.",
            }},
        });
    }
    card
}

/// `http://` and the address the client reached (its `Host` header, when it is a plain
/// host and port), else the configured listen address.
pub(crate) fn base(state: &State, headers: &HeaderMap) -> String {
    let host = headers.get(HOST).and_then(|h| h.to_str().ok()).filter(|h| {
        !h.is_empty()
            && h.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c))
    });
    match host {
        Some(host) => format!("http://{host}"),
        None => format!("http://{}", state.config.listen),
    }
}
