//! Connections to Redis with bounded waits, and publishing change events.

use std::time::Duration;

use redis::AsyncCommands;
use redis::aio::MultiplexedConnection;

use super::ChangeEvent;
use crate::config::Redacted;
use crate::error::{Classify, ErrorKind};

/// The default wait for connecting to Redis and for each reply.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

/// A Redis failure.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The URL cannot be used.
    #[error("the Redis URL {url} is invalid")]
    InvalidUrl {
        /// The URL, redacted when displayed.
        url: Redacted,
        /// Why.
        #[source]
        source: redis::RedisError,
    },
    /// Redis did not answer in time or refused.
    #[error("cannot reach Redis at {url}")]
    Unreachable {
        /// The URL, redacted when displayed.
        url: Redacted,
        /// Why.
        #[source]
        source: redis::RedisError,
    },
    /// No answer within the timeout.
    #[error("Redis at {url} did not answer within {} ms", timeout.as_millis())]
    Timeout {
        /// The URL, redacted when displayed.
        url: Redacted,
        /// The wait.
        timeout: Duration,
    },
    /// A command failed.
    #[error("Redis at {url} refused a command")]
    Command {
        /// The URL, redacted when displayed.
        url: Redacted,
        /// Why.
        #[source]
        source: redis::RedisError,
    },
}

impl Classify for SyncError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::InvalidUrl { .. } => ErrorKind::InvalidInput,
            _ => ErrorKind::Unavailable,
        }
    }
    fn hint(&self) -> Option<String> {
        Some(match self {
            Self::InvalidUrl { .. } => {
                "use redis://[:password@]host:6379/db or rediss:// for TLS".into()
            }
            _ => "check that Redis runs and that REDIS_URL points at it (host, port, db, password)"
                .into(),
        })
    }
}

/// Opens a client for `url` (no I/O yet).
pub fn client(url: &Redacted) -> Result<redis::Client, SyncError> {
    redis::Client::open(url.expose()).map_err(|source| SyncError::InvalidUrl {
        url: url.clone(),
        source,
    })
}

/// One multiplexed connection, every wait bounded by `timeout`.
pub async fn connect(
    url: &Redacted,
    timeout: Duration,
) -> Result<MultiplexedConnection, SyncError> {
    let config = redis::AsyncConnectionConfig::new()
        .set_connection_timeout(Some(timeout))
        .set_response_timeout(Some(timeout));
    let client = client(url)?;
    match tokio::time::timeout(
        timeout,
        client.get_multiplexed_async_connection_with_config(&config),
    )
    .await
    {
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(source)) if source.is_timeout() => Err(SyncError::Timeout {
            url: url.clone(),
            timeout,
        }),
        Ok(Err(source)) => Err(SyncError::Unreachable {
            url: url.clone(),
            source,
        }),
        Err(_) => Err(SyncError::Timeout {
            url: url.clone(),
            timeout,
        }),
    }
}

/// Maps a command error, telling timeouts apart.
pub fn command_error(url: &Redacted, timeout: Duration, source: redis::RedisError) -> SyncError {
    if source.is_timeout() {
        SyncError::Timeout {
            url: url.clone(),
            timeout,
        }
    } else if source.is_connection_refusal()
        || source.is_io_error()
        || source.is_connection_dropped()
    {
        SyncError::Unreachable {
            url: url.clone(),
            source,
        }
    } else {
        SyncError::Command {
            url: url.clone(),
            source,
        }
    }
}

/// Publishes change events on one connection.
pub struct Publisher {
    conn: MultiplexedConnection,
    url: Redacted,
    timeout: Duration,
}

impl Publisher {
    /// Connects.
    pub async fn connect(url: &Redacted, timeout: Duration) -> Result<Self, SyncError> {
        Ok(Self {
            conn: connect(url, timeout).await?,
            url: url.clone(),
            timeout,
        })
    }

    /// Publishes every event on `channel` in one pipelined round trip; returns how many
    /// subscribers received each (Redis's count, one per event).
    pub async fn publish(
        &mut self,
        channel: &str,
        events: &[ChangeEvent],
    ) -> Result<Vec<i64>, SyncError> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let mut pipe = redis::pipe();
        for event in events {
            pipe.publish(channel, event.to_json().to_string());
        }
        pipe.query_async(&mut self.conn)
            .await
            .map_err(|e| command_error(&self.url, self.timeout, e))
    }

    /// Publishes one raw message.
    pub async fn publish_raw(&mut self, channel: &str, message: &str) -> Result<i64, SyncError> {
        self.conn
            .publish(channel, message)
            .await
            .map_err(|e| command_error(&self.url, self.timeout, e))
    }
}

/// A subscription to one channel, set up within `timeout`.
pub async fn subscribe(
    url: &Redacted,
    channel: &str,
    timeout: Duration,
) -> Result<redis::aio::PubSub, SyncError> {
    let client = client(url)?;
    let setup = async {
        let mut pubsub = client.get_async_pubsub().await?;
        pubsub.subscribe(channel).await?;
        Ok::<_, redis::RedisError>(pubsub)
    };
    match tokio::time::timeout(timeout, setup).await {
        Ok(Ok(pubsub)) => Ok(pubsub),
        Ok(Err(source)) => Err(command_error(url, timeout, source)),
        Err(_) => Err(SyncError::Timeout {
            url: url.clone(),
            timeout,
        }),
    }
}
