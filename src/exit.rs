//! The documented exit codes (DESIGN §3) and how an error maps onto them.

use std::process::ExitCode;

use crate::feed::ErrorClass;

/// Exit statuses a user or script can rely on; see `docs/exit-codes.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Success = 0,
    /// A handler or a check failed.
    Failed = 1,
    /// Usage or configuration error.
    Usage = 2,
    /// Authentication failed.
    Auth = 3,
    /// The feed or the server failed for good.
    Feed = 4,
    /// Interrupted by Ctrl-C.
    Interrupted = 130,
    /// Stopped by SIGTERM, where a command handles it (`replay`, `consume`: 128 + 15, as a shell reports it).
    Terminated = 143,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> Self {
        ExitCode::from(e as u8)
    }
}

/// An error that already knows which exit status it deserves.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Fail {
    pub exit: Exit,
    pub message: String,
}

impl Fail {
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        Fail {
            exit,
            message: message.into(),
        }
    }
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Exit::Usage, message)
    }
}

/// Walks the error chain for the first error type that carries an exit status.
pub fn exit_for(err: &anyhow::Error) -> Exit {
    for cause in err.chain() {
        if let Some(f) = cause.downcast_ref::<Fail>() {
            return f.exit;
        }
        if cause
            .downcast_ref::<crate::journal::JournalError>()
            .is_some()
        {
            return Exit::Usage;
        }
        if cause.downcast_ref::<crate::config::ConfigError>().is_some() {
            return Exit::Usage;
        }
        if let Some(e) = cause.downcast_ref::<crate::feed::SourceError>() {
            return match e.class {
                ErrorClass::Auth => Exit::Auth,
                ErrorClass::Local => Exit::Usage,
                ErrorClass::Transient | ErrorClass::Gone | ErrorClass::Refused => Exit::Feed,
            };
        }
        if let Some(e) = cause.downcast_ref::<crate::symphony::ApiError>() {
            return match e {
                crate::symphony::ApiError::AuthRejected { .. } => Exit::Auth,
                crate::symphony::ApiError::Local(_) => Exit::Usage,
                _ => Exit::Feed,
            };
        }
    }
    // Anything else local (a report or config file that cannot be written) is a usage problem;
    // wire errors were classified above, before their inner I/O errors.
    if err
        .chain()
        .any(|c| c.downcast_ref::<std::io::Error>().is_some())
    {
        return Exit::Usage;
    }
    Exit::Feed
}
