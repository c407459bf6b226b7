//! A virtual environment for a Python repository's tests, kept outside the repository and
//! shared by every worktree of it.
//!
//! *Decision:* the environment holds the project's dependencies, its test dependencies and
//! tdev's pinned test tools, but not the project itself. Each test run puts the worktree's
//! import root on `PYTHONPATH` (and a metadata-only `.dist-info` beside it, so that
//! `importlib.metadata.version()` answers), so the code under test is always the worktree's.
//! An editable install would point every worktree at one checkout, and a regular install
//! per worktree would cost a build per attempt. The environment is keyed by the repository's
//! name and a hash of its dependency declarations, so it is built once and reused across
//! cycles until those change. Projects with compiled extensions need a `[tests] setup`
//! command that builds them (documented in `docs/sandbox.md`).

use super::project::PythonProject;
use crate::error::{Error, Result};
use crate::limits::Limits;
use crate::sandbox::{CommandSpec, Sandbox};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The test tools tdev installs into every environment, pinned.
pub const TOOLS: [&str; 2] = ["pytest==9.2.0", "coverage==7.17.4"];

/// The variable that names the directory under which environments are kept.
pub const ENVS_VAR: &str = "TDEV_TEST_ENVS";

/// The variable that names the Python interpreter environments are made from.
pub const PYTHON_VAR: &str = "TDEV_PYTHON_BASE";

/// How many lines of a failing tool's output an error quotes.
const QUOTED_LINES: usize = 15;

/// A prepared virtual environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PythonEnv {
    /// The environment's directory.
    pub dir: PathBuf,
    /// Its interpreter.
    pub python: PathBuf,
    /// True when an environment built earlier was reused.
    pub reused: bool,
    /// The project it was prepared for.
    pub project: PythonProject,
}

impl PythonEnv {
    /// Prepares (or reuses) the environment for `project` under `envs_root`, installing
    /// packages in `sandbox` with network. `progress` hears each step in a short sentence.
    pub fn prepare(
        project: &PythonProject,
        envs_root: &Path,
        sandbox: &Sandbox,
        progress: &mut dyn FnMut(&str),
    ) -> Result<Self> {
        std::fs::create_dir_all(envs_root).map_err(Error::io("creating", envs_root))?;
        let base = base_python()?;
        let key = env_key(project, &base)?;
        let dir = envs_root.join(&key);
        let python = dir.join("bin/python");
        let env = |reused| Self {
            dir: dir.clone(),
            python: python.clone(),
            reused,
            project: project.clone(),
        };
        let lock_path = envs_root.join(format!("{key}.lock"));
        let lock = std::fs::File::create(&lock_path).map_err(Error::io("creating", &lock_path))?;
        // Another tdev (or test) may be building the same environment: wait for it.
        rustix::fs::flock(&lock, rustix::fs::FlockOperation::LockExclusive)
            .map_err(|e| Error::io("locking", &lock_path)(e.into()))?;
        let ready = dir.join(".tdev-ready");
        if ready.exists() {
            progress(&format!("reusing the test environment {}", dir.display()));
            return Ok(env(true));
        }
        if dir.exists() {
            // Left half-built by an interrupted run.
            std::fs::remove_dir_all(&dir).map_err(Error::io("removing", &dir))?;
        }
        progress(&format!("creating the test environment {}", dir.display()));
        let output = Command::new(&base.executable)
            .args(["-m", "venv"])
            .arg(&dir)
            .output()
            .map_err(|source| Error::Spawn {
                program: base.executable.display().to_string(),
                source,
            })?;
        if !output.status.success() {
            return Err(Error::Setup {
                step: format!(
                    "creating a virtual environment with {}",
                    base.executable.display()
                ),
                output: last_lines(&String::from_utf8_lossy(&output.stderr)),
            });
        }
        let cache = envs_root.join("pip-cache");
        std::fs::create_dir_all(&cache).map_err(Error::io("creating", &cache))?;
        let mut wanted: Vec<String> = project.requirements.clone();
        wanted.extend(project.test_requirements.iter().cloned());
        wanted.extend(project.config.extra_packages.iter().cloned());
        let pip = Pip {
            sandbox,
            python: &python,
            dir: &dir,
            cache: &cache,
        };
        if !wanted.is_empty() {
            progress(&format!(
                "installing {} dependencies: {}",
                wanted.len(),
                wanted.join(", ")
            ));
            pip.install(&wanted)?;
        }
        // tdev's pins win over a project's own pins of its test runner: tdev reads the
        // runner's reports and relies on their format.
        progress(&format!("installing {}", TOOLS.join(", ")));
        pip.install(&TOOLS.map(String::from))?;
        for command in &project.config.setup {
            progress(&format!("running the setup command {}", command.join(" ")));
            pip.setup(command, &project.root)?;
        }
        let description = format!("{}\n{}\n", wanted.join("\n"), TOOLS.join("\n"));
        std::fs::write(&ready, description).map_err(Error::io("writing", &ready))?;
        Ok(env(false))
    }
}

/// Runs pip (and setup commands) of one environment in the sandbox, with network.
struct Pip<'a> {
    sandbox: &'a Sandbox,
    python: &'a Path,
    dir: &'a Path,
    cache: &'a Path,
}

impl Pip<'_> {
    fn install(&self, requirements: &[String]) -> Result<()> {
        let command = CommandSpec::new(self.python)
            .args([
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "--no-input",
                "--progress-bar",
                "off",
            ])
            .args(requirements);
        self.run(
            command,
            self.dir,
            &format!("installing {}", requirements.join(", ")),
        )
    }

    fn setup(&self, command: &[String], repo: &Path) -> Result<()> {
        let Some((program, args)) = command.split_first() else {
            return Ok(());
        };
        let program = if program == "python" {
            self.python.as_os_str().to_owned()
        } else {
            program.into()
        };
        self.run(
            CommandSpec::new(program).args(args),
            repo,
            &format!("running {}", command.join(" ")),
        )
    }

    fn run(&self, command: CommandSpec, cwd: &Path, step: &str) -> Result<()> {
        let command = command.writable(self.dir).writable(self.cache);
        // Installing downloads wheels that can be larger than any file a test should write.
        let limits = Limits {
            wall_time: Duration::from_secs(1800),
            max_file_bytes: 8 << 30,
            network: true,
            ..Limits::default()
        };
        let mut env = BTreeMap::new();
        env.insert(
            OsString::from("PIP_CACHE_DIR"),
            self.cache.as_os_str().to_owned(),
        );
        env.insert(
            OsString::from("VIRTUAL_ENV"),
            self.dir.as_os_str().to_owned(),
        );
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut paths = vec![self.dir.join("bin")];
        paths.extend(std::env::split_paths(&path));
        env.insert(
            OsString::from("PATH"),
            std::env::join_paths(paths).unwrap_or(path),
        );
        let outcome = self.sandbox.run(&command, cwd, &env, &limits)?;
        if outcome.success() {
            return Ok(());
        }
        let mut output = format!("{}{}", outcome.stdout_tail, outcome.stderr_tail);
        if let Some(reason) = outcome.stopped {
            output.push_str(&format!("\n({reason})"));
        }
        Err(Error::Setup {
            step: step.to_owned(),
            output: last_lines(&output),
        })
    }
}

/// The interpreter environments are made from, resolved past version-manager shims (which
/// need the user's HOME, and the sandbox gives a scratch one).
struct BasePython {
    executable: PathBuf,
    version: String,
}

fn base_python() -> Result<BasePython> {
    let program = std::env::var_os(PYTHON_VAR).unwrap_or_else(|| "python3".into());
    let output = Command::new(&program)
        .args([
            "-c",
            "import sys; print(sys.executable); print('%d.%d' % sys.version_info[:2])",
        ])
        .output()
        .map_err(|source| Error::Spawn {
            program: program.to_string_lossy().into_owned(),
            source,
        })?;
    let text = String::from_utf8_lossy(&output.stdout);
    let mut lines = text.lines();
    match (output.status.success(), lines.next(), lines.next()) {
        (true, Some(executable), Some(version)) => Ok(BasePython {
            executable: PathBuf::from(executable),
            version: version.to_owned(),
        }),
        _ => Err(Error::Setup {
            step: format!("asking {} where it is", program.to_string_lossy()),
            output: last_lines(&String::from_utf8_lossy(&output.stderr)),
        }),
    }
}

/// `<name>-py<version>-<hash>`: the repository, the interpreter and a hash of the
/// dependency declarations and tdev's tool pins.
fn env_key(project: &PythonProject, base: &BasePython) -> Result<String> {
    let name = project
        .name
        .clone()
        .or_else(|| {
            project
                .root
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "project".into());
    let name: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let mut hasher = Sha256::new();
    hasher.update(project.fingerprint().as_bytes());
    hasher.update(base.executable.as_os_str().as_encoded_bytes());
    hasher.update(TOOLS.join(",").as_bytes());
    let hash: String = hasher
        .finalize()
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(format!("{name}-py{}-{hash}", base.version))
}

/// The last lines of a tool's output, for an error message.
fn last_lines(text: &str) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(QUOTED_LINES)..].join("\n")
}
