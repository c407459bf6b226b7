//! A site: one place a codemod recognised, located the way findings are (1-based lines and
//! character columns, the enclosing function or class), so that a finding from ruff or bandit
//! can select the sites it is about.

use tdev_core::Span;
use tree_sitter::Node;

/// One place a codemod recognised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    /// Where it is (columns in characters, the end just past the last character).
    pub span: Span,
    /// The enclosing function or class as a dotted qualified name (`Class.method`,
    /// `outer.inner`); `None` at module level.
    pub symbol: Option<String>,
    /// One line for a person: what is wrong here.
    pub message: String,
    /// Why the codemod leaves this place alone, when it does.
    pub declined: Option<String>,
}

impl Site {
    /// A site covering `node`, in `source`.
    pub(super) fn at(node: Node<'_>, source: &str, message: impl Into<String>) -> Self {
        let start = node.start_position();
        let end = node.end_position();
        Site {
            span: Span {
                line: row(start.row),
                column: char_column(source, node.start_byte(), start.column),
                end_line: row(end.row),
                end_column: char_column(source, node.end_byte(), end.column),
            },
            symbol: symbol(node, source),
            message: message.into(),
            declined: None,
        }
    }

    /// The same site, declined for `reason`.
    pub(super) fn declined(mut self, reason: impl Into<String>) -> Self {
        self.declined = Some(reason.into());
        self
    }

    /// Whether the two sites share a character. A span of column 1 to column 1 (what a tool
    /// reporting only lines gives, see [`Span::line`]) stands for its whole lines.
    pub fn span_overlaps(&self, other: &Site) -> bool {
        let (a_start, a_end) = bounds(&self.span);
        let (b_start, b_end) = bounds(&other.span);
        a_start < b_end && b_start < a_end
    }
}

/// Start and (exclusive) end of a span as (line, column) pairs, whole lines for a span
/// without columns; an empty span is widened by one character so that a point still
/// overlaps what it sits in.
fn bounds(span: &Span) -> ((u32, u32), (u32, u32)) {
    if span.column == 1 && span.end_column == 1 {
        return ((span.line, 0), (span.end_line.max(span.line), u32::MAX));
    }
    let start = (span.line, span.column);
    let end = (span.end_line, span.end_column);
    (
        start,
        if end <= start {
            (start.0, start.1 + 1)
        } else {
            end
        },
    )
}

fn row(row: usize) -> u32 {
    u32::try_from(row + 1).unwrap_or(u32::MAX)
}

/// 1-based character column of `byte`, whose tree-sitter column (in bytes) is `byte_column`.
fn char_column(source: &str, byte: usize, byte_column: usize) -> u32 {
    let line_start = byte - byte_column;
    let chars = source
        .get(line_start..byte)
        .map_or(byte_column, |s| s.chars().count());
    u32::try_from(chars + 1).unwrap_or(u32::MAX)
}

/// The dotted names of the functions and classes enclosing `node` (a function's own
/// parameters are inside it).
fn symbol(node: Node<'_>, source: &str) -> Option<String> {
    let mut names = Vec::new();
    let mut current = Some(node);
    while let Some(n) = current {
        if matches!(n.kind(), "function_definition" | "class_definition")
            && let Some(name) = n.child_by_field_name("name")
        {
            names.push(&source[name.byte_range()]);
        }
        current = n.parent();
    }
    names.reverse();
    (!names.is_empty()).then(|| names.join("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(line: u32, column: u32, end_line: u32, end_column: u32) -> Site {
        Site {
            span: Span {
                line,
                column,
                end_line,
                end_column,
            },
            symbol: None,
            message: String::new(),
            declined: None,
        }
    }

    /// Whether a finding's span `b` selects a codemod's site `a`, both ways round.
    fn check(a: Site, b: Site, expected: bool) {
        assert_eq!(a.span_overlaps(&b), expected, "{a:?} {b:?}");
        assert_eq!(b.span_overlaps(&a), expected, "{b:?} {a:?}");
    }

    #[test]
    fn spans_overlap_when_they_share_a_character() {
        check(site(3, 5, 3, 14), site(3, 10, 3, 14), true);
        check(site(3, 5, 3, 14), site(3, 14, 3, 20), false);
        check(site(3, 5, 3, 14), site(4, 5, 4, 14), false);
        check(site(3, 5, 5, 2), site(4, 1, 4, 3), true);
        check(site(3, 5, 3, 14), site(3, 5, 3, 5), true);
        check(site(3, 5, 3, 14), site(3, 1, 3, 1), true);
        check(site(3, 5, 3, 14), site(2, 1, 2, 1), false);
    }
}
