//! Redis behind Sentinel: a master, a replica and three Sentinels (`redis-server --sentinel`)
//! on loopback ports of the test's own. `run-beat` reaches broker, events and leadership
//! through a Celery `sentinel://` URL list, a failover forced with `SENTINEL FAILOVER` while a
//! boundary's burst is dispatched is followed, and every slot reaches the new master once.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::beat_process::{
    broker_list, next_minute, scaled_clock, spawn_beat, until_a_burst_begins,
};
use crate::support::{TestDb, ThrowawayRedis, free_port};

const MASTER: &str = "stockura-test";

/// Three Sentinels watching one master (quorum 2, down after 1 s), killed on drop.
struct Sentinels {
    ports: Vec<u16>,
    children: Vec<std::process::Child>,
    _dir: TempDir,
}

impl Sentinels {
    fn start(master_port: u16) -> Self {
        let dir = TempDir::new().unwrap();
        let mut ports = Vec::new();
        let mut children = Vec::new();
        for n in 0..3 {
            let port = free_port();
            let conf = dir.path().join(format!("sentinel-{n}.conf"));
            std::fs::write(
                &conf,
                format!(
                    "port {port}\nbind 127.0.0.1\ndir {dir}\n\
                     sentinel monitor {MASTER} 127.0.0.1 {master_port} 2\n\
                     sentinel down-after-milliseconds {MASTER} 1000\n\
                     sentinel failover-timeout {MASTER} 5000\n\
                     sentinel parallel-syncs {MASTER} 1\n",
                    dir = dir.path().display()
                ),
            )
            .unwrap();
            let child = std::process::Command::new("redis-server")
                .arg(&conf)
                .arg("--sentinel")
                .stdout(std::process::Stdio::null())
                .spawn()
                .expect("redis-server --sentinel");
            ports.push(port);
            children.push(child);
        }
        Self {
            ports,
            children,
            _dir: dir,
        }
    }

    /// Celery's URL list of the three.
    fn url(&self) -> String {
        self.ports
            .iter()
            .map(|p| format!("sentinel://127.0.0.1:{p}/0"))
            .collect::<Vec<_>>()
            .join(";")
    }

    async fn ask(&self, n: usize, cmd: &mut redis::Cmd) -> redis::RedisResult<redis::Value> {
        let client = redis::Client::open(format!("redis://127.0.0.1:{}", self.ports[n]))?;
        let mut conn = client.get_multiplexed_async_connection().await?;
        cmd.query_async(&mut conn).await
    }

    /// The master's address as Sentinel `n` names it.
    async fn master(&self, n: usize) -> Option<u16> {
        let reply = self
            .ask(
                n,
                redis::cmd("SENTINEL")
                    .arg("get-master-addr-by-name")
                    .arg(MASTER),
            )
            .await
            .ok()?;
        let (_, port): (String, u16) = redis::from_redis_value(reply).ok()?;
        Some(port)
    }

    /// Waits until every Sentinel knows the replica and the other two (a failover needs them).
    async fn ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let mut all = true;
            for n in 0..3 {
                let replicas = self
                    .ask(n, redis::cmd("SENTINEL").arg("replicas").arg(MASTER))
                    .await
                    .ok()
                    .and_then(|v| redis::from_redis_value::<Vec<redis::Value>>(v).ok())
                    .map_or(0, |v| v.len());
                let others = self
                    .ask(n, redis::cmd("SENTINEL").arg("sentinels").arg(MASTER))
                    .await
                    .ok()
                    .and_then(|v| redis::from_redis_value::<Vec<redis::Value>>(v).ok())
                    .map_or(0, |v| v.len());
                all &= replicas >= 1 && others >= 2;
            }
            if all {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the Sentinels did not meet within 30 s"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

impl Drop for Sentinels {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// 300 schedules every minute on a clock four times real time; the failover is forced as the
/// second boundary's burst begins. Afterwards the master the Sentinels name holds each slot's
/// message once, and the history records every slot sent.
#[tokio::test]
async fn a_sentinel_failover_during_dispatch_loses_and_doubles_nothing() {
    let db = TestDb::postgres().await;
    db.seed_every_minute("fo_", "app.tasks.failover", 300).await;
    let master = ThrowawayRedis::start(&[]).await;
    let master_port = master.port();
    let replica =
        ThrowawayRedis::start(&["--replicaof", "127.0.0.1", &master_port.to_string()]).await;
    let sentinels = Sentinels::start(master_port);
    sentinels.ready().await;
    let url = sentinels.url();
    let options = format!(r#"{{"master_name": "{MASTER}"}}"#);
    // A wrong master name is refused with the name in the message.
    let out = db
        .cmd()
        .env("CELERY_BROKER_URL", &url)
        .env(
            "CELERY_BROKER_TRANSPORT_OPTIONS",
            r#"{"master_name": "nope"}"#,
        )
        .args(["diagnose", "--check", "broker", "-o", "json"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(7), "{text}");
    assert!(text.contains("knows no master named nope"), "{text}");

    let next = next_minute();
    let (mut child, rx, reader) = spawn_beat(
        &db,
        &[
            ("CELERY_BROKER_URL", url.clone()),
            ("REDIS_URL", url.clone()),
            ("CELERY_BROKER_TRANSPORT_OPTIONS", options.clone()),
            (
                "STOCKURA_BEAT_NAMESPACE",
                crate::support::beat_namespace(db.dir.path()),
            ),
            (
                "STOCKURA_TEST_CLOCK",
                scaled_clock(4.0, next - chrono::Duration::seconds(4)),
            ),
        ],
        &["--log-format", "json", "-v"],
    );
    let mut seen = Vec::new();
    until_a_burst_begins(&rx, &mut seen);
    sentinels
        .ask(0, redis::cmd("SENTINEL").arg("failover").arg(MASTER))
        .await
        .expect("SENTINEL FAILOVER");
    // Followed: the Sentinels name the former replica.
    let deadline = Instant::now() + Duration::from_secs(30);
    let replica_port = replica.port();
    while sentinels.master(0).await != Some(replica_port) {
        assert!(Instant::now() < deadline, "no failover within 30 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Two more boundaries on the new master (and what the failover left owed).
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let runs = db.json(&["history", "--status", "dispatched", "--limit", "5000"]);
        if runs.as_array().unwrap().len() >= 1200 || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    crate::amqp::nix_term(&child);
    let _ = child.wait();
    reader.join().unwrap();
    seen.extend(rx.try_iter());

    let (messages, _) = broker_list(&replica.url(), "celery").await;
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for m in &messages {
        *by_id
            .entry(m["headers"]["id"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    let runs = db.json(&["history", "--limit", "5000"]);
    let runs = runs.as_array().unwrap();
    let dispatched: HashSet<String> = runs
        .iter()
        .filter(|r| r["status"] == "dispatched")
        .map(|r| r["celery_task_id"].as_str().unwrap().to_string())
        .collect();
    let log = seen.join("\n");
    eprintln!(
        "{}",
        seen.iter()
            .filter(|l| l.contains(r#""message":"batch""#)
                || l.contains("owed")
                || l.contains("WARN")
                || l.contains("ERROR"))
            .map(|l| l.chars().take(300).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
    );
    let doubled: Vec<_> = by_id.iter().filter(|(_, n)| **n > 1).collect();
    let lost: Vec<_> = dispatched
        .iter()
        .filter(|id| !by_id.contains_key(*id))
        .collect();
    assert!(doubled.is_empty(), "doubled: {}\n{log}", doubled.len());
    assert!(
        lost.is_empty(),
        "lost in the failover: {}\n{log}",
        lost.len()
    );
    assert!(
        dispatched.len() >= 1200,
        "{} slots sent\n{log}",
        dispatched.len()
    );
    assert!(
        runs.iter().all(|r| r["status"] == "dispatched"),
        "{:?}",
        runs.iter()
            .filter(|r| r["status"] != "dispatched")
            .map(|r| format!("{} {}", r["status"], r["detail"]))
            .collect::<Vec<_>>()
    );
    drop(master);
}
