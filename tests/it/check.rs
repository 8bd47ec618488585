//! `stockura check`: the dead-man's switch. Due slots that did not go out, slots its policy
//! decided, the latest results from a real Redis result backend (keys written the way a Celery
//! worker writes them), selection, and bad flags.

use serde_json::{Value, json};

use crate::both_backends;
use crate::support::{TestDb, redis_url};

/// `minutes` ago, as the database stores instants.
fn ago(minutes: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::minutes(minutes))
        .format("%Y-%m-%dT%H:%M:%S.000000Z")
        .to_string()
}

/// Runs `check` with `args` (JSON output); returns the exit code and the report.
fn check(db: &TestDb, env: &[(&str, String)], args: &[&str]) -> (i32, Value) {
    let mut cmd = db.cmd();
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd
        .arg("check")
        .args(args)
        .args(["-o", "json"])
        .output()
        .unwrap();
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), report)
}

fn names(report: &Value) -> Vec<String> {
    report["unhealthy"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap().to_string())
        .collect()
}

async fn check_finds_due_slots_that_did_not_go_out(db: TestDb) {
    let add = |task: &str, name: &str, extra: &[&str]| {
        let mut args = vec![
            "schedule",
            "add",
            "--task",
            task,
            "--cron",
            "* * * * *",
            "--name",
            name,
        ];
        args.extend(extra);
        db.json(&args);
    };
    add("app.tasks.sent", "sent", &[]);
    add("app.tasks.stale", "stale", &[]);
    add("app.tasks.skipped", "skipped", &["--policy", "skip"]);
    add("app.tasks.fresh", "fresh", &[]);
    add("app.tasks.off", "off", &[]);
    db.json(&["schedule", "disable", "off"]);
    // Nothing is owed for the slots before a schedule was written: all healthy now.
    let (code, report) = check(&db, &[], &[]);
    assert_eq!((code, report["checked"].clone()), (0, json!(4)), "{report}");
    assert_eq!(report["results"], "no result backend");

    // Ten minutes later (as if): `stale` never ran since, `sent` went out this minute and
    // `skipped` had this minute's slot decided by its policy; `fresh` was changed a moment ago.
    db.exec(&format!(
        "UPDATE celery_beat_schedules SET created_at = '{t}', updated_at = '{t}' WHERE name <> 'fresh'",
        t = ago(10)
    ))
    .await;
    // The slot of this minute (its next one is always in the future) and one a minute back.
    let this_minute = chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:00.000000Z")
        .to_string();
    let minute_ago = (chrono::Utc::now() - chrono::Duration::seconds(60))
        .format("%Y-%m-%dT%H:%M:00.000000Z")
        .to_string();
    db.exec(&format!(
        "UPDATE celery_beat_schedules SET last_run_at = '{this_minute}' WHERE name = 'sent'"
    ))
    .await;
    db.exec(&format!(
        "INSERT INTO schedule_runs (schedule_id, schedule_name, task_name, scheduled_for, trigger, status, detail, created_at)
         SELECT id, name, task_name, '{this_minute}', 'schedule', 'skipped', 'previous run still running', '{this_minute}'
         FROM celery_beat_schedules WHERE name = 'skipped'"
    ))
    .await;
    // A missed row explains the stale schedule's last slot.
    db.exec(&format!(
        "INSERT INTO schedule_runs (schedule_id, schedule_name, task_name, scheduled_for, trigger, status, detail, created_at)
         SELECT id, name, task_name, '{minute_ago}', 'schedule', 'missed', 'no scheduler ran', '{minute_ago}'
         FROM celery_beat_schedules WHERE name = 'stale'"
    ))
    .await;
    let (code, report) = check(&db, &[], &[]);
    assert_eq!(code, 7, "{report}");
    assert_eq!(names(&report), ["stale"], "{report}");
    let stale = &report["unhealthy"][0];
    assert_eq!(stale["problems"][0]["kind"], "not_dispatched");
    let message = stale["problems"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("it never ran") && message.contains("says missed: no scheduler ran"),
        "{message}"
    );
    assert!(stale["due_slot"].as_str().is_some(), "{stale}");
    assert_eq!(
        (report["checked"].clone(), report["healthy"].clone()),
        (json!(4), json!(3))
    );

    // The table names the schedule and the reason, and exits 7 too.
    let out = db.cmd().args(["check"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(7));
    assert!(
        text.contains("stale") && text.contains("1 of 4 enabled schedules unhealthy"),
        "{text}"
    );

    // Selection, and a grace long enough for the stale one.
    let (code, report) = check(&db, &[], &["--task", "app.tasks.sent"]);
    assert_eq!((code, report["checked"].clone()), (0, json!(1)), "{report}");
    let (code, _) = check(&db, &[], &["--grace", "1h"]);
    assert_eq!(code, 0);

    // Bad flags: a clear error, the documented code, nothing written.
    let before = db.snapshot();
    for (args, code) in [
        (vec!["check", "--grace", "soon"], 3),
        (vec!["check", "--grace", "4000d"], 3),
        (vec!["check", "--failures", "101"], 2),
    ] {
        let (got, _, err) = db.run(&args);
        assert_eq!(got, code, "{args:?}: {err}");
        assert!(
            err.contains("--grace") || err.contains("--failures"),
            "{err}"
        );
    }
    assert_eq!(db.snapshot(), before);
}

/// The latest results, from a real Redis result backend: a failure among the last N makes the
/// schedule unhealthy; `--failures 0` does not look.
async fn check_reads_the_latest_results(db: TestDb) {
    db.json(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.r",
        "--cron",
        "* * * * *",
        "--name",
        "r",
        "--last-run-at",
        "3m",
    ]);
    // The run-beat catch-up sends the latest slot: the schedule is up to date.
    let prefix = db.broker_prefix();
    db.run_beat_once(&prefix);
    let runs = db.json(&["history", "r", "--status", "dispatched"]);
    let task_id = runs[0]["celery_task_id"].as_str().unwrap().to_string();
    let backend = format!("{}/1", redis_url());
    let env = [("CELERY_RESULT_BACKEND", backend.clone())];
    let (code, report) = check(&db, &env, &[]);
    // No result yet: pending results are not judged.
    assert_eq!(
        (code, report["results"].clone()),
        (0, json!("read")),
        "{report}"
    );

    let client = redis::Client::open(backend).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let key = format!("celery-task-meta-{task_id}");
    let meta = json!({"status": "FAILURE", "result": {"exc_type": "ValueError", "exc_message": ["boom"], "exc_module": "builtins"},
                      "traceback": "Traceback ...", "children": [], "date_done": "2030-01-01T00:00:01.000000", "task_id": task_id});
    let _: () = redis::cmd("SETEX")
        .arg(&key)
        .arg(60)
        .arg(meta.to_string())
        .query_async(&mut conn)
        .await
        .unwrap();
    let (code, report) = check(&db, &env, &[]);
    assert_eq!(code, 7, "{report}");
    let problem = &report["unhealthy"][0]["problems"][0];
    assert_eq!(problem["kind"], "failing");
    assert_eq!(
        problem["message"],
        "the latest result is a failure at 2030-01-01T00:00:01Z: ValueError [\"boom\"]"
    );
    let (code, report) = check(&db, &env, &["--failures", "0"]);
    assert_eq!((code, report["results"].clone()), (0, json!("off")));
    // A success clears it.
    let meta = json!({"status": "SUCCESS", "result": 1, "traceback": null, "children": [],
                      "date_done": "2030-01-01T00:00:02.000000", "task_id": task_id});
    let _: () = redis::cmd("SETEX")
        .arg(&key)
        .arg(60)
        .arg(meta.to_string())
        .query_async(&mut conn)
        .await
        .unwrap();
    let (code, _) = check(&db, &env, &[]);
    assert_eq!(code, 0);
    let _: () = redis::cmd("DEL")
        .arg(&key)
        .query_async(&mut conn)
        .await
        .unwrap();
}

both_backends!(
    check_finds_due_slots_that_did_not_go_out,
    check_reads_the_latest_results,
);
