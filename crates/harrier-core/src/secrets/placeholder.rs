//! Values that are not real secrets: stand-ins for one ([`is_placeholder`]) and examples or
//! dummies that merely have a secret's shape ([`is_example`]).

/// Whether a value stands for a credential rather than being one: empty, a template or
/// environment reference, a file path, a boolean.
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim().trim_matches(|c| c == '"' || c == '\'');
    if v.is_empty() {
        return true;
    }
    let wrapped = |open: &str, close: &str| v.starts_with(open) && v.ends_with(close);
    // Anything the kubelet, a shell or a template engine expands stands for the value.
    let reference = v.contains("${")
        || v.contains("$(")
        || v.contains("{{")
        || wrapped("<", ">")
        || wrapped("%(", ")s")
        || v.strip_prefix('$')
            .is_some_and(|name| name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        || [
            "vault:",
            "ref+",
            "ENC(",
            "sm://",
            "berglas://",
            "arn:aws:secretsmanager:",
            "arn:aws:ssm:",
        ]
        .iter()
        .any(|p| v.starts_with(p));
    // `****`: a mask where the real value goes. (`xxxxx` is not: Kubescape's fixtures treat it
    // as a stand-in for a real secret committed by mistake.)
    let mask = v.chars().count() >= 3 && v.chars().all(|c| c == '*');
    let path = !v.contains(char::is_whitespace)
        && (v.starts_with('/')
            || v.starts_with("./")
            || v.starts_with("~/")
            || v.starts_with("file:"));
    let word = matches!(
        v.to_ascii_lowercase().as_str(),
        "true"
            | "false"
            | "yes"
            | "no"
            | "on"
            | "off"
            | "null"
            | "nil"
            | "none"
            | "undefined"
            | "redacted"
            | "~"
    );
    reference || mask || path || word
}

/// The Azure Storage emulator's (Azurite's) account key: published by Microsoft for local
/// development, in every tutorial, and worthless against a real account.
const AZURE_EMULATOR_KEY: &[u8] =
    b"Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/// Words that mark a value as an example or a dummy, compared without case.
const EXAMPLE_WORDS: &[&[u8]] = &[
    b"example",
    b"sample",
    b"dummy",
    b"placeholder",
    b"changeme",
    b"change_me",
    b"change-me",
    b"redacted",
    b"fake",
    b"your_",
    b"your-",
    b"xxxx",
];

/// Whether a value that has a credential's shape is a documentation example or a dummy rather
/// than a real secret: it says so (`EXAMPLE`, `sample`, `dummy`, `fake`, `placeholder`,
/// `changeme`, `your_…`, `redacted`), it is masked or elided (`xxxx`, `****`, `...`) or a
/// template (`${…}`, `{{…}}`, `<…>`, `%s`), it is too regular to be random (six equal
/// characters in a row, six consecutive ones as in `0123456789` or `abcdef`, or fewer than
/// five distinct characters in twelve or more), or it is a value a vendor publishes for local
/// development (the Azure Storage emulator's account key).
///
/// Meant for the secret itself (a token, a key's value), not for a whole line or a long
/// encoded blob: real private keys and certificates have long runs of `A`.
pub fn is_example(value: &[u8]) -> bool {
    if value == AZURE_EMULATOR_KEY {
        return true;
    }
    if EXAMPLE_WORDS.iter().any(|w| contains_ignore_case(value, w)) {
        return true;
    }
    if [&b"****"[..], b"...", b"${", b"{{", b"%s", b"<", b">"]
        .iter()
        .any(|m| value.windows(m.len()).any(|w| w == *m))
    {
        return true;
    }
    let mut same = 1;
    let mut rising = 1;
    for pair in value.windows(2) {
        let [a, b] = pair else { continue };
        same = if a == b { same + 1 } else { 1 };
        rising = if a.is_ascii_alphanumeric() && a.checked_add(1) == Some(*b) {
            rising + 1
        } else {
            1
        };
        if same >= 6 || rising >= 6 {
            return true;
        }
    }
    if value.len() >= 12 {
        let mut seen = [false; 256];
        let mut distinct = 0;
        for &b in value {
            if let Some(slot) = seen.get_mut(usize::from(b)) {
                if !*slot {
                    *slot = true;
                    distinct += 1;
                }
            }
        }
        if distinct < 5 {
            return true;
        }
    }
    false
}

fn contains_ignore_case(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty()
        && haystack
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_placeholders() {
        for v in [
            "",
            "${DB_PASSWORD}",
            "$(PASSWORD)",
            "{{ .Values.password }}",
            "<your-password>",
            "$PASSWORD",
            "/etc/secret/pwd",
            "true",
        ] {
            assert!(is_placeholder(v), "{v}");
        }
        for v in ["hunter2", "cGFzc3dvcmQ=", "xxxxx"] {
            assert!(!is_placeholder(v), "{v}");
        }
    }

    #[test]
    fn recognises_examples_and_dummies() {
        for v in [
            &b"AKIAIOSFODNN7EXAMPLE"[..],
            b"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            b"ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            b"ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
            b"ghp_000000000000000000000000000000000000",
            b"ghp_0123456789abcdefghijABCDEFGHIJ012345",
            b"abababababababababababab",
            b"glpat-${GITLAB_TOKEN}",
            b"<your token>",
            b"npm_****************",
            b"my-dummy-token",
            b"your_api_key_here",
            AZURE_EMULATOR_KEY,
        ] {
            assert!(is_example(v), "{}", String::from_utf8_lossy(v));
        }
        // Random-looking values of the shapes the scanner knows.
        for v in [
            &b"AKIA2E0A8F3B244C9986"[..],
            b"ghp_R8kT2mQx7LwVd9ZpNc4Hs6JyUb3Fg1AeKo5n",
            b"qT9/vX2mLk8+Rw4zJc7NsYb1Hd6GpFe3Ua5WoKiE",
            b"hunter2",
        ] {
            assert!(!is_example(v), "{}", String::from_utf8_lossy(v));
        }
    }
}
