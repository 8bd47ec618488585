//! The execution policies in the loop: the running checks that `skip` and `queue` decide by,
//! and the runs the `queue` policy holds until the schedule's previous run finishes.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Beat, due_event};
use crate::beat::clock::Clock;
use crate::beat::dispatch::{self, Owed, Settle};
use crate::beat::plan::Due;
use crate::beat::policy::{self as checks, CheckItem, Checker};
use crate::domain::Job;
use crate::domain::policy::{self, Decision};
use crate::domain::run::{RunStatus, Trigger};
use crate::store::{LastDispatch, RunStore, ScheduleStore, TaskStore};

/// What the execution policies' running checks work with.
#[derive(Default)]
pub(super) struct PolicyChecks {
    /// The running checks; without them, `skip` and `queue` behave as `allow`.
    pub(super) checker: Option<Checker>,
    /// What this scheduler sent last, for the schedules whose policy checks (merged with what
    /// the history says).
    pub(super) last_sent: HashMap<Uuid, LastDispatch>,
    /// Whether the checks are failing (logged once when they start failing, once when they
    /// work again).
    failing: bool,
}

/// A run the `queue` policy holds until the schedule's previous run finishes.
#[derive(Debug, Clone, PartialEq)]
pub struct Held {
    /// Its `deferred` history row.
    pub run_id: i64,
    /// The slot, with the schedule as recorded (arguments as they will be sent).
    pub due: Due,
    /// The Celery task id it will be sent with.
    pub task_id: Uuid,
}

impl<S, C> Beat<S, C>
where
    S: ScheduleStore + TaskStore + RunStore,
    C: Clock,
{
    /// Loads the runs held by the `queue` policy (rows `deferred`), e.g. after a takeover.
    pub(super) async fn load_held(&mut self) {
        let runs = match crate::store::within(
            self.config.dispatch.statement_timeout,
            "the held runs",
            self.store.deferred_runs(),
        )
        .await
        {
            Ok(runs) => runs,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the queued runs; they are picked up at the next takeover");
                return;
            }
        };
        self.held.clear();
        for r in runs {
            let (Some(id), Some(task_id)) = (r.run.schedule_id, r.run.celery_task_id) else {
                continue;
            };
            let Some(entry) = self.plan.get(id) else {
                continue;
            };
            let mut schedule = Job::clone(&entry.schedule);
            schedule.arguments = r.run.arguments.clone();
            let schedule = Arc::new(schedule);
            self.held.entry(id).or_insert(Held {
                run_id: r.id,
                due: Due::at_slot(schedule, r.run.scheduled_for, r.run.trigger),
                task_id,
            });
        }
        if !self.held.is_empty() {
            tracing::info!(held = self.held.len(), "queued runs taken over");
        }
    }

    /// The running checks of these schedules, aligned; `None` where the check could not be
    /// made (the run then goes ahead: a policy never blocks a schedule on an outage).
    async fn running(
        &mut self,
        items: &[(Uuid, &str, serde_json::Map<String, serde_json::Value>)],
        now: DateTime<Utc>,
    ) -> Vec<Option<policy::Running>> {
        let Some(checker) = self.checks.checker.as_mut() else {
            return vec![None; items.len()];
        };
        let ids: Vec<Uuid> = items.iter().map(|(id, _, _)| *id).collect();
        let known: HashMap<Uuid, LastDispatch> = if checker.checks_results() {
            match crate::store::within(
                self.config.dispatch.statement_timeout,
                "the last sends",
                self.store.latest_dispatched(&ids),
            )
            .await
            {
                Ok(rows) => rows.into_iter().map(|l| (l.schedule_id, l)).collect(),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read the last runs; checking what this scheduler sent");
                    HashMap::new()
                }
            }
        } else {
            HashMap::new()
        };
        let check: Vec<CheckItem<'_>> = items
            .iter()
            .map(|(id, task, kwargs)| CheckItem {
                task_name: task,
                kwargs,
                last: checks::merge_last(
                    known.get(id).copied(),
                    self.checks.last_sent.get(id).copied(),
                ),
            })
            .collect();
        match checker.check(&check, now).await {
            Ok(found) => {
                if self.checks.failing {
                    tracing::info!("execution policy checks work again");
                    self.checks.failing = false;
                }
                found
            }
            Err(e) => {
                if !self.checks.failing {
                    tracing::warn!(error = %e, "cannot check for running tasks; dispatching as allow until it works again");
                    self.checks.failing = true;
                }
                vec![None; items.len()]
            }
        }
    }

    /// The policies' verdicts for a batch (manual runs always go).
    pub(super) async fn decide(&mut self, due: &[Due], now: DateTime<Utc>) -> Vec<Decision> {
        let mut decisions = vec![Decision::Send; due.len()];
        let picked: Vec<usize> = due
            .iter()
            .enumerate()
            .filter(|(_, d)| {
                d.trigger != Trigger::Manual && policy::needs_check(d.schedule.execution_policy)
            })
            .map(|(n, _)| n)
            .collect();
        if picked.is_empty() {
            return decisions;
        }
        let items: Vec<(Uuid, &str, serde_json::Map<String, serde_json::Value>)> = picked
            .iter()
            .map(|&n| {
                let s = &due[n].schedule;
                (s.id, s.task_name.as_str(), s.arguments.kwargs())
            })
            .collect();
        let found = self.running(&items, now).await;
        for (&n, running) in picked.iter().zip(&found) {
            let s = &due[n].schedule;
            decisions[n] = policy::decide(
                s.execution_policy,
                running.as_ref(),
                self.held.contains_key(&s.id),
            );
        }
        decisions
    }

    /// Sends the held runs whose previous run has finished (called every second while runs
    /// are held). A held run is claimed by turning its row from `deferred` to `dispatched`:
    /// only the scheduler that wins that update sends it. Returns how many were sent.
    pub async fn flush_held(&mut self) -> usize {
        if self.held.is_empty() || !self.lease_valid() {
            return 0;
        }
        let now = self.clock.now();
        // Runs whose schedule was deleted or disabled meanwhile are dropped.
        let gone: Vec<Uuid> = self
            .held
            .keys()
            .filter(|id| self.plan.get(**id).is_none())
            .copied()
            .collect();
        if !gone.is_empty() {
            let ids: Vec<i64> = gone
                .iter()
                .filter_map(|id| self.held.get(id).map(|h| h.run_id))
                .collect();
            match crate::store::within(
                self.config.dispatch.statement_timeout,
                "the held runs",
                self.store.mark_runs(
                    &ids,
                    RunStatus::Skipped,
                    "the schedule was deleted or disabled while its run was queued",
                ),
            )
            .await
            {
                Ok(()) => {
                    for id in gone {
                        self.held.remove(&id);
                    }
                }
                Err(e) => self.database_failed(&e),
            }
        }
        let mut held: Vec<Held> = self.held.values().cloned().collect();
        held.sort_by_key(|h| (h.due.slot, h.run_id));
        let items: Vec<(Uuid, &str, serde_json::Map<String, serde_json::Value>)> = held
            .iter()
            .map(|h| {
                (
                    h.due.schedule.id,
                    h.due.schedule.task_name.as_str(),
                    h.due.schedule.arguments.kwargs(),
                )
            })
            .collect();
        let running = self.running(&items, now).await;
        drop(items);
        let mut batch = Vec::new();
        let mut sent = Vec::new();
        let mut tags = dispatch::DeliveryTags::new();
        // The push that carries the held runs: each is claimed (`deferred` to `owed`) naming it.
        let marker = self.config.dispatch.marker();
        for (h, running) in held.into_iter().zip(running) {
            match running {
                // The "previous run" is this very run: another scheduler has sent it.
                Some(policy::Running::Unfinished { task_id, .. }) if task_id == h.task_id => {
                    self.held.remove(&h.due.schedule.id);
                    continue;
                }
                Some(_) => continue,
                None => {}
            }
            match crate::store::within(
                self.config.dispatch.statement_timeout,
                "the held run's claim",
                self.store.promote_deferred(h.run_id, &marker.id),
            )
            .await
            {
                Ok(true) => match dispatch::message_for(&h.due, h.task_id, &self.config.dispatch) {
                    Ok(m) => {
                        let (wire, _) =
                            dispatch::encode(&m, &self.config.dispatch.layout, &mut tags);
                        batch.push(wire);
                        sent.push(h);
                    }
                    Err(why) => {
                        tracing::warn!(schedule = %h.due.schedule.name, slot = %h.due.slot, reason = %why, "queued run cannot be sent as stored; recorded failed");
                        if let Err(e) = crate::store::within(
                            self.config.dispatch.statement_timeout,
                            "the failed run",
                            self.store.mark_runs(&[h.run_id], RunStatus::Failed, &why),
                        )
                        .await
                        {
                            tracing::warn!(error = %e, "could not record the failed run");
                        }
                        if let Some(obs) = &self.observer {
                            obs.record([due_event(&h.due, RunStatus::Failed, now, None)]);
                        }
                        self.held.remove(&h.due.schedule.id);
                        self.stats.failed += 1;
                    }
                },
                Ok(false) => {
                    // Another scheduler sent it (or it was marked meanwhile).
                    self.held.remove(&h.due.schedule.id);
                }
                Err(e) => {
                    self.database_failed(&e);
                    break;
                }
            }
        }
        if sent.is_empty() {
            return 0;
        }
        let count = batch.len();
        let (refused, error) = match self.broker.as_mut() {
            Some(broker) => match broker.push(batch, &marker).await {
                Ok(landed) => (landed.refused, landed.refusal),
                Err(e) => ((0..count).collect(), e.to_string()),
            },
            None => (Vec::new(), String::new()),
        };
        let sent = if refused.is_empty() {
            sent
        } else {
            tracing::error!(error = %error, messages = refused.len(), of = count, "dispatch failed: the runs stay owed and are retried");
            let (owed, sent): (Vec<_>, Vec<_>) = sent
                .into_iter()
                .enumerate()
                .partition(|(n, _)| refused.binary_search(n).is_ok());
            let owed = owed
                .into_iter()
                .map(|(_, h)| {
                    self.held.remove(&h.due.schedule.id);
                    Owed {
                        due: h.due,
                        task_id: h.task_id,
                        run_id: Some(h.run_id),
                        row: None,
                        marker: marker.clone(),
                        error: error.clone(),
                        recorded: false,
                    }
                })
                .collect();
            self.owe(owed).await;
            let sent: Vec<_> = sent.into_iter().map(|(_, h)| h).collect();
            if sent.is_empty() {
                return 0;
            }
            sent
        };
        let ran: Vec<(Uuid, DateTime<Utc>)> = sent
            .iter()
            .map(|h| (h.due.schedule.id, h.due.slot))
            .collect();
        for h in &sent {
            let confirm = Settle {
                ids: vec![h.run_id],
                status: RunStatus::Dispatched,
                dispatched_at: Some(now),
                detail: policy::deferred_detail(h.due.slot, now),
            };
            if self.database_down {
                self.backlog.settle.push(confirm);
            } else if let Err(e) = crate::store::within(
                self.config.dispatch.statement_timeout,
                "the sent runs",
                self.store.settle_runs(
                    &confirm.ids,
                    confirm.status,
                    confirm.dispatched_at,
                    &confirm.detail,
                ),
            )
            .await
            {
                self.database_failed(&e);
                self.backlog.settle.push(confirm);
            }
            self.held.remove(&h.due.schedule.id);
            self.checks.last_sent.insert(
                h.due.schedule.id,
                checks::sent_now(h.due.schedule.id, h.task_id, now),
            );
            self.plan.ran(h.due.schedule.id, h.due.slot);
            tracing::info!(schedule = %h.due.schedule.name, slot = %h.due.slot, delay_ms = (now - h.due.slot).num_milliseconds(), "queued run sent: the previous run finished");
        }
        if let Err(e) = crate::store::within(
            self.config.dispatch.statement_timeout,
            "the bookkeeping",
            self.store.record_dispatch(&ran),
        )
        .await
        {
            tracing::warn!(error = %e, "database unavailable: run bookkeeping kept for later");
            self.backlog.ran.extend(ran);
            self.database_down = true;
        }
        if let Some(obs) = &self.observer {
            obs.record(
                sent.iter()
                    .map(|h| due_event(&h.due, RunStatus::Dispatched, now, Some(h.task_id))),
            );
        }
        self.stats.deferred_sent += sent.len();
        self.stats.dispatched += sent.len();
        sent.len()
    }
}
