//! Behaviour on a real terminal (`script`, from util-linux, runs the binary on a
//! pseudo-terminal) and what reaches one: tables fitted to its width, control characters kept
//! out of it, a reader that stops early.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::both_backends;
use crate::support::TestDb;

/// Runs stockura on a pty with `input` typed at it; returns (exit code, everything it printed).
fn on_terminal(db: &TestDb, args: &str, input: &str) -> Option<(i32, String)> {
    in_pty(
        db,
        &format!("{} {args}", env!("CARGO_BIN_EXE_stockura")),
        input,
    )
}

/// Runs stockura on a pty `columns` wide.
fn on_terminal_of(db: &TestDb, columns: usize, args: &str) -> Option<(i32, String)> {
    let stty = which("stty")?;
    let command = format!(
        "{} cols {columns} rows 50 && {} {args}",
        stty.display(),
        env!("CARGO_BIN_EXE_stockura")
    );
    in_pty(db, &command, "")
}

/// Runs a shell command line on a pty.
fn in_pty(db: &TestDb, command: &str, input: &str) -> Option<(i32, String)> {
    let script = which("script")?;
    let mut child = Command::new(script)
        .args(["-qec", command, "/dev/null"])
        .env_clear()
        .env("HOME", db.dir.path())
        .env("DATABASE_URL", &db.url)
        .env("TERM", "dumb")
        .current_dir(db.dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(input.as_bytes()).ok()?;
    let out = child.wait_with_output().ok()?;
    Some((
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).replace('\r', ""),
    ))
}

fn which(name: &str) -> Option<std::path::PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

#[tokio::test]
async fn delete_asks_on_a_terminal_and_respects_the_answer() {
    let db = TestDb::sqlite().await;
    db.json(&[
        "schedule", "add", "--task", "t", "--cron", "@daily", "--name", "victim",
    ]);
    let Some((code, screen)) = on_terminal(&db, "schedule delete victim", "n\n") else {
        panic!("util-linux `script` is needed for the terminal tests");
    };
    assert_eq!(code, 130, "{screen}");
    assert!(
        screen.contains("Delete 1 schedule?")
            && screen.contains("victim")
            && screen.contains("[y/N]"),
        "{screen}"
    );
    assert!(screen.contains("nothing was deleted"), "{screen}");
    assert_eq!(db.json(&["schedule", "list"]).as_array().unwrap().len(), 1);

    let (code, screen) = on_terminal(&db, "schedule delete victim", "y\n").unwrap();
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("Deleted 1 schedule."), "{screen}");
    assert_eq!(db.json(&["schedule", "list"]), serde_json::json!([]));
}

#[tokio::test]
async fn tables_on_a_terminal_have_borders() {
    let db = TestDb::sqlite().await;
    db.json(&[
        "schedule", "add", "--task", "t", "--cron", "@daily", "--name", "boxed",
    ]);
    let (code, screen) = on_terminal(&db, "schedule list", "").unwrap();
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains('│') && screen.contains("boxed"), "{screen}");
}

#[tokio::test]
async fn apply_shows_the_plan_and_asks_on_a_terminal() {
    let db = TestDb::sqlite().await;
    let file = db.dir.path().join("s.yaml");
    std::fs::write(
        &file,
        "schedules:\n  asked:\n    task: app.tasks.t\n    cron: '@daily'\n",
    )
    .unwrap();
    let args = format!("apply -f {}", file.display());
    let (code, screen) = on_terminal(&db, &args, "n\n").unwrap();
    assert_eq!(code, 130, "{screen}");
    assert!(screen.contains("+ create  asked"), "{screen}");
    assert!(screen.contains("Apply these changes? [y/N]"), "{screen}");
    assert!(screen.contains("nothing was written"), "{screen}");
    assert_eq!(db.json(&["schedule", "list"]), serde_json::json!([]));

    let (code, screen) = on_terminal(&db, &args, "y\n").unwrap();
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("Applied: 1 created"), "{screen}");
    assert_eq!(db.json(&["schedule", "list"]).as_array().unwrap().len(), 1);
}

/// Runs stockura with its stdout a pipe whose reader is gone before it writes (as after
/// `| head -1` has read its line); returns the exit code and stderr.
fn with_closed_stdout(db: &TestDb, args: &[&str]) -> (i32, String) {
    let mut child = crate::support::std_cmd(db.dir.path())
        .env("DATABASE_URL", &db.url)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run stockura");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait for stockura");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn a_closed_stdout_is_a_quiet_success() {
    let db = TestDb::sqlite().await;
    db.json(&["schedule", "add", "--task", "t", "--cron", "@daily"]);
    for args in [
        &["completions", "bash"][..],
        &["completions", "zsh"],
        &["schedule", "list"],
        &["schedule", "list", "--output", "json"],
        &["task", "list"],
    ] {
        let (code, stderr) = with_closed_stdout(&db, args);
        assert_eq!((code, stderr.as_str()), (0, ""), "{args:?}");
    }
    // The issue's own words, through a shell that reports the writer's status.
    let script = format!(
        "set -o pipefail; '{}' completions bash | head -1",
        env!("CARGO_BIN_EXE_stockura")
    );
    let out = Command::new("bash")
        .args(["-c", &script])
        .env_clear()
        .env("HOME", db.dir.path())
        .output()
        .expect("bash");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "_stockura() {\n");
    assert!(out.stderr.is_empty(), "{out:?}");
}

/// The first character of `text`, other than its line ends, that would act on a terminal: a
/// control character, a line or paragraph separator, a bidirectional override or isolate.
fn unprintable(text: &str) -> Option<char> {
    text.chars().find(|c| {
        *c != '\n'
            && (c.is_control()
                || matches!(c, '\u{2028}'..='\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
    })
}

async fn control_characters_are_refused_on_write(db: TestDb) {
    db.json(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.t",
        "--cron",
        "@daily",
        "--name",
        "kept",
    ]);
    db.json(&["task", "define", "app.tasks.t", "--description", "plain"]);
    let state = || (db.snapshot(), db.json(&["task", "list"]));
    let before = state();
    let refused = |args: &[&str], field: &str| {
        let (code, out, err) = db.run(args);
        assert_eq!(code, 3, "{args:?}: {out}{err}");
        assert!(
            err.contains(&format!(
                "error: the {field} contains the control character"
            )),
            "{args:?}: {err}"
        );
        assert!(err.contains("hint: "), "{args:?}: {err}");
        assert_eq!(unprintable(&err), None, "{args:?}: {err:?}");
    };
    for (flag, value, field) in [
        ("--name", "red\u{1b}[31mname", "name"),
        ("--tag", "t\u{1b}[2J", "tag"),
        ("--category", "c\u{9b}31m", "category"),
        ("--description", "one\ntwo", "description"),
        ("--description", "tab\there", "description"),
        ("--description", "evil \u{202E}fdp.exe", "description"),
    ] {
        refused(
            &[
                "schedule",
                "add",
                "--task",
                "app.tasks.t",
                "--cron",
                "@daily",
                flag,
                value,
            ],
            field,
        );
        refused(&["schedule", "update", "kept", flag, value], field);
    }
    refused(
        &["schedule", "update", "kept", "--add-tag", "x\u{7}"],
        "tag",
    );
    refused(
        &[
            "task",
            "define",
            "app.tasks.t",
            "--description",
            "\u{1b}]0;title\u{7}",
        ],
        "description",
    );
    refused(
        &["task", "define", "app.tasks.u", "--category", "a\rb"],
        "category",
    );
    // Documents: every field named, nothing applied.
    let file = db.dir.path().join("doc.json");
    let fine = serde_json::json!({"task": "app.tasks.t", "cron": "@daily"});
    for (doc, fields) in [
        (
            serde_json::json!({"schedules": {
                "fine": fine,
                "red\u{1b}[31m": fine,
                "other": {
                    "task": "app.tasks.t", "cron": "@daily", "description": "a\u{1b}[2Jb",
                    "category": "c\u{0}", "tags": ["ok", "t\nt"],
                },
            }}),
            &["name", "description", "category", "tag"][..],
        ),
        (
            serde_json::json!({
                "schedules": {"fine": fine},
                "tasks": {"app.tasks.t": {"description": "x\u{202E}y"}},
            }),
            &["description"],
        ),
    ] {
        std::fs::write(&file, doc.to_string()).unwrap();
        let (code, out, err) = db.run(&["apply", "-f", file.to_str().unwrap(), "--yes"]);
        assert_eq!(code, 3, "{out}{err}");
        for field in fields {
            assert!(
                err.contains(&format!("the {field} contains the control character")),
                "{field}: {err}"
            );
        }
        assert_eq!(unprintable(&err), None, "{err:?}");
    }
    assert_eq!(state(), before, "nothing was written");
}

/// A schedule, a task definition and a run as another program could write them: escape
/// sequences, a bell and a newline in the name, description, category, tags and run detail.
async fn rows_written_by_another_program_are_shown_escaped(db: TestDb) {
    let s = db.json(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.t",
        "--cron",
        "@daily",
        "--name",
        "victim",
        "--description",
        "plain",
    ]);
    let id = s["id"].as_str().unwrap().to_string();
    db.json(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.t",
        "--cron",
        "@daily",
        "--name",
        "twin",
        "--allow-duplicate",
    ]);
    db.json(&["task", "define", "app.tasks.t", "--description", "plain"]);
    let chr = match db.backend {
        stockura::config::Backend::Postgres => "chr",
        stockura::config::Backend::Sqlite => "char",
    };
    db.exec(&format!(
        "UPDATE celery_beat_schedules SET
           name = 'red' || {chr}(27) || '[31mname' || {chr}(10) || 'x',
           description = 'wipe' || {chr}(27) || '[2J' || {chr}(27) || '[H',
           category = 'bell' || {chr}(7),
           tags = '[\"ok\", \"t\\u001b[1m\"]';
         UPDATE task_definitions SET
           description = 'title' || {chr}(27) || ']0;pwned' || {chr}(7),
           category = 'c' || {chr}(27) || '[5m';"
    ))
    .await;
    use stockura::domain::run::{NewRun, RunStatus, Trigger};
    use stockura::store::RunStore;
    let slot = chrono::Utc::now() - chrono::Duration::minutes(1);
    db.store()
        .await
        .insert_runs(&[NewRun {
            schedule_id: Some(id.parse().unwrap()),
            schedule_name: "red\u{1b}[31mname\nx".into(),
            task_name: "app.tasks.t".into(),
            celery_task_id: None,
            scheduled_for: slot,
            dispatched_at: None,
            trigger: Trigger::Schedule,
            status: RunStatus::Failed,
            detail: Some("broker said \u{1b}[31mno\u{1b}[0m\r\u{202E}".into()),
            arguments: stockura::domain::Arguments::new(&[], &serde_json::Map::new()),
            push_marker: None,
        }])
        .await
        .unwrap();
    let short = &id.replace('-', "")[..8];
    for (columns, args) in [
        (None, &["schedule", "list"][..]),
        (Some("80"), &["schedule", "list"]),
        (None, &["schedule", "list", "-o", "wide"]),
        (None, &["schedule", "show", &id]),
        (Some("60"), &["schedule", "show", &id]),
        (None, &["task", "list"]),
        (None, &["task", "show", "app.tasks.t"]),
        (None, &["history"]),
        (Some("80"), &["history"]),
        (None, &["schedule", "disable", &id]),
    ] {
        let mut cmd = db.cmd();
        if let Some(c) = columns {
            cmd.env("COLUMNS", c);
        }
        let out = cmd.args(args).output().unwrap();
        let (stdout, stderr) = (
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8_lossy(&out.stderr),
        );
        assert!(out.status.success(), "{args:?}: {stderr}");
        assert_eq!(unprintable(&stdout), None, "{args:?}:\n{stdout:?}");
        let escaped = if args[0] == "task" {
            "title\\x1b]0;pwned\\x07"
        } else {
            "red\\x1b[31mname\\nx"
        };
        assert!(
            stdout.contains(escaped),
            "{args:?}: {escaped} not in\n{stdout}"
        );
        if args[0] == "schedule" {
            assert!(stdout.contains(short), "{args:?}:\n{stdout}");
        }
        if args.starts_with(&["schedule", "show"]) {
            for shown in ["wipe\\x1b[2J\\x1b[H", "bell\\x07", "t\\x1b[1m"] {
                assert!(stdout.contains(shown), "{args:?}: {shown} not in\n{stdout}");
            }
        }
        if args == ["history"] && columns.is_none() {
            assert!(
                stdout.contains("broker said \\x1b[31mno\\x1b[0m\\r\\u{202e}"),
                "{stdout}"
            );
        }
    }
    // Names from such rows in an error message are escaped too (both rows now have it).
    let (code, _, err) = db.run(&["schedule", "show", "red\u{1b}[31mname\nx"]);
    assert_eq!(code, 4, "{err}");
    assert!(
        err.contains(short) && err.contains("red\\x1b[31mname\\nx"),
        "{err}"
    );
    assert_eq!(unprintable(&err), None, "{err:?}");
    // JSON keeps the real values (JSON escapes them itself).
    let json = db.json(&["schedule", "show", &id]);
    assert_eq!(json["name"], "red\u{1b}[31mname\nx");
    assert_eq!(json["description"], "wipe\u{1b}[2J\u{1b}[H");
    assert_eq!(json["tags"], serde_json::json!(["ok", "t\u{1b}[1m"]));
    let raw = db.stdout(&["history", "--output", "json"]);
    assert!(
        !raw.contains('\u{1b}') && raw.contains("\\u001b[31m"),
        "{raw}"
    );
    let history: serde_json::Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(history[0]["schedule_name"], "red\u{1b}[31mname\nx");
}

both_backends!(
    control_characters_are_refused_on_write,
    rows_written_by_another_program_are_shown_escaped,
);

/// Every line of `text` at most `width` columns (when given) and without trailing spaces.
fn assert_fits(text: &str, width: Option<usize>, what: &str) {
    for line in text.lines() {
        assert_eq!(line, line.trim_end(), "{what}: trailing spaces in\n{text}");
        if let Some(width) = width {
            assert!(
                line.chars().count() <= width,
                "{what}: a line of {} columns, wider than {width}:\n{text}",
                line.chars().count()
            );
        }
    }
}

const LIST_HEADERS: [&str; 11] = [
    "ID", "NAME", "TASK", "CRON", "TIMEZONE", "ENABLED", "POLICY", "CATEGORY", "TAGS", "NEXT RUN",
    "LAST RUN",
];

/// Schedules with long names, tasks, tags and descriptions, a task definition and a run with a
/// long detail; returns the schedules' (id, name).
async fn wide_content(db: &TestDb) -> Vec<(String, String)> {
    let mut made = Vec::new();
    for (name, task) in [
        (
            "daily report for the accounting team",
            "app.tasks.reports.generate_daily_report_task_asyncpg",
        ),
        (
            "nightly_ledger_reconciliation_for_all_subsidiaries",
            "app.tasks.ledger.reconcile",
        ),
        ("t", "app.tasks.t"),
    ] {
        let s = db.json(&[
            "schedule", "add", "--task", task, "--cron", "30 6 * * 1-5", "--tz",
            "America/New_York", "--name", name, "--category", "accounting-and-finance",
            "--tag", "nightly", "--tag", "market-data", "--tag", "reconciliation",
            "--policy", "skip", "--description",
            "Reconciles every ledger against the bank statements of the previous business day, \
             then mails the differences to the controllers of each subsidiary",
            "--kwargs", r#"{"subsidiaries": ["jp-tokyo", "us-new-york", "de-frankfurt", "gb-london"], "mode": "full"}"#,
        ]);
        made.push((s["id"].as_str().unwrap().to_string(), name.to_string()));
    }
    db.json(&[
        "task",
        "define",
        "app.tasks.reports.generate_daily_report_task_asyncpg",
        "--category",
        "reports",
        "--description",
        "Generates the daily report for the accounting team, with every ledger reconciled",
    ]);
    use stockura::domain::run::{NewRun, RunStatus, Trigger};
    use stockura::store::RunStore;
    let slot = chrono::Utc::now() - chrono::Duration::minutes(1);
    db.store()
        .await
        .insert_runs(&[NewRun {
            schedule_id: Some(made[0].0.parse().unwrap()),
            schedule_name: made[0].1.clone(),
            task_name: "app.tasks.reports.generate_daily_report_task_asyncpg".into(),
            celery_task_id: Some(uuid::Uuid::new_v4()),
            scheduled_for: slot,
            dispatched_at: None,
            trigger: Trigger::Catchup,
            status: RunStatus::Failed,
            detail: Some(
                "the broker refused the message: OOM command not allowed when used memory > \
                 'maxmemory' (deadline passed after 12 attempts)"
                    .into(),
            ),
            arguments: stockura::domain::Arguments::new(&[], &serde_json::Map::new()),
            push_marker: None,
        }])
        .await
        .unwrap();
    made
}

#[tokio::test]
async fn tables_fit_the_width_and_never_cut_ids_or_names() {
    let db = TestDb::sqlite().await;
    let made = wide_content(&db).await;
    let run = |columns: Option<usize>, args: &[&str]| -> String {
        let mut cmd = db.cmd();
        if let Some(c) = columns {
            cmd.env("COLUMNS", c.to_string());
        }
        let out = cmd.args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let task = "app.tasks.reports.generate_daily_report_task_asyncpg";
    for width in [80, 100] {
        for args in [
            &["schedule", "list"][..],
            &["schedule", "show", &made[0].0],
            &["schedule", "disable", &made[2].0],
            &["task", "list"],
            &["task", "show", task],
            &["history"],
        ] {
            let text = run(Some(width), args);
            assert_fits(&text, Some(width), &format!("COLUMNS={width} {args:?}"));
        }
        let list = run(Some(width), &["schedule", "list"]);
        let header = list.lines().next().unwrap();
        assert!(header.contains("ID") && header.contains("NAME"), "{list}");
        assert!(
            LIST_HEADERS.iter().any(|h| !header.contains(h)),
            "columns were left out:\n{list}"
        );
        // Each schedule's row holds its short id and its name, whole.
        for (id, name) in &made {
            let short = &id.replace('-', "")[..8];
            assert!(
                list.lines().any(
                    |l| l.split_whitespace().next() == Some(short) && l.contains(name.as_str())
                ),
                "{short} {name}:\n{list}"
            );
        }
        // The detail keeps the full id and the name on one line each; free text wraps.
        let show = run(Some(width), &["schedule", "show", &made[1].0]);
        assert!(show.lines().any(|l| l.contains(&made[1].0)), "{show}");
        assert!(show.lines().any(|l| l.contains(&made[1].1)), "{show}");
        assert!(show.contains("controllers of each subsidiary"), "{show}");
        // A task list cuts the description (or leaves it out), never the task.
        let tasks = run(Some(width), &["task", "list"]);
        assert!(tasks.contains(task), "{tasks}");
        assert!(!tasks.contains("every ledger reconciled"), "{tasks}");
        if width == 100 {
            assert!(
                tasks.contains("Generates the daily") && tasks.contains('…'),
                "{tasks}"
            );
        }
        let history = run(Some(width), &["history"]);
        assert!(history.contains(&made[0].1), "{history}");
    }
    // -o wide: every column, whole, whatever the width; so is a pipe without COLUMNS.
    for (columns, args) in [
        (Some(80), &["schedule", "list", "-o", "wide"][..]),
        (None, &["schedule", "list"]),
    ] {
        let text = run(columns, args);
        assert_fits(&text, None, &format!("{args:?}"));
        let header = text.lines().next().unwrap();
        for h in LIST_HEADERS {
            assert!(header.contains(h), "{h} missing from {args:?}:\n{text}");
        }
        assert!(text.lines().any(|l| l.chars().count() > 100), "{text}");
    }
    for args in [
        &["task", "list", "-o", "wide"][..],
        &["history", "-o", "wide"],
    ] {
        let text = run(Some(80), args);
        assert_fits(&text, None, &format!("{args:?}"));
        assert!(!text.contains('…'), "{args:?}: nothing is cut:\n{text}");
        assert!(
            text.contains("every ledger reconciled")
                || text.contains("(deadline passed after 12 attempts)"),
            "{text}"
        );
    }
    // JSON is not a table: the same document whatever the width.
    assert_eq!(
        run(Some(80), &["schedule", "list", "-o", "json"]).len(),
        run(None, &["schedule", "list", "-o", "json"]).len()
    );
}

#[tokio::test]
async fn tables_on_a_terminal_fit_its_width() {
    let db = TestDb::sqlite().await;
    let made = wide_content(&db).await;
    for columns in [80, 100] {
        let Some((code, screen)) = on_terminal_of(&db, columns, "schedule list") else {
            panic!("util-linux `script` and coreutils `stty` are needed for the terminal tests");
        };
        assert_eq!(code, 0, "{screen}");
        assert!(screen.contains('│'), "{screen}");
        assert_fits(&screen, Some(columns), &format!("a terminal of {columns}"));
        for (id, name) in &made {
            assert!(
                screen.contains(&id.replace('-', "")[..8]) && screen.contains(name.as_str()),
                "{screen}"
            );
        }
    }
}
