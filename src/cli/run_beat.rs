//! `stockura run-beat`: the scheduler loop. The command owns the signals: SIGTERM/SIGINT stop
//! gracefully (the in-flight batch finishes), a second one exits at once, SIGHUP reloads.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use clap::{Args, ValueEnum};
use tokio::sync::{mpsc, watch};

use super::Ctx;
use super::output::Output;
use super::wiring::{broker_for, dispatch_options, policy_checker};
use crate::beat::broker::Transport;
use crate::beat::clock::{Clock, ScaledClock, SystemClock};
use crate::beat::daemon::{self, Coordination, Membership};
use crate::beat::dispatch::{self, DispatchOptions};
use crate::beat::feed::Change;
use crate::beat::leader;
use crate::beat::observe::{Observer, http};
use crate::beat::runner::{Beat, BeatConfig, ChangeEvents};
use crate::error::CliError;

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
#[command(
    after_help = "Examples:\n  CELERY_BROKER_URL=redis://localhost:6379/0 stockura run-beat\n  stockura run-beat --once --dry-run\n  stockura run-beat --catchup-window 1h --log-format json"
)]
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

    /// Leadership lease: a leader renews it every third of this, a killed leader is replaced
    /// within about one lease (e.g. 10s, 1500ms)
    #[arg(long, default_value = "10s", value_name = "DURATION")]
    pub lease: String,

    /// A previous run without a final result counts as running for at most this long
    /// (policies skip and queue)
    #[arg(long, default_value = "3600s", value_name = "DURATION")]
    pub running_timeout: String,

    /// The broker's global_keyprefix (Celery's broker_transport_options) [env: STOCKURA_BROKER_KEY_PREFIX]
    #[arg(long, value_name = "PREFIX")]
    pub broker_key_prefix: Option<String>,

    /// Log format
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// More logs (-v debug, -vv trace); STOCKURA_LOG sets a filter directly
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Serve /metrics, /healthz, /readyz and a status page at this address (e.g.
    /// 127.0.0.1:9746; port 0 picks a free one). Read-only; off by default
    #[arg(long, env = "STOCKURA_HTTP_ADDR", value_name = "ADDR")]
    pub http: Option<String>,

    /// Per-schedule series on /metrics (one set per schedule: turn off for very large
    /// installations; totals by trigger and status remain)
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub metrics_per_schedule: bool,
}

/// The longest `--catchup-window` (and `--running-timeout`), in days (ten years): a yearly
/// schedule can still be caught up after a long downtime.
pub const MAX_CATCHUP_WINDOW_DAYS: i64 = 3660;
/// The longest `--sync-interval`, in seconds (a day).
pub const MAX_SYNC_INTERVAL_SECONDS: f64 = 86_400.0;
/// The longest `--history-retention`, in days (100 years).
pub const MAX_HISTORY_RETENTION_DAYS: u32 = 36_500;

pub use super::args::parse_duration;

fn init_logs(args: &RunBeatArgs) {
    let default = match args.verbose {
        0 => "info",
        1 => "debug",
        _ => "trace",
    };
    let filter = std::env::var("STOCKURA_LOG")
        .ok()
        .and_then(|f| tracing_subscriber::EnvFilter::try_new(f).ok())
        .unwrap_or_else(|| {
            tracing_subscriber::EnvFilter::new(format!("stockura={default},lapin=off,warn"))
        });
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

/// Parses a lease-like duration: `parse_duration`'s forms plus milliseconds (`1500ms`).
pub fn parse_short_duration(flag: &str, text: &str) -> Result<Duration, CliError> {
    let text = text.trim();
    if let Some(ms) = text.strip_suffix("ms") {
        return ms.parse::<u64>().map(Duration::from_millis).map_err(|_| {
            CliError::invalid(
                format!("{flag} '{text}' is not a duration"),
                "use seconds or a unit: 10, 10s, 1500ms, 1m",
            )
        });
    }
    parse_duration(flag, text)?
        .to_std()
        .map_err(|_| CliError::invalid(format!("{flag} '{text}' is negative"), "e.g. 10s"))
}

/// Runs the scheduler until stopped.
pub async fn run(ctx: &Ctx, args: RunBeatArgs) -> Result<Output> {
    init_logs(&args);
    match std::env::var("STOCKURA_TEST_CLOCK")
        .ok()
        .filter(|v| !v.is_empty())
    {
        Some(spec) => {
            let clock = ScaledClock::parse(&spec).ok_or_else(|| {
                CliError::invalid(
                    "STOCKURA_TEST_CLOCK must be SPEED@RFC3339 (a test hook)",
                    "unset it: it makes the scheduler's clock run faster",
                )
            })?;
            tracing::warn!(clock = %spec, "STOCKURA_TEST_CLOCK: the scheduler's clock runs faster than real time");
            run_with(ctx, args, Arc::new(clock)).await
        }
        None => run_with(ctx, args, Arc::new(SystemClock)).await,
    }
}

async fn run_with<C: Clock>(ctx: &Ctx, args: RunBeatArgs, clock: Arc<C>) -> Result<Output> {
    // Signals first: a SIGTERM during start-up (loading, catch-up) stops after it, gracefully.
    let (stop_tx, stop_rx) = watch::channel(false);
    let (tx, rx) = mpsc::channel::<Change>(4096);
    let abort = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let signals = tokio::spawn(handle_signals(
        install_signals()?,
        stop_tx,
        abort.clone(),
        tx.clone(),
    ));
    let catchup_window = parse_duration("--catchup-window", &args.catchup_window)?;
    if catchup_window > chrono::Duration::days(MAX_CATCHUP_WINDOW_DAYS) {
        return Err(CliError::invalid(
            format!(
                "--catchup-window {} is longer than {MAX_CATCHUP_WINDOW_DAYS} days",
                args.catchup_window.trim()
            ),
            format!(
                "use at most {MAX_CATCHUP_WINDOW_DAYS}d; 1h is the default, 0 disables catch-up"
            ),
        )
        .into());
    }
    if !(args.sync_interval.is_finite()
        && args.sync_interval > 0.0
        && args.sync_interval <= MAX_SYNC_INTERVAL_SECONDS)
    {
        return Err(CliError::invalid(
            format!(
                "--sync-interval must be a positive number of seconds, at most {MAX_SYNC_INTERVAL_SECONDS}"
            ),
            "e.g. --sync-interval 5",
        )
        .into());
    }
    if args.history_retention > MAX_HISTORY_RETENTION_DAYS {
        return Err(CliError::invalid(
            format!(
                "--history-retention {} is more than {MAX_HISTORY_RETENTION_DAYS} days",
                args.history_retention
            ),
            "use at most 36500 (100 years), or 0 to keep every run",
        )
        .into());
    }
    let lease = parse_short_duration("--lease", &args.lease)?;
    if lease < Duration::from_millis(300) || lease > Duration::from_secs(3600) {
        return Err(CliError::invalid(
            format!("--lease {} is out of range", args.lease.trim()),
            "use 300ms to 1h; 10s is the default",
        )
        .into());
    }
    let running_timeout = parse_duration("--running-timeout", &args.running_timeout)?;
    if running_timeout <= chrono::Duration::zero()
        || running_timeout > chrono::Duration::days(MAX_CATCHUP_WINDOW_DAYS)
    {
        return Err(CliError::invalid(
            format!(
                "--running-timeout must be positive and at most {MAX_CATCHUP_WINDOW_DAYS} days"
            ),
            "e.g. --running-timeout 1h",
        )
        .into());
    }
    let broker = broker_for(ctx, args.dry_run, true, !args.once).await?;
    let store = ctx.store().await?;
    if store.is_read_only() {
        // Every slot is recorded (claims, history, bookkeeping): refuse before the first one.
        return Err(crate::store::StoreError::ReadOnly {
            what: "run the scheduler, which records every slot it handles".into(),
            source: None,
        }
        .into());
    }
    let config = BeatConfig {
        once: args.once,
        catchup_window,
        catch_up_rows: crate::beat::runner::CATCH_UP_ROWS,
        sync_interval: Duration::from_secs_f64(args.sync_interval),
        min_sync_interval: Duration::from_secs_f64(ctx.settings.min_sync_interval.value),
        retention: (args.history_retention > 0)
            .then(|| chrono::Duration::days(i64::from(args.history_retention))),
        default_tz: ctx.settings.timezone.value,
        dispatch: DispatchOptions {
            send_deadline: dispatch::send_deadline(catchup_window),
            ..dispatch_options(ctx, args.dry_run, args.broker_key_prefix.as_deref())
        },
    };
    let coordination = Coordination {
        redis_url: ctx.settings.redis_url.value.clone(),
        namespace: ctx.settings.beat_namespace.value.clone(),
        channel: ctx
            .settings
            .sync_enabled
            .value
            .then(|| ctx.settings.redis_channel.value.clone()),
        redis_timeout: ctx.settings.redis_timeout.value,
    };
    let feeds = if args.once {
        Vec::new()
    } else {
        daemon::spawn_feeds(&coordination, &store, &tx)
    };
    let checker = policy_checker(ctx, running_timeout);
    let has_broker = broker.is_some();
    let progress = leader::Progress::new();
    let ha = !args.once && !args.dry_run;
    let instance_id = uuid::Uuid::new_v4();
    let mut beat = Beat::new(store.clone(), clock, config, broker)
        .with_checker(checker)
        .with_stop(stop_rx.clone(), abort.clone())
        .with_progress(progress.clone());
    // The schedules the leader resumes at their `--until` are announced like any write.
    if let (Some(url), Some(channel)) = (&coordination.redis_url, &coordination.channel) {
        beat = beat.with_events(ChangeEvents {
            url: url.clone(),
            channel: channel.clone(),
            timeout: coordination.redis_timeout,
        });
    }
    let observer = match &args.http {
        Some(addr) => {
            let observer = Arc::new(
                Observer::new(
                    args.metrics_per_schedule,
                    has_broker,
                    progress.clone(),
                    leader::stall_limit(lease),
                    Duration::from_secs_f64(args.sync_interval),
                )
                .with_instance(ha.then_some(instance_id)),
            );
            let bound = start_http(ctx, addr, observer.clone(), has_broker, stop_rx.clone())?;
            tracing::info!(event = "http", addr = %bound, "serving /metrics, /healthz, /readyz and the status page at http://{bound}/");
            beat = beat.with_observer(observer.clone());
            Some(observer)
        }
        None => None,
    };
    // Leadership and heartbeats: not for `--once` and `--dry-run`, which never compete with
    // the live schedulers (their slots are claimed, or not claimed at all).
    let mut membership = None;
    if ha {
        let (member, seat) =
            Membership::join(&coordination, &store, instance_id, lease, progress.clone()).await?;
        beat = beat
            .with_leadership(seat.lease, lease)
            .with_snapshot(seat.snapshot);
        membership = Some(member);
    }
    beat.start().await?;
    if let Some(o) = &observer {
        o.loaded.store(true, std::sync::atomic::Ordering::Relaxed);
    }
    // Heartbeats from the first one on report the loaded plan.
    if let Some(member) = &mut membership {
        member.start_heartbeats();
    }
    let stats = beat.run(rx, stop_rx).await;
    // Only now give up the leadership and remove the heartbeat: the in-flight batch is done.
    if let Some(member) = membership {
        member.leave().await;
    }
    signals.abort();
    for f in feeds {
        f.abort();
    }
    if abort.load(std::sync::atomic::Ordering::Relaxed) {
        return Err(CliError {
            message: "stopped at once by a second signal".into(),
            kind: crate::error::ErrorKind::Interrupted,
            hint: Some(
                "slots of the batch in flight that were not sent stay owed; the next run-beat sends them"
                    .into(),
            ),
        }
        .into());
    }
    Ok(Output::BeatStopped(stats))
}

/// Starts the HTTP endpoint; a bad address or a taken port is a usage error before the loop
/// starts.
fn start_http(
    ctx: &Ctx,
    addr: &str,
    observer: Arc<Observer>,
    has_broker: bool,
    stop: watch::Receiver<bool>,
) -> Result<std::net::SocketAddr> {
    let s = &ctx.settings;
    let database = s.database.as_ref().map_err(Clone::clone)?.value.clone();
    let sources = http::Sources {
        database,
        broker: s
            .broker_url
            .value
            .as_ref()
            .filter(|_| has_broker)
            .filter(|u| Transport::of(u).is_some())
            .cloned(),
        results: s
            .result_backend
            .value
            .as_ref()
            .filter(|u| u.is_redis() || u.scheme() == "unix")
            .cloned(),
        heartbeats: s
            .redis_url
            .value
            .clone()
            .map(|u| (u, s.beat_namespace.value.clone())),
        timeout: s.redis_timeout.value,
    };
    http::start(addr.trim(), observer, sources, stop).map_err(|e| {
        CliError::invalid(
            format!("--http {}: cannot listen there: {e}", addr.trim()),
            "give a free HOST:PORT such as 127.0.0.1:9746 (port 0 picks a free one), or leave --http out",
        )
        .into()
    })
}

/// How long a second stop signal waits for the loop to record what it has not sent before
/// the process exits anyway.
const ABORT_GRACE: Duration = Duration::from_secs(8);

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
    abort: Arc<std::sync::atomic::AtomicBool>,
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
            if !abort.swap(true, std::sync::atomic::Ordering::SeqCst) {
                // The batch in flight pushes nothing more; what it claimed and did not send is
                // recorded owed, what it sent gets its bookkeeping. A loop stuck in a call
                // that cannot be cut short is not waited for long.
                tracing::warn!("second signal: stopping at once; slots not sent stay owed");
                tokio::spawn(async {
                    tokio::time::sleep(ABORT_GRACE).await;
                    tracing::warn!("not stopped in time: exiting now");
                    std::process::exit(i32::from(crate::error::exit::INTERRUPTED));
                });
            }
            continue;
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
    _abort: Arc<std::sync::atomic::AtomicBool>,
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
