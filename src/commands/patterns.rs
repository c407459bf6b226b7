//! `tdev patterns`: search and add learned patterns.

use super::{Context, display_name, parse_one_or_many, read_input};
use crate::cli::{LanguageArg, PatternsCommand};
use anyhow::Result;
use std::io::Write;
use tdev_core::{Language, Pattern};
use tdev_knowledge::SearchFilter;

pub fn run(ctx: &Context, command: PatternsCommand) -> Result<()> {
    match command {
        PatternsCommand::Search {
            text,
            language,
            strategy,
            min_success_rate,
            limit,
            json,
        } => {
            let filter = SearchFilter {
                language: language.map(|l| match l {
                    LanguageArg::Python => Language::Python,
                    LanguageArg::Rust => Language::Rust,
                    LanguageArg::Other => Language::Other,
                }),
                strategy,
                min_success_rate,
            };
            let kb = super::open(ctx)?;
            let limit = limit.unwrap_or(ctx.config.patterns.limit);
            let hits = kb.patterns.search(&text, &filter, limit)?;
            let mut out = std::io::stdout().lock();
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&hits)?)?;
                return Ok(());
            }
            if hits.is_empty() {
                writeln!(
                    out,
                    "no pattern matches (the index holds {})",
                    kb.patterns.len()
                )?;
            }
            for (i, hit) in hits.iter().enumerate() {
                let p = &hit.pattern;
                writeln!(
                    out,
                    "{}. {} [{}] passed {}/{} ({:.0}%), score {:.2}",
                    i + 1,
                    p.strategy,
                    p.language.as_str(),
                    p.successes,
                    p.successes + p.failures,
                    hit.success_rate * 100.0,
                    hit.score
                )?;
                writeln!(out, "   situation: {}", p.situation)?;
                if let Some(first) = p.example_change.lines().find(|l| !l.trim().is_empty()) {
                    writeln!(out, "   example:   {first}")?;
                }
            }
            Ok(())
        }
        PatternsCommand::Add { file } => {
            let name = display_name(&file);
            let text = read_input(&file)?;
            let patterns: Vec<Pattern> =
                parse_one_or_many(&text, &name, "a pattern or an array of patterns")?;
            let kb = super::open(ctx)?;
            kb.patterns.upsert(&patterns)?;
            eprintln!(
                "added {} pattern(s); the index holds {}",
                patterns.len(),
                kb.patterns.len()
            );
            Ok(())
        }
    }
}
