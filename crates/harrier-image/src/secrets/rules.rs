//! The secret rules: one stable id, a title and what exactly each matches.
//!
//! The matchers themselves are in [`harrier_core::secrets`] (shapes shared with the posture
//! checks) and in this module's siblings (rules that need a file's context). This table is
//! what reports and documentation read.

use harrier_core::secrets::Shape;
use harrier_core::severity::Severity;

/// One secret rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    /// A PEM, OpenSSH or PGP private key block.
    PrivateKey,
    /// An AWS access key id.
    AwsAccessKeyId,
    /// An AWS secret access key assigned to its usual name.
    AwsSecretAccessKey,
    /// A Google Cloud service-account key file.
    GcpServiceAccount,
    /// An Azure Storage or Service Bus connection string with its key.
    AzureConnectionString,
    /// An Azure (Entra ID) client secret.
    AzureClientSecret,
    /// A GitHub token.
    GitHubToken,
    /// A GitLab personal access token.
    GitLabToken,
    /// A Slack token.
    SlackToken,
    /// A Slack incoming-webhook URL.
    SlackWebhook,
    /// A Stripe live secret key.
    StripeSecretKey,
    /// An npm access token.
    NpmToken,
    /// A PyPI API token.
    PyPiToken,
    /// A Docker Hub personal access token.
    DockerHubToken,
    /// A credential in an `.npmrc`.
    NpmrcAuth,
    /// A password in a `.pypirc`.
    PypircPassword,
    /// Registry credentials in a Docker or Podman auth file.
    DockerConfigAuth,
    /// A kubeconfig user with a token, password or client key.
    KubeconfigCredential,
    /// A Kubernetes service-account token.
    KubernetesServiceAccountToken,
    /// A password in a `.netrc`.
    NetrcPassword,
    /// A password in Git's credential store.
    GitCredentials,
    /// A credential-named setting in an `.env` file.
    EnvFileCredential,
}

impl Rule {
    /// Every rule, in the order of the documentation.
    pub const ALL: [Rule; 22] = [
        Rule::PrivateKey,
        Rule::AwsAccessKeyId,
        Rule::AwsSecretAccessKey,
        Rule::GcpServiceAccount,
        Rule::AzureConnectionString,
        Rule::AzureClientSecret,
        Rule::GitHubToken,
        Rule::GitLabToken,
        Rule::SlackToken,
        Rule::SlackWebhook,
        Rule::StripeSecretKey,
        Rule::NpmToken,
        Rule::PyPiToken,
        Rule::DockerHubToken,
        Rule::NpmrcAuth,
        Rule::PypircPassword,
        Rule::DockerConfigAuth,
        Rule::KubeconfigCredential,
        Rule::KubernetesServiceAccountToken,
        Rule::NetrcPassword,
        Rule::GitCredentials,
        Rule::EnvFileCredential,
    ];

    /// The stable id (`private-key`), as reports carry it.
    pub fn id(self) -> &'static str {
        match self {
            Rule::PrivateKey => "private-key",
            Rule::AwsAccessKeyId => "aws-access-key-id",
            Rule::AwsSecretAccessKey => "aws-secret-access-key",
            Rule::GcpServiceAccount => "gcp-service-account",
            Rule::AzureConnectionString => "azure-connection-string",
            Rule::AzureClientSecret => "azure-client-secret",
            Rule::GitHubToken => "github-token",
            Rule::GitLabToken => "gitlab-token",
            Rule::SlackToken => "slack-token",
            Rule::SlackWebhook => "slack-webhook",
            Rule::StripeSecretKey => "stripe-secret-key",
            Rule::NpmToken => "npm-token",
            Rule::PyPiToken => "pypi-token",
            Rule::DockerHubToken => "docker-hub-token",
            Rule::NpmrcAuth => "npmrc-auth",
            Rule::PypircPassword => "pypirc-password",
            Rule::DockerConfigAuth => "docker-config-auth",
            Rule::KubeconfigCredential => "kubeconfig-credential",
            Rule::KubernetesServiceAccountToken => "kubernetes-service-account-token",
            Rule::NetrcPassword => "netrc-password",
            Rule::GitCredentials => "git-credentials",
            Rule::EnvFileCredential => "env-file-credential",
        }
    }

    /// The rule with this id, for reports that carry only the id.
    pub fn from_id(id: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.id() == id)
    }

    /// How bad a finding of this rule is. `Critical`: the secret alone gives control of an
    /// account, a cluster or a payment system (cloud keys with their secret, service-account
    /// keys, kubeconfig users, GitHub/GitLab/Stripe tokens). `High`: it gives access to code,
    /// packages, registries, chat or a cluster identity (private keys, other tokens, registry
    /// credentials). `Medium`: it is half of a credential (an AWS access key id alone), a
    /// narrow one (a Slack webhook posts to one channel), or recognised by its name only (an
    /// `.env` setting). An encrypted private key is one step lower: see
    /// [`Rule::severity_of`].
    pub fn severity(self) -> Severity {
        match self {
            Rule::AwsSecretAccessKey
            | Rule::GcpServiceAccount
            | Rule::AzureConnectionString
            | Rule::GitHubToken
            | Rule::GitLabToken
            | Rule::StripeSecretKey
            | Rule::KubeconfigCredential => Severity::Critical,
            Rule::PrivateKey
            | Rule::AzureClientSecret
            | Rule::SlackToken
            | Rule::NpmToken
            | Rule::PyPiToken
            | Rule::DockerHubToken
            | Rule::NpmrcAuth
            | Rule::PypircPassword
            | Rule::DockerConfigAuth
            | Rule::KubernetesServiceAccountToken
            | Rule::NetrcPassword
            | Rule::GitCredentials => Severity::High,
            Rule::AwsAccessKeyId | Rule::SlackWebhook | Rule::EnvFileCredential => Severity::Medium,
        }
    }

    /// The severity of one finding: the rule's, one step lower for a private key protected by
    /// a passphrase (`encrypted`), since it cannot be used without one.
    pub fn severity_of(self, encrypted: bool) -> Severity {
        match (self, encrypted) {
            (Rule::PrivateKey, true) => Severity::Medium,
            (rule, _) => rule.severity(),
        }
    }

    /// What was found, for people.
    pub fn title(self) -> &'static str {
        match self {
            Rule::PrivateKey => "Private key",
            Rule::AwsAccessKeyId => "AWS access key id",
            Rule::AwsSecretAccessKey => "AWS secret access key",
            Rule::GcpServiceAccount => "Google Cloud service-account key",
            Rule::AzureConnectionString => {
                "Azure connection string with an account or shared access key"
            }
            Rule::AzureClientSecret => "Azure (Entra ID) client secret",
            Rule::GitHubToken => "GitHub token",
            Rule::GitLabToken => "GitLab personal access token",
            Rule::SlackToken => "Slack token",
            Rule::SlackWebhook => "Slack incoming-webhook URL",
            Rule::StripeSecretKey => "Stripe live secret key",
            Rule::NpmToken => "npm access token",
            Rule::PyPiToken => "PyPI API token",
            Rule::DockerHubToken => "Docker Hub personal access token",
            Rule::NpmrcAuth => "Registry credential in an .npmrc",
            Rule::PypircPassword => "Password in a .pypirc",
            Rule::DockerConfigAuth => "Registry credential in a Docker or Podman auth file",
            Rule::KubeconfigCredential => "Kubeconfig user credential",
            Rule::KubernetesServiceAccountToken => "Kubernetes service-account token",
            Rule::NetrcPassword => "Password in a .netrc",
            Rule::GitCredentials => "Password in a Git credential store",
            Rule::EnvFileCredential => "Credential in an .env file",
        }
    }

    /// Exactly what the rule matches, for documentation.
    pub fn matcher(self) -> &'static str {
        match self {
            Rule::PrivateKey => {
                "`-----BEGIN <label>PRIVATE KEY-----` (RSA, EC, DSA, OPENSSH, ENCRYPTED, PGP … \
                 BLOCK, or none) followed, after optional armour headers, by a base64 line of at \
                 least 40 characters; line breaks real or escaped (`\\n`). Reported at the BEGIN \
                 line; `(encrypted)` when the key is protected by a passphrase"
            }
            Rule::AwsAccessKeyId => {
                "`AKIA`, `ASIA`, `ABIA` or `ACCA` and 16 upper-case letters or digits, as a word"
            }
            Rule::AwsSecretAccessKey => {
                "40 base64 characters assigned (`=`, `:`, `=>`, `:=`, quoted or not) to a name \
                 containing `secret_access_key`, `SECRET_ACCESS_KEY`, `SecretAccessKey`, \
                 `secretAccessKey`, `secret-access-key` or `aws_secret_key`: environment files, \
                 `~/.aws/credentials`, SDK and rclone configuration, IAM JSON output"
            }
            Rule::GcpServiceAccount => {
                "JSON with `\"type\": \"service_account\"` and a `\"private_key\"` whose value is a \
                 private key; reported at the `private_key` line"
            }
            Rule::AzureConnectionString => {
                "`AccountKey=` and 64–100 base64 characters (Storage), or `SharedAccessKey=` and \
                 32–100 (Service Bus, Event Hubs, IoT Hub); the Azure Storage emulator's published \
                 key is not reported"
            }
            Rule::AzureClientSecret => {
                "the current secret format (three characters, a digit, `Q~`, 31–34 more) anywhere, \
                 or 16–100 secret characters assigned to `AZURE_CLIENT_SECRET`"
            }
            Rule::GitHubToken => {
                "`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_` and at least 36 letters or digits, or \
                 `github_pat_` and at least 22 of letters, digits and `_`, as a word"
            }
            Rule::GitLabToken => "`glpat-` and at least 20 of letters, digits, `_`, `-`, as a word",
            Rule::SlackToken => {
                "`xoxb-`, `xoxp-`, `xoxa-`, `xoxr-`, `xoxs-`, `xoxe-` and at least 10 of letters, \
                 digits and `-`, as a word"
            }
            Rule::SlackWebhook => {
                "`https://hooks.slack.com/services/T…/B…/` and a 20–64 character secret"
            }
            Rule::StripeSecretKey => {
                "`sk_live_` or `rk_live_` and at least 20 letters or digits (test-mode keys are \
                 not secrets)"
            }
            Rule::NpmToken => "`npm_` and exactly 36 letters or digits, as a word",
            Rule::PyPiToken => "`pypi-AgEIcHlwaS5vcmc` and at least 50 base64url characters",
            Rule::DockerHubToken => "`dckr_pat_` and 20–64 base64url characters",
            Rule::NpmrcAuth => {
                "in a file named `.npmrc` (or `etc/npmrc`): a setting whose key ends in \
                 `_authToken`, `_auth` or `_password`, with a value that is not a `${VAR}` reference"
            }
            Rule::PypircPassword => {
                "in a file named `.pypirc`: a `password` setting with a real value"
            }
            Rule::DockerConfigAuth => {
                "in `.docker/config.json`, `.dockercfg` or a containers `auth.json`: a non-empty \
                 `\"auth\"`, `\"identitytoken\"` or `\"registrytoken\"` string"
            }
            Rule::KubeconfigCredential => {
                "`client-key-data:` anywhere; in a kubeconfig (`.kube/config`, `*kubeconfig*`, \
                 `etc/kubernetes/*.conf`, or YAML with `kind: Config`), under `users:`, a `token`, \
                 `password`, `access-token`, `id-token` or `refresh-token` with a real value"
            }
            Rule::KubernetesServiceAccountToken => {
                "a JSON Web Token in `…/secrets/kubernetes.io/serviceaccount/token`, or anywhere \
                 whose claims carry Kubernetes' (`\"iss\":\"kubernetes/serviceaccount\"`, \
                 `kubernetes.io/serviceaccount/…`, `\"kubernetes.io\":`); other JWTs are not \
                 reported"
            }
            Rule::NetrcPassword => {
                "in a file named `.netrc` or `_netrc`: the word after `password`"
            }
            Rule::GitCredentials => {
                "in `.git-credentials` or `git/credentials`: a URL with a password \
                 (`https://user:password@host`)"
            }
            Rule::EnvFileCredential => {
                "in a file named `.env`, `.env.<stage>` (not `.example`, `.sample`, `.template`, \
                 `.dist`, `.defaults`), `*.env` or `.envrc`: a setting whose name says it is a \
                 credential (`DB_PASSWORD`, `API_TOKEN`, `CLIENT_SECRET`) with a value of at least \
                 8 characters mixing two kinds of character (or 16 of one), not a reference, \
                 path or example; or any URL with a password"
            }
        }
    }

    /// Which of two findings over the same bytes is kept: the lower. A rule that knows the
    /// file's format says more than a shape; a shape says more than a setting's name.
    pub(super) fn precedence(self) -> u8 {
        match self {
            Rule::AwsSecretAccessKey
            | Rule::GcpServiceAccount
            | Rule::AzureConnectionString
            | Rule::NpmrcAuth
            | Rule::PypircPassword
            | Rule::DockerConfigAuth
            | Rule::KubeconfigCredential
            | Rule::NetrcPassword
            | Rule::GitCredentials => 0,
            Rule::EnvFileCredential => 2,
            _ => 1,
        }
    }

    /// The rule reporting a shape, when the shape is reported on its own (a JSON Web Token is
    /// reported only as a Kubernetes service-account token, a Google API key not at all).
    pub(super) fn for_shape(shape: Shape) -> Option<Rule> {
        Some(match shape {
            Shape::PrivateKey => Rule::PrivateKey,
            Shape::AwsAccessKeyId => Rule::AwsAccessKeyId,
            Shape::GitHubToken => Rule::GitHubToken,
            Shape::GitLabToken => Rule::GitLabToken,
            Shape::SlackToken => Rule::SlackToken,
            Shape::SlackWebhook => Rule::SlackWebhook,
            Shape::StripeSecretKey => Rule::StripeSecretKey,
            Shape::NpmToken => Rule::NpmToken,
            Shape::PyPiToken => Rule::PyPiToken,
            Shape::DockerHubToken => Rule::DockerHubToken,
            Shape::AzureClientSecret => Rule::AzureClientSecret,
            Shape::Jwt => Rule::KubernetesServiceAccountToken,
            Shape::GoogleApiKey => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_kebab_case_and_documented() {
        let mut ids: Vec<&str> = Rule::ALL.iter().map(|r| r.id()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), Rule::ALL.len());
        for rule in Rule::ALL {
            let id = rule.id();
            assert!(
                id.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    && !id.starts_with('-')
                    && !id.ends_with('-'),
                "{id}"
            );
            assert!(
                !rule.title().is_empty() && !rule.matcher().is_empty(),
                "{id}"
            );
            assert_eq!(Rule::from_id(id), Some(rule));
        }
        assert_eq!(Rule::from_id("no-such-rule"), None);
    }
}
