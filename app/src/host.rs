//! The host: one process's hold on a data directory. It opens the knowledge base once (taking
//! the directory's lock), serves reads to other processes while it holds it, recovers the
//! cycles an earlier holder left unfinished, and runs cycles through the supervisor tree on
//! the same handle.

use crate::Result;
use crate::datadir::DataDir;
use crate::journal::{self, Journal, Recovered};
use crate::layout::Layout;
use crate::serve::ReadServer;
use tdev_knowledge::KnowledgeBase;

/// A data directory held by this process.
#[derive(Debug)]
pub struct Host {
    data: DataDir,
    layout: Layout,
    knowledge: KnowledgeBase,
    journal: Journal,
    // Dropped before `knowledge`'s last handle goes, so the socket is gone before the lock.
    server: ReadServer,
}

impl Host {
    /// Takes `data`'s directory for this process: opens the graph and the index (waiting a
    /// moment for a passing reader, or saying who holds them), answers other processes' reads
    /// from now on, and records the cycles an interrupted holder left as aborted (returned,
    /// for the caller to report).
    pub fn open(data: DataDir, layout: Layout) -> Result<(Self, Vec<Recovered>)> {
        let knowledge =
            crate::datadir::open_knowledge(&data.dir, &data.config, crate::serve::PATIENCE)?;
        let server = ReadServer::start(&knowledge)?;
        let journal = Journal::new(&data.dir);
        let recovered = journal::recover(&knowledge, &journal)?;
        Ok((
            Self {
                data,
                layout,
                knowledge,
                journal,
                server,
            },
            recovered,
        ))
    }

    /// The data directory and its configuration.
    pub fn data(&self) -> &DataDir {
        &self.data
    }

    /// Where everything else lives.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// The process's handle on the knowledge base.
    pub fn knowledge(&self) -> &KnowledgeBase {
        &self.knowledge
    }

    /// The journal of running cycles.
    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    /// Answers `tdev status`, `pause` and `resume` on the read socket through `control` (the
    /// daemon's scheduler) from now on; `None` stops answering them.
    pub fn serve_control(&self, control: Option<std::sync::Arc<dyn crate::serve::Control>>) {
        self.server.set_control(control);
    }
}
