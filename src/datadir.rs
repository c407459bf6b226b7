//! Finding the data directory, as git finds `.git`: the current directory or its parents.

use crate::exit::UserError;
use std::path::{Path, PathBuf};

/// Name of the data directory inside a project.
pub const DIR_NAME: &str = ".tdev";
/// Name of the configuration file inside the data directory.
pub const CONFIG_FILE: &str = "tdev.toml";

/// The data directory to use: `explicit` if given, else the nearest `.tdev/` holding a
/// `tdev.toml` at or above `start`.
pub fn find(explicit: Option<&Path>, start: &Path) -> Result<PathBuf, UserError> {
    if let Some(dir) = explicit {
        if dir.join(CONFIG_FILE).is_file() {
            return Ok(dir.to_path_buf());
        }
        return Err(UserError::new(format!(
            "{} is not a tdev data directory (no {CONFIG_FILE} in it); create one with `tdev init`",
            dir.display()
        )));
    }
    for dir in start.ancestors() {
        let candidate = dir.join(DIR_NAME);
        if candidate.join(CONFIG_FILE).is_file() {
            return Ok(candidate);
        }
    }
    Err(UserError::new(format!(
        "no tdev data directory ({DIR_NAME}/) in {} or any parent; run `tdev init` there or pass --data-dir",
        start.display()
    )))
}

/// The per-user data directory: `$XDG_DATA_HOME/tdev/data`, else `~/.local/share/tdev/data`.
pub fn per_user() -> Result<PathBuf, UserError> {
    if let Some(dir) = std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir).join("tdev/data"));
    }
    let home = std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .ok_or_else(|| {
            UserError::new("neither XDG_DATA_HOME nor HOME is set; pass --data-dir".to_owned())
        })?;
    Ok(Path::new(&home).join(".local/share/tdev/data"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn found_in_a_parent_like_git() {
        let root = tempfile::tempdir().unwrap();
        let data = root.path().join(DIR_NAME);
        std::fs::create_dir_all(&data).unwrap();
        std::fs::write(data.join(CONFIG_FILE), "").unwrap();
        let nested = root.path().join("a/b");
        std::fs::create_dir_all(&nested).unwrap();
        assert_eq!(find(None, &nested).unwrap(), data);
        assert!(find(None, &std::env::temp_dir().join("no-such-tdev-dir")).is_err());
        assert!(find(Some(&nested), &nested).is_err());
        assert_eq!(find(Some(&data), &nested).unwrap(), data);
    }
}
