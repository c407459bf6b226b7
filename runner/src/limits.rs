//! The limits a target's process tree runs under, with defaults suited to a test suite.

use std::time::Duration;

/// Limits for one sandboxed run. Every limit applies to the whole process tree where the
/// platform allows it; [`crate::Sandbox::capabilities`] says which ones are enforced here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Wall-clock time after which everything the command started is killed.
    pub wall_time: Duration,
    /// CPU time of each process (`RLIMIT_CPU`).
    pub cpu_time: Duration,
    /// Memory of the whole tree (a cgroup), or the address space of each process when no
    /// memory cgroup can be made.
    pub memory_bytes: u64,
    /// Processes and threads alive at once in the whole tree.
    pub max_processes: u64,
    /// Largest file any process may write (`RLIMIT_FSIZE`).
    pub max_file_bytes: u64,
    /// Whether the command may use the network. Tests run without it; installing packages
    /// needs it.
    pub network: bool,
}

impl Default for Limits {
    /// Ten minutes of wall time and of CPU per process, 4 GiB of memory, 512 processes,
    /// 1 GiB per file, no network.
    fn default() -> Self {
        Self {
            wall_time: Duration::from_secs(600),
            cpu_time: Duration::from_secs(600),
            memory_bytes: 4 << 30,
            max_processes: 512,
            max_file_bytes: 1 << 30,
            network: false,
        }
    }
}
