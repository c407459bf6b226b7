//! Docstring coverage of Python modules, classes and functions, counted as interrogate counts
//! it with its default settings.
//!
//! interrogate's rules, restated: every module, class, function and method is one item,
//! wherever it is defined (nested ones included); an item is covered when its body starts
//! with a string literal (not an f-string, not bytes) that is not empty once stripped.

use super::parse;
use crate::Result;
use tree_sitter::Node;

/// What a documented item is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ItemKind {
    /// The file itself.
    Module,
    /// A class, at any depth.
    Class,
    /// A function or method, at any depth.
    Function,
}

/// One item that should carry a docstring.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    /// Module, class or function.
    pub kind: ItemKind,
    /// Its name (empty for the module).
    pub name: String,
    /// 1-based line of `def`/`class` (1 for the module).
    pub line: usize,
    /// Whether it has a non-empty docstring.
    pub covered: bool,
}

/// The items of a module, the module first.
pub fn docstring_items(source: &str) -> Result<Vec<Item>> {
    Ok(items_of(parse(source)?.root_node(), source))
}

/// [`docstring_items`] of an already parsed module.
pub(super) fn items_of(root: Node<'_>, source: &str) -> Vec<Item> {
    let mut out = vec![Item {
        kind: ItemKind::Module,
        name: String::new(),
        line: 1,
        covered: has_docstring(root, source),
    }];
    collect(root, source, &mut out);
    out
}

fn collect(node: Node<'_>, source: &str, out: &mut Vec<Item>) {
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        let kind = match child.kind() {
            "function_definition" => Some(ItemKind::Function),
            "class_definition" => Some(ItemKind::Class),
            _ => None,
        };
        if let Some(kind) = kind {
            let name = child
                .child_by_field_name("name")
                .and_then(|n| n.utf8_text(source.as_bytes()).ok())
                .unwrap_or_default();
            let body = child.child_by_field_name("body");
            out.push(Item {
                kind,
                name: name.to_owned(),
                line: child.start_position().row + 1,
                covered: body.is_some_and(|b| has_docstring(b, source)),
            });
        }
        collect(child, source, out);
    }
}

/// Whether the first statement of a module or block is a non-empty docstring.
fn has_docstring(block: Node<'_>, source: &str) -> bool {
    let mut cursor = block.walk();
    let Some(first) = block
        .named_children(&mut cursor)
        .find(|n| n.kind() != "comment")
    else {
        return false;
    };
    if first.kind() != "expression_statement" || first.named_child_count() != 1 {
        return false;
    }
    let Some(expression) = first.named_child(0) else {
        return false;
    };
    let strings: Vec<Node<'_>> = match expression.kind() {
        "string" => vec![expression],
        "concatenated_string" => {
            let mut cursor = expression.walk();
            expression.named_children(&mut cursor).collect()
        }
        _ => return false,
    };
    let mut content = String::new();
    for string in strings {
        let mut cursor = string.walk();
        for part in string.children(&mut cursor) {
            let text = part.utf8_text(source.as_bytes()).unwrap_or_default();
            match part.kind() {
                // The prefix (`r`, `u`, `b`, `f`...) and the quotes.
                "string_start" if text.contains(['f', 'F', 'b', 'B', 't', 'T']) => return false,
                "string_content" | "escape_sequence" => content.push_str(text),
                "interpolation" => return false,
                _ => {}
            }
        }
    }
    !content.trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Coverage as `kind name covered` lines.
    fn check(source: &str, expected: &[&str]) {
        let got: Vec<String> = docstring_items(source)
            .unwrap()
            .iter()
            .map(|i| format!("{:?} {} {}", i.kind, i.name, i.covered))
            .collect();
        assert_eq!(got, expected, "{source}");
    }

    #[test]
    fn docstrings_are_found_where_python_finds_them() {
        check("\"\"\"Module.\"\"\"\n", &["Module  true"]);
        check("# a comment\n'''Module.'''\nx = 1\n", &["Module  true"]);
        check("x = 1\n'''Not a docstring.'''\n", &["Module  false"]);
        check(
            "def f():\n    \"Doc.\"\n",
            &["Module  false", "Function f true"],
        );
        check(
            "def f():\n    pass\n",
            &["Module  false", "Function f false"],
        );
        check(
            "def f():\n    \"\"\"   \"\"\"\n",
            &["Module  false", "Function f false"],
        );
        check(
            "def f():\n    f\"Doc {x}\"\n",
            &["Module  false", "Function f false"],
        );
        check(
            "def f():\n    b\"Doc\"\n",
            &["Module  false", "Function f false"],
        );
        check(
            "def f():\n    r\"Doc\" \"more\"\n",
            &["Module  false", "Function f true"],
        );
    }

    #[test]
    fn nested_items_count_too() {
        check(
            "class C:\n    \"Doc.\"\n    def m(self):\n        def inner():\n            pass\n    @property\n    async def p(self):\n        \"Doc.\"\n",
            &[
                "Module  false",
                "Class C true",
                "Function m false",
                "Function inner false",
                "Function p true",
            ],
        );
    }
}
