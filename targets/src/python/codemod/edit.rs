//! What applying a codemod produces: byte-range replacements in the original source, the new
//! source they make, and the sites they fix.

use super::{Rewrite, Site};
use std::ops::Range;

/// One replacement of a byte range of the original source (an insertion when empty).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replacement {
    /// Bytes of the original source that are replaced.
    pub range: Range<usize>,
    /// What replaces them.
    pub text: String,
}

impl Replacement {
    /// Replaces `range` with `text`.
    pub(super) fn new(range: Range<usize>, text: impl Into<String>) -> Self {
        Replacement {
            range,
            text: text.into(),
        }
    }

    /// Whether the two cannot both be applied: they overlap, or an insertion falls strictly
    /// inside the other's range. Insertions at the same point, and an insertion at either end
    /// of a replaced range, can (insertions go first).
    fn conflicts_with(&self, other: &Replacement) -> bool {
        let inside = |point: usize, r: &Range<usize>| r.start < point && point < r.end;
        match (self.range.is_empty(), other.range.is_empty()) {
            (true, true) => false,
            (true, false) => inside(self.range.start, &other.range),
            (false, true) => inside(other.range.start, &self.range),
            (false, false) => {
                self.range.start < other.range.end && other.range.start < self.range.end
            }
        }
    }
}

/// The result of applying a codemod.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    /// The whole new source.
    pub source: String,
    /// The replacements that turn the original into [`Edit::source`], ordered by position
    /// (insertions at the same point in the order they are applied).
    pub replacements: Vec<Replacement>,
    /// The sites the edit fixes.
    pub sites: Vec<Site>,
}

impl Edit {
    /// Applies the rewrites in order. A replacement identical to one already taken is shared
    /// (two calls needing the same added import); a rewrite that conflicts with one already
    /// taken is left out whole, to be picked up by a second run. `None` when nothing is
    /// taken.
    pub(super) fn merge(source: &str, rewrites: impl IntoIterator<Item = Rewrite>) -> Option<Edit> {
        let mut taken: Vec<Replacement> = Vec::new();
        let mut sites = Vec::new();
        for rewrite in rewrites {
            let fresh: Vec<Replacement> = rewrite
                .replacements
                .into_iter()
                .filter(|r| !taken.contains(r))
                .collect();
            let conflict = fresh
                .iter()
                .any(|r| taken.iter().any(|t| r.conflicts_with(t)));
            if !conflict {
                taken.extend(fresh);
                sites.push(rewrite.site);
            }
        }
        if sites.is_empty() {
            return None;
        }
        // A stable sort keeps insertions at one point in the order they were taken, and puts
        // them before a replacement starting there.
        taken.sort_by_key(|r| (r.range.start, !r.range.is_empty()));
        let mut out = String::with_capacity(source.len());
        let mut at = 0;
        for r in &taken {
            out.push_str(&source[at..r.range.start]);
            out.push_str(&r.text);
            at = r.range.end;
        }
        out.push_str(&source[at..]);
        Some(Edit {
            source: out,
            replacements: taken,
            sites,
        })
    }
}
