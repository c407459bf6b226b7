//! Finding the copies: every window of `min_tokens` tokens of every file is hashed with a
//! rolling hash, windows with equal hashes are compared token by token, and runs of equal
//! windows become blocks.
//!
//! The rules, in the order they apply:
//! - A *window* is `min_tokens` consecutive tokens of one file (never across files). Windows
//!   with equal tokens form a class; the first of them (by file, then position) is the
//!   class's *original*, and every other is paired with it. A hash only proposes a match:
//!   windows are compared token by token before they are put in a class, so a hash collision
//!   never makes a match.
//! - A class with two windows in one file closer than `min_tokens` tokens is a *repeat*, not
//!   a copy: the window overlaps itself, as in a run of the same short statement or a list
//!   of strings. Its windows are never paired (PMD's CPD drops such overlapping matches too),
//!   and the tokens they cover count toward a block's `min_tokens` only where the copy has
//!   them exactly as written: two long lists of different names look alike without either
//!   being a copy, while a table of constants copied as it is, is one.
//! - Consecutive windows paired with consecutive windows (`s, s+1, ...` with `r, r+1, ...`)
//!   join into one block, so a block is as long as the copy goes on matching the same
//!   original. In one file a block is cut where its copy would overlap its original.
//! - Blocks whose copies overlap and whose originals overlap or touch are one block: a stretch
//!   of code copied from one place, split where some of its windows had been seen elsewhere
//!   first. So are two blocks of one copy and one original separated by tokens copied exactly
//!   (the inside of a copied table, whose windows are repeats).
//! - A block is kept when it holds code (the start of a token) on at least `min_lines`
//!   lines, on both sides.
//!
//! Every step is linear in the number of tokens but the token-by-token check that starts a
//! block, which is linear in `min_tokens`.

use super::{Block, Duplication, Options, Place, Token};
use std::collections::HashMap;
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
    let classes = classes(&tokens, n, mix);
    let repeats = repeats(&tokens, &classes, n);
    let repeated = repeated_tokens(&classes, &repeats, n);

    let mut runs = Vec::new();
    let total = tokens.symbols.len();
    let mut s = 0;
    while s < total {
        let Some(r) = tokens.pair(&classes, &repeats, s) else {
            s += 1;
            continue;
        };
        // The block goes on while the next window is paired with the next original window.
        let mut last = s;
        while last + 1 < total
            && tokens.pair(&classes, &repeats, last + 1) == Some(r + last + 1 - s)
        {
            last += 1;
        }
        let mut len = last - s + n;
        if tokens.file[r] == tokens.file[s] {
            len = len.min(s - r);
        }
        // Tokens of a repeat count only where they were copied exactly.
        let counted = (0..len)
            .filter(|&i| {
                !(repeated[r + i] || repeated[s + i]) || tokens.exact[r + i] == tokens.exact[s + i]
            })
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
fn repeated_tokens(classes: &[u32], repeats: &[bool], n: usize) -> Vec<bool> {
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
/// Also joins two runs of one copy separated by tokens copied exactly: a repeat (a table of
/// constants) copied as it is, whose windows are never paired.
fn merge(tokens: &Tokens<'_>, mut runs: Vec<Run>) -> Vec<Run> {
    let files = |run: &Run| (tokens.file[run.copy.start], tokens.file[run.original.start]);
    runs.sort_by_key(|run| (files(run), run.copy.start));
    let mut merged: Vec<Run> = Vec::with_capacity(runs.len());
    for run in runs {
        if let Some(last) = merged.last_mut()
            && files(last) == files(&run)
            && (overlapping(last, &run) || tokens.exact_gap(last, &run))
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

    /// The original window the window at `s` is paired with, if it is a copy and not a repeat.
    fn pair(&self, classes: &[u32], repeats: &[bool], s: usize) -> Option<usize> {
        let r = classes[s];
        if r == NONE || r as usize == s || repeats[r as usize] {
            return None;
        }
        Some(r as usize)
    }

    /// Whether `next` continues `run` in both copy and original after a gap of tokens copied
    /// exactly, without the copy reaching its original.
    fn exact_gap(&self, run: &Run, next: &Run) -> bool {
        let (gap, original_gap) = (
            run.copy.end..next.copy.start,
            run.original.end..next.original.start,
        );
        next.copy.start >= run.copy.end
            && gap.len() == original_gap.len()
            && next.original.start >= run.original.end
            && (self.file[next.original.start] != self.file[run.copy.start]
                || next.original.end <= run.copy.start)
            && gap
                .zip(original_gap)
                .all(|(c, o)| self.exact[c] == self.exact[o])
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

/// The class of every window: the position of the first window with the same tokens, or
/// [`NONE`] where fewer than `n` tokens of the file remain.
fn classes(tokens: &Tokens<'_>, n: usize, mix: fn(u64) -> u64) -> Vec<u32> {
    let symbols = &tokens.symbols;
    let mut classes = vec![NONE; symbols.len()];
    // Hash of a window to its class's first window; classes whose hashes collide are
    // chained through `next`.
    let mut first: HashMap<u64, u32> = HashMap::new();
    let mut next: HashMap<u32, u32> = HashMap::new();
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
            classes[s] = class_of(tokens, &classes, &mut first, &mut next, hash, s, start, n);
        }
    }
    classes
}

/// The multiplier of the rolling hash (odd, so multiplication is a bijection mod 2^64).
const BASE: u64 = 0x0000_0100_0000_01b3;

/// Spreads a symbol's bits, so symbols that differ in a few bits hash far apart.
fn mix(symbol: u64) -> u64 {
    let x = (symbol ^ (symbol >> 31)).wrapping_mul(0x7fb5_d329_728e_a185);
    x ^ (x >> 27)
}

#[expect(clippy::too_many_arguments, reason = "the state of one pass")]
fn class_of(
    tokens: &Tokens<'_>,
    classes: &[u32],
    first: &mut HashMap<u64, u32>,
    next: &mut HashMap<u32, u32>,
    hash: u64,
    s: usize,
    start: usize,
    n: usize,
) -> u32 {
    let symbols = &tokens.symbols;
    let same = |r: usize| symbols[r..r + n] == symbols[s..s + n];
    // Fast path: the window before was a copy of the one at `p`, and the token entering the
    // window matches the one entering at `p + 1`, so this window has `p + 1`'s class.
    if s > start {
        let p = classes[s - 1];
        if p != NONE && p as usize != s - 1 {
            let q = p as usize + 1;
            if classes[q] != NONE && symbols[q + n - 1] == symbols[s + n - 1] {
                return classes[q];
            }
        }
    }
    let mut candidate = first.get(&hash).copied();
    let mut last = None;
    while let Some(r) = candidate {
        if same(r as usize) {
            return r;
        }
        last = Some(r);
        candidate = next.get(&r).copied();
    }
    let s32 = u32::try_from(s).unwrap_or(NONE);
    match last {
        None => first.insert(hash, s32),
        Some(r) => next.insert(r, s32),
    };
    s32
}

/// Which classes are repeats: two of their windows lie in one file, closer than `n` tokens.
fn repeats(tokens: &Tokens<'_>, classes: &[u32], n: usize) -> Vec<bool> {
    let mut repeats = vec![false; classes.len()];
    let mut last: HashMap<u32, usize> = HashMap::new();
    for (s, &class) in classes.iter().enumerate() {
        if class == NONE {
            continue;
        }
        if let Some(previous) = last.insert(class, s)
            && tokens.file[previous] == tokens.file[s]
            && s - previous < n
        {
            repeats[class as usize] = true;
        }
    }
    repeats
}
