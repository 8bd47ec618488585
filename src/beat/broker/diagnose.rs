//! The broker check of `stockura diagnose`: that the Celery broker answers, how many messages
//! wait, and on RabbitMQ that every routed queue exists, is consumed and has the arguments
//! stockura declares it with.

use std::time::{Duration, Instant};

use super::{AmqpBroker, AmqpError, QueueArguments, QueueState};
use crate::config::Redacted;
use crate::domain::diagnosis::{Check, Status};
use crate::error::Classify as _;
use crate::sync::redis_conn;

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
        return Check::new("broker", Status::Skip, "CELERY_BROKER_URL is not set")
            .took(start.elapsed());
    };
    let scheme = url.scheme();
    let hint = "check that the broker runs and that CELERY_BROKER_URL points at it";
    match scheme.as_str() {
        "redis" | "rediss" | "sentinel" => {
            let mut conn = match redis_conn::connect(url, timeout).await {
                Ok(c) => c,
                Err(e) => return Check::failed("broker", &e, hint).took(start.elapsed()),
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
                    c.took(start.elapsed())
                }
                Err(e) => {
                    Check::failed("broker", &redis_conn::command_error(url, timeout, e), hint)
                        .took(start.elapsed())
                }
            }
        }
        "amqp" | "amqps" | "pyamqp" => check_amqp(url, routed, arguments, timeout)
            .await
            .took(start.elapsed()),
        other => Check::new(
            "broker",
            Status::Warn,
            format!("broker scheme '{other}' is not checked"),
        )
        .hint("stockura sends to Redis (redis://, rediss://) and RabbitMQ (amqp://, amqps://) brokers")
        .took(start.elapsed()),
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
