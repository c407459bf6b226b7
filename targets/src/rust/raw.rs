//! Raw line metrics of Rust source: lines, source lines, comment lines and blank lines.
//!
//! Each line is read from the tokens that cover it: a line holding any token that is not a
//! comment is a source line (SLOC); a line holding only comments — `//`, `/* */`, doc
//! comments `///`, `//!`, `/** */`, `/*! */` all alike — is a comment-only line; a line of
//! whitespace is blank, inside a block comment too. So `loc = sloc + single_comments + blank`.
//! `comments` counts every line holding comment text, code or not, as radon counts Python's
//! `#` lines; `multi` counts the non-blank lines of block comments that span several lines
//! (they are in `comments` already). A string literal over several lines is code on each of
//! them. There are no logical lines: Rust has no statement-per-line convention for them to
//! stand on.

use tree_sitter::Node;

/// Line counts of one Rust file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RawMetrics {
    /// All lines: `sloc + single_comments + blank`.
    pub loc: u32,
    /// Lines holding code.
    pub sloc: u32,
    /// Lines holding comment text (line, block or doc comments), code or not.
    pub comments: u32,
    /// Lines that hold comments and no code.
    pub single_comments: u32,
    /// Non-blank lines of block comments that span several lines.
    pub multi: u32,
    /// Lines of whitespace only.
    pub blank: u32,
}

#[derive(Clone, Copy, Default)]
struct Line {
    code: bool,
    comment: bool,
    multi: bool,
}

/// Raw metrics of a parsed file.
pub(super) fn raw_metrics(root: Node<'_>, source: &str) -> RawMetrics {
    let texts: Vec<&str> = source.lines().collect();
    let mut lines = vec![Line::default(); texts.len()];
    mark(root, &mut lines);
    let mut m = RawMetrics {
        loc: count(texts.len()),
        ..RawMetrics::default()
    };
    for (text, line) in texts.iter().zip(&lines) {
        if text.trim().is_empty() {
            m.blank += 1;
            continue;
        }
        m.comments += u32::from(line.comment);
        m.multi += u32::from(line.multi);
        if line.comment && !line.code {
            m.single_comments += 1;
        } else {
            m.sloc += 1;
        }
    }
    m
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Marks the lines each token covers, a comment or a literal as one token.
fn mark(node: Node<'_>, lines: &mut [Line]) {
    let comment = matches!(node.kind(), "line_comment" | "block_comment");
    let literal = matches!(
        node.kind(),
        "string_literal" | "raw_string_literal" | "char_literal"
    );
    if comment || literal || node.child_count() == 0 {
        if node.start_byte() == node.end_byte() {
            return; // a token tree-sitter inserted to recover from an error
        }
        let first = node.start_position().row;
        let mut last = node.end_position().row;
        // A line comment ends with its newline, at column 0 of the next line.
        if last > first && node.end_position().column == 0 {
            last -= 1;
        }
        let multi = node.kind() == "block_comment" && last > first;
        for line in lines.iter_mut().take(last + 1).skip(first) {
            line.code |= !comment;
            line.comment |= comment;
            line.multi |= multi;
        }
        return;
    }
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        mark(child, lines);
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    /// `(loc, sloc, comments, single_comments, multi, blank)`.
    fn check(source: &str, expected: (u32, u32, u32, u32, u32, u32)) {
        let tree = parse(source).unwrap();
        let m = raw_metrics(tree.root_node(), source);
        assert_eq!(
            (
                m.loc,
                m.sloc,
                m.comments,
                m.single_comments,
                m.multi,
                m.blank
            ),
            expected,
            "{source}"
        );
    }

    #[test]
    fn lines_are_code_comment_or_blank() {
        check("fn f() {}\n", (1, 1, 0, 0, 0, 0));
        check("// c\n\nfn f() {} // d\n", (3, 1, 2, 1, 0, 1));
        check("/// Doc.\n//! Inner.\nfn f() {}\n", (3, 1, 2, 2, 0, 0));
        check("/* a\n\n   b */\nfn f() {}\n", (4, 1, 2, 2, 2, 1));
        check("/** Doc. */ fn f() {}\n", (1, 1, 1, 0, 0, 0));
        check("const S: &str = \"a\n\nb\";\n", (3, 2, 0, 0, 0, 1));
        check(
            "const S: &str = r#\"a\n// not a comment\n\"#;\n",
            (3, 3, 0, 0, 0, 0),
        );
        check(
            "fn f() {\n    let x = 1; /* a\n    b */ let y = 2;\n}",
            (4, 4, 2, 0, 2, 0),
        );
    }
}
