//! A real Python Celery worker for the integration tests: proof that what stockura writes into
//! the broker is executed by an unmodified Celery 5.7 worker.
//!
//! - [`venv_python`] installs `celery[redis]==5.7.0` once into
//!   `<target dir>/celery-venv-5.7.0` (from `STOCKURA_TEST_PYTHON`, default `python3`; needs
//!   PyPI or a pip cache the first time).
//! - [`Worker::start`] runs `celery -A recorder worker -P solo` on `tests/celery/recorder.py`,
//!   whose tasks (`stockura_test.record`, `stockura_test.slow`, `stockura_test.fail`) push what
//!   they received as JSON onto a Redis list; [`recorded`] reads that list.
//! - [`isolation`] gives each test its own broker key prefix (Celery's `global_keyprefix`),
//!   queue and record list, so tests run in parallel on one Redis database. The broker is db 0
//!   of the test Redis and the result backend db 1 ([`broker_url`], [`backend_url`]).
//!
//! Dropping a [`Worker`] kills it and deletes the keys it made (its prefixed kombu keys, its
//! queues and the record list). The worker also exits by itself when the test process dies,
//! however it dies: it watches a pipe whose other end only this process holds.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use serde_json::{Value, json};
use tempfile::TempDir;

use crate::support::{redis_url, with_database};

/// The Celery release the tests run against.
pub const CELERY_VERSION: &str = "5.7.0";

/// Written into a venv once Celery is installed and importable.
const READY_MARKER: &str = ".stockura-ready";

/// Serializes installation within this test process (other processes: see [`venv_python`]),
/// and remembers a failed installation so that later tests fail at once with the same message.
static INSTALL: Mutex<Option<String>> = Mutex::new(None);

fn target_dir() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    match std::env::var_os("CARGO_TARGET_DIR").filter(|v| !v.is_empty()) {
        Some(dir) => manifest.join(dir), // an absolute CARGO_TARGET_DIR replaces the base
        None => manifest.join("target"),
    }
}

/// `tests/celery`, where `recorder.py` lives.
fn celery_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("celery")
}

/// The Python of a virtualenv with `celery[redis]==5.7.0`, installed on first use.
///
/// The venv is built in a uniquely named directory beside its final place and renamed into
/// place only once complete and importable, so neither parallel tests nor parallel test
/// processes ever see a half-installed one; a process that loses the race discards its copy.
/// A venv moved after creation keeps a working `bin/python` but its console scripts point at the
/// old path, which is why workers are started as `python -m celery`.
pub fn venv_python() -> PathBuf {
    let venv = target_dir().join(format!("celery-venv-{CELERY_VERSION}"));
    let python = venv.join("bin").join("python");
    let mut failed = INSTALL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(message) = failed.as_ref() {
        panic!("{message}");
    }
    if !(venv.join(READY_MARKER).exists() && python.exists())
        && let Err(e) = install_venv(&venv)
    {
        let message = format!(
            "cannot set up the Celery {CELERY_VERSION} virtualenv for the worker tests: {e}\n\
             (the first run needs network access to PyPI or a pip cache; set \
             STOCKURA_TEST_PYTHON to a python3 with the venv and ensurepip modules, or run \
             scripts/test.sh)"
        );
        *failed = Some(message.clone());
        panic!("{message}");
    }
    python
}

/// Runs `cmd` to completion; its exit status and the end of its output on failure.
fn run_quietly(cmd: &mut Command, what: &str) -> Result<(), String> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{what}: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    Err(format!(
        "{what} failed ({})\n{}{}",
        out.status,
        tail(&String::from_utf8_lossy(&out.stdout), 20),
        tail(&String::from_utf8_lossy(&out.stderr), 40)
    ))
}

fn install_venv(venv: &Path) -> Result<(), String> {
    let parent = venv.parent().expect("venv has a parent");
    std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    let stem = venv.file_name().expect("venv name").to_string_lossy();
    remove_stale_attempts(parent, &format!("{stem}.tmp-"));
    let tmp = parent.join(format!("{stem}.tmp-{}", uuid::Uuid::new_v4().simple()));
    let started = Instant::now();
    let built = build_venv(&tmp);
    if let Err(e) = built {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    // A directory at the final place without the marker is a broken leftover: replace it.
    if venv.exists() && !venv.join(READY_MARKER).exists() {
        let _ = std::fs::remove_dir_all(venv);
    }
    if std::fs::rename(&tmp, venv).is_ok() {
        eprintln!(
            "installed celery[redis]=={CELERY_VERSION} into {} in {:.1} s",
            venv.display(),
            started.elapsed().as_secs_f64()
        );
        return Ok(());
    }
    // Another test process finished first: use its venv.
    let _ = std::fs::remove_dir_all(&tmp);
    if venv.join(READY_MARKER).exists() {
        Ok(())
    } else {
        Err(format!(
            "cannot move the virtualenv into {}",
            venv.display()
        ))
    }
}

/// Creates a venv at `dir`, installs Celery into it, checks it imports, marks it ready.
fn build_venv(dir: &Path) -> Result<(), String> {
    let base = std::env::var("STOCKURA_TEST_PYTHON")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "python3".into());
    run_quietly(
        Command::new(&base).arg("-m").arg("venv").arg(dir),
        &format!("`{base} -m venv {}`", dir.display()),
    )?;
    let python = dir.join("bin").join("python");
    let requirement = format!("celery[redis]=={CELERY_VERSION}");
    run_quietly(
        Command::new(&python).args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-input",
            &requirement,
        ]),
        &format!("`pip install {requirement}`"),
    )?;
    run_quietly(
        Command::new(&python).args([
            "-c",
            &format!("import celery, redis; assert celery.__version__ == {CELERY_VERSION:?}"),
        ]),
        "importing the installed celery",
    )?;
    std::fs::write(dir.join(READY_MARKER), CELERY_VERSION)
        .map_err(|e| format!("cannot write the ready marker: {e}"))
}

/// Removes what interrupted installations left behind (older than an hour, so never a
/// concurrent one).
fn remove_stale_attempts(dir: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| SystemTime::now().duration_since(t).ok())
            .is_some_and(|age| age > Duration::from_secs(3600));
        if stale && entry.file_name().to_string_lossy().starts_with(prefix) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    let mut out = all[all.len().saturating_sub(lines)..].join("\n");
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// The broker URL for worker tests: db 0 of the test Redis.
pub fn broker_url() -> String {
    with_database(&redis_url(), "0")
}

/// The result backend URL for worker tests: db 1 of the test Redis.
pub fn backend_url() -> String {
    with_database(&redis_url(), "1")
}

/// A key prefix, a queue name and a record list that no other test uses.
pub fn isolation() -> (String, String, String) {
    let id = uuid::Uuid::new_v4().simple().to_string();
    (
        format!("stockura_test_{id}:"),
        format!("stockura_test_q_{id}"),
        format!("stockura_test_record_{id}"),
    )
}

/// The broker key of `queue` for a message of `priority`, as kombu's Redis transport names it
/// (default `priority_steps` and separator), with the global key prefix applied.
pub fn queue_key(prefix: &str, queue: &str, priority: u8) -> String {
    match priority {
        0..=2 => format!("{prefix}{queue}"),
        3..=5 => format!("{prefix}{queue}\x06\x163"),
        6..=8 => format!("{prefix}{queue}\x06\x166"),
        _ => format!("{prefix}{queue}\x06\x169"),
    }
}

/// How to run a [`Worker`].
#[derive(Clone, Debug)]
pub struct WorkerOptions {
    pub broker_url: String,
    pub result_backend: String,
    /// Celery's `broker_transport_options.global_keyprefix`; empty for none.
    pub key_prefix: String,
    /// The queues it consumes (`-Q`).
    pub queues: Vec<String>,
    /// The list, on the result backend's Redis, its tasks record into.
    pub record_key: String,
    /// Tasks run at once: 1 runs the solo pool, more the threads pool.
    pub concurrency: usize,
    /// Celery's `task_queue_max_priority` (queues declared with `x-max-priority` on AMQP).
    pub queue_max_priority: Option<u8>,
}

impl WorkerOptions {
    /// Options from [`isolation`]: the default broker and backend, one fresh queue.
    pub fn isolated() -> Self {
        let (key_prefix, queue, record_key) = isolation();
        Self {
            broker_url: broker_url(),
            result_backend: backend_url(),
            key_prefix,
            queues: vec![queue],
            record_key,
            concurrency: 1,
            queue_max_priority: None,
        }
    }
}

/// A running `celery worker`, killed (and its keys deleted) on drop.
pub struct Worker {
    child: Option<Child>,
    log_path: PathBuf,
    opts: WorkerOptions,
    _dir: TempDir,
}

impl Worker {
    /// Starts a worker and waits (at most 60 s, a hang guard) until it consumes.
    pub async fn start(opts: WorkerOptions) -> Worker {
        assert!(!opts.queues.is_empty(), "a worker needs at least one queue");
        let python = venv_python();
        let dir = TempDir::new().expect("temp dir");
        let log_path = dir.path().join("worker.log");
        let log = File::create(&log_path).expect("create worker log");
        let log_err = log.try_clone().expect("clone worker log");
        let node = format!(
            "stockura-test-{}@%h",
            &uuid::Uuid::new_v4().simple().to_string()[..12]
        );
        let mut cmd = Command::new(&python);
        let pool = if opts.concurrency > 1 {
            "threads"
        } else {
            "solo"
        };
        cmd.args(["-m", "celery", "-A", "recorder", "worker", "-P", pool])
            .arg("-c")
            .arg(opts.concurrency.max(1).to_string())
            .arg("-Q")
            .arg(opts.queues.join(","))
            .args([
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ])
            .arg("-n")
            .arg(&node)
            .args(["--loglevel", "INFO"])
            // Celery reads CELERY_* variables as command-line options: start from nothing.
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", dir.path())
            .env("LANG", "C.UTF-8")
            .env("PYTHONPATH", celery_dir())
            .env("PYTHONUNBUFFERED", "1")
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .env("PYTHONIOENCODING", "utf-8")
            .env("STOCKURA_TEST_BROKER_URL", &opts.broker_url)
            .env("STOCKURA_TEST_RESULT_BACKEND", &opts.result_backend)
            .env(
                "STOCKURA_TEST_QUEUE_MAX_PRIORITY",
                opts.queue_max_priority
                    .map(|p| p.to_string())
                    .unwrap_or_default(),
            )
            .env("STOCKURA_TEST_KEY_PREFIX", &opts.key_prefix)
            .env("STOCKURA_TEST_RECORD_KEY", &opts.record_key)
            .env("STOCKURA_TEST_WATCH_STDIN", "1")
            .current_dir(celery_dir())
            // The worker exits when this pipe closes, i.e. when this process is gone.
            .stdin(Stdio::piped())
            .stdout(log)
            .stderr(log_err);
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", python.display()));
        // Owned from here on: a panic below still kills it.
        let mut worker = Worker {
            child: Some(child),
            log_path,
            opts,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if worker.log().lines().any(|l| l.ends_with(" ready.")) {
                return worker;
            }
            let child = worker.child.as_mut().expect("child");
            if let Some(status) = child.try_wait().expect("wait for worker") {
                panic!(
                    "the Celery worker exited ({status}) before it was ready:\n{}",
                    worker.log()
                );
            }
            assert!(
                Instant::now() < deadline,
                "the Celery worker was not ready within 60 s:\n{}",
                worker.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Everything the worker printed so far.
    pub fn log(&self) -> String {
        String::from_utf8_lossy(&std::fs::read(&self.log_path).unwrap_or_default()).into_owned()
    }

    /// The options it runs with.
    pub fn options(&self) -> &WorkerOptions {
        &self.opts
    }

    /// Deletes the keys this worker's tests own: its prefixed queues and kombu bookkeeping (only
    /// with a key prefix, as those names are otherwise shared), and the record list.
    fn delete_keys(&self) {
        let timeout = Duration::from_secs(2);
        let o = &self.opts;
        if !o.key_prefix.is_empty()
            && let Ok(client) = redis::Client::open(o.broker_url.as_str())
            && let Ok(mut conn) = client.get_connection_with_timeout(timeout)
        {
            let p = &o.key_prefix;
            let mut keys = vec![
                format!("{p}_kombu.binding.celery.pidbox"),
                format!("{p}_kombu.binding_deadlines"),
                format!("{p}unacked"),
                format!("{p}unacked_index"),
                format!("{p}unacked_mutex"),
            ];
            for q in &o.queues {
                keys.push(format!("{p}_kombu.binding.{q}"));
                keys.push(format!("{p}_kombu.binding_permanent.{q}"));
                for priority in [0, 3, 6, 9] {
                    keys.push(queue_key(p, q, priority));
                }
            }
            let _ = redis::cmd("DEL").arg(&keys).query::<i64>(&mut conn);
        }
        if let Ok(client) = redis::Client::open(o.result_backend.as_str())
            && let Ok(mut conn) = client.get_connection_with_timeout(timeout)
        {
            let _ = redis::cmd("DEL").arg(&o.record_key).query::<i64>(&mut conn);
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        self.delete_keys();
    }
}

async fn connect(url: &str) -> redis::aio::MultiplexedConnection {
    redis::Client::open(url)
        .unwrap_or_else(|e| panic!("bad Redis URL {url}: {e}"))
        .get_multiplexed_async_connection()
        .await
        .unwrap_or_else(|e| panic!("test Redis unreachable at {url} (run scripts/test.sh): {e}"))
}

/// Waits until the list `key` holds `n` records or `timeout` passed (a hang guard), then returns
/// every record it holds, in the order they were made.
pub async fn recorded(redis_url: &str, key: &str, n: usize, timeout: Duration) -> Vec<Value> {
    let mut conn = connect(redis_url).await;
    let deadline = Instant::now() + timeout;
    loop {
        let raw: Vec<String> = redis::cmd("LRANGE")
            .arg(key)
            .arg(0)
            .arg(-1)
            .query_async(&mut conn)
            .await
            .expect("LRANGE record list");
        if raw.len() >= n || Instant::now() >= deadline {
            return raw
                .into_iter()
                .map(|r| serde_json::from_str(&r).unwrap_or(Value::String(r)))
                .collect();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The result a worker stored for `task_id` (`celery-task-meta-<id>`), if any.
pub async fn result_status(backend_url: &str, task_id: &str) -> Option<Value> {
    let mut conn = connect(backend_url).await;
    let raw: Option<String> = redis::cmd("GET")
        .arg(format!("celery-task-meta-{task_id}"))
        .query_async(&mut conn)
        .await
        .expect("GET task meta");
    raw.map(|r| {
        serde_json::from_str(&r).unwrap_or_else(|e| panic!("task meta is not JSON ({e}): {r}"))
    })
}

// ------------------------------------------------------------------------------------------
// The harness, proven with messages built by hand the way a scheduler writes them.

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A Celery protocol-2 envelope for the Redis broker, every header and property as Celery 5.7
/// itself writes them.
fn envelope(
    task: &str,
    id: &str,
    args: &Value,
    kwargs: &Value,
    queue: &str,
    priority: u8,
    expires: Option<&str>,
) -> Value {
    let body =
        json!([args, kwargs, {"callbacks": null, "errbacks": null, "chain": null, "chord": null}]);
    json!({
        "body": base64(body.to_string().as_bytes()),
        "content-encoding": "utf-8",
        "content-type": "application/json",
        "headers": {
            "lang": "py", "task": task, "id": id, "shadow": null,
            "eta": null, "expires": expires, "group": null, "group_index": null, "retries": 0,
            "timelimit": [null, null], "root_id": id, "parent_id": null,
            "argsrepr": args.to_string(), "kwargsrepr": kwargs.to_string(),
            "origin": "stockura@test", "ignore_result": false,
            "replaced_task_nesting": 0, "stamped_headers": null, "stamps": {},
        },
        "properties": {
            "correlation_id": id, "reply_to": "", "delivery_mode": 2,
            "delivery_info": {"exchange": "", "routing_key": queue},
            "priority": priority, "body_encoding": "base64",
            "delivery_tag": uuid::Uuid::new_v4().to_string(),
        },
    })
}

/// LPUSHes one message for `task` onto the worker's (first) queue; returns the task id.
async fn send(
    worker: &Worker,
    task: &str,
    args: &Value,
    kwargs: &Value,
    priority: u8,
    expires: Option<&str>,
) -> String {
    let o = worker.options();
    let queue = &o.queues[0];
    let id = uuid::Uuid::new_v4().to_string();
    let message = envelope(task, &id, args, kwargs, queue, priority, expires);
    let mut conn = connect(&o.broker_url).await;
    let _: i64 = redis::cmd("LPUSH")
        .arg(queue_key(&o.key_prefix, queue, priority))
        .arg(message.to_string())
        .query_async(&mut conn)
        .await
        .expect("LPUSH message");
    id
}

/// Waits (at most 30 s) until the result of `id` has `status`; returns it.
async fn wait_status(worker: &Worker, id: &str, status: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let meta = result_status(&worker.options().result_backend, id).await;
        if let Some(meta) = meta.as_ref().filter(|m| m["status"] == status) {
            return meta.clone();
        }
        assert!(
            Instant::now() < deadline,
            "task {id} did not end {status} within 30 s (last: {meta:?}); worker log:\n{}",
            worker.log()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn records(worker: &Worker, n: usize) -> Vec<Value> {
    let o = worker.options();
    recorded(&o.result_backend, &o.record_key, n, Duration::from_secs(30)).await
}

const WAIT: &str = "hang guard: 30 s";

#[tokio::test]
async fn worker_runs_a_handbuilt_message_once_with_exact_arguments() {
    let worker = Worker::start(WorkerOptions::isolated()).await;
    let args: Value = serde_json::from_str(
        r#"[1, -7, 123456789012345678901234567890, "日本", "🎉 ü \"q\" \\", 2.5,
            {"nested": [true, null, {"deep": "日本", "n": -123456789012345678901234567890}]}, []]"#,
    )
    .unwrap();
    let kwargs: Value = serde_json::from_str(
        r#"{"k": "日本", "big": 123456789012345678901234567890, "list": [1, [2, [3]]], "empty": {}}"#,
    )
    .unwrap();
    let id = send(&worker, "stockura_test.record", &args, &kwargs, 0, None).await;
    // A second message behind it: once that ran, the first could not run again unnoticed.
    let sentinel = send(
        &worker,
        "stockura_test.record",
        &json!(["sentinel"]),
        &json!({}),
        0,
        None,
    )
    .await;

    let got = records(&worker, 2).await;
    assert_eq!(
        got.len(),
        2,
        "{WAIT}; records {got:?}; worker log:\n{}",
        worker.log()
    );
    let first = &got[0];
    assert_eq!(first["id"], id.as_str());
    assert_eq!(first["task"], "stockura_test.record");
    assert_eq!(first["args"], args, "args changed on the way");
    assert_eq!(first["kwargs"], kwargs, "kwargs changed on the way");
    // Exactly as sent, digit for digit (arbitrary_precision keeps them as text).
    assert_eq!(
        first["args"][2].to_string(),
        "123456789012345678901234567890"
    );
    assert_eq!(first["routing_key"], worker.options().queues[0].as_str());
    assert_eq!(first["priority"], 0);
    assert!(
        first["hostname"]
            .as_str()
            .unwrap()
            .starts_with("stockura-test-")
    );
    assert_eq!(got[1]["id"], sentinel.as_str());

    let meta = wait_status(&worker, &id, "SUCCESS").await;
    assert_eq!(meta["result"], "ok");
    assert_eq!(meta["task_id"], id.as_str());
    let log = worker.log();
    let ran = format!("Task stockura_test.record[{id}] succeeded");
    assert_eq!(log.matches(&ran).count(), 1, "{log}");
}

#[tokio::test]
async fn a_failing_task_ends_as_failure_in_the_result_backend() {
    let worker = Worker::start(WorkerOptions::isolated()).await;
    let id = send(
        &worker,
        "stockura_test.fail",
        &json!([1]),
        &json!({"x": "日本"}),
        0,
        None,
    )
    .await;

    let got = records(&worker, 1).await;
    assert_eq!(got.len(), 1, "{WAIT}; worker log:\n{}", worker.log());
    assert_eq!(got[0]["id"], id.as_str());
    assert_eq!(got[0]["kwargs"], json!({"x": "日本"}));

    let meta = wait_status(&worker, &id, "FAILURE").await;
    assert_eq!(meta["result"]["exc_type"], "ValueError", "{meta}");
    assert_eq!(meta["result"]["exc_message"], json!(["boom"]), "{meta}");
    assert_eq!(meta["result"]["exc_module"], "builtins", "{meta}");
    assert!(
        meta["traceback"]
            .as_str()
            .unwrap()
            .contains("ValueError: boom"),
        "{meta}"
    );
}

#[tokio::test]
async fn an_expired_message_is_not_executed_and_ends_revoked() {
    let worker = Worker::start(WorkerOptions::isolated()).await;
    let expired = send(
        &worker,
        "stockura_test.record",
        &json!(["expired"]),
        &json!({}),
        0,
        Some("2000-01-01T00:00:00+00:00"),
    )
    .await;
    let sentinel = send(
        &worker,
        "stockura_test.record",
        &json!(["sentinel"]),
        &json!({}),
        0,
        None,
    )
    .await;

    // The worker handles its queue in order: once the sentinel ran, the expired one was seen.
    let got = records(&worker, 1).await;
    assert_eq!(
        got.len(),
        1,
        "{WAIT}; records {got:?}; worker log:\n{}",
        worker.log()
    );
    assert_eq!(
        got[0]["id"],
        sentinel.as_str(),
        "the expired task ran: {got:?}"
    );

    let meta = wait_status(&worker, &expired, "REVOKED").await;
    assert_eq!(
        meta["result"],
        json!({"exc_type": "TaskRevokedError", "exc_message": ["expired"], "exc_module": "celery.exceptions"}),
    );
    let log = worker.log();
    assert!(
        log.contains(&format!(
            "Discarding revoked task: stockura_test.record[{expired}]"
        )),
        "{log}"
    );
    assert!(
        !log.contains(&format!("stockura_test.record[{expired}] succeeded")),
        "{log}"
    );
}

#[tokio::test]
async fn a_priority_9_message_is_consumed_from_the_queues_priority_key() {
    let worker = Worker::start(WorkerOptions::isolated()).await;
    let o = worker.options().clone();
    let queue = &o.queues[0];
    let key = queue_key(&o.key_prefix, queue, 9);
    assert!(key.ends_with(&format!("{queue}\x06\x169")));
    let id = send(
        &worker,
        "stockura_test.record",
        &json!([9]),
        &json!({}),
        9,
        None,
    )
    .await;

    let got = records(&worker, 1).await;
    assert_eq!(got.len(), 1, "{WAIT}; worker log:\n{}", worker.log());
    assert_eq!(got[0]["id"], id.as_str());
    assert_eq!(got[0]["priority"], 9);
    assert_eq!(got[0]["routing_key"], queue.as_str());
    let mut conn = connect(&o.broker_url).await;
    let left: i64 = redis::cmd("LLEN")
        .arg(&key)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(left, 0);
    wait_status(&worker, &id, "SUCCESS").await;
}
