//! `stockura run-beat` as a process: ready event, live pickup of a change made through the
//! CLI, graceful stop on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{TestDb, redis_url, std_cmd, unique_channel};

/// Waits (hang guard: 30 s) for a JSON log line matching `pred`.
pub fn wait_for(
    lines: &mpsc::Receiver<String>,
    seen: &mut Vec<String>,
    what: &str,
    pred: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match lines.recv_timeout(left) {
            Ok(line) => {
                seen.push(line.clone());
                if let Ok(v) = serde_json::from_str::<Value>(&line)
                    && pred(&v)
                {
                    return v;
                }
            }
            Err(_) => break,
        }
    }
    panic!("no log line for {what}; log so far:\n{}", seen.join("\n"));
}

/// Waits (JSON logs at debug level) until the beat is ready, has sent the first boundary that
/// sent anything, and begins its next batch: the moment to break something mid-burst.
pub fn until_a_burst_begins(lines: &mpsc::Receiver<String>, seen: &mut Vec<String>) {
    wait_for(lines, seen, "ready", |v| v["event"] == "ready");
    wait_for(lines, seen, "the first boundary", |v| {
        v["message"] == "batch" && v["dispatched"].as_u64().unwrap_or(0) > 0
    });
    wait_for(lines, seen, "the next batch", |v| {
        v["message"] == "batch begins"
    });
}

/// A `run-beat` process with `extra_env`, its stderr lines streamed to a channel.
pub fn spawn_beat(
    db: &TestDb,
    extra_env: &[(&str, String)],
    args: &[&str],
) -> (
    std::process::Child,
    mpsc::Receiver<String>,
    std::thread::JoinHandle<()>,
) {
    spawn_beat_in(db.dir.path(), &db.url, extra_env, args)
}

/// [`spawn_beat`] on any database, with `dir` as its home and working directory.
pub fn spawn_beat_in(
    dir: &std::path::Path,
    database_url: &str,
    extra_env: &[(&str, String)],
    args: &[&str],
) -> (
    std::process::Child,
    mpsc::Receiver<String>,
    std::thread::JoinHandle<()>,
) {
    let mut cmd = std_cmd(dir);
    cmd.env("DATABASE_URL", database_url)
        .env("CELERY_BROKER_URL", format!("{}/0", redis_url()));
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let mut child = cmd
        .arg("run-beat")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (child, rx, reader)
}

async fn live(db: TestDb) {
    let channel = unique_channel();
    let prefix = db.broker_prefix();
    db.json(&["schedule", "list"]);
    let (mut child, rx, reader) = spawn_beat(
        &db,
        &[
            ("REDIS_URL", redis_url()),
            ("CELERY_BEAT_REDIS_CHANNEL", channel.clone()),
        ],
        &["-v", "--log-format", "json", "--broker-key-prefix", &prefix],
    );
    let mut seen = Vec::new();
    let ready = wait_for(&rx, &mut seen, "ready", |v| v["event"] == "ready");
    assert_eq!(ready["schedules"], 0);

    // A change through the CLI reaches the running scheduler without a restart.
    let out = db
        .cmd()
        .env("REDIS_URL", redis_url())
        .env("CELERY_BEAT_REDIS_CHANNEL", &channel)
        .args([
            "schedule",
            "add",
            "--task",
            "app.tasks.live",
            "--cron",
            "* * * * *",
            "--name",
            "live-one",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // By its event (a targeted reload) or, when the Postgres notification of the same write
    // comes first, by a full reload: either way live, without a restart.
    wait_for(&rx, &mut seen, "the reload of live-one", |v| {
        (v["message"] == "schedule reloaded" && v["schedule"] == "live-one")
            || (v["message"] == "reloaded every schedule" && v["schedules"] == 1)
    });

    // SIGTERM: a graceful stop, exit 0.
    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    wait_for(&rx, &mut seen, "the stop", |v| {
        v["message"] == "scheduler stopped"
    });
    let code = child.wait().unwrap();
    assert_eq!(code.code(), Some(0), "log:\n{}", seen.join("\n"));
    let _ = reader.join();
    assert!(
        !seen.join("\n").contains("app.tasks.live\",\"args"),
        "task arguments are never logged"
    );
}

/// Task arguments never reach the logs, even at trace level, and a stop right after `ready`
/// (or during start-up) is graceful.
async fn quiet_and_stoppable(db: TestDb) {
    let prefix = db.broker_prefix();
    db.json(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.secretive",
        "--cron",
        "* * * * *",
        "--name",
        "secretive",
        "--param",
        "token=s3ntinel-value",
    ]);
    let minutes_ago =
        (chrono::Utc::now() - chrono::Duration::minutes(2)).format("%Y-%m-%dT%H:%M:%S.000000Z");
    db.exec(&format!(
        "UPDATE celery_beat_schedules SET last_run_at = '{minutes_ago}'"
    ))
    .await;
    let first_minute = chrono::Utc::now().timestamp() / 60;
    for round in 0..3 {
        let (mut child, rx, reader) = spawn_beat(
            &db,
            &[("STOCKURA_LOG", "trace".into())],
            &["--log-format", "json", "--broker-key-prefix", &prefix],
        );
        let mut seen = Vec::new();
        if round == 0 {
            wait_for(&rx, &mut seen, "the catch-up", |v| {
                v["message"] == "slots passed while no scheduler ran"
            });
        }
        wait_for(&rx, &mut seen, "ready", |v| v["event"] == "ready");
        // SIGTERM at once.
        std::process::Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        let code = child.wait().unwrap();
        let _ = reader.join();
        seen.extend(rx.try_iter());
        let log = seen.join("\n");
        assert_eq!(code.code(), Some(0), "round {round}:\n{log}");
        assert!(
            !log.contains("s3ntinel-value"),
            "task arguments were logged:\n{log}"
        );
    }
    let client = redis::Client::open(format!("{}/0", redis_url())).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let sent: i64 = redis::cmd("LLEN")
        .arg(format!("{prefix}celery"))
        .query_async(&mut conn)
        .await
        .unwrap();
    // One catch-up; a round that starts after a minute boundary rightly catches up that slot.
    let minutes = chrono::Utc::now().timestamp() / 60 - first_minute;
    assert!(
        (1..=1 + minutes).contains(&sent),
        "the catch-up was sent once per slot: {sent} messages over {minutes} boundaries"
    );
    let _: () = redis::cmd("DEL")
        .arg(format!("{prefix}celery"))
        .query_async(&mut conn)
        .await
        .unwrap();
}

/// The messages on the list `key` of the Redis at `url`, and their distinct task ids.
pub async fn broker_list(url: &str, key: &str) -> (Vec<Value>, std::collections::HashSet<String>) {
    let client = redis::Client::open(url).unwrap();
    // Tens of megabytes for a burst of 40,000 messages: more than the default response
    // timeout allows on a loaded machine.
    let config =
        redis::AsyncConnectionConfig::new().set_response_timeout(Some(Duration::from_secs(60)));
    let mut conn = client
        .get_multiplexed_async_connection_with_config(&config)
        .await
        .unwrap();
    let items: Vec<String> = redis::cmd("LRANGE")
        .arg(key)
        .arg(0)
        .arg(-1)
        .query_async(&mut conn)
        .await
        .unwrap();
    let messages: Vec<Value> = items
        .iter()
        .map(|i| serde_json::from_str(i).unwrap())
        .collect();
    let ids = messages
        .iter()
        .map(|m| m["headers"]["id"].as_str().unwrap().to_string())
        .collect();
    (messages, ids)
}

/// A scaled test clock (`STOCKURA_TEST_CLOCK`, `speed` times real time) whose scheduler time
/// is `sim_start` at the instant this is called.
pub fn scaled_clock(speed: f64, sim_start: chrono::DateTime<chrono::Utc>) -> String {
    // sim(t) = epoch + speed * (t - epoch), so sim(now) = sim_start gives the epoch.
    let now = chrono::Utc::now().timestamp_micros() as f64 / 1e6;
    let start = sim_start.timestamp_micros() as f64 / 1e6;
    let epoch = (start - speed * now) / (1.0 - speed);
    let epoch = chrono::DateTime::from_timestamp_micros((epoch * 1e6) as i64).unwrap();
    format!(
        "{speed}@{}",
        epoch.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
    )
}

/// A minute boundary at least 30 s ahead of now (so schedules made now exist before it).
pub fn next_minute() -> chrono::DateTime<chrono::Utc> {
    use chrono::DurationRound;
    let minute = chrono::Duration::minutes(1);
    (chrono::Utc::now() + chrono::Duration::seconds(30))
        .duration_trunc(minute)
        .unwrap()
        + minute
}

/// The arguments adding schedule `m<n>` of `app.tasks.every_minute`, `* * * * *` (the same job
/// under several names, on purpose).
pub fn every_minute_args(n: usize) -> Vec<String> {
    [
        "schedule",
        "add",
        "--task",
        "app.tasks.every_minute",
        "--cron",
        "* * * * *",
        "--name",
        &format!("m{n}"),
        "--allow-duplicate",
    ]
    .map(String::from)
    .to_vec()
}

/// `count` schedules `m0`, `m1`, … ([`every_minute_args`]).
fn add_every_minute(db: &TestDb, count: usize) {
    for n in 0..count {
        let args = every_minute_args(n);
        db.json(&args.iter().map(String::as_str).collect::<Vec<_>>());
    }
}

/// The broker Redis (also the Redis of leadership and events, as in many deployments) dies
/// `lead` before a minute boundary and is back 40 s later, in a real `run-beat` process on a
/// clock ten times faster than real time. Whether the boundary still finds the leader (its
/// push fails: the slots are owed, then taken over from the history) or the lease has already
/// run out (no leader at the boundary: the next one catches the slot up), every slot of that
/// boundary reaches the broker exactly once, late, and the history says so.
async fn broker_outage_around_a_boundary(db: TestDb, lead_secs: i64) {
    use chrono::{DurationRound, Utc};
    let prefix = db.broker_prefix();
    let count = 12;
    add_every_minute(&db, count);
    let mut redis = crate::support::ThrowawayRedis::start(&[]).await;
    let speed = 10.0;
    let minute = chrono::Duration::minutes(1);
    let m1 = (Utc::now() + chrono::Duration::seconds(30))
        .duration_trunc(minute)
        .unwrap()
        + minute;
    let (m2, m3) = (m1 + minute, m1 + minute * 2);
    let real = |sim: chrono::Duration| {
        Duration::from_micros((sim.num_microseconds().unwrap() as f64 / speed) as u64)
    };
    let started = Instant::now();
    let (child, rx, reader) = spawn_beat(
        &db,
        &[
            (
                "STOCKURA_TEST_CLOCK",
                scaled_clock(speed, m1 - chrono::Duration::seconds(10)),
            ),
            ("CELERY_BROKER_URL", redis.url()),
            ("REDIS_URL", redis.url()),
        ],
        &[
            "--log-format",
            "json",
            "--broker-key-prefix",
            &prefix,
            "--lease",
            "1500ms",
        ],
    );
    let mut seen = Vec::new();
    wait_for(&rx, &mut seen, "ready", |v| v["event"] == "ready");
    let at_sim =
        |sim: chrono::DateTime<Utc>| started + real(sim - (m1 - chrono::Duration::seconds(10)));
    // The first boundary goes out with the broker up.
    wait_for(&rx, &mut seen, "the first batch", |v| {
        v["message"] == "batch" && v["dispatched"] == count
    });
    tokio::time::sleep_until(at_sim(m2 - chrono::Duration::seconds(lead_secs)).into()).await;
    redis.kill();
    tokio::time::sleep_until(
        at_sim(m2 - chrono::Duration::seconds(lead_secs) + chrono::Duration::seconds(40)).into(),
    )
    .await;
    redis.start_again().await;
    // The third boundary, after the outage.
    tokio::time::sleep_until(at_sim(m3 + chrono::Duration::seconds(8)).into()).await;
    let log = stop_beat(child, rx, reader, seen);

    // What reached the broker after its restart (it keeps nothing across one): the slots of
    // the boundary during the outage and of the one after, each exactly once.
    let (items, ids) = broker_list(&redis.url(), &format!("{prefix}celery")).await;
    assert_eq!(items.len(), 2 * count, "lead {lead_secs}s:\n{log}");
    assert_eq!(ids.len(), items.len(), "a message was doubled:\n{log}");
    // The history: three boundaries, each slot dispatched once; the outage's ones late.
    let runs = db.runs().await;
    assert_eq!(runs.len(), 3 * count, "{runs:#?}");
    assert!(
        runs.iter()
            .all(|r| r.run.status == stockura::domain::run::RunStatus::Dispatched),
        "{runs:#?}"
    );
    for slot in [m1, m2, m3] {
        let of_slot: Vec<_> = runs
            .iter()
            .filter(|r| r.run.scheduled_for == slot)
            .collect();
        assert_eq!(of_slot.len(), count, "{slot}");
        if slot == m2 {
            assert!(
                of_slot.iter().all(|r| r.run.dispatched_at.unwrap()
                    >= m2 + chrono::Duration::seconds(40 - lead_secs))
            );
            assert!(
                of_slot
                    .iter()
                    .all(|r| ids.contains(&r.run.celery_task_id.unwrap().to_string()))
            );
        }
    }
}

async fn broker_dies_3s_before_a_boundary(db: TestDb) {
    broker_outage_around_a_boundary(db, 3).await;
}

async fn broker_dies_20s_before_a_boundary(db: TestDb) {
    broker_outage_around_a_boundary(db, 20).await;
}

/// A scheduler started while its broker is down does not exit: it becomes ready, the boundary
/// that passes during the outage is claimed and owed, and each slot reaches the broker exactly
/// once when it is back (late, not lost). `--once` still fails at once with exit code 6.
async fn a_broker_down_at_start_makes_slots_late_not_lost(db: TestDb) {
    use chrono::{DurationRound, Utc};
    let prefix = db.broker_prefix();
    let count = 5;
    add_every_minute(&db, count);
    let mut redis = crate::support::ThrowawayRedis::start(&[]).await;
    redis.kill();
    let out = std_cmd(db.dir.path())
        .env("DATABASE_URL", &db.url)
        .env("CELERY_BROKER_URL", redis.url())
        .args(["run-beat", "--once"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(6),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let speed = 10.0;
    let minute = chrono::Duration::minutes(1);
    let m1 = (Utc::now() + chrono::Duration::seconds(30))
        .duration_trunc(minute)
        .unwrap()
        + minute;
    let start = m1 - chrono::Duration::seconds(10);
    let real = |sim: chrono::Duration| {
        Duration::from_micros((sim.num_microseconds().unwrap() as f64 / speed) as u64)
    };
    let started = Instant::now();
    let (child, rx, reader) = spawn_beat(
        &db,
        &[
            ("STOCKURA_TEST_CLOCK", scaled_clock(speed, start)),
            ("CELERY_BROKER_URL", redis.url()),
        ],
        &["--log-format", "json", "--broker-key-prefix", &prefix],
    );
    let mut seen = Vec::new();
    wait_for(&rx, &mut seen, "ready with the broker down", |v| {
        v["event"] == "ready"
    });
    let at_sim = |sim: chrono::DateTime<Utc>| started + real(sim - start);
    // The boundary passes with the broker down; it comes back 20 s (simulated) later.
    tokio::time::sleep_until(at_sim(m1 + chrono::Duration::seconds(20)).into()).await;
    redis.start_again().await;
    tokio::time::sleep_until(at_sim(m1 + chrono::Duration::seconds(45)).into()).await;
    let log = stop_beat(child, rx, reader, seen);
    let (items, ids) = broker_list(&redis.url(), &format!("{prefix}celery")).await;
    assert_eq!(items.len(), count, "{log}");
    assert_eq!(ids.len(), count, "a message was doubled:\n{log}");
    let runs = db.runs().await;
    let of_m1: Vec<_> = runs.iter().filter(|r| r.run.scheduled_for == m1).collect();
    assert_eq!(of_m1.len(), count, "{runs:#?}");
    assert!(
        of_m1.iter().all(|r| {
            r.run.status == stockura::domain::run::RunStatus::Dispatched
                && r.run.dispatched_at.unwrap() >= m1 + chrono::Duration::seconds(20)
                && ids.contains(&r.run.celery_task_id.unwrap().to_string())
        }),
        "{runs:#?}"
    );
}

/// A cluster of the test's own, migrated, with `count` schedules `m0`… every minute (the same
/// job on purpose), and a home directory for the binary.
fn cluster_with_every_minute(
    count: usize,
) -> (crate::support::ThrowawayPostgres, tempfile::TempDir) {
    let pg = crate::support::ThrowawayPostgres::start();
    let home = tempfile::TempDir::new().unwrap();
    let cli = |args: &[&str]| {
        let out = std_cmd(home.path())
            .env("DATABASE_URL", pg.url())
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    cli(&["migrate"]);
    for n in 0..count {
        let args = every_minute_args(n);
        cli(&args.iter().map(String::as_str).collect::<Vec<_>>());
    }
    (pg, home)
}

/// The history of a throwaway cluster.
async fn cluster_runs(pg: &crate::support::ThrowawayPostgres) -> Vec<stockura::domain::run::Run> {
    let store = stockura::store::AnyStore::open(
        &stockura::config::DatabaseTarget {
            backend: stockura::config::Backend::Postgres,
            url: stockura::config::Redacted::new(pg.url()),
            create_dir: None,
        },
        stockura::store::OpenMode::RequireCurrent,
    )
    .await
    .unwrap();
    stockura::store::RunStore::list_runs(
        &store,
        &stockura::domain::run::RunFilter {
            limit: 1000,
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

/// Stops a spawned `run-beat` with SIGTERM, checks that it exits 0, and returns its whole log.
fn stop_beat(
    mut child: std::process::Child,
    rx: mpsc::Receiver<String>,
    reader: std::thread::JoinHandle<()>,
    mut seen: Vec<String>,
) -> String {
    std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let code = child.wait().unwrap();
    let _ = reader.join();
    seen.extend(rx.try_iter());
    let log = seen.join("\n");
    assert_eq!(code.code(), Some(0), "{log}");
    log
}

/// A `run-beat` on a throwaway cluster under a clock running `SPEED` times real time from the
/// simulated instant `start`, sending to the shared Redis under a key prefix of its own.
struct ScaledBeat {
    child: std::process::Child,
    rx: mpsc::Receiver<String>,
    reader: std::thread::JoinHandle<()>,
    seen: Vec<String>,
    started: Instant,
    start: chrono::DateTime<chrono::Utc>,
    queue: String,
}

impl ScaledBeat {
    const SPEED: f64 = 4.0;

    /// Spawns it and waits until it is ready.
    fn spawn(
        pg: &crate::support::ThrowawayPostgres,
        home: &std::path::Path,
        start: chrono::DateTime<chrono::Utc>,
        env: &[(&str, String)],
        args: &[&str],
    ) -> Self {
        let prefix = format!("stockura-test-{}:", uuid::Uuid::new_v4().simple());
        let mut env = env.to_vec();
        env.push(("STOCKURA_TEST_CLOCK", scaled_clock(Self::SPEED, start)));
        let mut all = vec!["--log-format", "json", "--broker-key-prefix", &prefix];
        all.extend_from_slice(args);
        let started = Instant::now();
        let (child, rx, reader) = spawn_beat_in(home, &pg.url(), &env, &all);
        let mut beat = Self {
            child,
            rx,
            reader,
            seen: Vec::new(),
            started,
            start,
            queue: format!("{prefix}celery"),
        };
        wait_for(&beat.rx, &mut beat.seen, "ready", |v| v["event"] == "ready");
        beat
    }

    /// The real instant of the simulated one.
    fn at(&self, sim: chrono::DateTime<chrono::Utc>) -> Instant {
        let micros = (sim - self.start).num_microseconds().unwrap() as f64 / Self::SPEED;
        self.started + Duration::from_micros(micros as u64)
    }

    async fn sleep_until(&self, sim: chrono::DateTime<chrono::Utc>) {
        tokio::time::sleep_until(self.at(sim).into()).await;
    }

    /// SIGTERM; checks it exits 0; returns its log.
    fn stop(self) -> String {
        let Self {
            child,
            rx,
            reader,
            seen,
            ..
        } = self;
        stop_beat(child, rx, reader, seen)
    }

    /// What its queue holds (and each distinct task id), deleted afterwards.
    async fn take_queue(queue: &str) -> (Vec<Value>, std::collections::HashSet<String>) {
        let found = broker_list(&redis_url(), queue).await;
        let client = redis::Client::open(redis_url()).unwrap();
        let mut conn = client.get_multiplexed_async_connection().await.unwrap();
        let _: () = redis::cmd("DEL")
            .arg(queue)
            .query_async(&mut conn)
            .await
            .unwrap();
        found
    }
}

/// The next minute boundary at least 30 s away.
fn next_boundary() -> chrono::DateTime<chrono::Utc> {
    use chrono::DurationRound;
    let minute = chrono::Duration::minutes(1);
    (chrono::Utc::now() + chrono::Duration::seconds(30))
        .duration_trunc(minute)
        .unwrap()
        + minute
}

/// Checks that each slot has `count` runs, all dispatched with a task id the broker got and
/// (when given) the trigger.
fn each_slot_sent_once(
    runs: &[stockura::domain::run::Run],
    ids: &std::collections::HashSet<String>,
    count: usize,
    slots: &[(
        chrono::DateTime<chrono::Utc>,
        Option<stockura::domain::run::Trigger>,
    )],
    log: &str,
) {
    for (slot, trigger) in slots {
        let of_slot: Vec<_> = runs
            .iter()
            .filter(|r| r.run.scheduled_for == *slot)
            .collect();
        assert_eq!(of_slot.len(), count, "{slot}: {runs:#?}\n{log}");
        assert!(
            of_slot.iter().all(|r| {
                r.run.status == stockura::domain::run::RunStatus::Dispatched
                    && trigger.is_none_or(|t| r.run.trigger == t)
                    && ids.contains(&r.run.celery_task_id.unwrap().to_string())
            }),
            "{slot}: {of_slot:#?}\n{log}"
        );
    }
}

/// The database refuses connections (a real cluster stopped with `pg_ctl stop -m immediate`)
/// from 8 s before a boundary to 32 s after it, under a real `run-beat` leading through a Redis
/// lease: the boundary's slots are sent, unclaimed, each exactly once; the history of that
/// boundary is written when the database is back, and the next boundary runs as usual. How late
/// the boundary reached the broker (real seconds) is printed for the record, not asserted.
/// The database refuses connections (a real cluster stopped with `pg_ctl stop -m immediate`)
/// from 8 s before a boundary to 32 s after it, under a real `run-beat` leading through a Redis
/// lease: the boundary's slots are sent, unclaimed, each exactly once; the history of that
/// boundary is written when the database is back, and the next boundary runs as usual. How late
/// the boundary reached the broker (real seconds) is printed for the record, not asserted.
#[tokio::test]
async fn a_refusing_database_leaves_a_boundary_on_time_and_its_history_written_later() {
    let count = 20;
    let (mut pg, home) = cluster_with_every_minute(count);
    let m1 = next_boundary();
    let m2 = m1 + chrono::Duration::minutes(1);
    let sec = chrono::Duration::seconds;
    let beat = ScaledBeat::spawn(
        &pg,
        home.path(),
        m1 - sec(12),
        &[("REDIS_URL", redis_url())],
        &[],
    );
    beat.sleep_until(m1 - sec(8)).await;
    pg.stop();
    // Watch the broker across the boundary: when do the boundary's messages arrive?
    let client = redis::Client::open(redis_url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let mut arrived = None;
    while Instant::now() < beat.at(m1 + sec(30)) {
        let len: usize = redis::cmd("LLEN")
            .arg(&beat.queue)
            .query_async(&mut conn)
            .await
            .unwrap();
        if len >= count && arrived.is_none() {
            arrived = Some(Instant::now());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    beat.sleep_until(m1 + sec(32)).await;
    pg.start_again();
    beat.sleep_until(m2 + sec(12)).await;
    let (boundary, queue) = (beat.at(m1), beat.queue.clone());
    let log = beat.stop();
    let arrived =
        arrived.unwrap_or_else(|| panic!("the boundary never reached the broker:\n{log}"));
    eprintln!(
        "refusing database: the boundary's {count} messages were in the broker {:.3} s (real) after it",
        arrived.saturating_duration_since(boundary).as_secs_f64()
    );
    let (items, ids) = ScaledBeat::take_queue(&queue).await;
    assert_eq!(items.len(), 2 * count, "{log}");
    assert_eq!(ids.len(), items.len(), "a message was doubled:\n{log}");
    // The history: both boundaries, each slot once, dispatched with the task id that was sent.
    let runs = cluster_runs(&pg).await;
    each_slot_sent_once(&runs, &ids, count, &[(m1, None), (m2, None)], &log);
}

/// Leadership by Postgres advisory lock (no Redis): after a first boundary, when the database
/// stops (a real cluster, `pg_ctl stop -m immediate`) 20 s (simulated; 5 s real) before the
/// next boundary and comes back 20 s after it, the leader cannot renew its lock and stands down
/// once its lease (`--lease 2s`) runs out, so nothing is sent during the outage; once the
/// database is back a leader takes over and catches the boundary up (trigger `catchup`), each
/// slot exactly once; the next boundary runs as usual. (An outage shorter than the lease is the
/// other test's case: the leader keeps sending, unclaimed.)
#[tokio::test]
async fn advisory_lock_leadership_stands_down_during_a_database_outage_and_catches_up() {
    use stockura::domain::run::Trigger;
    let count = 10;
    let (mut pg, home) = cluster_with_every_minute(count);
    // m0 runs before the outage (a schedule that never ran owes nothing to catch up).
    let m0 = next_boundary();
    let minute = chrono::Duration::minutes(1);
    let (m1, m2) = (m0 + minute, m0 + minute * 2);
    let sec = chrono::Duration::seconds;
    let beat = ScaledBeat::spawn(&pg, home.path(), m0 - sec(12), &[], &["--lease", "2s"]);
    beat.sleep_until(m1 - sec(20)).await;
    pg.stop();
    beat.sleep_until(m1 + sec(15)).await;
    let (during, _) = broker_list(&redis_url(), &beat.queue).await;
    beat.sleep_until(m1 + sec(20)).await;
    pg.start_again();
    beat.sleep_until(m2 + sec(15)).await;
    let queue = beat.queue.clone();
    let log = beat.stop();
    assert_eq!(
        during.len(),
        count,
        "only m0 before the outage, nothing sent without the lock during it:\n{log}"
    );
    let (items, ids) = ScaledBeat::take_queue(&queue).await;
    assert_eq!(items.len(), 3 * count, "{log}");
    assert_eq!(ids.len(), items.len(), "a message was doubled:\n{log}");
    let runs = cluster_runs(&pg).await;
    each_slot_sent_once(
        &runs,
        &ids,
        count,
        &[
            (m0, Some(Trigger::Schedule)),
            (m1, Some(Trigger::Catchup)),
            (m2, Some(Trigger::Schedule)),
        ],
        &log,
    );
}

/// `count` schedules `* * * * *` whose last run was two minutes ago, written in one statement
/// (each owes a catch-up run and a missed slot).
/// `count` schedules `* * * * *` that never ran (they owe no catch-up).
async fn seed_burst(db: &TestDb, count: usize) {
    db.json(&["schedule", "list"]);
    if db.url.starts_with("postgres") {
        db.exec(&format!(
            "INSERT INTO celery_beat_schedules (id, name, task_name, cron_expression, enabled, \
             args, kwargs, created_at, updated_at) \
             SELECT gen_random_uuid(), 'burst_' || g, 'app.tasks.burst', '* * * * *', true, \
             '[]', jsonb_build_object('i', g), now(), now() FROM generate_series(1, {count}) g"
        ))
        .await;
    } else {
        db.exec(&format!(
            "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < {count}) \
             INSERT INTO celery_beat_schedules (id, name, task_name, cron_expression, enabled, \
             args, kwargs, created_at, updated_at) \
             SELECT lower(substr(h,1,8)||'-'||substr(h,9,4)||'-4'||substr(h,14,3)||'-a'||substr(h,18,3)||'-'||substr(h,21,12)), \
             'burst_' || i, 'app.tasks.burst', '* * * * *', 1, '[]', json_object('i', i), \
             strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now') \
             FROM (SELECT i, hex(randomblob(16)) AS h FROM g)"
        ))
        .await;
    }
}

/// Two SIGTERMs during a burst (40,000 schedules due at one boundary): the second stops the
/// batch at once (exit 130). No row says `dispatched` for a message that was not pushed, every
/// pushed slot has its bookkeeping, the rest is recorded `owed`, and the next scheduler sends
/// exactly those: each slot reaches the broker once.
async fn a_second_signal_during_a_burst_leaves_the_truth(db: TestDb) {
    let count = 40_000;
    seed_burst(&db, count).await;
    let prefix = db.broker_prefix();
    let args = ["-v", "--log-format", "json", "--broker-key-prefix", &prefix];
    // The scheduler's time starts 8 s before the last real minute boundary (and runs at twice
    // the real pace: 4 s to start and load before the burst): its burst's slot is in the real
    // past, as the next scheduler (on the real clock) finds it.
    use chrono::Timelike;
    let now = chrono::Utc::now();
    let last_boundary = now
        - chrono::Duration::seconds(i64::from(now.second()))
        - chrono::Duration::nanoseconds(i64::from(now.nanosecond()));
    let clock = scaled_clock(2.0, last_boundary - chrono::Duration::seconds(8));
    let (mut child, rx, reader) = spawn_beat(&db, &[("STOCKURA_TEST_CLOCK", clock)], &args);
    let mut seen = Vec::new();
    wait_for(&rx, &mut seen, "the burst", |v| {
        v["message"] == "batch begins" && v["due"] == count
    });
    // Two signals, the second once the first is seen (signals that arrive together count
    // as one).
    let term = || {
        std::process::Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap()
    };
    term();
    wait_for(&rx, &mut seen, "the first signal", |v| {
        v["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("stopping after the in-flight batch"))
    });
    // Into the batch: its first chunks are sent by now, the others not yet.
    std::thread::sleep(Duration::from_millis(100));
    term();
    let code = child.wait().unwrap();
    let _ = reader.join();
    seen.extend(rx.try_iter());
    let log = seen.join("\n");
    assert_eq!(code.code(), Some(130), "{log}");

    let client = redis::Client::open(format!("{}/0", redis_url())).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let key = format!("{prefix}celery");
    let pushed: usize = redis::cmd("LLEN")
        .arg(&key)
        .query_async(&mut conn)
        .await
        .unwrap();
    let status_count = |runs: &[stockura::domain::run::Run], status: &str| {
        runs.iter()
            .filter(|r| r.run.status.as_str() == status)
            .count()
    };
    let runs = db.runs_up_to(1_000_000).await;
    let (dispatched, owed) = (
        status_count(&runs, "dispatched"),
        status_count(&runs, "owed"),
    );
    assert_eq!(
        dispatched, pushed,
        "rows saying dispatched = messages pushed"
    );
    assert_eq!(
        dispatched + owed,
        count,
        "every slot dispatched or owed:\n{log}"
    );
    eprintln!("second signal: {pushed} slots pushed, {owed} owed");
    assert!(
        owed > 0,
        "the second signal came after the whole burst:\n{log}"
    );
    let listed = db.json(&["schedule", "list"]);
    let booked: u64 = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["total_run_count"].as_u64().unwrap())
        .sum();
    assert_eq!(
        booked as usize, pushed,
        "bookkeeping for exactly the pushed slots"
    );

    // The next scheduler sends the owed slots, each once.
    db.run_beat_once(&prefix);
    let (items, ids) = broker_list(&format!("{}/0", redis_url()), &key).await;
    assert_eq!(ids.len(), items.len(), "a message was doubled");
    let runs = db.runs_up_to(1_000_000).await;
    assert_eq!(status_count(&runs, "owed"), 0);
    // The burst's slot, each once; a minute boundary passed meanwhile adds its own slots.
    let slot = last_boundary;
    let burst: Vec<_> = runs
        .iter()
        .filter(|r| r.run.scheduled_for == slot)
        .collect();
    assert_eq!(burst.len(), count);
    assert!(burst.iter().all(|r| r.run.status.as_str() == "dispatched"
        && ids.contains(&r.run.celery_task_id.unwrap().to_string())));
    let later = runs
        .iter()
        .filter(|r| r.run.scheduled_for > slot && r.run.status.as_str() == "dispatched")
        .count();
    assert_eq!(items.len(), count + later);
    let _: () = redis::cmd("DEL")
        .arg(&key)
        .query_async(&mut conn)
        .await
        .unwrap();
}

/// A scheduler killed with SIGKILL removes nothing of its own from Redis: its heartbeat, the
/// index of heartbeats and the leadership key all expire by themselves (the index an hour after
/// the last heartbeat), so no key of it is left without a TTL.
#[tokio::test]
async fn a_killed_scheduler_leaves_only_keys_that_expire() {
    let db = TestDb::sqlite().await;
    db.json(&["schedule", "list"]);
    let (mut child, rx, reader) = spawn_beat(
        &db,
        &[
            ("REDIS_URL", redis_url()),
            ("CELERY_BEAT_REDIS_CHANNEL", unique_channel()),
        ],
        &[
            "--log-format",
            "json",
            "--broker-key-prefix",
            &db.broker_prefix(),
        ],
    );
    let mut seen = Vec::new();
    wait_for(&rx, &mut seen, "ready", |v| v["event"] == "ready");
    let namespace = crate::support::beat_namespace(db.dir.path());
    let client = redis::Client::open(format!("{}/0", redis_url())).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let keys = |conn: &mut redis::aio::MultiplexedConnection| {
        let mut conn = conn.clone();
        let pattern = format!("{namespace}:*");
        async move {
            let mut keys: Vec<String> = redis::cmd("KEYS")
                .arg(pattern)
                .query_async(&mut conn)
                .await
                .unwrap();
            keys.sort();
            keys
        }
    };
    // Hang guard: the first heartbeat is written at start.
    let deadline = Instant::now() + Duration::from_secs(10);
    while keys(&mut conn).await.len() < 3 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let _ = reader.join();
    let left = keys(&mut conn).await;
    assert_eq!(left.len(), 3, "heartbeat, index, leader: {left:?}");
    for key in &left {
        let ttl_ms: i64 = redis::cmd("PTTL")
            .arg(key)
            .query_async(&mut conn)
            .await
            .unwrap();
        assert!(ttl_ms > 0 && ttl_ms <= 3_600_000, "{key} has PTTL {ttl_ms}");
    }
}

/// A scheduler killed (SIGKILL) after it claimed a boundary and before its push answered: the
/// broker hangs (a proxy that forwards nothing), so the claim is in and the push is not. The
/// rows say `owed`, not `dispatched`, and name their push. Then either the held push reaches
/// the broker after the process died (`lands`), or it never does; the next scheduler takes the
/// owed rows over, asks the broker for the push's marker, and each slot is on the broker
/// exactly once, with every row `dispatched`.
async fn killed_between_claim_and_push(db: TestDb, lands: bool) {
    use chrono::{DurationRound, Utc};
    use stockura::domain::run::RunStatus;
    let prefix = db.broker_prefix();
    let count = 6;
    add_every_minute(&db, count);
    let proxy = crate::support::FaultProxy::start("127.0.0.1:6379").await;
    let speed = 4.0;
    let minute = chrono::Duration::minutes(1);
    let m1 = (Utc::now() + chrono::Duration::seconds(30))
        .duration_trunc(minute)
        .unwrap()
        + minute;
    let clock = scaled_clock(speed, m1 - chrono::Duration::seconds(12));
    let args = ["--log-format", "json", "--broker-key-prefix", &prefix];
    let (mut child, rx, reader) = spawn_beat(
        &db,
        &[
            ("STOCKURA_TEST_CLOCK", clock.clone()),
            (
                "CELERY_BROKER_URL",
                format!("redis://127.0.0.1:{}/0", proxy.port),
            ),
        ],
        &args,
    );
    let mut seen = Vec::new();
    wait_for(&rx, &mut seen, "ready", |v| v["event"] == "ready");
    proxy.freeze();
    // The claim of the boundary, then a moment for the push to be written to the proxy.
    let deadline = Instant::now() + Duration::from_secs(30);
    let claimed = loop {
        let runs = db.runs().await;
        if runs.iter().filter(|r| r.run.scheduled_for == m1).count() == count {
            break runs;
        }
        assert!(
            Instant::now() < deadline,
            "no claim; log:\n{}",
            seen.join("\n")
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    child.kill().unwrap();
    child.wait().unwrap();
    let _ = reader.join();
    seen.extend(rx.try_iter());
    let log = seen.join("\n");
    assert!(
        claimed
            .iter()
            .all(|r| r.run.status == RunStatus::Owed && r.run.push_marker.is_some()),
        "a claimed row says more than its push answered: {claimed:#?}\n{log}"
    );
    let queue = format!("{prefix}celery");
    let url = format!("{}/0", redis_url());
    assert_eq!(broker_list(&url, &queue).await.0.len(), 0, "{log}");
    if lands {
        proxy.thaw();
        let deadline = Instant::now() + Duration::from_secs(10);
        while broker_list(&url, &queue).await.0.len() < count {
            assert!(
                Instant::now() < deadline,
                "the held push never landed: {log}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    } else {
        drop(proxy);
    }

    let (child, rx, reader) = spawn_beat(&db, &[("STOCKURA_TEST_CLOCK", clock)], &args);
    let mut seen = Vec::new();
    wait_for(&rx, &mut seen, "ready", |v| v["event"] == "ready");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let runs = db.runs().await;
        let of_m1: Vec<_> = runs.iter().filter(|r| r.run.scheduled_for == m1).collect();
        if of_m1.iter().all(|r| r.run.status == RunStatus::Dispatched) {
            assert_eq!(of_m1.len(), count);
            let wanted = if lands {
                "its sender stopped"
            } else {
                "s late"
            };
            assert!(
                of_m1
                    .iter()
                    .all(|r| r.run.detail.as_deref().is_some_and(|d| d.contains(wanted))),
                "{of_m1:#?}"
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "owed rows not settled: {of_m1:#?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let log = stop_beat(child, rx, reader, seen);
    let (items, ids) = broker_list(&url, &queue).await;
    let of_m1 = items
        .iter()
        .filter(|m| m["headers"]["eta"].is_null())
        .count();
    assert_eq!(of_m1, items.len());
    let wanted: std::collections::HashSet<String> = db
        .runs()
        .await
        .iter()
        .filter(|r| r.run.scheduled_for == m1)
        .map(|r| r.run.celery_task_id.unwrap().to_string())
        .collect();
    assert!(wanted.is_subset(&ids), "a slot was lost:\n{log}");
    let sent_for_m1 = items
        .iter()
        .filter(|m| wanted.contains(m["headers"]["id"].as_str().unwrap()))
        .count();
    assert_eq!(sent_for_m1, count, "a slot was doubled:\n{log}");
}

async fn killed_between_claim_and_push_its_push_lost(db: TestDb) {
    killed_between_claim_and_push(db, false).await;
}

async fn killed_between_claim_and_push_its_push_landing_later(db: TestDb) {
    killed_between_claim_and_push(db, true).await;
}

/// `schedule pause --until` while a real `run-beat` runs (its clock ten times real time): the
/// leader resumes the schedule at that instant, announces it on the change channel, and sends
/// its first slot after it; nothing is caught up or recorded missed for the slots of the pause.
async fn a_running_beat_resumes_a_pause_at_its_until(db: TestDb) {
    use chrono::SecondsFormat;
    let prefix = db.broker_prefix();
    let channel = unique_channel();
    let m1 = next_minute();
    let until = m1 + chrono::Duration::seconds(20);
    let added = db.json(
        &every_minute_args(0)
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    let id = added["id"].as_str().unwrap().to_string();
    // It ran two minutes before the pause ends: a catch-up from there would owe m1.
    let last = (until - chrono::Duration::minutes(2)).format("%Y-%m-%dT%H:%M:%S.000000Z");
    db.exec(&format!(
        "UPDATE celery_beat_schedules SET last_run_at = '{last}'"
    ))
    .await;
    let until_text = until.to_rfc3339_opts(SecondsFormat::Secs, true);
    db.json(&[
        "schedule",
        "pause",
        "m0",
        "--reason",
        "backfill",
        "--until",
        &until_text,
    ]);
    let events = crate::support::Subscriber::start(&channel).await;
    let (child, rx, reader) = spawn_beat(
        &db,
        &[
            (
                "STOCKURA_TEST_CLOCK",
                scaled_clock(10.0, m1 - chrono::Duration::seconds(10)),
            ),
            ("REDIS_URL", redis_url()),
            ("CELERY_BEAT_REDIS_CHANNEL", channel.clone()),
        ],
        &["--log-format", "json", "--broker-key-prefix", &prefix],
    );
    let mut seen = Vec::new();
    // Before or after `ready`: a slow start may find the until passed already.
    let resumed = wait_for(&rx, &mut seen, "the resume", |v| {
        v["message"] == "schedule resumed: its pause ended"
    });
    assert_eq!(resumed["schedule"], "m0");
    wait_for(&rx, &mut seen, "the first slot after the until", |v| {
        v["message"] == "batch" && v["dispatched"] == 1
    });
    let log = stop_beat(child, rx, reader, seen);
    assert!(log.contains("scheduler ready"), "{log}");

    let shown = db.json(&["schedule", "show", "m0"]);
    assert_eq!(
        (
            &shown["state"],
            &shown["pause_reason"],
            &shown["resumed_at"]
        ),
        (
            &Value::from("enabled"),
            &Value::Null,
            &Value::from(until_text.clone())
        ),
        "{log}"
    );
    let published = events.wait_for(1).await;
    assert!(
        published
            .iter()
            .any(|e| e["event_type"] == "schedule_updated" && e["schedule_id"] == id.as_str()),
        "{published:?}"
    );
    // One run, at the first slot after the until; the slot of the pause (m1) is not owed.
    let runs: Vec<_> = db
        .runs()
        .await
        .into_iter()
        .map(|r| (r.run.scheduled_for, r.run.trigger, r.run.status))
        .collect();
    assert_eq!(
        runs,
        [(
            m1 + chrono::Duration::minutes(1),
            stockura::domain::run::Trigger::Schedule,
            stockura::domain::run::RunStatus::Dispatched
        )],
        "{log}"
    );
}

crate::both_backends!(
    a_running_beat_resumes_a_pause_at_its_until,
    live,
    quiet_and_stoppable,
    broker_dies_3s_before_a_boundary,
    broker_dies_20s_before_a_boundary,
    a_broker_down_at_start_makes_slots_late_not_lost,
    a_second_signal_during_a_burst_leaves_the_truth,
    killed_between_claim_and_push_its_push_lost,
    killed_between_claim_and_push_its_push_landing_later
);
