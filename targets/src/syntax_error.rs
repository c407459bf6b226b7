//! Where a file stops parsing: tree-sitter recovers from syntax errors, and a report wants the
//! line of the first one.

use tree_sitter::Node;

/// The 1-based line of the first error or missing node under `root`, depth first; `None` when
/// the tree has none.
pub(crate) fn first_error_line(root: Node<'_>) -> Option<usize> {
    if !root.has_error() {
        return None;
    }
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        if node.is_error() || node.is_missing() {
            return Some(node.start_position().row + 1);
        }
        // Descend only into the first subtree that contains the error.
        let descended = cursor.goto_first_child() && {
            while !cursor.node().has_error() {
                if !cursor.goto_next_sibling() {
                    break;
                }
            }
            cursor.node().has_error()
        };
        if !descended {
            return Some(node.start_position().row + 1);
        }
    }
}
