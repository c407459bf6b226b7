//! `tdev kg`: load, dump, record and describe the knowledge graph.

use super::{Context, display_name, parse_one_or_many, read_input};
use crate::cli::{KgCommand, RdfFormat};
use crate::exit::UserError;
use anyhow::{Context as _, Result};
use std::io::{BufReader, BufWriter, IsTerminal, Write};
use std::path::Path;
use tdev_core::CycleRecord;
use tdev_knowledge::GraphFormat;

pub fn run(ctx: &Context, command: KgCommand) -> Result<()> {
    match command {
        KgCommand::Load {
            files,
            format,
            graph,
        } => load(ctx, &files, format, graph.as_deref()),
        KgCommand::Dump {
            format,
            graph,
            output,
        } => dump(ctx, format, graph.as_deref(), output.as_deref()),
        KgCommand::Record {
            files,
            skip_recorded,
        } => record(ctx, &files, skip_recorded),
        KgCommand::Stats { json } => stats(ctx, json),
    }
}

fn graph_format(format: RdfFormat) -> GraphFormat {
    match format {
        RdfFormat::Turtle => GraphFormat::Turtle,
        RdfFormat::Ntriples => GraphFormat::NTriples,
        RdfFormat::Nquads => GraphFormat::NQuads,
        RdfFormat::Trig => GraphFormat::TriG,
    }
}

fn load(
    ctx: &Context,
    files: &[std::path::PathBuf],
    format: Option<RdfFormat>,
    graph: Option<&str>,
) -> Result<()> {
    // Check every file's format before loading anything.
    let mut plan = Vec::new();
    for file in files {
        let format = match format {
            Some(f) => graph_format(f),
            None => GraphFormat::from_path(file).ok_or_else(|| {
                UserError::new(format!(
                    "cannot tell the RDF format of {}: name it .ttl, .nt, .nq or .trig, or pass --format",
                    display_name(file)
                ))
            })?,
        };
        if graph.is_some() && format.holds_datasets() {
            return Err(UserError::new(format!(
                "--graph applies to Turtle and N-Triples; {} holds its own named graphs",
                display_name(file)
            ))
            .into());
        }
        plan.push((file, format));
    }
    let kb = super::open(ctx)?;
    for (file, format) in plan {
        let name = display_name(file);
        let progress = |read: u64| {
            if std::io::stderr().is_terminal() {
                eprint!("\rloading {name}: {read} quads read");
            }
        };
        let read = if file.as_path() == Path::new("-") {
            kb.graph
                .load(std::io::stdin().lock(), format, graph, &name, progress)?
        } else {
            let reader = std::fs::File::open(file).with_context(|| format!("opening {name}"))?;
            kb.graph
                .load(BufReader::new(reader), format, graph, &name, progress)?
        };
        if std::io::stderr().is_terminal() {
            eprint!("\r\x1b[K");
        }
        eprintln!("loaded {name}: {read} quads");
    }
    eprintln!("the graph now holds {} quads", kb.graph.len()?);
    Ok(())
}

fn dump(
    ctx: &Context,
    format: RdfFormat,
    graph: Option<&str>,
    output: Option<&Path>,
) -> Result<()> {
    let kb = super::open(ctx)?;
    let format = graph_format(format);
    match output {
        None => {
            let out = kb
                .graph
                .dump(BufWriter::new(std::io::stdout().lock()), format, graph)?;
            out.into_inner().map_err(|e| e.into_error())?.flush()?;
        }
        Some(path) => {
            // Write beside the target and rename, so an interrupted dump never leaves half a file.
            let dir = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let tmp = tempfile::NamedTempFile::new_in(dir)
                .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
            let out = kb.graph.dump(BufWriter::new(tmp), format, graph)?;
            let tmp = out.into_inner().map_err(|e| e.into_error())?;
            tmp.as_file().sync_all()?;
            tmp.persist(path)
                .with_context(|| format!("writing {}", path.display()))?;
            eprintln!("wrote {}", path.display());
        }
    }
    Ok(())
}

fn record(ctx: &Context, files: &[std::path::PathBuf], skip_recorded: bool) -> Result<()> {
    let mut records = Vec::new();
    for file in files {
        let name = display_name(file);
        let text = read_input(file)?;
        let parsed: Vec<CycleRecord> =
            parse_one_or_many(&text, &name, "a cycle record or an array of records")?;
        records.extend(parsed.into_iter().map(|r| (name.clone(), r)));
    }
    let kb = super::open(ctx)?;
    // Check every record first, so that the good ones can be written in large batches.
    let (mut skipped, mut failed) = (0, 0);
    let mut ids = std::collections::HashSet::new();
    let mut good = Vec::with_capacity(records.len());
    for (name, record) in records {
        let problem = if ids.insert(record.id.clone()) {
            kb.graph.check_record(&record).err()
        } else {
            Some(tdev_knowledge::Error::CycleExists(record.id.clone()))
        };
        match problem {
            None => good.push(record),
            Some(tdev_knowledge::Error::CycleExists(_)) if skip_recorded => skipped += 1,
            Some(e) if e.is_user_error() => {
                failed += 1;
                eprintln!("{name}: {e}");
            }
            Some(e) => return Err(e.into()),
        }
    }
    let show_progress =
        good.len() >= 2 * tdev_knowledge::IMPORT_BATCH && std::io::stderr().is_terminal();
    let mut written = 0;
    for batch in good.chunks(tdev_knowledge::IMPORT_BATCH) {
        if show_progress {
            eprint!("\rrecording: {written}/{}", good.len());
        }
        kb.graph.record_cycles(batch)?;
        written += batch.len();
    }
    if show_progress {
        eprint!("\r\x1b[K");
    }
    if skipped > 0 {
        eprintln!("recorded {written} cycle(s), skipped {skipped} already recorded");
    } else {
        eprintln!("recorded {written} cycle(s)");
    }
    if failed > 0 {
        return Err(
            UserError::new(format!("{failed} record(s) were not written (see above)")).into(),
        );
    }
    Ok(())
}

fn stats(ctx: &Context, json: bool) -> Result<()> {
    let kb = super::open(ctx)?;
    let stats = kb.graph.statistics()?;
    let bytes = dir_size(&ctx.dir.join("graph")) + dir_size(&ctx.dir.join("patterns"));
    let patterns = kb.patterns.len();
    let mut out = std::io::stdout().lock();
    if json {
        let value = serde_json::json!({
            "data_dir": ctx.dir,
            "graph": kb.graph.location(),
            "quads": stats.quads,
            "named_graphs": stats.named_graphs,
            "cycles": stats.cycles,
            "ontology_triples": stats.ontology_triples,
            "instances": stats.instances.iter().map(|(c, n)| serde_json::json!({"class": c, "count": n})).collect::<Vec<_>>(),
            "patterns": patterns,
            "bytes_on_disk": bytes,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
        return Ok(());
    }
    writeln!(out, "data directory   {}", ctx.dir.display())?;
    // The size on disk is the data directory's: a graph on a SPARQL server is not in it.
    writeln!(out, "graph            {}", kb.graph.location())?;
    writeln!(out, "quads            {}", stats.quads)?;
    writeln!(out, "named graphs     {}", stats.named_graphs)?;
    writeln!(out, "cycles           {}", stats.cycles)?;
    writeln!(out, "ontology triples {}", stats.ontology_triples)?;
    writeln!(out, "patterns         {patterns}")?;
    writeln!(
        out,
        "size on disk     {:.1} MiB",
        bytes as f64 / (1024.0 * 1024.0)
    )?;
    if !stats.instances.is_empty() {
        writeln!(out, "instances")?;
        for (class, n) in &stats.instances {
            writeln!(out, "  {class:<24} {n}")?;
        }
    }
    Ok(())
}

fn dir_size(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}
