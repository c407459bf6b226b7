//! The names tdev gives things it records: repositories (`tdev_worktree`'s rules, which the
//! actors use for the cache's directories too) and cycles.

use tdev_core::Timestamp;
pub use tdev_worktree::{repo_key, repository_name};

/// `<repo>-<UTC time>-<n>`: unique, sortable, and short enough for branch names.
pub fn cycle_id(repository: &str, n: u32) -> String {
    let now = Timestamp::now().to_string();
    let compact: String = now.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    format!("{repository}-{compact}-{n}")
}
