//! The Python of the virtual environment `scripts/test-env` prepares (`TDEV_PYTHON`, else
//! `~/.cache/tdev/venv`), for the tests that check tdev against Python packages.

use std::path::{Path, PathBuf};

/// That Python; fails the test, naming `packages` and how to install them, when it is absent.
pub fn python(packages: &str) -> PathBuf {
    let python = std::env::var_os("TDEV_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let home = std::env::var_os("HOME").expect("HOME is set");
            Path::new(&home).join(".cache/tdev/venv/bin/python")
        });
    assert!(
        python.exists(),
        "{} not found: run scripts/test-env (the README's test command does) to install {packages}",
        python.display()
    );
    python
}
