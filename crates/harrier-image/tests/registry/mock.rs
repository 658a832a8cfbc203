//! Behaviours no stock registry shows on demand, from a scripted HTTP server: redirects to
//! another host, failures and retries, broken and corrupted streams, schema 1, oversized
//! manifests, the identity-token form exchange.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use harrier_image::source::registry::{Reference, RegistryError, RegistryOptions, pull};

use crate::images::{self, Image};

/// A request as the server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: String,
    /// How many requests for this path came before, this one excluded.
    pub nth: usize,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

/// An answer; `cut_after` sends only that many body bytes, then closes.
#[derive(Clone, Debug, Default)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub cut_after: Option<usize>,
}

impl Reply {
    pub fn new(status: u16) -> Reply {
        Reply {
            status,
            ..Reply::default()
        }
    }

    pub fn body(mut self, content_type: &str, body: &[u8]) -> Reply {
        self.headers
            .push(("Content-Type".to_owned(), content_type.to_owned()));
        self.body = body.to_vec();
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

type Handler = dyn Fn(&Seen) -> Reply + Send + Sync;

pub struct Mock {
    pub host: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Mock {
    pub fn start(handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Mock {
        Mock::start_on(std::net::Ipv4Addr::LOCALHOST.into(), handler)
    }

    /// A server on `ip` (a free port of it).
    pub fn start_on(
        ip: std::net::IpAddr,
        handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static,
    ) -> Mock {
        let listener = TcpListener::bind((ip, 0)).expect("bind");
        let host = listener.local_addr().expect("addr").to_string();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        let handler: Arc<Handler> = Arc::new(handler);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let log = Arc::clone(&log);
                let handler = Arc::clone(&handler);
                std::thread::spawn(move || {
                    let _ = serve(stream, &*handler, &log);
                });
            }
        });
        Mock { host, seen }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("lock").clone()
    }

    pub fn seen_path(&self, path: &str) -> Vec<Seen> {
        self.seen().into_iter().filter(|s| s.path == path).collect()
    }
}

fn serve(stream: TcpStream, handler: &Handler, log: &Mutex<Vec<Seen>>) -> std::io::Result<()> {
    // A TLS ClientHello (a handshake record, 0x16) gets the connection closed, as a plain-HTTP
    // server would answer it with garbage: the client sees a TLS failure at once.
    let mut first = [0u8; 1];
    if stream.peek(&mut first)? == 1 && first[0] == 0x16 {
        return Ok(());
    }
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_owned();
    let path = parts.next().unwrap_or("/").to_owned();
    let mut headers = HashMap::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
        }
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let seen = {
        let mut log = log.lock().expect("lock");
        let nth = log.iter().filter(|s| s.path == path).count();
        let seen = Seen {
            method,
            path,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
            nth,
        };
        log.push(seen.clone());
        seen
    };
    let reply = handler(&seen);
    let mut out = stream;
    let mut head = format!("HTTP/1.1 {} X\r\n", reply.status);
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        reply.body.len()
    ));
    out.write_all(head.as_bytes())?;
    let sent = reply
        .cut_after
        .unwrap_or(reply.body.len())
        .min(reply.body.len());
    out.write_all(&reply.body[..sent])?;
    out.flush()?;
    if reply.cut_after.is_some() {
        out.shutdown(std::net::Shutdown::Both)?;
    }
    Ok(())
}

/// The standard answers for `image` under repository `repo`: `/v2/`, the manifest by tag
/// `v1` and by digest, and blobs (with `Range` support).
fn standard(image: &Image, repo: &str, seen: &Seen) -> Reply {
    if seen.path == "/v2/" {
        return Reply::new(200);
    }
    let manifest_prefix = format!("/v2/{repo}/manifests/");
    if let Some(reference) = seen.path.strip_prefix(&manifest_prefix) {
        if reference == "v1" || reference == image.manifest.digest {
            return Reply::new(200)
                .body(images::OCI_MANIFEST, &image.manifest.bytes)
                .header("Docker-Content-Digest", &image.manifest.digest);
        }
        return Reply::new(404).body(
            "application/json",
            br#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#,
        );
    }
    let blob_prefix = format!("/v2/{repo}/blobs/");
    if let Some(digest) = seen.path.strip_prefix(&blob_prefix) {
        if let Some(blob) = image.blobs().into_iter().find(|b| b.digest == digest) {
            return ranged(&blob.bytes, seen);
        }
        return Reply::new(404).body(
            "application/json",
            br#"{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown to registry"}]}"#,
        );
    }
    Reply::new(404)
}

/// A blob, honouring `Range: bytes=N-`.
fn ranged(bytes: &[u8], seen: &Seen) -> Reply {
    let from = seen
        .header("range")
        .and_then(|r| r.strip_prefix("bytes="))
        .and_then(|r| r.strip_suffix('-'))
        .and_then(|r| r.parse::<usize>().ok());
    match from {
        Some(from) if from < bytes.len() => Reply::new(206)
            .body("application/octet-stream", &bytes[from..])
            .header(
                "Content-Range",
                &format!("bytes {from}-{}/{}", bytes.len() - 1, bytes.len()),
            ),
        _ => Reply::new(200).body("application/octet-stream", bytes),
    }
}

fn test_image() -> Image {
    let noise: Vec<u8> = (0..200_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    images::image(
        "linux/amd64",
        &[
            (&[("etc/os-release", b"ID=mock\n")], true),
            (&[("srv/noise", &noise)], false),
        ],
    )
}

fn options() -> RegistryOptions {
    RegistryOptions {
        retries: 3,
        retry_backoff: Duration::from_millis(10),
        docker_config: Some(empty_config()),
        ..RegistryOptions::default()
    }
}

/// An empty Docker config, so that the machine's own credentials stay out of the tests.
/// Written once, and by rename, as tests (and test binaries) run in parallel.
fn empty_config() -> std::path::PathBuf {
    static PATH: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    PATH.get_or_init(|| {
        let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        let path = dir.join("empty-docker-config.json");
        let temp = dir.join(format!("empty-docker-config.{}", std::process::id()));
        std::fs::write(&temp, "{}").expect("config");
        std::fs::rename(&temp, &path).expect("config");
        path
    })
    .clone()
}

fn reference(mock: &Mock, rest: &str) -> Reference {
    Reference::parse(&format!("{}/{rest}", mock.host)).expect("reference")
}

fn read_all(
    pulled: &harrier_image::source::registry::Pulled,
    i: usize,
) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    pulled.open_layer(i).expect("open").read_to_end(&mut out)?;
    Ok(out)
}

fn registry_error(e: &std::io::Error) -> Option<&RegistryError> {
    e.get_ref()?.downcast_ref::<RegistryError>()
}

#[test]
fn redirects_blobs_to_storage_without_the_authorization_header() {
    let image = test_image();
    let storage_image = image.clone();
    let storage = Mock::start(move |seen| {
        let digest = seen
            .path
            .trim_start_matches("/bucket/")
            .split('?')
            .next()
            .unwrap_or("");
        match storage_image
            .blobs()
            .into_iter()
            .find(|b| b.digest == digest)
        {
            Some(blob) => ranged(&blob.bytes, seen),
            None => Reply::new(404),
        }
    });
    let storage_host = storage.host.clone();
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("user:pw")
    );
    let registry = Mock::start(move |seen| {
        if seen.header("authorization") != Some(expected.as_str()) {
            return Reply::new(401)
                .header("WWW-Authenticate", r#"Basic realm="mock""#)
                .body(
                    "application/json",
                    br#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#,
                );
        }
        if let Some(digest) = seen.path.strip_prefix("/v2/team/app/blobs/") {
            // A relative first hop, then off to storage, as registries behind CDNs do.
            if seen.path.ends_with("?hop") {
                return Reply::new(307).header(
                    "Location",
                    &format!(
                        "http://{storage_host}/bucket/{}?X-Amz-Signature=abc",
                        digest.trim_end_matches("?hop")
                    ),
                );
            }
            return Reply::new(302).header("Location", &format!("{digest}?hop"));
        }
        standard(&image, "team/app", seen)
    });
    let options = RegistryOptions {
        username: Some("user".to_owned()),
        password: Some("pw".to_owned()),
        ..options()
    };
    let pulled = pull(&reference(&registry, "team/app:v1"), &options).expect("pull");
    let image = test_image();
    assert_eq!(pulled.config_bytes, image.config.bytes);
    for (i, layer) in image.layers.iter().enumerate() {
        assert_eq!(read_all(&pulled, i).expect("layer"), layer.bytes);
    }
    let at_storage = storage.seen();
    assert_eq!(at_storage.len(), 3, "config and two layers");
    for seen in &at_storage {
        assert_eq!(seen.header("authorization"), None, "{seen:?}");
        assert!(seen.path.contains("X-Amz-Signature=abc"));
    }
    // The same-origin hop kept the credentials.
    assert!(
        registry
            .seen()
            .iter()
            .filter(|s| s.path.ends_with("?hop"))
            .all(|s| s.header("authorization").is_some())
    );
}

#[test]
fn retries_429_and_5xx() {
    let image = test_image();
    let manifest_path = "/v2/app/manifests/v1".to_owned();
    let config_path = format!("/v2/app/blobs/{}", image.config.digest);
    let (m, c) = (manifest_path.clone(), config_path.clone());
    let registry = Mock::start(move |seen| {
        if seen.path == m && seen.nth < 2 {
            return Reply::new(503);
        }
        if seen.path == c && seen.nth < 1 {
            return Reply::new(429).header("Retry-After", "0");
        }
        standard(&image, "app", seen)
    });
    let pulled = pull(&reference(&registry, "app:v1"), &options()).expect("pull");
    assert_eq!(pulled.config_bytes, test_image().config.bytes);
    assert_eq!(registry.seen_path(&manifest_path).len(), 3);
    assert_eq!(registry.seen_path(&config_path).len(), 2);

    let failing = Mock::start(|seen| {
        if seen.path == "/v2/" {
            Reply::new(200)
        } else {
            Reply::new(502).body("text/plain", b"bad gateway")
        }
    });
    let err = pull(&reference(&failing, "app:v1"), &options()).expect_err("always 502");
    assert!(
        matches!(&err, RegistryError::Status { status: 502, message, .. } if message == "bad gateway"),
        "{err}"
    );
    assert_eq!(
        failing.seen_path("/v2/app/manifests/v1").len(),
        4,
        "1 + 3 retries"
    );
}

#[test]
fn resumes_a_broken_layer_stream() {
    for honour_range in [true, false] {
        let image = test_image();
        let layer = image.layers[1].clone();
        let path = format!("/v2/app/blobs/{}", layer.digest);
        let p = path.clone();
        let registry = Mock::start(move |seen| {
            if seen.path == p {
                if seen.nth == 0 {
                    let mut reply = Reply::new(200).body("application/octet-stream", &layer.bytes);
                    reply.cut_after = Some(layer.bytes.len() / 3);
                    return reply;
                }
                if !honour_range {
                    return Reply::new(200).body("application/octet-stream", &layer.bytes);
                }
            }
            standard(&image, "app", seen)
        });
        let pulled = pull(&reference(&registry, "app:v1"), &options()).expect("pull");
        assert_eq!(
            read_all(&pulled, 1).expect("resumed"),
            test_image().layers[1].bytes,
            "honour_range: {honour_range}"
        );
        let requests = registry.seen_path(&path);
        assert_eq!(requests.len(), 2);
        let range = requests[1].header("range").expect("a range request");
        assert!(
            range.starts_with("bytes=") && range.ends_with('-'),
            "{range}"
        );
        assert_ne!(range, "bytes=0-");
    }
}

#[test]
fn detects_corrupt_short_and_long_layers() {
    let image = test_image();
    let layer = image.layers[1].clone();
    let path = format!("/v2/app/blobs/{}", layer.digest);
    for (case, body, cut) in [
        (
            "corrupt",
            {
                let mut b = layer.bytes.clone();
                b[1000] ^= 0xff;
                b
            },
            None,
        ),
        (
            "long",
            [layer.bytes.clone(), b"extra".to_vec()].concat(),
            None,
        ),
        (
            "short",
            layer.bytes[..layer.bytes.len() - 10].to_vec(),
            None,
        ),
        ("always cut", layer.bytes.clone(), Some(100)),
    ] {
        let (p, image) = (path.clone(), image.clone());
        let registry = Mock::start(move |seen| {
            if seen.path == p {
                let mut reply = ranged(&body, seen);
                reply.cut_after = cut;
                return reply;
            }
            standard(&image, "app", seen)
        });
        let pulled = pull(&reference(&registry, "app:v1"), &options()).expect("pull");
        match (case, pulled.open_layer(1)) {
            // A wrong Content-Length is caught before the first byte.
            ("long" | "short", Err(e)) => {
                assert!(
                    matches!(e, RegistryError::SizeMismatch { .. }),
                    "{case}: {e}"
                )
            }
            (_, Ok(mut reader)) => {
                let mut out = Vec::new();
                let err = reader.read_to_end(&mut out).expect_err(case);
                match case {
                    "corrupt" => assert!(
                        matches!(
                            registry_error(&err),
                            Some(RegistryError::DigestMismatch { .. })
                        ),
                        "{case}: {err}"
                    ),
                    _ => assert!(
                        err.to_string().contains("broke at byte")
                            || registry_error(&err).is_some_and(RegistryError::is_integrity),
                        "{case}: {err}"
                    ),
                }
                // The error sticks.
                assert!(reader.read(&mut [0; 16]).is_err());
            }
            (_, Err(e)) => panic!("{case}: {e}"),
        }
    }
}

#[test]
fn refuses_schema1_and_oversized_manifests() {
    let schema1 = Mock::start(|seen| {
        match seen.path.as_str() {
        "/v2/" => Reply::new(200),
        _ => Reply::new(200).body(
            "application/vnd.docker.distribution.manifest.v1+prettyjws",
            br#"{"schemaVersion":1,"name":"old","tag":"v1","architecture":"amd64","fsLayers":[],"history":[],"signatures":[]}"#,
        ),
    }
    });
    let err = pull(&reference(&schema1, "old:v1"), &options()).expect_err("schema 1");
    let chain = format!(
        "{err}: {}",
        std::error::Error::source(&err)
            .map(|s| s.to_string())
            .unwrap_or_default()
    );
    assert!(chain.contains("schema 1 is not supported"), "{chain}");

    let huge = Mock::start(|seen| match seen.path.as_str() {
        "/v2/" => Reply::new(200),
        _ => Reply::new(200).body(images::OCI_MANIFEST, &vec![b' '; 5 * 1024 * 1024]),
    });
    let err = pull(&reference(&huge, "big:v1"), &options()).expect_err("too large");
    assert!(
        matches!(
            err,
            RegistryError::TooLarge {
                what: "manifest",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn checks_manifest_digests() {
    let image = test_image();
    let other = images::image("linux/amd64", &[(&[("x", b"y")], true)]);
    let registry = Mock::start(move |seen| {
        if seen.path.contains("/manifests/") {
            // The content of another image, under this one's digest.
            return Reply::new(200)
                .body(images::OCI_MANIFEST, &other.manifest.bytes)
                .header("Docker-Content-Digest", &image.manifest.digest);
        }
        standard(&image, "app", seen)
    });
    let digest = test_image().manifest.digest;
    let err = pull(&reference(&registry, &format!("app@{digest}")), &options())
        .expect_err("pinned digest");
    assert!(matches!(err, RegistryError::DigestMismatch { .. }), "{err}");
    let err = pull(&reference(&registry, "app:v1"), &options()).expect_err("announced digest");
    assert!(matches!(err, RegistryError::DigestMismatch { .. }), "{err}");
}

#[test]
fn exchanges_an_identity_token_and_renews_a_refused_one() {
    let image = test_image();
    let issued = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = Arc::clone(&issued);
    let token_server = Mock::start(move |seen| {
        let form = &seen.body;
        if seen.method == "POST"
            && form.contains("grant_type=refresh_token")
            && form.contains("refresh_token=my-refresh-token")
            && form.contains("service=mock-registry")
            && form.contains("scope=repository%3Aapp%3Apull")
        {
            let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            return Reply::new(200).body(
                "application/json",
                format!(r#"{{"access_token":"token-{n}","expires_in":300}}"#).as_bytes(),
            );
        }
        Reply::new(401).body("application/json", br#"{"error":"invalid_grant"}"#)
    });
    let realm = format!("http://{}/token", token_server.host);
    let registry = Mock::start(move |seen| {
        let authorization = seen.header("authorization").unwrap_or("");
        let challenge = |extra: &str| {
            Reply::new(401).header(
                "WWW-Authenticate",
                &format!(r#"Bearer realm="{realm}",service="mock-registry"{extra}"#),
            )
        };
        if seen.path == "/v2/" {
            // The root asks for a token without naming a scope.
            return if authorization.is_empty() {
                challenge("")
            } else {
                Reply::new(200)
            };
        }
        // The first token is refused, as an expired one would be.
        if !authorization.starts_with("Bearer token-") || authorization == "Bearer token-1" {
            return challenge(r#",scope="repository:app:pull",error="invalid_token""#);
        }
        standard(&image, "app", seen)
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("config.json");
    std::fs::write(
        &config,
        format!(
            r#"{{"auths":{{"{}":{{"auth":"","identitytoken":"my-refresh-token"}}}}}}"#,
            registry.host
        ),
    )
    .expect("config");
    let options = RegistryOptions {
        docker_config: Some(config),
        ..options()
    };
    let pulled = pull(&reference(&registry, "app:v1"), &options).expect("pull");
    assert_eq!(
        read_all(&pulled, 0).expect("layer"),
        test_image().layers[0].bytes
    );
    let posts = token_server.seen();
    assert_eq!(posts.len(), 2, "{posts:?}");
    assert!(posts.iter().all(|s| s.method == "POST"));
}

#[test]
fn gets_an_anonymous_token_and_keeps_it_from_storage() {
    let image = test_image();
    let token_server = Mock::start(|seen| {
        if seen.method == "GET" && seen.header("authorization").is_none() {
            return Reply::new(200).body(
                "application/json",
                br#"{"token":"anon-token","expires_in":300,"issued_at":"2024-01-01T00:00:00Z"}"#,
            );
        }
        Reply::new(400)
    });
    let realm = format!("http://{}/token", token_server.host);
    let storage_image = image.clone();
    let storage = Mock::start(move |seen| {
        let digest = seen
            .path
            .trim_start_matches("/blobs/")
            .split('?')
            .next()
            .unwrap_or("");
        match storage_image
            .blobs()
            .into_iter()
            .find(|b| b.digest == digest)
        {
            Some(blob) => ranged(&blob.bytes, seen),
            None => Reply::new(404),
        }
    });
    let storage_host = storage.host.clone();
    let registry = Mock::start(move |seen| {
        if seen.header("authorization") != Some("Bearer anon-token") {
            // As Docker Hub: the root names no scope, a repository URL names its own.
            let scope = if seen.path == "/v2/" {
                String::new()
            } else {
                r#",scope="repository:library/app:pull""#.to_owned()
            };
            return Reply::new(401)
                .header(
                    "WWW-Authenticate",
                    &format!(r#"Bearer realm="{realm}",service="registry.mock"{scope}"#),
                )
                .body(
                    "application/json",
                    br#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#,
                );
        }
        if seen.path == "/v2/" {
            return Reply::new(200);
        }
        if let Some(digest) = seen.path.strip_prefix("/v2/library/app/blobs/") {
            return Reply::new(307).header(
                "Location",
                &format!("http://{storage_host}/blobs/{digest}?sig=1"),
            );
        }
        standard(&image, "library/app", seen)
    });
    let pulled = pull(&reference(&registry, "library/app:v1"), &options()).expect("pull");
    let image = test_image();
    assert_eq!(pulled.manifest_digest, image.manifest.digest);
    for (i, layer) in image.layers.iter().enumerate() {
        assert_eq!(read_all(&pulled, i).expect("layer"), layer.bytes);
    }
    // One anonymous token for the whole pull, asked for the repository's pull scope.
    let asked = token_server.seen();
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert_eq!(
        asked[0].path,
        "/token?service=registry.mock&scope=repository%3Alibrary%2Fapp%3Apull"
    );
    // Every request after the first carried the token; none reached storage with it.
    let at_registry = registry.seen();
    assert!(at_registry.len() >= 5, "{at_registry:?}");
    assert!(
        at_registry
            .iter()
            .skip(1)
            .all(|s| s.header("authorization") == Some("Bearer anon-token")),
        "{at_registry:?}"
    );
    let at_storage = storage.seen();
    assert_eq!(at_storage.len(), 3, "config and two layers");
    assert!(
        at_storage
            .iter()
            .all(|s| s.header("authorization").is_none())
    );
}

#[test]
fn rejects_a_refused_token_and_a_challenge_without_realm() {
    let token_server = Mock::start(|_| {
        Reply::new(401).body("application/json", br#"{"details":"access denied"}"#)
    });
    let realm = format!("http://{}/token", token_server.host);
    let refusing = Mock::start(move |_| {
        Reply::new(401).header(
            "WWW-Authenticate",
            &format!(r#"Bearer realm="{realm}",service="s",scope="repository:app:pull""#),
        )
    });
    let err = pull(&reference(&refusing, "app:v1"), &options()).expect_err("refused");
    assert!(err.is_unauthorized(), "{err}");
    let message = err.to_string();
    assert!(
        message.contains("refused an anonymous token") && message.contains("access denied"),
        "{message}"
    );

    let no_realm =
        Mock::start(|_| Reply::new(401).header("WWW-Authenticate", r#"Bearer service="s""#));
    let err = pull(&reference(&no_realm, "app:v1"), &options()).expect_err("no realm");
    assert!(err.to_string().contains("names no realm"), "{err}");

    let unknown = Mock::start(|_| Reply::new(401).header("WWW-Authenticate", "Negotiate"));
    let err = pull(&reference(&unknown, "app:v1"), &options()).expect_err("negotiate");
    assert!(err.is_unauthorized(), "{err}");
}

/// A non-loopback address of this machine: the one a route to a public address would use
/// (a UDP `connect` sends nothing).
fn routable_local_ip() -> Option<std::net::IpAddr> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

#[test]
fn speaks_plain_http_off_loopback_only_when_insecure() {
    let Some(ip) = routable_local_ip() else {
        harrier_core::testing::skip::<()>("this machine has no non-loopback IPv4 address");
        return;
    };
    let image = test_image();
    let registry = Mock::start_on(ip, move |seen| standard(&image, "app", seen));
    let r = reference(&registry, "app:v1");
    assert!(!r.is_loopback());

    let err = pull(&r, &options()).expect_err("plain HTTP, not insecure");
    assert!(matches!(err, RegistryError::Unreachable { .. }), "{err}");
    assert!(err.to_string().contains("insecure"), "{err}");
    assert!(registry.seen().is_empty(), "no plain-HTTP request was made");

    let insecure = RegistryOptions {
        insecure: true,
        ..options()
    };
    let pulled = pull(&r, &insecure).expect("insecure");
    assert_eq!(
        read_all(&pulled, 0).expect("layer"),
        test_image().layers[0].bytes
    );
    assert!(!registry.seen().is_empty());
}
