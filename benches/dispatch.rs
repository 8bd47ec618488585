//! Dispatch benchmark: N schedules all due every minute, `stockura run-beat` (release build)
//! against a throwaway `redis-server` on a free 127.0.0.1 port and a fresh Postgres database
//! (created and dropped) or SQLite file, observed from this separate process.
//!
//! Run: `cargo bench --bench dispatch -- [--n 1000,10000,100000] [--boundaries 3]
//! [--backend postgres,sqlite]` (Postgres admin URL from `STOCKURA_TEST_PG_URL`, default
//! `postgres://postgres@127.0.0.1:5432/postgres`; `redis-server` from `PATH` or
//! `STOCKURA_BENCH_REDIS_SERVER`). Method and results: BENCHMARKS.md.
//!
//! Observation: a dedicated connection polls `LLEN celery` every 0.5 ms (plus the round trip,
//! about 0.05 ms on loopback) and records when the count first reaches 1, 50 %, 99 % and 100 %
//! of N, relative to the minute boundary (wall clock) — first, median, p99 and last message,
//! accurate to about one poll interval. The list is deleted after each burst.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use sqlx::Connection;

const QUEUE: &str = "celery";
const POLL: Duration = Duration::from_micros(500);

struct Args {
    ns: Vec<usize>,
    boundaries: usize,
    backends: Vec<String>,
}

fn parse_args() -> Option<Args> {
    let argv: Vec<String> = std::env::args().collect();
    if !argv.iter().any(|a| a == "--bench") {
        return None; // `cargo test --benches` runs nothing heavy.
    }
    let mut args = Args {
        ns: vec![1_000, 10_000, 100_000],
        boundaries: 3,
        backends: vec!["postgres".into(), "sqlite".into()],
    };
    let mut it = argv.iter().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().cloned().expect("flag needs a value");
        match a.as_str() {
            "--n" => {
                args.ns = value()
                    .split(',')
                    .map(|v| v.trim().replace('_', "").parse().expect("--n: numbers"))
                    .collect()
            }
            "--boundaries" => args.boundaries = value().parse().expect("--boundaries: a number"),
            "--backend" => args.backends = value().split(',').map(str::to_owned).collect(),
            "--bench" => {}
            other => panic!("unknown flag {other} (use --n, --boundaries, --backend)"),
        }
    }
    Some(args)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

fn start_redis(dir: &std::path::Path) -> (Child, u16) {
    let port = free_port();
    let bin = std::env::var("STOCKURA_BENCH_REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
    let child = Command::new(bin)
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        .current_dir(dir)
        .stdout(Stdio::null())
        .spawn()
        .expect("start redis-server");
    let client = redis::Client::open(format!("redis://127.0.0.1:{port}/0")).expect("client");
    for _ in 0..200 {
        if let Ok(mut c) = client.get_connection()
            && redis::cmd("PING").query::<String>(&mut c).is_ok()
        {
            return (child, port);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("redis-server did not come up on {port}");
}

fn seed_rows(n: usize, now: &str, overdue: &str, sqlite: bool) -> Vec<String> {
    let t = if sqlite { "1" } else { "true" };
    (0..n)
        .map(|i| {
            format!(
                "('{id}', 'bench_{i:06}', 'bench.tasks.noop', '* * * * *', 'UTC', {t}, '[]', '{{\"i\": {i}}}', '{{}}', {overdue}, 0, {now}, {now})",
                id = uuid::Uuid::new_v4()
            )
        })
        .collect()
}

const INSERT: &str = "INSERT INTO celery_beat_schedules (id, name, task_name, cron_expression, timezone, enabled, \
    args, kwargs, options, last_run_at, total_run_count, created_at, updated_at) VALUES ";

/// A scratch database with N schedules due every minute, all overdue (last run 90 s ago, so
/// the launch runs them as catch-up). Returns the URL and, for Postgres, the name to drop.
fn prepare(backend: &str, n: usize, dir: &std::path::Path, rt: &tokio::runtime::Runtime) -> (String, Option<String>) {
    let admin = std::env::var("STOCKURA_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let (url, drop) = if backend == "sqlite" {
        let path = dir.join(format!("bench-{}.db", uuid::Uuid::new_v4().simple()));
        (format!("sqlite://{}", path.display()), None)
    } else {
        let name = format!("stockura_dispatch_{}", uuid::Uuid::new_v4().simple());
        let base = admin.split('?').next().unwrap_or(&admin);
        let cut = base
            .rfind('/')
            .filter(|i| *i > base.find("://").map_or(0, |s| s + 2))
            .unwrap_or(base.len());
        rt.block_on(async {
            let mut conn = sqlx::PgConnection::connect(&admin).await.expect("postgres admin");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .expect("create db");
        });
        (format!("{}/{name}", &base[..cut]), Some(name))
    };
    let status = Command::new(env!("CARGO_BIN_EXE_stockura"))
        .arg("migrate")
        .env_clear()
        .env("DATABASE_URL", &url)
        .env("HOME", dir)
        .status()
        .expect("migrate");
    assert!(status.success(), "migrate failed");
    rt.block_on(async {
        if backend == "sqlite" {
            let mut conn = sqlx::SqliteConnection::connect(&url).await.expect("sqlite");
            let mut tx = conn.begin().await.expect("tx");
            let now = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";
            let overdue = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-90 seconds')";
            for chunk in seed_rows(n, now, overdue, true).chunks(1000) {
                sqlx::query(&format!("{INSERT}{}", chunk.join(", ")))
                    .execute(&mut *tx)
                    .await
                    .expect("seed sqlite");
            }
            tx.commit().await.expect("commit");
        } else {
            let mut conn = sqlx::PgConnection::connect(&url).await.expect("postgres");
            sqlx::query(&format!(
                "INSERT INTO celery_beat_schedules (id, name, task_name, cron_expression, timezone, enabled, \
                 args, kwargs, options, last_run_at, total_run_count, created_at, updated_at) \
                 SELECT gen_random_uuid(), 'bench_' || lpad(g::text, 6, '0'), 'bench.tasks.noop', '* * * * *', \
                 'UTC', true, '[]', jsonb_build_object('i', g), '{{}}', now() - interval '90 seconds', 0, now(), now() \
                 FROM generate_series(1, {n}) g"
            ))
            .execute(&mut conn)
            .await
            .expect("seed postgres");
        }
    });
    (url, drop)
}

fn drop_db(name: &str, rt: &tokio::runtime::Runtime) {
    let admin = std::env::var("STOCKURA_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    rt.block_on(async {
        if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut conn)
                .await;
        }
    });
}

fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11).and_then(|v| v.parse().ok()).unwrap_or(0.0)
        + f.get(12).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    ticks / 100.0 // USER_HZ is 100 on Linux.
}

fn peak_rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn unix_now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_secs_f64()
}

/// Polls the queue until it holds `n` messages or `deadline` (unix seconds) passes. Returns
/// the unix times at which the count first reached 1, 50 %, 99 % and 100 % of `n`.
fn observe(conn: &mut redis::Connection, n: usize, deadline: f64) -> [Option<f64>; 4] {
    let marks = [1, n.div_ceil(2), (n * 99).div_ceil(100), n];
    let mut seen = [None; 4];
    loop {
        let len: usize = redis::cmd("LLEN").arg(QUEUE).query(conn).expect("LLEN");
        let t = unix_now();
        for (k, m) in marks.iter().enumerate() {
            if seen[k].is_none() && len >= *m {
                seen[k] = Some(t);
            }
        }
        if seen[3].is_some() || t > deadline {
            return seen;
        }
        std::thread::sleep(POLL);
    }
}

#[derive(Default)]
struct Row {
    first: Vec<f64>,
    median: Vec<f64>,
    p99: Vec<f64>,
    last: Vec<Option<f64>>,
    rate: Vec<f64>,
    idle_cpu: Vec<f64>,
    launch: Option<f64>,
    launch_all: Option<f64>,
    sync: Vec<f64>,
    rss: f64,
}

fn med(v: &[f64]) -> Option<f64> {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    (!v.is_empty()).then(|| v[v.len() / 2])
}

fn run_config(backend: &str, n: usize, boundaries: usize, port: u16, dir: &std::path::Path, rt: &tokio::runtime::Runtime) -> Row {
    let redis_url = format!("redis://127.0.0.1:{port}/0");
    let client = redis::Client::open(redis_url.clone()).expect("client");
    let mut conn = client.get_connection().expect("redis");
    redis::cmd("FLUSHALL").query::<()>(&mut conn).expect("flush");
    let (url, drop) = prepare(backend, n, dir, rt);
    let mut row = Row::default();

    let env = |cmd: &mut Command| {
        cmd.env_clear()
            .env("DATABASE_URL", &url)
            .env("HOME", dir)
            .env("REDIS_URL", &redis_url)
            .env("CELERY_BROKER_URL", &redis_url)
            .env("STOCKURA_BEAT_NAMESPACE", format!("bench:{}", uuid::Uuid::new_v4().simple()));
    };
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stockura"));
    cmd.args(["run-beat", "--log-format", "json"]);
    env(&mut cmd);
    cmd.env("STOCKURA_LOG", "stockura=debug").stderr(Stdio::piped()).stdout(Stdio::null());
    let launched = unix_now();
    let mut beat = cmd.spawn().expect("run-beat");
    let pid = beat.id();

    // The beat's log, timestamped on arrival: "schedule reloaded" lines give the sync latency.
    let reloaded: Arc<Mutex<Vec<(String, f64)>>> = Arc::default();
    let stderr = beat.stderr.take().expect("stderr");
    let sink = Arc::clone(&reloaded);
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("schedule reloaded")
                && let Ok(v) = serde_json::from_str::<serde_json::Value>(&line)
            {
                let name = v.pointer("/fields/schedule").or_else(|| v.get("schedule")).and_then(|s| s.as_str()).unwrap_or("").to_owned();
                sink.lock().expect("lock").push((name, unix_now()));
            }
        }
    });

    // Launch: every schedule is overdue, so the catch-up sends N messages at once.
    let seen = observe(&mut conn, n, launched + 50.0);
    row.launch = seen[0].map(|t| t - launched);
    row.launch_all = seen[3].map(|t| t - launched);
    redis::cmd("DEL").arg(QUEUE).query::<()>(&mut conn).expect("del");
    let mut idle_from = (unix_now(), cpu_seconds(pid));

    for b in 0..boundaries {
        let boundary = (unix_now() / 60.0).floor() * 60.0 + 60.0;
        // Sync latency between bursts (from the second boundary on, once the plan is settled):
        // `schedule add` returning → the beat's "schedule reloaded" for it.
        if b > 0 {
            for k in 0..3 {
                let name = format!("sync_{b}_{k}");
                let mut add = Command::new(env!("CARGO_BIN_EXE_stockura"));
                add.args(["schedule", "add", "--task", "bench.tasks.noop", "--cron", "0 0 1 1 *", "--name", &name]);
                env(&mut add);
                let out = add.output().expect("schedule add");
                let returned = unix_now();
                assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
                let wait_until = Instant::now() + Duration::from_secs(10);
                while Instant::now() < wait_until {
                    if let Some((_, t)) = reloaded.lock().expect("lock").iter().find(|(s, _)| *s == name) {
                        row.sync.push(t - returned);
                        break;
                    }
                    std::thread::sleep(Duration::from_micros(200));
                }
                std::thread::sleep(Duration::from_millis(300));
            }
        }
        let quiet = boundary - 1.0 - unix_now();
        if quiet > 0.0 {
            std::thread::sleep(Duration::from_secs_f64(quiet));
        }
        let (t0, c0) = idle_from;
        let (t1, c1) = (unix_now(), cpu_seconds(pid));
        if t1 - t0 > 10.0 && b > 0 {
            row.idle_cpu.push((c1 - c0) * 60.0 / (t1 - t0));
        }
        let seen = observe(&mut conn, n, boundary + 55.0);
        let rel = |t: Option<f64>| t.map(|t| t - boundary);
        if let (Some(f), Some(m), Some(p)) = (rel(seen[0]), rel(seen[1]), rel(seen[2])) {
            row.first.push(f);
            row.median.push(m);
            row.p99.push(p);
        }
        row.last.push(rel(seen[3]));
        if let (Some(f), Some(l)) = (seen[0], seen[3]) {
            row.rate.push(n as f64 / (l - f).max(POLL.as_secs_f64()));
        }
        // Let a straggling batch land before clearing (the count must start from 0).
        std::thread::sleep(Duration::from_millis(200));
        redis::cmd("DEL").arg(QUEUE).query::<()>(&mut conn).expect("del");
        idle_from = (unix_now(), cpu_seconds(pid));
    }
    row.rss = peak_rss_mb(pid);
    let _ = Command::new("kill").args(["-TERM", &pid.to_string()]).status();
    let _ = beat.wait();
    if let Some(name) = drop {
        drop_db(&name, rt);
    }
    row
}

fn main() {
    let Some(args) = parse_args() else { return };
    let dir = tempfile::TempDir::new().expect("temp dir");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let (mut redis_server, port) = start_redis(dir.path());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("dispatch benchmark, {} boundaries per configuration, load at start: {}", args.boundaries, load.trim());
    let mut lines = Vec::new();
    for backend in &args.backends {
        for &n in &args.ns {
            eprintln!("running {backend} N={n} ...");
            let r = run_config(backend, n, args.boundaries, port, dir.path(), &rt);
            let ms = |v: Option<f64>| v.map_or("–".to_owned(), |v| format!("{:.0} ms", v * 1000.0));
            let lasts: Vec<f64> = r.last.iter().flatten().copied().collect();
            let last = if lasts.len() < r.last.len() {
                format!("{} ({} of {} not within the minute)", ms(med(&lasts)), r.last.len() - lasts.len(), r.last.len())
            } else {
                ms(med(&lasts))
            };
            let line = format!(
                "| stockura {backend} | {n} | {} | {} | {} | {last} | {} | {} | {:.0} MB | {} | {} | {} |",
                ms(med(&r.first)),
                ms(med(&r.median)),
                ms(med(&r.p99)),
                med(&r.rate).map_or("–".into(), |v| format!("{v:.0}")),
                med(&r.idle_cpu).map_or("–".into(), |v| format!("{v:.3} s")),
                r.rss,
                ms(r.launch),
                ms(r.launch_all),
                ms(med(&r.sync)),
            );
            println!("{line}");
            lines.push(line);
        }
    }
    println!();
    println!("| scheduler | N | first | median | p99 | last | msg/s | idle CPU per minute | peak RSS | launch → first | launch → all N | sync latency |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for l in &lines {
        println!("{l}");
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("\nload at end: {}", load.trim());
    let _ = redis_server.kill();
    let _ = redis_server.wait();
}
