//! Redis sync against a real Redis (and both databases): change events, the durable change
//! version, `sync monitor` and `diagnose`.

use std::time::Duration;

use serde_json::{Value, json};

use crate::both_backends;
use crate::support::{Subscriber, TestDb, bare_cmd, redis_url, unique_channel};

/// The binary against this database, publishing on `channel` of the test Redis.
fn synced(db: &TestDb, channel: &str) -> assert_cmd::Command {
    let mut cmd = db.cmd();
    cmd.env("REDIS_URL", redis_url())
        .env("CELERY_BEAT_REDIS_CHANNEL", channel);
    cmd
}

fn ok_json(cmd: &mut assert_cmd::Command, args: &[&str]) -> Value {
    let out = cmd.args(args).args(["-o", "json"]).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{args:?} warned: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

async fn every_write_publishes_its_events(db: TestDb) {
    let channel = unique_channel();
    let sub = Subscriber::start(&channel).await;
    let a = ok_json(
        &mut synced(&db, &channel),
        &[
            "schedule",
            "add",
            "--task",
            "app.tasks.report_task",
            "--cron",
            "@daily",
        ],
    );
    let b = ok_json(
        &mut synced(&db, &channel),
        &[
            "schedule",
            "add",
            "--task",
            "app.tasks.report_task",
            "--cron",
            "@hourly",
            "--disabled",
        ],
    );
    ok_json(
        &mut synced(&db, &channel),
        &[
            "schedule",
            "update",
            a["id"].as_str().unwrap(),
            "--description",
            "x",
        ],
    );
    // Enabling both: only b changes, so only b is affected.
    ok_json(
        &mut synced(&db, &channel),
        &[
            "schedule",
            "enable",
            a["id"].as_str().unwrap(),
            b["id"].as_str().unwrap(),
        ],
    );
    ok_json(
        &mut synced(&db, &channel),
        &["task", "define", "app.tasks.report_task"],
    );
    ok_json(
        &mut synced(&db, &channel),
        &[
            "schedule",
            "delete",
            a["id"].as_str().unwrap(),
            b["id"].as_str().unwrap(),
            "--yes",
        ],
    );
    ok_json(
        &mut synced(&db, &channel),
        &["task", "delete", "app.tasks.report_task", "--yes"],
    );
    let events = sub.wait_for(8).await;
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| e["event_type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "schedule_created",
            "schedule_created",
            "schedule_updated",
            "schedule_updated",
            "task_definition_updated",
            "schedule_deleted",
            "schedule_deleted",
            "task_definition_deleted"
        ]
    );
    let first = &events[0];
    let keys: Vec<&str> = first
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "event_type",
            "schedule_id",
            "timestamp",
            "name",
            "task_name",
            "version",
            "source"
        ]
    );
    assert_eq!(first["schedule_id"], a["id"]);
    assert_eq!(
        (
            first["name"].clone(),
            first["task_name"].clone(),
            first["source"].clone()
        ),
        (
            a["name"].clone(),
            json!("app.tasks.report_task"),
            json!("stockura")
        )
    );
    assert!(
        chrono::DateTime::parse_from_rfc3339(first["timestamp"].as_str().unwrap())
            .unwrap()
            .offset()
            .local_minus_utc()
            == 0
    );
    assert_eq!(
        events[3]["schedule_id"], b["id"],
        "enable publishes only for the schedule it changed"
    );
    assert_eq!(events[4]["task_name"], "app.tasks.report_task");
    assert!(events[4].get("schedule_id").is_none());
    // Versions grow with every committed write.
    let versions: Vec<i64> = events
        .iter()
        .map(|e| e["version"].as_i64().unwrap())
        .collect();
    assert!(
        versions.windows(2).all(|w| w[0] <= w[1]) && versions[0] >= 1,
        "{versions:?}"
    );
    // A bulk delete is one pipeline with one version.
    assert_eq!(events[5]["version"], events[6]["version"]);
}

async fn a_failed_publish_keeps_the_write_and_warns(db: TestDb) {
    let out = db
        .cmd()
        .env("REDIS_URL", "redis://:hunter2pw@127.0.0.1:1/0")
        .args([
            "schedule", "add", "--task", "t", "--cron", "@daily", "--name", "kept", "-o", "json",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one warning: {stderr}");
    assert!(
        stderr.starts_with("warning:")
            && stderr.contains("redis://:***@127.0.0.1:1/0")
            && stderr.contains("next poll"),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2pw"));
    assert_eq!(db.json(&["schedule", "show", "kept"])["name"], "kept");
}

async fn sync_can_be_disabled(db: TestDb) {
    let channel = unique_channel();
    let sub = Subscriber::start(&channel).await;
    let mut cmd = synced(&db, &channel);
    cmd.env("CELERY_BEAT_REDIS_SYNC_ENABLED", "false");
    ok_json(
        &mut cmd,
        &["schedule", "add", "--task", "t", "--cron", "@daily"],
    );
    // A write with sync on afterwards proves the subscriber works.
    ok_json(
        &mut synced(&db, &channel),
        &["schedule", "add", "--task", "t", "--cron", "@hourly"],
    );
    let events = sub.wait_for(1).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["name"], "t_hourly");
}

async fn triggers_bump_the_version_for_any_writer(db: TestDb) {
    use stockura::store::ScheduleStore;
    let store = db.store().await;
    let v0 = store.change_version().await.unwrap().version;
    let statements = [
        "INSERT INTO celery_beat_schedules (id, name, task_name, cron_expression, created_at, updated_at) \
         VALUES ('0b7e6a52-4f0c-4a0e-9d44-6f1f0a000001', 'psql', 'app.tasks.x', '@daily', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')",
        "UPDATE celery_beat_schedules SET cron_expression = '@hourly'",
        "INSERT INTO task_definitions (id, task_name, created_at, updated_at) VALUES ('0b7e6a52-4f0c-4a0e-9d44-6f1f0a000002', 'app.tasks.x', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')",
        "DELETE FROM task_definitions",
        "DELETE FROM celery_beat_schedules",
    ];
    let mut last = v0;
    for statement in statements {
        db.exec(statement).await;
        let v = store.change_version().await.unwrap();
        assert!(
            v.version > last,
            "{statement} did not bump the version ({} -> {})",
            last,
            v.version
        );
        last = v.version;
    }
    // Run bookkeeping is not a change.
    db.exec( "INSERT INTO celery_beat_schedules (id, name, task_name, cron_expression, created_at, updated_at) \
         VALUES ('0b7e6a52-4f0c-4a0e-9d44-6f1f0a000003', 'b', 'app.tasks.x', '@daily', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')").await;
    let before = store.change_version().await.unwrap().version;
    db.exec( "UPDATE celery_beat_schedules SET last_run_at = '2026-01-02T00:00:00.000000Z', total_run_count = total_run_count + 1").await;
    assert_eq!(
        store.change_version().await.unwrap().version,
        before,
        "bookkeeping bumped the version"
    );
}

async fn sync_monitor_prints_events_and_stops(db: TestDb) {
    let channel = unique_channel();
    db.json(&["schedule", "list"]);
    let monitor = crate::support::std_cmd(db.dir.path())
        .env("DATABASE_URL", &db.url)
        .env("REDIS_URL", redis_url())
        .env("CELERY_BEAT_REDIS_CHANNEL", &channel)
        .args([
            "sync",
            "monitor",
            "--count",
            "2",
            "--timeout",
            "20",
            "-o",
            "json",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until it subscribed (a scheduler-like subscriber shows in PUBSUB NUMSUB).
    let client = redis::Client::open(redis_url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    for _ in 0..500 {
        let n: Vec<(String, i64)> = redis::cmd("PUBSUB")
            .arg("NUMSUB")
            .arg(&channel)
            .query_async(&mut conn)
            .await
            .unwrap();
        if n[0].1 > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    ok_json(
        &mut synced(&db, &channel),
        &["schedule", "add", "--task", "t", "--cron", "@daily"],
    );
    ok_json(
        &mut synced(&db, &channel),
        &["schedule", "add", "--task", "t", "--cron", "@hourly"],
    );
    let out = monitor.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    for line in &lines {
        assert!(
            line["received_at"].is_string() && line["channel"].is_string(),
            "{line}"
        );
        // An RFC 3339 instant with at most microseconds, as every instant stockura prints.
        let at = line["received_at"].as_str().unwrap();
        let fraction = at
            .split_once('.')
            .map_or("", |(_, f)| f.trim_end_matches('Z'));
        assert!(fraction.len() <= 6, "{at}");
        chrono::DateTime::parse_from_rfc3339(at).unwrap();
        match line["source"].as_str().unwrap() {
            "redis" => assert_eq!(line["event"]["event_type"], "schedule_created"),
            "postgres" => assert!(line["event"]["version"].is_i64(), "{line}"),
            other => panic!("unknown source {other}"),
        }
    }
    assert!(lines.iter().any(|l| l["source"] == "redis"));
    // Nothing arrives: a non-zero exit after the timeout.
    let out = synced(&db, &unique_channel())
        .args(["sync", "monitor", "--timeout", "0.3"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(7),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("no change event arrived"));
}

both_backends!(
    every_write_publishes_its_events,
    a_failed_publish_keeps_the_write_and_warns,
    sync_can_be_disabled,
    triggers_bump_the_version_for_any_writer,
    sync_monitor_prints_events_and_stops,
);

#[tokio::test]
async fn postgres_notifies_every_change_without_redis() {
    let db = TestDb::postgres().await;
    let store = db.store().await;
    let mut listener = store
        .listen_changes()
        .await
        .unwrap()
        .expect("Postgres notifies its changes");
    db.json(&["schedule", "add", "--task", "t", "--cron", "@daily"]);
    let note = tokio::time::timeout(Duration::from_secs(10), listener.recv())
        .await
        .expect("a notification")
        .unwrap();
    assert_eq!(note.channel, "stockura_schedule_changes");
    use stockura::store::ScheduleStore;
    // "V:id": the version this statement produced and the one schedule it changed.
    let id = db.json(&["schedule", "list"])[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        note.payload,
        format!("{}:{id}", store.change_version().await.unwrap().version)
    );
}

fn diagnose(cmd: &mut assert_cmd::Command, extra: &[&str]) -> (i32, Value, String) {
    let out = cmd
        .arg("diagnose")
        .args(extra)
        .args(["--timeout", "2", "-o", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let doc: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    (out.status.code().unwrap_or(-1), doc, stderr)
}

fn status<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no {name} check: {doc}"))
}

#[tokio::test]
async fn diagnose_passes_when_everything_is_wired_and_reports_its_shape() {
    let db = TestDb::postgres().await;
    let channel = unique_channel();
    db.json(&["schedule", "list"]);
    // A real scheduler: it listens on the channel and writes heartbeats.
    let (mut beat, rx, reader) = crate::beat_process::spawn_beat(
        &db,
        &[
            ("REDIS_URL", redis_url()),
            ("CELERY_BEAT_REDIS_CHANNEL", channel.clone()),
        ],
        &["--log-format", "json"],
    );
    let mut seen = Vec::new();
    crate::beat_process::wait_for(&rx, &mut seen, "ready", |v| v["event"] == "ready");
    let (code, doc, _) = diagnose(
        synced(&db, &channel).env("CELERY_BROKER_URL", format!("{}/0", redis_url())),
        &[],
    );
    let _ = beat.kill();
    let _ = beat.wait();
    let _ = reader.join();
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["ok"], true);
    let names: Vec<&str> = doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "config",
            "database",
            "schedules",
            "redis",
            "pubsub",
            "broker",
            "scheduler"
        ]
    );
    for check in doc["checks"].as_array().unwrap() {
        let keys: Vec<&str> = check
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "name",
                "status",
                "summary",
                "details",
                "hint",
                "duration_ms"
            ]
        );
        assert!(check["duration_ms"].is_u64());
    }
    assert_eq!(status(&doc, "database")["status"], "ok");
    assert!(
        status(&doc, "database")["details"]
            .to_string()
            .contains("change version")
    );
    assert_eq!(status(&doc, "redis")["status"], "ok");
    assert_eq!(status(&doc, "pubsub")["status"], "ok", "{doc:#}");
    assert_eq!(status(&doc, "broker")["status"], "ok");
    let scheduler = status(&doc, "scheduler");
    assert_eq!(scheduler["status"], "ok", "{scheduler:#}");
    assert!(
        scheduler["summary"]
            .as_str()
            .unwrap()
            .starts_with("leader "),
        "{scheduler}"
    );
    // --check runs a subset.
    let (_, only, _) = diagnose(&mut synced(&db, &channel), &["--check", "redis", "pubsub"]);
    assert_eq!(only["checks"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn diagnose_names_the_docker_failures() {
    let db = TestDb::sqlite().await;
    // Nobody subscribed: a warning (exit 0), a failure with --strict.
    let channel = unique_channel();
    let (code, doc, _) = diagnose(&mut synced(&db, &channel), &[]);
    // No scheduler runs at all: the scheduler check fails.
    assert_eq!(code, 7);
    let scheduler = status(&doc, "scheduler");
    assert_eq!(scheduler["status"], "fail");
    assert!(
        scheduler["summary"]
            .as_str()
            .unwrap()
            .contains("no scheduler is running"),
        "{scheduler}"
    );
    let (code, doc, _) = diagnose(
        &mut synced(&db, &channel),
        &["--check", "config", "database", "redis", "pubsub", "broker"],
    );
    assert_eq!(code, 0);
    let pubsub = status(&doc, "pubsub");
    assert_eq!(pubsub["status"], "warn");
    assert!(
        pubsub["summary"]
            .as_str()
            .unwrap()
            .contains(&format!("no scheduler is listening on {channel}"))
    );
    let (code, doc, _) = diagnose(
        &mut synced(&db, &channel),
        &[
            "--strict", "--check", "config", "database", "redis", "pubsub", "broker",
        ],
    );
    assert_eq!((code, doc["ok"].clone()), (7, json!(false)));
    // Redis stopped (nothing on the port): redis and pubsub fail, exit 7, no password shown.
    let (code, doc, stderr) = diagnose(
        db.cmd().env("REDIS_URL", "redis://:s3cretpw@127.0.0.1:1/0"),
        &[],
    );
    assert_eq!(code, 7);
    assert_eq!(
        (
            status(&doc, "redis")["status"].clone(),
            status(&doc, "pubsub")["status"].clone()
        ),
        (json!("fail"), json!("fail"))
    );
    assert!(!doc.to_string().contains("s3cretpw") && !stderr.contains("s3cretpw"));
    assert!(status(&doc, "redis")["hint"].is_string());
    // Broker and sync on different databases: the config check warns, naming both.
    let (_, doc, _) = diagnose(
        synced(&db, &channel)
            .env("REDIS_URL", format!("{}/3", redis_url()))
            .env("CELERY_BROKER_URL", format!("{}/0", redis_url())),
        &["--check", "config"],
    );
    let config = status(&doc, "config");
    assert_eq!(config["status"], "warn");
    assert!(
        config["details"][0]
            .as_str()
            .unwrap()
            .contains("different servers or databases"),
        "{config}"
    );
    // Sync on but no Redis URL, and an invalid value: diagnose still runs, fails on the value
    // every command refuses and warns about the URL.
    let (code, doc, _) = diagnose(
        db.cmd().env("CELERY_TIMEZONE", "Mars/Base"),
        &["--check", "config", "redis"],
    );
    assert_eq!(code, 7);
    let config = status(&doc, "config");
    assert_eq!(config["status"], "fail");
    let text = config["details"].to_string();
    assert!(
        text.contains("Mars/Base") && text.contains("REDIS_URL is not set"),
        "{text}"
    );
    assert_eq!(status(&doc, "redis")["status"], "skip");
}

#[tokio::test]
async fn diagnose_fails_on_an_unmigrated_database() {
    let db = TestDb::postgres_empty().await;
    let (code, doc, _) = diagnose(&mut db.cmd(), &["--check", "database"]);
    assert_eq!(code, 7);
    let check = status(&doc, "database");
    assert_eq!(check["status"], "fail");
    assert!(
        check["summary"].as_str().unwrap().contains("not migrated")
            && check["hint"].as_str().unwrap().contains("stockura migrate")
    );
    let out = bare_cmd(db.dir.path())
        .env("DATABASE_URL", "postgres://u:pw-hidden@127.0.0.1:1/x")
        .args(["diagnose", "--check", "database"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(7));
    assert!(
        text.contains("✗") && text.contains("database") && !text.contains("pw-hidden"),
        "{text}"
    );
}

#[tokio::test]
async fn diagnose_warns_when_redis_may_evict_keys() {
    // A throwaway Redis with an evicting policy, on a free loopback port.
    let server =
        crate::support::ThrowawayRedis::start(&["--maxmemory-policy", "allkeys-lru"]).await;
    let dir = tempfile::TempDir::new().unwrap();
    let (_, doc, _) = diagnose(
        bare_cmd(dir.path()).env("REDIS_URL", server.url()),
        &["--check", "redis"],
    );
    drop(server);
    let redis = status(&doc, "redis");
    assert_eq!(redis["status"], "warn", "{doc:#}");
    assert!(
        redis["summary"].as_str().unwrap().contains("allkeys-lru"),
        "{redis}"
    );
}
