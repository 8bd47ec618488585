//! `stockura apply`: export → edit → apply --dry-run → apply → apply, on both backends, with
//! whole-file validation, prune scoped by source, and the change events on a real Redis.

use serde_json::{Value, json};

use crate::both_backends;
use crate::support::{Subscriber, TestDb, redis_url, unique_channel};

fn write(db: &TestDb, name: &str, text: &str) -> String {
    let path = db.dir.path().join(name);
    std::fs::write(&path, text).expect("write the document");
    path.display().to_string()
}

fn apply(db: &TestDb, args: &[&str]) -> Value {
    db.json(&[&["apply"], args].concat())
}

fn seed(db: &TestDb) {
    db.json(&[
        "task",
        "define",
        "app.tasks.fetch",
        "--schema",
        r#"{"type":"object","properties":{"n":{"type":"integer","maximum":100}},"required":["n"]}"#,
    ]);
    db.json(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.fetch",
        "--cron",
        "0 9 * * 1-5",
        "--name",
        "morning",
        "--tz",
        "Asia/Tokyo",
        "-p",
        "n=12",
        "--queue",
        "prices",
        "--priority",
        "3",
    ]);
    db.json(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.report",
        "--cron",
        "@daily",
        "--args",
        r#"[1, 2.5, "x"]"#,
        "--tag",
        "reports",
    ]);
}

async fn export_edit_apply_round_trips(db: TestDb) {
    seed(&db);
    let (code, exported, stderr) = db.run(&["schedule", "export", "--with-tasks"]);
    assert_eq!(code, 0, "{stderr}");
    // Applying an export unchanged plans nothing.
    let file = write(&db, "schedules.yaml", &exported);
    let plan = apply(&db, &["-f", &file, "--dry-run"]);
    assert_eq!(plan["steps"], json!([]), "{plan}");
    assert_eq!(plan["summary"]["unchanged"], 2, "{plan}");

    // Edit: take ownership, change a parameter and the cron, add a schedule.
    let edited = format!(
        "source: team-a\n{}  weekly:\n    task: app.tasks.fetch\n    cron: 0 3 * * mon\n    kwargs:\n      n: 7\n",
        exported
            .replace("n: 12", "n: 40")
            .replace("0 9 * * 1-5", "30 9 * * 1-5")
            .split("tasks:\n")
            .next()
            .unwrap()
    );
    let edited = format!(
        "{edited}tasks:\n{}",
        exported.split("tasks:\n").nth(1).unwrap()
    );
    let file = write(&db, "schedules.yaml", &edited);
    let before = db.snapshot();
    let (code, text, stderr) = db.run(&["apply", "-f", &file, "--dry-run"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(text.contains("~ update  morning"), "{text}");
    assert!(text.contains("kwargs.n: 12 -> 40"), "{text}");
    assert!(
        text.contains("cron: \"0 9 * * 1-5\" -> \"30 9 * * 1-5\""),
        "{text}"
    );
    assert!(text.contains("+ create  weekly"), "{text}");
    assert!(text.contains("nothing was written"), "{text}");
    assert_eq!(db.snapshot(), before, "a dry run wrote");

    let done = apply(&db, &["-f", &file]);
    assert_eq!(done["applied"], true, "{done}");
    assert_eq!(done["summary"]["create"], 1, "{done}");
    assert_eq!(done["summary"]["update"], 2, "{done}");
    let created = done["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["action"] == "create")
        .unwrap();
    assert!(created["id"].is_string(), "{done}");
    let morning = db.json(&["schedule", "show", "morning"]);
    assert_eq!(morning["kwargs"], json!({"n": 40}), "{morning}");
    assert_eq!(morning["cron_expression"], "30 9 * * 1-5", "{morning}");
    assert_eq!(morning["timezone"], "Asia/Tokyo", "{morning}");
    assert!(
        morning["tags"]
            .as_array()
            .unwrap()
            .contains(&json!("managed-by:team-a")),
        "{morning}"
    );

    // Second run: nothing to do, nothing written.
    let after = db.snapshot();
    let again = apply(&db, &["-f", &file]);
    assert_eq!(again["steps"], json!([]), "{again}");
    assert_eq!(again["summary"]["unchanged"], 3, "{again}");
    assert_eq!(db.snapshot(), after, "an idempotent apply wrote");

    // The export of the result is the edited document (without `source:`).
    let (_, re_exported, _) = db.run(&["schedule", "export", "--with-tasks"]);
    let doc: Value = serde_norway::from_str(&re_exported).unwrap();
    let mut want: Value = serde_norway::from_str(&edited).unwrap();
    want.as_object_mut().unwrap().remove("source");
    assert_eq!(doc, want);
}

async fn an_invalid_document_reports_every_problem_and_writes_nothing(db: TestDb) {
    seed(&db);
    let before = db.snapshot();
    let text = "source: team-a\nschedules:\n  morning:\n    task: app.tasks.fetch\n    cron: 0 9 * * 1-5\n    kwargs:\n      n: 1000\n  bad-cron:\n    task: app.tasks.x\n    cron: 61 * * * *\n    timezone: Mars/Olympus\n  new-one:\n    task: app.tasks.fetch\n    cron: '@daily'\n";
    let file = write(&db, "bad.yaml", text);
    let (code, stdout, stderr) = db.run(&["apply", "-f", &file]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("4 problems; nothing was written"),
        "{stderr}"
    );
    for location in [
        "schedules.morning.kwargs (line 6)",
        "schedules.bad-cron.cron (line 10)",
        "schedules.bad-cron.timezone (line 11)",
        "schedules.new-one.kwargs (line 12)",
    ] {
        assert!(stderr.contains(location), "{location} missing:\n{stderr}");
    }
    assert_eq!(db.snapshot(), before);

    // Structural problems: a misspelt field, a name given twice, an unknown top-level key.
    let text = "schedules:\n  a:\n    task: t\n    crn: '@daily'\n  b:\n    task: t\n    cron: '@daily'\n  b:\n    task: t\n    cron: '@hourly'\n";
    let file = write(&db, "dup.yaml", text);
    let (code, _, stderr) = db.run(&["apply", "-f", &file]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("schedules.b (line 5)"), "{stderr}");
    assert!(stderr.contains("used 2 times"), "{stderr}");
    let file = write(
        &db,
        "typo.yaml",
        "schedules:\n  a:\n    task: t\n    crn: '@daily'\nextra: 1\n",
    );
    let (code, _, stderr) = db.run(&["apply", "-f", &file]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("schedules.a (line 2)"), "{stderr}");
    assert!(stderr.contains("unknown field `crn`"), "{stderr}");
    assert!(stderr.contains("unknown key `extra`"), "{stderr}");
    let file = write(&db, "broken.json", "{\"schedules\": [}");
    let (code, _, stderr) = db.run(&["apply", "-f", &file]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("not a valid JSON map"), "{stderr}");
    let (code, _, stderr) = db.run(&["apply", "-f", "no-such-file.yaml"]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("cannot read no-such-file.yaml"), "{stderr}");
    assert_eq!(db.snapshot(), before);
}

async fn prune_removes_only_the_same_sources_schedules(db: TestDb) {
    db.json(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.hand",
        "--cron",
        "@daily",
        "--name",
        "by-hand",
    ]);
    let a = write(
        &db,
        "a.yaml",
        "source: team-a\nschedules:\n  a1:\n    task: app.tasks.a\n    cron: '@hourly'\n  a2:\n    task: app.tasks.a\n    cron: '@daily'\n",
    );
    let b = write(
        &db,
        "b.yaml",
        "source: team-b\nschedules:\n  b1:\n    task: app.tasks.b\n    cron: '@hourly'\n",
    );
    apply(&db, &["-f", &a]);
    apply(&db, &["-f", &b]);
    // Team b may not take over team a's schedule.
    let steal = write(
        &db,
        "steal.yaml",
        "source: team-b\nschedules:\n  a1:\n    task: app.tasks.b\n    cron: '@hourly'\n",
    );
    let (code, _, stderr) = db.run(&["apply", "-f", &steal]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("managed by source `team-a`"), "{stderr}");

    let a_less = write(
        &db,
        "a.yaml",
        "source: team-a\nschedules:\n  a1:\n    task: app.tasks.a\n    cron: '@hourly'\n",
    );
    // Without --prune the dropped schedule stays.
    let plan = apply(&db, &["-f", &a_less]);
    assert_eq!(plan["steps"], json!([]), "{plan}");
    // Deleting without a terminal needs --yes.
    let before = db.snapshot();
    let (code, _, stderr) = db.run(&["apply", "-f", &a_less, "--prune"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--yes"), "{stderr}");
    assert_eq!(db.snapshot(), before);
    let plan = apply(&db, &["-f", &a_less, "--prune", "--dry-run"]);
    assert_eq!(plan["summary"]["delete"], 1, "{plan}");
    assert_eq!(plan["steps"][0]["name"], "a2", "{plan}");
    apply(&db, &["-f", &a_less, "--prune", "--yes"]);
    let names: Vec<String> = db
        .json(&["schedule", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect();
    let mut names = names;
    names.sort();
    assert_eq!(names, ["a1", "b1", "by-hand"]);
    // --prune without a source is refused.
    let anon = write(&db, "anon.yaml", "schedules: {}\n");
    let (code, _, stderr) = db.run(&["apply", "-f", &anon, "--prune", "--yes"]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("--prune needs a `source:`"), "{stderr}");
}

async fn apply_publishes_one_event_per_change(db: TestDb) {
    db.json(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.x",
        "--cron",
        "@daily",
        "--name",
        "old",
    ]);
    db.json(&[
        "apply",
        "-f",
        &write(
            &db,
            "s.yaml",
            "source: s\nschedules:\n  old:\n    task: app.tasks.x\n    cron: '@daily'\n",
        ),
    ]);
    let channel = unique_channel();
    let sub = Subscriber::start(&channel).await;
    let file = write(
        &db,
        "s.yaml",
        "source: s\nschedules:\n  new:\n    task: app.tasks.x\n    cron: '@hourly'\ntasks:\n  app.tasks.x: {}\n",
    );
    let out = db
        .cmd()
        .env("REDIS_URL", redis_url())
        .env("CELERY_BEAT_REDIS_CHANNEL", &channel)
        .args(["apply", "-f", &file, "--prune", "--yes", "-o", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let events = sub.wait_for(3).await;
    let mut kinds: Vec<&str> = events
        .iter()
        .map(|e| e["event_type"].as_str().unwrap())
        .collect();
    kinds.sort_unstable();
    assert_eq!(
        kinds,
        [
            "schedule_created",
            "schedule_deleted",
            "task_definition_updated"
        ],
        "{events:?}"
    );
}

/// A document that wants a schedule on leaves a paused one paused (the pause is an operator's
/// decision; the plan names it and `resume` ends it), while one disabled without a reason
/// follows the document.
async fn apply_leaves_a_pause_alone(db: TestDb) {
    let doc = write(
        &db,
        "paused.yaml",
        "source: repo\nschedules:\n  nightly:\n    task: app.tasks.nightly\n    cron: '0 2 * * *'\n  hourly:\n    task: app.tasks.hourly\n    cron: '0 * * * *'\n",
    );
    apply(&db, &["-f", &doc, "--yes"]);
    db.json(&[
        "schedule",
        "pause",
        "nightly",
        "--reason",
        "incident 42",
        "--until",
        "2099-01-01T00:00:00Z",
    ]);
    db.json(&["schedule", "disable", "hourly"]);

    let planned = apply(&db, &["-f", &doc, "--dry-run"]);
    assert_eq!(
        planned["kept_paused"],
        json!([{"name": "nightly", "pause_reason": "incident 42", "paused_until": "2099-01-01T00:00:00Z"}]),
        "{planned}"
    );
    let (code, text, _) = db.run(&["apply", "-f", &doc, "--yes", "-o", "table"]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("! left paused: nightly (incident 42, until 2099-01-01 00:00 UTC)"),
        "{text}"
    );
    assert!(text.contains("enabled: false -> true"), "{text}");
    let state = |name: &str| db.json(&["schedule", "show", name]);
    let nightly = state("nightly");
    assert_eq!(
        (&nightly["state"], &nightly["pause_reason"]),
        (&json!("paused"), &json!("incident 42"))
    );
    assert_eq!(state("hourly")["state"], "enabled");

    // Resumed by hand, the document matches.
    db.json(&["schedule", "resume", "nightly"]);
    let again = apply(&db, &["-f", &doc, "--dry-run"]);
    assert_eq!(
        (&again["kept_paused"], &again["steps"]),
        (&json!([]), &json!([])),
        "{again}"
    );
}

both_backends!(
    apply_leaves_a_pause_alone,
    export_edit_apply_round_trips,
    an_invalid_document_reports_every_problem_and_writes_nothing,
    prune_removes_only_the_same_sources_schedules,
    apply_publishes_one_event_per_change,
);
