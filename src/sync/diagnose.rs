//! The Redis-side checks of `stockura diagnose`: the server behind `REDIS_URL`, and the
//! change-event channel.

use std::time::{Duration, Instant};

use futures_util::StreamExt;

use super::redis_conn;
use crate::config::Redacted;
use crate::domain::diagnosis::{Check, Status};

/// Connects, measures a PING round trip, reads version and role, and warns when the
/// eviction policy could drop keys.
pub async fn check_redis(url: Option<&Redacted>, timeout: Duration) -> Check {
    let start = Instant::now();
    let Some(url) = url else {
        return Check::new("redis", Status::Skip, "REDIS_URL is not set").took(start.elapsed());
    };
    let hint = "check that Redis runs and that REDIS_URL points at it (host, port, db, password)";
    let mut conn = match redis_conn::connect(url, timeout).await {
        Ok(c) => c,
        Err(e) => return Check::failed("redis", &e, hint).took(start.elapsed()),
    };
    let ping_start = Instant::now();
    if let Err(e) = redis::cmd("PING").query_async::<String>(&mut conn).await {
        return Check::failed("redis", &redis_conn::command_error(url, timeout, e), hint)
            .took(start.elapsed());
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
    check.took(start.elapsed())
}

/// Subscribes to the channel, publishes a `diagnostic_ping` on it, measures the round trip,
/// and warns when nobody else (no scheduler) is subscribed.
pub async fn check_pubsub(url: Option<&Redacted>, channel: &str, timeout: Duration) -> Check {
    let start = Instant::now();
    let Some(url) = url else {
        return Check::new("pubsub", Status::Skip, "REDIS_URL is not set").took(start.elapsed());
    };
    let hint = "check that Redis runs and that REDIS_URL points at it";
    let subscriber = match redis_conn::subscribe(url, channel, timeout).await {
        Ok(s) => s,
        Err(e) => return Check::failed("pubsub", &e, hint).took(start.elapsed()),
    };
    let mut messages = subscriber.into_on_message();
    let mut publisher = match redis_conn::Publisher::connect(url, timeout).await {
        Ok(p) => p,
        Err(e) => return Check::failed("pubsub", &e, hint).took(start.elapsed()),
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
        return Check::failed("pubsub", &e, hint).took(start.elapsed());
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
        .took(start.elapsed());
    }
    let rtt = sent.elapsed();
    let mut conn = match redis_conn::connect(url, timeout).await {
        Ok(c) => c,
        Err(e) => return Check::failed("pubsub", &e, hint).took(start.elapsed()),
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
    check.took(start.elapsed())
}
