//! High availability with real processes: two `run-beat`s on one database, every-minute
//! schedules on a driven clock (`STOCKURA_TEST_CLOCK`: 15 times real time, so a minute passes
//! every 4 s while leases and heartbeats keep real time). The leader is SIGKILLed (and, with
//! Redis leadership, SIGSTOPped past its lease and resumed); every slot is still sent exactly
//! once, nothing is recorded missed, and the standby takes over within about one lease.

use std::process::Child;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde_json::Value;
use stockura::domain::run::RunStatus;

use crate::beat_process::{spawn_beat, wait_for};
use crate::support::{TestDb, redis_url, unique_channel};

const LEASE: Duration = Duration::from_secs(2);
const SPEED: u32 = 15;

struct Beat {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
    reader: Option<std::thread::JoinHandle<()>>,
    instance: String,
}

impl Beat {
    fn start(db: &TestDb, env: &[(&str, String)], prefix: &str) -> Self {
        let (child, lines, reader) = spawn_beat(
            db,
            env,
            &[
                "--log-format",
                "json",
                "--lease",
                "2s",
                "--broker-key-prefix",
                prefix,
            ],
        );
        let mut beat = Self {
            child,
            lines,
            seen: Vec::new(),
            reader: Some(reader),
            instance: String::new(),
        };
        let line = beat.wait("the leadership line", |v| v["message"] == "leadership");
        beat.instance = line["instance"].as_str().unwrap().to_string();
        beat.wait("ready", |v| v["event"] == "ready");
        beat
    }

    fn wait(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        wait_for(&self.lines, &mut self.seen, what, pred)
    }

    fn signal(&self, sig: &str) {
        let ok = std::process::Command::new("kill")
            .args([sig, &self.child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill {sig}");
    }

    fn log(&mut self) -> String {
        self.seen.extend(self.lines.try_iter());
        self.seen.join("\n")
    }

    /// SIGTERM; returns the exit code.
    fn stop(mut self) -> Option<i32> {
        self.signal("-TERM");
        let code = self.child.wait().unwrap().code();
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
        code
    }
}

impl Drop for Beat {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn became_leader(v: &Value) -> bool {
    v["event"] == "leader"
}

fn stood_down(v: &Value) -> bool {
    v["event"] == "standby" || v["message"] == "not the leader: dispatching stops"
}

/// `beat status -o json` for this test's schedulers.
fn status(db: &TestDb, env: &[(&str, String)]) -> (i32, Value) {
    let mut cmd = db.cmd();
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.args(["beat", "status", "-o", "json"]).output().unwrap();
    let doc = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("beat status: {e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap_or(-1), doc)
}

/// Kills (and with `pause`, first pauses) the leader; checks that each slot went out once.
async fn failover(db: TestDb, env: Vec<(&'static str, String)>, pause: bool) {
    let prefix = db.broker_prefix();
    let crons = [
        ("ha_a", "* * * * *"),
        ("ha_b", "* * * * *"),
        ("ha_c", "* * * * *"),
        ("ha_even", "*/2 * * * *"),
    ];
    for (name, cron) in crons {
        db.json(&[
            "schedule",
            "add",
            "--task",
            "app.tasks.ha",
            "--cron",
            cron,
            "--name",
            name,
            "--param",
            &format!("which={name}"),
        ]);
    }
    let mut env = env;
    env.push((
        "STOCKURA_TEST_CLOCK",
        format!("{SPEED}@{}", Utc::now().to_rfc3339()),
    ));
    let began = Instant::now();
    let mut a = Beat::start(&db, &env, &prefix);
    let mut b = Beat::start(&db, &env, &prefix);
    // A started first and leads; B stands by.
    assert!(a.log().contains("became the leader"), "{}", a.log());
    assert!(!b.log().contains("became the leader"), "{}", b.log());
    tokio::time::sleep(Duration::from_secs(9)).await;
    let (code, doc) = status(&db, &env);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["leader"], a.instance.as_str(), "{doc:#}");
    assert_eq!(doc["instances"].as_array().unwrap().len(), 2, "{doc:#}");
    let mut takeovers = Vec::new();
    let leader = if pause {
        // Paused past its lease: B takes over; A, resumed, must not send anything twice.
        a.signal("-STOP");
        let paused = Instant::now();
        b.wait("B takes over from the paused leader", became_leader);
        takeovers.push(paused.elapsed());
        let left = (LEASE * 2).saturating_sub(paused.elapsed());
        tokio::time::sleep(left).await;
        a.signal("-CONT");
        a.wait("the resumed leader stands down", stood_down);
        tokio::time::sleep(Duration::from_secs(8)).await;
        let (_, doc) = status(&db, &env);
        assert_eq!(doc["leader"], b.instance.as_str(), "{doc:#}");
        // Now kill the new leader: A takes over again.
        b.signal("-KILL");
        let killed = Instant::now();
        a.wait("A takes over from the killed leader", became_leader);
        takeovers.push(killed.elapsed());
        drop(b);
        a
    } else {
        a.signal("-KILL");
        let killed = Instant::now();
        b.wait("B takes over from the killed leader", became_leader);
        takeovers.push(killed.elapsed());
        drop(a);
        b
    };
    tokio::time::sleep(Duration::from_secs(9)).await;
    let mut leader = leader;
    let log = leader.log();
    assert_eq!(leader.stop(), Some(0), "{log}");
    eprintln!("takeovers after the leader stopped: {takeovers:?} (lease {LEASE:?})");
    for t in &takeovers {
        // About one lease: the lease runs out, then a standby's next attempt (a third of a
        // lease later) wins. Twice the lease is the hang guard.
        assert!(
            *t < LEASE * 2,
            "a takeover took {t:?} with a {LEASE:?} lease"
        );
    }
    // Every message once.
    let mut conn = redis::Client::open(format!("{}/0", redis_url()))
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let key = format!("{prefix}celery");
    let raw: Vec<String> = redis::cmd("LRANGE")
        .arg(&key)
        .arg(0)
        .arg(-1)
        .query_async(&mut conn)
        .await
        .unwrap();
    let _: () = redis::cmd("DEL")
        .arg(&key)
        .query_async(&mut conn)
        .await
        .unwrap();
    let mut ids: Vec<String> = raw
        .iter()
        .map(|m| {
            let v: Value = serde_json::from_str(m).unwrap();
            v["headers"]["id"].as_str().unwrap().to_string()
        })
        .collect();
    let sent = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), sent, "a slot was sent twice");
    // Every slot once, in an unbroken sequence per schedule, and none missed.
    let runs = db.runs().await;
    let missed: Vec<_> = runs
        .iter()
        .filter(|r| r.run.status != RunStatus::Dispatched)
        .collect();
    assert!(missed.is_empty(), "runs not dispatched: {missed:#?}");
    assert_eq!(runs.len(), sent, "every dispatched row has its message");
    for (name, cron) in crons {
        let step: usize = if cron.starts_with("*/2") { 2 } else { 1 };
        let mut slots: Vec<DateTime<Utc>> = runs
            .iter()
            .filter(|r| r.run.schedule_name == name)
            .map(|r| r.run.scheduled_for)
            .collect();
        slots.sort();
        // One slot per fake minute (4 real seconds), less the first and last partial ones.
        let expected =
            (began.elapsed().as_secs() as usize * SPEED as usize / 60 / step).saturating_sub(2);
        assert!(
            slots.len() >= expected.max(2),
            "{name}: only {} slots: {slots:?}",
            slots.len()
        );
        for w in slots.windows(2) {
            assert_eq!(
                w[1] - w[0],
                chrono::Duration::minutes(step as i64),
                "{name}: a slot was lost between {} and {}",
                w[0],
                w[1]
            );
        }
    }
    let catchups = runs
        .iter()
        .filter(|r| r.run.trigger == stockura::domain::run::Trigger::Catchup)
        .count();
    eprintln!("{sent} messages, {catchups} sent as catch-up after a takeover");
}

#[tokio::test]
async fn redis_leadership_survives_a_kill_and_a_pause() {
    let env = vec![
        ("REDIS_URL", redis_url()),
        ("CELERY_BEAT_REDIS_CHANNEL", unique_channel()),
    ];
    failover(TestDb::postgres().await, env, true).await;
}

#[tokio::test]
async fn postgres_advisory_lock_survives_a_kill() {
    failover(TestDb::postgres().await, Vec::new(), false).await;
}

#[tokio::test]
async fn sqlite_lock_file_survives_a_kill() {
    failover(TestDb::sqlite().await, Vec::new(), false).await;
}

/// `beat status` and the `diagnose` scheduler check, from heartbeat rows in the database: no
/// scheduler, a live leader, and a leader that has not seen the latest change.
#[tokio::test]
async fn status_and_diagnose_read_the_heartbeats() {
    let db = TestDb::postgres().await;
    let (code, doc) = status(&db, &[]);
    assert_eq!((code, doc["leader"].clone()), (7, Value::Null), "{doc:#}");
    let out = db.cmd().args(["beat", "status"]).output().unwrap();
    assert_eq!(out.status.code(), Some(7));
    assert!(String::from_utf8_lossy(&out.stdout).contains("No scheduler is running"));
    // A leader's heartbeat as run-beat writes it, with the current change version.
    let id = uuid::Uuid::new_v4();
    db.exec(&format!(
        "INSERT INTO stockura_beat_instances (instance_id, host, pid, version, started_at, role, \
         leadership, schedules, change_version, heartbeat_at, expires_at) SELECT '{id}', 'web-1', 42, \
         '0.1.0', now() - interval '1 hour', 'leader', 'postgres', 3, version, now(), \
         now() + interval '30 seconds' FROM stockura_schedule_version"
    ))
    .await;
    let (code, doc) = status(&db, &[]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["leader"], id.to_string());
    assert_eq!(doc["source"], "database");
    let i = &doc["instances"][0];
    assert_eq!(
        (i["host"].clone(), i["pid"].clone(), i["role"].clone()),
        ("web-1".into(), 42.into(), "leader".into())
    );
    let diagnose = |db: &TestDb| {
        let out = db
            .cmd()
            .args(["diagnose", "--check", "scheduler", "-o", "json"])
            .output()
            .unwrap();
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        (out.status.code(), doc["checks"][0].clone())
    };
    let (code, check) = diagnose(&db);
    assert_eq!(
        (code, check["status"].clone()),
        (Some(0), "ok".into()),
        "{check:#}"
    );
    // A change a minute ago that the leader's heartbeat does not know.
    db.exec(
        "UPDATE stockura_schedule_version SET version = version + 1, changed_at = now() - interval '1 minute'",
    )
    .await;
    let (code, check) = diagnose(&db);
    assert_eq!(
        (code, check["status"].clone()),
        (Some(7), "fail".into()),
        "{check:#}"
    );
    assert!(
        check["summary"]
            .as_str()
            .unwrap()
            .contains("the scheduler has not seen the latest changes"),
        "{check}"
    );
    // An expired heartbeat is no leader.
    db.exec("UPDATE stockura_beat_instances SET expires_at = now() - interval '1 second'")
        .await;
    let (code, doc) = status(&db, &[]);
    assert_eq!(code, 7, "{doc:#}");
    let (_, check) = diagnose(&db);
    assert!(
        check["summary"]
            .as_str()
            .unwrap()
            .contains("no scheduler is running"),
        "{check}"
    );
}

/// Bad leadership, policy and loop flags are refused before anything starts (exit 3, never a
/// panic).
#[tokio::test]
async fn bad_lease_and_running_timeout_are_refused() {
    let db = TestDb::sqlite().await;
    for (args, expected) in [
        (vec!["--lease", "10x"], "--lease '10x' is not a duration"),
        (vec!["--lease", "100ms"], "--lease 100ms is out of range"),
        (
            vec!["--lease", "1000000d"],
            "--lease 1000000d is out of range",
        ),
        (
            vec!["--running-timeout", "soon"],
            "--running-timeout 'soon' is not a duration",
        ),
        (
            vec!["--running-timeout", "0"],
            "--running-timeout must be positive",
        ),
        // Values that parse but overflow the scheduler's arithmetic: refused with exit 3,
        // never a panic (exit 101).
        (
            vec!["--catchup-window", "1000000000d"],
            "--catchup-window 1000000000d is longer than 3660 days",
        ),
        (
            vec!["--catchup-window", "99999999999999999999d"],
            "--catchup-window '99999999999999999999d' is not a duration",
        ),
        (
            vec!["--history-retention", "4294967295"],
            "--history-retention 4294967295 is more than 36500 days",
        ),
        (
            vec!["--sync-interval", "1e308"],
            "--sync-interval must be a positive number of seconds",
        ),
        (
            vec!["--sync-interval", "inf"],
            "--sync-interval must be a positive number of seconds",
        ),
        (
            vec!["--running-timeout", "1000000000d"],
            "--running-timeout must be positive and at most 3660 days",
        ),
    ] {
        let mut full = vec!["run-beat", "--dry-run"];
        full.extend(args);
        let (code, _, stderr) = db.run(&full);
        assert_eq!(code, 3, "{full:?}: {stderr}");
        assert!(stderr.contains(expected), "{full:?}: {stderr}");
    }
}

/// Two leaderships on one backend in this process; the first serves a loop that gets stuck (a
/// step that never ends): it gives the leadership up after the stall limit, without waiting for
/// its lease, and the second takes over. Once the loop moves again the first takes part again,
/// as a standby while the other leads.
async fn a_stuck_loop_gives_up_the_leadership(
    backend: impl Fn() -> stockura::beat::leader::Backend,
) {
    use stockura::beat::leader::{Leadership, Progress};
    let lease = Duration::from_millis(600);
    let progress = Progress::new();
    let leadership = |watchdog: Option<(Progress, Duration)>| Leadership {
        backend: backend(),
        token: uuid::Uuid::new_v4(),
        lease,
        timeout: Duration::from_millis(200),
        watchdog,
    };
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    let (mut first, first_task) =
        leadership(Some((progress.clone(), Duration::from_secs(1)))).spawn(stop.clone());
    tokio::time::timeout(Duration::from_secs(5), first.wait_for(|l| l.valid()))
        .await
        .expect("the first never led")
        .unwrap();
    let (mut second, second_task) = leadership(None).spawn(stop.clone());
    second.wait_for(|l| l.attempts > 0).await.unwrap();
    assert!(!second.borrow().valid());

    // A step that does not end: after the limit the first lets go, and the second leads
    // within one attempt interval (a third of the lease), not after the lease ran out.
    progress.step();
    let stuck = Instant::now();
    tokio::time::timeout(Duration::from_secs(5), first.wait_for(|l| !l.valid()))
        .await
        .expect("a stuck loop kept the leadership")
        .unwrap();
    let let_go = stuck.elapsed();
    assert!(let_go >= Duration::from_secs(1), "{let_go:?}");
    tokio::time::timeout(Duration::from_secs(5), second.wait_for(|l| l.valid()))
        .await
        .expect("the standby never took over")
        .unwrap();
    assert!(progress.busy_for().is_some());

    // The loop moves again: the first is a standby now.
    progress.idle();
    let attempts = first.borrow().attempts;
    first.wait_for(|l| l.attempts > attempts + 1).await.unwrap();
    assert!(!first.borrow().valid());
    assert!(second.borrow().valid());
    stop_tx.send_replace(true);
    first_task.await.unwrap();
    second_task.await.unwrap();
}

#[tokio::test]
async fn a_stuck_loop_gives_up_redis_leadership() {
    let key = format!("{}:leader", unique_channel());
    a_stuck_loop_gives_up_the_leadership(|| stockura::beat::leader::Backend::Redis {
        url: stockura::config::Redacted::new(format!("{}/0", redis_url())),
        key: key.clone(),
        conn: None,
        held: false,
    })
    .await;
    let client = redis::Client::open(format!("{}/0", redis_url())).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let _: () = redis::cmd("DEL")
        .arg(&key)
        .query_async(&mut conn)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_stuck_loop_gives_up_the_lock_file() {
    let db = crate::support::TestDb::sqlite().await;
    let store = db.store().await;
    a_stuck_loop_gives_up_the_leadership(|| {
        stockura::beat::leader::Backend::Database(store.leader_lock(1).unwrap())
    })
    .await;
}
