//! The tokens a copy is recognised by: the leaves of a tree-sitter syntax tree, with comments
//! and imports left out and names and literals normalised, so that a copy whose names or
//! constants were changed still matches.

use tdev_core::stable_hash;
use tree_sitter::Node;

/// One token of a file, as the duplication detector compares it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Token {
    /// What the token is after normalisation; equal symbols are the same token.
    pub(super) symbol: u64,
    /// What the token is as written: `symbol` for keywords, operators and punctuation, a
    /// hash of the text for names and literals. Only says whether a repeat was copied exactly.
    pub(super) exact: u64,
    /// 1-based line the token starts on.
    pub(super) line: u32,
    /// 1-based line the token ends on (a multi-line string ends below where it starts).
    pub(super) end_line: u32,
}

impl Token {
    /// The 1-based line the token starts on.
    pub fn line(&self) -> u32 {
        self.line
    }
}

/// What a language's grammar calls the leaves the detector treats specially.
pub(crate) struct Rules {
    /// Keeps the languages apart: tokens of two languages never compare equal.
    language: u8,
    /// Node kinds that are names; all become one symbol.
    identifiers: &'static [&'static str],
    /// Node kinds that are string literals, taken whole (their inner parts are not tokens);
    /// all become one symbol.
    strings: &'static [&'static str],
    /// Node kinds that are number literals; all become one symbol.
    numbers: &'static [&'static str],
    /// Node kinds left out with everything inside them: comments and imports.
    skipped: &'static [&'static str],
}

/// Python (tree-sitter-python's node kinds).
pub(crate) const PYTHON: Rules = Rules {
    language: 1,
    identifiers: &["identifier"],
    strings: &["string"],
    numbers: &["integer", "float"],
    skipped: &[
        "comment",
        "import_statement",
        "import_from_statement",
        "future_import_statement",
    ],
};

/// Rust (tree-sitter-rust's node kinds).
pub(crate) const RUST: Rules = Rules {
    language: 2,
    identifiers: &[
        "identifier",
        "field_identifier",
        "type_identifier",
        "shorthand_field_identifier",
        "metavariable",
    ],
    strings: &["string_literal", "raw_string_literal", "char_literal"],
    numbers: &["integer_literal", "float_literal"],
    skipped: &[
        "line_comment",
        "block_comment",
        "use_declaration",
        "extern_crate_declaration",
    ],
};

// A symbol's bits: 63 marks a leaf taken by its text, 56 to 62 the language, the rest the
// kind id of a keyword or operator (a `u16`), a normalised class, or the text.
/// The normalised classes, above every grammar's kind ids (which are `u16`).
const IDENTIFIER: u64 = 0x1_0000;
const STRING: u64 = 0x1_0001;
const NUMBER: u64 = 0x1_0002;
/// Marks symbols made from a leaf's text.
const TEXT: u64 = 1 << 63;

/// The tokens of the tree under `root`, in source order.
pub(crate) fn tokens(root: Node<'_>, source: &str, rules: &Rules) -> Vec<Token> {
    let language = u64::from(rules.language) << 56;
    let mut out = Vec::new();
    let mut cursor = root.walk();
    // A depth-first walk with the cursor, so deep trees need no recursion.
    'walk: loop {
        let node = cursor.node();
        let kind = node.kind();
        let class = if rules.skipped.contains(&kind) {
            Some(None)
        } else if rules.identifiers.contains(&kind) {
            Some(Some(IDENTIFIER))
        } else if rules.strings.contains(&kind) {
            Some(Some(STRING))
        } else if rules.numbers.contains(&kind) {
            Some(Some(NUMBER))
        } else if node.child_count() == 0 {
            Some(leaf_symbol(node, source))
        } else {
            None
        };
        match class {
            // An inner node: its leaves are the tokens.
            None if cursor.goto_first_child() => continue,
            None | Some(None) => {}
            Some(Some(symbol)) => {
                let normalised = (symbol & TEXT) == 0 && symbol >= IDENTIFIER;
                out.push(Token {
                    symbol: language | symbol,
                    exact: if normalised {
                        stable_hash(
                            node.utf8_text(source.as_bytes())
                                .unwrap_or_default()
                                .as_bytes(),
                        )
                    } else {
                        language | symbol
                    },
                    line: line(node.start_position().row),
                    end_line: line(node.end_position().row),
                });
            }
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    out
}

/// The symbol of a leaf that is neither a name nor a literal: its kind for a keyword or an
/// operator (the kind is the text); otherwise (`u32`, `self`, `true`) its text, packed exactly
/// when it has at most 6 bytes, hashed when longer.
fn leaf_symbol(node: Node<'_>, source: &str) -> Option<u64> {
    if node.is_missing() || node.start_byte() == node.end_byte() {
        return None;
    }
    if !node.is_named() {
        return Some(u64::from(node.kind_id()));
    }
    let text = node.utf8_text(source.as_bytes()).unwrap_or_default();
    let low48 = (1u64 << 48) - 1;
    Some(if text.len() <= 6 {
        TEXT | text.bytes().fold(0u64, |acc, b| (acc << 8) | u64::from(b))
    } else {
        // Long named leaves that are neither names nor literals are rare (none of the
        // grammars' keywords is that long), so a collision is as unlikely as it is harmless.
        TEXT | (1 << 48) | (stable_hash(text.as_bytes()) & low48)
    })
}

fn line(row: usize) -> u32 {
    u32::try_from(row + 1).unwrap_or(u32::MAX)
}
