//! Bad input: one clear message, the documented exit code, and nothing written.

use serde_json::Value;

use crate::both_backends;
use crate::support::{TestDb, bare_cmd};

const INVALID: i32 = 3;
const NOT_FOUND: i32 = 4;
const USAGE: i32 = 2;
const UNAVAILABLE: i32 = 6;

/// Runs a command that must fail; returns stderr.
fn fails(db: &TestDb, args: &[&str], code: i32, needles: &[&str]) -> String {
    let out = db.cmd().args(args).output().expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(
        out.status.code(),
        Some(code),
        "stockura {args:?}: wrong exit code; stderr:\n{stderr}"
    );
    assert!(
        out.stdout.is_empty(),
        "stockura {args:?} printed data on failure: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    for needle in needles {
        assert!(
            stderr.contains(needle),
            "stockura {args:?}: stderr lacks {needle:?}:\n{stderr}"
        );
    }
    stderr
}

fn seed(db: &TestDb) -> Value {
    db.json(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.report_task",
        "--cron",
        "0 0 * * *",
        "--name",
        "keep",
        "--param",
        "a=1",
    ]);
    db.json(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.report_task",
        "--cron",
        "0 1 * * *",
        "--name",
        "twin",
    ]);
    db.json(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.report_task",
        "--cron",
        "0 2 * * *",
        "--name",
        "twin",
    ]);
    db.snapshot()
}

async fn invalid_add_and_update_input_writes_nothing(db: TestDb) {
    let before = seed(&db);
    let add = ["schedule", "add", "--task", "app.tasks.x"];
    let upd = ["schedule", "update", "keep"];
    let cases: Vec<(Vec<&str>, Vec<&str>)> = vec![
        (vec!["--cron", "61 * * * *"], vec!["minute", "hint:"]),
        (vec!["--cron", "* * * *"], vec!["hint:"]),
        (vec!["--cron", "0 0 1 * * 2026"], vec!["hint:"]),
        (vec!["--cron", "0 0 * * mon-"], vec!["day-of-week", "hint:"]),
        (vec!["--cron", "0 0 31 2 *"], vec!["never fires", "hint:"]),
        (vec!["--tz", "Mars/Olympus"], vec!["Mars/Olympus", "hint:"]),
        (
            vec!["--args", "{\"a\": 1}"],
            vec!["--args must be a JSON array", "hint:"],
        ),
        (
            vec!["--args", "[1,"],
            vec!["--args is not valid JSON", "hint:"],
        ),
        (
            vec!["--kwargs", "[1]"],
            vec!["--kwargs must be a JSON object", "hint:"],
        ),
        (
            vec!["--kwargs", "{oops}"],
            vec!["--kwargs is not valid JSON", "hint:"],
        ),
        (
            vec!["--param", "novalue"],
            vec!["--param 'novalue' has no '='", "hint:"],
        ),
        (vec!["--param", "=1"], vec!["empty key", "hint:"]),
        (
            vec!["--priority", "10"],
            vec!["priority 10 is out of range", "0", "9"],
        ),
        (
            vec!["--priority", "-1"],
            vec!["priority -1 is out of range"],
        ),
        (
            vec!["--expires", "-5"],
            vec!["expires -5 is negative", "hint:"],
        ),
        (vec!["--expires", "soon"], vec!["not a number of seconds"]),
        (
            vec!["--policy", "sometimes"],
            vec![
                "unknown execution policy 'sometimes'",
                "allow",
                "skip",
                "queue",
            ],
        ),
        (vec!["--tag", "two words"], vec!["invalid tag"]),
    ];
    for (extra, needles) in &cases {
        for base in [&add[..], &upd[..]] {
            let mut args = base.to_vec();
            args.extend(extra);
            if base == add && !extra.contains(&"--cron") {
                args.extend(["--cron", "* * * * *"]);
            }
            fails(&db, &args, INVALID, needles);
        }
    }
    // The cron error points at the offending field.
    let stderr = fails(
        &db,
        &["schedule", "add", "--task", "t", "--cron", "0 25 * * *"],
        INVALID,
        &["hour"],
    );
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert_eq!(
        db.snapshot(),
        before,
        "a rejected command changed the database"
    );
}

async fn refs_that_match_nothing_or_several(db: TestDb) {
    let before = seed(&db);
    for cmd in [
        vec!["schedule", "show"],
        vec!["schedule", "update", "--cron", "@daily"],
        vec!["schedule", "delete", "--yes"],
        vec!["schedule", "enable"],
        vec!["schedule", "next"],
    ] {
        let mut args = cmd.clone();
        args.insert(2, "missing");
        fails(
            &db,
            &args,
            NOT_FOUND,
            &["no schedule matches 'missing'", "hint:"],
        );
        let mut args = cmd.clone();
        args.insert(2, "twin");
        let stderr = fails(
            &db,
            &args,
            NOT_FOUND,
            &["'twin' matches 2 schedules", "hint:"],
        );
        let ids: Vec<String> = before
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["name"] == "twin")
            .map(|s| s["id"].as_str().unwrap().to_string())
            .collect();
        for id in ids {
            assert!(stderr.contains(&id), "candidate {id} not listed:\n{stderr}");
        }
    }
    // One bad REF among good ones deletes nothing.
    fails(
        &db,
        &["schedule", "delete", "keep", "missing", "--yes"],
        NOT_FOUND,
        &["missing"],
    );
    fails(
        &db,
        &["schedule", "disable", "keep", "twin"],
        NOT_FOUND,
        &["twin"],
    );
    assert_eq!(db.snapshot(), before);
}

async fn delete_without_terminal_needs_yes(db: TestDb) {
    let before = seed(&db);
    fails(
        &db,
        &["schedule", "delete", "keep"],
        USAGE,
        &["no terminal", "--yes"],
    );
    fails(
        &db,
        &["schedule", "update", "keep"],
        USAGE,
        &["nothing to update"],
    );
    assert_eq!(db.snapshot(), before);
}

async fn json_errors_are_one_object_on_stderr(db: TestDb) {
    let out = db
        .cmd()
        .args([
            "schedule", "add", "--task", "t", "--cron", "bad", "--output", "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(INVALID));
    let doc: Value = serde_json::from_slice(&out.stderr).expect("stderr is one JSON object");
    assert_eq!(doc["error"]["kind"], "invalid_input");
    assert_eq!(doc["error"]["code"], INVALID);
    assert!(doc["error"]["message"].as_str().unwrap().contains("bad"));
    assert!(doc["error"]["hint"].is_string());
}

async fn schedule_next_rejects_bad_input(db: TestDb) {
    fails(
        &db,
        &["schedule", "next", "--cron", "*/0 * * * *"],
        INVALID,
        &["minute"],
    );
    fails(
        &db,
        &["schedule", "next", "--cron", "@reboot"],
        INVALID,
        &["@reboot"],
    );
    fails(
        &db,
        &[
            "schedule",
            "next",
            "--cron",
            "* * * * *",
            "--tz",
            "Nowhere/City",
        ],
        INVALID,
        &["Nowhere/City"],
    );
    fails(
        &db,
        &[
            "schedule",
            "next",
            "--cron",
            "* * * * *",
            "--after",
            "yesterday",
        ],
        INVALID,
        &["--after 'yesterday'", "RFC 3339"],
    );
    fails(&db, &["schedule", "next"], USAGE, &["--cron"]);
}

both_backends!(
    invalid_add_and_update_input_writes_nothing,
    refs_that_match_nothing_or_several,
    delete_without_terminal_needs_yes,
    json_errors_are_one_object_on_stderr,
    schedule_next_rejects_bad_input,
);

#[tokio::test]
async fn unreachable_database_fails_fast_without_the_password() {
    let dir = tempfile::TempDir::new().unwrap();
    // Port 1 on loopback: nothing listens there.
    let url = "postgres://app:hunter2secret@127.0.0.1:1/app";
    for args in [
        vec!["schedule", "list"],
        vec!["migrate"],
        vec!["schedule", "add", "--task", "t", "--cron", "@daily"],
    ] {
        let out = bare_cmd(dir.path())
            .env("DATABASE_URL", url)
            .args(&args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(UNAVAILABLE), "{args:?}: {stderr}");
        assert!(
            stderr.contains("postgres://app:***@127.0.0.1:1/app"),
            "{stderr}"
        );
        assert!(stderr.contains("hint:"), "{stderr}");
        assert!(
            !stderr.contains("hunter2secret")
                && !String::from_utf8_lossy(&out.stdout).contains("hunter2secret")
        );
    }
    // Given on the command line instead, and with JSON errors: still redacted.
    let out = bare_cmd(dir.path())
        .args(["schedule", "list", "-o", "json", "--database-url", url])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(UNAVAILABLE));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("hunter2secret"));
}

#[test]
fn unusable_sqlite_path_is_unavailable() {
    let dir = tempfile::TempDir::new().unwrap();
    let out = bare_cmd(dir.path())
        .env("DATABASE_URL", "sqlite:///nonexistent-stockura-dir/x.db")
        .args(["schedule", "list"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(UNAVAILABLE), "{stderr}");
    assert!(
        stderr.contains("no SQLite database at /nonexistent-stockura-dir/x.db")
            && stderr.contains("stockura migrate"),
        "{stderr}"
    );
    // `migrate` creates a missing file, not a missing directory.
    let out = bare_cmd(dir.path())
        .env("DATABASE_URL", "sqlite:///nonexistent-stockura-dir/x.db")
        .arg("migrate")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(UNAVAILABLE), "{stderr}");
    assert!(
        stderr.contains("sqlite:///nonexistent-stockura-dir/x.db")
            && stderr.contains("directory exists"),
        "{stderr}"
    );
}

#[tokio::test]
async fn unmigrated_postgres_names_stockura_migrate() {
    let db = TestDb::postgres_empty().await;
    let password_url = db.url.replacen(
        "postgres://postgres@",
        "postgres://postgres:pw-not-shown@",
        1,
    );
    for args in [
        vec!["schedule", "list"],
        vec!["schedule", "add", "--task", "t", "--cron", "@daily"],
        vec!["schedule", "show", "x"],
    ] {
        let out = db
            .cmd()
            .env("DATABASE_URL", &password_url)
            .args(&args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(UNAVAILABLE), "{args:?}: {stderr}");
        assert!(
            stderr.contains("not migrated") && stderr.contains("stockura migrate"),
            "{stderr}"
        );
        assert!(!stderr.contains("pw-not-shown"), "{stderr}");
    }
    // Nothing was created by the refused commands.
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&db.url)
        .await
        .unwrap();
    let tables: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(tables, 0);
    // migrate reports what it did, then is idempotent.
    let first = db.json(&["migrate"]);
    assert_eq!(first["applied"], crate::support::all_migrations());
    assert_eq!(db.json(&["migrate"])["applied"], serde_json::json!([]));
    let out = db
        .cmd()
        .env("DATABASE_URL", &password_url)
        .args(["migrate"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("up to date") && stdout.contains("postgres:***@"),
        "{stdout}"
    );
    assert!(!stdout.contains("pw-not-shown"));
}
