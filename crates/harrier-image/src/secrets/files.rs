//! Rules that know a file's format: `.npmrc`, `.pypirc`, `.netrc`, Git's credential store,
//! Docker and Podman auth files, kubeconfigs and `.env` files. Each reads the file line by
//! line (or token by token) in place, without copying it.

use std::ops::Range;

use harrier_core::secrets::{sensitive_key, setting, url_password};
use memchr::memmem;

use super::Hit;
use super::context::{assigned_value, is_real};
use super::rules::Rule;

/// Each line's byte range, without its `\n` or `\r\n`.
pub(super) fn lines(content: &[u8]) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut start = 0;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let end = match memchr::memchr(b'\n', content.get(start..)?) {
            Some(i) => start + i,
            None => {
                done = true;
                if start >= content.len() {
                    return None;
                }
                content.len()
            }
        };
        let line_start = start;
        start = end + 1;
        let trimmed_end = if end > line_start && content.get(end - 1) == Some(&b'\r') {
            end - 1
        } else {
            end
        };
        Some(line_start..trimmed_end)
    })
}

/// The range of `part` inside `whole`, which it must be a subslice of.
fn offset_in(whole: &[u8], part: &[u8]) -> usize {
    part.as_ptr().addr().saturating_sub(whole.as_ptr().addr())
}

/// The value of a `key = value` line (`=` or `:`), unquoted, with its range in `content`;
/// `None` for comments, sections and lines without a value.
fn key_value(content: &[u8], line: Range<usize>) -> Option<(&[u8], Range<usize>)> {
    let text = content.get(line.clone())?;
    let trimmed = text.trim_ascii_start();
    if matches!(trimmed.first(), None | Some(b'#' | b';' | b'[')) {
        return None;
    }
    let sep = trimmed.iter().position(|&b| b == b'=' || b == b':')?;
    let key = trimmed.get(..sep)?.trim_ascii();
    let value = unquote(trimmed.get(sep + 1..)?.trim_ascii());
    if value.is_empty() {
        return None;
    }
    let start = offset_in(content, value);
    Some((key, start..start + value.len()))
}

fn unquote(value: &[u8]) -> &[u8] {
    match value {
        [q @ (b'"' | b'\''), inner @ .., last] if last == q => inner,
        _ => value,
    }
}

/// `.npmrc`: `_authToken`, `_auth` and `_password` settings, global or per registry
/// (`//registry.npmjs.org/:_authToken=…`).
pub(super) fn npmrc(content: &[u8], hits: &mut Vec<Hit>) {
    for line in lines(content) {
        let Some(text) = content.get(line.clone()) else {
            continue;
        };
        let trimmed = text.trim_ascii_start();
        if matches!(trimmed.first(), None | Some(b'#' | b';')) {
            continue;
        }
        // The key may hold `:` (`//host/:_authToken`): split at `=` only.
        let Some(eq) = trimmed.iter().position(|&b| b == b'=') else {
            continue;
        };
        let key = trimmed.get(..eq).unwrap_or_default().trim_ascii();
        if !["_authToken", "_auth", "_password"]
            .iter()
            .any(|k| key.ends_with(k.as_bytes()))
        {
            continue;
        }
        let value = unquote(trimmed.get(eq + 1..).unwrap_or_default().trim_ascii());
        if !value.is_empty() && is_real(value) {
            let start = offset_in(content, value);
            hits.push(Hit::new(
                Rule::NpmrcAuth,
                start,
                start..start + value.len(),
                0,
            ));
        }
    }
}

/// `.pypirc`: `password` in any section.
pub(super) fn pypirc(content: &[u8], hits: &mut Vec<Hit>) {
    for line in lines(content) {
        let Some((key, value)) = key_value(content, line) else {
            continue;
        };
        let bytes = content.get(value.clone()).unwrap_or_default();
        if key.eq_ignore_ascii_case(b"password") && is_real(bytes) {
            hits.push(Hit::new(Rule::PypircPassword, value.start, value, 0));
        }
    }
}

/// `.netrc`: the token after each `password` (the format is whitespace-separated tokens, on
/// one line or many). `macdef` bodies and `#` comments are skipped.
pub(super) fn netrc(content: &[u8], hits: &mut Vec<Hit>) {
    let mut expect_password = false;
    for line in lines(content) {
        let Some(text) = content.get(line.clone()) else {
            continue;
        };
        if text.trim_ascii_start().starts_with(b"#") {
            continue;
        }
        for token in text
            .split(|b| b.is_ascii_whitespace())
            .filter(|t| !t.is_empty())
        {
            if expect_password {
                expect_password = false;
                let value = unquote(token);
                if is_real(value) {
                    let start = offset_in(content, value);
                    hits.push(Hit::new(
                        Rule::NetrcPassword,
                        start,
                        start..start + value.len(),
                        0,
                    ));
                }
            } else if token == b"password" || token == b"passwd" {
                expect_password = true;
            }
        }
    }
}

/// Git's credential store: one URL per line, `https://user:password@host`.
pub(super) fn git_credentials(content: &[u8], hits: &mut Vec<Hit>) {
    for line in lines(content) {
        let Some(text) = content
            .get(line.clone())
            .and_then(|t| std::str::from_utf8(t).ok())
        else {
            continue;
        };
        if let Some(span) = url_password(text) {
            let start = line.start + span.start;
            hits.push(Hit::new(
                Rule::GitCredentials,
                start,
                start..line.start + span.end,
                0,
            ));
        }
    }
}

/// Docker's `config.json` (and the legacy `.dockercfg`), Podman's and Skopeo's `auth.json`:
/// non-empty `auth`, `identitytoken` and `registrytoken` strings.
pub(super) fn docker_config(content: &[u8], hits: &mut Vec<Hit>) {
    for key in [&b"\"auth\""[..], b"\"identitytoken\"", b"\"registrytoken\""] {
        for i in memmem::find_iter(content, key) {
            let Some(start) = assigned_value(content, i + key.len()) else {
                continue;
            };
            // The string's end: auth values are base64 and tokens are JWTs, neither has quotes
            // or escapes; a value with them is not one of those.
            let rest = content.get(start..).unwrap_or_default();
            let len = rest
                .iter()
                .take(64 * 1024)
                .take_while(|&&b| b != b'"' && b != b'\\' && b != b'\n')
                .count();
            if content.get(start.wrapping_sub(1)) != Some(&b'"') || rest.get(len) != Some(&b'"') {
                continue;
            }
            let value = rest.get(..len).unwrap_or_default();
            if !value.is_empty() && is_real(value) {
                hits.push(Hit::new(
                    Rule::DockerConfigAuth,
                    start,
                    start..start + len,
                    0,
                ));
            }
        }
    }
}

/// Credential keys of a kubeconfig user.
const KUBECONFIG_USER_KEYS: &[&str] = &[
    "token",
    "password",
    "access-token",
    "id-token",
    "refresh-token",
    "client-key-data",
];

/// A kubeconfig in YAML: `client-key-data` anywhere; under the top-level `users:`, the
/// credential keys of a user (`token`, `password`, and an auth provider's `access-token`,
/// `id-token`, `refresh-token`).
pub(super) fn kubeconfig(content: &[u8], hits: &mut Vec<Hit>) {
    let mut in_users = false;
    for line in lines(content) {
        let Some(text) = content.get(line.clone()) else {
            continue;
        };
        if text
            .first()
            .is_some_and(|b| !b.is_ascii_whitespace() && *b != b'-' && *b != b'#')
        {
            in_users = text.starts_with(b"users:");
            continue;
        }
        let trimmed = text.trim_ascii_start();
        let trimmed = trimmed
            .strip_prefix(b"- ")
            .unwrap_or(trimmed)
            .trim_ascii_start();
        let Some(colon) = trimmed.iter().position(|&b| b == b':') else {
            continue;
        };
        let key = unquote(trimmed.get(..colon).unwrap_or_default().trim_ascii());
        let Some(name) = KUBECONFIG_USER_KEYS.iter().find(|k| key == k.as_bytes()) else {
            continue;
        };
        if !in_users && *name != "client-key-data" {
            continue;
        }
        let value = unquote(trimmed.get(colon + 1..).unwrap_or_default().trim_ascii());
        if value.len() >= 8 && is_real(value) {
            let start = offset_in(content, value);
            hits.push(
                Hit::new(
                    Rule::KubeconfigCredential,
                    start,
                    start..start + value.len(),
                    0,
                )
                .with_detail(name),
            );
        }
    }
}

/// Whether a value is strong enough to be a real credential in an `.env` file: at least 8
/// characters mixing two kinds (lower case, upper case, digits, others), or 16 of one.
fn looks_secret(value: &[u8]) -> bool {
    let kinds = [
        value.iter().any(u8::is_ascii_lowercase),
        value.iter().any(u8::is_ascii_uppercase),
        value.iter().any(u8::is_ascii_digit),
        value.iter().any(|b| !b.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|k| **k)
    .count();
    !value.contains(&b' ') && ((value.len() >= 8 && kinds >= 2) || value.len() >= 16)
}

/// `.env` files: credential-named settings with real, strong values, and URLs with passwords.
pub(super) fn env_file(content: &[u8], hits: &mut Vec<Hit>) {
    for line in lines(content) {
        let Some(text) = content
            .get(line.clone())
            .and_then(|t| std::str::from_utf8(t).ok())
        else {
            continue;
        };
        let Some((key, raw)) = setting(text) else {
            continue;
        };
        // An unquoted value ends at ` #` (a comment).
        let value = match raw.as_bytes().first() {
            Some(b'"' | b'\'') => std::str::from_utf8(unquote(raw.as_bytes())).unwrap_or(raw),
            _ => raw.split(" #").next().unwrap_or(raw).trim_end(),
        };
        let start = offset_in(content, value.as_bytes());
        if sensitive_key(key).is_some()
            && looks_secret(value.as_bytes())
            && is_real(value.as_bytes())
        {
            hits.push(Hit::new(
                Rule::EnvFileCredential,
                start,
                start..start + value.len(),
                0,
            ));
        } else if let Some(span) = url_password(value) {
            hits.push(
                Hit::new(
                    Rule::EnvFileCredential,
                    start + span.start,
                    start + span.start..start + span.end,
                    0,
                )
                .with_detail("a URL with a password"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_lines() {
        let text = b"a\r\nbc\n\nd";
        let got: Vec<&[u8]> = lines(text).map(|r| &text[r]).collect();
        assert_eq!(got, [&b"a"[..], b"bc", b"", b"d"]);
        let text = b"a\n";
        assert_eq!(lines(text).count(), 1);
        assert_eq!(lines(b"").count(), 0);
    }

    #[test]
    fn strong_values() {
        for v in ["hunter22", "S3cr3tValue", "abcdefghijklmnopq"] {
            assert!(looks_secret(v.as_bytes()), "{v}");
        }
        for v in ["secret", "password", "two words", "abcdefgh"] {
            assert!(!looks_secret(v.as_bytes()), "{v}");
        }
    }
}
