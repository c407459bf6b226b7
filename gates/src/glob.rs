//! Path patterns that say which files are tests, in the glob syntax people already write in
//! `.gitignore`-like settings: `*` and `?` within one path segment, `**` for any number of
//! whole segments (including none), `[abc]` classes and `{a,b}` alternatives. Matching is
//! globset's (the ripgrep project's, no IO); the patterns are compiled once, when the policy
//! is read, since every file of a scan and of a change is matched against them.

use crate::{Error, Result};
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A list of path patterns, compiled. Patterns are anchored at the repository root (a
/// leading `/` changes nothing); paths are relative, with `/` separators.
#[derive(Clone, Debug)]
pub struct Globs {
    patterns: Vec<String>,
    set: GlobSet,
}

impl Globs {
    /// Compiles `patterns`; an invalid one (an unclosed `[` or `{`) is an error naming it.
    pub fn new<S: Into<String>>(patterns: impl IntoIterator<Item = S>) -> Result<Globs> {
        let patterns: Vec<String> = patterns.into_iter().map(Into::into).collect();
        let mut set = GlobSetBuilder::new();
        for pattern in &patterns {
            let glob = GlobBuilder::new(pattern.trim_start_matches('/'))
                .literal_separator(true)
                .build()
                .map_err(|e| {
                    Error::Policy(format!("`{pattern}` is not a valid glob: {}", e.kind()))
                })?;
            set.add(glob);
        }
        let set = set
            .build()
            .map_err(|e| Error::Policy(format!("the globs cannot be compiled: {e}")))?;
        Ok(Globs { patterns, set })
    }

    /// The patterns as written.
    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }

    /// Whether `path` (relative, `/`-separated) matches any of the patterns.
    pub fn matches(&self, path: &str) -> bool {
        self.set.is_match(path)
    }
}

impl PartialEq for Globs {
    fn eq(&self, other: &Self) -> bool {
        self.patterns == other.patterns
    }
}

impl Serialize for Globs {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        self.patterns.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Globs {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let patterns = Vec::<String>::deserialize(deserializer)?;
        Globs::new(patterns).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::Globs;

    #[test]
    fn globs_match_like_gitignore() {
        let check = |pattern: &str, path: &str, expected: bool| {
            let globs = Globs::new([pattern]).unwrap();
            assert_eq!(globs.matches(path), expected, "{pattern} ~ {path}");
        };
        check("**/tests/**", "tests/test_a.py", true);
        check("**/tests/**", "pkg/tests/data/x.json", true);
        check("**/tests/**", "src/tests.py", false);
        check("**/test_*.py", "test_a.py", true);
        check("**/test_*.py", "pkg/sub/test_a.py", true);
        check("**/test_*.py", "pkg/test_a.pyc", false);
        check("**/*_test.py", "a/b_test.py", true);
        check("**/conftest.py", "conftest.py", true);
        check("src/?.rs", "src/a.rs", true);
        check("src/?.rs", "src/ab.rs", false);
        check("src/*.rs", "src/a/b.rs", false);
        check("/spec/**", "spec/a_spec.rb", true);
        check("**/{test,spec}s/**", "a/specs/b.py", true);
    }

    #[test]
    fn an_invalid_glob_is_named() {
        let error = Globs::new(["tests/[ab"]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "`tests/[ab` is not a valid glob: unclosed character class; missing ']'"
        );
    }
}
