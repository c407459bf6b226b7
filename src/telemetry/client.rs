//! The HTTP client the OTLP exporter posts spans with: the blocking reqwest client tdev already
//! builds, so that exporting adds no second HTTP stack. The exporter runs on the batch
//! processor's own thread, outside every async runtime, where a blocking call is right.

use opentelemetry_http::{Bytes, HttpClient, HttpError, Request, Response};
use std::io::Read as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A collector's answer is a small protobuf message; anything longer is not read.
const MAX_RESPONSE_BYTES: u64 = 4 * 1024 * 1024;

/// reqwest's blocking client, as the exporter's `HttpClient`.
#[derive(Debug)]
pub struct Blocking {
    client: reqwest::blocking::Client,
    failure: LastFailure,
}

/// Why the last request could not be made (the connection refused, say), which the exporter's
/// own error leaves out: for the warning that says so.
#[derive(Clone, Debug, Default)]
pub struct LastFailure(Arc<Mutex<Option<String>>>);

impl LastFailure {
    /// The failure of the last request, if it failed; forgotten once taken.
    pub fn take(&self) -> Option<String> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).take()
    }

    fn set(&self, failure: Option<String>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = failure;
    }
}

impl Blocking {
    /// A client whose requests give up after `timeout`. Built outside any async runtime (the
    /// blocking client starts one of its own).
    pub fn new(timeout: Duration) -> Result<Blocking, reqwest::Error> {
        Ok(Blocking {
            client: reqwest::blocking::Client::builder()
                .timeout(timeout)
                .build()?,
            failure: LastFailure::default(),
        })
    }

    /// Where the client keeps why its last request failed.
    pub fn failure(&self) -> LastFailure {
        self.failure.clone()
    }

    fn send(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        let (parts, body) = request.into_parts();
        let mut response = self
            .client
            .request(parts.method, parts.uri.to_string())
            .headers(parts.headers)
            .body(body.to_vec())
            .send()?;
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        let mut bytes = Vec::new();
        response.take(MAX_RESPONSE_BYTES).read_to_end(&mut bytes)?;
        let mut answer = Response::builder()
            .status(status)
            .body(Bytes::from(bytes))?;
        *answer.headers_mut() = headers;
        Ok(answer)
    }
}

#[async_trait::async_trait]
impl HttpClient for Blocking {
    async fn send_bytes(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        let sent = self.send(request);
        self.failure
            .set(sent.as_ref().err().map(|e| chain(e.as_ref())));
        sent
    }
}

/// An error and its causes, as one line.
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut line = error.to_string();
    let mut cause = error.source();
    while let Some(e) = cause {
        line.push_str(": ");
        line.push_str(&e.to_string());
        cause = e.source();
    }
    line
}
