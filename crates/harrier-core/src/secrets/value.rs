//! Credentials in a configuration value as the posture checks see one: a whole environment
//! variable or ConfigMap entry, possibly a multi-line properties, env or YAML file.

use super::shapes::{Shape, find_shapes, mentions_private_key, url_password};
use super::{is_placeholder, sensitive_key};

/// What kind of secret was recognised, and on which line of a multi-line value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detection {
    /// "a password", "an AWS access key id"…, ready to follow "holds".
    pub kind: &'static str,
    /// For a setting found inside a multi-line value (a properties or YAML file), its key and
    /// 1-based line.
    pub setting: Option<(String, usize)>,
}

/// A credential recognised by its shape anywhere in `value`, including inside multi-line
/// content, or a credential-named setting inside it (`spring.datasource.password=…`).
pub fn find_in_value(value: &str) -> Option<Detection> {
    if let Some(kind) = shape(value) {
        return Some(Detection {
            kind,
            setting: None,
        });
    }
    if !value.contains('\n') {
        return None;
    }
    value.lines().enumerate().find_map(|(i, line)| {
        let (key, setting_value) = setting(line)?;
        let kind = sensitive_key(key)?;
        (!is_placeholder(setting_value)).then(|| Detection {
            kind,
            setting: Some((key.to_owned(), i + 1)),
        })
    })
}

/// Shapes of well-known credentials, the most telling first.
fn shape(value: &str) -> Option<&'static str> {
    // Any armour of a private key, tolerant of the dash count that hand-edited files get
    // wrong: in a value already under suspicion, a mangled key is still a key.
    if mentions_private_key(value) {
        if value.contains("service_account") {
            return Some("a Google Cloud service account key");
        }
        return Some("a PEM private key");
    }
    let rank = |shape: Shape| Shape::ALL.iter().position(|s| *s == shape);
    if let Some(best) = find_shapes(value.as_bytes())
        .map(|m| m.shape)
        .min_by_key(|s| rank(*s))
    {
        return Some(best.description());
    }
    if has_bearer_token(value) {
        return Some("a bearer token");
    }
    if url_password(value).is_some() {
        return Some("a URL with an embedded password");
    }
    None
}

/// `Bearer <token>`, as an `Authorization` header value, with a real token.
fn has_bearer_token(text: &str) -> bool {
    let trimmed = text.trim();
    trimmed
        .get(..7)
        .is_some_and(|p| p.eq_ignore_ascii_case("bearer "))
        && trimmed
            .get(7..)
            .is_some_and(|t| t.trim().len() >= 8 && !is_placeholder(t))
}

/// A `key = value` or `key: value` line of a properties, env, INI or YAML file, with
/// `export` and quotes around the key removed, and the value trimmed (of a trailing `,` too).
/// `None` for comments and lines without a value.
pub fn setting(line: &str) -> Option<(&str, &str)> {
    let line = line.trim_start();
    let line = line.strip_prefix("export ").unwrap_or(line);
    if line.starts_with('#') || line.starts_with(';') || line.starts_with("//") {
        return None;
    }
    let (key, value) = line.split_once([':', '='])?;
    let key = key.trim().trim_matches(|c| c == '"' || c == '\'');
    let value = value.trim().trim_end_matches(',');
    let valid_key = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    (valid_key && !value.is_empty()).then_some((key, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_credential_shapes() {
        let kind = |v: &str| find_in_value(v).map(|d| d.kind);
        assert_eq!(kind("AKIAIOSFODNN7EXAMPLE"), Some("an AWS access key id"));
        assert_eq!(
            kind("key=AKIAIOSFODNN7EXAMPLE;"),
            Some("an AWS access key id")
        );
        assert_eq!(kind("XAKIAIOSFODNN7EXAMPLE"), None);
        assert_eq!(
            kind("-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n"),
            Some("a PEM private key")
        );
        assert_eq!(kind("-----BEGIN CERTIFICATE-----\nabc\n"), None);
        assert_eq!(
            kind(&format!("ghp_{}", "a".repeat(36))),
            Some("a GitHub token")
        );
        assert_eq!(kind("xoxb-123456789012-abcdefghij"), Some("a Slack token"));
        assert_eq!(
            kind(&format!("AIza{}", "b".repeat(35))),
            Some("a Google API key")
        );
        assert_eq!(
            kind(
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
            ),
            Some("a JSON Web Token")
        );
        assert_eq!(
            kind("postgres://app:s3cr3t@db:5432/app"),
            Some("a URL with an embedded password")
        );
        assert_eq!(kind("postgres://app:${DB_PASSWORD}@db:5432/app"), None);
        assert_eq!(kind("postgres://app@db:5432/app"), None);
        assert_eq!(kind("https://example.com/a:b@c"), None);
    }

    #[test]
    fn finds_settings_in_files() {
        let file =
            "server.port=8080\nspring.datasource.username=app\nspring.datasource.password=s3cr3t\n";
        let found = find_in_value(file);
        assert_eq!(
            found,
            Some(Detection {
                kind: "a password",
                setting: Some(("spring.datasource.password".to_owned(), 3)),
            })
        );
        assert_eq!(
            find_in_value("db:\n  password: ${DB_PASSWORD}\n  user: app\n"),
            None
        );
        assert_eq!(find_in_value("# password=example\nkey: value\n"), None);
    }

    #[test]
    fn environment_variable_cases() {
        // Shapes recognised whatever the variable is called.
        for (value, kind) in [
            ("AKIAIOSFODNN7EXAMPLE", "an AWS access key id"),
            (
                "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----",
                "a PEM private key",
            ),
            ("ghp_0123456789abcdefghijABCDEFGHIJ012345", "a GitHub token"),
            ("xoxb-1234567890-abcdef", "a Slack token"),
            (
                "postgres://app:s3cret@db:5432/app",
                "a URL with an embedded password",
            ),
            ("Bearer abcdef123456", "a bearer token"),
        ] {
            assert_eq!(find_in_value(value).map(|d| d.kind), Some(kind), "{value}");
        }
        for value in [
            "AKIA",
            "xAKIAIOSFODNN7EXAMPLE",
            "-----BEGIN PUBLIC KEY-----",
            "postgres://app:$(DB_PASSWORD)@db:5432/app",
            "http://vault:8200",
            "Bearer $(TOKEN)",
        ] {
            assert_eq!(find_in_value(value), None, "{value}");
        }
        // Names: secret material, not settings about it.
        for name in ["SIGNING_KEY", "AZURE_STORAGE_KEY", "SECRET_BLAH", "DB_PWD"] {
            assert!(sensitive_key(name).is_some(), "{name}");
        }
        for name in [
            "TOKENIZER_MODEL",
            "PARTITION_KEY",
            "PUBLIC_KEY",
            "DB_PASSWORD_FILE",
            "SECRET_NAME",
            "AWS_ACCESS_KEY_ID",
            "TOKEN_VERSION",
        ] {
            assert_eq!(sensitive_key(name), None, "{name}");
        }
        // Values that stand for a secret.
        for v in [
            "$(DB_PASSWORD)",
            "${DB_PASSWORD}",
            "{{ .Values.password }}",
            "/etc/secret/password",
            "****",
            "<password>",
            "true",
            "vault:secret/data/db#password",
            "arn:aws:secretsmanager:eu-west-1:1:secret:x",
        ] {
            assert!(is_placeholder(v), "{v}");
        }
        for v in ["hunter2", "abc123", "changeme", "secretsquirrels"] {
            assert!(!is_placeholder(v), "{v}");
        }
    }
}
