//! stockura: administer Celery periodic tasks (schedules in Postgres or an embedded SQLite
//! database) and, later, run the scheduler loop itself.
//!
//! Layers, arrows pointing down only: [`cli`] parses and renders; [`domain`] holds pure logic;
//! [`store`] talks to databases. [`config`] resolves settings once; [`error`] maps failures
//! to exit codes.

pub mod beat;
pub mod cli;
pub mod config;
pub mod domain;
pub mod error;
pub mod store;
pub mod sync;

pub use cli::{Cli, run};
