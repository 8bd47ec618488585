//! Reloads: the plan follows the database. A full reload re-reads every enabled schedule; change
//! events and the durable change version lead to targeted reloads of the rows they name, or to
//! a full reload when they cannot account for every change.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use uuid::Uuid;

use super::Beat;
use crate::beat::clock::Clock;
use crate::beat::dispatch::Definitions;
use crate::beat::feed::Change;
use crate::beat::plan::Unplanned;
use crate::store::{RunStore, ScheduleFilter, ScheduleStore, StoreError, TaskStore};

/// How long the version poll waits for a database known to be down.
const DOWN_PROBE: Duration = Duration::from_secs(1);
/// The shortest probe of a database known to be down: closer to the next slot than this, the
/// version poll waits until after it.
const DOWN_PROBE_LEAST: Duration = Duration::from_millis(20);

/// Above this many schedules in one burst of events, a full reload is cheaper.
const TARGETED_RELOAD_MAX: usize = 256;

impl<S, C> Beat<S, C>
where
    S: ScheduleStore + TaskStore + RunStore,
    C: Clock,
{
    /// Tells the observer that a schedule was reloaded on its own.
    pub(super) fn observe_reload(&self, id: Uuid) {
        if let Some(o) = &self.observer {
            o.reloaded(false, 1);
            o.plan_changed(id, self.plan.get(id));
        }
    }

    /// Re-reads every enabled schedule and the definitions; keeps each unchanged schedule's
    /// pending slot.
    pub(super) async fn full_reload(&mut self) -> Result<(), StoreError> {
        let version = self.store.change_version().await?.version;
        let definitions = Definitions::load(&self.store).await?;
        let now = self.clock.now();
        // Each schedule goes into the plan as its row arrives (replacing its previous entry);
        // those not seen are removed afterwards. A failed read leaves the plan as it was
        // before, apart from the schedules already read (newer than what the plan had).
        let mut present: HashSet<Uuid> = HashSet::with_capacity(self.plan.len());
        let mut invalid = 0usize;
        let (plan, default_tz, arrived) =
            (&mut self.plan, self.config.default_tz, &mut self.arrived);
        self.store
            .visit_schedules(
                &ScheduleFilter {
                    enabled: Some(true),
                    ..Default::default()
                },
                &mut |s| {
                    present.insert(s.id);
                    let (id, name) = (s.id, s.name.clone());
                    let owes = plan.get(id).is_none() && owes_on_arrival(&s);
                    let unread = s.unread_columns();
                    match plan.upsert(s, default_tz, now) {
                        Ok(()) => {
                            warn_unread(&name, &unread);
                            if owes {
                                arrived.push(id);
                            }
                        }
                        Err(Unplanned::Disabled) => {}
                        Err(Unplanned::Never) => {
                            tracing::debug!(schedule = %name, "never fires again")
                        }
                        Err(Unplanned::Invalid(why)) => {
                            invalid += 1;
                            tracing::warn!(schedule = %name, problem = %why, "schedule cannot run");
                        }
                    }
                },
            )
            .await?;
        for id in self.plan.ids() {
            if !present.contains(&id) {
                self.plan.remove(id);
            }
        }
        if let Err(e) = self.load_next_resume().await {
            // The plan is loaded; the resumes are looked for again after the sync interval.
            tracing::warn!(error = %e, "could not read when paused schedules resume; trying again");
            self.next_resume = self.clock.now().checked_add_signed(
                chrono::Duration::from_std(self.config.sync_interval)
                    .unwrap_or(chrono::Duration::seconds(5)),
            );
        }
        self.plan.forget_unused_crons();
        self.definitions = definitions;
        self.seen_version = version;
        self.last_full_reload = Some(Instant::now());
        self.reload_pending = false;
        self.stats.full_reloads += 1;
        if let Some(obs) = &self.observer {
            obs.reloaded(true, 0);
            obs.load_plan(self.plan.entries());
        }
        tracing::debug!(
            schedules = self.plan.len(),
            invalid,
            version,
            "reloaded every schedule"
        );
        Ok(())
    }

    /// A full reload now, or as soon as the minimum interval allows.
    async fn request_full_reload(&mut self) {
        let allowed = self
            .last_full_reload
            .is_none_or(|t| t.elapsed() >= self.config.min_sync_interval);
        if allowed {
            if let Err(e) = self.full_reload().await {
                self.database_failed(&e);
                self.reload_pending = true;
            }
        } else {
            self.reload_pending = true;
        }
    }

    /// Applies a burst of changes: targeted reloads for a few schedules, a full reload for
    /// many, for definitions, for resyncs and for version moves no event explains.
    pub async fn apply(&mut self, changes: Vec<Change>) {
        self.apply_changes(changes).await;
        self.catch_up_arrived().await;
    }

    async fn apply_changes(&mut self, changes: Vec<Change>) {
        let mut ids: HashSet<Uuid> = HashSet::new();
        let mut full = false;
        let mut definitions = false;
        let mut versions = Vec::new();
        let mut rows: Vec<(i64, Vec<Uuid>)> = Vec::new();
        for change in changes {
            match change {
                Change::Schedule(id) => {
                    ids.insert(id);
                }
                Change::Task(_) => definitions = true,
                Change::Version(v) => versions.push(v),
                Change::Rows { version, ids } => rows.push((version, ids)),
                Change::Resync => full = true,
            }
        }
        // Why this never misses a change. Every statement that changes what runs bumps the
        // durable version in its own transaction, under the lock of the single version row, so
        // versions are committed, and NOTIFYs delivered, in version order, whoever writes (the
        // Python application and psql included: the triggers do it, not the writers). A NOTIFY
        // that names its rows (`Rows`) accounts for exactly one version. So the beat may advance
        // `seen_version` from V to V+1 by reloading the rows of V+1 alone (read after that
        // commit, so at least as new as V+1). Anything else — a version that does not name its
        // rows (bulk statements, TRUNCATE, task definitions), a gap (a lost NOTIFY, or the poll
        // finding a version whose NOTIFY is still in flight) — means a full reload, rate-limited
        // by the minimum sync interval. Redis events only add targeted reloads; they never move
        // `seen_version`.
        rows.sort_by_key(|(v, _)| *v);
        let mut next_seen = self.seen_version;
        for (version, changed) in rows {
            if version <= next_seen {
                continue;
            }
            if version == next_seen + 1 {
                ids.extend(changed);
                next_seen = version;
            } else {
                full = true;
            }
        }
        if versions.iter().any(|v| *v > next_seen) {
            full = true;
        }
        if full || ids.len() > TARGETED_RELOAD_MAX {
            self.request_full_reload().await;
            return;
        }
        self.seen_version = next_seen;
        if definitions {
            match Definitions::load(&self.store).await {
                Ok(d) => self.definitions = d,
                Err(e) => self.database_failed(&e),
            }
        }
        let now = self.clock.now();
        for id in ids {
            match crate::store::within(
                self.config.dispatch.statement_timeout,
                "the changed schedule",
                self.store.get_schedule(id),
            )
            .await
            {
                Ok(Some(s)) => {
                    self.note_pause(&s);
                    let name = s.name.clone();
                    let owes = self.plan.get(id).is_none() && owes_on_arrival(&s);
                    let unread = s.unread_columns();
                    match self.plan.upsert(s, self.config.default_tz, now) {
                        Ok(()) => {
                            warn_unread(&name, &unread);
                            if owes {
                                self.arrived.push(id);
                            }
                            tracing::debug!(schedule = %name, "schedule reloaded")
                        }
                        Err(Unplanned::Invalid(why)) => {
                            tracing::warn!(schedule = %name, problem = %why, "schedule cannot run")
                        }
                        Err(_) => {
                            tracing::debug!(schedule = %name, "schedule disabled or never fires")
                        }
                    }
                    self.stats.targeted_reloads += 1;
                    self.observe_reload(id);
                }
                Ok(None) => {
                    self.plan.remove(id);
                    self.stats.targeted_reloads += 1;
                    self.observe_reload(id);
                }
                Err(e) => {
                    self.database_failed(&e);
                    self.reload_pending = true;
                    return;
                }
            }
        }
    }

    /// Polls the durable change version; reloads when it moved without an event.
    pub async fn poll_version(&mut self) {
        // While the database is known to be down the poll only probes it, briefly, and never
        // past the next slot: a hung database cannot hold a boundary back. Too close to the
        // slot, the probe waits for the next poll.
        let timeout = if self.database_down {
            let mut probe = self.config.dispatch.statement_timeout.min(DOWN_PROBE);
            // Only a leader has slots to send (a standby's plan is never ticked, so its first
            // slot lies in the past: it probes at every poll).
            if self.leading
                && let Some(next) = self.plan.next_due()
            {
                let left = (next - self.clock.now()).to_std().unwrap_or_default();
                if left < DOWN_PROBE_LEAST {
                    // The slot is due: the tick comes first, the next poll probes.
                    return;
                }
                probe = probe.min(left);
            }
            probe
        } else {
            self.config.dispatch.statement_timeout
        };
        match crate::store::within(timeout, "the version poll", self.store.change_version()).await {
            Ok(v) => {
                self.database_recovered().await;
                self.flush_kept_history().await;
                if self.leading && !self.database_down {
                    // Owed rows a stopping scheduler wrote after this one took over.
                    self.load_owed().await;
                }
                if v.version > self.seen_version {
                    // Where the database logs what each version touched (SQLite), the poll
                    // reloads just those rows; a gap or a longer log means a full reload.
                    let mut changes: Vec<Change> = match self
                        .store
                        .changes_since(self.seen_version, TARGETED_RELOAD_MAX + 1)
                        .await
                    {
                        Ok(Some(log)) => log
                            .into_iter()
                            .map(|(version, id)| match id {
                                Some(id) => Change::Rows {
                                    version,
                                    ids: vec![id],
                                },
                                None => Change::Version(version),
                            })
                            .collect(),
                        Ok(None) => Vec::new(),
                        Err(e) => {
                            tracing::debug!(error = %e, "cannot read the change log; reloading every schedule");
                            Vec::new()
                        }
                    };
                    changes.push(Change::Version(v.version));
                    self.apply_changes(changes).await;
                }
            }
            Err(e) => self.database_failed(&e),
        }
        if self.reload_pending {
            self.request_full_reload().await;
        }
        self.catch_up_arrived().await;
    }
}

/// Says which columns of a planned schedule could not be read (another program wrote them).
fn warn_unread(name: &str, unread: &[String]) {
    if !unread.is_empty() {
        tracing::warn!(
            schedule = %name,
            problem = %unread.join("; "),
            "schedule runs, but columns of it cannot be read (with its last run or resume time unreadable it is planned from now, nothing caught up); fix the row with SQL"
        );
    }
}

/// Whether a schedule entering the plan of a running scheduler owes its catch-up at once:
/// only a row as it was created (never edited since) whose `last_run_at` is older than the
/// row itself, i.e. bookkeeping brought from elsewhere (`schedule add --last-run-at`, rows
/// imported from another scheduler). A schedule enabled again, or repaired, resumes at its
/// next slot: the slots it was off for were not missed.
fn owes_on_arrival(schedule: &crate::domain::schedule::Schedule) -> bool {
    schedule.updated_at == schedule.created_at
        && schedule
            .last_run_at
            .is_some_and(|last| last < schedule.created_at)
}
