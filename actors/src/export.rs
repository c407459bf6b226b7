//! A commit's files without touching the repository: the untouched code a cycle measures is
//! exported, not checked out, so the user's checkout, branches and worktrees stay as they are.

use std::path::Path;
use std::process::{Command, Stdio};

/// `git archive <commit> | tar -x`: the commit's files, without touching the repository.
pub(crate) fn export_commit(repo: &Path, commit: &str, into: &Path) -> Result<(), String> {
    let mut archive = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["archive", "--format=tar", commit])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("running git archive: {e}"))?;
    let stdout = archive.stdout.take().expect("stdout is piped");
    let untar = Command::new("tar")
        .arg("-x")
        .arg("-C")
        .arg(into)
        .stdin(stdout)
        .output()
        .map_err(|e| format!("running tar: {e}"))?;
    let archived = archive.wait_with_output().map_err(|e| e.to_string())?;
    if !archived.status.success() || !untar.status.success() {
        return Err(format!(
            "exporting {commit}: {}{}",
            String::from_utf8_lossy(&archived.stderr).trim(),
            String::from_utf8_lossy(&untar.stderr).trim()
        ));
    }
    Ok(())
}
