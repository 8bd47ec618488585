//! Paused schedules that resume by themselves (`schedule pause --until`): the leader switches
//! them on again at that instant, in one write, tells the other schedulers, and plans each
//! from its first slot after the instant. The slots of the pause are not owed: they were not
//! missed, so nothing is caught up or recorded `missed` for them.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::Beat;
use crate::beat::clock::Clock;
use crate::config::Redacted;
use crate::store::{RunStore, ScheduleStore, TaskStore};
use crate::sync::{ChangeEvent, EventKind, Publisher};

/// Where a scheduler publishes the change events of its own writes (the schedules it resumes):
/// the Redis channel the other schedulers and the Python application listen to.
#[derive(Debug, Clone)]
pub struct ChangeEvents {
    /// `REDIS_URL`.
    pub url: Redacted,
    /// `CELERY_BEAT_REDIS_CHANNEL`.
    pub channel: String,
    /// The deadline of the publish (`STOCKURA_REDIS_TIMEOUT`).
    pub timeout: Duration,
}

impl<S, C> Beat<S, C>
where
    S: ScheduleStore + TaskStore + RunStore,
    C: Clock,
{
    /// Publishes the change events of this scheduler's own writes on `events`.
    pub fn with_events(mut self, events: ChangeEvents) -> Self {
        self.events = Some(events);
        self
    }

    /// When the next paused schedule resumes by itself, as this scheduler knows it.
    pub fn next_resume(&self) -> Option<DateTime<Utc>> {
        self.next_resume
    }

    /// Whether this scheduler resumes paused schedules: not a dry run, which writes no
    /// schedule.
    pub(super) fn resumes(&self) -> bool {
        !self.config.dispatch.dry_run
    }

    /// Notes that a schedule read from the database resumes by itself at its `paused_until`.
    pub(super) fn note_pause(&mut self, schedule: &crate::domain::Schedule) {
        if !self.resumes() || schedule.enabled {
            return;
        }
        if let Some(until) = schedule.pause.until {
            self.next_resume = Some(self.next_resume.map_or(until, |n| n.min(until)));
        }
    }

    /// Reads when the next paused schedule resumes by itself.
    pub(super) async fn load_next_resume(&mut self) -> Result<(), crate::store::StoreError> {
        self.next_resume = if self.resumes() {
            crate::store::within(
                self.config.dispatch.statement_timeout,
                "reading when the next paused schedule resumes",
                self.store.next_resume(),
            )
            .await?
        } else {
            None
        };
        Ok(())
    }

    /// Resumes the paused schedules whose `--until` has come (the leader's work): one write
    /// switches them on, with `resumed_at` at their until; each enters the plan at its first
    /// slot after now, and a change event tells the other schedulers. A leader that resumes a
    /// pause late (none ran at its until) owes the slots since the until as a start owes
    /// them: the latest within the catch-up window runs, the others are recorded `missed`
    /// (the caller catches up what `arrived` holds). A write that fails is tried again after the
    /// sync interval.
    pub(super) async fn resume_paused(&mut self) {
        let now = self.clock.now();
        if !self.leading || self.next_resume.is_none_or(|at| at > now) {
            return;
        }
        let retry = now.checked_add_signed(
            chrono::Duration::from_std(self.config.sync_interval)
                .unwrap_or(chrono::Duration::seconds(5)),
        );
        if self.database_down {
            self.next_resume = retry;
            return;
        }
        let resumed = crate::store::within(
            self.config.dispatch.statement_timeout,
            "the resume of paused schedules",
            self.store.resume_due(now),
        )
        .await;
        let resumed = match resumed {
            Ok(resumed) => resumed,
            Err(e) => {
                // Not an outage by itself: the version poll's probe decides that.
                tracing::warn!(error = %e, "could not resume the paused schedules whose until has come; trying again");
                self.next_resume = retry;
                return;
            }
        };
        let mut events = Vec::with_capacity(resumed.len());
        for s in resumed {
            let at = s.resumed_at.unwrap_or(now);
            tracing::info!(schedule = %s.name, at = %at.to_rfc3339(), "schedule resumed: its pause ended");
            events.push(ChangeEvent::schedule(
                EventKind::ScheduleUpdated,
                s.id,
                &s.name,
                &s.task_name,
                now,
            ));
            let (id, name) = (s.id, s.name.clone());
            // Planned from now, like every schedule at a start: the slots between its until
            // and now (none when the until has just come; more when no leader ran then) are
            // what a catch-up owes, by the catch-up window's rule (`resumed_at` is the until:
            // nothing from before it is owed).
            match self.plan.upsert(s, self.config.default_tz, now) {
                Ok(()) => self.arrived.push(id),
                Err(crate::beat::plan::Unplanned::Invalid(why)) => {
                    tracing::warn!(schedule = %name, problem = %why, "schedule cannot run");
                }
                Err(_) => {}
            }
            self.observe_reload(id);
        }
        let next = crate::store::within(
            self.config.dispatch.statement_timeout,
            "reading when the next paused schedule resumes",
            self.store.next_resume(),
        )
        .await;
        match next {
            Ok(next) => self.next_resume = next,
            Err(e) => {
                tracing::warn!(error = %e, "could not read when the next paused schedule resumes; trying again");
                self.next_resume = retry;
            }
        }
        self.publish(events).await;
    }

    /// Publishes change events for this scheduler's own writes, when it has a channel. A
    /// failure is logged: the others find the change by the change version anyway.
    async fn publish(&self, mut events: Vec<ChangeEvent>) {
        let Some(to) = &self.events else { return };
        if events.is_empty() {
            return;
        }
        let version = crate::store::within(
            self.config.dispatch.statement_timeout,
            "reading the change version",
            self.store.change_version(),
        )
        .await
        .ok()
        .map(|v| v.version);
        for e in &mut events {
            e.version = version;
        }
        let sent = async {
            let mut publisher = Publisher::connect(&to.url, to.timeout).await?;
            publisher.publish(&to.channel, &events).await
        }
        .await;
        if let Err(e) = sent {
            tracing::warn!(error = %e, events = events.len(), "could not publish change events; the other schedulers find the change at their next poll");
        }
    }
}
