//! The names a repository goes by in tdev: a short name for the knowledge graph and branch
//! ids, and a key for its directories in the cache (worktrees, mirrors, build directories),
//! which must differ between two checkouts that share a name.

use std::path::Path;

/// The repository's directory name, reduced to what ids allow.
pub fn repository_name(repo: &Path) -> String {
    let name: String = repo
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "repo".into())
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    // A leading dot or dash would make ids look like options or hidden files.
    let name = name.trim_start_matches(['.', '-']).to_owned();
    if name.is_empty() { "repo".into() } else { name }
}

/// The key of a repository's directories in the cache: its name and a hash of its path, so
/// two checkouts with one name do not share worktrees or builds. Stable across runs and
/// versions ([`tdev_core::stable_hash`], its top 32 bits), since the directories outlive the
/// process.
pub fn repo_key(repo: &Path) -> String {
    let hash = tdev_core::stable_hash(repo.display().to_string().as_bytes());
    format!("{}-{:08x}", repository_name(repo), hash >> 32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_what_ids_allow() {
        assert_eq!(repository_name(Path::new("/src/my project")), "my-project");
        assert_eq!(repository_name(Path::new("/src/.hidden")), "hidden");
        assert_eq!(repository_name(Path::new("/")), "repo");
    }

    #[test]
    fn two_checkouts_with_one_name_get_two_keys() {
        let a = repo_key(Path::new("/a/toolz"));
        let b = repo_key(Path::new("/b/toolz"));
        assert!(a.starts_with("toolz-") && b.starts_with("toolz-"));
        assert_ne!(a, b);
        assert_eq!(a, repo_key(Path::new("/a/toolz")));
    }
}
