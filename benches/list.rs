//! `schedule list --output json` with 10,000 schedules, on SQLite and Postgres.
//!
//! Run: `cargo bench --bench list` (Postgres from `STOCKURA_TEST_PG_URL`, default
//! `postgres://postgres@127.0.0.1:5432/postgres`; a scratch database is created and dropped).
//! Seeds N schedules (`STOCKURA_BENCH_N`, default 10000) with varied crons, zones, tags and
//! kwargs straight through SQL, then times the release binary end to end (process start,
//! connect, query, next-run computation, JSON rendering) over several runs.

use std::process::Command;
use std::time::{Duration, Instant};

use sqlx::Connection;

const RUNS: usize = 9;
const CRONS: [&str; 8] = [
    "0 0 * * *",
    "*/15 * * * *",
    "30 8 * * mon-fri",
    "0 */6 * * *",
    "@hourly",
    "0 9 1 * *",
    "5 4 * * sun",
    "0 0 L * *",
];
const ZONES: [&str; 5] = [
    "UTC",
    "Asia/Tokyo",
    "America/New_York",
    "Europe/Berlin",
    "Australia/Lord_Howe",
];

fn seed_sql(n: usize, placeholder_time: &str) -> Vec<String> {
    (0..n)
        .map(|i| {
            format!(
                "('{id}', 'bench_{i:05}', 'app.tasks.task_{t}', '{cron}', '{zone}', {enabled}, '[{i}]', \
                 '{{\"period_type\": \"daily\", \"n\": {i}, \"codes\": [\"7203\", \"6758\"]}}', 'bench row {i}', \
                 'cat{c}', '[\"bench\", \"t{t}\"]', 'allow', {auto}, '{{\"queue\": \"q{c}\"}}', 0, {now}, {now})",
                id = uuid::Uuid::new_v4(),
                t = i % 50,
                cron = CRONS[i % CRONS.len()],
                zone = ZONES[i % ZONES.len()],
                enabled = if i % 10 == 0 { "false" } else { "true" },
                c = i % 7,
                auto = "false",
                now = placeholder_time,
            )
        })
        .collect()
}

const INSERT: &str = "INSERT INTO celery_beat_schedules (id, name, task_name, cron_expression, timezone, enabled, \
    args, kwargs, description, category, tags, execution_policy, auto_generated_name, options, total_run_count, \
    created_at, updated_at) VALUES ";

fn time_list(url: &str, dir: &std::path::Path) -> (Vec<Duration>, usize) {
    let bin = env!("CARGO_BIN_EXE_stockura");
    let mut times = Vec::with_capacity(RUNS);
    let mut rows = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        let out = Command::new(bin)
            .args(["schedule", "list", "--output", "json"])
            .env_clear()
            .env("DATABASE_URL", url)
            .env("HOME", dir)
            .current_dir(dir)
            .output()
            .expect("run stockura");
        times.push(start.elapsed());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        rows = doc.as_array().map_or(0, Vec::len);
    }
    times.sort();
    (times, rows)
}

fn report(label: &str, (times, rows): (Vec<Duration>, usize)) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{label:<9} rows={rows:<6} runs={RUNS} median={:>7.1} ms  min={:>7.1} ms  max={:>7.1} ms",
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1])
    );
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` runs nothing heavy.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let n: usize = std::env::var("STOCKURA_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::TempDir::new().expect("temp dir");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");

    // SQLite: let the binary create and migrate the file, then seed it.
    let sqlite_url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let status = Command::new(env!("CARGO_BIN_EXE_stockura"))
        .arg("migrate")
        .env_clear()
        .env("DATABASE_URL", &sqlite_url)
        .env("HOME", dir.path())
        .status()
        .expect("create sqlite db");
    assert!(status.success());
    rt.block_on(async {
        let mut conn = sqlx::SqliteConnection::connect(&sqlite_url)
            .await
            .expect("sqlite");
        let mut tx = conn.begin().await.expect("tx");
        for chunk in seed_sql(n, "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')").chunks(500) {
            let sql = format!("{INSERT}{}", chunk.join(", "))
                .replace("false", "0")
                .replace("true", "1");
            sqlx::query(&(sql))
                .execute(&mut *tx)
                .await
                .expect("seed sqlite");
        }
        tx.commit().await.expect("commit");
    });
    report("sqlite", time_list(&sqlite_url, dir.path()));

    // Postgres: a scratch database, migrated by the binary.
    let admin = std::env::var("STOCKURA_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let name = format!("stockura_bench_{}", uuid::Uuid::new_v4().simple());
    let pg_url = {
        let base = admin.split('?').next().unwrap_or(&admin);
        let cut = base
            .rfind('/')
            .filter(|i| *i > base.find("://").map_or(0, |s| s + 2))
            .unwrap_or(base.len());
        format!("{}/{name}", &base[..cut])
    };
    rt.block_on(async {
        let mut conn = sqlx::PgConnection::connect(&admin)
            .await
            .expect("postgres admin");
        sqlx::query(&(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .expect("create db");
    });
    let status = Command::new(env!("CARGO_BIN_EXE_stockura"))
        .args(["migrate"])
        .env_clear()
        .env("DATABASE_URL", &pg_url)
        .env("HOME", dir.path())
        .status()
        .expect("migrate");
    assert!(status.success());
    rt.block_on(async {
        let mut conn = sqlx::PgConnection::connect(&pg_url)
            .await
            .expect("postgres");
        let mut tx = conn.begin().await.expect("tx");
        for chunk in seed_sql(n, "now()").chunks(500) {
            let sql = format!("{INSERT}{}", chunk.join(", "));
            sqlx::query(&(sql))
                .execute(&mut *tx)
                .await
                .expect("seed postgres");
        }
        tx.commit().await.expect("commit");
    });
    report("postgres", time_list(&pg_url, dir.path()));
    rt.block_on(async {
        if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
            let _ = sqlx::query(&(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                .execute(&mut conn)
                .await;
        }
    });
}
