//! `BatchStore::write_batch`: several creates, updates and deletes as one transaction, with the
//! same optimistic concurrency checks as single writes, on both backends.

use stockura::domain::{NameChoice, NewSchedule, ScheduleInput};
use stockura::store::{BatchStore, BatchWrite, ScheduleFilter, ScheduleStore, StoreError};

use crate::both_backends;
use crate::support::TestDb;

fn named(task: &str, cron: &str, name: &str) -> NewSchedule {
    ScheduleInput {
        task_name: task.into(),
        cron_expression: cron.into(),
        enabled: true,
        name: Some(name.into()),
        ..Default::default()
    }
    .validate(&[])
    .expect("valid input")
}

async fn names(store: &impl ScheduleStore) -> Vec<(String, String)> {
    store
        .list_schedules(&ScheduleFilter::default())
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.name, s.cron_expression))
        .collect()
}

async fn a_batch_writes_everything_in_order(db: TestDb) {
    let store = db.store().await;
    let keep = store
        .create_schedule(&named("t.a", "0 1 * * *", "keep"))
        .await
        .unwrap();
    let gone = store
        .create_schedule(&named("t.a", "0 2 * * *", "gone"))
        .await
        .unwrap();
    let mut changed = keep.clone();
    changed.cron_expression = "0 3 * * *".into();
    let written = store
        .write_batch(&[
            BatchWrite::Create(named("t.b", "0 4 * * *", "fresh")),
            BatchWrite::Update {
                next: changed,
                name: NameChoice::Explicit("keep".into()),
                expected_updated_at: keep.updated_at,
            },
            BatchWrite::Delete {
                id: gone.id,
                name: gone.name.clone(),
                expected_updated_at: gone.updated_at,
            },
        ])
        .await
        .unwrap();
    assert_eq!(written.len(), 3);
    assert_eq!(written[0].as_ref().unwrap().name, "fresh");
    let updated = written[1].as_ref().unwrap();
    assert_eq!(updated.cron_expression, "0 3 * * *");
    assert!(updated.updated_at > keep.updated_at);
    assert!(written[2].is_none());
    assert_eq!(
        names(&store).await,
        [
            ("fresh".to_string(), "0 4 * * *".to_string()),
            ("keep".to_string(), "0 3 * * *".to_string())
        ]
    );
    assert!(store.write_batch(&[]).await.unwrap().is_empty());
}

async fn a_stale_row_fails_the_whole_batch(db: TestDb) {
    let store = db.store().await;
    let a = store
        .create_schedule(&named("t.a", "0 1 * * *", "a"))
        .await
        .unwrap();
    let b = store
        .create_schedule(&named("t.a", "0 2 * * *", "b"))
        .await
        .unwrap();
    // Someone else changes b after it was read.
    let mut other = b.clone();
    other.cron_expression = "0 5 * * *".into();
    store
        .update_schedule(&other, &NameChoice::Explicit("b".into()), b.updated_at)
        .await
        .unwrap();
    let before = names(&store).await;
    let mut stale = b.clone();
    stale.cron_expression = "0 6 * * *".into();
    let err = store
        .write_batch(&[
            BatchWrite::Create(named("t.b", "0 4 * * *", "fresh")),
            BatchWrite::Delete {
                id: a.id,
                name: a.name.clone(),
                expected_updated_at: a.updated_at,
            },
            BatchWrite::Update {
                next: stale,
                name: NameChoice::Explicit("b".into()),
                expected_updated_at: b.updated_at,
            },
        ])
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict { id, .. } if id == b.id),
        "{err:?}"
    );
    assert_eq!(
        names(&store).await,
        before,
        "a failed batch wrote something"
    );
    // A delete of a row changed meanwhile is a conflict too; of a vanished row, not found.
    let err = store
        .write_batch(&[BatchWrite::Delete {
            id: b.id,
            name: b.name.clone(),
            expected_updated_at: b.updated_at,
        }])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    store.delete_schedules(&[a.id]).await.unwrap();
    let err = store
        .write_batch(&[BatchWrite::Delete {
            id: a.id,
            name: a.name.clone(),
            expected_updated_at: a.updated_at,
        }])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    assert_eq!(names(&store).await.len(), 1);
}

both_backends!(
    a_batch_writes_everything_in_order,
    a_stale_row_fails_the_whole_batch
);
