//! Exit codes and the one place that maps an error to them.
//!
//! Every layer below the CLI returns typed errors (`thiserror`); the CLI wraps them in
//! `anyhow` with context. [`classify`] walks the cause chain, finds the first typed error it
//! knows, and returns its [`ErrorKind`] and hint. The README lists these codes.

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
    /// Conflict: the row changed since it was read.
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
            Self::NotFound => exit::NOT_FOUND,
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

/// The kind and hint of an error: the first typed error in its cause chain decides.
pub fn classify(err: &anyhow::Error) -> (ErrorKind, Option<String>) {
    for cause in err.chain() {
        if let Some(found) = classify_one(cause) {
            return found;
        }
    }
    (ErrorKind::Internal, None)
}

fn classify_one(cause: &(dyn std::error::Error + 'static)) -> Option<(ErrorKind, Option<String>)> {
    fn pick<E: Classify + std::error::Error + 'static>(
        cause: &(dyn std::error::Error + 'static),
    ) -> Option<(ErrorKind, Option<String>)> {
        cause.downcast_ref::<E>().map(|e| (e.kind(), e.hint()))
    }
    pick::<CliError>(cause)
        .or_else(|| pick::<crate::config::ConfigError>(cause))
        .or_else(|| pick::<crate::domain::DomainError>(cause))
        .or_else(|| pick::<crate::domain::cron::CronError>(cause))
        .or_else(|| pick::<crate::store::StoreError>(cause))
        .or_else(|| pick::<crate::sync::SyncError>(cause))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Backend, Redacted};
    use crate::store::StoreError;
    use anyhow::Context;

    fn code(err: impl std::error::Error + Send + Sync + 'static) -> u8 {
        let wrapped = Err::<(), _>(err)
            .context("while doing something")
            .unwrap_err();
        classify(&wrapped).0.code()
    }

    #[test]
    fn typed_errors_decide_the_exit_code_through_context() {
        let id = uuid::Uuid::nil();
        assert_eq!(
            code(StoreError::Conflict {
                id,
                name: "n".into()
            }),
            exit::CONFLICT
        );
        assert_eq!(
            code(StoreError::NotFound {
                reference: "x".into()
            }),
            exit::NOT_FOUND
        );
        assert_eq!(
            code(StoreError::Ambiguous {
                reference: "x".into(),
                candidates: vec![]
            }),
            exit::NOT_FOUND
        );
        let url = Redacted::new("postgres://u:pw@h/db");
        assert_eq!(
            code(StoreError::NotMigrated {
                url: url.clone(),
                pending: vec![]
            }),
            exit::UNAVAILABLE
        );
        assert_eq!(
            code(StoreError::TooNew {
                url: url.clone(),
                found: 2,
                known: 1
            }),
            exit::UNAVAILABLE
        );
        let unreachable = StoreError::Unreachable {
            backend: Backend::Postgres,
            url,
            source: sqlx::Error::PoolTimedOut,
        };
        assert!(
            unreachable.to_string().contains("u:***@h") && !unreachable.to_string().contains("pw")
        );
        assert_eq!(code(unreachable), exit::UNAVAILABLE);
        assert_eq!(
            code(StoreError::Database(sqlx::Error::RowNotFound)),
            exit::INTERNAL
        );
        assert_eq!(
            code(StoreError::NoDatabase {
                path: "typo.db".into()
            }),
            exit::UNAVAILABLE
        );
        assert_eq!(
            code(StoreError::ReadOnly {
                what: "write".into(),
                source: None
            }),
            exit::UNAVAILABLE
        );
        assert_eq!(
            code(crate::domain::DomainError::new("m", "h")),
            exit::INVALID_INPUT
        );
        assert_eq!(code(CliError::usage("m", "h")), exit::USAGE);
        assert_eq!(code(std::io::Error::other("plain")), exit::INTERNAL);
    }
}
