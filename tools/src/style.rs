//! How long a repository lets its lines be, as its own configuration says, so that a change
//! tdev proposes keeps to it.
//!
//! Python: ruff's `line-length` (`[tool.ruff]` in `pyproject.toml`, or `ruff.toml` /
//! `.ruff.toml`), Black's (`[tool.black]`), flake8's `max-line-length` (`[flake8]` in
//! `setup.cfg`, `tox.ini` or `.flake8`), pycodestyle's (`[pycodestyle]` or `[pep8]`), then
//! EditorConfig's `max_line_length` for Python files, in that order. A ruff or Black table
//! without a length means their default, 88; a flake8 or pycodestyle section without one means
//! theirs, 79. Rust: rustfmt's `max_width` (`rustfmt.toml` or `.rustfmt.toml`), else its
//! default, 100. Where nothing is configured the file's own longest line is the limit (see
//! [`longest_line`]): the code is plainly written to some width, and a change should not
//! exceed it.
//!
//! Widths count characters, as pycodestyle does, with a tab counting one.
//!
//! ```
//! use tdev_tools::style::{configured_for_python, width};
//!
//! let limit = configured_for_python(&[("setup.cfg", "[flake8]\nmax-line-length = 99\n")]);
//! assert_eq!(limit.map(|l| l.columns), Some(99));
//! assert_eq!(width("    return x  # é"), 17);
//! ```

use std::fmt;
use std::path::Path;

/// The longest a line may be, and where that comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineLimit {
    /// Columns (characters).
    pub columns: u32,
    /// Where the limit comes from, in words: `pyproject.toml [tool.black] line-length`.
    pub source: String,
}

impl fmt::Display for LineLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} columns ({})", self.columns, self.source)
    }
}

/// Configuration files a Python project's line length can be set in, in the order they are
/// consulted.
const PYTHON_FILES: [&str; 7] = [
    "pyproject.toml",
    "ruff.toml",
    ".ruff.toml",
    "setup.cfg",
    "tox.ini",
    ".flake8",
    ".editorconfig",
];

/// Ruff's and Black's default line length.
const BLACK_DEFAULT: u32 = 88;
/// flake8's and pycodestyle's default.
const PYCODESTYLE_DEFAULT: u32 = 79;
/// rustfmt's default `max_width`.
const RUSTFMT_DEFAULT: u32 = 100;

/// The line limits a repository configures, read once for all of its files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Configured {
    python: Option<LineLimit>,
    rust: LineLimit,
}

impl Configured {
    /// Reads the configuration files of the repository at `repo`.
    pub fn read(repo: &Path) -> Configured {
        let read =
            |name: &'static str| Some((name, std::fs::read_to_string(repo.join(name)).ok()?));
        let texts: Vec<(&str, String)> = PYTHON_FILES.iter().filter_map(|n| read(n)).collect();
        let texts: Vec<(&str, &str)> = texts.iter().map(|(n, t)| (*n, t.as_str())).collect();
        let rustfmt = ["rustfmt.toml", ".rustfmt.toml"].into_iter().find_map(read);
        Configured {
            python: configured_for_python(&texts),
            rust: configured_for_rust(rustfmt.as_ref().map(|(n, t)| (*n, t.as_str()))),
        }
    }

    /// The limit of the file `path`; `None` for a file of another language, or a Python file
    /// of a repository that configures no limit (then [`longest_line`] of the file is what it
    /// keeps to).
    pub fn for_path(&self, path: &str) -> Option<&LineLimit> {
        if is_python(path) {
            self.python.as_ref()
        } else if path.ends_with(".rs") {
            Some(&self.rust)
        } else {
            None
        }
    }
}

/// The line limit of the file `path` (relative to `repo`) as the repository configures it
/// (see [`Configured::for_path`]); to ask for several files, read [`Configured`] once.
pub fn configured(repo: &Path, path: &str) -> Option<LineLimit> {
    Configured::read(repo).for_path(path).cloned()
}

/// Whether `path` is a Python source or stub file.
pub fn is_python(path: &str) -> bool {
    path.ends_with(".py") || path.ends_with(".pyi")
}

/// The Python line limit the given configuration files (name and text) set.
pub fn configured_for_python(files: &[(&str, &str)]) -> Option<LineLimit> {
    let text = |name: &str| files.iter().find(|(n, _)| *n == name).map(|(_, t)| *t);
    let limit = |columns: u32, file: &str, key: &str| LineLimit {
        columns,
        source: format!("{file} {key}"),
    };
    if let Some(pyproject) = text("pyproject.toml").and_then(|t| t.parse::<toml::Table>().ok()) {
        let tool = pyproject.get("tool").and_then(toml::Value::as_table);
        for name in ["ruff", "black"] {
            if let Some(table) = tool
                .and_then(|t| t.get(name))
                .and_then(toml::Value::as_table)
            {
                let columns = length_in(table, "line-length").unwrap_or(BLACK_DEFAULT);
                return Some(limit(
                    columns,
                    "pyproject.toml",
                    &format!("[tool.{name}] line-length"),
                ));
            }
        }
    }
    for file in ["ruff.toml", ".ruff.toml"] {
        if let Some(table) = text(file).and_then(|t| t.parse::<toml::Table>().ok()) {
            let columns = length_in(&table, "line-length").unwrap_or(BLACK_DEFAULT);
            return Some(limit(columns, file, "line-length"));
        }
    }
    for section in ["flake8", "pycodestyle", "pep8"] {
        for file in ["setup.cfg", "tox.ini", ".flake8"] {
            let Some(text) = text(file) else { continue };
            let Some(entries) = ini_section(text, section) else {
                continue;
            };
            let columns = ini_value(&entries, "max-line-length")
                .and_then(|v| v.parse().ok())
                .unwrap_or(PYCODESTYLE_DEFAULT);
            return Some(limit(
                columns,
                file,
                &format!("[{section}] max-line-length"),
            ));
        }
    }
    let editorconfig = text(".editorconfig")?;
    editorconfig_python_limit(editorconfig)
        .map(|columns| limit(columns, ".editorconfig", "max_line_length"))
}

/// The Rust line limit: `max_width` of the rustfmt configuration given (name and text), else
/// rustfmt's default.
pub fn configured_for_rust(rustfmt: Option<(&str, &str)>) -> LineLimit {
    rustfmt
        .and_then(|(name, text)| {
            let table = text.parse::<toml::Table>().ok()?;
            Some(LineLimit {
                columns: length_in(&table, "max_width")?,
                source: format!("{name} max_width"),
            })
        })
        .unwrap_or_else(|| LineLimit {
            columns: RUSTFMT_DEFAULT,
            source: "rustfmt's default max_width".into(),
        })
}

/// The limit where none is configured: the longest of `lines` (the file before the change).
pub fn longest_line<'a>(lines: impl IntoIterator<Item = &'a str>) -> LineLimit {
    LineLimit {
        columns: lines.into_iter().map(width).max().unwrap_or(0),
        source: "the file's longest line; no limit is configured".into(),
    }
}

/// The width of a line in columns (characters; a tab is one).
pub fn width(line: &str) -> u32 {
    u32::try_from(line.trim_end_matches(['\r', '\n']).chars().count()).unwrap_or(u32::MAX)
}

fn length_in(table: &toml::Table, key: &str) -> Option<u32> {
    table
        .get(key)
        .and_then(toml::Value::as_integer)
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| *n > 0)
}

/// The `key = value` (or `key: value`) entries of `[section]` in an INI file, keys lowered
/// with `_` read as `-`; `None` when the section is absent. Comments (`#`, `;`) at the start
/// of a line are skipped; continuation lines are not needed for the keys read here.
fn ini_section(text: &str, section: &str) -> Option<Vec<(String, String)>> {
    let mut entries = None;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            if entries.is_some() {
                break;
            }
            if name.trim().eq_ignore_ascii_case(section) {
                entries = Some(Vec::new());
            }
            continue;
        }
        if let Some(entries) = entries.as_mut()
            && let Some((key, value)) = line.split_once(['=', ':'])
        {
            let key = key.trim().to_ascii_lowercase().replace('_', "-");
            // An inline comment after the value (`99  # as black`).
            let value = value.split(" #").next().unwrap_or_default().trim();
            entries.push((key, value.to_owned()));
        }
    }
    entries
}

fn ini_value<'a>(entries: &'a [(String, String)], key: &str) -> Option<&'a str> {
    entries
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// EditorConfig's `max_line_length` for Python files: the last section whose glob matches
/// `x.py` (`*`, `*.py`, `*.{py,pyi}`, `**.py`) and sets it; `off` means no limit.
fn editorconfig_python_limit(text: &str) -> Option<u32> {
    let mut limit = None;
    let mut applies = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(glob) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            applies = matches_python(glob.trim());
            continue;
        }
        if applies
            && let Some((key, value)) = line.split_once('=')
            && key.trim().eq_ignore_ascii_case("max_line_length")
        {
            let value = value.trim();
            limit = if value.eq_ignore_ascii_case("off") {
                None
            } else {
                value.parse().ok().or(limit)
            };
        }
    }
    limit
}

fn matches_python(glob: &str) -> bool {
    let glob = glob.trim_start_matches("**/").trim_start_matches('*');
    if glob.is_empty() || glob == "*" {
        return true;
    }
    let Some(extension) = glob.strip_prefix('.') else {
        return false;
    };
    match extension
        .strip_prefix('{')
        .and_then(|e| e.strip_suffix('}'))
    {
        Some(list) => list.split(',').any(|e| e.trim() == "py"),
        None => extension == "py",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Configuration files (name, text) and the limit they set (columns, source).
    type Case = (
        &'static [(&'static str, &'static str)],
        Option<(u32, &'static str)>,
    );

    /// Each way a Python project sets its length, and which wins when several do.
    #[test]
    fn python_limits() {
        let cases: &[Case] = &[
            (&[], None),
            (
                &[("pyproject.toml", "[tool.ruff]\nline-length = 100\n")],
                Some((100, "pyproject.toml [tool.ruff] line-length")),
            ),
            (
                &[(
                    "pyproject.toml",
                    "[tool.black]\ntarget-version = ['py38']\n",
                )],
                Some((88, "pyproject.toml [tool.black] line-length")),
            ),
            (&[("pyproject.toml", "[project]\nname = 'x'\n")], None),
            (
                &[("ruff.toml", "line-length = 120\n")],
                Some((120, "ruff.toml line-length")),
            ),
            (
                &[(
                    "setup.cfg",
                    "[metadata]\nname = x\n[flake8]\nexclude = docs\nmax_line_length: 99  # like black\n",
                )],
                Some((99, "setup.cfg [flake8] max-line-length")),
            ),
            (
                &[("tox.ini", "[pycodestyle]\nignore = E203\n")],
                Some((79, "tox.ini [pycodestyle] max-line-length")),
            ),
            (
                &[(".flake8", "[flake8]\nmax-line-length = 110\n")],
                Some((110, ".flake8 [flake8] max-line-length")),
            ),
            (
                &[(
                    ".editorconfig",
                    "root = true\n[*]\nindent_style = space\n[*.{py,pyi}]\nmax_line_length = 95\n[*.md]\nmax_line_length = off\n",
                )],
                Some((95, ".editorconfig max_line_length")),
            ),
            (
                &[(".editorconfig", "[*.js]\nmax_line_length = 120\n")],
                None,
            ),
            // ruff's setting wins over flake8's: ruff is what formats and checks the code.
            (
                &[
                    ("pyproject.toml", "[tool.ruff]\nline-length = 100\n"),
                    ("setup.cfg", "[flake8]\nmax-line-length = 79\n"),
                ],
                Some((100, "pyproject.toml [tool.ruff] line-length")),
            ),
            // A broken pyproject.toml is read as no configuration there.
            (
                &[
                    ("pyproject.toml", "[tool.ruff\nline-length = 100\n"),
                    ("setup.cfg", "[flake8]\nmax-line-length = 90\n"),
                ],
                Some((90, "setup.cfg [flake8] max-line-length")),
            ),
        ];
        for (files, expected) in cases {
            let got = configured_for_python(files).map(|l| (l.columns, l.source));
            let expected = expected.map(|(c, s)| (c, s.to_owned()));
            assert_eq!(got, expected, "{files:?}");
        }
    }

    #[test]
    fn rust_limits() {
        assert_eq!(configured_for_rust(None).columns, 100);
        let limit = configured_for_rust(Some(("rustfmt.toml", "max_width = 120\n")));
        assert_eq!(limit.to_string(), "120 columns (rustfmt.toml max_width)");
        assert_eq!(
            configured_for_rust(Some((".rustfmt.toml", "edition = \"2021\"\n"))).columns,
            100
        );
    }

    #[test]
    fn widths_count_characters() {
        assert_eq!(width(""), 0);
        assert_eq!(width("\tx = 1\r\n"), 6);
        assert_eq!(width("s = 'naïve'"), 11);
        assert_eq!(longest_line(["a", "abcd", "ab"]).columns, 4);
    }

    #[test]
    fn the_files_of_a_repository_are_read() {
        let repo = tempfile::tempdir().unwrap();
        std::fs::write(
            repo.path().join("tox.ini"),
            "[flake8]\nmax-line-length=99\n",
        )
        .unwrap();
        assert_eq!(
            configured(repo.path(), "pkg/mod.py").map(|l| l.columns),
            Some(99)
        );
        assert_eq!(
            configured(repo.path(), "src/lib.rs").map(|l| l.columns),
            Some(100)
        );
        assert_eq!(configured(repo.path(), "README.md"), None);
    }
}
