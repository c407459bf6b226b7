//! Keeps the last bytes of a stream: a test suite can print megabytes, and only its end
//! (the summary, the traceback) is worth keeping in memory and in a report.

use std::io::Read;

/// Reads `reader` to its end and returns its last `keep` bytes, decoded lossily.
pub(crate) fn read_tail(mut reader: impl Read, keep: usize) -> String {
    let mut kept: Vec<u8> = Vec::with_capacity(keep.min(1 << 16));
    let mut buffer = [0u8; 8192];
    loop {
        match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => {
                kept.extend_from_slice(&buffer[..n]);
                // Trim in large steps so that a chatty stream does not cost a copy per read.
                if kept.len() > keep * 2 {
                    kept.drain(..kept.len() - keep);
                }
            }
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    if kept.len() > keep {
        kept.drain(..kept.len() - keep);
    }
    String::from_utf8_lossy(&kept).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, keep: usize, expected: &str) {
        assert_eq!(read_tail(input.as_bytes(), keep), expected);
    }

    #[test]
    fn keeps_the_end() {
        check("hello", 10, "hello");
        check("hello world", 5, "world");
        check(&"x".repeat(100_000), 3, "xxx");
    }
}
