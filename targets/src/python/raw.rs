//! Raw line metrics of Python source (LOC, LLOC, SLOC, comments, multi-line strings, blank
//! lines), counted as radon's `raw` module counts them.
//!
//! radon's rules, restated: lines are stripped and grouped into the shortest runs that
//! tokenize completely (a statement continues while a bracket or a triple-quoted string is
//! open, or a line ends with a backslash). A run that is a single comment, or a single string
//! on one line, is one "single comment"; a single string over several lines counts its
//! non-empty lines as "multi"; anything else counts its non-empty lines as SLOC and empty ones
//! as blank. Every `#` comment counts as a comment line. A logical line is each `;`-separated
//! part holding code, counted twice when its last `:` is not where it ends (`if x: y`) —
//! including the `:` of dicts, slices, lambdas and annotations, as radon does.

/// Line counts of one module.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RawMetrics {
    /// All lines: `sloc + blank + multi + single_comments`.
    pub loc: u32,
    /// Logical lines of code.
    pub lloc: u32,
    /// Source lines of code.
    pub sloc: u32,
    /// Lines holding a `#` comment, code or not.
    pub comments: u32,
    /// Lines of multi-line strings standing alone (docstrings, mostly).
    pub multi: u32,
    /// Blank lines.
    pub blank: u32,
    /// Lines that are only a comment or a one-line string.
    pub single_comments: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token {
    Comment,
    /// A string literal; `true` when it spans lines.
    Str(bool),
    Colon,
    Semicolon,
    Other,
}

/// Lines as Python's `str.splitlines` splits them.
fn split_lines(source: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut chars = source.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let breaks = matches!(
            c,
            '\n' | '\r'
                | '\x0b'
                | '\x0c'
                | '\x1c'
                | '\x1d'
                | '\x1e'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        );
        if breaks {
            lines.push(&source[start..i]);
            let mut end = i + c.len_utf8();
            if c == '\r' && chars.peek().is_some_and(|(_, n)| *n == '\n') {
                chars.next();
                end += 1;
            }
            start = end;
        }
    }
    if start < source.len() {
        lines.push(&source[start..]);
    }
    lines
}

/// Python tokens of a run of lines, fed one stripped line at a time, with what is still
/// open (brackets, a string, a backslash continuation) so that a run's end is found in one pass.
#[derive(Default)]
struct Tokenizer {
    tokens: Vec<Token>,
    depth: i32,
    /// An open string: its quote, whether it is triple-quoted, and the row it started on.
    string: Option<(u8, bool, usize)>,
    row: usize,
    lines: usize,
    continued: bool,
    /// A single-quoted string that never closes: Python's tokenizer reports an error token,
    /// and radon (which then reads on to the end of the file) cannot measure the file.
    broken: bool,
}

impl Tokenizer {
    /// Whether the lines fed so far tokenize completely.
    fn complete(&self) -> bool {
        self.string.is_none() && self.depth <= 0 && !self.continued && !self.broken
    }

    fn feed(&mut self, line: &str) {
        if self.lines > 0 {
            self.row += 1;
        }
        self.lines += 1;
        self.continued = false;
        let b = line.as_bytes();
        let mut i = 0;
        if let Some((quote, triple, start)) = self.string {
            match string_close(b, 0, quote, triple) {
                Some(end) => {
                    self.tokens.push(Token::Str(self.row != start));
                    self.string = None;
                    i = end;
                }
                None => return,
            }
        }
        while i < b.len() {
            let c = b[i];
            match c {
                b' ' | b'\t' | b'\x0c' | b'\r' => i += 1,
                b'#' => {
                    self.tokens.push(Token::Comment);
                    return;
                }
                b'\\' => {
                    self.continued = i + 1 == b.len();
                    i += 1;
                }
                b'(' | b'[' | b'{' => {
                    self.depth += 1;
                    self.tokens.push(Token::Other);
                    i += 1;
                }
                b')' | b']' | b'}' => {
                    self.depth -= 1;
                    self.tokens.push(Token::Other);
                    i += 1;
                }
                b':' if b.get(i + 1) == Some(&b'=') => {
                    self.tokens.push(Token::Other);
                    i += 2;
                }
                b':' => {
                    self.tokens.push(Token::Colon);
                    i += 1;
                }
                b';' => {
                    self.tokens.push(Token::Semicolon);
                    i += 1;
                }
                b'\'' | b'"' => match self.open_string(b, i) {
                    Some(end) => i = end,
                    None => return,
                },
                _ if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 => {
                    let start = i;
                    while i < b.len()
                        && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] >= 0x80)
                    {
                        i += 1;
                    }
                    // A string prefix (r, b, u, f and their pairs) glued to a quote.
                    let word = &line[start..i];
                    let is_prefix = word.len() <= 2
                        && word.chars().all(|ch| "rRbBuUfF".contains(ch))
                        && matches!(b.get(i), Some(b'\'' | b'"'));
                    if is_prefix {
                        match self.open_string(b, i) {
                            Some(end) => i = end,
                            None => return,
                        }
                    } else {
                        self.tokens.push(Token::Other);
                    }
                }
                _ => {
                    self.tokens.push(Token::Other);
                    i += 1;
                }
            }
        }
    }

    /// A string starting at `i`: its end on this line, or `None` when it goes on (or breaks).
    fn open_string(&mut self, b: &[u8], i: usize) -> Option<usize> {
        let quote = b[i];
        let triple = b.len() >= i + 3 && b[i + 1] == quote && b[i + 2] == quote;
        let from = if triple { i + 3 } else { i + 1 };
        if let Some(end) = string_close(b, from, quote, triple) {
            self.tokens.push(Token::Str(false));
            return Some(end);
        }
        if triple || b.last() == Some(&b'\\') {
            self.string = Some((quote, triple, self.row));
        } else {
            self.broken = true;
        }
        None
    }
}

/// Where a string with this quote closes on this line, scanning from `from`.
fn string_close(b: &[u8], from: usize, quote: u8, triple: bool) -> Option<usize> {
    let mut j = from;
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            c if c == quote && !triple => return Some(j + 1),
            c if c == quote && b.len() >= j + 3 && b[j + 1] == quote && b[j + 2] == quote => {
                return Some(j + 3);
            }
            _ => j += 1,
        }
    }
    None
}

/// Logical lines of one run of tokens.
fn logical(tokens: &[Token]) -> u32 {
    let parts: Vec<&[Token]> = tokens.split(|t| *t == Token::Semicolon).collect();
    let last = parts.len() - 1;
    parts
        .iter()
        .enumerate()
        .map(|(n, part)| {
            let code: Vec<Token> = part
                .iter()
                .copied()
                .filter(|t| *t != Token::Comment)
                .collect();
            // radon's token list ends with ENDMARKER in the last part only.
            let len = code.len() + usize::from(n == last);
            match code.iter().rposition(|t| *t == Token::Colon) {
                Some(pos) => 2 - u32::from(len >= 2 && pos == len - 2),
                None => u32::from(!code.is_empty()),
            }
        })
        .sum()
}

/// Raw metrics of a module; `None` when a statement or string never closes (invalid Python).
pub fn raw_metrics(source: &str) -> Option<RawMetrics> {
    let lines: Vec<&str> = split_lines(source).into_iter().map(str::trim).collect();
    let mut m = RawMetrics::default();
    let mut i = 0;
    while i < lines.len() {
        let mut tokenizer = Tokenizer::default();
        let mut end = i;
        loop {
            tokenizer.feed(lines.get(end)?);
            end += 1;
            if tokenizer.complete() {
                break;
            }
        }
        let tokens = tokenizer.tokens;
        let run = &lines[i..end];
        m.comments += count(&tokens, |t| t == Token::Comment);
        match tokens.as_slice() {
            [Token::Comment] => m.single_comments += 1,
            [Token::Str(false)] => m.single_comments += 1,
            [Token::Str(true)] => {
                m.multi += count_lines(run, |l| !l.is_empty());
                m.blank += count_lines(run, str::is_empty);
            }
            _ => {
                m.sloc += count_lines(run, |l| !l.is_empty());
                m.blank += count_lines(run, str::is_empty);
            }
        }
        m.lloc += logical(&tokens);
        i = end;
    }
    m.loc = m.sloc + m.blank + m.multi + m.single_comments;
    Some(m)
}

fn count(tokens: &[Token], keep: impl Fn(Token) -> bool) -> u32 {
    u32::try_from(tokens.iter().filter(|t| keep(**t)).count()).unwrap_or(u32::MAX)
}

fn count_lines(lines: &[&str], keep: impl Fn(&str) -> bool) -> u32 {
    u32::try_from(lines.iter().filter(|l| keep(l)).count()).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(source: &str, loc: u32, lloc: u32, sloc: u32, comments: u32, multi: u32, blank: u32) {
        let m = raw_metrics(source).unwrap();
        assert_eq!(
            (m.loc, m.lloc, m.sloc, m.comments, m.multi, m.blank),
            (loc, lloc, sloc, comments, multi, blank),
            "{source}"
        );
    }

    #[test]
    fn lines_are_counted_like_radon() {
        check("x = 1\n", 1, 1, 1, 0, 0, 0);
        check("# c\n\nx = 1  # d\n", 3, 1, 1, 2, 0, 1);
        check(
            "def f():\n    \"\"\"Doc.\n\n    More.\n    \"\"\"\n    return 1\n",
            6,
            3,
            2,
            0,
            3,
            1,
        );
        check("if x: y = 1\n", 1, 2, 1, 0, 0, 0);
        check("d = {1: 2}\n", 1, 2, 1, 0, 0, 0);
        check("x = (1,\n     2)\n", 2, 1, 2, 0, 0, 0);
        check("a = 1; b = 2\n", 1, 2, 1, 0, 0, 0);
        check("'''one line'''\n", 1, 1, 0, 0, 0, 0);
        check("x = 1 + \\\n    2\n", 2, 1, 2, 0, 0, 0);
    }
}
