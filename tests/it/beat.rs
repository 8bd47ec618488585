//! The scheduler in-process, driven by a manual clock, against both databases and a real
//! Redis broker (each test on its own key prefix).

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde_json::{Value, json};
use stockura::beat::clock::ManualClock;
use stockura::beat::dispatch::{Broker, DispatchOptions};
use stockura::beat::feed::Change;
use stockura::beat::message::{BrokerLayout, slot_task_id};
use stockura::beat::runner::{Beat, BeatConfig, ChangeEvents};
use stockura::config::{Backend, Redacted};
use stockura::domain::run::{RunStatus, Trigger};
use stockura::store::AnyStore;

use crate::both_backends;
use crate::support::{FaultProxy, TestDb, ThrowawayRedis, redis_url, via_port};

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

struct Rig {
    db: TestDb,
    clock: Arc<ManualClock>,
    prefix: String,
}

impl Rig {
    async fn new(db: TestDb, start: &str) -> Self {
        db.json(&["schedule", "list"]);
        let prefix = db.broker_prefix();
        Self {
            db,
            clock: Arc::new(ManualClock::new(at(start))),
            prefix,
        }
    }

    async fn beat(&self, dry_run: bool) -> Beat<AnyStore, ManualClock> {
        self.beat_on(dry_run, &format!("{}/0", redis_url())).await
    }

    /// A beat sending to the broker at `broker_url` (none when `dry_run`).
    async fn beat_on(&self, dry_run: bool, broker_url: &str) -> Beat<AnyStore, ManualClock> {
        self.beat_with(
            self.db.store().await,
            self.config(dry_run),
            dry_run,
            broker_url,
        )
        .await
    }

    /// A beat on `store` with `config`, started.
    async fn beat_with(
        &self,
        store: AnyStore,
        config: BeatConfig,
        dry_run: bool,
        broker_url: &str,
    ) -> Beat<AnyStore, ManualClock> {
        let broker = (!dry_run)
            .then(|| Broker::redis(Redacted::new(broker_url), std::time::Duration::from_secs(2)));
        let mut beat = Beat::new(store, self.clock.clone(), config, broker);
        beat.start().await.unwrap();
        beat
    }

    /// `count` schedules each minute that last ran at 00:00, and a beat (not started) on a
    /// [`StepClock`] from 00:03:40 moving 4 s per read, so that time passes while it catches
    /// them up; `stop` as the clock's.
    async fn long_catch_up(
        &self,
        count: usize,
        stop: Option<(DateTime<Utc>, tokio::sync::watch::Sender<bool>)>,
    ) -> Beat<AnyStore, StepClock> {
        self.add_each_minute(count, &[]);
        self.db
            .exec("UPDATE celery_beat_schedules SET last_run_at = '2030-01-01T00:00:00.000000Z'")
            .await;
        let clock = Arc::new(StepClock {
            inner: ManualClock::new(at("2030-01-01T00:03:40Z")),
            step: Duration::seconds(4),
            stop,
            at: None,
        });
        let broker = Broker::redis(
            Redacted::new(format!("{}/0", redis_url())),
            std::time::Duration::from_secs(2),
        );
        Beat::new(
            self.db.store().await,
            clock,
            self.config(false),
            Some(broker),
        )
    }

    /// A beat whose broker is `broker` reached through a [`FaultProxy`].
    async fn beat_behind_a_proxy(
        &self,
        broker: &ThrowawayRedis,
    ) -> (FaultProxy, Beat<AnyStore, ManualClock>) {
        let (_, target) = via_port(&broker.url(), 0);
        let proxy = FaultProxy::start(&target).await;
        let (url, _) = via_port(&broker.url(), proxy.port);
        let beat = self.beat_on(false, &url).await;
        (proxy, beat)
    }

    /// The test database's store, reached through a [`FaultProxy`] (Postgres only).
    async fn store_behind_a_proxy(&self) -> (FaultProxy, AnyStore) {
        let (url, target) = via_port(&self.db.url, 0);
        let proxy = FaultProxy::start(&target).await;
        let (url, _) = via_port(&url, proxy.port);
        let store = AnyStore::open(
            &stockura::config::DatabaseTarget {
                url: Redacted::new(url),
                backend: self.db.backend,
                create_dir: None,
            },
            stockura::store::OpenMode::RequireCurrent,
        )
        .await
        .unwrap();
        (proxy, store)
    }

    /// The tests' loop configuration.
    fn config(&self, dry_run: bool) -> BeatConfig {
        BeatConfig {
            once: false,
            catchup_window: Duration::hours(1),
            // Tiny catch-up batches too: a start owing several rows dispatches in batches.
            catch_up_rows: 3,
            sync_interval: std::time::Duration::from_secs(5),
            min_sync_interval: std::time::Duration::ZERO,
            retention: Some(Duration::days(30)),
            default_tz: Tz::UTC,
            dispatch: DispatchOptions {
                dry_run,
                default_queue: "celery".into(),
                layout: BrokerLayout {
                    global_keyprefix: self.prefix.clone(),
                    ..Default::default()
                },
                origin: "stockura@test".into(),
                // Tiny chunks: every batch of these tests goes through the chunk pipeline.
                chunk_rows: 2,
                send_deadline: chrono::Duration::minutes(5),
                statement_timeout: std::time::Duration::from_secs(5),
            },
        }
    }

    /// Schedules `s0`, `s1`, … of `app.tasks.a`, every minute, each with the `extra` flags.
    fn add_each_minute(&self, count: usize, extra: &[&str]) {
        for n in 0..count {
            let name = format!("s{n}");
            let mut args = vec![
                "--task",
                "app.tasks.a",
                "--cron",
                "* * * * *",
                "--name",
                &name,
                // The same job under several names, on purpose.
                "--allow-duplicate",
            ];
            args.extend_from_slice(extra);
            self.add(&args);
        }
    }

    /// Adds `name`, `app.tasks.a` every minute (the same job as others: allowed).
    fn every_minute(&self, name: &str) -> Value {
        self.add(&[
            "--task",
            "app.tasks.a",
            "--cron",
            "* * * * *",
            "--name",
            name,
            "--allow-duplicate",
        ])
    }

    fn add(&self, args: &[&str]) -> Value {
        let mut full = vec!["schedule", "add"];
        full.extend_from_slice(args);
        self.db.json(&full)
    }

    /// The messages on a broker list, oldest first.
    async fn messages(&self, queue: &str) -> Vec<Value> {
        messages_at(&format!("{}/0", redis_url()), &self.prefix, queue).await
    }

    async fn runs(&self) -> Vec<stockura::domain::run::Run> {
        self.db.runs().await
    }
}

async fn slots_fire_in_order_and_changes_apply_between_instants(db: TestDb) {
    let rig = Rig::new(db, "2030-01-01T00:00:30Z").await;
    let a = rig.add(&[
        "--task",
        "app.tasks.a",
        "--cron",
        "* * * * *",
        "--name",
        "a",
        "--kwargs",
        r#"{"n": 123456789012345678901234567890, "s": "日本"}"#,
    ]);
    let b = rig.add(&[
        "--task",
        "app.tasks.b",
        "--cron",
        "*/2 * * * *",
        "--name",
        "b",
        "--queue",
        "reports",
        "--priority",
        "7",
    ]);
    let mut beat = rig.beat(false).await;
    assert_eq!(beat.plan().next_due(), Some(at("2030-01-01T00:01:00Z")));
    // Nothing is due before its instant.
    assert_eq!(beat.tick().await.dispatched, 0);

    rig.clock.set(at("2030-01-01T00:01:00Z"));
    assert_eq!(beat.tick().await.dispatched, 1);
    let sent = rig.messages("celery").await;
    assert_eq!(sent.len(), 1);
    let a_id = uuid::Uuid::parse_str(a["id"].as_str().unwrap()).unwrap();
    assert_eq!(
        sent[0]["headers"]["id"],
        json!(slot_task_id(a_id, at("2030-01-01T00:01:00Z")))
    );
    assert_eq!(sent[0]["headers"]["celery_beat_task"], true);
    assert_eq!(sent[0]["headers"]["task"], "app.tasks.a");

    rig.clock.set(at("2030-01-01T00:02:00Z"));
    assert_eq!(beat.tick().await.dispatched, 2);
    // b went to its own queue, on the priority list of 7 (bucket 6).
    let reports = {
        let client = redis::Client::open(format!("{}/0", redis_url())).unwrap();
        let mut conn = client.get_multiplexed_async_connection().await.unwrap();
        let key = [rig.prefix.as_bytes(), b"reports\x06\x166"].concat();
        let n: i64 = redis::cmd("LLEN")
            .arg(key)
            .query_async(&mut conn)
            .await
            .unwrap();
        n
    };
    assert_eq!(reports, 1);

    // An update arriving between two instants takes effect at the next one.
    rig.db
        .json(&["schedule", "update", "a", "--cron", "0 * * * *"]);
    beat.apply(vec![Change::Schedule(a_id)]).await;
    rig.clock.set(at("2030-01-01T00:03:00Z"));
    assert_eq!(beat.tick().await.dispatched, 0, "a now fires hourly");
    // A delete, and a disable.
    rig.db.json(&["schedule", "disable", "b"]);
    beat.apply(vec![Change::Schedule(
        uuid::Uuid::parse_str(b["id"].as_str().unwrap()).unwrap(),
    )])
    .await;
    rig.clock.set(at("2030-01-01T00:04:00Z"));
    assert_eq!(beat.tick().await.dispatched, 0, "b is disabled");
    rig.db.json(&["schedule", "delete", "a", "--yes"]);
    beat.apply(vec![Change::Schedule(a_id)]).await;
    rig.clock.set(at("2030-01-01T01:00:00Z"));
    assert_eq!(beat.tick().await.dispatched, 0, "a is deleted");
    assert!(beat.plan().is_empty());
    // Enabled again: b resumes at its next slot.
    rig.db.json(&["schedule", "enable", "b"]);
    beat.apply(vec![Change::Schedule(
        uuid::Uuid::parse_str(b["id"].as_str().unwrap()).unwrap(),
    )])
    .await;
    rig.clock.set(at("2030-01-01T01:02:00Z"));
    assert_eq!(beat.tick().await.dispatched, 1, "b is enabled again");

    let runs = rig.runs().await;
    let mut summary: Vec<(String, String)> = runs
        .iter()
        .map(|r| {
            (
                r.run.schedule_name.clone(),
                r.run.scheduled_for.format("%H:%M").to_string(),
            )
        })
        .collect();
    // Runs of one slot come in no particular order.
    summary.sort();
    assert_eq!(
        summary,
        [
            ("a".into(), "00:01".into()),
            ("a".into(), "00:02".into()),
            ("b".into(), "00:02".into()),
            ("b".into(), "01:02".into())
        ]
    );
    assert_eq!(
        runs[0].run.arguments.kwargs()["n"].to_string(),
        "123456789012345678901234567890",
        "args and kwargs as sent"
    );
    assert_eq!(
        runs[0].run.schedule_id, None,
        "deleted schedules keep their history, detached"
    );
}

async fn catch_up_after_downtime_runs_once_and_records_missed_slots(db: TestDb) {
    let rig = Rig::new(db, "2030-01-01T00:03:20Z").await;
    let s = rig.add(&[
        "--task",
        "app.tasks.a",
        "--cron",
        "* * * * *",
        "--name",
        "a",
    ]);
    rig.db.exec(&format!(
        "UPDATE celery_beat_schedules SET last_run_at = '2030-01-01T00:00:00.000000Z' WHERE id = '{}'",
        s["id"].as_str().unwrap()
    ))
    .await;
    let beat = rig.beat(false).await;
    assert_eq!(beat.stats().dispatched, 1);
    let runs = rig.runs().await;
    let rows: Vec<(String, String, String)> = runs
        .iter()
        .map(|r| {
            (
                r.run.scheduled_for.format("%H:%M").to_string(),
                r.run.trigger.to_string(),
                r.run.status.to_string(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("00:01".into(), "schedule".into(), "missed".into()),
            ("00:02".into(), "schedule".into(), "missed".into()),
            ("00:03".into(), "catchup".into(), "dispatched".into())
        ]
    );
    assert!(
        runs[1]
            .run
            .detail
            .as_deref()
            .unwrap()
            .starts_with("2 slot(s) missed")
    );
    assert_eq!(rig.messages("celery").await.len(), 1);
    // Bookkeeping moved: a restart owes nothing more.
    let again = rig.beat(false).await;
    assert_eq!((again.stats().dispatched, again.stats().missed), (0, 0));
    let shown = rig.db.json(&["schedule", "show", "a"]);
    assert_eq!(
        (
            shown["last_run_at"].clone(),
            shown["total_run_count"].clone()
        ),
        (json!("2030-01-01T00:03:00Z"), json!(1))
    );
}

async fn a_large_catch_up_is_dispatched_in_bounded_batches(db: TestDb) {
    // Four schedules owe two missed slots and a catch-up each: 12 rows, in batches of about 3
    // rows (the rig's `catch_up_rows`): the 4 runs first (3, then 1), then the 8 missed rows
    // (a schedule's rows stay in one batch: 4, then 4).
    let rig = Rig::new(db, "2030-01-01T00:03:20Z").await;
    rig.add_each_minute(4, &[]);
    rig.db
        .exec("UPDATE celery_beat_schedules SET last_run_at = '2030-01-01T00:00:00.000000Z'")
        .await;
    let beat = rig.beat(false).await;
    let stats = beat.stats();
    assert_eq!(
        (stats.batches, stats.dispatched, stats.missed),
        (4, 4, 8),
        "{stats:?}"
    );
    let runs = rig.runs().await;
    let mut per_schedule: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for r in &runs {
        per_schedule
            .entry(r.run.schedule_name.clone())
            .or_default()
            .push(format!(
                "{} {}",
                r.run.scheduled_for.format("%H:%M"),
                r.run.status
            ));
    }
    for name in ["s0", "s1", "s2", "s3"] {
        let mut rows = per_schedule.remove(name).unwrap_or_default();
        rows.sort();
        assert_eq!(
            rows,
            ["00:01 missed", "00:02 missed", "00:03 dispatched"],
            "{name}"
        );
    }
    assert!(per_schedule.is_empty(), "{per_schedule:?}");
    assert_eq!(rig.messages("celery").await.len(), 4);
    // Every batch booked its runs: a restart owes nothing.
    let again = rig.beat(false).await;
    assert_eq!((again.stats().dispatched, again.stats().missed), (0, 0));
}

/// `schedule`'s runs as `HH:MM trigger status`, sorted.
fn rows_of(runs: &[stockura::domain::run::Run], schedule: &str) -> Vec<String> {
    let mut rows: Vec<String> = runs
        .iter()
        .filter(|r| r.run.schedule_name == schedule)
        .map(|r| {
            format!(
                "{} {} {}",
                r.run.scheduled_for.format("%H:%M"),
                r.run.trigger,
                r.run.status
            )
        })
        .collect();
    rows.sort();
    rows
}

/// What a [`StepClock`] does once at an instant.
type Action = Box<dyn Fn() + Send + Sync>;

/// A clock that moves on by `step` each time it is read: time passes while a long catch-up runs.
/// With `stop`, it also raises that stop signal once it has been read past the instant.
struct StepClock {
    inner: ManualClock,
    step: Duration,
    stop: Option<(DateTime<Utc>, tokio::sync::watch::Sender<bool>)>,
    /// Something done once, when the clock is first read past the instant (a proxy frozen, a
    /// lease lost).
    at: Option<(DateTime<Utc>, Action, std::sync::atomic::AtomicBool)>,
}

impl stockura::beat::clock::Clock for StepClock {
    fn now(&self) -> DateTime<Utc> {
        let now = self.inner.now();
        self.inner.set(now + self.step);
        if let Some((at, stop)) = &self.stop
            && now >= *at
        {
            stop.send_replace(true);
        }
        if let Some((at, action, done)) = &self.at
            && now >= *at
            && !done.swap(true, std::sync::atomic::Ordering::Relaxed)
        {
            action();
        }
        now
    }

    fn sleep_until(
        &self,
        at: DateTime<Utc>,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + '_>> {
        self.inner.sleep_until(at)
    }
}

/// A boundary that passes while a start's catch-up is still being sent goes out between two
/// catch-up batches, not after the last one; and the schedules caught up after it still get
/// their catch-up run and missed rows (the live run moved their `last_run_at` past the
/// catch-up's instant).
async fn a_boundary_during_a_long_catch_up_is_sent_between_its_batches(db: TestDb) {
    let rig = Rig::new(db, "2030-01-01T00:03:40Z").await;
    let mut beat = rig.long_catch_up(6, None).await;
    beat.start().await.unwrap();
    let runs = rig.runs().await;
    // Each schedule: what it owed when the catch-up began (whether it was caught up before or
    // after the boundary went out), then live slots only, each sent. How many live slots passed
    // depends on how often the loop reads the clock; at least one did.
    for n in 0..6 {
        let rows = rows_of(&runs, &format!("s{n}"));
        assert_eq!(
            rows[..3],
            [
                "00:01 schedule missed",
                "00:02 schedule missed",
                "00:03 catchup dispatched",
            ],
            "s{n}: {runs:#?}"
        );
        assert!(rows.len() > 3, "s{n}: no live slot: {rows:?}");
        assert!(
            rows[3..].iter().all(|r| r.ends_with("schedule dispatched")),
            "s{n}: {rows:?}"
        );
    }
    // The live slot went out before the catch-up was over: some of the catch-up's rows were
    // written after the boundary's.
    let first_live = runs
        .iter()
        .filter(|r| r.run.trigger == Trigger::Schedule && r.run.status == RunStatus::Dispatched)
        .map(|r| r.id)
        .min()
        .unwrap();
    let last_catch_up = runs
        .iter()
        .filter(|r| r.run.scheduled_for < at("2030-01-01T00:04:00Z"))
        .map(|r| r.id)
        .max()
        .unwrap();
    assert!(first_live < last_catch_up, "{runs:#?}");
    let sent = runs
        .iter()
        .filter(|r| r.run.status == RunStatus::Dispatched)
        .count();
    assert_eq!(rig.messages("celery").await.len(), sent);
}

/// A signal during a long catch-up, after a live slot went out between its batches: the
/// catch-up stops after the batch in flight instead of running to its end. Each schedule
/// either has its itemized rows, or one `missed` row summing up what it still owed: the
/// missed slots when its catch-up run went out before the stop, the run too when the live slot
/// superseded it. Nothing is owed afterwards: a restart sends and records nothing more.
///
/// Stopped during the runs (30 schedules, 10 batches of runs): the schedules whose run went out
/// sum up their missed slots, the others sum up their run too.
async fn a_signal_during_the_runs_of_a_catch_up_sums_up_the_rest(db: TestDb) {
    let shapes = signal_during_a_catch_up(db, 30, "2030-01-01T00:04:08Z").await;
    assert!(shapes.1 > 0 && shapes.2 > 0, "{shapes:?}");
}

/// Stopped during the missed rows (12 schedules): the schedules whose missed rows were
/// written keep them itemized, the others sum them up.
async fn a_signal_during_the_missed_rows_of_a_catch_up_sums_up_the_rest(db: TestDb) {
    let shapes = signal_during_a_catch_up(db, 12, "2030-01-01T00:04:12Z").await;
    assert!(shapes.0 > 0 && shapes.1 > 0, "{shapes:?}");
}

/// A long catch-up of `count` schedules stopped once the clock passes `stop`: checks each
/// schedule's rows and returns how many were itemized, summed up after their run, and summed
/// up with their run superseded.
async fn signal_during_a_catch_up(db: TestDb, count: usize, stop: &str) -> (usize, usize, usize) {
    let rig = Rig::new(db, "2030-01-01T00:03:40Z").await;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut beat = rig
        .long_catch_up(count, Some((at(stop), stop_tx)))
        .await
        .with_stop(stop_rx, Arc::new(std::sync::atomic::AtomicBool::new(false)));
    beat.start().await.unwrap();
    let runs = rig.runs().await;
    let (mut itemized, mut summed, mut superseded) = (0, 0, 0);
    for n in 0..count {
        let mut rows: Vec<_> = runs
            .iter()
            .filter(|r| r.run.schedule_name == format!("s{n}"))
            .map(|r| {
                (
                    format!(
                        "{} {} {}",
                        r.run.scheduled_for.format("%H:%M"),
                        r.run.trigger,
                        r.run.status
                    ),
                    r.run.detail.clone().unwrap_or_default(),
                )
            })
            .collect();
        rows.sort();
        let shown: Vec<&str> = rows.iter().map(|(r, _)| r.as_str()).collect();
        let summary = |row: &(String, String), count: usize| {
            assert!(
                row.1.starts_with(&format!(
                    "{count} slot(s) missed since the last run at 2030-01-01T00:00:00"
                )) && row.1.contains("not itemized"),
                "s{n}: {}",
                row.1
            );
        };
        match shown[..] {
            [
                "00:01 schedule missed",
                "00:02 schedule missed",
                "00:03 catchup dispatched",
                ref live @ ..,
            ] if live.len() <= 1 => itemized += 1,
            [
                "00:02 schedule missed",
                "00:03 catchup dispatched",
                "00:04 schedule dispatched",
            ] => {
                summary(&rows[0], 2);
                summed += 1;
            }
            ["00:03 schedule missed", "00:04 schedule dispatched"] => {
                summary(&rows[0], 3);
                superseded += 1;
            }
            _ => panic!("s{n}: {shown:?}"),
        }
    }
    let sent = runs
        .iter()
        .filter(|r| r.run.status == RunStatus::Dispatched)
        .count();
    assert_eq!(rig.messages("celery").await.len(), sent);
    // Nothing is left owed: a restart before the next slot catches nothing up.
    rig.clock.set(at("2030-01-01T00:04:30Z"));
    let again = rig.beat(false).await;
    assert_eq!((again.stats().dispatched, again.stats().missed), (0, 0));
    (itemized, summed, superseded)
}

async fn a_slot_is_sent_once_even_by_two_schedulers(db: TestDb) {
    let rig = Rig::new(db, "2030-01-01T00:00:30Z").await;
    rig.add(&["--task", "app.tasks.a", "--cron", "* * * * *"]);
    let mut one = rig.beat(false).await;
    let mut two = rig.beat(false).await;
    rig.clock.set(at("2030-01-01T00:01:00Z"));
    let (x, y) = (one.tick().await, two.tick().await);
    assert_eq!(
        (
            x.dispatched + y.dispatched,
            x.already_claimed + y.already_claimed
        ),
        (1, 1)
    );
    assert_eq!(rig.messages("celery").await.len(), 1);
}

/// Intervals through the scheduler: slots at the epoch-aligned instants (sub-minute ones
/// included), each sent once with its slot's task id even by two schedulers, and a restart
/// after downtime catches up the latest slot and records the others as missed.
async fn intervals_fire_on_their_epoch_aligned_slots(db: TestDb) {
    let rig = Rig::new(db, "2030-01-01T00:00:05Z").await;
    let ten = rig.add(&["--task", "app.tasks.a", "--every", "10s"]);
    assert_eq!(ten["cron_expression"], "@every 10s");
    assert_eq!(ten["name"], "a_every_10_seconds");
    let offset = rig.add(&["--task", "app.tasks.b", "--every", "1m/30s"]);
    assert_eq!(offset["cron_expression"], "@every 1m/30s");
    let id = |v: &Value| uuid::Uuid::parse_str(v["id"].as_str().unwrap()).unwrap();
    let mut one = rig.beat(false).await;
    let mut two = rig.beat(false).await;
    assert_eq!(one.plan().next_due(), Some(at("2030-01-01T00:00:10Z")));
    let mut sent_ids = Vec::new();
    for (instant, due) in [
        ("2030-01-01T00:00:10Z", 1),
        ("2030-01-01T00:00:20Z", 1),
        ("2030-01-01T00:00:30Z", 2),
        ("2030-01-01T00:00:40Z", 1),
    ] {
        rig.clock.set(at(instant));
        let (x, y) = (one.tick().await, two.tick().await);
        assert_eq!(
            (
                x.dispatched + y.dispatched,
                x.already_claimed + y.already_claimed
            ),
            (due, due),
            "{instant}"
        );
        sent_ids.push(slot_task_id(id(&ten), at(instant)).to_string());
    }
    sent_ids.push(slot_task_id(id(&offset), at("2030-01-01T00:00:30Z")).to_string());
    let mut on_broker: Vec<String> = rig
        .messages("celery")
        .await
        .iter()
        .map(|m| m["headers"]["id"].as_str().unwrap().to_string())
        .collect();
    on_broker.sort();
    sent_ids.sort();
    assert_eq!(
        on_broker, sent_ids,
        "each slot once, with its slot's task id"
    );

    // Down from 00:00:40 to 00:01:05: 00:00:50 and 00:01:00 of the 10 s interval passed, and
    // 00:00:30's successor 00:01:30 of the other has not come yet.
    drop((one, two));
    rig.clock.set(at("2030-01-01T00:01:05Z"));
    let beat = rig.beat(false).await;
    assert_eq!((beat.stats().dispatched, beat.stats().missed), (1, 1));
    let mut rows: Vec<String> = rig
        .runs()
        .await
        .iter()
        .filter(|r| r.run.schedule_name == "a_every_10_seconds")
        .map(|r| {
            let when = r.run.scheduled_for.format("%H:%M:%S");
            format!("{when} {} {}", r.run.trigger, r.run.status)
        })
        .collect();
    rows.sort();
    assert_eq!(
        rows,
        [
            "00:00:10 schedule dispatched",
            "00:00:20 schedule dispatched",
            "00:00:30 schedule dispatched",
            "00:00:40 schedule dispatched",
            "00:00:50 schedule missed",
            "00:01:00 catchup dispatched",
        ]
    );
    assert_eq!(beat.plan().next_due(), Some(at("2030-01-01T00:01:10Z")));
    let shown = rig.db.json(&["schedule", "show", "a_every_10_seconds"]);
    assert_eq!(shown["last_run_at"], "2030-01-01T00:01:00Z");
}

/// A jitter sends each slot at the instant `schedule next` shows (the slot plus a fixed
/// offset): not a millisecond before, and with the slot's own task id and history row.
async fn a_jitter_sends_each_slot_at_its_shown_time(db: TestDb) {
    // After every send time of the 00:00 slot (at most 45 s late): the first is 00:01's.
    let rig = Rig::new(db, "2030-01-01T00:00:50Z").await;
    let mut schedules = Vec::new();
    for n in 0..3 {
        let name = format!("j{n}");
        let added = rig.add(&[
            "--task",
            "app.tasks.a",
            "--cron",
            "* * * * *",
            "--jitter",
            "45s",
            "--name",
            &name,
            "--allow-duplicate",
        ]);
        assert_eq!(added["jitter_seconds"], 45);
        let id = uuid::Uuid::parse_str(added["id"].as_str().unwrap()).unwrap();
        let shown = rig.db.json(&[
            "schedule",
            "next",
            &name,
            "--after",
            "2030-01-01T00:00:50Z",
            "-n",
            "1",
        ]);
        let send: DateTime<Utc> = shown[0].as_str().unwrap().parse().unwrap();
        assert!(
            send >= at("2030-01-01T00:01:00Z") && send < at("2030-01-01T00:01:45Z"),
            "{send}"
        );
        schedules.push((id, send));
    }
    schedules.sort_by_key(|(_, send)| *send);
    let mut beat = rig.beat(false).await;
    assert_eq!(beat.plan().next_due(), Some(schedules[0].1));
    for (n, (id, send)) in schedules.iter().enumerate() {
        rig.clock.set(*send - Duration::milliseconds(1));
        assert_eq!(beat.tick().await.dispatched, 0, "not before its send time");
        rig.clock.set(*send);
        assert_eq!(beat.tick().await.dispatched, 1, "at its send time");
        let sent = rig.messages("celery").await;
        assert_eq!(sent.len(), n + 1);
        assert_eq!(
            sent[n]["headers"]["id"],
            json!(slot_task_id(*id, at("2030-01-01T00:01:00Z"))),
            "the slot's own task id"
        );
    }
    let runs = rig.runs().await;
    assert_eq!(runs.len(), 3);
    for r in &runs {
        assert_eq!(r.run.scheduled_for, at("2030-01-01T00:01:00Z"));
        assert_eq!(r.run.status, RunStatus::Dispatched);
    }
    // A restart between the next slot and its send time sends it on time, not as a catch-up.
    let (id, _) = schedules[2];
    let next_slot = at("2030-01-01T00:02:00Z");
    let offset = stockura::domain::jitter::Jitter::from_stored(Some(45))
        .unwrap()
        .offset(id, next_slot);
    drop(beat);
    rig.clock.set(next_slot);
    let mut beat = rig.beat(false).await;
    assert_eq!(
        beat.stats().dispatched,
        0,
        "nothing is caught up at the slot itself"
    );
    rig.clock.set(next_slot + offset);
    beat.tick().await;
    let runs = rig.runs().await;
    let row = runs
        .iter()
        .find(|r| r.run.schedule_id == Some(id) && r.run.scheduled_for == next_slot)
        .unwrap();
    assert_eq!(
        (row.run.trigger, row.run.status),
        (Trigger::Schedule, RunStatus::Dispatched)
    );
}

async fn parameters_are_revalidated_at_dispatch(db: TestDb) {
    let rig = Rig::new(db, "2030-01-01T00:00:30Z").await;
    rig.db.json(&[
        "task",
        "define",
        "app.tasks.a",
        "--schema",
        r#"{"type": "object", "properties": {"p": {"enum": ["x", "y"]}}}"#,
    ]);
    rig.add(&[
        "--task",
        "app.tasks.a",
        "--cron",
        "* * * * *",
        "--param",
        "p=x",
    ]);
    let mut beat = rig.beat(false).await;
    rig.db.json(&[
        "task",
        "define",
        "app.tasks.a",
        "--force",
        "--schema",
        r#"{"type": "object", "properties": {"p": {"enum": ["y"]}}}"#,
    ]);
    beat.apply(vec![Change::Task("app.tasks.a".into())]).await;
    rig.clock.set(at("2030-01-01T00:01:00Z"));
    let outcome = beat.tick().await;
    assert_eq!((outcome.dispatched, outcome.failed), (0, 1));
    let runs = rig.runs().await;
    assert_eq!(runs[0].run.status, RunStatus::Failed);
    assert!(
        runs[0].run.detail.as_deref().unwrap().contains("/p"),
        "{:?}",
        runs[0].run.detail
    );
    assert!(rig.messages("celery").await.is_empty());
}

/// One row that cannot become a message (an `expires` another program wrote far out of range)
/// is recorded `failed` with the reason; every other schedule of the same instant is sent, the
/// loop goes on, and the CLI refuses to store such a value or to trigger such a row.
async fn one_bad_row_never_stops_the_others(db: TestDb) {
    let rig = Rig::new(db, "2030-01-01T00:00:30Z").await;
    rig.add_each_minute(3, &[]);
    let bad = rig.add(&[
        "--task",
        "app.tasks.bad",
        "--cron",
        "* * * * *",
        "--name",
        "bad",
    ]);
    // Written as the Python application could write it: no validation on that path.
    rig.db
        .exec(&format!(
            r#"UPDATE celery_beat_schedules SET options = '{{"expires": 10000000000000}}' WHERE id = '{}'"#,
            bad["id"].as_str().unwrap()
        ))
        .await;
    let mut beat = rig.beat(false).await;
    for minute in ["2030-01-01T00:01:00Z", "2030-01-01T00:02:00Z"] {
        rig.clock.set(at(minute));
        let outcome = beat.tick().await;
        assert_eq!((outcome.dispatched, outcome.failed), (3, 1), "{minute}");
    }
    let messages = rig.messages("celery").await;
    assert_eq!(messages.len(), 6);
    assert!(
        messages
            .iter()
            .all(|m| m["headers"]["task"] == json!("app.tasks.a"))
    );
    let runs = rig.runs().await;
    let failed: Vec<_> = runs
        .iter()
        .filter(|r| r.run.status == RunStatus::Failed)
        .collect();
    assert_eq!(failed.len(), 2);
    assert!(failed.iter().all(|r| {
        r.run.schedule_name == "bad"
            && r.run
                .detail
                .as_deref()
                .unwrap()
                .contains("expires 10000000000000")
    }));

    // The CLI refuses the value on every write path, and writes nothing.
    let before = rig.db.snapshot();
    for args in [
        vec![
            "schedule",
            "add",
            "--task",
            "app.tasks.x",
            "--cron",
            "* * * * *",
            "--expires",
            "10000000000000",
        ],
        vec![
            "schedule",
            "add",
            "--task",
            "app.tasks.x",
            "--cron",
            "* * * * *",
            "--expires",
            "31536001",
        ],
        vec!["schedule", "update", "s0", "--expires", "10000000000000"],
    ] {
        let (code, _, stderr) = rig.db.run(&args);
        assert_eq!(code, 3, "{args:?}: {stderr}");
        assert!(
            stderr.contains("more than 31536000 seconds"),
            "{args:?}: {stderr}"
        );
    }
    assert_eq!(rig.db.snapshot(), before);
    // A year is accepted.
    rig.db
        .json(&["schedule", "update", "s0", "--expires", "31536000"]);
    // Triggering the bad row is refused as run-beat refuses it: nothing is sent.
    let out = rig
        .db
        .cmd()
        .env("CELERY_BROKER_URL", format!("{}/0", redis_url()))
        .env("STOCKURA_BROKER_KEY_PREFIX", &rig.prefix)
        .args(["schedule", "trigger", "bad"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("cannot run as stored"), "{stderr}");
    assert_eq!(rig.messages("celery").await.len(), 6);
}

/// A row another program wrote so that it cannot run as stored (an unknown zone; on Postgres,
/// which has no CHECK constraints on these columns, also kwargs written as a JSON string) is
/// skipped by run-beat and refused by `schedule trigger` (exit 3), rather than sent with `{}`
/// as its parameters. The other rows run.
async fn a_row_that_cannot_run_as_stored_is_refused_by_every_send_path(db: TestDb) {
    let rig = Rig::new(db, "2030-01-01T00:00:30Z").await;
    rig.add_each_minute(2, &[]);
    let mut broken = vec![("badzone", "timezone: 'Mars/Base' is not a known IANA zone")];
    if rig.db.backend == Backend::Postgres {
        broken.push(("stringly", "kwargs: expected a JSON object, found a string"));
    }
    for (name, _) in &broken {
        let s = rig.add(&[
            "--task",
            "app.tasks.bad",
            "--cron",
            "* * * * *",
            "--name",
            name,
        ]);
        let set = if *name == "badzone" {
            "timezone = 'Mars/Base'".to_string()
        } else {
            r#"kwargs = '"{\"a\":1}"'"#.to_string()
        };
        rig.db
            .exec(&format!(
                "UPDATE celery_beat_schedules SET {set} WHERE id = '{}'",
                s["id"].as_str().unwrap()
            ))
            .await;
    }
    let mut beat = rig.beat(false).await;
    rig.clock.set(at("2030-01-01T00:01:00Z"));
    let outcome = beat.tick().await;
    assert_eq!(outcome.dispatched, 2);
    let messages = rig.messages("celery").await;
    assert_eq!(messages.len(), 2);
    assert!(
        messages
            .iter()
            .all(|m| m["headers"]["task"] == json!("app.tasks.a"))
    );
    for (name, problem) in &broken {
        let shown = rig.db.json(&["schedule", "show", name]);
        assert!(!shown["problems"].as_array().unwrap().is_empty(), "{shown}");
        let out = rig
            .db
            .cmd()
            .env("CELERY_BROKER_URL", format!("{}/0", redis_url()))
            .env("STOCKURA_BROKER_KEY_PREFIX", &rig.prefix)
            .args(["schedule", "trigger", name])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{stderr}");
        assert!(
            stderr.contains("cannot run as stored") && stderr.contains(problem),
            "{name}: {stderr}"
        );
    }
    assert_eq!(
        rig.messages("celery").await.len(),
        2,
        "nothing more was sent"
    );
    assert!(
        rig.runs()
            .await
            .iter()
            .all(|r| r.run.task_name == "app.tasks.a")
    );
}

async fn changes_without_events_are_found_by_the_version_poll(db: TestDb) {
    let rig = Rig::new(db, "2030-01-01T00:00:30Z").await;
    let s = rig.add(&["--task", "app.tasks.a", "--cron", "0 * * * *"]);
    let mut beat = rig.beat(true).await;
    assert_eq!(beat.plan().next_due(), Some(at("2030-01-01T01:00:00Z")));
    // The Python application edits the row; no event is published.
    rig.db
        .exec(&format!(
            "UPDATE celery_beat_schedules SET cron_expression = '* * * * *' WHERE id = '{}'",
            s["id"].as_str().unwrap()
        ))
        .await;
    beat.poll_version().await;
    assert_eq!(beat.plan().next_due(), Some(at("2030-01-01T00:01:00Z")));
    rig.clock.set(at("2030-01-01T00:01:00Z"));
    let outcome = beat.tick().await;
    assert_eq!(
        (outcome.dry_run, outcome.dispatched),
        (1, 0),
        "a dry run records and sends nothing"
    );
    assert_eq!(rig.runs().await[0].run.status, RunStatus::DryRun);
    assert!(rig.messages("celery").await.is_empty());
}

/// On SQLite (no NOTIFY), the version poll reads the change log of migration 0009: a change
/// reloads just the rows it touched, whoever wrote it; a task definition, or a gap in the log,
/// reloads everything.
#[tokio::test]
async fn the_sqlite_version_poll_reloads_only_the_logged_rows() {
    let rig = Rig::new(TestDb::sqlite().await, "2030-01-01T00:00:30Z").await;
    let a = rig.add(&[
        "--task",
        "app.tasks.a",
        "--cron",
        "0 * * * *",
        "--name",
        "a",
    ]);
    rig.add(&[
        "--task",
        "app.tasks.b",
        "--cron",
        "0 * * * *",
        "--name",
        "b",
    ]);
    let mut beat = rig.beat(true).await;
    let base = beat.stats().clone();
    let edit = |cron: &str| {
        format!(
            "UPDATE celery_beat_schedules SET cron_expression = '{cron}' WHERE id = '{}'",
            a["id"].as_str().unwrap()
        )
    };
    rig.db.exec(&edit("* * * * *")).await;
    beat.poll_version().await;
    assert_eq!(beat.plan().next_due(), Some(at("2030-01-01T00:01:00Z")));
    assert_eq!(
        (beat.stats().full_reloads, beat.stats().targeted_reloads),
        (base.full_reloads, base.targeted_reloads + 1)
    );
    // Two rows in one statement: two logged versions, two targeted reloads.
    rig.db
        .exec("UPDATE celery_beat_schedules SET cron_expression = '*/5 * * * *'")
        .await;
    beat.poll_version().await;
    assert_eq!(beat.plan().next_due(), Some(at("2030-01-01T00:05:00Z")));
    assert_eq!(
        (beat.stats().full_reloads, beat.stats().targeted_reloads),
        (base.full_reloads, base.targeted_reloads + 3)
    );
    // A task definition changes what every schedule is checked against: everything reloads.
    rig.db.json(&["task", "define", "app.tasks.a"]);
    beat.poll_version().await;
    assert_eq!(beat.stats().full_reloads, base.full_reloads + 1);
    // A gap in the log (pruned, or written before 0009): everything reloads, nothing is lost.
    rig.db.exec(&edit("*/2 * * * *")).await;
    rig.db.exec("DELETE FROM stockura_schedule_changes").await;
    beat.poll_version().await;
    assert_eq!(beat.stats().full_reloads, base.full_reloads + 2);
    assert_eq!(beat.plan().next_due(), Some(at("2030-01-01T00:02:00Z")));
    // Polling again finds nothing new.
    beat.poll_version().await;
    assert_eq!(beat.stats().full_reloads, base.full_reloads + 2);
}

async fn dst_days_fire_as_cron_does(db: TestDb) {
    let rig = Rig::new(db, "2026-03-08T05:00:00Z").await;
    rig.add(&[
        "--task",
        "app.tasks.a",
        "--cron",
        "30 2 * * *",
        "--tz",
        "America/New_York",
    ]);
    let mut beat = rig.beat(true).await;
    // 02:30 does not exist in New York that day: the run comes at 03:00 EDT.
    assert_eq!(beat.plan().next_due(), Some(at("2026-03-08T07:00:00Z")));
    rig.clock.set(at("2026-03-08T07:00:00Z"));
    assert_eq!(beat.tick().await.dry_run, 1);
    assert_eq!(beat.plan().next_due(), Some(at("2026-03-09T06:30:00Z")));
}

async fn old_history_is_deleted(db: TestDb) {
    let rig = Rig::new(db, "2030-03-01T00:00:30Z").await;
    rig.add(&["--task", "app.tasks.a", "--cron", "* * * * *"]);
    let mut beat = rig.beat(true).await;
    rig.clock.set(at("2030-03-01T00:01:00Z"));
    beat.tick().await;
    // More old rows than one retention statement deletes (10,000): three chunks.
    rig.db.exec(
        "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 25001)
         INSERT INTO schedule_runs (schedule_name, task_name, scheduled_for, trigger, status, created_at)
         SELECT 'old', 'app.tasks.a', '2030-01-01T00:00:00.000000Z', 'manual', 'dispatched', '2030-01-01T00:00:00.000000Z' FROM g",
    )
    .await;
    assert_eq!(rig.db.runs_up_to(30_000).await.len(), 25_002);
    beat.retention().await;
    let left = rig.runs().await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].run.trigger, Trigger::Schedule);
}

/// Every batch of this rig goes in chunks of 2 rows: a start owing 5 catch-up runs and 10 missed
/// slots is 8 chunks, claimed and pushed in turn; each slot is still sent exactly once.
async fn a_batch_in_many_chunks_sends_each_slot_once(db: TestDb) {
    let rig = Rig::new(db, "2030-01-01T00:03:20Z").await;
    rig.add_each_minute(5, &[]);
    rig.db
        .exec("UPDATE celery_beat_schedules SET last_run_at = '2030-01-01T00:00:00.000000Z'")
        .await;
    let mut one = rig.beat(false).await;
    assert_eq!((one.stats().dispatched, one.stats().missed), (5, 10));
    let runs = rig.runs().await;
    let count = |status: RunStatus, trigger: Trigger| {
        runs.iter()
            .filter(|r| r.run.status == status && r.run.trigger == trigger)
            .count()
    };
    assert_eq!(count(RunStatus::Dispatched, Trigger::Catchup), 5);
    assert_eq!(count(RunStatus::Missed, Trigger::Schedule), 10);
    // A second scheduler starting now owes nothing: the bookkeeping of every chunk is in.
    let mut two = rig.beat(false).await;
    assert_eq!((two.stats().dispatched, two.stats().missed), (0, 0));
    // Both tick the next slot: each of the 5 slots is claimed by one of them only.
    rig.clock.set(at("2030-01-01T00:04:00Z"));
    let (x, y) = (one.tick().await, two.tick().await);
    assert_eq!(
        (
            x.dispatched + y.dispatched,
            x.already_claimed + y.already_claimed
        ),
        (5, 5)
    );
    let sent = rig.messages("celery").await;
    assert_eq!(sent.len(), 10);
    let ids: std::collections::HashSet<&str> = sent
        .iter()
        .map(|m| m["headers"]["id"].as_str().unwrap())
        .collect();
    let tags: std::collections::HashSet<&str> = sent
        .iter()
        .map(|m| m["properties"]["delivery_tag"].as_str().unwrap())
        .collect();
    assert_eq!((ids.len(), tags.len()), (10, 10));
    let shown = rig.db.json(&["schedule", "show", "s4"]);
    assert_eq!(shown["last_run_at"], json!("2030-01-01T00:04:00Z"));
    assert_eq!(shown["total_run_count"], json!(2));
}

/// Messages encoded ahead of an instant are the ones sent, except for a schedule changed after
/// they were encoded: that one goes out as it is now.
async fn messages_encoded_ahead_are_sent_unless_the_schedule_changed(db: TestDb) {
    let rig = Rig::new(db, "2030-01-01T00:00:30Z").await;
    rig.add_each_minute(3, &["--kwargs", r#"{"n": 1}"#]);
    let mut beat = rig.beat(false).await;
    rig.clock.set(at("2030-01-01T00:00:58Z"));
    assert_eq!(beat.next_to_prebuild(), Some(at("2030-01-01T00:01:00Z")));
    beat.prebuild();
    assert_eq!(beat.next_to_prebuild(), None, "started once per instant");
    let b = rig
        .db
        .json(&["schedule", "update", "s1", "--kwargs", r#"{"n": 2}"#]);
    beat.apply(vec![Change::Schedule(
        b["id"].as_str().unwrap().parse().unwrap(),
    )])
    .await;
    rig.clock.set(at("2030-01-01T00:01:00Z"));
    let outcome = beat.tick().await;
    assert_eq!((outcome.dispatched, outcome.prebuilt), (3, 2));
    let sent = rig.messages("celery").await;
    let mut kwargs: Vec<(String, String)> = sent
        .iter()
        .map(|m| {
            (
                m["headers"]["kwargsrepr"].as_str().unwrap().to_string(),
                m["headers"]["id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    kwargs.sort();
    assert_eq!(
        kwargs.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
        ["{'n': 1}", "{'n': 1}", "{'n': 2}"]
    );
    // The next instant is prepared afresh.
    assert_eq!(beat.next_to_prebuild(), Some(at("2030-01-01T00:02:00Z")));
}

/// A broker that refuses the first chunk: that chunk and every later one are recorded failed,
/// and nothing counts as dispatched.
/// A broker that refuses connections makes a batch's slots owed, not failed: each chunk's
/// rows say `owed`, attempts go on with the same task ids, and only when the slot's deadline
/// (here five minutes) has passed is a slot recorded `failed`, with the reason. No bookkeeping
/// for runs that were not sent.
async fn a_refusing_broker_leaves_slots_owed_until_their_deadline(db: TestDb) {
    let rig = Rig::new(db, "2030-01-01T00:00:30Z").await;
    rig.add_each_minute(5, &[]);
    // A port nothing listens on: the connection is refused at once.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut beat = rig
        .beat_on(false, &format!("redis://127.0.0.1:{port}/0"))
        .await;
    rig.clock.set(at("2030-01-01T00:01:00Z"));
    let outcome = beat.tick().await;
    assert_eq!((outcome.dispatched, outcome.failed), (0, 0));
    assert_eq!(outcome.owed.len(), 5);
    assert!(outcome.sent.is_empty() && outcome.ran.is_empty());
    let runs = rig.runs().await;
    assert_eq!(runs.len(), 5);
    assert!(runs.iter().all(|r| r.run.status == RunStatus::Owed
        && r.run.dispatched_at.is_none()
        && r.run.detail.as_deref().unwrap().contains("broker")));
    // Still refused four minutes on: still owed.
    rig.clock.set(at("2030-01-01T00:05:00Z"));
    assert_eq!(beat.retry_owed().await, 0);
    assert_eq!(beat.owed().len(), 5);
    // Past the deadline: failed, with the reason.
    rig.clock.set(at("2030-01-01T00:06:01Z"));
    assert_eq!(beat.retry_owed().await, 0);
    assert!(beat.owed().is_empty());
    let runs = rig.runs().await;
    assert!(runs.iter().all(|r| {
        r.run.status == RunStatus::Failed
            && r.run
                .detail
                .as_deref()
                .unwrap()
                .contains("before its deadline 2030-01-01T00:06:00")
    }));
    let shown = rig.db.json(&["schedule", "show", "s0"]);
    assert_eq!(shown["total_run_count"], json!(0));
}

/// The broker dies just before a boundary and comes back 40 s later: every slot of that
/// boundary is sent once, late, with its own task id; none is lost or doubled, the history
/// says `dispatched` with the delay, and the next boundary goes out as usual.
async fn a_broker_outage_makes_slots_late_not_lost(db: TestDb) {
    let rig = Rig::new(db, "2030-01-01T00:00:30Z").await;
    rig.add_each_minute(5, &[]);
    let mut broker = ThrowawayRedis::start(&[]).await;
    let mut beat = rig.beat_on(false, &broker.url()).await;
    // A first boundary with the broker up opens the connection.
    rig.clock.set(at("2030-01-01T00:01:00Z"));
    assert_eq!(beat.tick().await.dispatched, 5);
    broker.kill();
    rig.clock.set(at("2030-01-01T00:02:00Z"));
    let outcome = beat.tick().await;
    assert_eq!((outcome.dispatched, outcome.owed.len()), (0, 5));
    rig.clock.set(at("2030-01-01T00:02:20Z"));
    assert_eq!(beat.retry_owed().await, 0);
    broker.start_again().await;
    rig.clock.set(at("2030-01-01T00:02:40Z"));
    assert_eq!(beat.retry_owed().await, 5);
    assert!(beat.owed().is_empty());
    rig.clock.set(at("2030-01-01T00:03:00Z"));
    assert_eq!(beat.tick().await.dispatched, 5);

    // The restarted broker keeps nothing: it holds the owed slots and the next boundary.
    let messages = messages_at(&broker.url(), &rig.prefix, "celery").await;
    assert_eq!(messages.len(), 10);
    let ids: std::collections::HashSet<String> = messages
        .iter()
        .map(|m| m["headers"]["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 10, "no message doubled");
    let runs = rig.runs().await;
    let late: Vec<_> = runs
        .iter()
        .filter(|r| r.run.scheduled_for == at("2030-01-01T00:02:00Z"))
        .collect();
    assert_eq!(late.len(), 5);
    for r in &late {
        assert_eq!(r.run.status, RunStatus::Dispatched);
        assert_eq!(r.run.dispatched_at, Some(at("2030-01-01T00:02:40Z")));
        assert!(
            r.run
                .detail
                .as_deref()
                .unwrap()
                .contains("sent 40.0 s late")
        );
        let id = slot_task_id(r.run.schedule_id.unwrap(), r.run.scheduled_for).to_string();
        assert!(ids.contains(&id));
        assert_eq!(r.run.celery_task_id.unwrap().to_string(), id);
    }
    assert!(runs.iter().all(|r| r.run.status == RunStatus::Dispatched));
    assert_eq!(runs.len(), 15);
    let shown = rig.db.json(&["schedule", "show", "s0"]);
    assert_eq!(shown["total_run_count"], json!(3));
}

/// A push whose reply is lost after the broker acted on it (the network fails between EXEC
/// and its answer) is not sent again: the retry finds the push's marker. Once on the spot
/// (the reconnect of the same push), once through the owed retry after a second lost reply.
async fn a_lost_reply_never_doubles_a_message(db: TestDb) {
    let rig = Rig::new(db, "2030-01-01T00:00:30Z").await;
    rig.add_each_minute(5, &[]);
    let broker = ThrowawayRedis::start(&[]).await;
    let (proxy, mut beat) = rig.beat_behind_a_proxy(&broker).await;
    rig.clock.set(at("2030-01-01T00:01:00Z"));
    assert_eq!(beat.tick().await.dispatched, 5);

    // The reply of the batch is lost; the reconnect sees the marker.
    proxy.lose_next_replies(1);
    rig.clock.set(at("2030-01-01T00:02:00Z"));
    let outcome = beat.tick().await;
    assert_eq!((outcome.dispatched, outcome.owed.len()), (5, 0));

    // Lost twice (the batch's reply, then the check's): owed; the retry sees the marker.
    proxy.lose_next_replies(2);
    rig.clock.set(at("2030-01-01T00:03:00Z"));
    let outcome = beat.tick().await;
    assert_eq!((outcome.dispatched, outcome.owed.len()), (0, 5));
    rig.clock.set(at("2030-01-01T00:03:01Z"));
    assert_eq!(beat.retry_owed().await, 5);

    let messages = messages_at(&broker.url(), &rig.prefix, "celery").await;
    let ids: std::collections::HashSet<String> = messages
        .iter()
        .map(|m| m["headers"]["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!((messages.len(), ids.len()), (15, 15));
    let runs = rig.runs().await;
    assert_eq!(runs.len(), 15);
    assert!(runs.iter().all(|r| r.run.status == RunStatus::Dispatched));
    // The batch went in chunks of two: the first chunk's push landed with its reply lost;
    // the two chunks after it were not tried (the broker had just failed) and went late.
    let detail = |text: &str| {
        runs.iter()
            .filter(|r| r.run.detail.as_deref().is_some_and(|d| d.contains(text)))
            .count()
    };
    assert_eq!((detail("reply was lost"), detail("s late")), (2, 3));
}

/// A push that landed with its reply lost, by a scheduler that then goes away before it can
/// retry: the rows stay `owed` and name the push; the next scheduler asks the broker for that
/// push's marker and sends nothing again. Past the slots' deadline too (the marker outlives it).
async fn a_landed_push_is_not_sent_again_by_the_next_scheduler(db: TestDb) {
    let rig = Rig::new(db, "2030-01-01T00:00:30Z").await;
    rig.add_each_minute(4, &[]);
    let broker = ThrowawayRedis::start(&[]).await;
    let (proxy, mut first) = rig.beat_behind_a_proxy(&broker).await;
    rig.clock.set(at("2030-01-01T00:01:00Z"));
    assert_eq!(first.tick().await.dispatched, 4);
    // The push lands, its reply and the reconnect's are lost: owed.
    proxy.lose_next_replies(2);
    rig.clock.set(at("2030-01-01T00:02:00Z"));
    let outcome = first.tick().await;
    assert_eq!((outcome.dispatched, outcome.owed.len()), (0, 4));
    drop(first);
    // The batch went in chunks of two: the first chunk's push landed (its reply lost), the
    // second was not tried after that failure. Every row is owed and names its push.
    let runs: Vec<_> = rig
        .runs()
        .await
        .into_iter()
        .filter(|r| r.run.scheduled_for == at("2030-01-01T00:02:00Z"))
        .collect();
    assert!(runs.iter().all(|r| r.run.status == RunStatus::Owed));
    let pushes: std::collections::HashSet<_> = runs
        .iter()
        .map(|r| r.run.push_marker.clone().unwrap())
        .collect();
    assert_eq!(pushes.len(), 2, "{runs:#?}");
    assert_eq!(
        messages_at(&broker.url(), &rig.prefix, "celery")
            .await
            .len(),
        6
    );

    // The next scheduler, after the slots' send deadline (the default five minutes): the push
    // that landed is recorded sent, not sent again; the other one is given up.
    rig.clock.set(at("2030-01-01T00:07:30Z"));
    let mut second = rig.beat_on(false, &broker.url()).await;
    assert_eq!(second.owed().len(), 4);
    assert_eq!(second.retry_owed().await, 2);
    // Besides the catch-up of 00:07 (the schedules' last run was 00:01), nothing was sent.
    let messages = messages_at(&broker.url(), &rig.prefix, "celery").await;
    let ids: std::collections::HashSet<String> = messages
        .iter()
        .map(|m| m["headers"]["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!((messages.len(), ids.len()), (10, 10));
    let of_0002 = runs
        .iter()
        .filter(|r| ids.contains(&r.run.celery_task_id.unwrap().to_string()))
        .count();
    assert_eq!(of_0002, 2);
    let runs: Vec<_> = rig
        .runs()
        .await
        .into_iter()
        .filter(|r| r.run.scheduled_for == at("2030-01-01T00:02:00Z"))
        .collect();
    let with = |status: RunStatus, text: &str| {
        runs.iter()
            .filter(|r| {
                r.run.status == status && r.run.detail.as_deref().is_some_and(|d| d.contains(text))
            })
            .count()
    };
    assert_eq!(
        with(RunStatus::Dispatched, "not sent again"),
        2,
        "{runs:#?}"
    );
    assert_eq!(
        with(RunStatus::Failed, "before its deadline"),
        2,
        "{runs:#?}"
    );
}

/// A queue key holding another Redis type fails the whole push it is part of: no message of
/// that push lands (none is recorded sent while the others went out), the slots are owed, and
/// once the key is fixed each is sent once.
async fn a_queue_key_of_another_type_fails_the_whole_push(db: TestDb) {
    let rig = Rig::new(db, "2030-01-01T00:00:30Z").await;
    rig.add_each_minute(1, &[]);
    rig.add(&[
        "--task",
        "app.tasks.b",
        "--cron",
        "* * * * *",
        "--name",
        "b",
        "--queue",
        "bad",
    ]);
    let url = format!("{}/0", redis_url());
    let client = redis::Client::open(url.as_str()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let bad = format!("{}bad", rig.prefix);
    let () = redis::cmd("SET")
        .arg(&bad)
        .arg("not a list")
        .query_async(&mut conn)
        .await
        .unwrap();
    let mut beat = rig.beat_on(false, &url).await;
    rig.clock.set(at("2030-01-01T00:01:00Z"));
    let outcome = beat.tick().await;
    assert_eq!((outcome.dispatched, outcome.owed.len()), (0, 2));
    assert!(
        outcome.owed[0].error.contains("WRONGTYPE"),
        "{:?}",
        outcome.owed[0].error
    );
    assert!(rig.messages("celery").await.is_empty());
    assert!(
        rig.runs()
            .await
            .iter()
            .all(|r| r.run.status == RunStatus::Owed)
    );

    let () = redis::cmd("DEL")
        .arg(&bad)
        .query_async(&mut conn)
        .await
        .unwrap();
    rig.clock.set(at("2030-01-01T00:01:01Z"));
    assert_eq!(beat.retry_owed().await, 2);
    assert_eq!(rig.messages("celery").await.len(), 1);
    assert_eq!(rig.messages("bad").await.len(), 1);
    assert!(
        rig.runs()
            .await
            .iter()
            .all(|r| r.run.status == RunStatus::Dispatched)
    );
}

/// A scheduler that starts (or takes over) finds the slots a previous one left owed and sends
/// them with their task ids.
async fn owed_slots_are_taken_over_by_the_next_scheduler(db: TestDb) {
    let rig = Rig::new(db, "2030-01-01T00:00:30Z").await;
    rig.add_each_minute(3, &[]);
    let mut broker = ThrowawayRedis::start(&[]).await;
    let mut first = rig.beat_on(false, &broker.url()).await;
    broker.kill();
    rig.clock.set(at("2030-01-01T00:01:00Z"));
    assert_eq!(first.tick().await.owed.len(), 3);
    drop(first);
    broker.start_again().await;
    rig.clock.set(at("2030-01-01T00:01:30Z"));
    let mut second = rig.beat_on(false, &broker.url()).await;
    assert_eq!(second.owed().len(), 3);
    assert_eq!(second.retry_owed().await, 3);
    let messages = messages_at(&broker.url(), &rig.prefix, "celery").await;
    assert_eq!(messages.len(), 3);
    let runs = rig.runs().await;
    assert_eq!(runs.len(), 3, "the catch-up found the slots claimed");
    assert!(runs.iter().all(|r| r.run.status == RunStatus::Dispatched
        && r.run.trigger == Trigger::Schedule
        && r.run.dispatched_at == Some(at("2030-01-01T00:01:30Z"))));
}

/// Postgres hangs (the connection open, no answer) across two boundaries: each boundary goes
/// out within the statement deadline (the first claim waits for it, the next batch does not
/// wait at all), unclaimed; when the database answers again the history and bookkeeping are
/// written, every slot once, nothing doubled.
#[tokio::test]
async fn a_hung_database_delays_a_boundary_by_the_deadline_only() {
    let rig = Rig::new(TestDb::postgres().await, "2030-01-01T00:00:30Z").await;
    rig.add_each_minute(4, &[]);
    let (proxy, store) = rig.store_behind_a_proxy().await;
    let mut config = rig.config(false);
    config.dispatch.statement_timeout = std::time::Duration::from_millis(500);
    let mut beat = rig
        .beat_with(store, config, false, &format!("{}/0", redis_url()))
        .await;
    rig.clock.set(at("2030-01-01T00:01:00Z"));
    assert_eq!(beat.tick().await.dispatched, 4);

    proxy.freeze();
    for minute in ["2030-01-01T00:02:00Z", "2030-01-01T00:03:00Z"] {
        rig.clock.set(at(minute));
        let started = std::time::Instant::now();
        // Hang guard: before statement deadlines, this tick waited for as long as the hang.
        let outcome = tokio::time::timeout(std::time::Duration::from_secs(30), beat.tick())
            .await
            .expect("the tick stalled behind the hung database");
        let took = started.elapsed();
        assert_eq!((outcome.dispatched, outcome.failed), (4, 0), "{minute}");
        // Bound: the deadline (0.5 s) plus the batch itself, far from the hang's length.
        assert!(
            took < std::time::Duration::from_secs(3),
            "{minute}: {took:?}"
        );
    }
    // The poll does not wait for the hung database either: it probes it for at most 1 s.
    let started = std::time::Instant::now();
    beat.poll_version().await;
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    assert_eq!(rig.runs().await.len(), 4, "nothing written while hung");

    proxy.thaw();
    // The frozen connections may still be stuck: recovery retries at each poll.
    for _ in 0..20 {
        beat.poll_version().await;
        if rig.runs().await.len() == 12 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let messages = rig.messages("celery").await;
    let ids: std::collections::HashSet<String> = messages
        .iter()
        .map(|m| m["headers"]["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!((messages.len(), ids.len()), (12, 12));
    let runs = rig.runs().await;
    assert_eq!(runs.len(), 12);
    assert!(runs.iter().all(|r| r.run.status == RunStatus::Dispatched));
    let shown = rig.db.json(&["schedule", "show", "s0"]);
    assert_eq!(shown["total_run_count"], json!(3));
}

/// A scheduler sends a boundary without a claim while the database hangs, then goes away
/// before it can write that history (a restart during a database outage). The next scheduler
/// catches the slot up once the database answers: the broker's set of slots sent without a
/// claim shows it was sent, so it is recorded, not sent again.
#[tokio::test]
async fn a_restart_during_a_database_outage_does_not_send_a_slot_again() {
    restart_during_a_database_outage(false).await;
}

/// The same on RabbitMQ, whose guard sets live in `REDIS_URL`.
#[tokio::test]
async fn a_restart_during_a_database_outage_does_not_send_a_slot_again_on_rabbitmq() {
    restart_during_a_database_outage(true).await;
}

async fn restart_during_a_database_outage(rabbitmq: bool) {
    let rig = Rig::new(TestDb::postgres().await, "2030-01-01T00:00:30Z").await;
    rig.add_each_minute(3, &[]);
    let target = Target::new(rabbitmq);
    let config = target.config(&rig);
    let (proxy, store) = rig.store_behind_a_proxy().await;
    let mut frozen = config.clone();
    frozen.dispatch.statement_timeout = std::time::Duration::from_millis(500);
    let mut first = Beat::new(store, rig.clock.clone(), frozen, Some(target.broker()));
    first.start().await.unwrap();
    rig.clock.set(at("2030-01-01T00:01:00Z"));
    let outcome = first.tick().await;
    assert_eq!(outcome.dispatched, 3, "{outcome:?}");
    proxy.freeze();
    rig.clock.set(at("2030-01-01T00:02:00Z"));
    let outcome = first.tick().await;
    assert!(outcome.database_down);
    assert_eq!(outcome.dispatched, 3, "{outcome:?}");
    drop(first);
    drop(proxy);

    rig.clock.set(at("2030-01-01T00:02:30Z"));
    let mut second = Beat::new(
        rig.db.store().await,
        rig.clock.clone(),
        config,
        Some(target.broker()),
    );
    second.start().await.unwrap();
    let sent = target.sent_ids(&rig).await;
    let ids: std::collections::HashSet<String> = sent.iter().cloned().collect();
    assert_eq!((sent.len(), ids.len()), (6, 6), "a slot was sent twice");
    assert_eq!(second.stats().dispatched, 0);
    let runs = rig.runs().await;
    let caught_up: Vec<_> = runs
        .iter()
        .filter(|r| r.run.scheduled_for == at("2030-01-01T00:02:00Z"))
        .collect();
    assert_eq!(caught_up.len(), 3, "{runs:#?}");
    assert!(
        caught_up
            .iter()
            .all(|r| r.run.status == RunStatus::Dispatched
                && r.run.trigger == Trigger::Catchup
                && r.run.detail.as_deref() == Some(stockura::beat::dispatch::SENT_UNCLAIMED)
                && ids.contains(&r.run.celery_task_id.unwrap().to_string())),
        "{caught_up:#?}"
    );
    // Its bookkeeping is written: the next start owes nothing for 00:02.
    let shown = rig.db.json(&["schedule", "show", "s0"]);
    assert_eq!(shown["last_run_at"], json!("2030-01-01T00:02:00Z"));
    target.forget_guards(&rig).await;
}

/// The broker a test runs against: the test Redis (db 0), or RabbitMQ in a vhost of the
/// test's own with the guard sets in the test Redis.
struct Target {
    vhost: Option<crate::rabbit::Vhost>,
    redis: String,
}

impl Target {
    fn new(rabbitmq: bool) -> Self {
        Self {
            vhost: rabbitmq.then(crate::rabbit::Vhost::create),
            redis: format!("{}/0", redis_url()),
        }
    }

    /// A broker, connected on first use.
    fn broker(&self) -> Broker {
        let timeout = std::time::Duration::from_secs(2);
        match &self.vhost {
            Some(vhost) => {
                let mut broker = Broker::new(
                    Redacted::new(vhost.url()),
                    timeout,
                    stockura::beat::broker::QueueArguments::default(),
                )
                .unwrap();
                broker.keep_guards_in(Redacted::new(&self.redis));
                broker
            }
            None => Broker::redis(Redacted::new(&self.redis), timeout),
        }
    }

    /// The rig's configuration, encoding messages for this broker.
    fn config(&self, rig: &Rig) -> BeatConfig {
        let mut config = rig.config(false);
        if self.vhost.is_some() {
            config.dispatch.layout.transport = stockura::beat::broker::Transport::Amqp;
        }
        config
    }

    /// The task ids of the messages in the queue `celery`, in order (taken off RabbitMQ).
    async fn sent_ids(&self, rig: &Rig) -> Vec<String> {
        match &self.vhost {
            Some(vhost) => crate::rabbit::drain(&vhost.url(), "celery")
                .await
                .iter()
                .map(|m| {
                    m.delivery
                        .properties
                        .correlation_id()
                        .as_ref()
                        .unwrap()
                        .to_string()
                })
                .collect(),
            None => rig
                .messages("celery")
                .await
                .iter()
                .map(|m| m["headers"]["id"].as_str().unwrap().to_string())
                .collect(),
        }
    }

    /// Deletes the guard sets under the rig's prefix.
    async fn forget_guards(&self, rig: &Rig) {
        let client = redis::Client::open(self.redis.as_str()).unwrap();
        let mut conn = client.get_multiplexed_async_connection().await.unwrap();
        let _: i64 = redis::cmd("DEL")
            .arg(format!("{}stockura:unclaimed", rig.prefix))
            .arg(format!("{}stockura:recent", rig.prefix))
            .query_async(&mut conn)
            .await
            .unwrap();
    }
}

/// A catch-up cut short by a database outage (the database hangs between two batches of
/// runs), while live slots go on being sent without claims: when the database answers again,
/// the recovery still records what every schedule owed when the catch-up began. Those whose
/// catch-up run went out have their missed slots summed up; those not caught up yet get their
/// missed rows itemized (their catch-up run superseded by the live slots of the outage). No
/// schedule is left without the rows of its downtime, and no message is doubled.
#[tokio::test]
async fn a_catch_up_cut_by_a_database_outage_is_recorded_after_the_recovery() {
    let rig = Rig::new(TestDb::postgres().await, "2030-01-01T00:03:40Z").await;
    let count = 30;
    rig.add_each_minute(count, &[]);
    rig.db
        .exec("UPDATE celery_beat_schedules SET last_run_at = '2030-01-01T00:00:00.000000Z'")
        .await;
    let (proxy, store) = rig.store_behind_a_proxy().await;
    let mut config = rig.config(false);
    config.dispatch.statement_timeout = std::time::Duration::from_millis(500);
    // The database hangs once the clock is read past 00:03:52: after a few batches of runs.
    let switch = proxy.switch();
    let clock = Arc::new(StepClock {
        inner: ManualClock::new(at("2030-01-01T00:03:40Z")),
        step: Duration::seconds(4),
        stop: None,
        at: Some((
            at("2030-01-01T00:03:52Z"),
            Box::new(move || {
                switch.send_replace(true);
            }),
            std::sync::atomic::AtomicBool::new(false),
        )),
    });
    let broker = Broker::redis(
        Redacted::new(format!("{}/0", redis_url())),
        std::time::Duration::from_secs(2),
    );
    let mut beat = Beat::new(store, clock.clone(), config, Some(broker));
    beat.start().await.unwrap();
    // Live slots while the database is down: sent without claims.
    for _ in 0..3 {
        if beat
            .plan()
            .next_due()
            .is_some_and(|t| t <= stockura::beat::clock::Clock::now(&clock.inner))
        {
            beat.tick().await;
        }
        clock
            .inner
            .set(stockura::beat::clock::Clock::now(&clock.inner) + Duration::seconds(30));
    }
    proxy.thaw();
    // The recovery, as the loop goes on: a poll between two slots finds the database (the
    // frozen connections may still be stuck for a moment), writes what was kept, reloads every
    // schedule and catches up.
    for _ in 0..30 {
        if beat
            .plan()
            .next_due()
            .is_some_and(|t| t <= stockura::beat::clock::Clock::now(&clock.inner))
        {
            beat.tick().await;
        }
        beat.poll_version().await;
        if beat.stats().full_reloads > 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(
        beat.stats().full_reloads > 1,
        "not recovered: {:?}",
        beat.stats()
    );
    let runs = rig.runs().await;
    let messages = rig.messages("celery").await;
    let ids: std::collections::HashSet<String> = messages
        .iter()
        .map(|m| m["headers"]["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), messages.len(), "a message was doubled");
    let dispatched = runs
        .iter()
        .filter(|r| r.run.status == RunStatus::Dispatched)
        .count();
    assert_eq!(dispatched, messages.len(), "{runs:#?}");
    let (mut summed, mut itemized) = (0, 0);
    for n in 0..count {
        let name = format!("s{n}");
        let of = |slot: &str| {
            runs.iter()
                .filter(|r| r.run.schedule_name == name && r.run.scheduled_for == at(slot))
                .map(|r| (r.run.status, r.run.detail.clone().unwrap_or_default()))
                .collect::<Vec<_>>()
        };
        // 00:02 is recorded for every schedule: a summing-up row, or the itemized one.
        let two = of("2030-01-01T00:02:00Z");
        assert_eq!(two.len(), 1, "{name}: {runs:#?}");
        assert_eq!(two[0].0, RunStatus::Missed, "{name}");
        if two[0].1.contains("not itemized") {
            summed += 1;
            assert_eq!(
                of("2030-01-01T00:03:00Z")[0].0,
                RunStatus::Dispatched,
                "{name}"
            );
        } else {
            itemized += 1;
            assert_eq!(of("2030-01-01T00:01:00Z")[0].0, RunStatus::Missed, "{name}");
            assert!(!of("2030-01-01T00:03:00Z").is_empty(), "{name}: {runs:#?}");
        }
    }
    assert!(
        summed > 0 && itemized > 0,
        "summed {summed}, itemized {itemized}"
    );
}

/// A leader whose lease runs out during a long catch-up stops sending after the batch in
/// flight: the schedules that moved on have what they still owed summed up, the others are left
/// untouched, and the next leader catches those up from their `last_run_at`. Every slot goes
/// out at most once, and every schedule ends with the rows of its downtime.
async fn a_lease_lost_during_a_catch_up_leaves_the_rest_to_the_next_leader(db: TestDb) {
    let rig = Rig::new(db, "2030-01-01T00:03:40Z").await;
    let count = 30;
    rig.add_each_minute(count, &[]);
    rig.db
        .exec("UPDATE celery_beat_schedules SET last_run_at = '2030-01-01T00:00:00.000000Z'")
        .await;
    let (lease, lease_rx) = tokio::sync::watch::channel(stockura::beat::leader::Lease {
        until: Some(std::time::Instant::now() + std::time::Duration::from_secs(3600)),
        attempts: 1,
    });
    // The lease is lost once the clock is read past 00:03:50: after a few batches of runs,
    // before the live slot of 00:04.
    let clock = Arc::new(StepClock {
        inner: ManualClock::new(at("2030-01-01T00:03:40Z")),
        step: Duration::seconds(4),
        stop: None,
        at: Some((
            at("2030-01-01T00:03:50Z"),
            Box::new(move || {
                lease.send_replace(stockura::beat::leader::Lease {
                    until: None,
                    attempts: 2,
                });
            }),
            std::sync::atomic::AtomicBool::new(false),
        )),
    });
    let broker = Broker::redis(
        Redacted::new(format!("{}/0", redis_url())),
        std::time::Duration::from_secs(2),
    );
    let mut old = Beat::new(rig.db.store().await, clock, rig.config(false), Some(broker))
        .with_leadership(lease_rx, std::time::Duration::from_secs(20));
    old.start().await.unwrap();
    old.follow_lease().await;
    let sent_by_old = rig.messages("celery").await.len();
    assert!(
        sent_by_old > 0 && sent_by_old < count,
        "the lease was not lost during the runs: {sent_by_old} sent"
    );
    let untouched = rig
        .db
        .json(&["schedule", "list"])
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["last_run_at"] == json!("2030-01-01T00:00:00Z"))
        .count();
    assert_eq!(untouched, count - sent_by_old, "left to the next leader");

    // The next leader, at the same instant.
    rig.clock.set(at("2030-01-01T00:03:50Z"));
    let new = rig.beat(false).await;
    assert_eq!(new.stats().dispatched, untouched);
    let runs = rig.runs().await;
    let messages = rig.messages("celery").await;
    let ids: std::collections::HashSet<String> = messages
        .iter()
        .map(|m| m["headers"]["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!((messages.len(), ids.len()), (count, count), "{runs:#?}");
    let mut summed = 0;
    for n in 0..count {
        let name = format!("s{n}");
        let rows = rows_of(&runs, &name);
        // Itemized by the new leader, or summed up (00:02, "not itemized") by the old one.
        if rows == ["00:02 schedule missed", "00:03 catchup dispatched"] {
            summed += 1;
        } else {
            assert_eq!(
                rows,
                [
                    "00:01 schedule missed",
                    "00:02 schedule missed",
                    "00:03 catchup dispatched"
                ],
                "{name}"
            );
        }
    }
    // The old leader summed up exactly the schedules whose run it sent.
    assert_eq!(summed, sent_by_old);
}

/// Two schedulers believe they lead at one boundary: the old one cut off from the database
/// (within its lease, sending without claims) and the new one, in its first lease, claiming. In
/// either order each slot reaches the broker once: the new leader's pushes record and check the
/// broker's set of slots sent without a claim, and so do the old one's.
#[tokio::test]
async fn an_old_leader_without_its_database_and_a_new_one_send_each_slot_once() {
    old_and_new_leaders_send_each_slot_once(false).await;
}

/// The same on RabbitMQ, whose guard sets live in `REDIS_URL`.
#[tokio::test]
async fn an_old_leader_without_its_database_and_a_new_one_send_each_slot_once_on_rabbitmq() {
    old_and_new_leaders_send_each_slot_once(true).await;
}

async fn old_and_new_leaders_send_each_slot_once(rabbitmq: bool) {
    let rig = Rig::new(TestDb::postgres().await, "2030-01-01T00:00:30Z").await;
    rig.add_each_minute(3, &[]);
    let target = Target::new(rabbitmq);
    let config = target.config(&rig);
    let (proxy, store) = rig.store_behind_a_proxy().await;
    let mut frozen = config.clone();
    frozen.dispatch.statement_timeout = std::time::Duration::from_millis(500);
    let mut old = Beat::new(store, rig.clock.clone(), frozen, Some(target.broker()));
    old.start().await.unwrap();
    let (_lease, lease_rx) = tokio::sync::watch::channel(stockura::beat::leader::Lease {
        until: Some(std::time::Instant::now() + std::time::Duration::from_secs(3600)),
        attempts: 1,
    });
    let mut new = Beat::new(
        rig.db.store().await,
        rig.clock.clone(),
        config,
        Some(target.broker()),
    )
    .with_leadership(lease_rx, std::time::Duration::from_secs(3600));
    new.start().await.unwrap();
    proxy.freeze();

    // The new leader first, then the old one.
    rig.clock.set(at("2030-01-01T00:01:00Z"));
    assert_eq!(new.tick().await.dispatched, 3);
    let outcome = old.tick().await;
    assert!(outcome.database_down);
    assert_eq!(
        outcome.dispatched, 0,
        "the old leader sent a claimed slot again"
    );
    // The old one first, then the new one.
    rig.clock.set(at("2030-01-01T00:02:00Z"));
    assert_eq!(old.tick().await.dispatched, 3);
    assert_eq!(
        new.tick().await.dispatched,
        0,
        "the new leader sent a slot again"
    );

    let ids = target.sent_ids(&rig).await;
    let distinct: std::collections::HashSet<&String> = ids.iter().collect();
    assert_eq!((ids.len(), distinct.len()), (6, 6));
    let runs = rig.runs().await;
    assert_eq!(runs.len(), 6, "{runs:#?}");
    assert!(runs.iter().all(|r| r.run.status == RunStatus::Dispatched));
    let second: Vec<_> = runs
        .iter()
        .filter(|r| r.run.scheduled_for == at("2030-01-01T00:02:00Z"))
        .collect();
    assert!(
        second
            .iter()
            .all(|r| r.run.detail.as_deref() == Some(stockura::beat::dispatch::SENT_UNCLAIMED))
    );
    // The old leader's sends without a claim are kept a day past the send deadline; the new
    // leader's own sends only twice its lease (a beat that restarts in a loop does not grow
    // the broker's memory for a day).
    let client = redis::Client::open(target.redis.as_str()).unwrap();
    let conn = client.get_multiplexed_async_connection().await.unwrap();
    let count = |key: &'static str| {
        let key = format!("{}stockura:{key}", rig.prefix);
        let mut conn = conn.clone();
        async move {
            let members: i64 = redis::cmd("SCARD")
                .arg(&key)
                .query_async(&mut conn)
                .await
                .unwrap();
            let ttl: i64 = redis::cmd("TTL")
                .arg(&key)
                .query_async(&mut conn)
                .await
                .unwrap();
            (members, ttl)
        }
    };
    let (unclaimed, unclaimed_ttl) = count("unclaimed").await;
    let (recent, recent_ttl) = count("recent").await;
    assert_eq!((unclaimed, recent), (3, 3));
    assert!(unclaimed_ttl > 86_400, "{unclaimed_ttl}");
    assert!(recent_ttl > 0 && recent_ttl <= 7_200, "{recent_ttl}");
    drop(conn);
    drop(old);
    target.forget_guards(&rig).await;
}

/// The database and the broker are both unreachable at a boundary; the database comes back
/// first. The slots sent unclaimed and owed get their rows before the recovery's catch-up could
/// claim them again, so when the broker is back each slot is sent exactly once.
#[tokio::test]
async fn the_database_back_before_the_broker_doubles_nothing() {
    let rig = Rig::new(TestDb::postgres().await, "2030-01-01T00:00:30Z").await;
    rig.add_each_minute(3, &[]);
    let (proxy, store) = rig.store_behind_a_proxy().await;
    let mut broker = ThrowawayRedis::start(&[]).await;
    let mut config = rig.config(false);
    config.dispatch.statement_timeout = std::time::Duration::from_millis(500);
    let mut beat = rig.beat_with(store, config, false, &broker.url()).await;
    rig.clock.set(at("2030-01-01T00:01:00Z"));
    assert_eq!(beat.tick().await.dispatched, 3);

    proxy.freeze();
    broker.kill();
    rig.clock.set(at("2030-01-01T00:02:00Z"));
    let outcome = beat.tick().await;
    assert_eq!((outcome.dispatched, outcome.owed.len()), (0, 3));
    proxy.thaw();
    rig.clock.set(at("2030-01-01T00:02:10Z"));
    for _ in 0..20 {
        beat.poll_version().await;
        if rig.runs().await.len() == 6 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let runs = rig.runs().await;
    assert_eq!(runs.len(), 6, "{runs:#?}");
    assert_eq!(
        runs.iter()
            .filter(|r| r.run.status == RunStatus::Owed)
            .count(),
        3
    );
    broker.start_again().await;
    rig.clock.set(at("2030-01-01T00:02:30Z"));
    assert_eq!(beat.retry_owed().await, 3);
    assert!(beat.owed().is_empty());

    let messages = messages_at(&broker.url(), &rig.prefix, "celery").await;
    let ids: std::collections::HashSet<String> = messages
        .iter()
        .map(|m| m["headers"]["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!((messages.len(), ids.len()), (3, 3), "each owed slot once");
    let runs = rig.runs().await;
    assert_eq!(runs.len(), 6);
    assert!(runs.iter().all(|r| r.run.status == RunStatus::Dispatched));
    let shown = rig.db.json(&["schedule", "show", "s0"]);
    assert_eq!(shown["total_run_count"], json!(2));
}

/// The messages on a list of the broker at `url`, oldest first.
async fn messages_at(url: &str, prefix: &str, queue: &str) -> Vec<Value> {
    let client = redis::Client::open(url).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let items: Vec<String> = redis::cmd("LRANGE")
        .arg(format!("{prefix}{queue}"))
        .arg(0)
        .arg(-1)
        .query_async(&mut conn)
        .await
        .unwrap();
    items
        .iter()
        .rev()
        .map(|i| serde_json::from_str(i).unwrap())
        .collect()
}

/// A schedule created with imported bookkeeping (`--last-run-at` one slot back) reaches a
/// running beat and its owed slot is sent at once; a plain new schedule and a schedule
/// enabled again owe nothing until their next slot.
async fn a_schedule_that_arrives_owing_a_slot_runs_it_at_once(db: TestDb) {
    use chrono::{DurationRound, SecondsFormat};
    // The rows' created_at is real time, so the beat's clock starts at real time too.
    let now = Utc::now();
    let rig = Rig::new(db, &now.to_rfc3339_opts(SecondsFormat::Micros, true)).await;
    let slot = now.duration_trunc(Duration::minutes(1)).unwrap();
    let mut beat = rig.beat(false).await;
    assert_eq!(beat.stats().dispatched, 0);

    let last = (slot - Duration::minutes(1)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let every_minute = ["--task", "app.tasks.a", "--cron", "* * * * *"];
    let imported = rig.add(
        &[
            &every_minute[..],
            &["--name", "imported", "--last-run-at", &last],
        ]
        .concat(),
    );
    let fresh = rig.add(&[&every_minute[..], &["--name", "fresh", "--allow-duplicate"]].concat());
    let id = |v: &Value| uuid::Uuid::parse_str(v["id"].as_str().unwrap()).unwrap();
    assert_eq!(imported["last_run_at"], json!(last));
    beat.apply(vec![
        Change::Schedule(id(&imported)),
        Change::Schedule(id(&fresh)),
    ])
    .await;

    assert_eq!(beat.stats().dispatched, 1);
    let messages = rig.messages("celery").await;
    assert_eq!(messages.len(), 1);
    assert_eq!(
        messages[0]["headers"]["id"],
        json!(slot_task_id(id(&imported), slot).to_string())
    );
    let runs = rig.runs().await;
    let rows: Vec<(String, DateTime<Utc>, Trigger, RunStatus)> = runs
        .iter()
        .map(|r| {
            (
                r.run.schedule_name.clone(),
                r.run.scheduled_for,
                r.run.trigger,
                r.run.status,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [(
            "imported".to_string(),
            slot,
            Trigger::Catchup,
            RunStatus::Dispatched
        )]
    );
    let shown = rig.db.json(&["schedule", "show", "imported"]);
    assert_eq!(
        shown["last_run_at"],
        json!(slot.to_rfc3339_opts(SecondsFormat::Secs, true))
    );

    // Off and on again: it was not missed while off, so it waits for its next slot; the
    // change is applied again and owes nothing.
    for verb in ["disable", "enable"] {
        rig.db.json(&["schedule", verb, "imported"]);
        beat.apply(vec![Change::Schedule(id(&imported))]).await;
    }
    assert!(beat.plan().get(id(&imported)).is_some());
    assert_eq!(beat.stats().dispatched, 1);
    assert_eq!(rig.messages("celery").await.len(), 1);
    assert_eq!(rig.runs().await.len(), 1);
}

/// `schedule pause --until`: the leader resumes the schedule at that instant (one write, a
/// change event), then sends its first slot after it. The slots of the pause are neither
/// caught up nor recorded missed, not even by a scheduler that starts after the resume.
async fn a_pause_ends_at_its_until_and_owes_nothing_for_it(db: TestDb) {
    let rig = Rig::new(db, "2030-01-01T00:00:30Z").await;
    let channel = crate::support::unique_channel();
    let events = crate::support::Subscriber::start(&channel).await;
    let a = rig.add(&[
        "--task",
        "app.tasks.a",
        "--cron",
        "* * * * *",
        "--name",
        "a",
    ]);
    let id = uuid::Uuid::parse_str(a["id"].as_str().unwrap()).unwrap();
    let mut beat = rig.beat(false).await.with_events(ChangeEvents {
        url: Redacted::new(redis_url()),
        channel: channel.clone(),
        timeout: std::time::Duration::from_secs(2),
    });
    rig.clock.set(at("2030-01-01T00:01:00Z"));
    assert_eq!(beat.tick().await.dispatched, 1);

    let paused = rig.db.json(&[
        "schedule",
        "pause",
        "a",
        "--reason",
        "backfill",
        "--until",
        "2030-01-01T00:04:30Z",
    ]);
    assert_eq!(paused[0]["state"], "paused");
    beat.apply(vec![Change::Schedule(id)]).await;
    assert_eq!(beat.next_resume(), Some(at("2030-01-01T00:04:30Z")));
    assert_eq!(
        beat.plan().next_due(),
        None,
        "a paused schedule is not planned"
    );
    for minute in ["00:02", "00:03", "00:04"] {
        rig.clock.set(at(&format!("2030-01-01T{minute}:00Z")));
        assert_eq!(beat.tick().await.dispatched, 0, "{minute}: paused");
    }

    // The until: resumed, in the database, and announced.
    rig.clock.set(at("2030-01-01T00:04:30Z"));
    assert_eq!(beat.tick().await.dispatched, 0);
    let shown = rig.db.json(&["schedule", "show", "a"]);
    assert_eq!(
        (
            &shown["state"],
            &shown["enabled"],
            &shown["pause_reason"],
            &shown["paused_until"],
            &shown["resumed_at"]
        ),
        (
            &json!("enabled"),
            &json!(true),
            &Value::Null,
            &Value::Null,
            &json!("2030-01-01T00:04:30Z")
        )
    );
    let published = events.wait_for(1).await;
    assert_eq!(published.len(), 1, "{published:?}");
    assert_eq!(published[0]["event_type"], "schedule_updated");
    assert_eq!(published[0]["schedule_id"], json!(id));
    assert_eq!(beat.next_resume(), None);
    assert_eq!(beat.plan().next_due(), Some(at("2030-01-01T00:05:00Z")));

    // A scheduler that starts now (a restart, a new leader) owes nothing for the pause.
    rig.clock.set(at("2030-01-01T00:04:40Z"));
    let fresh = rig.beat(false).await;
    assert_eq!((fresh.stats().dispatched, fresh.stats().missed), (0, 0));
    drop(fresh);

    rig.clock.set(at("2030-01-01T00:05:00Z"));
    assert_eq!(
        beat.tick().await.dispatched,
        1,
        "the first slot after the until"
    );
    assert_eq!(
        rows_of(&rig.runs().await, "a"),
        ["00:01 schedule dispatched", "00:05 schedule dispatched"]
    );
    assert_eq!(rig.messages("celery").await.len(), 2);
}

/// A pause whose until passed while its leader was held up, or while no scheduler ran, owes
/// the slots since the until as a start owes them: within the catch-up window the latest runs
/// as `catchup` and the others are recorded `missed`; with no window none runs. Nothing from
/// before the until is owed.
async fn a_pause_that_ended_while_no_leader_ran_is_caught_up_by_the_window(db: TestDb) {
    let rig = Rig::new(db, "2030-01-01T00:00:30Z").await;
    let every_minute = |name: &str| rig.every_minute(name);
    let a = every_minute("a");
    let b = every_minute("b");
    let pause = |name: &str, until: &str| {
        rig.db.json(&[
            "schedule", "pause", name, "--reason", "deploy", "--until", until,
        ]);
    };
    // `never` is paused before its first slot: it never ran.
    every_minute("never");
    pause("never", "2030-01-01T00:03:30Z");
    let mut beat = rig.beat(false).await;
    rig.clock.set(at("2030-01-01T00:01:00Z"));
    assert_eq!(beat.tick().await.dispatched, 2);
    pause("a", "2030-01-01T00:03:30Z");
    pause("b", "2030-01-01T00:12:30Z");
    let ids = [a, b].map(|s| uuid::Uuid::parse_str(s["id"].as_str().unwrap()).unwrap());
    beat.apply(ids.iter().map(|&id| Change::Schedule(id)).collect())
        .await;

    // The loop held up from 00:01 to 00:10:20 (a stopped process, say): a resumes late.
    rig.clock.set(at("2030-01-01T00:10:20Z"));
    let outcome = beat.tick().await;
    assert_eq!((outcome.dispatched, outcome.missed), (0, 0));
    let runs = rig.runs().await;
    assert_eq!(
        rows_of(&runs, "a"),
        [
            "00:01 schedule dispatched",
            "00:04 schedule missed",
            "00:05 schedule missed",
            "00:06 schedule missed",
            "00:07 schedule missed",
            "00:08 schedule missed",
            "00:09 schedule missed",
            "00:10 catchup dispatched",
        ]
    );
    // A schedule that never ran owes nothing, as after any downtime: it runs from its next
    // slot.
    assert_eq!(rows_of(&runs, "never"), Vec::<String>::new());
    assert_eq!(beat.plan().next_due(), Some(at("2030-01-01T00:11:00Z")));
    rig.clock.set(at("2030-01-01T00:11:00Z"));
    assert_eq!(
        beat.tick().await.dispatched,
        2,
        "a's and never's next slots, on time"
    );
    drop(beat);

    // No scheduler from 00:11 to 00:20:20, and no catch-up window: b's pause ended at 00:12:30
    // and nothing runs for the time after it, nor for a's.
    rig.clock.set(at("2030-01-01T00:20:20Z"));
    let mut config = rig.config(false);
    config.catchup_window = Duration::zero();
    let mut beat = rig
        .beat_with(
            rig.db.store().await,
            config,
            false,
            &format!("{}/0", redis_url()),
        )
        .await;
    let runs = rig.runs().await;
    let b = rows_of(&runs, "b");
    assert_eq!(b.len(), 9, "{b:?}");
    assert_eq!(b[0], "00:01 schedule dispatched");
    assert_eq!(b[1], "00:13 schedule missed");
    assert_eq!(b[8], "00:20 schedule missed");
    let a = rows_of(&runs, "a");
    assert_eq!(a.len(), 18, "{a:?}");
    assert_eq!(a[9], "00:12 schedule missed");
    assert_eq!(a[17], "00:20 schedule missed");
    rig.clock.set(at("2030-01-01T00:21:00Z"));
    assert_eq!(beat.tick().await.dispatched, 3);
    assert_eq!(rig.messages("celery").await.len(), 2 + 1 + 2 + 3);
}

/// A schedule enabled again by hand owes nothing for the time it was off either: a scheduler
/// that starts afterwards catches up only what it owed before it was switched off and after it
/// was switched on (here nothing), while one left alone owes its catch-up.
async fn a_schedule_enabled_again_owes_nothing_for_the_time_it_was_off(db: TestDb) {
    use chrono::SecondsFormat;
    // `enable` stamps the real time: the beat's clock starts there.
    let now = Utc::now();
    let rig = Rig::new(db, &now.to_rfc3339_opts(SecondsFormat::Micros, true)).await;
    let every_minute = ["--task", "app.tasks.a", "--cron", "* * * * *"];
    rig.add(&[&every_minute[..], &["--name", "toggled"]].concat());
    rig.add(&[&every_minute[..], &["--name", "left", "--allow-duplicate"]].concat());
    rig.db.json(&["schedule", "disable", "toggled"]);
    let enabled = rig.db.json(&["schedule", "enable", "toggled"]);
    let resumed = at(enabled[0]["resumed_at"].as_str().unwrap());
    // Both last ran ten minutes before it was switched on again: ten slots ago.
    let last = (resumed - Duration::minutes(10)).to_rfc3339_opts(SecondsFormat::Micros, true);
    rig.db
        .exec(&format!(
            "UPDATE celery_beat_schedules SET last_run_at = '{last}'"
        ))
        .await;
    rig.clock.set(resumed);
    let beat = rig.beat(false).await;
    // `left` owes the ten minutes: the latest slot runs, nine are missed.
    assert_eq!((beat.stats().dispatched, beat.stats().missed), (1, 9));
    let runs = rig.runs().await;
    assert_eq!(rows_of(&runs, "toggled"), Vec::<String>::new());
    assert_eq!(rows_of(&runs, "left").len(), 10);
}

both_backends!(
    a_pause_ends_at_its_until_and_owes_nothing_for_it,
    a_pause_that_ended_while_no_leader_ran_is_caught_up_by_the_window,
    a_schedule_enabled_again_owes_nothing_for_the_time_it_was_off,
    a_boundary_during_a_long_catch_up_is_sent_between_its_batches,
    a_signal_during_the_runs_of_a_catch_up_sums_up_the_rest,
    a_signal_during_the_missed_rows_of_a_catch_up_sums_up_the_rest,
    a_lease_lost_during_a_catch_up_leaves_the_rest_to_the_next_leader,
    a_row_that_cannot_run_as_stored_is_refused_by_every_send_path,
    a_batch_in_many_chunks_sends_each_slot_once,
    messages_encoded_ahead_are_sent_unless_the_schedule_changed,
    a_refusing_broker_leaves_slots_owed_until_their_deadline,
    a_broker_outage_makes_slots_late_not_lost,
    a_lost_reply_never_doubles_a_message,
    a_landed_push_is_not_sent_again_by_the_next_scheduler,
    a_queue_key_of_another_type_fails_the_whole_push,
    owed_slots_are_taken_over_by_the_next_scheduler,
    slots_fire_in_order_and_changes_apply_between_instants,
    catch_up_after_downtime_runs_once_and_records_missed_slots,
    a_large_catch_up_is_dispatched_in_bounded_batches,
    a_slot_is_sent_once_even_by_two_schedulers,
    intervals_fire_on_their_epoch_aligned_slots,
    a_jitter_sends_each_slot_at_its_shown_time,
    parameters_are_revalidated_at_dispatch,
    changes_without_events_are_found_by_the_version_poll,
    dst_days_fire_as_cron_does,
    old_history_is_deleted,
    a_plain_sql_change_after_a_cli_write_is_loaded,
    a_jitter_set_with_sql_is_loaded,
    a_dry_run_beside_a_live_beat_claims_nothing,
    a_schedule_deleted_before_its_slot_does_not_spoil_the_batch,
    a_schedule_that_arrives_owing_a_slot_runs_it_at_once,
    one_bad_row_never_stops_the_others,
);

/// SQLite keeps times as text, which another program may fill with anything: such a time
/// makes only that column unreadable. The row runs from now (its last run unreadable: nothing
/// caught up) and its first run writes a readable one; a pause whose until cannot be read stays
/// paused while another resumes at its until; listing, updating and resuming them work.
#[tokio::test]
async fn a_time_that_is_not_a_timestamp_stops_only_its_own_column() {
    let rig = Rig::new(TestDb::sqlite().await, "2030-01-01T00:00:30Z").await;
    let every_minute = |name: &str| rig.every_minute(name);
    for name in [
        "garbled",
        "fine",
        "resumes",
        "stuck",
        "unversioned",
        "unresumed",
    ] {
        every_minute(name);
    }
    for name in ["resumes", "stuck"] {
        rig.db.json(&[
            "schedule",
            "pause",
            name,
            "--reason",
            "maintenance",
            "--until",
            "2030-01-01T00:02:30Z",
        ]);
    }
    rig.db
        .exec(
            "UPDATE celery_beat_schedules SET last_run_at = 'yesterday', created_at = '?' \
             WHERE name = 'garbled'",
        )
        .await;
    rig.db
        .exec("UPDATE celery_beat_schedules SET paused_until = 'next tuesday' WHERE name = 'stuck'")
        .await;
    // No readable version: writes go through all the same. No readable resume time: when it
    // was last on is unknown, so its old last run catches nothing up.
    rig.db
        .exec("UPDATE celery_beat_schedules SET updated_at = 'tomorrow' WHERE name = 'unversioned'")
        .await;
    rig.db
        .exec(
            "UPDATE celery_beat_schedules SET resumed_at = 'soon', \
             last_run_at = '2029-12-31T23:50:00.000000Z' WHERE name = 'unresumed'",
        )
        .await;

    // Every row is listed; the garbled ones name their columns and are not `cannot run`.
    let list = rig.db.json(&["schedule", "list"]);
    let row = |name: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .cloned()
            .unwrap()
    };
    assert_eq!(row("garbled")["problems"], json!([]));
    let unreadable = row("garbled")["unreadable_columns"].clone();
    assert_eq!(unreadable.as_array().unwrap().len(), 2, "{unreadable}");
    assert!(
        unreadable[0]
            .as_str()
            .unwrap()
            .starts_with("last_run_at: 'yesterday'"),
        "{unreadable}"
    );
    assert!(
        row("stuck")["unreadable_columns"][0]
            .as_str()
            .unwrap()
            .starts_with("paused_until: 'next tuesday'"),
        "{list}"
    );
    assert_eq!(row("fine")["unreadable_columns"], json!([]));
    // Not the same job as a new one: `add` without --allow-duplicate finds it.
    let (code, _, err) = rig.db.run(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.a",
        "--cron",
        "* * * * *",
    ]);
    assert_ne!(code, 0, "a second row doing the same job: {err}");
    let (code, out, _) = rig.db.run(&["diagnose", "--check", "schedules"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(
            "4 enabled schedule(s) can run, but another program wrote columns of 4 schedule(s)"
        ) && out.contains("stuck"),
        "{out}"
    );
    // An update does not write those columns back, nor needs a readable version: it goes
    // through.
    rig.db
        .json(&["schedule", "update", "garbled", "--description", "kept"]);
    let fixed = rig
        .db
        .json(&["schedule", "update", "unversioned", "--description", "kept"]);
    assert_eq!(fixed["unreadable_columns"], json!([]), "{fixed}");

    let mut beat = rig.beat(false).await;
    assert_eq!(beat.stats().dispatched, 0, "nothing caught up at the start");
    assert_eq!(beat.next_resume(), Some(at("2030-01-01T00:02:30Z")));
    rig.clock.set(at("2030-01-01T00:01:00Z"));
    assert_eq!(beat.tick().await.dispatched, 4, "all but the paused ones");
    rig.clock.set(at("2030-01-01T00:02:30Z"));
    beat.tick().await;
    rig.clock.set(at("2030-01-01T00:03:00Z"));
    assert_eq!(beat.tick().await.dispatched, 5, "and the one resumed");
    let runs = rig.runs().await;
    for name in ["garbled", "fine", "unversioned", "unresumed"] {
        assert_eq!(
            rows_of(&runs, name),
            [
                "00:01 schedule dispatched",
                "00:02 schedule dispatched",
                "00:03 schedule dispatched"
            ],
            "{name}"
        );
    }
    assert_eq!(rows_of(&runs, "resumes"), ["00:03 schedule dispatched"]);
    assert_eq!(rows_of(&runs, "stuck"), Vec::<String>::new());
    // Its runs wrote a last run that can be read.
    let garbled = rig.db.json(&["schedule", "show", "garbled"]);
    assert_eq!(garbled["last_run_at"], "2030-01-01T00:03:00Z");
    assert_eq!(garbled["unreadable_columns"].as_array().unwrap().len(), 1);
    // The stuck pause is ended by hand.
    rig.db.json(&["schedule", "resume", "stuck"]);
    let stuck = rig.db.json(&["schedule", "show", "stuck"]);
    assert_eq!(
        (&stuck["state"], &stuck["unreadable_columns"]),
        (&json!("enabled"), &json!([]))
    );
}

#[tokio::test]
async fn a_database_outage_keeps_dispatching_and_writes_the_history_later() {
    use sqlx::Connection;
    let rig = Rig::new(TestDb::postgres().await, "2030-01-01T00:00:30Z").await;
    rig.add(&[
        "--task",
        "app.tasks.a",
        "--cron",
        "* * * * *",
        "--name",
        "a",
    ]);
    let mut beat = rig.beat(false).await;
    let name = rig.db.url.rsplit('/').next().unwrap().to_string();
    let mut admin = sqlx::PgConnection::connect(&crate::support::pg_admin_url())
        .await
        .unwrap();
    let block = |allow: bool| format!("ALTER DATABASE {name} ALLOW_CONNECTIONS {allow}");
    sqlx::raw_sql(&block(false))
        .execute(&mut admin)
        .await
        .unwrap();
    sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1")
        .bind(&name)
        .execute(&mut admin)
        .await
        .unwrap();

    // The database is gone: the slot is still sent, its history kept for later.
    rig.clock.set(at("2030-01-01T00:01:00Z"));
    let outcome = beat.tick().await;
    assert_eq!(outcome.dispatched, 1);
    assert!(!outcome.backlog.is_empty());
    assert_eq!(rig.messages("celery").await.len(), 1);

    // Back: the history and bookkeeping are written, and nothing is sent twice.
    sqlx::raw_sql(&block(true))
        .execute(&mut admin)
        .await
        .unwrap();
    beat.poll_version().await;
    let runs = rig.runs().await;
    assert_eq!(runs.len(), 1);
    assert_eq!(
        (runs[0].run.status, runs[0].run.trigger),
        (RunStatus::Dispatched, Trigger::Schedule)
    );
    assert_eq!(
        rig.db.json(&["schedule", "show", "a"])["total_run_count"],
        1
    );
    assert_eq!(rig.messages("celery").await.len(), 1);
}

async fn a_plain_sql_change_after_a_cli_write_is_loaded(db: TestDb) {
    let rig = Rig::new(db, "2030-01-01T00:00:30Z").await;
    let a = rig.add(&[
        "--task",
        "app.tasks.a",
        "--cron",
        "* * * * *",
        "--name",
        "a",
    ]);
    let c = rig.add(&[
        "--task",
        "app.tasks.c",
        "--cron",
        "* * * * *",
        "--name",
        "c",
    ]);
    let mut beat = rig.beat(true).await;
    // A CLI write: its NOTIFY (version) and its Redis event arrive, in either order.
    rig.db
        .json(&["schedule", "update", "a", "--description", "edited"]);
    let v = rig.db.store().await;
    let version = stockura::store::ScheduleStore::change_version(&v)
        .await
        .unwrap()
        .version;
    beat.apply(vec![Change::Version(version)]).await;
    beat.apply(vec![Change::Schedule(
        uuid::Uuid::parse_str(a["id"].as_str().unwrap()).unwrap(),
    )])
    .await;
    // Then the Python application edits c with SQL: no event, only a version bump.
    rig.db
        .exec(&format!(
            "UPDATE celery_beat_schedules SET cron_expression = '0 0 1 1 *' WHERE id = '{}'",
            c["id"].as_str().unwrap()
        ))
        .await;
    beat.poll_version().await;
    rig.clock.set(at("2030-01-01T00:01:00Z"));
    let outcome = beat.tick().await;
    assert_eq!(outcome.dry_run, 1, "c now fires yearly; only a is due");
}

/// A jitter another program sets with SQL reaches a running scheduler (the change triggers
/// watch `jitter_seconds`): the schedule's next send moves by its offset.
async fn a_jitter_set_with_sql_is_loaded(db: TestDb) {
    let rig = Rig::new(db, "2030-01-01T00:00:50Z").await;
    let a = rig.add(&[
        "--task",
        "app.tasks.a",
        "--cron",
        "* * * * *",
        "--name",
        "a",
    ]);
    let id = uuid::Uuid::parse_str(a["id"].as_str().unwrap()).unwrap();
    let mut beat = rig.beat(true).await;
    let slot = at("2030-01-01T00:01:00Z");
    assert_eq!(beat.plan().next_due(), Some(slot));
    rig.db
        .exec(&format!(
            "UPDATE celery_beat_schedules SET jitter_seconds = 45 WHERE id = '{id}'"
        ))
        .await;
    beat.poll_version().await;
    let offset = stockura::domain::jitter::Jitter::from_stored(Some(45))
        .unwrap()
        .offset(id, slot);
    assert_eq!(beat.plan().next_due(), Some(slot + offset));
}

async fn a_dry_run_beside_a_live_beat_claims_nothing(db: TestDb) {
    let rig = Rig::new(db, "2030-01-01T00:00:30Z").await;
    rig.add(&["--task", "app.tasks.a", "--cron", "* * * * *"]);
    let mut dry = rig.beat(true).await;
    let mut live = rig.beat(false).await;
    rig.clock.set(at("2030-01-01T00:01:00Z"));
    assert_eq!(dry.tick().await.dry_run, 1);
    let outcome = live.tick().await;
    assert_eq!(
        (outcome.dispatched, outcome.already_claimed),
        (1, 0),
        "the dry run took the slot"
    );
    assert_eq!(rig.messages("celery").await.len(), 1);
}

async fn a_schedule_deleted_before_its_slot_does_not_spoil_the_batch(db: TestDb) {
    let rig = Rig::new(db, "2030-01-01T00:00:30Z").await;
    rig.add(&[
        "--task",
        "app.tasks.x",
        "--cron",
        "* * * * *",
        "--name",
        "x",
    ]);
    rig.add(&[
        "--task",
        "app.tasks.y",
        "--cron",
        "* * * * *",
        "--name",
        "y",
    ]);
    let mut beat = rig.beat(false).await;
    // Deleted after the beat loaded it, before its event arrived.
    rig.db.json(&["schedule", "delete", "x", "--yes"]);
    rig.clock.set(at("2030-01-01T00:01:00Z"));
    let outcome = beat.tick().await;
    assert_eq!(outcome.dispatched, 1);
    assert!(outcome.backlog.is_empty(), "no database error");
    let sent = rig.messages("celery").await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["headers"]["task"], "app.tasks.y");
    let runs = rig.runs().await;
    assert_eq!(
        runs.iter()
            .map(|r| r.run.schedule_name.as_str())
            .collect::<Vec<_>>(),
        ["y"]
    );
}

#[tokio::test]
async fn a_broker_restart_does_not_lose_the_next_slot() {
    let mut server = crate::support::ThrowawayRedis::start(&[]).await;
    let rig = Rig::new(TestDb::sqlite().await, "2030-01-01T00:00:30Z").await;
    rig.add(&["--task", "app.tasks.a", "--cron", "* * * * *"]);
    let mut beat = rig.beat_on(false, &server.url()).await;
    rig.clock.set(at("2030-01-01T00:01:00Z"));
    assert_eq!(beat.tick().await.dispatched, 1);
    // The broker restarts between two slots: the beat's connection is now dead.
    server.restart().await;
    rig.clock.set(at("2030-01-01T00:02:00Z"));
    let outcome = beat.tick().await;
    assert_eq!(
        (outcome.dispatched, outcome.failed),
        (1, 0),
        "the beat reconnected and sent the slot"
    );
}

/// Reads the version NOTIFYs of `n` statements as the Postgres feed turns them into changes.
async fn notified(listener: &mut stockura::store::ChangeListener, n: usize) -> Vec<Change> {
    let mut out = Vec::new();
    for _ in 0..n {
        let note = tokio::time::timeout(std::time::Duration::from_secs(10), listener.recv())
            .await
            .expect("a NOTIFY (hang guard)")
            .unwrap();
        out.push(stockura::beat::feed::parse_notify(&note.payload));
    }
    out
}

#[tokio::test]
async fn direct_sql_writes_reach_the_beat_through_notify_alone() {
    let rig = Rig::new(TestDb::postgres().await, "2030-01-01T00:00:30Z").await;
    let a = rig.add(&[
        "--task",
        "app.tasks.a",
        "--cron",
        "* * * * *",
        "--name",
        "a",
    ]);
    let b = rig.add(&[
        "--task",
        "app.tasks.b",
        "--cron",
        "* * * * *",
        "--name",
        "b",
    ]);
    let (a, b) = (a["id"].as_str().unwrap(), b["id"].as_str().unwrap());
    let mut beat = rig.beat(true).await;
    let mut listener = rig
        .db
        .store()
        .await
        .listen_changes()
        .await
        .unwrap()
        .expect("Postgres notifies its changes");
    let full = beat.stats().full_reloads;

    // One row by plain SQL, no Redis event: the NOTIFY names it; a targeted reload.
    rig.db
        .exec(&format!(
            "UPDATE celery_beat_schedules SET cron_expression = '0 0 1 1 *' WHERE id = '{a}'"
        ))
        .await;
    let changes = notified(&mut listener, 1).await;
    assert!(
        matches!(&changes[0], Change::Rows { ids, .. } if ids.len() == 1 && ids[0].to_string() == a),
        "{changes:?}"
    );
    beat.apply(changes).await;
    assert_eq!(beat.stats().full_reloads, full, "one row: no full reload");

    // A burst: an insert, an update of b, a delete, a statement that changes nothing, all
    // by SQL, applied as one burst.
    rig.db
        .exec(
            "INSERT INTO celery_beat_schedules (id, name, task_name, cron_expression, timezone, enabled, args, kwargs, options, tags)
             SELECT gen_random_uuid(), 'c', 'app.tasks.c', '* * * * *', 'UTC', enabled, args, kwargs, options, tags
             FROM celery_beat_schedules WHERE name = 'b'",
        )
        .await;
    rig.db
        .exec(&format!(
            "UPDATE celery_beat_schedules SET enabled = false WHERE id = '{b}'"
        ))
        .await;
    rig.db
        .exec("UPDATE celery_beat_schedules SET enabled = false WHERE name = 'nothing'")
        .await;
    let burst = notified(&mut listener, 3).await;
    assert!(
        burst.iter().all(|c| matches!(c, Change::Rows { .. })),
        "{burst:?}"
    );
    beat.apply(burst).await;
    assert_eq!(
        beat.stats().full_reloads,
        full,
        "named rows: no full reload"
    );
    rig.clock.set(at("2030-01-01T00:01:00Z"));
    let outcome = beat.tick().await;
    assert_eq!(
        outcome.dry_run, 1,
        "a fires yearly, b is disabled: only c is due"
    );

    // A gap (a NOTIFY this beat never heard) and a bulk statement both reload everything.
    rig.db
        .exec("UPDATE celery_beat_schedules SET description = 'x' WHERE name = 'c'")
        .await;
    rig.db
        .exec("UPDATE celery_beat_schedules SET enabled = true")
        .await;
    let mut two = notified(&mut listener, 2).await;
    two.remove(0);
    beat.apply(two).await;
    assert_eq!(beat.stats().full_reloads, full + 1, "a gap: a full reload");
    rig.clock.set(at("2030-01-01T00:02:00Z"));
    let outcome = beat.tick().await;
    assert_eq!(outcome.dry_run, 2, "b enabled again and c; a still yearly");
}
