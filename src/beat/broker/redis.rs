//! The Redis broker: messages pushed on kombu's lists by one atomic script per push, which also
//! sets the push's marker and applies its guard, so no attempt ever doubles a message.

use std::time::Duration;

use uuid::Uuid;

use super::{Guard, Marker, Pushed, RECENT_KEY, UNCLAIMED_KEY};
use crate::config::Redacted;
use crate::sync::redis_conn::{self, SyncError};
use redis::aio::MultiplexedConnection;

/// Puts a push's messages on their lists unless the push's marker shows that an earlier attempt
/// of the same push already did (its reply was lost, or its sender died before it learnt the
/// answer), then sets the marker. Atomic, so no attempt, by this scheduler or the next, ever
/// doubles a message.
///
/// KEYS[1]: the marker; KEYS[2]: the set of slots sent without a claim ([`UNCLAIMED_KEY`]);
/// KEYS[3]: the set of a new leader's recent sends ([`RECENT_KEY`]); KEYS[4..]: each message's
/// list. ARGV[1]: the marker's time to live in seconds; ARGV[2]: the guard (`c` checks both
/// sets; `r` records in the first, `t` in the second; `""` none); ARGV[3]: the time to live of
/// the set recorded in; ARGV[4..]: the messages, then (with a guard) their Celery task ids in
/// the same order. A message whose task id either set holds is not pushed (another scheduler
/// sent that slot). Returns `{1, skipped positions…}` when it pushed, `{0}` when the marker was
/// already there.
///
/// Every list is checked before anything is written, so a key of another type fails the whole
/// push instead of leaving part of it pushed. Consecutive messages for one list go in one
/// `LPUSH` of up to 500 (the same order as one `LPUSH` each: Celery pops from the other end).
const PUSH_ONCE: &str = "if redis.call('EXISTS', KEYS[1]) == 1 then return {0} end \
for i = 4, #KEYS do if KEYS[i] ~= KEYS[i - 1] then local t = redis.call('TYPE', KEYS[i]).ok \
if t ~= 'list' and t ~= 'none' then return redis.error_reply('WRONGTYPE ' .. KEYS[i] .. ' is a ' .. t .. ', not a list') end end end \
local count = #KEYS - 3 \
local check = string.find(ARGV[2], 'c', 1, true) \
local into = (string.find(ARGV[2], 'r', 1, true) and KEYS[2]) or (string.find(ARGV[2], 't', 1, true) and KEYS[3]) \
local skip, result = {}, {1} \
if check then for from = 1, count, 500 do local ids = {} \
for i = from, math.min(from + 499, count) do ids[#ids + 1] = ARGV[3 + count + i] end \
local a, b = redis.call('SMISMEMBER', KEYS[2], unpack(ids)), redis.call('SMISMEMBER', KEYS[3], unpack(ids)) \
for k = 1, #a do if a[k] == 1 or b[k] == 1 then skip[from + k - 1] = true result[#result + 1] = from + k - 1 end end end end \
local n, batch, key = 0, {}, nil \
for i = 1, count do if not skip[i] then \
if KEYS[i + 3] ~= key or n == 500 then if n > 0 then redis.call('LPUSH', key, unpack(batch, 1, n)) end key, n = KEYS[i + 3], 0 end \
n = n + 1 batch[n] = ARGV[3 + i] end end \
if n > 0 then redis.call('LPUSH', key, unpack(batch, 1, n)) end \
if into then for from = 1, count, 500 do local ids = {} \
for i = from, math.min(from + 499, count) do if not skip[i] then ids[#ids + 1] = ARGV[3 + count + i] end end \
if #ids > 0 then redis.call('SADD', into, unpack(ids)) end end \
if redis.call('TTL', into) < tonumber(ARGV[3]) then redis.call('EXPIRE', into, ARGV[3]) end end \
redis.call('SET', KEYS[1], '1', 'EX', ARGV[1]) return result";

/// The Redis broker: one multiplexed connection, re-opened after a failure. Every call has the
/// connection's response timeout, so a hung broker fails the push instead of stalling the loop.
pub struct RedisBroker {
    url: Redacted,
    timeout: Duration,
    conn: Option<MultiplexedConnection>,
    /// Behind Sentinel, the master's replicas when it was connected to: a push counts only
    /// once a replica has it (`WAIT`), so a failover cannot take back a push that answered.
    replicas: usize,
}

impl RedisBroker {
    /// A broker at `url`; connects on first use.
    pub fn new(url: Redacted, timeout: Duration) -> Self {
        Self {
            url,
            timeout,
            conn: None,
            replicas: 0,
        }
    }

    /// The broker's URL.
    pub fn url(&self) -> &Redacted {
        &self.url
    }

    /// Connects now (to fail fast at start). Behind Sentinel, also learns how many replicas
    /// the master has.
    pub async fn connect(&mut self) -> Result<(), SyncError> {
        let mut conn = redis_conn::connect(&self.url, self.timeout).await?;
        if self.url.scheme() == "sentinel" {
            let info: String = redis::cmd("INFO")
                .arg("replication")
                .query_async(&mut conn)
                .await
                .map_err(|e| redis_conn::command_error(&self.url, self.timeout, e))?;
            self.replicas = info
                .lines()
                .find_map(|l| l.strip_prefix("connected_slaves:"))
                .and_then(|n| n.trim().parse().ok())
                .unwrap_or(0);
        }
        self.conn = Some(conn);
        Ok(())
    }

    /// Pushes every message and sets the push's marker in one atomic script (`PUSH_ONCE`):
    /// all or nothing, and nothing when the marker shows an earlier attempt landed. The items
    /// are taken: each envelope is freed as soon as it is copied into the command. A connection
    /// found broken (a broker restart since the last batch) is re-opened and the push tried
    /// once more; the marker keeps a first attempt that landed with its reply lost from being
    /// doubled.
    pub async fn push(
        &mut self,
        items: Vec<(Vec<u8>, String)>,
        marker: &Marker,
    ) -> Result<Pushed, SyncError> {
        self.push_guarded(items, &[], Guard::default(), marker)
            .await
            .map(|(pushed, _)| pushed)
    }

    /// [`Self::push`] with a [`Guard`] over the messages' Celery task ids (`ids`, aligned with
    /// `items`; ignored without a guard). Also returns the positions of the messages not
    /// pushed because another scheduler sent their slot without a claim.
    pub async fn push_guarded(
        &mut self,
        items: Vec<(Vec<u8>, String)>,
        ids: &[Uuid],
        guard: Guard,
        marker: &Marker,
    ) -> Result<(Pushed, Vec<usize>), SyncError> {
        if items.is_empty() {
            return Ok((Pushed::Sent, Vec::new()));
        }
        let mut cmd = push_command(items.iter().map(|(key, _)| key.as_slice()), guard, marker);
        push_rest(
            &mut cmd,
            items.into_iter().map(|(_, envelope)| envelope),
            ids,
            guard,
        );
        let mut last = None;
        for attempt in 0..2 {
            match self.run_push(&cmd).await {
                Ok(pushed) => return Ok(pushed),
                Err(e) => {
                    if attempt == 0 {
                        tracing::warn!(broker = %self.url, error = %e, "broker connection lost; reconnecting");
                    }
                    last = Some(e);
                }
            }
        }
        Err(last.unwrap_or_else(|| self.unreachable()))
    }

    /// [`Self::push`] of borrowed items, tried once (the caller retries), with a [`Guard`] as
    /// in [`Self::push_guarded`].
    pub async fn push_again(
        &mut self,
        items: &[(&[u8], &str)],
        ids: &[Uuid],
        guard: Guard,
        marker: &Marker,
    ) -> Result<(Pushed, Vec<usize>), SyncError> {
        if items.is_empty() {
            return Ok((Pushed::Sent, Vec::new()));
        }
        let mut cmd = push_command(items.iter().map(|(key, _)| *key), guard, marker);
        push_rest(
            &mut cmd,
            items.iter().map(|(_, envelope)| *envelope),
            ids,
            guard,
        );
        self.run_push(&cmd).await
    }

    /// Whether a push with this marker landed (its key is there).
    pub async fn landed(&mut self, marker: &Marker) -> Result<bool, SyncError> {
        if self.conn.is_none() {
            self.connect().await?;
        }
        let Some(conn) = self.conn.as_mut() else {
            return Err(self.unreachable());
        };
        let result: Result<bool, redis::RedisError> = redis::cmd("EXISTS")
            .arg(marker.key.as_slice())
            .query_async(conn)
            .await;
        result.map_err(|e| {
            self.conn = None;
            redis_conn::command_error(&self.url, self.timeout, e)
        })
    }

    /// Deletes the keys of these markers, best effort (they expire by themselves otherwise).
    pub async fn delete_markers(&mut self, markers: &[Marker]) {
        if markers.is_empty() || (self.conn.is_none() && self.connect().await.is_err()) {
            return;
        }
        let Some(conn) = self.conn.as_mut() else {
            return;
        };
        let mut cmd = redis::cmd("DEL");
        for m in markers {
            cmd.arg(m.key.as_slice());
        }
        let deleted: Result<i64, redis::RedisError> = cmd.query_async(conn).await;
        if deleted.is_err() {
            self.conn = None;
        }
    }

    async fn run_push(&mut self, cmd: &redis::Cmd) -> Result<(Pushed, Vec<usize>), SyncError> {
        if self.conn.is_none() {
            self.connect().await?;
        }
        let Some(conn) = self.conn.as_mut() else {
            return Err(self.unreachable());
        };
        let result: Result<Vec<i64>, redis::RedisError> = cmd.query_async(conn).await;
        let landed = match result {
            Ok(reply) if reply.first() == Some(&1) => (
                Pushed::Sent,
                reply[1..]
                    .iter()
                    .filter_map(|&p| usize::try_from(p - 1).ok())
                    .collect(),
            ),
            Ok(_) => (Pushed::AlreadyThere, Vec::new()),
            Err(e) => {
                self.conn = None;
                return Err(redis_conn::command_error(&self.url, self.timeout, e));
            }
        };
        if self.replicas > 0 {
            // A failover promotes a replica: what it has not received is gone. The push
            // counts once one has it; otherwise it is retried with its marker (on this master
            // the marker answers; on a new one that lacks it, the push lands there).
            let ms = u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX);
            let acked: Result<i64, redis::RedisError> =
                redis::cmd("WAIT").arg(1).arg(ms).query_async(conn).await;
            match acked {
                Ok(n) if n >= 1 => {}
                Ok(_) => {
                    self.conn = None;
                    return Err(SyncError::Command {
                        url: self.url.clone(),
                        source: redis::RedisError::from((
                            redis::ErrorKind::Io,
                            "no replica acknowledged the push",
                            format!("within {ms} ms; a failover would lose it, so it is retried"),
                        )),
                    });
                }
                Err(e) => {
                    self.conn = None;
                    return Err(redis_conn::command_error(&self.url, self.timeout, e));
                }
            }
        }
        Ok(landed)
    }

    fn unreachable(&self) -> SyncError {
        SyncError::Timeout {
            url: self.url.clone(),
            timeout: self.timeout,
        }
    }
}

/// The `EVAL` of [`PUSH_ONCE`] for messages on these lists, up to the messages themselves
/// (appended by [`push_rest`], in the same order).
fn push_command<'a>(
    keys: impl ExactSizeIterator<Item = &'a [u8]>,
    guard: Guard,
    marker: &Marker,
) -> redis::Cmd {
    let mut cmd = redis::cmd("EVAL");
    let prefixed = |name: &str| format!("{}{name}", marker.prefix);
    cmd.arg(PUSH_ONCE)
        .arg(keys.len() + 3)
        .arg(marker.key.as_slice())
        .arg(prefixed(UNCLAIMED_KEY))
        .arg(prefixed(RECENT_KEY));
    for key in keys {
        cmd.arg(key);
    }
    // Slots sent without a claim are kept as long as a push's marker; a new leader's recent
    // sends only as long as an old leader could still be sending.
    let set_ttl = match (guard.record, guard.recent_secs) {
        (false, Some(secs)) => secs,
        _ => marker.ttl_secs,
    };
    cmd.arg(marker.ttl_secs).arg(guard.flags()).arg(set_ttl);
    cmd
}

/// The rest of a push's `EVAL` after [`push_command`]: the messages, then the task ids a
/// guarded push checks or records (each envelope is dropped once copied into the command).
fn push_rest<E: AsRef<str>>(
    cmd: &mut redis::Cmd,
    envelopes: impl Iterator<Item = E>,
    ids: &[Uuid],
    guard: Guard,
) {
    for envelope in envelopes {
        cmd.arg(envelope.as_ref());
    }
    if guard.any() {
        let mut buf = Uuid::encode_buffer();
        for id in ids {
            cmd.arg(&*id.hyphenated().encode_lower(&mut buf));
        }
    }
}
