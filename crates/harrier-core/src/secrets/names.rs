//! Key names that say their value is a credential (`db_password`, `AWS_SECRET_ACCESS_KEY`,
//! `apiKey`), and names of settings *about* credentials that are not (`password_file`,
//! `token_ttl`, `public_key`).

/// Whether a key name says its value is a credential, and which kind. Names of settings *about*
/// credentials (`password_file`, `token_ttl`, `secret_name`, `public_key`) are not.
pub fn sensitive_key(key: &str) -> Option<&'static str> {
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
}
