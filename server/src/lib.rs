//! tdev's HTTP surface, the daemon's adapter over the `app` façade: the SPARQL 1.1 Protocol
//! (`/query`, `/update` behind a bearer token), the Graph Store Protocol (`/store`), `/health`,
//! `/metrics` in the Prometheus text format, a JSON API (`/api/cycles`, `/api/cycles/{id}`,
//! `/api/learning`, `/api/branches`, `/api/status`, `/api/ask`), live cycle events as
//! server-sent events (`/events`), a dashboard page drawn from that API (`/`), and the
//! Agent2Agent protocol: an agent card (`/.well-known/agent-card.json`) and its JSON-RPC
//! endpoint (`/a2a`) with the skills `ask` and `evolve`.
//!
//! `tdev daemon` runs it beside its scheduler ([`beside_daemon`]), with the daemon's events and
//! live gauges. [`app`] builds the whole surface as an axum `Router`, so tests call it without a socket;
//! [`serve`] runs it on a listener until a shutdown future completes. Everything runs on the
//! one [`KnowledgeBase`](tdev_knowledge::KnowledgeBase) handle the process holds, given in the
//! [`State`]; store work goes to the blocking pool within [`Config`]'s limits (concurrent
//! requests, query time, body size). Each error kind has one status ([`Error::status`]) and
//! a failure's details go to the log, never to the client.
//!
//! ```
//! use axum::body::Body;
//! use axum::http::{Request, StatusCode};
//! use tdev_server::{Config, State, app};
//! use tower::ServiceExt;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let knowledge = tdev_knowledge::KnowledgeBase::open(dir.path())?;
//! let router = app(State::new(knowledge, Config::default()));
//! let ask = "/query?query=ASK%20%7B%20%3Fs%20a%20%3Fclass%20%7D";
//! let response = router.oneshot(Request::get(ask).body(Body::empty())?).await?;
//! assert_eq!(response.status(), StatusCode::OK);
//! let body = axum::body::to_bytes(response.into_body(), 1 << 16).await?;
//! assert_eq!(&body[..], br#"{"head":{},"boolean":true}"#, "the ontology is there");
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs)]

mod a2a;
mod api;
mod config;
mod daemon;
mod dashboard;
mod error;
mod events;
mod live;
mod metrics;
mod negotiate;
mod quick;
mod request;
mod sparql;
mod state;
mod store;

pub use config::{Config, MIN_TOKEN_LEN, Token};
pub use daemon::{beside_daemon, gauges as daemon_gauges};
pub use error::{Error, Result};
pub use events::render as render_event;
pub use live::{Gauge, Live, NoLive};
pub use state::{AskContext, CycleStarter, EVENT_CAPACITY, EvolveContext, State, StatusSource};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use std::future::Future;
use tokio::net::TcpListener;

/// Every endpoint, on `state`.
pub fn app(state: State) -> Router {
    let limit = state.config.max_body_bytes;
    Router::new()
        .route("/", get(dashboard::page))
        .route("/dashboard", get(dashboard::page))
        .route("/query", get(sparql::query_get).post(sparql::query_post))
        .route("/update", post(sparql::update))
        .route(
            "/store",
            get(store::get)
                .put(store::put)
                .post(store::post)
                .delete(store::delete),
        )
        .route("/health", get(metrics::health))
        .route("/metrics", get(metrics::metrics))
        .route("/api/cycles", get(api::cycles))
        .route("/api/cycles/{id}", get(api::cycle))
        .route("/api/learning", get(api::learning))
        .route("/api/branches", get(api::branches))
        .route("/api/status", get(api::status))
        .route("/api/ask", post(api::ask))
        .route("/events", get(events::events))
        .route("/.well-known/agent-card.json", get(a2a::agent_card))
        .route(a2a::RPC_PATH, post(a2a::endpoint))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state)
}

async fn not_found(uri: axum::http::Uri) -> Error {
    Error::NotFound(format!(
        "no endpoint at {}; see \"The HTTP endpoint\" in docs/user-guide.md",
        uri.path()
    ))
}

/// Serves [`app`] on `listener` until `shutdown` completes, then stops taking connections,
/// ends the event streams and returns once the requests in flight are answered.
///
/// Refuses a listener on a non-loopback address when no update token is configured
/// ([`Config::check_address`]).
pub async fn serve(
    listener: TcpListener,
    state: State,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let io = |context: &str| {
        let context = context.to_owned();
        move |source| Error::Io { context, source }
    };
    let address = listener
        .local_addr()
        .map_err(io("reading the listener's address"))?;
    state.config.check_address(address)?;
    tracing::info!("serving HTTP on http://{address}");
    let streams = state.clone();
    // Answers go out as soon as they are written, not held back to be joined with more
    // (Nagle's algorithm): a client waits for each answer before it sends the next request.
    let listener = listener.tap_io(|connection| {
        if let Err(e) = connection.set_nodelay(true) {
            tracing::debug!("could not set TCP_NODELAY on a connection: {e}");
        }
    });
    axum::serve(listener, app(state))
        .with_graceful_shutdown(async move {
            shutdown.await;
            streams.stop_streams();
        })
        .await
        .map_err(io("serving HTTP"))
}
