//! Rust repositories: tdev builds them in one mirror per repository (see
//! [`tdev_runner::mirror`]), in the sandbox, into a build directory outside every repository.
//! A build runs the target's build scripts and procedural macros, which is running its code,
//! so clippy runs under the same limits as the tests.

use crate::PhaseError;
use crate::evaluator::EvaluatorConfig;
use std::path::{Path, PathBuf};
use tdev_core::{Finding, Severity};
use tdev_runner::mirror;
use tdev_runner::rust::RustProject;
use tdev_worktree::Repo;

/// Makes `repo`'s mirror hold `source`'s files (a worktree or an export of `repo`); returns
/// the mirror.
pub(crate) fn sync_mirror(
    config: &EvaluatorConfig,
    repo: &Path,
    source: &Path,
) -> Result<PathBuf, PhaseError> {
    let mirror = config.mirror_for(repo);
    mirror::sync(source, &mirror).map_err(PhaseError::runner("copying the code to build it"))?;
    Ok(mirror)
}

/// clippy's findings on the commit `base` of `repo`: its default lints under the project's
/// own configuration, and tdev's [`tdev_tools::EXTRA_LINTS`] that the project does not
/// configure itself. Paths are relative to the repository.
pub(crate) fn clippy_findings(
    config: &EvaluatorConfig,
    repo: &Path,
    base: &str,
) -> Result<Vec<Finding>, PhaseError> {
    let export = crate::evaluator::scratch(config, "clippy-")?;
    Repo::open(repo).and_then(|repo| repo.export(base, export.path()))?;
    let mirror = &sync_mirror(config, repo, export.path())?;
    let manifest = std::fs::read_to_string(mirror.join("Cargo.toml")).unwrap_or_default();
    let lints = tdev_tools::extra_lint_args(&manifest);
    let sandbox = crate::evaluator::sandbox(config)?;
    let project = RustProject::detect(mirror).map_err(PhaseError::runner("reading the project"))?;
    let run = project
        .clippy(
            mirror,
            &config.target_for(repo),
            &sandbox,
            &RustProject::limits(&config.limits),
            &lints,
            false,
        )
        .map_err(PhaseError::runner("running cargo clippy"))?;
    if let Some(why) = run.stopped {
        return Err(PhaseError::Stopped {
            run: "cargo clippy",
            why,
        });
    }
    let findings = tdev_tools::clippy_findings(mirror, &run.stdout)?;
    // A compile error fails the run but is a finding; failing without one is cargo failing.
    if !run.success() && !findings.iter().any(|f| f.severity == Severity::High) {
        return Err(PhaseError::Clippy {
            stderr: run.stderr_tail,
        });
    }
    Ok(findings)
}
