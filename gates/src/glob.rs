//! Path patterns that say which files are tests, in the glob syntax people already write in
//! `.gitignore`-like settings: `*` and `?` within one path segment, `**` for any number of
//! whole segments (including none).

/// Whether `path` (relative, `/`-separated) matches `pattern`.
pub(crate) fn matches(pattern: &str, path: &str) -> bool {
    let pattern: Vec<&str> = pattern.split('/').filter(|s| !s.is_empty()).collect();
    let path: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    segments_match(&pattern, &path)
}

fn segments_match(pattern: &[&str], path: &[&str]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((&"**", rest)) => (0..=path.len()).any(|skip| segments_match(rest, &path[skip..])),
        Some((first, rest)) => match path.split_first() {
            Some((segment, path_rest)) => {
                segment_matches(first.as_bytes(), segment.as_bytes())
                    && segments_match(rest, path_rest)
            }
            None => false,
        },
    }
}

/// `*` and `?` within one segment; matched on bytes, so `?` is one byte of a UTF-8 name.
fn segment_matches(pattern: &[u8], name: &[u8]) -> bool {
    match pattern.split_first() {
        None => name.is_empty(),
        Some((b'*', rest)) => (0..=name.len()).any(|skip| segment_matches(rest, &name[skip..])),
        Some((b'?', rest)) => !name.is_empty() && segment_matches(rest, &name[1..]),
        Some((c, rest)) => name.first() == Some(c) && segment_matches(rest, &name[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn globs_match_like_gitignore() {
        let check = |pattern: &str, path: &str, expected: bool| {
            assert_eq!(matches(pattern, path), expected, "{pattern} ~ {path}");
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
    }
}
