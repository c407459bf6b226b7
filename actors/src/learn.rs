//! The Learn phase: after a cycle is recorded, the planner's models are retrained on every
//! recorded attempt, compared with the models in use on the attempts of that cycle (which
//! neither has seen), and kept only if no worse (`tdev_learners::retrain`). A kept model is
//! written as the next version of the model file and recorded in the cycle's graph.
//!
//! The rules are the learners' (pure, unit-tested there); this module reads the rows,
//! chooses the held-out ones, and writes the file and the record. Reading the models back
//! ([`load_latest`]) falls back past a corrupt or unreadable file to the version before it,
//! and to the heuristic when there is none, with a warning each time.

use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Instant;
use tdev_core::{ModelRecord, Timestamp, TrainingRow};
use tdev_knowledge::{KnowledgeBase, ModelFiles};
use tdev_learners::{Evaluation, LearnedModels, Options};

/// The name of the planner's models: their files are `planner-v<N>.bin`, their records
/// `tdev:name "planner"`.
pub const MODEL_NAME: &str = "planner";

/// The most recent attempts a model is trained on, at most: retraining stays within about a
/// second (`docs/benchmarks.md`: 100,000 rows in under one) however long tdev has run, and
/// the oldest attempts, made by an older tdev, matter least.
pub const MAX_TRAINING_ROWS: usize = 200_000;

/// The planner's models in use, and their version.
#[derive(Clone, Debug)]
pub struct CurrentModels {
    /// The models.
    pub models: Arc<LearnedModels>,
    /// The version of the file they were read from (or written to).
    pub version: u32,
}

impl CurrentModels {
    /// The models as a plan names them: `learned models v3 (1204 attempts)`.
    pub fn describe(&self) -> String {
        format!(
            "learned models v{} ({} attempts)",
            self.version,
            self.models.summary().rows
        )
    }
}

/// What the Learn phase did.
#[derive(Clone, Debug, PartialEq)]
pub enum Learned {
    /// A new version was trained and kept: it is in use from the next plan on.
    Kept {
        /// Its version.
        version: u32,
        /// Rows it was trained on.
        rows: usize,
        /// How the candidate did on the cycle's attempts before it saw them, when there was
        /// anything to hold out (not for the first model).
        held_out: Option<Evaluation>,
    },
    /// A candidate was trained and did worse than the models in use on the cycle's
    /// attempts, so the models in use stay.
    Refused {
        /// The version that stays in use.
        version: u32,
        /// The candidate's scores on the held-out attempts.
        candidate: Evaluation,
        /// The models in use on the same attempts.
        previous: Evaluation,
    },
    /// Nothing to learn: the cycle made no attempts and a model exists, or nothing at all
    /// is recorded yet.
    Nothing {
        /// Why, for the log.
        why: &'static str,
    },
}

/// The newest model version that reads back, with a warning for every newer one that does
/// not (corrupt, of another format version, unreadable) and was passed over. `None` when no
/// version reads: the planner then uses the heuristic.
pub fn load_latest(files: &ModelFiles) -> (Option<CurrentModels>, Vec<String>) {
    let mut warnings = Vec::new();
    let versions = match files.versions(MODEL_NAME) {
        Ok(versions) => versions,
        Err(e) => {
            warnings.push(format!(
                "cannot list the model files: {e}; planning with the heuristic"
            ));
            return (None, warnings);
        }
    };
    for &version in &versions {
        let path = files.path(MODEL_NAME, version);
        let read = files
            .read(MODEL_NAME, version)
            .map_err(|e| e.to_string())
            .and_then(|bytes| LearnedModels::from_bytes(&bytes).map_err(|e| e.to_string()));
        match read {
            Ok(models) => {
                return (
                    Some(CurrentModels {
                        models: Arc::new(models),
                        version,
                    }),
                    warnings,
                );
            }
            Err(e) => warnings.push(format!(
                "model file {} cannot be used ({e}); falling back to {}",
                path.display(),
                versions
                    .iter()
                    .find(|&&v| v < version)
                    .map_or("the heuristic".to_owned(), |v| format!("version {v}"))
            )),
        }
    }
    (None, warnings)
}

/// Retrains after the cycle `cycle_id`, which started at `cycle_started`: the rows of
/// attempts that started from then on are held out, the others trained on. Returns what
/// happened and, when a model was kept, the models to use from now on.
pub fn learn(
    knowledge: &KnowledgeBase,
    cycle_id: &str,
    cycle_started: Timestamp,
    previous: Option<&CurrentModels>,
) -> Result<(Learned, Option<CurrentModels>), crate::PhaseError> {
    let started = Instant::now();
    let mut rows = knowledge
        .graph
        .training_rows()
        .map_err(crate::PhaseError::knowledge("reading the training rows"))?;
    if rows.len() > MAX_TRAINING_ROWS {
        rows.drain(..rows.len() - MAX_TRAINING_ROWS);
    }
    let split = rows.partition_point(|r| r.started_at < cycle_started);
    let (training, held_out) = rows.split_at(split);
    if rows.is_empty() {
        return Ok((
            Learned::Nothing {
                why: "no attempt is recorded yet",
            },
            None,
        ));
    }
    if held_out.is_empty() && previous.is_some() {
        return Ok((
            Learned::Nothing {
                why: "the cycle made no attempts",
            },
            None,
        ));
    }
    let options = Options::default();
    let learner_error = |source| crate::PhaseError::Learn { source };
    let held_out_scores = if training.is_empty() {
        // The first attempts ever: nothing to compare with, nothing to hold out.
        None
    } else {
        let retrained = tdev_learners::retrain(
            previous.map(|p| p.models.as_ref()),
            training,
            held_out,
            &options,
        )
        .map_err(learner_error)?;
        if !retrained.keep_candidate() {
            let comparison = retrained
                .comparison
                .expect("a refused candidate was compared with a previous model");
            let version = previous.map_or(0, |p| p.version);
            return Ok((
                Learned::Refused {
                    version,
                    candidate: comparison.candidate,
                    previous: comparison.previous,
                },
                None,
            ));
        }
        Some(retrained.evaluation)
    };
    // Kept: trained again on every row, the held-out ones included, so that the next plan
    // knows this cycle too.
    let models = LearnedModels::train_with(&rows, &options).map_err(learner_error)?;
    let files = knowledge.model_files();
    let newest = files
        .versions(MODEL_NAME)
        .map_err(crate::PhaseError::knowledge("listing the model files"))?
        .first()
        .copied()
        .unwrap_or(0);
    let version = newest.max(previous.map_or(0, |p| p.version)) + 1;
    let bytes = models.to_bytes();
    files
        .write(MODEL_NAME, version, &bytes)
        .map_err(crate::PhaseError::knowledge("writing the model file"))?;
    let record = model_record(version, &rows, &bytes, held_out_scores.as_ref(), held_out);
    knowledge
        .graph
        .record_models(cycle_id, &[record])
        .map_err(crate::PhaseError::knowledge("recording the model"))?;
    tracing::info!(
        version,
        rows = rows.len(),
        seconds = started.elapsed().as_secs_f64(),
        "trained the planner's models"
    );
    Ok((
        Learned::Kept {
            version,
            rows: rows.len(),
            held_out: held_out_scores,
        },
        Some(CurrentModels {
            models: Arc::new(models),
            version,
        }),
    ))
}

/// The graph's record of a kept model: its size, the file's SHA-256 and the held-out
/// measures (`docs/learning.md`).
fn model_record(
    version: u32,
    rows: &[TrainingRow],
    bytes: &[u8],
    held_out: Option<&Evaluation>,
    held_out_rows: &[TrainingRow],
) -> ModelRecord {
    let mut metrics = Vec::new();
    if let Some(scores) = held_out {
        metrics.push(("held_out_rows".to_owned(), held_out_rows.len() as f64));
        let measures = [
            ("mae", scores.effort_mae_secs),
            ("within_30", scores.effort_within),
            ("brier", scores.brier),
            ("auc", scores.auc),
        ];
        for (name, value) in measures {
            if let Some(value) = value.filter(|v| v.is_finite()) {
                metrics.push((name.to_owned(), value));
            }
        }
    }
    let sha256 = Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    ModelRecord {
        name: MODEL_NAME.to_owned(),
        version,
        trained_at: Timestamp::now(),
        training_size: u32::try_from(rows.len()).unwrap_or(u32::MAX),
        sha256,
        metrics,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tdev_core::{
        Baseline, Context, Family, Labels, Language, Strategy, StrategyHistory, TaskFeatures,
    };

    fn models(seconds: f64) -> LearnedModels {
        let row = TrainingRow {
            repository: "demo".into(),
            started_at: Timestamp::from_unix(1_800_000_000),
            features: TaskFeatures {
                kind: "fix-lint".into(),
                strategy: Strategy::new(Family::ToolFix, "E7"),
                findings: 1,
                files: 1,
                total_complexity: 0.0,
                priority: 0.5,
            },
            context: Context {
                baseline: Baseline::unknown(Language::Python),
                history: StrategyHistory::default(),
            },
            labels: Labels {
                passed: true,
                failed: vec![],
                duration_secs: seconds,
                tokens: None,
                cost: None,
                fate: None,
            },
        };
        LearnedModels::train(&vec![row; 4]).unwrap()
    }

    /// A damaged newest file is passed over with a warning naming it and the version used
    /// instead; with no readable version the heuristic is used, said as much.
    #[test]
    fn a_corrupt_model_file_falls_back_to_the_previous_version_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let files = ModelFiles::new(dir.path());
        assert!(load_latest(&files).0.is_none(), "no file, no model");
        files.write(MODEL_NAME, 1, &models(3.0).to_bytes()).unwrap();
        let mut damaged = models(30.0).to_bytes();
        let last = damaged.len() - 1;
        damaged[last] ^= 0xff;
        files.write(MODEL_NAME, 2, &damaged).unwrap();

        let (current, warnings) = load_latest(&files);
        let current = current.expect("version 1 reads");
        assert_eq!(current.version, 1);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].contains("planner-v2.bin")
                && warnings[0].contains("falling back to version 1"),
            "{warnings:?}"
        );

        std::fs::write(files.path(MODEL_NAME, 1), b"not a model").unwrap();
        let (current, warnings) = load_latest(&files);
        assert!(current.is_none());
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(
            warnings[1].contains("falling back to the heuristic"),
            "{warnings:?}"
        );
    }
}
