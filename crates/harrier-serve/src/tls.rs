//! Loading what the endpoint authenticates with: the server certificate and key, the client CA
//! (mTLS), and the bearer token, into one immutable [`Credentials`] snapshot that the server
//! swaps when the files change.
//!
//! The token is kept only as its SHA-256 digest: requests are compared digest to digest in
//! constant time (which also hides the token's length), and no copy of the token stays in memory
//! where a `Debug` print or a log line could reach it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::server::WebPkiClientVerifier;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::{ServeConfig, ServeError};

/// The TLS configuration and the token digest, as loaded from the files at one moment.
pub(crate) struct Credentials {
    pub(crate) tls: Arc<rustls::ServerConfig>,
    token_sha256: Option<[u8; 32]>,
    pub(crate) client_certs: bool,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("token", &self.token_sha256.map(|_| "<set>"))
            .field("client_certs", &self.client_certs)
            .finish_non_exhaustive()
    }
}

impl Credentials {
    pub(crate) fn load(cfg: &ServeConfig) -> Result<Credentials, ServeError> {
        if cfg.token_file.is_none() && cfg.client_ca.is_none() {
            return Err(ServeError::NoAuthentication);
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let certs = read_certs(&cfg.tls_cert)?;
        let key = read_key(&cfg.tls_key)?;
        let builder = rustls::ServerConfig::builder_with_provider(Arc::clone(&provider))
            .with_safe_default_protocol_versions()
            .map_err(|source| ServeError::Tls {
                path: cfg.tls_cert.clone(),
                source,
            })?;
        let builder = match &cfg.client_ca {
            Some(ca) => {
                let mut roots = rustls::RootCertStore::empty();
                for c in read_certs(ca)? {
                    roots.add(c).map_err(|source| ServeError::Tls {
                        path: ca.clone(),
                        source,
                    })?;
                }
                // A client without a certificate may finish the handshake (kubelet probes
                // `/healthz` with none); one that presents a certificate must present one the
                // CA signed, or the handshake fails. `/metrics` then asks for a verified one.
                let verifier = WebPkiClientVerifier::builder_with_provider(
                    Arc::new(roots),
                    Arc::clone(&provider),
                )
                .allow_unauthenticated()
                .build()
                .map_err(|source| ServeError::ClientCa {
                    path: ca.clone(),
                    source,
                })?;
                builder.with_client_cert_verifier(verifier)
            }
            None => builder.with_no_client_auth(),
        };
        let mut tls = builder
            .with_single_cert(certs, key)
            .map_err(|source| ServeError::Tls {
                path: cfg.tls_key.clone(),
                source,
            })?;
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
        let token_sha256 = match &cfg.token_file {
            Some(p) => Some(read_token_digest(p)?),
            None => None,
        };
        Ok(Credentials {
            tls: Arc::new(tls),
            token_sha256,
            client_certs: cfg.client_ca.is_some(),
        })
    }

    /// Whether the `Authorization` header value carries the token (true when no token is
    /// configured).
    pub(crate) fn token_ok(&self, authorization: Option<&[u8]>) -> bool {
        let Some(want) = &self.token_sha256 else {
            return true;
        };
        let Some(given) = authorization.and_then(bearer) else {
            return false;
        };
        let got: [u8; 32] = Sha256::digest(given).into();
        bool::from(got.ct_eq(want))
    }
}

/// The credentials of `Authorization: Bearer <credentials>` (the scheme is case-insensitive,
/// RFC 9110 §11.1).
fn bearer(v: &[u8]) -> Option<&[u8]> {
    let (scheme, rest) = v.split_at_checked(7)?;
    if !scheme.eq_ignore_ascii_case(b"bearer ") {
        return None;
    }
    let rest = rest.trim_ascii();
    (!rest.is_empty()).then_some(rest)
}

fn read(path: &Path) -> Result<Vec<u8>, ServeError> {
    std::fs::read(path).map_err(|source| ServeError::Read {
        path: path.to_owned(),
        source,
    })
}

fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, ServeError> {
    let pem = read(path)?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ServeError::Pem {
            path: path.to_owned(),
            what: "certificate",
            why: e.to_string(),
        })?;
    if certs.is_empty() {
        return Err(ServeError::Pem {
            path: path.to_owned(),
            what: "certificate",
            why: "no `CERTIFICATE` block found".to_owned(),
        });
    }
    Ok(certs)
}

fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>, ServeError> {
    let pem = read(path)?;
    // The error names the file only: a key parser's message could quote key material.
    PrivateKeyDer::from_pem_slice(&pem).map_err(|_| ServeError::Pem {
        path: path.to_owned(),
        what: "private key",
        why: "no PKCS#8, PKCS#1 or SEC1 private key block found".to_owned(),
    })
}

fn read_token_digest(path: &Path) -> Result<[u8; 32], ServeError> {
    let raw = read(path)?;
    // Kubernetes Secrets and `echo token > file` leave a final newline.
    let token = raw.trim_ascii();
    if token.is_empty() {
        return Err(ServeError::EmptyToken {
            path: path.to_owned(),
        });
    }
    Ok(Sha256::digest(token).into())
}

/// The files whose change triggers a reload, and a cheap fingerprint of each (modification time
/// and length; Kubernetes Secret volumes swap a symlink, which changes both).
pub(crate) fn fingerprint(
    cfg: &ServeConfig,
) -> Vec<(PathBuf, Option<(std::time::SystemTime, u64)>)> {
    [
        Some(&cfg.tls_cert),
        Some(&cfg.tls_key),
        cfg.client_ca.as_ref(),
        cfg.token_file.as_ref(),
    ]
    .into_iter()
    .flatten()
    .map(|p| {
        let m = std::fs::metadata(p)
            .ok()
            .and_then(|m| Some((m.modified().ok()?, m.len())));
        (p.clone(), m)
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_scheme() {
        assert_eq!(bearer(b"Bearer abc"), Some(&b"abc"[..]));
        assert_eq!(bearer(b"bearer  abc "), Some(&b"abc"[..]));
        assert_eq!(bearer(b"Basic abc"), None);
        assert_eq!(bearer(b"Bearer "), None);
        assert_eq!(bearer(b"Bear"), None);
        assert_eq!(bearer(b"Bearerabc"), None);
    }
}
