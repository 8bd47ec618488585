//! Behaviour on a real terminal (`script`, from util-linux, runs the binary on a
//! pseudo-terminal) and what reaches one: tables fitted to its width, control characters kept
//! out of it, a reader that stops early.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::both_backends;
use crate::support::TestDb;

/// Runs stockura on a pty with `input` typed at it; returns (exit code, everything it printed).
fn on_terminal(db: &TestDb, args: &str, input: &str) -> Option<(i32, String)> {
    let script = which("script")?;
    let command = format!("{} {args}", env!("CARGO_BIN_EXE_stockura"));
    let mut child = Command::new(script)
        .args(["-qec", &command, "/dev/null"])
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

both_backends!(control_characters_are_refused_on_write);
