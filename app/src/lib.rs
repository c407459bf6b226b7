//! tdev's host: the façade every interface calls (the CLI, the daemon's HTTP server and the
//! MCP server), as rust-analyzer's `ide` crate serves its LSP server.
//!
//! It owns what every interface needs the same way: the `tdev.toml` schema ([`Config`]), the
//! one [`Layout`] of every path, data-directory discovery ([`DataDir`]), the wiring of the
//! supervisor tree and the ids it uses, and the operations: [`scan()`], [`plan()`],
//! [`evolve()`], [`daemon::run`], [`history::cycles`] and [`history::cycle`], [`ask::ask`],
//! [`learn::evaluate_history`], [`report::write`] (and [`report::learning`], its charts' data),
//! [`branches::branches`], SPARQL reads through a [`Reader`] ([`query::read`] for an interface
//! that hands the results on), and [`start::start_cycle`] for one that must not wait for a
//! cycle (through the daemon's scheduler when a daemon holds the data directory, else
//! [`background::start_evolve`]). One process at a time holds a data directory ([`Host`]);
//! while it does, it answers the others' reads and the daemon's control requests ([`serve`]),
//! and it records the cycles an interrupted holder left as aborted ([`journal`]). Interfaces
//! parse their input, call these, and format the results.
//!
//! ```
//! use std::ffi::OsString;
//! use tdev_app::Layout;
//!
//! let layout = Layout::from_vars(|name| (name == "HOME").then(|| OsString::from("/home/ada")))?;
//! assert_eq!(layout.tools, std::path::Path::new("/home/ada/.cache/tdev/tools"));
//! assert_eq!(layout.user_data, std::path::Path::new("/home/ada/.local/share/tdev/data"));
//! # Ok::<(), tdev_app::Error>(())
//! ```
#![warn(missing_docs)]

pub mod ask;
pub mod background;
pub mod branches;
pub mod config;
pub mod daemon;
pub mod datadir;
pub mod endpoint;
mod error;
pub mod evolve;
pub mod history;
mod host;
pub mod ids;
pub mod journal;
mod layout;
pub mod learn;
pub mod lease;
pub mod new;
pub mod plan;
pub mod query;
pub mod report;
pub mod scan;
pub mod serve;
pub mod start;

pub use config::Config;
pub use datadir::{DataDir, Missing};
pub use error::{Error, Result};
pub use evolve::{EvolveOptions, evolve};
pub use host::Host;
pub use layout::Layout;
pub use plan::{FindingsFrom, plan};
pub use scan::{ToolsMode, scan};
pub use serve::{ReadServer, Reader};
pub use tdev_planner::BackendChoice;
