//! The endpoint over real TLS on loopback: certificates from a throwaway CA, a real rustls
//! client, and the exposition checked by `promtool` when it is installed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use harrier_serve::testing::{Client, Pki, PkiFiles};
use harrier_serve::{Collect, Kind, MetricsServer, ServeConfig, Writer};

/// A source with one counter the test moves.
#[derive(Default)]
struct Source(AtomicU64);

impl Collect for Source {
    fn collect(&self, w: &mut Writer<'_>) {
        w.family("test_things_total", "Things counted.", Kind::Counter)
            .sample(
                &[("kind", "a \"quoted\" one")],
                self.0.load(Ordering::Relaxed),
            );
    }
}

const TOKEN: &str = "s3cr3t-token-that-must-never-be-logged";

fn setup(dir: &Path) -> (Pki, PkiFiles) {
    let pki = Pki::generate("harrier test").unwrap();
    let files = pki.write(dir).unwrap();
    std::fs::write(dir.join("token"), format!("{TOKEN}\n")).unwrap();
    (pki, files)
}

fn loopback() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

fn config(dir: &Path, f: &PkiFiles) -> ServeConfig {
    ServeConfig::new(loopback(), f.server_cert.clone(), f.server_key.clone())
        .with_reload_every(Duration::from_millis(50))
        .with_token_file(dir.join("token"))
}

#[test]
fn token_auth() {
    let dir = tempfile::tempdir().unwrap();
    let (pki, f) = setup(dir.path());
    let source = Arc::new(Source::default());
    let server = MetricsServer::start(config(dir.path(), &f), source.clone()).unwrap();
    let addr = server.local_addr();
    let client = Client::new(&pki.ca, None).unwrap();

    source.0.store(41, Ordering::Relaxed);
    source.0.fetch_add(1, Ordering::Relaxed);
    let r = client.get(addr, "/metrics", Some(TOKEN)).unwrap();
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(
        r.content_type.as_deref(),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    assert!(
        r.body
            .contains("# TYPE test_things_total counter\ntest_things_total{kind=\"a \\\"quoted\\\" one\"} 42\n"),
        "{}",
        r.body
    );
    // The server's own counters follow.
    assert!(
        r.body
            .contains("harrier_metrics_http_responses_total{code=\"200\"} 0\n"),
        "{}",
        r.body
    );

    for bad in [None, Some("wrong"), Some(&TOKEN[..TOKEN.len() - 1])] {
        let r = client.get(addr, "/metrics", bad).unwrap();
        assert_eq!(r.status, 401, "{bad:?}: {r:?}");
        assert_eq!(
            r.www_authenticate.as_deref(),
            Some("Bearer realm=\"harrier\"")
        );
        assert!(!r.body.contains("test_things"));
    }
    // Health needs no token and says nothing else.
    let r = client.get(addr, "/healthz", None).unwrap();
    assert_eq!((r.status, r.body.as_str()), (200, "ok\n"));
    // Other paths are not found, whatever the token.
    assert_eq!(client.get(addr, "/", Some(TOKEN)).unwrap().status, 404);
    assert_eq!(
        client.get(addr, "/metrics/x", Some(TOKEN)).unwrap().status,
        404
    );

    let r = client.get(addr, "/metrics", Some(TOKEN)).unwrap();
    for line in [
        "harrier_metrics_http_responses_total{code=\"200\"} 2\n",
        "harrier_metrics_http_responses_total{code=\"401\"} 3\n",
        "harrier_metrics_http_responses_total{code=\"404\"} 2\n",
    ] {
        assert!(r.body.contains(line), "{line} in {}", r.body);
    }
    server.stop();
    // Stopped means closed.
    assert!(client.get(addr, "/healthz", None).is_err());
}

#[test]
fn plain_http_gets_no_answer() {
    let dir = tempfile::tempdir().unwrap();
    let (_pki, f) = setup(dir.path());
    let server = MetricsServer::start(config(dir.path(), &f), Arc::new(Source::default())).unwrap();
    let mut s = TcpStream::connect(server.local_addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(
        format!(
            "GET /metrics HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {TOKEN}\r\n\r\n"
        )
        .as_bytes(),
    )
    .unwrap();
    let mut got = Vec::new();
    let _ = s.read_to_end(&mut got);
    assert!(
        !got.starts_with(b"HTTP/"),
        "{}",
        String::from_utf8_lossy(&got)
    );
    assert!(!String::from_utf8_lossy(&got).contains("test_things"));
    // At most a TLS alert record (content type 21) came back.
    assert!(got.is_empty() || got[0] == 21, "{got:?}");
}

#[test]
fn a_client_trusting_another_ca_refuses_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let (_pki, f) = setup(dir.path());
    let server = MetricsServer::start(config(dir.path(), &f), Arc::new(Source::default())).unwrap();
    let other = Pki::generate("other").unwrap();
    let client = Client::new(&other.ca, None).unwrap();
    assert!(
        client
            .get(server.local_addr(), "/metrics", Some(TOKEN))
            .is_err()
    );
}

#[test]
fn client_certificates() {
    let dir = tempfile::tempdir().unwrap();
    let (pki, f) = setup(dir.path());
    let cfg = ServeConfig::new(loopback(), f.server_cert.clone(), f.server_key.clone())
        .with_client_ca(f.ca.clone());
    let server = MetricsServer::start(cfg, Arc::new(Source::default())).unwrap();
    let addr = server.local_addr();

    let with_cert = Client::new(&pki.ca, Some((&pki.client_cert, &pki.client_key))).unwrap();
    let r = with_cert.get(addr, "/metrics", None).unwrap();
    assert_eq!(r.status, 200, "{r:?}");
    assert!(r.body.contains("test_things_total{kind="), "{}", r.body);

    // No certificate: the handshake completes (kubelet probes /healthz without one) but
    // /metrics is refused.
    let without = Client::new(&pki.ca, None).unwrap();
    assert_eq!(without.get(addr, "/healthz", None).unwrap().status, 200);
    let r = without.get(addr, "/metrics", None).unwrap();
    assert_eq!(r.status, 401, "{r:?}");
    assert!(!r.body.contains("test_things"));

    // A certificate from another CA: the handshake is refused.
    let other = Pki::generate("other").unwrap();
    let foreign = Client::new(&pki.ca, Some((&other.client_cert, &other.client_key))).unwrap();
    assert!(foreign.get(addr, "/healthz", None).is_err());
    assert!(foreign.get(addr, "/metrics", None).is_err());
}

#[test]
fn token_and_client_certificate_both_required_when_both_configured() {
    let dir = tempfile::tempdir().unwrap();
    let (pki, f) = setup(dir.path());
    let cfg = config(dir.path(), &f).with_client_ca(f.ca.clone());
    let server = MetricsServer::start(cfg, Arc::new(Source::default())).unwrap();
    let addr = server.local_addr();
    let with_cert = Client::new(&pki.ca, Some((&pki.client_cert, &pki.client_key))).unwrap();
    let without = Client::new(&pki.ca, None).unwrap();
    assert_eq!(
        with_cert.get(addr, "/metrics", Some(TOKEN)).unwrap().status,
        200
    );
    assert_eq!(with_cert.get(addr, "/metrics", None).unwrap().status, 401);
    assert_eq!(
        without.get(addr, "/metrics", Some(TOKEN)).unwrap().status,
        401
    );
}

#[test]
fn refuses_to_start_without_authentication_or_with_bad_files() {
    let dir = tempfile::tempdir().unwrap();
    let (_pki, f) = setup(dir.path());
    let src = || Arc::new(Source::default()) as Arc<dyn Collect>;
    let bare = ServeConfig::new(loopback(), f.server_cert.clone(), f.server_key.clone());
    let e = MetricsServer::start(bare.clone(), src()).unwrap_err();
    assert!(e.is_no_authentication(), "{e}");
    assert!(e.to_string().contains("needs authentication"), "{e}");

    let empty = dir.path().join("empty");
    std::fs::write(&empty, "\n").unwrap();
    let e = MetricsServer::start(bare.clone().with_token_file(empty.clone()), src()).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("`{}`: the token file is empty", empty.display())
    );

    let missing = dir.path().join("missing");
    let e = MetricsServer::start(bare.clone().with_token_file(missing.clone()), src()).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("cannot read `{}`", missing.display())
    );

    // A certificate where the key should be, and the reverse.
    let mut swapped = config(dir.path(), &f);
    swapped.tls_key = f.server_cert.clone();
    let e = MetricsServer::start(swapped, src()).unwrap_err();
    assert!(e.to_string().contains("no usable private key"), "{e}");
    let mut swapped = config(dir.path(), &f);
    swapped.tls_cert = f.server_key.clone();
    let e = MetricsServer::start(swapped, src()).unwrap_err();
    assert!(e.to_string().contains("no usable certificate"), "{e}");
    // A key that does not belong to the certificate.
    let mut mismatched = config(dir.path(), &f);
    mismatched.tls_key = f.client_key.clone();
    assert!(MetricsServer::start(mismatched, src()).is_err());

    // The port is taken.
    let taken = MetricsServer::start(config(dir.path(), &f), src()).unwrap();
    let mut same = config(dir.path(), &f);
    same.addr = taken.local_addr();
    let e = MetricsServer::start(same, src()).unwrap_err();
    assert!(
        e.to_string().starts_with("cannot listen on 127.0.0.1:"),
        "{e}"
    );
}

#[test]
fn token_and_certificates_are_reloaded_when_their_files_change() {
    let dir = tempfile::tempdir().unwrap();
    let (pki, f) = setup(dir.path());
    let server = MetricsServer::start(config(dir.path(), &f), Arc::new(Source::default())).unwrap();
    let addr = server.local_addr();
    let client = Client::new(&pki.ca, None).unwrap();
    assert_eq!(
        client.get(addr, "/metrics", Some(TOKEN)).unwrap().status,
        200
    );

    // Rotate the token (as a Secret volume would) and the server certificate to a new CA.
    std::fs::write(dir.path().join("token"), "rotated-token-of-a-new-length\n").unwrap();
    let next = Pki::generate("next").unwrap();
    std::fs::write(&f.server_cert, &next.server_cert).unwrap();
    std::fs::write(&f.server_key, &next.server_key).unwrap();
    let next_client = Client::new(&next.ca, None).unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        match next_client.get(addr, "/metrics", Some("rotated-token-of-a-new-length")) {
            Ok(r) if r.status == 200 => break,
            other => assert!(
                std::time::Instant::now() < deadline,
                "not reloaded: {other:?}"
            ),
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        next_client
            .get(addr, "/metrics", Some(TOKEN))
            .unwrap()
            .status,
        401
    );
    // The old CA no longer vouches for the server.
    assert!(client.get(addr, "/healthz", None).is_err());

    // A broken rewrite keeps the last good credentials.
    std::fs::write(&f.server_key, "not a key").unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let r = loop {
        let r = next_client
            .get(addr, "/metrics", Some("rotated-token-of-a-new-length"))
            .unwrap();
        assert_eq!(r.status, 200);
        if !r
            .body
            .contains("harrier_metrics_credential_reloads_total{result=\"failure\"} 0\n")
        {
            break r;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the broken key was never tried: {}",
            r.body
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        r.body
            .contains("harrier_metrics_credential_reloads_total{result=\"failure\"} "),
        "{}",
        r.body
    );
}

#[test]
fn wrong_methods() {
    let dir = tempfile::tempdir().unwrap();
    let (pki, f) = setup(dir.path());
    let server = MetricsServer::start(config(dir.path(), &f), Arc::new(Source::default())).unwrap();
    let client = Client::new(&pki.ca, None).unwrap();
    // HEAD is allowed and carries no body.
    let r = client
        .request(server.local_addr(), "HEAD", "/metrics", Some(TOKEN))
        .unwrap();
    assert_eq!((r.status, r.body.as_str()), (200, ""));
    let r = client
        .request(server.local_addr(), "POST", "/metrics", Some(TOKEN))
        .unwrap();
    assert_eq!(r.status, 405);
}

#[test]
fn connections_are_bounded_and_stop_does_not_wait_for_idle_clients() {
    let dir = tempfile::tempdir().unwrap();
    let (pki, f) = setup(dir.path());
    let server = MetricsServer::start(config(dir.path(), &f), Arc::new(Source::default())).unwrap();
    let addr = server.local_addr();
    // Clients that connect and say nothing hold every slot (each until the handshake timeout).
    let idle: Vec<TcpStream> = (0..harrier_serve::MAX_CONNECTIONS)
        .map(|_| TcpStream::connect(addr).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    // One more is closed at once, without a handshake.
    let mut extra = TcpStream::connect(addr).unwrap();
    extra
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut buf = [0u8; 1];
    assert_eq!(extra.read(&mut buf).unwrap_or(0), 0);
    drop(idle);
    let client = Client::new(&pki.ca, None).unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    let body = loop {
        match client.get(addr, "/metrics", Some(TOKEN)) {
            Ok(r) if r.status == 200 => break r.body,
            other => assert!(std::time::Instant::now() < deadline, "{other:?}"),
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    // The extra connection, and any retry above that came before the slots were freed.
    let rejected: u64 = body
        .lines()
        .find_map(|l| l.strip_prefix("harrier_metrics_connections_rejected_total "))
        .and_then(|v| v.parse().ok())
        .unwrap();
    assert!(rejected >= 1, "{body}");

    // A client stuck before its handshake does not hold up stop.
    let _stuck = TcpStream::connect(addr).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    let t = std::time::Instant::now();
    server.stop();
    assert!(t.elapsed() < Duration::from_secs(4), "{:?}", t.elapsed());
}
