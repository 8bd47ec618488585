//! Execution policies against a real Celery worker running a slow task: `skip` skips while the
//! previous run runs (by its unfinished result, and by the worker-side lock), `queue` holds one
//! run and sends it right after the slow one finishes, `allow` overlaps. The scheduler runs
//! in-process on a manual clock; the worker, the broker and the result backend are real.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::{Value, json};
use stockura::beat::clock::ManualClock;
use stockura::beat::dispatch::{Broker, DispatchOptions};
use stockura::beat::message::{BrokerLayout, slot_task_id};
use stockura::beat::policy::{Checker, lock_key};
use stockura::beat::runner::{Beat, BeatConfig};
use stockura::config::Redacted;
use stockura::domain::run::{Run, RunStatus};
use stockura::store::AnyStore;

use crate::celery::{Worker, WorkerOptions, recorded, result_status};
use crate::support::TestDb;

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

struct Rig {
    db: TestDb,
    worker: Worker,
    clock: Arc<ManualClock>,
}

impl Rig {
    async fn new(db: TestDb) -> Self {
        db.json(&["schedule", "list"]);
        let mut opts = WorkerOptions::isolated();
        opts.concurrency = 2;
        let worker = Worker::start(opts).await;
        Self {
            db,
            worker,
            clock: Arc::new(ManualClock::new(at("2030-01-01T00:00:30Z"))),
        }
    }

    /// A beat whose checks look for locks in `locks` (a Redis URL) and results in the backend.
    async fn beat(&self, locks: &str) -> Beat<AnyStore, ManualClock> {
        let o = self.worker.options();
        let config = BeatConfig {
            once: false,
            catchup_window: chrono::Duration::hours(1),
            catch_up_rows: stockura::beat::runner::CATCH_UP_ROWS,
            sync_interval: Duration::from_secs(5),
            min_sync_interval: Duration::ZERO,
            retention: None,
            default_tz: Tz::UTC,
            dispatch: DispatchOptions {
                dry_run: false,
                default_queue: o.queues[0].clone(),
                layout: BrokerLayout {
                    global_keyprefix: o.key_prefix.clone(),
                    ..Default::default()
                },
                origin: "stockura@test".into(),
                chunk_rows: stockura::beat::dispatch::CHUNK_ROWS,
                send_deadline: chrono::Duration::minutes(5),
                statement_timeout: std::time::Duration::from_secs(5),
            },
        };
        let broker = Broker::redis(Redacted::new(o.broker_url.as_str()), Duration::from_secs(2));
        let checker = Checker::new(
            Some(Redacted::new(locks)),
            Some(Redacted::new(o.result_backend.as_str())),
            chrono::Duration::hours(1),
            Duration::from_secs(2),
        );
        let mut beat = Beat::new(
            self.db.store().await,
            self.clock.clone(),
            config,
            Some(broker),
        )
        .with_checker(checker);
        beat.start().await.unwrap();
        beat
    }

    /// A schedule of the slow task (3 s) with `policy`; returns its id.
    fn add(&self, policy: &str, tag: &str) -> (uuid::Uuid, serde_json::Map<String, Value>) {
        let kwargs = json!({"seconds": 3, "tag": tag});
        let s = self.db.json(&[
            "schedule",
            "add",
            "--task",
            "stockura_test.slow",
            "--cron",
            "* * * * *",
            "--name",
            tag,
            "--policy",
            policy,
            "--kwargs",
            &kwargs.to_string(),
        ]);
        (
            s["id"].as_str().unwrap().parse().unwrap(),
            kwargs.as_object().unwrap().clone(),
        )
    }

    async fn runs(&self) -> Vec<Run> {
        self.db.runs().await
    }

    /// Ticks at `minute` past the hour (2030-01-01T00:MM:00Z).
    async fn tick_at(&self, beat: &mut Beat<AnyStore, ManualClock>, minute: u32) {
        self.clock
            .set(at(&format!("2030-01-01T00:{minute:02}:00Z")));
        beat.tick().await;
    }

    /// Waits (hang guard 30 s) for the final result of a task.
    async fn finished(&self, task_id: uuid::Uuid) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(r) =
                result_status(&self.worker.options().result_backend, &task_id.to_string()).await
                && r["status"] == "SUCCESS"
            {
                return r;
            }
            assert!(
                Instant::now() < deadline,
                "task {task_id} did not finish:\n{}",
                self.worker.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn executions(&self, n: usize) -> Vec<Value> {
        let o = self.worker.options();
        // Wait for n, then a little longer to catch any extra execution.
        let got = recorded(&o.result_backend, &o.record_key, n, Duration::from_secs(30)).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let again = recorded(&o.result_backend, &o.record_key, n + 1, Duration::ZERO).await;
        assert_eq!(got.len(), again.len(), "an extra execution: {again:#?}");
        again
    }
}

/// Each run's slot and status, oldest first.
fn summary(runs: &[Run]) -> Vec<(DateTime<Utc>, RunStatus)> {
    runs.iter()
        .map(|r| (r.run.scheduled_for, r.run.status))
        .collect()
}

fn slot(minute: u32) -> DateTime<Utc> {
    at(&format!("2030-01-01T00:{minute:02}:00Z"))
}

fn date_done(result: &Value) -> DateTime<Utc> {
    let text = result["date_done"].as_str().unwrap();
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| {
            chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").map(|n| n.and_utc())
        })
        .unwrap()
}

/// `skip`: a slot while the previous run has no final result is skipped (check b); a slot
/// while the worker-side lock is held is skipped (check a); otherwise it runs.
async fn skip_skips_while_the_previous_run_runs(db: TestDb) {
    let rig = Rig::new(db).await;
    let tag = format!("skip_{}", uuid::Uuid::new_v4().simple());
    let (id, kwargs) = rig.add("skip", &tag);
    // Locks in the broker's Redis, results in the backend: two servers, checked together.
    let mut beat = rig.beat(&rig.worker.options().broker_url).await;
    rig.tick_at(&mut beat, 1).await;
    rig.tick_at(&mut beat, 2).await; // the 3-second run of 00:01 is still going
    rig.finished(slot_task_id(id, slot(1))).await;
    rig.tick_at(&mut beat, 3).await;
    rig.finished(slot_task_id(id, slot(3))).await;
    // The worker-side lock, as the Python task sets it.
    let key = lock_key("stockura_test.slow", &kwargs);
    let mut conn = redis::Client::open(rig.worker.options().broker_url.as_str())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let _: () = redis::cmd("SET")
        .arg(&key)
        .arg("1")
        .arg("EX")
        .arg(60)
        .query_async(&mut conn)
        .await
        .unwrap();
    rig.tick_at(&mut beat, 4).await;
    let _: () = redis::cmd("DEL")
        .arg(&key)
        .query_async(&mut conn)
        .await
        .unwrap();
    let runs = rig.runs().await;
    let summary = summary(&runs);
    assert_eq!(
        summary,
        vec![
            (slot(1), RunStatus::Dispatched),
            (slot(2), RunStatus::Skipped),
            (slot(3), RunStatus::Dispatched),
            (slot(4), RunStatus::Skipped),
        ]
    );
    let why = runs[1].run.detail.as_deref().unwrap();
    assert!(
        why.contains(&slot_task_id(id, slot(1)).to_string()) && why.contains("no final result"),
        "{why}"
    );
    let why = runs[3].run.detail.as_deref().unwrap();
    assert!(
        why.contains(&format!("the worker lock {key} is held")),
        "{why}"
    );
    assert!(runs[1].run.celery_task_id.is_none() && runs[1].run.dispatched_at.is_none());
    // Exactly the two runs that were sent were executed.
    let done = rig.executions(2).await;
    let ids: Vec<&str> = done.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            slot_task_id(id, slot(1)).to_string(),
            slot_task_id(id, slot(3)).to_string()
        ]
    );
    assert_eq!(beat.stats().skipped, 2);
}

/// `queue`: one run is held while the previous runs, later slots are skipped, and the held run
/// is sent right after the previous one finishes, exactly once even with two schedulers.
async fn queue_runs_one_deferred_run_after_the_slow_one(db: TestDb) {
    let rig = Rig::new(db).await;
    let tag = format!("queue_{}", uuid::Uuid::new_v4().simple());
    let (id, _) = rig.add("queue", &tag);
    // Locks and results in the same Redis database: one pipeline.
    let mut beat = rig.beat(&rig.worker.options().result_backend).await;
    rig.tick_at(&mut beat, 1).await;
    rig.tick_at(&mut beat, 2).await;
    rig.tick_at(&mut beat, 3).await;
    assert_eq!(beat.held().len(), 1);
    // A second scheduler (a standby taking over, say) finds the held run in the history.
    let mut other = rig.beat(&rig.worker.options().result_backend).await;
    assert_eq!(other.held().len(), 1);
    assert_eq!(other.held()[&id].due.slot, slot(2));
    // Checked every second (here: every 100 ms) while held; sent once the first run is done.
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut sent = 0;
    while sent == 0 {
        assert!(Instant::now() < deadline, "the held run was never sent");
        tokio::time::sleep(Duration::from_millis(100)).await;
        sent = beat.flush_held().await;
    }
    let released = chrono::Utc::now();
    let first = result_status(
        &rig.worker.options().result_backend,
        &slot_task_id(id, slot(1)).to_string(),
    )
    .await
    .expect("the first run finished before the held one was sent");
    assert_eq!(first["status"], "SUCCESS");
    assert!(date_done(&first) <= released);
    // The other scheduler loses the claim of the held run: nothing is sent twice.
    assert_eq!(other.flush_held().await, 0);
    assert!(other.held().is_empty() && beat.held().is_empty());
    let runs = rig.runs().await;
    let summary = summary(&runs);
    assert_eq!(
        summary,
        vec![
            (slot(1), RunStatus::Dispatched),
            (slot(2), RunStatus::Dispatched),
            (slot(3), RunStatus::Skipped),
        ]
    );
    assert_eq!(
        runs[2].run.detail.as_deref(),
        Some("one run already queued")
    );
    let detail = runs[1].run.detail.as_deref().unwrap();
    assert!(
        detail.starts_with("deferred: sent ") && detail.contains("after its slot"),
        "{detail}"
    );
    assert_eq!(runs[1].run.celery_task_id, Some(slot_task_id(id, slot(2))));
    let done = rig.executions(2).await;
    let ids: Vec<&str> = done.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            slot_task_id(id, slot(1)).to_string(),
            slot_task_id(id, slot(2)).to_string()
        ]
    );
    assert_eq!(beat.stats().deferred_sent, 1);
}

/// `allow`: the next slot is sent while the previous run still runs; with two worker threads
/// they overlap.
async fn allow_overlaps(db: TestDb) {
    let rig = Rig::new(db).await;
    let tag = format!("allow_{}", uuid::Uuid::new_v4().simple());
    let (id, _) = rig.add("allow", &tag);
    let mut beat = rig.beat(&rig.worker.options().result_backend).await;
    rig.tick_at(&mut beat, 1).await;
    rig.tick_at(&mut beat, 2).await;
    let second_sent = Utc::now();
    let first = rig.finished(slot_task_id(id, slot(1))).await;
    rig.finished(slot_task_id(id, slot(2))).await;
    let runs = rig.runs().await;
    assert_eq!(runs.len(), 2);
    assert!(runs.iter().all(|r| r.run.status == RunStatus::Dispatched));
    // The second was sent before the first finished.
    assert!(second_sent < date_done(&first));
    assert_eq!(rig.executions(2).await.len(), 2);
}

#[tokio::test]
async fn postgres_skip_skips_while_the_previous_run_runs() {
    skip_skips_while_the_previous_run_runs(TestDb::postgres().await).await;
}

#[tokio::test]
async fn postgres_queue_runs_one_deferred_run_after_the_slow_one() {
    queue_runs_one_deferred_run_after_the_slow_one(TestDb::postgres().await).await;
}

#[tokio::test]
async fn sqlite_queue_runs_one_deferred_run_after_the_slow_one() {
    queue_runs_one_deferred_run_after_the_slow_one(TestDb::sqlite().await).await;
}

#[tokio::test]
async fn sqlite_allow_overlaps() {
    allow_overlaps(TestDb::sqlite().await).await;
}
