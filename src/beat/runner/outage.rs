//! Database outages: the loop keeps running the last known schedules, keeps the history it
//! cannot write, and on recovery writes it, reloads, and catches up.

use super::Beat;
use crate::beat::clock::Clock;
use crate::store::{RunStore, ScheduleStore, StoreError, TaskStore};

impl<S, C> Beat<S, C>
where
    S: ScheduleStore + TaskStore + RunStore,
    C: Clock,
{
    pub(super) fn database_failed(&mut self, e: &StoreError) {
        if !self.database_down {
            tracing::warn!(error = %e, "database unavailable: running the last known schedules, retrying");
            self.database_down = true;
        }
    }

    pub(super) async fn database_recovered(&mut self) {
        if !self.database_down {
            return;
        }
        // The history kept during the outage first (so catch-up sees what ran), then a reload
        // (so last_run_at is current), then what the outage owes. Retried at every poll.
        if !self.write_backlog().await || !self.claim_unclaimed_owed().await {
            return;
        }
        if let Err(e) = self.full_reload().await {
            tracing::warn!(error = %e, "could not reload after the outage yet; retrying");
            return;
        }
        self.database_down = false;
        tracing::info!("database available again");
        if self.leading {
            self.catch_up().await;
        }
    }

    /// Writes history kept while the database was up again (rows of owed slots settled after
    /// an outage); kept for the next poll on failure.
    pub(super) async fn flush_kept_history(&mut self) {
        if !self.database_down && !self.backlog.is_empty() {
            self.write_backlog().await;
        }
    }

    /// Writes the kept history (under four statement deadlines); whether it is all written.
    async fn write_backlog(&mut self) -> bool {
        let timeout = self.config.dispatch.statement_timeout;
        let flushed = tokio::time::timeout(timeout * 4, self.backlog.flush(&self.store)).await;
        match flushed.unwrap_or(Err(StoreError::NoAnswer {
            what: "the kept history in time".into(),
        })) {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(error = %e, runs = self.backlog.runs.len(), "could not write the kept history yet; retrying");
                false
            }
        }
    }
}
