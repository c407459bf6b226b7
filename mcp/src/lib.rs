//! tdev's Model Context Protocol server: what tdev has learned, for other agents, over stdio.
//!
//! `tdev mcp` serves six tools, each a thin call of the `tdev-app` façade, as the CLI's
//! commands are: `sparql` (a read-only query; `tdev sparql`), `ask` (`tdev ask`), `cycles` and
//! `show_cycle` (`tdev cycles`, `tdev show`), `plan` (`tdev plan --repo`) and `start_cycle`
//! (`tdev evolve`, started in the background; it answers at once with the process and its
//! log). Every call opens the data directory for reading and lets it go before it answers,
//! as the read commands do, so the server never keeps the store from `tdev evolve` or the
//! daemon, and reads through them while they hold it.
//!
//! A user's mistake (a query that does not parse, an unknown cycle, a path that is no
//! repository) is the tool's result with `isError` set and one sentence saying what, where
//! and what to do; a failure of tdev is one too, saying so. Nothing but protocol messages is
//! written to stdout; logs go to stderr.
//!
//! ```
//! let names: Vec<String> = tdev_mcp::Server::tools()
//!     .into_iter()
//!     .map(|tool| tool.name.to_string())
//!     .collect();
//! assert_eq!(
//!     names,
//!     ["ask", "cycles", "plan", "show_cycle", "sparql", "start_cycle"]
//! );
//! ```
#![warn(missing_docs)]

mod error;
mod params;
mod reply;
mod server;

pub use error::{Error, Result};
pub use params::{
    AskParams, Backend, Format, PlanParams, ShowCycleParams, SparqlParams, StartCycleParams,
};
pub use server::{Options, Server};

/// Serves the tools on stdin and stdout until the client closes the connection.
pub fn run_stdio(options: Options) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Error::Runtime)?;
    runtime.block_on(async { serve(options, tokio::io::stdin(), tokio::io::stdout()).await })
}

/// Serves the tools on `input` and `output` (newline-delimited JSON-RPC) until the client
/// closes the connection.
pub async fn serve<R, W>(options: Options, input: R, output: W) -> Result<()>
where
    R: tokio::io::AsyncRead + Send + Unpin + 'static,
    W: tokio::io::AsyncWrite + Send + Unpin + 'static,
{
    use rmcp::ServiceExt as _;
    let running = Server::new(options)
        .serve((input, output))
        .await
        .map_err(|e| Error::Handshake(e.to_string()))?;
    running.waiting().await.map_err(Error::Stopped)?;
    Ok(())
}
