//! Halstead counts of Rust files, from tree-sitter's tokens.
//!
//! Every token of the file is an operator or an operand, told apart by their text:
//!
//! - operands are the names and the literals: identifiers (of values, types, fields,
//!   lifetimes, macros), primitive types, `self`, `super`, `crate`, and string, character,
//!   number and boolean literals, each literal one token however it is written;
//! - operators are the keywords (`fn`, `let`, `if`, `match`, `mut`, `as`, `impl`, `where`...)
//!   and the punctuation (`+`, `&&`, `=`, `.`, `::`, `->`, `?`, `;`, `,`, opening brackets...).
//!   A bracket pair is one operator: closing `)`, `]`, `}` and the `>` closing generic
//!   arguments or parameters are not counted.
//!
//! Comments (doc comments included) and attributes (`#[...]`, `#![...]`) are not counted:
//! they do not compute anything. Tokens inside macro calls and `macro_rules!` bodies are
//! counted like any other, since they are what the macro receives. Two operators are the same
//! when they are written the same; two operands likewise, across the whole file.

use super::syntax::text;
use crate::maintainability::Halstead;
use std::collections::HashSet;
use tree_sitter::Node;

#[derive(Default)]
struct Counter<'s> {
    operators_seen: HashSet<&'s str>,
    operands_seen: HashSet<&'s str>,
    operators: u32,
    operands: u32,
}

/// Halstead counts of a parsed file.
pub(super) fn halstead(root: Node<'_>, source: &str) -> Halstead {
    let mut counter = Counter::default();
    visit(root, source, &mut counter);
    let len = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Halstead {
        distinct_operators: len(counter.operators_seen.len()),
        distinct_operands: len(counter.operands_seen.len()),
        operators: counter.operators,
        operands: counter.operands,
    }
}

fn visit<'s>(node: Node<'_>, source: &'s str, c: &mut Counter<'s>) {
    match node.kind() {
        "line_comment" | "block_comment" | "attribute_item" | "inner_attribute_item" => return,
        "string_literal" | "raw_string_literal" | "char_literal" | "boolean_literal"
        | "lifetime" => {
            operand(node, source, c);
            return;
        }
        _ => {}
    }
    if node.child_count() > 0 {
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            visit(child, source, c);
        }
        return;
    }
    let t = text(node, source);
    if t.is_empty() {
        return; // a token tree-sitter inserted to recover from an error
    }
    let closing_generic = t == ">"
        && node
            .parent()
            .is_some_and(|p| matches!(p.kind(), "type_arguments" | "type_parameters"));
    if matches!(t, ")" | "]" | "}") || closing_generic {
        return;
    }
    let is_name = t.starts_with(|ch: char| ch.is_alphanumeric() || ch == '_');
    let keyword = !node.is_named() || node.kind() == "mutable_specifier";
    if is_name && !keyword || node.kind().ends_with("_literal") {
        operand(node, source, c);
    } else {
        c.operators += 1;
        c.operators_seen.insert(t);
    }
}

fn operand<'s>(node: Node<'_>, source: &'s str, c: &mut Counter<'s>) {
    c.operands += 1;
    c.operands_seen.insert(text(node, source));
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    /// `(distinct operators, distinct operands, operators, operands)`.
    fn check(source: &str, expected: (u32, u32, u32, u32)) {
        let tree = parse(source).unwrap();
        let h = halstead(tree.root_node(), source);
        assert_eq!(
            (
                h.distinct_operators,
                h.distinct_operands,
                h.operators,
                h.operands
            ),
            expected,
            "{source}"
        );
    }

    #[test]
    fn keywords_and_punctuation_operate_on_names_and_literals() {
        // `let`, `=`, `+`, `;` on `x`, `a`, `1`.
        check("let x = a + 1;", (4, 3, 4, 3));
        // `fn`, `(`, `{`; the closing brackets are not counted.
        check("fn f() {}", (3, 1, 3, 1));
        // `const`, `:`, `&`, `=`, `;` on `S`, `str`, one literal.
        check("const S: &str = \"a b\";", (5, 3, 5, 3));
        // `let`, `mut`, `:`, `<`, `=`, `;` on `v`, `Vec`, `u8`, `x`; `>` closes `<`.
        check("let mut v: Vec<u8> = x;", (6, 4, 6, 4));
        // `fn`, `<`, `(`, `:`, `&`, `->`, `{` on `f`, `'a` twice, `x`, `u8`, `bool`, `true`.
        check("fn f<'a>(x: &'a u8) -> bool { true }", (7, 6, 7, 7));
        // A literal is one operand: `!`, `(`, `,`, `;` on `println`, the string and `1`.
        check("println!(\"{} {}\", 1);", (4, 3, 4, 3));
    }

    #[test]
    fn comments_and_attributes_are_not_counted() {
        check("/// Doc.\n#[inline]\nfn f() {} // c", (3, 1, 3, 1));
    }
}
