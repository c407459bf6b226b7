//! `tdev mcp`: the Model Context Protocol server on stdin and stdout (`tdev-mcp`), on the
//! data directory the command line names.

use anyhow::{Context as _, Result};
use tdev_app::{DataDir, Layout};

pub fn run(data: DataDir, layout: Layout) -> Result<()> {
    let options = tdev_mcp::Options {
        // Absolute, so that the processes `start_cycle` starts find it wherever they run.
        data_dir: data
            .dir
            .canonicalize()
            .with_context(|| format!("reading {}", data.dir.display()))?,
        layout,
        exe: std::env::current_exe().context("finding the tdev executable")?,
        cwd: std::env::current_dir().context("reading the current directory")?,
    };
    tracing::info!("serving MCP on stdio for {}", options.data_dir.display());
    tdev_mcp::run_stdio(options)?;
    Ok(())
}
