//! `not x in y` becomes `x not in y` and `not x is y` becomes `x is not y` (ruff E713, E714).
//!
//! The two spellings mean the same in every case: `x not in y` is defined as
//! `not (x in y)`, and `is` cannot be overloaded. The rewrite applies to a `not` whose operand
//! is a single `in` or `is` comparison, parenthesised or not (`not (x in y)`); chained
//! comparisons (`not a in b in c`) are left alone, because the negation covers the whole
//! chain. A comment between `not` and its comparison declines the site, since the rewrite
//! would have to drop it.

use super::{Codemod, Replacement, Result, Rewrite, Site, nodes_of_kind, parsed};
use tree_sitter::Node;

/// `not x in y` to `x not in y`.
#[derive(Clone, Copy, Debug, Default)]
pub struct NegatedComparison;

impl Codemod for NegatedComparison {
    fn id(&self) -> &'static str {
        "negated-comparison"
    }

    fn description(&self) -> &'static str {
        "Writes negated membership and identity tests with their operator: `not x in y` becomes `x not in y`, `not x is y` becomes `x is not y`."
    }

    fn summary(&self) -> &'static str {
        "write negated comparisons with their operator"
    }

    fn kinds(&self) -> &'static [&'static str] {
        &["ruff:E713", "ruff:E714"]
    }

    fn rewrites(&self, source: &str) -> Result<Vec<Rewrite>> {
        let Some(tree) = parsed(source)? else {
            return Ok(Vec::new());
        };
        Ok(nodes_of_kind(tree.root_node(), &["not_operator"])
            .into_iter()
            .filter_map(|not| rewrite(not, source))
            .collect())
    }
}

fn rewrite(not: Node<'_>, source: &str) -> Option<Rewrite> {
    let argument = not.child_by_field_name("argument")?;
    let comparison = match argument.kind() {
        "comparison_operator" => argument,
        "parenthesized_expression" => {
            let mut cursor = argument.walk();
            let mut inner = argument
                .named_children(&mut cursor)
                .filter(|c| c.kind() != "comment");
            match (inner.next(), inner.next()) {
                (Some(only), None) if only.kind() == "comparison_operator" => only,
                _ => return None,
            }
        }
        _ => return None,
    };
    let mut cursor = comparison.walk();
    let operators: Vec<Node<'_>> = comparison
        .children_by_field_name("operators", &mut cursor)
        .collect();
    let [operator] = operators.as_slice() else {
        return None;
    };
    let (negated, message) = match operator.kind() {
        "in" => ("not in", "`not x in y` reads better as `x not in y`"),
        "is" => ("is not", "`not x is y` reads better as `x is not y`"),
        _ => return None,
    };
    let site = Site::at(not, source, message);
    // Everything between `not` and the comparison, and after the comparison up to the end of
    // the `not` expression: whitespace and the parentheses, which go.
    let head = not.start_byte()..comparison.start_byte();
    let tail = comparison.end_byte()..not.end_byte();
    if source[head.clone()].contains('#') || source[tail.clone()].contains('#') {
        return Some(Rewrite {
            site: site.declined("a comment sits between `not` and the comparison"),
            replacements: Vec::new(),
        });
    }
    let mut replacements = vec![
        Replacement::new(head, ""),
        Replacement::new(operator.byte_range(), negated),
    ];
    if !tail.is_empty() {
        replacements.push(Replacement::new(tail, ""));
    }
    Some(Rewrite { site, replacements })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{check, check_declined};
    use super::*;

    #[test]
    fn negations_move_into_the_operator() {
        let n = &NegatedComparison;
        check(n, "if not x in y: pass\n", "if x not in y: pass\n");
        check(n, "if not x is None: pass\n", "if x is not None: pass\n");
        check(n, "z = not (a.b in c)\n", "z = a.b not in c\n");
        check(n, "z = not x in y and w\n", "z = x not in y and w\n");
        check(n, "z = not not x in y\n", "z = not x not in y\n");
        check(n, "z = not (\n    x in y\n)\n", "z = x not in y\n");
    }

    #[test]
    fn other_negations_are_left_alone() {
        let n = &NegatedComparison;
        check(n, "z = not x\n", "z = not x\n");
        check(n, "z = not x == y\n", "z = not x == y\n");
        check(n, "z = not x is not y\n", "z = not x is not y\n");
        check(n, "z = not a in b in c\n", "z = not a in b in c\n");
        check(n, "z = x not in y\n", "z = x not in y\n");
        check_declined(n, "z = not (  # why\n    x in y)\n");
    }
}
