//! Any bytes as a file in an image layer, under a path that selects the format-aware rules:
//! the secrets scanner returns findings, never panics, and its excerpts keep their promises
//! (bounded, one line, no control characters, no credential shape shown past its public
//! prefix). The shared shape matchers and the posture checks' value reader get the same bytes.
#![no_main]

use std::sync::LazyLock;

use harrier_core::secrets::{Shape, find_in_value, find_shapes, jwt_payload};
use harrier_image::secrets::{Rule, SecretScanner};
use libfuzzer_sys::fuzz_target;

static SCANNER: LazyLock<SecretScanner> = LazyLock::new(SecretScanner::new);

/// Paths that pick each format-aware rule, and one that picks none.
const PATHS: [&str; 10] = [
    "app/config.txt",
    "home/node/.npmrc",
    "root/.pypirc",
    "root/.netrc",
    "root/.git-credentials",
    "root/.docker/config.json",
    "root/.kube/config",
    "app/.env",
    "var/run/secrets/kubernetes.io/serviceaccount/token",
    "etc/ssl/private/server.key",
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, content)) = data.split_first() else {
        return;
    };
    let path = PATHS[usize::from(selector) % PATHS.len()];
    let findings = SCANNER.scan_bytes(path, content);
    assert!(findings.len() <= 100);
    let lines = content.iter().filter(|&&b| b == b'\n').count() + 1;
    for f in &findings {
        assert!(Rule::from_id(&f.rule).is_some(), "{}", f.rule);
        assert!(f.line >= 1 && f.line as usize <= lines);
        assert!(f.excerpt.chars().count() <= 162, "{}", f.excerpt);
        assert!(!f.excerpt.chars().any(char::is_control), "{:?}", f.excerpt);
    }
    // No credential shape is shown past its public prefix, when its hidden part is long
    // enough to tell and occurs only once in the file (else the excerpt may show another copy).
    for m in find_shapes(content) {
        assert!(m.span.start <= m.span.end && m.span.end <= content.len());
        let Some(hidden) = content.get(m.span.start + m.keep..m.span.end) else {
            panic!("keep {} beyond span {:?}", m.keep, m.span);
        };
        let first_line = hidden
            .split(|&b| b == b'\n' || b == b'\\')
            .next()
            .unwrap_or_default();
        if m.shape == Shape::PrivateKey
            || first_line.len() < 12
            || !first_line.iter().all(u8::is_ascii_alphanumeric)
            || memchr_count(content, first_line) != 1
        {
            continue;
        }
        let Ok(hidden) = std::str::from_utf8(first_line) else {
            continue;
        };
        for f in &findings {
            assert!(!f.excerpt.contains(hidden), "{} shows {hidden}", f.excerpt);
        }
        if m.shape == Shape::Jwt {
            let _ = jwt_payload(content.get(m.span.clone()).unwrap_or_default());
        }
    }
    if let Ok(text) = std::str::from_utf8(content) {
        let _ = find_in_value(text);
    }
});

fn memchr_count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len().max(1))
        .filter(|w| *w == needle)
        .count()
}
