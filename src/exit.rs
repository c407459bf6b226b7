//! How errors become exit codes: 2 for the user's mistakes, 3 for `tdev status` finding no
//! daemon, 1 for everything else.

use std::fmt;

/// A mistake in the user's input that the binary itself detected (as opposed to one the
/// knowledge layer reports through `tdev_knowledge::Error::is_user_error`).
#[derive(Debug)]
pub struct UserError {
    message: String,
}

impl UserError {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for UserError {}

/// `tdev status` found no daemon running: not a failure, but a script must tell it apart.
#[derive(Debug)]
pub struct NotRunning;

impl fmt::Display for NotRunning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("no tdev daemon is running")
    }
}

impl std::error::Error for NotRunning {}

pub fn code(err: &anyhow::Error) -> u8 {
    if err.chain().any(|cause| cause.is::<NotRunning>()) {
        return 3;
    }
    let user = err.chain().any(|cause| {
        cause.is::<UserError>()
            || cause
                .downcast_ref::<tdev_app::Error>()
                .is_some_and(tdev_app::Error::is_user_error)
            || cause
                .downcast_ref::<tdev_knowledge::Error>()
                .is_some_and(tdev_knowledge::Error::is_user_error)
    });
    if user { 2 } else { 1 }
}

/// Text to print after the error (such as the offending line with a caret), when the
/// façade's error has some.
pub fn hint(err: &anyhow::Error) -> Option<&str> {
    err.chain()
        .find_map(|cause| cause.downcast_ref::<tdev_app::Error>()?.hint())
}

pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        let io = cause
            .downcast_ref::<std::io::Error>()
            .or_else(|| match cause.downcast_ref() {
                Some(tdev_knowledge::Error::Io { source, .. }) => Some(source),
                _ => None,
            })
            .or_else(|| match cause.downcast_ref() {
                Some(tdev_app::Error::Io { source, .. }) => Some(source),
                Some(tdev_app::Error::Knowledge(tdev_knowledge::Error::Io { source, .. })) => {
                    Some(source)
                }
                _ => None,
            });
        io.is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
