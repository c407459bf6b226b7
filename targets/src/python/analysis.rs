//! Everything tdev measures on one Python module from a single parse, for scans where the
//! parse is the expensive part.

use super::{Block, Halstead, Item, RawMetrics, complexity, docstrings, maintainability, parse};
use crate::Result;

/// All the metrics of one Python module.
#[derive(Clone, Debug, PartialEq)]
pub struct Analysis {
    /// Functions, classes and methods with their complexity, as [`super::complexity`] gives them.
    pub blocks: Vec<Block>,
    /// The module's total complexity, as [`super::total_complexity`] gives it.
    pub total_complexity: u32,
    /// Modules, classes and functions and whether they carry a docstring.
    pub docstrings: Vec<Item>,
    /// Line counts; `None` when the module's statements never close (radon cannot count them).
    pub raw: Option<RawMetrics>,
    /// Halstead counts.
    pub halstead: Halstead,
    /// Maintainability index from 0 to 100; `None` when `raw` is.
    pub maintainability_index: Option<f64>,
    /// The tokens the duplication detector compares ([`crate::duplication`]).
    pub tokens: Vec<crate::duplication::Token>,
    /// 1-based line of the first syntax error tree-sitter recovered from, if any.
    pub syntax_error: Option<usize>,
}

/// Parses `source` once and measures everything.
pub fn analyze(source: &str) -> Result<Analysis> {
    let tree = parse(source)?;
    let root = tree.root_node();
    let (blocks, total_complexity) = complexity::blocks_of(root, source);
    let halstead = maintainability::halstead_of(root, source);
    let raw = super::raw_metrics(source);
    let maintainability_index = raw
        .as_ref()
        .map(|raw| maintainability::index(raw, halstead.volume(), total_complexity));
    Ok(Analysis {
        docstrings: docstrings::items_of(root, source),
        blocks,
        total_complexity,
        raw,
        halstead,
        maintainability_index,
        tokens: crate::duplication::tokens(root, source, &crate::duplication::PYTHON),
        syntax_error: crate::syntax_error::first_error_line(root),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::{
        complexity, docstring_items, halstead, maintainability_index, raw_metrics, total_complexity,
    };

    /// One parse gives what the separate analyses give, and the first syntax error's line.
    fn check(source: &str, syntax_error: Option<usize>) {
        let a = analyze(source).unwrap();
        assert_eq!(a.blocks, complexity(source).unwrap());
        assert_eq!(a.total_complexity, total_complexity(source).unwrap());
        assert_eq!(a.docstrings, docstring_items(source).unwrap());
        assert_eq!(a.raw, raw_metrics(source));
        assert_eq!(a.halstead, halstead(source).unwrap());
        assert_eq!(
            a.maintainability_index,
            maintainability_index(source).unwrap()
        );
        assert_eq!(a.syntax_error, syntax_error);
    }

    #[test]
    fn one_parse_gives_every_metric() {
        check(
            "\"\"\"Doc.\"\"\"\nclass A:\n    def f(self, x):\n        return x and 1 or 2\n",
            None,
        );
        check(
            "def f(a=[]):\n    # comment\n    for i in a:\n        if i: yield i\n",
            None,
        );
        check("x = 1\n\ndef f(:\n    pass\n", Some(3));
        check("a = 1\nb = = 2\n", Some(2));
        check("", None);
    }

    #[test]
    fn blocks_span_their_bodies() {
        let a = analyze("def f():\n    x = 1\n\n    return x\n\ny = 2\n").unwrap();
        assert_eq!((a.blocks[0].line, a.blocks[0].end_line), (1, 4));
    }
}
