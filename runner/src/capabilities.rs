//! What the sandbox can enforce on this machine, found once by trying each mechanism, and
//! said in words so that a user (and the cycle record) knows what a "limit" really meant.

use crate::cgroup::{self, Version};
use std::fmt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// Whether one limit is enforced, and how or why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enforcement {
    /// True when the limit binds every process of a run.
    pub enforced: bool,
    /// The mechanism, or why the limit is weaker or missing here.
    pub how: String,
}

impl Enforcement {
    fn yes(how: impl Into<String>) -> Self {
        Self {
            enforced: true,
            how: how.into(),
        }
    }

    fn no(why: impl Into<String>) -> Self {
        Self {
            enforced: false,
            how: why.into(),
        }
    }
}

/// Every limit of [`crate::Limits`] (and the filesystem and clean-up guarantees) with whether
/// this machine enforces it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capabilities {
    /// Wall time, and killing everything a run started when it ends or times out.
    pub wall_time: Enforcement,
    /// CPU time per process.
    pub cpu_time: Enforcement,
    /// Memory of the whole run.
    pub memory: Enforcement,
    /// Processes alive at once.
    pub processes: Enforcement,
    /// Size of a written file.
    pub file_size: Enforcement,
    /// No network during tests.
    pub network: Enforcement,
    /// Writes only into the working directory and the run's scratch directory.
    pub filesystem: Enforcement,
    /// Privileges of the target's processes.
    pub privileges: Enforcement,
}

impl fmt::Display for Capabilities {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, e) in self.rows() {
            let mark = if e.enforced {
                "enforced"
            } else {
                "NOT enforced"
            };
            writeln!(f, "{name:<12} {mark:<13} {}", e.how)?;
        }
        Ok(())
    }
}

impl Capabilities {
    /// The limits with their names, in the order of the docs' table.
    pub fn rows(&self) -> [(&'static str, &Enforcement); 8] {
        [
            ("wall time", &self.wall_time),
            ("cpu time", &self.cpu_time),
            ("memory", &self.memory),
            ("processes", &self.processes),
            ("file size", &self.file_size),
            ("network", &self.network),
            ("filesystem", &self.filesystem),
            ("privileges", &self.privileges),
        ]
    }
}

/// The mechanisms found on this machine; the sandbox builds each run's command from these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Platform {
    pub cgroups: cgroup::Support,
    pub prlimit: bool,
    pub unshare_net: bool,
    pub unshare_pid: bool,
    pub read_only_root: bool,
    pub drop_capabilities: bool,
    pub parent_death: bool,
}

impl Platform {
    /// The mechanisms of this machine, probed by the first sandbox of the process: they do
    /// not change while it runs, and each probe starts processes.
    pub fn detected(scratch: &Path) -> &'static Self {
        static PLATFORM: OnceLock<Platform> = OnceLock::new();
        PLATFORM.get_or_init(|| Self::detect(scratch))
    }

    /// Tries each mechanism once with a harmless command.
    fn detect(scratch: &Path) -> Self {
        let works = |program: &str, args: &[&str]| {
            Command::new(program)
                .args(args)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        let probe_dir = scratch.join("probe-dir");
        let read_only_root = std::fs::create_dir_all(&probe_dir).is_ok()
            && probe_dir.to_str().is_some_and(|dir| {
                // The same steps a run takes: a private bind of a writable directory, then
                // the root read-only; the write below must fail and the bound one succeed.
                let script = format!(
                    "set -e; mount --bind '{dir}' '{dir}'; mount -o remount,bind,ro /; \
                     touch '{dir}/ok'; ! touch /tdev-probe-must-fail 2>/dev/null"
                );
                works(
                    "unshare",
                    &["--mount", "--propagation", "private", "sh", "-c", &script],
                )
            });
        let _ = std::fs::remove_dir_all(&probe_dir);
        Self {
            cgroups: cgroup::Support::detect(),
            prlimit: works("prlimit", &["--fsize=1000000", "true"]),
            unshare_net: works("unshare", &["--net", "true"]),
            unshare_pid: works("unshare", &["--pid", "--fork", "--kill-child", "true"]),
            read_only_root,
            parent_death: works("setpriv", &["--pdeathsig", "KILL", "true"]),
            drop_capabilities: works(
                "setpriv",
                &[
                    "--bounding-set=-all",
                    "--inh-caps=-all",
                    "--no-new-privs",
                    "true",
                ],
            ),
        }
    }

    /// What these mechanisms enforce, in words.
    pub fn capabilities(&self) -> Capabilities {
        let version = |c: &cgroup::Controller| match c.version {
            Version::V1 => "v1",
            Version::V2 => "v2",
        };
        let wall_time = match (&self.cgroups.pids, self.unshare_pid) {
            (_, true) if self.parent_death => Enforcement::yes(
                "the process group is killed at the deadline; a PID namespace ends every \
                 process of the run, even those that left the group, when its first process \
                 ends, and when tdev itself dies",
            ),
            (_, true) => Enforcement::yes(
                "the process group is killed at the deadline; a PID namespace ends every \
                 process of the run, even those that left the group, when its first process \
                 ends (but not when tdev itself dies: setpriv has no --pdeathsig)",
            ),
            (Some(c), false) => Enforcement::yes(format!(
                "the process group is killed at the deadline, then every process left in the \
                 run's cgroup ({})",
                version(c)
            )),
            (None, false) => Enforcement::no(
                "only the process group is killed: a process that starts its own session \
                 (setsid) survives the run (no PID namespace, no writable cgroup)",
            ),
        };
        let rlimit = |what: &str| {
            if self.prlimit {
                Enforcement::yes(format!("{what} (prlimit), per process"))
            } else {
                Enforcement::no("prlimit (util-linux) is not installed")
            }
        };
        let memory = match &self.cgroups.memory {
            Some(c) => Enforcement::yes(format!(
                "memory cgroup ({}) of the whole run; the kernel kills a process over it",
                version(c)
            )),
            None if self.prlimit => Enforcement::no(
                "no writable memory cgroup: only each process's address space is limited \
                 (RLIMIT_AS), so many processes together can use more",
            ),
            None => Enforcement::no("no writable memory cgroup and no prlimit"),
        };
        let processes = match &self.cgroups.pids {
            Some(c) => Enforcement::yes(format!(
                "pids cgroup ({}): forks beyond the limit fail, for root too",
                version(c)
            )),
            None => Enforcement::no(
                "no writable pids cgroup: falls back to RLIMIT_NPROC, which counts every \
                 process of the user and does not bind root",
            ),
        };
        let network = if self.unshare_net {
            Enforcement::yes(
                "a new network namespace (unshare --net) with only a loopback that is down",
            )
        } else {
            Enforcement::no("network namespaces are not permitted here (unshare --net failed)")
        };
        let filesystem = if self.read_only_root {
            Enforcement::yes(
                "a mount namespace makes every mount read-only except the working directory \
                 and the run's scratch directory (HOME and TMPDIR point into it); /dev is a \
                 minimal copy; /proc/sys is read-only",
            )
        } else {
            Enforcement::no(
                "no mount namespace: HOME and TMPDIR point into a scratch directory, but a \
                 process can still write wherever its user may",
            )
        };
        let privileges = if self.drop_capabilities {
            Enforcement::yes(
                "all capabilities dropped (setpriv), no new privileges: a root target cannot \
                 remount, leave its cgroup or change limits",
            )
        } else {
            Enforcement::no("setpriv is missing: the target keeps the privileges of tdev's user")
        };
        Capabilities {
            wall_time,
            cpu_time: rlimit("RLIMIT_CPU"),
            memory,
            processes,
            file_size: rlimit("RLIMIT_FSIZE"),
            network,
            filesystem,
            privileges,
        }
    }
}
