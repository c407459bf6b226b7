//! The formatter a repository already uses: rustfmt (through `cargo fmt`) or ruff's formatter,
//! found from the repository's own configuration, never imposed. [`unformatted`] lists the
//! files it would change, [`format`] formats files.
//!
//! A repository uses rustfmt when it has a `rustfmt.toml` or its CI, hooks or scripts run
//! `cargo fmt` or `rustfmt`; it uses ruff's formatter when its ruff configuration has a
//! `format` table or its hooks or CI run `ruff format` (or the `ruff-format` hook). Black
//! users are not served: tdev does not pin Black, and ruff's formatter, close to Black as it
//! is, would still propose changes Black does not make. Only Rust and Python files count;
//! ruff also formats code blocks in Markdown, which is not what a project asked for.

use crate::environment::ToolEnv;
use crate::error::Result;
use crate::process::{self, Capture};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// A formatter tdev can run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Formatter {
    /// rustfmt, through `cargo fmt` (the toolchain's own).
    Rustfmt,
    /// `ruff format`, from tdev's tool environment, with the repository's configuration.
    RuffFormat,
}

impl Formatter {
    /// Its name in finding kinds and strategies (`format:rustfmt`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Rustfmt => "rustfmt",
            Self::RuffFormat => "ruff-format",
        }
    }

    /// The formatter named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Rustfmt, Self::RuffFormat]
            .into_iter()
            .find(|f| f.name() == name)
    }

    /// Whether it formats the file at `path` (by its extension).
    pub fn formats(self, path: &str) -> bool {
        match self {
            Self::Rustfmt => path.ends_with(".rs"),
            Self::RuffFormat => path.ends_with(".py") || path.ends_with(".pyi"),
        }
    }
}

/// How long a formatter may take on a repository.
const TIMEOUT: Duration = Duration::from_secs(300);

/// Files that tell how a repository checks its code: CI, hooks, task runners.
const AUTOMATION: &[&str] = &[
    ".pre-commit-config.yaml",
    ".gitlab-ci.yml",
    "Makefile",
    "justfile",
    "tox.ini",
    "noxfile.py",
];
/// Directories of such files.
const AUTOMATION_DIRS: &[&str] = &[".github/workflows", ".ci", "ci", "scripts"];

/// The formatters the repository at `repo` already uses.
pub fn detect(repo: &Path) -> Vec<Formatter> {
    let automation = automation_text(repo);
    let mut found = Vec::new();
    if repo.join("Cargo.toml").is_file()
        && (repo.join("rustfmt.toml").is_file()
            || repo.join(".rustfmt.toml").is_file()
            || automation.contains("cargo fmt")
            || automation.contains("rustfmt"))
    {
        found.push(Formatter::Rustfmt);
    }
    let ruff_config = ["pyproject.toml", "ruff.toml", ".ruff.toml"]
        .iter()
        .filter_map(|f| std::fs::read_to_string(repo.join(f)).ok())
        .any(|text| {
            text.lines().any(|l| {
                let l = l.trim();
                l == "[tool.ruff.format]" || l == "[format]"
            })
        });
    if ruff_config || automation.contains("ruff format") || automation.contains("ruff-format") {
        found.push(Formatter::RuffFormat);
    }
    found
}

/// The text of the repository's automation files (small ones only).
fn automation_text(repo: &Path) -> String {
    let mut files: Vec<std::path::PathBuf> = AUTOMATION.iter().map(|f| repo.join(f)).collect();
    for dir in AUTOMATION_DIRS {
        if let Ok(entries) = std::fs::read_dir(repo.join(dir)) {
            files.extend(entries.filter_map(|e| e.ok()).map(|e| e.path()));
        }
    }
    files
        .iter()
        .filter(|f| std::fs::metadata(f).is_ok_and(|m| m.is_file() && m.len() < 256 * 1024))
        .filter_map(|f| std::fs::read_to_string(f).ok())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The files (relative to `repo`, `/`-separated, sorted) that `formatter` would change.
pub fn unformatted(formatter: Formatter, env: &ToolEnv, repo: &Path) -> Result<Vec<String>> {
    let (tool, mut command) = match formatter {
        Formatter::Rustfmt => {
            let mut command = Command::new("cargo");
            command.args(["fmt", "--all", "--check", "--", "-l"]);
            ("cargo fmt", command)
        }
        Formatter::RuffFormat => {
            let mut command = Command::new(env.tool("ruff")?);
            command.args([
                "format",
                "--check",
                "--no-cache",
                "--output-format",
                "concise",
                ".",
            ]);
            ("ruff format", command)
        }
    };
    command.current_dir(repo);
    let output = process::run(tool, &mut command, TIMEOUT, Capture::Separate)?;
    // Both exit with 1 when a file would change; anything else above 0 is a failure.
    if output.code > 1 {
        return Err(process::failed(tool, &output));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let mut files: Vec<String> = text
        .lines()
        .filter_map(|line| match formatter {
            Formatter::Rustfmt => Some(line.trim()),
            // `path:line:column: unformatted: File would be reformatted`
            Formatter::RuffFormat => line
                .contains("unformatted:")
                .then(|| line.split(':').next().unwrap_or_default()),
        })
        .filter(|path| !path.is_empty())
        .map(|path| relative(repo, path))
        .filter(|path| formatter.formats(path))
        .collect();
    files.sort();
    files.dedup();
    Ok(files)
}

/// Formats the repository's files with `formatter`: every file it formats for `cargo fmt`
/// (which cannot be limited to some), `paths` for ruff. The caller keeps what it wants.
pub fn format(formatter: Formatter, env: &ToolEnv, repo: &Path, paths: &[String]) -> Result<()> {
    let (tool, mut command) = match formatter {
        Formatter::Rustfmt => {
            let mut command = Command::new("cargo");
            command.args(["fmt", "--all"]);
            ("cargo fmt", command)
        }
        Formatter::RuffFormat => {
            let mut command = Command::new(env.tool("ruff")?);
            command.args(["format", "--no-cache", "--"]).args(paths);
            ("ruff format", command)
        }
    };
    command.current_dir(repo);
    let output = process::run(tool, &mut command, TIMEOUT, Capture::Separate)?;
    if output.code != 0 {
        return Err(process::failed(tool, &output));
    }
    Ok(())
}

/// Rewraps the statement at `line` (1-based) of the Python file `path` (relative to `repo`)
/// to `columns`, and nothing else: ruff's range formatting of that logical line, with the
/// quotes as they are, the file's indentation (`tabs`) and the project's oldest Python
/// (`ruff::target_version`), so that no syntax its older versions lack is used. The repository's
/// own configuration is not read: only the width is the repository's.
pub fn rewrap(
    env: &ToolEnv,
    repo: &Path,
    path: &str,
    line: u32,
    columns: u32,
    tabs: bool,
) -> Result<()> {
    let mut command = Command::new(env.tool("ruff")?);
    command.args([
        "format",
        "--no-cache",
        "--isolated",
        "--line-length",
        &columns.to_string(),
        // From the start of the line to the start of the next: the whole line.
        "--range",
        &format!("{line}-{}", line + 1),
        "--config",
        "format.quote-style = 'preserve'",
        "--config",
        if tabs {
            "format.indent-style = 'tab'"
        } else {
            "format.indent-style = 'space'"
        },
    ]);
    if let Some(version) = crate::ruff::target_version(repo) {
        command.args(["--target-version", &version]);
    }
    command.arg("--").arg(path).current_dir(repo);
    let output = process::run("ruff format", &mut command, TIMEOUT, Capture::Separate)?;
    if output.code != 0 {
        return Err(process::failed("ruff format", &output));
    }
    Ok(())
}

fn relative(repo: &Path, path: &str) -> String {
    let path = Path::new(path);
    let relative = path
        .strip_prefix(repo)
        .or_else(|_| {
            repo.canonicalize()
                .map_err(|_| ())
                .and_then(|root| path.strip_prefix(root).map_err(|_| ()))
        })
        .unwrap_or(path);
    relative
        .to_string_lossy()
        .trim_start_matches("./")
        .replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(files: &[(&str, &str)], expected: &[Formatter]) {
        let repo = tempfile::tempdir().unwrap();
        for (path, content) in files {
            let path = repo.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, content).unwrap();
        }
        assert_eq!(detect(repo.path()), expected, "{files:?}");
    }

    #[test]
    fn unformatted_files_are_listed_relative_to_the_repository() {
        let repo = tempfile::tempdir().unwrap();
        let write = |path: &str, content: &str| {
            let path = repo.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, content).unwrap();
        };
        write(
            "Cargo.toml",
            "[package]\nname = \"a\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        );
        write("src/lib.rs", "mod b;\nmod c;\npub fn a( ) {}\n");
        write("src/b.rs", "pub fn b() {}\n");
        write("src/c.rs", "pub fn c( ) {}\n");
        write("pyproject.toml", "[tool.ruff.format]\n");
        write("pkg/x.py", "x = {  'a':1 }\n");
        write("pkg/y.py", "y = 1\n");
        write("README.md", "```python\nx = {  'a':1 }\n```\n");
        // The environment scripts/test installs (TDEV_TOOLS_DIR), else the default cache's.
        let dir = std::env::var_os("TDEV_TOOLS_DIR").map_or_else(
            || Path::new(&std::env::var_os("HOME").unwrap()).join(".cache/tdev/tools"),
            std::path::PathBuf::from,
        );
        let env = ToolEnv::new(dir);
        let rust = unformatted(Formatter::Rustfmt, &env, repo.path()).unwrap();
        assert_eq!(rust, ["src/c.rs", "src/lib.rs"]);
        let python = unformatted(Formatter::RuffFormat, &env, repo.path()).unwrap();
        assert_eq!(python, ["pkg/x.py"]);
    }

    #[test]
    fn the_formatter_in_use_is_found_in_the_repositorys_configuration() {
        use Formatter::*;
        let cargo = ("Cargo.toml", "[package]\nname = \"a\"\n");
        check(&[cargo], &[]);
        check(&[cargo, ("rustfmt.toml", "")], &[Rustfmt]);
        check(
            &[cargo, (".ci/run", "cargo fmt --all --check\n")],
            &[Rustfmt],
        );
        check(
            &[
                cargo,
                (".github/workflows/ci.yml", "- run: cargo fmt --check"),
            ],
            &[Rustfmt],
        );
        check(&[("rustfmt.toml", "")], &[]);
        check(
            &[(
                "pyproject.toml",
                "[tool.ruff.format]\nquote-style = \"single\"\n",
            )],
            &[RuffFormat],
        );
        check(
            &[("pyproject.toml", "[tool.ruff]\nline-length = 99\n")],
            &[],
        );
        check(
            &[(".pre-commit-config.yaml", "  - id: ruff-format\n")],
            &[RuffFormat],
        );
        check(
            &[("pyproject.toml", "[tool.black]\nline-length = 88\n")],
            &[],
        );
    }
}
