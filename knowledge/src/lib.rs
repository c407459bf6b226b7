//! tdev's memory: the RDF knowledge graph (oxigraph on RocksDB) and the pattern index (tantivy).
//!
//! Every cycle is written as one typed [`CycleRecord`](tdev_core::CycleRecord) into its own
//! named graph, together with running statistics, in one transaction; everything tdev learns is
//! read back with SPARQL. Patterns (situation, strategy, outcome counts, an example change) are
//! retrieved by BM25 from the [`PatternIndex`].
//!
//! The graph may instead live on a SPARQL 1.1 server that several processes share
//! ([`KnowledgeGraph::connect`] with a [`Remote`]): the API stays the same, and [`Lease`]s in
//! the graph say which process works on a repository and which one writes the statistics.
//!
//! ```
//! use oxigraph::sparql::QueryResults;
//! use tdev_knowledge::KnowledgeGraph;
//!
//! let graph = KnowledgeGraph::in_memory()?;
//! let QueryResults::Boolean(has_cycles) = graph.query(
//!     "ASK { <https://tdev.dev/ns#Cycle> a <http://www.w3.org/2002/07/owl#Class> }",
//! )? else { unreachable!() };
//! assert!(has_cycles, "the ontology is loaded when the graph is created");
//! # Ok::<(), tdev_knowledge::Error>(())
//! ```
#![warn(missing_docs)]

mod backend;
mod error;
mod fates;
mod format;
mod graph;
mod lease;
mod lock;
mod models;
mod patterns;
mod proposals;
mod protocol;
mod record;
mod refusals;
mod remote;
mod services;
mod spend;
mod stats;
mod strategies;
mod training;
pub mod vocab;

pub use error::{Error, Result};
pub use format::{GraphFormat, OutputFormat, ResultsFormat, write_results};
pub use graph::{
    BULK_THRESHOLD, GraphStatistics, IMPORT_BATCH, KnowledgeGraph, ONTOLOGY, Recorded, SHAPES,
};
pub use lease::{Lease, LeaseState};
pub use lock::DataDirLock;
pub use models::ModelFiles;
pub use oxigraph::sparql::{CancellationToken, QueryResults, Variable};
pub use patterns::{PatternHit, PatternIndex, SearchFilter};
pub use proposals::Proposal;
pub use protocol::{GraphTarget, QueryOptions};
pub use refusals::Refusal;
pub use remote::{Endpoint, EndpointError, ProtocolDataset, Remote};
pub use services::ServiceRecord;
pub use spend::SPEND_SINCE_QUERY;
pub use stats::{
    ATTEMPTED_IN_QUERY, FAILED_CONDITION_QUERY, FINDING_KIND_QUERY, KIND_STRATEGY_QUERY,
    REPOSITORY_DAY_QUERY, REPOSITORY_STRATEGY_QUERY, SAMPLE_REASON_QUERY, SLOWEST_KEPT,
    SLOWEST_QUERY, STRATEGY_QUERY,
};
pub use strategies::{
    STRATEGY_TALLIES_QUERY, StrategyRecord, StrategyTallies, strategy_tallies_bindings,
    strategy_tallies_from,
};
pub use training::{TRAINING_ROWS_QUERY, current_histories, training_rows_from};

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A tdev data directory opened for writing: the graph and the index under one lock.
///
/// A cheap handle: clones share the one open store, index and lock, so a process opens its
/// data directory once and hands it to the curator (which writes) and to readers (which the
/// store serves from snapshots while a write goes on). The lock is released when the last
/// clone is dropped.
#[derive(Clone, Debug)]
pub struct KnowledgeBase {
    root: PathBuf,
    /// The RDF knowledge graph.
    pub graph: Arc<KnowledgeGraph>,
    /// The pattern index.
    pub patterns: Arc<PatternIndex>,
    // Declared last: dropped after the stores are closed.
    _lock: Arc<DataDirLock>,
}

impl KnowledgeBase {
    /// Opens (creating what is missing) the graph and the index under `root`, after taking the
    /// directory's lock.
    pub fn open(root: &Path) -> Result<Self> {
        Self::open_within(root, std::time::Duration::ZERO)
    }

    /// [`KnowledgeBase::open`], waiting up to `patience` for a passing reader to let go of the
    /// directory ([`DataDirLock::acquire_within`]): what a long-running holder does, so that
    /// a `tdev cycles` run at the moment it starts does not stop it.
    pub fn open_within(root: &Path, patience: std::time::Duration) -> Result<Self> {
        Self::open_on(root, patience, None)
    }

    /// [`KnowledgeBase::open_within`], with the graph on the SPARQL service `remote` when
    /// given ([`KnowledgeGraph::connect`]) instead of the embedded store; the pattern index
    /// and the models stay in the data directory.
    pub fn open_on(
        root: &Path,
        patience: std::time::Duration,
        remote: Option<Remote>,
    ) -> Result<Self> {
        std::fs::create_dir_all(root).map_err(Error::io(format!("creating {}", root.display())))?;
        let lock = DataDirLock::acquire_within(root, patience)?;
        let graph = match remote {
            Some(remote) => KnowledgeGraph::connect(remote)?,
            None => KnowledgeGraph::open(&root.join("graph"))?,
        };
        let patterns = PatternIndex::open(&root.join("patterns"))?;
        Ok(Self {
            root: root.to_path_buf(),
            graph: Arc::new(graph),
            patterns: Arc::new(patterns),
            _lock: Arc::new(lock),
        })
    }

    /// The data directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The trained models' files (`<root>/models`).
    pub fn model_files(&self) -> ModelFiles {
        ModelFiles::new(self.root.join("models"))
    }

    /// Names in the lock file where this process answers read queries for others.
    pub fn advertise(&self, endpoint: &str) -> Result<()> {
        self._lock.advertise(endpoint)
    }
}
