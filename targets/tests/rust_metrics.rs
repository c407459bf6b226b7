//! tdev's Rust metrics as a user sees them through `rust::analyze`, and checked on the real
//! crates of `datasets/manifest.toml` (fetched by `scripts/fetch-datasets`): documentation
//! coverage against rustc's own `missing_docs` lint, and the functions found against an
//! independent count. Every disagreement is printed with its cause.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use tdev_targets::rust::{DocKind, RustAnalysis, analyze};

/// Share of the lint's items that tdev must also report, per crate; and share of tdev's
/// items, in the files rustc compiles, that the lint must also report.
const REQUIRED_AGREEMENT: f64 = 0.95;

/// Every third documented item (a file's inner docs being one item) loses its docs in the
/// copy the lint runs on, and so does the crate root: the crates are fully documented, so
/// the lint would have nothing to say otherwise.
const STRIP_EVERY: usize = 3;

// ---------------------------------------------------------------------------------------
// What a user observes of `analyze`.

/// Functions as `qualified=complexity@line-end_line`.
fn check_functions(source: &str, expected: &[&str]) {
    let got: Vec<String> = analyze(source)
        .unwrap()
        .functions
        .iter()
        .map(|f| format!("{}={}@{}-{}", f.qualified, f.complexity, f.line, f.end_line))
        .collect();
    assert_eq!(got, expected, "{source}");
}

#[test]
fn analyze_reports_every_function_with_its_complexity_and_lines() {
    check_functions("fn f() {}", &["f=1@1-1"]);
    check_functions(
        "struct P;\nimpl P {\n    fn parse(&self, x: u8) -> u8 {\n        match x { 0 => 1, _ => 2 }\n    }\n}\n",
        &["P::parse=2@3-5"],
    );
    check_functions(
        "impl std::fmt::Display for X {\n    fn fmt(&self, f: &mut Formatter) -> Result { write!(f, \"x\")?; Ok(()) }\n}\n",
        &["X::fmt=2@2-2"],
    );
    check_functions(
        "trait T {\n    fn d(&self) -> bool { self.a() && self.b() }\n}\n",
        &["T::d=2@2-2"],
    );
    check_functions(
        "fn outer() {\n    let c = |x: u8| if x > 0 { 1 } else { 0 };\n    fn inner() {}\n}\n",
        &["outer=2@1-4", "outer::inner=1@3-3"],
    );
}

/// Raw metrics as `(loc, sloc, comments, single_comments, multi, blank)`.
fn check_raw(source: &str, expected: (u32, u32, u32, u32, u32, u32)) {
    let m = analyze(source).unwrap().raw;
    let got = (
        m.loc,
        m.sloc,
        m.comments,
        m.single_comments,
        m.multi,
        m.blank,
    );
    assert_eq!(got, expected, "{source}");
}

#[test]
fn analyze_counts_lines_by_what_they_hold() {
    check_raw("", (0, 0, 0, 0, 0, 0));
    check_raw(
        "//! Crate.\n\n/// Doc.\npub fn f() {} // why\n",
        (4, 1, 3, 2, 0, 1),
    );
    check_raw("/*\n * Block.\n */\nfn f() {}\n", (4, 1, 3, 3, 3, 0));
}

/// Undocumented public items as `Kind qualified@line`.
fn check_undocumented(source: &str, expected: &[&str]) {
    let got: Vec<String> = analyze(source)
        .unwrap()
        .docs
        .iter()
        .filter(|d| !d.covered)
        .map(|d| format!("{:?} {}@{}", d.kind, d.qualified, d.line))
        .collect();
    assert_eq!(got, expected, "{source}");
}

#[test]
fn analyze_lists_the_public_items_that_lack_docs() {
    check_undocumented(
        "/// Doc.\npub fn f() {}\npub fn g() {}\n",
        &["Function g@3"],
    );
    check_undocumented(
        "/// Doc.\npub struct S {\n    pub a: u8,\n}\n",
        &["Field S::a@3"],
    );
    check_undocumented("mod private {\n    pub fn f() {}\n}\n", &[]);
    check_undocumented(
        "pub mod m {\n    //! Inner.\n    pub enum E { A }\n}\n",
        &["Enum m::E@3", "Variant m::E::A@3"],
    );
}

#[test]
fn the_maintainability_index_falls_as_code_grows_and_rises_with_comments() {
    let mi = |source: &str| analyze(source).unwrap().maintainability_index;
    assert_eq!(mi(""), 100.0);
    let small = mi("fn f(a: u8) -> u8 { a + 1 }\n");
    let branchy = mi(
        "fn f(a: u8, b: u8) -> u8 {\n    if a > b && b > 1 { a * b } else if a == 0 { b - a } else { a / b }\n}\n",
    );
    let commented = mi(
        "// Why: the divisor is never 0 here.\nfn f(a: u8, b: u8) -> u8 {\n    if a > b && b > 1 { a * b } else if a == 0 { b - a } else { a / b }\n}\n",
    );
    assert!(branchy < small, "{branchy} < {small}");
    assert!(commented > branchy, "{commented} > {branchy}");
}

#[test]
fn syntax_errors_are_reported_not_fatal() {
    let broken = analyze("fn f( {\n").unwrap();
    assert!(broken.syntax_error.is_some());
    assert_eq!(analyze("fn f() {}\n").unwrap().syntax_error, None);
}

// ---------------------------------------------------------------------------------------
// The real crates.

mod support;

/// A Rust crate of the manifest, unpacked.
struct Crate {
    label: String,
    name: String,
    dir: PathBuf,
}

/// The unpacked Rust crates of the manifest.
fn crates() -> Vec<Crate> {
    let datasets = support::datasets();
    support::manifest()["rust"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            let name = entry["name"].as_str().unwrap().to_owned();
            let label = format!("{name}-{}", entry["version"].as_str().unwrap());
            let dir = datasets.join(&label);
            assert!(
                dir.is_dir(),
                "{} is missing: run scripts/fetch-datasets",
                dir.display()
            );
            Crate { label, name, dir }
        })
        .collect()
}

/// The `.rs` files under `dir`, sorted, so that what is stripped is the same on every run.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// Blanks the `///` lines right above `line` (1-based), across attributes, comments and
/// blank lines; lines keep their numbers. Whether anything was removed.
fn strip_outer_docs(lines: &mut [String], line: usize) -> bool {
    let mut stripped = false;
    for j in (0..line.saturating_sub(1)).rev() {
        let t = lines[j].trim();
        if t.starts_with("///") && !t.starts_with("////") {
            lines[j].clear();
            stripped = true;
        } else if !(t.is_empty() || t.starts_with("#[") || t.starts_with("//")) {
            break;
        }
    }
    stripped
}

/// Blanks the inner docs of a file: `//!` lines and `/*! ... */` blocks. Whether anything
/// was removed.
fn strip_inner_docs(lines: &mut [String]) -> bool {
    let mut stripped = false;
    let mut in_block = false;
    for line in lines.iter_mut() {
        let t = line.trim_start();
        if in_block || t.starts_with("/*!") {
            in_block = !t.contains("*/");
            line.clear();
            stripped = true;
        } else if t.starts_with("//!") {
            line.clear();
            stripped = true;
        }
    }
    stripped
}

/// Removes the docs of the crate root and of every [`STRIP_EVERY`]th documented item of the
/// crate under `src`, in file and line order; returns how many lost them.
fn strip_docs(src: &Path) -> usize {
    let (mut seen, mut stripped) = (0, 0);
    for file in rust_files(src) {
        let source = std::fs::read_to_string(&file).unwrap();
        let analysis = analyze(&source).unwrap();
        let mut lines: Vec<String> = source.lines().map(str::to_owned).collect();
        let mut take = || {
            seen += 1;
            seen % STRIP_EVERY == 0
        };
        let root = file.ends_with("src/lib.rs");
        if analysis.inner_docs && (take() || root) && strip_inner_docs(&mut lines) {
            stripped += 1;
        }
        for item in analysis.docs.iter().filter(|d| d.covered) {
            if take() && strip_outer_docs(&mut lines, item.line) {
                stripped += 1;
            }
        }
        std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    }
    stripped
}

/// `edition` and the cfg flags of the default features, from the crate's Cargo.toml.
fn build_settings(dir: &Path) -> (String, Vec<String>) {
    let manifest: toml::Table =
        toml::from_str(&std::fs::read_to_string(dir.join("Cargo.toml")).unwrap()).unwrap();
    let edition = manifest["package"]
        .get("edition")
        .and_then(|e| e.as_str())
        .unwrap_or("2015")
        .to_owned();
    let empty = toml::Table::new();
    let features = manifest
        .get("features")
        .and_then(|f| f.as_table())
        .unwrap_or(&empty);
    let mut enabled = BTreeSet::new();
    let mut pending = vec!["default".to_owned()];
    while let Some(feature) = pending.pop() {
        // `dep:x` and `x/feature` enable optional dependencies, which these builds leave out.
        if feature.contains(':') || feature.contains('/') || !enabled.insert(feature.clone()) {
            continue;
        }
        if let Some(implied) = features.get(&feature).and_then(|f| f.as_array()) {
            pending.extend(implied.iter().filter_map(|f| f.as_str()).map(str::to_owned));
        }
    }
    enabled.remove("default");
    let cfgs = enabled
        .iter()
        .filter(|f| features.contains_key(*f))
        .map(|f| format!("feature=\"{f}\""))
        .collect();
    (edition, cfgs)
}

/// What rustc says about a crate's docs.
struct Lint {
    /// (file relative to the crate, line) of each `missing_docs` warning, with its message.
    items: BTreeMap<(String, usize), String>,
    /// The files rustc compiled (relative), from its dep-info.
    compiled: BTreeSet<String>,
}

/// Checks the library of the crate copied at `root` with rustc, `missing_docs` forced to
/// warn (the crates `deny` it; `--cap-lints warn` keeps other denied lints from stopping the
/// build, and does not lower a forced warning).
///
/// rustc is run the way cargo runs it for the library, and not through cargo itself: cargo
/// resolves the dev-dependencies (criterion, quickcheck) even to check only the library, and
/// offline they are not in the local registry. The crates have no build script and no
/// dependency by default, so nothing else is lost.
fn rustc_missing_docs(name: &str, root: &Path) -> Lint {
    let (edition, cfgs) = build_settings(root);
    let out = root.join("target");
    std::fs::create_dir_all(&out).unwrap();
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let mut command = Command::new(rustc);
    command
        .args(["--crate-name", name, "--crate-type", "lib", "--edition"])
        .arg(&edition)
        .arg(root.join("src/lib.rs"))
        .args(["--emit=metadata,dep-info", "--error-format=json"])
        .args(["--force-warn", "missing_docs", "--cap-lints", "warn"])
        .arg("--out-dir")
        .arg(&out);
    for cfg in &cfgs {
        command.args(["--cfg", cfg]);
    }
    let output = command.output().expect("running rustc");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "rustc failed on {name}: {stderr}");
    let relative = |file: &str| {
        Path::new(file)
            .strip_prefix(root)
            .unwrap_or(Path::new(file))
            .to_string_lossy()
            .into_owned()
    };
    let mut items = BTreeMap::new();
    for line in stderr.lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if message["code"]["code"] != "missing_docs" {
            continue;
        }
        let spans = message["spans"].as_array().unwrap();
        let span = spans.iter().find(|s| s["is_primary"] == true).unwrap();
        let key = (
            relative(span["file_name"].as_str().unwrap()),
            span["line_start"].as_u64().unwrap() as usize,
        );
        items.insert(key, message["message"].as_str().unwrap().to_owned());
    }
    let depinfo = std::fs::read_to_string(out.join(format!("{name}.d"))).unwrap();
    let compiled = depinfo
        .lines()
        .next()
        .and_then(|l| l.split_once(": "))
        .map(|(_, deps)| deps.split_whitespace().map(relative).collect())
        .unwrap_or_default();
    Lint { items, compiled }
}

/// The file of an out-of-line module `pub mod name;` declared in `file` (relative path),
/// `inline` being the inline modules around the declaration.
fn module_file(
    file: &str,
    qualified: &str,
    analyses: &BTreeMap<String, RustAnalysis>,
) -> Option<String> {
    let path = Path::new(file);
    let stem = path.file_stem()?.to_str()?;
    let mut dir = path.parent()?.to_path_buf();
    if !matches!(stem, "lib" | "main" | "mod") {
        dir.push(stem);
    }
    dir.extend(qualified.split("::"));
    let flat = dir.with_extension("rs").to_string_lossy().into_owned();
    let nested = dir.join("mod.rs").to_string_lossy().into_owned();
    [flat, nested]
        .into_iter()
        .find(|f| analyses.contains_key(f))
}

/// tdev's undocumented public items of the crate at `root`: (file, line) to `kind name`.
/// A module declared `pub mod name;` is covered by the `//!` of its file too, and the crate
/// root needs `//!` docs of its own.
fn tdev_undocumented(root: &Path) -> BTreeMap<(String, usize), String> {
    let analyses: BTreeMap<String, RustAnalysis> = rust_files(&root.join("src"))
        .into_iter()
        .map(|file| {
            let source = std::fs::read_to_string(&file).unwrap();
            let relative = file
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (relative, analyze(&source).unwrap())
        })
        .collect();
    let mut out = BTreeMap::new();
    if !analyses["src/lib.rs"].inner_docs {
        let source = std::fs::read_to_string(root.join("src/lib.rs")).unwrap();
        out.insert(
            ("src/lib.rs".to_owned(), first_code_line(&source)),
            "the crate".to_owned(),
        );
    }
    for (file, analysis) in &analyses {
        for item in &analysis.docs {
            let covered = item.covered
                || (item.kind == DocKind::ModuleFile
                    && module_file(file, &item.qualified, &analyses)
                        .is_some_and(|f| analyses[&f].inner_docs));
            if !covered {
                let key = (file.clone(), item.line);
                out.entry(key)
                    .or_insert_with(|| format!("{:?} {}", item.kind, item.qualified));
            }
        }
    }
    out
}

/// Where rustc says the crate starts: the first line holding a token, past blank lines and
/// comments.
fn first_code_line(source: &str) -> usize {
    let mut in_block = false;
    for (n, line) in source.lines().enumerate() {
        let t = line.trim();
        if in_block || t.starts_with("/*") {
            in_block = !t.contains("*/");
        } else if !t.is_empty() && !t.starts_with("//") {
            return n + 1;
        }
    }
    1
}

/// Whether the attributes right above `line` hold a `#[cfg(...)]`.
fn behind_cfg(root: &Path, file: &str, line: usize) -> bool {
    let source = std::fs::read_to_string(root.join(file)).unwrap_or_default();
    let lines: Vec<&str> = source.lines().take(line.saturating_sub(1)).collect();
    lines
        .iter()
        .rev()
        .map(|l| l.trim())
        .take_while(|t| t.is_empty() || t.starts_with("#[") || t.starts_with("//"))
        .any(|t| t.starts_with("#[cfg("))
}

fn source_line(root: &Path, file: &str, line: usize) -> String {
    std::fs::read_to_string(root.join(file))
        .ok()
        .and_then(|s| s.lines().nth(line - 1).map(|l| l.trim().to_owned()))
        .unwrap_or_default()
}

#[test]
fn undocumented_public_items_match_rustcs_missing_docs_on_real_crates() {
    let mut failures = Vec::new();
    for krate in crates() {
        let copy = tempfile::tempdir().unwrap();
        copy_dir(&krate.dir, copy.path());
        let stripped = strip_docs(&copy.path().join("src"));
        let lint = rustc_missing_docs(&krate.name, copy.path());
        let ours = tdev_undocumented(copy.path());
        let mut agree = 0;
        for ((file, line), message) in &lint.items {
            if ours.contains_key(&(file.clone(), *line)) {
                agree += 1;
            } else {
                let text = source_line(copy.path(), file, *line);
                println!(
                    "{}/{file}:{line}: rustc: {message}; tdev counts no undocumented item on this line: {text}",
                    krate.label
                );
            }
        }
        let (mut extra, mut compiled_ours, mut compiled_extra) = (0, 0, 0);
        for ((file, line), item) in &ours {
            let compiled = lint.compiled.contains(file);
            compiled_ours += usize::from(compiled);
            if lint.items.contains_key(&(file.clone(), *line)) {
                continue;
            }
            extra += 1;
            compiled_extra += usize::from(compiled);
            let cause = if compiled && behind_cfg(copy.path(), file, *line) {
                "rustc does not compile it in this build (a #[cfg] on it leaves it out)"
            } else if compiled {
                "rustc does not take it for public API (tdev takes every file's own module \
                 to be reachable; this one may be private and not re-exported)"
            } else {
                "rustc does not compile this file in this build (a #[cfg] leaves it out)"
            };
            let text = source_line(copy.path(), file, *line);
            println!(
                "{}/{file}:{line}: tdev: undocumented {item}; {cause}: {text}",
                krate.label
            );
        }
        let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
        for message in lint.items.values() {
            *kinds
                .entry(message.trim_start_matches("missing documentation for "))
                .or_default() += 1;
        }
        let total = lint.items.len();
        let recall = agree as f64 / total.max(1) as f64;
        let precision = 1.0 - compiled_extra as f64 / compiled_ours.max(1) as f64;
        println!(
            "{}: docs stripped from {stripped} items; rustc's missing_docs reports {total} {kinds:?}; \
             tdev {} ({agree} in common, {extra} more, {compiled_extra} of them in compiled files): \
             {:.2}% of the lint's items agree, {:.2}% of tdev's in compiled files",
            krate.label,
            ours.len(),
            recall * 100.0,
            precision * 100.0
        );
        assert!(stripped > 0, "{}: nothing was stripped", krate.label);
        if recall < REQUIRED_AGREEMENT || precision < REQUIRED_AGREEMENT {
            failures.push(format!(
                "{}: {:.2}% of the lint's, {:.2}% of tdev's",
                krate.label,
                recall * 100.0,
                precision * 100.0
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "below {}%: {failures:?}",
        REQUIRED_AGREEMENT * 100.0
    );
}

// ---------------------------------------------------------------------------------------
// Every function found: an independent count.

/// Functions with a body, counted on Rust's lexical tokens rather than tree-sitter's tree:
/// each `fn name` outside comments, literals and macro calls or definitions (whose bodies
/// tree-sitter keeps as unparsed token trees), whose signature reaches `{` before `;`.
fn lexical_function_count(source: &str) -> usize {
    let tokens = lex(source);
    let mut count = 0;
    let mut i = 0;
    while i < tokens.len() {
        // `name!(...)`, `name![...]`, `name! {...}` and `macro_rules! name {...}`: skip the
        // delimited body.
        if tokens[i] == "!" && i > 0 && is_ident(&tokens[i - 1]) {
            let mut j = i + 1;
            if j < tokens.len() && is_ident(&tokens[j]) {
                j += 1; // macro_rules! name
            }
            if j < tokens.len() && matches!(tokens[j].as_str(), "(" | "[" | "{") {
                i = skip_group(&tokens, j);
                continue;
            }
        }
        if tokens[i] == "fn" && tokens.get(i + 1).is_some_and(|t| is_ident(t)) {
            let mut depth = 0i32;
            for t in &tokens[i + 2..] {
                match t.as_str() {
                    "(" | "[" => depth += 1,
                    ")" | "]" => depth -= 1,
                    "{" if depth == 0 => {
                        count += 1;
                        break;
                    }
                    ";" if depth == 0 => break,
                    _ => {}
                }
            }
        }
        i += 1;
    }
    count
}

fn is_ident(token: &str) -> bool {
    token.starts_with(|c: char| c.is_alphabetic() || c == '_')
}

/// The index after the group that opens at `open`.
fn skip_group(tokens: &[String], open: usize) -> usize {
    let mut depth = 0;
    for (k, t) in tokens.iter().enumerate().skip(open) {
        match t.as_str() {
            "(" | "[" | "{" => depth += 1,
            ")" | "]" | "}" => {
                depth -= 1;
                if depth == 0 {
                    return k + 1;
                }
            }
            _ => {}
        }
    }
    tokens.len()
}

/// Identifiers, brackets and single punctuation characters of Rust source; comments and
/// literals are dropped (a literal leaves a `"` token behind).
fn lex(source: &str) -> Vec<String> {
    let b = source.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            let mut depth = 0;
            while i < b.len() {
                if b[i..].starts_with(b"/*") {
                    depth += 1;
                    i += 2;
                } else if b[i..].starts_with(b"*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if let Some(end) = raw_string_end(b, i) {
            tokens.push("\"".to_owned());
            i = end;
        } else if c == b'"' || (c == b'b' && b.get(i + 1) == Some(&b'"')) {
            i += if c == b'b' { 2 } else { 1 };
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            tokens.push("\"".to_owned());
            i += 1;
        } else if c == b'\'' || (c == b'b' && b.get(i + 1) == Some(&b'\'')) {
            // A character literal closes within a few bytes; a lifetime does not.
            let start = if c == b'b' { i + 1 } else { i };
            let close = if b.get(start + 1) == Some(&b'\\') {
                (start + 3..b.len().min(start + 12)).find(|&k| b[k] == b'\'')
            } else {
                let len = source[start + 1..].chars().next().map_or(1, char::len_utf8);
                (b.get(start + 1 + len) == Some(&b'\'')).then_some(start + 1 + len)
            };
            match close {
                Some(end) => {
                    tokens.push("\"".to_owned());
                    i = end + 1;
                }
                None => {
                    tokens.push("'".to_owned());
                    i = start + 1;
                }
            }
        } else if c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80 {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] >= 0x80) {
                i += 1;
            }
            tokens.push(source[start..i].to_owned());
        } else {
            if !c.is_ascii_whitespace() {
                tokens.push((c as char).to_string());
            }
            i += 1;
        }
    }
    tokens
}

/// The end of a raw string starting at `i` (`r"..."`, `r#"..."#`, `br#"..."#`).
fn raw_string_end(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i;
    if b.get(j) == Some(&b'b') {
        j += 1;
    }
    if b.get(j) != Some(&b'r') || (i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_'))
    {
        return None;
    }
    j += 1;
    let hashes = b[j..].iter().take_while(|&&c| c == b'#').count();
    j += hashes;
    if b.get(j) != Some(&b'"') {
        return None;
    }
    let mut closing = vec![b'"'];
    closing.extend(std::iter::repeat_n(b'#', hashes));
    (j + 1..b.len())
        .find(|&k| b[k..].starts_with(&closing))
        .map(|k| k + closing.len())
}

#[test]
fn every_function_of_the_real_crates_is_found_and_parses() {
    let mut failures = Vec::new();
    for krate in crates() {
        let (mut files, mut functions) = (0, 0);
        for file in rust_files(&krate.dir) {
            let source = std::fs::read_to_string(&file).unwrap();
            let analysis = analyze(&source).unwrap();
            let expected = lexical_function_count(&source);
            files += 1;
            functions += analysis.functions.len();
            if analysis.syntax_error.is_some() {
                println!("{}: tree-sitter saw syntax errors", file.display());
                failures.push(file.display().to_string());
            }
            if analysis.functions.len() != expected {
                println!(
                    "{}: tdev finds {} functions, the token count {expected}",
                    file.display(),
                    analysis.functions.len()
                );
                failures.push(file.display().to_string());
            }
            if let Some(f) = analysis
                .functions
                .iter()
                .find(|f| f.complexity == 0 || f.end_line < f.line)
            {
                println!(
                    "{}: {} has complexity {} and lines {}-{}",
                    file.display(),
                    f.qualified,
                    f.complexity,
                    f.line,
                    f.end_line
                );
                failures.push(file.display().to_string());
            }
        }
        println!("{}: {functions} functions in {files} files", krate.label);
    }
    assert!(failures.is_empty(), "{failures:?}");
}

#[test]
fn the_token_count_sees_what_it_should() {
    let check = |source: &str, expected: usize| {
        assert_eq!(lexical_function_count(source), expected, "{source}");
    };
    check("fn a() {} fn b(x: [u8; 4]) -> u8 { 0 }", 2);
    check("trait T { fn req(&self); fn def(&self) {} }", 1);
    check(
        "// fn a() {}\n/* fn b() {} */ const S: &str = \"fn c() {}\";",
        0,
    );
    check(
        "const R: &str = r#\"fn a() {}\"#; fn f<'a>(x: &'a u8) -> char { 'x' }",
        1,
    );
    check(
        "macro_rules! m { () => { fn hidden() {} } } m!(); quote! { fn q() {} }",
        0,
    );
    check("type F = fn(u8) -> u8;", 0);
}
