//! Deadlines on statements: a database that hangs or refuses connections fails the statement
//! in time instead of stalling the scheduler.

use std::future::Future;

use super::{RunStore, StoreError};

/// Runs a statement with a deadline: a database that hangs (the connection open, no answer)
/// fails it with [`StoreError::NoAnswer`] after `limit` instead of stalling the caller.
pub async fn within<T>(
    limit: std::time::Duration,
    what: &str,
    statement: impl Future<Output = Result<T, StoreError>>,
) -> Result<T, StoreError> {
    match tokio::time::timeout(limit, statement).await {
        Ok(result) => result,
        Err(_) => Err(StoreError::NoAnswer {
            what: format!("{what} within {} ms", limit.as_millis()),
        }),
    }
}

/// How long a statement runs before [`within_unless_refused`] asks whether the server refuses
/// connections.
pub const REFUSAL_PROBE_AFTER: std::time::Duration = std::time::Duration::from_millis(150);

/// [`within`], and fails as soon as the server is found to refuse connections: a stopped or
/// restarting Postgres makes the pool retry its connection until its acquire timeout (5 s),
/// which would hold a boundary's claim that long. After [`REFUSAL_PROBE_AFTER`] one fresh
/// connection is attempted; refused, the statement is abandoned at once (it never reached the
/// server, whose refusal the pool is retrying).
pub async fn within_unless_refused<S: RunStore + ?Sized, T>(
    store: &S,
    limit: std::time::Duration,
    what: &str,
    statement: impl Future<Output = Result<T, StoreError>>,
) -> Result<T, StoreError> {
    let refused = async {
        tokio::time::sleep(REFUSAL_PROBE_AFTER).await;
        if !store.refuses_connections().await {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        result = within(limit, what, statement) => result,
        () = refused => Err(StoreError::NoAnswer {
            what: format!("{what}: the database refuses connections"),
        }),
    }
}
