//! Just enough of the INI dialect of `setup.cfg` and `tox.ini` (read by Python's
//! configparser) to find requirement lists: sections, `key = value` and `key: value`, values
//! continued on indented lines, and `#`/`;` comment lines.

use std::collections::BTreeMap;

/// Sections by name, each a map from key to its (possibly multi-line) value.
pub(crate) type Ini = BTreeMap<String, BTreeMap<String, String>>;

/// Parses `text`; lines that are neither sections, keys nor continuations are skipped.
pub(crate) fn parse(text: &str) -> Ini {
    let mut ini = Ini::new();
    let mut section = String::new();
    let mut key: Option<String> = None;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some(key) = &key
                && let Some(value) = ini.get_mut(&section).and_then(|s| s.get_mut(key))
            {
                value.push('\n');
                value.push_str(trimmed);
            }
            continue;
        }
        if let Some(name) = trimmed.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            section = name.trim().to_owned();
            ini.entry(section.clone()).or_default();
            key = None;
            continue;
        }
        let split = trimmed.find(['=', ':']);
        if let Some(at) = split {
            let name = trimmed[..at].trim().to_owned();
            let value = trimmed[at + 1..].trim().to_owned();
            ini.entry(section.clone())
                .or_default()
                .insert(name.clone(), value);
            key = Some(name);
        }
    }
    ini
}

/// The non-empty lines of a multi-line value, without trailing comments.
pub(crate) fn lines(value: &str) -> impl Iterator<Item = &str> {
    value
        .lines()
        .map(|line| line.split(" #").next().unwrap_or("").trim())
        .filter(|line| !line.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_multi_line_values() {
        let ini = parse(
            "[options.extras_require]\ntest =\n    pytest>=7  # runner\n    hypothesis\n\
             ; comment\n[testenv]\ndeps = -r req.txt\ncommands: pytest\n",
        );
        let test = &ini["options.extras_require"]["test"];
        assert_eq!(lines(test).collect::<Vec<_>>(), ["pytest>=7", "hypothesis"]);
        assert_eq!(ini["testenv"]["deps"], "-r req.txt");
        assert_eq!(ini["testenv"]["commands"], "pytest");
    }
}
