//! Control groups for one sandboxed run: a process-count and a memory limit that bind even
//! for root (where `RLIMIT_NPROC` does not), the events that say a limit was hit, and a way
//! to kill every process of the run, including those that left its process group.
//!
//! Both cgroup v1 (one hierarchy per controller, `pids.max`, `memory.limit_in_bytes`) and v2
//! (one hierarchy, `pids.max`, `memory.max`, `cgroup.kill`) are supported. A run's groups are
//! made under the groups tdev itself is in, so whatever limits tdev runs under still apply.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The version of a cgroup hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Version {
    V1,
    V2,
}

/// Where a controller's groups for tdev's runs are made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Controller {
    /// The directory of the group tdev is in, inside the controller's hierarchy.
    pub parent: PathBuf,
    pub version: Version,
}

/// The controllers tdev can make groups in, found by trying.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Support {
    pub pids: Option<Controller>,
    pub memory: Option<Controller>,
}

impl Support {
    /// Finds tdev's own groups from `/proc/self/cgroup` and `/proc/self/mountinfo`, and keeps
    /// the controllers under which a child group can really be made.
    pub fn detect() -> Self {
        let (Ok(membership), Ok(mountinfo)) = (
            fs::read_to_string("/proc/self/cgroup"),
            fs::read_to_string("/proc/self/mountinfo"),
        ) else {
            return Self::default();
        };
        let mounts = cgroup_mounts(&mountinfo);
        for candidate in ["pids", "memory"]
            .iter()
            .flat_map(|c| candidates(&membership, &mounts, c))
        {
            remove_stale(&candidate.parent);
        }
        let find = |controller: &str, v1_file: &str, v2_file: &str| {
            candidates(&membership, &mounts, controller)
                .into_iter()
                .find(|candidate| {
                    let file = match candidate.version {
                        Version::V1 => v1_file,
                        Version::V2 => v2_file,
                    };
                    probe(candidate, controller, file)
                })
        };
        Self {
            pids: find("pids", "pids.max", "pids.max"),
            memory: find("memory", "memory.limit_in_bytes", "memory.max"),
        }
    }
}

/// A cgroup mount: its version, the controllers it carries (v1), its root inside the
/// hierarchy and where it is mounted.
struct Mount {
    version: Version,
    options: Vec<String>,
    root: String,
    point: PathBuf,
}

fn cgroup_mounts(mountinfo: &str) -> Vec<Mount> {
    mountinfo
        .lines()
        .filter_map(|line| {
            let (before, after) = line.split_once(" - ")?;
            let fields: Vec<&str> = before.split(' ').collect();
            let mut after = after.split(' ');
            let version = match after.next()? {
                "cgroup" => Version::V1,
                "cgroup2" => Version::V2,
                _ => return None,
            };
            let options = after
                .nth(1)
                .unwrap_or("")
                .split(',')
                .map(String::from)
                .collect();
            Some(Mount {
                version,
                options,
                root: (*fields.get(3)?).to_owned(),
                point: PathBuf::from(fields.get(4)?),
            })
        })
        .collect()
}

/// The directories of tdev's own group in every hierarchy that has `controller`, v1 first.
fn candidates(membership: &str, mounts: &[Mount], controller: &str) -> Vec<Controller> {
    let mut found = Vec::new();
    for line in membership.lines() {
        let mut parts = line.splitn(3, ':');
        let (Some(_), Some(controllers), Some(path)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let version = if controllers.is_empty() {
            Version::V2
        } else {
            Version::V1
        };
        if version == Version::V1 && !controllers.split(',').any(|c| c == controller) {
            continue;
        }
        for mount in mounts.iter().filter(|m| m.version == version) {
            if version == Version::V1 && !mount.options.iter().any(|o| o == controller) {
                continue;
            }
            let Some(relative) = path.strip_prefix(mount.root.trim_end_matches('/')) else {
                continue;
            };
            found.push(Controller {
                parent: mount.point.join(relative.trim_start_matches('/')),
                version,
            });
        }
    }
    found
}

/// Whether a child group can be made under `candidate` and has the controller's limit
/// `file` (v2 needs the controller enabled in the parent's `cgroup.subtree_control`, which
/// tdev tries).
fn probe(candidate: &Controller, controller: &str, file: &str) -> bool {
    let dir = candidate.parent.join(format!(
        "tdev-probe-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    if fs::create_dir(&dir).is_err() {
        return false;
    }
    if candidate.version == Version::V2 && !dir.join(file).exists() {
        let _ = fs::write(
            candidate.parent.join("cgroup.subtree_control"),
            format!("+{controller}"),
        );
    }
    let ok = dir.join(file).exists();
    let _ = fs::remove_dir(&dir);
    ok
}

/// Removes the empty groups of runs whose tdev process is gone (killed before it could
/// clean up); a group that still holds processes is left alone.
fn remove_stale(parent: &Path) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix("tdev-run-"))
            .and_then(|rest| rest.split('-').next())
        else {
            continue;
        };
        if !Path::new("/proc").join(pid).exists() {
            let _ = fs::remove_dir(entry.path());
        }
    }
}

static NEXT: AtomicU64 = AtomicU64::new(0);

/// The groups of one run: made before it starts, killed and removed when it ends.
#[derive(Debug)]
pub(crate) struct RunGroup {
    pids: Option<(PathBuf, Version)>,
    memory: Option<(PathBuf, Version)>,
}

impl RunGroup {
    /// Makes the run's groups and writes their limits. A controller whose group cannot be
    /// made is left out (the caller reports it as not enforced).
    pub fn create(support: &Support, max_processes: u64, memory_bytes: u64) -> Self {
        let name = format!(
            "tdev-run-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let make = |controller: &Option<Controller>| {
            let controller = controller.as_ref()?;
            let dir = controller.parent.join(&name);
            match fs::create_dir(&dir) {
                Ok(()) => Some((dir, controller.version)),
                Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                    Some((dir, controller.version))
                }
                Err(_) => None,
            }
        };
        let mut pids = make(&support.pids);
        if let Some((dir, _)) = &pids
            && fs::write(dir.join("pids.max"), max_processes.to_string()).is_err()
        {
            let _ = fs::remove_dir(dir);
            pids = None;
        }
        // v2 keeps one directory for every controller.
        let mut memory = match (&support.memory, &pids) {
            (Some(m), Some((dir, Version::V2))) if m.version == Version::V2 => {
                Some((dir.clone(), Version::V2))
            }
            _ => make(&support.memory),
        };
        if let Some((dir, version)) = &memory {
            let written = match version {
                Version::V1 => {
                    let ok = fs::write(dir.join("memory.limit_in_bytes"), memory_bytes.to_string())
                        .is_ok();
                    // Swap would let a hog outgrow the limit; not every kernel accounts it.
                    let _ = fs::write(
                        dir.join("memory.memsw.limit_in_bytes"),
                        memory_bytes.to_string(),
                    );
                    ok
                }
                Version::V2 => {
                    let _ = fs::write(dir.join("memory.swap.max"), "0");
                    fs::write(dir.join("memory.max"), memory_bytes.to_string()).is_ok()
                }
            };
            if !written {
                if pids.as_ref().map(|(p, _)| p) != Some(dir) {
                    let _ = fs::remove_dir(dir);
                }
                memory = None;
            }
        }
        Self { pids, memory }
    }

    /// The `cgroup.procs` files a process writes its pid into to join the run's groups.
    pub fn procs_files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = self
            .pids
            .iter()
            .chain(&self.memory)
            .map(|(dir, _)| dir.join("cgroup.procs"))
            .collect();
        files.dedup();
        files
    }

    /// Whether the process count is limited by a group.
    pub fn limits_processes(&self) -> bool {
        self.pids.is_some()
    }

    /// Whether memory is limited by a group.
    pub fn limits_memory(&self) -> bool {
        self.memory.is_some()
    }

    /// Whether a fork failed because the process limit was reached.
    pub fn process_limit_hit(&self) -> bool {
        self.pids
            .as_ref()
            .is_some_and(|(dir, _)| event_count(&dir.join("pids.events"), "max") > 0)
    }

    /// Whether the kernel killed a process of the run for using too much memory.
    pub fn memory_limit_hit(&self) -> bool {
        self.memory
            .as_ref()
            .is_some_and(|(dir, version)| match version {
                Version::V1 => event_count(&dir.join("memory.oom_control"), "oom_kill") > 0,
                Version::V2 => event_count(&dir.join("memory.events"), "oom_kill") > 0,
            })
    }

    /// Pids of the processes still in the run's groups.
    pub fn members(&self) -> Vec<i32> {
        let mut pids: Vec<i32> = self
            .procs_files()
            .iter()
            .filter_map(|file| fs::read_to_string(file).ok())
            .flat_map(|text| {
                text.lines()
                    .filter_map(|line| line.trim().parse().ok())
                    .collect::<Vec<_>>()
            })
            .collect();
        pids.sort_unstable();
        pids.dedup();
        pids
    }

    /// Kills every process in the run's groups until none is left (or a bounded number of
    /// rounds has passed: a process stuck in the kernel cannot be waited for forever).
    pub fn kill_all(&self) {
        for (dir, version) in self.pids.iter().chain(&self.memory) {
            if *version == Version::V2 {
                let _ = fs::write(dir.join("cgroup.kill"), "1");
            }
        }
        for _ in 0..500 {
            let members = self.members();
            if members.is_empty() {
                return;
            }
            for pid in members {
                if let Some(pid) = rustix::process::Pid::from_raw(pid) {
                    let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
                }
            }
            // Killed processes leave their group only once the kernel has torn them down.
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for RunGroup {
    fn drop(&mut self) {
        self.kill_all();
        for (dir, _) in self.pids.iter().chain(&self.memory) {
            for _ in 0..100 {
                if fs::remove_dir(dir).is_ok() || !dir.exists() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
}

/// The number after `key` in a flat-keyed cgroup file such as `pids.events`.
fn event_count(file: &Path, key: &str) -> u64 {
    fs::read_to_string(file)
        .ok()
        .and_then(|text| {
            text.lines().find_map(|line| {
                let (name, value) = line.split_once(' ')?;
                (name == key).then(|| value.trim().parse().ok())?
            })
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_v1_and_v2_groups_under_their_mounts() {
        let mountinfo = "\
35 30 0:31 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
36 30 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
37 30 0:33 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw";
        let membership = "8:pids:/\n4:memory:/job/7\n0::/user.slice\n";
        let mounts = cgroup_mounts(mountinfo);
        let paths = |controller| {
            candidates(membership, &mounts, controller)
                .into_iter()
                .map(|c| (c.parent.display().to_string(), c.version))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            paths("pids"),
            [
                ("/sys/fs/cgroup/pids/".to_owned(), Version::V1),
                ("/sys/fs/cgroup/unified/user.slice".to_owned(), Version::V2)
            ]
        );
        assert_eq!(paths("memory")[0].0, "/sys/fs/cgroup/memory/job/7");
    }

    #[test]
    fn reads_event_counts() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pids.events");
        fs::write(&file, "max 17\n").unwrap();
        assert_eq!(event_count(&file, "max"), 17);
        assert_eq!(event_count(&file, "oom_kill"), 0);
    }
}
