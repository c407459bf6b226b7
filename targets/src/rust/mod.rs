//! Rust: cyclomatic complexity of every function, raw line metrics, Halstead metrics, the
//! maintainability index and documentation coverage of public items, all from one tree-sitter
//! parse of a file. Each file restates the rules it follows in its `//!`;
//! `docs/metrics.md` explains them for users.
//!
//! ```
//! let analysis = tdev_targets::rust::analyze("/// Doc.\npub fn f(x: bool) { if x {} }\n")?;
//! assert_eq!(analysis.functions[0].complexity, 2);
//! assert!(analysis.docs[0].covered);
//! # Ok::<(), tdev_targets::Error>(())
//! ```

mod complexity;
mod docs;
mod halstead;
mod raw;
mod syntax;

pub use crate::maintainability::Halstead;
pub use complexity::Function;
pub use docs::{DocItem, DocKind};
pub use raw::RawMetrics;

use crate::{Error, Result};
use tree_sitter::{Parser, Tree};

/// Everything tdev measures of one Rust file.
#[derive(Clone, Debug, PartialEq)]
pub struct RustAnalysis {
    /// Every function (free, in `impl` blocks, trait default methods, nested), in source order.
    pub functions: Vec<Function>,
    /// Line counts.
    pub raw: RawMetrics,
    /// Halstead counts of the whole file.
    pub halstead: Halstead,
    /// radon's maintainability index, 0 to 100, with the file's SLOC as its lines and its
    /// comment lines over SLOC as its comment percentage.
    pub maintainability_index: f64,
    /// The public items that should be documented, with whether they are.
    pub docs: Vec<DocItem>,
    /// Whether the file documents its own module (`//!`, `/*! */` or `#![doc = ...]`): the
    /// crate's docs for a crate root, the module's for the file of a `mod name;`.
    pub inner_docs: bool,
    /// The tokens the duplication detector compares ([`crate::duplication`]).
    pub tokens: Vec<crate::duplication::Token>,
    /// 1-based line of the first syntax error tree-sitter recovered from, if any; the metrics
    /// then cover what it recovered.
    pub syntax_error: Option<usize>,
}

/// Parses Rust source; tree-sitter recovers from syntax errors.
pub(crate) fn parse(source: &str) -> Result<Tree> {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_rust::LANGUAGE.into())
        .map_err(|e| Error::Grammar("Rust", e.to_string()))?;
    parser.parse(source, None).ok_or(Error::NoTree)
}

/// Measures one Rust file, parsing it once.
pub fn analyze(source: &str) -> Result<RustAnalysis> {
    let tree = parse(source)?;
    let root = tree.root_node();
    let functions = complexity::functions(root, source);
    let raw = raw::raw_metrics(root, source);
    let halstead = halstead::halstead(root, source);
    let comments = if raw.sloc == 0 {
        0.0
    } else {
        f64::from(raw.comments) / f64::from(raw.sloc) * 100.0
    };
    let maintainability_index = crate::maintainability::index(
        halstead.volume(),
        f64::from(complexity::total(&functions)),
        f64::from(raw.sloc),
        comments,
    );
    Ok(RustAnalysis {
        docs: docs::doc_items(root, source),
        inner_docs: syntax::has_inner_docs(root, source),
        tokens: crate::duplication::tokens(root, source, &crate::duplication::RUST),
        syntax_error: crate::syntax_error::first_error_line(root),
        functions,
        raw,
        halstead,
        maintainability_index,
    })
}
