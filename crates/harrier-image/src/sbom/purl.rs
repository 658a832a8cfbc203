//! Package URLs (purl, <https://github.com/package-url/purl-spec>): how a [`Package`] is named in
//! an SBOM, and how a purl read from someone else's SBOM becomes a package again.
//!
//! The encoder and parser are written here rather than taken from the `packageurl` crate, for
//! two reasons found while checking it against the spec's test suite and its reference
//! implementation (`packageurl-python`): it lowercases Go namespaces, which turns
//! `github.com/BurntSushi/toml` into a module path that does not exist (Go module paths are
//! case-sensitive, and the Go vulnerability database, OSV, syft and Trivy all keep the case);
//! and it applies only part of PyPI's name normalisation (`My.PyPI_.--._Package` must become
//! `my-pypi-package`). Where the spec's type definitions and its reference implementation
//! disagree we follow the reference implementation, which is what matchers consume.
//!
//! | kind | purl |
//! |---|---|
//! | deb | `pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl` |
//! | apk | `pkg:apk/alpine/libcrypto3@3.1.4-r5?arch=x86_64&distro=alpine-3.19.1&upstream=openssl` |
//! | rpm | `pkg:rpm/redhat/openssl@3.0.7-27.el9?arch=x86_64&distro=rhel-9.4&epoch=1&upstream=openssl-3.0.7-27.el9.src.rpm` |
//! | python | `pkg:pypi/django-allauth@0.61.1` (lowercased, runs of `-_.` as `-`) |
//! | npm | `pkg:npm/%40babel/core@7.24.0` (the scope is the namespace) |
//! | java | `pkg:maven/org.apache.commons/commons-lang3@3.14.0` (the group is the namespace) |
//! | go | `pkg:golang/github.com/BurntSushi/toml@v1.3.2`, `pkg:golang/stdlib@1.22.1` |
//! | rust, gem, nuget | `pkg:cargo/serde@1.0.197`, `pkg:gem/rails@7.1.3`, `pkg:nuget/Newtonsoft.Json@13.0.3` |
//! | composer | `pkg:composer/laravel/framework@v11.0.0` (the vendor is the namespace) |
//!
//! Distro packages carry the distro as `distro=<ID>-<VERSION_ID>` and their source package as
//! `upstream` (`name` or `name@version` for deb and apk, the source RPM's file name for rpm), as
//! syft and Grype do. An rpm epoch is the `epoch` qualifier, never part of the version.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use crate::{Distro, Package, PackageKind, SourcePackage};

/// Longest purl accepted: real ones are a few hundred bytes.
pub const MAX_PURL_LEN: usize = 8 * 1024;

/// Why a purl could not be read or built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PurlError {
    /// Longer than [`MAX_PURL_LEN`].
    #[error("package URL is longer than {MAX_PURL_LEN} bytes")]
    TooLong,
    /// Does not start with `pkg:`.
    #[error("package URL does not start with `pkg:`")]
    Scheme,
    /// No type, or one with characters the spec does not allow.
    #[error("package URL type `{0}` is not valid")]
    Type(String),
    /// No name.
    #[error("package URL has no name")]
    MissingName,
    /// A qualifier key with characters the spec does not allow.
    #[error("package URL qualifier key `{0}` is not valid")]
    QualifierKey(String),
    /// The same qualifier twice.
    #[error("package URL qualifier `{0}` appears twice")]
    DuplicateQualifier(String),
    /// Percent-encoded bytes that are not UTF-8.
    #[error("package URL has percent-encoded bytes that are not UTF-8")]
    NotUtf8,
    /// A type Harrier does not catalog.
    #[error("package URL type `{0}` is not one Harrier catalogs")]
    Unsupported(String),
}

/// A package URL: type, optional namespace, name, optional version, qualifiers and subpath,
/// normalised as the type requires. `Display` writes the canonical form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Purl {
    ty: String,
    namespace: Option<String>,
    name: String,
    version: Option<String>,
    qualifiers: BTreeMap<String, String>,
    subpath: Option<String>,
}

impl Purl {
    /// A purl of type `ty`; the namespace (`/`-separated) and name are normalised as the type
    /// requires (lowercased for deb, apk, npm, composer; PyPI's name normalisation).
    pub fn new(ty: &str, namespace: Option<&str>, name: &str) -> Result<Purl, PurlError> {
        let ty = ty.to_ascii_lowercase();
        if !is_valid_type(&ty) {
            return Err(PurlError::Type(ty));
        }
        let namespace = namespace
            .map(|ns| {
                ns.split('/')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join("/")
            })
            .filter(|ns| !ns.is_empty());
        let name = name.trim_matches(|c: char| c == '/' || c.is_whitespace());
        let (namespace, name) = normalise(&ty, namespace, name);
        if name.is_empty() {
            return Err(PurlError::MissingName);
        }
        Ok(Purl {
            ty,
            namespace,
            name,
            version: None,
            qualifiers: BTreeMap::new(),
            subpath: None,
        })
    }

    /// With a version (an empty one is no version).
    pub fn with_version(mut self, version: &str) -> Purl {
        self.version = (!version.is_empty()).then(|| version.to_owned());
        self
    }

    /// With a qualifier; empty values are dropped, as the spec says.
    pub fn with_qualifier(mut self, key: &str, value: &str) -> Result<Purl, PurlError> {
        let key = key.to_ascii_lowercase();
        if !is_valid_key(&key) {
            return Err(PurlError::QualifierKey(key));
        }
        if !value.is_empty() {
            self.qualifiers.insert(key, value.to_owned());
        }
        Ok(self)
    }

    /// With a subpath (a path inside the package); `.`, `..` and empty segments are dropped.
    pub fn with_subpath(mut self, subpath: &str) -> Purl {
        let segments: Vec<&str> = subpath
            .split('/')
            .filter(|s| !matches!(*s, "" | "." | ".."))
            .collect();
        self.subpath = (!segments.is_empty()).then(|| segments.join("/"));
        self
    }

    /// The type (`deb`, `pypi`…).
    pub fn ty(&self) -> &str {
        &self.ty
    }

    /// The namespace (`debian`, `@babel`, `org.apache.commons`, `github.com/gorilla`).
    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The version.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// A qualifier's value.
    pub fn qualifier(&self, key: &str) -> Option<&str> {
        self.qualifiers.get(key).map(String::as_str)
    }

    /// All qualifiers, sorted by key.
    pub fn qualifiers(&self) -> &BTreeMap<String, String> {
        &self.qualifiers
    }

    /// The subpath.
    pub fn subpath(&self) -> Option<&str> {
        self.subpath.as_deref()
    }

    /// The purl of `package`, in an image of `distro` (used for distro packages only).
    pub fn for_package(package: &Package, distro: Option<&Distro>) -> Result<Purl, PurlError> {
        let name = package.name.as_str();
        let (namespace, name) = match package.kind {
            PackageKind::Deb | PackageKind::Apk => (distro.map(|d| d.id.clone()), name),
            PackageKind::Rpm => (distro.map(|d| rpm_vendor(&d.id).to_owned()), name),
            PackageKind::Npm | PackageKind::Composer => match name.split_once('/') {
                Some((ns, n)) if !ns.is_empty() && !n.is_empty() => (Some(ns.to_owned()), n),
                _ => (None, name),
            },
            PackageKind::Java => match name.split_once(':') {
                Some((group, artifact)) if !group.is_empty() && !artifact.is_empty() => {
                    (Some(group.to_owned()), artifact)
                }
                _ => (None, name),
            },
            PackageKind::GoModule => match name.rsplit_once('/') {
                Some((ns, n)) if !ns.is_empty() && !n.is_empty() => (Some(ns.to_owned()), n),
                _ => (None, name),
            },
            PackageKind::GoStdlib => (None, "stdlib"),
            PackageKind::Python | PackageKind::Rust | PackageKind::Gem | PackageKind::NuGet => {
                (None, name)
            }
        };
        let mut purl = Purl::new(package.kind.purl_type(), namespace.as_deref(), name)?;
        if !package.kind.is_os() {
            return Ok(purl.with_version(&package.version));
        }

        let mut version = package.version.as_str();
        if package.kind == PackageKind::Rpm {
            if let Some((epoch, rest)) = version.split_once(':') {
                if !epoch.is_empty() && epoch.bytes().all(|b| b.is_ascii_digit()) {
                    purl = purl.with_qualifier("epoch", epoch)?;
                    version = rest;
                }
            }
        }
        purl = purl.with_version(version);
        if let Some(arch) = &package.arch {
            purl = purl.with_qualifier("arch", arch)?;
        }
        if let Some(distro) = distro {
            let qualifier = match &distro.version_id {
                Some(v) if !v.is_empty() => format!("{}-{v}", distro.id),
                _ => distro.id.clone(),
            };
            purl = purl.with_qualifier("distro", &qualifier)?;
        }
        if let Some(source) = &package.source {
            let upstream = match (package.kind, &source.version) {
                (PackageKind::Rpm, Some(v)) => {
                    let v = v.split_once(':').map_or(v.as_str(), |(_, rest)| rest);
                    format!("{}-{v}.src.rpm", source.name)
                }
                (_, Some(v)) => format!("{}@{v}", source.name),
                (_, None) => source.name.clone(),
            };
            purl = purl.with_qualifier("upstream", &upstream)?;
        }
        Ok(purl)
    }

    /// What this purl says about a package, for the types Harrier catalogs.
    pub fn to_package(&self) -> Result<PurlPackage, PurlError> {
        let kind = match self.ty.as_str() {
            "deb" => PackageKind::Deb,
            "apk" => PackageKind::Apk,
            "rpm" => PackageKind::Rpm,
            "pypi" => PackageKind::Python,
            "npm" => PackageKind::Npm,
            "maven" => PackageKind::Java,
            "golang" if self.namespace.is_none() && self.name == "stdlib" => PackageKind::GoStdlib,
            "golang" => PackageKind::GoModule,
            "cargo" => PackageKind::Rust,
            "gem" => PackageKind::Gem,
            "composer" => PackageKind::Composer,
            "nuget" => PackageKind::NuGet,
            other => return Err(PurlError::Unsupported(other.to_owned())),
        };
        let name = match (kind, &self.namespace) {
            (PackageKind::Npm | PackageKind::Composer | PackageKind::GoModule, Some(ns)) => {
                format!("{ns}/{}", self.name)
            }
            (PackageKind::Java, Some(ns)) => format!("{ns}:{}", self.name),
            _ => self.name.clone(),
        };
        let mut version = self.version.clone().unwrap_or_default();
        if kind == PackageKind::Rpm {
            if let Some(epoch) = self.qualifier("epoch") {
                version = format!("{epoch}:{version}");
            }
        }
        let (arch, source, distro) = if kind.is_os() {
            let source = self
                .qualifier("upstream")
                .and_then(|u| upstream_source(kind, u));
            (
                self.qualifier("arch").map(str::to_owned),
                source,
                self.distro(),
            )
        } else {
            (None, None, None)
        };
        Ok(PurlPackage {
            kind,
            name,
            version,
            arch,
            source,
            distro,
        })
    }

    /// The distro a distro package's purl names: the `distro` qualifier (`debian-12`,
    /// `rhel-9.4`, `alpine-3.19.1`, or a bare codename as in `distro=jessie`), else the vendor
    /// namespace alone.
    fn distro(&self) -> Option<Distro> {
        let namespace_id = self.namespace.as_deref().map(|ns| match ns {
            "redhat" => "rhel",
            other => other,
        });
        let mut distro = Distro::default();
        match self.qualifier("distro") {
            Some(q) => match q.rsplit_once('-') {
                Some((id, version)) if !id.is_empty() && starts_with_digit(version) => {
                    distro.id = id.to_owned();
                    distro.version_id = Some(version.to_owned());
                }
                _ if starts_with_digit(q) => {
                    distro.id = namespace_id?.to_owned();
                    distro.version_id = Some(q.to_owned());
                }
                // `alpine-edge`: the vendor, then a name for the release.
                _ if namespace_id.is_some_and(|id| {
                    q.strip_prefix(id)
                        .is_some_and(|rest| rest.len() > 1 && rest.starts_with('-'))
                }) =>
                {
                    let id = namespace_id?;
                    distro.id = id.to_owned();
                    distro.codename = q.get(id.len() + 1..).map(str::to_owned);
                }
                _ => match namespace_id {
                    Some(id) if id != q => {
                        distro.id = id.to_owned();
                        distro.codename = Some(q.to_owned());
                    }
                    _ => distro.id = q.to_owned(),
                },
            },
            None => distro.id = namespace_id?.to_owned(),
        }
        Some(distro)
    }
}

/// What a purl says about a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurlPackage {
    /// The kind, from the type.
    pub kind: PackageKind,
    /// The name as the ecosystem writes it (`group:artifact`, `@scope/name`, a module path).
    /// Lowercased where the type lowercases it; prefer the SBOM's own name field when it agrees.
    pub name: String,
    /// The version (with the rpm epoch put back: `1:3.0.7-27.el9`); empty when the purl has none.
    pub version: String,
    /// The `arch` qualifier, for distro packages.
    pub arch: Option<String>,
    /// The source package, from the `upstream` qualifier.
    pub source: Option<SourcePackage>,
    /// The distro, for distro packages.
    pub distro: Option<Distro>,
}

impl PurlPackage {
    /// A [`Package`] found at `path`.
    pub fn into_package(self, path: &str) -> Package {
        let mut package = Package::new(self.kind, self.name, self.version, path);
        package.arch = self.arch;
        package.source = self.source;
        package
    }
}

impl fmt::Display for Purl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pkg:{}/", self.ty)?;
        if let Some(ns) = &self.namespace {
            for segment in ns.split('/') {
                write!(f, "{}/", Encoded(segment, SEGMENT_SAFE))?;
            }
        }
        write!(f, "{}", Encoded(&self.name, SEGMENT_SAFE))?;
        if let Some(v) = &self.version {
            write!(f, "@{}", Encoded(v, SEGMENT_SAFE))?;
        }
        for (i, (k, v)) in self.qualifiers.iter().enumerate() {
            let sep = if i == 0 { '?' } else { '&' };
            write!(f, "{sep}{k}={}", Encoded(v, VALUE_SAFE))?;
        }
        if let Some(subpath) = &self.subpath {
            f.write_str("#")?;
            for (i, segment) in subpath.split('/').enumerate() {
                if i > 0 {
                    f.write_str("/")?;
                }
                write!(f, "{}", Encoded(segment, SEGMENT_SAFE))?;
            }
        }
        Ok(())
    }
}

impl FromStr for Purl {
    type Err = PurlError;

    /// Parses as the spec's "how to parse" says, leniently where real SBOMs differ: an
    /// unencoded `@` in an npm scope, malformed `%` escapes kept as written, qualifiers without a
    /// value dropped.
    fn from_str(text: &str) -> Result<Purl, PurlError> {
        if text.len() > MAX_PURL_LEN {
            return Err(PurlError::TooLong);
        }
        let text = text.trim();
        let (rest, subpath) = match text.rsplit_once('#') {
            Some((rest, sub)) => (rest, parse_subpath(sub)?),
            None => (text, None),
        };
        let (rest, qualifiers) = match rest.rsplit_once('?') {
            Some((rest, q)) => (rest, parse_qualifiers(q)?),
            None => (rest, BTreeMap::new()),
        };
        let (scheme, rest) = rest.split_once(':').ok_or(PurlError::Scheme)?;
        if !scheme.eq_ignore_ascii_case("pkg") {
            return Err(PurlError::Scheme);
        }
        let rest = rest.trim_start_matches('/');
        let (ty, rest) = rest
            .split_once('/')
            .ok_or_else(|| PurlError::Type(rest.to_owned()))?;
        // The version follows the last `@`, unless that leaves no name: then the `@` began an
        // npm scope written unencoded (`pkg:npm/@babel/core`).
        let (rest, version) = match rest.rsplit_once('@') {
            Some((before, v)) if before.trim_matches('/').is_empty() && v.contains('/') => {
                (rest, None)
            }
            Some((before, v)) => (before, Some(decode(v)?).filter(|v| !v.is_empty())),
            None => (rest, None),
        };
        let rest = rest.trim_matches('/');
        let (namespace, name) = match rest.rsplit_once('/') {
            Some((ns, name)) => (Some(ns), name),
            None => (None, rest),
        };
        let name = decode(name)?;
        let namespace = match namespace {
            Some(ns) => Some(
                ns.split('/')
                    .filter(|s| !s.is_empty())
                    .map(decode)
                    .collect::<Result<Vec<_>, _>>()?
                    .join("/"),
            ),
            None => None,
        };
        let mut purl = Purl::new(ty, namespace.as_deref(), &name)?;
        purl.version = version;
        purl.qualifiers = qualifiers;
        purl.subpath = subpath;
        Ok(purl)
    }
}

impl serde::Serialize for Purl {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Purl {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Purl, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The rpm purl namespace is the vendor, which for RHEL is `redhat` (Red Hat's own SBOMs,
/// syft) and for every openSUSE flavour `opensuse`.
fn rpm_vendor(distro_id: &str) -> &str {
    if distro_id == "rhel" {
        "redhat"
    } else if distro_id.starts_with("opensuse") {
        "opensuse"
    } else {
        distro_id
    }
}

fn upstream_source(kind: PackageKind, upstream: &str) -> Option<SourcePackage> {
    if upstream.is_empty() {
        return None;
    }
    if kind == PackageKind::Rpm {
        // `openssl-3.0.7-27.el9.src.rpm`: name, then version and release.
        if let Some(stem) = upstream
            .strip_suffix(".src.rpm")
            .or_else(|| upstream.strip_suffix(".nosrc.rpm"))
        {
            if let Some((rest, release)) = stem.rsplit_once('-') {
                if let Some((name, version)) = rest.rsplit_once('-') {
                    if !name.is_empty() && !version.is_empty() && !release.is_empty() {
                        return Some(SourcePackage {
                            name: name.to_owned(),
                            version: Some(format!("{version}-{release}")),
                        });
                    }
                }
            }
        }
        return Some(SourcePackage {
            name: upstream.to_owned(),
            version: None,
        });
    }
    Some(match upstream.split_once('@') {
        Some((name, version)) if !name.is_empty() && !version.is_empty() => SourcePackage {
            name: name.to_owned(),
            version: Some(version.to_owned()),
        },
        _ => SourcePackage {
            name: upstream.to_owned(),
            version: None,
        },
    })
}

fn normalise(ty: &str, namespace: Option<String>, name: &str) -> (Option<String>, String) {
    match ty {
        "deb" | "apk" | "npm" | "composer" => {
            (namespace.map(|ns| ns.to_lowercase()), name.to_lowercase())
        }
        "rpm" => (namespace.map(|ns| ns.to_lowercase()), name.to_owned()),
        "pypi" => (namespace, pep503(name)),
        _ => (namespace, name.to_owned()),
    }
}

/// PEP 503 normalisation: lowercase, and every run of `-`, `_` and `.` one `-`.
pub(crate) fn pep503(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_run = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_run {
                out.push('-');
            }
            in_run = true;
        } else {
            out.extend(c.to_lowercase());
            in_run = false;
        }
    }
    out
}

fn starts_with_digit(s: &str) -> bool {
    s.bytes().next().is_some_and(|b| b.is_ascii_digit())
}

fn is_valid_type(ty: &str) -> bool {
    !ty.is_empty()
        && !starts_with_digit(ty)
        && ty
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'-'))
}

fn is_valid_key(key: &str) -> bool {
    !key.is_empty()
        && !starts_with_digit(key)
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

fn parse_qualifiers(text: &str) -> Result<BTreeMap<String, String>, PurlError> {
    let mut qualifiers = BTreeMap::new();
    for pair in text.split('&') {
        let Some((key, value)) = pair.split_once('=') else {
            continue;
        };
        let key = key.to_ascii_lowercase();
        if !is_valid_key(&key) {
            return Err(PurlError::QualifierKey(key));
        }
        let value = decode(value)?;
        if value.is_empty() {
            continue;
        }
        if qualifiers.insert(key.clone(), value).is_some() {
            return Err(PurlError::DuplicateQualifier(key));
        }
    }
    Ok(qualifiers)
}

fn parse_subpath(text: &str) -> Result<Option<String>, PurlError> {
    let mut segments = Vec::new();
    for segment in text.split('/') {
        // Checked once decoded: `%2E%2E` is `..` too, and `%2F` separates segments as `/`
        // does.
        let segment = decode(segment)?;
        segments.extend(
            segment
                .split('/')
                .filter(|s| !matches!(*s, "" | "." | ".."))
                .map(str::to_owned),
        );
    }
    Ok((!segments.is_empty()).then(|| segments.join("/")))
}

/// Percent-decoding; a `%` not followed by two hex digits stays as written.
fn decode(text: &str) -> Result<String, PurlError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = |j: usize| bytes.get(j).and_then(|c| (*c as char).to_digit(16));
        match (b, hex(i + 1), hex(i + 2)) {
            (b'%', Some(hi), Some(lo)) => {
                // Two hex digits: at most 0xFF.
                out.push(u8::try_from(hi * 16 + lo).unwrap_or(b'%'));
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| PurlError::NotUtf8)
}

/// Bytes written as they are in a namespace segment, name, version or subpath segment: the
/// unreserved characters and `:`, which the spec says need no encoding.
const SEGMENT_SAFE: &[u8] = b":";
/// In qualifier values `/` is also left as it is, as in the reference implementation.
const VALUE_SAFE: &[u8] = b":/";

struct Encoded<'a>(&'a str, &'static [u8]);

impl fmt::Display for Encoded<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for &b in self.0.as_bytes() {
            if b.is_ascii_alphanumeric()
                || matches!(b, b'-' | b'.' | b'_' | b'~')
                || self.1.contains(&b)
            {
                f.write_fmt(format_args!("{}", b as char))?;
            } else {
                write!(f, "%{b:02X}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
