//! `schedule pause` and `resume` (and `disable`/`enable`, the same operation without a reason)
//! through the real binary: what is recorded and shown, what is refused, bulk selections, dry
//! runs, change events, and one transaction per command.

use serde_json::{Value, json};

use crate::both_backends;
use crate::support::{Subscriber, TestDb, redis_url, unique_channel};

/// This machine's host name, as stockura records it in `paused_by`.
fn host() -> String {
    stockura::beat::dispatch::hostname()
}

fn add(db: &TestDb, name: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "schedule",
        "add",
        "--task",
        "app.tasks.report",
        "--cron",
        "0 * * * *",
        "--name",
        name,
        "--allow-duplicate",
    ];
    args.extend_from_slice(extra);
    db.json(&args)
}

/// Runs `args` as user `user`; returns the exit code, stdout and stderr.
fn run_as(db: &TestDb, user: &str, args: &[&str]) -> (i32, String, String) {
    let out = db
        .cmd()
        .env("USER", user)
        .args(args)
        .output()
        .expect("run stockura");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// Runs `args` as `user` with `--output json`; panics unless it exits 0.
fn json_as(db: &TestDb, user: &str, args: &[&str]) -> Value {
    let (code, out, err) = run_as(db, user, &[args, &["--output", "json"]].concat());
    assert_eq!(code, 0, "{args:?}: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"))
}

fn shown(db: &TestDb, name: &str) -> Value {
    db.json(&["schedule", "show", name])
}

const PAUSE_FIELDS: [&str; 5] = [
    "paused_at",
    "paused_by",
    "pause_reason",
    "paused_until",
    "resumed_at",
];

async fn pause_and_resume_record_and_show_who_when_why_and_until(db: TestDb) {
    add(&db, "a", &[]);
    add(&db, "b", &[]);
    let fresh = shown(&db, "a");
    assert_eq!(fresh["state"], "enabled");
    for field in PAUSE_FIELDS {
        assert_eq!(fresh[field], Value::Null, "{field}");
    }

    let until = "2030-06-01T09:00:00Z";
    let paused = json_as(
        &db,
        "ann",
        &[
            "schedule",
            "pause",
            "a",
            "--reason",
            "  backfill, see OPS-1 ",
            "--until",
            until,
        ],
    );
    let a = &paused[0];
    assert_eq!(
        (
            &a["state"],
            &a["enabled"],
            &a["pause_reason"],
            &a["paused_until"]
        ),
        (
            &json!("paused"),
            &json!(false),
            &json!("backfill, see OPS-1"),
            &json!(until)
        )
    );
    assert_eq!(a["paused_by"], json!(format!("ann@{}", host())));
    assert!(
        a["paused_at"].is_string() && a["resumed_at"].is_null(),
        "{a:#}"
    );
    // It runs again from its first slot after the until.
    assert_eq!(a["next_run_at"], "2030-06-01T10:00:00+00:00");
    let show = db.stdout(&["schedule", "show", "a"]);
    for text in [
        "enabled      paused",
        &format!("by ann@{}", host()),
        "reason       backfill, see OPS-1",
        "until        2030-06-01 09:00 UTC",
        "  2030-06-01 10:00 UTC",
    ] {
        assert!(show.contains(text), "{text:?} in:\n{show}");
    }
    // `--paused` lists the paused ones only; a plain disable is not a pause.
    add(&db, "c", &[]);
    db.json(&["schedule", "disable", "c"]);
    let names = |args: &[&str]| -> Vec<String> {
        let mut full = vec!["schedule", "list"];
        full.extend_from_slice(args);
        db.json(&full)
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(&["--paused"]), ["a"]);
    assert_eq!(names(&["--disabled"]), ["a", "c"]);
    db.json(&["schedule", "delete", "c", "--yes"]);
    let list = db.stdout(&["schedule", "list"]);
    let line = list.lines().find(|l| l.contains(" a ")).unwrap();
    assert!(line.contains("paused"), "{list}");
    assert!(
        line.trim_end()
            .ends_with("backfill, see OPS-1 (until 2030-06-01 09:00 UTC)"),
        "{list}"
    );
    let b_line = list.lines().find(|l| l.contains(" b ")).unwrap();
    assert!(
        b_line.contains(" yes ") && b_line.trim_end().ends_with('-'),
        "{list}"
    );

    // The same pause again, and a plain disable of the paused schedule: nothing written.
    let (code, out, _) = run_as(
        &db,
        "bob",
        &[
            "schedule",
            "pause",
            "a",
            "--reason",
            "backfill, see OPS-1",
            "--until",
            until,
        ],
    );
    assert_eq!(code, 0);
    assert!(
        out.starts_with("No changes: the schedule was already paused so; nothing was written."),
        "{out}"
    );
    let (code, out, _) = run_as(&db, "bob", &["schedule", "disable", "a"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("No changes"), "{out}");
    assert_eq!(shown(&db, "a")["updated_at"], a["updated_at"]);
    assert_eq!(shown(&db, "a")["paused_by"], a["paused_by"]);

    // Another reason is a change; resume switches it on and clears the pause.
    let repaused = json_as(
        &db,
        "bob",
        &["schedule", "pause", "a", "--reason", "db upgrade"],
    );
    assert_eq!(repaused[0]["paused_until"], Value::Null);
    assert_eq!(
        repaused[0]["next_run_at"],
        Value::Null,
        "no until: no next run"
    );
    let (code, out, _) = run_as(&db, "bob", &["schedule", "resume", "a"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("Resumed 1 schedule."), "{out}");
    let a = shown(&db, "a");
    assert_eq!(
        (&a["state"], &a["enabled"]),
        (&json!("enabled"), &json!(true))
    );
    for field in &PAUSE_FIELDS[..4] {
        assert_eq!(a[field], Value::Null, "{field}");
    }
    assert!(
        a["resumed_at"].is_string() && a["next_run_at"].is_string(),
        "{a:#}"
    );
    // Resuming what runs writes nothing.
    let (code, out, _) = run_as(&db, "bob", &["schedule", "resume", "a"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("No changes: the schedule was already enabled; nothing was written."),
        "{out}"
    );
    assert_eq!(shown(&db, "a")["updated_at"], a["updated_at"]);

    // disable: who and when, no reason; the list says `no`, not paused.
    let disabled = json_as(&db, "cy", &["schedule", "disable", "b"]);
    assert_eq!(
        (&disabled[0]["state"], &disabled[0]["pause_reason"]),
        (&json!("disabled"), &Value::Null)
    );
    assert_eq!(disabled[0]["paused_by"], json!(format!("cy@{}", host())));
    let show = db.stdout(&["schedule", "show", "b"]);
    assert!(
        show.contains("disabled     ") && show.contains(&format!("by cy@{}", host())),
        "{show}"
    );
    let list = db.stdout(&["schedule", "list"]);
    assert!(
        !list.contains("PAUSE"),
        "no paused schedule, no PAUSE column:\n{list}"
    );
    // enable is resume.
    let enabled = json_as(&db, "cy", &["schedule", "enable", "b"]);
    assert_eq!(
        (&enabled[0]["state"], &enabled[0]["paused_by"]),
        (&json!("enabled"), &Value::Null)
    );
    // `update --enabled` of a paused schedule resumes it too.
    json_as(&db, "cy", &["schedule", "pause", "b", "--reason", "x"]);
    let updated = db.json(&["schedule", "update", "b", "--enabled"]);
    assert_eq!(
        (&updated["state"], &updated["pause_reason"]),
        (&json!("enabled"), &Value::Null)
    );
    assert!(updated["resumed_at"].is_string(), "{updated:#}");
    // --output name: the ids written.
    let (code, out, _) = run_as(
        &db,
        "cy",
        &["schedule", "pause", "a", "--reason", "x", "-o", "name"],
    );
    assert_eq!((code, out), (0, format!("{}\n", a["id"].as_str().unwrap())));
}

async fn bad_pause_input_is_refused_and_writes_nothing(db: TestDb) {
    add(&db, "a", &[]);
    let before = db.snapshot();
    let cases: [(&[&str], i32, &str); 7] = [
        (&["a"], 2, "--reason"),
        (&["a", "--reason", " \t "], 3, "--reason is empty"),
        (&["a", "--reason", "red\u{1b}[31m"], 3, "control character"),
        (
            &["a", "--reason", "x", "--until", "tomorrow"],
            3,
            "--until 'tomorrow' is neither a duration nor an RFC 3339 instant",
        ),
        (
            &["a", "--reason", "x", "--until", "2020-01-01T00:00:00Z"],
            3,
            "is not in the future",
        ),
        (
            &["a", "--reason", "x", "--until", "0s"],
            3,
            "is not in the future",
        ),
        (&["nope", "--reason", "x"], 4, "nope"),
    ];
    for (args, expected, says) in cases {
        let (code, _, err) = db.run(&[&["schedule", "pause"], args].concat());
        assert_eq!(code, expected, "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        if expected == 3 {
            assert!(err.contains("hint: "), "{args:?}: {err}");
        }
    }
    let (_, _, err) = db.run(&["schedule", "pause", "a", "--reason", "x", "--until", "soon"]);
    assert!(
        err.contains("hint: give an instant such as 2026-12-08T09:00:00Z (RFC 3339, with its offset) or a duration from now such as 90s, 30m, 2h, 7d, 1w"),
        "{err}"
    );
    let (code, _, err) = db.run(&["schedule", "resume", "nope"]);
    assert_eq!(code, 4, "{err}");
    assert_eq!(db.snapshot(), before, "nothing was written");
}

/// `--task/--category/--tag/--search/--all` select the schedules: the selection is refused
/// without a terminal unless `--yes`, `--dry-run` shows what would change and writes nothing,
/// and the write publishes one change event per schedule it changed.
async fn selections_are_confirmed_dry_runs_write_nothing_and_events_follow(db: TestDb) {
    for name in ["inv-1", "inv-2", "inv-3"] {
        add(&db, name, &["--tag", "billing"]);
    }
    add(&db, "other", &[]);
    let before = db.snapshot();
    let pause = [
        "schedule", "pause", "--tag", "billing", "--reason", "freeze", "--until", "1w",
    ];
    let (code, _, err) = db.run(&pause);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("refusing to pause 3 schedules without confirmation: no terminal to ask on"),
        "{err}"
    );
    assert!(err.contains("--yes"), "{err}");
    let (code, out, err) = db.run(&[&pause[..], &["--dry-run"]].concat());
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("Would pause 3 schedules; nothing was written (--dry-run)."),
        "{out}"
    );
    let would = db.json(&[&pause[..], &["--dry-run"]].concat());
    assert!(
        would
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["state"] == "paused" && s["pause_reason"] == "freeze"),
        "{would:#}"
    );
    assert_eq!(db.snapshot(), before, "a dry run writes nothing");

    let channel = unique_channel();
    let events = Subscriber::start(&channel).await;
    let out = db
        .cmd()
        .env("REDIS_URL", redis_url())
        .env("CELERY_BEAT_REDIS_CHANNEL", &channel)
        .args([&pause[..], &["--yes"]].concat())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("Paused 3 schedules."),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let published = events.wait_for(3).await;
    assert_eq!(published.len(), 3, "{published:?}");
    assert!(
        published
            .iter()
            .all(|e| e["event_type"] == "schedule_updated"),
        "{published:?}"
    );
    let states: Vec<(String, String)> = db
        .json(&["schedule", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["state"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            ("inv-1".into(), "paused".into()),
            ("inv-2".into(), "paused".into()),
            ("inv-3".into(), "paused".into()),
            ("other".into(), "enabled".into())
        ]
    );
    // Paused ones are found by --search like any other; resume --all changes only them.
    let (code, out, _) = db.run(&["schedule", "resume", "--all", "--dry-run"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with(
            "Would resume 3 schedules (1 already enabled); nothing was written (--dry-run)."
        ),
        "{out}"
    );
    let (code, out, _) = db.run(&["schedule", "resume", "--search", "inv", "--yes"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("Resumed 3 schedules."), "{out}");
    assert!(
        db.json(&["schedule", "list"])
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["state"] == "enabled")
    );
}

/// One transaction per command: when the database refuses the write of one row (here a
/// trigger refuses to switch `c`), the rows before it are not left switched either.
async fn a_bulk_switch_that_fails_on_one_row_writes_nothing(db: TestDb) {
    for name in ["a", "b", "c", "d"] {
        add(&db, name, &[]);
    }
    db.exec(match db.backend {
        stockura::config::Backend::Sqlite => {
            "CREATE TRIGGER refuse_c BEFORE UPDATE OF enabled ON celery_beat_schedules \
             WHEN OLD.name = 'c' BEGIN SELECT RAISE(ABORT, 'c may not be switched'); END;"
        }
        stockura::config::Backend::Postgres => {
            "CREATE FUNCTION refuse_c() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
             IF OLD.name = 'c' THEN RAISE EXCEPTION 'c may not be switched'; END IF; \
             RETURN NEW; END $$; \
             CREATE TRIGGER refuse_c BEFORE UPDATE ON celery_beat_schedules \
             FOR EACH ROW EXECUTE FUNCTION refuse_c();"
        }
    })
    .await;
    let before = db.snapshot();
    for args in [
        &["schedule", "pause", "--all", "--reason", "x", "--yes"][..],
        &["schedule", "disable", "a", "b", "c", "d"],
    ] {
        let (code, _, err) = db.run(args);
        assert_ne!(code, 0, "{args:?}");
        assert!(err.contains("c may not be switched"), "{args:?}: {err}");
        assert_eq!(db.snapshot(), before, "{args:?}: nothing half-done");
    }
    db.exec(match db.backend {
        stockura::config::Backend::Sqlite => "DROP TRIGGER refuse_c;",
        stockura::config::Backend::Postgres => "DROP TRIGGER refuse_c ON celery_beat_schedules;",
    })
    .await;
    let (code, out, err) = db.run(&["schedule", "pause", "--all", "--reason", "x", "--yes"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("Paused 4 schedules."), "{out}");
}

/// A pause whose until passed without a leading scheduler to resume it: `diagnose` warns.
async fn diagnose_warns_of_a_pause_nobody_resumed(db: TestDb) {
    add(&db, "a", &[]);
    let check = |db: &TestDb| {
        let (code, out, err) = db.run(&["diagnose", "--check", "schedules", "-o", "json"]);
        let doc: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
        (code, doc["checks"][0].clone())
    };
    db.json(&["schedule", "pause", "a", "--reason", "x", "--until", "1h"]);
    let (code, fine) = check(&db);
    assert_eq!((code, &fine["status"]), (0, &json!("ok")), "{fine:#}");
    // An hour later, with no run-beat running.
    db.exec(match db.backend {
        stockura::config::Backend::Sqlite => {
            "UPDATE celery_beat_schedules SET paused_until = '2020-01-01T00:00:00.000000Z', enabled = 0"
        }
        stockura::config::Backend::Postgres => {
            "UPDATE celery_beat_schedules SET paused_until = '2020-01-01T00:00:00Z', enabled = false"
        }
    })
    .await;
    let (code, late) = check(&db);
    assert_eq!((code, &late["status"]), (0, &json!("warn")), "{late:#}");
    assert!(
        late["summary"]
            .as_str()
            .unwrap()
            .contains("was to resume at 2020-01-01T00:00:00Z and is still paused"),
        "{late:#}"
    );
    let (code, _, _) = db.run(&["diagnose", "--check", "schedules", "--strict"]);
    assert_eq!(code, 7);
}

/// A pause another program left behind when it switched the schedule on with SQL (its fields
/// stay) is dropped when `update --disabled` switches it off again (a stale until would have
/// the leader switch the schedule on again), which records who and when instead.
async fn switching_off_by_update_drops_a_stale_pause(db: TestDb) {
    add(&db, "stale", &[]);
    json_as(
        &db,
        "ops",
        &[
            "schedule",
            "pause",
            "stale",
            "--reason",
            "vendor down",
            "--until",
            "1h",
        ],
    );
    db.exec("UPDATE celery_beat_schedules SET enabled = true WHERE name = 'stale'")
        .await;
    let off = json_as(&db, "ann", &["schedule", "update", "stale", "--disabled"]);
    assert_eq!(off["state"], "disabled", "{off}");
    assert_eq!(off["paused_until"], Value::Null, "{off}");
    assert_eq!(off["pause_reason"], Value::Null, "{off}");
    // Who switched it off and when, as `disable` records them.
    assert_eq!(off["paused_by"], json!(format!("ann@{}", host())), "{off}");
    assert!(off["paused_at"].is_string(), "{off}");
    // A row that stays off keeps its pause through an update of another field.
    add(&db, "kept", &[]);
    json_as(
        &db,
        "ops",
        &[
            "schedule", "pause", "kept", "--reason", "audit", "--until", "1h",
        ],
    );
    let edited = db.json(&["schedule", "update", "kept", "--description", "x"]);
    assert_eq!(edited["pause_reason"], "audit", "{edited}");
    assert!(edited["paused_until"].is_string(), "{edited}");
}

both_backends!(
    diagnose_warns_of_a_pause_nobody_resumed,
    pause_and_resume_record_and_show_who_when_why_and_until,
    bad_pause_input_is_refused_and_writes_nothing,
    selections_are_confirmed_dry_runs_write_nothing_and_events_follow,
    a_bulk_switch_that_fails_on_one_row_writes_nothing,
    switching_off_by_update_drops_a_stale_pause,
);
