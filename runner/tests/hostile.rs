//! Hostile targets are stopped or contained, and the reason is reported: a command that
//! never ends, a fork bomb, a huge file, writes outside the working directory, a network
//! connection and a memory hog (`test_data/hostile/`). Every fixture limits itself, so a
//! containment failure cannot take the machine down.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tdev_runner::{CommandSpec, Limits, RunOutcome, Sandbox, StopReason};

/// The real interpreter (not a version manager's shim, which needs the user's HOME).
fn python() -> PathBuf {
    let out = std::process::Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .expect("python3 is installed");
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("test_data/hostile")
        .join(name)
}

/// A name no other process on the machine carries, to find the fixture's processes.
fn marker(name: &str) -> String {
    format!("tdev-hostile-{name}-{}", std::process::id())
}

/// Pids of processes whose command line mentions `marker`.
fn processes_with(marker: &str) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        if let Ok(cmdline) = std::fs::read(entry.path().join("cmdline"))
            && String::from_utf8_lossy(&cmdline).contains(marker)
        {
            found.push(pid);
        }
    }
    found
}

/// Runs a fixture with its arguments in a fresh working directory.
fn run(name: &str, args: &[&str], limits: Limits) -> (RunOutcome, tempfile::TempDir) {
    let sandbox = Sandbox::new().unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let command = CommandSpec::new(python())
        .arg(fixture(name))
        .args(args.iter().map(OsString::from));
    let outcome = sandbox
        .run(&command, cwd.path(), &BTreeMap::new(), &limits)
        .unwrap();
    (outcome, cwd)
}

fn limits() -> Limits {
    Limits {
        wall_time: Duration::from_secs(60),
        ..Limits::default()
    }
}

#[test]
fn a_command_that_never_ends_is_stopped_with_everything_it_started() {
    let marker = marker("sleep");
    let limits = Limits {
        wall_time: Duration::from_secs(5),
        ..limits()
    };
    let (outcome, cwd) = run("sleep_forever.py", &[&marker], limits);
    assert!(cwd.path().join("started").exists(), "{outcome:?}");
    assert_eq!(
        outcome.stopped,
        Some(StopReason::TimedOut {
            limit: Duration::from_secs(5)
        })
    );
    assert_eq!(
        outcome.stopped.unwrap().to_string(),
        "stopped after the wall-time limit of 5 s; every process it started was killed"
    );
    // The grandchild left the process group with setsid; it must be gone all the same.
    assert_eq!(processes_with(&marker), Vec::<u32>::new());
}

#[test]
fn a_fork_bomb_is_contained_by_the_process_limit() {
    let marker = marker("fork");
    let limits = Limits {
        max_processes: 64,
        ..limits()
    };
    let (outcome, cwd) = run("fork_bomb.py", &[&marker], limits);
    let made: u32 = std::fs::read_to_string(cwd.path().join("count"))
        .unwrap()
        .parse()
        .unwrap();
    assert!(made < 64, "it made {made} children: {outcome:?}");
    assert!(outcome.stdout_tail.contains("fork failed"), "{outcome:?}");
    assert_eq!(
        outcome.stopped,
        Some(StopReason::ProcessLimit { limit: 64 })
    );
    assert_eq!(processes_with(&marker), Vec::<u32>::new());
}

#[test]
fn a_huge_file_is_stopped_by_the_file_size_limit() {
    let limits = Limits {
        max_file_bytes: 4 << 20,
        ..limits()
    };
    let (outcome, cwd) = run("huge_file.py", &[], limits);
    assert_eq!(
        outcome.stopped,
        Some(StopReason::FileSize { limit: 4 << 20 }),
        "{outcome:?}"
    );
    let size = std::fs::metadata(cwd.path().join("huge.bin"))
        .unwrap()
        .len();
    assert!(size <= 4 << 20, "{size}");
}

#[test]
fn a_huge_file_from_a_shell_child_is_reported_too() {
    let sandbox = Sandbox::new().unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let limits = Limits {
        max_file_bytes: 1 << 20,
        ..limits()
    };
    let command = CommandSpec::new("sh").args(["-c", "head -c 50000000 /dev/zero > big.bin"]);
    let outcome = sandbox
        .run(&command, cwd.path(), &BTreeMap::new(), &limits)
        .unwrap();
    assert_eq!(
        outcome.stopped,
        Some(StopReason::FileSize { limit: 1 << 20 }),
        "{outcome:?}"
    );
}

#[test]
fn writes_outside_the_working_directory_are_refused() {
    let sandbox = Sandbox::new().unwrap();
    assert!(
        sandbox.capabilities().filesystem.enforced,
        "{}",
        sandbox.capabilities()
    );
    let marker = marker("outside");
    let outside = tempfile::tempdir().unwrap();
    let home = std::env::var("HOME").unwrap();
    let escapes = [
        PathBuf::from(format!("/tmp/{marker}.txt")),
        PathBuf::from(format!("{home}/{marker}.txt")),
    ];
    let outside_arg = outside.path().to_str().unwrap();
    let (outcome, cwd) = run("write_outside.py", &[outside_arg, &marker, &home], limits());
    let escaped: Vec<bool> = escapes
        .iter()
        .map(|path| std::fs::remove_file(path).is_ok())
        .collect();
    assert!(outcome.success(), "{outcome:?}");
    assert_eq!(
        outcome.stdout_tail.lines().collect::<Vec<_>>(),
        [
            format!("refused {outside_arg}/escaped.txt: Read-only file system"),
            format!("refused /tmp/{marker}.txt: Read-only file system"),
            format!("refused {home}/{marker}.txt: Read-only file system"),
        ]
    );
    assert_eq!(escaped, [false, false]);
    assert!(!outside.path().join("escaped.txt").exists());
    assert!(cwd.path().join("inside.txt").exists());
}

#[test]
fn a_network_connection_fails_inside() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let (outcome, _cwd) = run("connect.py", &[&port], limits());
    assert_eq!(outcome.status.code(), Some(3), "{outcome:?}");
    assert!(
        outcome.stdout_tail.starts_with("no connection:"),
        "{outcome:?}"
    );
    let accepted = listener.accept();
    assert!(
        accepted
            .as_ref()
            .is_err_and(|e| e.kind() == std::io::ErrorKind::WouldBlock),
        "{accepted:?}"
    );
}

#[test]
fn a_server_the_run_starts_on_its_own_loopback_is_reachable() {
    let (outcome, _cwd) = run("loopback.py", &[], limits());
    assert_eq!(outcome.stdout_tail, "loopback works\n", "{outcome:?}");
}

#[test]
fn a_network_connection_succeeds_when_allowed() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let limits = Limits {
        network: true,
        ..limits()
    };
    let (outcome, _cwd) = run("connect.py", &[&port], limits);
    assert!(outcome.success(), "{outcome:?}");
    assert_eq!(outcome.stdout_tail, "connected\n");
}

#[test]
fn a_memory_hog_is_stopped() {
    let limits = Limits {
        memory_bytes: 256 << 20,
        ..limits()
    };
    let (outcome, _cwd) = run("memory_hog.py", &[], limits);
    assert_eq!(
        outcome.stopped,
        Some(StopReason::Memory { limit: 256 << 20 }),
        "{outcome:?}"
    );
    assert_eq!(
        outcome.stopped.unwrap().to_string(),
        "stopped: it used more than the memory limit of 256 MiB"
    );
}

#[test]
fn a_well_behaved_command_runs_with_a_scratch_home() {
    let sandbox = Sandbox::new().unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let env = BTreeMap::from([(OsString::from("GREETING"), OsString::from("hello"))]);
    let command =
        CommandSpec::new("sh").args(["-c", "echo $GREETING; echo $HOME; echo oops >&2; exit 4"]);
    let outcome = sandbox.run(&command, cwd.path(), &env, &limits()).unwrap();
    assert_eq!(outcome.status.code(), Some(4), "{outcome:?}");
    assert_eq!(outcome.stopped, None);
    assert_eq!(outcome.stderr_tail, "oops\n");
    let mut lines = outcome.stdout_tail.lines();
    assert_eq!(lines.next(), Some("hello"));
    let home = lines.next().unwrap();
    assert!(
        home.ends_with("/home") && !home.starts_with(cwd.path().to_str().unwrap()),
        "{home}"
    );
}

#[test]
fn a_target_cannot_leave_its_cgroup_reach_disks_or_regain_privileges() {
    let sandbox = Sandbox::new().unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let script = "\
        echo $$ > /sys/fs/cgroup/pids/cgroup.procs 2>/dev/null && echo left-cgroup; \
        echo 1 > /sys/fs/cgroup/unified/cgroup.procs 2>/dev/null && echo left-cgroup2; \
        mount -o remount,rw / 2>/dev/null && echo remounted; \
        ls /dev | tr '\\n' ' '; echo; \
        grep CapEff /proc/self/status";
    let command = CommandSpec::new("sh").args(["-c", script]);
    let outcome = sandbox
        .run(&command, cwd.path(), &BTreeMap::new(), &limits())
        .unwrap();
    assert_eq!(
        outcome.stdout_tail,
        "fd full null ptmx pts random shm stderr stdin stdout tty urandom zero \nCapEff:\t0000000000000000\n",
        "{outcome:?}"
    );
}

#[test]
fn a_target_sees_only_its_own_processes_and_no_credentials() {
    // A credentials directory with something in it: the user's own, or one made for the test.
    // An empty ~/.ssh gets a file too, removed afterwards with the directory if it was made.
    let ssh = PathBuf::from(std::env::var_os("HOME").unwrap()).join(".ssh");
    let made = !ssh.exists();
    if made {
        std::fs::create_dir(&ssh).unwrap();
    }
    let key = ssh.join("tdev-test-key");
    let keyed = std::fs::read_dir(&ssh).unwrap().next().is_none();
    if keyed {
        std::fs::write(&key, "not a key").unwrap();
    }
    let entries = std::fs::read_dir(&ssh).map(|d| d.count()).unwrap_or(0);
    let sandbox = Sandbox::new().unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let script = format!(
        "ls /proc | grep -c '^[0-9]'; ls -A '{}' | wc -l",
        ssh.display()
    );
    let command = CommandSpec::new("sh").args(["-c", &script]);
    let outcome = sandbox
        .run(&command, cwd.path(), &BTreeMap::new(), &limits())
        .unwrap();
    if keyed {
        std::fs::remove_file(&key).unwrap();
    }
    if made {
        std::fs::remove_dir(&ssh).unwrap();
    }
    assert!(entries > 0);
    // The shell and its pipelines are all there is to see; ~/.ssh looks empty.
    let lines: Vec<u32> = outcome
        .stdout_tail
        .lines()
        .map(|l| l.trim().parse().unwrap())
        .collect();
    assert!(lines[0] <= 4, "{outcome:?}");
    assert_eq!(lines[1], 0, "{outcome:?}");
}

#[test]
fn a_busy_loop_is_stopped_by_the_cpu_time_limit() {
    let limits = Limits {
        cpu_time: Duration::from_secs(2),
        ..limits()
    };
    let (outcome, _cwd) = run("busy_loop.py", &[], limits);
    assert_eq!(
        outcome.stopped,
        Some(StopReason::CpuTime {
            limit: Duration::from_secs(2)
        }),
        "{outcome:?}"
    );
    assert!(!outcome.stdout_tail.contains("spun"));
    // The process was killed; the namespace's own messages are not the target's output.
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&outcome.status),
        Some(9)
    );
    assert_eq!(outcome.stderr_tail, "");
}

/// Set in the copy of this test binary that plays tdev in the test below.
const PLAY_TDEV: &str = "TDEV_HOSTILE_PLAY_TDEV";

#[test]
fn a_run_ends_when_tdev_itself_is_killed() {
    if let Some(cwd) = std::env::var_os(PLAY_TDEV) {
        // The copy: start a run that would outlive tdev, and be killed during it.
        let marker = std::env::var("TDEV_HOSTILE_MARKER").unwrap();
        // Its scratch directory is the test's to remove: this process dies before it can.
        let scratch = Path::new(&cwd).join("scratch");
        let sandbox = Sandbox::with_scratch_in(&scratch).unwrap();
        let command = CommandSpec::new(python())
            .arg(fixture("sleep_forever.py"))
            .arg(&marker);
        let limits = Limits {
            wall_time: Duration::from_secs(100),
            ..limits()
        };
        let _ = sandbox.run(&command, Path::new(&cwd), &BTreeMap::new(), &limits);
        return;
    }
    let marker = marker("orphan");
    let cwd = tempfile::tempdir().unwrap();
    let mut tdev = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "a_run_ends_when_tdev_itself_is_killed",
            "--nocapture",
        ])
        .env(PLAY_TDEV, cwd.path())
        .env("TDEV_HOSTILE_MARKER", &marker)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait (bounded) until the fixture and its setsid grandchild run.
    let started = cwd.path().join("started");
    for _ in 0..3000 {
        if started.exists() && processes_with(&marker).len() >= 2 {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(started.exists(), "the run did not start");
    tdev.kill().unwrap();
    tdev.wait().unwrap();
    // The kernel ends the namespace as soon as its parent is gone; allow it a moment.
    let mut left = processes_with(&marker);
    for _ in 0..500 {
        if left.is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
        left = processes_with(&marker);
    }
    assert_eq!(left, Vec::<u32>::new());
}
