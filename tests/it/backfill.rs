//! `schedule backfill` against a real Redis broker, on both backends: each slot of the range
//! reaches the broker once (counted on the queue list) and is recorded once (counted in
//! `schedule_runs`), whoever sent it and however often the backfill runs.

use chrono::{DateTime, Duration, DurationRound, SecondsFormat, Utc};
use serde_json::Value;
use stockura::beat::message::slot_task_id;
use stockura::domain::Arguments;
use stockura::domain::run::{NewRun, RunStatus, Trigger};
use stockura::store::RunStore;
use uuid::Uuid;

use crate::both_backends;
use crate::support::{TestDb, redis_url};

/// Slots in each test's range.
const SLOTS: i64 = 6;

/// A test's schedule (`* * * * *`), its range of [`SLOTS`] past minutes, and its broker prefix.
struct Rig {
    db: TestDb,
    id: Uuid,
    from: DateTime<Utc>,
    prefix: String,
}

impl Rig {
    async fn new(db: TestDb) -> Self {
        let added = db.json(&[
            "schedule",
            "add",
            "--task",
            "app.tasks.fill",
            "--cron",
            "* * * * *",
            "--name",
            "fill",
            "--kwargs",
            r#"{"n": 1}"#,
        ]);
        let id = added["id"].as_str().unwrap().parse().unwrap();
        // Whole minutes well in the past: every slot of the range is over.
        let from = Utc::now().duration_trunc(Duration::minutes(1)).unwrap() - Duration::minutes(20);
        let prefix = db.broker_prefix();
        Self {
            db,
            id,
            from,
            prefix,
        }
    }

    fn slot(&self, n: i64) -> DateTime<Utc> {
        self.from + Duration::minutes(n)
    }

    fn text(t: DateTime<Utc>) -> String {
        t.to_rfc3339_opts(SecondsFormat::Secs, true)
    }

    /// `schedule backfill fill` over the range, with a broker, as JSON: exit code and document.
    fn backfill(&self, extra: &[&str]) -> (i32, Value, String) {
        let (from, to) = (Self::text(self.slot(0)), Self::text(self.slot(SLOTS)));
        let mut args = vec![
            "schedule",
            "backfill",
            "fill",
            "--from",
            &from,
            "--to",
            &to,
            "--rate",
            "1000/s",
            "--broker-key-prefix",
            &self.prefix,
            "-o",
            "json",
        ];
        args.extend(extra);
        let out = self
            .db
            .cmd()
            .env("CELERY_BROKER_URL", format!("{}/0", redis_url()))
            .args(&args)
            .output()
            .expect("run stockura");
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        let doc = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {stderr}"));
        (out.status.code().unwrap_or(-1), doc, stderr)
    }

    /// The messages on the default queue, oldest first.
    async fn messages(&self) -> Vec<Value> {
        let items: Vec<String> = redis::cmd("LRANGE")
            .arg(format!("{}celery", self.prefix))
            .arg(0)
            .arg(-1)
            .query_async(&mut self.redis().await)
            .await
            .unwrap();
        items
            .iter()
            .rev()
            .map(|i| serde_json::from_str(i).unwrap())
            .collect()
    }

    /// The push markers left on the broker (a recorded push's is deleted).
    async fn markers(&self) -> Vec<String> {
        redis::cmd("KEYS")
            .arg(format!("{}stockura:push:*", self.prefix))
            .query_async(&mut self.redis().await)
            .await
            .unwrap()
    }

    /// Leaves the marker of push `marker` on the broker, as a push that landed does.
    async fn mark_landed(&self, marker: &str) {
        let _: () = redis::cmd("SET")
            .arg(format!("{}stockura:push:{marker}", self.prefix))
            .arg("1")
            .query_async(&mut self.redis().await)
            .await
            .unwrap();
    }

    async fn redis(&self) -> redis::aio::MultiplexedConnection {
        redis::Client::open(format!("{}/0", redis_url()))
            .unwrap()
            .get_multiplexed_async_connection()
            .await
            .unwrap()
    }

    /// A run of slot `n` as the scheduler records it.
    fn scheduler_run(&self, n: i64, status: RunStatus) -> NewRun {
        let sent = status == RunStatus::Dispatched;
        NewRun {
            schedule_id: Some(self.id),
            schedule_name: "fill".into(),
            task_name: "app.tasks.fill".into(),
            celery_task_id: sent.then(|| slot_task_id(self.id, self.slot(n))),
            scheduled_for: self.slot(n),
            dispatched_at: sent.then(|| self.slot(n)),
            trigger: Trigger::Schedule,
            status,
            detail: (!sent).then(|| "no scheduler ran".into()),
            arguments: Arguments::new(&[], &serde_json::from_str(r#"{"n": 1}"#).unwrap()),
            push_marker: None,
        }
    }

    /// (trigger, status) of each recorded run, by slot.
    async fn runs(&self) -> Vec<(DateTime<Utc>, Trigger, RunStatus)> {
        self.db
            .runs()
            .await
            .into_iter()
            .map(|r| (r.run.scheduled_for, r.run.trigger, r.run.status))
            .collect()
    }
}

fn count(doc: &Value, field: &str) -> u64 {
    doc[field]
        .as_u64()
        .unwrap_or_else(|| panic!("{field} in {doc}"))
}

/// The issue's test: slot 1 was dispatched by the scheduler and slot 2 missed; the backfill
/// sends the five others once each (slot 2 on its missed row), in order, with the slots' task
/// ids. A second backfill sends nothing; a scheduler cannot claim a backfilled slot.
async fn backfill_sends_each_slot_once(db: TestDb) {
    let rig = Rig::new(db).await;
    let store = rig.db.store().await;
    let seeded = store
        .insert_runs(&[
            rig.scheduler_run(1, RunStatus::Dispatched),
            rig.scheduler_run(2, RunStatus::Missed),
        ])
        .await
        .unwrap();
    assert!(seeded.iter().all(Option::is_some));

    let (code, doc, stderr) = rig.backfill(&[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        (
            count(&doc, "total"),
            count(&doc, "sent"),
            count(&doc, "already_dispatched")
        ),
        (6, 5, 1),
        "{doc}"
    );
    assert_eq!(doc["slots"][2]["action"], "retake");
    assert_eq!(doc["slots"][2]["found"], "missed");
    let sent = rig.messages().await;
    let ids: Vec<&str> = sent
        .iter()
        .map(|m| m["headers"]["id"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = [0, 2, 3, 4, 5]
        .iter()
        .map(|&n| slot_task_id(rig.id, rig.slot(n)).to_string())
        .collect();
    assert_eq!(ids, expected, "each slot once, in order, with its task id");
    assert!(
        sent.iter()
            .all(|m| m["headers"]["celery_beat_task"] == true)
    );
    let runs = rig.runs().await;
    assert_eq!(runs.len(), 6, "{runs:?}");
    for (n, (slot, trigger, status)) in runs.iter().enumerate() {
        let n = i64::try_from(n).unwrap();
        assert_eq!(*slot, rig.slot(n));
        assert_eq!(*status, RunStatus::Dispatched, "slot {n}");
        let by = if n == 1 {
            Trigger::Schedule
        } else {
            Trigger::Backfill
        };
        assert_eq!(*trigger, by, "slot {n}");
    }
    assert_eq!(rig.markers().await, Vec::<String>::new());
    let missed = &rig.db.runs().await[2];
    assert_eq!(
        missed.run.detail.as_deref(),
        Some("backfilled; was missed: no scheduler ran")
    );

    // Again: every slot is dispatched; nothing is sent or recorded.
    let (code, doc, stderr) = rig.backfill(&[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        (count(&doc, "sent"), count(&doc, "already_dispatched")),
        (0, 6),
        "{doc}"
    );
    assert_eq!(rig.messages().await.len(), 5);
    assert_eq!(rig.db.runs().await.len(), 6);

    // A scheduler that comes to a backfilled slot finds it claimed.
    let late = store
        .insert_runs(&[rig.scheduler_run(0, RunStatus::Owed)])
        .await
        .unwrap();
    assert_eq!(late, [None]);

    // --include-dispatched sends each slot again, as runs that claim nothing.
    let (code, doc, stderr) = rig.backfill(&["--include-dispatched"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(count(&doc, "sent"), 6, "{doc}");
    assert_eq!(rig.messages().await.len(), 11);
    let resent: Vec<_> = rig
        .runs()
        .await
        .into_iter()
        .filter(|(_, t, s)| *t == Trigger::Resend && *s == RunStatus::Dispatched)
        .collect();
    assert_eq!(resent.len(), 6);
}

/// A broker that refuses the first slot stops the backfill: that slot is recorded owed, the
/// others are not tried, the exit code is 6. Run again once the broker takes messages, the
/// backfill sends every slot once; a third time, nothing.
async fn a_backfill_stopped_by_the_broker_finishes_when_run_again(db: TestDb) {
    let rig = Rig::new(db).await;
    let queue = format!("{}celery", rig.prefix);
    // The queue's key holds a string: the broker refuses every push to it.
    let _: () = redis::cmd("SET")
        .arg(&queue)
        .arg("not a list")
        .query_async(&mut rig.redis().await)
        .await
        .unwrap();
    let (code, doc, stderr) = rig.backfill(&[]);
    assert_eq!(code, 6, "{doc}\n{stderr}");
    assert_eq!(
        (
            count(&doc, "sent"),
            count(&doc, "owed"),
            count(&doc, "not_attempted")
        ),
        (0, 1, 5),
        "{doc}"
    );
    assert!(
        doc["stopped"].as_str().unwrap().contains("WRONGTYPE"),
        "{doc}"
    );
    assert!(stderr.contains("run the same command again"), "{stderr}");
    let runs = rig.runs().await;
    assert_eq!(runs, [(rig.slot(0), Trigger::Backfill, RunStatus::Owed)]);

    let _: () = redis::cmd("DEL")
        .arg(&queue)
        .query_async(&mut rig.redis().await)
        .await
        .unwrap();
    let (code, doc, stderr) = rig.backfill(&[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(count(&doc, "sent"), 6, "{doc}");
    assert_eq!(doc["slots"][0]["action"], "resume");
    assert_eq!(rig.messages().await.len(), 6);
    let runs = rig.runs().await;
    assert_eq!(runs.len(), 6);
    assert!(
        runs.iter()
            .all(|(_, t, s)| *t == Trigger::Backfill && *s == RunStatus::Dispatched)
    );

    let (code, doc, _) = rig.backfill(&[]);
    assert_eq!((code, count(&doc, "sent")), (0, 0));
    assert_eq!(rig.messages().await.len(), 6);
    assert_eq!(rig.markers().await, Vec::<String>::new());
}

/// A backfill that stopped between its push and its record (killed) left its run `owed`; the
/// push's marker is on the broker, so the next backfill records the slot and does not send it
/// again. A slot a scheduler left owed is not touched.
async fn a_push_that_landed_is_recorded_not_sent_again(db: TestDb) {
    let rig = Rig::new(db).await;
    let store = rig.db.store().await;
    let mut landed = rig.scheduler_run(0, RunStatus::Owed);
    landed.trigger = Trigger::Backfill;
    landed.celery_task_id = Some(slot_task_id(rig.id, rig.slot(0)));
    landed.push_marker = Some("00000000feedbeef".into());
    let mut held = rig.scheduler_run(1, RunStatus::Owed);
    held.celery_task_id = Some(slot_task_id(rig.id, rig.slot(1)));
    store.insert_runs(&[landed, held]).await.unwrap();
    rig.mark_landed("00000000feedbeef").await;

    let (code, doc, stderr) = rig.backfill(&[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        (
            count(&doc, "sent"),
            count(&doc, "already_dispatched"),
            count(&doc, "held")
        ),
        (4, 1, 1),
        "{doc}"
    );
    assert_eq!(doc["slots"][0]["action"], "resume");
    assert_eq!(doc["slots"][1]["outcome"], "held");
    assert_eq!(rig.messages().await.len(), 4);
    let runs = rig.runs().await;
    assert_eq!(
        runs[0],
        (rig.slot(0), Trigger::Backfill, RunStatus::Dispatched)
    );
    assert_eq!(runs[1], (rig.slot(1), Trigger::Schedule, RunStatus::Owed));
}

/// A re-send (`--include-dispatched`) that an earlier backfill claimed and then stopped before
/// recording is finished by the next backfill over its slot, with or without the flag: sent
/// with its own task id, or, when its push had landed, recorded without being sent again.
async fn a_resend_left_owed_is_finished_when_the_backfill_runs_again(db: TestDb) {
    let rig = Rig::new(db).await;
    let store = rig.db.store().await;
    let sent: Vec<NewRun> = (0..SLOTS)
        .map(|n| rig.scheduler_run(n, RunStatus::Dispatched))
        .collect();
    store.insert_runs(&sent).await.unwrap();
    let resend = |n: i64, marker: &str| NewRun {
        trigger: Trigger::Resend,
        status: RunStatus::Owed,
        celery_task_id: Some(Uuid::new_v4()),
        dispatched_at: None,
        detail: None,
        push_marker: Some(marker.into()),
        ..rig.scheduler_run(n, RunStatus::Dispatched)
    };
    let (unsent, landed) = (resend(1, "00000000feedface"), resend(2, "00000000feedbeef"));
    let unsent_id = unsent.celery_task_id.unwrap();
    store.insert_runs(&[unsent, landed]).await.unwrap();
    rig.mark_landed("00000000feedbeef").await;

    let (code, doc, stderr) = rig.backfill(&[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        (count(&doc, "sent"), count(&doc, "already_dispatched")),
        (1, 5),
        "{doc}"
    );
    assert_eq!(
        (&doc["slots"][1]["action"], &doc["slots"][2]["action"]),
        (&serde_json::json!("resume"), &serde_json::json!("resume")),
        "{doc}"
    );
    let messages = rig.messages().await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["headers"]["id"], unsent_id.to_string());
    let resends: Vec<_> = rig
        .runs()
        .await
        .into_iter()
        .filter(|(_, trigger, _)| *trigger == Trigger::Resend)
        .collect();
    assert_eq!(
        resends,
        [
            (rig.slot(1), Trigger::Resend, RunStatus::Dispatched),
            (rig.slot(2), Trigger::Resend, RunStatus::Dispatched)
        ]
    );
    // Finished: nothing left to resume.
    let (code, doc, stderr) = rig.backfill(&[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(count(&doc, "sent"), 0, "{doc}");
    assert_eq!(rig.messages().await.len(), 1);
}

/// SIGINT stops a backfill after the message in flight: the slots sent are recorded, the
/// others are not tried (exit 130); run again, it sends those.
async fn an_interrupted_backfill_sends_the_rest_when_run_again(db: TestDb) {
    let rig = Rig::new(db).await;
    let (from, to) = (Rig::text(rig.slot(0)), Rig::text(rig.slot(SLOTS)));
    // One message a minute: the second is far off when the signal comes.
    let child = crate::support::std_cmd(rig.db.dir.path())
        .env("DATABASE_URL", &rig.db.url)
        .env("CELERY_BROKER_URL", format!("{}/0", redis_url()))
        .args([
            "schedule",
            "backfill",
            "fill",
            "--from",
            &from,
            "--to",
            &to,
            "--rate",
            "1/m",
            "--broker-key-prefix",
            &rig.prefix,
            "-o",
            "json",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start stockura");
    // Hang guard only: the first message goes at once.
    let mut waited = 0;
    while rig.messages().await.is_empty() {
        assert!(waited < 300, "no message within 30 s");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        waited += 1;
    }
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(130), "{doc}");
    assert_eq!(
        (count(&doc, "sent"), count(&doc, "not_attempted")),
        (1, 5),
        "{doc}"
    );
    assert!(doc["stopped"].as_str().unwrap().contains("interrupted"));
    assert_eq!(rig.messages().await.len(), 1);
    assert_eq!(rig.db.runs().await.len(), 1);

    let (code, doc, stderr) = rig.backfill(&[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        (count(&doc, "sent"), count(&doc, "already_dispatched")),
        (5, 1)
    );
    assert_eq!(rig.messages().await.len(), 6);
    assert_eq!(rig.db.runs().await.len(), 6);
}

/// Bad input is refused with its exit code before anything is sent or written; a dry run lists
/// the slots and writes nothing.
async fn bad_input_and_dry_runs_write_nothing(db: TestDb) {
    let rig = Rig::new(db).await;
    let broker = format!("{}/0", redis_url());
    let (from, to) = (Rig::text(rig.slot(0)), Rig::text(rig.slot(SLOTS)));
    let future = Rig::text(Utc::now() + Duration::hours(1));
    let base = |extra: &[&str]| {
        let mut args = vec!["schedule", "backfill"];
        args.extend(extra);
        args.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let cases: Vec<(Vec<String>, i32, &str)> = vec![
        (
            base(&["fill", "--from", &from, "--to", &future]),
            3,
            "in the future",
        ),
        (
            base(&["fill", "--from", &to, "--to", &from]),
            3,
            "is not after --from",
        ),
        (
            base(&["fill", "--from", &from, "--rate", "0/s"]),
            3,
            "--rate '0/s'",
        ),
        (
            base(&["fill", "--from", "yesterday"]),
            3,
            "--from 'yesterday'",
        ),
        (
            base(&["nothing-like-it", "--from", &from]),
            4,
            "nothing-like-it",
        ),
        (
            base(&["fill", "--from", "2000-01-01T00:00:00Z"]),
            3,
            "more than 100000 slots",
        ),
        (
            base(&["fill", "--from", &from, "--policy", "sometimes"]),
            2,
            "sometimes",
        ),
    ];
    for (args, expected, says) in cases {
        let out = rig
            .db
            .cmd()
            .env("CELERY_BROKER_URL", &broker)
            .args(&args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(expected), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        // A usage error is clap's (it lists the values); every other error has a hint.
        assert!(
            expected == 2 || stderr.contains("hint:"),
            "{args:?}: {stderr}"
        );
    }
    // Without a broker, only a dry run goes.
    let (code, _, stderr) = rig
        .db
        .run(&["schedule", "backfill", "fill", "--from", &from]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("CELERY_BROKER_URL"), "{stderr}");
    let doc = rig.db.json(&[
        "schedule",
        "backfill",
        "fill",
        "--from",
        &from,
        "--to",
        &to,
        "--dry-run",
    ]);
    assert_eq!((count(&doc, "total"), count(&doc, "to_send")), (6, 6));
    assert_eq!(doc["dry_run"], true);
    assert!(rig.db.runs().await.is_empty());
    assert!(rig.messages().await.is_empty());
}

both_backends!(
    backfill_sends_each_slot_once,
    a_backfill_stopped_by_the_broker_finishes_when_run_again,
    a_push_that_landed_is_recorded_not_sent_again,
    a_resend_left_owed_is_finished_when_the_backfill_runs_again,
    an_interrupted_backfill_sends_the_rest_when_run_again,
    bad_input_and_dry_runs_write_nothing,
);

/// With a jitter, the latest slot before now may still wait for its send time, when the
/// scheduler sends it: a backfill up to now ends before that slot (a note says so) rather than
/// send it early.
#[tokio::test]
async fn a_backfill_to_now_leaves_a_slot_still_to_be_sent_to_the_scheduler() {
    let db = TestDb::sqlite().await;
    for n in 0..6 {
        let name = format!("j{n}");
        db.json(&[
            "schedule",
            "add",
            "--task",
            "app.tasks.fill",
            "--every",
            "10s",
            "--jitter",
            "9s",
            "--name",
            &name,
            "--allow-duplicate",
        ]);
    }
    let time = |v: &Value| {
        DateTime::parse_from_rfc3339(v.as_str().unwrap())
            .unwrap()
            .with_timezone(&Utc)
    };
    // Just after a 10 s slot, most of the six still wait for their send time: take the one
    // waiting longest (at least 3 s, so that it still waits when the backfill runs). On a
    // machine so loaded that the send time passes before the backfill has planned, again.
    for attempt in 1..=3 {
        if backfill_before_a_pending_slot(&db, &time).await {
            return;
        }
        eprintln!("attempt {attempt}: the pending slot was sent before the backfill planned");
    }
    panic!("three attempts, each outrun by the clock");
}

/// One attempt of the test above: `false` when the chosen slot's send time passed before the
/// backfill was done (nothing is asserted then).
async fn backfill_before_a_pending_slot(
    db: &TestDb,
    time: &impl Fn(&Value) -> DateTime<Utc>,
) -> bool {
    let mut found = None;
    for _ in 0..4 {
        let now = Utc::now();
        let into = now.timestamp_millis().rem_euclid(10_000);
        tokio::time::sleep(std::time::Duration::from_millis(
            u64::try_from(10_300 - into).unwrap(),
        ))
        .await;
        let now = Utc::now();
        let list = db.json(&["schedule", "list"]);
        found = list
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| time(&s["next_run_at"]) < now)
            .map(|s| (time(&s["next_send_at"]), s.clone()))
            .filter(|(send, _)| (*send - now).num_milliseconds() >= 3_000)
            .max_by_key(|(send, _)| *send);
        if found.is_some() {
            break;
        }
    }
    let (send_at, schedule) = found.expect("one of six jittered slots still to be sent");
    let pending = time(&schedule["next_run_at"]);
    let out = db
        .cmd()
        .args([
            "schedule",
            "backfill",
            schedule["name"].as_str().unwrap(),
            "--from",
            "1m",
            "--dry-run",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    if Utc::now() >= send_at {
        return false;
    }
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        stderr.contains(&format!(
            "note: the slot of {} is sent by the scheduler at",
            json_time(pending)
        )),
        "{stderr}"
    );
    assert_eq!(doc["to"], json_time(pending), "{doc}");
    let slots: Vec<&str> = doc["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["slot"].as_str().unwrap())
        .collect();
    assert!(
        (5..=6).contains(&slots.len()),
        "the minute before the pending slot: {slots:?}"
    );
    assert_eq!(
        *slots.last().unwrap(),
        json_time(pending - Duration::seconds(10)),
        "{slots:?}"
    );
    true
}

/// A time as the JSON documents write it (RFC 3339 UTC, whole seconds here).
fn json_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}
