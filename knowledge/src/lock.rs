//! One writer per data directory: an advisory lock that names its holder.
//!
//! RocksDB refuses a second opener with `LOCK: Resource temporarily unavailable`, which tells
//! a person nothing. tdev takes its own lock first, writes its pid and command line into the
//! lock file, and a second process reports who holds the directory instead.

use crate::{Error, Result};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::Path;
use std::time::{Duration, Instant};

/// Holds the data directory until dropped.
#[derive(Debug)]
pub struct DataDirLock {
    file: File,
    path: std::path::PathBuf,
}

impl DataDirLock {
    /// Takes the lock of `dir`, or says who holds it.
    pub fn acquire(dir: &Path) -> Result<Self> {
        Self::acquire_within(dir, Duration::ZERO)
    }

    /// Takes the lock of `dir`, waiting up to `patience` while its holder is a passing reader
    /// (a `tdev cycles` or `tdev sparql` holds it for a moment and serves no one); a holder
    /// that serves reads (a host, which advertised its socket) is named at once, as is any
    /// holder still there when the patience is spent.
    pub fn acquire_within(dir: &Path, patience: Duration) -> Result<Self> {
        let started = Instant::now();
        loop {
            match Self::try_acquire(dir) {
                Err(Error::Locked { .. })
                    if started.elapsed() < patience && Self::endpoint(dir).is_none() =>
                {
                    std::thread::sleep(Duration::from_millis(50));
                }
                done => return done,
            }
        }
    }

    fn try_acquire(dir: &Path) -> Result<Self> {
        let path = dir.join("lock");
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(Error::io(format!("opening {}", path.display())))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                // The holder may not have written its name yet; then it is "another process".
                let _ = (&file).read_to_string(&mut holder);
                return Err(Error::Locked {
                    dir: dir.to_path_buf(),
                    holder: describe_holder(&holder),
                });
            }
            Err(TryLockError::Error(e)) => {
                return Err(Error::Io {
                    context: format!("locking {}", path.display()),
                    source: e,
                });
            }
        }
        let lock = Self { file, path };
        lock.write(None)?;
        Ok(lock)
    }

    /// Names, in the lock file, the socket on which this process answers read queries for
    /// other processes (see `tdev-app`'s read server).
    pub fn advertise(&self, endpoint: &str) -> Result<()> {
        self.write(Some(endpoint))
    }

    /// The socket the holder of `dir` named with [`DataDirLock::advertise`], if any.
    pub fn endpoint(dir: &Path) -> Option<String> {
        let contents = std::fs::read_to_string(dir.join("lock")).ok()?;
        contents
            .lines()
            .find_map(|line| line.strip_prefix(ENDPOINT_PREFIX))
            .map(str::to_owned)
    }

    /// The pid the lock file of `dir` names: its holder's, or, when the file was not emptied
    /// (a holder that was killed), the last holder's.
    pub fn holder_pid(dir: &Path) -> Option<u32> {
        let contents = std::fs::read_to_string(dir.join("lock")).ok()?;
        contents.lines().next()?.trim().parse().ok()
    }

    /// Writes who holds the directory: pid, command line and, when there is one, the endpoint.
    fn write(&self, endpoint: Option<&str>) -> Result<()> {
        let command: Vec<String> = std::env::args().collect();
        let mut record = format!("{}\n{}\n", std::process::id(), command.join(" "));
        if let Some(endpoint) = endpoint {
            record.push_str(&format!("{ENDPOINT_PREFIX}{endpoint}\n"));
        }
        let mut file = &self.file;
        let write = file
            .set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| file.write_all(record.as_bytes()))
            .and_then(|()| file.flush());
        write.map_err(Error::io(format!("writing {}", self.path.display())))
    }
}

/// How the lock file's line naming the read endpoint starts.
const ENDPOINT_PREFIX: &str = "read ";

impl Drop for DataDirLock {
    fn drop(&mut self) {
        // The lock itself goes with the file descriptor; emptying the file only keeps a stale
        // name from being shown. Failing to empty it is harmless.
        let _ = self.file.set_len(0);
    }
}

fn describe_holder(contents: &str) -> String {
    let mut lines = contents.lines();
    match (lines.next().map(str::trim), lines.next()) {
        (Some(pid), Some(command)) if !pid.is_empty() => format!("pid {pid} ({command})"),
        (Some(pid), None) if !pid.is_empty() => format!("pid {pid}"),
        _ => "another process".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_holder_is_told_who_has_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let first = DataDirLock::acquire(dir.path()).unwrap();
        let err = DataDirLock::acquire(dir.path()).unwrap_err().to_string();
        let pid = std::process::id();
        assert!(err.contains(&format!("in use by pid {pid} (")), "{err}");
        assert_eq!(DataDirLock::holder_pid(dir.path()), Some(pid));
        drop(first);
        assert_eq!(DataDirLock::holder_pid(dir.path()), None);
        DataDirLock::acquire(dir.path()).expect("the lock is free again after drop");
    }

    #[test]
    fn a_host_waits_for_a_passing_reader_but_not_for_a_host() {
        let dir = tempfile::tempdir().unwrap();
        let reader = DataDirLock::acquire(dir.path()).unwrap();
        let letting_go = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            drop(reader);
        });
        let lock = DataDirLock::acquire_within(dir.path(), Duration::from_secs(60))
            .expect("the reader let go within the patience");
        letting_go.join().unwrap();
        // Now held by a host that serves reads: named at once, however patient the newcomer
        // (were it waited for, this test would wait the hour out).
        lock.advertise("/run/tdev/read.sock").unwrap();
        let err = DataDirLock::acquire_within(dir.path(), Duration::from_secs(3600))
            .unwrap_err()
            .to_string();
        assert!(err.contains("in use by pid"), "{err}");
    }

    #[test]
    fn holder_description_survives_partial_contents() {
        assert_eq!(describe_holder(""), "another process");
        assert_eq!(describe_holder("42\n"), "pid 42");
        assert_eq!(describe_holder("42\ntdev daemon\n"), "pid 42 (tdev daemon)");
    }
}
