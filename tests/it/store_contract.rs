//! The store contract: the same suite against SQLite and Postgres.

use serde_json::{Value, json};
use stockura::domain::params::{parse_args, parse_kwargs};
use stockura::domain::pause::{Pause, State, Switch};
use stockura::domain::reference::ScheduleRef;
use stockura::domain::{ExecutionPolicy, NameChoice, NewSchedule, ScheduleInput, SchedulePatch};
use stockura::store::{self, ScheduleFilter, ScheduleStore, StoreError};

use crate::both_backends;
use crate::support::TestDb;

fn input(task: &str, cron: &str) -> ScheduleInput {
    ScheduleInput {
        task_name: task.into(),
        cron_expression: cron.into(),
        enabled: true,
        ..Default::default()
    }
}

fn new(task: &str, cron: &str) -> NewSchedule {
    input(task, cron).validate(&[]).expect("valid input")
}

fn named(task: &str, cron: &str, name: &str) -> NewSchedule {
    let mut i = input(task, cron);
    i.name = Some(name.into());
    i.validate(&[]).expect("valid input")
}

async fn round_trip_keeps_every_field(db: TestDb) {
    let store = db.store().await;
    let mut i = input(
        "app.tasks.fetch_listed_info_task_asyncpg",
        "30 8 * * mon-fri",
    );
    i.timezone = Some("Asia/Tokyo".into());
    i.args = Some(
        parse_args(r#"[1, "二", {"deep": [null, true]}, 123456789012345678901234567890]"#).unwrap(),
    );
    i.kwargs = Some(parse_kwargs(r#"{"period_type": "custom", "codes": ["7203", "6758"], "emoji": "🚀", "big": 98765432109876543210}"#).unwrap());
    i.description = Some("Fetch listed info".into());
    i.category = Some("market-data".into());
    i.tags = vec!["nightly".into(), "jp".into()];
    i.policy = Some(ExecutionPolicy::Queue);
    i.queue = Some("reports".into());
    i.priority = Some("7".into());
    i.expires = Some(serde_json::Number::from(300));
    i.enabled = false;
    let created = store
        .create_schedule(&i.validate(&[]).unwrap())
        .await
        .unwrap();
    let read = store
        .get_schedule(created.id)
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(read, created);
    assert_eq!(read.name, "fetch_listed_info_weekdays_0830");
    assert!(read.auto_generated_name);
    assert_eq!(read.timezone.as_deref(), Some("Asia/Tokyo"));
    assert!(!read.enabled);
    assert_eq!(
        Value::Array(read.args.clone()),
        json!([1, "二", {"deep": [null, true]}, 123456789012345678901234567890u128])
    );
    assert_eq!(read.kwargs["big"].to_string(), "98765432109876543210");
    assert_eq!(read.kwargs["emoji"], json!("🚀"));
    assert_eq!(read.tags, vec!["nightly", "jp"]);
    assert_eq!(read.execution_policy, ExecutionPolicy::Queue);
    assert_eq!(
        read.options.to_json(),
        json!({"queue": "reports", "priority": 7, "expires": 300})
    );
    assert_eq!((read.last_run_at, read.total_run_count), (None, 0));
    assert_eq!(read.created_at, read.updated_at);
    assert!(
        store
            .get_schedule(uuid::Uuid::new_v4())
            .await
            .unwrap()
            .is_none()
    );
}

async fn generated_names_get_suffixes_explicit_names_may_repeat(db: TestDb) {
    let store = db.store().await;
    let mut names = Vec::new();
    for _ in 0..3 {
        names.push(
            store
                .create_schedule(&new("app.tasks.report_task", "0 0 * * *"))
                .await
                .unwrap()
                .name,
        );
    }
    assert_eq!(names, ["report_daily", "report_daily_2", "report_daily_3"]);
    // A name that merely starts with the base (report_daily_x) does not shift the numbering.
    store
        .create_schedule(&named("t", "@daily", "report_daily_extra"))
        .await
        .unwrap();
    let a = store
        .create_schedule(&named("t", "@daily", "same"))
        .await
        .unwrap();
    let b = store
        .create_schedule(&named("t", "@daily", "same"))
        .await
        .unwrap();
    assert_ne!(a.id, b.id);
    assert!(!a.auto_generated_name);
    assert_eq!(
        store
            .create_schedule(&new("app.tasks.report_task", "0 0 * * *"))
            .await
            .unwrap()
            .name,
        "report_daily_4"
    );
}

async fn refs_resolve_by_id_prefix_and_name(db: TestDb) {
    let store = db.store().await;
    let a = store
        .create_schedule(&named("t", "@daily", "alpha"))
        .await
        .unwrap();
    let b1 = store
        .create_schedule(&named("t", "@daily", "twin"))
        .await
        .unwrap();
    let b2 = store
        .create_schedule(&named("t", "@hourly", "twin"))
        .await
        .unwrap();
    let resolve = |r: String| {
        let store = &store;
        async move { store::resolve(store, &ScheduleRef::parse(&r)).await }
    };
    assert_eq!(resolve(a.id.to_string()).await.unwrap().id, a.id);
    assert_eq!(
        resolve(a.id.simple().to_string().to_uppercase())
            .await
            .unwrap()
            .id,
        a.id
    );
    assert_eq!(resolve("alpha".into()).await.unwrap().id, a.id);
    // A unique prefix; prefixes are compared without hyphens.
    let long_prefix = a.id.simple().to_string()[..12].to_string();
    assert_eq!(resolve(long_prefix).await.unwrap().id, a.id);
    let hyphenated = a.id.to_string()[..13].to_string();
    assert_eq!(resolve(hyphenated).await.unwrap().id, a.id);
    match resolve("twin".into()).await {
        Err(StoreError::Ambiguous { candidates, .. }) => {
            let mut ids: Vec<_> = candidates.iter().map(|c| c.id).collect();
            ids.sort();
            let mut want = vec![b1.id, b2.id];
            want.sort();
            assert_eq!(ids, want);
        }
        other => panic!("expected Ambiguous, got {other:?}"),
    }
    assert!(matches!(
        resolve("nope".into()).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        resolve(uuid::Uuid::new_v4().to_string()).await,
        Err(StoreError::NotFound { .. })
    ));
    // Fewer than 4 hex digits is a name, never a prefix.
    let three = a.id.simple().to_string()[..3].to_string();
    assert!(matches!(
        resolve(three).await,
        Err(StoreError::NotFound { .. })
    ));
    let all = store::resolve_all(
        &store,
        &["alpha".into(), a.id.to_string(), b1.id.to_string()],
    )
    .await
    .unwrap();
    assert_eq!(
        all.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![a.id, b1.id]
    );
}

async fn list_filters_combine(db: TestDb) {
    let store = db.store().await;
    let mk = |task: &str,
              name: &str,
              category: Option<&str>,
              tags: &[&str],
              enabled: bool,
              description: Option<&str>| {
        let mut i = input(task, "@daily");
        i.name = Some(name.into());
        i.category = category.map(Into::into);
        i.tags = tags.iter().map(|t| t.to_string()).collect();
        i.enabled = enabled;
        i.description = description.map(Into::into);
        i.validate(&[]).unwrap()
    };
    store
        .create_schedule(&mk(
            "app.tasks.fetch",
            "b-fetch",
            Some("market"),
            &["jp", "nightly"],
            true,
            None,
        ))
        .await
        .unwrap();
    store
        .create_schedule(&mk(
            "app.tasks.fetch",
            "a-fetch",
            Some("market"),
            &["jp"],
            false,
            Some("100% Weekly"),
        ))
        .await
        .unwrap();
    store
        .create_schedule(&mk(
            "other.fetch",
            "c-other",
            None,
            &["nightly"],
            true,
            None,
        ))
        .await
        .unwrap();
    store
        .create_schedule(&mk(
            "app.tasks.prefetch",
            "d_pre",
            Some("ops"),
            &[],
            true,
            None,
        ))
        .await
        .unwrap();
    let names = |filter: ScheduleFilter| {
        let store = &store;
        async move {
            store
                .list_schedules(&filter)
                .await
                .unwrap()
                .into_iter()
                .map(|s| s.name)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        names(ScheduleFilter::default()).await,
        ["a-fetch", "b-fetch", "c-other", "d_pre"]
    );
    assert_eq!(
        names(ScheduleFilter {
            task: Some("fetch".into()),
            ..Default::default()
        })
        .await,
        ["a-fetch", "b-fetch", "c-other"]
    );
    assert_eq!(
        names(ScheduleFilter {
            task: Some("app.tasks.fetch".into()),
            ..Default::default()
        })
        .await,
        ["a-fetch", "b-fetch"]
    );
    assert_eq!(
        names(ScheduleFilter {
            category: Some("market".into()),
            ..Default::default()
        })
        .await,
        ["a-fetch", "b-fetch"]
    );
    assert_eq!(
        names(ScheduleFilter {
            tags: vec!["jp".into(), "nightly".into()],
            ..Default::default()
        })
        .await,
        ["b-fetch"]
    );
    assert_eq!(
        names(ScheduleFilter {
            tags: vec!["nightly".into()],
            ..Default::default()
        })
        .await,
        ["b-fetch", "c-other"]
    );
    assert_eq!(
        names(ScheduleFilter {
            enabled: Some(false),
            ..Default::default()
        })
        .await,
        ["a-fetch"]
    );
    assert_eq!(
        names(ScheduleFilter {
            enabled: Some(true),
            category: Some("market".into()),
            ..Default::default()
        })
        .await,
        ["b-fetch"]
    );
    assert_eq!(
        names(ScheduleFilter {
            search: Some("WEEKLY".into()),
            ..Default::default()
        })
        .await,
        ["a-fetch"]
    );
    assert_eq!(
        names(ScheduleFilter {
            search: Some("100%".into()),
            ..Default::default()
        })
        .await,
        ["a-fetch"]
    );
    // LIKE wildcards in the search text are literal.
    assert_eq!(
        names(ScheduleFilter {
            search: Some("d_p".into()),
            ..Default::default()
        })
        .await,
        ["d_pre"]
    );
    assert!(
        names(ScheduleFilter {
            search: Some("_x%".into()),
            ..Default::default()
        })
        .await
        .is_empty()
    );
    assert_eq!(
        names(ScheduleFilter {
            search: Some("OPS".into()),
            ..Default::default()
        })
        .await,
        ["d_pre"]
    );
}

async fn updates_are_patches_and_detect_conflicts(db: TestDb) {
    let store = db.store().await;
    let created = store
        .create_schedule(&new(
            "app.tasks.fetch_listed_info_task_asyncpg",
            "0 0 * * *",
        ))
        .await
        .unwrap();
    let patch = SchedulePatch {
        cron_expression: Some("0 * * * *".into()),
        description: Some(Some("x".into())),
        regenerate_name: true,
        ..Default::default()
    };
    let (next, name) = patch.apply(&created, &[]).unwrap();
    let updated = store
        .update_schedule(&next, &name, created.updated_at)
        .await
        .unwrap();
    assert_eq!(updated.name, "fetch_listed_info_hourly");
    assert_eq!(updated.description.as_deref(), Some("x"));
    assert_eq!(updated.created_at, created.created_at);
    assert!(updated.updated_at > created.updated_at);
    // A writer still holding the first version loses, and changes nothing.
    let stale = SchedulePatch {
        cron_expression: Some("*/5 * * * *".into()),
        ..Default::default()
    };
    let (next, name) = stale.apply(&created, &[]).unwrap();
    let err = store
        .update_schedule(&next, &name, created.updated_at)
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict { id, .. } if id == created.id),
        "{err:?}"
    );
    assert_eq!(
        store.get_schedule(created.id).await.unwrap().unwrap(),
        updated
    );
}

async fn regenerated_names_skip_taken_ones_but_keep_their_own(db: TestDb) {
    let store = db.store().await;
    store
        .create_schedule(&new("app.tasks.report_task", "0 * * * *"))
        .await
        .unwrap();
    let daily = store
        .create_schedule(&new("app.tasks.report_task", "0 0 * * *"))
        .await
        .unwrap();
    let to_hourly = SchedulePatch {
        cron_expression: Some("@hourly".into()),
        regenerate_name: true,
        ..Default::default()
    };
    let (next, name) = to_hourly.apply(&daily, &[]).unwrap();
    let moved = store
        .update_schedule(&next, &name, daily.updated_at)
        .await
        .unwrap();
    assert_eq!(moved.name, "report_hourly_2");
    // Changing something else keeps the name: it does not collide with itself.
    let touch = SchedulePatch {
        description: Some(Some("d".into())),
        ..Default::default()
    };
    let (next, name) = touch.apply(&moved, &[]).unwrap();
    assert_eq!(
        store
            .update_schedule(&next, &name, moved.updated_at)
            .await
            .unwrap()
            .name,
        "report_hourly_2"
    );
}

async fn deletes_and_toggles_many_at_once(db: TestDb) {
    let store = db.store().await;
    let a = store
        .create_schedule(&named("t", "@daily", "a"))
        .await
        .unwrap();
    let b = store
        .create_schedule(&named("t", "@daily", "b"))
        .await
        .unwrap();
    let c = store
        .create_schedule(&named("t", "@daily", "c"))
        .await
        .unwrap();
    let now = chrono::Utc::now();
    let off = store
        .set_enabled(&[a.id, b.id], &Switch::disable("ann@host", now))
        .await
        .unwrap();
    assert_eq!(
        off.iter()
            .map(|s| (s.name.as_str(), s.enabled))
            .collect::<Vec<_>>(),
        [("a", false), ("b", false)]
    );
    assert!(off[0].updated_at > a.updated_at);
    // Enabling what is enabled changes nothing, not even updated_at.
    let same = store
        .set_enabled(&[c.id], &Switch::On { at: now })
        .await
        .unwrap();
    assert_eq!(same[0].updated_at, c.updated_at);
    assert_eq!(store.delete_schedules(&[a.id, c.id]).await.unwrap(), 2);
    let left: Vec<_> = store
        .list_schedules(&ScheduleFilter::default())
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(left, ["b"]);
    assert_eq!(store.delete_schedules(&[a.id]).await.unwrap(), 0);
}

/// Pauses record who, when, why and until when; the same pause again writes nothing; a due
/// pause is resumed in one write, at its until, and the next one is known.
async fn pauses_are_recorded_and_resumed_at_their_until(db: TestDb) {
    let store = db.store().await;
    let at = |text: &str| {
        chrono::DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&chrono::Utc)
    };
    let mut made = Vec::new();
    for name in ["a", "b", "c"] {
        made.push(
            store
                .create_schedule(&named("t", "@daily", name))
                .await
                .unwrap(),
        );
    }
    let (a, b, c) = (&made[0], &made[1], &made[2]);
    let pause = |until: &str| {
        Switch::Off(Pause {
            at: Some(at("2030-01-01T00:00:00.123456Z")),
            by: Some("ann@host".into()),
            reason: Some("backfill".into()),
            until: Some(at(until)),
        })
    };
    let paused = store
        .set_enabled(&[a.id], &pause("2030-01-01T01:00:00Z"))
        .await
        .unwrap();
    assert_eq!(paused[0].state(), State::Paused);
    assert_eq!(
        paused[0].pause,
        Pause {
            at: Some(at("2030-01-01T00:00:00.123456Z")),
            by: Some("ann@host".into()),
            reason: Some("backfill".into()),
            until: Some(at("2030-01-01T01:00:00Z")),
        }
    );
    store
        .set_enabled(&[b.id], &pause("2030-01-01T02:00:00Z"))
        .await
        .unwrap();
    let disabled = store
        .set_enabled(
            &[c.id],
            &Switch::disable("bob@host", at("2030-01-01T00:00:00Z")),
        )
        .await
        .unwrap();
    assert_eq!(disabled[0].state(), State::Disabled);
    assert_eq!(disabled[0].pause.by.as_deref(), Some("bob@host"));
    // The same pause again: nothing written. A plain disable of a paused one: neither.
    let again = store
        .set_enabled(&[a.id, b.id], &pause("2030-01-01T02:00:00Z"))
        .await
        .unwrap();
    assert!(
        again[0].updated_at > paused[0].updated_at,
        "another until is a change"
    );
    assert_eq!(again[0].pause.until, Some(at("2030-01-01T02:00:00Z")));
    let b_now = store.get_schedule(b.id).await.unwrap().unwrap();
    assert_eq!(again[1].updated_at, b_now.updated_at);
    let kept = store
        .set_enabled(
            &[a.id],
            &Switch::disable("bob@host", at("2030-01-01T00:00:00Z")),
        )
        .await
        .unwrap();
    assert_eq!(
        kept[0], again[0],
        "a paused schedule stays paused, with its reason"
    );

    assert_eq!(
        store.next_resume().await.unwrap(),
        Some(at("2030-01-01T02:00:00Z"))
    );
    assert!(
        store
            .resume_due(at("2030-01-01T01:59:59Z"))
            .await
            .unwrap()
            .is_empty()
    );
    let version = store.change_version().await.unwrap().version;
    let resumed = store.resume_due(at("2030-01-01T02:00:00Z")).await.unwrap();
    let mut names: Vec<_> = resumed.iter().map(|s| s.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["a", "b"]);
    for s in &resumed {
        assert_eq!(s.state(), State::Enabled);
        assert!(s.pause.is_empty(), "{s:?}");
        assert_eq!(s.resumed_at, Some(at("2030-01-01T02:00:00Z")));
    }
    assert!(
        store.change_version().await.unwrap().version > version,
        "a resume is a change the schedulers see"
    );
    assert_eq!(store.next_resume().await.unwrap(), None);
    // Enabled by hand: resumed now, the pause gone.
    let on = store
        .set_enabled(
            &[c.id],
            &Switch::On {
                at: at("2030-01-03T00:00:00Z"),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (on[0].state(), on[0].resumed_at, on[0].pause.is_empty()),
        (State::Enabled, Some(at("2030-01-03T00:00:00Z")), true)
    );
}

async fn migrate_is_idempotent(db: TestDb) {
    let store = db.store().await;
    let report = store.migrate().await.unwrap();
    assert!(report.applied.is_empty(), "{report:?}");
    assert_eq!(report.version, crate::support::latest_version());
    assert_eq!(store.backend(), db.backend);
}

async fn explicit_name_choice_is_written_as_is(db: TestDb) {
    let store = db.store().await;
    let first = store
        .create_schedule(&named("t", "@daily", "keep"))
        .await
        .unwrap();
    let mut next = first.clone();
    next.cron_expression = "@hourly".into();
    let updated = store
        .update_schedule(
            &next,
            &NameChoice::Explicit("keep".into()),
            first.updated_at,
        )
        .await
        .unwrap();
    assert_eq!(
        (updated.name.as_str(), updated.auto_generated_name),
        ("keep", false)
    );
}

both_backends!(
    round_trip_keeps_every_field,
    generated_names_get_suffixes_explicit_names_may_repeat,
    refs_resolve_by_id_prefix_and_name,
    list_filters_combine,
    updates_are_patches_and_detect_conflicts,
    regenerated_names_skip_taken_ones_but_keep_their_own,
    deletes_and_toggles_many_at_once,
    pauses_are_recorded_and_resumed_at_their_until,
    migrate_is_idempotent,
    explicit_name_choice_is_written_as_is,
);
