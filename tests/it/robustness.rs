//! Rows other programs wrote, concurrent writers, hostile input and secrets: the cases a
//! review found, pinned down on both backends.

use serde_json::{Value, json};

use crate::both_backends;
use crate::support::{TestDb, bare_cmd};

async fn rows_written_by_other_programs_stay_manageable(db: TestDb) {
    db.json(&["schedule", "list"]); // creates the SQLite schema
    let (ts, kwargs_as_string) = match db.backend {
        stockura::config::Backend::Postgres => ("now()", r#"'"{\"a\": 1}"'::jsonb"#),
        // SQLite's CHECK constraints keep malformed JSON out of stockura's own database.
        stockura::config::Backend::Sqlite => ("'2025-01-01 09:00:00'", "'{}'"),
    };
    let ids = [
        "0b7e6a52-4f0c-4a0e-9d44-6f1f0a000001",
        "0b7e6a52-4f0c-4a0e-9d44-6f1f0a000002",
        "0b7e6a52-4f0c-4a0e-9d44-6f1f0a000003",
    ];
    db.exec(
        &format!(
            "INSERT INTO celery_beat_schedules (id, name, task_name, cron_expression, timezone, kwargs, created_at, updated_at) VALUES
             ('{}', 'py_string_kwargs', 'app.tasks.x', '0 9 * * *', NULL, {kwargs_as_string}, {ts}, {ts}),
             ('{}', 'py_bad_tz', 'app.tasks.x', '0 9 * * *', 'Asia/Tokio', '{{}}', {ts}, {ts}),
             ('{}', 'py_bad_cron', 'app.tasks.x', '0 9 * *', NULL, '{{}}', {ts}, {ts})",
            ids[0], ids[1], ids[2]
        ),
    )
    .await;
    let list = db.json(&["schedule", "list"]);
    let by_name = |n: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == n)
            .cloned()
            .unwrap()
    };
    let strange = by_name("py_string_kwargs");
    let postgres = db.backend == stockura::config::Backend::Postgres;
    if postgres {
        assert!(
            strange["problems"][0]
                .as_str()
                .unwrap()
                .contains("kwargs: expected a JSON object, found a string"),
            "{strange}"
        );
    }
    let tz = by_name("py_bad_tz");
    assert_eq!(
        tz["timezone"], "Asia/Tokio",
        "the stored zone is reported, not replaced"
    );
    assert_eq!(tz["next_run_at"], Value::Null);
    assert!(
        tz["problems"][0]
            .as_str()
            .unwrap()
            .contains("not a known IANA zone"),
        "{tz}"
    );
    let cron = by_name("py_bad_cron");
    assert_eq!(cron["next_run_at"], Value::Null);
    assert!(
        cron["problems"][0]
            .as_str()
            .unwrap()
            .starts_with("cron_expression:"),
        "{cron}"
    );
    // Normal rows report no problems.
    db.json(&[
        "schedule", "add", "--task", "t", "--cron", "@daily", "--name", "fine",
    ]);
    assert_eq!(
        db.json(&["schedule", "show", "fine"])["problems"],
        json!([])
    );

    // An update must replace the unreadable column; writing it back empty is refused.
    if postgres {
        let before = db.snapshot();
        let (code, _, err) = db.run(&[
            "schedule",
            "update",
            "py_string_kwargs",
            "--description",
            "x",
        ]);
        assert_eq!(code, 3, "{err}");
        assert!(
            err.contains("cannot read") && err.contains("--kwargs"),
            "{err}"
        );
        assert_eq!(db.snapshot(), before);
    }
    let fixed = db.json(&[
        "schedule",
        "update",
        "py_string_kwargs",
        "--kwargs",
        r#"{"a": 1}"#,
    ]);
    assert_eq!(
        (fixed["kwargs"].clone(), fixed["problems"].clone()),
        (json!({"a": 1}), json!([]))
    );
    // The other broken rows can be fixed, disabled and deleted.
    let moved = db.json(&["schedule", "update", "py_bad_tz", "--tz", "Asia/Tokyo"]);
    assert!(moved["next_run_at"].as_str().unwrap().ends_with("+09:00"));
    db.json(&["schedule", "disable", "py_bad_cron"]);
    db.json(&["schedule", "delete", "py_bad_cron", "--yes"]);
    let (code, _, err) = db.run(&[
        "schedule",
        "next",
        "0b7e6a52-4f0c-4a0e-9d44-6f1f0a000002",
        "--tz",
        "UTC",
        "-n",
        "1",
        "-o",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
}

async fn concurrent_adds_never_share_a_generated_name(db: TestDb) {
    db.json(&["schedule", "list"]);
    let spawn = |extra: &[&str]| {
        crate::support::std_cmd(db.dir.path())
            .env("DATABASE_URL", &db.url)
            .args([
                "schedule",
                "add",
                "--task",
                "app.tasks.report_task",
                "--cron",
                "@daily",
                "-o",
                "json",
            ])
            .args(extra)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    // The same add eight times at once: one creates it, seven are refused as duplicates.
    let children: Vec<_> = (0..8).map(|_| spawn(&[])).collect();
    let codes: Vec<Option<i32>> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap().status.code())
        .collect();
    assert_eq!(
        codes.iter().filter(|c| **c == Some(0)).count(),
        1,
        "{codes:?}"
    );
    assert_eq!(
        codes.iter().filter(|c| **c == Some(5)).count(),
        7,
        "{codes:?}"
    );
    // Seven more at once, duplicates on purpose: each gets its own generated name.
    let children: Vec<_> = (0..7).map(|_| spawn(&["--allow-duplicate"])).collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let mut names: Vec<String> = db
        .json(&["schedule", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    let mut want: Vec<String> = std::iter::once("report_daily".to_string())
        .chain((2..=8).map(|n| format!("report_daily_{n}")))
        .collect();
    want.sort();
    assert_eq!(names, want);
}

async fn values_the_database_would_refuse_are_invalid_input(db: TestDb) {
    let before = db.snapshot();
    let long_task = format!("app.tasks.{}", "x".repeat(240));
    for (args, needle) in [
        (vec!["--kwargs", r#"{"a": "x\u0000y"}"#], "NUL"),
        (vec!["--param", "a=1e999999999"], "too large"),
        (vec!["--priority", "abc"], "priority abc"),
        (vec!["--priority", "99999999999999999999"], "out of range"),
        (vec!["--expires", "0"], "expires 0"),
        (vec!["--expires", "1e400"], "not a finite number"),
    ] {
        let mut full = vec![
            "schedule",
            "add",
            "--task",
            "app.tasks.x",
            "--cron",
            "@daily",
        ];
        full.extend(args.iter().copied());
        let (code, _, err) = db.run(&full);
        assert_eq!(code, 3, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    assert_eq!(db.snapshot(), before);
    // A generated name is shortened to fit the column, whatever the task name.
    let s = db.json(&["schedule", "add", "--task", &long_task, "--cron", "@daily"]);
    assert!(
        s["name"].as_str().unwrap().len() <= 240 && s["name"].as_str().unwrap().ends_with("_daily")
    );
    let s = db.json(&[
        "schedule",
        "add",
        "--task",
        &long_task,
        "--cron",
        "@daily",
        "--allow-duplicate",
    ]);
    assert!(s["name"].as_str().unwrap().ends_with("_daily_2"));
    // Expires spellings are normalised the same way on both backends.
    let e = db.json(&[
        "schedule",
        "add",
        "--task",
        "t",
        "--cron",
        "@daily",
        "--expires",
        "1e3",
    ]);
    assert_eq!(e["options"], json!({"expires": 1000}));
    let cleared = db.json(&[
        "schedule",
        "update",
        e["id"].as_str().unwrap(),
        "--clear-options",
        "--queue",
        "q",
    ]);
    assert_eq!(cleared["options"], json!({"queue": "q"}));
}

async fn task_filters_are_case_sensitive_on_both_backends(db: TestDb) {
    db.json(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.fetch_listed_info_task_asyncpg",
        "--cron",
        "@daily",
    ]);
    assert_eq!(
        db.json(&[
            "schedule",
            "list",
            "--task",
            "fetch_listed_info_task_asyncpg"
        ])
        .as_array()
        .unwrap()
        .len(),
        1
    );
    assert_eq!(
        db.json(&[
            "schedule",
            "list",
            "--task",
            "FETCH_LISTED_INFO_TASK_ASYNCPG"
        ]),
        json!([])
    );
    assert_eq!(
        db.json(&["schedule", "list", "--task", "asyncpg"]),
        json!([]),
        "a suffix must start at a dot"
    );
}

async fn usage_errors_follow_output_json(db: TestDb) {
    let (code, _, err) = db.run(&["schedule", "add", "--task", "x", "-o", "json"]);
    assert_eq!(code, 2);
    let doc: Value = serde_json::from_str(err.trim()).expect("one JSON object");
    assert_eq!(doc["error"]["kind"], "usage");
    assert!(
        doc["error"]["message"].as_str().unwrap().contains("--cron"),
        "{doc}"
    );
    let (code, _, err) = db.run(&["schedule", "add", "--task", "x"]);
    assert_eq!(code, 2);
    assert!(err.starts_with("error:"), "{err}");
}

both_backends!(
    rows_written_by_other_programs_stay_manageable,
    concurrent_adds_never_share_a_generated_name,
    values_the_database_would_refuse_are_invalid_input,
    task_filters_are_case_sensitive_on_both_backends,
    usage_errors_follow_output_json,
);

#[tokio::test]
async fn sqlite_rows_with_foreign_timestamps_can_be_updated() {
    let db = TestDb::sqlite().await;
    db.json(&["schedule", "list"]);
    db.exec(
        "INSERT INTO celery_beat_schedules (id, name, task_name, cron_expression, created_at, updated_at)
         VALUES ('0b7e6a52-4f0c-4a0e-9d44-6f1f0a000009', 'ext', 'app.tasks.x', '@daily', '2025-01-01 09:00:00', '2025-01-01 09:00:00')",
    )
    .await;
    let updated = db.json(&["schedule", "update", "ext", "--description", "hi"]);
    assert_eq!(updated["description"], "hi");
    assert_eq!(updated["created_at"], "2025-01-01T09:00:00Z");
    db.json(&["schedule", "update", "ext", "--description", "again"]);
}

/// `apply --prune` deletes a row only if it is unchanged since the plan read it. On SQLite a
/// row last written by another program keeps its timestamp in that program's form
/// (`2025-01-01 09:00:00`): it is compared by its instant, not as text, so the prune is not a
/// false conflict.
#[tokio::test]
async fn sqlite_rows_with_foreign_timestamps_can_be_pruned() {
    let db = TestDb::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let file = |text: &str| {
        let path = dir.path().join("team.yaml");
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let both = file(
        "source: team-a\nschedules:\n  a1:\n    task: app.tasks.a\n    cron: '@hourly'\n  a2:\n    task: app.tasks.a\n    cron: '@daily'\n",
    );
    db.json(&["apply", "-f", &both, "--yes"]);
    db.exec(
        "UPDATE celery_beat_schedules SET updated_at = '2025-01-01 09:00:00' WHERE name = 'a2'",
    )
    .await;
    let one =
        file("source: team-a\nschedules:\n  a1:\n    task: app.tasks.a\n    cron: '@hourly'\n");
    let (code, stdout, stderr) = db.run(&["apply", "-f", &one, "--prune", "--yes", "-o", "json"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let names: Vec<String> = db
        .json(&["schedule", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["a1"]);
}

#[tokio::test]
async fn a_python_created_sqlite_table_is_adopted() {
    let db = TestDb::sqlite().await;
    db.exec(
        "CREATE TABLE celery_beat_schedules (id CHAR(32) PRIMARY KEY, name VARCHAR(255) NOT NULL UNIQUE,
            task_name VARCHAR(255) NOT NULL, cron_expression VARCHAR(100) NOT NULL, enabled BOOLEAN,
            args JSON, kwargs JSON, description TEXT, created_at DATETIME, updated_at DATETIME);
         INSERT INTO celery_beat_schedules VALUES
            ('0b7e6a524f0c4a0e9d446f1f0a00000A', 'daily', 'app.tasks.x', '0 0 * * *', 1, '[1]', '{\"p\": \"d\"}', 'd', '2025-01-01 09:00:00.000000', NULL),
            ('0b7e6a524f0c4a0e9d446f1f0a00000B', 'weekly', 'app.tasks.x', '0 0 * * 0', NULL, NULL, NULL, NULL, '2025-01-02 09:00:00', '2025-01-03 09:00:00');",
    )
    .await;
    let report = db.json(&["migrate"]);
    assert_eq!(report["adopted_rows"], 2);
    let list = db.json(&["schedule", "list"]);
    assert_eq!(list[0]["id"], "0b7e6a52-4f0c-4a0e-9d44-6f1f0a00000a");
    assert_eq!(
        (list[0]["args"].clone(), list[0]["kwargs"].clone()),
        (json!([1]), json!({"p": "d"}))
    );
    assert_eq!(list[0]["updated_at"], list[0]["created_at"]);
    assert_eq!(
        (
            list[1]["args"].clone(),
            list[1]["kwargs"].clone(),
            list[1]["enabled"].clone()
        ),
        (json!([]), json!({}), json!(true))
    );
    // The unique constraint on name is gone, and adopted rows can be changed.
    db.json(&[
        "schedule", "add", "--task", "t", "--cron", "@daily", "--name", "daily",
    ]);
    db.json(&[
        "schedule",
        "update",
        "0b7e6a524f0c4a0e9d446f1f0a00000a",
        "--tag",
        "adopted",
    ]);
    assert_eq!(db.json(&["migrate"])["applied"], json!([]));
}

#[test]
fn secrets_never_appear_in_any_error() {
    let dir = tempfile::TempDir::new().unwrap();
    let cases: Vec<(Vec<(&str, String)>, &str)> = vec![
        (
            vec![(
                "DATABASE_URL",
                "postgres://app:pa/ss-Secret1@127.0.0.1:1/db".into(),
            )],
            "pa/ss-Secret1",
        ),
        (
            vec![(
                "DATABASE_URL",
                "postgres://app:p#ss-Secret2@127.0.0.1:1/db".into(),
            )],
            "ss-Secret2",
        ),
        (
            vec![(
                "DATABASE_URL",
                "host=db user=app password=Secret3 dbname=app".into(),
            )],
            "Secret3",
        ),
        (
            vec![("CELERY_BROKER_URL", "amqp:guest:Secret4@h".into())],
            "Secret4",
        ),
    ];
    for (env, secret) in cases {
        let mut cmd = bare_cmd(dir.path());
        for (k, v) in &env {
            cmd.env(k, v);
        }
        for format in ["table", "json"] {
            let out = cmd
                .args(["schedule", "list", "-o", format])
                .output()
                .unwrap();
            let all = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(!out.status.success());
            assert!(!all.contains(secret), "{secret} leaked: {all}");
        }
    }
    std::fs::write(
        dir.path().join(".env"),
        "DATABASE_URL=\"postgres://app:Hunter2Secret@db/app\n",
    )
    .unwrap();
    let out = bare_cmd(dir.path())
        .args(["schedule", "list"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        !err.contains("Hunter2Secret") && err.contains("line 1"),
        "{err}"
    );
}

#[tokio::test]
async fn the_python_spelling_of_database_url_works() {
    let db = TestDb::postgres().await;
    let python = db.url.replacen("postgres://", "postgresql+asyncpg://", 1);
    let out = db
        .cmd()
        .env("DATABASE_URL", python)
        .args([
            "schedule", "add", "--task", "t", "--cron", "@daily", "-o", "json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(db.json(&["schedule", "list"]).as_array().unwrap().len(), 1);
}

#[test]
fn previews_need_no_database_even_a_broken_one() {
    let dir = tempfile::TempDir::new().unwrap();
    let out = bare_cmd(dir.path())
        .env("DATABASE_URL", "mysql://nope")
        .args([
            "schedule",
            "next",
            "--cron",
            "@hourly",
            "--after",
            "2026-01-01T00:00:00Z",
            "-n",
            "1",
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
    assert_eq!(
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .replace([' ', '\n'], ""),
        r#"["2026-01-01T01:00:00+00:00"]"#
    );
}

#[tokio::test]
async fn updating_a_deleted_schedule_is_not_found() {
    use stockura::domain::{NameChoice, ScheduleInput};
    use stockura::store::{ScheduleStore, StoreError};
    for db in [TestDb::sqlite().await, TestDb::postgres().await] {
        let store = db.store().await;
        let input = ScheduleInput {
            task_name: "t".into(),
            cron_expression: "@daily".into(),
            enabled: true,
            ..Default::default()
        };
        let s = store
            .create_schedule(&input.validate(&[]).unwrap())
            .await
            .unwrap();
        store.delete_schedules(&[s.id]).await.unwrap();
        let err = store
            .update_schedule(&s, &NameChoice::Explicit("x".into()), s.updated_at)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    }
}
