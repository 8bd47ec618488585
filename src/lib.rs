//! stockura: administer Celery periodic tasks (schedules in Postgres or an embedded SQLite
//! database) and run the scheduler loop itself.
//!
//! Layers: [`cli`] parses and renders; [`beat`] runs the scheduler (plan, messages, brokers,
//! leadership, observability); [`sync`] talks to Redis (change events, results, diagnostics);
//! [`store`] talks to databases; [`domain`] holds pure logic and does no I/O. [`config`]
//! resolves settings once; [`error`] maps failures to exit codes.

pub mod beat;
pub mod cli;
pub mod config;
pub mod domain;
pub mod error;
pub mod store;
pub mod sync;

pub use cli::{Cli, run};
