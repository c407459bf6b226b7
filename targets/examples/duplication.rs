//! Measures the duplication detector on whole projects, for `docs/benchmarks.md`: for each
//! directory given, every Python and Rust file under it (hidden directories left out) is read,
//! parsed into tokens, and all of them are given to `detect` at once.
//!
//! ```sh
//! cargo run --release -p tdev-targets --example duplication -- ~/.cache/tdev/datasets/*/
//! ```
//!
//! It prints one Markdown table row per directory: files, lines, tokens, blocks, duplicated
//! lines, and the median time of 5 runs of tokenising (one parse per file) and of detecting.
//! With `--lines` first, it prints every duplicated line instead, as `path<TAB>line`
//! (`scripts/reference-duplication` compares them with jscpd's).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tdev_targets::duplication::{Options, Token, detect, python_tokens, rust_tokens};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut dirs: Vec<String> = std::env::args().skip(1).collect();
    let list_lines = dirs.first().is_some_and(|a| a == "--lines");
    if list_lines {
        dirs.remove(0);
    } else {
        println!(
            "| project | files | lines | tokens | blocks | duplicated lines | tokenise | detect |"
        );
        println!("|---|---|---|---|---|---|---|---|");
    }
    for dir in dirs {
        let mut files = Vec::new();
        collect(Path::new(&dir), &mut files)?;
        files.sort();
        let sources: Vec<(PathBuf, String)> = files
            .into_iter()
            .filter_map(|path| std::fs::read_to_string(&path).ok().map(|s| (path, s)))
            .collect();
        let lines: usize = sources.iter().map(|(_, s)| s.lines().count()).sum();

        let mut tokenise = Vec::new();
        let mut tokens: Vec<Vec<Token>> = Vec::new();
        for _ in 0..5 {
            let started = Instant::now();
            tokens = sources
                .iter()
                .map(
                    |(path, source)| match path.extension().and_then(|e| e.to_str()) {
                        Some("rs") => rust_tokens(source),
                        _ => python_tokens(source),
                    },
                )
                .collect::<Result<_, _>>()?;
            tokenise.push(started.elapsed());
        }
        let slices: Vec<&[Token]> = tokens.iter().map(Vec::as_slice).collect();
        let mut detecting = Vec::new();
        let mut found = detect(&slices, &Options::default());
        for _ in 0..5 {
            let started = Instant::now();
            found = detect(&slices, &Options::default());
            detecting.push(started.elapsed());
        }
        if list_lines {
            for ((path, _), lines) in sources.iter().zip(&found.lines) {
                for line in lines {
                    println!("{}\t{line}", path.display());
                }
            }
            continue;
        }
        let name = Path::new(&dir)
            .file_name()
            .unwrap_or_default()
            .to_string_lossy();
        println!(
            "| {name} | {} | {lines} | {} | {} | {} | {} | {} |",
            sources.len(),
            tokens.iter().map(Vec::len).sum::<usize>(),
            found.blocks.len(),
            found.lines.iter().map(Vec::len).sum::<usize>(),
            median(&mut tokenise),
            median(&mut detecting),
        );
    }
    Ok(())
}

/// Python and Rust files under `dir`, leaving hidden directories out.
fn collect(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let hidden = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if path.is_dir() && !hidden {
            collect(&path, files)?;
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("py" | "pyi" | "rs")
        ) {
            files.push(path);
        }
    }
    Ok(())
}

fn median(times: &mut [Duration]) -> String {
    times.sort();
    format!("{:.1} ms", times[times.len() / 2].as_secs_f64() * 1000.0)
}
