//! Rust targets: `cargo test`.
