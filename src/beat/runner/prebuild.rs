//! Prebuilding: the messages of the next instant are encoded on another thread shortly before
//! it, so that at the instant the claims have the machine to themselves.

use chrono::{DateTime, Utc};

use super::Beat;
use crate::beat::clock::Clock;
use crate::beat::dispatch::{self, Prebuilt};
use crate::store::{RunStore, ScheduleStore, TaskStore};

/// How long before an instant its first messages are encoded.
pub(super) const PREBUILD_LEAD: chrono::Duration = chrono::Duration::seconds(2);

impl<S, C> Beat<S, C>
where
    S: ScheduleStore + TaskStore + RunStore,
    C: Clock,
{
    /// The next instant whose messages are not yet being encoded ahead, while leading.
    pub fn next_to_prebuild(&self) -> Option<DateTime<Utc>> {
        let next = self.plan.next_due().filter(|_| self.leading)?;
        let started = self.prebuilding.as_ref().is_some_and(|(at, _)| *at == next);
        (!started).then_some(next)
    }

    /// Starts encoding, on another thread, the messages of the first [`dispatch::PREBUILD_MAX`]
    /// schedules due at the next instant, so that at the instant the claims have the machine
    /// to themselves. A schedule changed meanwhile is encoded afresh at the instant.
    pub fn prebuild(&mut self) {
        let Some(at) = self.next_to_prebuild() else {
            return;
        };
        let due = self.plan.due_at(at, dispatch::PREBUILD_MAX);
        let options = self.config.dispatch.clone();
        let job = tokio::task::spawn_blocking(move || Prebuilt::build(&due, &options));
        if let Some((_, stale)) = self.prebuilding.replace((at, job)) {
            stale.abort();
        }
    }

    /// The messages encoded ahead of an instant up to `now` (waiting for them if the encoding
    /// is still running: it started earlier than a fresh one would).
    pub(super) async fn take_prebuilt(&mut self, now: DateTime<Utc>) -> Prebuilt {
        match self.prebuilding.take() {
            Some((at, job)) if at <= now => job.await.unwrap_or_default(),
            Some(later) => {
                self.prebuilding = Some(later);
                Prebuilt::default()
            }
            None => Prebuilt::default(),
        }
    }
}
