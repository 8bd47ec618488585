//! Behaviour on a real terminal: `script` (util-linux) runs the binary on a pseudo-terminal.

use std::io::Write;
use std::process::{Command, Stdio};

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
