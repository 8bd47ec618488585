//! Dispatch: turn due slots into history rows and Celery messages. Each batch is one database
//! insert (the rows claim their slots), one push to the broker for the claimed ones (see
//! [`super::broker`]), and one bookkeeping update.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::broker::{AmqpMessage, Pending as Underway, Transport};
pub use super::broker::{
    Broker, BrokerError, Guard, Landed, Marker, Pushed, RECENT_KEY, SENT_UNCLAIMED, UNCLAIMED_KEY,
    Wire,
};
use super::message::{BrokerLayout, TaskMessage, slot_task_id};
use super::plan::{Due, Missed};
use crate::domain::policy::Decision;
use crate::domain::run::{NewRun, RunStatus, Trigger};
use crate::domain::task::{ParameterSchema, violations_error};
use crate::domain::{Arguments, Job};
use crate::store::{RunStore, StoreError, TaskStore};

/// How messages are built and where they go.
#[derive(Debug, Clone)]
pub struct DispatchOptions {
    /// Record and log, send nothing.
    pub dry_run: bool,
    /// The queue of schedules that name none.
    pub default_queue: String,
    /// The broker's key layout.
    pub layout: BrokerLayout,
    /// The `origin` header: `stockura@<host>`.
    pub origin: String,
    /// Rows per claim statement and broker round trip ([`CHUNK_ROWS`]; tests use a few).
    pub chunk_rows: usize,
    /// How long after its slot an owed message is still sent ([`send_deadline`]).
    pub send_deadline: chrono::Duration,
    /// How long a statement on the dispatch path (a claim, the bookkeeping) may take before
    /// the database counts as down for the rest of the batch ([`STATEMENT_TIMEOUT`]).
    pub statement_timeout: Duration,
}

impl DispatchOptions {
    /// A fresh marker for one push ([`Self::marker_with_id`]).
    pub fn marker(&self) -> Marker {
        // 16 hex digits (62 random bits): written into every claimed row, so kept short.
        self.marker_with_id(format!("{:016x}", Uuid::new_v4().as_u64_pair().1))
    }

    /// The marker of push `id` (a fresh one, or one a claimed row recorded), kept a day longer
    /// than the push could still be retried (its send deadline): whoever finds the row owed
    /// later, even past its deadline, can still tell whether it was sent.
    pub fn marker_with_id(&self, id: String) -> Marker {
        let deadline = u64::try_from(self.send_deadline.num_seconds()).unwrap_or(0);
        Marker::new(&self.layout, id, deadline.saturating_add(MARKER_GRACE_SECS))
    }
}

/// How much longer than its send deadline a push's marker is kept: one key per push (a chunk of
/// up to [`CHUNK_ROWS`] messages), so a day of them is a few thousand small keys.
pub const MARKER_GRACE_SECS: u64 = 86_400;

/// The default deadline of a statement on the dispatch path: half the default lease, so a
/// hung database makes a boundary a few seconds late, not as late as the hang, and the
/// leader keeps its lease.
pub const STATEMENT_TIMEOUT: Duration = Duration::from_secs(5);

/// Compiled parameter schemas by task name, reloaded when definitions change.
#[derive(Debug, Default, Clone)]
pub struct Definitions {
    schemas: HashMap<String, Arc<ParameterSchema>>,
}

impl Definitions {
    /// Loads and compiles every definition's schema; an unusable stored schema is skipped.
    pub async fn load<S: TaskStore>(store: &S) -> Result<Self, StoreError> {
        let mut schemas = HashMap::new();
        for t in store.list_tasks(None).await? {
            if let Some(schema) = &t.task.parameter_schema {
                match ParameterSchema::compile(schema) {
                    Ok(compiled) => {
                        schemas.insert(t.task.task_name.clone(), Arc::new(compiled));
                    }
                    Err(e) => {
                        tracing::warn!(task = %t.task.task_name, error = %e.message, "unusable parameter schema; not validating")
                    }
                }
            }
        }
        Ok(Self { schemas })
    }

    /// The violations of a schedule's kwargs, as one text; `None` when valid or undefined.
    pub fn check(
        &self,
        task_name: &str,
        kwargs: &serde_json::Map<String, serde_json::Value>,
    ) -> Option<String> {
        let schema = self.schemas.get(task_name)?;
        let violations = schema.violations(kwargs);
        (!violations.is_empty()).then(|| violations_error(task_name, &violations).message)
    }

    /// [`Self::check`] of a job's arguments: parsed only when the task has a schema.
    pub fn check_arguments(&self, task_name: &str, arguments: &Arguments) -> Option<String> {
        if !self.schemas.contains_key(task_name) {
            return None;
        }
        self.check(task_name, &arguments.kwargs())
    }
}

/// What one batch did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Outcome {
    /// Messages sent.
    pub dispatched: usize,
    /// Runs recorded `dry_run`.
    pub dry_run: usize,
    /// Runs recorded `failed` (invalid parameters or a broker error).
    pub failed: usize,
    /// Slots another scheduler had already claimed.
    pub already_claimed: usize,
    /// Runs recorded `skipped` (execution policy).
    pub skipped: usize,
    /// Runs recorded `deferred`, to hold: (row id, index into the batch's due slots).
    pub deferred: Vec<(i64, usize)>,
    /// Missed slots recorded.
    pub missed: usize,
    /// Messages sent: the index of the slot in the batch's due slots, and its Celery task id.
    pub sent: Vec<(usize, Uuid)>,
    /// Slots recorded `skipped`, `failed` or `dry_run` (by index into the due slots).
    pub marked: Vec<(usize, RunStatus)>,
    /// Claimed rows whose push answered: `owed` until the batch end turns them `dispatched`
    /// (or the backlog does, when the database is down).
    pub confirmed: Vec<i64>,
    /// Claimed rows whose slot another scheduler had sent without a claim: not pushed again,
    /// recorded `dispatched` with [`SENT_UNCLAIMED`].
    pub sent_elsewhere: Vec<i64>,
    /// Slots that ran (sent), by schedule.
    pub ran: Vec<(Uuid, DateTime<Utc>)>,
    /// Slots the broker did not take, to be retried by the caller with the same task ids.
    /// Their claimed rows are marked `owed` before the batch returns (`recorded`) unless the
    /// database is down; rows never claimed travel in `row`.
    pub owed: Vec<Owed>,
    /// Rows and bookkeeping that could not be written (database unavailable): retried later.
    pub backlog: Backlog,
    /// Whether the database failed or missed a deadline during the batch.
    pub database_down: bool,
    /// Messages of the batch that were encoded ahead of its instant.
    pub prebuilt: usize,
    /// Milliseconds from the start of the batch until the claims were in.
    pub claimed_ms: u64,
    /// Milliseconds from the start of the batch until the broker had every message.
    pub sent_ms: u64,
    /// The markers of the pushes that landed (let go once their rows say `dispatched`).
    pub landed: Vec<Marker>,
}

/// A slot the broker has not taken yet. Its history row (when the database took the claim)
/// is `owed`; it is sent again with the same Celery task id until the broker takes it (the row
/// becomes `dispatched`) or its deadline passes (`failed`, with the reason).
#[derive(Debug, Clone, PartialEq)]
pub struct Owed {
    /// The slot, with the schedule as it is sent.
    pub due: Due,
    /// The Celery task id it is sent with.
    pub task_id: Uuid,
    /// Its history row; `None` when the database was down at the claim.
    pub run_id: Option<i64>,
    /// The row to write once settled, when the database was down at the claim.
    pub row: Option<NewRun>,
    /// The push it was last part of: a push that landed with its reply lost is known by it.
    pub marker: Marker,
    /// Why the broker did not take it (the latest error).
    pub error: String,
    /// Whether its row says `owed` (false while the database could not be told).
    pub recorded: bool,
}

/// The detail of an owed row.
pub fn owed_detail(error: &str) -> String {
    format!("owed: the broker did not take it ({error}); retried until it does")
}

/// How long after its slot an owed message is still sent: the catch-up window, at least five
/// minutes (a slot with `expires` gives up at its expiry, if that is sooner).
pub fn send_deadline(catchup_window: chrono::Duration) -> chrono::Duration {
    catchup_window.max(chrono::Duration::minutes(5))
}

/// A change of state of existing rows, to write once the database answers.
#[derive(Debug, Clone, PartialEq)]
pub struct Settle {
    /// The rows.
    pub ids: Vec<i64>,
    /// Their new status (`owed`, `dispatched` or `failed`).
    pub status: RunStatus,
    /// The send time, for `dispatched`.
    pub dispatched_at: Option<DateTime<Utc>>,
    /// The detail.
    pub detail: String,
}

/// History the database could not take yet.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Backlog {
    /// Rows to insert.
    pub runs: Vec<NewRun>,
    /// Bookkeeping to apply.
    pub ran: Vec<(Uuid, DateTime<Utc>)>,
    /// Owed rows' states to write, in order.
    pub settle: Vec<Settle>,
}

impl Backlog {
    /// Whether nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.runs.is_empty() && self.ran.is_empty() && self.settle.is_empty()
    }

    /// Writes what is pending; keeps it on failure.
    pub async fn flush<S: RunStore>(&mut self, store: &S) -> Result<(), StoreError> {
        if !self.runs.is_empty() {
            store.insert_runs(&self.runs).await?;
            self.runs.clear();
        }
        while let Some(s) = self.settle.first() {
            store
                .settle_runs(&s.ids, s.status, s.dispatched_at, &s.detail)
                .await?;
            self.settle.remove(0);
        }
        if !self.ran.is_empty() {
            store.record_dispatch(&self.ran).await?;
            self.ran.clear();
        }
        Ok(())
    }
}

pub use crate::domain::schedule::MAX_EXPIRES_SECONDS;

/// The instant a slot's message expires at: the slot plus the schedule's `expires` seconds.
/// An error names the problem when the value cannot be sent (not a positive number of seconds
/// up to [`MAX_EXPIRES_SECONDS`]); the arithmetic is checked, never a panic.
pub fn expires_at(
    slot: DateTime<Utc>,
    expires: Option<&serde_json::Number>,
) -> Result<Option<DateTime<Utc>>, String> {
    let Some(expires) = expires else {
        return Ok(None);
    };
    let secs = expires
        .as_f64()
        .filter(|s| s.is_finite() && *s > 0.0 && *s <= MAX_EXPIRES_SECONDS)
        .ok_or_else(|| {
            format!(
                "cannot run as stored: expires {expires} is not a number of seconds above 0 and at most {MAX_EXPIRES_SECONDS}"
            )
        })?;
    #[allow(clippy::cast_possible_truncation)]
    let millis = (secs * 1000.0) as i64;
    chrono::Duration::try_milliseconds(millis)
        .and_then(|d| slot.checked_add_signed(d))
        .map(Some)
        .ok_or_else(|| {
            format!("cannot run as stored: slot {slot} plus expires {expires} s is out of range")
        })
}

/// The message of a due slot, or why it cannot be built (the run is then recorded `failed`
/// with that reason, and the other slots of its batch are sent).
pub fn message_for(
    due: &Due,
    task_id: Uuid,
    options: &DispatchOptions,
) -> Result<TaskMessage, String> {
    let s = &due.schedule;
    let expires = expires_at(due.slot, s.expires.as_ref())?;
    Ok(TaskMessage {
        task_name: s.task_name.clone(),
        task_id,
        args: s.arguments.args(),
        kwargs: s.arguments.kwargs(),
        queue: s
            .queue
            .clone()
            .unwrap_or_else(|| options.default_queue.clone()),
        priority: s.priority,
        eta: None,
        expires,
        origin: options.origin.clone(),
        beat: due.trigger != Trigger::Manual,
    })
}

/// Rows per claim statement and messages per broker round trip. A large batch (the start of
/// 100,000 overdue schedules owes 200,000 rows) goes in chunks: memory stays bounded by a chunk,
/// the first messages leave after the first chunk's claim, and each chunk's push overlaps the
/// next chunk's claim.
pub const CHUNK_ROWS: usize = 5_000;

/// Rows per chunk for a broker: [`CHUNK_ROWS`], or on RabbitMQ one transaction's worth
/// ([`super::broker::amqp::TRANSACTION_ROWS`]: the broker routes a transaction's messages at
/// its commit, so smaller pushes, committed while the next ones are claimed and published,
/// land sooner).
pub fn chunk_rows(transport: Transport) -> usize {
    match transport {
        Transport::Redis => CHUNK_ROWS,
        Transport::Amqp => super::broker::amqp::TRANSACTION_ROWS,
    }
}

/// An encoded message, in its broker's form, and its Celery task id.
pub type Encoded = (Wire, Uuid);

/// The most messages encoded ahead of an instant: the first chunks, whose claims then have the
/// machine to themselves (about 1.3 KB of memory per message held).
pub const PREBUILD_MAX: usize = 10_000;

/// Messages encoded ahead of the instant they are due at (see [`Prebuilt::build`]).
#[derive(Debug, Default)]
pub struct Prebuilt {
    messages: HashMap<(Uuid, DateTime<Utc>), (Arc<Job>, Encoded)>,
}

impl Prebuilt {
    /// Encodes the messages of these scheduled slots (CPU only: run it off the loop's thread).
    pub fn build(due: &[Due], options: &DispatchOptions) -> Self {
        let mut tags = DeliveryTags::new();
        let messages = due
            .iter()
            .filter(|d| d.trigger == Trigger::Schedule)
            .filter_map(|d| {
                // A slot whose message cannot be built is left to the batch, which records why.
                let m = message_for(d, slot_task_id(d.schedule.id, d.slot), options).ok()?;
                let encoded = encode(&m, &options.layout, &mut tags);
                Some(((d.schedule.id, d.slot), (d.schedule.clone(), encoded)))
            })
            .collect();
        Self { messages }
    }

    /// How many messages are held.
    pub fn len(&self) -> usize {
        self.messages.len()
    }

    /// Whether none are held.
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    /// The message of a due slot, when it was built from this very schedule value (a schedule
    /// reloaded since is a new value and is encoded afresh).
    fn take(&mut self, d: &Due) -> Option<Encoded> {
        if d.trigger != Trigger::Schedule {
            return None;
        }
        let (schedule, encoded) = self.messages.remove(&(d.schedule.id, d.slot))?;
        Arc::ptr_eq(&schedule, &d.schedule).then_some(encoded)
    }
}

/// A message in the form of the layout's broker: on Redis the list key and the envelope (with
/// the next delivery tag), on AMQP the properties, headers and body; with its task id.
pub fn encode(m: &TaskMessage, layout: &BrokerLayout, tags: &mut DeliveryTags) -> Encoded {
    let wire = match layout.transport {
        Transport::Redis => Wire::Redis {
            key: layout.list_key(&m.queue, m.priority),
            envelope: m.envelope(tags.draw()),
        },
        Transport::Amqp => Wire::Amqp(Box::new(AmqpMessage::new(m))),
    };
    (wire, m.task_id)
}

/// A message to send: still to encode, or encoded ahead.
enum Pending {
    Build(TaskMessage),
    Ready(Encoded),
}

/// One chunk, built, its messages being encoded.
struct Built {
    /// Index of the chunk's first row in the batch (due slots first, then missed ones).
    start: usize,
    rows: Vec<NewRun>,
    /// The push that carries the chunk's messages (its rows name it).
    marker: Marker,
    encoding: tokio::task::JoinHandle<Vec<Option<Encoded>>>,
    build: Duration,
}

/// One chunk, built, claimed and encoded.
struct Prepared {
    /// Index of the chunk's first row in the batch (due slots first, then missed ones).
    start: usize,
    rows: Vec<NewRun>,
    marker: Marker,
    claims: Result<Vec<Option<i64>>, StoreError>,
    /// Aligned with `rows`: the message of each row to send.
    envelopes: Vec<Option<Encoded>>,
    build: Duration,
    claim: Duration,
}

/// One chunk, its push begun.
struct Sending {
    /// Index of the chunk's first row in the batch.
    start: usize,
    /// The rows, kept only when no claim was written (they go to the backlog).
    rows: Vec<NewRun>,
    unclaimed: bool,
    marker: Marker,
    /// Aligned with the push's messages: the row index, the run id and the task id of each.
    pushed: Vec<(usize, i64, Uuid)>,
    /// How many messages the push carries.
    count: usize,
    push: Push,
}

/// A chunk's push.
enum Push {
    /// Known without the broker: nothing to push, or not tried (why).
    Known(Result<Landed, String>),
    /// Begun on the broker.
    Underway(Underway),
}

impl Push {
    /// Whether what it did is known, without waiting.
    fn settled(&mut self) -> bool {
        match self {
            Self::Known(_) => true,
            Self::Underway(pending) => pending.settled(),
        }
    }
}

/// What a batch reads, shared by its chunks.
struct Batch<'a, S> {
    store: &'a S,
    definitions: &'a Definitions,
    options: &'a DispatchOptions,
    due: &'a [Due],
    decisions: &'a [Decision],
    missed: &'a [Missed],
    now: DateTime<Utc>,
    /// The messages encoded ahead, taken as their rows are built.
    prebuilt: std::sync::Mutex<Prebuilt>,
    /// How many of them were used.
    prebuilt_used: std::sync::atomic::AtomicUsize,
    /// Set once a claim failed or timed out (or the database was already known to be down):
    /// the batch's other chunks go out unclaimed at once instead of each waiting in turn.
    database_down: std::sync::atomic::AtomicBool,
    /// Set when the scheduler must exit at once (a second signal): chunks not yet pushed are
    /// neither claimed nor pushed; their slots stay owed for the next scheduler.
    abort: Option<&'a std::sync::atomic::AtomicBool>,
    /// Within the first lease of a new leader (the lease): every push checks the slots sent
    /// by another scheduler and records its own as recent ([`Guard`]), since the previous
    /// leader may still be sending the same slots without a claim.
    takeover: Option<Duration>,
}

/// Where a batch's time goes, summed over its chunks.
#[derive(Default)]
struct Stages {
    build: Duration,
    claim: Duration,
    push: Duration,
    first_sent: Option<Duration>,
}

impl<S: RunStore> Batch<'_, S> {
    /// Whether the scheduler must exit at once.
    fn aborted(&self) -> bool {
        self.abort
            .is_some_and(|a| a.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// The history row of due slot `n`, and whether its message is to be sent (by the push
    /// `marker`: a row to send claims its slot as `owed`, naming the push, and becomes
    /// `dispatched` once the push answered).
    fn due_row(&self, n: usize, marker: &Marker) -> (NewRun, Option<Pending>) {
        let d = &self.due[n];
        let s = &d.schedule;
        let task_id = match d.trigger {
            Trigger::Manual | Trigger::Resend => Uuid::new_v4(),
            Trigger::Schedule | Trigger::Catchup | Trigger::Backfill => slot_task_id(s.id, d.slot),
        };
        let invalid = self.definitions.check_arguments(&s.task_name, &s.arguments);
        // The message is built before anything is claimed: a row that cannot become a message
        // (a value written by another program out of range) is recorded failed with the reason.
        let (invalid, built) = match (invalid, self.options.dry_run) {
            (Some(why), _) => (Some(why), None),
            (None, dry_run) => match self.prebuilt_or_build(d, task_id) {
                Ok(message) => (None, (!dry_run).then_some(message)),
                Err(why) => (Some(why), None),
            },
        };
        let decision = self.decisions.get(n).unwrap_or(&Decision::Send);
        let (status, detail) = match (invalid, decision, self.options.dry_run) {
            (Some(why), _, _) => (RunStatus::Failed, Some(why)),
            (None, Decision::Send, true) => (RunStatus::DryRun, None),
            (None, Decision::Skip(why), true) => {
                (RunStatus::DryRun, Some(format!("would skip: {why}")))
            }
            (None, Decision::Defer(why), true) => {
                (RunStatus::DryRun, Some(format!("would queue: {why}")))
            }
            (None, Decision::Send, false) => (RunStatus::Owed, None),
            (None, Decision::Skip(why), false) => (RunStatus::Skipped, Some(why.clone())),
            (None, Decision::Defer(why), false) => (RunStatus::Deferred, Some(why.clone())),
        };
        let sending = status == RunStatus::Owed;
        let message = built.filter(|_| sending);
        let row = NewRun {
            schedule_id: Some(s.id),
            schedule_name: s.name.clone(),
            task_name: s.task_name.clone(),
            celery_task_id: (status != RunStatus::Skipped).then_some(task_id),
            scheduled_for: d.slot,
            dispatched_at: None,
            trigger: d.trigger,
            status,
            detail,
            arguments: s.arguments.clone(),
            push_marker: sending.then(|| marker.id.clone()),
        };
        (row, message)
    }

    /// The message of due slot `d`: the one encoded ahead when there is one, else built now
    /// (encoded on the encoding thread).
    fn prebuilt_or_build(&self, d: &Due, task_id: Uuid) -> Result<Pending, String> {
        let ready = self
            .prebuilt
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take(d);
        match ready {
            Some(encoded) => {
                self.prebuilt_used
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                Ok(Pending::Ready(encoded))
            }
            None => message_for(d, task_id, self.options).map(Pending::Build),
        }
    }

    /// The history row of missed slot `n`.
    fn missed_row(&self, n: usize) -> NewRun {
        let m = &self.missed[n];
        NewRun {
            schedule_id: Some(m.schedule.id),
            schedule_name: m.schedule.name.clone(),
            task_name: m.schedule.task_name.clone(),
            celery_task_id: None,
            scheduled_for: m.slot,
            dispatched_at: None,
            trigger: Trigger::Schedule,
            status: RunStatus::Missed,
            detail: m.count.as_ref().map(|c| c.detail()),
            arguments: m.schedule.arguments.clone(),
            push_marker: None,
        }
    }

    /// Builds the rows of `range` and starts encoding their messages on another thread.
    fn build(&self, range: std::ops::Range<usize>) -> Built {
        let started = std::time::Instant::now();
        let marker = self.options.marker();
        let mut rows = Vec::with_capacity(range.len());
        let mut messages = Vec::with_capacity(range.len());
        for n in range.clone() {
            if n < self.due.len() {
                let (row, message) = self.due_row(n, &marker);
                rows.push(row);
                messages.push(message);
            } else {
                rows.push(self.missed_row(n - self.due.len()));
                messages.push(None);
            }
        }
        let layout = self.options.layout.clone();
        let encoding = tokio::task::spawn_blocking(move || {
            let mut tags = DeliveryTags::new();
            messages
                .into_iter()
                .map(|m| {
                    m.map(|m| match m {
                        Pending::Ready(encoded) => encoded,
                        Pending::Build(m) => encode(&m, &layout, &mut tags),
                    })
                })
                .collect::<Vec<_>>()
        });
        Built {
            start: range.start,
            rows,
            marker,
            encoding,
            build: started.elapsed(),
        }
    }

    /// Claims a built chunk's rows; its messages are encoded meanwhile.
    async fn claim(&self, built: Built) -> Prepared {
        let Built {
            start,
            rows,
            marker,
            encoding,
            build,
        } = built;
        let started = std::time::Instant::now();
        // Claim first: only slots this insert wins are sent. A database known to be down is
        // not waited for; one that does not answer within the deadline is taken to be down.
        let claims = if self.aborted() {
            Err(StoreError::NoAnswer {
                what: "(not asked: the scheduler is exiting)".into(),
            })
        } else if self
            .database_down
            .load(std::sync::atomic::Ordering::Relaxed)
        {
            Err(StoreError::NoAnswer {
                what: "(it was unavailable at the last attempt; not waiting for it)".into(),
            })
        } else {
            let claims = crate::store::within_unless_refused(
                self.store,
                self.options.statement_timeout,
                "the claim",
                self.store.insert_runs(&rows),
            )
            .await;
            if claims.is_err() {
                self.database_down
                    .store(true, std::sync::atomic::Ordering::Relaxed);
            }
            claims
        };
        let claim = started.elapsed();
        let envelopes = match encoding.await {
            Ok(built) => built,
            Err(e) => {
                // Building cannot fail; a panic there is a bug: record it rather than lose the runs.
                tracing::error!(error = %e, "building the messages failed");
                vec![None; rows.len()]
            }
        };
        Prepared {
            start,
            rows,
            marker,
            claims,
            envelopes,
            build,
            claim,
        }
    }

    /// Sorts a claimed chunk's rows into the outcome and begins the push of its messages
    /// ([`Broker::begin`]); [`Self::land`] takes in what the push did. After a broker failure
    /// the following chunks of the batch are not tried (each would wait for the same
    /// timeout): their slots are owed at once.
    async fn start(
        &self,
        prepared: Prepared,
        broker: &mut Option<&mut Broker>,
        failure: &mut Option<String>,
        outcome: &mut Outcome,
        stages: &mut Stages,
        started: std::time::Instant,
    ) -> Sending {
        let Prepared {
            start,
            mut rows,
            marker,
            claims,
            envelopes,
            build,
            claim,
        } = prepared;
        stages.build += build;
        stages.claim += claim;
        let unclaimed = claims.is_err();
        let claims: Vec<Option<i64>> = match claims {
            Ok(claims) => claims,
            Err(e) => {
                let cause = std::error::Error::source(&e)
                    .map(|c| format!(": {c}"))
                    .unwrap_or_default();
                tracing::warn!(error = %format!("{e}{cause}"), rows = rows.len(), "database unavailable: dispatching without claims, history kept for later");
                // A run cannot be held without its row (the claim a later send needs).
                for row in &mut rows {
                    if row.status == RunStatus::Deferred {
                        row.status = RunStatus::Skipped;
                        row.celery_task_id = None;
                        row.detail = Some(format!(
                            "{}; not queued: the database was unavailable",
                            row.detail.as_deref().unwrap_or_default()
                        ));
                    }
                }
                vec![Some(-1); rows.len()]
            }
        };
        outcome.claimed_ms = millis(started.elapsed());
        let mut batch = Vec::new();
        // Aligned with `batch`: the row index, the run id and the task id of each message.
        let mut pushed: Vec<(usize, i64, Uuid)> = Vec::new();
        for (i, ((row, claim), message)) in rows.iter().zip(&claims).zip(envelopes).enumerate() {
            let n = start + i;
            let Some(d) = self.due.get(n) else {
                break;
            };
            match (claim, row.status) {
                (None, _) => outcome.already_claimed += 1,
                (Some(_), RunStatus::Skipped) => {
                    outcome.skipped += 1;
                    outcome.marked.push((n, RunStatus::Skipped));
                    tracing::info!(schedule = %d.schedule.name, slot = %d.slot, reason = row.detail.as_deref().unwrap_or_default(), "skipped");
                }
                (Some(id), RunStatus::Deferred) => {
                    outcome.deferred.push((*id, n));
                    tracing::info!(schedule = %d.schedule.name, slot = %d.slot, reason = row.detail.as_deref().unwrap_or_default(), "queued until the previous run finishes");
                }
                (Some(_), RunStatus::Failed) => {
                    outcome.failed += 1;
                    outcome.marked.push((n, RunStatus::Failed));
                    tracing::warn!(schedule = %d.schedule.name, task = %d.schedule.task_name, slot = %d.slot, reason = row.detail.as_deref().unwrap_or_default(), "cannot be sent as stored; recorded failed");
                }
                (Some(_), RunStatus::DryRun) => {
                    outcome.dry_run += 1;
                    outcome.marked.push((n, RunStatus::DryRun));
                    tracing::info!(schedule = %d.schedule.name, task = %d.schedule.task_name, slot = %d.slot, trigger = %d.trigger, "dry run: would send");
                }
                (Some(id), _) => {
                    if let Some((wire, task_id)) = message {
                        batch.push(wire);
                        pushed.push((i, *id, task_id));
                    }
                }
            }
        }
        // The rows are needed after the push only when no claim was written (they go to the
        // backlog); otherwise they are freed before the push.
        let rows = if unclaimed {
            rows
        } else {
            drop(rows);
            Vec::new()
        };
        // A push that may carry a slot another scheduler sent without a claim checks the set
        // of such slots (a catch-up, a push while the database is down, the pushes of a new
        // leader's first lease); pushes without a claim are recorded there, a new leader's in the
        // short-lived set of its recent sends.
        let catching_up = pushed.iter().any(|&(i, _, _)| {
            matches!(
                self.due[start + i].trigger,
                Trigger::Catchup | Trigger::Backfill
            )
        });
        let guard = Guard {
            check: unclaimed || catching_up || self.takeover.is_some(),
            record: unclaimed,
            recent_secs: self.takeover.map(|lease| (lease * 2).as_secs().max(60)),
        };
        let ids: Vec<Uuid> = if guard.any() {
            pushed.iter().map(|&(_, _, task_id)| task_id).collect()
        } else {
            Vec::new()
        };
        let count = batch.len();
        let pushing = std::time::Instant::now();
        let push = if batch.is_empty() {
            Push::Known(Ok(Landed::default()))
        } else {
            if failure.is_none() && self.aborted() {
                *failure = Some("the scheduler was told to exit at once before sending it".into());
            }
            match (failure.as_ref(), broker.as_deref_mut()) {
                (Some(earlier), _) => Push::Known(Err(earlier.clone())),
                (None, Some(broker)) => {
                    let pending = broker.begin(batch, &ids, guard, &marker).await;
                    stages.push += pushing.elapsed();
                    Push::Underway(pending)
                }
                (None, None) => Push::Known(Ok(Landed::default())),
            }
        };
        Sending {
            start,
            rows,
            unclaimed,
            marker,
            pushed,
            count,
            push,
        }
    }

    /// Takes in what a chunk's push did (waiting for the broker's answer): the slots the
    /// broker did not take become owed (see [`Owed`]), and the caller retries them with the
    /// same task ids.
    async fn land(
        &self,
        sending: Sending,
        failure: &mut Option<String>,
        outcome: &mut Outcome,
        stages: &mut Stages,
        started: std::time::Instant,
    ) {
        let Sending {
            start,
            rows,
            unclaimed,
            marker,
            pushed,
            count,
            push,
        } = sending;
        let result = match push {
            Push::Known(result) => result,
            Push::Underway(pending) => {
                let landing = std::time::Instant::now();
                let result = pending.land().await.map_err(|e| {
                    let cause = std::error::Error::source(&e)
                        .map(|c| format!(": {c}"))
                        .unwrap_or_default();
                    let detail = format!("{e}{cause}");
                    tracing::error!(error = %detail, messages = count, "dispatch failed: the broker did not take the batch; the slots stay owed and are retried");
                    failure.get_or_insert_with(|| detail.clone());
                    detail
                });
                stages.push += landing.elapsed();
                result
            }
        };
        let (skipped, refused, refusal) = match result {
            Ok(landed) => (landed.elsewhere, landed.refused, landed.refusal),
            Err(error) => (Vec::new(), (0..pushed.len()).collect(), error),
        };
        if !refused.is_empty() && refused.len() < count {
            tracing::error!(error = %refusal, messages = refused.len(), of = count, "dispatch failed in part: the broker did not take some messages; their slots stay owed and are retried");
            failure.get_or_insert_with(|| refusal.clone());
        }
        let sent = count
            .saturating_sub(skipped.len())
            .saturating_sub(refused.len());
        if sent > 0 {
            stages.first_sent.get_or_insert(started.elapsed());
            outcome.sent_ms = millis(started.elapsed());
            outcome.landed.push(marker.clone());
        }
        outcome.dispatched += sent;
        // Rows whose slot another scheduler sent without a claim: a claimed one is recorded
        // sent (not by this push); an unclaimed one is left to that scheduler.
        let mut elsewhere = vec![false; rows.len()];
        // The slots the broker did not take, by row index: owed, retried with the same task id.
        let mut owed: Vec<(usize, Owed)> = Vec::with_capacity(refused.len());
        for (k, &(i, id, task_id)) in pushed.iter().enumerate() {
            let d = &self.due[start + i];
            if refused.binary_search(&k).is_ok() {
                owed.push((
                    i,
                    Owed {
                        due: d.clone(),
                        task_id,
                        run_id: (id >= 0).then_some(id),
                        row: None,
                        marker: marker.clone(),
                        error: refusal.clone(),
                        recorded: false,
                    },
                ));
                continue;
            }
            if skipped.binary_search(&k).is_ok() {
                if id >= 0 {
                    outcome.sent_elsewhere.push(id);
                    outcome.ran.push((d.schedule.id, d.slot));
                } else if let Some(e) = elsewhere.get_mut(i) {
                    *e = true;
                }
                continue;
            }
            outcome.sent.push((start + i, task_id));
            outcome.ran.push((d.schedule.id, d.slot));
            if id >= 0 {
                outcome.confirmed.push(id);
            }
        }
        if !skipped.is_empty() {
            tracing::warn!(
                slots = skipped.len(),
                "not sent again: another scheduler sent these slots while the database was down"
            );
        }
        if unclaimed {
            // Without a claim the rows travel with the slots: an owed slot carries its row, a
            // sent one is recorded dispatched, the others as they are.
            let mut rows: Vec<Option<NewRun>> = rows.into_iter().map(Some).collect();
            for (i, o) in &mut owed {
                o.row = rows.get_mut(*i).and_then(Option::take);
            }
            outcome.backlog.runs.extend(
                rows.into_iter()
                    .zip(elsewhere)
                    .filter(|(_, elsewhere)| !elsewhere)
                    .filter_map(|(row, _)| row)
                    .map(|mut row| {
                        if row.status == RunStatus::Owed {
                            row.status = RunStatus::Dispatched;
                            row.dispatched_at = Some(self.now);
                        }
                        row
                    }),
            );
        }
        outcome.owed.extend(owed.into_iter().map(|(_, o)| o));
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Delivery tags for one thread's messages: a random v4 UUID per tag, drawn from the operating
/// system once per [`DeliveryTags`] and stepped by a counter (a tag must be unique, not secret;
/// one `getrandom` per message was a measurable share of encoding).
pub struct DeliveryTags {
    base: u128,
    count: u128,
}

impl DeliveryTags {
    /// A fresh random base.
    pub fn new() -> Self {
        Self {
            base: Uuid::new_v4().as_u128(),
            count: 0,
        }
    }

    /// The next tag.
    pub fn draw(&mut self) -> Uuid {
        // The counter goes above the version and variant bits' positions (bits 76-79 and
        // 62-63), which `from_random_bytes` overwrites, so distinct counts stay distinct.
        let bits = self.base ^ (self.count << 80);
        self.count += 1;
        uuid::Builder::from_random_bytes(bits.to_be_bytes()).into_uuid()
    }
}

impl Default for DeliveryTags {
    fn default() -> Self {
        Self::new()
    }
}

/// Records, claims and sends one batch, in chunks of `options.chunk_rows` rows. `decisions` (aligned
/// with `due`, or empty for "send all") are the execution policies' verdicts: skipped and
/// deferred slots are recorded (and claimed) but not sent. `prebuilt` messages (encoded ahead
/// of the instant) are used for the slots they match. A database failure does not stop
/// dispatch (the history goes to the backlog); a broker failure marks the runs `failed`.
#[allow(clippy::too_many_arguments)]
pub async fn dispatch<S: RunStore>(
    store: &S,
    mut broker: Option<&mut Broker>,
    definitions: &Definitions,
    options: &DispatchOptions,
    due: &[Due],
    decisions: &[Decision],
    missed: &[Missed],
    now: DateTime<Utc>,
    prebuilt: Prebuilt,
    database_down: bool,
    abort: Option<&std::sync::atomic::AtomicBool>,
    takeover: Option<Duration>,
) -> Outcome {
    let started = std::time::Instant::now();
    let prebuilt_count = prebuilt.len();
    let batch = Batch {
        store,
        definitions,
        options,
        due,
        decisions,
        missed,
        now,
        prebuilt: std::sync::Mutex::new(prebuilt),
        prebuilt_used: std::sync::atomic::AtomicUsize::new(0),
        database_down: std::sync::atomic::AtomicBool::new(database_down),
        abort,
        takeover,
    };
    // Sized for every due slot up front: grown by doubling, the lists of 100,000 sent slots
    // briefly held their old and new buffers at once.
    let mut outcome = Outcome {
        missed: missed.len(),
        sent: Vec::with_capacity(due.len()),
        ran: Vec::with_capacity(due.len()),
        ..Outcome::default()
    };
    let mut stages = Stages::default();
    let mut failure = None;
    let total = due.len() + missed.len();
    // Even chunks of at most `chunk_rows` (10,001 rows are 3 of 3,334, not 5,000 + 5,000 + 1:
    // the last chunk's push is the tail of the batch).
    let count = total.div_ceil(options.chunk_rows.max(1)).max(1);
    let size = total.div_ceil(count).max(1);
    let mut ranges = (0..total)
        .step_by(size)
        .map(|from| from..(from + size).min(total));
    // Three chunks at a time: while chunk i is claimed (on Postgres by two concurrent
    // statements), chunk i - 1 is pushed and chunk i + 1 is built and its encoding started.
    // Chunk i's claim is sent first; the build runs on this thread while the database works
    // (letting the build yield to send the claim sooner measured slower: the two cores are
    // already busy; BENCHMARKS.md, finding 2). The last step only pushes the last chunk.
    // A push begun stays under way while the next chunks are claimed and pushed (on RabbitMQ
    // the commit takes longer than the publishing), up to the broker's lanes: then the oldest
    // lands first. Pushes already answered are taken in before each push, so that a failure
    // stops the following chunks at once.
    let lanes = broker.as_deref().map_or(1, Broker::lanes).max(1);
    let mut flight: std::collections::VecDeque<Sending> = std::collections::VecDeque::new();
    let mut chunks = 0usize;
    let mut built = ranges.next().map(|range| batch.build(range));
    let mut claimed: Option<Prepared> = None;
    while built.is_some() || claimed.is_some() {
        let (current, previous, next) = (built.take(), claimed.take(), ranges.next());
        chunks += usize::from(current.is_some());
        let (prepared, (), following) = futures_util::future::join3(
            async {
                match current {
                    Some(current) => Some(batch.claim(current).await),
                    None => None,
                }
            },
            async {
                if let Some(previous) = previous {
                    let mut waiting = std::collections::VecDeque::with_capacity(flight.len());
                    while let Some(mut sending) = flight.pop_front() {
                        if sending.push.settled() || waiting.len() + flight.len() + 1 >= lanes {
                            batch
                                .land(sending, &mut failure, &mut outcome, &mut stages, started)
                                .await;
                        } else {
                            waiting.push_back(sending);
                        }
                    }
                    flight = waiting;
                    let sending = batch
                        .start(
                            previous,
                            &mut broker,
                            &mut failure,
                            &mut outcome,
                            &mut stages,
                            started,
                        )
                        .await;
                    flight.push_back(sending);
                }
            },
            async { next.map(|range| batch.build(range)) },
        )
        .await;
        claimed = prepared;
        built = following;
    }
    while let Some(sending) = flight.pop_front() {
        batch
            .land(sending, &mut failure, &mut outcome, &mut stages, started)
            .await;
    }
    let pushed = started.elapsed();
    outcome.prebuilt = batch
        .prebuilt_used
        .load(std::sync::atomic::Ordering::Relaxed);
    // The truth about what was not sent comes first: claimed rows whose push failed say
    // `owed` before anything else is written (a stop right after this leaves no row saying
    // `dispatched` for a message that was not pushed).
    let owed_ids: Vec<i64> = outcome.owed.iter().filter_map(|o| o.run_id).collect();
    if !owed_ids.is_empty()
        && !batch
            .database_down
            .load(std::sync::atomic::Ordering::Relaxed)
    {
        let detail = owed_detail(&outcome.owed[0].error);
        let marked = crate::store::within(
            options.statement_timeout,
            "the owed runs",
            store.settle_runs(&owed_ids, RunStatus::Owed, None, &detail),
        )
        .await;
        match marked {
            Ok(_) => {
                for o in &mut outcome.owed {
                    o.recorded = o.run_id.is_some();
                }
            }
            Err(e) => tracing::warn!(error = %e, "could not record the owed runs yet"),
        }
    }
    // Then what was sent: the claimed rows become `dispatched` (a stop before this leaves them
    // `owed`, naming their push, and whoever takes them over finds the push's marker).
    let sent_elsewhere = Settle {
        ids: std::mem::take(&mut outcome.sent_elsewhere),
        status: RunStatus::Dispatched,
        dispatched_at: Some(now),
        detail: SENT_UNCLAIMED.to_string(),
    };
    let confirmed = Settle {
        ids: std::mem::take(&mut outcome.confirmed),
        status: RunStatus::Dispatched,
        dispatched_at: Some(now),
        detail: String::new(),
    };
    for confirm in [confirmed, sent_elsewhere] {
        if confirm.ids.is_empty() {
            continue;
        }
        let written = if batch
            .database_down
            .load(std::sync::atomic::Ordering::Relaxed)
        {
            Err((
                StoreError::NoAnswer {
                    what: "(unavailable during the batch; not waiting for it)".into(),
                },
                0,
            ))
        } else {
            // A statement per chunk of rows, each with its deadline (100,000 rows in one would
            // take seconds on a small machine, and count as a database outage past 5 s).
            let mut done = 0;
            let mut result = Ok(());
            for ids in confirm.ids.chunks(options.chunk_rows.max(1)) {
                result = crate::store::within(
                    options.statement_timeout,
                    "the sent runs",
                    store.settle_runs(ids, confirm.status, confirm.dispatched_at, &confirm.detail),
                )
                .await
                .map(|_| ());
                if result.is_err() {
                    break;
                }
                done += ids.len();
            }
            result.map_err(|e| (e, done))
        };
        if let Err((e, done)) = written {
            tracing::warn!(error = %e, "database unavailable: the sent runs are recorded later");
            batch
                .database_down
                .store(true, std::sync::atomic::Ordering::Relaxed);
            let mut rest = confirm;
            rest.ids.drain(..done);
            outcome.backlog.settle.push(rest);
        }
    }
    outcome.database_down = batch
        .database_down
        .load(std::sync::atomic::Ordering::Relaxed);
    // The history says what the landed pushes sent: their markers are no longer needed.
    if outcome.backlog.settle.is_empty()
        && !outcome.landed.is_empty()
        && let Some(broker) = broker
    {
        broker.forget(&outcome.landed).await;
    }
    let bookkeeping = if outcome.ran.is_empty() {
        Ok(())
    } else if batch
        .database_down
        .load(std::sync::atomic::Ordering::Relaxed)
    {
        Err(StoreError::NoAnswer {
            what: "(unavailable during the batch; not waiting for it)".into(),
        })
    } else {
        crate::store::within(
            options.statement_timeout,
            "the bookkeeping",
            store.record_dispatch(&outcome.ran),
        )
        .await
    };
    if let Err(e) = bookkeeping {
        tracing::warn!(error = %e, "database unavailable: run bookkeeping kept for later");
        outcome.backlog.ran.clone_from(&outcome.ran);
    }
    // Where a batch's time goes (the dispatch benchmark reads this at debug level).
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    tracing::debug!(
        rows = total,
        messages = outcome.dispatched,
        chunks,
        prebuilt = prebuilt_count,
        prebuilt_used = outcome.prebuilt,
        build_ms = ms(stages.build),
        claim_ms = ms(stages.claim),
        push_ms = ms(stages.push),
        first_sent_ms = stages.first_sent.map(ms),
        sent_ms = ms(pushed),
        bookkeeping_ms = ms(started.elapsed() - pushed),
        "batch stages"
    );
    outcome
}

/// `stockura@<host>`, the `origin` header.
pub fn origin() -> String {
    format!("stockura@{}", hostname())
}

/// This machine's host name.
pub fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into())
}
