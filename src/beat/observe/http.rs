//! The HTTP endpoint of `run-beat --http`: `/metrics`, `/healthz`, `/readyz`, the status page
//! `/` and each schedule's history page. Read-only (GET and HEAD), one small HTTP/1.1 server
//! on its own thread with its own runtime: a scrape of 100,000 schedules, or a database slow
//! to answer the page, never holds the scheduler's loop back, and `/healthz` still answers when
//! the loop is stuck.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use chrono::Utc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use uuid::Uuid;

use super::page::{self, InstanceView, PageView, RunView, ScheduleView};
use super::{Observer, metrics};
use crate::beat::heartbeat::Registry;
use crate::config::{DatabaseTarget, Redacted};
use crate::domain::run::RunFilter;
use crate::domain::run::RunStatus;
use crate::domain::schedule::Job;
use crate::store::{AnyStore, OpenMode, RunStore};
use crate::sync::results::{self, TaskResult};

/// The largest request head read.
const MAX_REQUEST: usize = 8 * 1024;
/// Connections served at once; more wait.
const MAX_CONNECTIONS: usize = 64;
/// How long one connection may last in all (a client that stops reading included).
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a client may take to send its request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// How often the broker is checked.
const BROKER_CHECK_EVERY: Duration = Duration::from_secs(5);
/// How often the results of sent messages are read.
const RESULTS_EVERY: Duration = Duration::from_secs(10);
/// Results are read for messages sent at most this long ago.
const RESULTS_FOR: chrono::Duration = chrono::Duration::days(1);
/// Schedules per page of the status page.
pub const PAGE_ROWS: usize = 50;

/// What the endpoint reads besides the observer.
#[derive(Debug, Clone)]
pub struct Sources {
    /// The database (the page opens its own connection to it).
    pub database: DatabaseTarget,
    /// The broker to check, when one is used.
    pub broker: Option<Redacted>,
    /// A Redis result backend.
    pub results: Option<Redacted>,
    /// Where heartbeats are: Redis and its namespace, or the database.
    pub heartbeats: Option<(Redacted, String)>,
    /// Redis and database calls wait this long.
    pub timeout: Duration,
}

/// Binds `addr` now (so a taken port fails the command at once), then serves on a thread of its
/// own until `stop` turns true. Returns the bound address.
pub fn start(
    addr: &str,
    observer: Arc<Observer>,
    sources: Sources,
    stop: watch::Receiver<bool>,
) -> std::io::Result<SocketAddr> {
    let listener = std::net::TcpListener::bind(addr)?;
    listener.set_nonblocking(true)?;
    let bound = listener.local_addr()?;
    std::thread::Builder::new()
        .name("stockura-http".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    tracing::error!(error = %e, "the HTTP endpoint cannot start its runtime");
                    return;
                }
            };
            runtime.block_on(serve(listener, observer, sources, stop));
        })?;
    Ok(bound)
}

async fn serve(
    listener: std::net::TcpListener,
    observer: Arc<Observer>,
    sources: Sources,
    mut stop: watch::Receiver<bool>,
) {
    let listener = match TcpListener::from_std(listener) {
        Ok(l) => l,
        Err(e) => {
            tracing::error!(error = %e, "the HTTP endpoint cannot listen");
            return;
        }
    };
    let shared = Arc::new(Shared {
        observer: observer.clone(),
        store: tokio::sync::OnceCell::new(),
        sources: sources.clone(),
        index: std::sync::Mutex::new(None),
        metrics: std::sync::Mutex::new(metrics::Cache::default()),
        scraped: std::sync::Mutex::new(None),
        scraped_gzip: std::sync::atomic::AtomicBool::new(false),
        recent: std::sync::Mutex::new(None),
        refreshing: std::sync::atomic::AtomicBool::new(false),
    });
    // The checks run as long as the endpoint: until the process exits.
    if let Some(url) = sources.broker.clone() {
        drop(tokio::spawn(check_broker(
            observer.clone(),
            url,
            sources.timeout,
        )));
    }
    if let Some(url) = sources.results.clone() {
        drop(tokio::spawn(read_results(
            observer.clone(),
            url,
            sources.timeout,
        )));
    }
    if observer.per_schedule {
        drop(tokio::spawn(prerender(shared.clone())));
    }
    let permits = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut watching = true;
    loop {
        tokio::select! {
            changed = stop.changed(), if watching => {
                // A dropped sender means the command is ending: stopping too.
                if changed.is_err() || *stop.borrow() {
                    observer.stopping.store(true, Ordering::Relaxed);
                    watching = changed.is_ok();
                }
            }
            accepted = listener.accept() => {
                let Ok((socket, _)) = accepted else { continue };
                let (permits, shared) = (permits.clone(), shared.clone());
                // The permit is awaited in the task and every connection has a deadline: slow
                // clients never keep the accept loop (and `/healthz`) waiting.
                tokio::spawn(async move {
                    let Ok(_permit) = permits.acquire_owned().await else { return };
                    let _ = tokio::time::timeout(CONNECTION_TIMEOUT, connection(socket, &shared)).await;
                });
            }
        }
    }
}

struct Shared {
    observer: Arc<Observer>,
    store: tokio::sync::OnceCell<AnyStore>,
    sources: Sources,
    index: std::sync::Mutex<Option<Arc<PageIndex>>>,
    metrics: std::sync::Mutex<metrics::Cache>,
    /// When `/metrics` was last asked for.
    scraped: std::sync::Mutex<Option<Instant>>,
    /// Whether that scrape took gzip (then the series are compressed ahead too).
    scraped_gzip: std::sync::atomic::AtomicBool,
    recent: std::sync::Mutex<Option<Recent>>,
    refreshing: std::sync::atomic::AtomicBool,
}

impl Shared {
    /// The page's own connection to the database, opened at the first page.
    async fn store(&self) -> Result<&AnyStore, String> {
        self.store
            .get_or_try_init(|| async {
                tokio::time::timeout(
                    self.sources.timeout.max(Duration::from_secs(2)),
                    AnyStore::open(&self.sources.database, OpenMode::ConnectOnly),
                )
                .await
                .map_err(|_| "the database did not answer in time".to_string())?
                .map_err(|e| e.to_string())
            })
            .await
    }
}

/// A response.
struct Reply {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
    /// More of the body, shared with a cache (the per-schedule series of `/metrics`).
    tail: Option<Tail>,
    extra: &'static str,
}

/// The cached part of a body.
enum Tail {
    Text(Arc<String>),
    Bytes(Arc<Vec<u8>>),
}

impl Tail {
    fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Text(t) => t.as_bytes(),
            Self::Bytes(b) => b,
        }
    }
}

impl Reply {
    fn new(status: u16, content_type: &'static str, body: String) -> Self {
        Self {
            status,
            content_type,
            body: body.into_bytes(),
            tail: None,
            extra: "",
        }
    }

    fn json(status: u16, value: &serde_json::Value) -> Self {
        Self::new(status, "application/json", format!("{value}\n"))
    }

    fn html(body: String) -> Self {
        Self {
            extra: "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\nX-Frame-Options: DENY\r\n",
            ..Self::new(200, "text/html; charset=utf-8", body)
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "Error",
    }
}

async fn connection(mut socket: TcpStream, shared: &Arc<Shared>) -> std::io::Result<()> {
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 1024];
    let read = tokio::time::timeout(REQUEST_TIMEOUT, async {
        loop {
            let n = socket.read(&mut buf).await?;
            if n == 0 {
                return Ok::<bool, std::io::Error>(false);
            }
            head.extend_from_slice(&buf[..n]);
            if head.windows(4).any(|w| w == b"\r\n\r\n") || head.windows(2).any(|w| w == b"\n\n") {
                return Ok(true);
            }
            if head.len() > MAX_REQUEST {
                return Ok(true);
            }
        }
    })
    .await;
    let complete = match read {
        Ok(Ok(c)) => c,
        _ => return Ok(()),
    };
    if !complete && head.is_empty() {
        return Ok(());
    }
    let line = head
        .split(|b| *b == b'\n')
        .next()
        .map(|l| String::from_utf8_lossy(l).trim().to_string())
        .unwrap_or_default();
    let mut parts = line.split(' ');
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let head_only = method == "HEAD";
    let gzip = accepts_gzip(&head);
    let reply = if head.len() > MAX_REQUEST {
        Reply::new(
            431,
            "text/plain; charset=utf-8",
            "request too large\n".into(),
        )
    } else if method != "GET" && !head_only {
        Reply {
            extra: "Allow: GET, HEAD\r\n",
            ..Reply::new(
                405,
                "text/plain; charset=utf-8",
                "read-only: only GET and HEAD\n".into(),
            )
        }
    } else {
        route(target, shared, gzip).await
    };
    let head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n{}Connection: close\r\n\r\n",
        reply.status,
        reason(reply.status),
        reply.content_type,
        reply.body.len() + reply.tail.as_ref().map_or(0, |t| t.as_bytes().len()),
        reply.extra
    );
    socket.write_all(head.as_bytes()).await?;
    // The body as it is (tens of megabytes for /metrics at 100,000 schedules): not copied
    // behind the head first.
    if !head_only {
        socket.write_all(&reply.body).await?;
        if let Some(tail) = &reply.tail {
            socket.write_all(tail.as_bytes()).await?;
        }
    }
    socket.shutdown().await
}

/// Splits a request target into its path and decoded query parameters.
pub fn parse_target(target: &str) -> (String, HashMap<String, String>) {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let params = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect();
    (decode(path), params)
}

/// Percent-decoding (`+` as a space, as forms send it); invalid escapes stay as they are.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether the request's `Accept-Encoding` takes gzip (Prometheus' always does).
fn accepts_gzip(head: &[u8]) -> bool {
    String::from_utf8_lossy(head).lines().any(|line| {
        let Some((name, value)) = line.split_once(':') else {
            return false;
        };
        name.trim().eq_ignore_ascii_case("accept-encoding")
            && value.split(',').any(|coding| {
                let mut parts = coding.split(';');
                let name = parts.next().unwrap_or_default().trim();
                let refused = parts.any(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.trim().parse::<f64>().ok())
                        .is_some_and(|q| q == 0.0)
                });
                name.eq_ignore_ascii_case("gzip") && !refused
            })
    })
}

async fn route(target: &str, shared: &Arc<Shared>, gzip: bool) -> Reply {
    let (path, params) = parse_target(target);
    let o = &shared.observer;
    match path.as_str() {
        "/metrics" => {
            *shared.scraped.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
            shared.scraped_gzip.store(gzip, Ordering::Relaxed);
            let mut cache = shared.metrics.lock().unwrap_or_else(|p| p.into_inner());
            let (head, series) = metrics::render_cached(o, &mut cache);
            if gzip {
                // Two gzip members: the families written now, then the cached series.
                Reply {
                    body: metrics::gzip(head.as_bytes()),
                    tail: Some(Tail::Bytes(cache.series_gzip())),
                    extra: "Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n",
                    ..Reply::new(200, metrics::CONTENT_TYPE, String::new())
                }
            } else {
                Reply {
                    tail: Some(Tail::Text(series)),
                    extra: "Vary: Accept-Encoding\r\n",
                    ..Reply::new(200, metrics::CONTENT_TYPE, head)
                }
            }
        }
        "/healthz" => match o.health(Utc::now()) {
            Ok(()) => Reply::json(200, &serde_json::json!({"healthy": true, "role": o.role()})),
            Err(why) => Reply::json(
                503,
                &serde_json::json!({"healthy": false, "role": o.role(), "problem": why}),
            ),
        },
        "/readyz" => {
            let missing = o.readiness();
            let status = if missing.is_empty() { 200 } else { 503 };
            Reply::json(
                status,
                &serde_json::json!({"ready": missing.is_empty(), "role": o.role(), "missing": missing}),
            )
        }
        "/" => Reply::html(status_page(shared, &params).await),
        _ => match path.strip_prefix("/schedules/").map(Uuid::parse_str) {
            Some(Ok(id)) => match schedule_page(shared, id).await {
                Some(html) => Reply::html(html),
                None => Reply::new(
                    404,
                    "text/plain; charset=utf-8",
                    "no such schedule\n".into(),
                ),
            },
            _ => Reply::new(
                404,
                "text/plain; charset=utf-8",
                "not found: try /, /metrics, /healthz or /readyz\n".into(),
            ),
        },
    }
}

/// Reads results, leaving them out when the backend does not answer.
async fn results_for(shared: &Shared, ids: Vec<Uuid>) -> HashMap<Uuid, TaskResult> {
    let Some(url) = &shared.sources.results else {
        return HashMap::new();
    };
    results::fetch_many(url, &ids, shared.sources.timeout)
        .await
        .unwrap_or_default()
}

/// The planned schedules sorted by name (then id), with their texts for the search: rebuilt
/// when the plan changed, so that a page view neither sorts nor lower-cases 100,000 names.
struct PageIndex {
    generation: u64,
    jobs: Vec<Arc<Job>>,
    /// `name\ntask`, lower-cased, aligned with `jobs`.
    search: Vec<String>,
}

fn page_index(shared: &Shared) -> Arc<PageIndex> {
    let o = &shared.observer;
    let generation = o.plan_generation.load(Ordering::Relaxed);
    let mut cached = shared.index.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(index) = cached.as_ref().filter(|i| i.generation == generation) {
        return index.clone();
    }
    // Only the `Arc`s are taken under the loop's lock; the sort happens after it.
    let mut jobs: Vec<Arc<Job>> = o.table().rows.values().map(|r| r.job.clone()).collect();
    jobs.sort_unstable_by(|a, b| (&a.name, a.id).cmp(&(&b.name, b.id)));
    let search = jobs
        .iter()
        .map(|j| format!("{}\n{}", j.name, j.task_name).to_lowercase())
        .collect();
    let index = Arc::new(PageIndex {
        generation,
        jobs,
        search,
    });
    *cached = Some(index.clone());
    index
}

/// The latest failed and missed runs of the history, for the status page.
#[derive(Clone)]
struct Recent {
    at: Instant,
    runs: Vec<RunView>,
    error: Option<String>,
}

/// How long the page shows the history's latest failures before asking the database again:
/// the query grows with the history, and a page reloaded every second must not repeat it.
const RECENT_FOR: Duration = Duration::from_secs(30);

async fn read_recent(shared: &Shared) -> Recent {
    let (runs, error) = match shared.store().await {
        Ok(store) => {
            let mut runs = Vec::new();
            let mut error = None;
            for status in [RunStatus::Failed, RunStatus::Missed] {
                let filter = RunFilter {
                    status: Some(status),
                    limit: 10,
                    ..RunFilter::default()
                };
                match tokio::time::timeout(shared.sources.timeout, store.list_runs(&filter)).await {
                    Ok(Ok(r)) => runs.extend(r),
                    Ok(Err(e)) => error = Some(e.to_string()),
                    Err(_) => error = Some("the database did not answer in time".into()),
                }
            }
            runs.sort_by_key(|r| std::cmp::Reverse(r.run.scheduled_for));
            runs.truncate(20);
            (runs.into_iter().map(run_view).collect(), error)
        }
        Err(e) => (Vec::new(), Some(e)),
    };
    Recent {
        at: Instant::now(),
        runs,
        error,
    }
}

/// The history's latest failures: read at the first view, then refreshed in the background
/// when older than [`RECENT_FOR`] (the view shows the previous answer meanwhile).
async fn recent(shared: &Arc<Shared>) -> Recent {
    let cached = shared
        .recent
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    match cached {
        Some(r) => {
            if r.at.elapsed() > RECENT_FOR && !shared.refreshing.swap(true, Ordering::AcqRel) {
                let shared = shared.clone();
                tokio::spawn(async move {
                    let fresh = read_recent(&shared).await;
                    *shared.recent.lock().unwrap_or_else(|p| p.into_inner()) = Some(fresh);
                    shared.refreshing.store(false, Ordering::Release);
                });
            }
            r
        }
        None => {
            let fresh = read_recent(shared).await;
            *shared.recent.lock().unwrap_or_else(|p| p.into_inner()) = Some(fresh.clone());
            fresh
        }
    }
}

async fn status_page(shared: &Arc<Shared>, params: &HashMap<String, String>) -> String {
    let o = &shared.observer;
    let now = Utc::now();
    let search = params
        .get("q")
        .map(|q| q.trim().to_string())
        .unwrap_or_default();
    let page_no: usize = params
        .get("page")
        .and_then(|p| p.parse().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1)
        .min(usize::MAX / PAGE_ROWS);
    let index = page_index(shared);
    let needle = search.to_lowercase();
    let matching: Vec<&Arc<Job>> = if needle.is_empty() {
        index.jobs.iter().collect()
    } else {
        index
            .jobs
            .iter()
            .zip(&index.search)
            .filter(|(_, text)| text.contains(&needle))
            .map(|(job, _)| job)
            .collect()
    };
    let start = (page_no - 1) * PAGE_ROWS;
    let shown = matching.get(start..).unwrap_or_default();
    let shown = &shown[..shown.len().min(PAGE_ROWS)];
    let (total, rows, notable) = {
        let table = o.table();
        let rows: Vec<super::Row> = shown
            .iter()
            .filter_map(|job| table.rows.get(&job.id).cloned())
            .collect();
        let notable: Vec<super::Notable> = table.notable.iter().rev().cloned().collect();
        (table.rows.len(), rows, notable)
    };
    let ids: Vec<Uuid> = rows.iter().filter_map(|r| r.last_task_id).collect();
    let found = results_for(shared, ids).await;
    let schedules = rows
        .iter()
        .map(|r| ScheduleView {
            id: r.job.id,
            name: r.job.name.clone(),
            task: r.job.task_name.clone(),
            cron: r.cron.source().to_string(),
            next: r.cron.next_after(now, r.tz).map(|t| t.with_timezone(&Utc)),
            last_dispatch: r.last_dispatch,
            last_status: r.last_status.map(|(s, _)| s.as_str()),
            last_result: r
                .last_task_id
                .and_then(|id| found.get(&id))
                .map(|t| t.status.clone()),
        })
        .collect();
    let (instances, instances_error) = instances(shared).await;
    let Recent {
        runs: recent,
        error: recent_error,
        ..
    } = recent(shared).await;
    page::status(&PageView {
        now,
        version: o.version,
        role: o.role(),
        instance_id: o.instance_id,
        started_at: o.started_at,
        health: o.health(now).err(),
        missing: o.readiness(),
        instances,
        instances_error,
        total,
        matching: matching.len(),
        search,
        page: page_no,
        page_rows: PAGE_ROWS,
        schedules,
        recent,
        recent_error,
        notable,
    })
}

fn run_view(r: crate::domain::run::Run) -> RunView {
    RunView {
        schedule_id: r.run.schedule_id,
        schedule: r.run.schedule_name,
        task: r.run.task_name,
        slot: r.run.scheduled_for,
        dispatched_at: r.run.dispatched_at,
        trigger: r.run.trigger.as_str(),
        status: r.run.status.as_str(),
        detail: r.run.detail.unwrap_or_default(),
        task_id: r.run.celery_task_id,
        result: None,
    }
}

async fn instances(shared: &Shared) -> (Vec<InstanceView>, Option<String>) {
    let registry = match &shared.sources.heartbeats {
        Some((url, namespace)) => Registry::Redis {
            url: url.clone(),
            namespace: namespace.clone(),
        },
        None => match shared.store().await {
            Ok(store) => Registry::Database(store.clone()),
            Err(e) => return (Vec::new(), Some(e)),
        },
    };
    let read = tokio::time::timeout(
        shared.sources.timeout.max(Duration::from_secs(1)),
        registry.read(shared.sources.timeout),
    )
    .await;
    match read {
        Ok(Ok((list, owner))) => {
            let group = crate::domain::instance::group(list, owner, Utc::now());
            let me = shared.observer.instance_id;
            (
                group
                    .instances
                    .into_iter()
                    .map(|i| InstanceView {
                        this: Some(i.instance_id) == me,
                        leader: Some(i.instance_id) == group.leader,
                        id: i.instance_id,
                        host: i.host,
                        pid: i.pid,
                        version: i.version,
                        schedules: i.schedules,
                        lag_ms: i.lag_ms,
                        change_version: i.change_version,
                        heartbeat_at: i.heartbeat_at,
                    })
                    .collect(),
                None,
            )
        }
        Ok(Err(e)) => (Vec::new(), Some(e.to_string())),
        Err(_) => (
            Vec::new(),
            Some("the heartbeats did not answer in time".into()),
        ),
    }
}

async fn schedule_page(shared: &Shared, id: Uuid) -> Option<String> {
    let row = shared.observer.table().rows.get(&id).cloned();
    let store = shared.store().await;
    let (runs, error) = match store {
        Ok(store) => {
            let filter = RunFilter {
                schedule_id: Some(id),
                limit: 50,
                ..RunFilter::default()
            };
            match tokio::time::timeout(shared.sources.timeout, store.list_runs(&filter)).await {
                Ok(Ok(r)) => (r, None),
                Ok(Err(e)) => (Vec::new(), Some(e.to_string())),
                Err(_) => (
                    Vec::new(),
                    Some("the database did not answer in time".into()),
                ),
            }
        }
        Err(e) => (Vec::new(), Some(e)),
    };
    if row.is_none() && runs.is_empty() && error.is_none() {
        return None;
    }
    let ids: Vec<Uuid> = runs.iter().filter_map(|r| r.run.celery_task_id).collect();
    let found = results_for(shared, ids).await;
    let name = row
        .as_ref()
        .map(|r| r.job.name.clone())
        .or_else(|| runs.first().map(|r| r.run.schedule_name.clone()))
        .unwrap_or_else(|| id.to_string());
    let views: Vec<RunView> = runs
        .into_iter()
        .map(|r| {
            let result = r
                .run
                .celery_task_id
                .and_then(|t| found.get(&t))
                .map(|t| t.status.clone());
            RunView {
                result,
                ..run_view(r)
            }
        })
        .collect();
    Some(page::schedule(
        &name,
        id,
        row.as_ref()
            .map(|r| (r.job.task_name.as_str(), r.cron.source())),
        &views,
        error.as_deref(),
        Utc::now(),
    ))
}

/// How often the per-schedule series are checked for a change to write ahead of the next scrape.
const PRERENDER_EVERY: Duration = Duration::from_secs(1);
/// They are written ahead only while `/metrics` was scraped this recently.
const PRERENDER_WHILE_SCRAPED: Duration = Duration::from_secs(600);

/// While `/metrics` is scraped, writes the per-schedule series again within a second of a
/// change (a batch, a reload, a result) rather than at the next scrape: at 100,000 schedules
/// writing them takes about a tenth of a second, and a scrape then only sends them.
async fn prerender(shared: Arc<Shared>) {
    loop {
        tokio::time::sleep(PRERENDER_EVERY).await;
        let scraped = *shared.scraped.lock().unwrap_or_else(|p| p.into_inner());
        if scraped.is_some_and(|at| at.elapsed() < PRERENDER_WHILE_SCRAPED) {
            let mut cache = shared.metrics.lock().unwrap_or_else(|p| p.into_inner());
            metrics::refresh_series(&shared.observer, &mut cache);
            if shared.scraped_gzip.load(Ordering::Relaxed) {
                cache.series_gzip();
            }
        }
    }
}

/// Checks the broker every few seconds on its own connection: a PING on Redis; on RabbitMQ
/// that the connection is open (re-opened when it is not).
async fn check_broker(observer: Arc<Observer>, url: Redacted, timeout: Duration) {
    if crate::beat::broker::Transport::of(&url) == Some(crate::beat::broker::Transport::Amqp) {
        let mut broker = crate::beat::broker::AmqpBroker::new(url, timeout, Default::default());
        loop {
            match broker.check().await {
                Ok(()) => observer.broker_checked(None),
                Err(e) => observer.broker_checked(Some(e.to_string())),
            }
            tokio::time::sleep(BROKER_CHECK_EVERY).await;
        }
    }
    let mut conn = None;
    loop {
        let result = async {
            if conn.is_none() {
                conn = Some(crate::sync::redis_conn::connect(&url, timeout).await?);
            }
            let Some(c) = conn.as_mut() else {
                unreachable!("connected above")
            };
            let pong: redis::RedisResult<String> =
                tokio::time::timeout(timeout, redis::cmd("PING").query_async(c))
                    .await
                    .unwrap_or_else(|_| {
                        Err(redis::RedisError::from(std::io::Error::new(
                            std::io::ErrorKind::TimedOut,
                            "no answer in time",
                        )))
                    });
            pong.map_err(|e| crate::sync::redis_conn::command_error(&url, timeout, e))
        }
        .await;
        match result {
            Ok(_) => observer.broker_checked(None),
            Err(e) => {
                conn = None;
                let cause = std::error::Error::source(&e)
                    .map(|c| format!(": {c}"))
                    .unwrap_or_default();
                observer.broker_checked(Some(format!("{e}{cause}")));
            }
        }
        tokio::time::sleep(BROKER_CHECK_EVERY).await;
    }
}

/// Reads the results of the messages sent whose outcome is not known yet, for
/// `stockura_schedule_last_success_timestamp_seconds`.
async fn read_results(observer: Arc<Observer>, url: Redacted, timeout: Duration) {
    loop {
        tokio::time::sleep(RESULTS_EVERY).await;
        let since = Utc::now() - RESULTS_FOR;
        let pending: Vec<(Uuid, Uuid)> = observer
            .table()
            .rows
            .iter()
            .filter(|(_, r)| !r.result_known && r.last_dispatch.is_some_and(|t| t >= since))
            .filter_map(|(id, r)| Some((*id, r.last_task_id?)))
            .collect();
        for chunk in pending.chunks(results::FETCH_CHUNK) {
            let ids: Vec<Uuid> = chunk.iter().map(|(_, t)| *t).collect();
            let Ok(found) = results::fetch(&url, &ids, timeout).await else {
                break;
            };
            // The lock is taken per chunk, after its MGET answered.
            let mut table = observer.table();
            for ((schedule, task_id), result) in chunk.iter().zip(found) {
                let Some(row) = table.rows.get_mut(schedule) else {
                    continue;
                };
                if row.last_task_id != Some(*task_id) || !result.is_final() {
                    continue;
                }
                row.result_known = true;
                if result.status == "SUCCESS" {
                    row.last_success = Some(result.date_done.unwrap_or_else(Utc::now));
                    observer.series_generation.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_is_taken_unless_refused() {
        let req = |h: &str| format!("GET /metrics HTTP/1.1\r\n{h}\r\n\r\n").into_bytes();
        assert!(accepts_gzip(&req("Accept-Encoding: gzip")));
        assert!(accepts_gzip(&req("accept-encoding: deflate, GZIP;q=0.5")));
        assert!(!accepts_gzip(&req("Accept-Encoding: gzip;q=0")));
        assert!(!accepts_gzip(&req("Accept-Encoding: br")));
        assert!(!accepts_gzip(&req("Accept: text/plain")));
    }

    #[test]
    fn targets() {
        let (path, params) = parse_target("/?q=report+daily%2Fx&page=2&bad=%zz");
        assert_eq!(path, "/");
        assert_eq!(params["q"], "report daily/x");
        assert_eq!(params["page"], "2");
        assert_eq!(params["bad"], "%zz");
        assert_eq!(parse_target("/metrics").0, "/metrics");
        assert_eq!(decode("%"), "%");
        assert_eq!(decode("a%4"), "a%4");
    }
}
