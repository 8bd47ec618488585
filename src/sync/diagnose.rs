//! Diagnostics as data: each check has a status, a one-line summary, details, a hint and its
//! duration. The Redis-side checks live here; the CLI adds the configuration and database
//! checks and renders the [`Report`].

use std::time::{Duration, Instant};

use futures_util::StreamExt;

use super::redis_conn::{self, SyncError};
use crate::beat::broker::{AmqpBroker, AmqpError, QueueArguments, QueueState};
use crate::config::Redacted;
use crate::error::Classify as _;

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// Nothing to do here (not configured).
    Skip,
    /// Fine.
    Ok,
    /// Works, but something will bite.
    Warn,
    /// Broken.
    Fail,
}

impl Status {
    /// `ok`, `warn`, `fail` or `skip`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Warn => "warn",
            Self::Fail => "fail",
            Self::Skip => "skip",
        }
    }
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// `config`, `database`, `redis`, `pubsub`, `broker` or `scheduler`.
    pub name: &'static str,
    /// The outcome.
    pub status: Status,
    /// One line.
    pub summary: String,
    /// Supporting facts, one per line (URLs redacted).
    pub details: Vec<String>,
    /// How to fix a warning or failure.
    pub hint: Option<String>,
    /// How long the check took.
    pub duration_ms: u64,
}

impl Check {
    /// A check with no details yet.
    pub fn new(name: &'static str, status: Status, summary: impl Into<String>) -> Self {
        Self {
            name,
            status,
            summary: summary.into(),
            details: Vec::new(),
            hint: None,
            duration_ms: 0,
        }
    }

    /// Adds a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Sets the duration from a start instant.
    pub fn timed(mut self, start: Instant) -> Self {
        self.duration_ms = u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
        self
    }

    fn failed(name: &'static str, err: &SyncError, hint: &str) -> Self {
        let cause = std::error::Error::source(err)
            .map(|c| format!(": {c}"))
            .unwrap_or_default();
        Self::new(name, Status::Fail, format!("{err}{cause}")).hint(hint)
    }
}

/// Every check of one run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// In the order they ran.
    pub checks: Vec<Check>,
}

impl Report {
    /// Whether the run passes: no failure, and no warning either when `strict`.
    pub fn passes(&self, strict: bool) -> bool {
        self.checks.iter().all(|c| match c.status {
            Status::Fail => false,
            Status::Warn => !strict,
            Status::Ok | Status::Skip => true,
        })
    }
}

/// The names `--check` accepts, in the order checks run.
pub const CHECKS: [&str; 7] = [
    "config",
    "database",
    "schedules",
    "redis",
    "pubsub",
    "broker",
    "scheduler",
];

/// Connects, measures a PING round trip, reads version and role, and warns when the
/// eviction policy could drop keys.
pub async fn check_redis(url: Option<&Redacted>, timeout: Duration) -> Check {
    let start = Instant::now();
    let Some(url) = url else {
        return Check::new("redis", Status::Skip, "REDIS_URL is not set").timed(start);
    };
    let hint = "check that Redis runs and that REDIS_URL points at it (host, port, db, password)";
    let mut conn = match redis_conn::connect(url, timeout).await {
        Ok(c) => c,
        Err(e) => return Check::failed("redis", &e, hint).timed(start),
    };
    let ping_start = Instant::now();
    if let Err(e) = redis::cmd("PING").query_async::<String>(&mut conn).await {
        return Check::failed("redis", &redis_conn::command_error(url, timeout, e), hint)
            .timed(start);
    }
    let rtt = ping_start.elapsed();
    let info: String = redis::cmd("INFO")
        .query_async(&mut conn)
        .await
        .unwrap_or_default();
    let field = |key: &str| {
        info.lines()
            .find_map(|l| {
                l.strip_prefix(&format!("{key}:"))
                    .map(str::trim)
                    .map(String::from)
            })
            .unwrap_or_else(|| "?".into())
    };
    let policy: Option<String> = redis::cmd("CONFIG")
        .arg("GET")
        .arg("maxmemory-policy")
        .query_async::<Vec<String>>(&mut conn)
        .await
        .ok()
        .and_then(|v| v.get(1).cloned());
    let mut check = Check::new(
        "redis",
        Status::Ok,
        format!(
            "Redis {} ({}) at {url}, round trip {:.1} ms",
            field("redis_version"),
            field("role"),
            rtt.as_secs_f64() * 1000.0
        ),
    );
    check.details.push(format!("url: {url}"));
    check.details.push(format!(
        "version: {}, role: {}",
        field("redis_version"),
        field("role")
    ));
    match policy.as_deref() {
        Some("noeviction") => check.details.push("maxmemory-policy: noeviction".into()),
        Some(p) => {
            check.status = Status::Warn;
            check.summary = format!("Redis at {url} may evict keys (maxmemory-policy {p})");
            check.details.push(format!("maxmemory-policy: {p}: under memory pressure Redis deletes keys, locks and state included"));
            check.hint =
                Some("set maxmemory-policy noeviction on the Redis that stockura uses".into());
        }
        None => check
            .details
            .push("maxmemory-policy: unknown (CONFIG GET is not allowed)".into()),
    }
    check.timed(start)
}

/// Subscribes to the channel, publishes a `diagnostic_ping` on it, measures the round trip,
/// and warns when nobody else (no scheduler) is subscribed.
pub async fn check_pubsub(url: Option<&Redacted>, channel: &str, timeout: Duration) -> Check {
    let start = Instant::now();
    let Some(url) = url else {
        return Check::new("pubsub", Status::Skip, "REDIS_URL is not set").timed(start);
    };
    let hint = "check that Redis runs and that REDIS_URL points at it";
    let subscriber = match redis_conn::subscribe(url, channel, timeout).await {
        Ok(s) => s,
        Err(e) => return Check::failed("pubsub", &e, hint).timed(start),
    };
    let mut messages = subscriber.into_on_message();
    let mut publisher = match redis_conn::Publisher::connect(url, timeout).await {
        Ok(p) => p,
        Err(e) => return Check::failed("pubsub", &e, hint).timed(start),
    };
    let nonce = uuid::Uuid::new_v4().to_string();
    let ping = serde_json::json!({
        "event_type": super::EventKind::DiagnosticPing.as_str(),
        "timestamp": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, false),
        "nonce": nonce,
        "source": super::events::SOURCE,
    })
    .to_string();
    let sent = Instant::now();
    if let Err(e) = publisher.publish_raw(channel, &ping).await {
        return Check::failed("pubsub", &e, hint).timed(start);
    }
    let arrived = tokio::time::timeout(timeout, async {
        while let Some(msg) = messages.next().await {
            if msg
                .get_payload::<String>()
                .is_ok_and(|p| p.contains(&nonce))
            {
                return true;
            }
        }
        false
    })
    .await
    .unwrap_or(false);
    if !arrived {
        return Check::new(
            "pubsub",
            Status::Fail,
            format!(
                "a message published on {channel} did not come back within {} ms",
                timeout.as_millis()
            ),
        )
        .hint("check the Redis server (a proxy that drops pub/sub?)")
        .timed(start);
    }
    let rtt = sent.elapsed();
    let mut conn = match redis_conn::connect(url, timeout).await {
        Ok(c) => c,
        Err(e) => return Check::failed("pubsub", &e, hint).timed(start),
    };
    let counts: Vec<(String, i64)> = redis::cmd("PUBSUB")
        .arg("NUMSUB")
        .arg(channel)
        .query_async(&mut conn)
        .await
        .unwrap_or_default();
    // Our own subscription is one of them.
    let others = counts.first().map_or(0, |(_, n)| n - 1).max(0);
    let mut check = if others == 0 {
        Check::new("pubsub", Status::Warn, format!("no scheduler is listening on {channel} at {url}")).hint(
            "start the scheduler with the same REDIS_URL (host and db) and CELERY_BEAT_REDIS_CHANNEL; in Docker, \
             pass both variables to the scheduler's container",
        )
    } else {
        Check::new(
            "pubsub",
            Status::Ok,
            format!(
                "{others} subscriber(s) on {channel}, round trip {:.1} ms",
                rtt.as_secs_f64() * 1000.0
            ),
        )
    };
    check.details.push(format!("channel: {channel} at {url}"));
    check
        .details
        .push(format!("round trip: {:.1} ms", rtt.as_secs_f64() * 1000.0));
    check
        .details
        .push(format!("other subscribers (PUBSUB NUMSUB): {others}"));
    check.timed(start)
}

/// Checks that the Celery broker answers; on Redis, reports the default queue's length: the
/// sum of its lists `keys` (one per priority bucket, prefix applied).
pub async fn check_broker(
    url: Option<&Redacted>,
    queue: &str,
    keys: &[Vec<u8>],
    routed: &[String],
    arguments: &QueueArguments,
    timeout: Duration,
) -> Check {
    let start = Instant::now();
    let Some(url) = url else {
        return Check::new("broker", Status::Skip, "CELERY_BROKER_URL is not set").timed(start);
    };
    let scheme = url.scheme();
    let hint = "check that the broker runs and that CELERY_BROKER_URL points at it";
    match scheme.as_str() {
        "redis" | "rediss" | "sentinel" => {
            let mut conn = match redis_conn::connect(url, timeout).await {
                Ok(c) => c,
                Err(e) => return Check::failed("broker", &e, hint).timed(start),
            };
            let mut pipe = redis::pipe();
            for key in keys {
                pipe.cmd("LLEN").arg(key.as_slice());
            }
            match pipe.query_async::<Vec<i64>>(&mut conn).await {
                Ok(lengths) => {
                    let n: i64 = lengths.iter().sum();
                    let mut c = Check::new(
                        "broker",
                        Status::Ok,
                        format!("Redis broker at {url}: {n} message(s) waiting in {queue}"),
                    );
                    c.details
                        .push(format!("queue {queue}: {n} (all priority lists)"));
                    c.timed(start)
                }
                Err(e) => {
                    Check::failed("broker", &redis_conn::command_error(url, timeout, e), hint)
                        .timed(start)
                }
            }
        }
        "amqp" | "amqps" | "pyamqp" => check_amqp(url, routed, arguments, timeout)
            .await
            .timed(start),
        other => Check::new(
            "broker",
            Status::Warn,
            format!("broker scheme '{other}' is not checked"),
        )
        .hint("stockura sends to Redis (redis://, rediss://) and RabbitMQ (amqp://, amqps://) brokers")
        .timed(start),
    }
}

/// The RabbitMQ check: connects (credentials, virtual host), then asks about every routed
/// queue: that it exists, has consumers, and was declared with the arguments stockura declares
/// it with (a queue the workers declared otherwise fails: RabbitMQ would refuse stockura's
/// declaration).
async fn check_amqp(
    url: &Redacted,
    routed: &[String],
    arguments: &QueueArguments,
    timeout: Duration,
) -> Check {
    let mut broker = AmqpBroker::new(url.clone(), timeout, arguments.clone());
    let failed = |e: &AmqpError| {
        Check::new("broker", Status::Fail, e.to_string()).hint(e.hint().unwrap_or_default())
    };
    if let Err(e) = broker.connect().await {
        return failed(&e);
    }
    let mut details = vec![format!("queues declared with {}", arguments.describe())];
    let (mut missing, mut idle, mut mismatched) = (Vec::new(), Vec::new(), Vec::new());
    for queue in routed {
        match broker.inspect(queue).await {
            Ok(QueueState::Ready {
                messages,
                consumers,
            }) => {
                details.push(format!(
                    "queue {queue}: {messages} message(s) waiting, {consumers} consumer(s)"
                ));
                if consumers == 0 {
                    idle.push(queue.as_str());
                }
            }
            Ok(QueueState::Missing) => {
                details.push(format!(
                    "queue {queue}: does not exist yet (declared with the first message sent to it)"
                ));
                missing.push(queue.as_str());
            }
            Ok(QueueState::Mismatch(why)) => {
                details.push(format!("queue {queue}: {why}"));
                mismatched.push(queue.as_str());
            }
            Err(e) => {
                broker.close().await;
                let mut c = failed(&e);
                c.details = details;
                return c;
            }
        }
    }
    broker.close().await;
    let mut c = if !mismatched.is_empty() {
        Check::new(
            "broker",
            Status::Fail,
            format!(
                "RabbitMQ at {url}: queue {} was declared with other arguments than {}",
                mismatched.join(", "),
                arguments.describe()
            ),
        )
        .hint(crate::beat::broker::amqp::DECLARATION_HINT)
    } else if !missing.is_empty() || !idle.is_empty() {
        let names: Vec<&str> = missing.iter().chain(&idle).copied().collect();
        Check::new(
            "broker",
            Status::Warn,
            format!("RabbitMQ at {url}: no worker consumes queue {}", names.join(", ")),
        )
        .hint("start a Celery worker for these queues (celery worker -Q NAME); messages wait in the queue until one does")
    } else {
        Check::new(
            "broker",
            Status::Ok,
            format!(
                "RabbitMQ at {url}: {} queue(s) declared as configured, each with a consumer",
                routed.len()
            ),
        )
    };
    c.details = details;
    c
}
