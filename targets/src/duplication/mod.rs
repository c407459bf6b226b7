//! Duplicated code: blocks of tokens that appear more than once in a repository, found the way
//! copy/paste detectors (PMD's CPD, jscpd, SonarQube) find them, so that the gate can refuse a
//! change that copies code instead of reusing it.
//!
//! Files are compared as sequences of tokens: the leaves of the tree-sitter syntax tree that
//! [`crate::python::analyze`] and [`crate::rust::analyze`] already parse (their `tokens`), or
//! [`python_tokens`] and [`rust_tokens`] from source. Comments and whitespace are not tokens,
//! so reformatting or re-commenting a copy does not hide it. Imports (Python's `import` and
//! `from ... import`, Rust's `use` and `extern crate`) are left out as SonarQube leaves out
//! Java's: lists of imports look alike in every file without being copied logic.
//!
//! **Names and literals are normalised**: every identifier is the same token, every string
//! literal (an f-string taken whole) another, every number a third. A copy whose variables
//! were renamed or whose constants were changed is still the same logic copied, and it is the
//! copy that the gate should catch (CPD's `--ignore-identifiers --ignore-literals`). Keywords,
//! operators, punctuation and the few named leaves that are neither (`self`, `u32`, `None`)
//! stay as written. The price is that code that only shares its shape can match; the
//! thresholds keep that to long blocks.
//!
//! A block counts when it is at least [`Options::min_tokens`] tokens long (default 100) *and*
//! holds code on at least [`Options::min_lines`] lines (default 10): SonarQube's thresholds
//! for most languages. `detect.rs` states how blocks are formed.
//!
//! ```
//! use tdev_targets::duplication::{Options, detect, python_tokens};
//!
//! let original = "def f(items):\n    total = 0\n    for item in items:\n        total += item\n    return total\n";
//! let renamed = "def g(xs):\n    acc = 0\n    for x in xs:\n        acc += x\n    return acc\n";
//! let (a, b) = (python_tokens(original)?, python_tokens(renamed)?);
//! let small = Options { min_tokens: 10, min_lines: 3 };
//! let found = detect(&[&a, &b], &small);
//! assert_eq!(found.blocks.len(), 1);
//! assert_eq!(found.lines[1], vec![1, 2, 3, 4, 5]);
//! # Ok::<(), tdev_targets::Error>(())
//! ```

mod detect;
mod tokens;

pub use detect::detect;
pub use tokens::Token;
pub(crate) use tokens::{PYTHON, RUST, tokens};

use crate::Result;

/// How long a repeated run of tokens must be to count as a duplicated block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// Tokens a block has at least (SonarQube: 100).
    pub min_tokens: usize,
    /// Lines on which a token of the block starts, at least (SonarQube: 10 for most languages).
    pub min_lines: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            min_tokens: 100,
            min_lines: 10,
        }
    }
}

/// Where one side of a block is: a file (its index in the input) and 1-based lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Place {
    /// Index of the file among those given to [`detect`].
    pub file: usize,
    /// Line of the block's first token.
    pub line: u32,
    /// Line where the block's last token ends.
    pub end_line: u32,
}

/// A block of code found twice: `copy` repeats `original` token for token (after
/// normalisation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Block {
    /// The first occurrence (by file, then position).
    pub original: Place,
    /// The later occurrence.
    pub copy: Place,
    /// Tokens in the block.
    pub tokens: usize,
    /// Lines with code in the block (the fewer of its two sides).
    pub lines: usize,
}

/// What [`detect`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Duplication {
    /// Every duplicated block, by original then copy.
    pub blocks: Vec<Block>,
    /// For each input file, its lines that belong to a duplicated block (either side), sorted:
    /// from each block's first line to its last, blank and comment lines inside included, as
    /// SonarQube counts duplicated lines.
    pub lines: Vec<Vec<u32>>,
}

/// The tokens of Python source, as [`crate::python::analyze`] gives them.
pub fn python_tokens(source: &str) -> Result<Vec<Token>> {
    let tree = crate::python::parse(source)?;
    Ok(tokens(tree.root_node(), source, &PYTHON))
}

/// The tokens of Rust source, as [`crate::rust::analyze`] gives them.
pub fn rust_tokens(source: &str) -> Result<Vec<Token>> {
    let tree = crate::rust::parse(source)?;
    Ok(tokens(tree.root_node(), source, &RUST))
}

#[cfg(test)]
mod tests;
