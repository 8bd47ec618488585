//! `schedule backfill`: past slots of one schedule sent now, one at a time. Each slot is claimed
//! before its message is pushed (as the scheduler claims its slots) and its run is settled once
//! the broker answered, so every slot reaches the broker once whoever sends it, and a backfill
//! that stops anywhere can be run again: what it left `owed` is sent by the same push, which the
//! broker does not take twice.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::broker::{Broker, Guard, Marker, Pushed, SENT_UNCLAIMED};
use super::dispatch::{self, DeliveryTags, DispatchOptions};
use super::message::slot_task_id;
use super::plan::Due;
use crate::domain::Job;
use crate::domain::backfill::{Action, Outcome, PlannedSlot};
use crate::domain::run::{NewRun, RunStatus, Trigger};
use crate::store::{RunStore, StoreError};

/// How long the marker of a backfill's push is kept on the broker: a backfill run again
/// within this time recognises a push of its own that landed while its run stayed `owed`
/// (stopped between the push and the record) and does not send it twice.
pub const MARKER_DAYS: i64 = 7;

/// The dispatch options of a backfill: those of the scheduler, with markers kept
/// [`MARKER_DAYS`] (an owed backfill run waits for the backfill to run again, not for a
/// scheduler's retry).
pub fn options(mut options: DispatchOptions) -> DispatchOptions {
    let grace =
        chrono::Duration::seconds(i64::try_from(dispatch::MARKER_GRACE_SECS).unwrap_or(86_400));
    options.send_deadline = chrono::Duration::days(MARKER_DAYS) - grace;
    options
}

/// What became of one slot sent by [`send`].
#[derive(Debug, Clone, PartialEq)]
pub struct Sent {
    /// The outcome.
    pub outcome: Outcome,
    /// The Celery task id it went (or had gone) with.
    pub task_id: Option<Uuid>,
    /// Why, when it was not sent as planned.
    pub detail: Option<String>,
}

impl Sent {
    fn new(outcome: Outcome, task_id: Option<Uuid>, detail: Option<String>) -> Self {
        Self {
            outcome,
            task_id,
            detail,
        }
    }
}

/// The message of a backfilled slot: built as the scheduler builds it, its `expires` counted
/// from `now` (the slot is past; counted from it, the message would arrive expired).
pub fn message(
    job: &Arc<Job>,
    slot: DateTime<Utc>,
    trigger: Trigger,
    task_id: Uuid,
    options: &DispatchOptions,
    now: DateTime<Utc>,
) -> Result<crate::beat::message::TaskMessage, String> {
    let due = Due::at_slot(job.clone(), slot, trigger);
    let mut m = dispatch::message_for(&due, task_id, options)?;
    m.expires = dispatch::expires_at(now, job.expires.as_ref())?;
    Ok(m)
}

/// Sends one planned slot: claims it (a new `backfill` run, or the row of a run that was never
/// sent, or the `owed` run an earlier backfill left), pushes its message, and settles the run.
/// A slot whose action sends nothing comes back as it was planned. The broker's failure is an
/// outcome (`owed`, or `failed` for a re-send), not an error; a database failure is an error,
/// and the run stays as the database last took it (a backfill run again finds it).
pub async fn send<S: RunStore>(
    store: &S,
    broker: &mut Broker,
    options: &DispatchOptions,
    job: &Arc<Job>,
    planned: &PlannedSlot,
    now: DateTime<Utc>,
) -> Result<Sent, StoreError> {
    let slot = planned.slot;
    let (trigger, task_id, marker) = match &planned.action {
        Action::Send | Action::Retake { .. } => (
            Trigger::Backfill,
            slot_task_id(job.id, slot),
            options.marker(),
        ),
        Action::Resume {
            task_id,
            push_marker,
            resend,
            ..
        } => (
            if *resend {
                Trigger::Resend
            } else {
                Trigger::Backfill
            },
            task_id.unwrap_or_else(|| slot_task_id(job.id, slot)),
            push_marker
                .clone()
                .map_or_else(|| options.marker(), |id| options.marker_with_id(id)),
        ),
        Action::Resend { .. } => (Trigger::Resend, Uuid::new_v4(), options.marker()),
        Action::AlreadyDispatched { task_id } => {
            return Ok(Sent::new(Outcome::AlreadyDispatched, *task_id, None));
        }
        Action::Held { status } => {
            return Ok(Sent::new(
                Outcome::Held,
                None,
                Some(format!("a scheduler holds it ({status})")),
            ));
        }
    };
    // The caller checked that the schedule's message can be built; a value out of range for
    // this slot alone is reported, and nothing is claimed for it.
    let wire = match message(job, slot, trigger, task_id, options, now) {
        Ok(m) => dispatch::encode(&m, &options.layout, &mut DeliveryTags::new()).0,
        Err(why) => return Ok(Sent::new(Outcome::Failed, None, Some(why))),
    };
    let row = NewRun {
        schedule_id: Some(job.id),
        schedule_name: job.name.clone(),
        task_name: job.task_name.clone(),
        celery_task_id: Some(task_id),
        scheduled_for: slot,
        dispatched_at: None,
        trigger,
        status: RunStatus::Owed,
        detail: None,
        arguments: job.arguments.clone(),
        push_marker: Some(marker.id.clone()),
    };
    let claimed_meanwhile = || {
        Sent::new(
            Outcome::Held,
            None,
            Some("claimed meanwhile by a scheduler or another backfill".into()),
        )
    };
    // The claim, and the detail the run keeps once sent.
    let (run_id, sent_detail) = match &planned.action {
        Action::Send | Action::Resend { .. } => {
            let Some(id) = store.insert_runs(&[row]).await?.first().copied().flatten() else {
                return Ok(claimed_meanwhile());
            };
            let detail = match &planned.action {
                Action::Resend {
                    first_task_id: Some(first),
                } => format!("sent again (--include-dispatched); first sent as task {first}"),
                Action::Resend { .. } => "sent again (--include-dispatched)".to_string(),
                _ => String::new(),
            };
            (id, detail)
        }
        Action::Retake {
            run_id,
            was,
            detail,
        } => {
            let was = match detail {
                Some(d) => format!("backfilled; was {was}: {d}"),
                None => format!("backfilled; was {was}"),
            };
            let mut row = row;
            row.detail = Some(was.clone());
            if !store.retake_run(*run_id, &row).await? {
                return Ok(claimed_meanwhile());
            }
            (*run_id, was)
        }
        Action::Resume { run_id, resend, .. } => {
            // The push of the earlier attempt may have landed (on RabbitMQ a push does not
            // look for its marker itself).
            if broker.landed(&marker).await.unwrap_or(false) {
                let detail = "the broker had taken it; the backfill that sent it stopped before recording it, so it was not sent again";
                settle_sent(store, broker, job, *run_id, slot, &marker, now, detail).await?;
                return Ok(Sent::new(
                    Outcome::AlreadyDispatched,
                    Some(task_id),
                    Some(detail.into()),
                ));
            }
            let detail = if *resend {
                "sent again (--include-dispatched) when the backfill ran again"
            } else {
                "sent when the backfill ran again"
            };
            (*run_id, detail.to_string())
        }
        // Returned above; as planned, should it ever get here.
        Action::AlreadyDispatched { .. } | Action::Held { .. } => {
            let outcome = planned.action.settled().unwrap_or(Outcome::Held);
            return Ok(Sent::new(outcome, None, None));
        }
    };
    // A backfilled slot may have been sent by a scheduler without a claim while the database
    // was down: the push skips a slot found in that set (a re-send has a fresh id: nothing to
    // find).
    let guard = Guard {
        check: trigger == Trigger::Backfill,
        ..Guard::default()
    };
    let ids = if guard.any() {
        vec![task_id]
    } else {
        Vec::new()
    };
    let pushed = broker.push_guarded(vec![wire], &ids, guard, &marker).await;
    let error = match pushed {
        Ok(landed) if landed.refused.is_empty() => {
            let (outcome, detail) = match (landed.pushed, landed.elsewhere.is_empty()) {
                (Pushed::Sent, true) => (Outcome::Sent, sent_detail.as_str()),
                (Pushed::AlreadyThere, true) => (
                    Outcome::AlreadyDispatched,
                    "the broker had taken it; the backfill that sent it stopped before recording it, so it was not sent again",
                ),
                _ => (Outcome::AlreadyDispatched, SENT_UNCLAIMED),
            };
            settle_sent(store, broker, job, run_id, slot, &marker, now, detail).await?;
            let detail = (!detail.is_empty() && outcome != Outcome::Sent).then(|| detail.into());
            return Ok(Sent::new(outcome, Some(task_id), detail));
        }
        Ok(landed) => landed.refusal,
        Err(e) => {
            let cause = std::error::Error::source(&e)
                .map(|c| format!(": {c}"))
                .unwrap_or_default();
            format!("{e}{cause}")
        }
    };
    // Not taken. A backfilled slot stays owed, named by its push: the backfill run again sends
    // it (or finds that this push landed after all). A re-send is recorded failed at once.
    let (status, outcome, detail) = if trigger == Trigger::Backfill {
        (
            RunStatus::Owed,
            Outcome::Owed,
            format!(
                "owed: the broker did not take it ({error}); the same `stockura schedule backfill` run again sends it"
            ),
        )
    } else {
        (
            RunStatus::Failed,
            Outcome::Failed,
            format!("not sent: the broker did not take it ({error})"),
        )
    };
    store.settle_runs(&[run_id], status, None, &detail).await?;
    Ok(Sent::new(outcome, Some(task_id), Some(detail)))
}

/// Records a slot the broker has: the run `dispatched` with `detail`, the schedule's
/// bookkeeping, and deletes the push's marker (the run now says what it said).
#[allow(clippy::too_many_arguments)]
async fn settle_sent<S: RunStore>(
    store: &S,
    broker: &mut Broker,
    job: &Job,
    run_id: i64,
    slot: DateTime<Utc>,
    marker: &Marker,
    now: DateTime<Utc>,
    detail: &str,
) -> Result<(), StoreError> {
    store
        .settle_runs(&[run_id], RunStatus::Dispatched, Some(now), detail)
        .await?;
    store.record_dispatch(&[(job.id, slot)]).await?;
    broker.forget_now(std::slice::from_ref(marker)).await;
    Ok(())
}
