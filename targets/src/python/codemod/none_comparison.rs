//! `x == None` becomes `x is None`, `x != None` becomes `x is not None` (ruff E711, pycodestyle
//! E711), also with `None` on the left and inside chained comparisons.
//!
//! The rewrite only changes behaviour when the other operand overloads `__eq__`, which is why
//! ruff marks its own fix unsafe. Where that is likely, the site is declined:
//! - the file imports a library whose objects build expressions from `==` (numpy, pandas,
//!   SQLAlchemy, polars, torch, ...): there `column == None` is a query, not a test;
//! - the comparison is an argument of a query-building call (`.filter(`, `.where(`,
//!   `.having(`, `and_(`, ...) or inside a subscript (`df[df.a == None]`, a mask);
//! - the comparison is an argument of a unittest `assert...` method, or its other operand
//!   constructs an object (`Thing(...) == None`): such code usually tests `__eq__` itself.

use super::imports::Imports;
use super::{Codemod, Replacement, Result, Rewrite, Site, nodes_of_kind, parsed};
use tree_sitter::Node;

/// Libraries whose objects overload `==` to build arrays or queries.
const OVERLOADING_LIBRARIES: &[&str] = &[
    "numpy",
    "pandas",
    "polars",
    "sqlalchemy",
    "sqlmodel",
    "peewee",
    "pony",
    "torch",
    "tensorflow",
    "jax",
    "xarray",
    "dask",
    "pyspark",
    "pyarrow",
    "ibis",
    "sympy",
];

/// Calls whose arguments are typically query expressions.
const QUERY_CALLS: &[&str] = &[
    "filter",
    "filter_by",
    "where",
    "having",
    "exclude",
    "join",
    "outerjoin",
    "on",
    "case",
    "when",
    "and_",
    "or_",
    "not_",
    "select",
    "query",
];

/// `== None` to `is None`.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoneComparison;

impl Codemod for NoneComparison {
    fn id(&self) -> &'static str {
        "none-comparison"
    }

    fn description(&self) -> &'static str {
        "Compares to None by identity: `x == None` becomes `x is None`, `x != None` becomes `x is not None`."
    }

    fn summary(&self) -> &'static str {
        "compare with None using `is`"
    }

    fn kinds(&self) -> &'static [&'static str] {
        &["ruff:E711"]
    }

    fn rewrites(&self, source: &str) -> Result<Vec<Rewrite>> {
        let Some(tree) = parsed(source)? else {
            return Ok(Vec::new());
        };
        let root = tree.root_node();
        let overloading = Imports::of(root, source).uses_any(OVERLOADING_LIBRARIES);
        let mut out = Vec::new();
        for comparison in nodes_of_kind(root, &["comparison_operator"]) {
            // Operands and operators alternate; comments are not part of either.
            let mut cursor = comparison.walk();
            let parts: Vec<Node<'_>> = comparison
                .children(&mut cursor)
                .filter(|c| c.kind() != "comment")
                .collect();
            for window in parts.windows(3).step_by(2) {
                let [left, operator, right] = window else {
                    continue;
                };
                let replacement = match operator.kind() {
                    "==" => "is",
                    "!=" => "is not",
                    _ => continue,
                };
                let other = match (left.kind(), right.kind()) {
                    ("none", _) => *right,
                    (_, "none") => *left,
                    _ => continue,
                };
                let site = Site::at(comparison, source, comparison_message(operator.kind()));
                let site = narrow(site, *left, *right, source);
                let reason = if overloading {
                    Some("the file imports a library that overloads `==` (arrays, queries)")
                } else {
                    declined_in_context(comparison, other, source)
                };
                out.push(match reason {
                    Some(reason) => Rewrite {
                        site: site.declined(reason),
                        replacements: Vec::new(),
                    },
                    None => Rewrite {
                        site,
                        replacements: vec![spaced(*operator, replacement, source)],
                    },
                });
            }
        }
        Ok(out)
    }
}

fn comparison_message(operator: &str) -> String {
    let fixed = if operator == "==" { "is" } else { "is not" };
    format!("comparison to None with `{operator}`: `{fixed}` tests identity, as intended")
}

/// The site of one operator of a (possibly chained) comparison: its two operands.
fn narrow(site: Site, left: Node<'_>, right: Node<'_>, source: &str) -> Site {
    let from = Site::at(left, source, "");
    let to = Site::at(right, source, "");
    Site {
        span: tdev_core::Span {
            line: from.span.line,
            column: from.span.column,
            end_line: to.span.end_line,
            end_column: to.span.end_column,
        },
        ..site
    }
}

/// Replaces `operator` with `text`, adding a space on a side where the operator touched its
/// operand (`x==None`), since `is` is a word.
fn spaced(operator: Node<'_>, text: &str, source: &str) -> Replacement {
    let range = operator.byte_range();
    let before = source[..range.start]
        .chars()
        .next_back()
        .is_some_and(|c| !c.is_whitespace());
    let after = source[range.end..]
        .chars()
        .next()
        .is_some_and(|c| !c.is_whitespace());
    let text = format!(
        "{}{text}{}",
        if before { " " } else { "" },
        if after { " " } else { "" }
    );
    Replacement::new(range, text)
}

/// Why a comparison's context makes an overloaded `__eq__` likely, if it does.
fn declined_in_context(
    comparison: Node<'_>,
    other: Node<'_>,
    source: &str,
) -> Option<&'static str> {
    if other.kind() == "call" && called_name(other, source).is_some_and(is_class_like) {
        return Some("the other operand constructs an object, whose `__eq__` may be under test");
    }
    let mut child = comparison;
    while let Some(parent) = child.parent() {
        match parent.kind() {
            "argument_list" => {
                let call = parent.parent();
                let name = call
                    .and_then(|c| called_name(c, source))
                    .unwrap_or_default();
                if QUERY_CALLS.contains(&name) {
                    return Some("inside a query-building call, where `==` builds an expression");
                }
                if name.starts_with("assert") {
                    return Some("inside a unittest assertion, which may be testing `__eq__`");
                }
            }
            "subscript" if parent.child_by_field_name("value") != Some(child) => {
                return Some("inside a subscript, where `==` often builds a mask");
            }
            kind if kind.ends_with("statement") || kind == "lambda" => break,
            _ => {}
        }
        child = parent;
    }
    None
}

/// The last name of a call's function: `filter` for `session.query(A).filter(...)`.
fn called_name<'s>(call: Node<'_>, source: &'s str) -> Option<&'s str> {
    let function = call.child_by_field_name("function")?;
    let name = match function.kind() {
        "attribute" => function.child_by_field_name("attribute")?,
        "identifier" => function,
        _ => return None,
    };
    Some(&source[name.byte_range()])
}

/// `Thing`, `HTTPError`: a capitalised name, by convention a class.
fn is_class_like(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase()) && name.chars().any(|c| c.is_lowercase())
}

#[cfg(test)]
mod tests {
    use super::super::tests::{check, check_declined};
    use super::*;

    #[test]
    fn equality_with_none_becomes_identity() {
        check(&NoneComparison, "x == None\n", "x is None\n");
        check(&NoneComparison, "x != None\n", "x is not None\n");
        check(
            &NoneComparison,
            "if None == x: pass\n",
            "if None is x: pass\n",
        );
        check(&NoneComparison, "y = x==None\n", "y = x is None\n");
        check(&NoneComparison, "y = (x)!=None\n", "y = (x) is not None\n");
        check(&NoneComparison, "a < x == None\n", "a < x is None\n");
        check(&NoneComparison, "f(x == None)\n", "f(x is None)\n");
        check(&NoneComparison, "f\"{x == None}\"\n", "f\"{x is None}\"\n");
        check(
            &NoneComparison,
            "if (x ==  # why\n        None):\n    pass\n",
            "if (x is  # why\n        None):\n    pass\n",
        );
        check(
            &NoneComparison,
            "x == 1\nx is None\n",
            "x == 1\nx is None\n",
        );
        check(&NoneComparison, "x == None\r\n", "x is None\r\n");
    }

    #[test]
    fn likely_overloaded_equality_is_left_alone() {
        check_declined(&NoneComparison, "import numpy as np\nx == None\n");
        check_declined(
            &NoneComparison,
            "from sqlalchemy import select\nx == None\n",
        );
        check_declined(&NoneComparison, "q.filter(User.name == None)\n");
        check_declined(&NoneComparison, "q.where(and_(a, User.name != None))\n");
        check_declined(&NoneComparison, "df[df.a == None]\n");
        check_declined(&NoneComparison, "self.assertFalse(delta == None)\n");
        check_declined(&NoneComparison, "assert Delta(year=1) != None\n");
    }
}
