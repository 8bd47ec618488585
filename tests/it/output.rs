//! What every command prints, table and JSON, through the real binary on a fresh SQLite
//! database, kept as `insta` snapshots: the JSON documents are a contract other programs read,
//! so a change to one byte shows up here.
//!
//! What varies from run to run is masked. Ids and recent instants keep their width, so tables
//! stay aligned: each id becomes a counter in the order the test created it
//! (`00000003-0000-4000-8000-…`, short form `00000003`), each instant within 60 days of now its
//! shape (`YYYY-MM-DDThh:mm:ss.ffffffZ`, `YYYY-MM-DD hh:mm JST`). The temp directory (`[dir]`),
//! the test Redis URL (`[redis]`) and, in `diagnose`, durations and the SQLite version are
//! replaced. Instants the test wrote itself lie in 2020 and 2021 and are kept.
//!
//! `cargo insta review` (or `INSTA_UPDATE=always`) accepts a deliberate change.

use std::path::Path;

use chrono::{NaiveDate, Utc};
use serde_json::Value;

use crate::support::{TestDb, redis_url};

/// One test's database and the ids it has seen, numbered in the order they appeared.
struct Scene {
    db: TestDb,
    ids: Vec<String>,
}

impl Scene {
    async fn new() -> Self {
        Self {
            db: TestDb::sqlite().await,
            ids: Vec::new(),
        }
    }

    /// Runs `args` with no extra environment and returns the snapshot text.
    fn shot(&mut self, args: &[&str]) -> String {
        self.shot_with(&[], args)
    }

    /// Runs `args` with `env` set and returns the command line, its exit code, stdout and
    /// stderr, masked.
    fn shot_with(&mut self, env: &[(&str, &str)], args: &[&str]) -> String {
        let mut cmd = self.db.cmd();
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.args(args).output().expect("run stockura");
        self.learn();
        let mut text = format!(
            "$ {}stockura {}\nexit: {}\n",
            env.iter()
                .map(|(k, v)| format!("{k}={v} "))
                .collect::<String>(),
            args.join(" "),
            out.status.code().unwrap_or(-1)
        );
        let stdout = String::from_utf8(out.stdout).expect("stdout is UTF-8");
        let stderr = String::from_utf8(out.stderr).expect("stderr is UTF-8");
        text.push_str("--- stdout\n");
        text.push_str(&stdout);
        if !stderr.is_empty() {
            text.push_str("--- stderr\n");
            text.push_str(&stderr);
        }
        self.mask(&text)
    }

    /// Runs `args` for its effect (setup); panics unless it exits 0.
    fn setup(&mut self, args: &[&str]) {
        self.db.stdout(args);
        self.learn();
    }

    /// Numbers the schedule and task ids not seen yet, in list order (one new at a time in
    /// these tests, so the numbers do not depend on the random ids).
    fn learn(&mut self) {
        for args in [
            ["schedule", "list", "--output", "json"],
            ["task", "list", "--output", "json"],
        ] {
            let out = self.db.cmd().args(args).output().expect("run stockura");
            let Ok(Value::Array(rows)) = serde_json::from_slice::<Value>(&out.stdout) else {
                continue;
            };
            for row in rows {
                if let Some(id) = row["id"].as_str()
                    && !self.ids.iter().any(|k| k == id)
                {
                    self.ids.push(id.to_string());
                }
            }
        }
    }

    fn mask(&self, text: &str) -> String {
        let mut text = text.to_string();
        for (n, id) in self.ids.iter().enumerate() {
            let fake = format!("{:08x}-0000-4000-8000-000000000000", n + 1);
            text = text.replace(id.as_str(), &fake);
            text = text.replace(&id[..8], &fake[..8]);
        }
        let text = text.replace(&redis_url(), "[redis]");
        // Who paused a schedule: `user@host`, the host this machine's.
        let text = text.replace(
            &format!("@{}", stockura::beat::dispatch::hostname()),
            "@[host]",
        );
        mask_dir(&mask_recent_times(&text), self.db.dir.path())
    }

    /// Raw SQL on the test database.
    async fn exec(&self, statement: &str) {
        self.db.exec(statement).await;
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.db.dir.path().join(name), text).expect("write a file");
    }
}

/// The test's temp directory (its path depends on the machine).
fn mask_dir(text: &str, dir: &Path) -> String {
    text.replace(&dir.display().to_string(), "[dir]")
}

/// Every instant (`2026-12-08T09:00:00+09:00`, `2026-12-07T07:10:47.044051Z`,
/// `2026-12-08 09:00 JST`, `2026-12-03 00:00:00`) whose date lies within 60 days of today,
/// written as its shape: digits become letters, a fraction of a second of any length
/// `.ffffff`, the zone is kept.
fn mask_recent_times(text: &str) -> String {
    let today = Utc::now().date_naive();
    let b = text.as_bytes();
    let digits = |at: usize, n: usize| {
        b.get(at..at + n)
            .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
    };
    let byte = |at: usize, c: u8| b.get(at) == Some(&c);
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut copied = 0;
    while i < b.len() {
        let starts = (i == 0 || !b[i - 1].is_ascii_digit())
            && digits(i, 4)
            && byte(i + 4, b'-')
            && digits(i + 5, 2)
            && byte(i + 7, b'-')
            && digits(i + 8, 2)
            && !b.get(i + 10).is_some_and(u8::is_ascii_digit);
        let date = starts
            .then(|| NaiveDate::parse_from_str(&text[i..i + 10], "%Y-%m-%d").ok())
            .flatten();
        if date.is_none_or(|d| (d - today).num_days().abs() > 60) {
            i += 1;
            continue;
        }
        out.push_str(&text[copied..i]);
        let mut shape = String::from("YYYY-MM-DD");
        let mut end = i + 10;
        if (byte(end, b'T') || byte(end, b' ')) && digits(end + 1, 2) && byte(end + 3, b':') {
            shape.push(b[end] as char);
            shape.push_str("hh:mm");
            end += 6;
            if byte(end, b':') && digits(end + 1, 2) {
                shape.push_str(":ss");
                end += 3;
            }
            if byte(end, b'.') && digits(end + 1, 1) {
                end += 1;
                while digits(end, 1) {
                    end += 1;
                }
                shape.push_str(".ffffff");
            }
        }
        out.push_str(&shape);
        i = end;
        copied = end;
    }
    out.push_str(&text[copied..]);
    out
}

/// Masks what the diagnostics measure: durations and the SQLite library's version.
fn diagnose_filters() -> insta::internals::SettingsBindDropGuard {
    let mut settings = insta::Settings::clone_current();
    // The duration ends a row: its padding follows the widest summary, which holds a path.
    settings.add_filter(r"(?m) +\d+ ms$", "  [n] ms");
    settings.add_filter(r#""duration_ms": \d+"#, r#""duration_ms": [n]"#);
    settings.add_filter(r"SQLite \d+\.\d+\.\d+", "SQLite [version]");
    settings.add_filter(
        r"stockura-test-beat:[0-9a-f]{16}",
        "stockura-test-beat:[hash]",
    );
    settings.bind_to_scope()
}

/// A schema for `app.tasks.fetch`.
const SCHEMA: &str = r#"{"type":"object","properties":{"n":{"type":"integer","maximum":100},"market":{"type":"string"}},"required":["n"]}"#;

/// Three runs written the way the scheduler writes them: sent (as Celery task `{task_id}`),
/// missed, skipped.
const RUNS: &str = "
INSERT INTO schedule_runs (schedule_id, schedule_name, task_name, celery_task_id, scheduled_for, dispatched_at, trigger, status, detail, args, kwargs, created_at)
SELECT id, name, task_name, '{task_id}', '2020-01-01T00:00:00.000000Z', '2020-01-01T00:00:00.012345Z', 'schedule', 'dispatched', NULL, '[1,2.5,\"x\"]', '{}', '2020-01-01T00:00:00.012345Z' FROM celery_beat_schedules WHERE name = 'nightly-report';
INSERT INTO schedule_runs (schedule_id, schedule_name, task_name, celery_task_id, scheduled_for, dispatched_at, trigger, status, detail, args, kwargs, created_at)
SELECT id, name, task_name, NULL, '2020-01-02T00:00:00.000000Z', NULL, 'catchup', 'missed', 'no scheduler ran', '[]', '{}', '2020-01-02T00:05:00.000000Z' FROM celery_beat_schedules WHERE name = 'nightly-report';
INSERT INTO schedule_runs (schedule_id, schedule_name, task_name, celery_task_id, scheduled_for, dispatched_at, trigger, status, detail, args, kwargs, created_at)
SELECT id, name, task_name, NULL, '2020-01-03T00:00:00.000000Z', NULL, 'schedule', 'skipped', 'previous run still running', '[]', '{\"n\":12}', '2020-01-03T00:00:00.100000Z' FROM celery_beat_schedules WHERE name = 'fetch_12_weekdays_0900';
";

/// A task with a schema and two schedules, one of them with history.
async fn seeded() -> Scene {
    let mut s = Scene::new().await;
    s.write("schema.json", SCHEMA);
    s.setup(&[
        "task",
        "define",
        "app.tasks.fetch",
        "--schema",
        "schema.json",
        "--category",
        "market-data",
        "--description",
        "Fetch the listed info",
    ]);
    s.setup(ADD_FETCH);
    s.setup(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.report",
        "--cron",
        "@daily",
        "--name",
        "nightly-report",
        "--args",
        r#"[1, 2.5, "x"]"#,
        "--tag",
        "reports",
    ]);
    // A task id of this test's own: the result backend is shared.
    let task_id = uuid::Uuid::new_v4().to_string();
    s.ids.push(task_id.clone());
    s.exec(&RUNS.replace("{task_id}", &task_id)).await;
    s
}

/// The id of the one sent run of [`seeded`].
fn sent_task_id(s: &Scene) -> String {
    s.ids.last().expect("seeded").clone()
}

/// `schedule add` of the fully-optioned schedule every scene starts from.
const ADD_FETCH: &[&str] = &[
    "schedule",
    "add",
    "--task",
    "app.tasks.fetch",
    "--cron",
    "0 9 * * 1-5",
    "--tz",
    "Asia/Tokyo",
    "-p",
    "n=12",
    "-p",
    "market=prime",
    "--category",
    "market-data",
    "--tag",
    "jp",
    "--tag",
    "nightly",
    "--policy",
    "skip",
    "--queue",
    "prices",
    "--priority",
    "3",
    "--expires",
    "120",
    "--description",
    "Fetch listed info",
];

macro_rules! snap {
    ($name:expr, $text:expr) => {
        insta::assert_snapshot!($name, $text)
    };
}

#[tokio::test]
async fn schedule_add_update_enable_disable_delete() {
    let mut s = Scene::new().await;
    snap!("schedule_add", s.shot(ADD_FETCH));
    let report = [
        "schedule",
        "add",
        "--task",
        "app.tasks.report",
        "--cron",
        "@daily",
        "--name",
        "nightly-report",
        "--args",
        r#"[1, 2.5, "x"]"#,
        "--tag",
        "reports",
    ];
    snap!(
        "schedule_add_json",
        s.shot(&[&report[..], &["-o", "json"]].concat())
    );
    snap!(
        "schedule_add_existing",
        s.shot(&[&report[..], &["--if-not-exists"]].concat())
    );
    snap!(
        "schedule_add_existing_json",
        s.shot(&[&report[..], &["--if-not-exists", "-o", "json"]].concat())
    );
    snap!(
        "schedule_add_disabled_json",
        s.shot(&[
            "schedule",
            "add",
            "--task",
            "app.tasks.cleanup",
            "--cron",
            "*/15 * * * *",
            "--name",
            "cleanup",
            "--disabled",
            "-o",
            "json",
        ])
    );
    snap!(
        "schedule_update",
        s.shot(&[
            "schedule",
            "update",
            "nightly-report",
            "--description",
            "The nightly report",
        ])
    );
    snap!(
        "schedule_update_json",
        s.shot(&[
            "schedule",
            "update",
            "nightly-report",
            "--priority",
            "5",
            "-o",
            "json"
        ])
    );
    snap!(
        "schedule_update_unchanged",
        s.shot(&["schedule", "update", "nightly-report", "--priority", "5"])
    );
    snap!(
        "schedule_update_unchanged_json",
        s.shot(&[
            "schedule",
            "update",
            "nightly-report",
            "--priority",
            "5",
            "-o",
            "json"
        ])
    );
    snap!(
        "schedule_disable",
        s.shot(&["schedule", "disable", "nightly-report"])
    );
    snap!(
        "schedule_disable_unchanged_json",
        s.shot(&["schedule", "disable", "nightly-report", "-o", "json"])
    );
    snap!(
        "schedule_enable_json",
        s.shot(&["schedule", "enable", "nightly-report", "-o", "json"])
    );
    snap!(
        "schedule_enable_unchanged",
        s.shot(&["schedule", "enable", "nightly-report"])
    );
    snap!(
        "schedule_enable_some",
        s.shot(&["schedule", "enable", "cleanup", "nightly-report"])
    );
    let pause = [
        "schedule",
        "pause",
        "nightly-report",
        "--reason",
        "backfill of 2020-12, see OPS-123",
        "--until",
        "2030-06-01T09:00:00Z",
    ];
    snap!("schedule_pause", s.shot_with(&[("USER", "ann")], &pause));
    snap!(
        "schedule_pause_unchanged_json",
        s.shot_with(&[("USER", "ann")], &[&pause[..], &["-o", "json"]].concat())
    );
    snap!(
        "schedule_pause_selection_dry_run",
        s.shot(&[
            "schedule",
            "pause",
            "--all",
            "--reason",
            "freeze",
            "--dry-run"
        ])
    );
    snap!("schedule_list_paused", s.shot(&["schedule", "list"]));
    snap!(
        "schedule_show_paused",
        s.shot(&["schedule", "show", "nightly-report"])
    );
    snap!(
        "schedule_resume_json",
        s.shot(&["schedule", "resume", "nightly-report", "-o", "json"])
    );
    s.setup(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.old",
        "--cron",
        "0 0 1 1 *",
        "--name",
        "old-one",
    ]);
    snap!(
        "schedule_delete",
        s.shot(&["schedule", "delete", "old-one", "--yes"])
    );
    s.setup(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.old",
        "--cron",
        "0 0 1 1 *",
        "--name",
        "old-two",
    ]);
    snap!(
        "schedule_delete_json",
        s.shot(&["schedule", "delete", "old-two", "--yes", "-o", "json"])
    );
}

#[tokio::test]
async fn schedule_list_show_next() {
    let mut s = seeded().await;
    // A row another program broke: it cannot run as stored.
    s.setup(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.broken",
        "--cron",
        "0 3 * * *",
        "--name",
        "broken",
    ]);
    s.exec("UPDATE celery_beat_schedules SET cron_expression = '0 25 * * *' WHERE name = 'broken'")
        .await;
    for format in ["table", "wide", "json"] {
        snap!(
            format!("schedule_list_{format}"),
            s.shot(&["schedule", "list", "-o", format])
        );
        snap!(
            format!("schedule_show_{format}"),
            s.shot(&["schedule", "show", "nightly-report", "-o", format])
        );
        snap!(
            format!("schedule_show_zoned_{format}"),
            s.shot(&["schedule", "show", "fetch_12_weekdays_0900", "-o", format])
        );
        snap!(
            format!("schedule_show_broken_{format}"),
            s.shot(&["schedule", "show", "broken", "-o", format])
        );
        snap!(
            format!("schedule_next_{format}"),
            s.shot(&[
                "schedule",
                "next",
                "--cron",
                "0 9 * * 1-5",
                "--tz",
                "Asia/Tokyo",
                "--after",
                "2021-03-06T00:00:00Z",
                "-n",
                "3",
                "-o",
                format,
            ])
        );
        snap!(
            format!("schedule_next_never_{format}"),
            s.shot(&["schedule", "next", "--cron", "0 0 30 2 *", "-o", format])
        );
    }
    snap!(
        "schedule_list_narrow",
        s.shot_with(&[("COLUMNS", "60")], &["schedule", "list"])
    );
    snap!(
        "schedule_show_narrow",
        s.shot_with(
            &[("COLUMNS", "50")],
            &["schedule", "show", "nightly-report"]
        )
    );
    snap!(
        "schedule_list_empty",
        s.shot(&["schedule", "list", "--task", "app.tasks.nothing"])
    );
}

#[tokio::test]
async fn task_define_list_show_validate_delete() {
    let mut s = Scene::new().await;
    s.write("schema.json", SCHEMA);
    snap!(
        "task_define",
        s.shot(&[
            "task",
            "define",
            "app.tasks.fetch",
            "--schema",
            "schema.json",
            "--category",
            "market-data",
            "--description",
            "Fetch the listed info",
        ])
    );
    snap!(
        "task_define_json",
        s.shot(&["task", "define", "app.tasks.report", "-o", "json"])
    );
    s.setup(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.report",
        "--cron",
        "@daily",
        "--name",
        "nightly-report",
        "-p",
        "n=500",
    ]);
    snap!(
        "task_define_replaced_json",
        s.shot(&[
            "task",
            "define",
            "app.tasks.report",
            "--schema",
            "schema.json",
            "--force",
            "-o",
            "json",
        ])
    );
    snap!(
        "task_define_replaced",
        s.shot(&[
            "task",
            "define",
            "app.tasks.report",
            "--description",
            "The nightly report",
        ])
    );
    for format in ["table", "wide", "json"] {
        snap!(
            format!("task_list_{format}"),
            s.shot(&["task", "list", "-o", format])
        );
        snap!(
            format!("task_show_{format}"),
            s.shot(&["task", "show", "app.tasks.report", "-o", format])
        );
        snap!(
            format!("task_validate_{format}"),
            s.shot(&[
                "task",
                "validate",
                "app.tasks.fetch",
                "-p",
                "n=5",
                "-o",
                format
            ])
        );
        snap!(
            format!("task_validate_invalid_{format}"),
            s.shot(&[
                "task",
                "validate",
                "app.tasks.fetch",
                "-p",
                "n=500",
                "-p",
                "market=1",
                "-o",
                format,
            ])
        );
    }
    snap!(
        "task_validate_no_schema",
        s.shot(&["task", "validate", "app.tasks.other", "-p", "n=5"])
    );
    snap!(
        "task_list_narrow",
        s.shot_with(&[("COLUMNS", "40")], &["task", "list"])
    );
    snap!(
        "task_show_no_schema",
        s.shot(&["task", "show", "app.tasks.fetch"])
    );
    s.setup(&["task", "define", "app.tasks.gone"]);
    snap!(
        "task_delete",
        s.shot(&["task", "delete", "app.tasks.gone", "--yes"])
    );
    s.setup(&["task", "define", "app.tasks.gone"]);
    snap!(
        "task_delete_json",
        s.shot(&["task", "delete", "app.tasks.gone", "--yes", "-o", "json"])
    );
    snap!(
        "task_list_empty",
        s.shot(&["task", "list", "--category", "nothing"])
    );
}

#[tokio::test]
async fn history_and_check() {
    let mut s = seeded().await;
    for format in ["table", "wide", "json"] {
        snap!(
            format!("history_{format}"),
            s.shot(&["history", "-o", format])
        );
        snap!(format!("check_{format}"), s.shot(&["check", "-o", format]));
    }
    snap!(
        "history_narrow",
        s.shot_with(&[("COLUMNS", "70")], &["history"])
    );
    // The sent run's result, as a Celery worker stores it (SETEX on the result backend).
    let backend = format!("{}/1", redis_url());
    let task_id = sent_task_id(&s);
    let meta = serde_json::json!({"status": "FAILURE",
        "result": {"exc_type": "ValueError", "exc_message": ["boom"], "exc_module": "builtins"},
        "traceback": "Traceback ...", "children": [], "date_done": "2020-01-01T00:00:03.250000+00:00",
        "task_id": task_id});
    let client = redis::Client::open(backend.clone()).expect("redis url");
    let mut conn = client
        .get_multiplexed_async_connection()
        .await
        .expect("test Redis reachable");
    let _: () = redis::cmd("SETEX")
        .arg(format!("celery-task-meta-{task_id}"))
        .arg(120)
        .arg(meta.to_string())
        .query_async(&mut conn)
        .await
        .expect("SETEX");
    let with_results = [("CELERY_RESULT_BACKEND", backend.as_str())];
    for format in ["table", "json"] {
        snap!(
            format!("history_results_{format}"),
            s.shot_with(
                &with_results,
                &["history", "--status", "dispatched", "-o", format]
            )
        );
        snap!(
            format!("schedule_list_results_{format}"),
            s.shot_with(&with_results, &["schedule", "list", "-o", format])
        );
        snap!(
            format!("check_results_{format}"),
            s.shot_with(&with_results, &["check", "-o", format])
        );
    }
    snap!(
        "schedule_show_results",
        s.shot_with(&with_results, &["schedule", "show", "nightly-report"])
    );
    snap!("history_empty", s.shot(&["history", "--status", "failed"]));
    // One schedule whose slots stopped going out in 2020, one that cannot run.
    s.setup(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.cleanup",
        "--cron",
        "*/15 * * * *",
        "--name",
        "cleanup",
    ]);
    s.setup(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.broken",
        "--cron",
        "0 3 * * *",
        "--name",
        "broken",
    ]);
    s.exec(
        "UPDATE celery_beat_schedules SET updated_at = '2020-01-01T00:00:00.000000Z', \
         last_run_at = '2020-01-01T00:00:00.000000Z' WHERE name = 'cleanup';
         UPDATE celery_beat_schedules SET cron_expression = '0 25 * * *' WHERE name = 'broken';",
    )
    .await;
    for format in ["table", "json"] {
        snap!(
            format!("check_unhealthy_{format}"),
            s.shot(&["check", "-o", format])
        );
    }
    snap!(
        "check_nothing",
        s.shot(&["check", "--task", "app.tasks.nothing"])
    );
}

/// A backfill's plan over the seeded history: a slot dispatched (not sent), one missed (taken
/// over), two with no run (sent). A dry run needs no broker and writes nothing.
#[tokio::test]
async fn schedule_backfill_dry_run() {
    let mut s = seeded().await;
    let args = [
        "schedule",
        "backfill",
        "nightly-report",
        "--from",
        "2019-12-31T00:00:00Z",
        "--to",
        "2020-01-04T00:00:00Z",
        "--dry-run",
    ];
    snap!("schedule_backfill_dry_run", s.shot(&args));
    snap!(
        "schedule_backfill_dry_run_json",
        s.shot(&[&args[..], &["-o", "json"]].concat())
    );
}

#[tokio::test]
async fn export_and_apply() {
    let mut s = seeded().await;
    snap!("export_yaml", s.shot(&["schedule", "export"]));
    snap!(
        "export_json",
        s.shot(&[
            "schedule",
            "export",
            "--format",
            "json",
            "--with-tasks",
            "-o",
            "json"
        ])
    );
    s.write(
        "plan.yaml",
        "source: team-a\nschedules:\n  planned:\n    task: app.tasks.planned\n    cron: \"30 6 * * *\"\n    kwargs: {n: 3}\n",
    );
    s.write(
        "plan2.yaml",
        "source: team-a\ntasks:\n  app.tasks.planned:\n    description: Planned work\nschedules:\n  planned:\n    task: app.tasks.planned\n    cron: \"45 6 * * *\"\n    kwargs: {n: 4}\n  planned2:\n    task: app.tasks.planned\n    cron: \"0 7 * * *\"\n",
    );
    s.write(
        "plan3.yaml",
        "source: team-a\nschedules:\n  planned2:\n    task: app.tasks.planned\n    cron: \"0 7 * * *\"\n",
    );
    snap!(
        "apply_plan",
        s.shot(&["apply", "-f", "plan.yaml", "--dry-run"])
    );
    snap!(
        "apply_plan_json",
        s.shot(&["apply", "-f", "plan.yaml", "--dry-run", "-o", "json"])
    );
    snap!("apply", s.shot(&["apply", "-f", "plan.yaml", "--yes"]));
    snap!(
        "apply_plan_update",
        s.shot(&["apply", "-f", "plan2.yaml", "--dry-run"])
    );
    snap!(
        "apply_plan_update_json",
        s.shot(&["apply", "-f", "plan2.yaml", "--dry-run", "-o", "json"])
    );
    snap!(
        "apply_json",
        s.shot(&["apply", "-f", "plan2.yaml", "--yes", "-o", "json"])
    );
    snap!(
        "apply_unchanged",
        s.shot(&["apply", "-f", "plan2.yaml", "--dry-run"])
    );
    snap!(
        "apply_unchanged_json",
        s.shot(&["apply", "-f", "plan2.yaml", "--dry-run", "-o", "json"])
    );
    snap!(
        "apply_prune_json",
        s.shot(&[
            "apply",
            "-f",
            "plan3.yaml",
            "--prune",
            "--dry-run",
            "-o",
            "json"
        ])
    );
    snap!(
        "apply_prune",
        s.shot(&["apply", "-f", "plan3.yaml", "--prune", "--yes"])
    );
}

#[tokio::test]
async fn diagnose_and_beat_status() {
    let mut s = seeded().await;
    let _filters = diagnose_filters();
    snap!("diagnose", s.shot(&["diagnose"]));
    snap!("diagnose_json", s.shot(&["diagnose", "-o", "json"]));
    snap!(
        "diagnose_schedules_strict",
        s.shot(&["diagnose", "--check", "schedules", "--strict"])
    );
    snap!("beat_status", s.shot(&["beat", "status"]));
    snap!(
        "beat_status_json",
        s.shot(&["beat", "status", "-o", "json"])
    );
}

#[tokio::test]
async fn migrate() {
    let mut s = Scene::new().await;
    snap!("migrate", s.shot(&["migrate"]));
    snap!("migrate_current_json", s.shot(&["migrate", "-o", "json"]));
    snap!("migrate_current", s.shot(&["migrate"]));
    let mut fresh = Scene::new().await;
    snap!("migrate_json", fresh.shot(&["migrate", "-o", "json"]));
}

#[tokio::test]
async fn error_reports() {
    let mut s = seeded().await;
    s.setup(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.dup",
        "--cron",
        "0 1 * * *",
        "--name",
        "dup",
    ]);
    s.setup(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.dup",
        "--cron",
        "0 2 * * *",
        "--name",
        "dup",
        "--allow-duplicate",
    ]);
    for format in ["table", "json"] {
        snap!(
            format!("error_not_found_{format}"),
            s.shot(&["schedule", "show", "nosuch", "-o", format])
        );
        snap!(
            format!("error_ambiguous_{format}"),
            s.shot(&["schedule", "show", "dup", "-o", format])
        );
        snap!(
            format!("error_usage_{format}"),
            s.shot(&["schedule", "add", "--nope", "-o", format])
        );
        snap!(
            format!("error_invalid_{format}"),
            s.shot(&["schedule", "next", "--cron", "61 * * * *", "-o", format])
        );
        snap!(
            format!("error_task_violations_{format}"),
            s.shot(&[
                "schedule",
                "add",
                "--task",
                "app.tasks.fetch",
                "--cron",
                "@daily",
                "-p",
                "n=500",
                "-o",
                format,
            ])
        );
    }
}
