//! What can stop the server itself; what goes wrong in a tool call is that call's result.

/// Why the server could not serve.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The async runtime could not start.
    #[error("starting the async runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// The client did not complete the protocol's handshake (it sent something else first,
    /// or closed the connection).
    #[error("the MCP client did not initialise the session: {0}")]
    Handshake(String),
    /// The task serving the session stopped abnormally.
    #[error("the MCP session stopped: {0}")]
    Stopped(#[source] tokio::task::JoinError),
}

/// Result of serving.
pub type Result<T, E = Error> = std::result::Result<T, E>;
