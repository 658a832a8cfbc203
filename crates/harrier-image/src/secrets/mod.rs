//! Secrets in image layers: private keys, cloud credentials, tokens, registry and cluster
//! credentials, found in every text file of every layer, deleted ones included.
//!
//! [`SecretScanner`] is the walk's [`ContentScanner`]. The walk asks it about every entry
//! ([`ContentScanner::wants`], from the path and size alone) and hands it the bytes of the
//! files it wants ([`ContentScanner::scan`]); [`crate::resolve`] then attributes each finding
//! to its layer and says whether a later layer deleted the file (`deleted_in`), since a
//! deleted secret is still in the image for anyone who pulls it.
//!
//! # Rules
//!
//! Each [`Rule`] has a stable id, a title and a precise matcher ([`Rule::matcher`]):
//!
//! | id | what |
//! |---|---|
//! | `private-key` | PEM, OpenSSH, PGP private key blocks with a body; reported at the BEGIN line |
//! | `aws-access-key-id` | `AKIA…`/`ASIA…` ids |
//! | `aws-secret-access-key` | 40 base64 characters assigned to `aws_secret_access_key` and its spellings (credentials files, env, JSON) |
//! | `gcp-service-account` | service-account key JSON (`"type": "service_account"` and a `private_key`) |
//! | `azure-connection-string` | `AccountKey=` / `SharedAccessKey=` with a key |
//! | `azure-client-secret` | Entra ID client secrets (`…Q~…`, or assigned to `AZURE_CLIENT_SECRET`) |
//! | `github-token`, `gitlab-token`, `slack-token`, `slack-webhook`, `stripe-secret-key`, `npm-token`, `pypi-token`, `docker-hub-token` | tokens by their fixed prefixes |
//! | `npmrc-auth`, `pypirc-password`, `netrc-password`, `git-credentials`, `docker-config-auth` | credentials in the files those tools keep them in |
//! | `kubeconfig-credential` | kubeconfig users with a token, password or client key |
//! | `kubernetes-service-account-token` | service-account JWTs: at their mount path, or anywhere by their Kubernetes claims |
//! | `env-file-credential` | credential-named settings with strong values in `.env` files |
//!
//! Shapes that stand alone (tokens, keys, ids) are matched by
//! [`harrier_core::secrets::Shape`], shared with the posture checks so that a GitHub token is
//! the same thing in a ConfigMap and in a layer. Rules that need a name or a file format are
//! here ([`context`], [`files`]). Everything is matched by hand, anchored on fixed strings; no
//! regular expressions.
//!
//! # Keeping false positives low
//!
//! - Stand-ins are not secrets: references and templates (`${NPM_TOKEN}`, `{{ .token }}`),
//!   paths, masks, and values that have a secret's shape but say they are examples or are too
//!   regular to be random (`AKIAIOSFODNN7EXAMPLE`, `ghp_xxxx…`, `0123456789`); see
//!   [`harrier_core::secrets::is_example`].
//! - A private key marker needs a body: code that writes `-----BEGIN RSA PRIVATE KEY-----`
//!   is not a key.
//! - JSON Web Tokens are reported only when they are Kubernetes service-account tokens, and
//!   Google API keys not at all: both are everywhere in documentation and web bundles, and
//!   Google API keys are designed to ship in client code.
//! - `password=` is read only in `.env` files, where the name is a credential's and the value
//!   is strong; a password setting in arbitrary configuration is left to the posture checks.
//! - **Known test keys** ([`paths::is_package_test_or_doc`]): test suites, fixtures, examples
//!   and documentation of installed packages are not read (`usr/lib/python3*/test/`, Go's
//!   `src/…/testdata` and `*_test.go`, `node_modules/*/test/`, `site-packages/*/tests/`,
//!   `usr/share/doc/`). They hold private keys on purpose, and they are public: the same bytes
//!   are in every copy of the package. Trivy goes further and skips all of `usr/share`,
//!   `usr/lib` and every path with `test` or `example` in it; we read the image author's own
//!   files (`/app`, `/etc`, `/root`, `/srv`, `/opt`, their tests too) and packages' non-test
//!   files. A key generated when a package was installed (Debian's
//!   `/etc/ssl/private/ssl-cert-snakeoil.key`) is reported: it is a real key, the same in every
//!   container of the image.
//!
//! # Cost
//!
//! The scanner sees every text file of every layer, so the common case (no secret) is one pass
//! of an Aho–Corasick automaton over the bytes looking for every rule's anchors, after a
//! check of the first 8 KiB for NUL bytes (binary content is dropped at once). Nothing is
//! allocated unless an anchor is found; the line-oriented rules run only on the few files whose
//! names call for them. Files over 1 MiB and binary file types are not read at all.

mod context;
mod excerpt;
mod files;
mod paths;
mod rules;

use std::ops::Range;

use aho_corasick::AhoCorasick;
use harrier_core::secrets::{Shape, ShapeMatch, is_example, jwt_payload};

use crate::catalog::{FileMeta, Want};
use crate::walk::{ContentFinding, ContentScanner};

use excerpt::Mask;
use paths::FileKind;
pub use paths::MAX_BYTES;
pub use rules::Rule;

/// How much of a file's start is checked for NUL bytes.
const BINARY_PROBE: usize = 8 * 1024;
/// The detail of a private key protected by a passphrase.
const ENCRYPTED: &str = "encrypted";
/// Findings kept per file; a file with more is a dump, and the first ones say enough.
const FINDINGS_MAX: usize = 100;

/// What an anchor found by the automaton stands for.
#[derive(Debug, Clone, Copy)]
enum Anchor {
    Shape(Shape),
    AwsSecretName,
    AzureClientSecretName,
    AzureAccountKey,
    AzureSharedAccessKey,
    GcpServiceAccount,
    /// `client-key-data:` or `kind: Config`: read the file as a kubeconfig.
    Kubeconfig,
}

/// One finding before it is placed on its line.
#[derive(Debug, Clone)]
struct Hit {
    rule: Rule,
    /// Where it is reported (its line is the finding's).
    at: usize,
    /// The secret.
    mask: Mask,
    /// Added to the title in parentheses.
    detail: Option<&'static str>,
}

impl Hit {
    fn new(rule: Rule, at: usize, span: Range<usize>, keep: usize) -> Hit {
        Hit {
            rule,
            at,
            mask: Mask { span, keep },
            detail: None,
        }
    }

    fn with_detail(mut self, detail: &'static str) -> Hit {
        self.detail = Some(detail);
        self
    }
}

/// The secrets scanner: see the module documentation.
pub struct SecretScanner {
    automaton: Option<AhoCorasick>,
    anchors: Vec<Anchor>,
}

impl Default for SecretScanner {
    fn default() -> Self {
        SecretScanner::new()
    }
}

impl std::fmt::Debug for SecretScanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretScanner")
            .field("anchors", &self.anchors.len())
            .finish()
    }
}

impl SecretScanner {
    /// A scanner with every rule.
    pub fn new() -> SecretScanner {
        let mut patterns: Vec<&'static str> = Vec::new();
        let mut anchors = Vec::new();
        let mut add = |pattern: &'static str, anchor: Anchor| {
            patterns.push(pattern);
            anchors.push(anchor);
        };
        // Every shape, the unreported ones too (Google API keys): they are masked in excerpts.
        for shape in Shape::ALL {
            for pattern in shape.anchors() {
                add(pattern, Anchor::Shape(shape));
            }
        }
        for name in context::AWS_SECRET_NAMES {
            add(name, Anchor::AwsSecretName);
        }
        for name in context::AZURE_CLIENT_SECRET_NAMES {
            add(name, Anchor::AzureClientSecretName);
        }
        add("AccountKey=", Anchor::AzureAccountKey);
        add("SharedAccessKey=", Anchor::AzureSharedAccessKey);
        add("\"service_account\"", Anchor::GcpServiceAccount);
        add("client-key-data:", Anchor::Kubeconfig);
        add("kind: Config", Anchor::Kubeconfig);
        let automaton = match AhoCorasick::new(&patterns) {
            Ok(automaton) => Some(automaton),
            Err(error) => {
                // Only a pattern set beyond the library's limits fails, and ours is fixed and
                // small: a test builds it.
                tracing::error!(%error, "the secrets scanner's automaton could not be built");
                None
            }
        };
        SecretScanner { automaton, anchors }
    }

    /// The findings in one file's content; `path` decides which format-aware rules apply.
    pub fn scan_bytes(&self, path: &str, content: &[u8]) -> Vec<ContentFinding> {
        let probe = content.get(..BINARY_PROBE).unwrap_or(content);
        if memchr::memchr(0, probe).is_some() {
            return Vec::new();
        }
        let kind = FileKind::of(path);
        let mut hits = Vec::new();
        // Shapes found but not reported (a Google API key, a JSON Web Token that is not a
        // service account's, an example): still masked in the excerpts of findings on their line.
        let mut unreported = Vec::new();
        let mut kubeconfig = kind == FileKind::Kubeconfig;
        if let Some(automaton) = &self.automaton {
            for m in automaton.find_iter(content) {
                let Some(anchor) = self.anchors.get(m.pattern().as_usize()) else {
                    continue;
                };
                let hit = match *anchor {
                    Anchor::Shape(shape) => match shape.match_at(content, m.start()) {
                        Some(found) => {
                            let hit = shape_hit(shape, content, m.start(), &found, kind);
                            if hit.is_none() {
                                unreported.push(Mask {
                                    span: found.span,
                                    keep: found.keep,
                                });
                            }
                            hit
                        }
                        None => None,
                    },
                    Anchor::AwsSecretName => context::aws_secret(content, m.end()),
                    Anchor::AzureClientSecretName => context::azure_client_secret(content, m.end()),
                    Anchor::AzureAccountKey => context::azure_key(content, m.end(), 64),
                    Anchor::AzureSharedAccessKey => context::azure_key(content, m.end(), 32),
                    Anchor::GcpServiceAccount => context::gcp_service_account(content, m.start()),
                    Anchor::Kubeconfig => {
                        kubeconfig = true;
                        None
                    }
                };
                hits.extend(hit);
                if hits.len() > FINDINGS_MAX * 4 {
                    break;
                }
            }
        }
        match kind {
            FileKind::Npmrc => files::npmrc(content, &mut hits),
            FileKind::Pypirc => files::pypirc(content, &mut hits),
            FileKind::Netrc => files::netrc(content, &mut hits),
            FileKind::GitCredentials => files::git_credentials(content, &mut hits),
            FileKind::DockerConfig => files::docker_config(content, &mut hits),
            FileKind::EnvFile => files::env_file(content, &mut hits),
            FileKind::Kubeconfig | FileKind::ServiceAccountToken | FileKind::Other => {}
        }
        if kubeconfig {
            files::kubeconfig(content, &mut hits);
        }
        if hits.is_empty() {
            return Vec::new();
        }
        findings(content, hits, unreported)
    }
}

impl ContentScanner for SecretScanner {
    fn wants(&self, file: &FileMeta<'_>) -> Want {
        if paths::wants(file.path, file.size) {
            Want::Content {
                max_bytes: MAX_BYTES,
            }
        } else {
            Want::No
        }
    }

    fn scan(&self, file: &FileMeta<'_>, content: &[u8]) -> Vec<ContentFinding> {
        self.scan_bytes(file.path, content)
    }
}

/// The hit for a shape found at `at`, if the shape matches there and is reported.
fn shape_hit(
    shape: Shape,
    content: &[u8],
    at: usize,
    found: &ShapeMatch,
    kind: FileKind,
) -> Option<Hit> {
    let found = found.clone();
    let rule = Rule::for_shape(shape)?;
    let secret = content.get(found.span.clone())?;
    match shape {
        Shape::PrivateKey => {
            // Report the BEGIN line; the span (the body) starts right after the marker.
            let hit = Hit::new(rule, at, found.span, 0);
            let head = content.get(at..).unwrap_or_default();
            let head = head.get(..512).unwrap_or(head);
            let body = secret.get(..256).unwrap_or(secret);
            if contains(body, b"xxxxxxxx") || contains(body, b"XXXXXXXX") {
                return None;
            }
            let encrypted = contains(head, b"ENCRYPTED")
                || (contains(head, b"b3BlbnNzaC1rZXktdjEAAAAA")
                    && !contains(head, b"b3BlbnNzaC1rZXktdjEAAAAABG5vbmU"));
            Some(if encrypted {
                hit.with_detail(ENCRYPTED)
            } else {
                hit
            })
        }
        Shape::Jwt => {
            let kubernetes = kind == FileKind::ServiceAccountToken
                || jwt_payload(secret).is_some_and(|claims| {
                    contains(&claims, b"\"iss\":\"kubernetes/serviceaccount\"")
                        || contains(&claims, b"\"kubernetes.io/serviceaccount/")
                        || contains(&claims, b"\"kubernetes.io\":")
                });
            kubernetes.then(|| Hit::new(rule, found.span.start, found.span.clone(), found.keep))
        }
        _ => {
            let body = secret.get(found.keep..).unwrap_or_default();
            (!is_example(body))
                .then(|| Hit::new(rule, found.span.start, found.span.clone(), found.keep))
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

/// Hits to findings: overlapping hits merged (the more telling rule kept), line numbers,
/// masked excerpts.
fn findings(content: &[u8], mut hits: Vec<Hit>, mut masks: Vec<Mask>) -> Vec<ContentFinding> {
    // Every secret is masked in every excerpt, including those of merged-away hits and shapes
    // not reported.
    masks.extend(hits.iter().map(|h| h.mask.clone()));
    hits.sort_by_key(|h| (h.mask.span.start, h.rule.precedence()));
    let mut kept: Vec<Hit> = Vec::new();
    for hit in hits {
        match kept.last_mut() {
            Some(last) if hit.mask.span.start < last.mask.span.end => {
                if hit.rule.precedence() < last.rule.precedence() {
                    *last = hit;
                }
            }
            _ => kept.push(hit),
        }
    }
    // An AWS secret access key with an access key id in the same file is a usable pair.
    let has_key_id = kept.iter().any(|h| h.rule == Rule::AwsAccessKeyId);
    kept.sort_by_key(|h| h.at);
    kept.truncate(FINDINGS_MAX);

    let mut out = Vec::with_capacity(kept.len());
    let mut line_no = 1usize;
    let mut line_start = 0usize;
    let mut counted_to = 0usize;
    for hit in kept {
        let at = hit.at.min(content.len());
        if at > counted_to {
            let between = content.get(counted_to..at).unwrap_or_default();
            line_no += memchr::memchr_iter(b'\n', between).count();
            if let Some(i) = memchr::memrchr(b'\n', between) {
                line_start = counted_to + i + 1;
            }
            counted_to = at;
        }
        let rest = content.get(line_start..).unwrap_or_default();
        let mut line_end = line_start + memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        if line_end > line_start && content.get(line_end - 1) == Some(&b'\r') {
            line_end -= 1;
        }
        let detail = match (hit.rule, hit.detail) {
            (Rule::AwsSecretAccessKey, None) if has_key_id => {
                Some("with its access key id in the same file")
            }
            (_, detail) => detail,
        };
        let title = match detail {
            Some(detail) => format!("{} ({detail})", hit.rule.title()),
            None => hit.rule.title().to_owned(),
        };
        out.push(ContentFinding {
            rule: hit.rule.id().to_owned(),
            title,
            severity: hit.rule.severity_of(hit.detail == Some(ENCRYPTED)),
            line: u32::try_from(line_no).unwrap_or(u32::MAX),
            excerpt: excerpt::excerpt(content, line_start..line_end, at, &masks),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_automaton_builds() {
        let scanner = SecretScanner::new();
        assert!(scanner.automaton.is_some());
    }

    #[test]
    fn binary_content_is_dropped() {
        let scanner = SecretScanner::new();
        let mut content = b"\x7fELF\x02\x01\x01\0\0\0".to_vec();
        content.extend_from_slice(b"token=ghp_R8kT2mQx7LwVd9ZpNc4Hs6JyUb3Fg1AeKo5n\n");
        assert!(scanner.scan_bytes("usr/bin/tool", &content).is_empty());
        assert_eq!(scanner.scan_bytes("usr/bin/tool", &content[10..]).len(), 1);
    }
}
