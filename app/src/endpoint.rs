//! The knowledge graph on a SPARQL 1.1 server (`[knowledge]` in `tdev.toml`): the SPARQL 1.1
//! Protocol over HTTP, the transport `tdev_knowledge::Endpoint` leaves to its caller, and who
//! this process is in the leases the processes sharing the graph take.
//!
//! Queries are POSTed as `application/sparql-query` with the dataset's `default-graph-uri` and
//! `named-graph-uri` in the address, updates as `application/sparql-update`; each request has
//! the configured time limit. The knowledge layer is called from the async runtime's threads
//! too (the curator writes in its handler), where a blocking HTTP client may not run: there a
//! request runs on a thread of its own while the caller waits, as a store write would block it.

use crate::config::{EndpointUrls, KnowledgeTable};
use crate::{Error, Result};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tdev_knowledge::{Endpoint, EndpointError, ProtocolDataset, Remote};

/// A SPARQL 1.1 service reached over HTTP.
#[derive(Debug)]
pub struct HttpEndpoint {
    urls: EndpointUrls,
    client: reqwest::blocking::Client,
    timeout: Duration,
}

impl HttpEndpoint {
    /// The service at `urls`, each request answered within `timeout`.
    pub fn new(urls: EndpointUrls, timeout: Duration) -> Result<Self> {
        let client = off_runtime(move || {
            reqwest::blocking::Client::builder()
                .timeout(timeout)
                .connect_timeout(timeout.min(Duration::from_secs(10)))
                .user_agent(concat!("tdev/", env!("CARGO_PKG_VERSION")))
                .build()
        })
        .map_err(|e| Error::user(format!("cannot make an HTTP client: {e}")))?;
        Ok(Self {
            urls,
            client,
            timeout,
        })
    }

    /// Sends a request and reads the whole answer; an answer that is not a success is the
    /// error its status says.
    fn send(
        &self,
        request: reqwest::blocking::RequestBuilder,
        url: &str,
    ) -> std::result::Result<Vec<u8>, EndpointError> {
        let timeout = self.timeout;
        // The query address names the endpoint in every message already.
        let at = if url == self.urls.query {
            "there".to_owned()
        } else {
            format!("at {url}")
        };
        off_runtime(move || {
            let response = request.send().map_err(|e| unreachable(&e, timeout))?;
            let status = response.status();
            let body = response.bytes().map_err(|e| unreachable(&e, timeout))?;
            if status.is_success() {
                return Ok(body.to_vec());
            }
            let said = String::from_utf8_lossy(&body);
            let said: String = said.trim().chars().take(500).collect();
            let code = status.as_u16();
            Err(match code {
                401 | 403 => EndpointError::Refused(format!(
                    "refused a request {at} (HTTP {code}): it wants credentials or permissions \
                     tdev does not have; open it to this host or name another endpoint in \
                     [knowledge]"
                )),
                404 | 405 => EndpointError::Refused(format!(
                    "has no SPARQL service {at} (HTTP {code}); fix [knowledge] in tdev.toml \
                     (Oxigraph and Fuseki answer at <endpoint>/query and <endpoint>/update)"
                )),
                _ => EndpointError::Failed(format!("answered HTTP {code} {at}: {said}")),
            })
        })
    }
}

/// What a request that got no answer says.
fn unreachable(error: &reqwest::Error, timeout: Duration) -> EndpointError {
    if error.is_timeout() {
        return EndpointError::Unreachable(format!(
            "did not answer within {} s ([knowledge] timeout_secs)",
            timeout.as_secs()
        ));
    }
    // reqwest's own message names the request; its causes say what went wrong.
    let mut cause = String::new();
    let mut source = std::error::Error::source(error);
    while let Some(e) = source {
        cause = e.to_string();
        source = e.source();
    }
    let cause = if cause.is_empty() {
        error.to_string()
    } else {
        cause
    };
    EndpointError::Unreachable(format!(
        "could not be reached ({cause}); is the server running? check [knowledge] in tdev.toml"
    ))
}

impl Endpoint for HttpEndpoint {
    fn name(&self) -> &str {
        &self.urls.query
    }

    fn query(
        &self,
        query: &str,
        dataset: &ProtocolDataset<'_>,
        accept: &str,
    ) -> std::result::Result<Vec<u8>, EndpointError> {
        let mut parameters: Vec<(&str, &str)> = Vec::new();
        parameters.extend(
            dataset
                .default_graphs
                .iter()
                .map(|g| ("default-graph-uri", g.as_str())),
        );
        parameters.extend(
            dataset
                .named_graphs
                .iter()
                .map(|g| ("named-graph-uri", g.as_str())),
        );
        let request = self
            .client
            .post(&self.urls.query)
            .query(&parameters)
            .header("Content-Type", "application/sparql-query; charset=utf-8")
            .header("Accept", accept)
            .body(query.to_owned());
        self.send(request, &self.urls.query)
    }

    fn update(&self, update: &str) -> std::result::Result<(), EndpointError> {
        let request = self
            .client
            .post(&self.urls.update)
            .header("Content-Type", "application/sparql-update; charset=utf-8")
            .body(update.to_owned());
        self.send(request, &self.urls.update).map(drop)
    }
}

/// Runs `work`, which blocks on the network, outside the async runtime when called from
/// one of its threads.
fn off_runtime<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    if tokio::runtime::Handle::try_current().is_err() {
        return work();
    }
    std::thread::scope(|scope| match scope.spawn(work).join() {
        Ok(value) => value,
        Err(panic) => std::panic::resume_unwind(panic),
    })
}

/// Where the graph of the data directory `dir` lives by `table`: on a SPARQL server (and who
/// this process is in its leases), or `None` for the embedded store.
pub fn remote(table: &KnowledgeTable, dir: &Path) -> Result<Option<Remote>> {
    let Some(urls) = table.urls().map_err(Error::user)? else {
        return Ok(None);
    };
    let endpoint = HttpEndpoint::new(urls, Duration::from_secs(table.timeout_secs))?;
    Ok(Some(Remote {
        endpoint: Arc::new(endpoint),
        holder: holder(dir),
        lease: Duration::from_secs(table.lease_secs),
    }))
}

/// This process in leases: its host and data directory, unique among the processes sharing a
/// graph since one process at a time holds a data directory.
pub fn holder(dir: &Path) -> String {
    let host = ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|file| {
            let name = std::fs::read_to_string(file).ok()?;
            let name = name.trim();
            (!name.is_empty()).then(|| name.to_owned())
        })
        .unwrap_or_else(|| "localhost".to_owned());
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    format!("{host}:{}", dir.display())
}
