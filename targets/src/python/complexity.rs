//! Cyclomatic complexity of Python functions, methods and classes, counted as radon counts it.
//!
//! radon's rules, restated: a function starts at 1 and adds one for every `if`, `elif`,
//! conditional expression, `for`/`while` (plus one for their `else`), `except` clause (plus
//! one for a `try`'s `else`), `assert` (once, whatever it holds), `for` and `if` inside a
//! comprehension, each boolean
//! operator joining two operands, and each `case` of a `match` but an irrefutable last one.
//! Only the body counts: decorators, default values and annotations do not, and neither do
//! nested functions (they are the function's closures) nor nested classes. A class's total is
//! 1 plus its methods plus the decision points in its own body; like radon, a class reports
//! that total divided by its number of methods (rounded down), plus one if it has several.

use super::parse;
use crate::Result;
use tree_sitter::Node;

/// What a block is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BlockKind {
    /// A function at module level (or under module-level `if`/`try`).
    Function,
    /// A function defined in a class body.
    Method,
    /// A class at module level.
    Class,
}

/// A function, method or class with its cyclomatic complexity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// Function, method or class.
    pub kind: BlockKind,
    /// Its name.
    pub name: String,
    /// The class of a method.
    pub classname: Option<String>,
    /// 1-based line of `def` or `class` (not of a decorator).
    pub line: usize,
    /// 1-based last line of its body.
    pub end_line: usize,
    /// Cyclomatic complexity.
    pub complexity: u32,
    /// Functions defined inside a function, with their own complexity.
    pub closures: Vec<Block>,
}

/// The functions, classes and methods of a Python module, in source order (a class before
/// its methods). Code with syntax errors is analysed as far as tree-sitter recovers it; use
/// [`has_syntax_errors`] to tell.
pub fn complexity(source: &str) -> Result<Vec<Block>> {
    Ok(blocks_of(parse(source)?.root_node(), source).0)
}

/// The blocks of an already parsed module and the module's total complexity (see
/// [`total_complexity`]).
pub(super) fn blocks_of(root: Node<'_>, source: &str) -> (Vec<Block>, u32) {
    let mut blocks = Vec::new();
    let mut extra = 0;
    module_blocks(root, source, &mut blocks, &mut extra);
    (blocks, 1 + extra)
}

fn text<'a>(node: Node<'_>, source: &'a str) -> &'a str {
    node.utf8_text(source.as_bytes()).unwrap_or_default()
}

/// The definition inside a `decorated_definition`, or the node itself.
fn definition(node: Node<'_>) -> Node<'_> {
    if node.kind() == "decorated_definition" {
        node.child_by_field_name("definition").unwrap_or(node)
    } else {
        node
    }
}

fn name_of(node: Node<'_>, source: &str) -> String {
    node.child_by_field_name("name")
        .map(|n| text(n, source).to_owned())
        .unwrap_or_default()
}

/// Module level: functions and classes, wherever statements nest (`if`, `try`, `with`...).
/// `extra` gathers what the module adds to 1 for its total complexity: its own decision points,
/// and each function's and class's complexity less one (a class by its total, not its mean).
fn module_blocks(node: Node<'_>, source: &str, out: &mut Vec<Block>, extra: &mut u32) {
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        let def = definition(child);
        match def.kind() {
            "function_definition" => {
                let f = function(def, source, BlockKind::Function, None);
                *extra += f.complexity - 1;
                out.push(f);
            }
            "class_definition" => *extra += class(def, source, out) - 1,
            "assert_statement" => *extra += 1,
            _ => {
                *extra += decisions(child, source);
                module_blocks(child, source, out, extra);
            }
        }
    }
}

/// The module's total complexity as radon's maintainability index uses it: 1, plus the
/// decision points outside functions and classes, plus each top-level function's and class's
/// complexity less one.
pub fn total_complexity(source: &str) -> Result<u32> {
    Ok(module_total(parse(source)?.root_node(), source))
}

/// [`total_complexity`] of an already parsed module.
pub(super) fn module_total(root: Node<'_>, source: &str) -> u32 {
    blocks_of(root, source).1
}

/// Adds the class and its methods to `out`; returns the class's total complexity.
fn class(node: Node<'_>, source: &str, out: &mut Vec<Block>) -> u32 {
    let name = name_of(node, source);
    let at = out.len();
    out.push(Block {
        kind: BlockKind::Class,
        name: name.clone(),
        classname: None,
        line: node.start_position().row + 1,
        end_line: node.end_position().row + 1,
        complexity: 1,
        closures: Vec::new(),
    });
    let mut methods = Vec::new();
    let mut own = 0;
    if let Some(body) = node.child_by_field_name("body") {
        class_body(body, source, &name, &mut methods, &mut own);
    }
    let total = 1 + own + methods.iter().map(|m| m.complexity).sum::<u32>();
    // radon reports a class's complexity as the mean over its methods, plus one when there
    // are several; the total only when there are none.
    let n = u32::try_from(methods.len()).unwrap_or(u32::MAX);
    out[at].complexity = total
        .checked_div(n)
        .map_or(total, |mean| mean + u32::from(n > 1));
    out.extend(methods);
    total
}

/// A class body: methods (also under `if`/`try`), decision points of other statements;
/// nested classes count for nothing.
fn class_body(node: Node<'_>, source: &str, class: &str, methods: &mut Vec<Block>, own: &mut u32) {
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        let def = definition(child);
        match def.kind() {
            "function_definition" => {
                methods.push(function(def, source, BlockKind::Method, Some(class)));
            }
            "class_definition" => {}
            "assert_statement" => *own += 1,
            _ => {
                *own += decisions(child, source);
                class_body(child, source, class, methods, own);
            }
        }
    }
}

fn function(node: Node<'_>, source: &str, kind: BlockKind, class: Option<&str>) -> Block {
    let mut closures = Vec::new();
    let mut complexity = 1;
    if let Some(body) = node.child_by_field_name("body") {
        complexity += body_complexity(body, source, &mut closures);
    }
    Block {
        kind,
        name: name_of(node, source),
        classname: class.map(str::to_owned),
        line: node.start_position().row + 1,
        end_line: node.end_position().row + 1,
        complexity,
        closures,
    }
}

/// Decision points under `node`, not entering nested functions (collected as closures) or
/// classes (ignored, as radon does).
fn body_complexity(node: Node<'_>, source: &str, closures: &mut Vec<Block>) -> u32 {
    let mut total = 0;
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        let def = definition(child);
        match def.kind() {
            "function_definition" => {
                closures.push(function(def, source, BlockKind::Function, None));
            }
            "class_definition" => {}
            // radon counts an assert once and looks no further into it.
            "assert_statement" => total += 1,
            _ => total += decisions(child, source) + body_complexity(child, source, closures),
        }
    }
    total
}

/// Decision points contributed by `node` itself (its descendants are visited separately).
fn decisions(node: Node<'_>, source: &str) -> u32 {
    match node.kind() {
        "if_statement" | "elif_clause" | "conditional_expression" => 1,
        "boolean_operator" => 1,
        "for_statement" | "while_statement" => 1 + has_child(node, "else_clause"),
        "try_statement" => count_children(node, "except_clause") + has_child(node, "else_clause"),
        "for_in_clause" | "if_clause" => 1,
        "match_statement" => match_cases(node, source),
        _ => 0,
    }
}

fn has_child(node: Node<'_>, kind: &str) -> u32 {
    u32::from(count_children(node, kind) > 0)
}

fn count_children(node: Node<'_>, kind: &str) -> u32 {
    let mut cursor = node.walk();
    let count = node
        .named_children(&mut cursor)
        .filter(|c| c.kind() == kind)
        .count();
    u32::try_from(count).unwrap_or(u32::MAX)
}

/// `case` clauses, less one when a case is irrefutable: `case _:` or a bare capture
/// `case name:`, without a guard.
fn match_cases(node: Node<'_>, source: &str) -> u32 {
    let Some(body) = node.child_by_field_name("body") else {
        return 0;
    };
    let mut cursor = body.walk();
    let cases: Vec<Node<'_>> = body
        .named_children(&mut cursor)
        .filter(|c| c.kind() == "case_clause")
        .collect();
    let irrefutable = cases.iter().any(|case| {
        let mut cursor = case.walk();
        let patterns: Vec<&str> = case
            .named_children(&mut cursor)
            .filter(|c| c.kind() == "case_pattern")
            .map(|p| text(p, source).trim())
            .collect();
        let bare = |p: &str| {
            !matches!(p, "True" | "False" | "None")
                && p.starts_with(|c: char| c == '_' || c.is_alphabetic())
                && p.chars().all(|c| c == '_' || c.is_alphanumeric())
        };
        case.child_by_field_name("guard").is_none() && patterns.len() == 1 && bare(patterns[0])
    });
    u32::try_from(cases.len())
        .unwrap_or(u32::MAX)
        .saturating_sub(u32::from(irrefutable))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Complexity of every block, as `kind name=N`.
    fn check(source: &str, expected: &[&str]) {
        let blocks = complexity(source).unwrap();
        let got: Vec<String> = blocks
            .iter()
            .map(|b| format!("{:?} {}={}", b.kind, b.name, b.complexity))
            .collect();
        assert_eq!(got, expected, "{source}");
    }

    #[test]
    fn each_decision_point_counts_once() {
        check("def f():\n    pass\n", &["Function f=1"]);
        check(
            "def f(x):\n    if x:\n        pass\n    elif x > 1:\n        pass\n    else:\n        pass\n",
            &["Function f=3"],
        );
        check("def f(x):\n    return 1 if x else 2\n", &["Function f=2"]);
        check(
            "def f(a, b, c):\n    return a and b and c or a\n",
            &["Function f=4"],
        );
        check(
            "def f(xs):\n    for x in xs:\n        pass\n    else:\n        pass\n",
            &["Function f=3"],
        );
        check(
            "def f(x):\n    while x:\n        x -= 1\n",
            &["Function f=2"],
        );
        check(
            "def f():\n    try:\n        g()\n    except A:\n        pass\n    except B:\n        pass\n    else:\n        pass\n    finally:\n        pass\n",
            &["Function f=4"],
        );
        check(
            "def f(xs):\n    return [x for x in xs if x if x > 1 for y in x]\n",
            &["Function f=5"],
        );
        check("def f(x):\n    assert x\n", &["Function f=2"]);
        check(
            "def f(x):\n    assert x and x > 1 if x else 0\n",
            &["Function f=2"],
        );
        check("def f(x):\n    with x:\n        pass\n", &["Function f=1"]);
        check(
            "def f(x):\n    return lambda y: y if x else 0\n",
            &["Function f=2"],
        );
    }

    #[test]
    fn only_the_body_counts() {
        check(
            "@d(1 if x else 2)\ndef f(a=b or c):\n    pass\n",
            &["Function f=1"],
        );
    }

    #[test]
    fn closures_and_nested_classes_do_not_add_to_their_function() {
        let source = "def f(x):\n    def g():\n        if x:\n            pass\n    class C:\n        def m(self):\n            if x: pass\n    return g\n";
        check(source, &["Function f=1"]);
        let blocks = complexity(source).unwrap();
        assert_eq!(blocks[0].closures.len(), 1);
        assert_eq!(blocks[0].closures[0].complexity, 2);
    }

    #[test]
    fn a_class_is_one_plus_its_methods_and_its_own_decisions() {
        let source = "class C:\n    x = 1 if y else 2\n    def a(self):\n        if self:\n            pass\n    if y:\n        def b(self):\n            pass\n    class Inner:\n        def c(self):\n            if self: pass\n";
        // Total 1 + 1 + 2 + 1 + 1 = 6 over two methods: 6 / 2 + 1.
        check(source, &["Class C=4", "Method a=2", "Method b=1"]);
        check("class D:\n    x = 1 if y else 2\n", &["Class D=2"]);
    }

    #[test]
    fn functions_under_module_level_statements_are_found() {
        check(
            "if PY2:\n    def f():\n        pass\nelse:\n    @decorator\n    async def f():\n        for x in y: pass\n",
            &["Function f=1", "Function f=2"],
        );
    }

    #[test]
    fn match_counts_cases_but_an_irrefutable_one() {
        check(
            "def f(x):\n    match x:\n        case 1:\n            pass\n        case [a, b]:\n            pass\n        case _:\n            pass\n",
            &["Function f=3"],
        );
        check(
            "def f(x):\n    match x:\n        case 1:\n            pass\n        case 2:\n            pass\n",
            &["Function f=3"],
        );
    }
}
