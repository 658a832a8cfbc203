//! Recognising credentials in configuration: by the name they are stored under
//! (`db_password`, `API_TOKEN`) and by their shape (an AWS access key id, a PEM private key, a
//! URL with a password in it).
//!
//! Used by every check that looks for secrets where they do not belong (ConfigMaps, environment
//! variables), so that they agree on what a credential is. Findings must never quote the
//! value: callers get a [`Detection`] that says *what kind* of secret was found and where, not
//! the secret.
//!
//! Patterns are matched by hand rather than with regular expressions: they are few, anchored
//! on fixed prefixes, and this keeps the crate free of a regex dependency. Key names are split
//! into words (`dbPassword`, `DB_PASSWORD` and `db-password` all give `db`, `password`) so that
//! a sensitive word matches whole words only (`token` in `API_TOKEN`, not in `tokenizer`).

/// What kind of secret was recognised, and on which line of a multi-line value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Detection {
    /// "a password", "an AWS access key id"…, ready to follow "holds".
    pub(crate) kind: &'static str,
    /// For a setting found inside a multi-line value (a properties or YAML file), its key and
    /// 1-based line.
    pub(crate) setting: Option<(String, usize)>,
}

/// Whether a key name says its value is a credential, and which kind. Names of settings *about*
/// credentials (`password_file`, `token_ttl`, `secret_name`, `public_key`) are not.
pub(crate) fn sensitive_key(key: &str) -> Option<&'static str> {
    // `configure_secret.sh`, `credentials.json`: a file, whose content says what it holds.
    if key
        .rsplit_once('.')
        .is_some_and(|(_, ext)| FILE_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()))
    {
        return None;
    }
    let words = words(key);
    let last = words.last()?;
    if NOT_A_CREDENTIAL.contains(&last.as_str()) || words.iter().any(|w| w == "public") {
        return None;
    }
    let has = |w: &str| words.iter().any(|x| x == w);
    let pair = |a: &str, b: &str| words.windows(2).any(|p| p[0] == a && p[1] == b);
    if has("privatekey") || pair("private", "key") || pair("key", "content") || has("keycontent") {
        return Some("a private key");
    }
    if has("apikey") || pair("api", "key") {
        return Some("an API key");
    }
    if has("accesskey")
        || pair("access", "key")
        || has("secretkey")
        || (has("azure") && last == "key")
    {
        return Some("an access key");
    }
    if has("bearer") || has("jwt") {
        return Some("a bearer token");
    }
    for word in &words {
        let w = word.as_str();
        if w.contains("password") || w.contains("passwd") || w == "pwd" || w.contains("passphrase")
        {
            return Some("a password");
        }
        if w == "secret" || w == "secrets" || w.ends_with("secret") {
            return Some("a secret");
        }
        if w == "token" || w == "tokens" || w.ends_with("token") {
            return Some("a token");
        }
        if w.starts_with("credential") || w == "creds" {
            return Some("a credential");
        }
    }
    // `SIGNING_KEY`, `AZURE_STORAGE_KEY`, `SESSION_KEY`: a key qualified by a word that makes
    // it secret material. `PARTITION_KEY` or `SORT_KEY` are not.
    if last == "key"
        && words.len() > 1
        && words
            .iter()
            .any(|w| SECRET_KEY_QUALIFIERS.contains(&w.as_str()))
    {
        return Some("a key");
    }
    None
}

/// Words that, before a final `key`, make the key secret material.
const SECRET_KEY_QUALIFIERS: &[&str] = &[
    "access",
    "account",
    "api",
    "auth",
    "azure",
    "client",
    "crypt",
    "encrypt",
    "encryption",
    "hmac",
    "jwt",
    "license",
    "master",
    "private",
    "secret",
    "session",
    "signing",
    "ssh",
    "storage",
];

/// Extensions that make a key name a file name.
const FILE_EXTENSIONS: &[&str] = &[
    "bash",
    "cfg",
    "conf",
    "config",
    "env",
    "html",
    "ini",
    "j2",
    "js",
    "json",
    "lua",
    "md",
    "properties",
    "py",
    "rb",
    "sh",
    "sql",
    "tmpl",
    "toml",
    "tpl",
    "ts",
    "txt",
    "xml",
    "yaml",
    "yml",
];

/// Last words of key names that describe a setting about a credential rather than the
/// credential itself.
const NOT_A_CREDENTIAL: &[&str] = &[
    "algorithm",
    "audience",
    "count",
    "env",
    "format",
    "interval",
    "namespace",
    "version",
    "dir",
    "directory",
    "disabled",
    "duration",
    "enable",
    "enabled",
    "endpoint",
    "expiration",
    "expires",
    "expiry",
    "field",
    "file",
    "files",
    "header",
    "host",
    "id",
    "issuer",
    "len",
    "length",
    "lifetime",
    "location",
    "max",
    "min",
    "mode",
    "name",
    "names",
    "param",
    "path",
    "policy",
    "provider",
    "ref",
    "required",
    "seconds",
    "size",
    "store",
    "timeout",
    "ttl",
    "type",
    "uri",
    "url",
    "user",
    "username",
];

/// Whether a value stands for a credential rather than being one: empty, a template or
/// environment reference, a file path, a boolean.
pub(crate) fn is_placeholder(value: &str) -> bool {
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

/// A credential recognised by its shape anywhere in `value`, including inside multi-line
/// content, or a credential-named setting inside it (`spring.datasource.password=…`).
pub(crate) fn find_in_value(value: &str) -> Option<Detection> {
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

/// Shapes of well-known credentials.
fn shape(value: &str) -> Option<&'static str> {
    // Any armour of a private key (`-----BEGIN RSA PRIVATE KEY-----`, OpenSSH's, PGP's
    // `PRIVATE KEY BLOCK`), tolerant of the dash count that hand-edited files get wrong.
    if value
        .lines()
        .any(|line| line.contains("-BEGIN") && line.contains("PRIVATE KEY"))
    {
        if value.contains("service_account") {
            return Some("a Google Cloud service account key");
        }
        return Some("a PEM private key");
    }
    if has_token(value, &["AKIA", "ASIA", "ABIA", "ACCA"], 16, 16, |c| {
        c.is_ascii_uppercase() || c.is_ascii_digit()
    }) {
        return Some("an AWS access key id");
    }
    if has_token(
        value,
        &["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
        36,
        255,
        |c| c.is_ascii_alphanumeric(),
    ) || has_token(value, &["github_pat_"], 22, 255, |c| {
        c.is_ascii_alphanumeric() || c == '_'
    }) {
        return Some("a GitHub token");
    }
    if has_token(
        value,
        &["xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "xoxe-"],
        10,
        255,
        |c| c.is_ascii_alphanumeric() || c == '-',
    ) {
        return Some("a Slack token");
    }
    if value.contains("https://hooks.slack.com/services/T") {
        return Some("a Slack webhook URL");
    }
    if has_token(value, &["AIza"], 35, 35, |c| {
        c.is_ascii_alphanumeric() || c == '_' || c == '-'
    }) {
        return Some("a Google API key");
    }
    if has_token(value, &["sk_live_", "rk_live_"], 20, 255, |c| {
        c.is_ascii_alphanumeric()
    }) {
        return Some("a Stripe secret key");
    }
    if has_jwt(value) {
        return Some("a JSON Web Token");
    }
    if has_bearer_token(value) {
        return Some("a bearer token");
    }
    if has_url_password(value) {
        return Some("a URL with an embedded password");
    }
    None
}

/// Whether `text` has a token made of one of `prefixes` followed by `min..=max` characters of
/// `body`, standing alone (not inside a longer word).
fn has_token(
    text: &str,
    prefixes: &[&str],
    min: usize,
    max: usize,
    body: impl Fn(char) -> bool,
) -> bool {
    let word_char = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    prefixes.iter().any(|prefix| {
        text.match_indices(prefix).any(|(at, _)| {
            let before = text.get(..at).unwrap_or_default();
            let starts_word = before.chars().next_back().is_none_or(|c| !word_char(c));
            let rest = text.get(at + prefix.len()..).unwrap_or_default();
            let len = rest.chars().take_while(|&c| body(c)).count();
            let ends_word = rest.chars().nth(len).is_none_or(|c| !word_char(c));
            starts_word && ends_word && (min..=max).contains(&len)
        })
    })
}

/// A JSON Web Token: three base64url segments, the first two JSON objects (`eyJ`).
fn has_jwt(text: &str) -> bool {
    text.match_indices("eyJ").any(|(at, _)| {
        let candidate: String = text
            .get(at..)
            .unwrap_or_default()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
            .collect();
        let parts: Vec<&str> = candidate.split('.').collect();
        parts.len() == 3
            && parts.get(1).is_some_and(|p| p.starts_with("eyJ"))
            && parts.iter().take(2).all(|p| p.len() >= 10)
            && parts.get(2).is_some_and(|p| p.len() >= 10)
    })
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

/// A URL whose user information carries a password: `scheme://user:password@host`.
fn has_url_password(text: &str) -> bool {
    text.match_indices("://").any(|(at, _)| {
        let scheme_ok = text
            .get(..at)
            .and_then(|before| before.chars().next_back())
            .is_some_and(|c| c.is_ascii_alphanumeric());
        let rest = text.get(at + 3..).unwrap_or_default();
        let authority = rest
            .split(|c: char| matches!(c, '/' | '?' | '#' | '"' | '\'' | '`') || c.is_whitespace())
            .next()
            .unwrap_or_default();
        let Some((userinfo, host)) = authority.rsplit_once('@') else {
            return false;
        };
        let Some((_, password)) = userinfo.split_once(':') else {
            return false;
        };
        scheme_ok
            && !host.is_empty()
            && !is_placeholder(password)
            && !password.chars().all(|c| c == '*' || c == 'x')
    })
}

/// A `key = value` or `key: value` line of a properties, env, INI or YAML file, with
/// `export` and quotes removed.
fn setting(line: &str) -> Option<(&str, &str)> {
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

/// The lowercase words of a key name: split at non-alphanumeric characters and at lowercase
/// to uppercase changes (`dbPassword` → `db`, `password`).
fn words(key: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in key.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && previous_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_key_names_into_words() {
        assert_eq!(words("dbPassword"), ["db", "password"]);
        assert_eq!(
            words("AWS_SECRET_ACCESS_KEY"),
            ["aws", "secret", "access", "key"]
        );
        assert_eq!(
            words("spring.datasource.password"),
            ["spring", "datasource", "password"]
        );
    }

    #[test]
    fn recognises_credential_key_names() {
        for (key, kind) in [
            ("db_password", "a password"),
            ("pwd", "a password"),
            ("MYSQL_ROOT_PASSWORD", "a password"),
            ("AWS_SECRET_ACCESS_KEY", "an access key"),
            ("AZURE_BATCH_KEY", "an access key"),
            ("OCI_CLI_KEY_CONTENT", "a private key"),
            ("apiKey", "an API key"),
            ("GITHUB_TOKEN", "a token"),
            ("authToken", "a token"),
            ("client_secret", "a secret"),
            ("bearer", "a bearer token"),
            ("credentials", "a credential"),
        ] {
            assert_eq!(sensitive_key(key), Some(kind), "{key}");
        }
        for key in [
            "password_file",
            "PASSWORD_FILE",
            "token_ttl",
            "secret_name",
            "public_key",
            "tokenizer",
            "aws_access_key_id",
            "username",
            "player_initial_lives",
            "game.properties",
            "GOOGLE_APPLICATION_CREDENTIALS_PATH",
            "configure_secret.sh",
            "credentials.json",
        ] {
            assert_eq!(sensitive_key(key), None, "{key}");
        }
    }

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
