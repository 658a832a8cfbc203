//! Image references as `docker pull` reads them: `[host[:port]/]path[:tag][@digest]`.
//!
//! The grammar is distribution's (`github.com/distribution/reference`): the first path
//! component is a registry host when it holds a `.` or a `:`, is `localhost`, or has an
//! upper-case letter; otherwise the image is on Docker Hub, where a one-component name lives
//! under `library/`. A reference without tag or digest means `:latest`. Docker Hub is recorded
//! as `docker.io`, the name every tool prints and the key credentials are filed under; its API
//! endpoint, `registry-1.docker.io`, is what [`Reference::endpoint`] returns.

use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

/// The name Docker Hub references carry.
pub const DOCKER_HUB: &str = "docker.io";
/// The host that serves Docker Hub's distribution API.
pub const DOCKER_HUB_ENDPOINT: &str = "registry-1.docker.io";
const NAME_MAX: usize = 255;
const TAG_MAX: usize = 128;

/// A parsed image reference.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reference {
    /// Registry host, with `:port` when given (`docker.io`, `ghcr.io`, `127.0.0.1:5000`,
    /// `[::1]:5000`).
    pub registry: String,
    /// Repository path inside the registry (`library/nginx`, `team/app`).
    pub repository: String,
    /// The tag; `latest` when neither tag nor digest was given.
    pub tag: Option<String>,
    /// The manifest digest (`sha256:<64 hex>`), when pinned.
    pub digest: Option<String>,
}

/// Why a string is not an image reference.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid image reference `{input}`: {reason}")]
pub struct ReferenceError {
    /// What was parsed.
    pub input: String,
    /// What is wrong with it.
    pub reason: String,
}

impl Reference {
    /// Parses a reference; see the module docs for the grammar.
    pub fn parse(input: &str) -> Result<Reference, ReferenceError> {
        let fail = |reason: &str| ReferenceError {
            input: input.to_owned(),
            reason: reason.to_owned(),
        };
        if input.is_empty() {
            return Err(fail("it is empty"));
        }
        let (name_tag, digest) = match input.split_once('@') {
            Some((name, digest)) => (name, Some(digest)),
            None => (input, None),
        };
        if let Some(digest) = digest {
            check_digest(digest).map_err(|r| fail(&r))?;
        }
        // A `:` after the last `/` starts the tag; one before it belongs to a host's port.
        let last_slash = name_tag.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match name_tag.get(last_slash..).and_then(|s| s.rfind(':')) {
            Some(i) => {
                let at = last_slash + i;
                (
                    name_tag.get(..at).unwrap_or_default(),
                    name_tag.get(at + 1..),
                )
            }
            None => (name_tag, None),
        };
        if let Some(tag) = tag {
            check_tag(tag).map_err(|r| fail(&r))?;
        }
        let (registry, path) = match name.split_once('/') {
            Some((first, rest)) if is_registry_host(first) => (first, rest),
            _ => (DOCKER_HUB, name),
        };
        check_host(registry).map_err(|r| fail(&r))?;
        let registry = if registry == "index.docker.io" {
            DOCKER_HUB
        } else {
            registry
        };
        let repository = if registry == DOCKER_HUB && !path.contains('/') {
            format!("library/{path}")
        } else {
            path.to_owned()
        };
        check_path(&repository).map_err(|r| fail(&r))?;
        if registry.len() + 1 + repository.len() > NAME_MAX {
            return Err(fail(&format!(
                "the name is longer than {NAME_MAX} characters"
            )));
        }
        let tag = match (tag, digest) {
            (None, None) => Some("latest".to_owned()),
            (tag, _) => tag.map(str::to_owned),
        };
        Ok(Reference {
            registry: registry.to_owned(),
            repository,
            tag,
            digest: digest.map(str::to_owned),
        })
    }

    /// The host (and port) that serves the registry's API.
    pub fn endpoint(&self) -> &str {
        if self.registry == DOCKER_HUB {
            DOCKER_HUB_ENDPOINT
        } else {
            &self.registry
        }
    }

    /// What to ask the registry for: the digest when pinned, else the tag.
    pub fn manifest_reference(&self) -> &str {
        self.digest
            .as_deref()
            .or(self.tag.as_deref())
            .unwrap_or("latest")
    }

    /// Whether the registry is on this machine (`localhost`, `127.0.0.0/8`, `::1`). Docker
    /// treats such registries as insecure by default, and so do we: see
    /// [`super::RegistryOptions::insecure`].
    pub fn is_loopback(&self) -> bool {
        let host = host_part(&self.registry);
        host == "localhost"
            || host == "[::1]"
            || host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

impl FromStr for Reference {
    type Err = ReferenceError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Reference::parse(s)
    }
}

/// `registry` without its `:port`.
fn host_part(registry: &str) -> &str {
    if registry.starts_with('[') {
        return match registry.find(']') {
            Some(end) => registry.get(..=end).unwrap_or(registry),
            None => registry,
        };
    }
    registry.split(':').next().unwrap_or(registry)
}

fn is_registry_host(first: &str) -> bool {
    first.contains(['.', ':'])
        || first == "localhost"
        || first.bytes().any(|b| b.is_ascii_uppercase())
}

fn check_host(registry: &str) -> Result<(), String> {
    let bad = |why: &str| Err(format!("registry host `{registry}` {why}"));
    let (host, port) = if let Some(rest) = registry.strip_prefix('[') {
        let Some((inside, after)) = rest.split_once(']') else {
            return bad("has an unclosed `[`");
        };
        if inside.is_empty()
            || !inside
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        {
            return bad("is not a bracketed IPv6 address");
        }
        match after {
            "" => (inside, None),
            _ => match after.strip_prefix(':') {
                Some(port) => (inside, Some(port)),
                None => return bad("has text after `]`"),
            },
        }
    } else {
        match registry.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (registry, None),
        }
    };
    if let Some(port) = port {
        if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
            return bad("has a port that is not a number");
        }
        if port.parse::<u16>().is_err() {
            return bad("has a port above 65535");
        }
    }
    if registry.starts_with('[') {
        return Ok(());
    }
    for component in host.split('.') {
        let bytes = component.as_bytes();
        let edge_ok = |b: Option<&u8>| b.is_some_and(u8::is_ascii_alphanumeric);
        if !edge_ok(bytes.first())
            || !edge_ok(bytes.last())
            || !bytes
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        {
            return bad("is not a host name");
        }
    }
    Ok(())
}

/// Path components: lower-case alphanumerics joined by `.`, `_`, `__` or runs of `-`.
fn check_path(path: &str) -> Result<(), String> {
    for component in path.split('/') {
        if component.is_empty() {
            return Err(format!("repository `{path}` has an empty path component"));
        }
        if component.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(format!("repository `{path}` must be lower-case"));
        }
        let bytes = component.as_bytes();
        let alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
        if !bytes.first().is_some_and(alnum) || !bytes.last().is_some_and(alnum) {
            return Err(format!(
                "repository component `{component}` must start and end with a letter or digit"
            ));
        }
        let mut i = 0;
        while let Some(b) = bytes.get(i) {
            if alnum(b) {
                i += 1;
                continue;
            }
            let run = bytes.get(i..).unwrap_or_default();
            let sep_len = match run {
                [b'_', b'_', ..] => 2,
                [b'.' | b'_', ..] => 1,
                [b'-', ..] => run.iter().take_while(|b| **b == b'-').count(),
                _ => {
                    return Err(format!(
                        "repository component `{component}` has a character other than \
                         a-z, 0-9, `.`, `_` and `-`"
                    ));
                }
            };
            i += sep_len;
            if !bytes.get(i).is_some_and(alnum) {
                return Err(format!(
                    "repository component `{component}` has two separators in a row"
                ));
            }
        }
    }
    Ok(())
}

fn check_tag(tag: &str) -> Result<(), String> {
    let bytes = tag.as_bytes();
    let word = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    if bytes.is_empty() {
        return Err("the tag after `:` is empty".to_owned());
    }
    if bytes.len() > TAG_MAX {
        return Err(format!("the tag is longer than {TAG_MAX} characters"));
    }
    if !bytes.first().is_some_and(word)
        || !bytes.iter().all(|b| word(b) || *b == b'.' || *b == b'-')
    {
        return Err(format!(
            "tag `{tag}` must be letters, digits, `_`, `.` and `-`, not starting with `.` or `-`"
        ));
    }
    Ok(())
}

/// Digests we can verify: `sha256`, `sha384` and `sha512` in lower-case hex.
pub(crate) fn check_digest(digest: &str) -> Result<(), String> {
    let Some((algorithm, hex)) = digest.split_once(':') else {
        return Err(format!("digest `{digest}` has no `algorithm:`"));
    };
    let len = match algorithm {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => {
            return Err(format!(
                "digest algorithm `{algorithm}` is not supported (sha256, sha384, sha512)"
            ));
        }
    };
    if hex.len() != len
        || !hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(format!(
            "digest `{digest}` must be {len} lower-case hex digits after `{algorithm}:`"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn r(s: &str) -> Reference {
        match Reference::parse(s) {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        }
    }

    fn parts(s: &str) -> (String, String, Option<String>, Option<String>) {
        let r = r(s);
        (r.registry, r.repository, r.tag, r.digest)
    }

    fn p(
        registry: &str,
        repo: &str,
        tag: Option<&str>,
        digest: Option<&str>,
    ) -> (String, String, Option<String>, Option<String>) {
        (
            registry.to_owned(),
            repo.to_owned(),
            tag.map(str::to_owned),
            digest.map(str::to_owned),
        )
    }

    #[test]
    fn docker_hub_defaults() {
        assert_eq!(
            parts("nginx"),
            p("docker.io", "library/nginx", Some("latest"), None)
        );
        assert_eq!(
            parts("nginx:1.27"),
            p("docker.io", "library/nginx", Some("1.27"), None)
        );
        assert_eq!(
            parts("bitnami/redis"),
            p("docker.io", "bitnami/redis", Some("latest"), None)
        );
        assert_eq!(
            parts("docker.io/nginx"),
            p("docker.io", "library/nginx", Some("latest"), None)
        );
        assert_eq!(
            parts("index.docker.io/library/nginx"),
            p("docker.io", "library/nginx", Some("latest"), None)
        );
        assert_eq!(r("nginx").endpoint(), "registry-1.docker.io");
        assert_eq!(r("nginx").to_string(), "docker.io/library/nginx:latest");
        // Without a dot, colon or `localhost`, the first component is a Docker Hub user.
        assert_eq!(
            parts("localhost:5000"),
            p("docker.io", "library/localhost", Some("5000"), None)
        );
    }

    #[test]
    fn hosts_ports_tags_and_digests() {
        assert_eq!(
            parts("ghcr.io/org/team/app:v1.2.3"),
            p("ghcr.io", "org/team/app", Some("v1.2.3"), None)
        );
        assert_eq!(
            parts("127.0.0.1:5000/app"),
            p("127.0.0.1:5000", "app", Some("latest"), None)
        );
        assert_eq!(
            parts("localhost/app:dev"),
            p("localhost", "app", Some("dev"), None)
        );
        assert_eq!(
            parts("[::1]:5000/app:x"),
            p("[::1]:5000", "app", Some("x"), None)
        );
        assert_eq!(
            parts(&format!("nginx@{D}")),
            p("docker.io", "library/nginx", None, Some(D))
        );
        assert_eq!(
            parts(&format!("reg.example.com:443/a/b:t@{D}")),
            p("reg.example.com:443", "a/b", Some("t"), Some(D))
        );
        assert_eq!(r(&format!("reg:1/a:t@{D}")).manifest_reference(), D);
        assert_eq!(r("reg:1/a:t").manifest_reference(), "t");
        assert_eq!(
            r(&format!("reg:1/a:t@{D}")).to_string(),
            format!("reg:1/a:t@{D}")
        );
        // An upper-case first component is a host.
        assert_eq!(parts("Reg/app").0, "Reg");
        assert_eq!(
            parts("a/b__c/d-e.f---g:T_1.x-"),
            p("docker.io", "a/b__c/d-e.f---g", Some("T_1.x-"), None)
        );
    }

    #[test]
    fn loopback() {
        assert!(r("localhost:5000/a").is_loopback());
        assert!(r("127.0.0.1:5000/a").is_loopback());
        assert!(r("127.3.2.1/a").is_loopback());
        assert!(r("[::1]:5000/a").is_loopback());
        assert!(!r("nginx").is_loopback());
        assert!(!r("128.0.0.1:5000/a").is_loopback());
        assert!(!r("localhost.example.com/a").is_loopback());
    }

    #[test]
    fn rejects() {
        for bad in [
            "",
            "Nginx",
            "nginx:",
            "nginx:-x",
            "nginx:.x",
            "nginx@sha256:abc",
            "nginx@md5:0123456789abcdef0123456789abcdef",
            &format!("nginx@{}", D.to_uppercase()),
            "a//b",
            "reg.io/",
            "reg.io/a_-b",
            "reg.io/-a",
            "reg.io/a-",
            "reg.io/a..b",
            "reg.io/a___b",
            "reg.io:x/a",
            "reg.io:99999/a",
            "-reg.io/a",
            "reg..io/a",
            "[::1/a",
            "[zz]/a",
            "reg.io/a b",
            "reg.io/a:t:t",
            &format!("reg.io/a:{}", "t".repeat(129)),
            &format!("reg.io/{}", "a".repeat(250)),
        ] {
            assert!(Reference::parse(bad).is_err(), "{bad:?} parsed");
        }
    }
}
