//! `rediss://` with a self-signed certificate authority: Celery's `ssl_ca_certs` URL option
//! names the authority to trust; without it the server is refused, and nothing is sent in
//! clear.

use std::process::Command;

use crate::support::{TestDb, ThrowawayRedis};

/// A self-signed certificate authority and a server certificate for 127.0.0.1 it signed, made
/// with `openssl`: (the authority's certificate, the server's certificate, its key). (rustls
/// refuses a certificate that is its own authority as a server's: `CaUsedAsEndEntity`.)
fn self_signed(dir: &std::path::Path) -> (String, String, String) {
    let path = |name: &str| dir.join(name).display().to_string();
    let openssl = |args: &[&str]| {
        let made = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl (installed by scripts/test.sh)");
        assert!(
            made.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&made.stderr)
        );
    };
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=stockura test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
    ]);
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=127.0.0.1",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
    ]);
    std::fs::write(dir.join("ext.cnf"), "subjectAltName=IP:127.0.0.1\n").unwrap();
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
        "-out",
        "server.pem",
    ]);
    (path("ca.pem"), path("server.pem"), path("server.key"))
}

#[tokio::test]
async fn rediss_with_a_self_signed_certificate() {
    let certs = tempfile::TempDir::new().unwrap();
    let (ca, cert, key) = self_signed(certs.path());
    let tls_port = crate::support::free_port().to_string();
    let redis = ThrowawayRedis::start(&[
        "--tls-port",
        &tls_port,
        "--tls-cert-file",
        &cert,
        "--tls-key-file",
        &key,
        "--tls-auth-clients",
        "no",
    ])
    .await;
    let trusted =
        format!("rediss://127.0.0.1:{tls_port}/0?ssl_cert_reqs=required&ssl_ca_certs={ca}");
    let untrusted = format!("rediss://127.0.0.1:{tls_port}/0");
    let db = TestDb::sqlite().await;
    db.json(&[
        "schedule",
        "add",
        "--task",
        "app.tasks.tls",
        "--cron",
        "* * * * *",
        "--name",
        "tls",
        "--last-run-at",
        "90s",
    ]);
    let diagnose = |url: &str| {
        let out = db
            .cmd()
            .env("REDIS_URL", url)
            .env("CELERY_BROKER_URL", url)
            .args([
                "diagnose", "--check", "redis", "--check", "broker", "-o", "json",
            ])
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
        )
    };
    let (code, out) = diagnose(&trusted);
    assert_eq!(code, Some(0), "{out}");
    let (code, out) = diagnose(&untrusted);
    assert_eq!(code, Some(7), "{out}");
    assert!(out.to_lowercase().contains("certificate"), "{out}");

    // run-beat sends the catch-up run over TLS.
    let out = db
        .cmd()
        .env("CELERY_BROKER_URL", &trusted)
        .args(["run-beat", "--once"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (messages, _) = crate::beat_process::broker_list(&redis.url(), "celery").await;
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert_eq!(messages[0]["headers"]["task"], "app.tasks.tls");
}
