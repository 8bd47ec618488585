//! The integration suite: one binary, real SQLite and Postgres, the real CLI.

mod support;

mod adoption;
mod amqp;
mod apply;
mod batch;
mod beat;
mod beat_process;
mod celery;
mod check;
mod cli_errors;
mod cli_schedule;
mod config;
mod cron_contract;
mod docs;
mod export;
mod formats;
mod ha;
mod history;
mod interactive;
mod interop;
mod observe;
mod output;
mod pause;
mod policies;
mod rabbit;
mod robustness;
mod runs;
mod sentinel;
mod store_contract;
mod sync;
mod tasks;
mod terminal;
mod tls;
mod trust;
