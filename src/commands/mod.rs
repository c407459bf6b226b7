//! One module per command; `run` dispatches.

mod cycles;
mod evolve;
mod init;
mod kg;
mod patterns;
mod plan;
mod scan;
mod sparql;
mod tools;

use crate::cli::{Cli, Command};
use crate::config::Config;
use crate::datadir;
use anyhow::{Context as _, Result};
use std::io::Read;
use std::path::{Path, PathBuf};
use tdev_knowledge::KnowledgeBase;

pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Init { path } => init::run(path.as_deref()),
        Command::Scan(args) => scan::run(&args),
        Command::Evolve(args) => {
            let ctx = Context::find_or_default(cli.data_dir)?;
            evolve::run(&ctx.dir, &ctx.config, args)
        }
        Command::Cycles { json } => cycles::list(&Context::find_or_default(cli.data_dir)?, json),
        Command::Show { cycle, json } => {
            cycles::show(&Context::find_or_default(cli.data_dir)?, &cycle, json)
        }
        Command::Sparql(args) => sparql::run(&Context::find_existing(cli.data_dir)?, args),
        Command::Kg(command) => kg::run(&Context::find_existing(cli.data_dir)?, command),
        Command::Patterns(command) => {
            patterns::run(&Context::find_existing(cli.data_dir)?, command)
        }
        Command::Plan(args) => plan::run(args),
        Command::Tools(command) => tools::run(command),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut command, "tdev", &mut std::io::stdout());
            Ok(())
        }
    }
}

/// The data directory a command works on, and its configuration.
pub struct Context {
    pub dir: PathBuf,
    pub config: Config,
}

impl Context {
    /// The nearest data directory, or else the per-user one if it exists: what `tdev evolve`
    /// wrote there is what `tdev sparql` reads.
    fn find_existing(explicit: Option<PathBuf>) -> Result<Self> {
        Self::locate(explicit, false)
    }

    /// The nearest data directory, or else the per-user one (created on first use), for the
    /// commands that work across repositories.
    fn find_or_default(explicit: Option<PathBuf>) -> Result<Self> {
        Self::locate(explicit, true)
    }

    /// `--data-dir`, else the nearest `.tdev/`, else the per-user directory, which is made
    /// when `create` says so and is missing.
    fn locate(explicit: Option<PathBuf>, create: bool) -> Result<Self> {
        let cwd = std::env::current_dir().context("reading the current directory")?;
        let dir = match datadir::find(explicit.as_deref(), &cwd) {
            Ok(dir) => dir,
            Err(_) if explicit.is_none() => {
                let dir = datadir::per_user()?;
                if !dir.join(datadir::CONFIG_FILE).is_file() {
                    if !create {
                        return Err(crate::exit::UserError::new(format!(
                            "no tdev data directory: no {}/ in {} or any parent, and no \
                             per-user one at {} yet; `tdev evolve` creates the per-user one, \
                             or run `tdev init` there or pass --data-dir",
                            datadir::DIR_NAME,
                            cwd.display(),
                            dir.display()
                        ))
                        .into());
                    }
                    init::create(&dir)?;
                    eprintln!("using the per-user data directory {}", dir.display());
                }
                dir
            }
            Err(e) => return Err(e.into()),
        };
        let config = Config::load(&dir.join(datadir::CONFIG_FILE))?;
        Ok(Self { dir, config })
    }

    /// Opens the graph and the index, taking the directory's lock.
    pub fn open(&self) -> Result<KnowledgeBase> {
        Ok(KnowledgeBase::open(&self.dir)?)
    }
}

/// Reads a whole input file, `-` meaning stdin, with the path in any error.
pub fn read_input(path: &Path) -> Result<String> {
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("reading stdin")?;
        Ok(text)
    } else {
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
    }
}

/// Parses a JSON file holding one `T` or an array of them, reporting errors at file:line:col.
pub fn parse_one_or_many<T: serde::de::DeserializeOwned>(
    text: &str,
    name: &str,
    what: &str,
) -> Result<Vec<T>> {
    let located = |e: serde_json::Error| {
        crate::exit::UserError::new(format!(
            "{name}:{}:{}: not {what}: {e}",
            e.line(),
            e.column()
        ))
    };
    if text.trim_start().starts_with('[') {
        serde_json::from_str(text).map_err(|e| located(e).into())
    } else {
        Ok(vec![serde_json::from_str(text).map_err(located)?])
    }
}

/// A file name for messages: `<stdin>` for `-`.
pub fn display_name(path: &Path) -> String {
    if path == Path::new("-") {
        "<stdin>".to_owned()
    } else {
        path.display().to_string()
    }
}
