//! Rules anchored on a name rather than on the secret's own prefix: an AWS secret access key
//! is 40 base64 characters, which only the name it is assigned to makes a secret; an Azure
//! key follows `AccountKey=`; a service-account key is JSON with `"type": "service_account"`.

use harrier_core::secrets::{Shape, is_example, is_placeholder};

use super::Hit;
use super::rules::Rule;

/// Names an AWS secret access key is assigned to (`aws_secret_access_key`,
/// `AWS_SECRET_ACCESS_KEY`, `"SecretAccessKey"`, rclone's `secret_access_key`).
pub(super) const AWS_SECRET_NAMES: &[&str] = &[
    "secret_access_key",
    "SECRET_ACCESS_KEY",
    "SecretAccessKey",
    "secretAccessKey",
    "secret-access-key",
    "aws_secret_key",
    "AWS_SECRET_KEY",
];

/// Names an Azure client secret is assigned to.
pub(super) const AZURE_CLIENT_SECRET_NAMES: &[&str] =
    &["AZURE_CLIENT_SECRET", "azure_client_secret"];

fn is_base64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/'
}

/// Where the value assigned to a name ending at `pos` starts: past a closing quote, blanks, one
/// of `=`, `:`, `=>`, `:=`, blanks and an opening quote.
pub(super) fn assigned_value(content: &[u8], mut pos: usize) -> Option<usize> {
    let at = |p: usize| content.get(p).copied();
    if matches!(at(pos), Some(b'"' | b'\'')) {
        pos += 1;
    }
    while matches!(at(pos), Some(b' ' | b'\t')) {
        pos += 1;
    }
    match (at(pos), at(pos + 1)) {
        (Some(b'=' | b':'), Some(b'>' | b'=')) => pos += 2,
        (Some(b'=' | b':'), _) => pos += 1,
        _ => return None,
    }
    while matches!(at(pos), Some(b' ' | b'\t')) {
        pos += 1;
    }
    if matches!(at(pos), Some(b'"' | b'\'')) {
        pos += 1;
    }
    Some(pos)
}

/// The run of `body` bytes at `pos`, at most `max + 1` long.
fn run(content: &[u8], pos: usize, max: usize, body: impl Fn(u8) -> bool) -> usize {
    content
        .get(pos..)
        .unwrap_or_default()
        .iter()
        .take(max + 1)
        .take_while(|&&b| body(b))
        .count()
}

/// 40 base64 characters assigned to an AWS secret key name ending at `name_end`.
pub(super) fn aws_secret(content: &[u8], name_end: usize) -> Option<Hit> {
    let start = assigned_value(content, name_end)?;
    let len = run(content, start, 40, |b| is_base64(b) || b == b'=');
    let value = content.get(start..start + len)?;
    (len == 40 && !is_example(value))
        .then(|| Hit::new(Rule::AwsSecretAccessKey, start, start..start + len, 0))
}

/// The key after `AccountKey=` (`min` = 64) or `SharedAccessKey=` (`min` = 32).
pub(super) fn azure_key(content: &[u8], value_start: usize, min: usize) -> Option<Hit> {
    let len = run(content, value_start, 100, is_base64);
    if !(min..=100).contains(&len) {
        return None;
    }
    let padding = run(content, value_start + len, 2, |b| b == b'=').min(2);
    let end = value_start + len + padding;
    if content.get(end).is_some_and(|&b| is_base64(b) || b == b'=') {
        return None;
    }
    let value = content.get(value_start..end)?;
    (!is_example(value)).then(|| {
        Hit::new(
            Rule::AzureConnectionString,
            value_start,
            value_start..end,
            0,
        )
    })
}

/// A client secret assigned to `AZURE_CLIENT_SECRET` (older secrets have no fixed shape).
pub(super) fn azure_client_secret(content: &[u8], name_end: usize) -> Option<Hit> {
    let start = assigned_value(content, name_end)?;
    let secret_char = |b: u8| {
        b.is_ascii_alphanumeric() || matches!(b, b'_' | b'~' | b'.' | b'-' | b'+' | b'/' | b'=')
    };
    let len = run(content, start, 100, secret_char);
    let value = content.get(start..start + len)?;
    let ends = content
        .get(start + len)
        .is_none_or(|&b| !b.is_ascii_graphic() || matches!(b, b'"' | b'\'' | b',' | b';'));
    ((16..=100).contains(&len) && ends && !is_example(value))
        .then(|| Hit::new(Rule::AzureClientSecret, start, start..start + len, 0))
}

/// A service-account key: `"service_account"` at `at` is the value of `"type"`, and the JSON
/// has a `"private_key"` that is a key. The finding is on the `private_key` line and masks
/// the whole key string.
pub(super) fn gcp_service_account(content: &[u8], at: usize) -> Option<Hit> {
    let before = content.get(at.saturating_sub(48)..at)?;
    let before = before.trim_ascii_end().strip_suffix(b":")?.trim_ascii_end();
    if !before.ends_with(b"\"type\"") {
        return None;
    }
    let mut search = 0;
    while let Some(i) = memchr::memmem::find(content.get(search..)?, b"\"private_key\"") {
        let name_end = search + i + "\"private_key\"".len();
        search = name_end;
        let Some(value_start) = assigned_value(content, name_end) else {
            continue;
        };
        let rest = content.get(value_start..)?;
        // The JSON string's end: the next quote not escaped.
        let mut len = 0;
        let mut escaped = false;
        for &b in rest.iter().take(64 * 1024) {
            match b {
                b'"' if !escaped => break,
                b'\\' => escaped = !escaped,
                _ => escaped = false,
            }
            len += 1;
        }
        if Shape::PrivateKey.match_at(content, value_start).is_some() {
            return Some(Hit::new(
                Rule::GcpServiceAccount,
                value_start,
                value_start..value_start + len,
                0,
            ));
        }
    }
    None
}

/// Whether a setting's value is a real credential: not a reference, template, path or mask
/// ([`is_placeholder`]) and not an example ([`is_example`]).
pub(super) fn is_real(value: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(value) else {
        return true;
    };
    !is_placeholder(text) && !is_example(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignments() {
        for text in [
            "k = v",
            "k: v",
            "k=v",
            "k => v",
            "k := v",
            "\"k\": \"v\"",
            "'k' = 'v'",
        ] {
            let pos = text.find('k').unwrap() + 1;
            let start = assigned_value(text.as_bytes(), pos).unwrap();
            assert_eq!(&text[start..start + 1], "v", "{text}");
        }
        assert_eq!(assigned_value(b"k v", 1), None);
    }
}
