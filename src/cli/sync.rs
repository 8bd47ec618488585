//! `stockura sync …`: watch the change events.

use std::time::Duration;

use anyhow::Result;
use chrono::Utc;
use clap::{Args, Subcommand};
use futures_util::StreamExt;
use serde_json::Value;

use super::Ctx;
use super::output::{self, Output, ReceivedEvent};
use crate::error::{CliError, ErrorKind};
use crate::store::ChangeListener;
use crate::sync::redis_conn;

/// Sync subcommands.
#[derive(Debug, Subcommand)]
pub enum SyncCommand {
    /// Print change events as they arrive (Redis channel, and Postgres NOTIFY)
    Monitor(MonitorArgs),
}

/// Arguments of `sync monitor`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  stockura sync monitor\n  stockura sync monitor --count 1 --timeout 30"
)]
pub struct MonitorArgs {
    /// Exit 0 after this many events
    #[arg(long, value_name = "N")]
    pub count: Option<usize>,

    /// Give up after this many seconds: exit 7 if nothing (or fewer than --count) arrived
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<f64>,
}

/// Runs a sync subcommand.
pub async fn run(ctx: &Ctx, cmd: SyncCommand) -> Result<Output> {
    match cmd {
        SyncCommand::Monitor(args) => monitor(ctx, args).await,
    }
}

async fn monitor(ctx: &Ctx, args: MonitorArgs) -> Result<Output> {
    let deadline = match args.timeout {
        Some(t) if t.is_finite() && t > 0.0 => {
            Some(tokio::time::Instant::now() + Duration::from_secs_f64(t))
        }
        Some(t) => {
            return Err(CliError::invalid(
                format!("--timeout {t} is not a positive number of seconds"),
                "e.g. --timeout 30",
            )
            .into());
        }
        None => None,
    };
    let channel = ctx.settings.redis_channel.value.clone();
    let wait = ctx.settings.redis_timeout.value;
    let mut redis = match &ctx.settings.redis_url.value {
        Some(url) => Some(
            redis_conn::subscribe(url, &channel, wait)
                .await?
                .into_on_message(),
        ),
        None => None,
    };
    // Where the database notifies its changes itself (Postgres), they are heard too, even
    // without Redis.
    let notifies = ctx
        .settings
        .database
        .as_ref()
        .is_ok_and(|d| d.value.backend.notifies_changes());
    let mut listener = if notifies {
        ctx.store().await?.listen_changes().await?
    } else {
        None
    };
    if redis.is_none() && listener.is_none() {
        return Err(CliError::usage(
            "nothing to monitor: no REDIS_URL is set and the database is not Postgres",
            "set REDIS_URL (and CELERY_BEAT_REDIS_CHANNEL if it is not the default)",
        )
        .into());
    }
    let sources: Vec<String> = [
        ctx.settings
            .redis_url
            .value
            .as_ref()
            .map(|u| format!("{channel} at {u}")),
        listener
            .as_ref()
            .map(|_| format!("NOTIFY {}", ChangeListener::CHANNEL)),
    ]
    .into_iter()
    .flatten()
    .collect();
    eprintln!("listening on {} (Ctrl-C to stop)", sources.join(" and "));
    let mut seen = 0usize;
    loop {
        if args.count.is_some_and(|n| seen >= n) {
            return Ok(Output::Monitored { events: seen });
        }
        let sleep = async {
            match deadline {
                Some(d) => tokio::time::sleep_until(d).await,
                None => std::future::pending().await,
            }
        };
        let event = tokio::select! {
            msg = async { redis.as_mut()?.next().await }, if redis.is_some() => match msg {
                Some(msg) => {
                    let payload: String = msg.get_payload().unwrap_or_default();
                    let event = serde_json::from_str::<Value>(&payload).unwrap_or(Value::String(payload));
                    ReceivedEvent { source: "redis", channel: msg.get_channel_name().to_string(), received_at: Utc::now(), event }
                }
                None => return Err(CliError { message: "the Redis subscription was closed".into(), kind: ErrorKind::Unavailable, hint: Some("check the Redis server".into()) }.into()),
            },
            note = async { listener.as_mut()?.recv().await.ok() }, if listener.is_some() => match note {
                Some(note) => {
                    let event = match crate::beat::feed::parse_notify(&note.payload) {
                        crate::beat::feed::Change::Version(v) => serde_json::json!({"version": v}),
                        crate::beat::feed::Change::Rows { version, ids } => serde_json::json!({"version": version, "schedule_ids": ids}),
                        _ => Value::String(note.payload),
                    };
                    ReceivedEvent { source: "postgres", channel: note.channel, received_at: Utc::now(), event }
                }
                None => return Err(CliError { message: "the Postgres LISTEN connection was lost".into(), kind: ErrorKind::Unavailable, hint: Some("check the database server".into()) }.into()),
            },
            () = sleep => {
                let message = match (seen, args.count) {
                    (0, _) => "no change event arrived before the timeout".to_string(),
                    (n, Some(want)) => format!("only {n} of {want} change events arrived before the timeout"),
                    (n, None) => return Ok(Output::Monitored { events: n }),
                };
                return Err(CliError {
                    message,
                    kind: ErrorKind::CheckFailed,
                    hint: Some("run `stockura diagnose` to check the sync path (wrong Redis host or db, sync disabled, another channel)".into()),
                }
                .into());
            }
            _ = tokio::signal::ctrl_c() => return Ok(Output::Monitored { events: seen }),
        };
        seen += 1;
        if !output::print_event(&event, ctx.format)? {
            // stdout was closed (`sync monitor | head -1`): nobody reads the next events.
            return Ok(Output::Monitored { events: seen });
        }
    }
}
