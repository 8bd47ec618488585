//! Catch-up: what the time without a scheduler (or a database outage) owes. The latest missed
//! slot within the catch-up window runs, older ones are recorded `missed`, in batches sized to
//! the measured pace, between which a live slot goes out and a stop signal is heard.

use std::time::Duration;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::Beat;
use crate::beat::clock::Clock;
use crate::beat::dispatch::{self, Prebuilt};
use crate::beat::plan::{self, Due, Missed, Plan};
use crate::store::{RunStore, ScheduleStore, TaskStore};

/// The most rows in one batch of a catch-up, by default (see
/// [`BeatConfig::catch_up_rows`](super::BeatConfig::catch_up_rows)).
pub const CATCH_UP_ROWS: usize = 200_000;

/// How long the batches of a catch-up's missed rows last, about (their size follows the
/// measured pace): a signal stops a catch-up, and a live slot goes out, after the batch in
/// flight; a batch also ends before the next live slot.
pub const CATCH_UP_BATCH_TIME: Duration = Duration::from_millis(200);

/// How long the batches of a catch-up's runs last, about, after the first (one chunk). Longer
/// than [`CATCH_UP_BATCH_TIME`], since each batch of messages ends with its own settle and
/// bookkeeping statements before the next batch's messages, yet short enough that a signal
/// stops the catch-up within the 2 s a container stop allows. The price is a longer catch-up:
/// a start with many overdue schedules sends its last catch-up message later than when they
/// went as one batch, which a signal had to wait for (BENCHMARKS.md). A batch still ends
/// before the next live slot.
pub const CATCH_UP_RUN_BATCH_TIME: Duration = Duration::from_secs(1);

/// Why a catch-up stopped before its end.
#[derive(Debug, Clone, Copy)]
enum CatchUpCut {
    /// A signal.
    Stop,
    /// The database stopped answering.
    Database,
    /// The leadership ran out.
    Lease,
}

impl<S, C> Beat<S, C>
where
    S: ScheduleStore + TaskStore + RunStore,
    C: Clock,
{
    pub(super) async fn catch_up(&mut self) {
        self.arrived.clear();
        let ids = self.plan.ids();
        self.catch_up_ids(ids, "slots passed while no scheduler ran")
            .await;
    }

    /// What the schedules that arrived with imported bookkeeping, or that a pause's until
    /// resumed, owe, exactly as at start-up: the latest slot since `last_run_at` (and since
    /// `resumed_at`) within the catch-up window runs (as `catchup`), older ones are recorded
    /// `missed`. So a schedule saved with a `last_run_at` one slot back is dispatched as soon
    /// as its change arrives, and a pause resumed late owes what a start would.
    pub(super) async fn catch_up_arrived(&mut self) {
        if self.arrived.is_empty() {
            return;
        }
        let arrived = std::mem::take(&mut self.arrived);
        if !self.leading || self.database_down {
            // A standby catches up when it takes over; an outage's recovery catches up all.
            return;
        }
        self.catch_up_ids(arrived, "slots owed by schedules that arrived or resumed")
            .await;
    }

    /// Dispatches what the given schedules owe (see [`plan::catch_up`]) in two passes of
    /// batches: first every catch-up run (the messages), then the missed rows (history only;
    /// after a long outage up to [`plan::MAX_MISSED_ROWS`] per schedule, 5 million rows for
    /// 5,000 schedules). So the runs are not held behind missed rows, and the missed rows go
    /// in short batches between which a live slot goes out and a signal is heard.
    ///
    /// A catch-up cut short (a stop, a database outage, a lost lease) records, for each
    /// schedule whose `last_run_at` moved on during it (its catch-up run or a live slot went
    /// out), what it still owed in one summing-up `missed` row (see [`plan::catch_up_summary`]):
    /// that cannot be found from its `last_run_at` again. The others stay owed by their
    /// `last_run_at`, for the recovery, the next start or the next leader. Logs the totals
    /// with `message`.
    async fn catch_up_ids(&mut self, mut ids: Vec<Uuid>, message: &'static str) {
        let now = self.clock.now();
        let window = self.config.catchup_window;
        // In id order, as the slots of an instant are (the plan's queue): each chunk's history
        // rows then go into one stretch of the claim index, whose pages SQLite's cache holds.
        // In the plan's hash order the claims of a large start spread over the whole index and
        // take longer on SQLite (BENCHMARKS.md).
        ids.sort_unstable();
        // What each schedule had run when the catch-up began: a slot sent during it moves an
        // entry's `last_run_at`, and the catch-up must still record what it owed before.
        // A catch-up cut short by a database outage left what these began from.
        let began: Vec<Option<DateTime<Utc>>> = ids
            .iter()
            .map(|id| match self.catch_up_pending.remove(id) {
                Some(began) => began,
                None => self.plan.get(*id).and_then(|e| e.last_run_at),
            })
            .collect();
        let mut totals = (0, 0);
        // The first batch is one chunk, which measures the pace; after it, batches last about
        // CATCH_UP_RUN_BATCH_TIME (runs) or CATCH_UP_BATCH_TIME (missed rows) at that pace, up
        // to `catch_up_rows`.
        let mut limit = dispatch::CHUNK_ROWS.min(self.config.catch_up_rows.max(1));
        let mut cut = None;
        // First pass: the runs. `ids[..run_upto]` had theirs sent (or had none).
        let mut due = Vec::with_capacity(ids.len().min(limit));
        let mut run_upto = 0;
        for n in 0..ids.len() {
            if let Some(entry) = entry_as_begun(&self.plan, ids[n], began[n]) {
                due.extend(plan::catch_up_run(&entry, now, window));
            }
            if due.len() >= limit || n + 1 == ids.len() {
                // The batch after the last one of runs is one of missed rows.
                let next = if n + 1 == ids.len() {
                    CATCH_UP_BATCH_TIME
                } else {
                    CATCH_UP_RUN_BATCH_TIME
                };
                cut = self
                    .catch_up_batch(
                        &mut due,
                        &mut Vec::new(),
                        now,
                        &mut totals,
                        (&mut limit, next),
                    )
                    .await;
                run_upto = n + 1;
                if cut.is_some() {
                    break;
                }
            }
        }
        // Second pass: the missed rows of those. `ids[..missed_upto]` had theirs recorded.
        let mut missed = Vec::new();
        let mut missed_upto = 0;
        if cut.is_none() {
            for n in 0..run_upto {
                if let Some(entry) = entry_as_begun(&self.plan, ids[n], began[n]) {
                    missed.extend(plan::catch_up(&entry, now, window).1);
                }
                if missed.len() >= limit || n + 1 == run_upto {
                    cut = self
                        .catch_up_batch(
                            &mut Vec::new(),
                            &mut missed,
                            now,
                            &mut totals,
                            (&mut limit, CATCH_UP_BATCH_TIME),
                        )
                        .await;
                    missed_upto = n + 1;
                    if cut.is_some() {
                        break;
                    }
                }
            }
        }
        if let Some(cut) = cut {
            let mut rows: Vec<Missed> = Vec::new();
            let mut left = 0usize;
            for n in missed_upto..ids.len() {
                let moved_on = self
                    .plan
                    .get(ids[n])
                    .is_some_and(|e| e.last_run_at != began[n]);
                if moved_on && let Some(entry) = entry_as_begun(&self.plan, ids[n], began[n]) {
                    rows.extend(plan::catch_up_summary(&entry, now, window, n < run_upto));
                } else if !moved_on {
                    left += 1;
                    if matches!(cut, CatchUpCut::Database) {
                        // Live slots sent during the outage will move it on before the
                        // recovery catches up: remember where it began.
                        self.catch_up_pending.insert(ids[n], began[n]);
                    }
                }
            }
            match cut {
                CatchUpCut::Stop => tracing::info!(
                    summed_up = rows.len(),
                    left,
                    "stopping: the rest of the catch-up is recorded in one missed row per schedule that moved on; the others are left to the next start"
                ),
                CatchUpCut::Database => tracing::warn!(
                    summed_up = rows.len(),
                    left,
                    "database unavailable: the rest of the catch-up is recorded in one missed row per schedule that moved on; the others are caught up after the recovery"
                ),
                CatchUpCut::Lease => tracing::warn!(
                    summed_up = rows.len(),
                    left,
                    "the lease ran out during the catch-up: the rest is left to the next leader"
                ),
            }
            // Written now, or kept for the recovery while the database is down.
            self.dispatch_owed(&mut Vec::new(), &mut rows, now, &mut totals)
                .await;
        }
        if totals != (0, 0) {
            tracing::info!(catchup = totals.0, missed = totals.1, "{message}");
        }
    }

    /// One batch of a catch-up, then what comes between two batches: the watchdog hears of
    /// progress, the next batch is sized, a live slot that fell due goes out. Returns why the
    /// catch-up must stop here, if it must.
    async fn catch_up_batch(
        &mut self,
        due: &mut Vec<Due>,
        missed: &mut Vec<Missed>,
        now: DateTime<Utc>,
        totals: &mut (usize, usize),
        (limit, next_time): (&mut usize, Duration),
    ) -> Option<CatchUpCut> {
        let rows = due.len() + missed.len();
        if rows > 0 {
            let began_at = std::time::Instant::now();
            self.dispatch_owed(due, missed, now, totals).await;
            // Each batch is a step of its own for the leadership's watchdog.
            self.stepping();
            *limit = self.next_catch_up_batch(rows, began_at.elapsed(), next_time);
        }
        let cut = if !self.lease_valid() {
            Some(CatchUpCut::Lease)
        } else if self.database_down {
            Some(CatchUpCut::Database)
        } else if self.stopping() {
            Some(CatchUpCut::Stop)
        } else {
            None
        };
        if cut.is_some() {
            return cut;
        }
        // A long catch-up (millions of missed rows after an outage) does not hold a live
        // boundary back: what fell due meanwhile goes out between two batches.
        if self
            .plan
            .next_due()
            .is_some_and(|next| next <= self.clock.now())
        {
            self.tick_in_catch_up().await;
            if !self.lease_valid() {
                return Some(CatchUpCut::Lease);
            }
        }
        None
    }

    /// The rows of the next catch-up batch, after one of `rows` took `took`: about `time` at
    /// that pace, and no longer than the time left before the next live slot (so the slot goes
    /// out right after it); at least a chunk, at most `catch_up_rows`.
    fn next_catch_up_batch(&self, rows: usize, took: Duration, time: Duration) -> usize {
        let most = self.config.catch_up_rows.max(1);
        let least = dispatch::CHUNK_ROWS.min(most);
        if least == most {
            return most;
        }
        let pace = rows as f64 / took.as_secs_f64().max(0.001);
        let mut time = time.as_secs_f64();
        if let Some(next) = self.plan.next_due() {
            let left = (next - self.clock.now()).num_milliseconds() as f64 / 1000.0;
            time = time.min(left.max(0.0));
        }
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let rows = (pace * time) as usize;
        rows.clamp(least, most)
    }

    /// One batch of a catch-up (nothing when empty); counts it into `totals` and empties it.
    async fn dispatch_owed(
        &mut self,
        due: &mut Vec<Due>,
        missed: &mut Vec<Missed>,
        now: DateTime<Utc>,
        totals: &mut (usize, usize),
    ) {
        if due.is_empty() && missed.is_empty() {
            return;
        }
        tracing::debug!(catchup = due.len(), missed = missed.len(), "catch-up batch");
        totals.0 += due.len();
        totals.1 += missed.len();
        self.dispatch(due, missed, now, Prebuilt::default()).await;
        due.clear();
        missed.clear();
    }
}

/// A schedule's entry as it stood when a catch-up began: with `last_run_at` put back to
/// `began` when a slot sent during the catch-up moved it.
fn entry_as_begun(
    plan: &Plan,
    id: Uuid,
    began: Option<DateTime<Utc>>,
) -> Option<std::borrow::Cow<'_, plan::Entry>> {
    let entry = plan.get(id)?;
    Some(if entry.last_run_at == began {
        std::borrow::Cow::Borrowed(entry)
    } else {
        let mut entry = entry.clone();
        entry.last_run_at = began;
        std::borrow::Cow::Owned(entry)
    })
}
