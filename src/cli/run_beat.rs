//! `stockura run-beat`: the scheduler loop. The command owns the signals: SIGTERM/SIGINT stop
//! gracefully (the in-flight batch finishes), a second one exits at once, SIGHUP reloads.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use clap::{Args, ValueEnum};
use tokio::sync::{mpsc, watch};

use super::Ctx;
use super::output::Output;
use crate::beat::broker::{QueueArguments, Transport};
use crate::beat::clock::{Clock, ScaledClock, SystemClock};
use crate::beat::dispatch::{self, Broker, DispatchOptions};
use crate::beat::feed::{self, Change};
use crate::beat::heartbeat::{self, Identity, Registry, Snapshot};
use crate::beat::leader::{self, Leadership};
use crate::beat::message::BrokerLayout;
use crate::beat::observe::{Observer, http};
use crate::beat::policy::Checker;
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

/// The broker to send to, or none for a dry run; refuses what cannot work. `offers_dry_run`:
/// whether the command has `--dry-run` (its hints suggest only flags it has).
/// `wait_for_broker`: a broker that does not answer is not an error (the long-running
/// scheduler); else it fails with exit code 6.
pub async fn broker_for(
    ctx: &Ctx,
    dry_run: bool,
    offers_dry_run: bool,
    wait_for_broker: bool,
) -> Result<Option<Broker>> {
    let or_dry_run = if offers_dry_run {
        ", or pass --dry-run"
    } else {
        ""
    };
    let Some(url) = &ctx.settings.broker_url.value else {
        if dry_run {
            return Ok(None);
        }
        return Err(CliError::usage(
            "no broker: CELERY_BROKER_URL is not set",
            format!(
                "set CELERY_BROKER_URL to the Redis broker the workers use (redis://host:6379/0){or_dry_run}"
            ),
        )
        .into());
    };
    if dry_run {
        return Ok(None);
    }
    let Some(mut broker) = Broker::new(
        Redacted::new(url.expose()),
        ctx.settings.redis_timeout.value.max(Duration::from_secs(2)),
        queue_arguments(ctx),
    ) else {
        return Err(CliError::invalid(
            format!("the broker {url} is not supported: stockura sends to Redis and RabbitMQ brokers"),
            format!(
                "use a Redis (redis://, rediss://) or RabbitMQ (amqp://, amqps://, pyamqp://) broker for the workers{or_dry_run}"
            ),
        )
        .into());
    };
    // RabbitMQ cannot hold the guard sets: they go to the scheduler's Redis when it has one.
    if let Some(redis) = ctx.settings.redis_url.value.clone() {
        broker.keep_guards_in(redis);
    }
    // On RabbitMQ the default queue is declared at once, so that a queue the workers declared
    // with other arguments is named now rather than at the first slot.
    let mut ready = broker.connect().await;
    if ready.is_ok() {
        ready = broker.prepare(&ctx.settings.default_queue.value).await;
    }
    if let Err(e) = ready {
        let cause = std::error::Error::source(&e)
            .map(|c| format!(" ({c})"))
            .unwrap_or_default();
        // Only a broker that does not answer is waited for; a malformed URL or a broker that
        // answers with a refusal (a wrong password, say) is a configuration error.
        if wait_for_broker && e.is_transient() {
            // A scheduler that starts during a broker outage runs anyway: the slots due
            // meanwhile are claimed and owed, and sent when the broker answers (nothing is
            // lost, as when the broker goes down later). Exiting would leave the boundary to
            // whatever restarts the process.
            tracing::warn!(
                error = %format!("{e}{cause}"),
                "the broker does not answer at start; slots due meanwhile are owed and sent when it does"
            );
            return Ok(Some(broker));
        }
        let hint = match &e {
            dispatch::BrokerError::Amqp(a) => crate::error::Classify::hint(a),
            dispatch::BrokerError::Redis(r @ crate::sync::SyncError::InvalidUrl { .. }) => {
                crate::error::Classify::hint(r)
            }
            dispatch::BrokerError::Redis(_) => None,
        }
        .unwrap_or_else(|| {
            "check that the broker's Redis runs and that CELERY_BROKER_URL points at it (host, port, db, password)".into()
        });
        // A malformed URL is invalid input (exit 3); a broker that does not answer or refuses
        // is unavailable (exit 6).
        let kind = crate::error::Classify::kind(&e);
        let message = match &e {
            dispatch::BrokerError::Amqp(crate::beat::broker::AmqpError::Declaration { .. }) => {
                format!("{e}{cause}")
            }
            _ if kind == crate::error::ErrorKind::InvalidInput => format!("{e}{cause}"),
            _ => format!("cannot reach the broker: {e}{cause}"),
        };
        return Err(CliError {
            message,
            kind,
            hint: Some(hint),
        }
        .into());
    }
    Ok(Some(broker))
}

/// How queues are declared on an AMQP broker, from the Celery settings.
pub fn queue_arguments(ctx: &Ctx) -> QueueArguments {
    QueueArguments {
        max_priority: ctx.settings.queue_max_priority.value,
        queue_type: Some(ctx.settings.queue_type.value.clone()),
    }
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
        layout: BrokerLayout {
            global_keyprefix,
            transport: ctx
                .settings
                .broker_url
                .value
                .as_ref()
                .and_then(Transport::of)
                .unwrap_or_default(),
        },
        origin: dispatch::origin(),
        chunk_rows: dispatch::CHUNK_ROWS,
        send_deadline: dispatch::send_deadline(chrono::Duration::hours(1)),
        statement_timeout: dispatch::STATEMENT_TIMEOUT,
    }
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

/// The running checks of the execution policies: worker locks in `REDIS_URL` (else the
/// broker's Redis), results in a Redis `CELERY_RESULT_BACKEND`.
pub fn policy_checker(ctx: &Ctx, running_timeout: chrono::Duration) -> Checker {
    let s = &ctx.settings;
    let is_redis = |u: &Redacted| u.is_redis() || u.scheme() == "unix";
    let locks = s
        .redis_url
        .value
        .clone()
        .or_else(|| s.broker_url.value.clone().filter(is_redis));
    let results = s.result_backend.value.clone().filter(is_redis);
    Checker::new(locks, results, running_timeout, s.redis_timeout.value)
}

/// How leadership and heartbeats work for this configuration: with `REDIS_URL`, a Redis key
/// and Redis heartbeats; else an advisory lock (Postgres) or a lock file (SQLite), with
/// heartbeats in the database.
pub fn leadership_for(
    ctx: &Ctx,
    store: &AnyStore,
    token: uuid::Uuid,
    lease: Duration,
) -> Result<(Leadership, Registry)> {
    let namespace = ctx.settings.beat_namespace.value.clone();
    let timeout = ctx.settings.redis_timeout.value;
    let (backend, registry) = match (&ctx.settings.redis_url.value, store) {
        (Some(url), _) => (
            leader::Backend::Redis {
                url: url.clone(),
                key: leader::leader_key(&namespace),
                conn: None,
                held: false,
            },
            Registry::Redis {
                url: url.clone(),
                namespace,
            },
        ),
        (None, AnyStore::Postgres(pg)) => (
            leader::Backend::Postgres {
                store: pg.clone(),
                key: leader::advisory_key(&namespace),
                lock: None,
            },
            Registry::Database(store.clone()),
        ),
        (None, AnyStore::Sqlite(lite)) => {
            let Some(db) = lite.file_path() else {
                return Err(CliError::invalid(
                    "run-beat needs an SQLite database file for its leadership lock",
                    "use a sqlite:// URL naming a file",
                )
                .into());
            };
            let mut path = db.into_os_string();
            path.push(".beat-lock");
            (
                leader::Backend::File {
                    path: path.into(),
                    file: None,
                },
                Registry::Database(store.clone()),
            )
        }
    };
    Ok((
        Leadership {
            backend,
            token,
            lease,
            timeout,
            watchdog: None,
        },
        registry,
    ))
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
    let checker = policy_checker(ctx, running_timeout);
    let has_broker = broker.is_some();
    let progress = leader::Progress::new();
    let ha = !args.once && !args.dry_run;
    let instance_id = uuid::Uuid::new_v4();
    let mut beat = Beat::new(store.clone(), clock, config, broker)
        .with_checker(checker)
        .with_stop(stop_rx.clone(), abort.clone())
        .with_progress(progress.clone());
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
    let (ha_stop_tx, ha_stop_rx) = watch::channel(false);
    let mut ha_tasks = Vec::new();
    let mut heartbeats = None;
    if ha {
        let (mut leadership, registry) = leadership_for(ctx, &store, instance_id, lease)?;
        leadership.watchdog = Some((progress.clone(), leader::stall_limit(lease)));
        tracing::info!(instance = %instance_id, via = %leadership.backend.describe(), heartbeats = %registry.describe(), lease_ms = lease.as_millis() as u64, "leadership");
        let identity = Identity {
            instance_id,
            host: dispatch::hostname(),
            pid: std::process::id(),
            started_at: chrono::Utc::now(),
            leadership: leadership.backend.kind().to_string(),
        };
        let (lease_rx, lease_task) = leadership.spawn(ha_stop_rx.clone());
        // The first attempt decides whether start-up catches up (leader) or stands by.
        let mut first = lease_rx.clone();
        let _ = tokio::time::timeout(lease, first.wait_for(|l| l.attempts > 0)).await;
        let (snap_tx, snap_rx) = watch::channel(Snapshot::default());
        let every = (lease / 3).min(Duration::from_secs(5));
        ha_tasks.push(lease_task);
        heartbeats = Some((registry, identity, every, lease_rx.clone(), snap_rx));
        beat = beat.with_leadership(lease_rx, lease).with_snapshot(snap_tx);
    }
    beat.start().await?;
    if let Some(o) = &observer {
        o.loaded.store(true, std::sync::atomic::Ordering::Relaxed);
    }
    // Heartbeats from the first one on report the loaded plan.
    if let Some((registry, identity, every, lease_rx, snap_rx)) = heartbeats {
        ha_tasks.push(heartbeat::spawn(
            registry,
            identity,
            every,
            lease_rx,
            snap_rx,
            ha_stop_rx,
            ctx.settings.redis_timeout.value,
        ));
    }
    let stats = beat.run(rx, stop_rx).await;
    // Only now give up the leadership and remove the heartbeat: the in-flight batch is done.
    let _ = ha_stop_tx.send(true);
    for task in ha_tasks {
        let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
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
