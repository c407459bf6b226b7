//! Text measured in the columns a terminal gives it, for the tables tdev prints for people. A
//! CJK character takes two columns and a combining accent none, so counting `char`s (what
//! `format!`'s padding does) would misalign a table.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// How many terminal columns `text` takes.
pub fn display_width(text: &str) -> usize {
    text.width()
}

/// `text` followed by spaces up to `width` columns (unchanged when it is as wide already).
pub fn pad_end(text: &str, width: usize) -> String {
    let mut padded = text.to_owned();
    padded.extend(std::iter::repeat_n(' ', width.saturating_sub(text.width())));
    padded
}

/// `text` if it takes at most `width` columns; otherwise as much of it as fits in
/// `width - 1` columns, followed by `…`.
pub fn truncate_to_width(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_owned();
    }
    let mut cut = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w >= width {
            break;
        }
        used += w;
        cut.push(c);
    }
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::{display_width, pad_end, truncate_to_width};

    #[test]
    fn wide_and_combining_characters_are_measured_in_columns() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("日本"), 4);
        assert_eq!(display_width("e\u{301}"), 1);
        assert_eq!(pad_end("日本", 6), "日本  ");
        assert_eq!(pad_end("abcdef", 3), "abcdef");
    }

    #[test]
    fn truncation_keeps_within_the_width() {
        assert_eq!(truncate_to_width("abc", 3), "abc");
        assert_eq!(truncate_to_width("abcdef", 4), "abc…");
        // A wide character that would cross the limit is left out whole.
        assert_eq!(truncate_to_width("a日本", 4), "a日…");
        assert_eq!(truncate_to_width("日本語", 4), "日…");
    }
}
