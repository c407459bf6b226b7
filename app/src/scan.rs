//! Research as a command: a native scan of a repository plus the findings of the tools tdev
//! runs (ruff, bandit, the repository's formatter), the same composition a cycle's research
//! uses before it adds what needs a sandbox (clippy).

use crate::layout::Layout;
use crate::{Error, Result};
use std::path::Path;
use tdev_research::{Progress, Scan, ScanOptions};

/// Which external tools a scan adds to the native analyses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ToolsMode {
    /// Run the tools that are installed; report the others as not run.
    #[default]
    Auto,
    /// Native analyses only.
    None,
    /// Fail unless every tool ran.
    Require,
}

/// Scans `repo`; `progress` hears how far measuring has got.
pub fn scan(
    repo: &Path,
    options: &ScanOptions,
    tools: ToolsMode,
    layout: &Layout,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Scan> {
    if !repo.is_dir() {
        return Err(Error::user(format!(
            "{} is not a directory; give the repository to scan with --repo PATH",
            repo.display()
        )));
    }
    if options.history_commits > 0
        && let Err(e @ tdev_worktree::Error::DubiousOwnership { .. }) =
            tdev_worktree::Repo::open(repo)
    {
        // Its history would be silently missing: git refuses to read it.
        return Err(Error::user(format!(
            "{e}; or scan without history: --history 0"
        )));
    }
    let mut report = tdev_research::scan(repo, options, progress)?;
    add_tools(&mut report, tools, layout)?;
    Ok(report)
}

/// Adds ruff's and bandit's findings, and those of the formatter the repository uses, as
/// `mode` says.
fn add_tools(report: &mut Scan, mode: ToolsMode, layout: &Layout) -> Result<()> {
    if mode == ToolsMode::None {
        return Ok(());
    }
    tdev_research::add_tools(report, &tdev_tools::ToolEnv::new(&layout.tools));
    if mode == ToolsMode::Require
        && let Some(failed) = report.tools.iter().find(|t| t.error.is_some())
    {
        return Err(Error::user(format!(
            "{} did not run: {}",
            failed.tool,
            failed.error.as_deref().unwrap_or_default()
        )));
    }
    Ok(())
}
