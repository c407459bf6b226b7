//! Reads pip requirements files into plain requirement strings: includes (`-r`) followed
//! relative to the including file, editable and local-path entries (the project itself,
//! which tdev puts on `sys.path` instead) and pip options left out.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The requirements of `file` and the files it includes, in order, without duplicates;
/// `read` records every file read (for the environment's fingerprint).
pub(crate) fn read_file(file: &Path, read: &mut BTreeSet<PathBuf>, out: &mut Vec<String>) {
    if !read.insert(file.to_path_buf()) {
        return;
    }
    let Ok(text) = std::fs::read_to_string(file) else {
        return;
    };
    let base = file.parent().unwrap_or(Path::new("."));
    for line in text.lines() {
        let line = line.split(" #").next().unwrap_or("").trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let include = ["-r ", "--requirement ", "--requirement=", "-r"]
            .iter()
            .find_map(|flag| line.strip_prefix(flag));
        if let Some(path) = include {
            read_file(&base.join(path.trim()), read, out);
            continue;
        }
        push(line, out);
    }
}

/// Adds one requirement line unless it is an option, a local path or already there.
pub(crate) fn push(line: &str, out: &mut Vec<String>) {
    let line = line.trim().trim_end_matches(',').trim().trim_matches('"');
    let local = line.starts_with('.') || line.starts_with('/') || line.starts_with("file:");
    if line.is_empty() || line.starts_with('-') || line.starts_with('{') || local {
        return;
    }
    if !out.iter().any(|known| known == line) {
        out.push(line.to_owned());
    }
}

/// The distribution name a requirement names, normalised as pip compares them
/// (`Foo_Bar[x]>=1` → `foo-bar`).
pub(crate) fn name(requirement: &str) -> String {
    let end = requirement
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
        .unwrap_or(requirement.len());
    normalise(&requirement[..end])
}

/// PEP 503 normalisation of a distribution name.
pub(crate) fn normalise(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_normalised() {
        let check = |input, expected| assert_eq!(name(input), expected);
        check("Foo_Bar[x]>=1", "foo-bar");
        check("pytest", "pytest");
        check("zope.interface ; python_version>'3'", "zope-interface");
    }

    #[test]
    fn includes_are_followed_and_local_entries_left_out() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("req")).unwrap();
        std::fs::write(dir.path().join("req/base.txt"), "six==1.16.0\n# note\n").unwrap();
        std::fs::write(
            dir.path().join("req/test.txt"),
            "-r base.txt\n-e .\npytest>=7  # runner\n--index-url x\n./vendored\nsix==1.16.0\n",
        )
        .unwrap();
        let (mut read, mut out) = (BTreeSet::new(), Vec::new());
        read_file(&dir.path().join("req/test.txt"), &mut read, &mut out);
        assert_eq!(out, ["six==1.16.0", "pytest>=7"]);
        assert_eq!(read.len(), 2);
    }
}
