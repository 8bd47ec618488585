//! `schedule export`: the selected schedules as an editable document, on both backends.

use serde_json::{Value, json};

use crate::both_backends;
use crate::support::TestDb;

fn export(db: &TestDb, args: &[&str]) -> String {
    let (code, stdout, stderr) = db.run(&[&["schedule", "export"], args].concat());
    assert_eq!(code, 0, "export {args:?}: {stderr}");
    stdout
}

fn yaml(text: &str) -> Value {
    serde_norway::from_str(text).unwrap_or_else(|e| panic!("not YAML ({e}):\n{text}"))
}

fn seed(db: &TestDb) {
    db.json(&[
        "task",
        "define",
        "app.tasks.fetch",
        "--category",
        "market-data",
        "--schema",
        r#"{"type":"object","properties":{"n":{"type":"integer"}}}"#,
    ]);
    db.json(&["task", "define", "app.tasks.unused"]);
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
        "--kwargs",
        r#"{"n": 12}"#,
        "--tag",
        "team-a",
        "--queue",
        "prices",
        "--policy",
        "skip",
    ]);
    db.json(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.report",
        "--cron",
        "@daily",
        "--name",
        "nightly",
        "--args",
        r#"[1, 2.5, "x"]"#,
        "--description",
        "the nightly report",
        "--category",
        "reports",
    ]);
    db.json(&["schedule", "disable", "nightly"]);
}

async fn export_writes_the_schedules_keyed_by_name(db: TestDb) {
    seed(&db);
    let text = export(&db, &[]);
    let expected = json!({
        "schedules": {
            "morning": {
                "task": "app.tasks.fetch",
                "cron": "0 9 * * 1-5",
                "timezone": "Asia/Tokyo",
                "kwargs": {"n": 12},
                "category": "market-data",
                "tags": ["team-a"],
                "policy": "skip",
                "options": {"queue": "prices"}
            },
            "nightly": {
                "task": "app.tasks.report",
                "cron": "@daily",
                "enabled": false,
                "args": [1, 2.5, "x"],
                "description": "the nightly report",
                "category": "reports"
            }
        }
    });
    assert_eq!(yaml(&text), expected, "{text}");
    // No ids, counters or timestamps anywhere.
    for absent in ["id:", "total_run_count", "created", "updated", "last_run"] {
        assert!(!text.contains(absent), "{absent} in:\n{text}");
    }
    // The JSON format is the same document.
    let json_text = export(&db, &["--format", "json"]);
    let parsed: Value = serde_json::from_str(&json_text).unwrap();
    assert_eq!(parsed, expected);
    // The global --output json does not wrap it.
    let (code, stdout, _) = db.run(&["schedule", "export", "--output", "json"]);
    assert_eq!(code, 0);
    assert_eq!(yaml(&stdout), expected);
}

async fn export_selects_and_includes_the_tasks_asked_for(db: TestDb) {
    seed(&db);
    let names = |text: &str| -> Vec<String> {
        let doc = yaml(text);
        doc["schedules"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    };
    assert_eq!(names(&export(&db, &["--task", "fetch"])), ["morning"]);
    assert_eq!(names(&export(&db, &["--category", "reports"])), ["nightly"]);
    assert_eq!(names(&export(&db, &["--tag", "team-a"])), ["morning"]);
    assert_eq!(
        yaml(&export(&db, &["--tag", "nobody"])),
        json!({"schedules": {}})
    );
    let doc = yaml(&export(&db, &["--with-tasks"]));
    // Only the definitions of exported schedules' tasks; app.tasks.report has none.
    assert_eq!(
        doc["tasks"],
        json!({"app.tasks.fetch": {
            "category": "market-data",
            "parameter_schema": {"type": "object", "properties": {"n": {"type": "integer"}}}
        }})
    );
    let doc = yaml(&export(&db, &["--category", "reports", "--with-tasks"]));
    assert!(doc.get("tasks").is_none(), "{doc}");
}

async fn export_refuses_shared_names(db: TestDb) {
    seed(&db);
    db.json(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.other",
        "--cron",
        "0 1 * * *",
        "--name",
        "morning",
    ]);
    let (code, stdout, stderr) = db.run(&["schedule", "export"]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("\"morning\""), "{stderr}");
    assert!(stderr.contains("--name"), "{stderr}");
    // A selection without the clash exports.
    let doc = yaml(&export(&db, &["--task", "app.tasks.report"]));
    assert_eq!(doc["schedules"].as_object().unwrap().len(), 1);
}

both_backends!(
    export_writes_the_schedules_keyed_by_name,
    export_selects_and_includes_the_tasks_asked_for,
    export_refuses_shared_names,
);
