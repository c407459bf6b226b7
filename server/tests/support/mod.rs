//! What the server's tests share: a data directory with recorded cycles, the router on it,
//! and requests sent without a socket.

#![allow(dead_code)]

#[path = "../../../tests/support/synthetic.rs"]
pub mod synthetic;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use tdev_knowledge::KnowledgeBase;
use tdev_server::{Config, State, Token};
use tower::ServiceExt;

/// The update token the tests configure.
pub const TOKEN: &str = "test-token-0123456789abcdef";

/// Cycles recorded in every fixture; the 50th trains a model.
pub const CYCLES: u64 = 50;

/// A data directory holding [`CYCLES`] synthetic cycles, and the state serving it.
#[derive(Debug)]
pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub knowledge: KnowledgeBase,
    pub state: State,
}

/// A configuration with the token and a writable graph store.
pub fn writable() -> Config {
    Config {
        token: Some(Token::new(TOKEN).unwrap()),
        store_writable: true,
        ..Config::default()
    }
}

pub fn fixture(config: Config) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let knowledge = KnowledgeBase::open(&dir.path().join("data")).unwrap();
    let records: Vec<_> = (0..CYCLES).map(|i| synthetic::record(7, i)).collect();
    knowledge.graph.record_cycles(&records).unwrap();
    let state = State::new(knowledge.clone(), config);
    Fixture {
        dir,
        knowledge,
        state,
    }
}

impl Fixture {
    pub fn router(&self) -> Router {
        tdev_server::app(self.state.clone())
    }

    pub fn quads(&self) -> usize {
        self.knowledge.graph.len().unwrap()
    }
}

/// A response as the tests look at it.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .map_or("", |v| v.to_str().unwrap())
    }
}

pub async fn send(router: &Router, request: Request<Body>) -> Answer {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

pub fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

/// Percent-encodes a query parameter's value.
pub fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
