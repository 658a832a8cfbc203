//! Blobs: small ones read whole (configs), layers streamed, both checked against their
//! descriptor's digest and size.
//!
//! A layer stream hashes what passes through it and compares at the end: a stream that
//! ends short, runs long, or hashes wrong fails with an error at that point, never silently.
//! A connection that breaks mid-layer is resumed with a `Range` request from the byte
//! reached (or, from a server that ignores ranges, by skipping what was already read), a
//! bounded number of times, so a long download survives a flaky network without starting
//! over and without anything touching the disk.

use std::io::{self, Read};
use std::sync::Arc;

use sha2::{Digest as _, Sha256, Sha384, Sha512};
use ureq::Body;
use ureq::http::Response;

use super::client::{Client, error_chain, read_limited};
use super::error::RegistryError;

/// A running hash of one of the algorithms a digest may name.
#[derive(Clone)]
pub(crate) enum Hasher {
    Sha256(Sha256),
    Sha384(Sha384),
    Sha512(Sha512),
}

impl Hasher {
    /// The hasher for `digest`'s algorithm (`sha256:…`).
    pub(crate) fn for_digest(digest: &str) -> Option<Hasher> {
        match digest.split_once(':')?.0 {
            "sha256" => Some(Hasher::Sha256(Sha256::new())),
            "sha384" => Some(Hasher::Sha384(Sha384::new())),
            "sha512" => Some(Hasher::Sha512(Sha512::new())),
            _ => None,
        }
    }

    pub(crate) fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Sha384(h) => h.update(bytes),
            Hasher::Sha512(h) => h.update(bytes),
        }
    }

    /// `algorithm:hex`.
    pub(crate) fn finish(self) -> String {
        let (name, bytes) = match self {
            Hasher::Sha256(h) => ("sha256", h.finalize().to_vec()),
            Hasher::Sha384(h) => ("sha384", h.finalize().to_vec()),
            Hasher::Sha512(h) => ("sha512", h.finalize().to_vec()),
        };
        let mut out = String::with_capacity(name.len() + 1 + 2 * bytes.len());
        out.push_str(name);
        out.push(':');
        for b in bytes {
            out.push_str(&format!("{b:02x}"));
        }
        out
    }
}

/// The `sha256:` digest of `bytes`.
pub(crate) fn sha256_digest(bytes: &[u8]) -> String {
    let mut h = Hasher::Sha256(Sha256::new());
    h.update(bytes);
    h.finish()
}

/// Checks `bytes` against `expected` (any supported algorithm).
pub(crate) fn verify(url: &str, expected: &str, bytes: &[u8]) -> Result<(), RegistryError> {
    let mut hasher = Hasher::for_digest(expected).ok_or_else(|| RegistryError::DigestMismatch {
        url: url.to_owned(),
        expected: expected.to_owned(),
        actual: "(unsupported digest algorithm)".to_owned(),
    })?;
    hasher.update(bytes);
    let actual = hasher.finish();
    if actual != expected {
        return Err(RegistryError::DigestMismatch {
            url: url.to_owned(),
            expected: expected.to_owned(),
            actual,
        });
    }
    Ok(())
}

fn blob_path(client: &Client, digest: &str) -> String {
    format!("/v2/{}/blobs/{digest}", client.repository())
}

/// Reads a small blob whole, checking size and digest.
pub(crate) fn fetch_small(
    client: &Client,
    digest: &str,
    size: u64,
    limit: u64,
    what: &'static str,
) -> Result<Vec<u8>, RegistryError> {
    let path = blob_path(client, digest);
    let url = client.url(&path);
    if size > limit {
        return Err(RegistryError::TooLarge { what, url, limit });
    }
    let response = client.get(&path, None, None)?;
    // One byte past the size tells a long blob from an exact one.
    let bytes = read_limited(response, size.saturating_add(1), what, &url)?;
    if bytes.len() as u64 != size {
        return Err(RegistryError::SizeMismatch {
            url,
            expected: size,
            actual: bytes.len() as u64,
        });
    }
    verify(&url, digest, &bytes)?;
    Ok(bytes)
}

/// A layer blob as a verified stream.
pub(crate) struct BlobReader {
    client: Arc<Client>,
    path: String,
    url: String,
    /// Foreign layers' download URLs, tried when the registry does not have the blob.
    urls: Vec<String>,
    digest: String,
    size: u64,
    hasher: Option<Hasher>,
    received: u64,
    body: Option<Box<dyn Read + Send>>,
    resumes_left: u32,
    state: State,
}

enum State {
    Streaming,
    Done,
    Failed(String),
}

impl BlobReader {
    /// Opens the stream: the first request is made here, so that a missing blob or a refusal
    /// is a [`RegistryError`] rather than an I/O error on the first read.
    pub(crate) fn open(
        client: Arc<Client>,
        digest: &str,
        size: u64,
        urls: Vec<String>,
        resumes: u32,
    ) -> Result<BlobReader, RegistryError> {
        let path = blob_path(&client, digest);
        let url = client.url(&path);
        let hasher = Hasher::for_digest(digest).ok_or_else(|| RegistryError::DigestMismatch {
            url: url.clone(),
            expected: digest.to_owned(),
            actual: "(unsupported digest algorithm)".to_owned(),
        })?;
        let mut reader = BlobReader {
            client,
            path,
            url,
            urls,
            digest: digest.to_owned(),
            size,
            hasher: Some(hasher),
            received: 0,
            body: None,
            resumes_left: resumes,
            state: State::Streaming,
        };
        reader.body = Some(reader.request()?);
        Ok(reader)
    }

    /// Requests the blob from byte `self.received` on.
    fn request(&mut self) -> Result<Box<dyn Read + Send>, RegistryError> {
        let range_from = (self.received > 0).then_some(self.received);
        let response = match self.client.get(&self.path, None, range_from) {
            Err(e) if e.is_not_found() && !self.urls.is_empty() => {
                self.request_foreign(range_from, e)?
            }
            other => other?,
        };
        self.body_of(response)
    }

    fn request_foreign(
        &self,
        range_from: Option<u64>,
        not_found: RegistryError,
    ) -> Result<Response<Body>, RegistryError> {
        let mut last = not_found;
        for url in &self.urls {
            match self.client.get_external(url, range_from) {
                Ok(response) => return Ok(response),
                Err(e) => {
                    tracing::debug!("Foreign layer URL {url} failed: {}.", error_chain(&e));
                    last = e;
                }
            }
        }
        Err(last)
    }

    fn body_of(&mut self, response: Response<Body>) -> Result<Box<dyn Read + Send>, RegistryError> {
        let status = response.status().as_u16();
        let length = response
            .headers()
            .get("content-length")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let from = if status == 206 {
            let start = response
                .headers()
                .get("content-range")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().strip_prefix("bytes "))
                .and_then(|v| v.split('-').next())
                .and_then(|v| v.parse::<u64>().ok());
            if start != Some(self.received) {
                return Err(RegistryError::Status {
                    url: self.url.clone(),
                    status,
                    message: format!(
                        "asked for bytes from {}, got a range starting at {start:?}",
                        self.received
                    ),
                });
            }
            self.received
        } else {
            0
        };
        if let Some(length) = length {
            if from.saturating_add(length) != self.size {
                return Err(RegistryError::SizeMismatch {
                    url: self.url.clone(),
                    expected: self.size,
                    actual: from.saturating_add(length),
                });
            }
        }
        let mut reader = response.into_body().into_reader();
        if from < self.received {
            // The server ignored the range: skip what was already hashed.
            let skip = self.received - from;
            let skipped =
                io::copy(&mut (&mut reader).take(skip), &mut io::sink()).map_err(|e| {
                    RegistryError::Transport {
                        url: self.url.clone(),
                        source: Box::new(ureq::Error::Io(e)),
                    }
                })?;
            if skipped != skip {
                return Err(RegistryError::SizeMismatch {
                    url: self.url.clone(),
                    expected: self.size,
                    actual: skipped,
                });
            }
        }
        Ok(Box::new(reader))
    }

    fn fail(&mut self, error: RegistryError) -> io::Error {
        self.state = State::Failed(error.to_string());
        self.body = None;
        io::Error::other(error)
    }

    /// Picks the stream up again after it ended early (`cause` is `None`) or broke; fails
    /// when out of resumes.
    fn resume(&mut self, cause: Option<String>) -> io::Result<()> {
        self.body = None;
        if self.resumes_left == 0 {
            return Err(match cause {
                None => self.fail(RegistryError::SizeMismatch {
                    url: self.url.clone(),
                    expected: self.size,
                    actual: self.received,
                }),
                Some(cause) => self.fail_io(cause),
            });
        }
        self.resumes_left -= 1;
        tracing::info!(
            "The download of {} stopped at byte {} of {}{}; resuming.",
            self.url,
            self.received,
            self.size,
            cause.map(|c| format!(" ({c})")).unwrap_or_default()
        );
        match self.request() {
            Ok(body) => {
                self.body = Some(body);
                Ok(())
            }
            Err(e) => Err(self.fail(e)),
        }
    }

    fn fail_io(&mut self, cause: String) -> io::Error {
        let message = format!(
            "{}: the download broke at byte {} of {}: {cause}",
            self.url, self.received, self.size
        );
        self.state = State::Failed(message.clone());
        io::Error::other(message)
    }

    fn finish(&mut self) -> io::Result<usize> {
        let actual = self.hasher.take().map(Hasher::finish).unwrap_or_default();
        if actual != self.digest {
            return Err(self.fail(RegistryError::DigestMismatch {
                url: self.url.clone(),
                expected: self.digest.clone(),
                actual,
            }));
        }
        self.state = State::Done;
        self.body = None;
        Ok(0)
    }
}

impl Read for BlobReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &self.state {
            State::Done => return Ok(0),
            State::Failed(message) => return Err(io::Error::other(message.clone())),
            State::Streaming => {}
        }
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let Some(body) = self.body.as_mut() else {
                self.resume(None)?;
                continue;
            };
            // Ask for at most one byte past the end, to see a long blob as such.
            let room = self.size.saturating_sub(self.received).saturating_add(1);
            let want = usize::try_from(room).unwrap_or(usize::MAX).min(buf.len());
            let chunk = buf.get_mut(..want).unwrap_or_default();
            match body.read(chunk) {
                Ok(0) if self.received < self.size => self.resume(None)?,
                Ok(0) => return self.finish(),
                Ok(n) => {
                    let got = self.received.saturating_add(n as u64);
                    if got > self.size {
                        return Err(self.fail(RegistryError::SizeMismatch {
                            url: self.url.clone(),
                            expected: self.size,
                            actual: got,
                        }));
                    }
                    if let (Some(hasher), Some(bytes)) = (self.hasher.as_mut(), chunk.get(..n)) {
                        hasher.update(bytes);
                    }
                    self.received = got;
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => self.resume(Some(e.to_string()))?,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests() {
        assert_eq!(
            sha256_digest(b""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert!(
            verify(
                "u",
                "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                b""
            )
            .is_ok()
        );
        assert!(verify("u", "sha256:00", b"").is_err());
        assert!(verify("u", "md5:00", b"").is_err());
        let mut h = Hasher::for_digest("sha512:x").unwrap_or(Hasher::Sha256(Sha256::new()));
        h.update(b"abc");
        assert!(h.finish().starts_with("sha512:ddaf35a193617aba"));
    }
}
