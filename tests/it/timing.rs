//! When slots are: intervals (`--every`, `@every`) through the CLI, `apply` and a real
//! `run-beat` process against a real Redis broker, on both backends. The scheduler's
//! handling of intervals with a test clock is in `beat.rs`.

use std::collections::BTreeSet;

use crate::beat_process::{broker_list, spawn_beat, wait_for};
use crate::both_backends;
use crate::support::{TestDb, redis_url};
use chrono::{DateTime, Utc};

fn count(db: &TestDb) -> usize {
    db.json(&["schedule", "list"]).as_array().unwrap().len()
}

/// `--every` writes the canonical `@every` text and names the schedule by its frequency; a bad
/// period is refused with exit 3 and writes nothing; intervals compare by meaning.
async fn every_is_written_canonically_and_checked(db: TestDb) {
    let added = db.json(&["schedule", "add", "-t", "app.tasks.ping", "--every", "90s"]);
    assert_eq!(added["cron_expression"], "@every 1m30s");
    assert_eq!(added["name"], "ping_every_90_seconds");
    assert_eq!(count(&db), 1);

    for (every, needle) in [
        ("1.5h", "has a fraction"),
        ("0s", "is zero"),
        ("500ms", "shorter than a second"),
        ("1h/2h", "not shorter than the period"),
        ("400d", "longer than 366 days"),
    ] {
        let (code, stdout, stderr) =
            db.run(&["schedule", "add", "-t", "app.tasks.ping", "--every", every]);
        assert_eq!(code, 3, "--every {every}: {stderr}");
        assert!(stdout.is_empty());
        assert!(
            stderr.contains(&format!("error: --every '{every}'")) && stderr.contains(needle),
            "{stderr}"
        );
        assert!(stderr.contains("\nhint: "), "{stderr}");
    }
    let (code, _, stderr) = db.run(&[
        "schedule",
        "add",
        "-t",
        "app.tasks.ping",
        "--every",
        "1m",
        "--cron",
        "* * * * *",
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(count(&db), 1, "nothing was written by the refused commands");

    // The same job written another way is the same job.
    let (code, _, stderr) = db.run(&[
        "schedule",
        "add",
        "-t",
        "app.tasks.ping",
        "-c",
        "@every 1m30s",
    ]);
    assert_eq!(code, 5, "{stderr}");
    let again = db.json(&[
        "schedule",
        "add",
        "-t",
        "app.tasks.ping",
        "-c",
        "@EVERY 90s",
        "--if-not-exists",
    ]);
    assert_eq!(again["id"], added["id"]);

    // Update to another interval; the generated name follows when asked.
    let updated = db.json(&[
        "schedule",
        "update",
        "ping_every_90_seconds",
        "--every",
        "6h/300m",
        "--regenerate-name",
    ]);
    assert_eq!(updated["cron_expression"], "@every 6h/5h");
    assert_eq!(updated["name"], "ping_every_6_hours_offset_5h");

    // Its slots: aligned to the epoch in UTC, whatever the zone it is displayed in.
    let next = db.json(&[
        "schedule",
        "next",
        "ping_every_6_hours_offset_5h",
        "--after",
        "2026-03-29T00:00:00Z",
        "--tz",
        "Europe/Berlin",
        "-n",
        "3",
    ]);
    assert_eq!(
        next,
        serde_json::json!([
            "2026-03-29T07:00:00+02:00",
            "2026-03-29T13:00:00+02:00",
            "2026-03-29T19:00:00+02:00"
        ])
    );
    let preview = db.json(&[
        "schedule",
        "next",
        "--every",
        "45s",
        "--after",
        "2026-01-01T00:00:00Z",
        "-n",
        "2",
    ]);
    assert_eq!(
        preview,
        serde_json::json!(["2026-01-01T00:00:45+00:00", "2026-01-01T00:01:30+00:00"])
    );
    // The table shows the seconds of a sub-minute slot.
    let table = db.stdout(&["schedule", "list", "-o", "wide"]);
    assert!(table.contains("@every 6h/5h"), "{table}");
}

/// A document with `cron: '@every …'` is applied, exported as written, and applied again
/// without a change; a bad interval fails the whole document.
async fn documents_carry_intervals(db: TestDb) {
    let path = db.dir.path().join("intervals.yaml");
    std::fs::write(
        &path,
        "source: team-a\nschedules:\n  poll:\n    task: app.tasks.poll\n    cron: '@every 30s'\n  report:\n    task: app.tasks.report\n    cron: '@every 24h/2h'\n",
    )
    .unwrap();
    let file = path.display().to_string();
    let applied = db.json(&["apply", "-f", &file]);
    assert_eq!(applied["summary"]["create"], 2, "{applied}");
    let again = db.json(&["apply", "-f", &file]);
    assert_eq!(again["summary"]["unchanged"], 2, "{again}");
    let exported = db.stdout(&["schedule", "export"]);
    assert!(exported.contains("cron: '@every 30s'"), "{exported}");
    assert!(exported.contains("cron: '@every 24h/2h'"), "{exported}");

    std::fs::write(
        &path,
        "source: team-a\nschedules:\n  poll:\n    task: app.tasks.poll\n    cron: '@every 30s'\n  broken:\n    task: app.tasks.poll\n    cron: '@every 2.5s'\n",
    )
    .unwrap();
    let (code, _, stderr) = db.run(&["apply", "-f", &file]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("schedules.broken.cron"), "{stderr}");
    assert_eq!(count(&db), 2, "nothing was written");
}

/// A 1 s interval in real time, against a real Redis: every slot the beat reached is on the
/// broker once, consecutive seconds, each recorded `dispatched`.
async fn a_one_second_interval_is_sent_every_second(db: TestDb) {
    let prefix = db.broker_prefix();
    db.json(&[
        "schedule",
        "add",
        "-t",
        "app.tasks.tick",
        "--every",
        "1s",
        "--name",
        "tick",
    ]);
    let (mut child, rx, reader) = spawn_beat(
        &db,
        &[("STOCKURA_LOG", "debug".into())],
        &["--log-format", "json", "--broker-key-prefix", &prefix],
    );
    let mut seen = Vec::new();
    wait_for(&rx, &mut seen, "ready", |v| v["event"] == "ready");
    for n in 0..3 {
        wait_for(&rx, &mut seen, &format!("sending batch {n}"), |v| {
            v["message"] == "batch" && v["dispatched"].as_u64().unwrap_or(0) > 0
        });
    }
    std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let code = child.wait().unwrap();
    let _ = reader.join();
    seen.extend(rx.try_iter());
    assert_eq!(code.code(), Some(0), "log:\n{}", seen.join("\n"));

    let (messages, ids) =
        broker_list(&format!("{}/0", redis_url()), &format!("{prefix}celery")).await;
    assert!(messages.len() >= 3, "{} messages", messages.len());
    assert_eq!(ids.len(), messages.len(), "no slot was sent twice");
    let runs = db.json(&["history", "--limit", "1000"]);
    let slots: BTreeSet<DateTime<Utc>> = runs
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "dispatched")
        .map(|r| r["scheduled_for"].as_str().unwrap().parse().unwrap())
        .collect();
    assert_eq!(slots.len(), messages.len(), "{runs}");
    let (first, last) = (slots.first().unwrap(), slots.last().unwrap());
    assert_eq!(
        (*last - *first).num_seconds() + 1,
        slots.len() as i64,
        "consecutive seconds: {slots:?}"
    );
    let statuses: BTreeSet<&str> = runs
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, BTreeSet::from(["dispatched"]), "{runs}");
}

/// `--jitter`: stored, shown with the send times, refused (exit 3, nothing written) when it is
/// malformed, longer than an hour or not shorter than the gap between two slots, also when an
/// update shortens that gap under a kept jitter; `--jitter 0` removes it.
async fn jitter_is_stored_shown_and_checked(db: TestDb) {
    let added = db.json(&[
        "schedule",
        "add",
        "-t",
        "app.tasks.report",
        "-c",
        "0 * * * *",
        "--jitter",
        "90s",
        "--name",
        "spread",
    ]);
    assert_eq!(added["jitter_seconds"], 90);
    let next = db.json(&[
        "schedule",
        "next",
        "spread",
        "--after",
        "2026-01-01T00:30:00Z",
        "-n",
        "3",
    ]);
    for (n, send) in next.as_array().unwrap().iter().enumerate() {
        let send: DateTime<Utc> = send.as_str().unwrap().parse().unwrap();
        let slot: DateTime<Utc> = format!("2026-01-01T0{}:00:00Z", n + 1).parse().unwrap();
        assert!(
            send >= slot && send < slot + chrono::Duration::seconds(90),
            "{send}"
        );
    }
    let table = db.stdout(&[
        "schedule",
        "next",
        "spread",
        "--after",
        "2026-01-01T00:30:00Z",
        "-n",
        "1",
    ]);
    assert!(
        table.contains("slot 2026-01-01T01:00:00+00:00 +"),
        "{table}"
    );
    let shown = db.stdout(&["schedule", "show", "spread"]);
    assert!(shown.contains("jitter       1m30s"), "{shown}");
    assert!(shown.contains(", sent at "), "{shown}");
    let json = db.json(&["schedule", "show", "spread"]);
    assert_eq!(json["upcoming"].as_array().unwrap().len(), 5);
    assert_eq!(json["upcoming_sends"].as_array().unwrap().len(), 5);
    assert!(json["next_send_at"].is_string());

    for (args, needle) in [
        (
            vec!["-c", "* * * * *", "--jitter", "60s"],
            "not shorter than the 1m between two slots",
        ),
        (
            vec!["--every", "10s", "--jitter", "10s"],
            "not shorter than the 10s between two slots",
        ),
        (
            vec!["-c", "@daily", "--jitter", "2h"],
            "longer than one hour",
        ),
        (
            vec!["-c", "@daily", "--jitter", "soon"],
            "expected a number",
        ),
    ] {
        let mut full = vec!["schedule", "add", "-t", "app.tasks.x"];
        full.extend(args);
        let (code, _, stderr) = db.run(&full);
        assert_eq!(code, 3, "{full:?}: {stderr}");
        assert!(stderr.contains(needle), "{stderr}");
    }
    // An update that brings the slots closer than the kept jitter, or an expiry shorter than
    // it, is refused as a whole.
    let (code, _, stderr) = db.run(&["schedule", "update", "spread", "--expires", "60"]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("would arrive expired"), "{stderr}");
    let (code, _, stderr) = db.run(&["schedule", "update", "spread", "-c", "* * * * *"]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("--jitter 1m30s is not shorter"), "{stderr}");
    assert_eq!(
        db.json(&["schedule", "show", "spread"])["cron_expression"],
        "0 * * * *"
    );
    // Whole seconds only, also for another program writing SQL (SQLite would keep a REAL that
    // no scheduler could read).
    if db.url.starts_with("sqlite") {
        use sqlx::Connection;
        let options: sqlx::sqlite::SqliteConnectOptions = db.url.parse().unwrap();
        let mut c = sqlx::SqliteConnection::connect_with(&options)
            .await
            .unwrap();
        let refused = sqlx::raw_sql(
            "UPDATE celery_beat_schedules SET jitter_seconds = 30.5 WHERE name = 'spread'",
        )
        .execute(&mut c)
        .await;
        assert!(
            refused.is_err(),
            "a fractional jitter is refused by the column's check"
        );
    }
    let cleared = db.json(&[
        "schedule",
        "update",
        "spread",
        "-c",
        "* * * * *",
        "--jitter",
        "0",
    ]);
    assert_eq!(cleared["jitter_seconds"], serde_json::Value::Null);
    assert_eq!(cleared["next_send_at"], cleared["next_run_at"]);
    assert_eq!(count(&db), 1);
}

/// A document's `jitter` is applied, exported in its canonical form and compared like any
/// field; a bad one fails the document at its location.
async fn documents_carry_jitter(db: TestDb) {
    let path = db.dir.path().join("jitter.yaml");
    let file = path.display().to_string();
    let doc = |jitter: &str| {
        format!(
            "source: team-a\nschedules:\n  hourly:\n    task: app.tasks.report\n    cron: '@hourly'\n    jitter: {jitter}\n"
        )
    };
    std::fs::write(&path, doc("120s")).unwrap();
    let applied = db.json(&["apply", "-f", &file]);
    assert_eq!(applied["summary"]["create"], 1, "{applied}");
    assert_eq!(
        db.json(&["schedule", "show", "hourly"])["jitter_seconds"],
        120
    );
    let exported = db.stdout(&["schedule", "export"]);
    assert!(exported.contains("jitter: 2m"), "{exported}");
    std::fs::write(&path, doc("2m")).unwrap();
    assert_eq!(db.json(&["apply", "-f", &file])["summary"]["unchanged"], 1);
    // A bare number is seconds.
    std::fs::write(&path, doc("120")).unwrap();
    assert_eq!(db.json(&["apply", "-f", &file])["summary"]["unchanged"], 1);
    std::fs::write(&path, doc("5m")).unwrap();
    let plan = db.json(&["apply", "-f", &file, "--dry-run"]);
    assert_eq!(plan["summary"]["update"], 1, "{plan}");
    assert!(plan.to_string().contains("\"jitter\""), "{plan}");
    std::fs::write(&path, doc("2h")).unwrap();
    let (code, _, stderr) = db.run(&["apply", "-f", &file]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("schedules.hourly.jitter"), "{stderr}");
    assert_eq!(
        db.json(&["schedule", "show", "hourly"])["jitter_seconds"],
        120
    );
}

/// A backfill of an interval sends each of its epoch-aligned slots in the range once; a
/// second backfill of the same range sends nothing.
async fn an_interval_is_backfilled_slot_by_slot(db: TestDb) {
    let prefix = db.broker_prefix();
    db.json(&[
        "schedule",
        "add",
        "-t",
        "app.tasks.tick",
        "--every",
        "10m/5m",
        "--name",
        "tick",
    ]);
    let backfill = || {
        let out = db
            .cmd()
            .env("CELERY_BROKER_URL", format!("{}/0", redis_url()))
            .args([
                "schedule",
                "backfill",
                "tick",
                "--from",
                "2026-01-01T00:00:00Z",
                "--to",
                "2026-01-01T01:00:00Z",
                "--rate",
                "1000/s",
                "--broker-key-prefix",
                &prefix,
                "-o",
                "json",
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let first = backfill();
    assert_eq!(
        (first["total"].as_u64(), first["sent"].as_u64()),
        (Some(6), Some(6)),
        "{first}"
    );
    let slots: Vec<&str> = first["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["slot"].as_str().unwrap())
        .collect();
    assert_eq!(slots[0], "2026-01-01T00:05:00Z", "{first}");
    assert_eq!(slots[5], "2026-01-01T00:55:00Z", "{first}");
    let second = backfill();
    assert_eq!(
        (
            second["sent"].as_u64(),
            second["already_dispatched"].as_u64()
        ),
        (Some(0), Some(6)),
        "{second}"
    );
    let (messages, ids) =
        broker_list(&format!("{}/0", redis_url()), &format!("{prefix}celery")).await;
    assert_eq!((messages.len(), ids.len()), (6, 6));
}

both_backends!(
    every_is_written_canonically_and_checked,
    documents_carry_intervals,
    a_one_second_interval_is_sent_every_second,
    jitter_is_stored_shown_and_checked,
    documents_carry_jitter,
    an_interval_is_backfilled_slot_by_slot,
);
