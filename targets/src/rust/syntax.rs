//! What Rust items say about themselves in the syntax tree: their names, visibility,
//! attributes and doc comments, read the same way by every Rust analysis.

use tree_sitter::Node;

/// The text of a node (empty if the source is not where the node says).
pub(super) fn text<'a>(node: Node<'_>, source: &'a str) -> &'a str {
    node.utf8_text(source.as_bytes()).unwrap_or_default()
}

/// The text of a node's field, or "".
pub(super) fn field<'a>(node: Node<'_>, name: &str, source: &'a str) -> &'a str {
    node.child_by_field_name(name)
        .map_or("", |n| text(n, source))
}

/// Whether an item is plainly `pub`: `pub(crate)`, `pub(super)` and `pub(in path)` are not
/// public API, so `missing_docs` does not ask them for docs.
pub(super) fn is_pub(node: Node<'_>, source: &str) -> bool {
    let mut cursor = node.walk();
    node.children(&mut cursor)
        .any(|c| c.kind() == "visibility_modifier" && text(c, source).trim() == "pub")
}

/// The name of the type an `impl` block is for, without generics or references: `Foo` for
/// `impl<'a, T> Trait for &'a mut path::Foo<T>`.
pub(super) fn type_name(node: Node<'_>, source: &str) -> String {
    match node.kind() {
        "generic_type" | "reference_type" | "pointer_type" => node
            .child_by_field_name("type")
            .map_or_else(|| text(node, source).to_owned(), |t| type_name(t, source)),
        "scoped_type_identifier" => field(node, "name", source).to_owned(),
        _ => text(node, source).split_whitespace().collect(),
    }
}

/// What the attributes and comments right before an item (tree-sitter keeps them as its
/// preceding siblings) say about its documentation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Outer {
    /// A `///` or `/** */` comment, or a `#[doc = ...]` attribute (also under `cfg_attr`).
    pub documented: bool,
    /// `#[doc(hidden)]`: rustc asks no docs of the item nor of anything inside it.
    pub hidden: bool,
    /// `#[macro_export]`: the macro is public at the crate root wherever it is defined.
    pub macro_export: bool,
}

/// Reads the attributes and comments that precede `item` among its siblings.
pub(super) fn outer(item: Node<'_>, source: &str) -> Outer {
    let mut found = Outer::default();
    let mut sibling = item.prev_sibling();
    while let Some(node) = sibling {
        match node.kind() {
            "line_comment" | "block_comment" => {
                found.documented |= node.child_by_field_name("outer").is_some();
            }
            "attribute_item" => {
                if let Some(attribute) = node.named_child(0) {
                    read_attribute(attribute, source, &mut found);
                }
            }
            _ => break,
        }
        sibling = node.prev_sibling();
    }
    found
}

fn read_attribute(attribute: Node<'_>, source: &str, found: &mut Outer) {
    let path = attribute.named_child(0).map_or("", |p| text(p, source));
    let arguments = field(attribute, "arguments", source);
    match path {
        "doc" if attribute.child_by_field_name("value").is_some() => found.documented = true,
        "doc" => found.hidden |= arguments.contains("hidden"),
        // Which side of a `cfg_attr` rustc takes is not known from syntax; a doc behind one
        // is taken as written, since crates use it to document every configuration.
        "cfg_attr" => {
            let compact: String = arguments.split_whitespace().collect();
            found.documented |= compact.contains(",doc=");
        }
        "macro_export" => found.macro_export = true,
        _ => {}
    }
}

/// Whether a file or an inline module body holds inner docs: `//!`, `/*! */` or `#![doc = ...]`.
pub(super) fn has_inner_docs(body: Node<'_>, source: &str) -> bool {
    let mut cursor = body.walk();
    body.named_children(&mut cursor).any(|c| match c.kind() {
        "line_comment" | "block_comment" => c.child_by_field_name("inner").is_some(),
        "inner_attribute_item" => c.named_child(0).is_some_and(|a| {
            a.named_child(0).is_some_and(|p| text(p, source) == "doc")
                && a.child_by_field_name("value").is_some()
        }),
        _ => false,
    })
}
