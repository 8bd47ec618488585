//! Configuration as a user meets it: the embedded default, `.env`, precedence.

use serde_json::Value;

use crate::support::{TestDb, bare_cmd};

fn json(cmd: &mut assert_cmd::Command) -> Value {
    let out = cmd.args(["--output", "json"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn embedded_default_needs_no_setup() {
    let dir = tempfile::TempDir::new().unwrap();
    let home = dir.path().join("data");
    let add = json(bare_cmd(dir.path()).env("STOCKURA_HOME", &home).args([
        "schedule",
        "add",
        "--task",
        "app.tasks.cleanup_task",
        "--cron",
        "*/15 * * * *",
    ]));
    assert_eq!(add["name"], "cleanup_every_15_minutes");
    assert!(
        home.join("stockura.db").is_file(),
        "the database is created in STOCKURA_HOME"
    );
    let list = json(
        bare_cmd(dir.path())
            .env("STOCKURA_HOME", &home)
            .args(["schedule", "list"]),
    );
    assert_eq!(list[0]["id"], add["id"]);
    // Without STOCKURA_HOME: the XDG data dir under HOME.
    json(bare_cmd(dir.path()).args(["schedule", "list"]));
    assert!(
        dir.path()
            .join(".local/share/stockura/stockura.db")
            .is_file()
    );
}

#[test]
fn dotenv_is_read_below_the_environment_and_can_be_skipped() {
    let dir = tempfile::TempDir::new().unwrap();
    let dot_db = dir.path().join("dot.db");
    let env_db = dir.path().join("env.db");
    std::fs::write(
        dir.path().join(".env"),
        format!(
            "# settings\nDATABASE_URL=sqlite://{}\nCELERY_TIMEZONE=Asia/Tokyo\n",
            dot_db.display()
        ),
    )
    .unwrap();
    let add =
        json(bare_cmd(dir.path()).args(["schedule", "add", "--task", "t", "--cron", "0 9 * * *"]));
    assert!(dot_db.is_file(), ".env's DATABASE_URL is used");
    assert_eq!(
        add["timezone"], "Asia/Tokyo",
        "CELERY_TIMEZONE from .env applies to zone-less schedules"
    );
    // The environment wins over .env.
    json(
        bare_cmd(dir.path())
            .env("DATABASE_URL", format!("sqlite://{}", env_db.display()))
            .args(["schedule", "list"]),
    );
    assert!(env_db.is_file());
    // --no-dotenv: neither value is read; the embedded default under HOME is used.
    let list = json(bare_cmd(dir.path()).args(["--no-dotenv", "schedule", "list"]));
    assert_eq!(list, serde_json::json!([]));
    // The flag beats everything.
    let flag_db = dir.path().join("flag.db");
    json(bare_cmd(dir.path()).args([
        "schedule",
        "list",
        "--database-url",
        &format!("sqlite://{}", flag_db.display()),
    ]));
    assert!(flag_db.is_file());
}

#[test]
fn bad_settings_are_invalid_input_naming_the_variable() {
    let dir = tempfile::TempDir::new().unwrap();
    for (var, value, needle) in [
        ("CELERY_TIMEZONE", "Mars/Olympus", "CELERY_TIMEZONE"),
        ("DATABASE_URL", "mysql://u:secretpw@h/db", "DATABASE_URL"),
        ("REDIS_URL", "http://h", "REDIS_URL"),
        (
            "CELERY_BEAT_REDIS_SYNC_ENABLED",
            "perhaps",
            "CELERY_BEAT_REDIS_SYNC_ENABLED",
        ),
        (
            "CELERY_BEAT_MIN_SYNC_INTERVAL",
            "0",
            "CELERY_BEAT_MIN_SYNC_INTERVAL",
        ),
    ] {
        let out = bare_cmd(dir.path())
            .env(var, value)
            .args(["schedule", "list"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{var}: {stderr}");
        assert!(
            stderr.contains(needle)
                && stderr.contains("(from environment)")
                && stderr.contains("hint:"),
            "{stderr}"
        );
        assert!(!stderr.contains("secretpw"), "{stderr}");
    }
}

#[test]
fn a_malformed_dotenv_is_reported_and_skippable() {
    let dir = tempfile::TempDir::new().unwrap();
    std::fs::write(dir.path().join(".env"), "DATABASE_URL='unterminated\n").unwrap();
    let out = bare_cmd(dir.path())
        .args(["schedule", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--no-dotenv"));
    assert!(
        bare_cmd(dir.path())
            .args(["--no-dotenv", "schedule", "list"])
            .output()
            .unwrap()
            .status
            .success()
    );
}

#[test]
fn a_malformed_dotenv_names_the_line_and_key_never_the_value() {
    let dir = tempfile::TempDir::new().unwrap();
    for (content, location) in [
        (
            "# settings\nDATABASE_URL postgres://u:S3cretPW@h/db\n",
            "line 2 (DATABASE_URL): no '=' after the name",
        ),
        (
            "CELERY_TIMEZONE=UTC\nKEY=\"S3cretPW\" extra\n",
            "line 2 (KEY): the value is malformed",
        ),
        (
            "A=1\nexport API_TOKEN='S3cretPW\nB=2\n",
            "line 2 (API_TOKEN): a quote in the value is never closed",
        ),
    ] {
        std::fs::write(dir.path().join(".env"), content).unwrap();
        for json in [false, true] {
            let mut cmd = bare_cmd(dir.path());
            cmd.args(["schedule", "list"]);
            if json {
                cmd.args(["-o", "json"]);
            }
            let out = cmd.output().unwrap();
            let (stdout, stderr) = (
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr),
            );
            assert_eq!(out.status.code(), Some(3), "{content:?}: {stderr}");
            assert!(
                !stdout.contains("S3cretPW") && !stderr.contains("S3cretPW"),
                "{content:?}: {stdout}{stderr}"
            );
            let message = if json {
                let doc: Value = serde_json::from_str(&stderr).unwrap();
                assert_eq!(doc["error"]["kind"], "invalid_input", "{doc}");
                assert!(doc["error"]["hint"].is_string(), "{doc}");
                doc["error"]["message"].as_str().unwrap().to_string()
            } else {
                assert!(stderr.contains("hint:"), "{stderr}");
                stderr.to_string()
            };
            assert!(
                message.contains(".env: ") && message.contains(location),
                "{content:?}: {message}"
            );
        }
    }
}

#[tokio::test]
async fn celery_timezone_applies_to_zone_less_schedules_only() {
    let db = TestDb::sqlite().await;
    let run = |args: &[&str]| -> Value {
        let out = db
            .cmd()
            .env("CELERY_TIMEZONE", "America/New_York")
            .args(args)
            .args(["-o", "json"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let default = run(&[
        "schedule",
        "add",
        "--task",
        "t",
        "--cron",
        "0 9 * * *",
        "--name",
        "d",
    ]);
    assert_eq!(default["timezone"], "America/New_York");
    let own = run(&[
        "schedule",
        "add",
        "--task",
        "t",
        "--cron",
        "0 9 * * *",
        "--name",
        "o",
        "--tz",
        "Europe/Berlin",
    ]);
    assert_eq!(own["timezone"], "Europe/Berlin");
    // The stored column stays NULL for the first: changing CELERY_TIMEZONE moves it.
    let later = db.json(&["schedule", "show", "d"]);
    assert_eq!(later["timezone"], "UTC");
}
