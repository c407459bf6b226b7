//! One module per command; `run` dispatches.

mod ask;
mod cycles;
mod daemon;
mod evolve;
mod init;
mod kg;
mod learn;
mod mcp;
mod new;
mod patterns;
mod plan;
mod scan;
mod sparql;
mod tools;

use crate::cli::{Cli, Command};
use anyhow::{Context as _, Result};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use tdev_app::{DataDir, Layout, Missing};
use tdev_knowledge::KnowledgeBase;

pub fn run(cli: Cli) -> Result<()> {
    let layout = || Layout::from_env();
    match cli.command {
        Command::Init { path } => init::run(path.as_deref()),
        Command::Scan(args) => scan::run(&args, &layout()?, &configuration(cli.data_dir)?.gates),
        Command::Evolve(args) => {
            evolve::run(locate(cli.data_dir, Missing::Create)?, layout()?, args)
        }
        Command::Daemon => daemon::run(locate(cli.data_dir, Missing::Refuse)?, layout()?),
        Command::Status { json } => daemon::status(&locate(cli.data_dir, Missing::Refuse)?, json),
        Command::Pause { now } => daemon::pause(&locate(cli.data_dir, Missing::Refuse)?, now),
        Command::Resume => daemon::resume(&locate(cli.data_dir, Missing::Refuse)?),
        Command::Cycles { json } => cycles::list(&locate(cli.data_dir, Missing::Create)?, json),
        Command::Show { cycle, json } => {
            cycles::show(&locate(cli.data_dir, Missing::Create)?, &cycle, json)
        }
        Command::Sparql(args) => sparql::run(&locate(cli.data_dir, Missing::Refuse)?, args),
        Command::Kg(command) => kg::run(&locate(cli.data_dir, Missing::Refuse)?, command),
        Command::Patterns(command) => {
            patterns::run(&locate(cli.data_dir, Missing::Refuse)?, command)
        }
        Command::Learn(command) => learn::run(&locate(cli.data_dir, Missing::Refuse)?, command),
        Command::Ask(args) => {
            let data = existing(cli.data_dir.clone())?;
            ask::run(
                args,
                &layout()?,
                &configuration(cli.data_dir)?,
                data.as_deref(),
            )
        }
        Command::Plan(args) => {
            let data = existing(cli.data_dir.clone())?;
            plan::run(
                args,
                &layout()?,
                &configuration(cli.data_dir)?,
                data.as_deref(),
            )
        }
        Command::New(args) => new::run(args, &layout()?, &locate(cli.data_dir, Missing::Create)?),
        Command::Mcp => mcp::run(locate(cli.data_dir, Missing::Create)?, layout()?),
        Command::Tools(command) => tools::run(command, &layout()?),
        Command::Paths { json } => paths(&layout()?, json),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut command, "tdev", &mut std::io::stdout());
            Ok(())
        }
    }
}

/// The data directory a command works on, and its configuration.
pub type Context = DataDir;

/// `--data-dir`, else the nearest `.tdev/`, else the per-user directory (made when `missing`
/// says so); says so on stderr when it was just made.
fn locate(explicit: Option<PathBuf>, missing: Missing) -> Result<Context> {
    let cwd = std::env::current_dir().context("reading the current directory")?;
    let data = DataDir::locate(explicit.as_deref(), &cwd, &Layout::from_env()?, missing)?;
    if data.created {
        eprintln!("using the per-user data directory {}", data.dir.display());
    }
    Ok(data)
}

/// The configuration `locate` would find, or the defaults; nothing is created.
fn configuration(explicit: Option<PathBuf>) -> Result<tdev_app::Config> {
    let cwd = std::env::current_dir().context("reading the current directory")?;
    let layout = Layout::from_env()?;
    Ok(tdev_app::datadir::config_or_default(
        explicit.as_deref(),
        &cwd,
        &layout,
    )?)
}

/// The data directory `configuration` reads, when there is one; nothing is created.
fn existing(explicit: Option<PathBuf>) -> Result<Option<PathBuf>> {
    let cwd = std::env::current_dir().context("reading the current directory")?;
    let layout = Layout::from_env()?;
    Ok(tdev_app::datadir::existing(
        explicit.as_deref(),
        &cwd,
        &layout,
    )?)
}

/// Opens the graph and the index, taking the directory's lock.
pub fn open(ctx: &Context) -> Result<KnowledgeBase> {
    Ok(tdev_app::datadir::open_knowledge(
        &ctx.dir,
        &ctx.config,
        std::time::Duration::ZERO,
    )?)
}

/// `tdev paths`: where tdev keeps everything.
fn paths(layout: &Layout, json: bool) -> Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(layout)?)?;
    } else {
        for (name, path) in layout.lines() {
            writeln!(out, "{name:<17}{}", path.display())?;
        }
    }
    Ok(())
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
        tdev_app::Error::user(format!(
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
