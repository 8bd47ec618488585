//! The operator's output vocabulary through the real binary, on both backends: `-o jsonl`,
//! `-o name`, `--no-headers`, `schedule list --sort-by / --limit`, and `enable`, `disable` and
//! `delete` of a selection (`--task/--category/--tag/--search/--all`, `--dry-run`).

use serde_json::Value;

use crate::both_backends;
use crate::support::TestDb;

/// Three schedules: `b-hourly` made first, `a-daily`, then `c-disabled` (disabled). Returns
/// their ids in that order.
fn three(db: &TestDb) -> Vec<String> {
    let add = |name: &str, cron: &str, extra: &[&str]| {
        let mut args = vec![
            "schedule",
            "add",
            "--task",
            "app.tasks.t",
            "--cron",
            cron,
            "--name",
            name,
        ];
        args.extend(extra);
        db.json(&args)["id"].as_str().unwrap().to_string()
    };
    vec![
        add("b-hourly", "0 * * * *", &[]),
        add("a-daily", "0 3 * * *", &[]),
        add("c-disabled", "* * * * *", &["--disabled"]),
    ]
}

fn lines(text: &str) -> Vec<&str> {
    text.lines().collect()
}

async fn jsonl_is_one_object_per_line(db: TestDb) {
    let ids = three(&db);
    let text = db.stdout(&["schedule", "list", "-o", "jsonl"]);
    let rows: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    // The same objects as the JSON array, in the same order.
    let array = db.json(&["schedule", "list"]);
    assert_eq!(Value::Array(rows.clone()), array);
    assert_eq!(rows.len(), 3);
    assert!(text.ends_with('\n') && !text.contains("\n\n"), "{text:?}");
    assert_eq!(rows[0]["name"], "a-daily");

    // A command that prints one document prints it on one line.
    let one = db.stdout(&["schedule", "show", &ids[0], "-o", "jsonl"]);
    assert_eq!(lines(&one).len(), 1, "{one}");
    let shown: Value = serde_json::from_str(&one).unwrap();
    assert_eq!(shown["id"], ids[0].as_str());

    // Task definitions, history and the next fire times list one per line too.
    db.stdout(&["task", "define", "app.tasks.t"]);
    let tasks = db.stdout(&["task", "list", "-o", "jsonl"]);
    assert_eq!(lines(&tasks).len(), 1);
    let next = db.stdout(&["schedule", "next", &ids[0], "-n", "3", "-o", "jsonl"]);
    assert_eq!(lines(&next).len(), 3, "{next}");
    assert!(lines(&next).iter().all(|l| l.starts_with('"')), "{next}");
    let empty = db.stdout(&["history", "-o", "jsonl"]);
    assert_eq!(empty, "");

    // An error with -o jsonl is the one-line JSON error object.
    let (code, stdout, stderr) = db.run(&["schedule", "show", "nothing-here", "-o", "jsonl"]);
    assert_eq!(code, 4, "{stderr}");
    assert_eq!(stdout, "");
    let error: Value = serde_json::from_str(stderr.trim()).unwrap();
    assert_eq!(error["error"]["kind"], "not_found");
}

async fn name_prints_ids_for_pipes(db: TestDb) {
    let ids = three(&db);
    // Names, in list order: a-daily, b-hourly, c-disabled.
    let names = db.stdout(&["schedule", "list", "-o", "name"]);
    assert_eq!(lines(&names), [&ids[1], &ids[0], &ids[2]]);
    // What one command prints, the next one takes as REFs.
    let enabled = db.stdout(&["schedule", "list", "--enabled", "-o", "name"]);
    let mut disable = vec!["schedule", "disable"];
    disable.extend(lines(&enabled));
    disable.extend(["-o", "name"]);
    let disabled = db.stdout(&disable);
    assert_eq!(lines(&disabled), [&ids[1], &ids[0]]);
    assert_eq!(
        db.stdout(&["schedule", "list", "--enabled", "-o", "name"]),
        ""
    );
    // A write prints the id of what it wrote.
    let added = db.stdout(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.u",
        "--cron",
        "@daily",
        "-o",
        "name",
    ]);
    let id = added.trim();
    assert_eq!(
        db.json(&["schedule", "show", id])["task_name"],
        "app.tasks.u"
    );
    // Task names; run ids.
    db.stdout(&["task", "define", "app.tasks.t"]);
    assert_eq!(db.stdout(&["task", "list", "-o", "name"]), "app.tasks.t\n");
    assert_eq!(db.stdout(&["history", "-o", "name"]), "");
}

async fn name_is_refused_where_there_are_no_names(db: TestDb) {
    three(&db);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.yaml");
    std::fs::write(
        &file,
        "schedules:\n  new-one:\n    task: app.tasks.n\n    cron: '@hourly'\n",
    )
    .unwrap();
    let before = db.snapshot();
    for args in [
        vec!["apply", "-f", file.to_str().unwrap(), "--yes", "-o", "name"],
        vec!["diagnose", "-o", "name"],
        vec!["check", "-o", "name"],
        vec!["migrate", "-o", "name"],
    ] {
        let (code, stdout, stderr) = db.run(&args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert_eq!(stdout, "", "{args:?}");
        assert!(stderr.contains("--output name"), "{stderr}");
        assert!(stderr.contains("hint: use --output json"), "{stderr}");
    }
    // Refused before it ran: apply wrote nothing.
    assert_eq!(db.snapshot(), before);
}

async fn no_headers_prints_rows_only(db: TestDb) {
    three(&db);
    let with = db.stdout(&["schedule", "list", "-o", "wide"]);
    let without = db.stdout(&["schedule", "list", "-o", "wide", "--no-headers"]);
    assert!(with.lines().next().unwrap().contains("NAME"), "{with}");
    assert_eq!(lines(&without).len(), 3, "{without}");
    assert!(!without.contains("NAME"), "{without}");
    assert!(lines(&without)[0].contains("a-daily"), "{without}");
    // The global flag goes before or after the subcommand.
    let first = db.stdout(&["--no-headers", "schedule", "list", "-o", "wide"]);
    assert_eq!(first, without);
    // An empty list prints nothing at all (its "No schedules match." is a header too).
    let none = db.stdout(&["schedule", "list", "--search", "zzz", "--no-headers"]);
    assert_eq!(none, "");
    assert_eq!(db.stdout(&["history", "--no-headers"]), "");
    db.stdout(&["task", "define", "app.tasks.t"]);
    let tasks = db.stdout(&["task", "list", "--no-headers", "-o", "wide"]);
    assert_eq!(lines(&tasks).len(), 1, "{tasks}");
    assert!(tasks.contains("app.tasks.t"), "{tasks}");
}

async fn list_sorts_and_limits(db: TestDb) {
    let ids = three(&db);
    let names = |extra: &[&str]| -> Vec<String> {
        let mut args = vec!["schedule", "list"];
        args.extend(extra);
        db.json(&args)
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(&[]), ["a-daily", "b-hourly", "c-disabled"]);
    assert_eq!(
        names(&["--sort-by", "created"]),
        ["b-hourly", "a-daily", "c-disabled"]
    );
    // Soonest first: the hourly one runs before 03:00 comes round, unless this very hour
    // is 02:xx (then both are within the hour and the daily one may come first); the
    // disabled one never runs: last.
    let by_next = names(&["--sort-by", "next"]);
    assert_eq!(by_next[2], "c-disabled");
    let list = db.json(&["schedule", "list", "--sort-by", "next"]);
    let next: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["next_run_at"].as_str())
        .collect();
    assert_eq!(next.len(), 2);
    let instants: Vec<chrono::DateTime<chrono::FixedOffset>> = next
        .iter()
        .map(|t| chrono::DateTime::parse_from_rfc3339(t).unwrap())
        .collect();
    assert!(instants[0] <= instants[1], "{next:?}");
    // Last run: the longest ago first, never-run last.
    db.exec(&format!(
        "UPDATE celery_beat_schedules SET last_run_at = '2026-01-02T00:00:00Z' WHERE id = '{}'",
        ids[2]
    ))
    .await;
    db.exec(&format!(
        "UPDATE celery_beat_schedules SET last_run_at = '2026-01-01T00:00:00Z' WHERE id = '{}'",
        ids[1]
    ))
    .await;
    assert_eq!(
        names(&["--sort-by", "last"]),
        ["a-daily", "c-disabled", "b-hourly"]
    );
    assert_eq!(names(&["--sort-by", "last", "--limit", "1"]), ["a-daily"]);
    assert_eq!(names(&["--limit", "2"]), ["a-daily", "b-hourly"]);
    // --limit 0 and an unknown order are usage errors.
    let (code, _, stderr) = db.run(&["schedule", "list", "--limit", "0"]);
    assert_eq!(code, 2, "{stderr}");
    let (code, _, stderr) = db.run(&["schedule", "list", "--sort-by", "size"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("next"), "{stderr}");
}

/// Six schedules: `r1`, `r2` (category reports, tag daily), `b1` (category billing, tag daily),
/// `x1` (task app.tasks.x), `x2` (task app.tasks.x, disabled), `plain`.
fn six(db: &TestDb) {
    let add = |name: &str, task: &str, extra: &[&str]| {
        let mut args = vec![
            "schedule", "add", "--task", task, "--cron", "@daily", "--name", name,
        ];
        args.extend(extra);
        db.json(&args);
    };
    add(
        "r1",
        "app.tasks.r",
        &["--category", "reports", "--tag", "daily"],
    );
    add(
        "r2",
        "app.tasks.r",
        &[
            "--category",
            "reports",
            "--tag",
            "daily",
            "--kwargs",
            r#"{"k": 2}"#,
        ],
    );
    add(
        "b1",
        "app.tasks.b",
        &["--category", "billing", "--tag", "daily"],
    );
    add("x1", "app.tasks.x", &[]);
    add(
        "x2",
        "app.tasks.x",
        &["--disabled", "--kwargs", r#"{"k": 2}"#],
    );
    add("plain", "app.tasks.p", &[]);
}

/// The names of the schedules with `enabled` as given.
fn names_where(db: &TestDb, enabled: bool) -> Vec<String> {
    db.json(&["schedule", "list"])
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["enabled"] == enabled)
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect()
}

async fn bulk_selection_is_confirmed_and_written_at_once(db: TestDb) {
    six(&db);
    let before = db.snapshot();
    // Without a terminal a selection needs --yes: refused, nothing written.
    let (code, _, stderr) = db.run(&["schedule", "disable", "--category", "reports"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("refusing to disable 2 schedules without confirmation"),
        "{stderr}"
    );
    assert!(stderr.contains("--yes"), "{stderr}");
    assert_eq!(db.snapshot(), before);
    // --dry-run shows the schedules as they would be and writes nothing.
    let (code, stdout, stderr) = db.run(&["schedule", "disable", "--tag", "daily", "--dry-run"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("Would disable 3 schedules; nothing was written (--dry-run)."),
        "{stdout}"
    );
    let would = db.json(&["schedule", "disable", "--tag", "daily", "--dry-run"]);
    let would: Vec<(&str, bool)> = would
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap(), s["enabled"].as_bool().unwrap()))
        .collect();
    assert_eq!(would, [("b1", false), ("r1", false), ("r2", false)]);
    assert_eq!(db.snapshot(), before);
    // With --yes: exactly the selection, in one write.
    let done = db.stdout(&[
        "schedule",
        "disable",
        "--category",
        "reports",
        "--yes",
        "-o",
        "name",
    ]);
    assert_eq!(lines(&done).len(), 2, "{done}");
    assert_eq!(names_where(&db, false), ["r1", "r2", "x2"]);
    // By task (its short name), by search; enable brings them back.
    db.stdout(&["schedule", "enable", "--task", "x", "--yes"]);
    assert_eq!(names_where(&db, false), ["r1", "r2"]);
    db.stdout(&["schedule", "enable", "--search", "R", "--yes"]);
    assert_eq!(names_where(&db, false), Vec::<String>::new());
    // A selection of nothing writes nothing and succeeds.
    let (code, stdout, _) = db.run(&["schedule", "disable", "--category", "none-such", "--yes"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("No schedules match; nothing was written."),
        "{stdout}"
    );
    // REFs and a selection together, or neither: usage errors.
    let (code, _, stderr) = db.run(&["schedule", "disable", "r1", "--category", "reports"]);
    assert_eq!(code, 2, "{stderr}");
    let (code, _, stderr) = db.run(&["schedule", "enable"]);
    assert_eq!(code, 2, "{stderr}");
    // REFs need no confirmation, as before.
    db.stdout(&["schedule", "disable", "plain"]);
    assert_eq!(names_where(&db, false), ["plain"]);
}

async fn bulk_delete_by_selection(db: TestDb) {
    six(&db);
    let before = db.snapshot();
    let plan = db.json(&["schedule", "delete", "--task", "app.tasks.x", "--dry-run"]);
    assert_eq!(plan.as_array().unwrap().len(), 2, "{plan}");
    let (code, stdout, _) = db.run(&["schedule", "delete", "--task", "app.tasks.x", "--dry-run"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("Would delete 2 schedules; nothing was deleted (--dry-run)."),
        "{stdout}"
    );
    assert_eq!(db.snapshot(), before);
    let (code, _, stderr) = db.run(&["schedule", "delete", "--task", "app.tasks.x"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("refusing to delete without confirmation"),
        "{stderr}"
    );
    assert_eq!(db.snapshot(), before);
    db.stdout(&["schedule", "delete", "--task", "app.tasks.x", "--yes"]);
    let left: Vec<String> = db
        .json(&["schedule", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(left, ["b1", "plain", "r1", "r2"]);
    // --all, and --all with a filter is refused.
    let (code, _, stderr) = db.run(&["schedule", "delete", "--all", "--category", "reports"]);
    assert_eq!(code, 2, "{stderr}");
    db.stdout(&["schedule", "delete", "--all", "--yes"]);
    assert_eq!(db.json(&["schedule", "list"]), serde_json::json!([]));
}

/// A second schedule of the dry-run test's task, previewed.
const SECOND_ADD_DRY_RUN: &[&str] = &[
    "schedule",
    "add",
    "--task",
    "app.tasks.d",
    "--cron",
    "@daily",
    "--kwargs",
    r#"{"k": 1}"#,
    "--dry-run",
];

/// `--dry-run` on `schedule add`, `schedule update` and `task define`: the write runs in full
/// and is rolled back, so what it shows is what the write would do (the generated name with its
/// free suffix, the same-job refusal), and nothing is written.
async fn dry_runs_of_writes_show_the_write_and_keep_nothing(db: TestDb) {
    db.json(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.d",
        "--cron",
        "@daily",
    ]);
    let before = db.snapshot();
    // The name a second add would get: the first free suffix.
    let would = db.json(SECOND_ADD_DRY_RUN);
    let existing = before[0]["name"].as_str().unwrap().to_string();
    assert_eq!(would["name"], format!("{existing}_2"), "{would}");
    let (code, stdout, stderr) = db.run(SECOND_ADD_DRY_RUN);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.starts_with(&format!("Would create schedule '{existing}_2' (")),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .next()
            .unwrap()
            .ends_with("; nothing was written (--dry-run)."),
        "{stdout}"
    );
    // The same job: refused as the write would be (exit 5), nothing written.
    let (code, _, stderr) = db.run(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.d",
        "--cron",
        "@daily",
        "--dry-run",
    ]);
    assert_eq!(code, 5, "{stderr}");
    assert_eq!(db.snapshot(), before);

    // Update: the row as it would be; the stored row unchanged.
    let would = db.json(&[
        "schedule",
        "update",
        &existing,
        "--cron",
        "0 5 * * *",
        "--dry-run",
    ]);
    assert_eq!(would["cron_expression"], "0 5 * * *");
    assert_eq!(db.snapshot(), before);
    let (code, stdout, _) = db.run(&[
        "schedule",
        "update",
        &existing,
        "--cron",
        "0 5 * * *",
        "--dry-run",
        "-o",
        "name",
    ]);
    assert_eq!(code, 0);
    assert_eq!(stdout.trim(), before[0]["id"].as_str().unwrap());

    // Task define: created, as it would be; no definition stored.
    let (code, stdout, stderr) = db.run(&[
        "task",
        "define",
        "app.tasks.d",
        "--description",
        "D",
        "--dry-run",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.starts_with(
            "Would create the definition of task app.tasks.d; nothing was written (--dry-run)."
        ),
        "{stdout}"
    );
    let defined = db.json(&["task", "define", "app.tasks.d", "--dry-run"]);
    assert_eq!(defined["action"], "created", "{defined}");
    assert_eq!(db.json(&["task", "list"]), serde_json::json!([]));
    assert_eq!(db.snapshot(), before);
}

/// `run-beat` reports its owed counters with the others when it stops.
async fn run_beat_json_counts_owed_slots(db: TestDb) {
    db.json(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.t",
        "--cron",
        "* * * * *",
    ]);
    let stopped = db.json(&["run-beat", "--once", "--dry-run"]);
    for field in [
        "dispatched",
        "deferred_sent",
        "takeovers",
        "owed",
        "owed_sent",
    ] {
        assert!(stopped[field].is_u64(), "{field}: {stopped}");
    }
    assert_eq!(stopped["owed"], 0, "{stopped}");
}

/// The words the shell's dynamic completion (`COMPLETE=bash`) offers for the last of `words`.
fn completions(mut cmd: assert_cmd::Command, words: &[&str]) -> Vec<String> {
    let out = cmd
        .env("COMPLETE", "bash")
        .env("_CLAP_COMPLETE_INDEX", (words.len() - 1).to_string())
        .arg("--")
        .args(words)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// Dynamic completion offers the stored schedule names for a REF and the defined task names
/// for a TASK.
async fn names_complete_from_the_database(db: TestDb) {
    for (name, task) in [
        ("nightly-report", "app.tasks.report"),
        ("night-sync", "app.tasks.sync"),
        ("weekly", "app.tasks.weekly"),
    ] {
        db.json(&[
            "schedule", "add", "--task", task, "--cron", "@daily", "--name", name,
        ]);
    }
    db.stdout(&["task", "define", "app.tasks.report"]);
    assert_eq!(
        completions(db.cmd(), &["stockura", "schedule", "show", "ni"]),
        ["night-sync", "nightly-report"]
    );
    let all = completions(db.cmd(), &["stockura", "schedule", "disable", ""]);
    assert!(all.contains(&"weekly".to_string()), "{all:?}");
    assert_eq!(
        completions(db.cmd(), &["stockura", "history", "we"]),
        ["weekly"]
    );
    let tasks = completions(db.cmd(), &["stockura", "task", "show", "app"]);
    assert_eq!(tasks, ["app.tasks.report"]);
}

/// Without a database, completion offers no names, fails nothing and creates nothing.
#[test]
fn completion_without_a_database_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir(&home).unwrap();
    let mut cmd = crate::support::bare_cmd(dir.path());
    cmd.env("STOCKURA_HOME", &home);
    let offered = completions(cmd, &["stockura", "schedule", "show", "n"]);
    assert_eq!(offered, Vec::<String>::new());
    assert_eq!(std::fs::read_dir(&home).unwrap().count(), 0);
}

both_backends!(
    jsonl_is_one_object_per_line,
    name_prints_ids_for_pipes,
    name_is_refused_where_there_are_no_names,
    no_headers_prints_rows_only,
    list_sorts_and_limits,
    bulk_selection_is_confirmed_and_written_at_once,
    bulk_delete_by_selection,
    dry_runs_of_writes_show_the_write_and_keep_nothing,
    run_beat_json_counts_owed_slots,
    names_complete_from_the_database,
);
