//! `run-beat --http`: the metrics count what reached the broker, the probes follow the broker
//! and the loop, the status page renders in a real headless browser, and the examples'
//! alert rules and dashboard name only metrics that are exposed.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use stockura::beat::observe::metrics::{self, sample};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::beat_process::{broker_list, every_minute_args, scaled_clock, spawn_beat, wait_for};
use crate::both_backends;
use crate::support::{FaultProxy, TestDb, ThrowawayRedis, redis_url, via_port};

/// One GET; the status and the body.
pub async fn http_get(addr: &str, path: &str) -> (u16, String) {
    let mut socket = tokio::time::timeout(
        Duration::from_secs(10),
        tokio::net::TcpStream::connect(addr),
    )
    .await
    .expect("connect in time")
    .expect("connect");
    socket
        .write_all(format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), socket.read_to_end(&mut raw))
        .await
        .expect("an answer in time")
        .unwrap();
    let text = String::from_utf8(raw).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").expect("a response head");
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, body.to_string())
}

/// `/metrics` asked for with `Accept-Encoding: gzip`: the `Content-Encoding` answered and the
/// body decoded.
async fn scrape_gzip(addr: &str) -> (String, String) {
    use std::io::Read as _;
    let mut socket = tokio::net::TcpStream::connect(addr).await.unwrap();
    socket
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n")
        .await
        .unwrap();
    let mut raw = Vec::new();
    socket.read_to_end(&mut raw).await.unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let encoding = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Encoding: "))
        .unwrap_or_default()
        .to_string();
    let mut text = String::new();
    flate2::read::MultiGzDecoder::new(&raw[split + 4..])
        .read_to_string(&mut text)
        .unwrap();
    (encoding, text)
}

/// Whether an exposition has a sample of `name` (a histogram's by its `_count`).
fn exposes(text: &str, name: &str) -> bool {
    text.lines().filter(|l| !l.starts_with('#')).any(|l| {
        let series = l.split(['{', ' ']).next().unwrap_or_default();
        series == name || series == format!("{name}_count")
    })
}

/// The metric names the examples use.
fn example_metric_names() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut names = std::collections::BTreeSet::new();
    for file in ["prometheus/alerts.yml", "grafana/stockura.json"] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        for (i, _) in text.match_indices("stockura_") {
            let rest = &text[i..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            let name = &rest[..end];
            let name = ["_bucket", "_count", "_sum"]
                .iter()
                .find_map(|s| name.strip_suffix(s))
                .unwrap_or(name);
            names.insert(name.to_string());
        }
    }
    names.into_iter().collect()
}

#[test]
fn the_examples_name_only_known_metrics() {
    let names = example_metric_names();
    assert!(names.len() >= 5, "{names:?}");
    for name in names {
        assert!(
            metrics::NAMES.contains(&name.as_str()),
            "the examples use {name}, which /metrics does not expose"
        );
    }
}

/// A `run-beat --http 127.0.0.1:0` process (JSON logs) and the address it serves at.
struct HttpBeat {
    child: std::process::Child,
    rx: std::sync::mpsc::Receiver<String>,
    reader: std::thread::JoinHandle<()>,
    seen: Vec<String>,
    addr: String,
}

impl HttpBeat {
    fn spawn(db: &TestDb, env: &[(&str, String)], args: &[&str]) -> Self {
        let mut all = vec!["--log-format", "json", "--http", "127.0.0.1:0"];
        all.extend_from_slice(args);
        let (child, rx, reader) = spawn_beat(db, env, &all);
        let mut seen = Vec::new();
        let addr = wait_for(&rx, &mut seen, "the HTTP endpoint", |v| {
            v["event"] == "http"
        })["addr"]
            .as_str()
            .unwrap()
            .to_string();
        Self {
            child,
            rx,
            reader,
            seen,
            addr,
        }
    }

    /// SIGTERM: a graceful stop, exit 0.
    fn stop(mut self) {
        std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        let code = self.child.wait().unwrap();
        let _ = self.reader.join();
        self.seen.extend(self.rx.try_iter());
        assert_eq!(code.code(), Some(0), "{}", self.seen.join("\n"));
    }
}

/// Deletes a test's broker list.
async fn delete_list(key: &str) {
    let client = redis::Client::open(format!("{}/0", redis_url())).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let _: () = redis::cmd("DEL")
        .arg(key)
        .query_async(&mut conn)
        .await
        .unwrap();
}

/// Polls `path` until `done` holds for its answer (30 s at most).
async fn until(addr: &str, path: &str, what: &str, done: impl Fn(u16, &str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, body) = http_get(addr, path).await;
        if done(status, &body) {
            return body;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: still {status} after 30 s:\n{body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Three schedules each minute that last ran three minutes before the start: each sends its
/// catch-up and records two missed slots at the start, then sends its live slot at the first
/// boundary. The counters say exactly that, and so does the broker; a result written for a
/// live message becomes the schedule's last success.
async fn metrics_count_what_reached_the_broker(db: TestDb) {
    let prefix = db.broker_prefix();
    for n in 0..3 {
        let args = every_minute_args(n);
        db.json(&args.iter().map(String::as_str).collect::<Vec<_>>());
    }
    db.exec("UPDATE celery_beat_schedules SET last_run_at = '2029-12-31T23:57:00.000000Z'")
        .await;
    // Twice real time from 00:00:58: the boundary at 00:01:00 comes a second after the start,
    // the next one thirty seconds later.
    let start: chrono::DateTime<chrono::Utc> = "2030-01-01T00:00:58Z".parse().unwrap();
    let beat = HttpBeat::spawn(
        &db,
        &[
            ("STOCKURA_TEST_CLOCK", scaled_clock(2.0, start)),
            ("CELERY_RESULT_BACKEND", format!("{}/0", redis_url())),
        ],
        &["--broker-key-prefix", &prefix],
    );
    let addr = beat.addr.clone();
    let dispatched = |text: &str, name: &str, trigger: &str| {
        sample(
            text,
            "stockura_slots_total",
            &[
                ("schedule", name),
                ("task", "app.tasks.every_minute"),
                ("trigger", trigger),
                ("status", "dispatched"),
            ],
        )
    };
    let text = until(&addr, "/metrics", "the live boundary", |_, t| {
        (0..3).all(|n| dispatched(t, &format!("m{n}"), "schedule") == Some(1.0))
    })
    .await;
    let (messages, _) =
        broker_list(&format!("{}/0", redis_url()), &format!("{prefix}celery")).await;
    assert_eq!(messages.len(), 6, "three catch-ups and three live slots");
    let mut counted = 0.0;
    for n in 0..3 {
        let name = format!("m{n}");
        assert_eq!(dispatched(&text, &name, "catchup"), Some(1.0), "{text}");
        assert_eq!(
            sample(
                &text,
                "stockura_slots_total",
                &[
                    ("schedule", &name),
                    ("task", "app.tasks.every_minute"),
                    ("trigger", "schedule"),
                    ("status", "missed"),
                ],
            ),
            Some(2.0)
        );
        counted += dispatched(&text, &name, "catchup").unwrap()
            + dispatched(&text, &name, "schedule").unwrap();
        let last = sample(
            &text,
            "stockura_schedule_last_dispatch_timestamp_seconds",
            &[("schedule", &name)],
        )
        .unwrap();
        // Sent at the scaled clock's 00:01:00, a little after.
        assert!((1_893_456_060.0..1_893_456_070.0).contains(&last), "{last}");
    }
    assert_eq!(counted, messages.len() as f64);
    // The live slots only are in the lag histogram.
    assert_eq!(
        sample(&text, "stockura_dispatch_lag_seconds_count", &[]),
        Some(3.0)
    );
    for (name, value) in [
        ("stockura_schedules_loaded", 3.0),
        ("stockura_leader", 1.0),
        ("stockura_broker_up", 1.0),
        ("stockura_database_up", 1.0),
    ] {
        assert_eq!(sample(&text, name, &[]), Some(value), "{name}:\n{text}");
    }
    assert!(sample(&text, "stockura_change_version", &[]).unwrap() >= 3.0);
    assert!(sample(&text, "stockura_reloads_total", &[("kind", "full")]).unwrap() >= 1.0);

    // A worker's result for m0's live message: its last success, from the result backend.
    let live = messages
        .iter()
        .find(|m| {
            let id = m["headers"]["id"].as_str().unwrap();
            stockura::beat::message::slot_task_id(
                uuid_of(&db, "m0"),
                "2030-01-01T00:01:00Z".parse().unwrap(),
            )
            .to_string()
                == id
        })
        .expect("m0's live message");
    let task_id = live["headers"]["id"].as_str().unwrap().to_string();
    let client = redis::Client::open(format!("{}/0", redis_url())).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let key = format!("celery-task-meta-{task_id}");
    let _: () = redis::cmd("SET")
        .arg(&key)
        .arg(format!(r#"{{"status": "SUCCESS", "result": 1, "traceback": null, "children": [], "date_done": "2030-01-01T00:01:02.500000+00:00", "task_id": "{task_id}"}}"#))
        .arg("EX")
        .arg(300)
        .query_async(&mut conn)
        .await
        .unwrap();
    let text = until(&addr, "/metrics", "the last success", |_, t| {
        sample(
            t,
            "stockura_schedule_last_success_timestamp_seconds",
            &[("schedule", "m0")],
        )
        .is_some()
    })
    .await;
    assert_eq!(
        sample(
            &text,
            "stockura_schedule_last_success_timestamp_seconds",
            &[("schedule", "m0")],
        ),
        Some(1_893_456_062.5)
    );
    // Every series the issue names, and every metric the examples use, is exposed.
    for name in metrics::NAMES {
        assert!(exposes(&text, name), "{name} is not exposed:\n{text}");
    }
    for name in example_metric_names() {
        assert!(exposes(&text, &name), "the examples use {name}:\n{text}");
    }
    // Compressed for a scraper that takes gzip (Prometheus does): the same samples.
    let (encoding, unzipped) = scrape_gzip(&addr).await;
    assert_eq!(encoding, "gzip");
    for n in 0..3 {
        let name = format!("m{n}");
        assert_eq!(
            dispatched(&unzipped, &name, "schedule"),
            dispatched(&text, &name, "schedule")
        );
    }
    assert!(exposes(&unzipped, "process_resident_memory_bytes"));
    beat.stop();
    delete_list(&key).await;
    delete_list(&format!("{prefix}celery")).await;
}

fn uuid_of(db: &TestDb, name: &str) -> uuid::Uuid {
    db.json(&["schedule", "show", name])["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

both_backends!(metrics_count_what_reached_the_broker);

/// `/readyz` turns 503 naming the broker while the broker's Redis is down, and 200 again once
/// it is back; `/healthz` stays 200 (the loop is alive). Without per-schedule series the
/// counters are totals by trigger and status.
#[tokio::test]
async fn readiness_follows_the_broker() {
    let db = TestDb::sqlite().await;
    let args = every_minute_args(0);
    db.json(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let past =
        (chrono::Utc::now() - chrono::Duration::minutes(2)).format("%Y-%m-%dT%H:%M:%S.000000Z");
    db.exec(&format!(
        "UPDATE celery_beat_schedules SET last_run_at = '{past}'"
    ))
    .await;
    let mut broker = ThrowawayRedis::start(&[]).await;
    let beat = HttpBeat::spawn(
        &db,
        &[("CELERY_BROKER_URL", broker.url())],
        &["--metrics-per-schedule", "false"],
    );
    let addr = beat.addr.clone();
    let body = until(&addr, "/readyz", "ready", |s, _| s == 200).await;
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["role"], "leader");
    let text = http_get(&addr, "/metrics").await.1;
    assert!(!text.contains("schedule=\""), "{text}");
    assert_eq!(
        sample(
            &text,
            "stockura_slots_total",
            &[("trigger", "catchup"), ("status", "dispatched")]
        ),
        Some(1.0),
        "{text}"
    );

    broker.kill();
    let body = until(&addr, "/readyz", "the broker down", |s, _| s == 503).await;
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["ready"], false);
    assert_eq!(v["missing"][0]["what"], "broker", "{v}");
    assert!(
        v["missing"][0]["message"]
            .as_str()
            .unwrap()
            .contains("broker")
    );
    let text = http_get(&addr, "/metrics").await.1;
    assert_eq!(sample(&text, "stockura_broker_up", &[]), Some(0.0));
    assert_eq!(http_get(&addr, "/healthz").await.0, 200);

    broker.start_again().await;
    until(&addr, "/readyz", "the broker back", |s, _| s == 200).await;
    let text = http_get(&addr, "/metrics").await.1;
    assert_eq!(sample(&text, "stockura_broker_up", &[]), Some(1.0));
    // Read-only: a write method is refused.
    let mut socket = tokio::net::TcpStream::connect(&addr).await.unwrap();
    socket
        .write_all(b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        .await
        .unwrap();
    let mut raw = String::new();
    socket.read_to_string(&mut raw).await.unwrap();
    assert!(raw.starts_with("HTTP/1.1 405"), "{raw}");
    beat.stop();
}

/// A loop stuck in one step (here: a statement to a database frozen behind a proxy, with a
/// deadline longer than the stall limit) turns `/healthz` 503; once it moves again, 200.
#[tokio::test]
async fn health_follows_the_loop() {
    use stockura::beat::clock::ManualClock;
    use stockura::beat::leader::Progress;
    use stockura::beat::observe::{Observer, http};

    let db = TestDb::postgres().await;
    db.json(&["schedule", "list"]);
    let (url, target) = via_port(&db.url, 0);
    let proxy = FaultProxy::start(&target).await;
    let (url, _) = via_port(&url, proxy.port);
    let database = stockura::config::DatabaseTarget {
        url: stockura::config::Redacted::new(url),
        backend: db.backend,
        create_dir: None,
    };
    let store =
        stockura::store::AnyStore::open(&database, stockura::store::OpenMode::RequireCurrent)
            .await
            .unwrap();
    let progress = Progress::new();
    let observer = Arc::new(Observer::new(
        true,
        false,
        progress.clone(),
        Duration::from_millis(500),
        Duration::from_millis(200),
    ));
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let sources = http::Sources {
        database: stockura::config::DatabaseTarget {
            url: stockura::config::Redacted::new(db.url.clone()),
            backend: db.backend,
            create_dir: None,
        },
        broker: None,
        results: None,
        heartbeats: None,
        timeout: Duration::from_secs(2),
    };
    let addr = http::start("127.0.0.1:0", observer.clone(), sources, stop_rx.clone())
        .unwrap()
        .to_string();
    let config = stockura::beat::runner::BeatConfig {
        once: false,
        catchup_window: chrono::Duration::hours(1),
        catch_up_rows: 100,
        sync_interval: Duration::from_millis(200),
        min_sync_interval: Duration::ZERO,
        retention: None,
        default_tz: chrono_tz::Tz::UTC,
        dispatch: stockura::beat::dispatch::DispatchOptions {
            dry_run: true,
            default_queue: "celery".into(),
            layout: stockura::beat::message::BrokerLayout::default(),
            origin: "stockura@test".into(),
            chunk_rows: 100,
            send_deadline: chrono::Duration::minutes(5),
            // Longer than the stall limit: a frozen database holds the step.
            statement_timeout: Duration::from_secs(4),
        },
    };
    let clock = Arc::new(ManualClock::new("2030-01-01T00:00:00Z".parse().unwrap()));
    let mut beat = stockura::beat::runner::Beat::new(store, clock, config, None)
        .with_progress(progress)
        .with_observer(observer.clone());
    beat.start().await.unwrap();
    observer
        .loaded
        .store(true, std::sync::atomic::Ordering::Relaxed);
    let (_tx, rx) = tokio::sync::mpsc::channel(16);
    let running = tokio::spawn(beat.run(rx, stop_rx));
    until(&addr, "/healthz", "healthy", |s, _| s == 200).await;

    proxy.freeze();
    let body = until(&addr, "/healthz", "stuck", |s, _| s == 503).await;
    let v: Value = serde_json::from_str(&body).unwrap();
    assert!(v["problem"].as_str().unwrap().contains("stuck"), "{v}");
    proxy.thaw();
    until(&addr, "/healthz", "moving again", |s, _| s == 200).await;
    until(&addr, "/readyz", "ready again", |s, _| s == 200).await;
    stop_tx.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(30), running)
        .await
        .unwrap()
        .unwrap();
}

/// The headless browser: `STOCKURA_TEST_CHROMIUM`, else `chromium` on the PATH (the test
/// script installs Debian's package).
fn chromium() -> Option<String> {
    if let Ok(path) = std::env::var("STOCKURA_TEST_CHROMIUM") {
        return Some(path);
    }
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            std::process::Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .map(str::to_string)
}

/// Runs headless Chromium on `url` with `args` (`--dump-dom`, `--screenshot=…`); its stdout.
/// (Scripts stay on: `--dump-dom` needs them. The page has none, and its Content-Security-Policy
/// would refuse any.)
fn browse(browser: &str, profile: &std::path::Path, url: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1280,1600",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(url)
        .output()
        .expect("chromium runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Fails with a screenshot of `url` attached (its path in the message).
fn fail_with_screenshot(browser: &str, profile: &std::path::Path, url: &str, why: &str) -> ! {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-screenshots");
    let _ = std::fs::create_dir_all(&dir);
    let shot = dir.join(format!("status-page-{}.png", std::process::id()));
    browse(
        browser,
        profile,
        url,
        &[&format!("--screenshot={}", shot.display())],
    );
    panic!("{why}\nscreenshot of {url}: {}", shot.display());
}

/// The status page in a real headless browser, scripts off: this instance, the schedules with
/// their next and last run, the missed slots, every schedule name escaped (a name that is a
/// script stays text), and each row's link to the schedule's history.
#[tokio::test]
async fn the_status_page_in_a_headless_browser() {
    let Some(browser) = chromium() else {
        eprintln!(
            "skipped: no chromium (install the Debian package chromium, or set STOCKURA_TEST_CHROMIUM)"
        );
        return;
    };
    let db = TestDb::sqlite().await;
    let prefix = db.broker_prefix();
    let hostile = "<script>document.title='pwned'</script>&co";
    db.json(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.report",
        "--cron",
        "* * * * *",
        "--name",
        hostile,
    ]);
    db.json(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.quiet",
        "--cron",
        "0 3 * * *",
        "--name",
        "quiet",
    ]);
    let past =
        (chrono::Utc::now() - chrono::Duration::minutes(3)).format("%Y-%m-%dT%H:%M:%S.000000Z");
    db.exec(&format!(
        "UPDATE celery_beat_schedules SET last_run_at = '{past}' WHERE task_name = 'app.tasks.report'"
    ))
    .await;
    let mut beat = HttpBeat::spawn(&db, &[], &["--broker-key-prefix", &prefix]);
    let addr = beat.addr.clone();
    wait_for(&beat.rx, &mut beat.seen, "ready", |v| v["event"] == "ready");
    let profile = tempfile::TempDir::new().unwrap();
    let url = format!("http://{addr}/");
    let dom = browse(&browser, profile.path(), &url, &["--dump-dom"]);
    let check = |ok: bool, why: &str| {
        if !ok {
            fail_with_screenshot(&browser, profile.path(), &url, &format!("{why}\n{dom}"));
        }
    };
    check(
        dom.contains("<title>stockura run-beat</title>"),
        "the page's title",
    );
    check(dom.contains("id=\"role\">leader<"), "this instance's role");
    check(
        dom.contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;&amp;co"),
        "the hostile name as text",
    );
    check(!dom.contains("<script"), "no script element");
    check(dom.contains("2 planned · 2 matching"), "the counts");
    check(
        dom.contains("<td><code>0 3 * * *</code></td>"),
        "the quiet schedule's cron",
    );
    check(
        dom.contains("class=\"ok\">dispatched<"),
        "the caught-up schedule's last status",
    );
    check(
        dom.contains("class=\"bad\">missed<"),
        "the missed slots in the recent failures",
    );
    check(dom.contains("Healthy and ready."), "the state banner");
    // The history page behind the hostile schedule's link.
    let id = db.json(&["schedule", "list", "--task", "app.tasks.report"])[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    check(
        dom.contains(&format!("href=\"/schedules/{id}\"")),
        "the link to the history",
    );
    let history_url = format!("http://{addr}/schedules/{id}");
    let history = browse(&browser, profile.path(), &history_url, &["--dump-dom"]);
    if !(history.contains("<table id=\"runs\">")
        && history.contains(">catchup<")
        && history.contains("&lt;script&gt;")
        && !history.contains("<script"))
    {
        fail_with_screenshot(&browser, profile.path(), &history_url, &history);
    }
    // A search narrows the table (a GET form: no script needed).
    let searched = browse(
        &browser,
        profile.path(),
        &format!("http://{addr}/?q=quiet"),
        &["--dump-dom"],
    );
    if !searched.contains("2 planned · 1 matching") {
        fail_with_screenshot(
            &browser,
            profile.path(),
            &format!("http://{addr}/?q=quiet"),
            &searched,
        );
    }
    beat.stop();
    delete_list(&format!("{prefix}celery")).await;
}

/// A real Celery worker runs the catch-up message `run-beat` sends; the result it stores
/// becomes the schedule's last success on `/metrics` (its `date_done`, to the millisecond) and
/// the last result on the status page.
#[tokio::test]
async fn the_last_success_comes_from_a_real_worker() {
    use crate::celery::{Worker, WorkerOptions, backend_url, result_status};
    let db = TestDb::sqlite().await;
    let worker = Worker::start(WorkerOptions::isolated()).await;
    let queue = worker.options().queues[0].clone();
    let added = db.json(&[
        "schedule",
        "add",
        "--task",
        "stockura_test.record",
        "--cron",
        "* * * * *",
        "--name",
        "worked",
        "--queue",
        &queue,
        "--last-run-at",
        "90s",
    ]);
    let id = added["id"].as_str().unwrap().to_string();
    let beat = HttpBeat::spawn(
        &db,
        &[
            ("CELERY_RESULT_BACKEND", backend_url()),
            ("CELERY_DEFAULT_QUEUE", queue.clone()),
            (
                "STOCKURA_BROKER_KEY_PREFIX",
                worker.options().key_prefix.clone(),
            ),
        ],
        &[],
    );
    let success = |t: &str| {
        sample(
            t,
            "stockura_schedule_last_success_timestamp_seconds",
            &[("schedule", "worked"), ("schedule_id", &id)],
        )
    };
    let text = until(&beat.addr, "/metrics", "the worker's success", |_, t| {
        success(t).is_some()
    })
    .await;
    let runs = db.json(&["history", "worked", "--status", "dispatched"]);
    let task_id = runs[0]["celery_task_id"].as_str().unwrap().to_string();
    let meta = result_status(&backend_url(), &task_id)
        .await
        .expect("the worker's result");
    assert_eq!(meta["status"], "SUCCESS", "worker log:\n{}", worker.log());
    let done = chrono::NaiveDateTime::parse_from_str(
        meta["date_done"]
            .as_str()
            .unwrap()
            .trim_end_matches("+00:00"),
        "%Y-%m-%dT%H:%M:%S%.f",
    )
    .unwrap()
    .and_utc();
    let shown = success(&text).unwrap();
    assert!(
        (shown - done.timestamp_millis() as f64 / 1000.0).abs() < 0.0015,
        "{shown} against {done}"
    );
    let page = http_get(&beat.addr, "/?q=worked").await.1;
    assert!(page.contains("class=\"ok\">SUCCESS<"), "{page}");
    beat.stop();
}
