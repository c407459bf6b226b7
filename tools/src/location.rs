//! Tools name files in their own ways (absolute, `./`-prefixed, relative to a workspace root);
//! findings name them relative to the repository with `/` separators, and quote their lines as
//! evidence.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A repository root, for turning the paths tools print into repository-relative ones.
#[derive(Debug)]
pub(crate) struct Repo {
    root: PathBuf,
    canonical: Option<PathBuf>,
    sources: HashMap<String, Option<Vec<String>>>,
}

impl Repo {
    pub fn new(root: &Path) -> Self {
        Self {
            root: root.to_owned(),
            canonical: root.canonicalize().ok(),
            sources: HashMap::new(),
        }
    }

    /// `path` relative to the root (`./` and the root itself stripped), or as given when it is
    /// outside the repository.
    pub fn relative(&self, path: &str) -> String {
        let p = Path::new(path);
        let inside = [Some(&self.root), self.canonical.as_ref()]
            .into_iter()
            .flatten()
            .find_map(|root| p.strip_prefix(root).ok());
        let rel = inside.unwrap_or(p);
        let text = rel
            .components()
            .filter(|c| !matches!(c, std::path::Component::CurDir))
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        if p.is_absolute() && inside.is_none() {
            path.to_owned()
        } else {
            text
        }
    }

    /// Whether a path that [`Repo::relative`] returned lies inside the repository.
    pub fn contains(&self, relative: &str) -> bool {
        !Path::new(relative).is_absolute() && !relative.starts_with("../")
    }

    /// Lines `first..=last` (1-based) of a repository file, trimmed at the end, for evidence.
    pub fn lines(&mut self, relative: &str, first: u32, last: u32) -> Option<String> {
        let root = &self.root;
        let lines = self
            .sources
            .entry(relative.to_owned())
            .or_insert_with(|| {
                let bytes = std::fs::read(root.join(relative)).ok()?;
                Some(
                    String::from_utf8_lossy(&bytes)
                        .lines()
                        .map(str::to_owned)
                        .collect(),
                )
            })
            .as_ref()?;
        let first = usize::try_from(first).ok()?.checked_sub(1)?;
        // Evidence is a glance, not a listing: a long span is cut to its first lines.
        let last = usize::try_from(last).ok()?.min(first + 5);
        let picked = lines.get(first..last.min(lines.len()))?;
        let text = picked.join("\n");
        let text = text.trim_end();
        (!text.trim().is_empty()).then(|| text.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::Repo;
    use std::path::Path;

    fn check(root: &str, printed: &str, expected: &str) {
        assert_eq!(Repo::new(Path::new(root)).relative(printed), expected);
    }

    #[test]
    fn tool_paths_become_repository_relative() {
        check(
            "/nonexistent/repo",
            "/nonexistent/repo/pkg/a.py",
            "pkg/a.py",
        );
        check("/nonexistent/repo", "./pkg/a.py", "pkg/a.py");
        check("/nonexistent/repo", "pkg/a.py", "pkg/a.py");
        check("/nonexistent/repo", "/elsewhere/b.py", "/elsewhere/b.py");
    }
}
