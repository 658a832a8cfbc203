//! The secrets scanner against credentials in their real formats.
//!
//! Nothing secret is committed: private keys are generated when the test runs with
//! `ssh-keygen` and `openssl` (skipped, with a message, when they are missing, and failing
//! under `HARRIER_REQUIRE_ALL=1`); tokens are built at test time from a seeded generator in
//! each vendor's documented format (prefix, alphabet, length), so that they look random and
//! are not any real account's. The only fixed "secrets" are the published documentation
//! examples (`AKIAIOSFODNN7EXAMPLE`) and the Azure Storage emulator's key, which must NOT be
//! reported.
//!
//! Every positive case also checks that the excerpt does not contain the secret: no run of
//! six characters of it past its public prefix (`AKIA`, `ghp_`) appears in the excerpt.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

use harrier_core::severity::Severity;
use harrier_core::testing::Rng;
use harrier_image::catalog::{Cataloger, FileMeta, Want};
use harrier_image::resolve::resolve;
use harrier_image::secrets::{MAX_BYTES, Rule, SecretScanner};
use harrier_image::walk::{Consumers, ContentFinding, ContentScanner, walk_layer};

// ---------------------------------------------------------------------------------------
// Test-time secrets.

const UPPER_DIGITS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const BASE64: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE64URL: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn b64(data: &[u8], alphabet: &str, pad: bool) -> String {
    let a = alphabet.as_bytes();
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = chunk.len();
        let v = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..=n {
            out.push(a[((v >> (18 - 6 * i)) & 63) as usize] as char);
        }
        if pad {
            for _ in n..3 {
                out.push('=');
            }
        }
    }
    out
}

/// A JSON Web Token with these claims and a random signature.
fn jwt(rng: &mut Rng, claims: &str) -> String {
    let header = b64(br#"{"alg":"RS256","kid":"Zk3o"}"#, BASE64URL, false);
    let payload = b64(claims.as_bytes(), BASE64URL, false);
    format!("{header}.{payload}.{}", rng.string(BASE64URL, 342))
}

/// The claims of a projected (bound) service-account token, as the kubelet mounts one.
const BOUND_SA_CLAIMS: &str = r#"{"aud":["https://kubernetes.default.svc.cluster.local"],"exp":1767225600,"iat":1735689600,"iss":"https://kubernetes.default.svc.cluster.local","kubernetes.io":{"namespace":"prod","pod":{"name":"api-7d9f","uid":"0b6f"},"serviceaccount":{"name":"api","uid":"9c1e"}},"nbf":1735689600,"sub":"system:serviceaccount:prod:api"}"#;
/// The claims of a legacy (secret-based) service-account token.
const LEGACY_SA_CLAIMS: &str = r#"{"iss":"kubernetes/serviceaccount","kubernetes.io/serviceaccount/namespace":"prod","kubernetes.io/serviceaccount/secret.name":"api-token-x2x9","kubernetes.io/serviceaccount/service-account.name":"api","sub":"system:serviceaccount:prod:api"}"#;

// ---------------------------------------------------------------------------------------
// Helpers.

fn scan(path: &str, content: &str) -> Vec<ContentFinding> {
    let scanner = SecretScanner::new();
    let meta = FileMeta {
        path,
        size: content.len() as u64,
        mode: 0o600,
    };
    assert!(
        matches!(scanner.wants(&meta), Want::Content { .. }),
        "the scanner must want {path}"
    );
    scanner.scan(&meta, content.as_bytes())
}

/// Asserts that `excerpt` shows nothing of `secret` past its first `keep` bytes: no run of six
/// of its characters.
fn assert_hidden(excerpt: &str, secret: &str, keep: usize) {
    let hidden = &secret[keep.min(secret.len())..];
    let chars: Vec<char> = hidden.chars().collect();
    for w in chars.windows(6) {
        let w: String = w.iter().collect();
        assert!(
            !excerpt.contains(&w),
            "excerpt `{excerpt}` shows `{w}` of the secret"
        );
    }
}

/// Asserts one finding of `rule` on `line`, with the rule's severity, hiding `secret`.
fn assert_one(found: &[ContentFinding], rule: Rule, line: u32, secret: &str, keep: usize) {
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = &found[0];
    assert_eq!(f.rule, rule.id(), "{f:#?}");
    assert_eq!(f.line, line, "{f:#?}");
    assert_eq!(f.severity, rule.severity(), "{f:#?}");
    assert!(f.title.starts_with(rule.title()), "{f:#?}");
    assert!(f.excerpt.contains('*'), "{f:#?}");
    assert_hidden(&f.excerpt, secret, keep);
}

/// Runs a key generator; `None` (after saying why) when the tool is missing.
fn generate(program: &str, args: &[&str]) -> Option<()> {
    match Command::new(program).args(args).output() {
        Ok(out) if out.status.success() => Some(()),
        Ok(out) => panic!(
            "{program} {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => harrier_core::testing::skip(&format!("{program} is not installed ({e})")),
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

/// The base64 lines of a PEM or OpenSSH key: what must never be shown.
fn body_lines(key: &str) -> Vec<&str> {
    key.lines()
        .filter(|l| !l.starts_with("-----") && !l.contains(':') && l.len() >= 16)
        .collect()
}

// ---------------------------------------------------------------------------------------
// Private keys, generated now.

#[test]
fn openssh_and_pem_keys_generated_by_ssh_keygen() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&str, &[&str], bool)] = &[
        ("ed25519", &["-t", "ed25519", "-N", ""], false),
        ("ecdsa", &["-t", "ecdsa", "-N", ""], false),
        (
            "rsa-pem",
            &["-t", "rsa", "-b", "2048", "-m", "PEM", "-N", ""],
            false,
        ),
        (
            "rsa-pkcs8",
            &["-t", "rsa", "-b", "2048", "-m", "PKCS8", "-N", ""],
            false,
        ),
        (
            "ed25519-passphrase",
            &["-t", "ed25519", "-N", "correct horse"],
            true,
        ),
        (
            "rsa-pem-passphrase",
            &[
                "-t",
                "rsa",
                "-b",
                "2048",
                "-m",
                "PEM",
                "-N",
                "correct horse",
            ],
            true,
        ),
    ];
    for (name, args, encrypted) in cases {
        let file = dir.path().join(name);
        let file_arg = file.to_str().unwrap();
        let mut all: Vec<&str> = vec!["-q", "-C", "test@harrier", "-f", file_arg];
        all.extend_from_slice(args);
        if generate("ssh-keygen", &all).is_none() {
            return;
        }
        let key = read(&file);
        for path in ["root/.ssh/id_rsa", "app/deploy/key.pem"] {
            let found = scan(path, &key);
            assert_eq!(found.len(), 1, "{name}: {found:#?}");
            let f = &found[0];
            assert_eq!(f.rule, "private-key", "{name}");
            assert_eq!(f.line, 1, "{name}");
            assert_eq!(
                f.title.contains("encrypted"),
                *encrypted,
                "{name}: {}",
                f.title
            );
            let severity = if *encrypted {
                Severity::Medium
            } else {
                Severity::High
            };
            assert_eq!(f.severity, severity, "{name}");
            assert!(
                f.excerpt.starts_with("-----BEGIN "),
                "{name}: {}",
                f.excerpt
            );
            for line in body_lines(&key) {
                assert_hidden(&f.excerpt, line, 0);
            }
        }
        // The public half is not a secret.
        let public = read(&dir.path().join(format!("{name}.pub")));
        assert!(scan("root/.ssh/id_rsa.pub", &public).is_empty(), "{name}");
        // Nor is the same key elsewhere in the file shifting lines: reported where it begins.
        let shifted = format!("# deploy key\n\n{key}");
        assert_eq!(scan("etc/app/key", &shifted)[0].line, 3, "{name}");
    }
}

#[test]
fn pem_keys_generated_by_openssl() {
    let dir = tempfile::tempdir().unwrap();
    let out = |n: &str| dir.path().join(n).to_str().unwrap().to_owned();
    let (rsa, ec, ec_trad, enc, cert) = (
        out("rsa.key"),
        out("ec.key"),
        out("ec-trad.key"),
        out("enc.key"),
        out("cert.pem"),
    );
    let runs: [&[&str]; 5] = [
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            &rsa,
        ],
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            &ec,
        ],
        &[
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-out",
            &ec_trad,
        ],
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-aes-128-cbc",
            "-pass",
            "pass:correct-horse",
            "-out",
            &enc,
        ],
        &[
            "req",
            "-x509",
            "-key",
            &rsa,
            "-subj",
            "/CN=harrier.test",
            "-days",
            "1",
            "-out",
            &cert,
        ],
    ];
    for args in runs {
        if generate("openssl", args).is_none() {
            return;
        }
    }
    for (file, label, encrypted) in [
        (&rsa, "-----BEGIN PRIVATE KEY-----", false),
        (&ec, "-----BEGIN PRIVATE KEY-----", false),
        (&ec_trad, "-----BEGIN EC PRIVATE KEY-----", false),
        (&enc, "-----BEGIN ENCRYPTED PRIVATE KEY-----", true),
    ] {
        let key = read(Path::new(file));
        let found = scan("etc/ssl/private/server.key", &key);
        assert_eq!(found.len(), 1, "{file}: {found:#?}");
        assert_eq!(found[0].rule, "private-key");
        assert_eq!(found[0].excerpt, label);
        assert_eq!(found[0].title.contains("encrypted"), encrypted, "{file}");
        for line in body_lines(&key) {
            assert_hidden(&found[0].excerpt, line, 0);
        }
    }
    // A certificate is public; a bundle of certificate and key has one finding, at the key.
    let certificate = read(Path::new(&cert));
    assert!(scan("etc/ssl/certs/server.pem", &certificate).is_empty());
    let key = read(Path::new(&rsa));
    let bundle = format!("{certificate}{key}");
    let found = scan("etc/haproxy/server.pem", &bundle);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].line as usize, certificate.lines().count() + 1);

    // The same key in a Google Cloud service-account key file, JSON-escaped on one line.
    let escaped = key.replace('\n', "\\n");
    let sa = format!(
        r#"{{
  "type": "service_account",
  "project_id": "harrier-test",
  "private_key_id": "3f1c0d2e9b8a7f6e5d4c3b2a19081726354a5b6c",
  "private_key": "{escaped}",
  "client_email": "scanner@harrier-test.iam.gserviceaccount.com",
  "client_id": "104729384756102938475",
  "auth_uri": "https://accounts.google.com/o/oauth2/auth",
  "token_uri": "https://oauth2.googleapis.com/token"
}}
"#
    );
    let found = scan("app/credentials/gcp.json", &sa);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].rule, "gcp-service-account");
    assert_eq!(found[0].line, 5);
    assert_eq!(found[0].severity, Severity::Critical);
    assert!(
        found[0].excerpt.starts_with("\"private_key\": \""),
        "{}",
        found[0].excerpt
    );
    for line in body_lines(&key) {
        assert_hidden(&found[0].excerpt, line, 0);
    }
}

// ---------------------------------------------------------------------------------------
// Cloud credentials and tokens, in the files they are found in.

#[test]
fn aws_credentials_file() {
    let mut rng = Rng::new(1);
    let id = format!("AKIA{}", rng.string(UPPER_DIGITS, 16));
    let secret = rng.string(BASE64, 40);
    let session_id = format!("ASIA{}", rng.string(UPPER_DIGITS, 16));
    let text = format!(
        "[default]\naws_access_key_id = {id}\naws_secret_access_key = {secret}\nregion = eu-west-1\n\n[ci]\naws_access_key_id={session_id}\n"
    );
    let found = scan("root/.aws/credentials", &text);
    let got: Vec<(&str, u32, Severity)> = found
        .iter()
        .map(|f| (f.rule.as_str(), f.line, f.severity))
        .collect();
    assert_eq!(
        got,
        [
            ("aws-access-key-id", 2, Severity::Medium),
            ("aws-secret-access-key", 3, Severity::Critical),
            ("aws-access-key-id", 7, Severity::Medium),
        ]
    );
    assert!(found[1].title.contains("access key id in the same file"));
    assert_eq!(found[0].excerpt, "aws_access_key_id = AKIA****************");
    for f in &found {
        assert_hidden(&f.excerpt, &id, 4);
        assert_hidden(&f.excerpt, &secret, 0);
        assert_hidden(&f.excerpt, &session_id, 4);
    }
    // Environment and JSON spellings of the secret.
    for text in [
        format!("export AWS_SECRET_ACCESS_KEY=\"{secret}\"\n"),
        format!("{{\n  \"AccessKeyId\": \"{id}\",\n  \"SecretAccessKey\": \"{secret}\"\n}}\n"),
    ] {
        let found = scan("app/run.sh", &text);
        assert!(
            found.iter().any(|f| f.rule == "aws-secret-access-key"),
            "{text}: {found:#?}"
        );
        for f in &found {
            assert_hidden(&f.excerpt, &secret, 0);
        }
    }
}

#[test]
fn azure_connection_strings_and_client_secrets() {
    let mut rng = Rng::new(2);
    let storage_key = format!("{}==", rng.string(BASE64, 86));
    let conn = format!(
        "DefaultEndpointsProtocol=https;AccountName=harriertest;AccountKey={storage_key};EndpointSuffix=core.windows.net"
    );
    let text = format!("{{\n  \"ConnectionStrings\": {{\n    \"Storage\": \"{conn}\"\n  }}\n}}\n");
    assert_one(
        &scan("app/appsettings.json", &text),
        Rule::AzureConnectionString,
        3,
        &storage_key,
        0,
    );
    let sas = format!("{}=", rng.string(BASE64, 43));
    let bus = format!(
        "SERVICEBUS=Endpoint=sb://harrier.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={sas}\n"
    );
    assert_one(
        &scan("app/config.ini", &bus),
        Rule::AzureConnectionString,
        1,
        &sas,
        0,
    );

    let client_secret = format!(
        "{}{}Q~{}",
        rng.string(ALNUM, 3),
        rng.next_u64() % 10,
        rng.string(ALNUM, 34)
    );
    let text = format!("tenant: 72f988bf\nclient_id: 1950a258\nsecret: {client_secret}\n");
    assert_one(
        &scan("app/azure.yaml", &text),
        Rule::AzureClientSecret,
        3,
        &client_secret,
        0,
    );
    // An older secret has no shape; its name says what it is.
    let old = rng.string("abcdefghijklmnopqrstuvwxyz0123456789.-_~", 32);
    let text = format!("AZURE_CLIENT_ID=1950a258\nAZURE_CLIENT_SECRET={old}\n");
    assert_one(
        &scan("app/startup.sh", &text),
        Rule::AzureClientSecret,
        2,
        &old,
        0,
    );
}

#[test]
fn vendor_tokens_by_prefix() {
    let mut rng = Rng::new(3);
    let cases: Vec<(Rule, String, usize)> = vec![
        (
            Rule::GitHubToken,
            format!("ghp_{}", rng.string(ALNUM, 36)),
            4,
        ),
        (
            Rule::GitHubToken,
            format!("ghs_{}", rng.string(ALNUM, 36)),
            4,
        ),
        (
            Rule::GitHubToken,
            format!(
                "github_pat_11{}_{}",
                rng.string(UPPER_DIGITS, 20),
                rng.string(ALNUM, 59)
            ),
            11,
        ),
        (
            Rule::GitLabToken,
            format!("glpat-{}", rng.string(BASE64URL, 20)),
            6,
        ),
        (
            Rule::SlackToken,
            format!(
                "xoxb-{}-{}-{}",
                rng.next_u64() % 10_000_000_000_000,
                rng.next_u64() % 10_000_000_000_000,
                rng.string(ALNUM, 24)
            ),
            5,
        ),
        (
            Rule::SlackWebhook,
            format!(
                "https://hooks.slack.com/services/T{}/B{}/{}",
                rng.string(UPPER_DIGITS, 10),
                rng.string(UPPER_DIGITS, 10),
                rng.string(ALNUM, 24)
            ),
            "https://hooks.slack.com/services/".len(),
        ),
        (
            Rule::StripeSecretKey,
            format!("sk_live_{}", rng.string(ALNUM, 99)),
            8,
        ),
        (
            Rule::StripeSecretKey,
            format!("rk_live_{}", rng.string(ALNUM, 24)),
            8,
        ),
        (Rule::NpmToken, format!("npm_{}", rng.string(ALNUM, 36)), 4),
        (
            Rule::PyPiToken,
            format!("pypi-AgEIcHlwaS5vcmc{}", rng.string(BASE64URL, 150)),
            5,
        ),
        (
            Rule::DockerHubToken,
            format!("dckr_pat_{}", rng.string(BASE64URL, 27)),
            9,
        ),
    ];
    for (rule, token, keep) in &cases {
        // Wherever it is: a script, YAML, JSON.
        for (path, text, line) in [
            (
                "usr/local/bin/deploy.sh",
                format!("#!/bin/sh\nTOKEN='{token}'\ncurl -H \"Authorization: $TOKEN\"\n"),
                2,
            ),
            (
                "app/config/settings.yaml",
                format!("service:\n  token: {token}\n"),
                2,
            ),
            ("app/config.json", format!("{{\"token\":\"{token}\"}}"), 1),
        ] {
            let found = scan(path, &text);
            assert_one(&found, *rule, line, token, *keep);
            assert!(
                found[0].excerpt.contains(&token[..*keep]),
                "the public prefix names the kind: {}",
                found[0].excerpt
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Tool configuration files.

#[test]
fn docker_config_auths() {
    let mut rng = Rng::new(4);
    let password = rng.string(ALNUM, 24);
    let auth = b64(format!("deploy:{password}").as_bytes(), BASE64, true);
    let identity = jwt(&mut rng, r#"{"sub":"deploy","aud":"harrier.azurecr.io"}"#);
    let text = format!(
        r#"{{
	"auths": {{
		"registry.example.com": {{
			"auth": "{auth}"
		}},
		"harrier.azurecr.io": {{
			"auth": "",
			"identitytoken": "{identity}"
		}},
		"https://index.docker.io/v1/": {{}}
	}},
	"credsStore": "desktop"
}}
"#
    );
    for path in [
        "root/.docker/config.json",
        "kaniko/.docker/config.json",
        "run/containers/0/auth.json",
    ] {
        let found = scan(path, &text);
        let got: Vec<(&str, u32)> = found.iter().map(|f| (f.rule.as_str(), f.line)).collect();
        assert_eq!(
            got,
            [("docker-config-auth", 4), ("docker-config-auth", 8)],
            "{path}"
        );
        for f in &found {
            assert_eq!(f.severity, Severity::High);
            assert_hidden(&f.excerpt, &auth, 0);
            assert_hidden(&f.excerpt, &identity, 0);
        }
    }
    // Helpers only: nothing stored.
    let helpers = r#"{"auths":{"ghcr.io":{}},"credHelpers":{"123456789012.dkr.ecr.eu-west-1.amazonaws.com":"ecr-login"}}"#;
    assert!(scan("root/.docker/config.json", helpers).is_empty());
}

#[test]
fn npmrc_and_pypirc() {
    let mut rng = Rng::new(5);
    let npm = format!("npm_{}", rng.string(ALNUM, 36));
    let legacy = b64(
        format!("ci:{}", rng.string(ALNUM, 20)).as_bytes(),
        BASE64,
        true,
    );
    let text = format!(
        "registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken={npm}\n; a private registry\n//npm.internal.example:8443/:_auth=\"{legacy}\"\nalways-auth=true\n//npm.pkg.github.com/:_authToken=${{GITHUB_TOKEN}}\n"
    );
    let found = scan("home/node/.npmrc", &text);
    let got: Vec<(&str, u32)> = found.iter().map(|f| (f.rule.as_str(), f.line)).collect();
    // The npm token is reported once, by the file's rule, which says more than its shape.
    assert_eq!(got, [("npmrc-auth", 2), ("npmrc-auth", 4)], "{found:#?}");
    for f in &found {
        assert_hidden(&f.excerpt, &npm, 0);
        assert_hidden(&f.excerpt, &legacy, 0);
    }

    let pypi = format!("pypi-AgEIcHlwaS5vcmc{}", rng.string(BASE64URL, 120));
    let password = rng.string(ALNUM, 18);
    let text = format!(
        "[distutils]\nindex-servers =\n    pypi\n    internal\n\n[pypi]\nusername = __token__\npassword = {pypi}\n\n[internal]\nrepository = https://pypi.internal.example/\nusername = ci\npassword: {password}\n"
    );
    let found = scan("root/.pypirc", &text);
    let got: Vec<(&str, u32)> = found.iter().map(|f| (f.rule.as_str(), f.line)).collect();
    assert_eq!(
        got,
        [("pypirc-password", 8), ("pypirc-password", 13)],
        "{found:#?}"
    );
    for f in &found {
        assert_hidden(&f.excerpt, &pypi, 5);
        assert_hidden(&f.excerpt, &password, 0);
    }
}

#[test]
fn kubeconfig_users() {
    let mut rng = Rng::new(6);
    let token = jwt(&mut rng, BOUND_SA_CLAIMS);
    let key = b64(rng.string(BASE64, 1200).as_bytes(), BASE64, true);
    let cert = b64(rng.string(BASE64, 900).as_bytes(), BASE64, true);
    let text = format!(
        r#"apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: {cert}
    server: https://10.0.0.1:6443
  name: prod
contexts:
- context:
    cluster: prod
    user: ci
  name: ci@prod
current-context: ci@prod
users:
- name: ci
  user:
    token: {token}
- name: admin
  user:
    client-certificate-data: {cert}
    client-key-data: {key}
- name: exec
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: aws
      args: ["eks", "get-token", "--cluster-name", "prod"]
"#
    );
    for path in [
        "root/.kube/config",
        "etc/kubernetes/admin.conf",
        "srv/prod.yaml",
    ] {
        let found = scan(path, &text);
        let got: Vec<(&str, u32)> = found.iter().map(|f| (f.rule.as_str(), f.line)).collect();
        assert_eq!(
            got,
            [("kubeconfig-credential", 17), ("kubeconfig-credential", 21)],
            "{path}: {found:#?}"
        );
        assert!(found[0].title.contains("token"));
        assert!(found[1].title.contains("client-key-data"));
        for f in &found {
            assert_eq!(f.severity, Severity::Critical);
            assert_hidden(&f.excerpt, &token, 0);
            assert_hidden(&f.excerpt, &key, 0);
        }
    }
    // An exec-plugin-only kubeconfig stores nothing.
    let exec_only = text
        .lines()
        .filter(|l| !l.contains("token:") && !l.contains("client-key-data"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(scan("root/.kube/config", &exec_only).is_empty());
}

#[test]
fn kubernetes_service_account_tokens() {
    let mut rng = Rng::new(7);
    // At the mount path, whatever its claims.
    let bound = jwt(&mut rng, BOUND_SA_CLAIMS);
    assert_one(
        &scan("var/run/secrets/kubernetes.io/serviceaccount/token", &bound),
        Rule::KubernetesServiceAccountToken,
        1,
        &bound,
        3,
    );
    // Anywhere, by its Kubernetes claims, legacy or bound.
    let legacy = jwt(&mut rng, LEGACY_SA_CLAIMS);
    for token in [&bound, &legacy] {
        let text = format!(
            "#!/bin/sh\nexport KUBE_TOKEN={token}\nkubectl --token \"$KUBE_TOKEN\" get pods\n"
        );
        assert_one(
            &scan("app/bin/ci.sh", &text),
            Rule::KubernetesServiceAccountToken,
            2,
            token,
            3,
        );
    }
    // Other JSON Web Tokens are everywhere in documentation and web bundles: not reported.
    let other = jwt(
        &mut rng,
        r#"{"sub":"1234567890","name":"John Doe","iat":1516239022}"#,
    );
    assert!(scan("app/static/main.js", &format!("const t = \"{other}\";\n")).is_empty());
}

#[test]
fn env_files() {
    let mut rng = Rng::new(8);
    let db = rng.string(ALNUM, 20);
    let url_password = rng.string(ALNUM, 16);
    let text = format!(
        "# production\nNODE_ENV=production\nDB_USER=app\nDB_PASSWORD={db}\nSESSION_SECRET=\"${{SESSION_SECRET}}\"\nDATABASE_URL=postgres://app:{url_password}@db:5432/app\nPASSWORD_FILE=/run/secrets/db\n"
    );
    let found = scan("app/.env", &text);
    let got: Vec<(&str, u32, Severity)> = found
        .iter()
        .map(|f| (f.rule.as_str(), f.line, f.severity))
        .collect();
    assert_eq!(
        got,
        [
            ("env-file-credential", 4, Severity::Medium),
            ("env-file-credential", 6, Severity::Medium),
        ]
    );
    assert_eq!(found[0].excerpt, "DB_PASSWORD=****************");
    assert_eq!(
        found[1].excerpt,
        "DATABASE_URL=postgres://app:****************@db:5432/app"
    );
    for f in &found {
        assert_hidden(&f.excerpt, &db, 0);
        assert_hidden(&f.excerpt, &url_password, 0);
    }
    // The same settings in a template are not credentials.
    let scanner = SecretScanner::new();
    assert!(
        scanner
            .scan_bytes("app/.env.example", text.as_bytes())
            .is_empty()
    );
    // And a password setting in arbitrary configuration is the posture checks' business.
    assert!(scan("app/settings.conf", &text).is_empty());
}

#[test]
fn netrc_and_git_credentials() {
    let mut rng = Rng::new(9);
    let a = rng.string(ALNUM, 20);
    let b = rng.string(ALNUM, 20);
    let netrc = format!(
        "machine api.heroku.com\n  login ci@example.org\n  password {a}\nmachine git.example.org login ci password {b}\ndefault login anonymous password\n"
    );
    let found = scan("root/.netrc", &netrc);
    let got: Vec<(&str, u32)> = found.iter().map(|f| (f.rule.as_str(), f.line)).collect();
    assert_eq!(
        got,
        [("netrc-password", 3), ("netrc-password", 4)],
        "{found:#?}"
    );
    for f in &found {
        assert_hidden(&f.excerpt, &a, 0);
        assert_hidden(&f.excerpt, &b, 0);
    }
    let store = format!("https://ci:{a}@github.com\nhttps://gitlab.example.org\n");
    assert_one(
        &scan("root/.git-credentials", &store),
        Rule::GitCredentials,
        1,
        &a,
        0,
    );
}

// ---------------------------------------------------------------------------------------
// What must not be reported.

#[test]
fn documentation_examples_and_placeholders_are_not_secrets() {
    for (path, text) in [
        // AWS's documented example pair.
        (
            "root/.aws/credentials",
            "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
        ),
        // Masks, elisions, templates and references.
        (
            "app/README.txt",
            "export GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
        ),
        (
            "app/config.yaml",
            "token: ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\n",
        ),
        ("app/config.yaml", "token: glpat-${GITLAB_TOKEN}\n"),
        (
            "app/config.yaml",
            "stripe: sk_test_4eC39HqLyjWDarjtT1zdp7dc\n",
        ),
        (
            "home/node/.npmrc",
            "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n",
        ),
        (
            "root/.pypirc",
            "[pypi]\nusername = __token__\npassword = <your PyPI token>\n",
        ),
        (
            "root/.docker/config.json",
            "{\"auths\":{\"r.example\":{\"auth\":\"\"}}}",
        ),
        (
            "root/.kube/config",
            "apiVersion: v1\nkind: Config\nusers:\n- name: ci\n  user:\n    token: ${KUBE_TOKEN}\n",
        ),
        // The Azure Storage emulator's published key.
        (
            "app/appsettings.Development.json",
            "{\"Storage\":\"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;\"}",
        ),
        // Code that writes or parses key markers, and elided keys.
        (
            "app/lib/pem.py",
            "BEGIN = '-----BEGIN RSA PRIVATE KEY-----'\nif line.startswith(BEGIN):\n    pass\n",
        ),
        (
            "app/README.md",
            "-----BEGIN OPENSSH PRIVATE KEY-----\n...\n-----END OPENSSH PRIVATE KEY-----\n",
        ),
        (
            "app/README.md",
            "-----BEGIN RSA PRIVATE KEY-----\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n-----END RSA PRIVATE KEY-----\n",
        ),
        // Tokens inside longer words are not tokens.
        ("app/data.txt", "idAKIA2E0A8F3B244C9986Q\n"),
        // Google API keys ship in client code by design.
        (
            "app/static/maps.js",
            "const key = 'AIzaSyD4kT9mQx7LwVd9ZpNc4Hs6JyUb3Fg1AeK';\n",
        ),
    ] {
        let found = scan(path, text);
        assert!(found.is_empty(), "{path}: {text}\n{found:#?}");
    }
}

#[test]
fn binary_files_are_not_read() {
    let mut rng = Rng::new(10);
    let token = format!("ghp_{}", rng.string(ALNUM, 36));
    let scanner = SecretScanner::new();
    // By name: never asked for.
    for path in [
        "usr/lib/x86_64-linux-gnu/libssl.so.3",
        "app/lib/app.jar",
        "app/static/logo.png",
        "usr/lib/python3.11/__pycache__/x.cpython-311.pyc",
    ] {
        let meta = FileMeta {
            path,
            size: 100,
            mode: 0o644,
        };
        assert_eq!(scanner.wants(&meta), Want::No, "{path}");
    }
    // By content: a NUL in the first 8 KiB, as in any executable.
    let mut elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0".to_vec();
    elf.extend_from_slice(format!("token={token}\n").as_bytes());
    assert!(scanner.scan_bytes("usr/local/bin/tool", &elf).is_empty());
    // The same bytes without the header are text, and the token is found.
    assert_eq!(
        scanner.scan_bytes("usr/local/bin/tool", &elf[16..]).len(),
        1
    );
}

#[test]
fn huge_files_are_capped() {
    let scanner = SecretScanner::new();
    for (size, wanted) in [(MAX_BYTES, true), (MAX_BYTES + 1, false), (u64::MAX, false)] {
        let meta = FileMeta {
            path: "app/data/dump.sql",
            size,
            mode: 0o644,
        };
        let want = scanner.wants(&meta);
        assert_eq!(matches!(want, Want::Content { .. }), wanted, "{size}");
        if let Want::Content { max_bytes } = want {
            assert_eq!(max_bytes, MAX_BYTES);
        }
    }
    // A file full of anchors costs no more than a bounded number of findings.
    let mut rng = Rng::new(11);
    let mut text = String::new();
    while text.len() < 512 * 1024 {
        text.push_str(&format!("k=ghp_{}\n", rng.string(ALNUM, 36)));
    }
    let found = scanner.scan_bytes("app/tokens.txt", text.as_bytes());
    assert_eq!(found.len(), 100);
    assert_eq!(found[99].line, 100);
}

#[test]
fn package_test_keys_are_not_read_but_the_image_authors_are() {
    let scanner = SecretScanner::new();
    let wants = |path: &str| {
        matches!(
            scanner.wants(&FileMeta {
                path,
                size: 3000,
                mode: 0o644
            }),
            Want::Content { .. }
        )
    };
    for path in [
        "usr/lib/python3.11/test/keycert.pem",
        "usr/local/go/src/crypto/tls/testdata/example-key.pem",
        "app/node_modules/agent-base/test/ssl-cert-snakeoil.key",
        "usr/share/doc/openssl/demos/key.pem",
    ] {
        assert!(!wants(path), "{path}");
    }
    for path in [
        "etc/ssl/private/ssl-cert-snakeoil.key",
        "app/tests/fixtures/server.key",
        "root/.ssh/id_ed25519",
        "srv/app/config/production.yaml",
    ] {
        assert!(wants(path), "{path}");
    }
}

// ---------------------------------------------------------------------------------------
// Excerpts.

#[test]
fn no_excerpt_contains_a_secret() {
    // Several secrets of every kind on shared lines, in every file kind: every excerpt is
    // checked against every secret.
    let mut rng = Rng::new(12);
    let secrets: Vec<(String, usize)> = vec![
        (format!("AKIA{}", rng.string(UPPER_DIGITS, 16)), 4),
        (rng.string(BASE64, 40), 0),
        (format!("ghp_{}", rng.string(ALNUM, 36)), 4),
        (format!("xoxp-{}", rng.string(ALNUM, 30)), 5),
        (format!("npm_{}", rng.string(ALNUM, 36)), 4),
        (format!("glpat-{}", rng.string(BASE64URL, 20)), 6),
        (jwt(&mut rng, LEGACY_SA_CLAIMS), 3),
        // Not reported, but masked where they share a line with a finding.
        (format!("AIza{}", rng.string(BASE64URL, 35)), 4),
        (jwt(&mut rng, r#"{"sub":"someone","iat":1516239022}"#), 3),
    ];
    let s = |i: usize| secrets[i].0.as_str();
    let line = format!(
        "aws_access_key_id={} aws_secret_access_key={} tokens: {} {} {} {} {} {} {}",
        s(0),
        s(1),
        s(2),
        s(3),
        s(4),
        s(5),
        s(6),
        s(7),
        s(8)
    );
    let long = format!("{}{line}{}", "x ".repeat(300), " y".repeat(300));
    let mut total = 0;
    for path in [
        "app/.env",
        "home/node/.npmrc",
        "root/.kube/config",
        "app/settings.txt",
    ] {
        for text in [&line, &long] {
            let found = scan(path, text);
            assert!(found.len() >= 6, "{path}: {found:#?}");
            total += found.len();
            for f in &found {
                assert!(f.excerpt.chars().count() <= 162, "{}", f.excerpt);
                for (secret, keep) in &secrets {
                    assert_hidden(&f.excerpt, secret, *keep);
                }
            }
        }
    }
    assert!(total >= 48);
}

// ---------------------------------------------------------------------------------------
// Through the walk: how an image scan registers the scanner.

#[test]
fn the_walk_reports_secrets_with_their_layer_even_when_deleted() {
    let mut rng = Rng::new(13);
    let token = format!("ghp_{}", rng.string(ALNUM, 36));
    let layer = |files: &[(&str, &str)]| {
        let mut builder = tar::Builder::new(Vec::new());
        for (path, content) in files {
            let mut header = tar::Header::new_gnu();
            header.set_size(content.len() as u64);
            header.set_mode(0o600);
            header.set_entry_type(tar::EntryType::Regular);
            builder
                .append_data(&mut header, path, content.as_bytes())
                .unwrap();
        }
        builder.into_inner().unwrap()
    };
    let scanner = SecretScanner::new();
    let catalogers: [&dyn Cataloger; 0] = [];
    let consumers = Consumers {
        catalogers: &catalogers,
        content: Some(&scanner),
    };
    let config = format!("[credential]\n\thelper = store\n# {token}\n");
    let big = "a".repeat(MAX_BYTES as usize + 1);
    let first = layer(&[
        ("root/.gitconfig", &config),
        ("app/big.txt", &big),
        ("app/main.py", "print('hello')\n"),
    ]);
    let second = layer(&[("root/.wh..gitconfig", "")]);
    let scans = vec![
        walk_layer(0, Box::new(std::io::Cursor::new(first)), consumers),
        walk_layer(1, Box::new(std::io::Cursor::new(second)), consumers),
    ];
    assert_eq!(scans[0].content.len(), 1);
    let observed = &scans[0].content[0];
    assert_eq!(observed.path, "root/.gitconfig");
    assert_eq!(observed.findings[0].rule, "github-token");
    assert_eq!(observed.findings[0].line, 3);
    assert_hidden(&observed.findings[0].excerpt, &token, 4);
    // The file too big to read is skipped quietly (not a cataloger's file: no problem).
    assert!(scans[0].problems.is_empty(), "{:?}", scans[0].problems);
    let resolved = resolve(scans);
    assert_eq!(resolved.secrets.len(), 1, "{:#?}", resolved.secrets);
    assert_eq!(resolved.secrets[0].layer, 0);
    assert_eq!(resolved.secrets[0].deleted_in, Some(1));
}

// ---------------------------------------------------------------------------------------
// Documentation.

#[test]
fn the_documentation_lists_every_rule() {
    let mut table = String::from("| id | severity | title | matches |\n|---|---|---|---|\n");
    for rule in Rule::ALL {
        table.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            rule.id(),
            rule.severity().as_str(),
            rule.title(),
            rule.matcher().replace('|', "\\|")
        ));
    }
    let doc = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/image-secrets.md");
    let text = std::fs::read_to_string(&doc).unwrap_or_default();
    assert!(
        text.contains(&table),
        "docs/image-secrets.md is stale; its rules table must be:\n\n{table}"
    );
}
