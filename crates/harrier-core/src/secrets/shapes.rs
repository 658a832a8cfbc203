//! Credentials recognised by their shape alone: a fixed prefix or marker ([`Shape::anchors`])
//! followed by a body of a known alphabet and length, standing alone as a word.
//!
//! Each matcher takes the position where one of its anchors starts and either returns the
//! secret's byte range ([`ShapeMatch`]) or nothing. Matchers look at most a bounded distance
//! around the anchor (the longest body a shape allows), so scanning cost stays linear in the
//! input whatever it holds.

use std::ops::Range;
use std::sync::LazyLock;

use aho_corasick::AhoCorasick;

/// A kind of credential recognised by its shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Shape {
    /// A PEM, OpenSSH or PGP private key: `-----BEGIN <label>PRIVATE KEY-----` (or
    /// `PRIVATE KEY BLOCK`) followed by a base64 body of at least 40 characters on its first
    /// line, after optional armour headers (`Proc-Type:`, `Version:`), with real or escaped
    /// (`\n`) line breaks. A marker without a body (code that writes one, a truncated
    /// example) is not a key.
    PrivateKey,
    /// An AWS access key id: `AKIA`, `ASIA`, `ABIA` or `ACCA` and 16 upper-case letters or
    /// digits.
    AwsAccessKeyId,
    /// A GitHub token: `ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_` and at least 36 letters or
    /// digits, or a fine-grained `github_pat_` and at least 22 of letters, digits and `_`.
    GitHubToken,
    /// A GitLab personal access token: `glpat-` and at least 20 of letters, digits, `_`, `-`
    /// (newer tokens add `.`-separated parts, which belong to the token).
    GitLabToken,
    /// A Slack token: `xoxb-`, `xoxp-`, `xoxa-`, `xoxr-`, `xoxs-` or `xoxe-` and at least 10
    /// of letters, digits and `-`.
    SlackToken,
    /// A Slack incoming-webhook URL: `https://hooks.slack.com/services/T…/B…/<secret>`.
    SlackWebhook,
    /// A Google API key: `AIza` and exactly 35 of letters, digits, `_`, `-`.
    GoogleApiKey,
    /// A Stripe live secret or restricted key: `sk_live_` or `rk_live_` and at least 20
    /// letters or digits.
    StripeSecretKey,
    /// An npm access token: `npm_` and exactly 36 letters or digits.
    NpmToken,
    /// A PyPI API token: `pypi-AgEIcHlwaS5vcmc` (a macaroon for `pypi.org`) and at least 50 of
    /// letters, digits, `_`, `-`.
    PyPiToken,
    /// A Docker Hub personal access token: `dckr_pat_` and 20 to 64 of letters, digits, `_`,
    /// `-`.
    DockerHubToken,
    /// A Microsoft Entra ID (Azure AD) client secret of the current format: three characters,
    /// a digit, `Q~`, and 31 to 34 more, standing alone.
    AzureClientSecret,
    /// A JSON Web Token: three base64url segments, the first two JSON objects (`eyJ`), each
    /// at least 10 characters.
    Jwt,
}

/// Where a [`Shape`] was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeMatch {
    /// What was found.
    pub shape: Shape,
    /// The secret's bytes in the text searched. For a private key: its body, from the end of
    /// the `BEGIN` marker to the end of the `END` marker (or of the first body line).
    pub span: Range<usize>,
    /// How many leading bytes of `span` are a fixed, public prefix that may be shown to name
    /// the kind of secret (`AKIA`, `ghp_`); the rest must never be shown.
    pub keep: usize,
}

impl Shape {
    /// Every shape, in the order [`find_shapes`] prefers them when several match one value.
    pub const ALL: [Shape; 13] = [
        Shape::PrivateKey,
        Shape::AwsAccessKeyId,
        Shape::GitHubToken,
        Shape::SlackToken,
        Shape::SlackWebhook,
        Shape::GoogleApiKey,
        Shape::StripeSecretKey,
        Shape::GitLabToken,
        Shape::NpmToken,
        Shape::PyPiToken,
        Shape::DockerHubToken,
        Shape::AzureClientSecret,
        Shape::Jwt,
    ];

    /// "a PEM private key", "an AWS access key id"…, ready to follow "holds".
    pub fn description(self) -> &'static str {
        match self {
            Shape::PrivateKey => "a PEM private key",
            Shape::AwsAccessKeyId => "an AWS access key id",
            Shape::GitHubToken => "a GitHub token",
            Shape::GitLabToken => "a GitLab token",
            Shape::SlackToken => "a Slack token",
            Shape::SlackWebhook => "a Slack webhook URL",
            Shape::GoogleApiKey => "a Google API key",
            Shape::StripeSecretKey => "a Stripe secret key",
            Shape::NpmToken => "an npm access token",
            Shape::PyPiToken => "a PyPI API token",
            Shape::DockerHubToken => "a Docker Hub access token",
            Shape::AzureClientSecret => "an Azure client secret",
            Shape::Jwt => "a JSON Web Token",
        }
    }

    /// The fixed strings one of which every match contains at a known place: a caller finds
    /// these with a multi-pattern search and passes each position to [`Shape::match_at`].
    pub fn anchors(self) -> &'static [&'static str] {
        match self {
            Shape::PrivateKey => &["-----BEGIN "],
            Shape::AwsAccessKeyId => &["AKIA", "ASIA", "ABIA", "ACCA"],
            Shape::GitHubToken => &["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
            Shape::GitLabToken => &["glpat-"],
            Shape::SlackToken => &["xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "xoxe-"],
            Shape::SlackWebhook => &[SLACK_WEBHOOK],
            Shape::GoogleApiKey => &["AIza"],
            Shape::StripeSecretKey => &["sk_live_", "rk_live_"],
            Shape::NpmToken => &["npm_"],
            Shape::PyPiToken => &["pypi-AgEIcHlwaS5vcmc"],
            Shape::DockerHubToken => &["dckr_pat_"],
            Shape::AzureClientSecret => &["Q~"],
            Shape::Jwt => &["eyJ"],
        }
    }

    /// The match of this shape whose anchor starts at `at` in `text`, if there is one.
    pub fn match_at(self, text: &[u8], at: usize) -> Option<ShapeMatch> {
        let rest = text.get(at..)?;
        let anchor = self
            .anchors()
            .iter()
            .find(|a| rest.starts_with(a.as_bytes()))?
            .len();
        let token = |min, max, body: fn(u8) -> bool| token_at(text, at, anchor, min, max, body);
        let (span, keep) = match self {
            Shape::PrivateKey => (private_key_at(text, at)?, 0),
            Shape::AwsAccessKeyId => (token(16, 16, upper_or_digit)?, anchor),
            Shape::GitHubToken if anchor == "github_pat_".len() => {
                (token(22, 255, alnum_underscore)?, anchor)
            }
            Shape::GitHubToken => (token(36, 255, alnum)?, anchor),
            Shape::GitLabToken => (dotted(text, token(20, 255, base64url)?), anchor),
            Shape::SlackToken => (token(10, 255, alnum_dash)?, anchor),
            Shape::SlackWebhook => (slack_webhook_at(text, at)?, anchor),
            Shape::GoogleApiKey => (token(35, 35, base64url)?, anchor),
            Shape::StripeSecretKey => (token(20, 255, alnum)?, anchor),
            Shape::NpmToken => (token(36, 36, alnum)?, anchor),
            Shape::PyPiToken => (token(50, 1000, base64url)?, "pypi-".len()),
            Shape::DockerHubToken => (token(20, 64, base64url)?, anchor),
            Shape::AzureClientSecret => (azure_client_secret_at(text, at)?, 0),
            Shape::Jwt => (jwt_at(text, at)?, "eyJ".len()),
        };
        Some(ShapeMatch {
            shape: self,
            span,
            keep,
        })
    }
}

const SLACK_WEBHOOK: &str = "https://hooks.slack.com/services/";

fn upper_or_digit(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit()
}

fn alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

fn alnum_underscore(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn alnum_dash(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

fn base64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

fn base64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'='
}

/// Characters that continue a word: a token must not be preceded or followed by one.
fn word(b: u8) -> bool {
    base64url(b)
}

/// The length of the run of `body` bytes at the start of `text`, counting at most `max + 1`.
fn run(text: &[u8], max: usize, body: impl Fn(u8) -> bool) -> usize {
    text.iter()
        .take(max.saturating_add(1))
        .take_while(|&&b| body(b))
        .count()
}

/// A token: the anchor at `at` (`anchor` bytes) and `min..=max` bytes of `body`, not inside a
/// longer word.
fn token_at(
    text: &[u8],
    at: usize,
    anchor: usize,
    min: usize,
    max: usize,
    body: fn(u8) -> bool,
) -> Option<Range<usize>> {
    let starts_word = at
        .checked_sub(1)
        .and_then(|i| text.get(i))
        .is_none_or(|&b| !word(b));
    let body_start = at.checked_add(anchor)?;
    let rest = text.get(body_start..)?;
    let len = run(rest, max, body);
    let ends_word = rest.get(len).is_none_or(|&b| !word(b));
    (starts_word && ends_word && (min..=max).contains(&len)).then(|| at..body_start + len)
}

/// Extends a token over `.`-separated parts that follow it (`glpat-….01.…`).
fn dotted(text: &[u8], mut span: Range<usize>) -> Range<usize> {
    while text.get(span.end) == Some(&b'.') {
        let part = run(text.get(span.end + 1..).unwrap_or_default(), 255, base64url);
        if part == 0 {
            break;
        }
        span.end += 1 + part;
    }
    span
}

/// `https://hooks.slack.com/services/T<team>/B<bot>/<secret>`.
fn slack_webhook_at(text: &[u8], at: usize) -> Option<Range<usize>> {
    let mut pos = at + SLACK_WEBHOOK.len();
    for (lead, min) in [(b'T', 6), (b'B', 6)] {
        if text.get(pos) != Some(&lead) {
            return None;
        }
        let len = run(text.get(pos + 1..)?, 64, upper_or_digit);
        if len < min || len > 64 || text.get(pos + 1 + len) != Some(&b'/') {
            return None;
        }
        pos += len + 2;
    }
    let len = run(text.get(pos..)?, 64, alnum);
    (20..=64).contains(&len).then(|| at..pos + len)
}

/// `[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}`, standing alone; `at` is the `Q`.
fn azure_client_secret_at(text: &[u8], at: usize) -> Option<Range<usize>> {
    let secret_char = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'~' | b'.' | b'-');
    let start = at.checked_sub(4)?;
    let head = text.get(start..at)?;
    let [a, b, c, digit] = head else { return None };
    if ![a, b, c]
        .iter()
        .all(|&&x| x.is_ascii_alphanumeric() || matches!(x, b'_' | b'~' | b'.'))
        || !digit.is_ascii_digit()
    {
        return None;
    }
    if start
        .checked_sub(1)
        .and_then(|i| text.get(i))
        .is_some_and(|&x| secret_char(x))
    {
        return None;
    }
    let len = run(text.get(at + 2..)?, 34, secret_char);
    (31..=34).contains(&len).then(|| start..at + 2 + len)
}

/// The longest JSON Web Token considered; Kubernetes service-account tokens are 1–2 KiB.
const JWT_MAX: usize = 16 * 1024;

/// `eyJ<header>.eyJ<payload>.<signature>`, not inside a longer word.
fn jwt_at(text: &[u8], at: usize) -> Option<Range<usize>> {
    if at
        .checked_sub(1)
        .and_then(|i| text.get(i))
        .is_some_and(|&b| word(b) || b == b'.')
    {
        return None;
    }
    let rest = text.get(at..)?;
    let mut len = run(rest, JWT_MAX, |b| word(b) || b == b'.');
    if len > JWT_MAX {
        return None;
    }
    // A sentence may end right after a token.
    if rest.get(..len).is_some_and(|c| c.ends_with(b".")) {
        len -= 1;
    }
    let candidate = rest.get(..len)?;
    let mut parts = candidate.split(|&b| b == b'.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    (payload.starts_with(b"eyJ")
        && header.len() >= 10
        && payload.len() >= 10
        && signature.len() >= 10)
        .then(|| at..at + len)
}

/// The longest label between `-----BEGIN ` and `-----` (`OPENSSH PRIVATE KEY`, `PGP PRIVATE
/// KEY BLOCK`).
const LABEL_MAX: usize = 40;
/// How far past a key's first line its `END` marker is looked for.
const KEY_BODY_MAX: usize = 64 * 1024;

/// A private key block; `at` is the first `-` of `-----BEGIN `. The span is the body.
fn private_key_at(text: &[u8], at: usize) -> Option<Range<usize>> {
    let label_start = at + "-----BEGIN ".len();
    let rest = text.get(label_start..)?;
    let label_len = run(rest, LABEL_MAX, |b| {
        b.is_ascii_uppercase() || b.is_ascii_digit() || b == b' '
    });
    if label_len > LABEL_MAX {
        return None;
    }
    let label = rest.get(..label_len)?;
    if !(label.ends_with(b"PRIVATE KEY") || label.ends_with(b"PRIVATE KEY BLOCK")) {
        return None;
    }
    if !rest.get(label_len..)?.starts_with(b"-----") {
        return None;
    }
    let marker_end = label_start + label_len + "-----".len();
    let body = first_body_line(text, marker_end)?;
    // The span runs to the end of the END marker when it is near (a key written on one line
    // with `\n` escapes must be hidden whole), else to the end of the first body line.
    let window = text.get(body.start..)?;
    let window = window.get(..KEY_BODY_MAX).unwrap_or(window);
    let end = memchr::memmem::find(window, b"-----END ")
        .and_then(|i| {
            let after = body.start + i + "-----END ".len();
            let tail = text.get(after..)?;
            let close = memchr::memmem::find(tail.get(..LABEL_MAX + 5).unwrap_or(tail), b"-----")?;
            Some(after + close + "-----".len())
        })
        .unwrap_or(body.end);
    Some(marker_end..end)
}

/// The first line of base64 after a `BEGIN` marker, past line breaks (real or escaped as
/// `\n`), indentation and up to eight armour headers (`Proc-Type: 4,ENCRYPTED`,
/// `Version: GnuPG`); `None` unless it holds at least 40 base64 characters.
fn first_body_line(text: &[u8], mut pos: usize) -> Option<Range<usize>> {
    let mut headers = 0;
    loop {
        // Separators: whitespace and escaped line breaks.
        loop {
            match text.get(pos..)? {
                [b' ' | b'\t' | b'\r' | b'\n', ..] => pos += 1,
                [b'\\', b'n' | b'r', ..] => pos += 2,
                _ => break,
            }
        }
        let rest = text.get(pos..)?;
        let len = run(rest, 4096, base64);
        if len >= 40 {
            return Some(pos..pos + len);
        }
        // An armour header: `Name: value` up to the end of its line.
        let name = run(rest, 64, |b| b.is_ascii_alphanumeric() || b == b'-');
        if headers == 8 || name == 0 || rest.get(name) != Some(&b':') {
            return None;
        }
        headers += 1;
        let line = rest
            .iter()
            .take(1024)
            .position(|&b| b == b'\n' || b == b'\\')?;
        pos += line;
    }
}

/// Whether a value mentions a private key's armour anywhere (`-BEGIN` and `PRIVATE KEY` on one
/// line), however the dashes were miscounted and whether or not a body follows. For values
/// already suspected of holding one (a ConfigMap entry, an environment variable), where a
/// mangled key is still a key committed by mistake; [`Shape::PrivateKey`] is the strict form.
pub fn mentions_private_key(value: &str) -> bool {
    value
        .lines()
        .any(|line| line.contains("-BEGIN") && line.contains("PRIVATE KEY"))
}

/// The password of the first URL in `text` whose user information carries one
/// (`scheme://user:password@host`) that is not a placeholder or a mask.
pub fn url_password(text: &str) -> Option<Range<usize>> {
    text.match_indices("://").find_map(|(at, _)| {
        let scheme_ok = text
            .get(..at)
            .and_then(|before| before.chars().next_back())
            .is_some_and(|c| c.is_ascii_alphanumeric());
        let authority_start = at + 3;
        let rest = text.get(authority_start..).unwrap_or_default();
        let authority = rest
            .split(|c: char| matches!(c, '/' | '?' | '#' | '"' | '\'' | '`') || c.is_whitespace())
            .next()
            .unwrap_or_default();
        let (userinfo, host) = authority.rsplit_once('@')?;
        let (user, password) = userinfo.split_once(':')?;
        let ok = scheme_ok
            && !host.is_empty()
            && !super::is_placeholder(password)
            && !password.chars().all(|c| c == '*' || c == 'x');
        let start = authority_start + user.len() + 1;
        ok.then(|| start..start + password.len())
    })
}

static FINDER: LazyLock<Result<(AhoCorasick, Vec<Shape>), aho_corasick::BuildError>> =
    LazyLock::new(|| {
        let mut patterns = Vec::new();
        let mut shapes = Vec::new();
        for shape in Shape::ALL {
            for anchor in shape.anchors() {
                patterns.push(*anchor);
                shapes.push(shape);
            }
        }
        AhoCorasick::new(patterns).map(|ac| (ac, shapes))
    });

/// Every shape in `text`, in the order of their anchors.
pub fn find_shapes(text: &[u8]) -> impl Iterator<Item = ShapeMatch> + '_ {
    let finder = FINDER.as_ref().ok();
    finder.into_iter().flat_map(move |(ac, shapes)| {
        ac.find_iter(text).filter_map(move |m| {
            shapes
                .get(m.pattern().as_usize())
                .and_then(|shape| shape.match_at(text, m.start()))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shapes(text: &str) -> Vec<(Shape, &str, usize)> {
        find_shapes(text.as_bytes())
            .map(|m| (m.shape, text.get(m.span.clone()).unwrap_or("?"), m.keep))
            .collect()
    }

    #[test]
    fn the_finder_builds() {
        assert!(FINDER.is_ok());
    }

    #[test]
    fn tokens_stand_alone_and_have_their_length() {
        let id = "AKIA2E0A8F3B244C9986";
        assert_eq!(
            shapes(&format!("key={id};")),
            [(Shape::AwsAccessKeyId, id, 4)]
        );
        assert!(shapes(&format!("X{id}")).is_empty());
        assert!(shapes(&format!("{id}Z")).is_empty());
        assert!(shapes("AKIA2E0A8F3B244C998").is_empty());
        let gh = "ghp_R8kT2mQx7LwVd9ZpNc4Hs6JyUb3Fg1AeKo5n";
        assert_eq!(shapes(gh), [(Shape::GitHubToken, gh, 4)]);
        assert!(shapes("ghp_R8kT2mQx7LwVd9ZpNc4Hs6JyUb3Fg1AeKo").is_empty());
        let pat = "github_pat_11ABCDEFG0Rk8T2mQx7LwV_d9ZpNc4Hs6JyUb3Fg1AeKo5nR8kT2mQx7LwVd9ZpNc4Hs6JyUb3Fg1AeKo5";
        assert_eq!(shapes(pat), [(Shape::GitHubToken, pat, 11)]);
        let gl = "glpat-Vd9ZpNc4Hs6JyUb3Fg1A";
        assert_eq!(shapes(gl), [(Shape::GitLabToken, gl, 6)]);
        let gl_new = "glpat-Vd9ZpNc4Hs6JyUb3Fg1AeKo5nR8kT2m.01.0w1x2y3z4";
        assert_eq!(
            shapes(&format!("{gl_new}.")),
            [(Shape::GitLabToken, gl_new, 6)]
        );
        let slack = "xoxb-2739401827-Q8w7ZpLk3NvB";
        assert_eq!(shapes(slack), [(Shape::SlackToken, slack, 5)]);
        let google = "AIzaSyD4kT9mQx7LwVd9ZpNc4Hs6JyUb3Fg1AeK";
        assert_eq!(shapes(google), [(Shape::GoogleApiKey, google, 4)]);
        let stripe = "sk_live_4kT9mQx7LwVd9ZpNc4Hs6JyU";
        assert_eq!(shapes(stripe), [(Shape::StripeSecretKey, stripe, 8)]);
        assert!(shapes("sk_test_4kT9mQx7LwVd9ZpNc4Hs6JyU").is_empty());
        let npm = "npm_R8kT2mQx7LwVd9ZpNc4Hs6JyUb3Fg1AeKo5n";
        assert_eq!(shapes(npm), [(Shape::NpmToken, npm, 4)]);
        let pypi = format!(
            "pypi-AgEIcHlwaS5vcmc{}",
            "CJDk3Yzg5NTQtYjI0Ni00MzQ1LTk3ZmItZGI2NTE0MjI5ZjQ4AAIqWzMsImU3YTk2"
        );
        assert_eq!(shapes(&pypi), [(Shape::PyPiToken, pypi.as_str(), 5)]);
        let docker = "dckr_pat_Q8w7ZpLk3NvBx2Mc9RtYh4Jd6Fs";
        assert_eq!(shapes(docker), [(Shape::DockerHubToken, docker, 9)]);
    }

    #[test]
    fn slack_webhooks_need_their_three_parts() {
        let url = "https://hooks.slack.com/services/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";
        assert_eq!(
            shapes(&format!("url: {url}\n")),
            [(Shape::SlackWebhook, url, SLACK_WEBHOOK.len())]
        );
        assert!(shapes("https://hooks.slack.com/services/T0A1B2C3D4/B5E6F7G8H9/").is_empty());
        assert!(shapes("https://hooks.slack.com/services/").is_empty());
    }

    #[test]
    fn azure_client_secrets() {
        let secret = "a1b8Q~Vd9ZpNc4Hs6JyUb3Fg1AeKo5nR8kT2mQx7";
        assert_eq!(
            shapes(&format!("AZURE_CLIENT_SECRET={secret}\n")),
            [(Shape::AzureClientSecret, secret, 0)]
        );
        assert!(shapes("Q~Vd9ZpNc4Hs6JyUb3Fg1AeKo5nR8kT2mQx7").is_empty());
        assert!(shapes("xa1b8Q~Vd9ZpNc4Hs6JyUb3Fg1AeKo5nR8kT2mQx7").is_empty());
        assert!(shapes("a1b8Q~short").is_empty());
    }

    #[test]
    fn json_web_tokens() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
        assert_eq!(shapes(&format!("Bearer {jwt}.")), [(Shape::Jwt, jwt, 3)]);
        assert!(shapes(&format!("x{jwt}")).is_empty());
        assert!(shapes("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0").is_empty());
        assert!(shapes("eyJhbGciOiJIUzI1NiJ9.notjson0000.dozjgNryP4J3jVmNHl0w5N").is_empty());
    }

    const BODY: &str = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDQ3k7Zr9pV2mLx";

    #[test]
    fn private_keys_need_a_body() {
        for label in ["RSA ", "EC ", "DSA ", "OPENSSH ", "ENCRYPTED ", ""] {
            let text = format!(
                "-----BEGIN {label}PRIVATE KEY-----\n{BODY}\nQ8w7ZpLk3NvB==\n-----END {label}PRIVATE KEY-----\n"
            );
            let found = shapes(&text);
            assert_eq!(found.len(), 1, "{label}");
            let m = find_shapes(text.as_bytes()).next().unwrap();
            assert!(
                text[m.span.clone()].ends_with("PRIVATE KEY-----"),
                "{label}"
            );
        }
        let pgp = format!(
            "-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\nComment: test\n\n{BODY}\n-----END PGP PRIVATE KEY BLOCK-----\n"
        );
        assert_eq!(shapes(&pgp).len(), 1);
        let encrypted = format!(
            "-----BEGIN RSA PRIVATE KEY-----\r\nProc-Type: 4,ENCRYPTED\r\nDEK-Info: AES-128-CBC,3F2A\r\n\r\n{BODY}\r\n"
        );
        assert_eq!(shapes(&encrypted).len(), 1);
        // On one line, as in JSON or an environment file: the whole key is the span.
        let escaped = format!(
            r#"{{"private_key": "-----BEGIN PRIVATE KEY-----\n{BODY}\nQ8w7==\n-----END PRIVATE KEY-----\n"}}"#
        );
        let m = find_shapes(escaped.as_bytes()).next().unwrap();
        assert_eq!(m.shape, Shape::PrivateKey);
        assert!(escaped[m.span.clone()].contains(BODY));
        assert!(escaped[m.span.clone()].ends_with("-----END PRIVATE KEY-----"));
        // Markers without a body, and other armour.
        for text in [
            "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----",
            "-----BEGIN RSA PRIVATE KEY-----\nMIIE...\n",
            "pem = \"-----BEGIN RSA PRIVATE KEY-----\\n\" + body",
            "if line == '-----BEGIN OPENSSH PRIVATE KEY-----':",
            "-----BEGIN CERTIFICATE-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDQ3k7Zr9pV2mLx\n",
            "-----BEGIN PUBLIC KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDQ3k7Zr9pV2mLx\n",
            "---BEGIN OPENSSH PRIVATE KEY---\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDQ3k7Zr9pV2mLx\n",
        ] {
            assert!(shapes(text).is_empty(), "{text}");
        }
        assert!(mentions_private_key(
            "---BEGIN OPENSSH PRIVATE KEY---\nxxxxx\n---END  OPENSSH PRIVATE KEY---"
        ));
    }

    #[test]
    fn url_passwords() {
        let text = "postgres://app:s3cr3t@db:5432/app";
        let span = url_password(text).unwrap();
        assert_eq!(&text[span], "s3cr3t");
        assert_eq!(
            url_password("postgres://app:${DB_PASSWORD}@db:5432/app"),
            None
        );
        assert_eq!(url_password("https://user:****@host/"), None);
        assert_eq!(url_password("postgres://app@db:5432/app"), None);
        assert_eq!(url_password("https://example.com/a:b@c"), None);
    }

    #[test]
    fn never_panics_near_the_end_of_the_input() {
        for shape in Shape::ALL {
            for anchor in shape.anchors() {
                for cut in 0..=anchor.len() {
                    let text = &anchor.as_bytes()[..cut];
                    for at in 0..=text.len() + 1 {
                        let _ = shape.match_at(text, at);
                    }
                }
            }
        }
    }
}
