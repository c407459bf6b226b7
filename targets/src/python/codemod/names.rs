//! Whether a module binds a name other than by importing it: an assignment, a `def`, a
//! parameter, a loop or `with` target... A codemod that relies on a name meaning a module or a
//! builtin (`yaml`, `list`) checks it is never rebound anywhere in the file, scopes ignored,
//! which errs on the side of leaving code alone.

use tree_sitter::Node;

/// Whether `name` is bound anywhere under `root` other than by an import statement.
pub(super) fn is_rebound(root: Node<'_>, source: &str, name: &str) -> bool {
    let mut cursor = root.walk();
    // Depth-first walk over every node, without recursion (modules can nest deeply).
    loop {
        let node = cursor.node();
        if node.kind() == "identifier" && &source[node.byte_range()] == name && binds(node) {
            return true;
        }
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return false;
            }
        }
    }
}

/// Whether the identifier is in a binding position.
fn binds(identifier: Node<'_>) -> bool {
    let Some(parent) = identifier.parent() else {
        return false;
    };
    let is_field = |field: &str| parent.child_by_field_name(field) == Some(identifier);
    match parent.kind() {
        "assignment" | "augmented_assignment" | "for_statement" | "for_in_clause" => {
            is_field("left")
        }
        "function_definition"
        | "class_definition"
        | "default_parameter"
        | "typed_default_parameter"
        | "named_expression" => is_field("name"),
        // Only binding positions hold these.
        "pattern_list"
        | "tuple_pattern"
        | "list_pattern"
        | "list_splat_pattern"
        | "dictionary_splat_pattern"
        | "as_pattern_target"
        | "parameters"
        | "lambda_parameters"
        | "global_statement"
        | "nonlocal_statement" => true,
        // `x: int`: the name, not the annotation (which sits inside a `type` node).
        "typed_parameter" => true,
        // `case Point(x=name)` and `case name`: captures in `match` patterns.
        "case_pattern" | "keyword_pattern" | "splat_pattern" => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::parse;

    fn check(source: &str, expected: bool) {
        let tree = parse(source).unwrap();
        assert_eq!(
            is_rebound(tree.root_node(), source, "list"),
            expected,
            "{source}"
        );
    }

    #[test]
    fn bindings_are_told_from_uses() {
        check("x = list()\n", false);
        check("isinstance(x, list)\n", false);
        check("import list\n", false);
        check("list = []\n", true);
        check("a, list = 1, 2\n", true);
        check("for list in x: pass\n", true);
        check("def f(list): pass\n", true);
        check("def f(list=1): pass\n", true);
        check("def f(*list): pass\n", true);
        check("def list(): pass\n", true);
        check("with open(f) as list: pass\n", true);
        check("if (list := f()): pass\n", true);
        check("x.list = 1\n", false);
        check("lambda list: 0\n", true);
    }
}
