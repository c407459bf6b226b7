//! Where the reference tests find what `scripts/test` prepared: the test environment's Python
//! (radon, interrogate) and the dataset projects of `datasets/manifest.toml`. Shared by the
//! test files of this crate; each uses part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub fn home_cache(sub: &str) -> PathBuf {
    let home = std::env::var_os("HOME").expect("HOME is set");
    Path::new(&home).join(".cache/tdev").join(sub)
}

/// The test environment's Python (`TDEV_PYTHON`, else the one `scripts/test-env` makes).
pub fn python() -> PathBuf {
    let python = std::env::var_os("TDEV_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| home_cache("venv/bin/python"));
    assert!(
        python.exists(),
        "{} not found: run scripts/test-env",
        python.display()
    );
    python
}

/// `datasets/manifest.toml`.
pub fn manifest() -> toml::Table {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    toml::from_str(&std::fs::read_to_string(root.join("datasets/manifest.toml")).unwrap()).unwrap()
}

/// Where `scripts/fetch-datasets` unpacks the projects (`TDEV_DATASETS`, else the cache).
pub fn datasets() -> PathBuf {
    std::env::var_os("TDEV_DATASETS")
        .map(PathBuf::from)
        .unwrap_or_else(|| home_cache("datasets"))
}

/// The unpacked Python projects of the manifest, as `(name-version, directory)`.
pub fn python_projects() -> Vec<(String, PathBuf)> {
    let datasets = datasets();
    manifest()["python"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            let label = format!(
                "{}-{}",
                entry["name"].as_str().unwrap(),
                entry["version"].as_str().unwrap()
            );
            let dir = datasets.join(&label);
            assert!(
                dir.is_dir(),
                "{} is missing: run scripts/fetch-datasets",
                dir.display()
            );
            (label, dir)
        })
        .collect()
}
