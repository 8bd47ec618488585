//! Retention: history older than the configured age is deleted, at most once a day, in chunks
//! between which what falls due is served.

use super::Beat;
use crate::beat::clock::Clock;
use crate::store::{RunStore, ScheduleStore, TaskStore};

/// History rows deleted per statement of the retention.
const RETENTION_CHUNK: u32 = 10_000;

impl<S, C> Beat<S, C>
where
    S: ScheduleStore + TaskStore + RunStore,
    C: Clock,
{
    /// Deletes history older than the retention, at most once a day.
    pub async fn retention(&mut self) {
        let Some(keep) = self.config.retention else {
            return;
        };
        if !self.leading {
            return;
        }
        let now = self.clock.now();
        if self
            .last_retention
            .is_some_and(|t| now - t < chrono::Duration::days(1))
        {
            return;
        }
        self.last_retention = Some(now);
        let Some(before) = now.checked_sub_signed(keep) else {
            return;
        };
        // In chunks, each under the statement deadline, with what falls due served between
        // them: a first retention of years of history is millions of rows, and one statement
        // would hold the loop (and SQLite's write lock) for the whole of it.
        let mut deleted = 0u64;
        loop {
            let chunk = crate::store::within(
                self.config.dispatch.statement_timeout,
                "the history retention",
                self.store.delete_runs_before(before, RETENTION_CHUNK),
            )
            .await;
            match chunk {
                Ok(n) => deleted += n,
                Err(e) => {
                    // Not an outage by itself (a chunk may just be slow): the version poll's
                    // probe decides that. The rest is tried again in an hour.
                    tracing::warn!(error = %e, deleted, "history retention stopped; trying again in an hour");
                    self.last_retention = now
                        .checked_sub_signed(chrono::Duration::days(1) - chrono::Duration::hours(1));
                    break;
                }
            }
            self.stepping();
            if chunk.is_ok_and(|n| n < u64::from(RETENTION_CHUNK)) || self.stopping() {
                break;
            }
            if self
                .plan
                .next_due()
                .is_some_and(|next| next <= self.clock.now())
            {
                self.tick().await;
            }
            if !self.leading || self.stopping() {
                // Not done: the rest goes at the next leader's (or start's) retention.
                self.last_retention = None;
                break;
            }
        }
        if deleted > 0 {
            tracing::info!(deleted, "history retention");
        }
    }
}
