//! The RabbitMQ broker (AMQP 0-9-1), through lapin: the topology Celery's own producer
//! declares, messages published to the default exchange with `mandatory` set, a chunk's
//! messages in one transaction with the push's marker, every step within the broker timeout.
//! What the wire carries is written down in `docs/celery-wire-format.md`.
//!
//! Why transactions rather than publisher confirms: with confirms, every message published
//! but not yet confirmed when the connection breaks is in doubt (a burst of 2,000 had 764 of
//! them when its broker stopped), and sending them again doubles those the broker kept. An
//! uncommitted transaction is discarded by the broker, so only a break during the commit
//! itself leaves doubt.
//!
//! RabbitMQ routes and stores a transaction's messages at its commit, which takes several
//! times as long as publishing them. So the pushes are pipelined: each transaction has a
//! channel of its own (one of [`LANES`]), and the next push is published while the commits
//! before it are under way ([`AmqpBroker::begin`], [`Commit`]). Each transaction still carries
//! its own marker and stands alone: one that fails leaves exactly its own slots owed.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use chrono::{DateTime, Utc};
use lapin::message::BasicReturnMessage;
use lapin::options::{
    BasicPublishOptions, ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions,
    QueueDeleteOptions,
};
use lapin::types::{AMQPValue, FieldArray, FieldTable, LongString, ShortString};
use lapin::uri::{AMQPAuthority, AMQPQueryString, AMQPScheme, AMQPUri, AMQPUserInfo};
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties, ExchangeKind};
use uuid::Uuid;

use super::{Guard, Landed, Marker, Pushed, RECENT_KEY, UNCLAIMED_KEY};
use crate::beat::message::{Header, TaskMessage};
use crate::config::Redacted;
use crate::error::{Classify, ErrorKind};

/// Why a push whose commit went unanswered is sent again.
pub const UNANSWERED_COMMIT: &str =
    "the broker did not answer the commit; sent again, so a message it had kept runs twice";

/// How many transactions may be under way at once, each on its own channel of the one
/// connection: while the broker routes and stores the messages of the ones committing, the
/// next is published.
pub const LANES: usize = 4;

/// Messages per transaction when dispatching to RabbitMQ (the dispatch chunk): smaller than a
/// Redis push, so that the broker starts routing the first ones while the others are claimed
/// and published.
pub const TRANSACTION_ROWS: usize = 1_000;

/// How to mend a queue the broker refuses to declare as configured.
pub const DECLARATION_HINT: &str = "set CELERY_TASK_QUEUE_MAX_PRIORITY and CELERY_TASK_DEFAULT_QUEUE_TYPE to what the workers declare the queue with (their task_queue_max_priority and task_default_queue_type)";

/// How the broker's queues are declared: Celery's `task_queue_max_priority` and
/// `task_default_queue_type`, which must match what the workers declare (RabbitMQ refuses a
/// declaration whose arguments differ from the queue's).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueArguments {
    /// `x-max-priority`.
    pub max_priority: Option<u8>,
    /// `x-queue-type` (`classic` sends none, as Celery does).
    pub queue_type: Option<String>,
}

impl QueueArguments {
    /// The `queue.declare` arguments.
    pub fn table(&self) -> FieldTable {
        let mut table = FieldTable::default();
        if let Some(max) = self.max_priority {
            table.insert("x-max-priority".into(), AMQPValue::LongInt(i32::from(max)));
        }
        if let Some(kind) = self.queue_type.as_deref().filter(|k| *k != "classic") {
            table.insert("x-queue-type".into(), AMQPValue::LongString(kind.into()));
        }
        table
    }

    /// The arguments as an operator writes them: `x-max-priority=10, x-queue-type=quorum`, or
    /// `none`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(max) = self.max_priority {
            parts.push(format!("x-max-priority={max}"));
        }
        if let Some(kind) = self.queue_type.as_deref().filter(|k| *k != "classic") {
            parts.push(format!("x-queue-type={kind}"));
        }
        if parts.is_empty() {
            "no arguments".into()
        } else {
            parts.join(", ")
        }
    }
}

/// One task message in its AMQP form: the routing key (the queue), the basic properties but
/// the expiration (computed when it is published), and the raw JSON body.
#[derive(Debug, Clone)]
pub struct AmqpMessage {
    /// The queue, which is also the routing key on the default exchange.
    pub queue: String,
    /// The properties, without `expiration`.
    pub properties: BasicProperties,
    /// When the message expires (the `expiration` property is its remaining lifetime).
    pub expires: Option<DateTime<Utc>>,
    /// `[args, kwargs, embed]` as JSON text.
    pub body: Vec<u8>,
}

impl AmqpMessage {
    /// The AMQP form of a task message.
    pub fn new(m: &TaskMessage) -> Self {
        let mut headers = FieldTable::default();
        for (name, value) in m.headers() {
            headers.insert(name.into(), header_value(value));
        }
        let id = m.task_id.hyphenated().to_string();
        let properties = BasicProperties::default()
            .with_content_type("application/json".into())
            .with_content_encoding("utf-8".into())
            .with_headers(headers)
            .with_delivery_mode(2)
            .with_priority(m.priority.unwrap_or(0))
            .with_correlation_id(id.into())
            .with_reply_to("".into());
        Self {
            queue: m.queue.clone(),
            properties,
            expires: m.expires,
            body: m.body().into_bytes(),
        }
    }

    /// The properties to publish with at `now`: `expiration` is the remaining lifetime in
    /// milliseconds (`0` once past), as Celery sends it.
    pub fn properties_at(&self, now: DateTime<Utc>) -> BasicProperties {
        let properties = self.properties.clone();
        match self.expires {
            Some(expires) => {
                let ms = (expires - now).num_milliseconds().max(0);
                properties.with_expiration(ms.to_string().into())
            }
            None => properties,
        }
    }

    /// The task id (the correlation id).
    pub fn task_id(&self) -> Option<Uuid> {
        self.properties
            .correlation_id()
            .as_ref()
            .and_then(|id| Uuid::parse_str(id.as_str()).ok())
    }
}

/// A header value with the wire type py-amqp gives the same Python value: strings as long
/// strings (`S`; RabbitMQ closes the connection on a short string in a table), `None` as void
/// (`V`), integers as `I` or `L`, booleans as `t`.
fn header_value(value: Header) -> AMQPValue {
    match value {
        Header::Str(s) => AMQPValue::LongString(LongString::from(s)),
        Header::Null => AMQPValue::Void,
        Header::Int(i) => match i32::try_from(i) {
            Ok(small) => AMQPValue::LongInt(small),
            Err(_) => AMQPValue::LongLongInt(i),
        },
        Header::Bool(b) => AMQPValue::Boolean(b),
        Header::NullPair => {
            AMQPValue::FieldArray(FieldArray::from(vec![AMQPValue::Void, AMQPValue::Void]))
        }
        Header::EmptyMap => AMQPValue::FieldTable(FieldTable::default()),
    }
}

/// An AMQP broker that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum AmqpError {
    /// The URL cannot be used.
    #[error("the AMQP broker URL {url} is invalid: {why}")]
    InvalidUrl {
        /// The URL, redacted when displayed.
        url: Redacted,
        /// Why.
        why: String,
    },
    /// No connection: the broker is down, or it refused the login or the virtual host.
    #[error("cannot reach the AMQP broker at {url}: {why}")]
    Unreachable {
        /// The URL, redacted when displayed.
        url: Redacted,
        /// Why.
        why: String,
        /// Whether the broker answered and refused (credentials, vhost): not worth waiting for.
        refused: bool,
    },
    /// No answer within the timeout.
    #[error("the AMQP broker at {url} did not answer within {} ms", timeout.as_millis())]
    Timeout {
        /// The URL, redacted when displayed.
        url: Redacted,
        /// The wait.
        timeout: Duration,
    },
    /// The broker refused to declare a queue as configured (it exists with other arguments).
    #[error("the AMQP broker at {url} refused to declare queue '{queue}' with {arguments}: {why}")]
    Declaration {
        /// The URL, redacted when displayed.
        url: Redacted,
        /// The queue.
        queue: String,
        /// The arguments stockura declared it with.
        arguments: String,
        /// The broker's reason (which argument differs).
        why: String,
    },
    /// The push did not land (nothing committed, or a commit that went unanswered).
    #[error("the AMQP broker at {url} did not take the messages: {why}")]
    NotTaken {
        /// The URL, redacted when displayed.
        url: Redacted,
        /// Why (the first message's reason).
        why: String,
    },
}

impl AmqpError {
    /// Whether waiting may help (see `BrokerError::is_transient`).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Unreachable { refused, .. } => !refused,
            Self::Timeout { .. } | Self::NotTaken { .. } => true,
            Self::InvalidUrl { .. } | Self::Declaration { .. } => false,
        }
    }
}

impl Classify for AmqpError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::InvalidUrl { .. } => ErrorKind::InvalidInput,
            _ => ErrorKind::Unavailable,
        }
    }
    fn hint(&self) -> Option<String> {
        Some(match self {
            Self::InvalidUrl { .. } => {
                "use amqp://user:password@host:5672/vhost (amqps:// for TLS; the vhost / is written //)".into()
            }
            Self::Declaration { .. } => DECLARATION_HINT.into(),
            _ => "check that RabbitMQ runs and that CELERY_BROKER_URL points at it (host, port, user, password, vhost)".into(),
        })
    }
}

/// Parses a Celery AMQP URL (`amqp://`, `amqps://`, `pyamqp://`): user and password default to
/// `guest`, the host to `localhost`, the port to 5672 (5671 with TLS), the virtual host is the
/// path after the first `/` (percent-decoded; empty or `/` is the default vhost `/`).
pub fn parse_url(url: &Redacted) -> Result<AMQPUri, AmqpError> {
    let invalid = |why: &str| AmqpError::InvalidUrl {
        url: url.clone(),
        why: why.to_string(),
    };
    let text = url.expose();
    let (scheme, rest) = text
        .split_once("://")
        .ok_or_else(|| invalid("it has no scheme"))?;
    let scheme = match scheme.to_ascii_lowercase().as_str() {
        "amqp" | "pyamqp" => AMQPScheme::AMQP,
        "amqps" => AMQPScheme::AMQPS,
        _ => return Err(invalid("the scheme is not amqp, amqps or pyamqp")),
    };
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    let decode = |s: &str, what: &str| {
        crate::config::percent_decode(s)
            .ok_or_else(|| invalid(&format!("the {what} is not valid percent-encoded UTF-8")))
    };
    let (username, password) = match userinfo {
        Some(u) => {
            let (user, pass) = u.split_once(':').unwrap_or((u, ""));
            (decode(user, "user name")?, decode(pass, "password")?)
        }
        None => ("guest".to_string(), "guest".to_string()),
    };
    let default_port = if scheme == AMQPScheme::AMQPS {
        5671
    } else {
        5672
    };
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let (host, after) = v6
            .split_once(']')
            .ok_or_else(|| invalid("an IPv6 host lacks its closing ]"))?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().map_err(|_| invalid("the port is not a number"))?,
            None => default_port,
        };
        (host.to_string(), port)
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (
                h.to_string(),
                p.parse().map_err(|_| invalid("the port is not a number"))?,
            ),
            None => (hostport.to_string(), default_port),
        }
    };
    let host = if host.is_empty() {
        "localhost".into()
    } else {
        host
    };
    let vhost = decode(path, "virtual host")?;
    let vhost = if vhost.is_empty() { "/".into() } else { vhost };
    Ok(AMQPUri {
        scheme,
        authority: AMQPAuthority {
            userinfo: AMQPUserInfo { username, password },
            host,
            port,
        },
        vhost,
        query: AMQPQueryString::default(),
    })
}

/// One queue as the broker sees it ([`AmqpBroker::inspect`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueState {
    /// No such queue (yet): stockura declares it with the first message sent to it.
    Missing,
    /// It exists with the configured arguments.
    Ready {
        /// Messages waiting.
        messages: u32,
        /// Consumers (workers) attached.
        consumers: u32,
    },
    /// It exists with other arguments: the broker's reason.
    Mismatch(String),
}

/// An open connection, its channel for declarations and its transactional channels.
struct Link {
    connection: Connection,
    /// Declarations, inspections and deletions (not transactional).
    control: Channel,
    /// One transaction under way on each at most.
    lanes: Vec<Lane>,
    /// What the commits under way tell the link once they land.
    state: Arc<Mutex<LinkState>>,
}

/// A transactional channel.
struct Lane {
    channel: Channel,
    /// Whether a transaction is under way on it (its [`Commit`] has not landed yet).
    busy: Arc<AtomicBool>,
}

/// The part of a link its commits under way share.
#[derive(Default)]
struct LinkState {
    /// Queues declared on this connection.
    declared: HashSet<String>,
    /// A transaction failed, or was let go before its answer: the link is replaced at the
    /// next step.
    broken: bool,
}

/// Locks a mutex whose holder may have panicked (the data stays usable: sets of names).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A RabbitMQ broker: one connection with [`LANES`] transactional channels, re-opened after a
/// failure.
pub struct AmqpBroker {
    url: Redacted,
    timeout: Duration,
    queues: QueueArguments,
    link: Option<Link>,
    /// Pushes whose commit went unanswered: their markers prove nothing.
    doubtful: Arc<Mutex<HashSet<String>>>,
    /// Where the sets of slots sent without a claim and of a new leader's recent sends are
    /// kept (`REDIS_URL`): RabbitMQ cannot hold them. `None`: no guard.
    guards: Option<(Redacted, Option<redis::aio::MultiplexedConnection>)>,
}

impl AmqpBroker {
    /// A broker at `url`; connects on first use.
    pub fn new(url: Redacted, timeout: Duration, queues: QueueArguments) -> Self {
        Self {
            url,
            timeout,
            queues,
            link: None,
            doubtful: Arc::default(),
            guards: None,
        }
    }

    /// Keeps the guard sets ([`Guard`]) in the Redis at `url` (the scheduler's `REDIS_URL`).
    pub fn keep_guards_in(&mut self, url: Redacted) {
        self.guards = Some((url, None));
    }

    /// [`Self::publish`] under a [`Guard`] over the messages' task ids (`ids`, aligned with
    /// `items`): with a guard store, a message whose slot another scheduler sent without a
    /// claim (or sent in its first lease) is not published and is reported in
    /// [`Landed::elsewhere`]; the published ones are recorded as the guard says once the
    /// commit answered. Unlike on Redis the check and the record are not one atomic step
    /// with the publish: a scheduler that stops between its commit and the record leaves its
    /// slots unrecorded. Without a guard store the guard is not applied.
    pub async fn publish_guarded(
        &mut self,
        items: Vec<Option<&AmqpMessage>>,
        ids: &[Uuid],
        guard: Guard,
        marker: &Marker,
    ) -> Result<Landed, AmqpError> {
        if !guard.any() || self.guards.is_none() || ids.len() != items.len() {
            return self.publish(items, marker).await;
        }
        let keys = [
            format!("{}{UNCLAIMED_KEY}", marker.prefix),
            format!("{}{RECENT_KEY}", marker.prefix),
        ];
        let text: Vec<String> = ids.iter().map(|id| id.hyphenated().to_string()).collect();
        let mut elsewhere = Vec::new();
        if guard.check {
            let [a, b] = &keys;
            // One reply per command, in pairs (read as a flat list: a list of pairs of
            // two-element lists would be taken for pairs of values).
            let found: Vec<Vec<bool>> = self
                .guard_commands(|pipe| {
                    for chunk in text.chunks(500) {
                        pipe.cmd("SMISMEMBER").arg(a).arg(chunk);
                        pipe.cmd("SMISMEMBER").arg(b).arg(chunk);
                    }
                })
                .await?;
            let mut at = 0;
            for pair in found.chunks(2) {
                let (x, y) = (&pair[0], pair.get(1).unwrap_or(&pair[0]));
                for (p, q) in x.iter().zip(y) {
                    if *p || *q {
                        elsewhere.push(at);
                    }
                    at += 1;
                }
            }
        }
        let kept: Vec<usize> = (0..items.len())
            .filter(|i| elsewhere.binary_search(i).is_err())
            .collect();
        let mut landed = if kept.is_empty() {
            Landed::all(Pushed::SentUnclaimed, Vec::new())
        } else {
            let subset = kept.iter().map(|&i| items[i]).collect();
            let mut landed = self.publish(subset, marker).await?;
            landed.refused = landed.refused.iter().map(|&k| kept[k]).collect();
            landed
        };
        let sent: Vec<&String> = kept
            .iter()
            .filter(|i| landed.refused.binary_search(i).is_err())
            .map(|&i| &text[i])
            .collect();
        let into = match (guard.record, guard.recent_secs) {
            (true, _) => Some((&keys[0], marker.ttl_secs)),
            (false, Some(secs)) => Some((&keys[1], secs)),
            (false, None) => None,
        };
        if let Some((set, ttl)) = into
            && !sent.is_empty()
        {
            let recorded: Result<Vec<redis::Value>, AmqpError> = self
                .guard_commands(|pipe| {
                    for chunk in sent.chunks(500) {
                        pipe.cmd("SADD").arg(set).arg(chunk).ignore();
                    }
                    // Each set always gets the same lifetime, renewed by every record.
                    pipe.cmd("EXPIRE").arg(set).arg(ttl).ignore();
                })
                .await;
            if let Err(e) = recorded {
                // Sent all the same: only a scheduler taking over meanwhile could double them.
                tracing::warn!(error = %e, "could not record the slots sent in the guard set");
            }
        }
        landed.elsewhere = elsewhere;
        Ok(landed)
    }

    /// Runs a pipeline on the guard store (connecting when needed).
    async fn guard_commands<T: redis::FromRedisValue>(
        &mut self,
        build: impl FnOnce(&mut redis::Pipeline),
    ) -> Result<T, AmqpError> {
        let timeout = self.timeout;
        let Some((url, conn)) = self.guards.as_mut() else {
            return Err(AmqpError::NotTaken {
                url: self.url.clone(),
                why: "no guard store".into(),
            });
        };
        let unavailable = |e: crate::sync::SyncError| AmqpError::NotTaken {
            url: url.clone(),
            why: format!(
                "the guard sets cannot be read ({e}{}); not sent, retried",
                std::error::Error::source(&e)
                    .map(|c| format!(": {c}"))
                    .unwrap_or_default()
            ),
        };
        if conn.is_none() {
            *conn = Some(
                crate::sync::redis_conn::connect(url, timeout)
                    .await
                    .map_err(unavailable)?,
            );
        }
        let Some(c) = conn.as_mut() else {
            return Err(unavailable(crate::sync::SyncError::Timeout {
                url: url.clone(),
                timeout,
            }));
        };
        let mut pipe = redis::pipe();
        build(&mut pipe);
        match pipe.query_async(c).await {
            Ok(v) => Ok(v),
            Err(e) => {
                *conn = None;
                Err(unavailable(crate::sync::redis_conn::command_error(
                    url, timeout, e,
                )))
            }
        }
    }

    /// The broker's URL.
    pub fn url(&self) -> &Redacted {
        &self.url
    }

    /// Connects and opens the transactional channel now (to fail fast at start).
    pub async fn connect(&mut self) -> Result<(), AmqpError> {
        self.drop_link();
        self.link().await.map(|_| ())
    }

    /// Closes the connection (within a second).
    pub async fn close(&mut self) {
        if let Some(link) = self.link.take() {
            let _ = tokio::time::timeout(
                Duration::from_secs(1),
                link.connection.close(200, "stockura: done".into()),
            )
            .await;
        }
    }

    /// Whether the connection is open (a probe for readiness: connects when it is not).
    pub async fn check(&mut self) -> Result<(), AmqpError> {
        self.link().await.map(|_| ())
    }

    /// Declares `queue` as Celery's producer does (see [`Self::publish`]), now.
    pub async fn declare(&mut self, queue: &str) -> Result<(), AmqpError> {
        let timeout = self.timeout;
        let url = self.url.clone();
        let queues = self.queues.clone();
        let link = self.link().await?;
        if lock(&link.state).declared.contains(queue) {
            return Ok(());
        }
        let declared = tokio::time::timeout(timeout, declare(&link.control, queue, &queues)).await;
        match declared {
            Ok(Ok(())) => {
                lock(&link.state).declared.insert(queue.to_string());
                Ok(())
            }
            Ok(Err(e)) => {
                let error = match protocol_refusal(&e) {
                    Some(why) => AmqpError::Declaration {
                        url,
                        queue: queue.to_string(),
                        arguments: queues.describe(),
                        why,
                    },
                    None => AmqpError::Unreachable {
                        url,
                        why: e.to_string(),
                        refused: false,
                    },
                };
                self.drop_link();
                Err(error)
            }
            Err(_) => {
                self.drop_link();
                Err(AmqpError::Timeout { url, timeout })
            }
        }
    }

    /// [`Self::inspect`] as a verdict: an error when `queue` exists with other arguments.
    pub async fn verify(&mut self, queue: &str) -> Result<(), AmqpError> {
        match self.inspect(queue).await? {
            QueueState::Mismatch(why) => Err(AmqpError::Declaration {
                url: self.url.clone(),
                queue: queue.to_string(),
                arguments: self.queues.describe(),
                why,
            }),
            QueueState::Missing | QueueState::Ready { .. } => Ok(()),
        }
    }

    /// Whether `queue` exists (a passive declaration, which creates nothing), with its
    /// messages and consumers. A missing queue closes the channel on the broker's side, so
    /// the link is let go (the next step opens another), as after any failure.
    async fn existing(&mut self, queue: &str) -> Result<Option<(u32, u32)>, AmqpError> {
        let timeout = self.timeout;
        let url = self.url.clone();
        let link = self.link().await?;
        let passive = QueueDeclareOptions {
            passive: true,
            ..QueueDeclareOptions::default()
        };
        let found = tokio::time::timeout(
            timeout,
            link.control
                .queue_declare(queue.into(), passive, FieldTable::default()),
        )
        .await;
        let found = match found {
            Ok(Ok(q)) => return Ok(Some((q.message_count(), q.consumer_count()))),
            Ok(Err(e)) => match protocol_refusal(&e) {
                Some(why) if why.contains("NOT_FOUND") => Ok(None),
                _ => Err(AmqpError::Unreachable {
                    url,
                    why: e.to_string(),
                    refused: false,
                }),
            },
            Err(_) => Err(AmqpError::Timeout { url, timeout }),
        };
        self.drop_link();
        found
    }

    /// What the broker says about `queue`, without creating it: whether it exists, how many
    /// messages wait and how many consumers it has, and whether it was declared with the
    /// arguments stockura declares it with (re-declaring an existing queue with the same
    /// arguments changes nothing; with others the broker refuses, naming the difference).
    pub async fn inspect(&mut self, queue: &str) -> Result<QueueState, AmqpError> {
        let timeout = self.timeout;
        let url = self.url.clone();
        let queues = self.queues.clone();
        let state = match self.existing(queue).await {
            Err(e) => Err(e),
            Ok(None) => Ok(QueueState::Missing),
            Ok(Some((messages, consumers))) => {
                let link = self.link().await?;
                let same = tokio::time::timeout(
                    timeout,
                    link.control.queue_declare(
                        queue.into(),
                        QueueDeclareOptions {
                            durable: true,
                            ..QueueDeclareOptions::default()
                        },
                        queues.table(),
                    ),
                )
                .await;
                match same {
                    Err(_) => Err(AmqpError::Timeout { url, timeout }),
                    Ok(Ok(_)) => Ok(QueueState::Ready {
                        messages,
                        consumers,
                    }),
                    Ok(Err(e)) => match protocol_refusal(&e) {
                        Some(why) => Ok(QueueState::Mismatch(why)),
                        None => Err(AmqpError::Unreachable {
                            url,
                            why: e.to_string(),
                            refused: false,
                        }),
                    },
                }
            }
        };
        // A refused declaration closes the channel: the next step opens another.
        if !matches!(state, Ok(QueueState::Ready { .. })) {
            self.drop_link();
        }
        state
    }

    /// [`Self::publish_guarded`], begun: a push without a guard returns once its commit is
    /// sent, as a [`Commit`] to land later (meanwhile the next push can be published on
    /// another channel); a guarded push, which records its slots once the commit answered,
    /// and an empty one return landed. The caller lands a commit before it begins more than
    /// [`LANES`] pushes: a push begun with every channel busy is not taken.
    pub async fn begin(
        &mut self,
        items: Vec<Option<&AmqpMessage>>,
        ids: &[Uuid],
        guard: Guard,
        marker: &Marker,
    ) -> Result<Begun, AmqpError> {
        if guard.any() && self.guards.is_some() && ids.len() == items.len() {
            return self
                .publish_guarded(items, ids, guard, marker)
                .await
                .map(Begun::Landed);
        }
        self.start(items, marker).await
    }

    /// Publishes the messages of one push (`None`: not an AMQP message, refused) in one
    /// transaction, with the push's marker, and waits for the commit's answer (see
    /// [`Self::start`]).
    ///
    /// A message the broker returned is in [`Landed::refused`] (owed: the caller retries it
    /// with the same task id). A push that did not land is an error.
    pub async fn publish(
        &mut self,
        items: Vec<Option<&AmqpMessage>>,
        marker: &Marker,
    ) -> Result<Landed, AmqpError> {
        match self.start(items, marker).await? {
            Begun::Landed(landed) => Ok(landed),
            Begun::Committing(commit) => commit.land().await,
        }
    }

    /// Publishes the messages of one push in one transaction on a free channel, with the
    /// push's marker, and sends the commit. Each queue is first declared as Celery's producer
    /// declares it (a direct durable exchange named after the queue, the durable queue with
    /// the configured arguments, the binding), once per connection, so that messages sent
    /// before any worker started wait in the queue; then every message goes to the default
    /// exchange with the queue as routing key and `mandatory` set, so a message no queue takes
    /// is returned, not dropped.
    ///
    /// The transaction makes the push all or nothing while the broker runs: a connection that
    /// breaks before the commit leaves nothing on the broker (an error here: the push is sent
    /// again whole, doubling nothing), and an answered commit has every message stored. A
    /// commit sent but never answered (the broker stopped or the connection broke during it)
    /// leaves doubt: the push is sent again ([`UNANSWERED_COMMIT`]): no slot is lost, and the
    /// messages the broker had kept run twice. The push's marker, a message in its own queue
    /// `stockura.push.<id>` committed with the others, tells a scheduler that takes over owed
    /// slots whether the push of one that stopped landed ([`Self::landed`]).
    async fn start(
        &mut self,
        items: Vec<Option<&AmqpMessage>>,
        marker: &Marker,
    ) -> Result<Begun, AmqpError> {
        let count = items.len();
        if count == 0 {
            return Ok(Begun::Landed(Landed::all(Pushed::Sent, Vec::new())));
        }
        let mut queues: Vec<&str> = items.iter().flatten().map(|m| m.queue.as_str()).collect();
        queues.sort_unstable();
        queues.dedup();
        for queue in queues {
            self.declare(queue).await?;
        }
        let timeout = self.timeout;
        let url = self.url.clone();
        // The commit of a large push writes every message to disk first: a millisecond per
        // 20 messages on top of the timeout.
        let deadline = tokio::time::Instant::now()
            .checked_add(timeout)
            .and_then(|d| d.checked_add(Duration::from_millis(u64::try_from(count / 20).ok()?)))
            .ok_or_else(|| AmqpError::NotTaken {
                url: url.clone(),
                why: "the broker timeout is out of range".into(),
            })?;
        let marker_queue = marker_queue(marker);
        let link = self.link().await?;
        let Some((channel, lane)) = link.free_lane() else {
            return Err(AmqpError::NotTaken {
                url,
                why: format!("every channel has a transaction under way ({LANES})"),
            });
        };
        let control = link.control.clone();
        let now = Utc::now();
        let started = std::time::Instant::now();
        let sent = async {
            // The marker's queue exists before its message is published (a message no queue
            // takes would be dropped, and the push could not be recognised later); it is
            // declared on the other channel while the messages go out.
            let declared = control.queue_declare(
                marker_queue.as_str().into(),
                QueueDeclareOptions {
                    durable: true,
                    ..QueueDeclareOptions::default()
                },
                marker_arguments(marker),
            );
            // Every publish of the push in flight at once: the frames leave in few writes
            // (awaiting each in turn cost a round of the connection's writer per message).
            // The futures are first polled in order, which is when each queues its frames.
            let publishes = items.iter().flatten().map(|m| {
                channel.basic_publish(
                    ShortString::from(""),
                    ShortString::from(m.queue.as_str()),
                    BasicPublishOptions {
                        mandatory: true,
                        immediate: false,
                    },
                    &m.body,
                    m.properties_at(now),
                )
            });
            let (declared, published) =
                futures_util::future::join(declared, futures_util::future::join_all(publishes))
                    .await;
            declared?;
            for published in published {
                published?;
            }
            channel
                .basic_publish(
                    ShortString::from(""),
                    marker_queue.as_str().into(),
                    BasicPublishOptions::default(),
                    marker.id.as_bytes(),
                    BasicProperties::default().with_delivery_mode(2),
                )
                .await?;
            Ok::<_, lapin::Error>(())
        };
        let sent = tokio::time::timeout_at(deadline, sent).await;
        if let Err(why) = flatten(sent, timeout) {
            // Nothing was committed: the broker discards the transaction's messages.
            drop(lane);
            self.drop_link();
            return Err(AmqpError::NotTaken { url, why });
        }
        let published = started.elapsed();
        let addresses = items
            .iter()
            .map(|m| m.map(|m| (m.queue.clone(), m.properties.correlation_id().clone())))
            .collect();
        let answer: Answer = Box::pin(async move {
            let committed = tokio::time::timeout_at(deadline, channel.tx_commit()).await;
            flatten(committed, timeout)?;
            let answered = std::time::Instant::now();
            // In a transaction, `wait_for_confirms` only collects the returned messages.
            let returned = channel.wait_for_confirms().await.unwrap_or_default();
            Ok((returned, answered))
        });
        let mut commit = Commit {
            answer,
            early: None,
            addresses,
            marker: marker.id.clone(),
            url,
            lane,
            doubtful: Arc::clone(&self.doubtful),
            published,
            committing: std::time::Instant::now(),
        };
        // Polled once now, which sends the commit: the broker routes this push while the
        // next one is published.
        commit.settled();
        Ok(Begun::Committing(commit))
    }

    /// Whether the push `marker` landed: its marker queue holds its marker message (never
    /// for a push whose commit this broker saw go unanswered: see [`Self::publish`]).
    pub async fn landed(&mut self, marker: &Marker) -> Result<bool, AmqpError> {
        if lock(&self.doubtful).contains(&marker.id) {
            return Ok(false);
        }
        Ok(self
            .existing(&marker_queue(marker))
            .await?
            .is_some_and(|(messages, _)| messages > 0))
    }

    /// Deletes the marker queues of pushes whose messages the history now records sent
    /// (left alone, each expires by itself after the marker's lifetime).
    pub async fn forget(&mut self, markers: &[Marker]) {
        let timeout = self.timeout;
        let Ok(link) = self.link().await else {
            return;
        };
        for marker in markers {
            let deleted = tokio::time::timeout(
                timeout,
                link.control.queue_delete(
                    marker_queue(marker).as_str().into(),
                    QueueDeleteOptions::default(),
                ),
            )
            .await;
            if !matches!(deleted, Ok(Ok(_))) {
                // A refusal closes the channel; the queue expires by itself.
                self.drop_link();
                return;
            }
        }
    }

    /// The open link, connecting first when there is none (or it broke).
    async fn link(&mut self) -> Result<&mut Link, AmqpError> {
        let healthy = self.link.as_ref().is_some_and(Link::healthy);
        if !healthy {
            self.drop_link();
            let link = tokio::time::timeout(self.timeout, open(&self.url))
                .await
                .map_err(|_| AmqpError::Timeout {
                    url: self.url.clone(),
                    timeout: self.timeout,
                })??;
            self.link = Some(link);
        }
        self.link.as_mut().ok_or_else(|| AmqpError::Timeout {
            url: self.url.clone(),
            timeout: self.timeout,
        })
    }

    /// Forgets the link, closing its connection in the background (within a second).
    fn drop_link(&mut self) {
        if let Some(link) = self.link.take() {
            tokio::spawn(async move {
                let _ = tokio::time::timeout(
                    Duration::from_secs(1),
                    link.connection.close(200, "stockura: reconnecting".into()),
                )
                .await;
            });
        }
    }
}

impl Link {
    /// Whether the connection and its channels are open and no transaction failed on it.
    fn healthy(&self) -> bool {
        self.connection.status().connected()
            && self.control.status().connected()
            && self.lanes.iter().all(|l| l.channel.status().connected())
            && !lock(&self.state).broken
    }

    /// A channel with no transaction under way, taken until the guard is dropped.
    fn free_lane(&self) -> Option<(Channel, LaneGuard)> {
        let lane = self.lanes.iter().find(|l| {
            l.busy
                .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
        })?;
        Some((
            lane.channel.clone(),
            LaneGuard {
                busy: Arc::clone(&lane.busy),
                state: Arc::clone(&self.state),
                answered: false,
            },
        ))
    }
}

/// A channel taken by one transaction. Let go before the commit was answered (the push
/// failed, or was dropped unawaited), it leaves its link to be replaced: a later transaction
/// on the channel could otherwise be mixed with the one under way.
struct LaneGuard {
    busy: Arc<AtomicBool>,
    state: Arc<Mutex<LinkState>>,
    answered: bool,
}

impl Drop for LaneGuard {
    fn drop(&mut self) {
        if !self.answered {
            lock(&self.state).broken = true;
        }
        self.busy.store(false, Ordering::Release);
    }
}

/// What [`AmqpBroker::begin`] did.
pub enum Begun {
    /// The push has landed already (nothing to publish, or a guarded push).
    Landed(Landed),
    /// Its commit is under way.
    Committing(Commit),
}

/// A commit's answer: the messages the broker returned and when it answered, or why it did
/// not.
type Answer = Pin<
    Box<dyn Future<Output = Result<(Vec<BasicReturnMessage>, std::time::Instant), String>> + Send>,
>;

/// Where each message of a push went (its queue and correlation id), to tell which ones the
/// broker returned; `None` where nothing was published (not an AMQP message).
type Addresses = Vec<Option<(String, Option<ShortString>)>>;

/// A transaction whose commit is under way ([`AmqpBroker::begin`]): [`Self::land`] waits for
/// its answer, never past the push's deadline. Its channel takes no other transaction until
/// then.
pub struct Commit {
    answer: Answer,
    /// The answer, once it was found in by [`Self::settled`].
    early: Option<Result<(Vec<BasicReturnMessage>, std::time::Instant), String>>,
    addresses: Addresses,
    /// The push's marker id.
    marker: String,
    url: Redacted,
    lane: LaneGuard,
    /// The broker's pushes whose commit went unanswered.
    doubtful: Arc<Mutex<HashSet<String>>>,
    /// How long publishing took.
    published: Duration,
    /// When the commit was sent.
    committing: std::time::Instant,
}

impl Commit {
    /// Whether the answer is in, without waiting for it (the commit is polled once).
    pub fn settled(&mut self) -> bool {
        if self.early.is_none() {
            let mut cx = Context::from_waker(Waker::noop());
            if let Poll::Ready(answer) = self.answer.as_mut().poll(&mut cx) {
                self.early = Some(answer);
            }
        }
        self.early.is_some()
    }

    /// What the push did, once the commit is answered: every message landed but those the
    /// broker returned (no queue took them: someone deleted the queue since it was declared,
    /// so it is declared again by the next push). An unanswered commit is an error
    /// ([`UNANSWERED_COMMIT`]), and the push's marker proves nothing from then on.
    pub async fn land(mut self) -> Result<Landed, AmqpError> {
        let answer = match self.early.take() {
            Some(answer) => answer,
            None => (&mut self.answer).await,
        };
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let answered = answer.as_ref().map_or_else(
            |_| self.committing.elapsed(),
            |(_, at)| at.saturating_duration_since(self.committing),
        );
        tracing::debug!(
            messages = self.addresses.len(),
            publish_ms = ms(self.published),
            commit_ms = ms(answered),
            "amqp push"
        );
        match answer {
            Ok((returned, _)) => {
                self.lane.answered = true;
                let mut state = lock(&self.lane.state);
                Ok(landed_but(&self.addresses, returned, &mut state.declared))
            }
            Err(why) => {
                // The commit's answer was lost: the broker may have applied it in full, in
                // part (RabbitMQ applies a transaction over several queues atomically only
                // while it runs) or not at all, and the marker cannot tell which. The push is
                // sent again: nothing is lost, and a message the broker had kept runs twice.
                // The link is replaced (the guard, unanswered, says so).
                lock(&self.doubtful).insert(self.marker.clone());
                Err(AmqpError::NotTaken {
                    url: self.url.clone(),
                    why: format!("{UNANSWERED_COMMIT} ({why})"),
                })
            }
        }
    }
}

/// The queue holding the marker of push `marker`.
fn marker_queue(marker: &Marker) -> String {
    format!("stockura.push.{}", marker.id)
}

/// A marker queue is durable and deletes itself once unused for the marker's lifetime.
fn marker_arguments(marker: &Marker) -> FieldTable {
    let mut table = FieldTable::default();
    let ms = i64::try_from(marker.ttl_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
    table.insert("x-expires".into(), AMQPValue::LongLongInt(ms));
    table
}

/// A step's outcome as an error text: its own, or the timeout's.
fn flatten<T>(
    step: Result<lapin::Result<T>, tokio::time::error::Elapsed>,
    timeout: Duration,
) -> Result<T, String> {
    match step {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("no answer within {} ms", timeout.as_millis())),
    }
}

/// A committed push: every message landed but those the broker returned (no queue took
/// them: their queue is declared again by the next push).
fn landed_but(
    addresses: &Addresses,
    returned: Vec<BasicReturnMessage>,
    declared: &mut HashSet<String>,
) -> Landed {
    let mut refused: Vec<usize> = addresses
        .iter()
        .enumerate()
        .filter(|(_, m)| m.is_none())
        .map(|(i, _)| i)
        .collect();
    let mut refusal = if refused.is_empty() {
        String::new()
    } else {
        "not an AMQP message (a bug); not sent".to_string()
    };
    for r in returned {
        let queue = r.delivery.routing_key.to_string();
        declared.remove(&queue);
        let id = r.delivery.properties.correlation_id().clone();
        let at = addresses
            .iter()
            .position(|m| m.as_ref().is_some_and(|(q, c)| *q == queue && *c == id));
        if let Some(at) = at {
            refused.push(at);
            refusal = format!(
                "the broker returned it ({} {}): no queue '{queue}' took it",
                r.reply_code, r.reply_text
            );
        }
    }
    refused.sort_unstable();
    refused.dedup();
    Landed {
        pushed: Pushed::Sent,
        elsewhere: Vec::new(),
        refused,
        refusal,
    }
}

/// Opens a connection, its channel for declarations and its [`LANES`] transactional
/// channels.
async fn open(url: &Redacted) -> Result<Link, AmqpError> {
    let uri = parse_url(url)?;
    let properties = ConnectionProperties::default()
        .with_connection_name(format!("stockura {}", env!("CARGO_PKG_VERSION")).into());
    let unreachable = |e: lapin::Error| AmqpError::Unreachable {
        url: url.clone(),
        refused: protocol_refusal(&e).is_some(),
        why: protocol_refusal(&e).unwrap_or_else(|| e.to_string()),
    };
    let connection = Connection::connect_uri(uri, properties)
        .await
        .map_err(unreachable)?;
    let control = connection.create_channel().await.map_err(unreachable)?;
    let mut lanes = Vec::with_capacity(LANES);
    for _ in 0..LANES {
        let channel = connection.create_channel().await.map_err(unreachable)?;
        channel.tx_select().await.map_err(unreachable)?;
        lanes.push(Lane {
            channel,
            busy: Arc::default(),
        });
    }
    Ok(Link {
        connection,
        control,
        lanes,
        state: Arc::default(),
    })
}

/// The exchange, the queue and the binding of `queue`, as Celery declares them.
async fn declare(channel: &Channel, queue: &str, queues: &QueueArguments) -> lapin::Result<()> {
    let durable = ExchangeDeclareOptions {
        durable: true,
        ..ExchangeDeclareOptions::default()
    };
    channel
        .exchange_declare(
            queue.into(),
            ExchangeKind::Direct,
            durable,
            FieldTable::default(),
        )
        .await?;
    channel
        .queue_declare(
            queue.into(),
            QueueDeclareOptions {
                durable: true,
                ..QueueDeclareOptions::default()
            },
            queues.table(),
        )
        .await?;
    channel
        .queue_bind(
            queue.into(),
            queue.into(),
            queue.into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await?;
    Ok(())
}

/// The broker's refusal (`ACCESS_REFUSED: …`, `PRECONDITION_FAILED: …`), when the error is one.
fn protocol_refusal(e: &lapin::Error) -> Option<String> {
    match e.kind() {
        lapin::ErrorKind::ProtocolError(p) => Some(p.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(url: &str) -> AMQPUri {
        parse_url(&Redacted::new(url)).unwrap()
    }

    #[test]
    fn celery_urls_parse() {
        let u = parsed("amqp://guest:guest@localhost:5672//");
        assert_eq!(u.scheme, AMQPScheme::AMQP);
        assert_eq!(u.vhost, "/");
        assert_eq!(u.authority.port, 5672);
        let u = parsed("pyamqp://us%40er:p%3Ass@rabbit/prod");
        assert_eq!(u.authority.userinfo.username, "us@er");
        assert_eq!(u.authority.userinfo.password, "p:ss");
        assert_eq!(u.authority.host, "rabbit");
        assert_eq!(u.vhost, "prod");
        let u = parsed("amqps://[::1]/%2F");
        assert_eq!(u.scheme, AMQPScheme::AMQPS);
        assert_eq!(u.authority.host, "::1");
        assert_eq!(u.authority.port, 5671);
        assert_eq!(u.vhost, "/");
        let u = parsed("amqp://");
        assert_eq!(u.authority.host, "localhost");
        assert_eq!(u.authority.userinfo.username, "guest");
        assert_eq!(u.vhost, "/");
        for bad in [
            "amqp://h:port/",
            "amqp://[::1/",
            "amqp://h/%zz",
            "redis://h",
        ] {
            let e = parse_url(&Redacted::new(bad)).unwrap_err();
            assert!(matches!(e, AmqpError::InvalidUrl { .. }), "{bad}: {e}");
        }
        // The password never shows.
        let e = parse_url(&Redacted::new("amqp://u:secret@h:x/")).unwrap_err();
        assert!(!e.to_string().contains("secret"), "{e}");
    }

    #[test]
    fn headers_have_the_wire_types_of_py_amqp() {
        let m = TaskMessage {
            task_name: "app.tasks.add".into(),
            task_id: Uuid::nil(),
            args: vec![serde_json::json!(1)],
            kwargs: serde_json::Map::new(),
            queue: "celery".into(),
            priority: None,
            eta: None,
            expires: Some(DateTime::from_timestamp(1_800_000_060, 0).unwrap()),
            origin: "stockura@h".into(),
            beat: true,
        };
        let a = AmqpMessage::new(&m);
        let headers = a.properties.headers().clone().unwrap();
        let h = headers.inner();
        let get = |k: &str| h.get(&ShortString::from(k)).unwrap().clone();
        assert!(matches!(get("task"), AMQPValue::LongString(_)));
        assert_eq!(get("shadow"), AMQPValue::Void);
        assert!(matches!(get("expires"), AMQPValue::LongString(_)));
        assert_eq!(get("retries"), AMQPValue::LongInt(0));
        assert_eq!(
            get("timelimit"),
            AMQPValue::FieldArray(vec![AMQPValue::Void, AMQPValue::Void].into())
        );
        assert_eq!(get("stamps"), AMQPValue::FieldTable(FieldTable::default()));
        assert_eq!(get("celery_beat_task"), AMQPValue::Boolean(true));
        assert!(
            h.values().all(|v| !matches!(v, AMQPValue::ShortString(_))),
            "no short strings in a header table"
        );
        assert_eq!(a.properties.priority(), &Some(0));
        assert_eq!(a.properties.delivery_mode(), &Some(2));
        assert_eq!(a.task_id(), Some(Uuid::nil()));
        assert_eq!(
            std::str::from_utf8(&a.body).unwrap(),
            r#"[[1], {}, {"callbacks": null, "errbacks": null, "chain": null, "chord": null}]"#
        );
        // The expiration is the lifetime left when it is published, never negative.
        let at = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        assert_eq!(
            a.properties_at(at)
                .expiration()
                .as_ref()
                .map(|e| e.to_string()),
            Some("60000".to_string())
        );
        let after = DateTime::from_timestamp(1_800_000_100, 0).unwrap();
        assert_eq!(
            a.properties_at(after)
                .expiration()
                .as_ref()
                .map(|e| e.to_string()),
            Some("0".to_string())
        );
        let mut none = m.clone();
        none.expires = None;
        assert!(
            AmqpMessage::new(&none)
                .properties_at(at)
                .expiration()
                .is_none()
        );
    }

    #[test]
    fn queue_arguments_are_celerys() {
        let q = QueueArguments {
            max_priority: Some(10),
            queue_type: Some("quorum".into()),
        };
        let t = q.table();
        assert_eq!(
            t.inner().get(&ShortString::from("x-max-priority")),
            Some(&AMQPValue::LongInt(10))
        );
        assert_eq!(q.describe(), "x-max-priority=10, x-queue-type=quorum");
        let classic = QueueArguments {
            max_priority: None,
            queue_type: Some("classic".into()),
        };
        assert!(classic.table().inner().is_empty());
        assert_eq!(classic.describe(), "no arguments");
    }
}
