//! HTTP for the distribution API: scheme choice, authentication, retries and redirects.
//!
//! A client serves one repository of one registry. It starts with `GET /v2/`, which tells
//! whether the registry speaks HTTPS (for insecure registries, plain HTTP is tried when TLS
//! fails, as Docker does) and how it wants to be authenticated:
//!
//! - `Bearer realm=…,service=…[,scope=…]`: a token is fetched from the realm for
//!   `repository:<repo>:pull` (or the challenge's scope), anonymously or with basic
//!   credentials; an identity token (OAuth2 refresh token) is exchanged with a form `POST`.
//!   Tokens are cached until they expire, and a later 401 (an expired token, an
//!   `insufficient_scope`) fetches a new one from that response's challenge, once.
//! - `Basic realm=…`: the credentials go with every request to the registry.
//!
//! Redirects are followed by hand, because registries send blob downloads to object storage
//! with a signed URL: the `Authorization` header goes only to the registry's own origin
//! (scheme, host and port), never to the storage host, and a redirect from HTTPS to HTTP is
//! refused unless the registry is insecure. 429 and 5xx answers and transport failures are
//! retried with exponential backoff, honouring `Retry-After` (in seconds).

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use base64::Engine;
use serde::Deserialize;
use ureq::Body;
use ureq::http::{HeaderMap, Response, Uri};

use super::challenge::parse_challenges;
use super::credentials::{Credentials, Found};
use super::error::RegistryError;
use super::reference::Reference;

const MAX_REDIRECTS: usize = 10;
const MAX_RETRY_WAIT: Duration = Duration::from_secs(60);
const MAX_TOKEN_BYTES: u64 = 1024 * 1024;
const MAX_ERROR_BYTES: u64 = 64 * 1024;
/// Tokens are renewed this long before they expire, so none expires in flight.
const TOKEN_MARGIN: Duration = Duration::from_secs(10);
/// The token lifetime the distribution token spec assumes when none is given.
const TOKEN_DEFAULT_LIFETIME: u64 = 60;

/// How the client talks HTTP.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub insecure: bool,
    pub connect_timeout: Duration,
    pub response_timeout: Duration,
    pub read_timeout: Duration,
    pub retries: u32,
    pub retry_backoff: Duration,
}

/// Scheme, host and port: what decides where credentials may go.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Origin {
    scheme: String,
    host: String,
    port: u16,
}

impl Origin {
    fn of(uri: &Uri) -> Option<Origin> {
        let scheme = uri.scheme_str()?.to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "https" => 443,
            "http" => 80,
            _ => return None,
        };
        Some(Origin {
            host: uri.host()?.to_ascii_lowercase(),
            port: uri.port_u16().unwrap_or(default_port),
            scheme,
        })
    }

    fn is_loopback(&self) -> bool {
        let host = self.host.trim_start_matches('[').trim_end_matches(']');
        host == "localhost"
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    }
}

#[derive(Debug, Clone, Default)]
enum Auth {
    #[default]
    Anonymous,
    Basic,
    Bearer {
        realm: String,
        service: Option<String>,
        scope: String,
        token: Option<Token>,
    },
}

#[derive(Debug, Clone)]
struct Token {
    value: String,
    renew_at: Instant,
}

/// One request, as sent and re-sent across redirects and retries.
struct Outgoing<'a> {
    url: &'a str,
    /// A form body: the request is a `POST` (to a token endpoint).
    form: Option<String>,
    accept: Option<&'a str>,
    range_from: Option<u64>,
    /// The `Authorization` header and the only origin it may be sent to.
    authorization: Option<(Origin, String)>,
}

impl<'a> Outgoing<'a> {
    fn get(url: &'a str) -> Outgoing<'a> {
        Outgoing {
            url,
            form: None,
            accept: None,
            range_from: None,
            authorization: None,
        }
    }
}

/// A connection to one repository.
pub(crate) struct Client {
    agent: ureq::Agent,
    /// `https://host[:port]` or `http://…`.
    base: String,
    origin: Origin,
    repository: String,
    credentials: Option<Credentials>,
    note: String,
    insecure: bool,
    retries: u32,
    retry_backoff: Duration,
    auth: Mutex<Auth>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base)
            .field("repository", &self.repository)
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Finds the registry's scheme and authentication with `GET /v2/`.
    pub(crate) fn connect(
        reference: &Reference,
        settings: &Settings,
        found: Found,
    ) -> Result<Client, RegistryError> {
        let insecure = settings.insecure || reference.is_loopback();
        let tls = ureq::tls::TlsConfig::builder()
            .disable_verification(insecure)
            .build();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .tls_config(tls)
            .user_agent(format!("harrier/{}", env!("CARGO_PKG_VERSION")))
            // Blobs must arrive byte for byte as their digest says.
            .accept_encoding("")
            .timeout_connect(Some(settings.connect_timeout))
            .timeout_recv_response(Some(settings.response_timeout))
            .timeout_per_read(Some(settings.read_timeout))
            .build()
            .into();
        let host = reference.endpoint();
        let mut client = Client {
            agent,
            base: String::new(),
            origin: Origin {
                scheme: String::new(),
                host: String::new(),
                port: 0,
            },
            repository: reference.repository.clone(),
            credentials: found.credentials,
            note: found.note,
            insecure,
            retries: settings.retries,
            retry_backoff: settings.retry_backoff,
            auth: Mutex::new(Auth::Anonymous),
        };
        let schemes: &[&str] = if insecure {
            &["https", "http"]
        } else {
            &["https"]
        };
        let mut last_error = None;
        for scheme in schemes {
            let base = format!("{scheme}://{host}");
            let url = format!("{base}/v2/");
            let uri: Uri = url
                .parse()
                .map_err(|_| RegistryError::Url { url: url.clone() })?;
            client.origin = Origin::of(&uri).ok_or(RegistryError::Url { url: url.clone() })?;
            client.base = base;
            // Probing HTTPS on an insecure registry: a TLS failure means "try HTTP", not
            // "retry".
            let probing = insecure && *scheme == "https";
            let result = if probing {
                client.send_once(&Outgoing::get(&url))
            } else {
                client.send(&Outgoing::get(&url))
            };
            let response = match result {
                Ok(response) => response,
                Err(e) if probing && e.is_transport() => {
                    tracing::debug!("{url} failed over TLS ({e}); trying plain HTTP.");
                    last_error = Some(e);
                    continue;
                }
                Err(e) if e.is_transport() && !insecure => {
                    return Err(RegistryError::Unreachable {
                        registry: reference.registry.clone(),
                        source: Box::new(e),
                    });
                }
                Err(e) => return Err(e),
            };
            let status = response.status().as_u16();
            match status {
                401 => client.authenticate(response.headers(), &url, status)?,
                200..=299 => {}
                _ => tracing::debug!(
                    "{url} answered {status}; going on as if no authentication were needed."
                ),
            }
            return Ok(client);
        }
        Err(last_error.unwrap_or(RegistryError::Url {
            url: host.to_owned(),
        }))
    }

    /// The repository this client serves.
    pub(crate) fn repository(&self) -> &str {
        &self.repository
    }

    /// `base + path`, for messages and requests.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `GET` of a path under the registry (`/v2/<repo>/manifests/<ref>`), authenticated;
    /// only 2xx answers come back, others are errors.
    pub(crate) fn get(
        &self,
        path: &str,
        accept: Option<&str>,
        range_from: Option<u64>,
    ) -> Result<Response<Body>, RegistryError> {
        let url = self.url(path);
        let mut reauthenticated = false;
        loop {
            let authorization = self
                .authorization()?
                .map(|header| (self.origin.clone(), header));
            let response = self.send(&Outgoing {
                url: &url,
                form: None,
                accept,
                range_from,
                authorization,
            })?;
            let status = response.status().as_u16();
            match status {
                200..=299 => return Ok(response),
                401 if !reauthenticated
                    && !matches!(self.credentials, Some(Credentials::RegistryToken(_))) =>
                {
                    self.authenticate(response.headers(), &url, status)?;
                    reauthenticated = true;
                }
                401 | 403 => {
                    return Err(RegistryError::Unauthorized {
                        url,
                        status,
                        message: error_message(response),
                        note: self.note.clone(),
                    });
                }
                404 => {
                    return Err(RegistryError::NotFound {
                        url,
                        message: error_message(response),
                    });
                }
                _ => {
                    return Err(RegistryError::Status {
                        url,
                        status,
                        message: error_message(response),
                    });
                }
            }
        }
    }

    /// `GET` of a URL outside the registry (a foreign layer's `urls`), unauthenticated.
    pub(crate) fn get_external(
        &self,
        url: &str,
        range_from: Option<u64>,
    ) -> Result<Response<Body>, RegistryError> {
        let uri: Uri = url.parse().map_err(|_| RegistryError::Url {
            url: url.to_owned(),
        })?;
        match Origin::of(&uri) {
            Some(o) if o.scheme == "https" || self.insecure => {}
            _ => {
                return Err(RegistryError::Url {
                    url: url.to_owned(),
                });
            }
        }
        let response = self.send(&Outgoing {
            range_from,
            ..Outgoing::get(url)
        })?;
        let status = response.status().as_u16();
        match status {
            200..=299 => Ok(response),
            404 => Err(RegistryError::NotFound {
                url: url.to_owned(),
                message: error_message(response),
            }),
            _ => Err(RegistryError::Status {
                url: url.to_owned(),
                status,
                message: error_message(response),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Auth> {
        // The state stays consistent if a thread panicked while holding the lock: each write
        // replaces it whole.
        self.auth.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The `Authorization` header for the registry, renewing an expired token first.
    fn authorization(&self) -> Result<Option<String>, RegistryError> {
        if let Some(Credentials::RegistryToken(token)) = &self.credentials {
            return Ok(Some(format!("Bearer {token}")));
        }
        let mut auth = self.lock();
        match &mut *auth {
            Auth::Anonymous => Ok(None),
            Auth::Basic => Ok(match &self.credentials {
                Some(Credentials::Basic { username, password }) => {
                    Some(basic_header(username, password))
                }
                _ => None,
            }),
            Auth::Bearer {
                realm,
                service,
                scope,
                token,
            } => {
                let fresh = token
                    .as_ref()
                    .filter(|t| Instant::now() < t.renew_at)
                    .map(|t| t.value.clone());
                let value = match fresh {
                    Some(value) => value,
                    None => {
                        let renewed = self.fetch_token(realm, service.as_deref(), scope)?;
                        let value = renewed.value.clone();
                        *token = Some(renewed);
                        value
                    }
                };
                Ok(Some(format!("Bearer {value}")))
            }
        }
    }

    /// Acts on a 401's challenges: fetches a token, or switches to basic auth.
    fn authenticate(
        &self,
        headers: &HeaderMap,
        url: &str,
        status: u16,
    ) -> Result<(), RegistryError> {
        let challenges: Vec<_> = headers
            .get_all("www-authenticate")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(parse_challenges)
            .collect();
        let unauthorized = |message: &str| RegistryError::Unauthorized {
            url: url.to_owned(),
            status,
            message: message.to_owned(),
            note: self.note.clone(),
        };
        if let Some(bearer) = challenges.iter().find(|c| c.scheme == "bearer") {
            let realm = bearer
                .param("realm")
                .filter(|r| !r.is_empty())
                .ok_or_else(|| unauthorized("the registry's Bearer challenge names no realm"))?
                .to_owned();
            let service = bearer.param("service").map(str::to_owned);
            let scope = bearer
                .param("scope")
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .unwrap_or_else(|| format!("repository:{}:pull", self.repository));
            let token = self.fetch_token(&realm, service.as_deref(), &scope)?;
            *self.lock() = Auth::Bearer {
                realm,
                service,
                scope,
                token: Some(token),
            };
            return Ok(());
        }
        if challenges.iter().any(|c| c.scheme == "basic") {
            return match &self.credentials {
                Some(Credentials::Basic { .. }) => {
                    *self.lock() = Auth::Basic;
                    Ok(())
                }
                _ => Err(unauthorized(
                    "the registry asks for a user name and password",
                )),
            };
        }
        Err(unauthorized(
            "the registry sent no Bearer or Basic challenge to answer",
        ))
    }

    /// Asks the realm for a token, as the distribution token spec describes.
    fn fetch_token(
        &self,
        realm: &str,
        service: Option<&str>,
        scope: &str,
    ) -> Result<Token, RegistryError> {
        let token_error = |message: String| RegistryError::Token {
            url: realm.to_owned(),
            message,
        };
        let uri: Uri = realm.parse().map_err(|_| RegistryError::Url {
            url: realm.to_owned(),
        })?;
        let origin = Origin::of(&uri).ok_or_else(|| RegistryError::Url {
            url: realm.to_owned(),
        })?;
        let has_secret = matches!(
            self.credentials,
            Some(Credentials::Basic { .. } | Credentials::IdentityToken(_))
        );
        if has_secret && origin.scheme == "http" && !self.insecure && !origin.is_loopback() {
            return Err(token_error(
                "refusing to send credentials to a plain-HTTP token endpoint".to_owned(),
            ));
        }
        let mut params: Vec<(&str, &str)> = Vec::new();
        if let Some(service) = service {
            params.push(("service", service));
        }
        params.push(("scope", scope));
        let query = encode_form(&params);
        let url;
        let outgoing = match &self.credentials {
            Some(Credentials::IdentityToken(refresh)) => {
                let mut form = params.clone();
                form.extend([
                    ("grant_type", "refresh_token"),
                    ("refresh_token", refresh.as_str()),
                    ("client_id", "harrier"),
                ]);
                Outgoing {
                    form: Some(encode_form(&form)),
                    ..Outgoing::get(realm)
                }
            }
            credentials => {
                let separator = if realm.contains('?') { '&' } else { '?' };
                url = format!("{realm}{separator}{query}");
                let authorization = match credentials {
                    Some(Credentials::Basic { username, password }) => {
                        Some((origin.clone(), basic_header(username, password)))
                    }
                    _ => None,
                };
                Outgoing {
                    authorization,
                    ..Outgoing::get(&url)
                }
            }
        };
        let response = self.send(&outgoing)?;
        let status = response.status().as_u16();
        match status {
            200..=299 => {}
            401 | 403 => {
                let said = error_message(response);
                let message = if has_secret {
                    format!("the token endpoint `{realm}` refused the credentials")
                } else {
                    format!("the token endpoint `{realm}` refused an anonymous token")
                };
                return Err(RegistryError::Unauthorized {
                    url: realm.to_owned(),
                    status,
                    message: if said.is_empty() {
                        message
                    } else {
                        format!("{message}: {said}")
                    },
                    note: self.note.clone(),
                });
            }
            _ => {
                return Err(token_error(format!(
                    "answered {status}{}",
                    match error_message(response) {
                        m if m.is_empty() => m,
                        m => format!(": {m}"),
                    }
                )));
            }
        }
        let bytes = read_limited(response, MAX_TOKEN_BYTES, "token response", realm)?;
        let parsed = parse_token_response(&bytes).map_err(token_error)?;
        Ok(parsed)
    }

    /// Sends with retries: 429, 5xx and transport failures are tried again.
    fn send(&self, outgoing: &Outgoing<'_>) -> Result<Response<Body>, RegistryError> {
        let mut delay = self.retry_backoff;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let more = attempt <= self.retries;
            match self.send_once(outgoing) {
                Ok(response) if more && is_retryable(response.status().as_u16()) => {
                    let wait = retry_after(response.headers())
                        .unwrap_or(delay)
                        .min(MAX_RETRY_WAIT);
                    tracing::info!(
                        "{} answered {} (attempt {attempt}); retrying in {wait:?}.",
                        outgoing.url,
                        response.status().as_u16()
                    );
                    std::thread::sleep(wait);
                }
                Err(e) if more && e.is_transport() => {
                    tracing::info!(
                        "{} failed (attempt {attempt}): {}; retrying in {delay:?}.",
                        outgoing.url,
                        error_chain(&e)
                    );
                    std::thread::sleep(delay);
                }
                result => return result,
            }
            delay = delay.saturating_mul(2).min(MAX_RETRY_WAIT);
        }
    }

    /// Sends once, following redirects.
    fn send_once(&self, outgoing: &Outgoing<'_>) -> Result<Response<Body>, RegistryError> {
        let mut url = outgoing.url.to_owned();
        for _ in 0..=MAX_REDIRECTS {
            let uri: Uri = url
                .parse()
                .map_err(|_| RegistryError::Url { url: url.clone() })?;
            let origin = Origin::of(&uri).ok_or_else(|| RegistryError::Url { url: url.clone() })?;
            let mut headers: Vec<(&str, String)> = Vec::new();
            if let Some(accept) = outgoing.accept {
                headers.push(("Accept", accept.to_owned()));
            }
            if let Some(from) = outgoing.range_from {
                headers.push(("Range", format!("bytes={from}-")));
            }
            if let Some((allowed, value)) = &outgoing.authorization {
                if *allowed == origin {
                    headers.push(("Authorization", value.clone()));
                }
            }
            let transport = |e: ureq::Error| RegistryError::Transport {
                url: url.clone(),
                source: Box::new(e),
            };
            let response = match &outgoing.form {
                Some(form) => {
                    let mut request = self.agent.post(&uri);
                    for (name, value) in &headers {
                        request = request.header(*name, value);
                    }
                    request
                        .content_type("application/x-www-form-urlencoded")
                        .send(form.as_str())
                        .map_err(transport)?
                }
                None => {
                    let mut request = self.agent.get(&uri);
                    for (name, value) in &headers {
                        request = request.header(*name, value);
                    }
                    request.call().map_err(transport)?
                }
            };
            let status = response.status().as_u16();
            if !matches!(status, 301 | 302 | 303 | 307 | 308) || outgoing.form.is_some() {
                return Ok(response);
            }
            let Some(location) = response
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
            else {
                return Ok(response);
            };
            let next = resolve_location(&uri, location).ok_or_else(|| RegistryError::Url {
                url: location.to_owned(),
            })?;
            if origin.scheme == "https" && next.starts_with("http:") && !self.insecure {
                return Err(RegistryError::Redirect {
                    from: url,
                    to: next,
                    reason: "it leaves HTTPS for plain HTTP",
                });
            }
            tracing::debug!("{url} redirects to {next}.");
            url = next;
        }
        Err(RegistryError::Redirect {
            from: outgoing.url.to_owned(),
            to: url,
            reason: "too many redirects",
        })
    }
}

fn is_retryable(status: u16) -> bool {
    status == 429 || (500..=599).contains(&status)
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get("retry-after")?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

fn basic_header(username: &str, password: &str) -> String {
    let encoded =
        base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
    format!("Basic {encoded}")
}

/// `a=b&c=d` with `application/x-www-form-urlencoded` escaping (spaces as `%20`, which both
/// query strings and form bodies accept).
fn encode_form(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        percent_encode(name, &mut out);
        out.push('=');
        percent_encode(value, &mut out);
    }
    out
}

fn percent_encode(s: &str, out: &mut String) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

/// A `Location` value resolved against the URL it answered.
fn resolve_location(base: &Uri, location: &str) -> Option<String> {
    let location = location.trim();
    if location.starts_with("http://") || location.starts_with("https://") {
        return Some(location.to_owned());
    }
    let scheme = base.scheme_str()?;
    let authority = base.authority()?.as_str();
    if location.starts_with("//") {
        return Some(format!("{scheme}:{location}"));
    }
    if location.starts_with('/') {
        return Some(format!("{scheme}://{authority}{location}"));
    }
    let path = base.path();
    let dir = path.rfind('/').and_then(|i| path.get(..=i)).unwrap_or("/");
    Some(format!("{scheme}://{authority}{dir}{location}"))
}

/// Reads a body up to `limit` bytes.
pub(crate) fn read_limited(
    response: Response<Body>,
    limit: u64,
    what: &'static str,
    url: &str,
) -> Result<Vec<u8>, RegistryError> {
    response
        .into_body()
        .into_with_config()
        .limit(limit)
        .read_to_vec()
        .map_err(|e| match e {
            ureq::Error::BodyExceedsLimit(_) => RegistryError::TooLarge {
                what,
                url: url.to_owned(),
                limit,
            },
            e => RegistryError::Transport {
                url: url.to_owned(),
                source: Box::new(e),
            },
        })
}

/// What an error response says: distribution's `errors[]`, a token server's `details` or
/// `error_description`, or the start of the text.
fn error_message(response: Response<Body>) -> String {
    let Ok(bytes) = response
        .into_body()
        .into_with_config()
        .limit(MAX_ERROR_BYTES)
        .read_to_vec()
    else {
        return String::new();
    };
    describe_error_body(&bytes)
}

/// See [`error_message`].
pub fn describe_error_body(bytes: &[u8]) -> String {
    #[derive(Deserialize)]
    struct Entry {
        #[serde(default)]
        code: Option<String>,
        #[serde(default)]
        message: Option<String>,
    }
    #[derive(Deserialize)]
    struct Body {
        #[serde(default)]
        errors: Vec<Entry>,
        #[serde(default)]
        details: Option<String>,
        #[serde(default)]
        error_description: Option<String>,
        #[serde(default)]
        error: Option<serde_json::Value>,
    }
    let one_line = |s: &str| -> String {
        let s: String = s
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(300)
            .collect();
        s.trim().to_owned()
    };
    if let Ok(body) = serde_json::from_slice::<Body>(bytes) {
        let listed: Vec<String> = body
            .errors
            .iter()
            .take(5)
            .map(|e| match (&e.code, &e.message) {
                (Some(c), Some(m)) => format!("{c}: {m}"),
                (Some(x), None) | (None, Some(x)) => x.clone(),
                (None, None) => String::new(),
            })
            .filter(|s| !s.is_empty())
            .collect();
        if !listed.is_empty() {
            return one_line(&listed.join("; "));
        }
        if let Some(m) = body.details.or(body.error_description) {
            return one_line(&m);
        }
        if let Some(serde_json::Value::String(m)) = body.error {
            return one_line(&m);
        }
    }
    one_line(&String::from_utf8_lossy(bytes))
}

#[derive(Deserialize)]
struct TokenResponse {
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
}

/// The token and its lifetime in a token endpoint's JSON answer.
pub fn parse_token_response_value(bytes: &[u8]) -> Result<(String, Duration), String> {
    let parsed: TokenResponse =
        serde_json::from_slice(bytes).map_err(|e| format!("the answer is not token JSON: {e}"))?;
    let value = parsed
        .token
        .filter(|t| !t.is_empty())
        .or(parsed.access_token.filter(|t| !t.is_empty()))
        .ok_or_else(|| "the answer holds no token".to_owned())?;
    if value.bytes().any(|b| b.is_ascii_control() || b == b' ') {
        return Err("the token has spaces or control characters".to_owned());
    }
    // The spec's minimum lifetime is 60 s; some servers send less, or a string.
    let lifetime = parsed
        .expires_in
        .and_then(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok()))
        .unwrap_or(TOKEN_DEFAULT_LIFETIME)
        .clamp(TOKEN_DEFAULT_LIFETIME, 24 * 3600);
    Ok((value, Duration::from_secs(lifetime)))
}

fn parse_token_response(bytes: &[u8]) -> Result<Token, String> {
    let (value, lifetime) = parse_token_response_value(bytes)?;
    Ok(Token {
        value,
        renew_at: Instant::now() + lifetime.saturating_sub(TOKEN_MARGIN),
    })
}

/// An error and its causes on one line, for log messages.
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        out.push_str(": ");
        out.push_str(&cause.to_string());
        source = cause.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_locations() {
        let base: Uri = match "https://reg.example.com/v2/a/blobs/sha256:x".parse() {
            Ok(u) => u,
            Err(e) => panic!("{e}"),
        };
        let r = |l: &str| resolve_location(&base, l);
        assert_eq!(
            r("https://s3.example.com/b?sig=1").as_deref(),
            Some("https://s3.example.com/b?sig=1")
        );
        assert_eq!(
            r("//cdn.example.com/x").as_deref(),
            Some("https://cdn.example.com/x")
        );
        assert_eq!(
            r("/other").as_deref(),
            Some("https://reg.example.com/other")
        );
        assert_eq!(
            r("sibling").as_deref(),
            Some("https://reg.example.com/v2/a/blobs/sibling")
        );
    }

    #[test]
    fn origins() {
        let o = |s: &str| s.parse::<Uri>().ok().as_ref().and_then(Origin::of);
        assert_eq!(o("https://a.example"), o("https://A.example:443/x"));
        assert_ne!(o("https://a.example"), o("http://a.example"));
        assert_ne!(o("http://a.example"), o("http://a.example:8080"));
        assert_eq!(o("ftp://a.example"), None);
        assert!(o("http://127.0.0.1:5000").is_some_and(|o| o.is_loopback()));
        assert!(o("http://[::1]:5000").is_some_and(|o| o.is_loopback()));
        assert!(!o("http://10.0.0.1").is_some_and(|o| o.is_loopback()));
    }

    #[test]
    fn forms() {
        assert_eq!(
            encode_form(&[("scope", "repository:a/b:pull,push"), ("x", "é &=")]),
            "scope=repository%3Aa%2Fb%3Apull%2Cpush&x=%C3%A9%20%26%3D"
        );
        assert_eq!(basic_header("user", "pass"), "Basic dXNlcjpwYXNz");
    }

    #[test]
    fn token_responses() {
        assert_eq!(
            parse_token_response_value(br#"{"token":"t","expires_in":300}"#),
            Ok(("t".to_owned(), Duration::from_secs(300)))
        );
        assert_eq!(
            parse_token_response_value(br#"{"token":"","access_token":"a","expires_in":5}"#),
            Ok(("a".to_owned(), Duration::from_secs(60)))
        );
        assert_eq!(
            parse_token_response_value(br#"{"access_token":"a","expires_in":"120"}"#),
            Ok(("a".to_owned(), Duration::from_secs(120)))
        );
        assert!(parse_token_response_value(br#"{"token":""}"#).is_err());
        assert!(parse_token_response_value(br#"{"token":"a\nb"}"#).is_err());
        assert!(parse_token_response_value(b"<html>").is_err());
    }

    #[test]
    fn error_bodies() {
        assert_eq!(
            describe_error_body(
                br#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{}}]}"#
            ),
            "MANIFEST_UNKNOWN: manifest unknown"
        );
        assert_eq!(
            describe_error_body(br#"{"details":"incorrect username or password"}"#),
            "incorrect username or password"
        );
        assert_eq!(
            describe_error_body(b"404 page\nnot found\n"),
            "404 page not found"
        );
        assert_eq!(describe_error_body(b""), "");
    }
}
