//! Turning measurements into findings: which numbers are worth a maintainer's attention, how
//! serious each is, and how it is identified from one scan to the next.
//!
//! Thresholds follow the ranks people know from radon: functions of complexity 11 and more
//! (rank C and worse), modules of maintainability index under 20 (rank B and worse).
//! Missing docstrings (Python) and documentation (Rust) are grouped per file, one finding
//! listing the public items, because the fix (documenting a module) is one piece of work. Hotspots are files that changed in many
//! of the commits read and are complex. Duplicated blocks are findings on the copy, naming
//! the original.

use crate::test_files::TestFiles;
use crate::{FileReport, FunctionReport, Language, priority, round};
use std::collections::{BTreeMap, HashMap};
use tdev_core::{Finding, Severity, Span};
use tdev_targets::duplication::Block;

/// Functions with at least this cyclomatic complexity are findings (radon's rank C).
pub const COMPLEXITY_THRESHOLD: u32 = 11;

/// Modules with a maintainability index below this are findings (radon's rank B and C).
pub const MAINTAINABILITY_THRESHOLD: f64 = 20.0;

/// Files with a hotspot score at least this high are findings.
const HOTSPOT_THRESHOLD: f64 = 0.5;

/// At most this many undocumented names are listed in a docstring finding's evidence.
const LISTED_NAMES: usize = 8;

/// radon's rank of a cyclomatic complexity: A (1-5) to F (41 and more).
pub fn complexity_rank(complexity: u32) -> char {
    match complexity {
        0..=5 => 'A',
        6..=10 => 'B',
        11..=20 => 'C',
        21..=30 => 'D',
        31..=40 => 'E',
        _ => 'F',
    }
}

/// radon's rank of a maintainability index: A (20-100), B (10-19), C (0-9).
pub fn maintainability_rank(index: f64) -> char {
    if index >= 20.0 {
        'A'
    } else if index >= 10.0 {
        'B'
    } else {
        'C'
    }
}

/// The findings of a scan's files and of the duplicated blocks among them (whose `file`
/// indexes are positions in `files`), ranked: the product's first, then `tests`', each
/// highest priority first.
pub(crate) fn findings(files: &[FileReport], blocks: &[Block], tests: &TestFiles) -> Vec<Finding> {
    let mut out = Vec::new();
    for file in files {
        for function in &file.functions {
            out.extend(complexity(file, function));
        }
        out.extend(maintainability(file));
        out.extend(docstrings(file));
        out.extend(hotspot(file));
    }
    // Tests spell out similar cases one by one on purpose, so copies in test files (as the
    // gate knows them) are measured but not findings, as SonarQube leaves tests out.
    out.extend(
        blocks
            .iter()
            .filter(|block| !tests.contains(&files[block.copy.file].path))
            .map(|block| duplicated_block(files, block)),
    );
    unique_ids(&mut out);
    crate::priority::rank(&mut out, tests);
    out
}

fn complexity(file: &FileReport, function: &FunctionReport) -> Option<Finding> {
    // A class's figure is radon's mean over its methods; the methods are judged themselves.
    if function.kind == "class" || function.complexity < COMPLEXITY_THRESHOLD {
        return None;
    }
    let rank = complexity_rank(function.complexity);
    let severity = match rank {
        'C' => Severity::Low,
        'D' => Severity::Medium,
        _ => Severity::High,
    };
    let mut metrics = BTreeMap::from([("complexity".to_owned(), f64::from(function.complexity))]);
    if let Some(hotspot) = function.hotspot {
        metrics.insert("commits".to_owned(), f64::from(function.commits));
        metrics.insert("hotspot".to_owned(), hotspot);
    }
    Some(finding(
        "complexity",
        file,
        Some(Span {
            line: function.line,
            column: 1,
            end_line: function.end_line,
            end_column: 1,
        }),
        Some(&function.name),
        severity,
        format!(
            "{} `{}` has cyclomatic complexity {} (rank {rank}); split it into smaller functions",
            function.kind, function.name, function.complexity
        ),
        None,
        metrics,
        function.hotspot,
    ))
}

fn maintainability(file: &FileReport) -> Option<Finding> {
    // radon's ranks are calibrated on Python's logical lines; Rust's index is reported but
    // not judged.
    if file.language != Language::Python {
        return None;
    }
    let index = file.maintainability_index?;
    if index >= MAINTAINABILITY_THRESHOLD {
        return None;
    }
    let rank = maintainability_rank(index);
    let severity = if rank == 'C' {
        Severity::Medium
    } else {
        Severity::Low
    };
    Some(finding(
        "maintainability",
        file,
        None,
        None,
        severity,
        format!(
            "module has maintainability index {index:.1} (rank {rank}); its size and \
             complexity make it hard to change"
        ),
        None,
        BTreeMap::from([
            ("maintainability_index".to_owned(), index),
            ("sloc".to_owned(), f64::from(file.sloc)),
            ("complexity".to_owned(), f64::from(file.complexity)),
        ]),
        file.hotspot,
    ))
}

fn docstrings(file: &FileReport) -> Option<Finding> {
    let (first_name, first_line) = file.undocumented.first()?;
    let missing = file.undocumented.len();
    let coverage = if file.documentable == 0 {
        1.0
    } else {
        f64::from(file.documented) / f64::from(file.documentable)
    };
    let severity = if coverage < 0.5 {
        Severity::Low
    } else {
        Severity::Info
    };
    let mut names: Vec<&str> = file
        .undocumented
        .iter()
        .take(LISTED_NAMES)
        .map(|(name, _)| name.as_str())
        .collect();
    if missing > LISTED_NAMES {
        names.push("...");
    }
    let noun = if missing == 1 {
        "item lacks"
    } else {
        "items lack"
    };
    let (kind, what) = match file.language {
        Language::Python => ("docstring", "a docstring"),
        Language::Rust => ("missing-docs", "documentation"),
    };
    Some(finding(
        kind,
        file,
        Some(Span::line(*first_line)),
        (missing == 1).then_some(first_name.as_str()),
        severity,
        format!(
            "{missing} public {noun} {what} (coverage {:.0}%)",
            coverage * 100.0
        ),
        Some(names.join(", ")),
        BTreeMap::from([
            ("missing".to_owned(), missing as f64),
            ("documentable".to_owned(), f64::from(file.documentable)),
            ("coverage".to_owned(), round(coverage * 100.0, 1)),
        ]),
        file.hotspot,
    ))
}

fn hotspot(file: &FileReport) -> Option<Finding> {
    let score = file.hotspot.filter(|&s| s >= HOTSPOT_THRESHOLD)?;
    let severity = if score >= 0.75 {
        Severity::Medium
    } else {
        Severity::Low
    };
    Some(finding(
        "hotspot",
        file,
        None,
        None,
        severity,
        format!(
            "changed in {} commits with total complexity {}: a hotspot (score {score:.2})",
            file.churn.commits, file.complexity
        ),
        None,
        BTreeMap::from([
            ("hotspot".to_owned(), score),
            ("commits".to_owned(), f64::from(file.churn.commits)),
            ("complexity".to_owned(), f64::from(file.complexity)),
        ]),
        Some(score),
    ))
}

/// A finding on the copy of a duplicated block, naming its original: the copy is where the
/// code could call the original instead.
fn duplicated_block(files: &[FileReport], block: &Block) -> Finding {
    let (copy, original) = (&files[block.copy.file], &files[block.original.file]);
    let (line, end_line) = (block.copy.line, block.copy.end_line);
    let place = format!(
        "{}:{}-{}",
        original.path, block.original.line, block.original.end_line
    );
    let (from, to) = (block.original.line, block.original.end_line);
    let other = if original.path == copy.path {
        format!("lines {from}-{to} of this file")
    } else {
        format!("{}:{from}-{to}", original.path)
    };
    let mut found = finding(
        "duplicated-block",
        copy,
        Some(Span {
            line,
            column: 1,
            end_line,
            end_column: 1,
        }),
        None,
        Severity::Low,
        format!(
            "lines {line}-{end_line} repeat {other} ({} tokens); reuse that code instead of \
             keeping two copies",
            block.tokens
        ),
        Some(format!("duplicates {place}")),
        BTreeMap::from([
            ("tokens".to_owned(), block.tokens as f64),
            ("lines".to_owned(), block.lines as f64),
            (
                "duplicated_lines".to_owned(),
                f64::from(end_line - line + 1),
            ),
        ]),
        copy.hotspot,
    );
    // The id follows the pair of files, not the lines, which move.
    found.id = stable_id("duplicated-block", &copy.path, &original.path);
    found
}

#[expect(clippy::too_many_arguments, reason = "a finding has this many parts")]
fn finding(
    kind: &str,
    file: &FileReport,
    span: Option<Span>,
    symbol: Option<&str>,
    severity: Severity,
    message: String,
    evidence: Option<String>,
    metrics: BTreeMap<String, f64>,
    hotspot: Option<f64>,
) -> Finding {
    Finding {
        id: stable_id(kind, &file.path, symbol.unwrap_or_default()),
        kind: kind.to_owned(),
        severity,
        path: file.path.clone(),
        span,
        symbol: symbol.map(str::to_owned),
        message,
        evidence,
        metrics,
        fix: None,
        priority: priority(severity, hotspot, None),
    }
}

/// An id from what identifies a finding across scans (not its line, which moves), so that
/// the knowledge graph can follow one problem from cycle to cycle.
pub(crate) fn stable_id(kind: &str, path: &str, symbol: &str) -> String {
    let hash = tdev_core::stable_hash([kind, path, symbol].join("\0").as_bytes());
    format!("{kind}-{:012x}", hash >> 16)
}

/// Two findings of one kind on two definitions of the same name in a file (a property's
/// getter and setter) would share an id; the later ones get `-2`, `-3`...
pub(crate) fn unique_ids(findings: &mut [Finding]) {
    let mut seen: HashMap<String, u32> = HashMap::new();
    for finding in findings {
        let count = seen.entry(finding.id.clone()).or_insert(0);
        *count += 1;
        if *count > 1 {
            finding.id = format!("{}-{count}", finding.id);
        }
    }
}
