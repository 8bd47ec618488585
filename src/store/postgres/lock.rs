//! The session advisory lock that elects a scheduler on Postgres without Redis.

use sqlx::Connection;
use sqlx::PgConnection;

use crate::store::StoreError;

/// A session-level advisory lock on its own connection (not the pool's): held while the
/// connection lives, released by the server the moment the session ends, however it ends.
pub struct AdvisoryLock {
    pub(super) conn: PgConnection,
    pub(super) key: i64,
    pub(super) held: bool,
}

impl std::fmt::Debug for AdvisoryLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdvisoryLock")
            .field("key", &self.key)
            .field("held", &self.held)
            .finish()
    }
}

impl AdvisoryLock {
    /// Takes the lock if it is free; `Ok(true)` while this session holds it. Once held, the
    /// call only checks that the session is still alive (a lost session has lost the lock).
    pub async fn try_acquire(&mut self) -> Result<bool, StoreError> {
        if self.held {
            sqlx::query("SELECT 1").execute(&mut self.conn).await?;
            return Ok(true);
        }
        let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(self.key)
            .fetch_one(&mut self.conn)
            .await?;
        self.held = got;
        Ok(got)
    }

    /// Releases the lock and closes the session.
    pub async fn release(mut self) -> Result<(), StoreError> {
        if self.held {
            sqlx::query("SELECT pg_advisory_unlock($1)")
                .bind(self.key)
                .execute(&mut self.conn)
                .await?;
        }
        self.conn.close().await?;
        Ok(())
    }
}
