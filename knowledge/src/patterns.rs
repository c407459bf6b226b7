//! The pattern index: one tantivy document per (situation, strategy, language), with the
//! strategy's track record in that situation, retrieved by BM25 similarity.

use crate::{Error, Result};
use std::path::Path;
use std::sync::Mutex;
use tantivy::collector::TopDocs;
use tantivy::directory::MmapDirectory;
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TEXT, TantivyDocument, Value,
};
use tantivy::{DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, Term, doc};
use tdev_core::{Language, Pattern, PatternOutcome};

/// Memory the index writer may use before flushing a segment.
const WRITER_MEMORY: usize = 20_000_000;

/// tdev's pattern index.
pub struct PatternIndex {
    index: Index,
    reader: IndexReader,
    /// One writer; a lock, so that the index is shared by handle between the curator, which
    /// writes, and readers in the same process.
    writer: Mutex<IndexWriter>,
    fields: Fields,
}

impl std::fmt::Debug for PatternIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PatternIndex").finish_non_exhaustive()
    }
}

#[derive(Clone, Copy)]
struct Fields {
    key: Field,
    situation: Field,
    strategy: Field,
    language: Field,
    successes: Field,
    failures: Field,
    success_rate: Field,
    example_change: Field,
}

/// Narrows a search.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SearchFilter {
    /// Only patterns of this language.
    pub language: Option<Language>,
    /// Only patterns of this strategy (exact).
    pub strategy: Option<String>,
    /// Only patterns whose success rate is at least this.
    pub min_success_rate: Option<f64>,
}

/// A pattern found by a search, with its BM25 score.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct PatternHit {
    /// BM25 relevance of the situation to the search text.
    pub score: f32,
    /// The pattern.
    pub pattern: Pattern,
    /// Its success rate, for convenience.
    pub success_rate: f64,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fields = Fields {
        key: b.add_text_field("key", STRING | STORED),
        situation: b.add_text_field("situation", TEXT | STORED),
        strategy: b.add_text_field("strategy", STRING | STORED),
        language: b.add_text_field("language", STRING | STORED),
        successes: b.add_u64_field("successes", STORED | FAST),
        failures: b.add_u64_field("failures", STORED | FAST),
        success_rate: b.add_f64_field("success_rate", INDEXED | STORED | FAST),
        example_change: b.add_text_field("example_change", TEXT | STORED),
    };
    (b.build(), fields)
}

/// The identity of a pattern: language, strategy and the situation with its white space folded.
/// FNV-1a, so the key is the same on every machine and Rust version.
fn key(language: Language, strategy: &str, situation: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let folded = situation.split_whitespace().collect::<Vec<_>>().join(" ");
    for part in [language.as_str(), "\u{1f}", strategy, "\u{1f}", &folded] {
        for b in part.bytes() {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

fn language_from_str(s: &str) -> Language {
    match s {
        "python" => Language::Python,
        "rust" => Language::Rust,
        _ => Language::Other,
    }
}

impl PatternIndex {
    /// Opens the index in `dir`, creating it if the directory is empty or missing.
    pub fn open(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(Error::io(format!("creating {}", dir.display())))?;
        let (schema, fields) = schema();
        let directory = MmapDirectory::open(dir).map_err(|e| Error::Io {
            context: format!("opening the pattern index at {}", dir.display()),
            source: std::io::Error::other(e.to_string()),
        })?;
        let index = Index::open_or_create(directory, schema)?;
        Self::with_index(index, fields)
    }

    /// An index held in memory, for tests.
    pub fn in_memory() -> Result<Self> {
        let (schema, fields) = schema();
        Self::with_index(Index::create_in_ram(schema), fields)
    }

    fn with_index(index: Index, fields: Fields) -> Result<Self> {
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let writer = index.writer_with_num_threads(1, WRITER_MEMORY)?;
        Ok(Self {
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
        })
    }

    /// Number of patterns.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Whether the index holds no pattern.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds patterns, replacing any with the same (situation, strategy, language), and commits.
    pub fn upsert(&self, patterns: &[Pattern]) -> Result<()> {
        let mut writer = self.writer();
        self.upsert_with(&mut writer, patterns)
    }

    fn upsert_with(&self, writer: &mut IndexWriter, patterns: &[Pattern]) -> Result<()> {
        for p in patterns {
            let key = key(p.language, &p.strategy, &p.situation);
            writer.delete_term(Term::from_field_text(self.fields.key, &key));
            writer.add_document(self.document(&key, p))?;
        }
        writer.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// The writer; a writer that panicked mid-way left nothing uncommitted that matters, since
    /// every change commits before the lock is released.
    fn writer(&self) -> std::sync::MutexGuard<'_, IndexWriter> {
        self.writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Counts one more use of `strategy` in `situation`, creating the pattern if it is new.
    /// A successful use's change becomes the pattern's example.
    pub fn record_outcome(
        &self,
        situation: &str,
        strategy: &str,
        language: Language,
        outcome: PatternOutcome,
        change: &str,
    ) -> Result<Pattern> {
        // The writer is held from the read to the write, so two outcomes are both counted.
        let mut writer = self.writer();
        let key = key(language, strategy, situation);
        let mut pattern = self.get(&key)?.unwrap_or_else(|| Pattern {
            situation: situation.to_owned(),
            strategy: strategy.to_owned(),
            language,
            successes: 0,
            failures: 0,
            example_change: String::new(),
        });
        match outcome {
            PatternOutcome::Success => {
                pattern.successes += 1;
                if !change.is_empty() {
                    pattern.example_change = change.to_owned();
                }
            }
            PatternOutcome::Failure => {
                pattern.failures += 1;
                if pattern.example_change.is_empty() {
                    pattern.example_change = change.to_owned();
                }
            }
        }
        self.upsert_with(&mut writer, std::slice::from_ref(&pattern))?;
        Ok(pattern)
    }

    fn get(&self, key: &str) -> Result<Option<Pattern>> {
        let searcher = self.reader.searcher();
        let query = TermQuery::new(
            Term::from_field_text(self.fields.key, key),
            IndexRecordOption::Basic,
        );
        let top = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
        match top.first() {
            Some((_, address)) => Ok(Some(self.pattern(&searcher.doc(*address)?))),
            None => Ok(None),
        }
    }

    /// The patterns most similar to `text` (BM25 over the situation and the example change),
    /// best first, within `filter`. An empty text lists patterns by success rate.
    pub fn search(
        &self,
        text: &str,
        filter: &SearchFilter,
        limit: usize,
    ) -> Result<Vec<PatternHit>> {
        let f = self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if text.trim().is_empty() {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        } else {
            clauses.push((Occur::Must, self.similar_to(text)?));
        }
        let exact = |field: Field, value: &str| -> Box<dyn Query> {
            let term = TermQuery::new(
                Term::from_field_text(field, value),
                IndexRecordOption::Basic,
            );
            Box::new(ConstScoreQuery::new(Box::new(term), 0.0))
        };
        if let Some(language) = filter.language {
            clauses.push((Occur::Must, exact(f.language, language.as_str())));
        }
        if let Some(strategy) = &filter.strategy {
            clauses.push((Occur::Must, exact(f.strategy, strategy)));
        }
        if let Some(min) = filter.min_success_rate {
            if !(0.0..=1.0).contains(&min) {
                return Err(Error::PatternQuery(format!(
                    "minimum success rate {min} is outside [0, 1]"
                )));
            }
            let range = RangeQuery::new(
                std::ops::Bound::Included(Term::from_field_f64(f.success_rate, min)),
                std::ops::Bound::Unbounded,
            );
            clauses.push((
                Occur::Must,
                Box::new(ConstScoreQuery::new(Box::new(range), 0.0)),
            ));
        }
        let query = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        let limit = limit.max(1);
        // Without text every pattern scores alike: rank by success rate in the index itself,
        // so that the best of all patterns come back, not the first few found.
        let top: Vec<(f32, DocAddress)> = if text.trim().is_empty() {
            let by_rate =
                TopDocs::with_limit(limit).order_by_fast_field::<f64>("success_rate", Order::Desc);
            searcher
                .search(&query, &by_rate)?
                .into_iter()
                .map(|(_, address)| (0.0, address))
                .collect()
        } else {
            searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?
        };
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let pattern = self.pattern(&searcher.doc(address)?);
            hits.push(PatternHit {
                score,
                success_rate: pattern.success_rate(),
                pattern,
            });
        }
        Ok(hits)
    }
    /// BM25 over the words of `text` in the situation and the example change. The text is
    /// tokenised like the documents rather than parsed as a query: situations quote code
    /// (`yaml.load(x)`, `a == None`) that a query syntax would misread.
    fn similar_to(&self, text: &str) -> Result<Box<dyn Query>> {
        let f = self.fields;
        let mut words = std::collections::BTreeSet::new();
        let mut tokenizer = self.index.tokenizer_for_field(f.situation)?;
        let mut stream = tokenizer.token_stream(text);
        while stream.advance() {
            words.insert(stream.token().text.clone());
        }
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for field in [f.situation, f.example_change] {
            for word in &words {
                let term = Term::from_field_text(field, word);
                should.push((
                    Occur::Should,
                    Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)),
                ));
            }
        }
        Ok(Box::new(BooleanQuery::new(should)))
    }

    fn document(&self, key: &str, p: &Pattern) -> TantivyDocument {
        let f = self.fields;
        doc!(
            f.key => key,
            f.situation => p.situation.as_str(),
            f.strategy => p.strategy.as_str(),
            f.language => p.language.as_str(),
            f.successes => p.successes,
            f.failures => p.failures,
            f.success_rate => p.success_rate(),
            f.example_change => p.example_change.as_str(),
        )
    }

    fn pattern(&self, doc: &TantivyDocument) -> Pattern {
        let f = self.fields;
        let text = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned()
        };
        let number = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_u64())
                .unwrap_or_default()
        };
        Pattern {
            situation: text(f.situation),
            strategy: text(f.strategy),
            language: language_from_str(&text(f.language)),
            successes: number(f.successes),
            failures: number(f.failures),
            example_change: text(f.example_change),
        }
    }
}
