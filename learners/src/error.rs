//! Why training or reading models fails: bad rows, a solver that gave up, or bytes that are
//! not a model this version can read.

/// Everything that can go wrong while training models or reading them back.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// There is nothing to learn from: no recorded attempt yet.
    #[error("no recorded attempts to train on; run `tdev evolve` first")]
    NoRows,
    /// A row holds a value no attempt can have (a negative duration, a coverage above 1).
    #[error("training row {index}: {field} {problem}")]
    InvalidRow {
        /// The row's position in the rows given.
        index: usize,
        /// The field, as named in `docs/learning.md`.
        field: &'static str,
        /// What is wrong with its value.
        problem: String,
    },
    /// A solver failed on rows that passed validation.
    #[error("training the {model} model failed: {reason}")]
    Training {
        /// Which model: `effort`, `tokens` or `success`.
        model: &'static str,
        /// The solver's message.
        reason: String,
    },
    /// The bytes do not start with the header of tdev's models.
    #[error("not a tdev model file (the header is missing)")]
    NotAModel,
    /// The bytes are a model in a format version this tdev cannot read.
    #[error("model format version {found} is not supported (this tdev reads version {supported})")]
    UnsupportedVersion {
        /// The version in the header.
        found: u32,
        /// The version this build reads and writes.
        supported: u32,
    },
    /// The header is right but what follows is damaged.
    #[error("the model file is corrupt: {reason}")]
    Corrupt {
        /// What gave it away.
        reason: String,
    },
}

impl Error {
    /// Whether the error is about what the user gave (their recorded history) rather than a
    /// failure of training or of the model file, after which the caller falls back to the
    /// previous model or the heuristic with a warning.
    pub fn is_user_error(&self) -> bool {
        matches!(self, Self::NoRows | Self::InvalidRow { .. })
    }
}

/// The learners' result type.
pub type Result<T> = std::result::Result<T, Error>;
