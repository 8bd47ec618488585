//! `stockura history`: filters, and the join with the result backend (keys written here the
//! way a Celery worker writes them; the Celery interop tests use a real worker).

use serde_json::{Value, json};

use crate::both_backends;
use crate::support::{TestDb, redis_url};

async fn history_joins_celery_results(db: TestDb) {
    db.json(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.a",
        "--cron",
        "* * * * *",
        "--name",
        "a",
    ]);
    db.json(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.b",
        "--cron",
        "* * * * *",
        "--name",
        "b",
    ]);
    // Three minutes of downtime for a, one catch-up run; b never ran (owes nothing).
    let three_minutes_ago =
        (chrono::Utc::now() - chrono::Duration::minutes(3)).format("%Y-%m-%dT%H:%M:%S.000000Z");
    db.exec(&format!(
        "UPDATE celery_beat_schedules SET last_run_at = '{three_minutes_ago}' WHERE name = 'a'"
    ))
    .await;
    let prefix = db.broker_prefix();
    db.run_beat_once(&prefix);
    let runs = db.json(&["history"]);
    let dispatched: Vec<&Value> = runs
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "dispatched")
        .collect();
    assert_eq!(dispatched.len(), 1);
    let run = dispatched[0];
    assert_eq!(
        (run["trigger"].clone(), run["schedule_name"].clone()),
        (json!("catchup"), json!("a"))
    );
    let task_id = run["celery_task_id"].as_str().unwrap().to_string();

    // Without a result backend: no result fields filled.
    assert_eq!(run["result_status"], Value::Null);
    // A worker's result, as Celery stores it (SETEX on the backend db).
    let backend = format!("{}/1", redis_url());
    let client = redis::Client::open(backend.clone()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let dispatched_at =
        chrono::DateTime::parse_from_rfc3339(run["dispatched_at"].as_str().unwrap()).unwrap();
    let done = (dispatched_at + chrono::Duration::milliseconds(1500)).to_rfc3339();
    let meta = json!({"status": "FAILURE", "result": {"exc_type": "ValueError", "exc_message": ["boom"], "exc_module": "builtins"},
                      "traceback": "Traceback ...", "children": [], "date_done": done, "task_id": task_id});
    let _: () = redis::cmd("SETEX")
        .arg(format!("celery-task-meta-{task_id}"))
        .arg(60)
        .arg(meta.to_string())
        .query_async(&mut conn)
        .await
        .unwrap();
    let joined = db
        .cmd()
        .env("CELERY_RESULT_BACKEND", &backend)
        .args(["history", "--status", "dispatched", "-o", "json"])
        .output()
        .unwrap();
    let joined: Value = serde_json::from_slice(&joined.stdout).unwrap();
    assert_eq!(joined[0]["result_status"], "FAILURE");
    assert_eq!(joined[0]["result"]["exc_type"], "ValueError");
    assert!(
        (joined[0]["runtime_seconds"].as_f64().unwrap() - 1.5).abs() < 0.01,
        "{}",
        joined[0]
    );
    let text = db
        .cmd()
        .env("CELERY_RESULT_BACKEND", &backend)
        .args(["history"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("FAILURE ValueError") && text.contains("catchup") && text.contains("missed"),
        "{text}"
    );

    // `schedule show` lists the newest runs with their results; `schedule list` shows the
    // latest result, when a result backend is configured.
    let with_backend = |args: &[&str]| {
        let out = db
            .cmd()
            .env("CELERY_RESULT_BACKEND", &backend)
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let shown: Value =
        serde_json::from_str(&with_backend(&["schedule", "show", "a", "-o", "json"])).unwrap();
    let recent = shown["recent_runs"].as_array().unwrap();
    assert_eq!(recent.len(), runs.as_array().unwrap().len(), "{shown}");
    assert_eq!(
        (
            recent[0]["status"].clone(),
            recent[0]["result_status"].clone()
        ),
        (json!("dispatched"), json!("FAILURE"))
    );
    assert!(
        recent[1..].iter().all(|r| r["status"] == "missed"),
        "{shown}"
    );
    let text = with_backend(&["schedule", "show", "a"]);
    assert!(
        text.contains(&format!("Last {} runs:", recent.len()))
            && text.contains("FAILURE ValueError"),
        "{text}"
    );
    assert_eq!(
        db.json(&["schedule", "show", "b"])["recent_runs"],
        json!([])
    );
    assert!(
        db.stdout(&["schedule", "show", "b"])
            .contains("No runs recorded yet.")
    );
    let listed: Value =
        serde_json::from_str(&with_backend(&["schedule", "list", "-o", "json"])).unwrap();
    let status_of = |name: &str| {
        listed
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .unwrap()["last_result_status"]
            .clone()
    };
    assert_eq!(
        (status_of("a"), status_of("b")),
        (json!("FAILURE"), Value::Null)
    );
    let table = with_backend(&["schedule", "list"]);
    assert!(
        table.contains("LAST RESULT") && table.contains("FAILURE"),
        "{table}"
    );
    let plain = db.stdout(&["schedule", "list"]);
    assert!(!plain.contains("LAST RESULT"), "{plain}");
    assert_eq!(
        db.json(&["schedule", "list"])[0]["last_result_status"],
        Value::Null
    );

    // Filters. Two or three slots were missed, depending on where in its minute the test runs.
    let count = |args: &[&str]| db.json(args).as_array().map_or(0, Vec::len);
    let total = runs.as_array().unwrap().len();
    assert!((3..=4).contains(&total), "{runs}");
    assert_eq!(db.json(&["history", "b"]), json!([]));
    assert_eq!(count(&["history", "a", "--status", "missed"]), total - 1);
    assert_eq!(count(&["history", "--task", "a", "--limit", "1"]), 1);
    let later = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    assert_eq!(count(&["history", "--since", &later]), 0);
    assert_eq!(count(&["history", "--since", "1h"]), total);
    let (code, _, err) = db.run(&["history", "--status", "sometimes"]);
    assert_eq!(code, 3, "{err}");
    let (code, _, err) = db.run(&["history", "--since", "yesterday"]);
    assert_eq!(code, 3, "{err}");
    let _: () = redis::cmd("DEL")
        .arg(format!("celery-task-meta-{task_id}"))
        .query_async(&mut conn)
        .await
        .unwrap();
    let mut broker = redis::Client::open(format!("{}/0", redis_url()))
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let _: () = redis::cmd("DEL")
        .arg(format!("{prefix}celery"))
        .query_async(&mut broker)
        .await
        .unwrap();
}

/// `history --follow -o jsonl`: the newest run first, then each run as it is recorded (a real
/// `schedule trigger` through the Redis broker, rows another scheduler writes), an owed run
/// again when it becomes dispatched, a filter applied to what follows; Ctrl-C ends it with
/// exit code 0.
async fn history_follow_prints_runs_as_they_are_recorded(db: TestDb) {
    db.json(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.f",
        "--cron",
        "0 0 1 1 *",
        "--name",
        "f",
    ]);
    let insert = |status: &str| {
        format!(
            "INSERT INTO schedule_runs (schedule_id, schedule_name, task_name, scheduled_for, trigger, status, detail, created_at)
             SELECT id, name, task_name, '2026-01-01T00:00:00.000000Z', 'manual', '{status}', '', '2026-01-01T00:00:00.000000Z'
             FROM celery_beat_schedules WHERE name = 'f'"
        )
    };
    db.exec(&insert("missed")).await;
    let prefix = db.broker_prefix();
    let follower = || {
        let mut cmd = crate::support::std_cmd(db.dir.path());
        cmd.env("DATABASE_URL", &db.url);
        cmd
    };
    let mut child = follower()
        .args(["history", "--follow", "-n", "1", "-o", "jsonl"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<Value>();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            let value = serde_json::from_str(&line).unwrap_or(Value::String(line));
            if tx.send(value).is_err() {
                return;
            }
        }
    });
    let next = || {
        rx.recv_timeout(std::time::Duration::from_secs(10))
            .expect("a line within 10 s")
    };
    let first = next();
    assert_eq!(first["status"], "missed", "{first}");

    // A real send: `schedule trigger` records a manual run, dispatched.
    let out = db
        .cmd()
        .env("CELERY_BROKER_URL", format!("{}/0", redis_url()))
        .args([
            "schedule",
            "trigger",
            "f",
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
    let sent: Value = serde_json::from_slice(&out.stdout).unwrap();
    let triggered = next();
    assert_eq!(triggered["trigger"], "manual", "{triggered}");
    assert_eq!(triggered["status"], "dispatched", "{triggered}");
    assert_eq!(
        triggered["celery_task_id"], sent["celery_task_id"],
        "{triggered} {sent}"
    );

    // An owed run, then the same run dispatched: printed twice, same id.
    db.exec(&insert("owed")).await;
    let owed = next();
    assert_eq!(owed["status"], "owed", "{owed}");
    db.exec(&format!(
        "UPDATE schedule_runs SET status = 'dispatched' WHERE id = {}",
        owed["id"]
    ))
    .await;
    let settled = next();
    assert_eq!(settled["id"], owed["id"], "{settled}");
    assert_eq!(settled["status"], "dispatched", "{settled}");

    // Ctrl-C: exit 0, nothing more.
    let _ = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(
        rx.recv_timeout(std::time::Duration::from_millis(200))
            .is_err()
    );

    // A filter applies to what follows; a table prints its header once.
    let child = follower()
        .args(["history", "--follow", "--status", "failed", "-o", "wide"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    db.exec(&insert("skipped")).await;
    db.exec(&insert("failed")).await;
    std::thread::sleep(std::time::Duration::from_millis(2500));
    let _ = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].contains("STATUS"), "{text}");
    assert!(
        lines[1].contains("failed") && !text.contains("skipped"),
        "{text}"
    );
}

both_backends!(
    history_joins_celery_results,
    history_follow_prints_runs_as_they_are_recorded
);
