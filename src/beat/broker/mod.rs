//! Brokers: where the messages of claimed slots go. One seam for every broker: a push of a
//! chunk's messages either lands (each message is on the broker, counted once), is refused in
//! part (the refused messages stay owed and are retried with the same task ids), or fails as a
//! whole (all owed). Redis pushes are atomic and carry a marker, so a retry never doubles a
//! message; RabbitMQ pushes are transactions (see `docs/celery-wire-format.md`), several of
//! them under way at once ([`Broker::begin`]).

pub mod amqp;
pub mod diagnose;
pub mod redis;

use std::time::Duration;

use uuid::Uuid;

pub use self::amqp::{AmqpBroker, AmqpError, AmqpMessage, Begun, QueueArguments, QueueState};
pub use self::redis::RedisBroker;
use super::message::BrokerLayout;
use crate::config::Redacted;
use crate::error::{Classify, ErrorKind};
use crate::sync::redis_conn::SyncError;

/// The set of Celery task ids of slots sent without a claim (the database was down), under the
/// broker's key prefix: a scheduler that later catches up (or takes over and sends during its
/// first lease) skips a slot found there, so a restart or a leader change during a database
/// outage does not send a slot twice.
pub const UNCLAIMED_KEY: &str = "stockura:unclaimed";

/// The set of Celery task ids a new leader sent during its first lease, under the broker's key
/// prefix: an old leader cut off from the database, still within its lease, checks it before
/// it sends without a claim. Kept only as long as such an overlap can last (twice the lease).
pub const RECENT_KEY: &str = "stockura:recent";

/// How a push guards against slots another scheduler sent: on Redis inside the push script
/// (`redis::PUSH_ONCE`), on RabbitMQ in `REDIS_URL` (`AmqpBroker::publish_guarded`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Guard {
    /// Skip the messages whose slot is in either set.
    pub check: bool,
    /// Add the pushed slots to the set of slots sent without a claim.
    pub record: bool,
    /// Else add them to the set of a new leader's recent sends, kept this many seconds.
    pub recent_secs: Option<u64>,
}

impl Guard {
    pub(super) fn flags(self) -> &'static str {
        match (self.check, self.record, self.recent_secs.is_some()) {
            (false, false, false) => "",
            (false, true, _) => "r",
            (false, false, true) => "t",
            (true, false, false) => "c",
            (true, true, _) => "cr",
            (true, false, true) => "ct",
        }
    }

    /// Whether the push checks or records anything.
    pub fn any(self) -> bool {
        self.check || self.record || self.recent_secs.is_some()
    }
}

/// The marker of one push: a key set in the same atomic step as the push's messages, so that a
/// later attempt of the push (a retry after a lost reply, or another scheduler that finds the
/// claimed rows still `owed`: they record the push's id) can tell whether it landed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    /// The push's id (16 hex digits), recorded in its rows' `push_marker`.
    pub id: String,
    /// The broker's `global_keyprefix`.
    pub prefix: String,
    /// `<global_keyprefix>stockura:push:<id>`.
    pub key: Vec<u8>,
    /// How long the broker keeps it: past the last moment the push could be retried.
    pub ttl_secs: u64,
}

impl Marker {
    /// The marker of push `id` under the broker's key prefix, kept `ttl_secs` (at least a
    /// minute).
    pub fn new(layout: &BrokerLayout, id: String, ttl_secs: u64) -> Self {
        let mut key = layout.global_keyprefix.as_bytes().to_vec();
        key.extend_from_slice(b"stockura:push:");
        key.extend_from_slice(id.as_bytes());
        Self {
            id,
            prefix: layout.global_keyprefix.clone(),
            key,
            ttl_secs: ttl_secs.max(60),
        }
    }
}

/// What a push did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pushed {
    /// The messages are on their lists now.
    Sent,
    /// An earlier attempt of this push had put them there (its reply was lost); nothing was
    /// pushed again.
    AlreadyThere,
    /// Another scheduler had sent these slots without a claim (the database was down then);
    /// nothing was pushed again.
    SentUnclaimed,
}

/// The detail of a slot found sent without a claim by another scheduler.
pub const SENT_UNCLAIMED: &str =
    "not sent again: another scheduler sent it while the database was down";

/// One encoded message, in its broker's form.
#[derive(Debug, Clone)]
pub enum Wire {
    /// kombu's Redis envelope and the list it goes on.
    Redis {
        /// The list key (prefix, queue and priority bucket).
        key: Vec<u8>,
        /// The JSON envelope.
        envelope: String,
    },
    /// An AMQP message (properties, headers and body).
    Amqp(Box<AmqpMessage>),
}

/// What a push that reached the broker did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Landed {
    /// How the messages got there.
    pub pushed: Pushed,
    /// Positions of the messages not pushed because another scheduler sent their slot without a
    /// claim (see [`Guard`]).
    pub elsewhere: Vec<usize>,
    /// Positions of the messages the broker did not take (a negative acknowledgement, a
    /// message returned as unroutable): owed, to retry.
    pub refused: Vec<usize>,
    /// Why, when `refused` is not empty.
    pub refusal: String,
}

impl Default for Landed {
    /// Nothing to push: all (none) sent.
    fn default() -> Self {
        Self::all(Pushed::Sent, Vec::new())
    }
}

impl Landed {
    fn all(pushed: Pushed, elsewhere: Vec<usize>) -> Self {
        Self {
            pushed,
            elsewhere,
            refused: Vec::new(),
            refusal: String::new(),
        }
    }
}

/// A push under way ([`Broker::begin`]): what it did is known once it lands.
pub struct Pending(Stage);

enum Stage {
    /// Answered already.
    Answered(Result<Landed, BrokerError>),
    /// A RabbitMQ transaction whose commit is under way.
    Committing(Box<amqp::Commit>),
}

impl Pending {
    /// Whether what it did is known, without waiting for it.
    pub fn settled(&mut self) -> bool {
        match &mut self.0 {
            Stage::Answered(_) => true,
            Stage::Committing(commit) => commit.settled(),
        }
    }

    /// What it did, waiting for the broker's answer (never past the push's deadline).
    pub async fn land(self) -> Result<Landed, BrokerError> {
        match self.0 {
            Stage::Answered(result) => result,
            Stage::Committing(commit) => Ok((*commit).land().await?),
        }
    }
}

/// A broker that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum BrokerError {
    /// A Redis broker.
    #[error(transparent)]
    Redis(#[from] SyncError),
    /// An AMQP broker.
    #[error(transparent)]
    Amqp(#[from] AmqpError),
}

impl BrokerError {
    /// Whether the broker may answer later (it did not answer, or the connection broke), as
    /// opposed to refusing the configuration (a bad URL, a wrong password, a queue declared
    /// with other arguments).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Redis(SyncError::Timeout { .. }) => true,
            Self::Redis(SyncError::Unreachable { source, .. }) => {
                source.is_io_error() || source.is_timeout() || source.is_connection_refusal()
            }
            Self::Redis(_) => false,
            Self::Amqp(e) => e.is_transient(),
        }
    }
}

impl Classify for BrokerError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::Redis(e) => e.kind(),
            Self::Amqp(e) => e.kind(),
        }
    }
    fn hint(&self) -> Option<String> {
        match self {
            Self::Redis(e) => e.hint(),
            Self::Amqp(e) => e.hint(),
        }
    }
}

/// Which kind of broker a URL names, by its scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Transport {
    /// `redis://`, `rediss://`, `unix://`, `sentinel://`.
    #[default]
    Redis,
    /// `amqp://`, `amqps://`, `pyamqp://`.
    Amqp,
}

impl Transport {
    /// The transport of a broker URL; `None` for schemes stockura cannot send to.
    pub fn of(url: &Redacted) -> Option<Self> {
        match url.scheme().as_str() {
            "redis" | "rediss" | "unix" | "sentinel" => Some(Self::Redis),
            "amqp" | "amqps" | "pyamqp" => Some(Self::Amqp),
            _ => None,
        }
    }
}

/// The broker the scheduler sends to.
pub enum Broker {
    /// A Redis broker.
    Redis(RedisBroker),
    /// A RabbitMQ broker.
    Amqp(Box<AmqpBroker>),
}

impl Broker {
    /// A broker at `url` (connected on first use), or `None` for a scheme stockura cannot send
    /// to. `timeout` bounds every step (a connection, a push, a commit).
    pub fn new(url: Redacted, timeout: Duration, queues: QueueArguments) -> Option<Self> {
        Some(match Transport::of(&url)? {
            Transport::Redis => Self::Redis(RedisBroker::new(url, timeout)),
            Transport::Amqp => Self::Amqp(Box::new(AmqpBroker::new(url, timeout, queues))),
        })
    }

    /// A Redis broker at `url`.
    pub fn redis(url: Redacted, timeout: Duration) -> Self {
        Self::Redis(RedisBroker::new(url, timeout))
    }

    /// The broker's URL, its password hidden.
    pub fn url(&self) -> &Redacted {
        match self {
            Self::Redis(b) => b.url(),
            Self::Amqp(b) => b.url(),
        }
    }

    /// Connects now (to fail fast at start).
    pub async fn connect(&mut self) -> Result<(), BrokerError> {
        match self {
            Self::Redis(b) => Ok(b.connect().await?),
            Self::Amqp(b) => Ok(b.connect().await?),
        }
    }

    /// Checks that `queue` can take messages as configured, creating nothing: on AMQP, a
    /// queue that exists with other arguments than stockura would declare it with is an
    /// error naming them (a missing queue is declared with the first message); nothing to do
    /// on Redis.
    pub async fn prepare(&mut self, queue: &str) -> Result<(), BrokerError> {
        match self {
            Self::Redis(_) => Ok(()),
            Self::Amqp(b) => Ok(b.verify(queue).await?),
        }
    }

    /// Pushes every message (see [`Self::push_guarded`]), without a guard.
    pub async fn push(&mut self, items: Vec<Wire>, marker: &Marker) -> Result<Landed, BrokerError> {
        self.push_guarded(items, &[], Guard::default(), marker)
            .await
    }

    /// Pushes every message of a chunk. On Redis: in one atomic script with the push's marker,
    /// nothing when the marker shows an earlier attempt landed, skipping slots another
    /// scheduler sent without a claim (the [`Guard`] over `ids`, aligned with `items`); a
    /// connection found broken is re-opened and the push tried once more. On AMQP: published
    /// in one transaction, the returned ones reported in [`Landed::refused`].
    pub async fn push_guarded(
        &mut self,
        items: Vec<Wire>,
        ids: &[Uuid],
        guard: Guard,
        marker: &Marker,
    ) -> Result<Landed, BrokerError> {
        self.begin(items, ids, guard, marker).await.land().await
    }

    /// [`Self::push_guarded`], begun: on AMQP an unguarded push returns once its messages and
    /// its commit are sent, and the next push can be begun while the broker commits it; on
    /// Redis the push is done when this returns. At most [`Self::lanes`] pushes may be under
    /// way: the oldest lands before another begins (a push begun beyond them is not taken,
    /// and its slots are owed).
    pub async fn begin(
        &mut self,
        items: Vec<Wire>,
        ids: &[Uuid],
        guard: Guard,
        marker: &Marker,
    ) -> Pending {
        Pending(match self {
            Self::Redis(b) => Stage::Answered(
                b.push_guarded(redis_items(items), ids, guard, marker)
                    .await
                    .map(|(pushed, elsewhere)| Landed::all(pushed, elsewhere))
                    .map_err(BrokerError::from),
            ),
            Self::Amqp(b) => match b.begin(amqp_items(&items), ids, guard, marker).await {
                Ok(Begun::Landed(landed)) => Stage::Answered(Ok(landed)),
                Ok(Begun::Committing(commit)) => Stage::Committing(Box::new(commit)),
                Err(e) => Stage::Answered(Err(e.into())),
            },
        })
    }

    /// How many pushes [`Self::begin`] may have under way at once.
    pub fn lanes(&self) -> usize {
        match self {
            Self::Redis(_) => 1,
            Self::Amqp(_) => amqp::LANES,
        }
    }

    /// [`Self::push_guarded`] of borrowed items, tried once (the caller retries): the retry
    /// of an earlier push with the same marker, which is not sent again if it landed.
    pub async fn push_again(
        &mut self,
        items: &[Wire],
        ids: &[Uuid],
        guard: Guard,
        marker: &Marker,
    ) -> Result<Landed, BrokerError> {
        match self {
            Self::Redis(b) => {
                // Borrowed: an owed push is retried many times, each without a copy.
                let items = redis_refs(items);
                let (pushed, elsewhere) = b.push_again(&items, ids, guard, marker).await?;
                Ok(Landed::all(pushed, elsewhere))
            }
            Self::Amqp(b) => {
                // An earlier attempt may have landed without its sender learning so (its
                // commit's answer was lost, or it stopped before recording it).
                if b.landed(marker).await? {
                    return Ok(Landed::all(Pushed::AlreadyThere, Vec::new()));
                }
                Ok(b.publish_guarded(amqp_items(items), ids, guard, marker)
                    .await?)
            }
        }
    }

    /// Keeps the guard sets of an AMQP broker in the Redis at `url` (a Redis broker keeps
    /// them itself).
    pub fn keep_guards_in(&mut self, url: Redacted) {
        if let Self::Amqp(b) = self {
            b.keep_guards_in(url);
        }
    }

    /// Whether a push with this marker landed.
    pub async fn landed(&mut self, marker: &Marker) -> Result<bool, BrokerError> {
        match self {
            Self::Redis(b) => Ok(b.landed(marker).await?),
            Self::Amqp(b) => Ok(b.landed(marker).await?),
        }
    }

    /// Lets go of the markers of pushes the history now records sent: on AMQP their queues
    /// are deleted (they would expire by themselves); Redis markers expire by themselves.
    pub async fn forget(&mut self, markers: &[Marker]) {
        match self {
            Self::Redis(_) => {}
            Self::Amqp(b) => b.forget(markers).await,
        }
    }

    /// [`Self::forget`], and on Redis the markers deleted at once: for pushes of one message
    /// each (`schedule backfill`), whose markers, kept a week, would otherwise outnumber them.
    pub async fn forget_now(&mut self, markers: &[Marker]) {
        match self {
            Self::Redis(b) => b.delete_markers(markers).await,
            Self::Amqp(b) => b.forget(markers).await,
        }
    }
}

/// The Redis form of the messages (an AMQP one here is a bug: it is dropped with an error log,
/// and its slot is found owed later).
fn redis_items(items: Vec<Wire>) -> Vec<(Vec<u8>, String)> {
    items
        .into_iter()
        .filter_map(|w| match w {
            Wire::Redis { key, envelope } => Some((key, envelope)),
            Wire::Amqp(_) => {
                tracing::error!("an AMQP message was given to a Redis broker; not sent");
                None
            }
        })
        .collect()
}

/// [`redis_items`] borrowed.
fn redis_refs(items: &[Wire]) -> Vec<(&[u8], &str)> {
    items
        .iter()
        .filter_map(|w| match w {
            Wire::Redis { key, envelope } => Some((key.as_slice(), envelope.as_str())),
            Wire::Amqp(_) => {
                tracing::error!("an AMQP message was given to a Redis broker; not sent");
                None
            }
        })
        .collect()
}

/// The AMQP form of the messages; `None` for a Redis one (refused, never sent elsewhere).
fn amqp_items(items: &[Wire]) -> Vec<Option<&AmqpMessage>> {
    items
        .iter()
        .map(|w| match w {
            Wire::Amqp(m) => Some(&**m),
            Wire::Redis { .. } => None,
        })
        .collect()
}
