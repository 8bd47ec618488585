//! Leadership: dispatching only while the lease is valid, standing down when it runs out, and
//! taking over (fresh plan, held and owed runs, catch-up) when it is won.

use std::time::Duration;

use tokio::sync::watch;

use super::Beat;
use crate::beat::clock::Clock;
use crate::beat::leader::Lease;
use crate::beat::plan::Plan;
use crate::store::{RunStore, ScheduleStore, TaskStore};

/// The lease a scheduler dispatches under, and the guard of a new leader's first pushes.
#[derive(Default)]
pub(super) struct Leadership {
    /// Dispatch only while it is valid (without one, always).
    pub(super) lease: Option<watch::Receiver<Lease>>,
    /// How long a new leader's pushes are guarded (the lease).
    pub(super) takeover_guard: Duration,
    /// Until when they are.
    guard_until: Option<tokio::time::Instant>,
}

impl<S, C> Beat<S, C>
where
    S: ScheduleStore + TaskStore + RunStore,
    C: Clock,
{
    /// The lease, while the pushes of now are a new leader's first ones (see
    /// [`Self::with_leadership`]).
    pub(super) fn guarding(&self) -> Option<Duration> {
        self.leadership
            .guard_until
            .filter(|until| tokio::time::Instant::now() < *until)
            .map(|_| self.leadership.takeover_guard)
    }

    pub(super) fn became_leader(&mut self) {
        if self.leadership.lease.is_some() {
            self.leadership.guard_until =
                Some(tokio::time::Instant::now() + self.leadership.takeover_guard);
        }
    }

    pub(super) fn lease_valid(&self) -> bool {
        self.leadership
            .lease
            .as_ref()
            .is_none_or(|l| l.borrow().valid())
    }

    /// Follows the lease: a standby that became the leader starts from the schedules'
    /// `last_run_at` (fresh plan, held runs, catch-up), so a slot that fell due during the
    /// failover runs once; a leader that lost it stops dispatching.
    pub async fn follow_lease(&mut self) {
        let valid = self.lease_valid();
        if valid && !self.leading {
            self.leading = true;
            self.became_leader();
            self.stats.takeovers += 1;
            self.plan = Plan::default();
            if let Err(e) = self.full_reload().await {
                self.database_failed(&e);
                self.reload_pending = true;
            }
            self.load_held().await;
            self.load_owed().await;
            self.resume_paused().await;
            self.catch_up().await;
            tracing::info!(
                schedules = self.plan.len(),
                held = self.held.len(),
                owed = self.owed.len(),
                "leading: dispatching from here on"
            );
        } else if !valid && self.leading {
            self.stand_down();
        }
        self.report();
    }

    pub(super) fn stand_down(&mut self) {
        self.leading = false;
        // The next leader loads the held and owed runs from their history rows. Owed slots
        // whose rows could not be marked (the database was down) stay here: only this
        // scheduler knows them, and sends them if it leads again.
        self.held.clear();
        self.owed.retain(|o| !o.recorded);
        tracing::warn!("not the leader: dispatching stops");
    }
}

/// Resolves when the lease changes; never without a lease (or once its task has ended: the
/// lease then runs out, and `tick` notices).
pub(super) async fn lease_changed(lease: &mut Option<watch::Receiver<Lease>>) {
    match lease {
        Some(rx) => {
            if rx.changed().await.is_err() {
                *lease = None;
                std::future::pending::<()>().await;
            }
        }
        None => std::future::pending().await,
    }
}
