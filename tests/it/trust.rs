//! What a new operator trips over first, through the real binary on both backends: adding the
//! same job twice, short task names, names that must not move, writes that change nothing.

use serde_json::Value;

use crate::both_backends;
use crate::support::{Subscriber, TestDb, redis_url, unique_channel};

/// The README's first command.
const README_ADD: [&str; 10] = [
    "schedule",
    "add",
    "--task",
    "app.tasks.fetch_listed_info_task_asyncpg",
    "--cron",
    "0 18 * * mon-fri",
    "--tz",
    "Asia/Tokyo",
    "--param",
    "period_type=daily",
];

const TASK: &str = "app.tasks.fetch_listed_info_task_asyncpg";

fn with(base: &[&str], extra: &[&str]) -> Vec<String> {
    base.iter().chain(extra).map(|s| s.to_string()).collect()
}

/// Writes `text` as `name` in the test's directory and applies it: refused with exit 3 and
/// nothing written. Returns stderr.
fn apply_refused(db: &TestDb, name: &str, text: &str) -> String {
    let doc = db.dir.path().join(name);
    std::fs::write(&doc, text).unwrap();
    let before = db.snapshot();
    let (code, _, err) = db.run(&["apply", "-f", doc.to_str().unwrap(), "--yes"]);
    assert_eq!(code, 3, "{err}");
    assert_eq!(db.snapshot(), before, "nothing was written");
    err
}

fn run(db: &TestDb, args: &[String]) -> (i32, String, String) {
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    db.run(&refs)
}

async fn the_same_add_twice_is_refused_or_idempotent(db: TestDb) {
    let (code, _, err) = db.run(&README_ADD);
    assert_eq!(code, 0, "{err}");
    let before = db.snapshot();
    let (code, out, err) = db.run(&README_ADD);
    assert_eq!(code, 5, "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("'fetch_listed_info_weekdays_1800'")
            && err.contains("already does this job")
            && err.contains("--allow-duplicate")
            && err.contains("--if-not-exists"),
        "{err}"
    );
    assert_eq!(db.snapshot(), before, "nothing was written");
    // The JSON error names the kind.
    let (code, out, err) = run(&db, &with(&README_ADD, &["-o", "json"]));
    assert_eq!(code, 5);
    let doc: Value = serde_json::from_str(if out.trim().is_empty() { &err } else { &out })
        .unwrap_or_else(|e| panic!("{e}: {out} / {err}"));
    assert_eq!(doc["error"]["kind"], "conflict");
    // --if-not-exists: exit 0, the existing schedule, nothing written.
    let existing = db.json(
        &with(&README_ADD, &["--if-not-exists"])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert_eq!(existing["name"], "fetch_listed_info_weekdays_1800");
    let (code, out, _) = run(&db, &with(&README_ADD, &["--if-not-exists"]));
    assert_eq!(code, 0);
    assert!(
        out.contains("already does this job; nothing was written"),
        "{out}"
    );
    assert_eq!(db.snapshot(), before);
    // The same job spelled differently is still the same job.
    let (code, _, err) = db.run(&[
        "schedule",
        "add",
        "--task",
        TASK,
        "--cron",
        "0 18 * * 1-5",
        "--tz",
        "Asia/Tokyo",
        "--kwargs",
        r#"{"period_type": "daily"}"#,
        "--name",
        "other-name",
        "--category",
        "x",
    ]);
    assert_eq!(
        code, 5,
        "a new name or category does not make a new job: {err}"
    );
    // Another zone or other arguments are another job.
    let (code, _, err) = run(
        &db,
        &with(
            &README_ADD[..7],
            &["Europe/Paris", "--param", "period_type=daily"],
        ),
    );
    assert_eq!(code, 0, "{err}");
    // A second copy on purpose gets its own name.
    let dup = db.json(
        &with(&README_ADD, &["--allow-duplicate"])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert_eq!(dup["name"], "fetch_listed_info_weekdays_1800_3");
    let (code, _, err) = run(
        &db,
        &with(&README_ADD, &["--allow-duplicate", "--if-not-exists"]),
    );
    assert_eq!(code, 2, "the two flags contradict each other: {err}");
}

async fn short_task_names_resolve_to_their_definition(db: TestDb) {
    let schema = db.dir.path().join("schema.json");
    std::fs::write(
        &schema,
        r#"{"type":"object","properties":{"period_type":{"enum":["daily","weekly"]}},"additionalProperties":false}"#,
    )
    .unwrap();
    db.json(&["task", "define", TASK, "--schema", schema.to_str().unwrap()]);
    let before = db.snapshot();
    let (code, _, err) = db.run(&[
        "schedule",
        "add",
        "--task",
        "fetch_listed_info_task_asyncpg",
        "--cron",
        "0 9 * * *",
        "--param",
        "period_type=dayly",
        "--param",
        "bogus=1",
    ]);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("/period_type") && err.contains("bogus") && err.contains(TASK),
        "{err}"
    );
    assert_eq!(db.snapshot(), before);
    let s = db.json(&[
        "schedule",
        "add",
        "--task",
        "fetch_listed_info_task_asyncpg",
        "--cron",
        "0 9 * * *",
        "--param",
        "period_type=daily",
    ]);
    assert_eq!(s["task_name"], TASK, "stored under its full name");
    // update --task: the same.
    let other = db.json(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.x",
        "--cron",
        "@daily",
    ]);
    let id = other["id"].as_str().unwrap();
    let before = db.snapshot();
    let (code, _, err) = db.run(&[
        "schedule",
        "update",
        id,
        "--task",
        "fetch_listed_info_task_asyncpg",
        "--param",
        "bogus=1",
    ]);
    assert_eq!(code, 3, "{err}");
    assert_eq!(db.snapshot(), before);
    let moved = db.json(&[
        "schedule",
        "update",
        id,
        "--task",
        "fetch_listed_info_task_asyncpg",
        "--param",
        "period_type=weekly",
    ]);
    assert_eq!(moved["task_name"], TASK);
    // apply: the same.
    let doc = db.dir.path().join("doc.yaml");
    let err = apply_refused(
        &db,
        "doc.yaml",
        "schedules:\n  from-doc:\n    task: fetch_listed_info_task_asyncpg\n    cron: '@hourly'\n    kwargs:\n      bogus: 1\n",
    );
    assert!(err.contains("bogus"), "{err}");
    std::fs::write(
        &doc,
        "schedules:\n  from-doc:\n    task: fetch_listed_info_task_asyncpg\n    cron: '@hourly'\n    kwargs:\n      period_type: daily\n",
    )
    .unwrap();
    db.json(&["apply", "-f", doc.to_str().unwrap(), "--yes"]);
    assert_eq!(
        db.json(&["schedule", "show", "from-doc"])["task_name"],
        TASK
    );
    // A name that matches no definition is stored as given, and the output says so.
    let (code, _, err) = db.run(&[
        "schedule",
        "add",
        "--task",
        "fetch_listed_info_task_asyncpgg",
        "--cron",
        "@daily",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("note: no task definition applies to 'fetch_listed_info_task_asyncpgg'"),
        "{err}"
    );
    // A segment several definitions end in needs the full name.
    db.json(&[
        "task",
        "define",
        "billing.tasks.fetch_listed_info_task_asyncpg",
    ]);
    let before = db.snapshot();
    let (code, _, err) = db.run(&[
        "schedule",
        "add",
        "--task",
        "fetch_listed_info_task_asyncpg",
        "--cron",
        "@weekly",
    ]);
    assert_eq!(code, 4, "{err}");
    assert!(
        err.contains(TASK) && err.contains("billing.tasks.fetch_listed_info_task_asyncpg"),
        "{err}"
    );
    assert_eq!(db.snapshot(), before);
}

async fn names_stay_and_writes_that_change_nothing_write_nothing(db: TestDb) {
    let channel = unique_channel();
    let sub = Subscriber::start(&channel).await;
    let synced = |args: &[&str]| {
        let out = db
            .cmd()
            .env("REDIS_URL", redis_url())
            .env("CELERY_BEAT_REDIS_CHANNEL", &channel)
            .args(args)
            .args(["-o", "json"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let a = synced(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.report_task",
        "--cron",
        "@daily",
    ]);
    assert_eq!(a["name"], "report_daily");
    let moved = synced(&["schedule", "update", "report_daily", "--cron", "30 8 * * *"]);
    assert_eq!(moved["name"], "report_daily", "a name stays as it is");
    // The same value again: nothing written, no event.
    let same = synced(&["schedule", "update", "report_daily", "--cron", "30 8 * * *"]);
    assert_eq!(same["updated_at"], moved["updated_at"]);
    let (code, out, err) = db.run(&["schedule", "update", "report_daily", "--cron", "30 8 * * *"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("No changes:"), "{out}");
    let off = synced(&["schedule", "disable", "report_daily"]);
    let again = synced(&["schedule", "disable", "report_daily"]);
    assert_eq!(again[0]["updated_at"], off[0]["updated_at"]);
    let (code, out, _) = db.run(&["schedule", "disable", "report_daily"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("No changes: the schedule was already disabled"),
        "{out}"
    );
    // --regenerate-name renames on request.
    let renamed = synced(&["schedule", "update", "report_daily", "--regenerate-name"]);
    assert_eq!(renamed["name"], "report_daily_0830");
    // Events: add, the cron change, the disable, the rename; none for the no-ops.
    sub.wait_for(4).await;
    // Anything published for a no-op would have arrived by now.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let events = sub.wait_for(0).await;
    assert_eq!(events.len(), 4, "{events:#?}");
}

async fn both_day_fields_restricted_warns(db: TestDb) {
    let (code, _, err) = db.run(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.x",
        "--cron",
        "0 0 1 * mon",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("day-of-month (1) and day-of-week (mon)") && err.contains("EITHER"),
        "{err}"
    );
    let (_, _, err) = db.run(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.x",
        "--cron",
        "0 0 1 * *",
    ]);
    assert!(!err.contains("EITHER"), "{err}");
}

/// diagnose fails on a setting every command refuses, shows the refused value (not the default
/// nothing uses), and lists each warning once; `--check schedules` names each enabled schedule
/// that cannot run as stored, and `schedule list` marks it.
async fn diagnose_fails_when_the_commands_would(db: TestDb) {
    let out = db
        .cmd()
        .env("CELERY_TIMEZONE", "Mars/Base")
        .env("CELERY_BEAT_MIN_SYNC_INTERVAL", "-3")
        .args(["diagnose", "--check", "config"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(7), "{text}");
    assert!(text.contains("diagnose failed"), "{text}");
    assert!(
        text.contains("'-3'") && !text.contains("MIN_SYNC_INTERVAL = 5"),
        "{text}"
    );
    assert_eq!(
        text.matches("Mars/Base").count(),
        1,
        "each problem once: {text}"
    );
    let (code, _, _) = db.run(&["schedule", "list"]);
    assert_eq!(code, 0);
    let listed = db
        .cmd()
        .env("CELERY_TIMEZONE", "Mars/Base")
        .args(["schedule", "list"])
        .output()
        .unwrap();
    assert_eq!(listed.status.code(), Some(3), "the commands refuse it too");

    db.json(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.ok",
        "--cron",
        "@daily",
    ]);
    let bad = db.json(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.bad",
        "--cron",
        "@daily",
        "--name",
        "bad-hour",
    ]);
    let off = db.json(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.off",
        "--cron",
        "@daily",
        "--disabled",
    ]);
    let (code, out, _) = db.run(&["diagnose", "--check", "schedules"]);
    assert_eq!(code, 0, "{out}");
    db.exec(&format!(
        "UPDATE celery_beat_schedules SET cron_expression = '0 25 * * *' WHERE id IN ('{}', '{}')",
        bad["id"].as_str().unwrap(),
        off["id"].as_str().unwrap()
    ))
    .await;
    let (code, out, _) = db.run(&["diagnose", "--check", "schedules"]);
    assert_eq!(code, 7, "{out}");
    assert!(
        out.contains("1 of 2 enabled schedule(s) cannot run as stored")
            && out.contains("bad-hour")
            && out.contains("'25' is out of range"),
        "{out}"
    );
    let (code, out, _) = db.run(&["diagnose", "--check", "schedules", "-o", "json"]);
    assert_eq!(code, 7);
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["checks"][0]["status"], "fail", "{report}");
    assert_eq!(
        report["checks"][0]["details"].as_array().unwrap().len(),
        1,
        "{report}"
    );
    let (_, listed, _) = db.run(&["schedule", "list"]);
    assert!(listed.contains("cannot run"), "{listed}");
}

/// Every error has its documented exit code, wrapped or not; an ambiguous reference is JSON kind
/// `ambiguous` with its candidates; a too-short id prefix says so; a missing database or role
/// gets its own hint.
async fn errors_have_their_exit_codes_and_kinds(db: TestDb) {
    let out = db
        .cmd()
        .env("REDIS_URL", "redis://127.0.0.1:1")
        .args(["beat", "status"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{err}");
    assert!(err.contains("hint: check that Redis runs"), "{err}");

    let a = db.json(&[
        "schedule", "add", "--task", "a.b", "--cron", "@daily", "--name", "same",
    ]);
    let b = db.json(&[
        "schedule", "add", "--task", "a.c", "--cron", "@daily", "--name", "same",
    ]);
    let (code, _, err) = db.run(&["schedule", "show", "same", "-o", "json"]);
    assert_eq!(code, 4);
    let doc: Value = serde_json::from_str(err.trim()).unwrap();
    assert_eq!(doc["error"]["kind"], "ambiguous");
    let mut candidates = doc["error"]["candidates"].as_array().unwrap().clone();
    candidates.sort_by_key(|c| c["task_name"].as_str().unwrap().to_string());
    assert_eq!(
        Value::from(candidates),
        serde_json::json!([
            {"id": a["id"], "name": "same", "task_name": "a.b"},
            {"id": b["id"], "name": "same", "task_name": "a.c"},
        ])
    );
    let (code, _, err) = db.run(&["schedule", "show", "abc"]);
    assert_eq!(code, 4);
    assert!(err.contains("at least 4 hex digits"), "{err}");

    db.json(&["task", "define", "one.fetch"]);
    db.json(&["task", "define", "two.fetch"]);
    let (code, _, err) = db.run(&["task", "show", "fetch", "-o", "json"]);
    assert_eq!(code, 4, "{err}");
    let doc: Value = serde_json::from_str(err.trim()).unwrap();
    assert_eq!(doc["error"]["kind"], "ambiguous");
    assert_eq!(doc["error"]["candidates"].as_array().unwrap().len(), 2);

    let admin = crate::support::pg_admin_url();
    for (url, needle) in [
        (
            crate::support::with_database(&admin, "stockura_no_such_database"),
            "no such database",
        ),
        (
            admin.replacen(
                "postgres://postgres@",
                "postgres://stockura_no_such_role@",
                1,
            ),
            "refused this user",
        ),
    ] {
        if url == admin {
            continue;
        }
        let (code, _, err) = db.run(&["--database-url", &url, "schedule", "list"]);
        assert_eq!(code, 6, "{err}");
        assert!(err.contains(needle), "{url}: {err}");
    }
}

/// A document with seven problems of every stage reports all seven in one run, located, and in
/// JSON as an array of `{path, line, message}`; nothing is written.
async fn apply_lists_every_problem_at_once(db: TestDb) {
    let err = apply_refused(
        &db,
        "bad.yaml",
        "source: team a\nextra: 1\nschedules:\n  a:\n    task: t\n    crn: '@daily'\n  b:\n    task: t\n    cron: '61 * * * *'\n  c:\n    task: t\n    cron: '@daily'\n    timezone: Mars/Base\n  d:\n    task: t\n    cron: '@daily'\n    kwargs: 5\n  e:\n    task: t\n    cron: '@daily'\n  e:\n    task: t\n    cron: '@hourly'\n  fine:\n    task: t\n    cron: '@daily'\n",
    );
    assert!(err.contains("has 7 problems"), "{err}");
    for path in [
        "source (line 1)",
        "extra (line 2)",
        "schedules.a (line 4)",
        "schedules.b.cron (line 9)",
        "schedules.c.timezone (line 13)",
        "schedules.d",
        "schedules.e",
    ] {
        assert!(err.contains(path), "{path}: {err}");
    }
    let before = db.snapshot();
    let path = db.dir.path().join("bad.yaml");
    let (code, _, err) = db.run(&["apply", "-f", path.to_str().unwrap(), "--yes", "-o", "json"]);
    assert_eq!(code, 3);
    let doc: Value = serde_json::from_str(err.trim()).unwrap();
    let problems = doc["error"]["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 7, "{doc}");
    assert_eq!(problems[0]["path"], "source");
    assert_eq!(problems[0]["line"], 1);
    assert!(problems.iter().all(|p| p["message"].is_string()));
    assert_eq!(db.snapshot(), before);
}

async fn small_things_a_new_user_trips_over(db: TestDb) {
    // --kwargs from standard input and from a file, as `task validate` reads them.
    let out = db
        .cmd()
        .args([
            "schedule",
            "add",
            "--task",
            "app.tasks.x",
            "--cron",
            "@daily",
            "--kwargs",
            "-",
            "-o",
            "json",
        ])
        .write_stdin(r#"{"from": "stdin", "n": 12345678901234567890}"#)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["kwargs"]["from"], "stdin");
    assert_eq!(s["kwargs"]["n"].to_string(), "12345678901234567890");
    let file = db.dir.path().join("kwargs.json");
    std::fs::write(&file, r#"{"from": "file"}"#).unwrap();
    let f = db.json(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.y",
        "--cron",
        "@daily",
        "--kwargs",
        file.to_str().unwrap(),
    ]);
    assert_eq!(f["kwargs"]["from"], "file");
    let (code, _, err) = db.run(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.z",
        "--cron",
        "@daily",
        "--kwargs",
        "/nonexistent/kwargs.json",
    ]);
    assert_eq!(code, 3);
    assert!(err.contains("cannot read --kwargs file"), "{err}");

    // history: a deleted schedule's runs, readable status errors, -n 0.
    db.json(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.gone",
        "--cron",
        "* * * * *",
        "--name",
        "gone",
        "--last-run-at",
        "120s",
    ]);
    let (code, _, err) = db.run(&["run-beat", "--once", "--dry-run"]);
    assert_eq!(code, 0, "{err}");
    let out = db
        .cmd()
        .args(["schedule", "trigger", "gone"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        !err.contains("--dry-run"),
        "trigger has no --dry-run: {err}"
    );
    db.json(&["schedule", "delete", "gone", "--yes"]);
    let runs = db.json(&["history", "gone"]);
    assert!(!runs.as_array().unwrap().is_empty(), "{runs}");
    assert!(
        runs.as_array()
            .unwrap()
            .iter()
            .all(|r| r["schedule_name"] == "gone")
    );
    let (code, _, err) = db.run(&["history", "never-was"]);
    assert_eq!(code, 4, "{err}");
    let (code, _, err) = db.run(&["history", "--status", "bogus"]);
    assert_eq!(code, 3);
    assert!(
        err.contains("unknown run status 'bogus'")
            && err.contains("dispatched, missed")
            && err.contains("owed"),
        "{err}"
    );
    let (code, _, _) = db.run(&["history", "-n", "0"]);
    assert_eq!(code, 2);

    // --search folds case beyond ASCII on both backends.
    db.json(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.r",
        "--cron",
        "@daily",
        "--name",
        "Éclair-Übersicht",
    ]);
    for needle in ["éclair", "ÜBERSICHT", "Éclair"] {
        let found = db.json(&["schedule", "list", "--search", needle]);
        assert_eq!(found.as_array().unwrap().len(), 1, "{needle}: {found}");
    }

    // run-beat --once says what it did in table mode.
    let (code, out, err) = db.run(&["run-beat", "--once", "--dry-run"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("dispatched") && out.contains("dry run"),
        "{out}"
    );
}

/// `trigger --wait` prints the task id before it waits (here, for a result that never comes).
async fn trigger_wait_prints_the_task_id_first(db: TestDb) {
    db.json(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.nobody",
        "--cron",
        "@daily",
        "--name",
        "w",
    ]);
    let prefix = db.broker_prefix();
    let out = db
        .cmd()
        .env("CELERY_BROKER_URL", format!("{}/0", redis_url()))
        .env("CELERY_RESULT_BACKEND", format!("{}/0", redis_url()))
        .env("STOCKURA_BROKER_KEY_PREFIX", &prefix)
        .args(["schedule", "trigger", "w", "--wait", "--timeout", "1"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(7), "{err}");
    let sent = err.find("Sent 'w' as task ").expect("the id first");
    let timeout = err.find("no final result").expect("then the timeout");
    assert!(sent < timeout, "{err}");
}

both_backends!(
    the_same_add_twice_is_refused_or_idempotent,
    short_task_names_resolve_to_their_definition,
    names_stay_and_writes_that_change_nothing_write_nothing,
    both_day_fields_restricted_warns,
    diagnose_fails_when_the_commands_would,
    errors_have_their_exit_codes_and_kinds,
    apply_lists_every_problem_at_once,
    small_things_a_new_user_trips_over,
    trigger_wait_prints_the_task_id_first,
);
