//! stockura's messages executed by a real Celery 5.7 worker: `run-beat` (the process) and
//! `schedule trigger`, on both databases.

use std::time::Duration;

use serde_json::{Value, json};

use crate::celery::{Worker, WorkerOptions, backend_url, broker_url, recorded, result_status};
use crate::support::TestDb;

/// The binary wired to the worker's broker and result backend.
fn wired(db: &TestDb, worker: &Worker) -> assert_cmd::Command {
    let mut cmd = db.cmd();
    cmd.env("CELERY_BROKER_URL", broker_url())
        .env("CELERY_RESULT_BACKEND", backend_url())
        .env("CELERY_DEFAULT_QUEUE", &worker.options().queues[0])
        .env("STOCKURA_BROKER_KEY_PREFIX", &worker.options().key_prefix);
    cmd
}

async fn wait_for_status(task_id: &str, want: &str) -> Value {
    for _ in 0..600 {
        if let Some(meta) = result_status(&backend_url(), task_id).await
            && meta["status"] == want
        {
            return meta;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("task {task_id} never reached {want}");
}

async fn run_beat_messages_run_exactly_once_with_exact_arguments(db: TestDb) {
    let worker = Worker::start(WorkerOptions::isolated()).await;
    let queue = worker.options().queues[0].clone();
    let args = r#"[1, "日本", {"deep": [null, true, 2.5]}, 123456789012345678901234567890]"#;
    let kwargs = r#"{"big": -98765432109876543210987654321, "emoji": "🚀", "quote": "it's \"quoted\" \\ here"}"#;
    let exact = db.json(&[
        "schedule",
        "add",
        "--task",
        "stockura_test.record",
        "--cron",
        "* * * * *",
        "--name",
        "exact",
        "--queue",
        &queue,
        "--priority",
        "5",
        "--args",
        args,
        "--kwargs",
        kwargs,
    ]);
    let late = db.json(&[
        "schedule",
        "add",
        "--task",
        "stockura_test.record",
        "--cron",
        "0 0 1 1 *",
        "--name",
        "late",
        "--queue",
        &queue,
        "--expires",
        "5",
        "--param",
        "which=expired",
    ]);
    // Downtime: `exact` missed its last minute slot (caught up now); `late` missed its yearly
    // slot long ago, so its catch-up message is already expired when the worker sees it.
    let minute_ago =
        (chrono::Utc::now() - chrono::Duration::seconds(90)).format("%Y-%m-%dT%H:%M:%S.000000Z");
    db.exec(&format!(
        "UPDATE celery_beat_schedules SET last_run_at = '{minute_ago}' WHERE name = 'exact'"
    ))
    .await;
    db.exec("UPDATE celery_beat_schedules SET last_run_at = '2025-12-31T23:00:00.000000Z' WHERE name = 'late'").await;
    let out = wired(&db, &worker)
        .args(["run-beat", "--once", "--catchup-window", "400d"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let runs = db.json(&["history", "--status", "dispatched"]);
    let id_of = |name: &str| {
        runs.as_array()
            .unwrap()
            .iter()
            .find(|r| r["schedule_name"] == name)
            .unwrap()["celery_task_id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (exact_id, late_id) = (id_of("exact"), id_of("late"));
    let records = recorded(
        &backend_url(),
        &worker.options().record_key,
        1,
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(records.len(), 1, "worker log:\n{}", worker.log());
    let r = &records[0];
    assert_eq!(r["id"], json!(exact_id));
    assert_eq!(
        r["args"],
        serde_json::from_str::<Value>(args).unwrap(),
        "args arrive exactly as stored"
    );
    assert_eq!(
        r["kwargs"],
        serde_json::from_str::<Value>(kwargs).unwrap(),
        "kwargs arrive exactly as stored"
    );
    assert_eq!(
        r["kwargs"]["big"].to_string(),
        "-98765432109876543210987654321"
    );
    assert_eq!(
        (r["routing_key"].clone(), r["priority"].clone()),
        (json!(queue), json!(5))
    );
    assert_eq!(exact["kwargs"], r["kwargs"]);
    // The expired one was never executed.
    let revoked = wait_for_status(&late_id, "REVOKED").await;
    assert_eq!(revoked["result"]["exc_type"], "TaskRevokedError");
    wait_for_status(&exact_id, "SUCCESS").await;
    assert_eq!(late["options"]["expires"], 5);

    // Running again sends nothing twice: the slots are recorded and the bookkeeping moved.
    let out = wired(&db, &worker)
        .args(["run-beat", "--once", "--catchup-window", "400d"])
        .output()
        .unwrap();
    assert!(out.status.success());
    // No slot twice. (A minute boundary that passed since the first run is a new slot of
    // `exact`, sent once; the test does not control the wall clock.)
    let dispatched = db.json(&["history", "--status", "dispatched"]);
    let dispatched = dispatched.as_array().unwrap();
    let slots: std::collections::HashSet<(String, String)> = dispatched
        .iter()
        .map(|r| {
            (
                r["schedule_name"].as_str().unwrap().to_string(),
                r["scheduled_for"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(slots.len(), dispatched.len(), "{dispatched:#?}");
    let exact_runs = dispatched
        .iter()
        .filter(|r| r["schedule_name"] == "exact")
        .count();
    assert!((1..=2).contains(&exact_runs), "{dispatched:#?}");
    // history joins the worker's results.
    let joined: Value = serde_json::from_slice(
        &wired(&db, &worker)
            .args(["history", "exact", "--status", "dispatched", "-o", "json"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let first = joined
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["celery_task_id"] == json!(exact_id))
        .unwrap();
    assert_eq!(first["result_status"], "SUCCESS");
    assert_eq!(first["result"], "ok");
    assert!(first["runtime_seconds"].as_f64().unwrap() >= 0.0);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        recorded(
            &backend_url(),
            &worker.options().record_key,
            exact_runs,
            Duration::from_secs(if exact_runs > 1 { 30 } else { 0 }),
        )
        .await
        .len(),
        exact_runs,
        "exactly once per slot"
    );
    assert_eq!(
        recorded(
            &backend_url(),
            &worker.options().record_key,
            exact_runs + 1,
            Duration::ZERO
        )
        .await
        .len(),
        exact_runs,
        "nothing more"
    );
}

async fn trigger_wait_gates_on_the_result(db: TestDb) {
    let worker = Worker::start(WorkerOptions::isolated()).await;
    db.json(&[
        "schedule",
        "add",
        "--task",
        "stockura_test.record",
        "--cron",
        "@yearly",
        "--name",
        "ok",
        "--param",
        "n=1",
    ]);
    db.json(&[
        "schedule",
        "add",
        "--task",
        "stockura_test.fail",
        "--cron",
        "@yearly",
        "--name",
        "boom",
    ]);
    let out = wired(&db, &worker)
        .args([
            "schedule",
            "trigger",
            "ok",
            "--wait",
            "--timeout",
            "60",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        worker.log()
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (doc["result_status"].clone(), doc["result"].clone()),
        (json!("SUCCESS"), json!("ok"))
    );
    let records = recorded(
        &backend_url(),
        &worker.options().record_key,
        1,
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(records[0]["kwargs"], json!({"n": 1}));
    assert_eq!(records[0]["id"], doc["celery_task_id"]);

    let out = wired(&db, &worker)
        .args(["schedule", "trigger", "boom", "--wait", "--timeout", "60"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(7),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("ended FAILURE"));
    let manual = db.json(&["history", "--status", "dispatched"]);
    assert!(
        manual
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["trigger"] == "manual")
    );
    // Without a terminal-free broker the trigger refuses clearly.
    let (code, _, err) = db.run(&["schedule", "trigger", "ok"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("CELERY_BROKER_URL"));
}

#[tokio::test]
async fn sqlite_run_beat_messages_run_exactly_once_with_exact_arguments() {
    run_beat_messages_run_exactly_once_with_exact_arguments(TestDb::sqlite().await).await;
}

#[tokio::test]
async fn postgres_run_beat_messages_run_exactly_once_with_exact_arguments() {
    run_beat_messages_run_exactly_once_with_exact_arguments(TestDb::postgres().await).await;
}

#[tokio::test]
async fn sqlite_trigger_wait_gates_on_the_result() {
    trigger_wait_gates_on_the_result(TestDb::sqlite().await).await;
}

#[tokio::test]
async fn postgres_trigger_wait_gates_on_the_result() {
    trigger_wait_gates_on_the_result(TestDb::postgres().await).await;
}
