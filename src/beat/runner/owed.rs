//! Owed slots: messages the broker did not take. Their rows become `owed`, and they are sent
//! again with the same task ids (each push at most once, recognised by its marker) until their
//! deadline; a slot past it is recorded `failed`. A new leader takes over what its predecessor
//! left owed; at a stop, what only this scheduler knows is written for the next one.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Beat, due_event};
use crate::beat::clock::Clock;
use crate::beat::dispatch::{self, Owed, Settle};
use crate::beat::plan::Due;
use crate::beat::policy as checks;
use crate::domain::Job;
use crate::domain::policy;
use crate::domain::run::{RunStatus, Trigger};
use crate::store::{RunStore, ScheduleStore, TaskStore};

/// The first wait before owed slots are sent again; it doubles after each failed attempt up to
/// [`OWED_RETRY_MAX`], and starts again after a success.
pub(super) const OWED_RETRY_FIRST: Duration = Duration::from_millis(250);
/// The longest wait between two attempts at owed slots.
const OWED_RETRY_MAX: Duration = Duration::from_secs(5);

impl<S, C> Beat<S, C>
where
    S: ScheduleStore + TaskStore + RunStore,
    C: Clock,
{
    /// Takes slots the broker did not take: their rows become `owed` (or will, once the
    /// database answers) and they are tried again soon, with the same task ids.
    pub(super) async fn owe(&mut self, mut owed: Vec<Owed>) {
        if owed.is_empty() {
            return;
        }
        self.stats.owed += owed.len();
        if let Some(obs) = &self.observer {
            let now = self.clock.now();
            obs.record(
                owed.iter()
                    .map(|o| due_event(&o.due, RunStatus::Owed, now, None)),
            );
        }
        // Rows the batch could not mark itself.
        let ids: Vec<i64> = owed
            .iter()
            .filter(|o| !o.recorded)
            .filter_map(|o| o.run_id)
            .collect();
        let detail = dispatch::owed_detail(&owed[0].error);
        // A database known to be down is not waited for: the rows are marked when it is back
        // (or at the stop), and the slots are retried meanwhile all the same.
        let recorded = ids.is_empty()
            || !self.database_down
                && match crate::store::within(
                    self.config.dispatch.statement_timeout,
                    "the owed runs",
                    self.store.settle_runs(&ids, RunStatus::Owed, None, &detail),
                )
                .await
                {
                    Ok(_) => true,
                    Err(e) => {
                        self.database_failed(&e);
                        false
                    }
                };
        for o in &mut owed {
            o.recorded = o.recorded || (recorded && o.run_id.is_some());
        }
        self.owed.append(&mut owed);
        if self.owed_retry.is_none() {
            self.owed_retry = Some((
                tokio::time::Instant::now() + OWED_RETRY_FIRST,
                OWED_RETRY_FIRST,
            ));
        }
    }

    /// The instant after which an owed slot is given up: its send deadline counted from when
    /// it was meant to be sent (later than the slot with a jitter), or its `expires` (counted
    /// from the slot) when that is sooner.
    fn deadline(&self, o: &Owed) -> DateTime<Utc> {
        let late = o
            .due
            .send_at
            .checked_add_signed(self.config.dispatch.send_deadline)
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        match dispatch::expires_at(o.due.slot, o.due.schedule.expires.as_ref()) {
            Ok(Some(expires)) => late.min(expires),
            _ => late,
        }
    }

    /// When the owed slots are tried next (none while nothing is owed or not leading).
    pub fn next_owed_retry(&self) -> Option<tokio::time::Instant> {
        self.owed_retry
            .filter(|_| self.leading && !self.owed.is_empty())
            .map(|(at, _)| at)
    }

    /// Sends the owed slots again: those past their deadline are recorded `failed` with the
    /// reason; the others are pushed with their task ids, each push at most once (a push whose
    /// earlier attempt landed is recognised by its marker). Returns how many were sent.
    pub async fn retry_owed(&mut self) -> usize {
        if !self.lease_valid() {
            // As at a tick: a leader whose lease ran out stops (else the due retry would fire
            // again at once until the lease task reports).
            if self.leading {
                self.stand_down();
                self.report();
            }
            return 0;
        }
        if self.owed.is_empty() {
            return 0;
        }
        let now = self.clock.now();
        let mut waiting = std::mem::take(&mut self.owed);
        let mut sent_total = 0;
        while !waiting.is_empty() {
            // One push per marker (the messages of one earlier push), oldest first.
            let marker = waiting[0].marker.clone();
            let (group, rest): (Vec<Owed>, Vec<Owed>) =
                waiting.into_iter().partition(|o| o.marker == marker);
            waiting = rest;
            let (late, mut group): (Vec<Owed>, Vec<Owed>) =
                group.into_iter().partition(|o| self.deadline(o) < now);
            if !late.is_empty() {
                // Past its deadline a slot is given up, unless its push landed after all (the
                // reply was lost, or the scheduler that sent it died before it learnt so).
                match self.recorded_if_landed(&marker, late, group, now).await {
                    Ok(sent) => {
                        sent_total += sent;
                        continue;
                    }
                    Err((late, rest)) => {
                        group = rest;
                        self.give_up(late, true).await;
                    }
                }
            }
            let mut tags = dispatch::DeliveryTags::new();
            let mut items: Vec<dispatch::Wire> = Vec::with_capacity(group.len());
            let mut unbuildable = Vec::new();
            let mut buildable = Vec::with_capacity(group.len());
            for mut o in group {
                // A row taken over from the history may have changed since it was claimed.
                match dispatch::message_for(&o.due, o.task_id, &self.config.dispatch) {
                    Ok(m) => {
                        let (wire, _) =
                            dispatch::encode(&m, &self.config.dispatch.layout, &mut tags);
                        items.push(wire);
                        buildable.push(o);
                    }
                    Err(why) => {
                        o.error = why;
                        unbuildable.push(o);
                    }
                }
            }
            if !unbuildable.is_empty() {
                // A schedule changed since its row was claimed: the row's own push may have
                // landed all the same.
                match self
                    .recorded_if_landed(&marker, unbuildable, buildable, now)
                    .await
                {
                    Ok(sent) => {
                        sent_total += sent;
                        continue;
                    }
                    Err((unbuildable, rest)) => {
                        buildable = rest;
                        self.give_up(unbuildable, false).await;
                    }
                }
            }
            let group = buildable;
            if group.is_empty() {
                continue;
            }
            // Checked against the slots sent without a claim: another scheduler may have sent
            // one of these while the database was down, before this one claimed it.
            let ids: Vec<Uuid> = group.iter().map(|o| o.task_id).collect();
            let guard = dispatch::Guard {
                check: true,
                ..dispatch::Guard::default()
            };
            let result = match self.broker.as_mut() {
                Some(broker) => broker.push_again(&items, &ids, guard, &marker).await,
                None => Ok(dispatch::Landed::default()),
            };
            drop(items);
            let (pushed, skipped, refused, error) = match result {
                Ok(l) => (l.pushed, l.elsewhere, l.refused, l.refusal),
                Err(e) => (
                    dispatch::Pushed::Sent,
                    Vec::new(),
                    (0..group.len()).collect(),
                    format!("{e}"),
                ),
            };
            let (mut back, mut elsewhere, mut sent) = (Vec::new(), Vec::new(), Vec::new());
            for (n, o) in group.into_iter().enumerate() {
                if refused.binary_search(&n).is_ok() {
                    back.push(o);
                } else if skipped.binary_search(&n).is_ok() {
                    elsewhere.push(o);
                } else {
                    sent.push(o);
                }
            }
            sent_total += sent.len() + elsewhere.len();
            if !elsewhere.is_empty() {
                self.owed_sent(elsewhere, dispatch::Pushed::SentUnclaimed, now)
                    .await;
            }
            if !sent.is_empty() {
                self.owed_sent(sent, pushed, now).await;
            }
            if !back.is_empty() {
                // Once at warn level per outage; every further attempt at debug.
                let owed = back.len() + waiting.len();
                if self.owed_retry.is_none_or(|(_, w)| w == OWED_RETRY_FIRST) {
                    tracing::warn!(error = %error, owed, "the broker still does not take the owed slots; retrying until their deadline");
                } else {
                    tracing::debug!(error = %error, owed, "the broker still does not take the owed slots");
                }
                self.owed = back
                    .into_iter()
                    .chain(waiting)
                    .map(|mut o| {
                        // A push whose commit went unanswered stays marked so: its history
                        // must say that a message may run twice.
                        let doubt = crate::beat::broker::amqp::UNANSWERED_COMMIT;
                        if o.error.contains(doubt) && !error.contains(doubt) {
                            o.error = format!("{error}; earlier, {doubt}");
                        } else {
                            o.error.clone_from(&error);
                        }
                        o
                    })
                    .collect();
                let wait = self
                    .owed_retry
                    .map_or(OWED_RETRY_FIRST, |(_, w)| (w * 2).min(OWED_RETRY_MAX));
                self.owed_retry = Some((tokio::time::Instant::now() + wait, wait));
                return sent_total;
            }
        }
        self.owed_retry = None;
        sent_total
    }

    /// When the push `marker` landed, records `doubtful` and `rest` (all of that push) sent and
    /// returns how many; otherwise (or when the broker cannot be asked) hands them back.
    async fn recorded_if_landed(
        &mut self,
        marker: &dispatch::Marker,
        doubtful: Vec<Owed>,
        rest: Vec<Owed>,
        now: DateTime<Utc>,
    ) -> Result<usize, (Vec<Owed>, Vec<Owed>)> {
        let landed = match self.broker.as_mut() {
            Some(broker) => broker.landed(marker).await.unwrap_or(false),
            None => false,
        };
        if !landed {
            return Err((doubtful, rest));
        }
        let all: Vec<Owed> = doubtful.into_iter().chain(rest).collect();
        let sent = all.len();
        self.owed_sent(all, dispatch::Pushed::AlreadyThere, now)
            .await;
        Ok(sent)
    }

    /// Records owed slots the broker has now taken: rows `dispatched` with their send time,
    /// bookkeeping, and the plan.
    async fn owed_sent(&mut self, group: Vec<Owed>, pushed: dispatch::Pushed, now: DateTime<Utc>) {
        let late_ms = group
            .iter()
            .map(|o| (now - o.due.slot).num_milliseconds())
            .max()
            .unwrap_or(0);
        let detail = match pushed {
            dispatch::Pushed::Sent => format!(
                "sent {:.1} s late: the broker had not taken it ({})",
                late_ms as f64 / 1000.0,
                group[0].error
            ),
            dispatch::Pushed::SentUnclaimed => dispatch::SENT_UNCLAIMED.to_string(),
            dispatch::Pushed::AlreadyThere => {
                "the broker had taken it; the reply was lost or its sender stopped before recording it, so it was not sent again".to_string()
            }
        };
        tracing::info!(sent = group.len(), late_ms, "owed slots sent");
        let ids: Vec<i64> = group.iter().filter_map(|o| o.run_id).collect();
        let timeout = self.config.dispatch.statement_timeout;
        let settled = match crate::store::within(
            timeout,
            "the owed runs",
            self.store
                .settle_runs(&ids, RunStatus::Dispatched, Some(now), &detail),
        )
        .await
        {
            Ok(_) => ids.len() == group.len(),
            Err(e) => {
                self.database_failed(&e);
                self.backlog.settle.push(Settle {
                    ids,
                    status: RunStatus::Dispatched,
                    dispatched_at: Some(now),
                    detail: detail.clone(),
                });
                false
            }
        };
        // The history says what those pushes sent: their markers are no longer needed.
        if settled && let Some(broker) = self.broker.as_mut() {
            let mut markers: Vec<dispatch::Marker> = Vec::new();
            for o in &group {
                if !markers.contains(&o.marker) {
                    markers.push(o.marker.clone());
                }
            }
            broker.forget(&markers).await;
        }
        let mut ran = Vec::with_capacity(group.len());
        if let Some(obs) = &self.observer {
            if pushed == dispatch::Pushed::Sent {
                let doubt = crate::beat::broker::amqp::UNANSWERED_COMMIT;
                let n = group.iter().filter(|o| o.error.contains(doubt)).count();
                obs.resent_in_doubt(n as u64);
            }
            obs.record(
                group
                    .iter()
                    .map(|o| due_event(&o.due, RunStatus::Dispatched, now, Some(o.task_id))),
            );
        }
        for o in group {
            let id = o.due.schedule.id;
            if let Some(mut row) = o.row {
                row.status = RunStatus::Dispatched;
                row.dispatched_at = Some(now);
                row.detail = Some(detail.clone());
                self.backlog.runs.push(row);
            }
            if policy::needs_check(o.due.schedule.execution_policy) {
                self.checks
                    .last_sent
                    .insert(id, checks::sent_now(id, o.task_id, now));
            }
            self.plan.ran(id, o.due.slot);
            ran.push((id, o.due.slot));
        }
        self.stats.owed_sent += ran.len();
        self.stats.dispatched += ran.len();
        if let Err(e) =
            crate::store::within(timeout, "the bookkeeping", self.store.record_dispatch(&ran)).await
        {
            self.database_failed(&e);
            self.backlog.ran.extend(ran);
        }
    }

    /// Records owed slots whose deadline passed as `failed`, with the reason.
    /// `late`: the deadline passed; otherwise the message cannot be built as stored (the
    /// reason is the slot's error).
    async fn give_up(&mut self, owed: Vec<Owed>, late: bool) {
        if late {
            tracing::error!(
                slots = owed.len(),
                "owed slots not sent: the broker did not take them before their deadline"
            );
        } else {
            tracing::warn!(
                slots = owed.len(),
                "owed slots cannot be sent as stored; recorded failed"
            );
        }
        self.stats.failed += owed.len();
        if let Some(obs) = &self.observer {
            let now = self.clock.now();
            obs.record(
                owed.iter()
                    .map(|o| due_event(&o.due, RunStatus::Failed, now, None)),
            );
        }
        let mut by_detail: Vec<Settle> = Vec::new();
        for o in owed {
            let detail = if late {
                format!(
                    "not sent: the broker did not take it before its deadline {} ({})",
                    self.deadline(&o).to_rfc3339(),
                    o.error
                )
            } else {
                o.error.clone()
            };
            match (o.run_id, o.row) {
                (Some(id), _) => match by_detail.iter_mut().find(|s| s.detail == detail) {
                    Some(s) => s.ids.push(id),
                    None => by_detail.push(Settle {
                        ids: vec![id],
                        status: RunStatus::Failed,
                        dispatched_at: None,
                        detail,
                    }),
                },
                (None, Some(mut row)) => {
                    row.status = RunStatus::Failed;
                    row.dispatched_at = None;
                    row.detail = Some(detail);
                    self.backlog.runs.push(row);
                }
                (None, None) => {}
            }
        }
        for s in by_detail {
            if let Err(e) = crate::store::within(
                self.config.dispatch.statement_timeout,
                "the failed runs",
                self.store
                    .settle_runs(&s.ids, s.status, s.dispatched_at, &s.detail),
            )
            .await
            {
                self.database_failed(&e);
                self.backlog.settle.push(s);
            }
        }
    }

    /// Takes over the slots a previous leader left owed (rows `owed`), e.g. after a takeover
    /// or a restart: they are sent again with their task ids. A slot whose schedule is gone or
    /// disabled is recorded `skipped`.
    pub(super) async fn load_owed(&mut self) {
        let runs = match crate::store::within(
            self.config.dispatch.statement_timeout,
            "the owed runs",
            self.store.owed_runs(),
        )
        .await
        {
            Ok(runs) => runs,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the owed runs; they are picked up at the next takeover");
                return;
            }
        };
        // Rows this scheduler sent and has yet to record (the database failed in between) are
        // its own, not owed.
        let known: HashSet<i64> = self
            .owed
            .iter()
            .filter_map(|o| o.run_id)
            .chain(
                self.backlog
                    .settle
                    .iter()
                    .flat_map(|s| s.ids.iter().copied()),
            )
            .collect();
        let mut marker = self.config.dispatch.marker();
        let mut in_marker = 0usize;
        let mut gone = Vec::new();
        let before = self.owed.len();
        for r in runs {
            // A backfill's runs are its own: `schedule backfill` run again sends what it left
            // owed (its slots are past, so a scheduler would only give them up as late).
            if known.contains(&r.id) || matches!(r.run.trigger, Trigger::Backfill | Trigger::Resend)
            {
                continue;
            }
            let (Some(id), Some(task_id)) = (r.run.schedule_id, r.run.celery_task_id) else {
                continue;
            };
            let Some(entry) = self.plan.get(id) else {
                // A manual run may be of a disabled schedule, and may be in flight (`schedule
                // trigger` claims it, then pushes): it is left to the command.
                if r.run.trigger != Trigger::Manual {
                    gone.push(r.id);
                }
                continue;
            };
            let mut schedule = Job::clone(&entry.schedule);
            schedule.arguments = r.run.arguments.clone();
            // The push the row was claimed for: if its marker is there, that push landed and
            // the slot is not sent again. A row that names none (written before pushes were
            // recorded) gets a new push, a chunk of rows each.
            let push = match r.run.push_marker {
                Some(id) => self.config.dispatch.marker_with_id(id),
                None => {
                    if in_marker == self.config.dispatch.chunk_rows.max(1) {
                        marker = self.config.dispatch.marker();
                        in_marker = 0;
                    }
                    in_marker += 1;
                    marker.clone()
                }
            };
            self.owed.push(Owed {
                due: Due::at_slot(Arc::new(schedule), r.run.scheduled_for, r.run.trigger),
                task_id,
                run_id: Some(r.id),
                row: None,
                marker: push,
                error: r
                    .run
                    .detail
                    .unwrap_or_else(|| "owed by a previous scheduler".into()),
                recorded: true,
            });
        }
        if !gone.is_empty()
            && let Err(e) = crate::store::within(
                self.config.dispatch.statement_timeout,
                "the owed runs",
                self.store.settle_runs(
                    &gone,
                    RunStatus::Skipped,
                    None,
                    "not sent: the schedule was deleted or disabled while its message was owed",
                ),
            )
            .await
        {
            self.database_failed(&e);
        }
        if self.owed.len() > before {
            tracing::info!(owed = self.owed.len() - before, "owed slots taken over");
            self.owed_retry = Some((tokio::time::Instant::now(), OWED_RETRY_FIRST));
        }
    }

    /// At a stop: owed slots only this scheduler knows (their rows could not be marked, or
    /// were never written) go to the history as `owed`, for the next leader to send.
    pub(super) fn keep_owed_for_the_next_leader(&mut self) {
        let mut unmarked = Vec::new();
        for o in std::mem::take(&mut self.owed) {
            match (o.run_id, o.row) {
                (Some(id), _) if !o.recorded => unmarked.push(id),
                (None, Some(mut row)) => {
                    row.status = RunStatus::Owed;
                    row.dispatched_at = None;
                    row.detail = Some(format!("owed: {}", o.error));
                    row.push_marker = Some(o.marker.id.clone());
                    self.backlog.runs.push(row);
                }
                _ => {}
            }
        }
        if !unmarked.is_empty() {
            self.backlog.settle.push(Settle {
                ids: unmarked,
                status: RunStatus::Owed,
                dispatched_at: None,
                detail: "owed: the broker did not take it before the scheduler stopped".into(),
            });
        }
    }

    /// Owed slots whose claim did not reach the database while it was down have no row: they
    /// get their `owed` row now (and claimed rows not yet marked are marked), before a catch-up could claim the same slot and send it again. A slot
    /// another scheduler claimed meanwhile is its to send, and is dropped here. Whether it
    /// could be done (else retried at the next poll).
    pub(super) async fn claim_unclaimed_owed(&mut self) -> bool {
        // Claimed rows that could not be marked `owed` while the database was down are now.
        let unmarked: Vec<i64> = self
            .owed
            .iter()
            .filter(|o| !o.recorded)
            .filter_map(|o| o.run_id)
            .collect();
        if !unmarked.is_empty() {
            let detail = dispatch::owed_detail(&self.owed[0].error);
            let marked = crate::store::within(
                self.config.dispatch.statement_timeout,
                "the owed runs",
                self.store
                    .settle_runs(&unmarked, RunStatus::Owed, None, &detail),
            )
            .await;
            if let Err(e) = marked {
                tracing::warn!(error = %e, "could not record the owed slots yet; retrying");
                return false;
            }
            for o in &mut self.owed {
                o.recorded = o.recorded || o.run_id.is_some();
            }
        }
        let unclaimed: Vec<usize> = (0..self.owed.len())
            .filter(|&i| self.owed[i].run_id.is_none() && self.owed[i].row.is_some())
            .collect();
        if unclaimed.is_empty() {
            return true;
        }
        let rows: Vec<crate::domain::run::NewRun> = unclaimed
            .iter()
            .filter_map(|&i| {
                let o = &self.owed[i];
                o.row.clone().map(|mut row| {
                    row.status = RunStatus::Owed;
                    row.dispatched_at = None;
                    row.detail = Some(dispatch::owed_detail(&o.error));
                    row
                })
            })
            .collect();
        let claims = crate::store::within(
            self.config.dispatch.statement_timeout,
            "the owed runs",
            self.store.insert_runs(&rows),
        )
        .await;
        let claims = match claims {
            Ok(claims) => claims,
            Err(e) => {
                tracing::warn!(error = %e, "could not record the owed slots yet; retrying");
                return false;
            }
        };
        let mut taken = HashSet::new();
        for (&i, claim) in unclaimed.iter().zip(claims) {
            match claim {
                Some(id) => {
                    let o = &mut self.owed[i];
                    o.run_id = Some(id);
                    o.row = None;
                    o.recorded = true;
                }
                None => {
                    taken.insert(i);
                }
            }
        }
        if !taken.is_empty() {
            tracing::info!(
                slots = taken.len(),
                "owed slots claimed by another scheduler meanwhile: left to it"
            );
            let mut n = 0;
            self.owed.retain(|_| {
                let keep = !taken.contains(&n);
                n += 1;
                keep
            });
        }
        true
    }
}
