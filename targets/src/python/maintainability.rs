//! Halstead metrics and the maintainability index of Python modules, computed as radon's
//! `mi` command computes them.
//!
//! Halstead, as radon counts it: operators are the binary, unary, boolean, augmented-assignment
//! and comparison operators; operands are what they apply to. Distinct operators are told
//! apart by kind (`+` and `+=` are both addition); distinct operands by value within their
//! function (a name, an attribute's name or a constant; any other expression is distinct from
//! everything). Inside functions only the body is counted.
//!
//! The index is radon's formula (`crate::maintainability`) with V the module's Halstead
//! volume, G its total cyclomatic complexity, L its logical lines and C the percentage of
//! comment and multi-line string lines among its source lines.

use super::complexity::module_total;
use super::parse;
use super::raw::{RawMetrics, raw_metrics};
use crate::Result;
use crate::maintainability::Halstead;
use std::collections::HashSet;
use tree_sitter::Node;

#[derive(Default)]
struct Counter {
    operators_seen: HashSet<&'static str>,
    operands_seen: HashSet<(String, String)>,
    operators: u32,
    operands: u32,
}

/// Halstead counts of a module.
pub fn halstead(source: &str) -> Result<Halstead> {
    Ok(halstead_of(parse(source)?.root_node(), source))
}

pub(super) fn halstead_of(root: Node<'_>, source: &str) -> Halstead {
    let mut counter = Counter::default();
    visit(root, source, "", &mut counter);
    let len = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Halstead {
        distinct_operators: len(counter.operators_seen.len()),
        distinct_operands: len(counter.operands_seen.len()),
        operators: counter.operators,
        operands: counter.operands,
    }
}

/// The maintainability index of a module, from 0 to 100; `None` for source whose statements
/// never close (radon cannot measure it either).
pub fn maintainability_index(source: &str) -> Result<Option<f64>> {
    let Some(raw) = raw_metrics(source) else {
        return Ok(None);
    };
    let tree = parse(source)?;
    let volume = halstead_of(tree.root_node(), source).volume();
    let complexity = module_total(tree.root_node(), source);
    Ok(Some(index(&raw, volume, complexity)))
}

/// radon's formula fed as radon feeds it for Python: logical lines, and comment plus
/// multi-line string lines for the comment percentage.
pub(super) fn index(raw: &RawMetrics, volume: f64, complexity: u32) -> f64 {
    let comments = if raw.sloc == 0 {
        0.0
    } else {
        f64::from(raw.comments + raw.multi) / f64::from(raw.sloc) * 100.0
    };
    crate::maintainability::index(volume, f64::from(complexity), f64::from(raw.lloc), comments)
}

fn text<'a>(node: Node<'_>, source: &'a str) -> &'a str {
    node.utf8_text(source.as_bytes()).unwrap_or_default()
}

fn visit(node: Node<'_>, source: &str, context: &str, c: &mut Counter) {
    match node.kind() {
        "function_definition" => {
            // Only the body, under the function's name.
            let name = node
                .child_by_field_name("name")
                .map_or("", |n| text(n, source));
            if let Some(body) = node.child_by_field_name("body") {
                visit_children(body, source, name, c);
            }
            return;
        }
        "decorated_definition" => {
            // A function's decorators are not counted; a class's are.
            if let Some(def) = node.child_by_field_name("definition")
                && def.kind() == "function_definition"
            {
                visit(def, source, context, c);
                return;
            }
        }
        "binary_operator" => {
            let op = node
                .child_by_field_name("operator")
                .map_or("", |o| operator_name(text(o, source)));
            let operands = [
                node.child_by_field_name("left"),
                node.child_by_field_name("right"),
            ];
            count(c, op, operands.into_iter().flatten(), source, context);
        }
        "unary_operator" => {
            let op = match node
                .child_by_field_name("operator")
                .map(|o| text(o, source))
            {
                Some("-") => "USub",
                Some("+") => "UAdd",
                _ => "Invert",
            };
            count(c, op, node.child_by_field_name("argument"), source, context);
        }
        // `A | B` in an annotation is a `BinOp` in Python's AST, whatever tree-sitter calls it.
        "union_type" => {
            let mut cursor = node.walk();
            let operands: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
            count(c, "BitOr", operands, source, context);
        }
        "not_operator" => count(
            c,
            "Not",
            node.child_by_field_name("argument"),
            source,
            context,
        ),
        "boolean_operator" => {
            let op = node
                .child_by_field_name("operator")
                .map_or("", |o| text(o, source));
            let name = if op == "and" { "And" } else { "Or" };
            // `a and b and c` is one operator over three operands, as in Python's AST.
            let mut values = Vec::new();
            flatten_bool(node, op, source, &mut values);
            count(c, name, values.iter().copied(), source, context);
            for value in values {
                visit(value, source, context, c);
            }
            return;
        }
        "augmented_assignment" => {
            let op = node
                .child_by_field_name("operator")
                .map_or("", |o| operator_name(text(o, source).trim_end_matches('=')));
            let operands = [
                node.child_by_field_name("left"),
                node.child_by_field_name("right"),
            ];
            count(c, op, operands.into_iter().flatten(), source, context);
        }
        "comparison_operator" => {
            let mut cursor = node.walk();
            let ops: Vec<&'static str> = node
                .children_by_field_name("operators", &mut cursor)
                .map(|o| comparison_name(text(o, source)))
                .collect();
            let mut cursor = node.walk();
            let operands: Vec<Node<'_>> = node
                .named_children(&mut cursor)
                .filter(|n| n.kind() != "comment")
                .collect();
            c.operators += u32::try_from(ops.len()).unwrap_or(u32::MAX);
            c.operators_seen.extend(ops);
            for operand in &operands {
                c.operands += 1;
                c.operands_seen
                    .insert((context.to_owned(), operand_key(*operand, source)));
            }
        }
        _ => {}
    }
    visit_children(node, source, context, c);
}

fn visit_children(node: Node<'_>, source: &str, context: &str, c: &mut Counter) {
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        visit(child, source, context, c);
    }
}

fn flatten_bool<'t>(node: Node<'t>, op: &str, source: &str, out: &mut Vec<Node<'t>>) {
    for side in ["left", "right"] {
        let Some(child) = node.child_by_field_name(side) else {
            continue;
        };
        let same = child.kind() == "boolean_operator"
            && child
                .child_by_field_name("operator")
                .is_some_and(|o| text(o, source) == op);
        if same && side == "left" {
            flatten_bool(child, op, source, out);
        } else {
            out.push(child);
        }
    }
}

fn count<'t>(
    c: &mut Counter,
    op: &'static str,
    operands: impl IntoIterator<Item = Node<'t>>,
    source: &str,
    context: &str,
) {
    c.operators += 1;
    c.operators_seen.insert(op);
    for operand in operands {
        c.operands += 1;
        c.operands_seen
            .insert((context.to_owned(), operand_key(operand, source)));
    }
}

fn operator_name(op: &str) -> &'static str {
    match op {
        "+" => "Add",
        "-" => "Sub",
        "*" => "Mult",
        "/" => "Div",
        "//" => "FloorDiv",
        "%" => "Mod",
        "**" => "Pow",
        "<<" => "LShift",
        ">>" => "RShift",
        "&" => "BitAnd",
        "|" => "BitOr",
        "^" => "BitXor",
        "@" => "MatMult",
        _ => "Unknown",
    }
}

fn comparison_name(op: &str) -> &'static str {
    match op.split_whitespace().collect::<Vec<_>>().join(" ").as_str() {
        "<" => "Lt",
        ">" => "Gt",
        "==" => "Eq",
        ">=" => "GtE",
        "<=" => "LtE",
        "!=" | "<>" => "NotEq",
        "in" => "In",
        "not in" => "NotIn",
        "is" => "Is",
        "is not" => "IsNot",
        _ => "Unknown",
    }
}

/// What makes two operands the same for radon: a name's or attribute's name, a constant's
/// value (strings share a namespace with names, as in radon's set); anything else is unique.
fn operand_key(node: Node<'_>, source: &str) -> String {
    let node = unwrap_parentheses(node);
    let t = text(node, source);
    match node.kind() {
        "identifier" => t.to_owned(),
        "attribute" => node
            .child_by_field_name("attribute")
            .map_or_else(String::new, |a| text(a, source).to_owned()),
        // `a.b` in an annotation: an attribute named `b`.
        "member_type" => t.rsplit('.').next().unwrap_or_default().trim().to_owned(),
        "true" => "\0n:1".to_owned(),
        "false" => "\0n:0".to_owned(),
        "none" => "\0None".to_owned(),
        "ellipsis" => "\0Ellipsis".to_owned(),
        "integer" | "float" => number_key(t).unwrap_or_else(|| unique(node)),
        "string" => string_value(node, source).unwrap_or_else(|| unique(node)),
        "concatenated_string" => {
            let mut cursor = node.walk();
            let parts: Option<Vec<String>> = node
                .named_children(&mut cursor)
                .map(|s| string_value(s, source))
                .collect();
            parts.map_or_else(|| unique(node), |p| p.concat())
        }
        _ => unique(node),
    }
}

fn unwrap_parentheses(mut node: Node<'_>) -> Node<'_> {
    while matches!(node.kind(), "parenthesized_expression" | "type")
        && node.named_child_count() == 1
    {
        match node.named_child(0) {
            Some(inner) => node = inner,
            None => break,
        }
    }
    node
}

fn unique(node: Node<'_>) -> String {
    format!("\0node:{}", node.id())
}

/// Numbers compare by value (`1 == 1.0 == True` in Python's sets).
fn number_key(t: &str) -> Option<String> {
    let t = t.replace('_', "");
    let lower = t.to_ascii_lowercase();
    if lower.ends_with('j') {
        return Some(format!("\0c:{lower}"));
    }
    let value = if let Some(hex) = lower.strip_prefix("0x") {
        u128::from_str_radix(hex, 16).ok()? as f64
    } else if let Some(oct) = lower.strip_prefix("0o") {
        u128::from_str_radix(oct, 8).ok()? as f64
    } else if let Some(bin) = lower.strip_prefix("0b") {
        u128::from_str_radix(bin, 2).ok()? as f64
    } else {
        lower.parse::<f64>().ok()?
    };
    Some(format!("\0n:{value}"))
}

/// The value of a plain string literal (bytes get their own namespace); `None` for f-strings.
fn string_value(node: Node<'_>, source: &str) -> Option<String> {
    let mut value = String::new();
    let mut bytes = false;
    let mut cursor = node.walk();
    for part in node.children(&mut cursor) {
        let t = text(part, source);
        match part.kind() {
            "string_start" => {
                if t.contains(['f', 'F', 't', 'T']) {
                    return None;
                }
                bytes = t.contains(['b', 'B']);
            }
            "string_content" | "escape_sequence" => value.push_str(t),
            "interpolation" => return None,
            _ => {}
        }
    }
    Some(if bytes { format!("\0b:{value}") } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(source: &str, expected: (u32, u32, u32, u32)) {
        let h = halstead(source).unwrap();
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
    fn operators_and_operands_are_counted_like_radon() {
        check("x = a + b\n", (1, 2, 1, 2));
        check("x = a + b + a\n", (1, 3, 2, 4));
        check("x = not a and b and c\n", (2, 4, 2, 4));
        check("x += 1\ny = x + 1\n", (1, 2, 2, 4));
        check("x = a < b <= c\n", (2, 3, 2, 3));
        check("def f(a=1 + 2):\n    return a - 1\n", (1, 2, 1, 2));
        check(
            "def f():\n    return a - 1\ndef g():\n    return a - 1\n",
            (1, 4, 2, 4),
        );
    }

    #[test]
    fn the_index_is_100_for_empty_code_and_lower_for_more() {
        assert_eq!(maintainability_index("").unwrap(), Some(100.0));
        let simple = maintainability_index("x = a + b\n").unwrap().unwrap();
        let busy = maintainability_index(
            "def f(a, b):\n    if a and b or a < b:\n        return a * b + a - b\n    return a / b\n",
        )
        .unwrap()
        .unwrap();
        assert!(busy < simple, "{busy} < {simple}");
    }
}
