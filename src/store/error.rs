//! The storage layer's errors: what failed, its exit code class and the fix to suggest.

use crate::config::{Backend, Redacted};
use crate::error::{Classify, ErrorKind};
use uuid::Uuid;

/// A schedule that a REF matched, listed when the REF is ambiguous.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Its id.
    pub id: Uuid,
    /// Its name.
    pub name: String,
    /// Its task.
    pub task_name: String,
}

/// Failures of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The server cannot be reached or refused the connection.
    #[error("cannot connect to the {backend} database at {url}")]
    Unreachable {
        /// Which engine.
        backend: Backend,
        /// The URL, redacted when displayed.
        url: Redacted,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
    /// The Postgres schema is missing or behind this binary.
    #[error("the database at {url} is not migrated: {} migration(s) pending ({})", pending.len(), pending.join(", "))]
    NotMigrated {
        /// The URL, redacted when displayed.
        url: Redacted,
        /// Descriptions of the pending migrations.
        pending: Vec<String>,
    },
    /// The schema was migrated by a newer stockura.
    #[error(
        "the database at {url} has schema version {found}, newer than this stockura knows ({known})"
    )]
    TooNew {
        /// The URL, redacted when displayed.
        url: Redacted,
        /// The newest applied version.
        found: i64,
        /// The newest version this binary has.
        known: i64,
    },
    /// The database URL cannot be parsed.
    #[error("the {backend} database URL {url} cannot be parsed")]
    InvalidUrl {
        /// Which engine.
        backend: Backend,
        /// The URL, redacted when displayed.
        url: Redacted,
        /// The driver's complaint.
        #[source]
        source: sqlx::Error,
    },
    /// Nothing matched a REF.
    #[error("no schedule matches '{reference}'")]
    NotFound {
        /// The REF as given.
        reference: String,
    },
    /// A REF matched several schedules.
    #[error("'{reference}' matches {} schedules:{}", candidates.len(), format_candidates(candidates))]
    Ambiguous {
        /// The REF as given.
        reference: String,
        /// What it matched.
        candidates: Vec<Candidate>,
    },
    /// No task definition matches a TASK argument.
    #[error("no task definition matches '{reference}'")]
    TaskNotFound {
        /// The TASK as given.
        reference: String,
    },
    /// A short TASK name matches several definitions.
    #[error("'{reference}' matches {} task definitions: {}", names.len(), names.join(", "))]
    TaskAmbiguous {
        /// The TASK as given.
        reference: String,
        /// The full task names it matched.
        names: Vec<String>,
    },
    /// The row changed since it was read.
    #[error(
        "schedule '{name}' ({id}) was changed by someone else after it was read; nothing was written"
    )]
    Conflict {
        /// Its id.
        id: Uuid,
        /// Its name when read.
        name: String,
    },
    /// A row holds a value this version cannot read.
    #[error("schedule {id} has an unreadable {column}: {problem}")]
    Corrupt {
        /// The row.
        id: String,
        /// The column.
        column: &'static str,
        /// What is wrong.
        problem: String,
    },
    /// An explicit SQLite URL names a file that does not exist. Only `stockura migrate` (and
    /// the embedded default) create one, so that a mistyped path creates nothing.
    #[error("no SQLite database at {path}")]
    NoDatabase {
        /// The file, as the URL names it.
        path: String,
    },
    /// A write to a SQLite database that is read-only: its file or its directory is not
    /// writable, so it was opened read-only (reads work).
    #[error("cannot {what}: the SQLite database is read-only")]
    ReadOnly {
        /// What needed to write.
        what: String,
        /// The driver's refusal, when a statement was refused.
        #[source]
        source: Option<sqlx::Error>,
    },
    /// The embedded database's directory cannot be created.
    #[error("cannot create the data directory {path}")]
    DataDir {
        /// The directory.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The database did not answer a statement in time (a hung server or connection), or
    /// was found down by an earlier statement: the scheduler goes on without waiting for it.
    #[error("the database did not answer {what}")]
    NoAnswer {
        /// Which statement, and how long it was given.
        what: String,
    },
    /// The scheduler's leadership lock file cannot be opened or locked.
    #[error("cannot open the leadership lock file {path}: {source}")]
    LockFile {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The SQLite database is not a file, so there is nothing to put a lock file beside.
    #[error("run-beat needs an SQLite database file for its leadership lock")]
    NoLockFile,
    /// Any other database error.
    #[error("database error")]
    Database(#[source] sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    /// A statement SQLite refused because the database is read-only becomes
    /// [`StoreError::ReadOnly`]; anything else is [`StoreError::Database`].
    fn from(e: sqlx::Error) -> Self {
        if sqlite_read_only(&e) {
            Self::ReadOnly {
                what: "write".into(),
                source: Some(e),
            }
        } else {
            Self::Database(e)
        }
    }
}

/// Whether SQLite refused a statement because the database is read-only (`SQLITE_READONLY`
/// and its extended codes).
fn sqlite_read_only(e: &sqlx::Error) -> bool {
    let sqlx::Error::Database(db) = e else {
        return false;
    };
    db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some()
        && db
            .code()
            .and_then(|code| code.parse::<i32>().ok())
            .is_some_and(|code| code & 0xff == 8)
}

fn format_candidates(candidates: &[Candidate]) -> String {
    candidates
        .iter()
        .map(|c| {
            // One line each, whatever another program wrote in the name.
            let text = |t| crate::domain::params::escape_unprintable(t, false);
            format!("\n  {}  {}  ({})", c.id, text(&c.name), text(&c.task_name))
        })
        .collect()
}

impl Classify for StoreError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::Unreachable { .. }
            | Self::NoAnswer { .. }
            | Self::NotMigrated { .. }
            | Self::TooNew { .. }
            | Self::NoDatabase { .. }
            | Self::ReadOnly { .. }
            | Self::DataDir { .. }
            | Self::LockFile { .. } => ErrorKind::Unavailable,
            Self::NoLockFile => ErrorKind::InvalidInput,
            Self::NotFound { .. } | Self::TaskNotFound { .. } => ErrorKind::NotFound,
            Self::Ambiguous { .. } | Self::TaskAmbiguous { .. } => ErrorKind::Ambiguous,
            Self::Conflict { .. } => ErrorKind::Conflict,
            Self::InvalidUrl { .. } => ErrorKind::InvalidInput,
            Self::Database(e) if rejected_value(e) => ErrorKind::InvalidInput,
            Self::Corrupt { .. } | Self::Database(_) => ErrorKind::Internal,
        }
    }

    fn hint(&self) -> Option<String> {
        Some(match self {
            Self::Unreachable { backend: Backend::Sqlite, .. } => {
                "check that the directory exists and is writable, and that DATABASE_URL (or --database-url) is right"
                    .into()
            }
            Self::Unreachable { source, .. } => postgres_refusal_hint(source).unwrap_or_else(|| {
                "check that the server is running and that DATABASE_URL (or --database-url) is right".into()
            }),
            Self::NotMigrated { .. } => "run `stockura migrate` with the same DATABASE_URL, then try again".into(),
            Self::TooNew { .. } => "upgrade stockura to the version that migrated this database".into(),
            Self::NotFound { reference } if short_prefix(reference) => format!(
                "'{reference}' looks like an id prefix, but a prefix needs at least {} hex digits: \
                 give more of the id (`stockura schedule list` shows them)",
                crate::domain::reference::MIN_PREFIX
            ),
            Self::NotFound { .. } => "run `stockura schedule list` to see ids and names".into(),
            Self::Ambiguous { .. } => "refer to one schedule by its id or a unique id prefix (at least 4 hex digits)".into(),
            Self::TaskNotFound { .. } => {
                "run `stockura task list` to see the defined tasks, or define it with `stockura task define`".into()
            }
            Self::TaskAmbiguous { .. } => "give the full task name".into(),
            Self::Conflict { .. } => "run the command again: it will apply to the current state".into(),
            Self::Corrupt { .. } => "fix the row with SQL, or delete it with `stockura schedule delete`".into(),
            Self::DataDir { .. } => "set STOCKURA_HOME to a writable directory".into(),
            Self::NoDatabase { .. } => {
                "check the path in DATABASE_URL (or --database-url), or create the database there with `stockura migrate`"
                    .into()
            }
            Self::ReadOnly { .. } => {
                "the database file or its directory is not writable by this user, so it was opened read-only: make both \
                 writable to change it; reading commands (schedule list/show, task list/show, history) work as is"
                    .into()
            }
            Self::InvalidUrl { .. } => "check the URL; special characters in a password must be percent-encoded \
                                       (for example / as %2F, @ as %40, # as %23)"
                .into(),
            Self::Database(e) if rejected_value(e) => {
                "the database refused a value (too long, or a character or number it cannot store); nothing was written"
                    .into()
            }
            Self::NoAnswer { .. } => {
                "check the database server and the network to it; the scheduler retries".into()
            }
            Self::LockFile { .. } => {
                "check that the lock file's directory exists and is writable by this user".into()
            }
            Self::NoLockFile => "use a sqlite:// URL naming a file".into(),
            Self::Database(_) => return None,
        })
    }

    fn json_fields(&self) -> Option<serde_json::Map<String, serde_json::Value>> {
        let candidates: Vec<serde_json::Value> = match self {
            Self::Ambiguous { candidates, .. } => candidates
                .iter()
                .map(|c| serde_json::json!({"id": c.id, "name": c.name, "task_name": c.task_name}))
                .collect(),
            Self::TaskAmbiguous { names, .. } => names
                .iter()
                .map(|n| serde_json::json!({"task_name": n}))
                .collect(),
            _ => return None,
        };
        let mut fields = serde_json::Map::new();
        fields.insert("candidates".into(), candidates.into());
        Some(fields)
    }
}

/// Whether a REF that matched nothing is hex too short to be taken as an id prefix.
fn short_prefix(reference: &str) -> bool {
    let digits = reference.chars().filter(char::is_ascii_hexdigit).count();
    (1..crate::domain::reference::MIN_PREFIX).contains(&digits)
        && reference.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

/// The fix for a Postgres server that answered but refused the connection, by the reason it
/// gave; `None` when it did not answer at all (then the server may not be running).
fn postgres_refusal_hint(source: &sqlx::Error) -> Option<String> {
    let code = source.as_database_error()?.code()?;
    Some(match code.as_ref() {
        "3D000" => "the server is running but has no such database: create it (`createdb NAME`), \
                    or fix the database name at the end of DATABASE_URL"
            .into(),
        "28000" => "the server is running but refused this user: create the role, or fix the user \
                    name in DATABASE_URL"
            .into(),
        "28P01" => "the server is running but the password is wrong: fix it in DATABASE_URL \
                    (special characters percent-encoded)"
            .into(),
        "53300" => "the server is running but has no connection slot left: raise max_connections \
                    or close idle clients"
            .into(),
        _ => return None,
    })
}

/// Whether the database refused a value rather than failed: a Postgres data exception or
/// integrity violation (SQLSTATE classes 22 and 23), or a SQLite constraint.
fn rejected_value(e: &sqlx::Error) -> bool {
    let sqlx::Error::Database(db) = e else {
        return false;
    };
    let code = db.code().unwrap_or_default();
    code.starts_with("22") || code.starts_with("23") || db.message().contains("constraint failed")
}
