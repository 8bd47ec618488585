//! Redis: change events (publish and subscribe) and the Redis side of the diagnostics.
//!
//! The wire format of change events is shared with the Python application: see [`events`].

pub mod diagnose;
pub mod events;
pub mod redis_conn;
pub mod results;

pub use events::{ChangeEvent, EventKind};
pub use redis_conn::{Publisher, SyncError};
