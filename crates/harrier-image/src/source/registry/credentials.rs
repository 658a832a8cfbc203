//! Credentials for a registry: given in the options, or found as `docker login` files them.
//!
//! The Docker CLI's order: a `credHelpers` entry for the registry, else the `credsStore`,
//! else the `auths` entry (whose `auth` is base64 `user:password`, or which holds
//! `username`/`password`, an `identitytoken` (an OAuth2 refresh token) or a `registrytoken`).
//! Helpers are the `docker-credential-<name>` programs: `get` with the server URL on stdin
//! prints `{"Username":…,"Secret":…}`. When the helper a config names is not installed, or
//! fails, we say so in the log and in any later authorization error, and carry on
//! anonymously: public images still pull. Docker Hub's entries are filed under
//! `https://index.docker.io/v1/`; other registries under their host, with or without scheme
//! and path.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde::Deserialize;

use super::error::RegistryError;
use super::reference::{DOCKER_HUB, Reference};

/// Docker Hub's key in `auths` and the server URL its helpers are asked about.
pub const DOCKER_HUB_AUTH_KEY: &str = "https://index.docker.io/v1/";
const MAX_CONFIG_BYTES: u64 = 4 * 1024 * 1024;
const MAX_HELPER_OUTPUT: u64 = 1024 * 1024;
const HELPER_TIMEOUT: Duration = Duration::from_secs(30);

/// What to authenticate with.
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    /// User name and password: HTTP basic auth, or basic auth to the token endpoint.
    Basic {
        /// User name.
        username: String,
        /// Password or access token.
        password: String,
    },
    /// An OAuth2 refresh token (`identitytoken`), exchanged at the token endpoint.
    IdentityToken(String),
    /// A bearer token sent to the registry as it is (`registrytoken`).
    RegistryToken(String),
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Basic { username, .. } => f
                .debug_struct("Basic")
                .field("username", username)
                .finish_non_exhaustive(),
            Credentials::IdentityToken(_) => f.write_str("IdentityToken(..)"),
            Credentials::RegistryToken(_) => f.write_str("RegistryToken(..)"),
        }
    }
}

/// Credentials found for a registry, and what a person should know about how.
#[derive(Debug, Default, Clone)]
pub struct Found {
    /// The credentials, if any.
    pub credentials: Option<Credentials>,
    /// Where they came from, or why there are none (`no credentials for … in …`).
    pub note: String,
}

/// `~/.docker/config.json` (the parts we use).
#[derive(Debug, Default, Deserialize)]
pub struct DockerConfig {
    /// Stored credentials by registry.
    #[serde(default)]
    pub auths: BTreeMap<String, AuthEntry>,
    /// The default credential helper.
    #[serde(default, rename = "credsStore")]
    pub creds_store: Option<String>,
    /// Credential helpers by registry.
    #[serde(default, rename = "credHelpers")]
    pub cred_helpers: BTreeMap<String, String>,
}

/// One `auths` entry.
#[derive(Debug, Default, Deserialize)]
pub struct AuthEntry {
    /// base64 of `user:password`.
    #[serde(default)]
    pub auth: Option<String>,
    /// User name.
    #[serde(default)]
    pub username: Option<String>,
    /// Password.
    #[serde(default)]
    pub password: Option<String>,
    /// OAuth2 refresh token.
    #[serde(default)]
    pub identitytoken: Option<String>,
    /// Bearer token for the registry.
    #[serde(default)]
    pub registrytoken: Option<String>,
}

impl DockerConfig {
    /// Parses a config file's bytes.
    pub fn parse(bytes: &[u8]) -> Result<DockerConfig, serde_json::Error> {
        serde_json::from_slice(bytes)
    }

    /// The helper to ask for `registry`, if the config names one.
    pub fn helper_for(&self, registry: &str) -> Option<&str> {
        let keys = lookup_keys(registry);
        self.cred_helpers
            .iter()
            .find(|(k, _)| keys.contains(&normalize_key(k)))
            .map(|(_, v)| v.as_str())
            .or(self.creds_store.as_deref())
            .filter(|h| !h.is_empty())
    }

    /// The `auths` entry's credentials for `registry`.
    pub fn stored(&self, registry: &str) -> Result<Option<Credentials>, String> {
        let keys = lookup_keys(registry);
        let entry = keys
            .iter()
            .find_map(|k| self.auths.get(k.as_str()))
            .or_else(|| {
                self.auths
                    .iter()
                    .find(|(k, _)| keys.contains(&normalize_key(k)))
                    .map(|(_, v)| v)
            });
        let Some(entry) = entry else {
            return Ok(None);
        };
        if let Some(token) = entry.registrytoken.as_deref().filter(|t| !t.is_empty()) {
            return Ok(Some(Credentials::RegistryToken(token.to_owned())));
        }
        if let Some(token) = entry.identitytoken.as_deref().filter(|t| !t.is_empty()) {
            return Ok(Some(Credentials::IdentityToken(token.to_owned())));
        }
        if let Some(auth) = entry.auth.as_deref().filter(|a| !a.is_empty()) {
            return decode_auth(auth).map(Some);
        }
        match (&entry.username, &entry.password) {
            (Some(u), Some(p)) if !u.is_empty() => Ok(Some(Credentials::Basic {
                username: u.clone(),
                password: p.clone(),
            })),
            _ => Ok(None),
        }
    }
}

/// `base64(user:password)` as `docker login` writes it.
fn decode_auth(auth: &str) -> Result<Credentials, String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(auth.trim())
        .map_err(|_| "an `auth` value is not base64".to_owned())?;
    let text =
        String::from_utf8(bytes).map_err(|_| "an `auth` value is not UTF-8 text".to_owned())?;
    let Some((username, password)) = text.split_once(':') else {
        return Err("an `auth` value is not `user:password`".to_owned());
    };
    Ok(Credentials::Basic {
        username: username.to_owned(),
        password: password.trim_end_matches('\0').to_owned(),
    })
}

/// A config key as the host it names: scheme and path dropped, as Docker's
/// `ConvertToHostname` does, lower-cased.
fn normalize_key(key: &str) -> String {
    let key = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    key.split('/')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// Keys `registry`'s credentials may be filed under (normalised), best first.
fn lookup_keys(registry: &str) -> Vec<String> {
    if registry == DOCKER_HUB {
        [
            DOCKER_HUB_AUTH_KEY,
            "index.docker.io",
            "docker.io",
            "registry-1.docker.io",
        ]
        .iter()
        .map(|k| (*k).to_owned())
        .collect()
    } else {
        vec![registry.to_owned(), registry.to_ascii_lowercase()]
    }
}

/// Where the Docker config is when not given: `$DOCKER_CONFIG/config.json`, else
/// `~/.docker/config.json`.
pub fn default_config_path() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join("config.json"));
    }
    dirs::home_dir().map(|h| h.join(".docker").join("config.json"))
}

/// Finds credentials for `reference`.
pub fn resolve(
    reference: &Reference,
    username: Option<&str>,
    password: Option<&str>,
    docker_config: Option<&Path>,
    helper_dirs: Option<&[PathBuf]>,
) -> Result<Found, RegistryError> {
    match (username, password) {
        (Some(username), Some(password)) => {
            return Ok(Found {
                credentials: Some(Credentials::Basic {
                    username: username.to_owned(),
                    password: password.to_owned(),
                }),
                note: "using the credentials given".to_owned(),
            });
        }
        (Some(_), None) => {
            return Err(RegistryError::Options(
                "a registry user name was given without a password".to_owned(),
            ));
        }
        (None, Some(_)) => {
            return Err(RegistryError::Options(
                "a registry password was given without a user name".to_owned(),
            ));
        }
        (None, None) => {}
    }
    let (path, explicit) = match docker_config {
        Some(path) => (path.to_owned(), true),
        None => match default_config_path() {
            Some(path) => (path, false),
            None => {
                return Ok(Found {
                    credentials: None,
                    note: "no credentials given and no home directory to find a Docker config in"
                        .to_owned(),
                });
            }
        },
    };
    let config = match read_config(&path) {
        Ok(config) => config,
        Err(e) if !explicit && e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Found {
                credentials: None,
                note: format!(
                    "no credentials given, and no Docker config at {}",
                    path.display()
                ),
            });
        }
        Err(e) => {
            return Err(RegistryError::DockerConfig {
                path,
                message: e.to_string(),
            });
        }
    };
    let registry = reference.registry.as_str();
    let mut note = String::new();
    if let Some(helper) = config.helper_for(registry) {
        let server = if registry == DOCKER_HUB {
            DOCKER_HUB_AUTH_KEY
        } else {
            registry
        };
        match run_helper(helper, server, helper_dirs) {
            Ok(Some(credentials)) => {
                return Ok(Found {
                    credentials: Some(credentials),
                    note: format!("using credentials from `docker-credential-{helper}`"),
                });
            }
            Ok(None) => {
                note = format!(
                    "`docker-credential-{helper}` (named by {}) has no credentials for `{registry}`",
                    path.display()
                );
            }
            Err(why) => {
                tracing::warn!(
                    "Credential helper `docker-credential-{helper}` named by {} gave no credentials for `{registry}`: {why}; pulling without them.",
                    path.display()
                );
                note = format!("credential helper `docker-credential-{helper}`: {why}");
            }
        }
    }
    let stored = config
        .stored(registry)
        .map_err(|message| RegistryError::DockerConfig {
            path: path.clone(),
            message,
        })?;
    match stored {
        Some(credentials) => Ok(Found {
            credentials: Some(credentials),
            note: format!("using credentials for `{registry}` from {}", path.display()),
        }),
        None => {
            if note.is_empty() {
                note = format!("no credentials for `{registry}` in {}", path.display());
            }
            Ok(Found {
                credentials: None,
                note,
            })
        }
    }
}

fn read_config(path: &Path) -> std::io::Result<DockerConfig> {
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(MAX_CONFIG_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        return Err(std::io::Error::other(format!(
            "larger than {MAX_CONFIG_BYTES} bytes"
        )));
    }
    DockerConfig::parse(&bytes).map_err(std::io::Error::other)
}

#[derive(Deserialize)]
struct HelperOutput {
    #[serde(rename = "Username", default)]
    username: String,
    #[serde(rename = "Secret", default)]
    secret: String,
}

/// Runs `docker-credential-<helper> get`. `Ok(None)`: the helper has nothing for the server.
fn run_helper(
    helper: &str,
    server: &str,
    dirs: Option<&[PathBuf]>,
) -> Result<Option<Credentials>, String> {
    if helper.starts_with('.')
        || !helper
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return Err(format!("`{helper}` is not a credential helper name"));
    }
    let program = format!("docker-credential-{helper}");
    let found = match dirs {
        Some(dirs) => dirs.iter().map(|d| d.join(&program)).find(|p| p.is_file()),
        None => std::env::var_os("PATH").and_then(|path| {
            std::env::split_paths(&path)
                .map(|d| d.join(&program))
                .find(|p| p.is_file())
        }),
    };
    let Some(program_path) = found else {
        return Err(format!(
            "`{program}` is not installed (not found on the PATH)"
        ));
    };
    let mut child = Command::new(&program_path)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", program_path.display()))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A helper that exits without reading closes the pipe; its exit status tells why.
        let _ = stdin.write_all(server.as_bytes());
    }
    let stdout = child.stdout.take().map(|out| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = out.take(MAX_HELPER_OUTPUT).read_to_end(&mut buf);
            buf
        })
    });
    let stderr = child.stderr.take().map(|err| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = err.take(MAX_HELPER_OUTPUT).read_to_end(&mut buf);
            buf
        })
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > HELPER_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "did not answer within {} seconds",
                    HELPER_TIMEOUT.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(format!("waiting for it failed: {e}")),
        }
    };
    let stdout = stdout.and_then(|h| h.join().ok()).unwrap_or_default();
    let stderr = stderr.and_then(|h| h.join().ok()).unwrap_or_default();
    if !status.success() {
        let said = String::from_utf8_lossy(if stdout.is_empty() { &stderr } else { &stdout });
        let said = said.trim();
        // docker-credential-helpers' `ErrCredentialsNotFound` text.
        if said.contains("credentials not found") {
            return Ok(None);
        }
        return Err(format!(
            "exited with {status}: {}",
            said.chars().take(300).collect::<String>()
        ));
    }
    let output: HelperOutput = serde_json::from_slice(&stdout)
        .map_err(|e| format!("printed something other than credentials JSON: {e}"))?;
    if output.secret.is_empty() {
        return Ok(None);
    }
    // Helpers return identity tokens under the user name `<token>`.
    if output.username == "<token>" {
        return Ok(Some(Credentials::IdentityToken(output.secret)));
    }
    Ok(Some(Credentials::Basic {
        username: output.username,
        password: output.secret,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(json: &str) -> DockerConfig {
        match DockerConfig::parse(json.as_bytes()) {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        }
    }

    fn basic(u: &str, p: &str) -> Option<Credentials> {
        Some(Credentials::Basic {
            username: u.to_owned(),
            password: p.to_owned(),
        })
    }

    #[test]
    fn auths_entries() {
        // "dXNlcjpwYXNzOndvcmQ=" is base64 of "user:pass:word".
        let c = config(
            r#"{"auths":{
                "https://index.docker.io/v1/":{"auth":"dXNlcjpwYXNzOndvcmQ="},
                "https://reg.example.com/v2/":{"username":"u","password":"p"},
                "ghcr.io":{"identitytoken":"refresh"},
                "quay.io":{"registrytoken":"bearer"},
                "empty.example.com":{},
                "bad.example.com":{"auth":"!!!"}
            }}"#,
        );
        assert_eq!(c.stored("docker.io"), Ok(basic("user", "pass:word")));
        assert_eq!(c.stored("reg.example.com"), Ok(basic("u", "p")));
        assert_eq!(
            c.stored("ghcr.io"),
            Ok(Some(Credentials::IdentityToken("refresh".to_owned())))
        );
        assert_eq!(
            c.stored("quay.io"),
            Ok(Some(Credentials::RegistryToken("bearer".to_owned())))
        );
        assert_eq!(c.stored("empty.example.com"), Ok(None));
        assert_eq!(c.stored("other.example.com"), Ok(None));
        assert!(c.stored("bad.example.com").is_err());
        // A port is part of the host.
        assert_eq!(c.stored("reg.example.com:5000"), Ok(None));
    }

    #[test]
    fn helpers() {
        let c = config(
            r#"{"credsStore":"desktop","credHelpers":{"123.dkr.ecr.us-east-1.amazonaws.com":"ecr-login","https://gcr.io":"gcloud"}}"#,
        );
        assert_eq!(
            c.helper_for("123.dkr.ecr.us-east-1.amazonaws.com"),
            Some("ecr-login")
        );
        assert_eq!(c.helper_for("gcr.io"), Some("gcloud"));
        assert_eq!(c.helper_for("docker.io"), Some("desktop"));
        assert_eq!(config("{}").helper_for("docker.io"), None);
        assert_eq!(config(r#"{"credsStore":""}"#).helper_for("x.io"), None);
    }

    #[test]
    fn refuses_helper_names_with_paths() {
        assert!(run_helper("../../bin/sh", "x", Some(&[])).is_err());
        assert!(run_helper(".hidden", "x", Some(&[])).is_err());
        let missing = run_helper("absent", "x", Some(&[]))
            .err()
            .unwrap_or_default();
        assert!(missing.contains("not installed"), "{missing}");
    }
}
