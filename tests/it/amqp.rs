//! RabbitMQ (AMQP 0-9-1) brokers: what `schedule trigger` and `run-beat` publish is what Celery
//! publishes (topology, properties, header wire types, body), an unmodified Celery worker on
//! `pyamqp://` runs it exactly once, priorities and expiry work, a queue declared with other
//! arguments is named, `diagnose` tells the states apart, `schedule backfill` sends each slot
//! once, and a RabbitMQ restart during a burst loses no slot (and doubles only what its history
//! says). Each test has a virtual host of its own.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use lapin::types::{AMQPValue, ShortString};
use serde_json::{Value, json};

use crate::beat_process::{next_minute, scaled_clock, spawn_beat, until_a_burst_begins, wait_for};
use crate::celery::{Worker, WorkerOptions, backend_url, recorded};
use crate::rabbit::{ThrowawayRabbit, Vhost, drain};
use crate::support::TestDb;

/// Worker options on `vhost`, consuming `queue`.
fn worker_on(vhost: &Vhost, queue: &str) -> WorkerOptions {
    let mut o = WorkerOptions::isolated();
    o.broker_url = vhost.pyamqp_url();
    o.key_prefix = String::new();
    o.queues = vec![queue.to_string()];
    o
}

fn header<'a>(m: &'a lapin::message::BasicGetMessage, name: &str) -> &'a AMQPValue {
    m.delivery
        .properties
        .headers()
        .as_ref()
        .expect("headers")
        .inner()
        .get(&ShortString::from(name))
        .unwrap_or_else(|| panic!("no header {name}"))
}

fn long_string(v: &AMQPValue) -> String {
    match v {
        AMQPValue::LongString(s) => s.to_string(),
        other => panic!("not a long string: {other:?}"),
    }
}

#[tokio::test]
async fn trigger_and_run_beat_reach_a_celery_worker_on_rabbitmq() {
    let db = TestDb::sqlite().await;
    let vhost = Vhost::create();
    let queue = "stockura_routed";
    let args = r#"[12345678901234567890123, "ünï ✓", -1.5e300]"#;
    let kwargs =
        r#"{"big": 98765432109876543210, "text": "héllo 𝄞", "nested": {"k": [null, true]}}"#;
    db.json(&[
        "schedule",
        "add",
        "--task",
        "stockura_test.record",
        "--cron",
        "0 3 * * *",
        "--name",
        "routed",
        "--queue",
        queue,
        "--args",
        args,
        "--kwargs",
        kwargs,
    ]);
    let env = |cmd: &mut assert_cmd::Command| {
        cmd.env("CELERY_BROKER_URL", vhost.url())
            .env("CELERY_RESULT_BACKEND", backend_url());
    };
    // Sent before any worker exists: the queue is declared as Celery declares it, so the
    // message waits for the worker.
    let mut trigger = db.cmd();
    env(&mut trigger);
    let out = trigger
        .args(["schedule", "trigger", "routed", "-o", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sent: Value = serde_json::from_slice(&out.stdout).unwrap();
    let first_id = sent["celery_task_id"].as_str().unwrap().to_string();

    let worker = Worker::start(worker_on(&vhost, queue)).await;
    let record_key = worker.options().record_key.clone();
    let got = recorded(&backend_url(), &record_key, 1, Duration::from_secs(30)).await;
    assert_eq!(got.len(), 1, "worker log:\n{}", worker.log());
    let r = &got[0];
    assert_eq!(r["id"], first_id.as_str());
    assert_eq!(r["routing_key"], queue);
    let expected_args: Value = serde_json::from_str(args).unwrap();
    let expected_kwargs: Value = serde_json::from_str(kwargs).unwrap();
    assert_eq!(r["args"], expected_args);
    assert_eq!(r["kwargs"], expected_kwargs);

    // --wait follows the result the worker stores.
    let mut trigger = db.cmd();
    env(&mut trigger);
    let out = trigger
        .args([
            "schedule",
            "trigger",
            "routed",
            "--wait",
            "--timeout",
            "60",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\nworker log:\n{}",
        String::from_utf8_lossy(&out.stderr),
        worker.log()
    );
    let waited: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(waited["result_status"], "SUCCESS", "{waited}");
    // What run-beat sends (here the catch-up run of a schedule last run 90 s ago) runs too.
    db.json(&[
        "schedule",
        "add",
        "--task",
        "stockura_test.record",
        "--cron",
        "* * * * *",
        "--name",
        "beaten",
        "--queue",
        queue,
        "--kwargs",
        kwargs,
        "--last-run-at",
        "90s",
    ]);
    let out = db
        .cmd()
        .env("CELERY_BROKER_URL", vhost.url())
        .args(["run-beat", "--once"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let beaten = db.json(&["history", "beaten", "--status", "dispatched"]);
    let beaten_id = beaten[0]["celery_task_id"].as_str().unwrap().to_string();
    let got = recorded(&backend_url(), &record_key, 3, Duration::from_secs(30)).await;
    assert_eq!(got.len(), 3, "worker log:\n{}", worker.log());
    assert_eq!(got[2]["id"], beaten_id.as_str());
    assert_eq!(got[2]["kwargs"], expected_kwargs);
    // Exactly three in all: no message ran twice.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let got = recorded(&backend_url(), &record_key, 4, Duration::from_millis(200)).await;
    let ids: HashSet<&str> = got.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!((got.len(), ids.len()), (3, 3), "{ids:?}");
}

#[tokio::test]
async fn run_beat_sends_each_slot_once_in_celerys_amqp_format() {
    let db = TestDb::sqlite().await;
    let vhost = Vhost::create();
    for n in 0..5 {
        db.json(&[
            "schedule",
            "add",
            "--task",
            "app.tasks.every_minute",
            "--cron",
            "* * * * *",
            "--name",
            &format!("m{n}"),
            "--allow-duplicate",
            "--kwargs",
            &format!(r#"{{"n": {n}, "big": 123456789012345678901}}"#),
        ]);
    }
    db.json(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.urgent",
        "--cron",
        "* * * * *",
        "--name",
        "urgent",
        "--priority",
        "7",
        "--expires",
        "3600",
    ]);
    let start = next_minute() - chrono::Duration::seconds(3);
    let launched = chrono::Utc::now();
    let (mut child, rx, reader) = spawn_beat(
        &db,
        &[
            ("CELERY_BROKER_URL", vhost.url()),
            ("STOCKURA_TEST_CLOCK", scaled_clock(10.0, start)),
        ],
        &["--log-format", "json"],
    );
    let mut seen = Vec::new();
    wait_for(&rx, &mut seen, "ready", |v| v["event"] == "ready");
    // Three boundaries: 12:00, 12:01, 12:02 (about 12.3 s at ten times real time).
    let mut batches = 0;
    while batches < 3 {
        wait_for(&rx, &mut seen, "a batch", |v| {
            v["message"] == "batch" && v["dispatched"].as_u64().unwrap_or(0) > 0
        });
        batches += 1;
    }
    nix_term(&child);
    assert!(child.wait().unwrap().success(), "{}", seen.join("\n"));
    reader.join().unwrap();

    let drained = chrono::Utc::now();
    let messages = drain(&vhost.url(), "celery").await;
    let runs = db.json(&["history", "--status", "dispatched", "--limit", "1000"]);
    let recorded_ids: HashSet<String> = runs
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["celery_task_id"].as_str().unwrap().to_string())
        .collect();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for m in &messages {
        let p = &m.delivery.properties;
        let id = long_string(header(m, "id"));
        *by_id.entry(id.clone()).or_default() += 1;
        // The properties Celery sets.
        assert_eq!(
            p.content_type().as_ref().map(|s| s.as_str()),
            Some("application/json")
        );
        assert_eq!(
            p.content_encoding().as_ref().map(|s| s.as_str()),
            Some("utf-8")
        );
        assert_eq!(p.delivery_mode(), &Some(2));
        assert_eq!(
            p.correlation_id().as_ref().map(|s| s.to_string()),
            Some(id.clone())
        );
        assert!(p.priority().is_some(), "priority is always present");
        assert_eq!(
            m.delivery.exchange.as_str(),
            "",
            "published to the default exchange"
        );
        assert_eq!(m.delivery.routing_key.as_str(), "celery");
        // Header wire types as py-amqp writes them.
        for (name, value) in p.headers().as_ref().unwrap().inner() {
            assert!(
                !matches!(value, AMQPValue::ShortString(_)),
                "header {name} is a short string"
            );
        }
        assert_eq!(long_string(header(m, "root_id")), id);
        assert_eq!(*header(m, "shadow"), AMQPValue::Void);
        assert_eq!(*header(m, "parent_id"), AMQPValue::Void);
        assert_eq!(*header(m, "retries"), AMQPValue::LongInt(0));
        assert_eq!(
            *header(m, "timelimit"),
            AMQPValue::FieldArray(vec![AMQPValue::Void, AMQPValue::Void].into())
        );
        assert!(matches!(header(m, "stamps"), AMQPValue::FieldTable(t) if t.inner().is_empty()));
        assert_eq!(*header(m, "celery_beat_task"), AMQPValue::Boolean(true));
        // The raw JSON body: no base64, no envelope.
        let body: Value = serde_json::from_slice(&m.delivery.data).unwrap();
        assert_eq!(
            body[2],
            json!({"callbacks": null, "errbacks": null, "chain": null, "chord": null})
        );
        let task = long_string(header(m, "task"));
        if task == "app.tasks.urgent" {
            assert_eq!(p.priority(), &Some(7));
            let ms: i64 = p.expiration().as_ref().unwrap().as_str().parse().unwrap();
            // The lifetime left by the wall clock when it was published (the test clock runs
            // ahead of the wall clock, the broker's expiry follows the wall clock).
            let expires = match header(m, "expires") {
                AMQPValue::LongString(s) => chrono::DateTime::parse_from_rfc3339(&s.to_string())
                    .unwrap()
                    .with_timezone(&chrono::Utc),
                other => panic!("expires: {other:?}"),
            };
            let longest = (expires - launched).num_milliseconds();
            let shortest = (expires - drained).num_milliseconds();
            assert!(
                (shortest..=longest).contains(&ms),
                "expiration {ms} not in {shortest}..={longest}"
            );
            assert!(matches!(header(m, "expires"), AMQPValue::LongString(_)));
        } else {
            assert_eq!(p.priority(), &Some(0));
            assert!(p.expiration().is_none());
            assert_eq!(*header(m, "expires"), AMQPValue::Void);
            assert!(
                std::str::from_utf8(&m.delivery.data)
                    .unwrap()
                    .contains(r#""big": 123456789012345678901"#),
                "big integers keep every digit"
            );
        }
    }
    // Each slot once: 6 schedules × 3 boundaries, every message in the history and the reverse.
    assert_eq!(messages.len(), 18, "{by_id:?}\n{}", seen.join("\n"));
    assert!(by_id.values().all(|&n| n == 1), "doubled: {by_id:?}");
    let sent: HashSet<String> = by_id.keys().cloned().collect();
    assert_eq!(sent, recorded_ids);
}

pub(crate) fn nix_term(child: &std::process::Child) {
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
}

#[tokio::test]
async fn priorities_expiry_and_a_mismatched_queue_on_rabbitmq() {
    let db = TestDb::sqlite().await;
    let vhost = Vhost::create();
    let queue = "prio";
    for (name, priority) in [("low", "1"), ("high", "9")] {
        db.json(&[
            "schedule",
            "add",
            "--task",
            "stockura_test.record",
            "--cron",
            "0 3 * * *",
            "--name",
            name,
            "--queue",
            queue,
            "--priority",
            priority,
            "--kwargs",
            &format!(r#"{{"name": "{name}"}}"#),
        ]);
    }
    db.json(&[
        "schedule",
        "add",
        "--task",
        "stockura_test.record",
        "--cron",
        "0 3 * * *",
        "--name",
        "short-lived",
        "--queue",
        queue,
        "--expires",
        "1",
        "--kwargs",
        r#"{"name": "short-lived"}"#,
    ]);
    let run = |args: &[&str], max_priority: Option<&str>| {
        let mut cmd = db.cmd();
        cmd.env("CELERY_BROKER_URL", vhost.url())
            .env("CELERY_RESULT_BACKEND", backend_url());
        if let Some(p) = max_priority {
            cmd.env("CELERY_TASK_QUEUE_MAX_PRIORITY", p);
        }
        let out = cmd.args(args).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    // Before any worker: the queue does not exist yet.
    let (code, stdout, _) = run(&["diagnose", "--check", "broker", "-o", "json"], Some("10"));
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("does not exist yet"), "{stdout}");
    for name in ["short-lived", "low", "high"] {
        let (code, _, stderr) = run(&["schedule", "trigger", name], Some("10"));
        assert_eq!(code, 0, "{stderr}");
    }
    // The queue now exists with x-max-priority 10: a scheduler configured without it is told
    // which argument differs, sends nothing and changes nothing.
    let (code, _, stderr) = run(&["schedule", "trigger", "low"], None);
    assert_eq!(code, 6, "{stderr}");
    assert!(stderr.contains("x-max-priority"), "{stderr}");
    assert!(
        stderr.contains("CELERY_TASK_QUEUE_MAX_PRIORITY"),
        "{stderr}"
    );
    let (code, stdout, _) = run(&["diagnose", "--check", "broker", "-o", "json"], None);
    assert_eq!(code, 7, "{stdout}");
    assert!(stdout.contains("x-max-priority"), "{stdout}");
    let (_, stdout, _) = run(&["diagnose", "--check", "broker", "-o", "json"], Some("10"));
    assert!(
        stdout.contains("3 message(s) waiting, 0 consumer(s)"),
        "{stdout}"
    );
    assert!(stdout.contains(r#""status": "warn""#), "{stdout}");
    assert!(
        stdout.contains("no worker consumes queue celery, prio"),
        "{stdout}"
    );

    // The short-lived message expires in the queue; the worker takes the urgent one first.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mut options = worker_on(&vhost, queue);
    options.queue_max_priority = Some(10);
    let worker = Worker::start(options).await;
    let got = recorded(
        &backend_url(),
        &worker.options().record_key,
        2,
        Duration::from_secs(30),
    )
    .await;
    let names: Vec<&str> = got
        .iter()
        .map(|r| r["kwargs"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["high", "low"], "worker log:\n{}", worker.log());
    assert_eq!(got[0]["priority"], 9);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let got = recorded(
        &backend_url(),
        &worker.options().record_key,
        3,
        Duration::from_millis(100),
    )
    .await;
    assert_eq!(got.len(), 2, "the expired message did not run");
    // Every routed queue consumed, with the arguments configured: the check passes.
    let out = db
        .cmd()
        .env("CELERY_BROKER_URL", vhost.url())
        .env("CELERY_TASK_QUEUE_MAX_PRIORITY", "10")
        .env("CELERY_DEFAULT_QUEUE", queue)
        .args(["diagnose", "--check", "broker", "-o", "json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("queue prio: 0 message(s) waiting, 1 consumer(s)"),
        "{stdout}"
    );
    assert!(stdout.contains(r#""status": "ok""#), "{stdout}");
}

#[tokio::test]
async fn diagnose_names_what_is_wrong_with_an_amqp_broker() {
    let db = TestDb::sqlite().await;
    let vhost = Vhost::create();
    let check = |url: &str| {
        let out = db
            .cmd()
            .env("CELERY_BROKER_URL", url)
            .args([
                "diagnose",
                "--check",
                "broker",
                "--timeout",
                "3",
                "-o",
                "json",
            ])
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).to_string(),
        )
    };
    let base = vhost.url();
    let wrong_password = base.replacen("guest:guest@", "guest:not-the-password@", 1);
    let (code, out) = check(&wrong_password);
    assert_eq!(code, 7, "{out}");
    assert!(
        out.contains("ACCESS_REFUSED") || out.contains("cannot reach"),
        "{out}"
    );
    assert!(
        !out.contains("not-the-password"),
        "the password is never printed: {out}"
    );
    let (code, out) = check(&format!("{}-missing", base));
    assert_eq!(code, 7, "{out}");
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let (code, out) = check(&format!("amqp://guest:guest@127.0.0.1:{port}/"));
    assert_eq!(code, 7, "{out}");
    assert!(out.contains("cannot reach the AMQP broker"), "{out}");
    // run-beat refuses a broker that refuses it, at once and clearly.
    let out = db
        .cmd()
        .env("CELERY_BROKER_URL", &wrong_password)
        .args(["run-beat", "--once"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{stderr}");
    assert!(!stderr.contains("not-the-password"), "{stderr}");
}

/// 2,000 schedules every minute, a real RabbitMQ killed (SIGKILL) while the second boundary's
/// burst is being published and started again: every slot reaches the broker, none is lost,
/// the burst goes out late, and a slot reaches it twice only where the kill fell on a commit
/// (its history says so).
#[tokio::test]
async fn a_rabbitmq_restart_during_a_burst_loses_nothing() {
    restart_during_a_burst(Stop::Kill).await;
}

/// The same with the node stopped gracefully (SIGTERM, what a service restart does): RabbitMQ
/// drops the connections without answering the commits under way and keeps part of them, as
/// after a crash.
#[tokio::test]
async fn a_rabbitmq_stopped_by_its_operator_during_a_burst_loses_nothing() {
    restart_during_a_burst(Stop::Operator).await;
}

/// How the node goes down.
enum Stop {
    Kill,
    Operator,
}

async fn restart_during_a_burst(how: Stop) {
    let db = TestDb::postgres().await;
    db.seed_every_minute("burst_", "app.tasks.burst", 2000)
        .await;
    let rabbit = ThrowawayRabbit::start();
    let vhost = Vhost::create_on(rabbit.base(), Some(rabbit.node()));
    let start = next_minute() - chrono::Duration::seconds(4);
    // Four times real time: a boundary every 15 s.
    let (mut child, rx, reader) = spawn_beat(
        &db,
        &[
            ("CELERY_BROKER_URL", vhost.url()),
            ("STOCKURA_TEST_CLOCK", scaled_clock(4.0, start)),
        ],
        &["--log-format", "json", "-v", "--http", "127.0.0.1:0"],
    );
    let mut seen = Vec::new();
    let addr = wait_for(&rx, &mut seen, "the HTTP endpoint", |v| {
        v["event"] == "http"
    })["addr"]
        .as_str()
        .unwrap()
        .to_string();
    // The second burst: two transactions of 1,000, all of it on the broker about 190 ms after
    // it begins (debug build); 100 ms in, the first commits while the second is claimed or
    // published.
    until_a_burst_begins(&rx, &mut seen);
    tokio::time::sleep(Duration::from_millis(100)).await;
    match how {
        Stop::Kill => rabbit.kill(),
        Stop::Operator => rabbit.stop(),
    }
    rabbit.start_again();
    // The third boundary, and the owed slots of the second, reach the broker.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let runs = db.json(&["history", "--status", "dispatched", "--limit", "10000"]);
        if runs.as_array().unwrap().len() >= 6000 || std::time::Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    // The slots sent again in doubt, as the history says and as /metrics counts them (the
    // counter moves just after the history is written).
    let in_doubt = db
        .json(&["history", "--limit", "10000"])
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["detail"]
                .as_str()
                .is_some_and(|d| d.contains("did not answer the commit"))
        })
        .count();
    let counted = |metrics: &str| -> usize {
        metrics
            .lines()
            .find_map(|l| l.strip_prefix("stockura_slots_resent_in_doubt_total "))
            .unwrap_or_else(|| panic!("no doubt counter in:\n{metrics}"))
            .trim()
            .parse()
            .unwrap()
    };
    let mut metrics = String::new();
    for _ in 0..50 {
        metrics = crate::observe::http_get(&addr, "/metrics").await.1;
        if counted(&metrics) == in_doubt {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(counted(&metrics), in_doubt, "{metrics}");
    nix_term(&child);
    let _ = child.wait();
    reader.join().unwrap();
    seen.extend(rx.try_iter());
    let messages = drain(&vhost.url(), "celery").await;
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for m in &messages {
        *by_id.entry(long_string(header(m, "id"))).or_default() += 1;
    }
    let runs = db.json(&["history", "--limit", "10000"]);
    let runs = runs.as_array().unwrap();
    let dispatched: HashSet<String> = runs
        .iter()
        .filter(|r| r["status"] == "dispatched")
        .map(|r| r["celery_task_id"].as_str().unwrap().to_string())
        .collect();
    // A slot runs twice only where the broker stopped during a commit, which stockura cannot
    // tell from one that never reached it: those are sent again and their history says so.
    let resent: HashSet<String> = runs
        .iter()
        .filter(|r| {
            r["detail"]
                .as_str()
                .is_some_and(|d| d.contains("did not answer the commit"))
        })
        .map(|r| r["celery_task_id"].as_str().unwrap().to_string())
        .collect();
    let doubled: Vec<_> = by_id
        .iter()
        .filter(|(id, n)| **n > 1 && !resent.contains(*id))
        .collect();
    let doubled_at_commit = by_id.iter().filter(|(_, n)| **n > 1).count() - doubled.len();
    let lost: Vec<_> = dispatched
        .iter()
        .filter(|id| !by_id.contains_key(*id))
        .collect();
    let unrecorded: Vec<_> = by_id
        .keys()
        .filter(|id| !dispatched.contains(*id))
        .collect();
    let log = seen.join("\n");
    assert!(doubled.is_empty(), "doubled: {doubled:?}\n{log}");
    assert_eq!(in_doubt, resent.len());
    if !lost.is_empty() {
        let about: Vec<String> = runs
            .iter()
            .filter(|r| lost.iter().any(|id| r["celery_task_id"] == id.as_str()))
            .take(5)
            .map(|r| format!("{} {} {}", r["slot"], r["dispatched_at"], r["detail"]))
            .collect();
        let batches: Vec<&String> = seen
            .iter()
            .filter(|l| !l.contains("Channel closed"))
            .collect();
        panic!(
            "{} recorded sent but not on the broker ({} messages there), e.g. {about:?}\n{batches:?}",
            lost.len(),
            messages.len()
        );
    }
    assert!(
        unrecorded.is_empty(),
        "on the broker but not recorded: {unrecorded:?}"
    );
    assert!(
        dispatched.len() >= 6000,
        "{} slots sent\n{log}",
        dispatched.len()
    );
    // The outage was met: part of the second boundary went out late.
    let late = runs
        .iter()
        .filter(|r| r["detail"].as_str().is_some_and(|d| d.starts_with("sent ")))
        .count();
    eprintln!(
        "{late} slots sent late, {} sent again after an unanswered commit, {doubled_at_commit} of them doubled; batches: {}",
        resent.len(),
        seen.iter()
            .filter(|l| l.contains(r#""message":"batch""#) || l.contains("dispatch failed"))
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(late > 0, "the outage missed the boundary\n{log}");
    let not_sent: Vec<_> = runs
        .iter()
        .filter(|r| r["status"] != "dispatched")
        .map(|r| format!("{} {}", r["status"], r["detail"]))
        .collect();
    assert!(not_sent.is_empty(), "{not_sent:?}");
}

/// A broker on `vhost` driven directly (2 s timeout, queues declared as by default), and the
/// AMQP message layout.
fn amqp_broker(
    vhost: &Vhost,
) -> (
    stockura::beat::broker::Broker,
    stockura::beat::message::BrokerLayout,
) {
    use stockura::beat::broker::{Broker, QueueArguments, Transport};
    let broker = Broker::new(
        stockura::config::Redacted::new(vhost.url()),
        Duration::from_secs(2),
        QueueArguments::default(),
    )
    .unwrap();
    let layout = stockura::beat::message::BrokerLayout {
        transport: Transport::Amqp,
        ..Default::default()
    };
    (broker, layout)
}

/// Task `task`'s message to `queue` with the argument `n` and a fresh task id.
fn task_message(task: &str, queue: &str, n: u32) -> stockura::beat::message::TaskMessage {
    stockura::beat::message::TaskMessage {
        task_name: task.into(),
        task_id: uuid::Uuid::new_v4(),
        args: vec![json!(n)],
        kwargs: serde_json::Map::new(),
        queue: queue.into(),
        priority: None,
        eta: None,
        expires: None,
        origin: "stockura@test".into(),
        beat: false,
    }
}

/// A queue deleted behind stockura's back after it declared it: the broker returns the
/// message (`mandatory`), which is reported refused (owed) instead of being dropped, and the
/// next push declares the queue again.
#[tokio::test]
async fn a_message_no_queue_takes_is_refused_not_dropped() {
    use stockura::beat::dispatch::{DeliveryTags, Marker, encode};
    let vhost = Vhost::create();
    let (mut broker, layout) = amqp_broker(&vhost);
    let message = |n: u32| task_message("app.tasks.gone", "gone", n);
    let mut tags = DeliveryTags::new();
    let mut push = async |n: u32| {
        let (wire, _) = encode(&message(n), &layout, &mut tags);
        let marker = Marker::new(&layout, format!("{n:016x}"), 60);
        broker.push(vec![wire], &marker).await.unwrap()
    };
    assert!(push(1).await.refused.is_empty());
    // Deleted by someone else: the connection still thinks it declared it.
    let conn = lapin::Connection::connect(&vhost.url(), lapin::ConnectionProperties::default())
        .await
        .unwrap();
    let channel = conn.create_channel().await.unwrap();
    channel
        .queue_delete("gone".into(), lapin::options::QueueDeleteOptions::default())
        .await
        .unwrap();
    let landed = push(2).await;
    assert_eq!(landed.refused, [0], "{landed:?}");
    assert!(landed.refusal.contains("NO_ROUTE"), "{}", landed.refusal);
    // The retry declares the queue again and lands.
    assert!(push(3).await.refused.is_empty());
    let held = drain(&vhost.url(), "gone").await;
    let args: Vec<Value> = held
        .iter()
        .map(|m| serde_json::from_slice::<Value>(&m.delivery.data).unwrap()[0][0].clone())
        .collect();
    assert_eq!(args, [json!(3)]);
}

/// Pushes begun one after the other are under way together, each a transaction of its own on
/// its own channel: each lands with its own marker, a returned message is refused in its own
/// push only, and a push begun while every channel is busy is not taken (its slots are owed),
/// nothing of it published.
#[tokio::test]
async fn pushes_under_way_together_land_each_on_its_own() {
    use stockura::beat::broker::{Guard, amqp::LANES};
    use stockura::beat::dispatch::{DeliveryTags, Marker, encode};
    let vhost = Vhost::create();
    let (mut broker, layout) = amqp_broker(&vhost);
    assert_eq!(broker.lanes(), LANES);
    let mut tags = DeliveryTags::new();
    let mut wires = |queue: &str, first: u32, n: u32| {
        (first..first + n)
            .map(|k| {
                encode(
                    &task_message("app.tasks.lane", queue, k),
                    &layout,
                    &mut tags,
                )
                .0
            })
            .collect::<Vec<_>>()
    };
    let marker = |n: usize| Marker::new(&layout, format!("{n:016x}"), 60);
    // Both queues declared by a first push, then one deleted behind stockura's back.
    let first = broker
        .push(wires("lanes", 0, 1), &marker(100))
        .await
        .unwrap();
    assert!(first.refused.is_empty());
    assert!(
        broker
            .push(wires("gone", 0, 1), &marker(101))
            .await
            .unwrap()
            .refused
            .is_empty()
    );
    let conn = lapin::Connection::connect(&vhost.url(), lapin::ConnectionProperties::default())
        .await
        .unwrap();
    let channel = conn.create_channel().await.unwrap();
    channel
        .queue_delete("gone".into(), lapin::options::QueueDeleteOptions::default())
        .await
        .unwrap();
    drain(&vhost.url(), "lanes").await;
    // One push per channel, the second with a message no queue takes among its own, then one
    // more while all are under way.
    let mut pending = Vec::new();
    for n in 0..LANES {
        let mut items = wires("lanes", u32::try_from(n * 100).unwrap(), 50);
        if n == 1 {
            items.insert(7, wires("gone", 999, 1).remove(0));
        }
        pending.push(broker.begin(items, &[], Guard::default(), &marker(n)).await);
    }
    let extra = broker
        .begin(
            wires("lanes", 5000, 5),
            &[],
            Guard::default(),
            &marker(LANES),
        )
        .await;
    let extra = extra.land().await.unwrap_err().to_string();
    assert!(extra.contains("transaction under way"), "{extra}");
    let mut landed = Vec::new();
    for p in pending {
        landed.push(p.land().await.unwrap());
    }
    for (n, l) in landed.iter().enumerate() {
        if n == 1 {
            assert_eq!(l.refused, [7], "{l:?}");
            assert!(l.refusal.contains("NO_ROUTE"), "{}", l.refusal);
        } else {
            assert!(l.refused.is_empty(), "push {n}: {l:?}");
        }
    }
    for n in 0..LANES {
        assert!(broker.landed(&marker(n)).await.unwrap(), "marker {n}");
    }
    assert!(!broker.landed(&marker(LANES)).await.unwrap());
    // Every message of the pushes that landed, once; nothing of the one not taken.
    let held = drain(&vhost.url(), "lanes").await;
    let mut args: Vec<u64> = held
        .iter()
        .map(|m| {
            serde_json::from_slice::<Value>(&m.delivery.data).unwrap()[0][0]
                .as_u64()
                .unwrap()
        })
        .collect();
    args.sort_unstable();
    let expected: Vec<u64> = (0..LANES as u64)
        .flat_map(|n| (n * 100)..(n * 100 + 50))
        .collect();
    assert_eq!(args, expected);
    // The channels are free again: the next push lands.
    assert!(
        broker
            .push(wires("lanes", 7000, 3), &marker(LANES + 1))
            .await
            .unwrap()
            .refused
            .is_empty()
    );
}

/// On RabbitMQ the guard sets live in the scheduler's Redis: a push recorded as sent without a
/// claim keeps a later checked push of the same slots from publishing them again, and a
/// checked push publishes only the others.
#[tokio::test]
async fn the_guard_sets_live_in_redis_for_an_amqp_broker() {
    use stockura::beat::broker::{Broker, Guard, QueueArguments, Transport};
    use stockura::beat::dispatch::{DeliveryTags, Marker, encode};
    use stockura::beat::message::{BrokerLayout, TaskMessage};
    use stockura::config::Redacted;
    let vhost = Vhost::create();
    let prefix = format!("stockura_test_{}:", uuid::Uuid::new_v4().simple());
    let mut broker = Broker::new(
        Redacted::new(vhost.url()),
        Duration::from_secs(2),
        QueueArguments::default(),
    )
    .unwrap();
    broker.keep_guards_in(Redacted::new(format!("{}/0", crate::support::redis_url())));
    let layout = BrokerLayout {
        global_keyprefix: prefix.clone(),
        transport: Transport::Amqp,
    };
    let ids: Vec<uuid::Uuid> = (0..3).map(|_| uuid::Uuid::new_v4()).collect();
    let wires = |which: &[usize]| {
        let mut tags = DeliveryTags::new();
        which
            .iter()
            .map(|&i| {
                let m = TaskMessage {
                    task_name: "app.tasks.guarded".into(),
                    task_id: ids[i],
                    args: vec![json!(i)],
                    kwargs: serde_json::Map::new(),
                    queue: "guarded".into(),
                    priority: None,
                    eta: None,
                    expires: None,
                    origin: "stockura@test".into(),
                    beat: true,
                };
                encode(&m, &layout, &mut tags).0
            })
            .collect::<Vec<_>>()
    };
    // Slot 0 sent while the database was down (recorded).
    let record = Guard {
        record: true,
        ..Guard::default()
    };
    let landed = broker
        .push_guarded(
            wires(&[0]),
            &ids[..1],
            record,
            &Marker::new(&layout, "a".repeat(16), 60),
        )
        .await
        .unwrap();
    assert!(landed.elsewhere.is_empty() && landed.refused.is_empty());
    // Another scheduler's catch-up of slots 0-2 skips slot 0.
    let check = Guard {
        check: true,
        ..Guard::default()
    };
    let landed = broker
        .push_guarded(
            wires(&[0, 1, 2]),
            &ids,
            check,
            &Marker::new(&layout, "b".repeat(16), 60),
        )
        .await
        .unwrap();
    assert_eq!(landed.elsewhere, [0]);
    let held = drain(&vhost.url(), "guarded").await;
    let mut sent: Vec<i64> = held
        .iter()
        .map(|m| {
            serde_json::from_slice::<Value>(&m.delivery.data).unwrap()[0][0]
                .as_i64()
                .unwrap()
        })
        .collect();
    sent.sort_unstable();
    assert_eq!(sent, [0, 1, 2], "each slot once");
    let client = redis::Client::open(format!("{}/0", crate::support::redis_url())).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let _: i64 = redis::cmd("DEL")
        .arg(format!("{prefix}stockura:unclaimed"))
        .arg(format!("{prefix}stockura:recent"))
        .query_async(&mut conn)
        .await
        .unwrap();
}

/// `schedule backfill` on RabbitMQ: each slot of the range reaches the queue once with the
/// slot's task id, a second backfill sends nothing, a re-send has a task id of its own, and an
/// owed slot whose push had landed (its marker queue holds its message) is recorded, not sent
/// again, its marker queue then deleted.
#[tokio::test]
async fn backfill_sends_each_slot_once_on_rabbitmq() {
    use chrono::{DurationRound, SecondsFormat, Utc};
    use lapin::options::{BasicPublishOptions, QueueDeclareOptions};
    use lapin::types::FieldTable;
    use stockura::beat::message::slot_task_id;
    use stockura::domain::Arguments;
    use stockura::domain::run::{NewRun, RunStatus, Trigger};
    use stockura::store::RunStore;

    let db = TestDb::sqlite().await;
    let vhost = Vhost::create();
    let added = db.json(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.fill",
        "--cron",
        "* * * * *",
        "--name",
        "fill",
    ]);
    let id: uuid::Uuid = added["id"].as_str().unwrap().parse().unwrap();
    let from = Utc::now()
        .duration_trunc(chrono::Duration::minutes(1))
        .unwrap()
        - chrono::Duration::minutes(20);
    let slot = |n: i64| from + chrono::Duration::minutes(n);
    let text = |t: chrono::DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    // Slot 6 was claimed by a backfill that stopped after its push landed.
    let marker = "00000000feedbeef";
    db.store()
        .await
        .insert_runs(&[NewRun {
            schedule_id: Some(id),
            schedule_name: "fill".into(),
            task_name: "app.tasks.fill".into(),
            celery_task_id: Some(slot_task_id(id, slot(6))),
            scheduled_for: slot(6),
            dispatched_at: None,
            trigger: Trigger::Backfill,
            status: RunStatus::Owed,
            detail: None,
            arguments: Arguments::new(&[], &serde_json::Map::new()),
            push_marker: Some(marker.into()),
        }])
        .await
        .unwrap();
    let conn = lapin::Connection::connect(&vhost.url(), lapin::ConnectionProperties::default())
        .await
        .unwrap();
    let channel = conn.create_channel().await.unwrap();
    let marker_queue = format!("stockura.push.{marker}");
    channel
        .queue_declare(
            marker_queue.as_str().into(),
            QueueDeclareOptions {
                durable: true,
                ..QueueDeclareOptions::default()
            },
            FieldTable::default(),
        )
        .await
        .unwrap();
    channel
        .basic_publish(
            "".into(),
            marker_queue.as_str().into(),
            BasicPublishOptions::default(),
            marker.as_bytes(),
            lapin::BasicProperties::default(),
        )
        .await
        .unwrap()
        .await
        .unwrap();
    let backfill = |extra: &[&str]| {
        let (f, t) = (text(slot(0)), text(slot(7)));
        let mut args = vec![
            "schedule", "backfill", "fill", "--from", &f, "--to", &t, "--rate", "1000/s", "-o",
            "json",
        ];
        args.extend_from_slice(extra);
        let out = db
            .cmd()
            .env("CELERY_BROKER_URL", vhost.url())
            .args(&args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        let n = |k: &str| doc[k].as_u64().unwrap();
        (n("sent"), n("already_dispatched"), doc)
    };

    let (sent, already, doc) = backfill(&[]);
    assert_eq!((sent, already), (6, 1), "{doc}");
    assert_eq!(doc["slots"][6]["action"], "resume");
    let messages = drain(&vhost.url(), "celery").await;
    let ids: Vec<String> = messages
        .iter()
        .map(|m| long_string(header(m, "id")))
        .collect();
    let expected: Vec<String> = (0..6)
        .map(|n| slot_task_id(id, slot(n)).to_string())
        .collect();
    assert_eq!(ids, expected, "each slot once, in order, with its task id");
    let gone = channel
        .queue_declare(
            marker_queue.as_str().into(),
            QueueDeclareOptions {
                passive: true,
                ..QueueDeclareOptions::default()
            },
            FieldTable::default(),
        )
        .await;
    assert!(gone.is_err(), "the landed push's marker queue is deleted");

    let (sent, already, doc) = backfill(&[]);
    assert_eq!((sent, already), (0, 7), "{doc}");
    assert!(drain(&vhost.url(), "celery").await.is_empty());

    let (sent, _, doc) = backfill(&["--include-dispatched"]);
    assert_eq!(sent, 7, "{doc}");
    let again = drain(&vhost.url(), "celery").await;
    assert_eq!(again.len(), 7);
    assert!(
        again
            .iter()
            .all(|m| !expected.contains(&long_string(header(m, "id")))),
        "a re-send has a task id of its own"
    );
}
