//! Duplicated code across a scan's files: the detector of `tdev-targets` run over the tokens
//! each file's single parse gave, so the gate can see whether a change copied code.
//!
//! Test files (as the gate knows them: `tests/`, `test_*.py`, ...) are compared with test
//! files only, and code with code, as SonarQube keeps tests out of the duplication of the
//! code: a test that restates a function does not make the function a copy, and a change that
//! adds such a test is judged by the test rules, not by the duplication condition.
//!
//! Python stubs (`.pyi`) are not compared and count 0 duplicated lines: they restate
//! signatures by design (overloads repeat each other, a stub repeats its module), and hold no
//! code that could be reused instead.

use crate::FileReport;
use tdev_targets::duplication::{Block, Options, Place, Token, detect};

/// Sets each file's `duplicated_lines` and returns the duplicated blocks, whose `file`
/// indexes are positions in `files` (`tokens` holds each file's tokens, in the same order).
pub(crate) fn measure(
    files: &mut [FileReport],
    tokens: &[Vec<Token>],
    options: &Options,
) -> Vec<Block> {
    let policy = tdev_gates::Policy::default();
    let compared = (0..files.len()).filter(|&i| !files[i].path.ends_with(".pyi"));
    let (tests, code): (Vec<usize>, Vec<usize>) =
        compared.partition(|&i| policy.is_test_file(&files[i].path));
    for file in files.iter_mut() {
        file.duplicated_lines = Some(0);
    }
    let mut blocks = Vec::new();
    for group in [code, tests] {
        let slices: Vec<&[Token]> = group.iter().map(|&i| tokens[i].as_slice()).collect();
        let found = detect(&slices, options);
        for (&i, lines) in group.iter().zip(&found.lines) {
            files[i].duplicated_lines = Some(u32::try_from(lines.len()).unwrap_or(u32::MAX));
        }
        let place = |p: Place| Place {
            file: group[p.file],
            ..p
        };
        blocks.extend(found.blocks.into_iter().map(|b| Block {
            original: place(b.original),
            copy: place(b.copy),
            ..b
        }));
    }
    blocks
}
