//! `tdev init`: create the data directory.

use anyhow::{Context, Result};
use std::path::Path;
use tdev_app::datadir::{CONFIG_FILE, DIR_NAME, create};

pub fn run(path: Option<&Path>) -> Result<()> {
    let base = match path {
        Some(path) => path.to_path_buf(),
        None => std::env::current_dir().context("reading the current directory")?,
    };
    std::fs::create_dir_all(&base).with_context(|| format!("creating {}", base.display()))?;
    let base = base
        .canonicalize()
        .with_context(|| format!("resolving {}", base.display()))?;
    let dir = base.join(DIR_NAME);
    let existed = dir.join(CONFIG_FILE).is_file();
    let kb = create(&dir)?;
    let stats = kb.graph.statistics()?;
    if existed {
        println!(
            "{} is already a tdev data directory ({} cycles recorded)",
            dir.display(),
            stats.cycles
        );
    } else {
        println!(
            "Initialised {} (knowledge graph with the tdev ontology: {} triples; empty pattern index)",
            dir.display(),
            stats.ontology_triples
        );
        println!("Next: tdev sparql 'SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o }}'");
    }
    Ok(())
}
