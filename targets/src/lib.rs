//! What tdev knows about the languages of its targets: native code metrics computed on
//! tree-sitter syntax trees, checked against the tools people trust (radon and interrogate for
//! Python, rustc's `missing_docs` lint for Rust), and the duplicated code of a repository
//! ([`duplication`]).
//!
//! ```
//! use tdev_targets::python::{BlockKind, complexity};
//!
//! let blocks = complexity("def f(x):\n    if x and x > 1:\n        return 1\n    return 0\n")?;
//! assert_eq!(blocks[0].name, "f");
//! assert_eq!(blocks[0].kind, BlockKind::Function);
//! assert_eq!(blocks[0].complexity, 3);
//! # Ok::<(), tdev_targets::Error>(())
//! ```
#![warn(missing_docs)]

pub mod duplication;
mod maintainability;
pub mod python;
pub mod rust;
mod syntax_error;

pub use maintainability::Halstead;

/// Errors of the analyses: only infrastructure failing; code that does not parse is reported.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The tree-sitter grammar could not be loaded (a version mismatch at build time).
    #[error("the {0} grammar could not be loaded: {1}")]
    Grammar(&'static str, String),
    /// The source could not be parsed at all (tree-sitter gave up, e.g. on a timeout).
    #[error("the parser gave no tree")]
    NoTree,
}

/// Result of the analyses.
pub type Result<T, E = Error> = std::result::Result<T, E>;
