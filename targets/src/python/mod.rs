//! Python: cyclomatic complexity, raw line metrics, Halstead metrics and the maintainability
//! index as radon computes them, docstring coverage as interrogate counts it, on tree-sitter's
//! syntax tree (raw metrics on radon's own kind of tokens);
//! and the built-in codemods that rewrite Python ([`codemod`]).

mod analysis;
pub mod codemod;
mod complexity;
mod docstrings;
mod maintainability;
mod raw;

pub use crate::maintainability::Halstead;
pub use analysis::{Analysis, analyze};
pub use complexity::{Block, BlockKind, complexity, total_complexity};
pub use docstrings::{Item, ItemKind, docstring_items};
pub use maintainability::{halstead, maintainability_index};
pub use raw::{RawMetrics, raw_metrics};

use crate::{Error, Result};
use tree_sitter::{Parser, Tree};

/// Parses Python source; tree-sitter recovers from syntax errors.
pub(crate) fn parse(source: &str) -> Result<Tree> {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_python::LANGUAGE.into())
        .map_err(|e| Error::Grammar("Python", e.to_string()))?;
    parser.parse(source, None).ok_or(Error::NoTree)
}

/// Whether tree-sitter had to recover from syntax errors in `source`.
pub fn has_syntax_errors(source: &str) -> Result<bool> {
    Ok(parse(source)?.root_node().has_error())
}
