//! The guided `schedule add`, driven through a real pseudo-terminal: a Python `pty` driver
//! waits for each prompt and types the answer (keys, arrows, Enter) as a person would.

use serde_json::json;

use crate::support::TestDb;

/// Runs stockura on a pty; `steps` are (text to wait for, keys to send). Returns the exit code
/// and the screen with escape sequences removed.
const DRIVER: &str = r#"
import json, os, pty, re, select, sys, time
argv, env, steps = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    os.execve(argv[0], argv, env)
screen, seen = "", 0
ansi = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\r")
def read(until):
    global screen
    while time.time() < until:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                return False
            if not data:
                return False
            screen += ansi.sub("", data.decode("utf-8", "replace"))
            return True
    return True
for expect, send in steps:
    deadline = time.time() + 20  # a hang guard only
    while screen.find(expect, seen) < 0:
        if time.time() > deadline or not read(deadline):
            print(json.dumps({"code": -1, "screen": screen, "stuck_on": expect}))
            sys.exit(0)
    seen = screen.find(expect, seen) + len(expect)
    time.sleep(0.05)
    os.write(fd, send.encode())
deadline = time.time() + 20
while time.time() < deadline and read(deadline):
    pass
_, status = os.waitpid(pid, 0)
print(json.dumps({"code": os.waitstatus_to_exitcode(status), "screen": screen}))
"#;

fn drive(db: &TestDb, args: &[&str], steps: &[(&str, &str)]) -> (i32, String) {
    drive_with(db, &[], args, steps)
}

/// [`drive`] with more environment variables.
fn drive_with(
    db: &TestDb,
    vars: &[(&str, &str)],
    args: &[&str],
    steps: &[(&str, &str)],
) -> (i32, String) {
    let python = std::env::var("STOCKURA_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let mut argv = vec![env!("CARGO_BIN_EXE_stockura").to_string()];
    argv.extend(args.iter().map(|a| a.to_string()));
    let mut env = json!({
        "HOME": db.dir.path(),
        "DATABASE_URL": db.url,
        "TERM": "xterm",
        "NO_COLOR": "1",
        "PATH": "/usr/bin:/bin",
    });
    for (k, v) in vars {
        env[*k] = json!(v);
    }
    let input = json!([argv, env, steps]).to_string();
    let out = std::process::Command::new(python)
        .args(["-c", DRIVER, &input])
        .output()
        .expect("run the pty driver (python3)");
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "driver output is not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let screen = result["screen"].as_str().unwrap_or_default().to_string();
    if let Some(stuck) = result.get("stuck_on") {
        panic!("the prompt {stuck} never came; screen:\n{screen}");
    }
    (result["code"].as_i64().unwrap_or(-1) as i32, screen)
}

const ENTER: &str = "\r";
const DOWN: &str = "\x1b[B";

fn define(db: &TestDb) {
    db.json(&[
        "task",
        "define",
        "app.tasks.report",
        "--schema",
        r#"{"type":"object","required":["period","note"],"properties":{
            "period":{"type":"string","enum":["daily","weekly"],"description":"how often"},
            "limit":{"type":"integer","default":10},
            "note":{"type":"string"}}}"#,
    ]);
    db.json(&["task", "define", "app.tasks.other"]);
}

#[tokio::test]
async fn guided_add_asks_for_everything_and_creates_the_schedule() {
    let db = TestDb::sqlite().await;
    define(&db);
    let (code, screen) = drive(
        &db,
        &["schedule", "add", "--name", "guided"],
        &[
            ("Task (type to filter)", "repo"),
            ("app.tasks.report", ENTER),
            ("period (how often)", &format!("{DOWN}{ENTER}")),
            ("limit [optional]", ENTER),
            ("note", ENTER),
            ("note is required", "hello\r"),
            ("Timezone (IANA)", "Mars/Base\r"),
            ("Mars/Base", ""),
            (
                "Timezone (IANA)",
                &format!("{}Europe/Paris\r", "\x7f".repeat(9)),
            ),
            ("Cron", "61 * * * *\r"),
            ("invalid", ""),
            ("Cron", "0 9 * * *\r"),
            ("next:", ""),
            ("Overlap policy", &format!("{DOWN}{ENTER}")),
            ("Create this schedule?", "y"),
        ],
    );
    assert_eq!(code, 0, "{screen}");
    assert!(
        screen.contains("next:") && screen.contains("09:00"),
        "{screen}"
    );
    assert!(screen.contains("Summary:"), "{screen}");
    let s = db.json(&["schedule", "show", "guided"]);
    assert_eq!(s["task_name"], "app.tasks.report", "{s}");
    assert_eq!(s["cron_expression"], "0 9 * * *", "{s}");
    assert_eq!(s["timezone"], "Europe/Paris", "{s}");
    assert_eq!(s["execution_policy"], "skip", "{s}");
    assert_eq!(
        s["kwargs"],
        json!({"period": "weekly", "limit": 10, "note": "hello"}),
        "{s}"
    );
}

#[tokio::test]
async fn guided_add_keeps_the_flags_and_declining_writes_nothing() {
    let db = TestDb::sqlite().await;
    define(&db);
    // --task and --tz given: neither is asked; a typed task without a definition.
    let (code, screen) = drive(
        &db,
        &[
            "schedule",
            "add",
            "--task",
            "app.tasks.free",
            "--tz",
            "UTC",
            "--policy",
            "allow",
        ],
        &[("Cron", "@daily\r"), ("Create this schedule?", "n")],
    );
    assert_eq!(code, 130, "{screen}");
    assert!(screen.contains("nothing was written"), "{screen}");
    assert!(
        !screen.contains("Task (") && !screen.contains("Timezone"),
        "{screen}"
    );
    assert_eq!(db.json(&["schedule", "list"]), json!([]));

    let (code, screen) = drive(
        &db,
        &["schedule", "add", "--cron", "@hourly", "--tz", "UTC"],
        &[
            ("Task (type to filter)", "another"),
            ("(another task, typed)", ENTER),
            ("Task (Celery task name)", "app.tasks.free\r"),
            ("Overlap policy", ENTER),
            ("Create this schedule?", "y"),
        ],
    );
    assert_eq!(code, 0, "{screen}");
    let list = db.json(&["schedule", "list"]);
    assert_eq!(list[0]["task_name"], "app.tasks.free", "{list}");
}

/// On a terminal `schedule backfill` lists the slots and asks: declined, nothing is sent or
/// written; accepted, every slot is sent.
#[tokio::test]
async fn backfill_asks_on_a_terminal() {
    use chrono::{Duration, DurationRound, SecondsFormat, Utc};
    let db = TestDb::sqlite().await;
    db.json(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.fill",
        "--cron",
        "* * * * *",
        "--name",
        "fill",
    ]);
    let to = Utc::now().duration_trunc(Duration::minutes(1)).unwrap() - Duration::minutes(10);
    let from = (to - Duration::minutes(3)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let to = to.to_rfc3339_opts(SecondsFormat::Secs, true);
    let prefix = db.broker_prefix();
    let broker = format!("{}/0", crate::support::redis_url());
    let vars = [("CELERY_BROKER_URL", broker.as_str())];
    let args = [
        "schedule",
        "backfill",
        "fill",
        "--from",
        &from,
        "--to",
        &to,
        "--broker-key-prefix",
        &prefix,
    ];
    let (code, screen) = drive_with(&db, &vars, &args, &[("to the broker", "n\r")]);
    assert_eq!(code, 130, "{screen}");
    assert!(screen.contains("3 slots: 3 to send."), "{screen}");
    assert!(screen.contains("nothing was sent"), "{screen}");
    assert_eq!(db.json(&["history"]), json!([]));

    let (code, screen) = drive_with(&db, &vars, &args, &[("to the broker", "y\r")]);
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("3 slots: 3 sent."), "{screen}");
    let history = db.json(&["history"]);
    assert_eq!(history.as_array().unwrap().len(), 3, "{history}");
}

#[tokio::test]
async fn without_a_terminal_missing_flags_are_a_usage_error() {
    let db = TestDb::sqlite().await;
    let (code, _, stderr) = db.run(&["schedule", "add", "--task", "app.tasks.x"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--cron <EXPR>"), "{stderr}");
    assert_eq!(db.json(&["schedule", "list"]), json!([]));
}
