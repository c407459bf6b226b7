//! Runs a target's command under [`Limits`]: a chain of the platform's own tools (a shell
//! that joins the run's cgroups, `prlimit`, `unshare`, a mount script, `setpriv`) so that no
//! unsafe code is needed between fork and exec, and a watchdog that kills everything the
//! command started when it ends or runs out of time.
//!
//! The chain, each step `exec`ing the next (only `unshare --fork` stays as a parent):
//! `setpriv --pdeathsig KILL` (the run dies if tdev does) → `sh` (write own pid into the
//! cgroups) → `prlimit` (CPU, file size; address space and
//! process count only as fallbacks) → `unshare --net --pid --fork --kill-child --mount` →
//! `sh` (bind the writable directories, make every other mount read-only, give a minimal
//! `/dev`) → `setpriv` (drop all capabilities) → the command.

use crate::capabilities::{Capabilities, Platform};
use crate::cgroup::RunGroup;
use crate::error::{Error, Result};
use crate::limits::Limits;
use crate::outcome::{RunOutcome, StopReason};
use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tdev_tools::process::{GroupChild, read_tail};

/// How many bytes of each output stream a [`RunOutcome`] keeps.
const TAIL_BYTES: usize = 64 * 1024;

/// How long to wait for the output streams to close once every process is gone.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// The command to run: a program, its arguments and the directories, besides its working
/// directory and its scratch directory, that it may write to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandSpec {
    /// The program, found on `PATH` when it has no slash.
    pub program: OsString,
    /// Its arguments.
    pub args: Vec<OsString>,
    /// Further directories it may write to (a virtual environment being built, a report
    /// directory); they must exist.
    pub writable: Vec<PathBuf>,
}

impl CommandSpec {
    /// A command with no arguments.
    pub fn new(program: impl Into<OsString>) -> Self {
        Self {
            program: program.into(),
            args: Vec::new(),
            writable: Vec::new(),
        }
    }

    /// Adds one argument.
    #[must_use]
    pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// Adds arguments.
    #[must_use]
    pub fn args<I: IntoIterator<Item = S>, S: Into<OsString>>(mut self, args: I) -> Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Lets the command write into `dir` too.
    #[must_use]
    pub fn writable(mut self, dir: impl Into<PathBuf>) -> Self {
        self.writable.push(dir.into());
        self
    }
}

/// How a sandbox's directory begins; the creating process's id and a random part follow.
const SCRATCH_PREFIX: &str = "tdev-sandbox-";

/// Removes the sandbox directories under `parent` whose process is gone: what a process killed
/// during a test run left (a process that ends normally removes its own). A directory of a
/// live process, or one not named as this module names them, is left alone; a removal that
/// fails is tried again by the next sandbox.
fn remove_orphans(parent: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(SCRATCH_PREFIX))
            .and_then(|rest| rest.split_once('-'))
            .and_then(|(pid, _)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !Path::new("/proc").join(pid.to_string()).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Runs commands under limits. Made once per process (it probes what the machine allows);
/// each run gets a fresh scratch directory under the sandbox's own.
#[derive(Debug)]
pub struct Sandbox {
    platform: Platform,
    scratch: tempfile::TempDir,
}

impl Sandbox {
    /// A sandbox whose runs keep their scratch directories under the system's temporary
    /// directory.
    pub fn new() -> Result<Self> {
        Self::with_scratch_in(&std::env::temp_dir())
    }

    /// A sandbox whose runs keep their scratch directories under `parent` (which must not be
    /// inside a repository that tdev works on). Its directory is named after this process, so
    /// that the sandboxes a killed process left there are removed here ([`remove_orphans`]).
    pub fn with_scratch_in(parent: &Path) -> Result<Self> {
        std::fs::create_dir_all(parent).map_err(Error::io("creating", parent))?;
        remove_orphans(parent);
        let scratch = tempfile::Builder::new()
            .prefix(&format!("{SCRATCH_PREFIX}{}-", std::process::id()))
            .tempdir_in(parent)
            .map_err(Error::io("creating a directory in", parent))?;
        let platform = Platform::detected(scratch.path()).clone();
        Ok(Self { platform, scratch })
    }

    /// What this sandbox enforces on this machine, and why not where it does not.
    pub fn capabilities(&self) -> Capabilities {
        self.platform.capabilities()
    }

    /// Runs `command` in `cwd` with the variables `env` (on top of a minimal environment:
    /// `PATH`, `LANG`, and `HOME` and `TMPDIR` inside a fresh scratch directory), under
    /// `limits`. The command's verdict, including being stopped, is in the [`RunOutcome`];
    /// `Err` means the sandbox itself could not run it.
    pub fn run(
        &self,
        command: &CommandSpec,
        cwd: &Path,
        env: &BTreeMap<OsString, OsString>,
        limits: &Limits,
    ) -> Result<RunOutcome> {
        let run_dir = tempfile::Builder::new()
            .prefix("run-")
            .tempdir_in(self.scratch.path())
            .map_err(Error::io("creating a directory in", self.scratch.path()))?;
        let home = run_dir.path().join("home");
        let tmp = run_dir.path().join("tmp");
        let dev = run_dir.path().join("dev");
        for dir in [&home, &tmp, &dev] {
            std::fs::create_dir(dir).map_err(Error::io("creating", dir.as_path()))?;
        }
        let cwd = cwd.canonicalize().map_err(Error::io("finding", cwd))?;
        let mut writable = vec![cwd.clone(), run_dir.path().to_path_buf()];
        for dir in &command.writable {
            writable.push(
                dir.canonicalize()
                    .map_err(Error::io("finding", dir.as_path()))?,
            );
        }

        let group = RunGroup::create(
            &self.platform.cgroups,
            limits.max_processes,
            limits.memory_bytes,
        );
        let mut chain = self.chain(&group, limits, &writable, &dev);
        chain.push(command.program.clone());
        chain.extend(command.args.iter().cloned());

        let mut process = Command::new(&chain[0]);
        process
            .args(&chain[1..])
            .current_dir(&cwd)
            .env_clear()
            .env(
                "PATH",
                std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into()),
            )
            .env("LANG", "C.UTF-8")
            .env("HOME", &home)
            .env("TMPDIR", &tmp)
            .envs(env)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let start = Instant::now();
        // Its own process group, so that the watchdog can kill the group at once.
        let mut child = GroupChild::spawn(&mut process).map_err(|source| Error::Spawn {
            program: chain[0].to_string_lossy().into_owned(),
            source,
        })?;
        let (out_tx, out_rx) = mpsc::channel();
        let (err_tx, err_rx) = mpsc::channel();
        if let Some(stdout) = child.stdout.take() {
            std::thread::spawn(move || out_tx.send(read_tail(stdout, TAIL_BYTES)));
        }
        if let Some(stderr) = child.stderr.take() {
            std::thread::spawn(move || err_tx.send(read_tail(stderr, TAIL_BYTES)));
        }
        // The group is killed at the time limit and when the command has ended; what left
        // the group (a new session) is still in the cgroups, which go with it too.
        let ended = child.wait_timeout(limits.wall_time);
        group.kill_all();
        let timed_out = ended.timed_out;
        let status = ended
            .status
            .map_err(Error::io("waiting for", PathBuf::from(&chain[0])))?;
        let stdout_tail = out_rx.recv_timeout(DRAIN_TIMEOUT).unwrap_or_default();
        let mut stderr_tail = err_rx.recv_timeout(DRAIN_TIMEOUT).unwrap_or_default();
        if stderr_tail.is_empty() && !status.success() && status.code() == Some(127) {
            stderr_tail = format!("{}: command not found", command.program.to_string_lossy());
        }
        let (status, stderr_tail) = killed_in_namespace(status, stderr_tail);
        let duration = start.elapsed();
        let stopped = stop_reason(&group, limits, timed_out, status, &stderr_tail, duration);
        drop(group);
        Ok(RunOutcome {
            status,
            stdout_tail,
            stderr_tail,
            duration,
            stopped,
        })
    }

    /// The programs and arguments that apply the limits, ending where the command begins.
    fn chain(
        &self,
        group: &RunGroup,
        limits: &Limits,
        writable: &[PathBuf],
        dev: &Path,
    ) -> Vec<OsString> {
        let platform = &self.platform;
        let mut chain: Vec<OsString> = Vec::new();
        if platform.parent_death {
            // Should tdev die, the run dies with it rather than outlive its watchdog.
            chain.extend(["setpriv", "--pdeathsig", "KILL", "--"].map(OsString::from));
        }
        let procs = group.procs_files();
        if !procs.is_empty() {
            chain.extend(["sh".into(), "-c".into()]);
            chain.push(JOIN_SCRIPT.into());
            chain.push("sh".into());
            chain.extend(procs.into_iter().map(OsString::from));
            chain.push("--".into());
        }
        if platform.prlimit {
            chain.push("prlimit".into());
            let cpu = limits.cpu_time.as_secs().max(1);
            chain.push(format!("--cpu={cpu}:{}", cpu + 5).into());
            chain.push(format!("--fsize={}", limits.max_file_bytes).into());
            if !group.limits_memory() {
                chain.push(format!("--as={}", limits.memory_bytes).into());
            }
            if !group.limits_processes() {
                chain.push(format!("--nproc={}", limits.max_processes).into());
            }
            chain.push("--".into());
        }
        let net = platform.unshare_net && !limits.network;
        if net || platform.unshare_pid || platform.read_only_root {
            chain.push("unshare".into());
            if net {
                chain.push("--net".into());
            }
            if platform.unshare_pid {
                chain.extend(["--pid", "--fork", "--kill-child"].map(OsString::from));
            }
            if platform.read_only_root {
                chain.extend(["--mount", "--propagation", "private"].map(OsString::from));
                if platform.unshare_pid {
                    // A /proc of the new PID namespace: the target sees only its own processes.
                    chain.push("--mount-proc".into());
                }
            }
            chain.push("--".into());
            if net {
                chain.extend(["sh", "-c", LOOPBACK_SCRIPT, "sh"].map(OsString::from));
            }
        }
        if platform.read_only_root {
            chain.extend(["sh".into(), "-c".into(), MOUNT_SCRIPT.into(), "sh".into()]);
            chain.push(dev.into());
            chain.extend(writable.iter().map(OsString::from));
            chain.push("--hide".into());
            chain.extend(secrets().into_iter().map(OsString::from));
            chain.push("--ro".into());
            chain.extend(writable_mounts(writable).into_iter().map(OsString::from));
            chain.push("--".into());
        }
        if platform.drop_capabilities {
            chain.extend(
                [
                    "setpriv",
                    "--bounding-set=-all",
                    "--inh-caps=-all",
                    "--no-new-privs",
                    "--",
                ]
                .map(OsString::from),
            );
        }
        chain
    }
}

/// Runs first as `sh -c JOIN_SCRIPT sh PROCS... -- COMMAND...`: writes its own pid into each
/// cgroup's `cgroup.procs` so that everything it `exec`s and forks is counted there.
const JOIN_SCRIPT: &str =
    r#"while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@""#;

/// Runs first in the new network namespace: its loopback starts down, and test suites (and
/// cargo's own lock server for `cargo fix`) talk to servers they start on it. Nothing outside
/// the namespace becomes reachable.
const LOOPBACK_SCRIPT: &str =
    r#"ip link set lo up 2>/dev/null || ifconfig lo up 2>/dev/null || true; exec "$@""#;

/// Runs inside the new mount namespace as `sh -c MOUNT_SCRIPT sh DEV WRITABLE... --hide
/// SECRETS... --ro MOUNTS... -- COMMAND...`. Binding a writable directory onto itself first makes it a mount
/// of its own, so making its parent mount read-only afterwards leaves it writable.
const MOUNT_SCRIPT: &str = r#"set -e
dev=$1; shift
while [ "$1" != --hide ]; do mount -n --bind "$1" "$1"; shift; done; shift
while [ "$1" != --ro ]; do
  if [ -d "$1" ]; then mount -n -t tmpfs -o size=4k,mode=700 tdev-hidden "$1"
  elif [ -e "$1" ]; then mount -n --bind /dev/null "$1"; fi
  shift
done; shift
while [ "$1" != -- ]; do mount -n -o remount,bind,ro "$1"; shift; done; shift
for p in /proc/sys /proc/sysrq-trigger; do
  if [ -e "$p" ]; then mount -n --bind "$p" "$p"; mount -n -o remount,bind,ro "$p"; fi
done
mount -n -t tmpfs -o mode=755,size=1m tdev-dev "$dev"
for n in null zero full random urandom tty; do
  : > "$dev/$n"; mount -n --bind "/dev/$n" "$dev/$n"
done
mkdir "$dev/pts" "$dev/shm"
mount -n --bind /dev/pts "$dev/pts"
mount -n -t tmpfs -o mode=1777,size=64m tdev-shm "$dev/shm"
ln -s /proc/self/fd "$dev/fd"
ln -s fd/0 "$dev/stdin"; ln -s fd/1 "$dev/stdout"; ln -s fd/2 "$dev/stderr"
ln -s pts/ptmx "$dev/ptmx"
mount -n --move "$dev" /dev
# The working directory was entered before its bind mount existed: enter it again.
cd "$PWD"
exec "$@"
"#;

/// Credentials in the user's home that a target has no business reading: each is hidden
/// behind an empty directory or `/dev/null` (only those that exist; the mount script skips one
/// removed since, which would otherwise fail the run).
fn secrets() -> Vec<PathBuf> {
    const SECRETS: [&str; 12] = [
        ".ssh",
        ".gnupg",
        ".aws",
        ".azure",
        ".kube",
        ".docker",
        ".config/gh",
        ".netrc",
        ".git-credentials",
        ".pypirc",
        ".cargo/credentials",
        ".cargo/credentials.toml",
    ];
    let Some(home) = std::env::var_os("HOME") else {
        return Vec::new();
    };
    SECRETS
        .iter()
        .map(|name| Path::new(&home).join(name))
        .filter(|path| {
            path.symlink_metadata()
                .is_ok_and(|m| !m.file_type().is_symlink())
        })
        .collect()
}

/// The writable mounts to make read-only: every mount except `/proc` and `/dev` (given
/// their own treatment) and the run's writable directories. Mounts that are read-only
/// already are left alone.
fn writable_mounts(writable: &[PathBuf]) -> Vec<PathBuf> {
    let Ok(mountinfo) = std::fs::read_to_string("/proc/self/mountinfo") else {
        return vec![PathBuf::from("/")];
    };
    let mut points: Vec<PathBuf> = mountinfo
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split(' ').collect();
            let point = unescape(fields.get(4)?);
            let options = fields.get(5)?;
            let read_only = options.split(',').any(|o| o == "ro");
            let skipped = point.starts_with("/proc") || point.starts_with("/dev");
            (!read_only && !skipped && !writable.contains(&point)).then_some(point)
        })
        .collect();
    points.sort();
    points.dedup();
    points
}

/// Undoes mountinfo's octal escapes (`\040` for a space).
fn unescape(field: &str) -> PathBuf {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\'
            && i + 3 < bytes.len()
            && bytes[i + 1..i + 4].iter().all(u8::is_ascii_digit)
        {
            let value =
                (bytes[i + 1] - b'0') * 64 + (bytes[i + 2] - b'0') * 8 + (bytes[i + 3] - b'0');
            out.push(value);
            i += 4;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    PathBuf::from(OsStr::from_bytes(&out))
}

/// What `unshare --fork` prints when its child was killed by SIGKILL.
const UNSHARE_SIGKILL: &str = "unshare: sigprocmask unblock failed: Invalid argument";

/// `unshare --fork` ends itself with the signal that ended its child, except SIGKILL, whose
/// handler it cannot reset: it says so and exits with 1. This gives back the child's status
/// and output.
fn killed_in_namespace(status: ExitStatus, mut stderr: String) -> (ExitStatus, String) {
    const SIGKILL: i32 = 9;
    if status.code() == Some(1) && stderr.trim_end().ends_with(UNSHARE_SIGKILL) {
        let cut = stderr.trim_end().len() - UNSHARE_SIGKILL.len();
        stderr.truncate(cut);
        return (ExitStatus::from_raw(SIGKILL), stderr);
    }
    (status, stderr)
}

/// Why the run stopped, from the most to the least specific evidence.
fn stop_reason(
    group: &RunGroup,
    limits: &Limits,
    timed_out: bool,
    status: ExitStatus,
    stderr: &str,
    duration: Duration,
) -> Option<StopReason> {
    const SIGXCPU: i32 = 24;
    const SIGXFSZ: i32 = 25;
    const SIGKILL: i32 = 9;
    if timed_out {
        return Some(StopReason::TimedOut {
            limit: limits.wall_time,
        });
    }
    if group.memory_limit_hit() {
        return Some(StopReason::Memory {
            limit: limits.memory_bytes,
        });
    }
    if group.process_limit_hit() {
        return Some(StopReason::ProcessLimit {
            limit: limits.max_processes,
        });
    }
    let signal = status.signal().or_else(|| {
        // `unshare --fork` ends itself with the signal that ended its child, except SIGKILL,
        // whose handler it cannot reset: it says so and exits with 1.
        (status.code() == Some(1) && stderr.trim_end().ends_with(UNSHARE_SIGKILL))
            .then_some(SIGKILL)
    });
    // Python and many runtimes ignore SIGXFSZ and report the failed write instead.
    if signal == Some(SIGXFSZ)
        || stderr.contains("File too large")
        || stderr.contains("File size limit exceeded")
    {
        return Some(StopReason::FileSize {
            limit: limits.max_file_bytes,
        });
    }
    // The first process of a PID namespace ignores SIGXCPU (it is that namespace's init), so
    // the hard limit's SIGKILL ends it instead. No one else sends SIGKILL here (the watchdog
    // and the OOM killer were ruled out above), and a process cannot have used its CPU
    // limit in less wall time than the limit spread over every core.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get() as u32);
    let could_have_spent = duration >= limits.cpu_time / cores;
    if signal == Some(SIGXCPU) || (signal == Some(SIGKILL) && could_have_spent) {
        return Some(StopReason::CpuTime {
            limit: limits.cpu_time,
        });
    }
    if !group.limits_memory() && stderr.contains("MemoryError") {
        return Some(StopReason::Memory {
            limit: limits.memory_bytes,
        });
    }
    signal.map(|signal| StopReason::Signal { signal })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_sandbox_removes_the_directories_of_processes_that_are_gone_and_only_those() {
        let parent = tempfile::tempdir().unwrap();
        // Above Linux's largest pid (2^22), so no process has it.
        let gone = parent.path().join(format!("{SCRATCH_PREFIX}99999999-abc"));
        let ours = parent
            .path()
            .join(format!("{SCRATCH_PREFIX}{}-abc", std::process::id()));
        let alive = parent.path().join(format!("{SCRATCH_PREFIX}1-abc"));
        let other = parent.path().join("someone-else");
        for dir in [&gone, &ours, &alive, &other] {
            std::fs::create_dir_all(dir.join("inside")).unwrap();
        }
        let sandbox = Sandbox::with_scratch_in(parent.path()).unwrap();
        assert!(!gone.exists(), "a dead process's sandbox is left");
        for kept in [&ours, &alive, &other] {
            assert!(kept.exists(), "{} was removed", kept.display());
        }
        let name = sandbox
            .scratch
            .path()
            .file_name()
            .unwrap()
            .to_string_lossy();
        assert!(
            name.starts_with(&format!("{SCRATCH_PREFIX}{}-", std::process::id())),
            "{name}"
        );
    }
}
