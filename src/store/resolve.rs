//! From what a user typed (a REF, a TASK) to the one row it names, or the error that says why
//! not.

use super::{ScheduleStore, StoreError, TaskStore};
use crate::domain::Schedule;
use crate::domain::reference::ScheduleRef;
use crate::domain::task::TaskDefinition;

use super::Candidate;

/// The one definition a TASK argument names: the exact task name, else the one task whose
/// last dotted segment it is.
pub async fn resolve_task<S: TaskStore>(
    store: &S,
    reference: &str,
) -> Result<TaskDefinition, StoreError> {
    let found = store.find_tasks(reference).await?;
    if let Some(exact) = found.iter().find(|t| t.task_name == reference) {
        return Ok(exact.clone());
    }
    match found.len() {
        0 => Err(StoreError::TaskNotFound {
            reference: reference.to_string(),
        }),
        1 => Ok(found.into_iter().next().expect("one element")),
        _ => Err(StoreError::TaskAmbiguous {
            reference: reference.to_string(),
            names: found.into_iter().map(|t| t.task_name).collect(),
        }),
    }
}

/// The definition a schedule's TASK argument names, if any (see
/// [`crate::domain::task::match_definition`]): the exact task name, else the one definition
/// whose last dotted segment it is. Several such definitions fail with
/// [`StoreError::TaskAmbiguous`]; none is `None`.
pub async fn definition_for<S: TaskStore>(
    store: &S,
    task: &str,
) -> Result<Option<TaskDefinition>, StoreError> {
    use crate::domain::task::{TaskMatch, match_definition};
    let found = store.find_tasks(task).await?;
    match match_definition(&found, task) {
        TaskMatch::Exact(d) | TaskMatch::Short(d) => Ok(Some(d.clone())),
        TaskMatch::None => Ok(None),
        TaskMatch::Ambiguous => Err(StoreError::TaskAmbiguous {
            reference: task.to_string(),
            names: found.into_iter().map(|t| t.task_name).collect(),
        }),
    }
}

/// The one schedule a REF names, or NotFound / Ambiguous.
pub async fn resolve<S: ScheduleStore>(
    store: &S,
    reference: &ScheduleRef,
) -> Result<Schedule, StoreError> {
    let mut found = store.find_candidates(reference).await?;
    match found.len() {
        0 => Err(StoreError::NotFound {
            reference: reference.display(),
        }),
        1 => Ok(found.remove(0)),
        _ => Err(StoreError::Ambiguous {
            reference: reference.display(),
            candidates: found
                .into_iter()
                .map(|s| Candidate {
                    id: s.id,
                    name: s.name,
                    task_name: s.task_name,
                })
                .collect(),
        }),
    }
}

/// Resolves several REFs, failing on the first that does not name exactly one schedule.
/// Duplicates collapse; order is kept.
pub async fn resolve_all<S: ScheduleStore>(
    store: &S,
    refs: &[String],
) -> Result<Vec<Schedule>, StoreError> {
    let mut out: Vec<Schedule> = Vec::with_capacity(refs.len());
    for r in refs {
        let schedule = resolve(store, &ScheduleRef::parse(r)).await?;
        if !out.iter().any(|s| s.id == schedule.id) {
            out.push(schedule);
        }
    }
    Ok(out)
}
