//! The registry source's one error type.

use std::path::PathBuf;

use super::manifest::ManifestError;
use super::reference::ReferenceError;

/// Why a pull, or a layer stream, failed.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The reference does not parse.
    #[error(transparent)]
    Reference(#[from] ReferenceError),
    /// The options contradict each other.
    #[error("{0}")]
    Options(String),
    /// A URL (a redirect target, a token realm) does not parse or is not HTTP(S).
    #[error("invalid URL `{url}`")]
    Url {
        /// The URL.
        url: String,
    },
    /// The request could not be sent or its answer not read (DNS, connect, TLS, timeout).
    #[error("request to `{url}` failed")]
    Transport {
        /// The URL.
        url: String,
        /// The cause.
        #[source]
        source: Box<ureq::Error>,
    },
    /// The registry's API root could not be reached over HTTPS.
    #[error(
        "cannot reach registry `{registry}` over HTTPS (for a plain-HTTP registry, use the insecure option)"
    )]
    Unreachable {
        /// The registry.
        registry: String,
        /// The cause.
        #[source]
        source: Box<RegistryError>,
    },
    /// 401 or 403 after authenticating as well as we could.
    #[error(
        "not authorized: `{url}` answered {status}{}{}",
        suffix(message),
        suffix(note)
    )]
    Unauthorized {
        /// The URL.
        url: String,
        /// 401 or 403.
        status: u16,
        /// What the registry said (its `errors[].message`), if anything.
        message: String,
        /// What we know about the credentials: none found, a missing helper.
        note: String,
    },
    /// 404: no such repository, manifest or blob.
    #[error("not found: `{url}`{}", suffix(message))]
    NotFound {
        /// The URL.
        url: String,
        /// What the registry said.
        message: String,
    },
    /// Any other unexpected status.
    #[error("`{url}` answered {status}{}", suffix(message))]
    Status {
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
        /// What the registry said.
        message: String,
    },
    /// A body is larger than we accept for its kind.
    #[error("the {what} at `{url}` is larger than {limit} bytes")]
    TooLarge {
        /// `manifest`, `config`, `token response`.
        what: &'static str,
        /// The URL.
        url: String,
        /// The cap.
        limit: u64,
    },
    /// Content that does not hash to the digest it was asked by.
    #[error("`{url}`: content has digest `{actual}`, expected `{expected}`")]
    DigestMismatch {
        /// The URL.
        url: String,
        /// The digest asked for.
        expected: String,
        /// The digest of what came.
        actual: String,
    },
    /// A blob of another length than its descriptor says.
    #[error("`{url}`: got {actual} bytes, the descriptor says {expected}")]
    SizeMismatch {
        /// The URL.
        url: String,
        /// The descriptor's size.
        expected: u64,
        /// What came (a lower bound when the stream was longer).
        actual: u64,
    },
    /// The manifest or index cannot be used.
    #[error("manifest `{url}`")]
    Manifest {
        /// The URL.
        url: String,
        /// What is wrong.
        #[source]
        source: ManifestError,
    },
    /// The config blob is not an image config.
    #[error("config `{url}` is not valid JSON")]
    Config {
        /// The URL.
        url: String,
        /// The parser's complaint.
        #[source]
        source: serde_json::Error,
    },
    /// `open_layer` of a layer the manifest does not list.
    #[error("layer {index} does not exist: the image has {count} layers")]
    NoSuchLayer {
        /// What was asked for.
        index: usize,
        /// How many there are.
        count: usize,
    },
    /// The Docker config file cannot be read.
    #[error("{}: {message}", path.display())]
    DockerConfig {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The token endpoint did not give a token.
    #[error("token endpoint `{url}`: {message}")]
    Token {
        /// The realm URL.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// A redirect we will not follow.
    #[error("refusing to follow the redirect from `{from}` to `{to}`: {reason}")]
    Redirect {
        /// Where we were.
        from: String,
        /// Where we were sent.
        to: String,
        /// Why not.
        reason: &'static str,
    },
}

fn suffix(s: &str) -> String {
    if s.is_empty() {
        String::new()
    } else {
        format!(": {s}")
    }
}

impl RegistryError {
    /// Whether the registry said the repository, manifest or blob does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, RegistryError::NotFound { .. })
    }

    /// Whether the registry refused us (401/403, or the token endpoint did).
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, RegistryError::Unauthorized { .. })
    }

    /// Whether content failed its digest or size check.
    pub fn is_integrity(&self) -> bool {
        matches!(
            self,
            RegistryError::DigestMismatch { .. } | RegistryError::SizeMismatch { .. }
        )
    }

    /// Whether the request never got an answer (network, TLS, timeout): worth retrying.
    pub fn is_transport(&self) -> bool {
        matches!(self, RegistryError::Transport { .. })
    }
}
