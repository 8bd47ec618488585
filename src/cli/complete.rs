//! Dynamic shell completion of schedule names and task names from the database
//! (`source <(COMPLETE=bash stockura)`, see the README). Reading never creates, migrates or
//! writes anything, and any failure (no database, unreachable, not migrated, slower than
//! [`READ_LIMIT`]) completes nothing instead of printing an error into the shell.

use std::future::Future;
use std::time::Duration;

use clap_complete::engine::{ArgValueCandidates, CompletionCandidate};

use crate::config::{Inputs, Settings};
use crate::store::{AnyStore, OpenMode, ScheduleFilter, ScheduleStore, StoreError, TaskStore};

/// How long a completion may wait for the database.
const READ_LIMIT: Duration = Duration::from_secs(2);

/// Candidates for a REF: the names of the stored schedules, each with its task as help.
pub fn schedule_names() -> ArgValueCandidates {
    ArgValueCandidates::new(|| {
        from_database(|store| async move {
            let mut names: Vec<(String, String)> = store
                .list_schedules(&ScheduleFilter::default())
                .await?
                .into_iter()
                .map(|s| (s.name, s.task_name))
                .collect();
            names.dedup_by(|a, b| a.0 == b.0);
            Ok(names
                .into_iter()
                .map(|(name, task)| CompletionCandidate::new(name).help(Some(task.into())))
                .collect())
        })
    })
}

/// Candidates for a TASK: the defined task names.
pub fn task_names() -> ArgValueCandidates {
    ArgValueCandidates::new(|| {
        from_database(|store| async move {
            Ok(store
                .list_tasks(None)
                .await?
                .into_iter()
                .map(|t| CompletionCandidate::new(t.task.task_name))
                .collect())
        })
    })
}

/// Runs `read` against the configured database (`DATABASE_URL`, `.env`, or the embedded
/// default when its file exists); nothing on any failure.
fn from_database<F, Fut>(read: F) -> Vec<CompletionCandidate>
where
    F: FnOnce(AnyStore) -> Fut,
    Fut: Future<Output = Result<Vec<CompletionCandidate>, StoreError>>,
{
    let Ok(cwd) = std::env::current_dir() else {
        return Vec::new();
    };
    let Ok(inputs) = Inputs::gather(None, false, &cwd) else {
        return Vec::new();
    };
    let (settings, _) = Settings::resolve_lenient(&inputs);
    let Ok(database) = settings.database else {
        return Vec::new();
    };
    let mut target = database.value;
    // Never create the embedded database just to complete a word.
    target.create_dir = None;
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return Vec::new();
    };
    runtime.block_on(async {
        let read = async {
            let store = AnyStore::open(&target, OpenMode::ConnectOnly).await?;
            read(store).await
        };
        match tokio::time::timeout(READ_LIMIT, read).await {
            Ok(Ok(candidates)) => candidates,
            _ => Vec::new(),
        }
    })
}
