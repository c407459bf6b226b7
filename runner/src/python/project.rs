//! Works out how a Python repository's tests are set up and run, from the files a
//! maintainer already keeps: `pyproject.toml` (PEP 621 extras, PEP 735 dependency groups,
//! pytest's settings), `setup.cfg`, `tox.ini` and requirements files; the `[tests]` table of
//! the repository's `tdev.toml` overrides what is found.

use super::ini;
use super::requirements;
use crate::error::{Error, Result};
use crate::tests_config::TestsConfig;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Names of extras and dependency groups that hold test dependencies, most specific first.
const TEST_GROUPS: [&str; 3] = ["test", "tests", "testing"];

/// Used only when no group above exists: development groups tend to carry linters and
/// documentation tools too.
const DEV_GROUPS: [&str; 1] = ["dev"];

/// Requirements files that hold test dependencies, as globs relative to the repository.
const REQUIREMENT_FILES: [&str; 4] = [
    "requirements-test*.txt",
    "test-requirements.txt",
    "requirements/test*.txt",
    "requirements-dev.txt",
];

/// What tdev knows about a Python repository's tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PythonProject {
    /// The repository (or worktree) it was read from.
    pub root: PathBuf,
    /// The distribution name, when the packaging files give it.
    pub name: Option<String>,
    /// Its version, when the packaging files (or an sdist's `PKG-INFO`) state it.
    pub version: Option<String>,
    /// The directory, relative to the root, that goes on `sys.path` so that the project's
    /// packages import from the checkout (`src` for a src layout, empty otherwise).
    pub import_root: PathBuf,
    /// The project's own dependencies (PEP 621 `dependencies`, `install_requires`).
    pub requirements: Vec<String>,
    /// The dependencies of its tests.
    pub test_requirements: Vec<String>,
    /// Where the requirements were found, for people ("pyproject.toml [dependency-groups] test").
    pub sources: Vec<String>,
    /// The test command, program first; `python` means the environment's interpreter.
    pub command: Vec<String>,
    /// The repository's own `[tests]` overrides.
    pub config: TestsConfig,
    /// The packaging and requirements files that were read.
    pub declaration_files: Vec<PathBuf>,
}

impl PythonProject {
    /// Reads the repository's packaging and test configuration, and its `tdev.toml`'s
    /// `[tests]` table when there is one.
    pub fn detect(repo: &Path) -> Result<Self> {
        let config = read_tests_config(&repo.join("tdev.toml"))?;
        Self::detect_with(repo, config.unwrap_or_default())
    }

    /// Like [`PythonProject::detect`], with the `[tests]` overrides given.
    pub fn detect_with(repo: &Path, config: TestsConfig) -> Result<Self> {
        let mut found = Found::default();
        let pyproject = repo.join("pyproject.toml");
        let pyproject = match std::fs::read_to_string(&pyproject) {
            Ok(text) => {
                found.files.insert(pyproject.clone());
                Some(
                    toml::from_str::<toml::Table>(&text).map_err(|error| Error::Config {
                        path: pyproject.clone(),
                        message: error.to_string(),
                    })?,
                )
            }
            Err(_) => None,
        };
        if let Some(table) = &pyproject {
            found.read_pyproject(table);
        }
        let setup_cfg = repo.join("setup.cfg");
        if let Ok(text) = std::fs::read_to_string(&setup_cfg) {
            found.files.insert(setup_cfg);
            found.read_setup_cfg(&ini::parse(&text));
        }
        let tox = repo.join("tox.ini");
        if let Ok(text) = std::fs::read_to_string(&tox) {
            found.files.insert(tox);
            found.read_tox(repo, &ini::parse(&text));
        }
        for pattern in REQUIREMENT_FILES {
            for file in glob(repo, pattern) {
                let before = found.test.len();
                requirements::read_file(&file, &mut found.files, &mut found.test);
                if found.test.len() > before {
                    let relative = file.strip_prefix(repo).unwrap_or(&file);
                    found.sources.push(relative.display().to_string());
                }
            }
        }
        if let Ok(text) = std::fs::read_to_string(repo.join("PKG-INFO")) {
            // An unpacked source distribution states what dynamic metadata resolved to.
            for line in text.lines().take_while(|l| !l.is_empty()) {
                if let Some(name) = line.strip_prefix("Name: ") {
                    found.name.get_or_insert_with(|| name.trim().to_owned());
                } else if let Some(version) = line.strip_prefix("Version: ") {
                    found
                        .version
                        .get_or_insert_with(|| version.trim().to_owned());
                }
            }
        }
        let setup_py = repo.join("setup.py");
        if setup_py.exists() {
            // Its install_requires can only be known by running it; declarations elsewhere
            // (or the [tests] table's extra_packages) must say them.
            found.files.insert(setup_py);
        }
        if pyproject.is_none()
            && !repo.join("setup.py").exists()
            && !repo.join("setup.cfg").exists()
        {
            let has_python = std::fs::read_dir(repo)
                .map_err(Error::io("reading", repo))?
                .flatten()
                .any(|e| {
                    e.path().extension().is_some_and(|x| x == "py")
                        || e.path().join("__init__.py").exists()
                });
            if !has_python {
                return Err(Error::NoTests {
                    repo: repo.to_path_buf(),
                    message: "no pyproject.toml, setup.py, setup.cfg or Python package here".into(),
                });
            }
        }
        let own = found.name.as_deref().map(requirements::normalise);
        // An extra that names the project itself ("pkg[other]") is the project, already on
        // sys.path; pip would try to install the released version.
        let not_self = |r: &String| Some(requirements::name(r)) != own;
        let requirements: Vec<String> = found
            .runtime
            .iter()
            .filter(|r| not_self(r))
            .cloned()
            .collect();
        let test_requirements: Vec<String> = found
            .test
            .iter()
            .filter(|r| not_self(r) && !requirements.contains(r))
            .cloned()
            .collect();
        let command = config
            .command
            .clone()
            .unwrap_or_else(|| ["python", "-m", "pytest"].map(String::from).to_vec());
        Ok(Self {
            root: repo.to_path_buf(),
            name: found.name,
            version: found.version,
            import_root: import_root(repo),
            requirements,
            test_requirements,
            sources: found.sources,
            command,
            config,
            declaration_files: found.files.into_iter().collect(),
        })
    }

    /// Whether the test command runs pytest (so tdev can ask it for a per-test report).
    pub fn runs_pytest(&self) -> bool {
        self.command
            .iter()
            .any(|part| part == "pytest" || part.ends_with("/pytest"))
    }

    /// A hash of everything that decides the environment's content: the requirements found
    /// and the overrides. Editing a packaging file in another way (a version bump, a linter
    /// setting) keeps the environment.
    pub fn fingerprint(&self) -> String {
        let mut hasher = Sha256::new();
        let lists = [
            &self.requirements,
            &self.test_requirements,
            &self.config.extra_packages,
        ];
        for list in lists {
            for line in list {
                hasher.update(line.as_bytes());
                hasher.update(b"\n");
            }
            hasher.update(b"\0");
        }
        for command in &self.config.setup {
            hasher.update(command.join("\0").as_bytes());
            hasher.update(b"\n");
        }
        hasher
            .finalize()
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// Reads the `[tests]` table of a `tdev.toml`, if the file exists and has one.
pub(crate) fn read_tests_config(path: &Path) -> Result<Option<TestsConfig>> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(None);
    };
    #[derive(serde::Deserialize)]
    struct File {
        tests: Option<TestsConfig>,
    }
    // Only the [tests] table matters here; the rest of the file belongs to other readers.
    let table: toml::Table = toml::from_str(&text).map_err(|error| Error::Config {
        path: path.to_path_buf(),
        message: error.to_string(),
    })?;
    let tests = table.get("tests").cloned().map(|value| {
        toml::Value::Table(toml::Table::from_iter([("tests".to_owned(), value)]))
            .try_into::<File>()
            .map(|file| file.tests)
    });
    match tests {
        None => Ok(None),
        Some(Ok(tests)) => Ok(tests),
        Some(Err(error)) => Err(Error::Config {
            path: path.to_path_buf(),
            message: format!("[tests]: {error}"),
        }),
    }
}

/// What the packaging files declare, gathered across them.
#[derive(Default)]
struct Found {
    name: Option<String>,
    version: Option<String>,
    runtime: Vec<String>,
    test: Vec<String>,
    sources: Vec<String>,
    files: BTreeSet<PathBuf>,
}

impl Found {
    fn read_pyproject(&mut self, table: &toml::Table) {
        let project = table.get("project").and_then(toml::Value::as_table);
        if let Some(project) = project {
            self.name = project
                .get("name")
                .and_then(|v| v.as_str())
                .map(String::from);
            self.version = project
                .get("version")
                .and_then(|v| v.as_str())
                .map(String::from);
            for dep in strings(project.get("dependencies")) {
                requirements::push(dep, &mut self.runtime);
            }
            if let Some(extras) = project
                .get("optional-dependencies")
                .and_then(|v| v.as_table())
                && let Some(group) = pick(extras.keys())
            {
                for dep in strings(extras.get(group)) {
                    requirements::push(dep, &mut self.test);
                }
                self.sources.push(format!(
                    "pyproject.toml [project.optional-dependencies] {group}"
                ));
            }
        }
        if let Some(groups) = table.get("dependency-groups").and_then(|v| v.as_table())
            && let Some(group) = pick(groups.keys())
        {
            let mut seen = BTreeSet::new();
            dependency_group(groups, group, &mut seen, &mut self.test);
            self.sources
                .push(format!("pyproject.toml [dependency-groups] {group}"));
        }
    }

    fn read_setup_cfg(&mut self, ini: &ini::Ini) {
        if let Some(name) = ini.get("metadata").and_then(|m| m.get("name")) {
            self.name.get_or_insert_with(|| name.clone());
        }
        if let Some(version) = ini.get("metadata").and_then(|m| m.get("version"))
            && !version.contains(':')
        {
            self.version.get_or_insert_with(|| version.clone());
        }
        if let Some(deps) = ini.get("options").and_then(|o| o.get("install_requires")) {
            for dep in ini::lines(deps) {
                requirements::push(dep, &mut self.runtime);
            }
        }
        if let Some(extras) = ini.get("options.extras_require")
            && let Some(group) = pick(extras.keys())
        {
            for dep in ini::lines(&extras[group]) {
                requirements::push(dep, &mut self.test);
            }
            self.sources
                .push(format!("setup.cfg [options.extras_require] {group}"));
        }
    }

    fn read_tox(&mut self, repo: &Path, ini: &ini::Ini) {
        let Some(testenv) = ini.get("testenv") else {
            return;
        };
        if let Some(deps) = testenv.get("deps") {
            for line in ini::lines(deps) {
                let include = ["-r ", "-r", "--requirement "]
                    .iter()
                    .find_map(|f| line.strip_prefix(f));
                match include {
                    // tox runs from the directory of tox.ini, the repository root.
                    Some(path) if !path.contains('{') => requirements::read_file(
                        &repo.join(path.trim()),
                        &mut self.files,
                        &mut self.test,
                    ),
                    Some(_) => {}
                    None => requirements::push(line, &mut self.test),
                }
            }
            self.sources.push("tox.ini [testenv] deps".into());
        }
    }
}

/// The first test group among `keys`, or a development group when there is none.
fn pick<'a>(keys: impl Iterator<Item = &'a String>) -> Option<&'a str> {
    let keys: Vec<&String> = keys.collect();
    let find = |names: &[&str]| {
        names
            .iter()
            .find_map(|name| keys.iter().find(|k| requirements::normalise(k) == *name))
            .map(|k| k.as_str())
    };
    find(&TEST_GROUPS).or_else(|| find(&DEV_GROUPS))
}

/// A PEP 735 group's requirements, following `{include-group = "..."}` entries.
fn dependency_group(
    groups: &toml::Table,
    name: &str,
    seen: &mut BTreeSet<String>,
    out: &mut Vec<String>,
) {
    if !seen.insert(name.to_owned()) {
        return;
    }
    let Some(entries) = groups.get(name).and_then(|v| v.as_array()) else {
        return;
    };
    for entry in entries {
        match entry {
            toml::Value::String(dep) => requirements::push(dep, out),
            toml::Value::Table(include) => {
                if let Some(other) = include.get("include-group").and_then(|v| v.as_str()) {
                    dependency_group(groups, other, seen, out);
                }
            }
            _ => {}
        }
    }
}

fn strings(value: Option<&toml::Value>) -> impl Iterator<Item = &str> {
    value
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str())
}

/// `src` when the project keeps its packages under `src/` (and not at the top), else the
/// root itself.
fn import_root(repo: &Path) -> PathBuf {
    let has_packages = |dir: &Path| {
        std::fs::read_dir(dir).is_ok_and(|entries| {
            entries.flatten().any(|e| {
                let path = e.path();
                path.join("__init__.py").exists()
                    || (path.extension().is_some_and(|x| x == "py")
                        && path
                            .file_name()
                            .is_some_and(|n| n != "setup.py" && n != "conftest.py"))
            })
        })
    };
    if repo.join("src").is_dir() && has_packages(&repo.join("src")) {
        PathBuf::from("src")
    } else {
        PathBuf::new()
    }
}

/// Files matching `pattern` (one `*` at most, in the file name) under `repo`, sorted.
fn glob(repo: &Path, pattern: &str) -> Vec<PathBuf> {
    let (dir, file) = match pattern.rsplit_once('/') {
        Some((dir, file)) => (repo.join(dir), file),
        None => (repo.to_path_buf(), pattern),
    };
    let (prefix, suffix) = file.split_once('*').unwrap_or((file, ""));
    let exact = !file.contains('*');
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|path| {
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                return false;
            };
            path.is_file()
                && if exact {
                    name == file
                } else {
                    name.starts_with(prefix)
                        && name.ends_with(suffix)
                        && name.len() >= prefix.len() + suffix.len()
                }
        })
        .collect();
    found.sort();
    found
}
