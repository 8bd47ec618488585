//! From the settings to the parts that talk to the broker and the workers' Redis, for every
//! command that sends (`run-beat`, `schedule trigger`) or checks (`diagnose`).

use std::time::Duration;

use anyhow::Result;

use super::Ctx;
use crate::beat::broker::{QueueArguments, Transport};
use crate::beat::dispatch::{self, Broker, DispatchOptions};
use crate::beat::message::BrokerLayout;
use crate::beat::policy::Checker;
use crate::config::Redacted;
use crate::error::CliError;

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
    let transport = ctx
        .settings
        .broker_url
        .value
        .as_ref()
        .and_then(Transport::of)
        .unwrap_or_default();
    DispatchOptions {
        dry_run,
        default_queue: ctx.settings.default_queue.value.clone(),
        layout: BrokerLayout {
            global_keyprefix,
            transport,
        },
        origin: dispatch::origin(),
        chunk_rows: dispatch::chunk_rows(transport),
        send_deadline: dispatch::send_deadline(chrono::Duration::hours(1)),
        statement_timeout: dispatch::STATEMENT_TIMEOUT,
    }
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
