//! The research phase: scan a repository into per-file and per-function metrics, churn
//! hotspots from its git history, and findings ranked by priority, the product's before its
//! tests'.
//!
//! A scan walks the repository (honouring its ignore files), reads each Python and Rust
//! source file once, measures it with the native analyses of `tdev-targets` on all cores,
//! reads the git history once for churn, finds the code duplicated across files on the tokens
//! of the same parses, and turns what it measured into [`Finding`]s. Which files are tests,
//! the caller says ([`ScanOptions::test_patterns`], the gate's patterns). Files that cannot be
//! measured (too large, generated, binary, not UTF-8, not parsable, links that loop or lead
//! out of the repository) are reported in [`Scan::skipped`] with the reason; the scan always
//! completes.
//!
//! ```
//! use tdev_research::{ScanOptions, scan};
//!
//! let repo = tempfile::tempdir()?;
//! std::fs::write(repo.path().join("app.py"), "def f(x):\n    return x\n")?;
//! let report = scan(repo.path(), &ScanOptions::default(), &|_| {})?;
//! assert_eq!(report.files.len(), 1);
//! assert_eq!(report.files[0].functions[0].name, "f");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

mod churn;
mod duplication;
mod file;
mod findings;
mod priority;
mod test_files;
mod tools;
mod walk;

pub use churn::History;
pub use findings::{
    COMPLEXITY_THRESHOLD, MAINTAINABILITY_THRESHOLD, complexity_rank, maintainability_rank,
};
pub use priority::priority;
pub use tdev_targets::duplication::Options as DuplicationOptions;
pub use tools::{ToolRun, add_findings, add_formatter_findings, add_tool_findings, add_tools};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;
use tdev_core::Finding;

/// Errors of a scan: only the repository itself being unusable. Problems with single files
/// are reported in [`Scan::skipped`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The path to scan does not exist or is not a directory.
    #[error("{0} is not a directory")]
    NotADirectory(PathBuf),
    /// git was found but failed on a repository it recognised.
    #[error("git failed reading the history of {path}: {message}")]
    Git {
        /// The repository.
        path: PathBuf,
        /// What git said.
        message: String,
    },
    /// A tree-sitter grammar could not be loaded.
    #[error(transparent)]
    Analysis(#[from] tdev_targets::Error),
}

/// Result of a scan.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The languages a scan measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// `.py` and `.pyi` files.
    Python,
    /// `.rs` files.
    Rust,
}

impl Language {
    /// The language of a file, from its extension; `None` for files a scan does not measure.
    pub fn of(path: &Path) -> Option<Language> {
        match path.extension()?.to_str()? {
            "py" | "pyi" => Some(Language::Python),
            "rs" => Some(Language::Rust),
            _ => None,
        }
    }
}

/// How a scan behaves.
#[derive(Clone, Debug, PartialEq)]
pub struct ScanOptions {
    /// Files larger than this are skipped as too large to be hand-written code.
    pub max_file_bytes: u64,
    /// How many of the most recent commits churn is computed from; 0 reads no history.
    pub history_commits: usize,
    /// How long a repeated block must be to count as duplicated code.
    pub duplication: DuplicationOptions,
    /// Globs of the repository's test files (`*` and `?` within a path segment, `**` for
    /// any segments), compiled: the caller passes the gate's `[gates.test_integrity]
    /// patterns` of its configuration, so that the scan and the cycle agree on what a test
    /// is. Findings in tests are listed after the product's, copies in tests are not
    /// findings, and bandit's B101 is dropped there. The default is the gate's default.
    pub test_patterns: tdev_gates::Globs,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            max_file_bytes: 1024 * 1024,
            history_commits: 500,
            duplication: DuplicationOptions::default(),
            test_patterns: test_files::default_patterns(),
        }
    }
}

/// Where a scan is, for progress bars.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Progress {
    /// Listing the repository's files.
    Walking,
    /// Reading the git history.
    History,
    /// `done` of `total` files measured.
    Measuring {
        /// Files measured so far.
        done: usize,
        /// Files to measure.
        total: usize,
    },
}

/// Why a file was not measured.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "reason", content = "detail")]
pub enum SkipReason {
    /// Larger than [`ScanOptions::max_file_bytes`]; the size in bytes.
    TooLarge(u64),
    /// Says it was generated by a tool (the marker found in its first lines).
    Generated(String),
    /// Contains NUL bytes.
    Binary,
    /// Not valid UTF-8; the byte offset of the first invalid sequence.
    NotUtf8(usize),
    /// Has a syntax error; its 1-based line.
    DoesNotParse(usize),
    /// Could not be read; the system's words.
    Unreadable(String),
    /// A symbolic link to a place inside the repository, scanned there (the target, relative).
    Symlink(String),
    /// A symbolic link that loops (to itself or an ancestor directory).
    SymlinkLoop,
    /// A symbolic link whose target does not exist.
    BrokenSymlink,
    /// A symbolic link leading out of the repository.
    OutsideRepository,
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SkipReason::TooLarge(bytes) => write!(f, "too large ({} KiB)", bytes / 1024),
            SkipReason::Generated(marker) => write!(f, "generated (\"{marker}\")"),
            SkipReason::Binary => write!(f, "binary"),
            SkipReason::NotUtf8(offset) => write!(f, "not UTF-8 (byte {offset})"),
            SkipReason::DoesNotParse(line) => write!(f, "does not parse (line {line})"),
            SkipReason::Unreadable(error) => write!(f, "unreadable: {error}"),
            SkipReason::Symlink(target) => write!(f, "link to {target}, scanned there"),
            SkipReason::SymlinkLoop => write!(f, "symbolic link loop"),
            SkipReason::BrokenSymlink => write!(f, "broken symbolic link"),
            SkipReason::OutsideRepository => write!(f, "link leading out of the repository"),
        }
    }
}

/// A file (or link) a scan did not measure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    /// Relative to the scanned root, with `/` separators.
    pub path: String,
    /// Why.
    #[serde(flatten)]
    pub reason: SkipReason,
}

/// How often a file or function changed in the history read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Churn {
    /// Commits that changed it.
    pub commits: u32,
    /// Lines added by those commits.
    pub lines_added: u32,
    /// Lines removed by those commits.
    pub lines_removed: u32,
}

/// A function, method or class of a file with its measurements.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FunctionReport {
    /// Qualified name: `f`, `Class`, `Class.method` in Python; `f`, `Type::method` in Rust.
    pub name: String,
    /// `function`, `method` or `class` (Rust: `function` for every `fn`).
    pub kind: String,
    /// 1-based first line (of `def`/`class`, not of a decorator).
    pub line: u32,
    /// 1-based last line.
    pub end_line: u32,
    /// Cyclomatic complexity (radon's rules).
    pub complexity: u32,
    /// Commits in the history read that changed lines it has now.
    pub commits: u32,
    /// Change frequency times complexity, normalised over the repository to [0, 1]; `None`
    /// without history.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hotspot: Option<f64>,
}

/// One measured file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileReport {
    /// Relative to the scanned root, with `/` separators.
    pub path: String,
    /// Its language.
    pub language: Language,
    /// Physical lines.
    pub loc: u32,
    /// Source lines (neither blank nor only comment).
    pub sloc: u32,
    /// Comment lines.
    pub comments: u32,
    /// Blank lines.
    pub blank: u32,
    /// Total cyclomatic complexity of the module.
    pub complexity: u32,
    /// Maintainability index from 0 to 100 (radon's formula; for Rust over source lines, so
    /// not comparable with Python's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maintainability_index: Option<f64>,
    /// Items that should carry documentation (interrogate's count for Python, public items as
    /// rustc's `missing_docs` lint counts them for Rust).
    pub documentable: u32,
    /// Those that do.
    pub documented: u32,
    /// Public items without documentation: `(name, line)`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub undocumented: Vec<(String, u32)>,
    /// Its functions, methods and classes.
    pub functions: Vec<FunctionReport>,
    /// How often it changed.
    pub churn: Churn,
    /// Change frequency times complexity, normalised over the repository to [0, 1]; `None`
    /// without history.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hotspot: Option<f64>,
    /// Lines that belong to a block of code found elsewhere too (`docs/metrics.md`); a scan
    /// always sets it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicated_lines: Option<u32>,
}

/// Totals of a scan.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Files measured.
    pub files: u32,
    /// Files skipped.
    pub skipped: u32,
    /// Physical lines of the measured files.
    pub loc: u64,
    /// Source lines of the measured files.
    pub sloc: u64,
    /// Functions, methods and classes.
    pub functions: u32,
    /// Mean cyclomatic complexity of functions and methods.
    pub mean_complexity: f64,
    /// Documentation coverage in percent (documented / documentable items).
    pub documentation_coverage: f64,
    /// Lines that belong to a duplicated block.
    #[serde(default)]
    pub duplicated_lines: u64,
    /// Duplicated lines in percent of the physical lines.
    #[serde(default)]
    pub duplicated_lines_density: f64,
    /// Duplicated blocks (each copy of a block once).
    #[serde(default)]
    pub duplicated_blocks: u32,
    /// Findings.
    pub findings: u32,
    /// Those of the findings that are in test files (listed after the others).
    #[serde(default)]
    pub findings_in_tests: u32,
    /// Commits of the history read; 0 when the repository has none or was not read.
    pub commits: u32,
    /// Wall-clock time of the scan in milliseconds.
    pub duration_ms: u64,
}

/// The result of scanning one repository.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scan {
    /// The scanned directory, as given.
    pub root: PathBuf,
    /// Totals.
    pub summary: Summary,
    /// Findings: those in the product's code first, then those in its tests; each part
    /// highest priority first.
    pub findings: Vec<Finding>,
    /// Measured files, by path.
    pub files: Vec<FileReport>,
    /// Files not measured and why, by path.
    pub skipped: Vec<Skipped>,
    /// The external tools whose findings were added, or why they could not be.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<ToolRun>,
    /// The globs that told test files from the product ([`ScanOptions::test_patterns`]);
    /// findings added later are ranked by them too.
    #[serde(default = "test_files::default_patterns")]
    pub test_patterns: tdev_gates::Globs,
}

impl Scan {
    /// The repository's language as the record names it: the language of most of its
    /// measured files (Python on a tie), `Other` when none was measured.
    pub fn main_language(&self) -> tdev_core::Language {
        let python = self
            .files
            .iter()
            .filter(|f| f.language == Language::Python)
            .count();
        let rust = self.files.len() - python;
        match (python, rust) {
            (0, 0) => tdev_core::Language::Other,
            (p, r) if p >= r => tdev_core::Language::Python,
            _ => tdev_core::Language::Rust,
        }
    }
}

/// Scans the repository at `root`. `progress` is called from several threads as the scan
/// advances.
pub fn scan(
    root: &Path,
    options: &ScanOptions,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Scan> {
    let started = Instant::now();
    if !root.is_dir() {
        return Err(Error::NotADirectory(root.to_path_buf()));
    }
    progress(Progress::Walking);
    let (candidates, mut skipped) = walk::walk(root);

    progress(Progress::History);
    let history = if options.history_commits == 0 {
        History::default()
    } else {
        History::read(root, options.history_commits)?
    };

    let total = candidates.len();
    let done = AtomicUsize::new(0);
    let measured: Vec<Result<file::Outcome>> = candidates
        .par_iter()
        .map(|candidate| {
            let outcome = file::measure(candidate, options, &history);
            let done = done.fetch_add(1, Ordering::Relaxed) + 1;
            progress(Progress::Measuring { done, total });
            outcome
        })
        .collect();

    let mut files = Vec::with_capacity(total);
    let mut tokens = Vec::with_capacity(total);
    for outcome in measured {
        match outcome? {
            file::Outcome::Measured(report, file_tokens) => {
                files.push(*report);
                tokens.push(file_tokens);
            }
            file::Outcome::Skipped(skip) => skipped.push(skip),
        }
    }
    skipped.sort_by(|a, b| a.path.cmp(&b.path));
    if history.commits > 0 {
        file::normalise_hotspots(&mut files);
    }
    let blocks = duplication::measure(&mut files, &tokens, &options.duplication);
    drop(tokens);
    let tests = test_files::TestFiles::new(&options.test_patterns);
    let mut findings = findings::findings(&files, &blocks, &tests);
    let mut summary = summarise(&files, &skipped, &findings, &history, started);
    summary.duplicated_blocks = u32::try_from(blocks.len()).unwrap_or(u32::MAX);
    summary.findings_in_tests = tests.count(&findings);
    for finding in &mut findings {
        finding.redact_secrets();
    }
    Ok(Scan {
        root: root.to_path_buf(),
        summary,
        findings,
        files,
        skipped,
        tools: Vec::new(),
        test_patterns: options.test_patterns.clone(),
    })
}

fn summarise(
    files: &[FileReport],
    skipped: &[Skipped],
    findings: &[Finding],
    history: &History,
    started: Instant,
) -> Summary {
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let functions: Vec<&FunctionReport> = files
        .iter()
        .flat_map(|f| &f.functions)
        .filter(|f| f.kind != "class")
        .collect();
    let mean_complexity = if functions.is_empty() {
        0.0
    } else {
        functions
            .iter()
            .map(|f| f64::from(f.complexity))
            .sum::<f64>()
            / functions.len() as f64
    };
    let documentable: u32 = files.iter().map(|f| f.documentable).sum();
    let loc: u64 = files.iter().map(|f| u64::from(f.loc)).sum();
    let duplicated: u64 = files
        .iter()
        .filter_map(|f| f.duplicated_lines.map(u64::from))
        .sum();
    let documented: u32 = files.iter().map(|f| f.documented).sum();
    Summary {
        files: count(files.len()),
        skipped: count(skipped.len()),
        loc,
        sloc: files.iter().map(|f| u64::from(f.sloc)).sum(),
        functions: count(files.iter().map(|f| f.functions.len()).sum()),
        mean_complexity: round(mean_complexity, 2),
        documentation_coverage: if documentable == 0 {
            100.0
        } else {
            round(f64::from(documented) / f64::from(documentable) * 100.0, 1)
        },
        duplicated_lines: duplicated,
        duplicated_lines_density: if loc == 0 {
            0.0
        } else {
            round(duplicated as f64 / loc as f64 * 100.0, 1)
        },
        duplicated_blocks: 0,
        findings: count(findings.len()),
        findings_in_tests: 0,
        commits: history.commits,
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    }
}

/// `value` rounded to `digits` decimals, so reports do not show float noise.
pub(crate) fn round(value: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    (value * scale).round() / scale
}
