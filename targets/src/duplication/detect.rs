//! Finding the copies: every window of `min_tokens` tokens of every file is hashed with a
//! rolling hash, windows with equal hashes are compared token by token, and runs of equal
//! windows become blocks.
//!
//! The rules, in the order they apply:
//! - A *window* is `min_tokens` consecutive tokens of one file (never across files). Windows
//!   with equal (normalised) tokens form a class; the first of them (by file, then position)
//!   is the class's *original*. A hash only proposes a match: windows are compared token by
//!   token before they are put in a class, so a hash collision never makes a match.
//! - A class with two windows in one file closer than `min_tokens` tokens is a *repeat*, not
//!   a copy: the window overlaps itself, as in a run of the same short statement or a list
//!   of strings.
//! - Windows are grouped a second time by their tokens as written (names and literals
//!   included). A window is paired with the first window written the same, when there is one
//!   and that class is not a repeat; otherwise with its class's original, when the class is
//!   not a repeat; otherwise it is not a copy (PMD's CPD drops such overlapping matches too).
//!   So a verbatim copy names its verbatim original, not an earlier lookalike, and a table of
//!   constants pasted as it is, is a copy. Names and literals as written are compared by a
//!   64-bit hash of their text; the normalised tokens, compared exactly, still decide what is
//!   a copy, so a collision could at most name another original or count a repeat's tokens.
//! - The tokens of a repeat count toward a block's `min_tokens` only in a block copied exactly
//!   as written, and only if they are no repeat as written either: two long lists of different
//!   names look alike without either being a copy, nor is one long run of `None,` a copy of
//!   another.
//! - Consecutive windows paired with consecutive windows (`s, s+1, ...` with `r, r+1, ...`),
//!   both written the same or both not, join into one block, so a block is as long as the copy
//!   goes on matching the same original the same way. In one file a block is cut where its
//!   copy would overlap its original.
//! - Blocks whose copies overlap and whose originals overlap or touch are one block: a stretch
//!   of code copied from one place, split where some of its windows had been seen elsewhere
//!   first.
//! - A block is kept when it holds code (the start of a token) on at least `min_lines`
//!   lines, on both sides.
//!
//! Every step is linear in the number of tokens but the token-by-token check that starts a
//! block, which is linear in `min_tokens`.

use super::{Block, Duplication, Options, Place, Token};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;

/// No class: fewer than `min_tokens` tokens remain in the file.
const NONE: u32 = u32::MAX;

/// Detects the duplicated blocks among `files` (the tokens of each file, as the `tokens` of
/// `python::analyze` and `rust::analyze` give them).
pub fn detect(files: &[&[Token]], options: &Options) -> Duplication {
    detect_with(files, options, mix)
}

/// [`detect`] with the function that spreads a symbol's bits before hashing: tests give one
/// that makes every window's hash collide.
pub(super) fn detect_with(
    files: &[&[Token]],
    options: &Options,
    mix: fn(u64) -> u64,
) -> Duplication {
    let n = options.min_tokens.max(2);
    let tokens = Tokens::new(files);
    let normalised = Classes::new(&tokens, &tokens.symbols, n, mix);
    let exact = Classes::new(&tokens, &tokens.exact, n, mix);
    let repeated = repeated_tokens(&normalised, n);
    let repeated_exactly = repeated_tokens(&exact, n);
    // An original copied as written is the better one to name; the normalised classes still
    // decide what is a copy, so a collision of the hashes of two names can change only which
    // original is named. The flag says whether the pair is written the same.
    let pair = |s: usize| {
        exact
            .pair(&tokens, s, n)
            .filter(|&r| normalised.of[r] == normalised.of[s])
            .map(|r| (r, true))
            .or_else(|| normalised.pair(&tokens, s, n).map(|r| (r, false)))
    };

    let mut runs = Vec::new();
    let total = tokens.symbols.len();
    let mut s = 0;
    while s < total {
        let Some((r, written_the_same)) = pair(s) else {
            s += 1;
            continue;
        };
        // The block goes on while the next window is paired with the next original window,
        // in the same way (a verbatim stretch of a copy is a block of its own).
        let mut last = s;
        while last + 1 < total && pair(last + 1) == Some((r + last + 1 - s, written_the_same)) {
            last += 1;
        }
        let mut len = last - s + n;
        if tokens.file[r] == tokens.file[s] {
            len = len.min(s - r);
        }
        // Tokens of a repeat count only in a block copied exactly as written, and only if they
        // are no repeat even as written (a long run of `None,`).
        let exactly = tokens.exact[r..r + len] == tokens.exact[s..s + len];
        let repeats = if exactly {
            &repeated_exactly
        } else {
            &repeated
        };
        let counted = (0..len)
            .filter(|&i| !(repeats[r + i] || repeats[s + i]))
            .count();
        if len >= n && counted >= n {
            runs.push(Run {
                original: r..r + len,
                copy: s..s + len,
            });
        }
        s = last + 1;
    }
    let mut blocks: Vec<Block> = merge(&tokens, runs)
        .into_iter()
        .filter_map(|run| tokens.block(&run, options.min_lines))
        .collect();
    blocks.sort_by_key(|b| (b.original.file, b.original.line, b.copy.file, b.copy.line));

    let mut lines = vec![Vec::new(); files.len()];
    for block in &blocks {
        for place in [&block.original, &block.copy] {
            lines[place.file].extend(place.line..=place.end_line);
        }
    }
    for file in &mut lines {
        file.sort_unstable();
        file.dedup();
    }
    Duplication { blocks, lines }
}

/// Which tokens lie in a window of a repeat.
fn repeated_tokens(classes: &Classes, n: usize) -> Vec<bool> {
    let (classes, repeats) = (&classes.of, &classes.repeat);
    // Windows start and end; a running count says whether a token is inside one.
    let mut delta = vec![0i64; classes.len() + 1];
    for (s, &class) in classes.iter().enumerate() {
        if class != NONE && repeats[class as usize] {
            delta[s] += 1;
            delta[s + n] -= 1;
        }
    }
    let mut inside = 0;
    delta[..classes.len()]
        .iter()
        .map(|d| {
            inside += d;
            inside > 0
        })
        .collect()
}

/// A copied run of tokens: positions in [`Tokens::symbols`].
struct Run {
    original: Range<usize>,
    copy: Range<usize>,
}

/// Joins runs whose copies overlap and whose originals overlap or touch: one stretch of code
/// copied from one place, split where some of its windows had been seen elsewhere first.
fn merge(tokens: &Tokens<'_>, mut runs: Vec<Run>) -> Vec<Run> {
    let files = |run: &Run| (tokens.file[run.copy.start], tokens.file[run.original.start]);
    runs.sort_by_key(|run| (files(run), run.copy.start));
    let mut merged: Vec<Run> = Vec::with_capacity(runs.len());
    for run in runs {
        if let Some(last) = merged.last_mut()
            && files(last) == files(&run)
            && overlapping(last, &run)
        {
            last.copy.end = last.copy.end.max(run.copy.end);
            last.original.start = last.original.start.min(run.original.start);
            last.original.end = last.original.end.max(run.original.end);
            continue;
        }
        merged.push(run);
    }
    merged
}

/// Whether `next` (which starts no earlier than `run` in the copy) overlaps `run` in the copy
/// and overlaps or touches it in the original.
fn overlapping(run: &Run, next: &Run) -> bool {
    next.copy.start < run.copy.end
        && next.original.start <= run.original.end
        && run.original.start <= next.original.end
}

/// All files' tokens end to end, with where each file starts and ends.
struct Tokens<'a> {
    files: &'a [&'a [Token]],
    symbols: Vec<u64>,
    /// Each token as written ([`Token::exact`]).
    exact: Vec<u64>,
    /// The file of each token.
    file: Vec<usize>,
    /// Where each file's tokens start in `symbols`.
    starts: Vec<usize>,
}

impl<'a> Tokens<'a> {
    fn new(files: &'a [&'a [Token]]) -> Self {
        let total = files.iter().map(|f| f.len()).sum();
        let mut symbols = Vec::with_capacity(total);
        let mut exact = Vec::with_capacity(total);
        let mut file = Vec::with_capacity(total);
        let mut starts = Vec::with_capacity(files.len());
        for (index, tokens) in files.iter().enumerate() {
            starts.push(symbols.len());
            symbols.extend(tokens.iter().map(|t| t.symbol));
            exact.extend(tokens.iter().map(|t| t.exact));
            file.extend(std::iter::repeat_n(index, tokens.len()));
        }
        Tokens {
            files,
            symbols,
            exact,
            file,
            starts,
        }
    }

    fn end(&self, file: usize) -> usize {
        self.starts
            .get(file + 1)
            .copied()
            .unwrap_or(self.symbols.len())
    }

    /// The block of a run, if it holds code on enough lines.
    fn block(&self, run: &Run, min_lines: usize) -> Option<Block> {
        let lines = self
            .code_lines(run.original.clone())
            .min(self.code_lines(run.copy.clone()));
        (lines >= min_lines).then(|| Block {
            original: self.place(run.original.clone()),
            copy: self.place(run.copy.clone()),
            tokens: run.copy.len(),
            lines,
        })
    }

    fn token(&self, at: usize) -> &Token {
        let file = self.file[at];
        &self.files[file][at - self.starts[file]]
    }

    fn place(&self, range: Range<usize>) -> Place {
        Place {
            file: self.file[range.start],
            line: self.token(range.start).line,
            end_line: self.token(range.end - 1).end_line,
        }
    }

    /// Lines on which a token of `range` starts.
    fn code_lines(&self, range: Range<usize>) -> usize {
        let mut lines = 0;
        let mut previous = 0;
        for i in range {
            let line = self.token(i).line;
            if line != previous {
                lines += 1;
                previous = line;
            }
        }
        lines
    }
}

/// Windows grouped by their tokens, normalised or as written.
struct Classes {
    /// The class of every window: the position of the first window with the same tokens, or
    /// [`NONE`] where fewer than `n` tokens of the file remain.
    of: Vec<u32>,
    /// Which classes (by their first window) are repeats: two of their windows lie in one
    /// file, closer than `n` tokens.
    repeat: Vec<bool>,
}

impl Classes {
    fn new(tokens: &Tokens<'_>, symbols: &[u64], n: usize, mix: fn(u64) -> u64) -> Self {
        let mut of = vec![NONE; symbols.len()];
        // Hash of a window to its class's first window; classes whose hashes collide are
        // chained through `next`.
        let mut first: HashMap<u64, u32, WindowHashes> = HashMap::default();
        let mut next = vec![NONE; symbols.len()];
        let top = (1..n).fold(1u64, |p, _| p.wrapping_mul(BASE));
        for file in 0..tokens.starts.len() {
            let (start, end) = (tokens.starts[file], tokens.end(file));
            if end - start < n {
                continue;
            }
            let mut hash = symbols[start..start + n]
                .iter()
                .fold(0u64, |h, &s| h.wrapping_mul(BASE).wrapping_add(mix(s)));
            for s in start..=end - n {
                if s > start {
                    hash = hash
                        .wrapping_sub(mix(symbols[s - 1]).wrapping_mul(top))
                        .wrapping_mul(BASE)
                        .wrapping_add(mix(symbols[s + n - 1]));
                }
                let window = Window {
                    symbols,
                    s,
                    start,
                    n,
                };
                of[s] = window.class(&of, &mut first, &mut next, hash);
            }
        }
        let repeat = repeats(tokens, &of, n);
        Classes { of, repeat }
    }

    /// The original window the window at `s` is paired with, if it is a copy and not a
    /// repeat.
    fn pair(&self, tokens: &Tokens<'_>, s: usize, n: usize) -> Option<usize> {
        let r = self.of[s];
        if r == NONE || r as usize == s || self.repeat[r as usize] {
            return None;
        }
        // A window of a class that is not a repeat lies at least `n` tokens after its
        // original in the same file; the check keeps that plain.
        let r = r as usize;
        (tokens.file[r] != tokens.file[s] || s - r >= n).then_some(r)
    }
}

/// Keys of window hashes are already hashes: hashing them again (std's SipHash) would only
/// cost time, so they are only spread over the high bits the table also uses.
type WindowHashes = BuildHasherDefault<SpreadHasher>;

/// The hasher of [`WindowHashes`].
#[derive(Default)]
struct SpreadHasher(u64);

impl Hasher for SpreadHasher {
    fn finish(&self) -> u64 {
        self.0.wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// The multiplier of the rolling hash (odd, so multiplication is a bijection mod 2^64).
const BASE: u64 = 0x0000_0100_0000_01b3;

/// Spreads a symbol's bits, so symbols that differ in a few bits hash far apart.
fn mix(symbol: u64) -> u64 {
    let x = (symbol ^ (symbol >> 31)).wrapping_mul(0x7fb5_d329_728e_a185);
    x ^ (x >> 27)
}

/// The window of `n` symbols at `s`, in the file that starts at `start`.
struct Window<'a> {
    symbols: &'a [u64],
    s: usize,
    start: usize,
    n: usize,
}

impl Window<'_> {
    /// The window's class, given the classes of the windows before it.
    fn class(
        &self,
        classes: &[u32],
        first: &mut HashMap<u64, u32, WindowHashes>,
        next: &mut [u32],
        hash: u64,
    ) -> u32 {
        let Window {
            symbols,
            s,
            start,
            n,
        } = *self;
        let same = |r: usize| symbols[r..r + n] == symbols[s..s + n];
        // Fast path: the window before was a copy of the one at `p`, and the token entering
        // the window matches the one entering at `p + 1`, so this window has `p + 1`'s class.
        if s > start {
            let p = classes[s - 1];
            if p != NONE && p as usize != s - 1 {
                let q = p as usize + 1;
                if classes[q] != NONE && symbols[q + n - 1] == symbols[s + n - 1] {
                    return classes[q];
                }
            }
        }
        let mut candidate = first.get(&hash).copied().unwrap_or(NONE);
        let mut last = NONE;
        while candidate != NONE {
            if same(candidate as usize) {
                return candidate;
            }
            last = candidate;
            candidate = next[candidate as usize];
        }
        let s32 = u32::try_from(s).unwrap_or(NONE);
        if last == NONE {
            first.insert(hash, s32);
        } else {
            next[last as usize] = s32;
        }
        s32
    }
}

/// Which classes are repeats: two of their windows lie in one file, closer than `n` tokens.
fn repeats(tokens: &Tokens<'_>, classes: &[u32], n: usize) -> Vec<bool> {
    let mut repeats = vec![false; classes.len()];
    // The last window seen of each class, by the class's first window.
    let mut last = vec![NONE; classes.len()];
    for (s, &class) in classes.iter().enumerate() {
        if class == NONE {
            continue;
        }
        let previous = std::mem::replace(&mut last[class as usize], s as u32) as usize;
        if previous != NONE as usize && tokens.file[previous] == tokens.file[s] && s - previous < n
        {
            repeats[class as usize] = true;
        }
    }
    repeats
}
