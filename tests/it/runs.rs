//! The run history store (`schedule_runs`) on both backends.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use stockura::domain::run::{NewRun, RunFilter, RunStatus, Trigger};
use stockura::domain::{Arguments, NameChoice, Schedule, ScheduleInput};
use stockura::store::{RunStore, ScheduleStore};

use crate::both_backends;
use crate::support::TestDb;

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

async fn schedule(db: &TestDb, name: &str, task: &str) -> Schedule {
    let input = ScheduleInput {
        task_name: task.into(),
        cron_expression: "* * * * *".into(),
        name: Some("placeholder".into()),
        enabled: true,
        ..Default::default()
    };
    // The name as given, past validation: the store keeps any text another program wrote
    // (the CLI refuses control characters in names).
    let mut new = input.validate(&[]).unwrap();
    new.name = NameChoice::Explicit(name.into());
    db.store().await.create_schedule(&new).await.unwrap()
}

fn run(s: &Schedule, slot: DateTime<Utc>, trigger: Trigger, status: RunStatus) -> NewRun {
    NewRun {
        schedule_id: Some(s.id),
        schedule_name: s.name.clone(),
        task_name: s.task_name.clone(),
        celery_task_id: Some(uuid::Uuid::new_v4()),
        scheduled_for: slot,
        dispatched_at: Some(slot + Duration::milliseconds(3)),
        trigger,
        status,
        detail: None,
        arguments: Arguments::new(
            &[json!(1), json!("日本")],
            &serde_json::from_str(r#"{"n": 123456789012345678901234567890}"#).unwrap(),
        ),
        push_marker: None,
    }
}

async fn a_slot_is_claimed_once(db: TestDb) {
    let store = db.store().await;
    let a = schedule(&db, "a", "app.tasks.a").await;
    let t0 = at("2026-01-01T00:00:00Z");
    let first = store
        .insert_runs(&[run(&a, t0, Trigger::Schedule, RunStatus::Dispatched)])
        .await
        .unwrap();
    assert!(first[0].is_some());
    // A second scheduler claiming the same slot (even as catch-up) gets nothing.
    let again = store
        .insert_runs(&[
            run(&a, t0, Trigger::Catchup, RunStatus::Dispatched),
            run(
                &a,
                t0 + Duration::minutes(1),
                Trigger::Schedule,
                RunStatus::Dispatched,
            ),
        ])
        .await
        .unwrap();
    assert_eq!(again[0], None);
    assert!(again[1].is_some());
    // Manual runs never conflict.
    let manual = store
        .insert_runs(&[
            run(&a, t0, Trigger::Manual, RunStatus::Dispatched),
            run(&a, t0, Trigger::Manual, RunStatus::Dispatched),
        ])
        .await
        .unwrap();
    assert!(manual.iter().all(Option::is_some));
    // Dry runs record the slot without claiming it: next to the claim, and twice.
    let dry = store
        .insert_runs(&[
            run(&a, t0, Trigger::Schedule, RunStatus::DryRun),
            run(&a, t0, Trigger::Schedule, RunStatus::DryRun),
        ])
        .await
        .unwrap();
    assert!(dry.iter().all(Option::is_some));
    // A claim marked failed (the broker refused it) still holds its slot.
    store
        .mark_runs(&[first[0].unwrap()], RunStatus::Failed, "broker down")
        .await
        .unwrap();
    let after_failure = store
        .insert_runs(&[run(&a, t0, Trigger::Schedule, RunStatus::Dispatched)])
        .await
        .unwrap();
    assert_eq!(after_failure[0], None);
    // The schedule's history holds every kind of row of the slot.
    let of_a = store
        .list_runs(&RunFilter {
            schedule_id: Some(a.id),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(of_a.len(), 6);
    for r in &[Trigger::Schedule, Trigger::Manual] {
        assert!(of_a.iter().any(|x| x.run.trigger == *r));
    }
    for status in [RunStatus::Failed, RunStatus::DryRun, RunStatus::Dispatched] {
        assert!(of_a.iter().any(|x| x.run.status == status), "{status:?}");
    }
    store
        .delete_runs_before(t0 + Duration::seconds(1), 1_000)
        .await
        .unwrap();
    let all = store
        .list_runs(&RunFilter {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
    let newest = &all[0];
    assert_eq!(
        newest.run.scheduled_for,
        t0 + Duration::minutes(1),
        "newest slot first"
    );
    assert_eq!(
        newest.run.arguments.kwargs()["n"].to_string(),
        "123456789012345678901234567890"
    );
    assert_eq!(newest.run.arguments.args(), vec![json!(1), json!("日本")]);
}

async fn batches_are_one_statement_and_large(db: TestDb) {
    let store = db.store().await;
    let a = schedule(&db, "a", "app.tasks.a").await;
    let t0 = at("2026-01-01T00:00:00Z");
    let runs: Vec<NewRun> = (0..5000)
        .map(|i| {
            run(
                &a,
                t0 + Duration::minutes(i),
                Trigger::Schedule,
                RunStatus::Dispatched,
            )
        })
        .collect();
    let ids = store.insert_runs(&runs).await.unwrap();
    assert!(ids.iter().all(Option::is_some));
    let mut unique: Vec<i64> = ids.into_iter().flatten().collect();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), 5000);
    // Replaying the batch claims nothing.
    assert!(
        store
            .insert_runs(&runs)
            .await
            .unwrap()
            .iter()
            .all(Option::is_none)
    );
}

async fn marking_bookkeeping_filters_and_retention(db: TestDb) {
    let store = db.store().await;
    let a = schedule(&db, "a", "app.tasks.fetch_task").await;
    let b = schedule(&db, "b", "app.tasks.other").await;
    let t0 = at("2026-01-01T00:00:00Z");
    let ids = store
        .insert_runs(&[
            run(&a, t0, Trigger::Schedule, RunStatus::Dispatched),
            run(
                &a,
                t0 + Duration::minutes(1),
                Trigger::Schedule,
                RunStatus::Dispatched,
            ),
            run(
                &b,
                t0 + Duration::minutes(2),
                Trigger::Schedule,
                RunStatus::Missed,
            ),
        ])
        .await
        .unwrap();
    store
        .mark_runs(&[ids[1].unwrap()], RunStatus::Failed, "broker refused")
        .await
        .unwrap();
    let failed = store
        .list_runs(&RunFilter {
            status: Some(RunStatus::Failed),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        (failed.len(), failed[0].run.detail.as_deref()),
        (1, Some("broker refused"))
    );
    let by_task = store
        .list_runs(&RunFilter {
            task: Some("fetch_task".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(by_task.len(), 2);
    let by_schedule = store
        .list_runs(&RunFilter {
            schedule_id: Some(b.id),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(by_schedule.len(), 1);
    let since = store
        .list_runs(&RunFilter {
            since: Some(t0 + Duration::minutes(1)),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(since.len(), 2);
    let limited = store
        .list_runs(&RunFilter {
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(limited.len(), 1);

    // Bookkeeping: count per run, last_run_at never moves back, and it is not a "change".
    let version = store.change_version().await.unwrap().version;
    store
        .record_dispatch(&[(a.id, t0 + Duration::minutes(1)), (a.id, t0)])
        .await
        .unwrap();
    store.record_dispatch(&[(a.id, t0)]).await.unwrap();
    let a2 = store.get_schedule(a.id).await.unwrap().unwrap();
    assert_eq!(
        (a2.last_run_at, a2.total_run_count),
        (Some(t0 + Duration::minutes(1)), 3)
    );
    assert_eq!(a2.updated_at, a.updated_at, "bookkeeping is not an edit");
    assert_eq!(store.change_version().await.unwrap().version, version);

    // Deleting a schedule keeps its history, detached.
    store.delete_schedules(&[b.id]).await.unwrap();
    let orphan = store
        .list_runs(&RunFilter {
            status: Some(RunStatus::Missed),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        (
            orphan[0].run.schedule_id,
            orphan[0].run.schedule_name.as_str()
        ),
        (None, "b")
    );

    // Retention.
    assert_eq!(
        store
            .delete_runs_before(t0 + Duration::minutes(1), 1_000)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store.list_runs(&RunFilter::default()).await.unwrap().len(),
        2
    );
}

/// The lookups of the execution policies: the last dispatched run of each schedule, the held
/// (`deferred`) runs, and the claim of a held run.
async fn policy_lookups(db: TestDb) {
    let store = db.store().await;
    let a = schedule(&db, "a", "app.tasks.a").await;
    let b = schedule(&db, "b", "app.tasks.b").await;
    let c = schedule(&db, "c", "app.tasks.c").await;
    let t0 = at("2026-01-01T00:00:00Z");
    let mut late = run(&a, t0, Trigger::Manual, RunStatus::Dispatched);
    late.dispatched_at = Some(t0 + Duration::minutes(5));
    let mut failed = run(
        &a,
        t0 + Duration::minutes(9),
        Trigger::Schedule,
        RunStatus::Failed,
    );
    failed.dispatched_at = None;
    let mut held = run(
        &b,
        t0 + Duration::minutes(2),
        Trigger::Schedule,
        RunStatus::Deferred,
    );
    held.dispatched_at = None;
    let rows = vec![
        run(
            &a,
            t0 + Duration::minutes(1),
            Trigger::Schedule,
            RunStatus::Dispatched,
        ),
        late.clone(),
        failed,
        run(
            &b,
            t0 + Duration::minutes(1),
            Trigger::Schedule,
            RunStatus::Dispatched,
        ),
        held.clone(),
    ];
    let ids = store.insert_runs(&rows).await.unwrap();
    // The last *sent* run wins (by send time, not slot); failed and deferred runs do not count.
    let mut last = store.latest_dispatched(&[a.id, b.id, c.id]).await.unwrap();
    last.sort_by_key(|l| l.schedule_id == b.id);
    assert_eq!(last.len(), 2, "{last:?}");
    assert_eq!(last[0].schedule_id, a.id);
    assert_eq!(Some(last[0].celery_task_id), late.celery_task_id);
    assert_eq!(Some(last[0].dispatched_at), late.dispatched_at);
    assert_eq!(last[1].schedule_id, b.id);
    assert_eq!(Some(last[1].celery_task_id), rows[3].celery_task_id);
    assert!(store.latest_dispatched(&[]).await.unwrap().is_empty());
    // The held run, and its claim: only one promotion wins.
    let deferred = store.deferred_runs().await.unwrap();
    assert_eq!(deferred.len(), 1);
    assert_eq!(Some(deferred[0].id), ids[4]);
    assert_eq!(deferred[0].run.arguments.kwargs(), held.arguments.kwargs());
    let sent = t0 + Duration::minutes(3);
    assert!(store.promote_deferred(deferred[0].id, "p1").await.unwrap());
    assert!(!store.promote_deferred(deferred[0].id, "p2").await.unwrap());
    assert!(store.deferred_runs().await.unwrap().is_empty());
    // Claimed, owed until its push answered; the row names the push.
    let owed = store.owed_runs().await.unwrap();
    assert_eq!(owed.len(), 1);
    assert_eq!(owed[0].run.push_marker.as_deref(), Some("p1"));
    assert_eq!(
        store
            .settle_runs(
                &[owed[0].id],
                RunStatus::Dispatched,
                Some(sent),
                "deferred: 60 s"
            )
            .await
            .unwrap(),
        1
    );
    let last = store.latest_dispatched(&[b.id]).await.unwrap();
    assert_eq!(last[0].dispatched_at, sent);
    assert_eq!(Some(last[0].celery_task_id), held.celery_task_id);
    let promoted = store
        .list_runs(&RunFilter {
            schedule_id: Some(b.id),
            status: Some(RunStatus::Dispatched),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(promoted[0].run.detail.as_deref(), Some("deferred: 60 s"));
}

/// Heartbeats in the database (`stockura_beat_instances`), used without Redis.
async fn heartbeat_rows(db: TestDb) {
    use stockura::domain::instance::{BeatInstance, Role};
    use stockura::store::InstanceStore;
    let store = db.store().await;
    let t0 = at("2026-01-01T00:00:00.123456Z");
    let mut beat = BeatInstance {
        instance_id: uuid::Uuid::new_v4(),
        host: "web-1".into(),
        pid: 4242,
        version: "0.1.0".into(),
        started_at: t0,
        role: Role::Standby,
        leadership: "postgres".into(),
        schedules: 12,
        last_tick_at: None,
        lag_ms: None,
        change_version: 3,
        heartbeat_at: t0,
        expires_at: t0 + Duration::seconds(10),
    };
    store.put_instance(&beat).await.unwrap();
    beat.role = Role::Leader;
    beat.last_tick_at = Some(t0 + Duration::seconds(1));
    beat.lag_ms = Some(4);
    beat.heartbeat_at = t0 + Duration::seconds(3);
    beat.expires_at = t0 + Duration::seconds(13);
    store.put_instance(&beat).await.unwrap();
    assert_eq!(store.list_instances().await.unwrap(), vec![beat.clone()]);
    // A heartbeat expired for over an hour is pruned by the next writer.
    let mut other = beat.clone();
    other.instance_id = uuid::Uuid::new_v4();
    other.heartbeat_at = t0 + Duration::hours(2);
    other.expires_at = other.heartbeat_at + Duration::seconds(10);
    store.put_instance(&other).await.unwrap();
    assert_eq!(store.list_instances().await.unwrap(), vec![other.clone()]);
    store.delete_instance(other.instance_id).await.unwrap();
    assert!(store.list_instances().await.unwrap().is_empty());
}

/// A schedule deleted after a scheduler read it gets no run, in a batch whose other runs are
/// claimed; its earlier history stays, detached.
async fn a_deleted_schedule_claims_nothing(db: TestDb) {
    let store = db.store().await;
    let (a, b) = (
        schedule(&db, "a", "app.tasks.a").await,
        schedule(&db, "b", "app.tasks.b").await,
    );
    let t0 = at("2026-01-01T00:00:00Z");
    let before = store
        .insert_runs(&[run(&b, t0, Trigger::Schedule, RunStatus::Dispatched)])
        .await
        .unwrap();
    assert!(before[0].is_some());
    store.delete_schedules(&[b.id]).await.unwrap();
    let t1 = t0 + Duration::minutes(1);
    let claims = store
        .insert_runs(&[
            run(&a, t1, Trigger::Schedule, RunStatus::Dispatched),
            run(&b, t1, Trigger::Schedule, RunStatus::Dispatched),
            run(&b, t1, Trigger::Manual, RunStatus::Dispatched),
        ])
        .await
        .unwrap();
    assert!(claims[0].is_some());
    assert_eq!((claims[1], claims[2]), (None, None));
    let runs = store.list_runs(&RunFilter::default()).await.unwrap();
    let mut names: Vec<_> = runs
        .iter()
        .map(|r| (r.run.schedule_name.as_str(), r.run.schedule_id))
        .collect();
    names.sort();
    assert_eq!(names, [("a", Some(a.id)), ("b", None)]);
}

/// Postgres keeps a deleted schedule's id a day (migration 0011): the next delete drops the
/// older ones; a schedule back with its id is claimed again, even when it came back without
/// triggers (a restore with `session_replication_role = replica`); a TRUNCATE lists every id and
/// detaches the history.
#[tokio::test]
async fn deleted_schedule_ids_are_kept_a_day() {
    let db = TestDb::postgres().await;
    let store = db.store().await;
    let (a, b, c) = (
        schedule(&db, "a", "app.tasks.a").await,
        schedule(&db, "b", "app.tasks.b").await,
        schedule(&db, "c", "app.tasks.c").await,
    );
    store.delete_schedules(&[a.id]).await.unwrap();
    db.exec(&format!(
        "UPDATE stockura_deleted_schedule_ids SET deleted_at = now() - interval '25 hours' \
         WHERE id = '{}'",
        a.id
    ))
    .await;
    store.delete_schedules(&[b.id]).await.unwrap();
    let pg = sqlx::PgPool::connect(&db.url).await.unwrap();
    let listed = || async {
        let mut ids: Vec<uuid::Uuid> =
            sqlx::query_scalar("SELECT id FROM stockura_deleted_schedule_ids")
                .fetch_all(&pg)
                .await
                .unwrap();
        ids.sort();
        ids
    };
    assert_eq!(listed().await, [b.id]);
    let t0 = at("2026-01-01T00:00:00Z");
    let claims = store
        .insert_runs(&[
            run(&b, t0, Trigger::Schedule, RunStatus::Dispatched),
            run(&c, t0, Trigger::Schedule, RunStatus::Dispatched),
        ])
        .await
        .unwrap();
    assert_eq!((claims[0], claims[1].is_some()), (None, true));
    // `b` restored with its id, its triggers off (as a restore or a replica would): claimed.
    db.exec(&format!(
        "SET session_replication_role = replica; \
         INSERT INTO celery_beat_schedules (id, name, task_name, cron_expression, enabled, \
         args, kwargs, created_at, updated_at) \
         VALUES ('{}', 'b', 'app.tasks.b', '* * * * *', true, '[]', '{{}}', now(), now())",
        b.id
    ))
    .await;
    let t1 = t0 + Duration::minutes(1);
    let claims = store
        .insert_runs(&[run(&b, t1, Trigger::Schedule, RunStatus::Dispatched)])
        .await
        .unwrap();
    assert!(claims[0].is_some(), "a restored schedule is claimed again");
    // TRUNCATE: no schedule left, every id listed, the history detached, nothing claimed.
    db.exec("TRUNCATE celery_beat_schedules").await;
    let mut expected = vec![b.id, c.id];
    expected.sort();
    assert_eq!(listed().await, expected);
    let t2 = t1 + Duration::minutes(1);
    let claims = store
        .insert_runs(&[
            run(&b, t2, Trigger::Schedule, RunStatus::Dispatched),
            run(&c, t2, Trigger::Schedule, RunStatus::Dispatched),
        ])
        .await
        .unwrap();
    assert_eq!(claims, [None, None]);
    let runs = store.list_runs(&RunFilter::default()).await.unwrap();
    assert_eq!(runs.len(), 2);
    assert!(runs.iter().all(|r| r.run.schedule_id.is_none()), "{runs:?}");
}

/// Each claim names the row its run became, across several insert statements (5,000 rows
/// each on SQLite) and with rows skipped among them: slots claimed before, a slot twice in one
/// batch, a deleted schedule's; two manual runs of one slot; and a last statement with nothing
/// to skip. Every field is stored as given, awkward text included.
async fn claims_name_the_row_each_run_became(db: TestDb) {
    let store = db.store().await;
    let (a, b, gone) = (
        schedule(&db, "a", "app.tasks.a").await,
        schedule(&db, "b \"quoted\" \\ name\n日本", "app.tasks.b").await,
        schedule(&db, "gone", "app.tasks.gone").await,
    );
    let t0 = at("2026-01-01T00:00:00Z");
    store.delete_schedules(&[gone.id]).await.unwrap();
    let slot = |i: i64| t0 + Duration::minutes(i);
    // Claimed before the batch: every 997th slot of `a`.
    let earlier: Vec<NewRun> = (0..6_000)
        .step_by(997)
        .map(|i| run(&a, slot(i), Trigger::Schedule, RunStatus::Dispatched))
        .collect();
    assert!(
        store
            .insert_runs(&earlier)
            .await
            .unwrap()
            .iter()
            .all(Option::is_some)
    );
    // The same slot twice in one batch: the first wins.
    let mut batch = vec![
        run(&b, slot(20_000), Trigger::Schedule, RunStatus::Dispatched),
        run(&b, slot(20_000), Trigger::Schedule, RunStatus::Dispatched),
    ];
    // Rows skipped in the first 6,000 slots; none after (a statement with none to skip).
    for i in 0..11_000 {
        batch.push(run(&a, slot(i), Trigger::Schedule, RunStatus::Dispatched));
        if i % 1_000 == 500 && i < 6_000 {
            let mut missed = run(&b, slot(i), Trigger::Catchup, RunStatus::Missed);
            missed.celery_task_id = None;
            missed.dispatched_at = None;
            missed.detail = Some(format!("row {i}: \"quotes\", \\, \t, \u{1}, é"));
            batch.push(missed);
            batch.push(run(
                &gone,
                slot(i),
                Trigger::Schedule,
                RunStatus::Dispatched,
            ));
            // Two manual runs of one slot (distinct task ids): each gets its own row.
            batch.push(run(&b, slot(i), Trigger::Manual, RunStatus::Dispatched));
            batch.push(run(&b, slot(i), Trigger::Manual, RunStatus::Dispatched));
        }
    }
    let claims = store.insert_runs(&batch).await.unwrap();
    assert_eq!(claims.len(), batch.len());
    let stored: std::collections::HashMap<i64, NewRun> = store
        .list_runs(&RunFilter {
            limit: 100_000,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.id, r.run))
        .collect();
    let mut expected_none = 0;
    for (n, (wanted, claim)) in batch.iter().zip(&claims).enumerate() {
        let skipped = wanted.schedule_id == Some(gone.id)
            || (wanted.schedule_id == Some(a.id)
                && earlier
                    .iter()
                    .any(|e| e.scheduled_for == wanted.scheduled_for))
            || n == 1;
        match claim {
            None => {
                assert!(skipped, "row {n} was not claimed: {wanted:?}");
                expected_none += 1;
            }
            Some(id) => {
                assert!(!skipped, "row {n} was claimed as {id}: {wanted:?}");
                let got = &stored[id];
                assert_eq!(got.schedule_id, wanted.schedule_id, "row {n}");
                assert_eq!(got.schedule_name, wanted.schedule_name, "row {n}");
                assert_eq!(got.celery_task_id, wanted.celery_task_id, "row {n}");
                assert_eq!(got.scheduled_for, wanted.scheduled_for, "row {n}");
                assert_eq!(got.dispatched_at, wanted.dispatched_at, "row {n}");
                assert_eq!(
                    (got.trigger, got.status),
                    (wanted.trigger, wanted.status),
                    "row {n}"
                );
                assert_eq!(got.detail, wanted.detail, "row {n}");
                assert_eq!(got.arguments.args(), wanted.arguments.args(), "row {n}");
                assert_eq!(got.arguments.kwargs(), wanted.arguments.kwargs(), "row {n}");
            }
        }
    }
    assert_eq!(expected_none, earlier.len() + 6 + 1);
    assert_eq!(stored.len(), earlier.len() + batch.len() - expected_none);

    // The newest rows deleted (their ids are not handed out again): the next claims still name
    // their own rows.
    db.exec("DELETE FROM schedule_runs WHERE id > (SELECT max(id) - 10 FROM schedule_runs)")
        .await;
    let next: Vec<NewRun> = (30_000..30_020)
        .map(|i| run(&a, slot(i), Trigger::Schedule, RunStatus::Dispatched))
        .collect();
    let claims = store.insert_runs(&next).await.unwrap();
    let stored = store
        .list_runs(&RunFilter {
            since: Some(slot(30_000)),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(stored.len(), next.len());
    for (wanted, claim) in next.iter().zip(&claims) {
        let got = stored.iter().find(|r| Some(r.id) == *claim).unwrap();
        assert_eq!(got.run.scheduled_for, wanted.scheduled_for);
        assert_eq!(got.run.celery_task_id, wanted.celery_task_id);
    }
}

/// A backfilled run claims its slot against every other claim; a re-send claims nothing. The
/// claims of a range are read back one per slot; a run never sent is retaken once, a sent one
/// never.
async fn backfills_claim_slots_and_retake_unsent_runs(db: TestDb) {
    let store = db.store().await;
    let a = schedule(&db, "a", "app.tasks.a").await;
    let t0 = at("2026-01-01T00:00:00Z");
    let m = |n: i64| t0 + Duration::minutes(n);
    let ids = store
        .insert_runs(&[
            run(&a, m(0), Trigger::Schedule, RunStatus::Dispatched),
            run(&a, m(1), Trigger::Schedule, RunStatus::Missed),
            run(&a, m(2), Trigger::Backfill, RunStatus::Owed),
            run(&a, m(3), Trigger::Schedule, RunStatus::DryRun),
            run(&a, m(0), Trigger::Resend, RunStatus::Dispatched),
        ])
        .await
        .unwrap();
    assert!(ids.iter().all(Option::is_some), "{ids:?}");
    // The backfill's slot is taken for a scheduler and for a second backfill; the dispatched
    // slot for a backfill.
    let taken = store
        .insert_runs(&[
            run(&a, m(2), Trigger::Schedule, RunStatus::Owed),
            run(&a, m(2), Trigger::Backfill, RunStatus::Owed),
            run(&a, m(0), Trigger::Backfill, RunStatus::Owed),
        ])
        .await
        .unwrap();
    assert_eq!(taken, [None, None, None]);

    let claims = store.slot_claims(a.id, m(0), m(3)).await.unwrap();
    let found: Vec<_> = claims
        .iter()
        .map(|r| (r.run.scheduled_for, r.run.trigger, r.run.status))
        .collect();
    assert_eq!(
        found,
        [
            (m(0), Trigger::Schedule, RunStatus::Dispatched),
            (m(1), Trigger::Schedule, RunStatus::Missed),
            (m(2), Trigger::Backfill, RunStatus::Owed),
        ],
        "one claim a slot, the range half-open, dry runs and re-sends left out"
    );

    let mut retake = run(&a, m(1), Trigger::Backfill, RunStatus::Owed);
    retake.push_marker = Some("0123456789abcdef".into());
    retake.detail = Some("backfilled; was missed".into());
    let missed = ids[1].unwrap();
    assert!(store.retake_run(missed, &retake).await.unwrap());
    assert!(!store.retake_run(missed, &retake).await.unwrap(), "once");
    assert!(!store.retake_run(ids[0].unwrap(), &retake).await.unwrap());
    let after = store.slot_claims(a.id, m(1), m(2)).await.unwrap();
    assert_eq!(after.len(), 1);
    let r = &after[0];
    assert_eq!(
        (r.id, r.run.trigger, r.run.status),
        (missed, Trigger::Backfill, RunStatus::Owed)
    );
    assert_eq!(r.run.push_marker.as_deref(), Some("0123456789abcdef"));
    assert_eq!(r.run.celery_task_id, retake.celery_task_id);
    assert_eq!(r.run.arguments, retake.arguments);
    assert_eq!(r.run.dispatched_at, None);
}

both_backends!(
    backfills_claim_slots_and_retake_unsent_runs,
    a_deleted_schedule_claims_nothing,
    claims_name_the_row_each_run_became,
    a_slot_is_claimed_once,
    batches_are_one_statement_and_large,
    marking_bookkeeping_filters_and_retention,
    policy_lookups,
    heartbeat_rows
);
