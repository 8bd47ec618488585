//! `stockura run-beat`: the scheduler loop. The command owns the signals: SIGTERM/SIGINT stop
//! gracefully (the in-flight batch finishes), a second one exits at once, SIGHUP reloads.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use clap::{Args, ValueEnum};
use tokio::sync::{mpsc, watch};

use super::Ctx;
use super::output::Output;
use crate::beat::clock::SystemClock;
use crate::beat::dispatch::{self, Broker, DispatchOptions};
use crate::beat::feed::{self, Change};
use crate::beat::message::BrokerLayout;
use crate::beat::runner::{Beat, BeatConfig};
use crate::config::Redacted;
use crate::error::CliError;
use crate::store::AnyStore;

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Arguments of `run-beat`.
#[derive(Debug, Args)]
pub struct RunBeatArgs {
    /// Record and log what would be sent; send nothing (no broker needed)
    #[arg(long)]
    pub dry_run: bool,

    /// Process everything due now (catch-up included), then exit
    #[arg(long)]
    pub once: bool,

    /// Run the latest slot missed during downtime when it is at most this old (0 disables)
    #[arg(long, default_value = "1h", value_name = "DURATION")]
    pub catchup_window: String,

    /// Seconds between polls of the durable change version (the safety net for lost events)
    #[arg(long, default_value_t = 5.0, value_name = "SECONDS")]
    pub sync_interval: f64,

    /// Delete run history older than this many days, once a day (0 keeps everything)
    #[arg(long, default_value_t = 30, value_name = "DAYS")]
    pub history_retention: u32,

    /// The broker's global_keyprefix (Celery's broker_transport_options) [env: STOCKURA_BROKER_KEY_PREFIX]
    #[arg(long, value_name = "PREFIX")]
    pub broker_key_prefix: Option<String>,

    /// Log format
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// More logs (-v debug, -vv trace); STOCKURA_LOG sets a filter directly
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// Parses `90`, `90s`, `15m`, `1h`, `2d` into a duration.
pub fn parse_duration(flag: &str, text: &str) -> Result<chrono::Duration, CliError> {
    let text = text.trim();
    let err = || {
        CliError::invalid(
            format!("{flag} '{text}' is not a duration"),
            "use seconds or a unit: 90, 90s, 15m, 1h, 2d",
        )
    };
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: i64 = number.parse().map_err(|_| err())?;
    let unit = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(err()),
    };
    chrono::Duration::try_seconds(n.checked_mul(unit).ok_or_else(err)?).ok_or_else(err)
}

fn init_logs(args: &RunBeatArgs) {
    let default = match args.verbose {
        0 => "info",
        1 => "debug",
        _ => "trace",
    };
    let filter = std::env::var("STOCKURA_LOG")
        .ok()
        .and_then(|f| tracing_subscriber::EnvFilter::try_new(f).ok())
        .unwrap_or_else(|| tracing_subscriber::EnvFilter::new(format!("stockura={default},warn")));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    let _ = match args.log_format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => {
            use std::io::IsTerminal;
            builder
                .with_ansi(
                    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
                )
                .try_init()
        }
    };
}

/// The broker to send to, or none for a dry run; refuses what cannot work.
pub async fn broker_for(ctx: &Ctx, dry_run: bool) -> Result<Option<Broker>> {
    let Some(url) = &ctx.settings.broker_url.value else {
        if dry_run {
            return Ok(None);
        }
        return Err(CliError::usage(
            "no broker: CELERY_BROKER_URL is not set",
            "set CELERY_BROKER_URL to the Redis broker the workers use (redis://host:6379/0), or pass --dry-run",
        )
        .into());
    };
    if dry_run {
        return Ok(None);
    }
    let scheme = url
        .expose()
        .split("://")
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if !matches!(scheme.as_str(), "redis" | "rediss") {
        return Err(CliError::invalid(
            format!(
                "the broker {url} is not supported yet: stockura dispatches to Redis brokers only"
            ),
            "use a Redis broker (redis://, rediss://) for the workers, or --dry-run",
        )
        .into());
    }
    let mut broker = Broker::new(
        Redacted::new(url.expose()),
        ctx.settings.redis_timeout.value.max(Duration::from_secs(2)),
    );
    broker.connect().await.map_err(|e| {
        let cause = std::error::Error::source(&e)
            .map(|c| format!(" ({c})"))
            .unwrap_or_default();
        CliError {
            message: format!("cannot reach the broker: {e}{cause}"),
            kind: crate::error::ErrorKind::Unavailable,
            hint: Some(
                "check that the broker's Redis runs and that CELERY_BROKER_URL points at it".into(),
            ),
        }
    })?;
    Ok(Some(broker))
}

/// The dispatch options from settings and flags.
pub fn dispatch_options(ctx: &Ctx, dry_run: bool, prefix: Option<&str>) -> DispatchOptions {
    let global_keyprefix = prefix.map_or_else(
        || ctx.settings.broker_key_prefix.value.clone(),
        str::to_string,
    );
    DispatchOptions {
        dry_run,
        default_queue: ctx.settings.default_queue.value.clone(),
        layout: BrokerLayout { global_keyprefix },
        origin: dispatch::origin(),
    }
}

/// Runs the scheduler until stopped.
pub async fn run(ctx: &Ctx, args: RunBeatArgs) -> Result<Output> {
    init_logs(&args);
    // Signals first: a SIGTERM during start-up (loading, catch-up) stops after it, gracefully.
    let (stop_tx, stop_rx) = watch::channel(false);
    let (tx, rx) = mpsc::channel::<Change>(4096);
    let signals = tokio::spawn(handle_signals(install_signals()?, stop_tx, tx.clone()));
    let catchup_window = parse_duration("--catchup-window", &args.catchup_window)?;
    if !(args.sync_interval.is_finite() && args.sync_interval > 0.0) {
        return Err(CliError::invalid(
            "--sync-interval must be a positive number of seconds",
            "e.g. --sync-interval 5",
        )
        .into());
    }
    let broker = broker_for(ctx, args.dry_run).await?;
    let store = ctx.store().await?;
    let config = BeatConfig {
        once: args.once,
        catchup_window,
        sync_interval: Duration::from_secs_f64(args.sync_interval),
        min_sync_interval: Duration::from_secs_f64(ctx.settings.min_sync_interval.value),
        retention: (args.history_retention > 0)
            .then(|| chrono::Duration::days(i64::from(args.history_retention))),
        default_tz: ctx.settings.timezone.value,
        dispatch: dispatch_options(ctx, args.dry_run, args.broker_key_prefix.as_deref()),
    };
    let mut feeds = Vec::new();
    if !args.once {
        if let (true, Some(url)) = (
            ctx.settings.sync_enabled.value,
            &ctx.settings.redis_url.value,
        ) {
            feeds.push(feed::spawn_redis(
                url.clone(),
                ctx.settings.redis_channel.value.clone(),
                ctx.settings.redis_timeout.value,
                tx.clone(),
            ));
        }
        if let AnyStore::Postgres(pg) = &store {
            feeds.push(feed::spawn_postgres(pg.clone(), tx.clone()));
        }
    }
    let mut beat = Beat::new(store, Arc::new(SystemClock), config, broker);
    beat.start().await?;
    let stats = if *stop_rx.borrow() {
        tracing::info!("stopped during start-up");
        beat.stats().clone()
    } else {
        beat.run(rx, stop_rx).await
    };
    signals.abort();
    for f in feeds {
        f.abort();
    }
    Ok(Output::BeatStopped(stats))
}

/// The signal streams, registered at once (before any slow start-up work).
#[cfg(unix)]
type Signals = (
    tokio::signal::unix::Signal,
    tokio::signal::unix::Signal,
    tokio::signal::unix::Signal,
);

#[cfg(unix)]
fn install_signals() -> Result<Signals> {
    use tokio::signal::unix::{SignalKind, signal};
    Ok((
        signal(SignalKind::terminate())?,
        signal(SignalKind::interrupt())?,
        signal(SignalKind::hangup())?,
    ))
}

#[cfg(unix)]
async fn handle_signals(
    signals: Signals,
    stop: watch::Sender<bool>,
    changes: mpsc::Sender<Change>,
) {
    let (mut term, mut int, mut hup) = signals;
    let mut stopping = false;
    loop {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
            _ = hup.recv() => {
                tracing::info!("SIGHUP: reloading every schedule");
                let _ = changes.send(Change::Resync).await;
                continue;
            }
        }
        if stopping {
            tracing::warn!("second signal: exiting at once");
            std::process::exit(i32::from(crate::error::exit::INTERRUPTED));
        }
        stopping = true;
        tracing::info!("stopping after the in-flight batch (signal again to exit at once)");
        let _ = stop.send(true);
    }
}

#[cfg(not(unix))]
type Signals = ();

#[cfg(not(unix))]
fn install_signals() -> Result<Signals> {
    Ok(())
}

#[cfg(not(unix))]
async fn handle_signals(
    _signals: Signals,
    stop: watch::Sender<bool>,
    _changes: mpsc::Sender<Change>,
) {
    let _ = tokio::signal::ctrl_c().await;
    let _ = stop.send(true);
}

#[cfg(test)]
mod tests {
    use super::parse_duration;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("x", "90").unwrap().num_seconds(), 90);
        assert_eq!(parse_duration("x", "15m").unwrap().num_seconds(), 900);
        assert_eq!(parse_duration("x", "1h").unwrap().num_seconds(), 3600);
        assert_eq!(parse_duration("x", "0").unwrap().num_seconds(), 0);
        assert!(parse_duration("x", "1y").is_err());
        assert!(parse_duration("x", "-5").is_err());
    }
}
