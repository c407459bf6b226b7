//! Built-in Python codemods: small, reviewed rewrites on tree-sitter's syntax tree that fix one
//! kind of finding each (`bandit:B506`, `ruff:E711`, ...) the way a maintainer would by hand.
//!
//! Every codemod follows the same contract, which the tests check on the dataset projects:
//! - **minimal**: only the tokens that change are replaced; formatting, comments, quotes,
//!   indentation and line endings elsewhere stay as they were;
//! - **idempotent**: applying a codemod to its own output changes nothing;
//! - **still valid**: the result parses (tree-sitter here, CPython in the tests); a result that
//!   does not is refused with [`Error::Broken`] rather than returned;
//! - **conservative**: a place where the rewrite could change behaviour is reported as a
//!   [`Site`] with the reason it is declined, and left alone.
//!
//! Sources that tree-sitter cannot parse without errors are left alone: no sites, no edit.
//! `docs/codemods.md` describes each codemod, what it changes and what it skips.
//!
//! ```
//! use tdev_targets::python::codemod;
//!
//! let none = codemod::by_id("none-comparison").unwrap();
//! let edit = none.apply("if x == None:  # why\n    pass\n", None)?.unwrap();
//! assert_eq!(edit.source, "if x is None:  # why\n    pass\n");
//! assert_eq!(edit.sites[0].span.line, 1);
//! # Ok::<(), codemod::Error>(())
//! ```

mod edit;
mod imports;
mod mutable_default;
mod names;
mod negated_comparison;
mod none_comparison;
mod site;
mod yaml_safe_load;

pub use edit::{Edit, Replacement};
pub use mutable_default::MutableDefault;
pub use negated_comparison::NegatedComparison;
pub use none_comparison::NoneComparison;
pub use site::Site;
pub use yaml_safe_load::YamlSafeLoad;

use super::parse;
use tree_sitter::Tree;

/// Errors of the codemods: only infrastructure failing or a codemod's own bug; a place that
/// cannot be changed safely is a declined [`Site`], not an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The source could not be parsed at all.
    #[error(transparent)]
    Parse(#[from] crate::Error),
    /// The codemod produced code that no longer parses (a bug in the codemod; nothing was
    /// returned, so nothing was applied).
    #[error("the {codemod} codemod produced code that does not parse, near line {line}")]
    Broken {
        /// The codemod's id.
        codemod: &'static str,
        /// First line (1-based) of the result where tree-sitter recovered from an error.
        line: usize,
    },
}

/// Result of the codemods.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One place a codemod recognised and the replacements that fix it (none when declined).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rewrite {
    /// Where, in which function, and why.
    pub site: Site,
    /// Byte-range replacements in the original source; empty when the site is declined.
    pub replacements: Vec<Replacement>,
}

/// A built-in rewrite of Python source that fixes one kind of finding.
pub trait Codemod: std::fmt::Debug + Send + Sync {
    /// Stable identifier, e.g. `yaml-safe-load`.
    fn id(&self) -> &'static str;

    /// One sentence saying what the codemod changes.
    fn description(&self) -> &'static str;

    /// What it does as a verb phrase, for the titles of the tasks that use it, e.g. "replace
    /// yaml.load with yaml.safe_load".
    fn summary(&self) -> &'static str;

    /// The finding kinds it addresses, e.g. `bandit:B506`.
    fn kinds(&self) -> &'static [&'static str];

    /// Every place the codemod recognises in `source`, in source order, each with the
    /// replacements that fix it (none for a declined site). No rewrites for sources with
    /// syntax errors.
    fn rewrites(&self, source: &str) -> Result<Vec<Rewrite>>;

    /// The places the codemod recognises; those it would leave alone carry the reason in
    /// their `declined` field.
    fn find(&self, source: &str) -> Result<Vec<Site>> {
        Ok(screened(self.kinds(), source, self.rewrites(source)?)
            .map(|r| r.site)
            .collect())
    }

    /// Rewrites every site it can change (or only those overlapping one of `only`, e.g. the
    /// sites of the findings being fixed) and returns the new source; `None` when nothing
    /// applies.
    fn apply(&self, source: &str, only: Option<&[Site]>) -> Result<Option<Edit>> {
        let rewrites = screened(self.kinds(), source, self.rewrites(source)?);
        let chosen = rewrites.filter(|r| {
            r.site.declined.is_none()
                && !r.replacements.is_empty()
                && only.is_none_or(|only| only.iter().any(|o| o.span_overlaps(&r.site)))
        });
        let Some(edit) = Edit::merge(source, chosen) else {
            return Ok(None);
        };
        let tree = parse(&edit.source)?;
        if tree.root_node().has_error() {
            return Err(Error::Broken {
                codemod: self.id(),
                line: first_error_line(&tree),
            });
        }
        Ok(Some(edit))
    }
}

/// Every built-in codemod.
pub fn all() -> Vec<Box<dyn Codemod>> {
    vec![
        Box::new(YamlSafeLoad),
        Box::new(NoneComparison),
        Box::new(MutableDefault),
        Box::new(NegatedComparison),
    ]
}

/// The built-in codemod with this id.
pub fn by_id(id: &str) -> Option<Box<dyn Codemod>> {
    all().into_iter().find(|c| c.id() == id)
}

/// The built-in codemods that address findings of `kind` (e.g. `ruff:E711`).
pub fn for_kind(kind: &str) -> Vec<Box<dyn Codemod>> {
    all()
        .into_iter()
        .filter(|c| c.kinds().contains(&kind))
        .collect()
}

/// The rewrites, with those on a line whose comment suppresses one of `kinds` declined:
/// `# noqa` alone or naming the rule (`# noqa: E711`), `# nosec` alone or naming the bandit
/// test. A maintainer who silenced the linter there meant the code as it is.
fn screened<'a>(
    kinds: &'a [&'a str],
    source: &'a str,
    rewrites: Vec<Rewrite>,
) -> impl Iterator<Item = Rewrite> + 'a {
    let lines: Vec<&str> = source.lines().collect();
    rewrites.into_iter().map(move |mut rewrite| {
        let span = rewrite.site.span;
        let first = usize::try_from(span.line)
            .unwrap_or(usize::MAX)
            .saturating_sub(1);
        let last = usize::try_from(span.end_line).unwrap_or(usize::MAX);
        let silenced = lines
            .get(first..last.min(lines.len()))
            .unwrap_or_default()
            .iter()
            .any(|line| suppresses(line, kinds));
        if silenced && rewrite.site.declined.is_none() {
            rewrite.site.declined =
                Some("a `noqa`/`nosec` comment silences the finding here".to_owned());
            rewrite.replacements.clear();
        }
        rewrite
    })
}

/// Whether a line's comment silences one of `kinds` (`ruff:E711` is silenced by `# noqa`
/// and `# noqa: E711`; `bandit:B506` by `# nosec` and `# nosec B506`).
fn suppresses(line: &str, kinds: &[&str]) -> bool {
    let Some(at) = line.find('#') else {
        return false;
    };
    let comment = &line[at..];
    let codes: Vec<&str> = kinds
        .iter()
        .filter_map(|k| k.split_once(':').map(|(_, code)| code))
        .collect();
    ["noqa", "nosec"].iter().any(|marker| {
        comment.match_indices(marker).any(|(i, _)| {
            let rest = comment[i + marker.len()..].trim_start();
            let listed = rest.strip_prefix(':').unwrap_or(rest).trim_start();
            let names_codes = listed.starts_with(|c: char| c.is_ascii_uppercase());
            !names_codes || codes.iter().any(|code| listed.contains(code))
        })
    })
}

/// The syntax tree of `source`, or `None` when tree-sitter had to recover from errors: the
/// codemods only touch code they fully understand.
fn parsed(source: &str) -> Result<Option<Tree>> {
    let tree = parse(source)?;
    Ok((!tree.root_node().has_error()).then_some(tree))
}

/// 1-based line of the first error or missing node.
fn first_error_line(tree: &Tree) -> usize {
    let mut cursor = tree.walk();
    loop {
        let node = cursor.node();
        if node.is_error() || node.is_missing() {
            return node.start_position().row + 1;
        }
        let descend = node.has_error() && cursor.goto_first_child();
        if !descend {
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() {
                    return node.start_position().row + 1;
                }
            }
        }
    }
}

/// The nodes under `root` (itself included) of one of `kinds`, in source order.
fn nodes_of_kind<'t>(root: tree_sitter::Node<'t>, kinds: &[&str]) -> Vec<tree_sitter::Node<'t>> {
    let mut out = Vec::new();
    let mut cursor = root.walk();
    // Depth-first, without recursion: expressions can nest deeply.
    loop {
        let node = cursor.node();
        if kinds.contains(&node.kind()) {
            out.push(node);
        }
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return out;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Applying `codemod` to `before` gives `after` (`before` itself when nothing applies),
    /// which parses, and applying it again changes nothing.
    pub(super) fn check(codemod: &dyn Codemod, before: &str, after: &str) {
        let edit = codemod.apply(before, None).unwrap();
        let got = edit.as_ref().map_or(before, |e| e.source.as_str());
        assert_eq!(got, after, "{} on {before:?}", codemod.id());
        assert!(!crate::python::has_syntax_errors(got).unwrap(), "{got}");
        assert_eq!(
            codemod.apply(got, None).unwrap(),
            None,
            "{} is not idempotent on {before:?}",
            codemod.id()
        );
    }

    /// `codemod` recognises a site in `source` but declines it, and changes nothing.
    pub(super) fn check_declined(codemod: &dyn Codemod, source: &str) {
        check(codemod, source, source);
        let sites = codemod.find(source).unwrap();
        assert!(
            !sites.is_empty() && sites.iter().all(|s| s.declined.is_some()),
            "{} on {source:?}: {sites:?}",
            codemod.id()
        );
    }

    #[test]
    fn ids_are_unique_and_every_codemod_names_its_findings() {
        let all = all();
        let mut ids: Vec<&str> = all.iter().map(|c| c.id()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), all.len());
        assert!(all.iter().all(|c| !c.kinds().is_empty()));
        assert_eq!(for_kind("ruff:E711")[0].id(), "none-comparison");
    }

    #[test]
    fn code_with_syntax_errors_is_left_alone() {
        for codemod in all() {
            assert_eq!(codemod.find("x == None\ndef f(:\n").unwrap(), Vec::new());
        }
    }

    #[test]
    fn only_the_selected_sites_change() {
        let none = NoneComparison;
        let source = "a == None\nb == None\n";
        let second = none.find(source).unwrap().remove(1);
        let edit = none
            .apply(source, Some(std::slice::from_ref(&second)))
            .unwrap()
            .unwrap();
        assert_eq!(edit.source, "a == None\nb is None\n");
        assert_eq!(edit.sites, vec![second]);
        // A finding that reports only a line selects what is on it.
        let line = Site {
            span: tdev_core::Span::line(1),
            symbol: None,
            message: String::new(),
            declined: None,
        };
        let edit = none.apply(source, Some(&[line])).unwrap().unwrap();
        assert_eq!(edit.source, "a is None\nb == None\n");
        assert_eq!(none.apply(source, Some(&[])).unwrap(), None);
    }

    #[test]
    fn silenced_findings_are_declined() {
        check_declined(&NoneComparison, "x == None  # noqa\n");
        check_declined(&NoneComparison, "x == None  # noqa: E711\n");
        check_declined(&NoneComparison, "x == None  # noqa:E501,E711\n");
        check(
            &NoneComparison,
            "x == None  # noqa: E501\n",
            "x is None  # noqa: E501\n",
        );
        check_declined(&YamlSafeLoad, "import yaml\nyaml.load(f)  # nosec\n");
        check_declined(&YamlSafeLoad, "import yaml\nyaml.load(f)  # nosec B506\n");
        check_declined(&MutableDefault, "def f(x=[]):  # noqa: B006\n    pass\n");
    }

    #[test]
    fn sites_name_their_enclosing_function() {
        let sites = NoneComparison
            .find("class C:\n    def m(self):\n        return  self.x == None\n")
            .unwrap();
        assert_eq!(sites[0].symbol.as_deref(), Some("C.m"));
        assert_eq!(
            sites[0].span,
            tdev_core::Span {
                line: 3,
                column: 17,
                end_line: 3,
                end_column: 31
            }
        );
    }
}
