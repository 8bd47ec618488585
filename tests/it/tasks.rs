//! Task definitions and schema validation of schedules, on both backends, through the CLI.

use serde_json::{Value, json};

use crate::both_backends;
use crate::support::TestDb;

const TASK: &str = "app.tasks.fetch_listed_info_task_asyncpg";
const EXAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/fetch_listed_info.schema.json"
);

fn define_example(db: &TestDb) -> Value {
    db.json(&[
        "task",
        "define",
        TASK,
        "--schema",
        EXAMPLE,
        "--category",
        "market-data",
        "--description",
        "Listed info",
    ])
}

fn tasks(db: &TestDb) -> Value {
    db.json(&["task", "list"])
}

async fn define_creates_then_replaces_and_lists(db: TestDb) {
    let created = define_example(&db);
    assert_eq!(created["action"], "created");
    assert_eq!(created["task_name"], TASK);
    assert_eq!(created["category"], "market-data");
    assert_eq!(
        created["parameter_schema"]["x-name-params"],
        json!(["period_type"])
    );
    let keys: Vec<&str> = created
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for k in [
        "id",
        "task_name",
        "category",
        "description",
        "parameter_schema",
        "schedule_count",
        "created_at",
        "updated_at",
    ] {
        assert!(keys.contains(&k), "{k} missing: {keys:?}");
    }
    // Inline JSON, then standard input: replaced, same id, new content.
    let replaced = db.json(&["task", "define", TASK, "--schema", r#"{"type": "object"}"#]);
    assert_eq!(replaced["action"], "replaced");
    assert_eq!(replaced["id"], created["id"]);
    assert_eq!(
        replaced["category"], created["category"],
        "what is not given is kept"
    );
    assert_ne!(replaced["parameter_schema"], created["parameter_schema"]);
    // Only a description: schema and category stay; '' and `none` clear explicitly.
    let described = db.json(&["task", "define", TASK, "--description", "x"]);
    assert_eq!(described["description"], "x");
    assert_eq!(described["category"], created["category"]);
    assert_eq!(described["parameter_schema"], replaced["parameter_schema"]);
    let cleared = db.json(&["task", "define", TASK, "--schema", "none", "--category", ""]);
    assert_eq!(
        (
            cleared["parameter_schema"].clone(),
            cleared["category"].clone(),
            cleared["description"].clone()
        ),
        (Value::Null, Value::Null, Value::from("x"))
    );
    db.json(&["task", "define", TASK, "--schema", r#"{"type": "object"}"#]);
    let out = db
        .cmd()
        .args([
            "task",
            "define",
            "app.tasks.other_task",
            "--schema",
            "-",
            "--category",
            "ops",
            "-o",
            "json",
        ])
        .write_stdin(r#"{"type": "object", "required": ["n"]}"#)
        .output()
        .unwrap();
    assert!(out.status.success());
    let list = tasks(&db);
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["task_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, [TASK, "app.tasks.other_task"]);
    let ops = db.json(&["task", "list", "--category", "ops"]);
    assert_eq!(ops.as_array().unwrap().len(), 1);
    // A definition without a schema accepts anything.
    let bare = db.json(&["task", "define", "app.tasks.free"]);
    assert_eq!(bare["parameter_schema"], Value::Null);
    db.json(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.free",
        "--cron",
        "@daily",
        "--param",
        "x=1",
    ]);
}

async fn invalid_schemas_are_rejected_with_their_path(db: TestDb) {
    let cases: [(&str, &str); 5] = [
        (
            r#"{"type": "object", "properties": {"a": {"type": "strin"}}}"#,
            "/properties/a/type",
        ),
        (r#"{"required": "a"}"#, "/required"),
        (
            r#"{"$schema": "http://example.com/s", "type": "object"}"#,
            "unsupported JSON Schema version",
        ),
        (r#"{"type": "object", "#, "not valid JSON"),
        ("/nonexistent/schema.json", "cannot read --schema file"),
    ];
    for (schema, needle) in cases {
        let (code, out, err) = db.run(&["task", "define", TASK, "--schema", schema]);
        assert_eq!(code, 3, "{schema}: {err}");
        assert!(out.is_empty());
        assert!(
            err.contains(needle) && err.contains("hint:"),
            "{schema}: {err}"
        );
    }
    assert_eq!(tasks(&db), json!([]), "nothing was written");
}

async fn schedules_are_validated_reporting_every_violation(db: TestDb) {
    define_example(&db);
    let before = db.snapshot();
    let (code, _, err) = db.run(&[
        "schedule",
        "add",
        "--task",
        TASK,
        "--cron",
        "@daily",
        "--param",
        "period_type=dayly",
        "--param",
        r#"codes=["72"]"#,
        "--param",
        "extra=1",
    ]);
    assert_eq!(code, 3, "{err}");
    for line in [
        r#"/period_type: "dayly" is not one of "daily", "weekly", "monthly", "custom" (enum)"#,
        r#"/codes/0: "72" is shorter than 4 characters (minLength)"#,
        "(additionalProperties)",
        "3 problem(s)",
    ] {
        assert!(err.contains(line), "missing {line:?} in:\n{err}");
    }
    let (code, _, err) = db.run(&[
        "schedule",
        "add",
        "--task",
        TASK,
        "--cron",
        "@daily",
        "--param",
        "period_type=custom",
        "--param",
        "from_date=2026-02-30",
    ]);
    assert_eq!(code, 3);
    assert!(
        err.contains(r#"/from_date: "2026-02-30" is not a "date" (format)"#)
            && err.contains("\"to_date\" is a required property (required)"),
        "{err}"
    );
    assert_eq!(db.snapshot(), before, "a rejected add wrote something");

    let ok = db.json(&[
        "schedule",
        "add",
        "--task",
        TASK,
        "--cron",
        "0 0 * * 0",
        "--param",
        "period_type=weekly",
        "--param",
        "market=prime",
    ]);
    assert_eq!(
        ok["name"], "fetch_listed_info_weekly_weekly",
        "name from x-name-params"
    );
    assert_eq!(
        ok["category"], "market-data",
        "category inherited from the definition"
    );
    let own = db.json(&[
        "schedule",
        "add",
        "--task",
        TASK,
        "--cron",
        "@daily",
        "--param",
        "period_type=daily",
        "--category",
        "mine",
    ]);
    assert_eq!(own["category"], "mine");

    // update validates the resulting kwargs and writes nothing when they are invalid.
    let before = db.snapshot();
    let (code, _, err) = db.run(&[
        "schedule",
        "update",
        "fetch_listed_info_weekly_weekly",
        "--param",
        "market=moon",
    ]);
    assert_eq!(code, 3);
    assert!(err.contains("/market") && err.contains("(enum)"), "{err}");
    assert_eq!(db.snapshot(), before);
    let updated = db.json(&[
        "schedule",
        "update",
        "fetch_listed_info_weekly_weekly",
        "--param",
        "period_type=monthly",
        "--cron",
        "0 0 1 * *",
    ]);
    assert_eq!(
        updated["name"], "fetch_listed_info_weekly_weekly",
        "a name stays as it is when what it was generated from changes"
    );
    let renamed = db.json(&[
        "schedule",
        "update",
        "fetch_listed_info_weekly_weekly",
        "--regenerate-name",
    ]);
    assert_eq!(
        renamed["name"], "fetch_listed_info_monthly_monthly",
        "regenerated with the parameter on request"
    );
    assert_eq!(renamed["auto_generated_name"], true);
}

async fn names_from_required_parameters(db: TestDb) {
    db.json(&[
        "task", "define", "app.tasks.sync_task", "--schema",
        r#"{"type": "object", "required": ["region", "codes", "Level", "full"], "properties": {"Level": {"type": "integer"}}}"#,
    ]);
    let s = db.json(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.sync_task",
        "--cron",
        "@hourly",
        "--kwargs",
        r#"{"region": "EU-West", "codes": ["a"], "Level": 3, "full": true}"#,
    ]);
    assert_eq!(
        s["name"], "sync_eu_west_3_hourly",
        "strings/integers/booleans of `required`, in order, at most two"
    );
}

async fn require_definition_by_flag_and_environment(db: TestDb) {
    let (code, _, err) = db.run(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.undefined",
        "--cron",
        "@daily",
        "--require-definition",
    ]);
    assert_eq!(code, 3);
    assert!(
        err.contains("has no definition")
            && err.contains("stockura task define app.tasks.undefined"),
        "{err}"
    );
    let out = db
        .cmd()
        .env("STOCKURA_REQUIRE_TASK_DEFINITIONS", "true")
        .args([
            "schedule",
            "add",
            "--task",
            "app.tasks.undefined",
            "--cron",
            "@daily",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(db.json(&["schedule", "list"]), json!([]));
    // Allowed by default.
    db.json(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.undefined",
        "--cron",
        "@daily",
    ]);
    // And a defined task passes the requirement.
    define_example(&db);
    let out = db
        .cmd()
        .env("STOCKURA_REQUIRE_TASK_DEFINITIONS", "1")
        .args([
            "schedule",
            "add",
            "--task",
            TASK,
            "--cron",
            "@daily",
            "--param",
            "period_type=daily",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn changing_a_schema_checks_existing_schedules(db: TestDb) {
    define_example(&db);
    let a = db.json(&[
        "schedule",
        "add",
        "--task",
        TASK,
        "--cron",
        "@daily",
        "--param",
        "period_type=daily",
    ]);
    db.json(&[
        "schedule",
        "add",
        "--task",
        TASK,
        "--cron",
        "@weekly",
        "--param",
        "period_type=weekly",
        "--param",
        "market=prime",
    ]);
    let stricter = r#"{"type": "object", "properties": {"period_type": {"enum": ["weekly"]}}, "required": ["period_type", "market"]}"#;
    let (code, _, err) = db.run(&["task", "define", TASK, "--schema", stricter]);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("1 of the 2 schedules")
            && err.contains(a["id"].as_str().unwrap())
            && err.contains("fetch_listed_info_daily_daily"),
        "{err}"
    );
    assert!(err.contains("--force"), "{err}");
    let unchanged = db.json(&["task", "show", TASK]);
    assert_eq!(
        unchanged["parameter_schema"]["x-name-params"],
        json!(["period_type"]),
        "nothing was written"
    );
    let forced = db.json(&["task", "define", TASK, "--schema", stricter, "--force"]);
    assert_eq!(
        (
            forced["action"].clone(),
            forced["invalid_schedules"].clone()
        ),
        (json!("replaced"), json!(1))
    );
}

async fn show_validate_and_short_names(db: TestDb) {
    define_example(&db);
    db.json(&[
        "schedule",
        "add",
        "--task",
        TASK,
        "--cron",
        "@daily",
        "--param",
        "period_type=daily",
    ]);
    let show = db.json(&["task", "show", "fetch_listed_info_task_asyncpg"]);
    assert_eq!(show["task_name"], TASK);
    assert_eq!(show["schedule_count"], 1);
    assert_eq!(
        show["schedules"][0]["kwargs"],
        json!({"period_type": "daily"})
    );
    let text = db.run(&["task", "show", TASK]).1;
    assert!(
        text.contains("Parameter schema:")
            && text.contains("\"x-name-params\"")
            && text.contains("fetch_listed_info_daily"),
        "{text}"
    );

    let valid = db.json(&["task", "validate", TASK, "--param", "period_type=daily"]);
    assert_eq!(
        valid,
        json!({"task_name": TASK, "valid": true, "violations": []})
    );
    let (code, out, _) = db.run(&[
        "task",
        "validate",
        TASK,
        "--kwargs",
        r#"{"period_type": "x", "y": 1}"#,
        "-o",
        "json",
    ]);
    assert_eq!(code, 3);
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["valid"], false);
    let keywords: Vec<&str> = doc["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["keyword"].as_str().unwrap())
        .collect();
    assert_eq!(keywords.len(), 2, "{doc}");
    assert!(keywords.contains(&"enum") && keywords.contains(&"additionalProperties"));
    // A parameter file, as a CI job would check it.
    let file = db.dir.path().join("params.json");
    std::fs::write(
        &file,
        r#"{"period_type": "custom", "from_date": "2026-01-01", "to_date": "2026-01-31"}"#,
    )
    .unwrap();
    let (code, out, _) = db.run(&[
        "task",
        "validate",
        "fetch_listed_info_task_asyncpg",
        "--kwargs",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("valid:"), "{out}");

    let (code, _, err) = db.run(&["task", "validate", "app.tasks.nope", "--param", "a=1"]);
    assert_eq!(code, 4, "{err}");
    db.json(&["task", "define", "other.fetch_listed_info_task_asyncpg"]);
    let (code, _, err) = db.run(&["task", "show", "fetch_listed_info_task_asyncpg"]);
    assert_eq!(code, 4);
    assert!(err.contains("matches 2 task definitions"), "{err}");
    // The full name is never ambiguous.
    db.json(&["task", "show", TASK]);
}

async fn delete_refuses_while_used_and_confirms(db: TestDb) {
    define_example(&db);
    db.json(&["task", "define", "app.tasks.unused"]);
    db.json(&[
        "schedule",
        "add",
        "--task",
        TASK,
        "--cron",
        "@daily",
        "--param",
        "period_type=daily",
    ]);
    let (code, _, err) = db.run(&["task", "delete", TASK, "--yes"]);
    assert_eq!(code, 5, "{err}");
    assert!(
        err.contains("1 schedule(s) use task") && err.contains("--force"),
        "{err}"
    );
    let (code, _, err) = db.run(&["task", "delete", "app.tasks.unused"]);
    assert_eq!(code, 2, "no terminal and no --yes: {err}");
    assert_eq!(tasks(&db).as_array().unwrap().len(), 2, "nothing deleted");
    db.json(&["task", "delete", "app.tasks.unused", "--yes"]);
    let deleted = db.json(&["task", "delete", TASK, "--yes", "--force"]);
    assert_eq!(deleted["schedule_count"], 1);
    assert_eq!(tasks(&db), json!([]));
    assert_eq!(
        db.json(&["schedule", "list"]).as_array().unwrap().len(),
        1,
        "schedules stay"
    );
}

both_backends!(
    define_creates_then_replaces_and_lists,
    invalid_schemas_are_rejected_with_their_path,
    schedules_are_validated_reporting_every_violation,
    names_from_required_parameters,
    require_definition_by_flag_and_environment,
    changing_a_schema_checks_existing_schedules,
    show_validate_and_short_names,
    delete_refuses_while_used_and_confirms,
);
