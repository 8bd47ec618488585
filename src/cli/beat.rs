//! `stockura beat status`: the live schedulers, from their heartbeats.

use std::time::Duration;

use anyhow::Result;
use clap::{Args, Subcommand};

use super::Ctx;
use super::output::{BeatStatusView, Output};
use crate::beat::heartbeat::{Registry, RegistryError};
use crate::domain::instance;
use crate::error::CliError;
use crate::store::{AnyStore, ScheduleStore};

/// `stockura beat …`.
#[derive(Debug, Subcommand)]
pub enum BeatCommand {
    /// List the live schedulers (leader first); exit 7 when no leader is alive
    Status(StatusArgs),
}

/// Arguments of `beat status`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  stockura beat status\n  stockura beat status -o json | jq .leader"
)]
pub struct StatusArgs {
    /// Seconds to wait for Redis or the database
    #[arg(long, default_value_t = 3.0, value_name = "SECONDS")]
    pub timeout: f64,
}

/// Runs a `beat` subcommand.
pub async fn run(ctx: &Ctx, cmd: BeatCommand) -> Result<Output> {
    match cmd {
        BeatCommand::Status(args) => {
            let timeout = seconds(args.timeout)?;
            let store = ctx.store().await?;
            Ok(Output::BeatStatus(read_status(ctx, &store, timeout).await?))
        }
    }
}

fn seconds(value: f64) -> Result<Duration, CliError> {
    if value.is_finite() && value > 0.0 && value <= 600.0 {
        Ok(Duration::from_secs_f64(value))
    } else {
        Err(CliError::invalid(
            "--timeout must be a number of seconds between 0 and 600",
            "e.g. --timeout 3",
        ))
    }
}

/// Where the schedulers of this configuration write their heartbeats: Redis when `REDIS_URL`
/// is set, else the database (as `run-beat` decides).
pub fn registry(ctx: &Ctx, store: &AnyStore) -> Registry {
    match &ctx.settings.redis_url.value {
        Some(url) => Registry::Redis {
            url: url.clone(),
            namespace: ctx.settings.beat_namespace.value.clone(),
        },
        None => Registry::Database(store.clone()),
    }
}

/// Reads the heartbeats and the database's change version.
pub async fn read_status(
    ctx: &Ctx,
    store: &AnyStore,
    timeout: Duration,
) -> Result<BeatStatusView, RegistryError> {
    let registry = registry(ctx, store);
    let (instances, owner) = match tokio::time::timeout(timeout, registry.read(timeout)).await {
        Ok(result) => result?,
        Err(_) => {
            return Err(RegistryError::Timeout {
                place: registry.describe(),
                timeout,
            });
        }
    };
    let version = tokio::time::timeout(timeout, store.change_version())
        .await
        .ok()
        .and_then(Result::ok);
    let now = chrono::Utc::now();
    Ok(BeatStatusView {
        group: instance::group(instances, owner, now),
        source: registry.kind(),
        database_version: version.map(|v| v.version),
        database_changed_at: version.map(|v| v.changed_at),
        now,
    })
}
