//! The HTTPS server: one small current-thread tokio runtime on its own OS thread, so that the
//! caller (the sensor's synchronous pipeline) needs no runtime of its own and a slow scrape never
//! competes with event processing for a worker.
//!
//! Bounds: at most [`MAX_CONNECTIONS`] connections at once (more are closed on accept and
//! counted), a TLS handshake must finish in [`HANDSHAKE_TIMEOUT`], request headers must arrive
//! in [`HEADER_TIMEOUT`], and a connection lives at most [`CONNECTION_LIFETIME`] (then it is
//! closed gracefully; Prometheus reconnects). Request bodies are never read. Stopping waits at
//! most [`SHUTDOWN_GRACE`] for open connections.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::sync::{Semaphore, watch};
use tokio_rustls::TlsAcceptor;

use crate::exposition::{self, Collect, Kind, Writer};
use crate::tls::{Credentials, fingerprint};
use crate::{ServeConfig, ServeError};

/// Connections served at once.
pub const MAX_CONNECTIONS: usize = 64;
/// Time allowed for the TLS handshake.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Time allowed for a request's headers.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long [`MetricsServer::stop`] waits for open connections.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);
/// The longest a connection is kept.
pub const CONNECTION_LIFETIME: Duration = Duration::from_secs(300);

/// The server's own counters, rendered after the source's metrics.
#[derive(Debug, Default)]
struct Counters {
    /// By status: 200, 401, 404, 405.
    responses: [AtomicU64; 4],
    handshake_failures: AtomicU64,
    rejected: AtomicU64,
    reloads: AtomicU64,
    reload_failures: AtomicU64,
}

const CODES: [u16; 4] = [200, 401, 404, 405];

impl Counters {
    fn response(&self, code: StatusCode) {
        if let Some(i) = CODES.iter().position(|c| *c == code.as_u16()) {
            self.responses[i].fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl Collect for Counters {
    fn collect(&self, w: &mut Writer<'_>) {
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let mut f = w.family(
            "harrier_metrics_http_responses_total",
            "Responses of the metrics endpoint, by status code.",
            Kind::Counter,
        );
        for (code, n) in [("200", 0), ("401", 1), ("404", 2), ("405", 3)] {
            f.sample(&[("code", code)], load(&self.responses[n]));
        }
        w.family(
            "harrier_metrics_tls_handshake_failures_total",
            "TLS handshakes of the metrics endpoint that failed or timed out.",
            Kind::Counter,
        )
        .sample(&[], load(&self.handshake_failures));
        w.family(
            "harrier_metrics_connections_rejected_total",
            "Connections closed on accept because too many were open.",
            Kind::Counter,
        )
        .sample(&[], load(&self.rejected));
        w.family(
            "harrier_metrics_credential_reloads_total",
            "Reloads of the certificate, key, client CA or token files after they changed.",
            Kind::Counter,
        )
        .sample(&[("result", "success")], load(&self.reloads))
        .sample(&[("result", "failure")], load(&self.reload_failures));
    }
}

/// A running endpoint. Dropping it stops it too.
pub struct MetricsServer {
    addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for MetricsServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetricsServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl MetricsServer {
    /// Loads the credentials, binds `cfg.addr` and serves `source` on a thread of its own.
    /// Fails, before anything is served, when no authentication is configured or a file is
    /// missing or unusable.
    pub fn start(cfg: ServeConfig, source: Arc<dyn Collect>) -> Result<MetricsServer, ServeError> {
        let creds = Credentials::load(&cfg)?;
        let bind = |e| ServeError::Bind {
            addr: cfg.addr,
            source: e,
        };
        let std_listener = std::net::TcpListener::bind(cfg.addr).map_err(bind)?;
        std_listener.set_nonblocking(true).map_err(bind)?;
        let addr = std_listener.local_addr().map_err(bind)?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(ServeError::Runtime)?;
        let listener = {
            let _guard = rt.enter();
            tokio::net::TcpListener::from_std(std_listener).map_err(bind)?
        };
        let (tx, rx) = watch::channel(false);
        let fingerprints = fingerprint(&cfg);
        let thread = std::thread::Builder::new()
            .name("harrier-metrics".to_owned())
            .spawn(move || {
                rt.block_on(serve(listener, cfg, creds, fingerprints, source, rx));
            })
            .map_err(ServeError::Runtime)?;
        tracing::info!("Serving metrics over HTTPS on {addr}.");
        Ok(MetricsServer {
            addr,
            shutdown: tx,
            thread: Some(thread),
        })
    }

    /// The address it listens on (with the port chosen when asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, lets open requests finish, and waits for the thread.
    pub fn stop(mut self) {
        self.shutdown_and_join();
    }

    fn shutdown_and_join(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for MetricsServer {
    fn drop(&mut self) {
        self.shutdown_and_join();
    }
}

type Fingerprints = Vec<(std::path::PathBuf, Option<(std::time::SystemTime, u64)>)>;

async fn serve(
    listener: tokio::net::TcpListener,
    cfg: ServeConfig,
    creds: Credentials,
    mut fingerprints: Fingerprints,
    source: Arc<dyn Collect>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut creds = Arc::new(creds);
    let counters = Arc::new(Counters::default());
    let limit = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut reload = tokio::time::interval(cfg.reload_every.max(Duration::from_millis(10)));
    reload.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut tasks = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            _ = reload.tick() => {
                let now = fingerprint(&cfg);
                if now != fingerprints {
                    fingerprints = now;
                    match Credentials::load(&cfg) {
                        Ok(c) => {
                            creds = Arc::new(c);
                            counters.reloads.fetch_add(1, Ordering::Relaxed);
                            tracing::info!("Reloaded the metrics endpoint's certificates and token after their files changed.");
                        }
                        Err(e) => {
                            counters.reload_failures.fetch_add(1, Ordering::Relaxed);
                            tracing::warn!("Kept the previous certificates and token of the metrics endpoint: {}", chain(&e));
                        }
                    }
                }
            }
            accepted = listener.accept() => {
                let (tcp, peer) = match accepted {
                    Ok(x) => x,
                    Err(e) => {
                        // Out of file descriptors and the like: back off instead of spinning.
                        tracing::warn!("The metrics endpoint could not accept a connection: {e}.");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                };
                let Ok(permit) = Arc::clone(&limit).try_acquire_owned() else {
                    counters.rejected.fetch_add(1, Ordering::Relaxed);
                    drop(tcp);
                    continue;
                };
                let conn = Conn {
                    creds: Arc::clone(&creds),
                    source: Arc::clone(&source),
                    counters: Arc::clone(&counters),
                };
                let shutdown = shutdown.clone();
                tasks.spawn(async move {
                    conn.run(tcp, peer, shutdown).await;
                    drop(permit);
                });
                // Reap finished tasks so the set stays as small as the open connections.
                while tasks.try_join_next().is_some() {}
            }
        }
    }
    // Open connections got the same shutdown signal and finish their request; one still in its
    // TLS handshake or stuck on a slow client is cut off after a grace period.
    let drained = tokio::time::timeout(SHUTDOWN_GRACE, async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tasks.shutdown().await;
    }
}

struct Conn {
    creds: Arc<Credentials>,
    source: Arc<dyn Collect>,
    counters: Arc<Counters>,
}

impl Conn {
    async fn run(
        self,
        tcp: tokio::net::TcpStream,
        peer: SocketAddr,
        mut shutdown: watch::Receiver<bool>,
    ) {
        let acceptor = TlsAcceptor::from(Arc::clone(&self.creds.tls));
        let tls = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
            Ok(Ok(s)) => s,
            Ok(Err(e)) => {
                self.counters
                    .handshake_failures
                    .fetch_add(1, Ordering::Relaxed);
                tracing::debug!("TLS handshake with {peer} failed: {e}.");
                return;
            }
            Err(_) => {
                self.counters
                    .handshake_failures
                    .fetch_add(1, Ordering::Relaxed);
                tracing::debug!("TLS handshake with {peer} timed out.");
                return;
            }
        };
        // rustls verified any certificate the client presented against the client CA.
        let client_cert = tls
            .get_ref()
            .1
            .peer_certificates()
            .is_some_and(|c| !c.is_empty());
        let this = Arc::new(self);
        let svc = hyper::service::service_fn(move |req: Request<Incoming>| {
            let this = Arc::clone(&this);
            async move { Ok::<_, Infallible>(this.respond(&req, client_cert, peer)) }
        });
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_TIMEOUT)
            .serve_connection(TokioIo::new(tls), svc);
        tokio::pin!(conn);
        let lifetime = tokio::time::sleep(CONNECTION_LIFETIME);
        tokio::pin!(lifetime);
        let mut closing = false;
        loop {
            tokio::select! {
                r = conn.as_mut() => {
                    if let Err(e) = r {
                        tracing::debug!("Metrics connection from {peer} ended: {e}.");
                    }
                    break;
                }
                _ = shutdown.changed(), if !closing => {
                    closing = true;
                    conn.as_mut().graceful_shutdown();
                }
                _ = &mut lifetime, if !closing => {
                    closing = true;
                    conn.as_mut().graceful_shutdown();
                }
            }
        }
    }

    fn respond(
        &self,
        req: &Request<Incoming>,
        client_cert: bool,
        peer: SocketAddr,
    ) -> Response<Full<Bytes>> {
        let r = self.route(req, client_cert, peer);
        self.counters.response(r.status());
        r
    }

    fn route(
        &self,
        req: &Request<Incoming>,
        client_cert: bool,
        peer: SocketAddr,
    ) -> Response<Full<Bytes>> {
        let path = req.uri().path();
        if path != "/metrics" && path != "/healthz" {
            return text(StatusCode::NOT_FOUND, "not found\n");
        }
        if req.method() != Method::GET && req.method() != Method::HEAD {
            let mut r = text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n");
            r.headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
            return r;
        }
        if path == "/healthz" {
            return text(StatusCode::OK, "ok\n");
        }
        if self.creds.client_certs && !client_cert {
            tracing::debug!("Refused metrics to {peer}: no client certificate.");
            return unauthorized(false);
        }
        let auth = req
            .headers()
            .get(header::AUTHORIZATION)
            .map(HeaderValue::as_bytes);
        if !self.creds.token_ok(auth) {
            // Never log the header: it may hold a near-miss of the real token.
            tracing::debug!("Refused metrics to {peer}: missing or wrong bearer token.");
            return unauthorized(true);
        }
        let mut body = String::with_capacity(16 * 1024);
        {
            let mut w = Writer::new(&mut body);
            self.source.collect(&mut w);
            self.counters.collect(&mut w);
        }
        let mut r = Response::new(Full::new(Bytes::from(body)));
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(exposition::CONTENT_TYPE),
        );
        r
    }
}

fn text(code: StatusCode, body: &'static str) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *r.status_mut() = code;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

fn unauthorized(token: bool) -> Response<Full<Bytes>> {
    let mut r = text(StatusCode::UNAUTHORIZED, "unauthorized\n");
    if token {
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"harrier\""),
        );
    }
    r
}

fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(c) = src {
        s.push_str(": ");
        s.push_str(&c.to_string());
        src = c.source();
    }
    s
}
