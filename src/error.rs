//! Exit codes and the kinds of failure they stand for: a leaf every layer may use.
//!
//! Every layer below the CLI returns typed errors (`thiserror`) that implement [`Classify`];
//! the CLI wraps them in `anyhow` with context, and `cli::classify` walks the cause chain to
//! the first typed error it knows for the exit code and the hint. The README lists the codes.

use std::process::ExitCode;

/// Process exit codes. Scripts and CI jobs depend on them: never renumber.
pub mod exit {
    /// Success.
    pub const OK: u8 = 0;
    /// An internal error: a bug, or a failure nobody could have prevented by changing the input.
    pub const INTERNAL: u8 = 1;
    /// Wrong command-line usage: unknown flag, missing argument, `--yes` required without a terminal.
    pub const USAGE: u8 = 2;
    /// Invalid input (cron, timezone, JSON, configuration value); nothing was written.
    pub const INVALID_INPUT: u8 = 3;
    /// A schedule reference matched nothing, or more than one schedule.
    pub const NOT_FOUND: u8 = 4;
    /// Conflict: the row changed since it was read, or an add would duplicate a schedule.
    pub const CONFLICT: u8 = 5;
    /// A database, Redis or broker is unreachable or not usable as is (e.g. not migrated).
    pub const UNAVAILABLE: u8 = 6;
    /// A diagnostic check failed.
    pub const CHECK_FAILED: u8 = 7;
    /// Interrupted by a signal (Ctrl-C) or a declined confirmation.
    pub const INTERRUPTED: u8 = 130;
}

/// What kind of failure an error is; decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// See [`exit::INTERNAL`].
    Internal,
    /// See [`exit::USAGE`].
    Usage,
    /// See [`exit::INVALID_INPUT`].
    InvalidInput,
    /// See [`exit::NOT_FOUND`].
    NotFound,
    /// A reference matched several things (exit [`exit::NOT_FOUND`]; JSON kind `ambiguous`).
    Ambiguous,
    /// See [`exit::CONFLICT`].
    Conflict,
    /// See [`exit::UNAVAILABLE`].
    Unavailable,
    /// See [`exit::CHECK_FAILED`].
    CheckFailed,
    /// See [`exit::INTERRUPTED`].
    Interrupted,
}

impl ErrorKind {
    /// The process exit code for this kind.
    pub fn code(self) -> u8 {
        match self {
            Self::Internal => exit::INTERNAL,
            Self::Usage => exit::USAGE,
            Self::InvalidInput => exit::INVALID_INPUT,
            Self::NotFound | Self::Ambiguous => exit::NOT_FOUND,
            Self::Conflict => exit::CONFLICT,
            Self::Unavailable => exit::UNAVAILABLE,
            Self::CheckFailed => exit::CHECK_FAILED,
            Self::Interrupted => exit::INTERRUPTED,
        }
    }

    /// A stable machine-readable name, used in JSON error objects.
    pub fn name(self) -> &'static str {
        match self {
            Self::Internal => "internal",
            Self::Usage => "usage",
            Self::InvalidInput => "invalid_input",
            Self::NotFound => "not_found",
            Self::Ambiguous => "ambiguous",
            Self::Conflict => "conflict",
            Self::Unavailable => "unavailable",
            Self::CheckFailed => "check_failed",
            Self::Interrupted => "interrupted",
        }
    }

    /// The exit code as a process [`ExitCode`].
    pub fn exit_code(self) -> ExitCode {
        ExitCode::from(self.code())
    }
}

/// Implemented by every typed error of the lower layers.
pub trait Classify {
    /// What kind of failure this is.
    fn kind(&self) -> ErrorKind;
    /// How to fix it, when there is something the user can do.
    fn hint(&self) -> Option<String> {
        None
    }
    /// Fields added to the JSON error object (e.g. `candidates` of an ambiguous reference).
    fn json_fields(&self) -> Option<serde_json::Map<String, serde_json::Value>> {
        None
    }
}

/// An error raised by the CLI layer itself (usage problems, declined confirmations).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct CliError {
    /// What went wrong.
    pub message: String,
    /// The failure kind.
    pub kind: ErrorKind,
    /// The fix.
    pub hint: Option<String>,
}

impl CliError {
    /// A usage error with a hint.
    pub fn usage(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            kind: ErrorKind::Usage,
            hint: Some(hint.into()),
        }
    }

    /// Invalid input with a hint.
    pub fn invalid(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            kind: ErrorKind::InvalidInput,
            hint: Some(hint.into()),
        }
    }
}

impl Classify for CliError {
    fn kind(&self) -> ErrorKind {
        self.kind
    }
    fn hint(&self) -> Option<String> {
        self.hint.clone()
    }
}
