//! Stable finding ids: the same problem at the same place keeps its id from run to run, so a
//! later scan (or the knowledge graph) can tell a finding that persists from a new one.

use sha2::{Digest, Sha256};

/// `<kind>:<16 hex digits>`, the digits hashed from kind, path, line and symbol. Columns and
/// messages are left out on purpose: they shift with unrelated edits on the same line.
pub(crate) fn finding_id(
    kind: &str,
    path: &str,
    line: Option<u32>,
    symbol: Option<&str>,
) -> String {
    let mut hasher = Sha256::new();
    for part in [
        kind,
        path,
        &line.map(|l| l.to_string()).unwrap_or_default(),
        symbol.unwrap_or(""),
    ] {
        hasher.update(part.as_bytes());
        // A separator that cannot appear in the parts keeps ("ab", "c") apart from ("a", "bc").
        hasher.update([0]);
    }
    let digest = hasher.finalize();
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("{kind}:{hex}")
}

#[cfg(test)]
mod tests {
    use super::finding_id;

    #[test]
    fn ids_depend_on_kind_path_line_and_symbol_only() {
        let id = finding_id("ruff:E711", "a.py", Some(3), None);
        assert_eq!(id, finding_id("ruff:E711", "a.py", Some(3), None));
        assert!(id.starts_with("ruff:E711:"));
        assert_eq!(id.len(), "ruff:E711:".len() + 16);
        for other in [
            finding_id("ruff:E712", "a.py", Some(3), None),
            finding_id("ruff:E711", "b.py", Some(3), None),
            finding_id("ruff:E711", "a.py", Some(4), None),
            finding_id("ruff:E711", "a.py", Some(3), Some("f")),
        ] {
            assert_ne!(id, other);
        }
    }
}
