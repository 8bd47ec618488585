//! Configuration as a user meets it: the embedded default, `.env`, precedence.

use serde_json::Value;

use std::path::Path;

use crate::support::{TestDb, bare_cmd, std_cmd};

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
    json(bare_cmd(dir.path()).arg("migrate"));
    assert!(dot_db.is_file(), ".env's DATABASE_URL is used");
    let add =
        json(bare_cmd(dir.path()).args(["schedule", "add", "--task", "t", "--cron", "0 9 * * *"]));
    assert_eq!(
        add["timezone"], "Asia/Tokyo",
        "CELERY_TIMEZONE from .env applies to zone-less schedules"
    );
    // The environment wins over .env.
    json(
        bare_cmd(dir.path())
            .env("DATABASE_URL", format!("sqlite://{}", env_db.display()))
            .arg("migrate"),
    );
    assert!(env_db.is_file());
    // --no-dotenv: neither value is read; the embedded default under HOME is used.
    let list = json(bare_cmd(dir.path()).args(["--no-dotenv", "schedule", "list"]));
    assert_eq!(list, serde_json::json!([]));
    // The flag beats everything.
    let flag_db = dir.path().join("flag.db");
    json(bare_cmd(dir.path()).args([
        "migrate",
        "--database-url",
        &format!("sqlite://{}", flag_db.display()),
    ]));
    assert!(flag_db.is_file());
}

/// `path`, `path-wal` and `path-shm`: none exists.
fn no_database_files(path: &Path) -> bool {
    ["", "-wal", "-shm"].iter().all(|suffix| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        !Path::new(&name).exists()
    })
}

#[test]
fn an_explicit_sqlite_url_must_name_an_existing_database() {
    let dir = tempfile::TempDir::new().unwrap();
    let typo = dir.path().join("typo.db");
    let url = format!("sqlite://{}", typo.display());
    let with_flag = |args: &[&str]| {
        let mut cmd = bare_cmd(dir.path());
        cmd.args(args).args(["--database-url", &url]);
        cmd
    };
    let with_env = |args: &[&str]| {
        let mut cmd = bare_cmd(dir.path());
        cmd.env("DATABASE_URL", &url).args(args);
        cmd
    };
    // A read, a write and the scheduler, by flag, environment and .env; table and JSON.
    let dotenv = dir.path().join("dotenv");
    std::fs::create_dir(&dotenv).unwrap();
    std::fs::write(dotenv.join(".env"), format!("DATABASE_URL={url}\n")).unwrap();
    let mut attempts = Vec::new();
    for args in [
        &["schedule", "list"][..],
        &["schedule", "add", "--task", "t", "--cron", "@daily"],
        &["task", "list", "-o", "json"],
        &["history"],
        &["run-beat", "--once", "--dry-run"],
    ] {
        attempts.push((format!("--database-url {args:?}"), with_flag(args)));
        attempts.push((format!("DATABASE_URL {args:?}"), with_env(args)));
        let mut cmd = bare_cmd(&dotenv);
        cmd.args(args);
        attempts.push((format!(".env {args:?}"), cmd));
    }
    for (what, mut cmd) in attempts {
        let out = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(6), "{what}: {stderr}");
        assert!(
            stderr.contains(&format!("no SQLite database at {}", typo.display()))
                && stderr.contains("create the database there with `stockura migrate`"),
            "{what}: {stderr}"
        );
        assert!(no_database_files(&typo), "{what} created a file");
    }
    // A relative path is named as given and in full.
    let out = bare_cmd(dir.path())
        .args(["schedule", "list", "--database-url", "sqlite://typo.db"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "no SQLite database at typo.db ({})",
            typo.display()
        )),
        "{stderr}"
    );
    // diagnose reports it as a failed check and creates nothing either.
    let out = with_env(&["diagnose", "--check", "database", "-o", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(7));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["checks"][0]["status"], "fail", "{doc}");
    assert!(no_database_files(&typo));
    // `stockura migrate` creates it; then every command uses it.
    let migrated = json(&mut with_env(&["migrate"]));
    assert!(typo.is_file(), "{migrated}");
    json(&mut with_flag(&[
        "schedule", "add", "--task", "t", "--cron", "@daily",
    ]));
    assert_eq!(
        json(bare_cmd(&dotenv).args(["schedule", "list"]))
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

/// Restores a path's mode when dropped, so that a failed test leaves a removable directory.
struct RestoreMode(std::path::PathBuf, u32);

impl Drop for RestoreMode {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&self.0, std::fs::Permissions::from_mode(self.1));
    }
}

fn chmod(path: &Path, mode: u32) -> RestoreMode {
    use std::os::unix::fs::PermissionsExt;
    let before = std::fs::metadata(path).unwrap().permissions().mode() & 0o7777;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    RestoreMode(path.to_path_buf(), before)
}

/// A SQLite database that cannot be written (the file, or its directory, or both belong to
/// someone else) is opened read-only: every read command works, every write command fails with
/// exit code 6 and a hint, never a panic, and nothing changes.
#[tokio::test]
async fn a_read_only_database_is_read_and_refuses_writes() {
    use std::os::unix::fs::MetadataExt;
    use std::os::unix::process::CommandExt;
    let home = tempfile::TempDir::new().unwrap();
    let _home_mode = chmod(home.path(), 0o755);
    let data = home.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let db = data.join("ro.db");
    let url = format!("sqlite://{}", db.display());
    let run = |uid: Option<u32>, args: &[&str]| {
        let mut cmd = std_cmd(home.path());
        cmd.env("DATABASE_URL", &url).args(args);
        if let Some(uid) = uid {
            cmd.uid(uid).gid(uid);
        }
        let out = cmd.output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    // A database with a task, a schedule and its history.
    for args in [
        &["migrate"][..],
        &["task", "define", "app.tasks.report"],
        &[
            "schedule",
            "add",
            "--task",
            "app.tasks.report",
            "--cron",
            "* * * * *",
            "--name",
            "report",
            "--last-run-at",
            "3m",
        ],
        &["run-beat", "--once", "--dry-run"],
    ] {
        let (code, _, stderr) = run(None, args);
        assert_eq!(code, 0, "{args:?}: {stderr}");
    }
    let check = |uid: Option<u32>, case: &str| {
        // The file and its log (an empty log, which a reader may create, is no change).
        let files = || {
            ["", "-wal"].map(|suffix| {
                let mut name = db.as_os_str().to_owned();
                name.push(suffix);
                std::fs::read(name).unwrap_or_default()
            })
        };
        let before = files();
        for (args, needle) in [
            (&["schedule", "list", "-o", "json"][..], "\"report\""),
            (&["schedule", "show", "report", "-o", "json"], "\"report\""),
            (&["task", "list", "-o", "json"], "app.tasks.report"),
            (
                &["task", "show", "app.tasks.report", "-o", "json"],
                "app.tasks.report",
            ),
            (&["history", "-o", "json"], "dry_run"),
            (&["schedule", "export"], "report:"),
            (&["migrate", "-o", "json"], "\"applied\": []"),
        ] {
            let (code, stdout, stderr) = run(uid, args);
            assert_eq!(code, 0, "{case}: {args:?}: {stderr}");
            assert!(stdout.contains(needle), "{case}: {args:?}: {stdout}");
        }
        for args in [
            &[
                "schedule",
                "add",
                "--task",
                "app.tasks.other",
                "--cron",
                "@daily",
            ][..],
            &["schedule", "disable", "report"],
            &["schedule", "delete", "report", "--yes"],
            &["task", "define", "app.tasks.other"],
            &["task", "delete", "app.tasks.report", "--yes", "--force"],
            &["run-beat", "--once", "--dry-run"],
        ] {
            let (code, _, stderr) = run(uid, args);
            assert_eq!(code, 6, "{case}: {args:?}: {stderr}");
            assert!(
                stderr.contains("the SQLite database is read-only")
                    && stderr.contains("hint: the database file or its directory is not writable"),
                "{case}: {args:?}: {stderr}"
            );
        }
        let (code, stdout, _) = run(uid, &["schedule", "list", "-o", "json"]);
        assert_eq!(code, 0);
        let list: Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(
            (list[0]["name"].clone(), list[0]["enabled"].clone()),
            ("report".into(), true.into()),
            "{case}"
        );
        let after = files();
        for (i, name) in ["file", "log"].iter().enumerate() {
            assert!(
                before[i] == after[i],
                "{case}: the database {name} changed ({} -> {} bytes)",
                before[i].len(),
                after[i].len()
            );
        }
    };
    // The file is not writable (even root, who could, honours its mode).
    {
        let _mode = chmod(&db, 0o444);
        check(None, "file 0444");
    }
    // The directory, where SQLite keeps the log and its index, is not writable.
    {
        let _mode = chmod(&data, 0o555);
        check(None, "directory 0555");
    }
    // Both belong to someone else, and the log's index is gone (every connection closed
    // cleanly): the file is read as it is.
    let root = std::fs::metadata(home.path()).unwrap().uid() == 0;
    if !root {
        eprintln!("skipped the other-user case: only root can run the binary as another user");
        return;
    }
    let nobody = 65534;
    if run(Some(nobody), &["--version"]).0 != 0 {
        eprintln!("skipped the other-user case: uid {nobody} cannot run the test binary here");
        return;
    }
    {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
    }
    let shm = data.join("ro.db-shm");
    assert!(!shm.exists(), "the last connection removes the index");
    check(Some(nobody), "another user's file");
    assert!(!shm.exists(), "a reader creates nothing");
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
