//! Connections to Redis with bounded waits, and publishing change events. A `sentinel://` URL
//! (Celery's list of Sentinels) is resolved to the master the Sentinels name at each
//! connection, so every reconnect after a failover reaches the new master.

use std::time::Duration;

use redis::AsyncCommands;
use redis::aio::MultiplexedConnection;

use super::ChangeEvent;
use crate::config::{Redacted, TransportOptions};
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
            Self::InvalidUrl { url, .. } if url.scheme() == "sentinel" => {
                r#"list the Sentinels as sentinel://[:password@]host:26379/db;sentinel://host2:26379/db and name the master in CELERY_BROKER_TRANSPORT_OPTIONS: {"master_name": "mymaster"}"#.into()
            }
            Self::InvalidUrl { .. } => {
                "use redis://[:password@]host:6379/db or rediss:// for TLS".into()
            }
            _ => "check that Redis runs and that REDIS_URL points at it (host, port, db, password)"
                .into(),
        })
    }
}

/// Opens a client for `url` (no I/O yet). A `rediss://` URL may name the certificate
/// authority to trust as Celery's Redis URLs do, `?ssl_ca_certs=/path/ca.pem` (PEM; a private,
/// self-signed authority works; a server certificate that is its own authority is refused);
/// without it the system's trusted certificates apply.
pub fn client(url: &Redacted) -> Result<redis::Client, SyncError> {
    let invalid = |source| SyncError::InvalidUrl {
        url: url.clone(),
        source,
    };
    let (plain, ca) = tls_options(url.expose()).map_err(|why| {
        invalid(redis::RedisError::from((
            redis::ErrorKind::InvalidClientConfig,
            "unusable TLS options",
            why,
        )))
    })?;
    match ca {
        None => redis::Client::open(plain),
        Some(root) => redis::Client::build_with_tls(
            plain,
            redis::TlsCertificates {
                client_tls: None,
                root_cert: Some(root),
            },
        ),
    }
    .map_err(invalid)
}

/// The URL without Celery's TLS query options, and the certificate authority they name.
fn tls_options(url: &str) -> Result<(String, Option<Vec<u8>>), String> {
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_string(), None));
    };
    let mut kept = Vec::new();
    let mut ca = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "ssl_ca_certs" => {
                let path = crate::config::percent_decode(value)
                    .ok_or("ssl_ca_certs is not valid percent-encoded UTF-8")?;
                let pem = std::fs::read(&path)
                    .map_err(|e| format!("cannot read ssl_ca_certs {path}: {e}"))?;
                ca = Some(pem);
            }
            "ssl_cert_reqs" => match value.to_ascii_lowercase().as_str() {
                "required" | "cert_required" => {}
                other => {
                    return Err(format!(
                        "ssl_cert_reqs={other} is not supported: stockura always verifies the server (give its certificate authority with ssl_ca_certs)"
                    ));
                }
            },
            _ => kept.push(pair),
        }
    }
    if ca.is_some() && !base.to_ascii_lowercase().starts_with("rediss://") {
        return Err("ssl_ca_certs needs a rediss:// URL".into());
    }
    let plain = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok((plain, ca))
}

/// The transport options `sentinel://` URLs are resolved with: set once, at start.
static TRANSPORT: std::sync::OnceLock<TransportOptions> = std::sync::OnceLock::new();

/// Sets the transport options (`master_name`, the Sentinels' password) of `sentinel://` URLs.
pub fn use_transport_options(options: TransportOptions) {
    let _ = TRANSPORT.set(options);
}

/// The Redis server `url` names now: itself, or for `sentinel://` URLs the master that the
/// first Sentinel to answer names (Sentinels tried in the URL's order; each asked within
/// `timeout`). The URL's password and database apply to the master; the Sentinels
/// authenticate with `sentinel_kwargs.password`.
pub async fn resolve(url: &Redacted, timeout: Duration) -> Result<Redacted, SyncError> {
    if url.scheme() != "sentinel" {
        return Ok(url.clone());
    }
    let options = TRANSPORT.get().cloned().unwrap_or_default();
    let invalid = |why: String| SyncError::InvalidUrl {
        url: url.clone(),
        source: redis::RedisError::from((
            redis::ErrorKind::InvalidClientConfig,
            "unusable Sentinel URL",
            why,
        )),
    };
    let Some(master) = options.master_name else {
        return Err(invalid(
            "a sentinel:// URL needs master_name in CELERY_BROKER_TRANSPORT_OPTIONS".into(),
        ));
    };
    let SentinelList {
        sentinels,
        password,
        db,
    } = SentinelList::parse(url.expose()).map_err(invalid)?;
    let config = redis::AsyncConnectionConfig::new()
        .set_connection_timeout(Some(timeout))
        .set_response_timeout(Some(timeout));
    let mut failures = Vec::new();
    for sentinel in &sentinels {
        let auth = options
            .sentinel_password
            .as_deref()
            .map(|p| format!(":{}@", percent_encode(p)))
            .unwrap_or_default();
        let asked = async {
            let client = redis::Client::open(format!("redis://{auth}{sentinel}"))?;
            let mut conn = client
                .get_multiplexed_async_connection_with_config(&config)
                .await?;
            redis::cmd("SENTINEL")
                .arg("get-master-addr-by-name")
                .arg(&master)
                .query_async::<Option<(String, u16)>>(&mut conn)
                .await
        };
        match tokio::time::timeout(timeout, asked).await {
            Ok(Ok(Some((host, port)))) => {
                let host = if host.contains(':') {
                    format!("[{host}]")
                } else {
                    host
                };
                let auth = password
                    .as_deref()
                    .map(|p| format!(":{p}@"))
                    .unwrap_or_default();
                let db = db.as_deref().unwrap_or("0");
                return Ok(Redacted::new(format!("redis://{auth}{host}:{port}/{db}")));
            }
            Ok(Ok(None)) => failures.push(format!("{sentinel} knows no master named {master}")),
            Ok(Err(e)) => failures.push(format!("{sentinel}: {e}")),
            Err(_) => failures.push(format!(
                "{sentinel}: no answer within {} ms",
                timeout.as_millis()
            )),
        }
    }
    Err(SyncError::Unreachable {
        url: url.clone(),
        source: redis::RedisError::from(std::io::Error::new(
            std::io::ErrorKind::NotConnected,
            format!("no Sentinel named the master: {}", failures.join("; ")),
        )),
    })
}

/// Celery's list of Sentinels, parsed.
#[derive(Debug, PartialEq, Eq)]
struct SentinelList {
    /// `host:port` of each, in order (port 26379 when none is given).
    sentinels: Vec<String>,
    /// The master's password: the first one in the list.
    password: Option<String>,
    /// The master's database: the first one in the list.
    db: Option<String>,
}

impl SentinelList {
    fn parse(text: &str) -> Result<Self, String> {
        let (mut password, mut db, mut sentinels) = (None, None, Vec::new());
        for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let Some(rest) = part.strip_prefix("sentinel://") else {
                return Err("every part of the list must start with sentinel://".into());
            };
            let (auth, hostpath) = match rest.rsplit_once('@') {
                Some((a, h)) => (Some(a), h),
                None => (None, rest),
            };
            if password.is_none() {
                password = auth
                    .and_then(|a| a.split_once(':'))
                    .map(|(_, p)| p.to_string())
                    .filter(|p| !p.is_empty());
            }
            let (hostport, path) = hostpath.split_once('/').unwrap_or((hostpath, ""));
            if db.is_none() && !path.is_empty() {
                db = Some(path.to_string());
            }
            if hostport.is_empty() {
                return Err("a Sentinel address is empty".into());
            }
            let has_port = hostport
                .rsplit_once(':')
                .is_some_and(|(h, p)| !h.ends_with(':') && p.parse::<u16>().is_ok());
            sentinels.push(if has_port {
                hostport.to_string()
            } else {
                format!("{hostport}:26379")
            });
        }
        if sentinels.is_empty() {
            return Err("no Sentinel address".into());
        }
        Ok(Self {
            sentinels,
            password,
            db,
        })
    }
}

/// Percent-encodes a password for a URL's userinfo.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// One multiplexed connection, every wait bounded by `timeout` (to the master the Sentinels
/// name now, for a `sentinel://` URL).
pub async fn connect(
    url: &Redacted,
    timeout: Duration,
) -> Result<MultiplexedConnection, SyncError> {
    let config = redis::AsyncConnectionConfig::new()
        .set_connection_timeout(Some(timeout))
        .set_response_timeout(Some(timeout));
    let client = client(&resolve(url, timeout).await?)?;
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
    let client = client(&resolve(url, timeout).await?)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn celery_sentinel_lists_parse() {
        let l = SentinelList::parse("sentinel://:pw@h1:26380/2;sentinel://h2/5; sentinel://h3:1")
            .unwrap();
        assert_eq!(l.sentinels, ["h1:26380", "h2:26379", "h3:1"]);
        assert_eq!(l.password.as_deref(), Some("pw"));
        assert_eq!(l.db.as_deref(), Some("2"));
        let l = SentinelList::parse("sentinel://h").unwrap();
        assert_eq!((l.password, l.db), (None, None));
        assert!(SentinelList::parse("sentinel://h;redis://x").is_err());
        assert!(SentinelList::parse(";").is_err());
        assert!(SentinelList::parse("sentinel:///0").is_err());
        assert_eq!(percent_encode("a b@c:d"), "a%20b%40c%3Ad");
    }

    #[test]
    fn celery_tls_options_are_taken_out_of_the_url() {
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("ca.pem");
        std::fs::write(&ca, b"PEM").unwrap();
        let url = format!(
            "rediss://:pw@h:6380/1?ssl_cert_reqs=required&ssl_ca_certs={}&protocol=resp3",
            ca.display()
        );
        let (plain, root) = tls_options(&url).unwrap();
        assert_eq!(plain, "rediss://:pw@h:6380/1?protocol=resp3");
        assert_eq!(root.as_deref(), Some(&b"PEM"[..]));
        assert_eq!(
            tls_options("redis://h/0").unwrap(),
            ("redis://h/0".into(), None)
        );
        assert!(tls_options("rediss://h/0?ssl_cert_reqs=none").is_err());
        assert!(tls_options("rediss://h/0?ssl_ca_certs=/no/such/file").is_err());
        assert!(tls_options(&format!("redis://h/0?ssl_ca_certs={}", ca.display())).is_err());
    }
}
