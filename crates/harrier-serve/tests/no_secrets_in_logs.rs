//! "No secrets in logs": everything the endpoint logs, at every level, while it is scraped with
//! the right token, wrong ones and near misses, sent the token over plain HTTP, and has its token
//! rotated (once successfully, once to an empty file), never contains a token. Its own test
//! binary, because the subscriber must be global to see the server's thread.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use harrier_serve::testing::{Client, Pki};
use harrier_serve::{Collect, Kind, MetricsServer, ServeConfig, Writer};

#[derive(Clone, Default)]
struct Buf(Arc<Mutex<Vec<u8>>>);

impl Write for Buf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

struct Source;

impl Collect for Source {
    fn collect(&self, w: &mut Writer<'_>) {
        w.family("x_total", "X.", Kind::Counter).sample(&[], 1u64);
    }
}

const FIRST: &str = "first-secret-token-0123456789";
const SECOND: &str = "second-secret-token-abcdef";

#[test]
fn no_token_is_ever_logged() {
    let buf = Buf::default();
    let writer = buf.clone();
    tracing::subscriber::set_global_default(
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish(),
    )
    .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::generate("logs").unwrap();
    let f = pki.write(dir.path()).unwrap();
    let token = dir.path().join("token");
    std::fs::write(&token, FIRST).unwrap();
    let cfg = ServeConfig::new(
        "127.0.0.1:0".parse().unwrap(),
        f.server_cert.clone(),
        f.server_key.clone(),
    )
    .with_token_file(token.clone())
    .with_reload_every(Duration::from_millis(50));
    let server = MetricsServer::start(cfg, Arc::new(Source)).unwrap();
    let addr = server.local_addr();
    let client = Client::new(&pki.ca, None).unwrap();

    assert_eq!(
        client.get(addr, "/metrics", Some(FIRST)).unwrap().status,
        200
    );
    let near_miss = &FIRST[..FIRST.len() - 1];
    for wrong in [near_miss, "Bearer", SECOND] {
        assert_eq!(
            client.get(addr, "/metrics", Some(wrong)).unwrap().status,
            401
        );
    }
    assert_eq!(client.get(addr, "/nope", Some(FIRST)).unwrap().status, 404);
    let mut plain = TcpStream::connect(addr).unwrap();
    let _ = write!(
        plain,
        "GET /metrics HTTP/1.1\r\nAuthorization: Bearer {FIRST}\r\n\r\n"
    );
    drop(plain);

    // Rotate to the second token, then break the file.
    std::fs::write(&token, SECOND).unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while client.get(addr, "/metrics", Some(SECOND)).unwrap().status != 200 {
        assert!(std::time::Instant::now() < deadline, "never reloaded");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::fs::write(&token, "\n").unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !String::from_utf8_lossy(&buf.0.lock().unwrap()).contains("the token file is empty") {
        assert!(
            std::time::Instant::now() < deadline,
            "the empty file was never read"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        client.get(addr, "/metrics", Some(SECOND)).unwrap().status,
        200
    );
    server.stop();

    let logs = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
    // The logs say what happened...
    for expected in [
        "Serving metrics over HTTPS on 127.0.0.1:",
        "missing or wrong bearer token",
        "TLS handshake with 127.0.0.1:",
        "Reloaded the metrics endpoint's certificates and token",
        "the token file is empty",
    ] {
        assert!(logs.contains(expected), "{expected:?} not in:\n{logs}");
    }
    // ...and never a token, nor a recognisable piece of one.
    for secret in [FIRST, SECOND, near_miss, &FIRST[..12], &SECOND[..12]] {
        assert!(!logs.contains(secret), "{secret:?} logged:\n{logs}");
    }
}
