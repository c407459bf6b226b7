//! The server's configuration: what `[http]` in `tdev.toml` says, with the update token read
//! from where the table names it. The token never appears in `Debug` output or a log.

use crate::{Error, Result};
use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;
use tdev_app::config::HttpTable;

/// The update token a client must send as `Authorization: Bearer <token>` to write.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

/// Shortest token accepted: a guessable token is no protection.
pub const MIN_TOKEN_LEN: usize = 16;

impl Token {
    /// A token, refused when shorter than [`MIN_TOKEN_LEN`] or holding whitespace or control
    /// characters (which a header could not carry).
    pub fn new(token: impl Into<String>) -> Result<Self> {
        let token = token.into();
        if token.len() < MIN_TOKEN_LEN {
            return Err(Error::Config(format!(
                "the update token must be at least {MIN_TOKEN_LEN} characters long"
            )));
        }
        if token.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(Error::Config(
                "the update token must not contain spaces or control characters".into(),
            ));
        }
        Ok(Self(token))
    }

    /// Whether `given` is this token, compared in time independent of where they differ.
    pub fn matches(&self, given: &str) -> bool {
        let (a, b) = (self.0.as_bytes(), given.as_bytes());
        let mut diff = a.len() ^ b.len();
        for (i, x) in a.iter().enumerate() {
            diff |= usize::from(x ^ b.get(i).copied().unwrap_or(0));
        }
        diff == 0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// How the server listens and what it allows.
#[derive(Clone, Debug)]
pub struct Config {
    /// The address the daemon binds (`serve` itself is given a bound listener).
    pub listen: SocketAddr,
    /// The update token; without one, `/update` and graph store writes are refused (403).
    pub token: Option<Token>,
    /// Whether the graph store protocol may write graphs (with the token).
    pub store_writable: bool,
    /// The largest request body accepted (413 past it).
    pub max_body_bytes: usize,
    /// How long a query may run before it is cancelled and answered 503.
    pub query_timeout: Duration,
    /// How many requests may use the store at once (503 with `Retry-After` past it).
    pub max_concurrent: usize,
    /// A query last answered within this is answered on the worker that took the request
    /// rather than on the blocking pool (see `crate::quick`); zero sends every query to the
    /// pool. Not in `tdev.toml`: the default suits every store this serves.
    pub quick_query: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self::from_table_with(&HttpTable::default(), |_| None).expect("the defaults are valid")
    }
}

impl Config {
    /// The configuration `table` describes, reading the token from its file or from the
    /// process's environment.
    pub fn from_table(table: &HttpTable) -> Result<Self> {
        Self::from_table_with(table, |name| std::env::var(name).ok())
    }

    /// [`Config::from_table`] with the environment given, for tests.
    pub fn from_table_with(
        table: &HttpTable,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self> {
        table.validate().map_err(Error::Config)?;
        let token = match (&table.token_file, &table.token_env) {
            (Some(file), _) => {
                let text = std::fs::read_to_string(file).map_err(|e| {
                    Error::Config(format!(
                        "cannot read the update token from {}: {e}",
                        file.display()
                    ))
                })?;
                let first = text.lines().next().unwrap_or_default().trim();
                Some(Token::new(first)?)
            }
            (None, Some(name)) => {
                let value = env(name).ok_or_else(|| {
                    Error::Config(format!(
                        "http.token_env names {name}, but that variable is not set"
                    ))
                })?;
                Some(Token::new(value.trim())?)
            }
            (None, None) => None,
        };
        Ok(Self {
            listen: table.listen,
            token,
            store_writable: table.store_writable,
            max_body_bytes: table.max_body_bytes,
            query_timeout: Duration::from_secs(table.query_timeout_secs),
            max_concurrent: table.max_concurrent,
            quick_query: crate::quick::QUICK,
        })
    }

    /// Refuses to serve a non-loopback address without an update token: reads are open to
    /// whoever reaches the port, and writes must not be.
    pub fn check_address(&self, address: SocketAddr) -> Result<()> {
        if address.ip().is_loopback() || self.token.is_some() {
            Ok(())
        } else {
            Err(Error::Config(format!(
                "refusing to serve on {address}, which is not a loopback address, without an \
                 update token; configure http.token_file or http.token_env, or listen on 127.0.0.1"
            )))
        }
    }
}
