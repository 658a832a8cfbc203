//! Ecosystems: which package universe a name belongs to, and how its versions are ordered.
//!
//! OSV ecosystem strings carry a base name and, for distros, a release (`Debian:12`,
//! `Alpine:v3.20`, `Ubuntu:24.04:LTS`, `Ubuntu:Pro:20.04:LTS`). Releases are normalised so that
//! every feed of one distro lands on the same key: Debian codenames become numbers (`bookworm`
//! → `12`), Alpine's `v3.20` becomes `3.20`, Ubuntu's `:LTS` suffix is dropped and Pro releases
//! become `pro:20.04`.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Scheme;

/// The package universes Harrier knows by name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EcosystemKind {
    /// Go modules.
    Go,
    /// npm.
    Npm,
    /// PyPI.
    PyPI,
    /// crates.io.
    CratesIo,
    /// Maven.
    Maven,
    /// RubyGems.
    RubyGems,
    /// NuGet.
    NuGet,
    /// Packagist (Composer).
    Packagist,
    /// Hex (Erlang/Elixir).
    Hex,
    /// Pub (Dart).
    Pub,
    /// Debian.
    Debian,
    /// Ubuntu.
    Ubuntu,
    /// Alpine.
    Alpine,
    /// Wolfi and Chainguard (apk-based).
    Wolfi,
    /// RPM-based distros: Red Hat, Rocky Linux, AlmaLinux, SUSE, openSUSE, Photon OS, Mageia,
    /// openEuler, Azure Linux; the name is kept.
    Rpm(String),
    /// Kubernetes components (the official CVE feed).
    Kubernetes,
    /// Any other OSV ecosystem, kept by name; versions are compared only when a range says
    /// `SEMVER` or a version is listed explicitly.
    Other(String),
}

/// An ecosystem and, for distros, the release.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Ecosystem {
    /// The package universe.
    pub kind: EcosystemKind,
    /// The normalised distro release (`12`, `3.20`, `24.04`, `pro:20.04`), if any.
    pub release: Option<String>,
}

impl Ecosystem {
    /// An ecosystem without a release.
    pub fn new(kind: EcosystemKind) -> Ecosystem {
        Ecosystem {
            kind,
            release: None,
        }
    }

    /// An ecosystem with a (normalised) release.
    pub fn with_release(kind: EcosystemKind, release: &str) -> Ecosystem {
        let release = normalise_release(&kind, release);
        Ecosystem {
            kind,
            release: (!release.is_empty()).then_some(release),
        }
    }

    /// Parses an OSV ecosystem string such as `PyPI`, `Debian:12` or `Ubuntu:Pro:20.04:LTS`.
    pub fn parse_osv(text: &str) -> Ecosystem {
        let (base, release) = text.split_once(':').unwrap_or((text, ""));
        let kind = EcosystemKind::from_osv_name(base);
        Ecosystem::with_release(kind, release)
    }

    /// How versions of this ecosystem are ordered, if Harrier knows.
    pub fn scheme(&self) -> Option<Scheme> {
        self.kind.scheme()
    }
}

impl EcosystemKind {
    /// The kind for an OSV ecosystem base name (case-sensitive as OSV writes them; the
    /// Kubernetes feed's lowercase `kubernetes` is accepted too).
    pub fn from_osv_name(name: &str) -> EcosystemKind {
        match name {
            "Go" => EcosystemKind::Go,
            "npm" => EcosystemKind::Npm,
            "PyPI" => EcosystemKind::PyPI,
            "crates.io" => EcosystemKind::CratesIo,
            "Maven" => EcosystemKind::Maven,
            "RubyGems" => EcosystemKind::RubyGems,
            "NuGet" => EcosystemKind::NuGet,
            "Packagist" => EcosystemKind::Packagist,
            "Hex" => EcosystemKind::Hex,
            "Pub" => EcosystemKind::Pub,
            "Debian" => EcosystemKind::Debian,
            "Ubuntu" => EcosystemKind::Ubuntu,
            "Alpine" => EcosystemKind::Alpine,
            "Wolfi" | "Chainguard" => EcosystemKind::Wolfi,
            "Red Hat" | "Rocky Linux" | "AlmaLinux" | "SUSE" | "openSUSE" | "Photon OS"
            | "Mageia" | "openEuler" | "Azure Linux" => EcosystemKind::Rpm(name.to_owned()),
            "kubernetes" | "Kubernetes" => EcosystemKind::Kubernetes,
            other => EcosystemKind::Other(other.to_owned()),
        }
    }

    /// The OSV name of this kind.
    pub fn osv_name(&self) -> &str {
        match self {
            EcosystemKind::Go => "Go",
            EcosystemKind::Npm => "npm",
            EcosystemKind::PyPI => "PyPI",
            EcosystemKind::CratesIo => "crates.io",
            EcosystemKind::Maven => "Maven",
            EcosystemKind::RubyGems => "RubyGems",
            EcosystemKind::NuGet => "NuGet",
            EcosystemKind::Packagist => "Packagist",
            EcosystemKind::Hex => "Hex",
            EcosystemKind::Pub => "Pub",
            EcosystemKind::Debian => "Debian",
            EcosystemKind::Ubuntu => "Ubuntu",
            EcosystemKind::Alpine => "Alpine",
            EcosystemKind::Wolfi => "Wolfi",
            EcosystemKind::Kubernetes => "Kubernetes",
            EcosystemKind::Rpm(name) | EcosystemKind::Other(name) => name,
        }
    }

    /// How versions of this ecosystem are ordered, if Harrier knows.
    pub fn scheme(&self) -> Option<Scheme> {
        Some(match self {
            EcosystemKind::Go => Scheme::Go,
            EcosystemKind::Npm => Scheme::Npm,
            EcosystemKind::PyPI => Scheme::Pep440,
            EcosystemKind::CratesIo => Scheme::Cargo,
            EcosystemKind::Maven => Scheme::Maven,
            EcosystemKind::RubyGems => Scheme::RubyGems,
            EcosystemKind::NuGet => Scheme::NuGet,
            EcosystemKind::Packagist => Scheme::Composer,
            EcosystemKind::Hex | EcosystemKind::Pub | EcosystemKind::Kubernetes => Scheme::Semver,
            EcosystemKind::Debian | EcosystemKind::Ubuntu => Scheme::Dpkg,
            EcosystemKind::Alpine | EcosystemKind::Wolfi => Scheme::Apk,
            EcosystemKind::Rpm(_) => Scheme::Rpm,
            EcosystemKind::Other(_) => return None,
        })
    }
}

impl EcosystemKind {
    /// A package name as this ecosystem's registry identifies it, so that spellings that name
    /// the same package meet: PyPI's PEP 503 normalisation (`Django_REST.framework` →
    /// `django-rest-framework`), crates.io's case- and `-`/`_`-insensitivity, and the
    /// case-insensitive registries (NuGet, Packagist, Hex, Pub, distro package names). Others
    /// are case-sensitive and kept as written.
    pub fn normalise_name(&self, name: &str) -> String {
        let name = name.trim();
        match self {
            EcosystemKind::PyPI => {
                let mut out = String::with_capacity(name.len());
                let mut in_separator = false;
                for c in name.chars() {
                    if matches!(c, '-' | '_' | '.') {
                        if !in_separator {
                            out.push('-');
                        }
                        in_separator = true;
                    } else {
                        out.push(c.to_ascii_lowercase());
                        in_separator = false;
                    }
                }
                out
            }
            EcosystemKind::CratesIo => name.to_ascii_lowercase().replace('_', "-"),
            EcosystemKind::NuGet
            | EcosystemKind::Packagist
            | EcosystemKind::Hex
            | EcosystemKind::Pub
            | EcosystemKind::Debian
            | EcosystemKind::Ubuntu
            | EcosystemKind::Alpine
            | EcosystemKind::Wolfi => name.to_ascii_lowercase(),
            _ => name.to_owned(),
        }
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.osv_name())?;
        if let Some(release) = &self.release {
            write!(f, ":{release}")?;
        }
        Ok(())
    }
}

/// Debian codenames by release number. `sid` and `unstable` are kept as `sid`. The releases
/// before wheezy have no OSV ecosystem, but the security tracker's DSA list still names them.
const DEBIAN_CODENAMES: [(&str, &str); 20] = [
    ("buzz", "1.1"),
    ("rex", "1.2"),
    ("bo", "1.3"),
    ("hamm", "2.0"),
    ("slink", "2.1"),
    ("potato", "2.2"),
    ("woody", "3.0"),
    ("sarge", "3.1"),
    ("etch", "4"),
    ("lenny", "5"),
    ("squeeze", "6"),
    ("wheezy", "7"),
    ("jessie", "8"),
    ("stretch", "9"),
    ("buster", "10"),
    ("bullseye", "11"),
    ("bookworm", "12"),
    ("trixie", "13"),
    ("forky", "14"),
    ("duke", "15"),
];

fn normalise_release(kind: &EcosystemKind, release: &str) -> String {
    let release = release.trim();
    match kind {
        EcosystemKind::Debian => {
            let lower = release.to_ascii_lowercase();
            if lower == "unstable" || lower == "sid" {
                return "sid".to_owned();
            }
            DEBIAN_CODENAMES
                .iter()
                .find(|(name, _)| *name == lower)
                .map_or(lower.clone(), |(_, number)| (*number).to_owned())
        }
        EcosystemKind::Alpine => release.trim_start_matches('v').to_owned(),
        EcosystemKind::Ubuntu => {
            let (pro, rest) = match release.strip_prefix("Pro:") {
                Some(rest) => (true, rest),
                None => (false, release),
            };
            let rest = rest.strip_suffix(":LTS").unwrap_or(rest);
            if pro {
                format!("pro:{rest}")
            } else {
                rest.to_owned()
            }
        }
        // OSV's Red Hat records name CPE-like streams (`enterprise_linux:9::appstream`,
        // `enterprise_linux:8::baseos`); an installed system names its major release. The
        // streams of one major release share one package namespace, so they meet at the major.
        // Extended-support products (`rhel_eus:8.6::baseos`) are kept whole: their fixes are
        // not the main stream's, and an installed system does not say it runs them.
        EcosystemKind::Rpm(name) if name == "Red Hat" => match release.split_once(':') {
            Some(("enterprise_linux", rest)) => {
                let version = rest.split(':').next().unwrap_or_default();
                version.split('.').next().unwrap_or_default().to_owned()
            }
            _ => release.to_owned(),
        },
        _ => release.to_owned(),
    }
}

/// The Debian release number for a codename (`bookworm` → `12`), if known.
pub fn debian_release(codename: &str) -> Option<&'static str> {
    DEBIAN_CODENAMES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(codename))
        .map(|(_, n)| *n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_osv_ecosystems() {
        let e = Ecosystem::parse_osv("Debian:12");
        assert_eq!(
            (e.kind, e.release.as_deref()),
            (EcosystemKind::Debian, Some("12"))
        );
        let e = Ecosystem::parse_osv("Alpine:v3.20");
        assert_eq!(e.release.as_deref(), Some("3.20"));
        let e = Ecosystem::parse_osv("Ubuntu:24.04:LTS");
        assert_eq!(e.release.as_deref(), Some("24.04"));
        let e = Ecosystem::parse_osv("Ubuntu:Pro:20.04:LTS");
        assert_eq!(e.release.as_deref(), Some("pro:20.04"));
        for stream in [
            "enterprise_linux:9::appstream",
            "enterprise_linux:9::baseos",
            "enterprise_linux:9.2::crb",
        ] {
            let e = Ecosystem::parse_osv(&format!("Red Hat:{stream}"));
            assert_eq!(
                e,
                Ecosystem::with_release(EcosystemKind::Rpm("Red Hat".into()), "9"),
                "{stream}"
            );
        }
        let e = Ecosystem::parse_osv("Red Hat:rhel_eus:8.6::baseos");
        assert_eq!(e.release.as_deref(), Some("rhel_eus:8.6::baseos"));
        assert_eq!(Ecosystem::parse_osv("PyPI").release, None);
        assert_eq!(
            Ecosystem::with_release(EcosystemKind::Debian, "bookworm")
                .release
                .as_deref(),
            Some("12")
        );
        assert_eq!(Ecosystem::parse_osv("CRAN").scheme(), None);
        assert_eq!(Ecosystem::parse_osv("Debian:12").to_string(), "Debian:12");
    }

    #[test]
    fn normalises_names_as_registries_do() {
        assert_eq!(
            EcosystemKind::PyPI.normalise_name("Django_REST..framework"),
            "django-rest-framework"
        );
        assert_eq!(
            EcosystemKind::CratesIo.normalise_name("Serde_JSON"),
            "serde-json"
        );
        assert_eq!(
            EcosystemKind::NuGet.normalise_name("Newtonsoft.Json"),
            "newtonsoft.json"
        );
        assert_eq!(
            EcosystemKind::Maven.normalise_name("org.Foo:Bar"),
            "org.Foo:Bar"
        );
    }
}
