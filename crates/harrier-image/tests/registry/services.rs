//! Real services for the registry tests: Debian's `docker-registry` (distribution 2.8) on a
//! free loopback port, `skopeo` to push into it, and a token server of our own that issues
//! RS256 JWTs, signed by `openssl`, that the registry's `token` auth verifies against a
//! self-signed certificate.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;

pub use harrier_core::testing::have;

/// `None` after reporting a skip when any of `programs` is missing.
pub fn need(programs: &[&str], apt: &str) -> Option<()> {
    let missing: Vec<&str> = programs.iter().copied().filter(|p| !have(p)).collect();
    if missing.is_empty() {
        Some(())
    } else {
        harrier_core::testing::skip(&format!(
            "{} not installed (Debian packages: {apt})",
            missing.join(", ")
        ))
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// A `docker-registry serve` process, killed when dropped.
pub struct Registry {
    pub port: u16,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Registry {
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Starts a registry storing into `storage`, with `auth` (YAML, indented for the `auth:`
    /// key) if given.
    pub fn start(storage: &Path, auth: Option<&str>) -> Registry {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut failures = Vec::new();
        // The port may be taken between probing and binding; try a few.
        for _ in 0..5 {
            let port = free_port();
            let config = format!(
                "version: 0.1\n\
                 log:\n  level: error\n  accesslog:\n    disabled: true\n\
                 storage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\n\
                 http:\n  addr: 127.0.0.1:{port}\n{}",
                storage.display(),
                auth.map(|a| format!("auth:\n{a}")).unwrap_or_default()
            );
            let path = dir.path().join("config.yml");
            std::fs::write(&path, config).expect("registry config");
            let mut child = Command::new("docker-registry")
                .arg("serve")
                .arg(&path)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("docker-registry");
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(20) {
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return Registry {
                        port,
                        child,
                        _dir: dir,
                    };
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = e.read_to_string(&mut err);
            }
            let _ = child.wait();
            failures.push(format!("port {port}: {}", err.trim()));
        }
        panic!("docker-registry did not start: {}", failures.join("; "));
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `skopeo copy [extra…] SRC docker://host/dest`, pushing over plain HTTP.
pub fn skopeo_push(src: &str, host: &str, dest: &str, extra: &[&str], creds: Option<&str>) {
    let mut cmd = Command::new("skopeo");
    cmd.args([
        "--insecure-policy",
        "copy",
        "--quiet",
        "--dest-tls-verify=false",
    ]);
    if let Some(creds) = creds {
        cmd.arg(format!("--dest-creds={creds}"));
    }
    cmd.args(extra)
        .arg(src)
        .arg(format!("docker://{host}/{dest}"));
    // skopeo keeps its blob cache and auth lookups under $HOME; keep them out of the way.
    let home = tempfile::tempdir().expect("tempdir");
    let output = cmd
        .env("HOME", home.path())
        .env("XDG_RUNTIME_DIR", home.path())
        .env_remove("REGISTRY_AUTH_FILE")
        .output()
        .expect("skopeo");
    assert!(
        output.status.success(),
        "skopeo copy {src} → {dest} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `htpasswd -Bbn user password` (bcrypt, which distribution requires).
pub fn htpasswd(user: &str, password: &str) -> String {
    let output = Command::new("htpasswd")
        .args(["-Bbn", user, password])
        .output()
        .expect("htpasswd");
    assert!(output.status.success(), "htpasswd failed");
    String::from_utf8(output.stdout).expect("htpasswd output")
}

/// Who may get a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenPolicy {
    /// Anyone, anonymous or not, as Docker Hub for public images.
    Anyone,
    /// Only requests with these basic credentials.
    Only(&'static str, &'static str),
}

/// One request the token server saw.
#[derive(Clone, Debug)]
pub struct TokenRequest {
    pub query: String,
    pub authorization: Option<String>,
}

/// A distribution token server on loopback.
pub struct TokenServer {
    pub realm: String,
    pub cert_path: PathBuf,
    pub requests: Arc<Mutex<Vec<TokenRequest>>>,
    _dir: tempfile::TempDir,
}

pub const TOKEN_SERVICE: &str = "harrier-test-registry";
pub const TOKEN_ISSUER: &str = "harrier-test-issuer";

impl TokenServer {
    pub fn start(policy: TokenPolicy) -> TokenServer {
        let dir = tempfile::tempdir().expect("tempdir");
        let key = dir.path().join("key.pem");
        let cert = dir.path().join("cert.pem");
        let status = Command::new("openssl")
            .args([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            ])
            .args(["-subj", "/CN=harrier-test-token-issuer"])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("openssl req");
        assert!(status.success(), "openssl req failed");
        let der = Command::new("openssl")
            .args(["x509", "-outform", "DER", "-in"])
            .arg(&cert)
            .output()
            .expect("openssl x509");
        assert!(der.status.success(), "openssl x509 failed");
        let x5c = base64::engine::general_purpose::STANDARD.encode(&der.stdout);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let realm = format!("http://{}/token", listener.local_addr().expect("addr"));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let _ = serve_token(stream, policy, &key, &x5c, &seen);
            }
        });
        TokenServer {
            realm,
            cert_path: cert,
            requests,
            _dir: dir,
        }
    }

    /// The registry's `auth:` section for this server.
    pub fn auth_config(&self) -> String {
        format!(
            "  token:\n    realm: {}\n    service: {TOKEN_SERVICE}\n    issuer: {TOKEN_ISSUER}\n    rootcertbundle: {}\n",
            self.realm,
            self.cert_path.display()
        )
    }

    pub fn seen(&self) -> Vec<TokenRequest> {
        self.requests.lock().expect("lock").clone()
    }
}

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                    }
                    Err(_) => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn query_param(query: &str, name: &str) -> Vec<String> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .filter(|(n, _)| *n == name)
        .map(|(_, v)| percent_decode(v))
        .collect()
}

fn serve_token(
    stream: TcpStream,
    policy: TokenPolicy,
    key: &Path,
    x5c: &str,
    seen: &Mutex<Vec<TokenRequest>>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let target = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let mut authorization = None;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("authorization") {
                authorization = Some(value.trim().to_owned());
            }
        }
    }
    let query = target
        .split_once('?')
        .map(|(_, q)| q)
        .unwrap_or("")
        .to_owned();
    seen.lock().expect("lock").push(TokenRequest {
        query: query.clone(),
        authorization: authorization.clone(),
    });
    let user = authorization
        .as_deref()
        .and_then(|a| a.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok());
    let mut out = stream;
    let allowed = match policy {
        TokenPolicy::Anyone => true,
        TokenPolicy::Only(u, p) => user.as_deref() == Some(&format!("{u}:{p}")),
    };
    if !allowed {
        let body = r#"{"details":"incorrect username or password"}"#;
        write!(
            out,
            "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )?;
        return Ok(());
    }
    let subject = user
        .as_deref()
        .and_then(|u| u.split_once(':'))
        .map(|(u, _)| u.to_owned())
        .unwrap_or_default();
    let access: Vec<serde_json::Value> = query_param(&query, "scope")
        .iter()
        .filter_map(|scope| {
            let mut parts = scope.splitn(3, ':');
            let kind = parts.next()?;
            let name = parts.next()?;
            let actions: Vec<&str> = parts.next()?.split(',').collect();
            Some(serde_json::json!({"type": kind, "name": name, "actions": actions}))
        })
        .collect();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let header = serde_json::json!({"typ": "JWT", "alg": "RS256", "x5c": [x5c]});
    let claims = serde_json::json!({
        "iss": TOKEN_ISSUER,
        "sub": subject,
        "aud": TOKEN_SERVICE,
        "exp": now + 300,
        "nbf": now - 10,
        "iat": now - 10,
        "jti": format!("{now}-{}", seen.lock().expect("lock").len()),
        "access": access,
    });
    let signing_input = format!(
        "{}.{}",
        b64url(&serde_json::to_vec(&header).expect("json")),
        b64url(&serde_json::to_vec(&claims).expect("json"))
    );
    let mut openssl = Command::new("openssl")
        .args(["dgst", "-sha256", "-sign"])
        .arg(key)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    if let Some(mut stdin) = openssl.stdin.take() {
        stdin.write_all(signing_input.as_bytes())?;
    }
    let signed = openssl.wait_with_output()?;
    let token = format!("{signing_input}.{}", b64url(&signed.stdout));
    let body = serde_json::json!({"token": token, "expires_in": 300}).to_string();
    write!(
        out,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    Ok(())
}
