//! Shared test harness: a fresh, isolated database per test on either backend, and the real
//! binary with a cleared environment.
//!
//! Postgres: `STOCKURA_TEST_PG_URL` (an admin URL on a server where the test may create
//! databases; default `postgres://postgres@127.0.0.1:5432/postgres`). Each test creates its own
//! `stockura_test_<uuid>` database and drops it when done.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;
use sqlx::Connection;
use stockura::config::{Backend, DatabaseTarget, Redacted};
use stockura::store::{AnyStore, OpenMode, ScheduleStore};
use tempfile::TempDir;

/// The admin URL of the test Postgres server.
pub fn pg_admin_url() -> String {
    std::env::var("STOCKURA_TEST_PG_URL")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// `url` with its database name replaced.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let prefix = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    format!("{prefix}/{name}{query}")
}

/// The URL of the test Redis server.
pub fn redis_url() -> String {
    std::env::var("STOCKURA_TEST_REDIS_URL")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "redis://127.0.0.1:6379".into())
}

/// A channel name no other test uses.
pub fn unique_channel() -> String {
    format!("stockura_test_{}", uuid::Uuid::new_v4().simple())
}

/// Collects the messages published on a channel, subscribed before it returns.
pub struct Subscriber {
    messages: std::sync::Arc<std::sync::Mutex<Vec<serde_json::Value>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Subscriber {
    /// Subscribes to `channel` on the test Redis.
    pub async fn start(channel: &str) -> Self {
        use futures_util::StreamExt;
        let client = redis::Client::open(redis_url()).expect("redis url");
        let mut pubsub = client
            .get_async_pubsub()
            .await
            .expect("test Redis reachable (run scripts/test.sh)");
        pubsub.subscribe(channel).await.expect("subscribe");
        let messages = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = messages.clone();
        let task = tokio::spawn(async move {
            let mut stream = pubsub.into_on_message();
            while let Some(msg) = stream.next().await {
                let payload: String = msg.get_payload().unwrap_or_default();
                let value =
                    serde_json::from_str(&payload).unwrap_or(serde_json::Value::String(payload));
                sink.lock().expect("lock").push(value);
            }
        });
        Self { messages, task }
    }

    /// Waits (at most 10 s, a hang guard) until `n` messages arrived, then returns them all.
    pub async fn wait_for(&self, n: usize) -> Vec<serde_json::Value> {
        for _ in 0..1000 {
            if self.messages.lock().expect("lock").len() >= n {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        self.messages.lock().expect("lock").clone()
    }
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A TCP port on 127.0.0.1 that nothing listens on (for a server a test starts).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("free port")
        .local_addr()
        .expect("addr")
        .port()
}

/// A redis-server of a test's own, on a free loopback port, stopped on drop.
pub struct ThrowawayRedis {
    port: u16,
    extra: Vec<String>,
    dir: TempDir,
    child: Option<std::process::Child>,
}

impl ThrowawayRedis {
    /// Starts one with these extra arguments and waits (hang guard: 5 s) until it answers.
    pub async fn start(extra: &[&str]) -> Self {
        let port = free_port();
        let mut server = Self {
            port,
            extra: extra.iter().map(|a| a.to_string()).collect(),
            dir: TempDir::new().expect("temp dir"),
            child: None,
        };
        server.launch().await;
        server
    }

    /// Its URL (db 0).
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// Its port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops it and starts it again on the same port: every client connection breaks.
    pub async fn restart(&mut self) {
        self.stop();
        self.launch().await;
    }

    async fn launch(&mut self) {
        let child = std::process::Command::new("redis-server")
            .args([
                "--port",
                &self.port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .args(&self.extra)
            .current_dir(self.dir.path())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server (installed by scripts/test.sh)");
        self.child = Some(child);
        let client = redis::Client::open(self.url()).expect("url");
        for _ in 0..200 {
            if client.get_multiplexed_async_connection().await.is_ok() {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!(
            "the throwaway redis-server on port {} did not start",
            self.port
        );
    }

    /// Kills it (SIGKILL): every connection breaks and nothing answers on its port.
    pub fn kill(&mut self) {
        self.stop();
    }

    /// Starts it again on the same port after [`Self::kill`] (empty: it keeps nothing).
    pub async fn start_again(&mut self) {
        self.launch().await;
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for ThrowawayRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A PostgreSQL cluster of a test's own (initdb in a temporary directory, trust authentication,
/// a free port on 127.0.0.1), to stop and start again: the real "database refuses connections".
/// When the tests run as root the server runs as the unprivileged user `postgres` (else
/// `nobody`), as `scripts/test.sh` runs its own cluster. Stopped on drop.
pub struct ThrowawayPostgres {
    port: u16,
    dir: TempDir,
    bin: std::path::PathBuf,
    user: Option<String>,
    running: bool,
}

impl ThrowawayPostgres {
    /// Creates and starts the cluster (hang guard: pg_ctl waits up to 60 s).
    pub fn start() -> Self {
        let bin = Self::bin_dir();
        let user = Self::run_user();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("free port")
            .local_addr()
            .expect("addr")
            .port();
        let dir = TempDir::new().expect("temp dir");
        let mut server = Self {
            port,
            dir,
            bin,
            user,
            running: false,
        };
        if let Some(user) = &server.user {
            let status = std::process::Command::new("chown")
                .args(["-R", user, &server.dir.path().display().to_string()])
                .status()
                .expect("chown");
            assert!(status.success(), "chown the cluster directory to {user}");
        }
        let data = server.data();
        server.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        server.start_again();
        server
    }

    /// The URL of its `postgres` database (the test owns the whole cluster).
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Stops it at once (`pg_ctl stop -m immediate`): connections are cut, new ones refused.
    pub fn stop(&mut self) {
        if self.running {
            let data = self.data();
            self.run("pg_ctl", &["-D", &data, "-m", "immediate", "-w", "stop"]);
            self.running = false;
        }
    }

    /// Starts it again on the same port after [`Self::stop`], with its data.
    pub fn start_again(&mut self) {
        let data = self.data();
        let log = self.dir.path().join("server.log").display().to_string();
        let opts = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c fsync=off -c max_connections=40",
            self.port,
            self.dir.path().display()
        );
        self.run(
            "pg_ctl",
            &[
                "-D", &data, "-l", &log, "-o", &opts, "-w", "-t", "60", "start",
            ],
        );
        self.running = true;
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    /// One of the cluster's programs, run as its owner (`runuser` when the tests run as root).
    fn command(&self, tool: &str) -> std::process::Command {
        let program = self.bin.join(tool);
        match &self.user {
            Some(user) => {
                let mut c = std::process::Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&program);
                c
            }
            None => std::process::Command::new(&program),
        }
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let out = self
            .command(tool)
            .args(args)
            .current_dir("/")
            .output()
            .unwrap_or_else(|e| panic!("{tool} (installed by scripts/test.sh): {e}"));
        assert!(
            out.status.success(),
            "{tool} {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Where initdb and pg_ctl are: on PATH, else the newest /usr/lib/postgresql/<v>/bin.
    fn bin_dir() -> std::path::PathBuf {
        if let Some(found) = std::env::var_os("PATH")
            .and_then(|paths| std::env::split_paths(&paths).find(|d| d.join("pg_ctl").is_file()))
        {
            return found;
        }
        let mut versions: Vec<std::path::PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .map(|d| {
                d.filter_map(Result::ok)
                    .map(|e| e.path().join("bin"))
                    .collect()
            })
            .unwrap_or_default();
        versions.retain(|b| b.join("pg_ctl").is_file());
        versions.sort_by_key(|b| {
            b.parent()
                .and_then(|v| v.file_name())
                .and_then(|v| v.to_str())
                .and_then(|v| v.parse::<u32>().ok())
        });
        versions
            .pop()
            .expect("initdb and pg_ctl (Debian package postgresql, installed by scripts/test.sh)")
    }

    /// The unprivileged user to run the server as when the tests run as root.
    fn run_user() -> Option<String> {
        let uid = std::process::Command::new("id").arg("-u").output().ok()?;
        if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
            return None;
        }
        ["postgres", "nobody"]
            .into_iter()
            .find(|u| {
                std::process::Command::new("id")
                    .arg(u)
                    .output()
                    .is_ok_and(|o| o.status.success())
            })
            .map(str::to_string)
    }
}

impl Drop for ThrowawayPostgres {
    fn drop(&mut self) {
        if self.running {
            let data = self.data();
            let _ = self
                .command("pg_ctl")
                .args(["-D", &data, "-m", "immediate", "-w", "stop"])
                .current_dir("/")
                .output();
        }
    }
}

/// Labels of every migration, as `migrate` reports them.
pub fn all_migrations() -> serde_json::Value {
    stockura::store::migrate::POSTGRES
        .iter()
        .map(|m| m.label())
        .collect()
}

/// The schema version after all migrations.
pub fn latest_version() -> i64 {
    stockura::store::migrate::latest(stockura::store::migrate::POSTGRES)
}

/// One test's database, removed on drop.
pub struct TestDb {
    /// The URL to hand to stockura.
    pub url: String,
    /// Which engine.
    pub backend: Backend,
    /// A scratch directory: HOME, STOCKURA_HOME and the working directory of the binary.
    pub dir: TempDir,
    pg_name: Option<String>,
    /// Broker key prefixes handed out by [`TestDb::broker_prefix`], cleared on drop.
    broker_prefixes: std::sync::Mutex<Vec<String>>,
}

impl TestDb {
    /// A fresh SQLite database in a temp dir: an empty file, which stockura migrates on first
    /// use (an explicit SQLite URL must name an existing file).
    pub async fn sqlite() -> Self {
        let dir = TempDir::new().expect("temp dir");
        let path = dir.path().join("test.db");
        std::fs::File::create(&path).expect("create the SQLite file");
        let url = format!("sqlite://{}", path.display());
        Self {
            url,
            backend: Backend::Sqlite,
            dir,
            pg_name: None,
            broker_prefixes: Default::default(),
        }
    }

    /// A fresh, empty (unmigrated) Postgres database.
    pub async fn postgres_empty() -> Self {
        let name = format!("stockura_test_{}", uuid::Uuid::new_v4().simple());
        let admin = pg_admin_url();
        let mut conn = sqlx::PgConnection::connect(&admin)
            .await
            .unwrap_or_else(|e| panic!("cannot reach the test Postgres server at {admin}: {e} (set STOCKURA_TEST_PG_URL or run scripts/test.sh)"));
        sqlx::query(&(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .expect("create database");
        let _ = conn.close().await;
        let dir = TempDir::new().expect("temp dir");
        Self {
            url: with_database(&admin, &name),
            backend: Backend::Postgres,
            dir,
            pg_name: Some(name),
            broker_prefixes: Default::default(),
        }
    }

    /// A fresh, migrated Postgres database.
    pub async fn postgres() -> Self {
        let db = Self::postgres_empty().await;
        db.open(OpenMode::ConnectOnly)
            .await
            .migrate()
            .await
            .expect("migrate");
        db
    }

    /// Every recorded run (up to 10,000), oldest slot first.
    pub async fn runs(&self) -> Vec<stockura::domain::run::Run> {
        self.runs_up_to(10_000).await
    }

    /// The newest `limit` runs, oldest first.
    pub async fn runs_up_to(&self, limit: i64) -> Vec<stockura::domain::run::Run> {
        use stockura::store::RunStore;
        let mut runs = self
            .store()
            .await
            .list_runs(&stockura::domain::run::RunFilter {
                limit,
                ..Default::default()
            })
            .await
            .expect("list runs");
        runs.reverse();
        runs
    }

    /// A broker key prefix (`--broker-key-prefix`) of this test's own, on the test Redis db 0:
    /// every key under it is deleted when this is dropped.
    pub fn broker_prefix(&self) -> String {
        let prefix = format!("stockura-test-{}:", uuid::Uuid::new_v4().simple());
        self.broker_prefixes
            .lock()
            .expect("lock")
            .push(prefix.clone());
        prefix
    }

    /// The store, schema current.
    pub async fn store(&self) -> AnyStore {
        self.open(OpenMode::RequireCurrent).await
    }

    async fn open(&self, mode: OpenMode) -> AnyStore {
        let target = DatabaseTarget {
            url: Redacted::new(self.url.clone()),
            backend: self.backend,
            create_dir: None,
        };
        AnyStore::open(&target, mode)
            .await
            .expect("open test database")
    }

    /// The binary with a cleared environment: only this database, a private HOME, and the
    /// scratch directory as working directory (so no stray `.env` is read).
    pub fn cmd(&self) -> Command {
        let mut cmd = bare_cmd(self.dir.path());
        cmd.env("DATABASE_URL", &self.url);
        cmd
    }

    /// `run-beat --once` against the test Redis (db 0) under the broker key prefix `prefix`;
    /// panics unless it exits 0. Returns its stderr (the log).
    pub fn run_beat_once(&self, prefix: &str) -> String {
        let out = self
            .cmd()
            .env("CELERY_BROKER_URL", format!("{}/0", redis_url()))
            .args(["run-beat", "--once", "--broker-key-prefix", prefix])
            .output()
            .expect("run stockura");
        let log = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(out.status.success(), "run-beat --once failed:\n{log}");
        log
    }

    /// Runs `args` and returns stdout parsed as JSON; panics unless the exit code is 0.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut with_output = args.to_vec();
        with_output.extend(["--output", "json"]);
        let text = self.stdout(&with_output);
        serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("stdout of {args:?} is not JSON ({e}):\n{text}"))
    }

    /// Runs `args` and returns stdout as it was written; panics unless the exit code is 0.
    pub fn stdout(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().expect("run stockura");
        assert!(
            out.status.success(),
            "stockura {args:?} failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("stdout is UTF-8")
    }

    /// Runs `args`; returns the exit code, stdout and stderr, whatever the outcome.
    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = self.cmd().args(args).output().expect("run stockura");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    }

    /// Migrates a Postgres test database and inserts `n` schedules `<prefix><i>` of `task`,
    /// `* * * * *`, made a day ago, in one statement.
    pub async fn seed_every_minute(&self, prefix: &str, task: &str, n: usize) {
        self.stdout(&["migrate"]);
        self.exec(&format!(
            "INSERT INTO celery_beat_schedules (id, name, task_name, cron_expression, enabled, \
             args, kwargs, created_at, updated_at) SELECT gen_random_uuid(), '{prefix}' || g, \
             '{task}', '* * * * *', true, '[]', jsonb_build_object('i', g), \
             now() - interval '1 day', now() - interval '1 day' FROM generate_series(1, {n}) g"
        ))
        .await;
    }

    /// Runs raw SQL against the test database, as another program (psql, the Python
    /// application) would. Creates the SQLite file when it does not exist yet.
    pub async fn exec(&self, statement: &str) {
        use sqlx::Connection;
        match self.backend {
            Backend::Postgres => {
                let mut c = sqlx::PgConnection::connect(&self.url)
                    .await
                    .expect("connect");
                sqlx::raw_sql(statement)
                    .execute(&mut c)
                    .await
                    .expect("execute");
            }
            Backend::Sqlite => {
                let options: sqlx::sqlite::SqliteConnectOptions =
                    self.url.parse().expect("sqlite url");
                let mut c = sqlx::SqliteConnection::connect_with(&options.create_if_missing(true))
                    .await
                    .expect("connect");
                sqlx::raw_sql(statement)
                    .execute(&mut c)
                    .await
                    .expect("execute");
            }
        }
    }

    /// Every schedule, as JSON, for before/after comparisons.
    pub fn snapshot(&self) -> Value {
        let mut list = self.json(&["schedule", "list"]);
        // next_run_at moves with the clock; everything else must be identical.
        for s in list.as_array_mut().into_iter().flatten() {
            s.as_object_mut().map(|o| o.remove("next_run_at"));
        }
        list
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let prefixes = std::mem::take(&mut *self.broker_prefixes.lock().expect("lock"));
        remove_redis_keys(&beat_namespace(self.dir.path()), &prefixes);
        let Some(name) = self.pg_name.take() else {
            return;
        };
        // Drop may run inside a test's runtime: use a thread with its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                if let Ok(mut conn) = sqlx::PgConnection::connect(&pg_admin_url()).await {
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    let _ = sqlx::query(&(sql)).execute(&mut conn).await;
                }
            });
        })
        .join();
    }
}

/// Deletes what a test's schedulers and broker prefixes left on the test Redis (db 0): the
/// heartbeats of its beat namespace, their index and the leadership key (a scheduler that was
/// killed removes none of them), and every key under `prefixes`. Best effort: a Redis that does
/// not answer within half a second is left alone.
fn remove_redis_keys(namespace: &str, prefixes: &[String]) {
    let Ok(client) = redis::Client::open(format!("{}/0", redis_url())) else {
        return;
    };
    let Ok(mut conn) = client.get_connection_with_timeout(std::time::Duration::from_millis(500))
    else {
        return;
    };
    let index = format!("{namespace}:instances");
    let ids: Vec<String> = redis::cmd("ZRANGE")
        .arg(&index)
        .arg(0)
        .arg(-1)
        .query(&mut conn)
        .unwrap_or_default();
    let mut keys: Vec<Vec<u8>> = ids
        .iter()
        .map(|id| format!("{namespace}:instance:{id}").into_bytes())
        .collect();
    keys.push(index.into_bytes());
    keys.push(format!("{namespace}:leader").into_bytes());
    for prefix in prefixes {
        let found: Vec<Vec<u8>> = redis::cmd("KEYS")
            .arg(format!("{prefix}*"))
            .query(&mut conn)
            .unwrap_or_default();
        keys.extend(found);
    }
    let _: redis::RedisResult<i64> = redis::cmd("DEL").arg(&keys).query(&mut conn);
}

/// The binary with nothing but HOME and the working directory set.
pub fn bare_cmd(dir: &Path) -> Command {
    Command::from_std(std_cmd(dir))
}

/// The same as a plain `std::process::Command`, for tests that spawn several at once.
pub fn std_cmd(dir: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_stockura"));
    cmd.env_clear()
        .env("HOME", dir)
        .env("STOCKURA_BEAT_NAMESPACE", beat_namespace(dir))
        .current_dir(dir);
    cmd
}

/// The schedulers' Redis namespace (leadership key, heartbeats) of the processes one test
/// starts in `dir`: shared by them, private to the test.
pub fn beat_namespace(dir: &Path) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    dir.hash(&mut h);
    format!("stockura-test-beat:{:016x}", h.finish())
}

/// Runs the same async test body against both backends.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::support::TestDb::sqlite().await).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::support::TestDb::postgres().await).await;
                }
            )*
        }
    };
}

#[test]
fn database_names_are_replaced() {
    assert_eq!(
        with_database("postgres://u@h:5432/postgres", "x"),
        "postgres://u@h:5432/x"
    );
    assert_eq!(
        with_database("postgres://u@h/postgres?sslmode=disable", "x"),
        "postgres://u@h/x?sslmode=disable"
    );
    assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
}

/// A TCP proxy on a free loopback port in front of a server, to inject network faults:
/// - lost replies: while armed, a connection's next reply from the server is dropped and the
///   connection closed, as when a network fails after the server acted on a request but before
///   its answer arrived;
/// - a freeze: nothing is forwarded either way and nothing is closed, as when a server or the
///   network to it hangs.
pub struct FaultProxy {
    /// Its port.
    pub port: u16,
    /// Connections whose next reply is still to be lost.
    lose: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    frozen: std::sync::Arc<tokio::sync::watch::Sender<bool>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl FaultProxy {
    /// A proxy to `target` (`host:port` on loopback). It runs on a thread and runtime of its
    /// own, so it keeps forwarding while the test blocks (waiting for a process's log line),
    /// and dropping it closes every connection it holds at once.
    pub async fn start(target: &str) -> Self {
        let lose = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (frozen, frozen_rx) = tokio::sync::watch::channel(false);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (port_tx, port_rx) = std::sync::mpsc::channel();
        let armed = lose.clone();
        let target = target.to_string();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                port_tx.send(listener.local_addr().unwrap().port()).unwrap();
                tokio::select! {
                    () = Self::serve(listener, target, armed, frozen_rx) => {}
                    _ = stopped => {}
                }
            });
            // Dropping the runtime drops every connection task, and with them the sockets.
        });
        let port = tokio::task::spawn_blocking(move || port_rx.recv().unwrap())
            .await
            .unwrap();
        Self {
            port,
            lose,
            frozen: std::sync::Arc::new(frozen),
            stop: Some(stop),
        }
    }

    async fn serve(
        listener: tokio::net::TcpListener,
        target: String,
        armed: std::sync::Arc<std::sync::atomic::AtomicUsize>,
        frozen_rx: tokio::sync::watch::Receiver<bool>,
    ) {
        use std::sync::atomic::Ordering;
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((client, _)) = listener.accept().await {
            let Ok(server) = tokio::net::TcpStream::connect(&target).await else {
                continue;
            };
            let armed = armed.clone();
            let (mut up_frozen, mut down_frozen) = (frozen_rx.clone(), frozen_rx.clone());
            tokio::spawn(async move {
                let (mut client_rx, mut client_tx) = client.into_split();
                let (mut server_rx, mut server_tx) = server.into_split();
                let upstream = tokio::spawn(async move {
                    let mut buf = vec![0u8; 64 * 1024];
                    loop {
                        let n = match client_rx.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => n,
                        };
                        if up_frozen.wait_for(|f| !f).await.is_err()
                            || server_tx.write_all(&buf[..n]).await.is_err()
                        {
                            break;
                        }
                    }
                });
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    let n = match server_rx.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    if down_frozen.wait_for(|f| !f).await.is_err() {
                        break;
                    }
                    let lost = armed
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                        .is_ok();
                    if lost || client_tx.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
                upstream.abort();
            });
        }
    }

    /// The next `n` replies (each on a connection, which then closes) are lost.
    pub fn lose_next_replies(&self, n: usize) {
        self.lose.store(n, std::sync::atomic::Ordering::SeqCst);
    }

    /// Stops forwarding in both directions, keeping every connection open.
    pub fn freeze(&self) {
        self.frozen.send_replace(true);
    }

    /// Forwards again what was held and what comes.
    pub fn thaw(&self) {
        self.frozen.send_replace(false);
    }

    /// The freeze switch itself (`true` freezes), for code that must freeze the proxy at a
    /// moment of its own (a test clock read past an instant).
    pub fn switch(&self) -> std::sync::Arc<tokio::sync::watch::Sender<bool>> {
        self.frozen.clone()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// `url` (a `scheme://[user@]host:port/...` URL) pointing at `127.0.0.1:port` instead, and the
/// `host:port` it pointed at.
pub fn via_port(url: &str, port: u16) -> (String, String) {
    let scheme_end = url.find("://").map_or(0, |i| i + 3);
    let rest = &url[scheme_end..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let (user, host) = match authority.rsplit_once('@') {
        Some((u, h)) => (format!("{u}@"), h),
        None => (String::new(), authority),
    };
    let host = if host.contains(':') {
        host.to_string()
    } else {
        format!("{host}:5432")
    };
    (
        format!(
            "{}{user}127.0.0.1:{port}{}",
            &url[..scheme_end],
            &rest[authority_end..]
        ),
        host,
    )
}
