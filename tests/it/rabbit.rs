//! RabbitMQ for the integration tests: a virtual host of its own per test on the test broker
//! ([`Vhost`], created and deleted with `rabbitmqctl`), a throwaway RabbitMQ node that a test
//! may kill and start again ([`ThrowawayRabbit`]), and a reader of what a queue holds
//! ([`drain`]).
//!
//! The test broker is `STOCKURA_TEST_AMQP_URL` (default `amqp://guest:guest@127.0.0.1:5672`,
//! without a vhost); `STOCKURA_TEST_RABBITMQ_NODE` names its node for `rabbitmqctl` when it is
//! not the local default.

use std::process::Command;
use std::time::{Duration, Instant};

use lapin::options::{BasicAckOptions, BasicGetOptions};
use lapin::{Connection, ConnectionProperties};
use tempfile::TempDir;

use crate::support::free_port;

/// The test broker, without a virtual host.
pub fn amqp_base() -> String {
    std::env::var("STOCKURA_TEST_AMQP_URL")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "amqp://guest:guest@127.0.0.1:5672".into())
        .trim_end_matches('/')
        .to_string()
}

/// `rabbitmqctl` for `node` (the test broker's node when `None`).
fn rabbitmqctl(node: Option<&str>, args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new("rabbitmqctl");
    let node = node
        .map(str::to_string)
        .or_else(|| std::env::var("STOCKURA_TEST_RABBITMQ_NODE").ok());
    if let Some(node) = node {
        cmd.args(["-n", &node]);
    }
    cmd.args(["-q"]).args(args);
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run rabbitmqctl (run scripts/test.sh): {e}"))
}

fn ctl_ok(node: Option<&str>, args: &[&str]) {
    let out = rabbitmqctl(node, args);
    assert!(
        out.status.success(),
        "rabbitmqctl {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A virtual host no other test uses, with every permission for the test user; deleted (with
/// its queues) on drop.
pub struct Vhost {
    name: String,
    base: String,
    node: Option<String>,
}

impl Vhost {
    /// On the test broker.
    pub fn create() -> Self {
        Self::create_on(amqp_base(), None)
    }

    /// On the broker at `base` (node `node`).
    pub fn create_on(base: String, node: Option<String>) -> Self {
        let name = format!(
            "stockura-test-{}",
            &uuid::Uuid::new_v4().simple().to_string()[..16]
        );
        ctl_ok(node.as_deref(), &["add_vhost", &name]);
        let user = base
            .split_once("://")
            .and_then(|(_, r)| r.split_once('@'))
            .map_or("guest", |(u, _)| u.split(':').next().unwrap_or("guest"))
            .to_string();
        ctl_ok(
            node.as_deref(),
            &["set_permissions", "-p", &name, &user, ".*", ".*", ".*"],
        );
        Self { name, base, node }
    }

    /// Its URL (`amqp://…/<vhost>`).
    pub fn url(&self) -> String {
        format!("{}/{}", self.base, self.name)
    }

    /// Its URL with Celery's `pyamqp://` scheme (what the workers use).
    pub fn pyamqp_url(&self) -> String {
        self.url().replacen("amqp://", "pyamqp://", 1)
    }
}

impl Drop for Vhost {
    fn drop(&mut self) {
        let _ = rabbitmqctl(self.node.as_deref(), &["delete_vhost", &self.name]);
    }
}

/// Takes every message `queue` holds (acknowledging it), in queue order.
pub async fn drain(url: &str, queue: &str) -> Vec<lapin::message::BasicGetMessage> {
    let conn = Connection::connect(url, ConnectionProperties::default())
        .await
        .unwrap_or_else(|e| panic!("test RabbitMQ unreachable at {url}: {e}"));
    let channel = conn.create_channel().await.unwrap();
    let mut all = Vec::new();
    while let Some(m) = channel
        .basic_get(queue.into(), BasicGetOptions::default())
        .await
        .unwrap_or_else(|e| panic!("basic.get from {queue}: {e}"))
    {
        channel
            .basic_ack(m.delivery.delivery_tag, BasicAckOptions::default())
            .await
            .unwrap();
        all.push(m);
    }
    let _ = conn.close(200, "done".into()).await;
    all
}

/// A RabbitMQ node of its own on a free loopback port (a few seconds to start), which a test
/// may kill and start again; its data survives a restart. Stopped and removed on drop, and
/// stopped when the test process dies.
pub struct ThrowawayRabbit {
    node: String,
    port: u16,
    dir: TempDir,
    /// The shells that stop the node when their stdin closes (one per start).
    watch: std::sync::Mutex<Vec<std::process::Child>>,
}

impl ThrowawayRabbit {
    /// Starts one and waits until it accepts connections (hang guard: 60 s).
    pub fn start() -> Self {
        let dir = TempDir::new().unwrap();
        // The server drops to the rabbitmq user when started as root: it must own the files.
        let _ = Command::new("chown")
            .args(["-R", "rabbitmq:rabbitmq"])
            .arg(dir.path())
            .status();
        let port = free_port();
        let conf = dir.path().join("rabbitmq.conf");
        std::fs::write(
            &conf,
            format!("listeners.tcp.local = 127.0.0.1:{port}\nloopback_users = none\n"),
        )
        .unwrap();
        let node = format!("stockura-test-{port}@localhost");
        let rabbit = Self {
            node,
            port,
            dir,
            watch: std::sync::Mutex::new(Vec::new()),
        };
        rabbit.launch();
        rabbit
    }

    fn launch(&self) {
        let d = self.dir.path();
        let log = std::fs::File::create(d.join("server.log")).unwrap();
        // The node stops when this process's end of its stdin closes, however this process
        // ends (a killed test leaves no node behind).
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(r#"rabbitmq-server & server=$!; cat >/dev/null; rabbitmqctl -q -n "$RABBITMQ_NODENAME" stop >/dev/null 2>&1 || kill "$server""#)
            .env("RABBITMQ_NODENAME", &self.node)
            .env("RABBITMQ_CONFIG_FILE", d.join("rabbitmq.conf"))
            .env("RABBITMQ_DIST_PORT", free_port().to_string())
            .env("RABBITMQ_MNESIA_BASE", d.join("mnesia"))
            .env("RABBITMQ_LOG_BASE", d.join("log"))
            .env("RABBITMQ_ENABLED_PLUGINS_FILE", d.join("plugins"))
            .env("RABBITMQ_PID_FILE", d.join("pid"))
            .current_dir(d)
            .stdin(std::process::Stdio::piped())
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        let child = cmd.spawn().expect("start rabbitmq-server");
        self.watch.lock().unwrap().push(child);
        self.wait_until_open();
    }

    fn wait_until_open(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "the throwaway RabbitMQ did not start within 60 s:\n{}",
                std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Its URL, without a virtual host.
    pub fn base(&self) -> String {
        format!("amqp://guest:guest@127.0.0.1:{}", self.port)
    }

    /// Its node name (for `rabbitmqctl -n`).
    pub fn node(&self) -> String {
        self.node.clone()
    }

    /// Kills the node (SIGKILL: a crash, nothing flushed) and waits until its port is closed.
    pub fn kill(&self) {
        self.signal("-KILL");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
            assert!(Instant::now() < deadline, "the node outlived SIGKILL");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops the node gracefully (SIGTERM, as a service manager stops it: RabbitMQ closes its
    /// connections and queues before it exits) and waits until its port is closed.
    pub fn stop(&self) {
        let pid = self.pid();
        self.signal("-TERM");
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
            assert!(
                Instant::now() < deadline,
                "the node did not stop within 30 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        // Gone from the port is not gone: wait for the process to exit.
        while std::path::Path::new(&format!("/proc/{pid}")).exists() {
            assert!(
                Instant::now() < deadline,
                "the node did not exit within 30 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn pid(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("pid"))
            .expect("the node's pid file")
            .trim()
            .to_string()
    }

    fn signal(&self, signal: &str) {
        let _ = Command::new("kill").args([signal, &self.pid()]).status();
    }

    /// Starts the node again on the same port and data, and waits until it accepts
    /// connections.
    pub fn start_again(&self) {
        self.launch();
    }
}

impl Drop for ThrowawayRabbit {
    fn drop(&mut self) {
        let _ = rabbitmqctl(Some(&self.node), &["stop"]);
        for mut watch in self.watch.lock().unwrap().drain(..) {
            drop(watch.stdin.take());
            let _ = watch.wait();
        }
    }
}
