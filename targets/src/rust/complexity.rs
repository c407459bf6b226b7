//! Cyclomatic complexity of Rust functions: free functions, methods in `impl` blocks, trait
//! default methods and functions nested in other functions, each on its own.
//!
//! A function starts at 1 and adds one for each place where control can take one more path:
//!
//! - `if` and `if let`, and each `else if` (an `else` alone is the path not taken, no more);
//! - `while`, `while let` and `for` (the loop runs again or not); `loop` adds nothing, since
//!   it leaves only through a `break` or `return` that a condition already counted;
//! - a `match` with n arms adds n - 1, like a chain of n - 1 `if`s. A wildcard or catch-all
//!   arm counts like any other: Rust's matches are exhaustive, so the last arm is the path
//!   the others leave, whatever its pattern (radon's Python rule of dropping an irrefutable
//!   `case _` only exists because a Python `match` may match nothing);
//! - a match guard (`Some(x) if x > 0 =>`), which can send a matched value on to later arms;
//! - each `&&` and `||`, in expressions and in `let` chains, for their short circuit;
//! - each `?`, which returns early: it is the `match` with an `Err(e) => return` arm that it
//!   abbreviates, and that `match` would count one;
//! - `let ... else`, whose `else` block is a second path.
//!
//! Closures count toward the function they are written in, as radon counts lambdas. A
//! function nested in another is reported on its own and adds nothing to its parent. Macro
//! arguments are token trees that tree-sitter does not parse into expressions, so a condition
//! inside `assert!(a && b)` or a `matches!` does not count.

use super::syntax::{field, text, type_name};
use tree_sitter::Node;

/// One function with its cyclomatic complexity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Function {
    /// Its name.
    pub name: String,
    /// Its name behind the modules, types, traits and functions it is written in, within the
    /// file: `Parser::parse`, `X::fmt` for a method of `impl Display for X`, `outer::inner`.
    pub qualified: String,
    /// 1-based line where it starts (its visibility or `fn`, not an attribute).
    pub line: usize,
    /// 1-based line of its closing brace.
    pub end_line: usize,
    /// Cyclomatic complexity.
    pub complexity: u32,
}

/// Every function of a parsed file, in source order (a function before those nested in it).
pub(super) fn functions(root: Node<'_>, source: &str) -> Vec<Function> {
    let mut out = Vec::new();
    walk(root, source, &mut Vec::new(), None, &mut out);
    out
}

/// The sum over functions of their complexity less one, plus one: the file's total
/// complexity as the maintainability index takes it.
pub(super) fn total(functions: &[Function]) -> u32 {
    1 + functions.iter().map(|f| f.complexity - 1).sum::<u32>()
}

fn walk(
    node: Node<'_>,
    source: &str,
    scope: &mut Vec<String>,
    current: Option<usize>,
    out: &mut Vec<Function>,
) {
    let (scope_name, current) = match node.kind() {
        "function_item" => {
            let name = field(node, "name", source).to_owned();
            let qualified = scope
                .iter()
                .chain([&name])
                .cloned()
                .collect::<Vec<_>>()
                .join("::");
            out.push(Function {
                name: name.clone(),
                qualified,
                line: node.start_position().row + 1,
                end_line: node.end_position().row + 1,
                complexity: 1,
            });
            (Some(name), Some(out.len() - 1))
        }
        "impl_item" => (
            node.child_by_field_name("type")
                .map(|t| type_name(t, source)),
            current,
        ),
        "trait_item" | "mod_item" => (Some(field(node, "name", source).to_owned()), current),
        _ => {
            if let Some(at) = current {
                out[at].complexity += decisions(node, source);
            }
            (None, current)
        }
    };
    let pushed = scope_name.is_some();
    scope.extend(scope_name);
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        walk(child, source, scope, current, out);
    }
    if pushed {
        scope.pop();
    }
}

/// Paths that `node` itself adds (its descendants are visited on their own).
fn decisions(node: Node<'_>, source: &str) -> u32 {
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    match node.kind() {
        "if_expression" | "while_expression" | "for_expression" | "try_expression" => 1,
        "match_block" => {
            let mut cursor = node.walk();
            let arms = node
                .named_children(&mut cursor)
                .filter(|c| c.kind() == "match_arm")
                .count();
            count(arms).saturating_sub(1)
        }
        "match_pattern" => u32::from(node.child_by_field_name("condition").is_some()),
        "binary_expression" => u32::from(matches!(field(node, "operator", source), "&&" | "||")),
        "let_chain" => {
            let mut cursor = node.walk();
            count(
                node.children(&mut cursor)
                    .filter(|c| !c.is_named() && text(*c, source) == "&&")
                    .count(),
            )
        }
        "let_declaration" => u32::from(node.child_by_field_name("alternative").is_some()),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    /// Every function as `qualified=complexity`.
    fn check(source: &str, expected: &[&str]) {
        let tree = parse(source).unwrap();
        let got: Vec<String> = functions(tree.root_node(), source)
            .iter()
            .map(|f| format!("{}={}", f.qualified, f.complexity))
            .collect();
        assert_eq!(got, expected, "{source}");
    }

    #[test]
    fn each_rule_adds_its_paths() {
        check("fn f() {}", &["f=1"]);
        check("fn f(x: bool) { if x { a() } }", &["f=2"]);
        check(
            "fn f(x: u8) { if x > 1 { a() } else if x > 0 { b() } else { c() } }",
            &["f=3"],
        );
        check(
            "fn f(x: Option<u8>) { if let Some(y) = x { a(y) } }",
            &["f=2"],
        );
        check("fn f(x: bool) { while x { a() } }", &["f=2"]);
        check(
            "fn f(mut x: Option<u8>) { while let Some(y) = x { x = g(y) } }",
            &["f=2"],
        );
        check("fn f(xs: &[u8]) { for x in xs { a(x) } }", &["f=2"]);
        check("fn f() { loop { break; } }", &["f=1"]);
        check(
            "fn f(x: u8) { match x { 0 => a(), 1 => b(), _ => c() } }",
            &["f=3"],
        );
        check("fn f(x: u8) { match x { _ => a() } }", &["f=1"]);
        check(
            "fn f(x: Option<u8>) { match x { Some(y) if y > 1 => a(), _ => b() } }",
            &["f=3"],
        );
        check(
            "fn f(a: bool, b: bool, c: bool) -> bool { a && b || c }",
            &["f=3"],
        );
        check("fn f(a: u8, b: u8) -> u8 { a & b | a }", &["f=1"]);
        check(
            "fn f(x: Option<u8>) -> Option<u8> { let y = x?; g(y)? }",
            &["f=3"],
        );
        check(
            "fn f(x: Option<u8>) { let Some(y) = x else { return }; a(y) }",
            &["f=2"],
        );
        check(
            "fn f(x: Option<u8>, b: bool) { if let Some(y) = x && b && y > 1 { a() } }",
            &["f=4"],
        );
        check("fn f(a: bool) { assert!(a && a); }", &["f=1"]);
    }

    #[test]
    fn closures_count_toward_their_function_and_nested_functions_do_not() {
        check(
            "fn f(xs: &[u8]) -> usize { xs.iter().filter(|x| **x > 1 || **x == 0).count() }",
            &["f=2"],
        );
        check(
            "fn f(x: bool) { fn g(x: bool) { if x {} } if x {} }",
            &["f=2", "f::g=2"],
        );
    }

    #[test]
    fn methods_are_named_after_their_type_or_trait() {
        check(
            "struct P; impl P { fn parse(&self) {} } impl<'a, T> std::fmt::Display for &'a mut x::X<T> { fn fmt(&self) {} }",
            &["P::parse=1", "X::fmt=1"],
        );
        check(
            "trait T { fn req(&self); fn def(&self) { if true {} } }",
            &["T::def=2"],
        );
        check(
            "mod m { pub fn f() {} mod n { fn g() {} } }",
            &["m::f=1", "m::n::g=1"],
        );
    }

    #[test]
    fn lines_span_the_function_without_its_attributes() {
        let source = "#[inline]\npub fn f() {\n    a();\n}\n";
        let tree = parse(source).unwrap();
        let f = &functions(tree.root_node(), source)[0];
        assert_eq!((f.name.as_str(), f.line, f.end_line), ("f", 2, 4));
    }
}
