//! The CLI end to end, as a user runs it, on both backends.

use serde_json::{Value, json};

use crate::both_backends;
use crate::support::TestDb;

/// The documented JSON fields of a schedule, in order (the README lists them).
const FIELDS: [&str; 30] = [
    "id",
    "name",
    "task_name",
    "cron_expression",
    "timezone",
    "enabled",
    "args",
    "kwargs",
    "description",
    "category",
    "tags",
    "execution_policy",
    "auto_generated_name",
    "options",
    "jitter_seconds",
    "last_run_at",
    "total_run_count",
    "next_run_at",
    "next_send_at",
    "created_at",
    "updated_at",
    "problems",
    "unreadable_columns",
    "last_result_status",
    "state",
    "paused_at",
    "paused_by",
    "pause_reason",
    "paused_until",
    "resumed_at",
];

fn add(db: &TestDb, extra: &[&str]) -> Value {
    let mut args = vec!["schedule", "add"];
    args.extend_from_slice(extra);
    db.json(&args)
}

async fn add_prints_the_documented_json(db: TestDb) {
    let s = add(
        &db,
        &[
            "--task",
            "app.tasks.fetch_listed_info_task_asyncpg",
            "--cron",
            "0 9 * * 1-5",
            "--tz",
            "Asia/Tokyo",
            "--args",
            "[1, \"x\"]",
            "--kwargs",
            "{\"period_type\": \"daily\", \"n\": 1}",
            "--param",
            "market=prime",
            "--param",
            "n=2",
            "--param",
            "codes=[\"7203\"]",
            "--category",
            "market-data",
            "--tag",
            "jp",
            "--tag",
            "nightly",
            "--policy",
            "skip",
            "--queue",
            "reports",
            "--priority",
            "3",
            "--expires",
            "120",
            "--description",
            "Fetch listed info",
        ],
    );
    let keys: Vec<&str> = s.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, FIELDS.to_vec());
    assert_eq!(s["problems"], json!([]));
    assert_eq!(s["name"], "fetch_listed_info_weekdays_0900");
    assert_eq!(s["task_name"], "app.tasks.fetch_listed_info_task_asyncpg");
    assert_eq!(s["timezone"], "Asia/Tokyo");
    assert_eq!(s["args"], json!([1, "x"]));
    assert_eq!(
        s["kwargs"],
        json!({"period_type": "daily", "n": 2, "market": "prime", "codes": ["7203"]})
    );
    assert_eq!(s["tags"], json!(["jp", "nightly"]));
    assert_eq!(s["execution_policy"], "skip");
    assert_eq!(s["auto_generated_name"], true);
    assert_eq!(
        s["options"],
        json!({"queue": "reports", "priority": 3, "expires": 120})
    );
    assert_eq!(
        (
            s["enabled"].clone(),
            s["last_run_at"].clone(),
            s["total_run_count"].clone()
        ),
        (json!(true), Value::Null, json!(0))
    );
    let next = s["next_run_at"].as_str().unwrap();
    assert!(next.ends_with("T09:00:00+09:00"), "{next}");
    assert!(s["created_at"].as_str().unwrap().ends_with('Z'));
}

async fn list_show_update_enable_disable_delete(db: TestDb) {
    let a = add(
        &db,
        &[
            "--task",
            "app.tasks.report_task",
            "--cron",
            "@daily",
            "--tag",
            "x",
        ],
    );
    let b = add(
        &db,
        &[
            "--task",
            "app.tasks.report_task",
            "--cron",
            "@daily",
            "--name",
            "second",
            "--disabled",
            "--allow-duplicate",
        ],
    );
    let list = db.json(&["schedule", "list"]);
    assert_eq!(
        list.as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["report_daily", "second"]
    );
    assert_eq!(
        list[1]["next_run_at"],
        Value::Null,
        "a disabled schedule has no next run"
    );
    assert_eq!(
        db.json(&["schedule", "list", "--disabled"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        db.json(&["schedule", "list", "--tag", "x", "--task", "report_task"])[0]["id"],
        a["id"]
    );
    assert_eq!(
        db.json(&["schedule", "list", "--search", "SECOND"])[0]["id"],
        b["id"]
    );

    let id = a["id"].as_str().unwrap();
    let show = db.json(&["schedule", "show", &id[..6]]);
    assert_eq!(show["id"], a["id"]);
    assert_eq!(show["upcoming"].as_array().unwrap().len(), 5);
    assert_eq!(show["upcoming"][0], show["next_run_at"]);

    let updated = db.json(&[
        "schedule",
        "update",
        "report_daily",
        "--cron",
        "0 * * * *",
        "--add-tag",
        "y",
        "--remove-tag",
        "x",
        "--param",
        "k=v",
    ]);
    assert_eq!(
        updated["name"], "report_daily",
        "a name stays as it is when the cron changes"
    );
    let regenerated = db.json(&["schedule", "update", "report_daily", "--regenerate-name"]);
    assert_eq!(
        regenerated["name"], "report_hourly",
        "generated again from the cron on request"
    );
    assert_eq!(updated["tags"], json!(["y"]));
    assert_eq!(updated["kwargs"], json!({"k": "v"}));
    assert_eq!(updated["created_at"], a["created_at"]);
    let renamed = db.json(&[
        "schedule",
        "update",
        id,
        "--name",
        "mine",
        "--clear-category",
        "--priority",
        "0",
    ]);
    assert_eq!(
        (
            renamed["name"].clone(),
            renamed["auto_generated_name"].clone()
        ),
        (json!("mine"), json!(false))
    );
    assert_eq!(renamed["options"], json!({"priority": 0}));
    let kept = db.json(&["schedule", "update", "mine", "--cron", "@weekly"]);
    assert_eq!(
        kept["name"], "mine",
        "an explicit name is never regenerated"
    );

    let toggled = db.json(&["schedule", "enable", "second", "mine"]);
    assert_eq!(
        toggled
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["enabled"].clone())
            .collect::<Vec<_>>(),
        [json!(true), json!(true)]
    );
    let off = db.json(&["schedule", "disable", "second"]);
    assert_eq!(off[0]["enabled"], false);

    let deleted = db.json(&["schedule", "delete", "second", id, "--yes"]);
    assert_eq!(deleted.as_array().unwrap().len(), 2);
    assert_eq!(db.json(&["schedule", "list"]), json!([]));
}

async fn next_follows_the_cron_contract(db: TestDb) {
    let times = db.json(&[
        "schedule",
        "next",
        "--cron",
        "30 2 * * *",
        "--tz",
        "America/New_York",
        "--after",
        "2026-03-07T12:00:00Z",
        "-n",
        "3",
    ]);
    assert_eq!(
        times,
        json!([
            "2026-03-08T03:00:00-04:00",
            "2026-03-09T02:30:00-04:00",
            "2026-03-10T02:30:00-04:00"
        ])
    );
    let utc = db.json(&[
        "schedule",
        "next",
        "--cron",
        "@hourly",
        "--after",
        "2026-01-01T00:00:00Z",
        "-n",
        "2",
    ]);
    assert_eq!(
        utc,
        json!(["2026-01-01T01:00:00+00:00", "2026-01-01T02:00:00+00:00"])
    );
    assert_eq!(
        db.json(&["schedule", "next", "--cron", "* * * * *"])
            .as_array()
            .unwrap()
            .len(),
        5
    );
    // A stored schedule uses its own zone; --tz overrides it.
    add(
        &db,
        &[
            "--task",
            "t",
            "--cron",
            "0 9 * * *",
            "--tz",
            "Asia/Tokyo",
            "--name",
            "tokyo",
        ],
    );
    let stored = db.json(&[
        "schedule",
        "next",
        "tokyo",
        "--after",
        "2025-12-30T12:00:00Z",
        "-n",
        "1",
    ]);
    assert_eq!(stored, json!(["2025-12-31T09:00:00+09:00"]));
    // Strictly after: a start exactly on a fire instant does not return it.
    let on_the_dot = db.json(&[
        "schedule",
        "next",
        "tokyo",
        "--after",
        "2026-01-01T00:00:00Z",
        "-n",
        "1",
    ]);
    assert_eq!(on_the_dot, json!(["2026-01-02T09:00:00+09:00"]));
    let overridden = db.json(&[
        "schedule",
        "next",
        "tokyo",
        "--tz",
        "UTC",
        "--after",
        "2025-12-30T12:00:00Z",
        "-n",
        "1",
    ]);
    assert_eq!(overridden, json!(["2025-12-31T09:00:00+00:00"]));
}

async fn table_output_is_readable(db: TestDb) {
    add(
        &db,
        &[
            "--task",
            "app.tasks.fetch_listed_info_task_asyncpg",
            "--cron",
            "0 0 * * *",
            "--tag",
            "nightly",
        ],
    );
    let out = db.cmd().args(["schedule", "list"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for header in [
        "ID", "NAME", "TASK", "CRON", "TIMEZONE", "ENABLED", "POLICY", "CATEGORY", "TAGS",
        "NEXT RUN", "LAST RUN",
    ] {
        assert!(text.contains(header), "{header} missing:\n{text}");
    }
    assert!(
        text.contains("fetch_listed_info_daily")
            && text.contains("nightly")
            && text.contains("00:00 UTC"),
        "{text}"
    );
    let out = db
        .cmd()
        .args(["schedule", "show", "fetch_listed_info_daily"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("(generated)") && text.contains("Next 5 runs:"),
        "{text}"
    );
    let out = db
        .cmd()
        .args(["schedule", "list", "--category", "none"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "No schedules match.\n"
    );
}

async fn migrate_reports_and_is_idempotent(db: TestDb) {
    let first = db.json(&["migrate"]);
    assert_eq!(first["version"], crate::support::latest_version());
    assert_eq!(first["backend"], db.backend.to_string());
    let second = db.json(&["migrate"]);
    assert_eq!(second["applied"], json!([]));
    let out = db.cmd().args(["migrate"]).output().unwrap();
    let want = format!(
        "up to date (schema version {})",
        crate::support::latest_version()
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains(&want));
}

/// `--last-run-at` carries a previous scheduler's bookkeeping into the new row; a time in the
/// future or a malformed one is refused and writes nothing.
async fn add_keeps_the_last_run_it_is_given(db: TestDb) {
    let s = add(
        &db,
        &[
            "--task",
            "app.tasks.a",
            "--cron",
            "* * * * *",
            "--name",
            "imported",
            "--last-run-at",
            "2026-01-05T09:00:00+09:00",
        ],
    );
    assert_eq!(s["last_run_at"], "2026-01-05T00:00:00Z");
    assert_eq!(s["total_run_count"], 0);
    let shown = db.json(&["schedule", "show", "imported"]);
    assert_eq!(shown["last_run_at"], "2026-01-05T00:00:00Z");

    // A duration means that long ago.
    let before = chrono::Utc::now();
    let ago = add(
        &db,
        &[
            "--task",
            "app.tasks.a",
            "--cron",
            "* * * * *",
            "--last-run-at",
            "90s",
            "--allow-duplicate",
        ],
    );
    let at = chrono::DateTime::parse_from_rfc3339(ago["last_run_at"].as_str().unwrap()).unwrap();
    let back = before - at.with_timezone(&chrono::Utc);
    assert!(
        back >= chrono::Duration::seconds(89) && back <= chrono::Duration::seconds(92),
        "90s ago came out {back} ago"
    );

    let snapshot = db.snapshot();
    for (value, says) in [
        ("2999-01-01T00:00:00Z", "is in the future"),
        ("yesterday", "is neither a duration nor an RFC 3339 instant"),
    ] {
        let (code, _, err) = db.run(&[
            "schedule",
            "add",
            "--task",
            "app.tasks.b",
            "--cron",
            "* * * * *",
            "--last-run-at",
            value,
        ]);
        assert_ne!(code, 0, "--last-run-at {value} was accepted");
        assert!(err.contains(says), "--last-run-at {value}: {err}");
        assert!(err.contains("--last-run-at"), "names the flag: {err}");
    }
    assert_eq!(db.snapshot(), snapshot, "a refused add writes nothing");
}

/// A long `--output json` list is serde_json's pretty spelling of the documented array, written
/// as it is built; a reader that stops early (`| head`) ends it quietly, exit code 0.
async fn long_json_lists_are_written_whole_or_stop_quietly(db: TestDb) {
    add(
        &db,
        &[
            "--task",
            "app.tasks.first",
            "--cron",
            "* * * * *",
            "--kwargs",
            r#"{"text": "quote \" and é", "n": 1.50}"#,
        ],
    );
    // 3,000 more by SQL, as the Python application writes them.
    db.exec(match db.backend {
        stockura::config::Backend::Postgres => {
            "INSERT INTO celery_beat_schedules (id, name, task_name, cron_expression, enabled, args, kwargs) \
             SELECT gen_random_uuid(), 'bulk_' || g, 'app.tasks.bulk', '*/5 * * * *', g % 7 <> 0, \
                    '[1, \"x\"]'::jsonb, ('{\"i\": ' || g || '}')::jsonb FROM generate_series(1, 3000) g"
        }
        stockura::config::Backend::Sqlite => {
            "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 3000) \
             INSERT INTO celery_beat_schedules (id, name, task_name, cron_expression, enabled, args, kwargs, created_at, updated_at) \
             SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-a' \
                    || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))), \
                    'bulk_' || i, 'app.tasks.bulk', '*/5 * * * *', i % 7 <> 0, '[1, \"x\"]', json_object('i', i), \
                    strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM g"
        }
    })
    .await;
    let text = db.stdout(&["schedule", "list", "--output", "json"]);
    let list: Value = serde_json::from_str(&text).unwrap();
    let rows = list.as_array().unwrap();
    assert_eq!(rows.len(), 3001);
    assert_eq!(
        text,
        format!("{}\n", serde_json::to_string_pretty(&list).unwrap())
    );
    for row in rows {
        let keys: Vec<&str> = row
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, FIELDS);
    }
    let first = rows
        .iter()
        .find(|r| r["task_name"] == "app.tasks.first")
        .unwrap();
    // (Postgres's JSONB keeps keys in its own order.)
    assert_eq!(first["kwargs"]["text"], "quote \" and é");
    assert_eq!(first["kwargs"]["n"].to_string(), "1.50");

    // A reader that takes the first bytes and goes.
    let mut child = crate::support::std_cmd(db.dir.path())
        .env("DATABASE_URL", &db.url)
        .args(["schedule", "list", "--output", "json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut head = [0u8; 64];
    std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut head).unwrap();
    assert!(
        head.starts_with(b"[\n  {"),
        "{}",
        String::from_utf8_lossy(&head)
    );
    drop(child.stdout.take());
    let done = child.wait_with_output().unwrap();
    assert_eq!(
        done.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&done.stderr), "");
}

both_backends!(
    add_keeps_the_last_run_it_is_given,
    long_json_lists_are_written_whole_or_stop_quietly,
    add_prints_the_documented_json,
    list_show_update_enable_disable_delete,
    next_follows_the_cron_contract,
    table_output_is_readable,
    migrate_reports_and_is_idempotent,
);
