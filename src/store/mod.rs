//! Storage: one set of traits, two backends (Postgres and the embedded SQLite), chosen once
//! from the URL by [`AnyStore::open`]. Nothing above this module names a backend: what one
//! backend has and the other lacks (a change feed, a leadership lock) is a method of
//! [`AnyStore`] that says so.
//!
//! - [`traits`]: what every backend provides, and the values exchanged.
//! - [`any`]: the store a command or the scheduler holds, and its capabilities.
//! - [`shared`]: the writes and lookups both backends run the same way, over each backend's
//!   primitives; [`sql`]: the statements, with the dialect differences in one place.
//! - [`postgres`] and [`sqlite`]: connection, row decoding, the statements that differ by
//!   engine, migrations and leadership locks.
//! - [`resolve`]: from a REF or TASK argument to one row; [`deadline`]: statements given a
//!   time limit; [`error`]: what fails and how it is reported.
//!
//! Every write that touches several rows runs in one transaction. Functions return domain
//! types; SQL never leaves this module.

pub mod any;
pub mod deadline;
pub mod error;
pub mod lock;
pub mod migrate;
mod postgres;
pub mod resolve;
mod shared;
mod sql;
mod sqlite;
pub mod traits;

pub use any::{AnyStore, ChangeListener, OpenMode};
pub use deadline::{REFUSAL_PROBE_AFTER, within, within_unless_refused};
pub use error::{Candidate, StoreError};
pub use lock::LeaderLock;
pub use migrate::MigrationReport;
pub use resolve::{definition_for, resolve, resolve_all, resolve_task};
pub use traits::{
    BatchStore, BatchWrite, ChangeLog, ChangeVersion, Creation, DatabaseStatus, InstanceStore,
    LastDispatch, RunStore, ScheduleFilter, ScheduleStore, TaskStore, TaskSummary,
};
