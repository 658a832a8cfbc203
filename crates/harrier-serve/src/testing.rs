//! Test support for crates that serve HTTPS endpoints (feature `testing`): a throwaway PKI (a CA,
//! a server certificate for `localhost` and `127.0.0.1`, a client certificate) and a minimal
//! HTTPS client that can present a bearer token and a client certificate. Tests use it instead
//! of `curl` so that they check exactly what a client sent and got.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName};

/// Errors of the test helpers.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// A CA with one server and one client certificate, all PEM.
#[derive(Debug, Clone)]
pub struct Pki {
    /// The CA certificate.
    pub ca: String,
    /// The server certificate (`localhost`, `127.0.0.1`).
    pub server_cert: String,
    /// The server key.
    pub server_key: String,
    /// The client certificate (`CN=prometheus`, client auth).
    pub client_cert: String,
    /// The client key.
    pub client_key: String,
}

/// Where [`Pki::write`] put the files.
#[derive(Debug, Clone)]
pub struct PkiFiles {
    /// `ca.pem`.
    pub ca: PathBuf,
    /// `server.pem`.
    pub server_cert: PathBuf,
    /// `server.key`.
    pub server_key: PathBuf,
    /// `client.pem`.
    pub client_cert: PathBuf,
    /// `client.key`.
    pub client_key: PathBuf,
}

impl Pki {
    /// A new CA named `name` and its two certificates.
    pub fn generate(name: &str) -> Result<Pki, Error> {
        let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, format!("{name} CA"));
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate()?)?;

        let mut server =
            CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])?;
        server
            .distinguished_name
            .push(DnType::CommonName, format!("{name} server"));
        server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let server_key = KeyPair::generate()?;
        let server_cert = server.signed_by(&server_key, &ca)?;

        let mut client = CertificateParams::new(Vec::<String>::new())?;
        client
            .distinguished_name
            .push(DnType::CommonName, "prometheus");
        client.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let client_key = KeyPair::generate()?;
        let client_cert = client.signed_by(&client_key, &ca)?;

        Ok(Pki {
            ca: ca.pem(),
            server_cert: server_cert.pem(),
            server_key: server_key.serialize_pem(),
            client_cert: client_cert.pem(),
            client_key: client_key.serialize_pem(),
        })
    }

    /// Writes the five files into `dir`.
    pub fn write(&self, dir: &Path) -> std::io::Result<PkiFiles> {
        let f = PkiFiles {
            ca: dir.join("ca.pem"),
            server_cert: dir.join("server.pem"),
            server_key: dir.join("server.key"),
            client_cert: dir.join("client.pem"),
            client_key: dir.join("client.key"),
        };
        std::fs::write(&f.ca, &self.ca)?;
        std::fs::write(&f.server_cert, &self.server_cert)?;
        std::fs::write(&f.server_key, &self.server_key)?;
        std::fs::write(&f.client_cert, &self.client_cert)?;
        std::fs::write(&f.client_key, &self.client_key)?;
        Ok(f)
    }
}

/// A response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// `Content-Type`.
    pub content_type: Option<String>,
    /// `WWW-Authenticate`.
    pub www_authenticate: Option<String>,
    /// The body.
    pub body: String,
}

/// An HTTPS client trusting one CA, optionally presenting a client certificate.
#[derive(Debug, Clone)]
pub struct Client {
    config: Arc<rustls::ClientConfig>,
}

impl Client {
    /// Trusts `ca_pem`; presents `identity` (certificate PEM, key PEM) when given.
    pub fn new(ca_pem: &str, identity: Option<(&str, &str)>) -> Result<Client, Error> {
        let mut roots = rustls::RootCertStore::empty();
        for c in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
            roots.add(c?)?;
        }
        let builder = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots);
        let config = match identity {
            Some((cert, key)) => {
                let certs = CertificateDer::pem_slice_iter(cert.as_bytes())
                    .collect::<Result<Vec<_>, _>>()?;
                let key = PrivateKeyDer::from_pem_slice(key.as_bytes())?;
                builder.with_client_auth_cert(certs, key)?
            }
            None => builder.with_no_client_auth(),
        };
        Ok(Client {
            config: Arc::new(config),
        })
    }

    /// `GET https://localhost/<path>` from `addr`, with `Authorization: Bearer <token>` when
    /// given. Errors are connection and handshake failures; any HTTP status is a [`Reply`].
    pub fn get(&self, addr: SocketAddr, path: &str, token: Option<&str>) -> Result<Reply, Error> {
        self.request(addr, "GET", path, token)
    }

    /// As [`get`](Self::get), with another method.
    pub fn request(
        &self,
        addr: SocketAddr,
        method: &str,
        path: &str,
        token: Option<&str>,
    ) -> Result<Reply, Error> {
        let method = hyper::Method::from_bytes(method.as_bytes())?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        rt.block_on(async {
            let tcp = tokio::net::TcpStream::connect(addr).await?;
            let tls = tokio_rustls::TlsConnector::from(Arc::clone(&self.config))
                .connect(ServerName::try_from("localhost")?, tcp)
                .await?;
            let (mut sender, conn) =
                hyper::client::conn::http1::handshake(TokioIo::new(tls)).await?;
            let conn = tokio::spawn(conn);
            let mut req = hyper::Request::builder()
                .method(method)
                .uri(path)
                .header(hyper::header::HOST, "localhost");
            if let Some(t) = token {
                req = req.header(hyper::header::AUTHORIZATION, format!("Bearer {t}"));
            }
            let resp = sender
                .send_request(req.body(Empty::<Bytes>::new())?)
                .await?;
            let header = |h| {
                resp.headers()
                    .get(h)
                    .and_then(|v: &hyper::header::HeaderValue| v.to_str().ok())
                    .map(str::to_owned)
            };
            let status = resp.status().as_u16();
            let content_type = header(hyper::header::CONTENT_TYPE);
            let www_authenticate = header(hyper::header::WWW_AUTHENTICATE);
            let body = resp.into_body().collect().await?.to_bytes();
            drop(sender);
            let _ = conn.await;
            Ok(Reply {
                status,
                content_type,
                www_authenticate,
                body: String::from_utf8(body.to_vec())?,
            })
        })
    }
}
