//! What the detector reports on small repositories: copies, renamed copies, near misses and
//! repeats within one file.

use super::detect::detect_with;
use super::{Duplication, Options, detect, python_tokens, rust_tokens};

/// A function of 103 tokens on 13 lines: just over the default thresholds.
const PARSE: &str = r##"def parse(text, sep=","):
    fields = []
    for part in text.split(sep):
        part = part.strip()
        if not part:
            continue
        if part.startswith("#"):
            break
        key, _, value = part.partition("=")
        fields.append((key.strip(), value.strip()))
    result = {k: v for k, v in fields if v}
    print(len(result), sep, text)
    return result
"##;

/// The same logic with every name and constant changed.
const RENAMED: &str = r##"def split_pairs(line, delimiter=";"):
    pairs = []
    for chunk in line.split(delimiter):
        chunk = chunk.strip()
        if not chunk:
            continue
        if chunk.startswith("//"):
            break
        name, _, setting = chunk.partition(":")
        pairs.append((name.strip(), setting.strip()))
    table = {a: b for a, b in pairs if b}
    print(len(table), delimiter, line)
    return table
"##;

/// Code of another shape, longer than `PARSE`.
const OTHER_SHAPE: &str = r#"class Store:
    def __init__(self, path, mode="r"):
        self.path = path
        self.mode = mode
        self.rows = []

    def load(self):
        with open(self.path, self.mode) as handle:
            for number, row in enumerate(handle):
                if number and not row.startswith(";"):
                    self.rows.append(row.rstrip().split(","))
        return len(self.rows)

    def save(self, target=None):
        with open(target or self.path, "w") as handle:
            handle.writelines(",".join(row) + "\n" for row in self.rows)
"#;

fn detect_python(files: &[&str], options: Options) -> Duplication {
    let tokens: Vec<_> = files.iter().map(|f| python_tokens(f).unwrap()).collect();
    let slices: Vec<&[_]> = tokens.iter().map(Vec::as_slice).collect();
    detect(&slices, &options)
}

/// The blocks found among Python files with the default options, as
/// `file:line-end_line -> file:line-end_line` (original, then copy).
fn check(files: &[&str], expected: &[&str]) {
    check_with(Options::default(), files, expected);
}

fn check_with(options: Options, files: &[&str], expected: &[&str]) {
    let found = detect_python(files, options);
    let blocks: Vec<String> = found
        .blocks
        .iter()
        .map(|b| {
            let (o, c) = (b.original, b.copy);
            format!(
                "{}:{}-{} -> {}:{}-{}",
                o.file, o.line, o.end_line, c.file, c.line, c.end_line
            )
        })
        .collect();
    assert_eq!(blocks, expected);
}

#[test]
fn an_exact_copy_is_one_block() {
    check(
        &[PARSE, &format!("x = 1\n\n{PARSE}")],
        &["0:1-13 -> 1:3-15"],
    );
    check(
        &[PARSE, PARSE, PARSE],
        &["0:1-13 -> 1:1-13", "0:1-13 -> 2:1-13"],
    );
    check(&[PARSE, "def other():\n    return 1\n"], &[]);
}

#[test]
fn a_renamed_copy_is_a_copy() {
    check(&[PARSE, RENAMED], &["0:1-13 -> 1:1-13"]);
    // A verbatim copy names its verbatim original, not the earlier renamed one.
    check(
        &[RENAMED, PARSE, PARSE],
        &["0:1-13 -> 1:1-13", "1:1-13 -> 2:1-13"],
    );
}

#[test]
fn comments_and_layout_do_not_hide_a_copy() {
    let commented = PARSE.replace(
        "    fields = []\n",
        "    # collect\n\n    fields = [\n    ]\n",
    );
    check(&[PARSE, &commented], &["0:1-13 -> 1:1-16"]);
    let joined = PARSE
        .replace(":\n            continue", ": continue")
        .replace(":\n            break", ": break");
    check(&[PARSE, &joined], &["0:1-13 -> 1:1-11"]);
    // Imports are not tokens: a copy that differs in its imports is still one block.
    check(
        &[PARSE, &format!("import os\nfrom a import b\n{PARSE}")],
        &["0:1-13 -> 1:3-15"],
    );
}

#[test]
fn copies_below_the_thresholds_are_not_blocks() {
    // Too few tokens: the first 11 lines hold 91 of the 103 tokens.
    let shorter: String = PARSE.lines().take(11).map(|l| format!("{l}\n")).collect();
    check(&[PARSE, &shorter], &[]);
    // Enough tokens on too few lines.
    let lines = |min_lines| Options {
        min_tokens: 100,
        min_lines,
    };
    check_with(lines(13), &[PARSE, PARSE], &["0:1-13 -> 1:1-13"]);
    check_with(lines(14), &[PARSE, PARSE], &[]);
    // A changed operator in the middle breaks the copy into two short ones.
    check(&[PARSE, &PARSE.replace("if not part", "if part")], &[]);
}

#[test]
fn repeats_within_a_file_are_not_copies() {
    // The same short statement over and over overlaps itself: a repeat, not a copy.
    check(&[&"total += x\n".repeat(400)], &[]);
    check(
        &[&format!("{}{PARSE}", "values.append(1)\n".repeat(60))],
        &[],
    );
    // Nor are two long lists of strings copies of each other, though their starts match.
    let names = |prefix: &str| {
        let names: String = (0..80).map(|i| format!("    '{prefix}{i}',\n")).collect();
        format!("__all__ = [\n{names}]\n")
    };
    check(&[&names("a"), &names("b")], &[]);
}

#[test]
fn a_table_copied_exactly_is_a_copy() {
    let table = |offset: usize| {
        let rows: String = (0..40)
            .map(|i| format!("    (\"c{i}\", {}, {}),\n", i * 7 + offset, 2000 + i))
            .collect();
        format!("RATES = [\n{rows}]\n")
    };
    check(
        &[&table(0), &format!("x = 1\n{}", table(0))],
        &["0:1-42 -> 1:2-43"],
    );
    // The same shape with other values is not, nor are two runs of one value.
    check(&[&table(0), &table(1)], &[]);
    let nones = format!("x = 1\nNONES = [\n{}]\n", "    None,\n".repeat(80));
    check(&[&nones, &nones], &[]);
}

#[test]
fn copies_within_a_file_do_not_overlap() {
    check(&[&format!("{PARSE}{PARSE}")], &["0:1-13 -> 0:14-26"]);
    check(
        &[&format!("{PARSE}{PARSE}{PARSE}")],
        &["0:1-13 -> 0:14-26", "0:1-13 -> 0:27-39"],
    );
}

#[test]
fn duplicated_lines_are_both_sides_of_every_block() {
    let found = detect_python(
        &[PARSE, &format!("x = 1\n\n{PARSE}"), "y = 2\n"],
        Options::default(),
    );
    let lines: Vec<Vec<u32>> = vec![(1..=13).collect(), (3..=15).collect(), vec![]];
    assert_eq!(found.lines, lines);
}

#[test]
fn rust_copies_are_found_and_languages_never_match_each_other() {
    let rust = r#"fn total(input: &[u32], limit: usize) -> Option<u64> {
    let mut sum = 0u64;
    for (i, value) in input.iter().enumerate() {
        if i >= limit {
            break;
        }
        match value.checked_mul(2) {
            Some(double) if double > 10 => sum += u64::from(double),
            Some(_) => continue,
            None => return None,
        }
    }
    let label = format!("{sum} of {}", input.len());
    println!("{label}");
    Some(sum)
}
"#;
    let a = rust_tokens(rust).unwrap();
    let b = rust_tokens(&rust.replace("fn f(", "fn g(")).unwrap();
    let found = detect(&[&a, &b], &Options::default());
    assert_eq!(found.blocks.len(), 1, "{found:?}");
    assert_eq!(
        (found.blocks[0].copy.line, found.blocks[0].copy.end_line),
        (1, 16)
    );
    let python = python_tokens(PARSE).unwrap();
    let tiny = Options {
        min_tokens: 2,
        min_lines: 1,
    };
    let mixed = detect(&[&python, &a], &tiny);
    assert!(!mixed.blocks.is_empty());
    assert!(mixed.blocks.iter().all(|b| b.original.file == b.copy.file));
}

/// Whether two sources are the same tokens to the detector.
fn check_same(language: &str, a: &str, b: &str, same: bool) {
    let tokens = |source: &str| match language {
        "python" => python_tokens(source).unwrap(),
        _ => rust_tokens(source).unwrap(),
    };
    let symbols = |source: &str| tokens(source).iter().map(|t| t.symbol).collect::<Vec<_>>();
    assert_eq!(symbols(a) == symbols(b), same, "{a:?} vs {b:?}");
}

#[test]
fn tokens_leave_out_comments_imports_and_names() {
    check_same("python", "a = 1  # one\n", "b = 2\n", true);
    check_same("python", "a = 'x'\n", "a = f\"{b} and {c}\"\n", true);
    check_same(
        "python",
        "import os\nx = y\n",
        "from a import (b,\n c)\nx = y\n",
        true,
    );
    check_same("python", "a = 1\n", "a = '1'\n", false);
    check_same("python", "a = b\n", "a = b()\n", false);
    check_same("python", "x = True\n", "x = False\n", false);
    check_same("python", "a += 1\n", "a -= 1\n", false);
    check_same(
        "rust",
        "/// Doc.\nfn f() {}\n",
        "// Note.\nfn g() {}\n",
        true,
    );
    check_same(
        "rust",
        "use std::io;\nfn f(x: u8) {}\n",
        "fn f(y: u8) {}\n",
        true,
    );
    check_same("rust", "fn f(x: u8) {}\n", "fn f(x: u16) {}\n", false);
    check_same(
        "rust",
        "fn f() { g!(\"a\", 1) }\n",
        "fn f() { h!(r\"b\", 2) }\n",
        true,
    );
    check_same(
        "rust",
        "fn f() { g!(\"a\", 1) }\n",
        "fn f() { h!(b, 2) }\n",
        false,
    );
}

#[test]
fn tokens_know_their_lines() {
    let lines: Vec<u32> = python_tokens("x = '''a\nb'''\n\n# c\ny = 1\n")
        .unwrap()
        .iter()
        .map(|t| t.line())
        .collect();
    assert_eq!(lines, [1, 1, 1, 5, 5, 5]);
}

#[test]
fn a_copy_of_code_whose_middle_was_seen_first_elsewhere_is_one_block() {
    let head = "def head(a):\n    if a > 1:\n        return [a, a * 2]\n    return None\n\n";
    let tail = "\nclass Tail:\n    size = 3\n\n    def grow(self, n):\n        while n < self.size:\n            n += 1\n        return n\n";
    let whole = format!("{head}{PARSE}{tail}");
    check(
        &[PARSE, &whole, &whole],
        &["0:1-13 -> 1:6-18", "0:1-13 -> 2:6-18", "1:1-26 -> 2:1-26"],
    );
}

#[test]
fn colliding_hashes_make_no_false_matches() {
    let files = [PARSE, RENAMED, OTHER_SHAPE, &format!("{PARSE}{PARSE}")];
    let tokens: Vec<_> = files.iter().map(|f| python_tokens(f).unwrap()).collect();
    let slices: Vec<&[_]> = tokens.iter().map(Vec::as_slice).collect();
    let options = Options::default();
    let colliding = detect_with(&slices, &options, |_| 0);
    assert_eq!(colliding, detect(&slices, &options));
    // PARSE's three copies; `OTHER_SHAPE`'s windows, all with PARSE's hash, match nothing.
    assert_eq!(colliding.blocks.len(), 3);
    assert!(tokens[2].len() >= 100);
    assert!(colliding.lines[2].is_empty());
}

#[test]
fn a_verbatim_stretch_inside_repetitive_code_is_a_copy() {
    // Assertions of one shape, so every long window of them is a repeat; the first five are
    // pasted again further down, as written.
    let assertion = |size: usize, minimum: usize| {
        format!(
            "    self.assertEqual(\n        next(it),\n        Stats(size={size}, minimum={minimum}, mean={minimum}.5),\n    )\n"
        )
    };
    let first: String = (1..=8).map(|i| assertion(i, i * 3 % 7)).collect();
    let again: String = (1..=5).map(|i| assertion(i, i * 3 % 7)).collect();
    let source = format!(
        "it = stats(data)\n{first}it = stats(data, 3)\n{again}{}",
        assertion(9, 9)
    );
    check(&[&source], &["0:1-24 -> 0:34-57"]);
}
