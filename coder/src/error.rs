//! Errors of the coder crate: the infrastructure failing while a backend is set up. A failed
//! attempt is not an error; it is an `AttemptResult` with a `FailureReason`.

use std::path::PathBuf;

/// What went wrong setting up a backend or its budget ledger.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration cannot work; the message says which field and what to do.
    #[error("invalid coder configuration: {0}")]
    Config(String),
    /// The spending ledger could not be read or written.
    #[error("budget ledger {path}: {source}")]
    Ledger {
        /// The ledger file.
        path: PathBuf,
        /// What failed.
        #[source]
        source: std::io::Error,
    },
}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, Error>;
