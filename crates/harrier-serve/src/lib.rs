//! Harrier's HTTPS endpoints: TLS, authentication, and the Prometheus text exposition.
//!
//! Every network endpoint Harrier serves has TLS and authentication: there is no plain-HTTP
//! mode and no anonymous one. [`MetricsServer`] serves `GET /metrics` (a [`Collect`] rendered
//! in the text exposition format 0.0.4) to clients that present the bearer token, a client
//! certificate signed by the configured CA, or both when both are configured; and `GET
//! /healthz`, which anyone who completes the TLS handshake may call and which says only `ok`.
//! Certificates, the client CA and the token are reloaded when their files change (cert-manager
//! renewals, rotated Secrets) without a restart.
//!
//! It is its own crate, under the sensor, because the console and the admission webhook serve
//! HTTPS with the same rules (certificate files, reload, token or mTLS), and they must not depend
//! on the sensor (aya, the eBPF collector) to get them, nor the sensor on the console. The
//! exposition writer ([`exposition`]) and the process metrics ([`process`]) are plain std code
//! that any of them can render into.
//!
//! ```no_run
//! use std::sync::Arc;
//! use harrier_serve::{MetricsServer, ServeConfig, process::ProcessCollector};
//!
//! let cfg = ServeConfig::new(
//!     "0.0.0.0:9464".parse()?,
//!     "/etc/harrier/tls.crt".into(),
//!     "/etc/harrier/tls.key".into(),
//! )
//! .with_token_file("/etc/harrier/metrics-token".into());
//! let server = MetricsServer::start(cfg, Arc::new(ProcessCollector::default()))?;
//! // ... serve until done, then:
//! server.stop();
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

pub mod exposition;
pub mod process;
mod server;
#[cfg(feature = "testing")]
pub mod testing;
mod tls;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

pub use exposition::{Collect, Kind, Writer};
pub use server::{
    CONNECTION_LIFETIME, HANDSHAKE_TIMEOUT, HEADER_TIMEOUT, MAX_CONNECTIONS, MetricsServer,
    SHUTDOWN_GRACE,
};

/// Where metrics are served unless told otherwise: every interface (Prometheus scrapes the
/// sensor from another pod), port 9464. Prometheus' exporter port range (9100–9999) is fully
/// allocated; 9464 is the port OpenTelemetry's Prometheus exporters default to, the common
/// choice for a process exposing its own metrics, and clear of node-exporter (9100), Falco
/// (8765) and the kubelet (10250) that run beside a sensor on the same node.
pub const DEFAULT_ADDR: &str = "0.0.0.0:9464";

/// Settings of an endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeConfig {
    /// Where to listen.
    pub addr: SocketAddr,
    /// The server certificate chain (PEM, leaf first).
    pub tls_cert: PathBuf,
    /// The server's private key (PEM: PKCS#8, PKCS#1 or SEC1).
    pub tls_key: PathBuf,
    /// Clients must present a certificate signed by one of these CAs (PEM) to read metrics.
    pub client_ca: Option<PathBuf>,
    /// Clients must send `Authorization: Bearer <the file's content, trimmed>`.
    pub token_file: Option<PathBuf>,
    /// How often the files are checked for changes.
    pub reload_every: Duration,
}

impl ServeConfig {
    /// An endpoint on `addr` with this certificate and key, and no authentication yet (add
    /// [`with_token_file`](Self::with_token_file) or [`with_client_ca`](Self::with_client_ca):
    /// [`MetricsServer::start`] refuses to start without one).
    pub fn new(addr: SocketAddr, tls_cert: PathBuf, tls_key: PathBuf) -> Self {
        ServeConfig {
            addr,
            tls_cert,
            tls_key,
            client_ca: None,
            token_file: None,
            reload_every: Duration::from_secs(30),
        }
    }

    /// Requires a bearer token, read from `path`.
    pub fn with_token_file(mut self, path: PathBuf) -> Self {
        self.token_file = Some(path);
        self
    }

    /// Requires client certificates signed by the CAs in `path`.
    pub fn with_client_ca(mut self, path: PathBuf) -> Self {
        self.client_ca = Some(path);
        self
    }

    /// Checks the files for changes every `every`.
    pub fn with_reload_every(mut self, every: Duration) -> Self {
        self.reload_every = every;
        self
    }
}

/// Starting an endpoint failed.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Neither a token nor a client CA was configured.
    #[error(
        "an HTTPS endpoint needs authentication: a bearer token file, a client CA for client certificates, or both"
    )]
    NoAuthentication,
    /// A file could not be read.
    #[error("cannot read `{}`", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A PEM file held nothing usable.
    #[error("`{}`: no usable {what}: {why}", path.display())]
    Pem {
        /// The file.
        path: PathBuf,
        /// What was looked for.
        what: &'static str,
        /// Why it was not usable.
        why: String,
    },
    /// The token file is empty.
    #[error("`{}`: the token file is empty", path.display())]
    EmptyToken {
        /// The file.
        path: PathBuf,
    },
    /// rustls refused the certificate, key or CA.
    #[error("`{}`: unusable for TLS", path.display())]
    Tls {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: rustls::Error,
    },
    /// The client CA could not be used to verify clients.
    #[error("`{}`: unusable as a client CA", path.display())]
    ClientCa {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: rustls::server::VerifierBuilderError,
    },
    /// The address could not be bound.
    #[error("cannot listen on {addr}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The server's thread or runtime could not start.
    #[error("cannot start the server's thread")]
    Runtime(#[source] std::io::Error),
}

impl ServeError {
    /// Whether no authentication was configured.
    pub fn is_no_authentication(&self) -> bool {
        matches!(self, ServeError::NoAuthentication)
    }
}
