//! A parsed patch, whichever form the model wrote it in: per file, an ordered list of edits,
//! each replacing some old lines with new ones.

/// What to do to one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FilePatch {
    /// The file, relative to the worktree, as the answer named it.
    pub path: String,
    /// What happens to it.
    pub action: FileAction,
}

/// The change to one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum FileAction {
    /// Edit an existing file.
    Modify {
        /// The edits, in order.
        edits: Vec<Edit>,
        /// Whether edits come in file order (diff hunks) so each is looked for after the last,
        /// or in any order (search/replace blocks) so each is looked for in the whole file.
        ordered: bool,
    },
    /// Create a file that does not exist yet, with these lines.
    Create(Vec<String>),
    /// Delete a file, whose lines should be these (empty when the answer did not say).
    Delete(Vec<String>),
}

/// Replace `old` lines with `new` ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Edit {
    /// The lines to find (context and removed lines), without line terminators.
    pub old: Vec<String>,
    /// What they become.
    pub new: Vec<String>,
    /// Where the answer said the old lines start (0-based), a tie-breaker only.
    pub hint: Option<usize>,
}
