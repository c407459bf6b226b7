//! The built-in codemods as a backend: `codemod:<id>` rewrites the places of the task's
//! findings with the named codemod (`tdev_targets::python::codemod`), and nothing else.

use crate::{AttemptRequest, AttemptResult, Backend, Error, FailureReason, Result, Usage};
use std::collections::BTreeMap;
use std::path::Path;
use tdev_targets::python::codemod::{self, Codemod, Site};

/// Runs one built-in codemod on the files of the findings.
#[derive(Debug)]
pub struct CodemodBackend {
    codemod: Box<dyn Codemod>,
    name: String,
}

impl CodemodBackend {
    /// The backend of the codemod called `id` (e.g. `yaml-safe-load`).
    pub fn new(id: &str) -> Result<Self> {
        let codemod = codemod::by_id(id).ok_or_else(|| {
            let known: Vec<&str> = codemod::all().iter().map(|c| c.id()).collect();
            Error::Config(format!(
                "no built-in codemod is called `{id}`; the codemods are {}",
                known.join(", ")
            ))
        })?;
        Ok(CodemodBackend {
            name: format!("codemod:{}", codemod.id()),
            codemod,
        })
    }
}

impl Backend for CodemodBackend {
    fn name(&self) -> &str {
        &self.name
    }

    fn attempt(&self, request: &AttemptRequest, worktree: &Path) -> AttemptResult {
        let failed = |reason| AttemptResult::failed(reason, Usage::default());
        // The places to fix, per file: the findings' spans (a finding without one: the whole
        // file).
        let mut places: BTreeMap<&str, Option<Vec<Site>>> = BTreeMap::new();
        for finding in &request.findings {
            let entry = places
                .entry(finding.path.as_str())
                .or_insert(Some(Vec::new()));
            match (finding.span, entry.as_mut()) {
                (Some(span), Some(sites)) => sites.push(Site {
                    span,
                    symbol: None,
                    message: String::new(),
                    declined: None,
                }),
                _ => *entry = None,
            }
        }
        let mut edits = Vec::new();
        let mut declined = Vec::new();
        for (path, only) in &places {
            let file = worktree.join(path);
            let source = match std::fs::read_to_string(&file) {
                Ok(source) => source,
                Err(e) => {
                    return failed(FailureReason::Local {
                        detail: format!("reading {path}: {e}"),
                    });
                }
            };
            match self.codemod.apply(&source, only.as_deref()) {
                Ok(Some(edit)) => edits.push((path.to_string(), file, edit.source)),
                Ok(None) => {
                    // Say why: the codemod declined the places, or saw none.
                    let reasons: Vec<String> = self
                        .codemod
                        .find(&source)
                        .unwrap_or_default()
                        .into_iter()
                        .filter_map(|site| {
                            site.declined
                                .map(|why| format!("{path}:{}: {why}", site.span.line))
                        })
                        .collect();
                    declined.extend(reasons);
                }
                Err(e) => {
                    return failed(FailureReason::Local {
                        detail: format!("{} on {path}: {e}", self.name),
                    });
                }
            }
        }
        if edits.is_empty() {
            let detail = if declined.is_empty() {
                format!(
                    "{} found nothing to change at the findings' places",
                    self.name
                )
            } else {
                format!("{} declined: {}", self.name, declined.join("; "))
            };
            return failed(FailureReason::Local { detail });
        }
        // All files are rewritten or none: each goes to a temporary file first.
        let mut staged = Vec::new();
        for (path, file, source) in &edits {
            let tmp = file.with_extension("py.tdev-tmp");
            if let Err(e) = std::fs::write(&tmp, source) {
                for (tmp, _) in &staged {
                    let _ = std::fs::remove_file(tmp);
                }
                return failed(FailureReason::Local {
                    detail: format!("writing {path}: {e}"),
                });
            }
            staged.push((tmp, file));
        }
        for (tmp, file) in &staged {
            if let Err(e) = std::fs::rename(tmp, file) {
                return failed(FailureReason::Local {
                    detail: format!("replacing {}: {e}", file.display()),
                });
            }
        }
        AttemptResult {
            outcome: crate::AttemptOutcome::Changed {
                files: edits.into_iter().map(|(path, _, _)| path).collect(),
            },
            usage: Usage::default(),
        }
    }
}
