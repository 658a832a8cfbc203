use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-025"),
        slug: "credential-in-env-value",
        title: "Container has a credential written into an environment variable",
        severity: Severity::High,
        status: SINCE_0_1,
        references: &[
            Cis("5.4.1"),
            Nsa("Network separation and hardening: secrets"),
            Mitre("T1552.001"),
            Cwe(798),
        ],
        remediation: "Move the credential into a Secret (or an external secret store), rotate it, and mount it as a file; never write it into the manifest.",
        docs: include_str!("credential_in_env_value.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    for c in ctx.workload.containers() {
        for (i, var) in c.container.env.iter().flatten().enumerate() {
            let Some(value) = var.value.as_deref() else {
                continue;
            };
            if value.trim().is_empty() {
                continue;
            }
            let reason = if let Some(kind) = recognised_secret(value) {
                format!("a literal {kind}")
            } else if let Some(word) = secret_word(&var.name).filter(|_| !is_placeholder(value)) {
                let article =
                    if word.starts_with(['a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U']) {
                        "an"
                    } else {
                        "a"
                    };
                format!("a literal value, and its name suggests {article} {word}")
            } else {
                continue;
            };
            // The finding points at the variable's name, not its value, so that the evidence
            // copied into reports (and uploaded to code-scanning services) is not the credential.
            out.emit_container(
                &c,
                c.path().key("env").index(i).key("name"),
                format!(
                    "container `{}` sets env `{}` to {reason}",
                    c.name(),
                    var.name
                ),
            );
        }
    }
}

/// Names a value that is a credential whatever the variable is called.
fn recognised_secret(value: &str) -> Option<&'static str> {
    if has_aws_access_key_id(value) {
        return Some("AWS access key id");
    }
    if value.lines().any(|line| {
        let line = line.to_ascii_uppercase();
        line.contains("-BEGIN") && line.contains("PRIVATE KEY-")
    }) {
        return Some("PEM private key");
    }
    let trimmed = value.trim();
    let token_after = |prefix: &str, min: usize, ok: fn(char) -> bool| {
        trimmed
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.chars().count() >= min && rest.chars().all(ok))
    };
    let alnum = |c: char| c.is_ascii_alphanumeric();
    let alnum_underscore = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let slack = |c: char| c.is_ascii_alphanumeric() || c == '-';
    if ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"]
        .iter()
        .any(|p| token_after(p, 36, alnum))
        || token_after("github_pat_", 22, alnum_underscore)
    {
        return Some("GitHub token");
    }
    if ["xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "xoxe-"]
        .iter()
        .any(|p| token_after(p, 10, slack))
    {
        return Some("Slack token");
    }
    if trimmed.len() > 7
        && trimmed
            .get(..7)
            .is_some_and(|p| p.eq_ignore_ascii_case("bearer "))
        && trimmed
            .get(7..)
            .is_some_and(|t| t.trim().len() >= 8 && !is_placeholder(t))
    {
        return Some("bearer token");
    }
    if is_jwt(trimmed) {
        return Some("JSON Web Token");
    }
    if has_url_password(trimmed) {
        return Some("URL with an embedded password");
    }
    None
}

/// `AKIA` or `ASIA` followed by 16 upper-case letters or digits, standing alone.
fn has_aws_access_key_id(value: &str) -> bool {
    let bytes = value.as_bytes();
    let is_key_char = |b: u8| b.is_ascii_uppercase() || b.is_ascii_digit();
    (0..bytes.len()).any(|start| {
        let Some(window) = bytes.get(start..start + 20) else {
            return false;
        };
        let prefix_ok = window.starts_with(b"AKIA") || window.starts_with(b"ASIA");
        let body_ok = window.iter().skip(4).all(|&b| is_key_char(b));
        let before_ok = start == 0
            || bytes
                .get(start - 1)
                .is_none_or(|&b| !b.is_ascii_alphanumeric());
        let after_ok = bytes
            .get(start + 20)
            .is_none_or(|&b| !b.is_ascii_alphanumeric());
        prefix_ok && body_ok && before_ok && after_ok
    })
}

/// Three base64url parts separated by dots, the first a JSON object (`eyJ` is `{"`).
fn is_jwt(value: &str) -> bool {
    let parts: Vec<&str> = value.split('.').collect();
    parts.len() == 3
        && value.starts_with("eyJ")
        && value.len() >= 36
        && parts.iter().take(2).all(|p| p.len() >= 10)
        && parts.iter().all(|p| {
            p.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
}

/// `scheme://user:password@host…` with a non-empty password that is not a reference.
fn has_url_password(value: &str) -> bool {
    let Some((_, rest)) = value.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let Some((userinfo, _host)) = authority.rsplit_once('@') else {
        return false;
    };
    let Some((_, password)) = userinfo.split_once(':') else {
        return false;
    };
    !password.is_empty() && !is_placeholder(password)
}

/// The secret-suggesting word in a variable name, if any. Names are compared in snake case
/// (`dbPassword` reads as `db_password`); a name whose last word says it holds something
/// other than the secret itself (`SECRET_NAME`, `TOKEN_FILE`, `PASSWORD_MIN_LENGTH`) does not
/// count.
fn secret_word(name: &str) -> Option<&'static str> {
    let snake = to_snake_case(name);
    let words: Vec<&str> = snake.split('_').filter(|w| !w.is_empty()).collect();
    let last = words.last().copied().unwrap_or_default();
    if NOT_THE_SECRET.contains(&last) {
        return None;
    }
    let joined = words.concat();
    for (needle, word) in [
        ("password", "password"),
        ("passwd", "password"),
        ("passphrase", "passphrase"),
        ("secret", "secret"),
        ("credential", "credential"),
        ("apikey", "API key"),
        ("accesskey", "access key"),
        ("privatekey", "private key"),
        ("keycontent", "private key"),
    ] {
        if joined.contains(needle) {
            return Some(word);
        }
    }
    // `PWD` is also the shell's working directory; its values are paths, which
    // `is_placeholder` excludes.
    for (segment, word) in [
        ("token", "token"),
        ("tokens", "token"),
        ("bearer", "token"),
        ("creds", "credential"),
        ("pwd", "password"),
    ] {
        if words.contains(&segment) {
            return Some(word);
        }
    }
    let secret_keys = [
        "secret",
        "private",
        "signing",
        "encryption",
        "encrypt",
        "master",
        "auth",
        "ssh",
        "license",
        "account",
        "storage",
        "azure",
        "api",
        "access",
        "client",
        "session",
        "hmac",
        "jwt",
        "crypt",
    ];
    if last == "key" && words.len() > 1 && words.iter().any(|w| secret_keys.contains(w)) {
        return Some("key");
    }
    None
}

/// Last words of a variable name that say it holds something about a secret (where it is,
/// what it is called, how long it lives) rather than the secret itself.
const NOT_THE_SECRET: [&str; 38] = [
    "file",
    "path",
    "dir",
    "directory",
    "name",
    "names",
    "ref",
    "url",
    "uri",
    "endpoint",
    "host",
    "type",
    "length",
    "len",
    "ttl",
    "expiry",
    "expiration",
    "expires",
    "timeout",
    "duration",
    "enabled",
    "enable",
    "mode",
    "header",
    "id",
    "field",
    "namespace",
    "location",
    "version",
    "policy",
    "format",
    "algorithm",
    "lifetime",
    "interval",
    "audience",
    "issuer",
    "env",
    "provider",
];

fn to_snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut prev_lower = false;
    for ch in name.chars() {
        if ch.is_ascii_uppercase() && prev_lower {
            out.push('_');
        }
        prev_lower = ch.is_ascii_lowercase() || ch.is_ascii_digit();
        out.push(match ch {
            '-' | '.' | ' ' => '_',
            c => c.to_ascii_lowercase(),
        });
    }
    out
}

/// Values that stand for a credential rather than being one: references the kubelet, a shell
/// or a template engine expands, file paths, references into secret stores, masks and
/// placeholders, and booleans.
fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    let lower = v.to_ascii_lowercase();
    let all_same_mask = v.chars().count() >= 3
        && v.chars().next().is_some_and(|first| {
            matches!(first, 'x' | 'X' | '*' | '#' | '.') && v.chars().all(|c| c == first)
        });
    v.contains("$(")
        || v.contains("${")
        || v.contains("{{")
        || (v.starts_with('/') && !v.contains(char::is_whitespace))
        || (v.starts_with('<') && v.ends_with('>'))
        || all_same_mask
        || [
            "vault:",
            "ref+",
            "sm://",
            "berglas://",
            "arn:aws:secretsmanager:",
            "arn:aws:ssm:",
            "file://",
        ]
        .iter()
        .any(|p| lower.starts_with(p))
        || matches!(
            lower.as_str(),
            "true"
                | "false"
                | "yes"
                | "no"
                | "on"
                | "off"
                | "none"
                | "null"
                | "nil"
                | "undefined"
                | "redacted"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_credentials_by_shape() {
        assert_eq!(
            recognised_secret("AKIAIOSFODNN7EXAMPLE"),
            Some("AWS access key id")
        );
        assert_eq!(recognised_secret("AKIA"), None);
        assert_eq!(recognised_secret("xAKIAIOSFODNN7EXAMPLE"), None);
        assert_eq!(
            recognised_secret(
                "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----"
            ),
            Some("PEM private key")
        );
        assert_eq!(recognised_secret("-----BEGIN PUBLIC KEY-----"), None);
        assert_eq!(
            recognised_secret("ghp_0123456789abcdefghijABCDEFGHIJ012345"),
            Some("GitHub token")
        );
        assert_eq!(
            recognised_secret("xoxb-1234567890-abcdef"),
            Some("Slack token")
        );
        assert_eq!(
            recognised_secret("postgres://app:s3cret@db:5432/app"),
            Some("URL with an embedded password")
        );
        assert_eq!(
            recognised_secret("postgres://app:$(DB_PASSWORD)@db:5432/app"),
            None
        );
        assert_eq!(recognised_secret("http://vault:8200"), None);
        assert_eq!(
            recognised_secret("Bearer abcdef123456"),
            Some("bearer token")
        );
        assert_eq!(recognised_secret("Bearer $(TOKEN)"), None);
        assert_eq!(
            recognised_secret(
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
            ),
            Some("JSON Web Token")
        );
    }

    #[test]
    fn reads_secret_words_in_names() {
        assert_eq!(secret_word("DB_PASSWORD"), Some("password"));
        assert_eq!(secret_word("dbPassword"), Some("password"));
        assert_eq!(secret_word("GITHUB_TOKEN"), Some("token"));
        assert_eq!(secret_word("AZURE_BATCH_KEY"), Some("key"));
        assert_eq!(secret_word("OCI_CLI_KEY_CONTENT"), Some("private key"));
        assert_eq!(secret_word("SECRET_BLAH"), Some("secret"));
        assert_eq!(secret_word("DB_PWD"), Some("password"));
        assert_eq!(secret_word("pwd"), Some("password"));
        assert_eq!(secret_word("TOKENIZER_MODEL"), None);
        assert_eq!(secret_word("PARTITION_KEY"), None);
        assert_eq!(secret_word("PUBLIC_KEY"), None);
        assert_eq!(secret_word("DB_PASSWORD_FILE"), None);
        assert_eq!(secret_word("SECRET_NAME"), None);
        assert_eq!(secret_word("AWS_ACCESS_KEY_ID"), None);
        assert_eq!(secret_word("BLAH"), None);
    }

    #[test]
    fn placeholders_are_not_credentials() {
        for v in [
            "$(DB_PASSWORD)",
            "${DB_PASSWORD}",
            "{{ .Values.password }}",
            "/etc/secret/password",
            "xxxx",
            "****",
            "<password>",
            "true",
            "vault:secret/data/db#password",
        ] {
            assert!(is_placeholder(v), "{v}");
        }
        for v in ["hunter2", "abc123", "changeme", "secretsquirrels"] {
            assert!(!is_placeholder(v), "{v}");
        }
    }
}
