//! Packages as catalogers find them, and how they are named for SBOMs and vulnerability lookup.

use std::collections::BTreeMap;

use serde::Serialize;

/// The kinds of package Harrier catalogs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PackageKind {
    /// A Debian or Ubuntu package (dpkg database).
    Deb,
    /// An Alpine or Wolfi package (apk database).
    Apk,
    /// An RPM package (rpm database).
    Rpm,
    /// A Python distribution (dist-info, egg-info, or a lockfile entry).
    Python,
    /// An npm package.
    Npm,
    /// A Java archive (Maven coordinates `group:artifact` in the name).
    Java,
    /// A Go module (from a binary's build info or go.mod).
    GoModule,
    /// The Go standard library a binary was built with (name `stdlib`).
    GoStdlib,
    /// A Rust crate (Cargo.lock or a cargo-auditable binary).
    Rust,
    /// A Ruby gem.
    Gem,
    /// A PHP Composer package.
    Composer,
    /// A .NET (NuGet) package.
    NuGet,
}

impl PackageKind {
    /// The package-url type (<https://github.com/package-url/purl-spec>).
    pub fn purl_type(self) -> &'static str {
        match self {
            PackageKind::Deb => "deb",
            PackageKind::Apk => "apk",
            PackageKind::Rpm => "rpm",
            PackageKind::Python => "pypi",
            PackageKind::Npm => "npm",
            PackageKind::Java => "maven",
            PackageKind::GoModule | PackageKind::GoStdlib => "golang",
            PackageKind::Rust => "cargo",
            PackageKind::Gem => "gem",
            PackageKind::Composer => "composer",
            PackageKind::NuGet => "nuget",
        }
    }

    /// Whether packages of this kind come from the operating system's package database.
    pub fn is_os(self) -> bool {
        matches!(self, PackageKind::Deb | PackageKind::Apk | PackageKind::Rpm)
    }
}

/// Where a package was found.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct PackageLocation {
    /// The file it was read from, relative to the image root without a leading `/`
    /// (`var/lib/dpkg/status`); inside archives, `outer.jar!/inner.jar`.
    pub path: String,
    /// The index of the layer that file is in (set by the layer walk; `None` for a directory
    /// scan).
    pub layer: Option<usize>,
}

/// The source package a binary package was built from (Debian source, RPM source RPM, apk
/// origin). Distros publish advisories by source package.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct SourcePackage {
    /// Name.
    pub name: String,
    /// Version, when it differs from the binary package's.
    pub version: Option<String>,
}

/// One package found in an image or a source tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Package {
    /// What kind.
    pub kind: PackageKind,
    /// The name as the ecosystem writes it: Maven `group:artifact`, npm `@scope/name`, a Go
    /// module path.
    pub name: String,
    /// The version as installed (dpkg `epoch:upstream-revision`, rpm `epoch:version-release`).
    pub version: String,
    /// The source package, for distro packages.
    pub source: Option<SourcePackage>,
    /// Architecture, when recorded.
    pub arch: Option<String>,
    /// Licenses as declared (SPDX expressions where the package gives them).
    pub licenses: Vec<String>,
    /// Extra facts a cataloger recorded (such as `rpm.epoch`, `go.main`, `java.manifest-version`),
    /// kept for SBOM properties.
    pub metadata: BTreeMap<String, String>,
    /// Where it was found.
    pub location: PackageLocation,
}

impl Package {
    /// A package of `kind` read from `path`, with nothing else known yet.
    pub fn new(
        kind: PackageKind,
        name: impl Into<String>,
        version: impl Into<String>,
        path: impl Into<String>,
    ) -> Package {
        Package {
            kind,
            name: name.into(),
            version: version.into(),
            source: None,
            arch: None,
            licenses: Vec::new(),
            metadata: BTreeMap::new(),
            location: PackageLocation {
                path: path.into(),
                layer: None,
            },
        }
    }
}

/// The operating system of an image, from `/etc/os-release` (or `/usr/lib/os-release`, or
/// older distro-specific files).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Distro {
    /// `ID`: `debian`, `ubuntu`, `alpine`, `rhel`, `rocky`, `almalinux`, `centos`, `fedora`,
    /// `sles`, `opensuse-leap`, `photon`, `wolfi`, `chainguard`, `amzn`…
    pub id: String,
    /// `VERSION_ID`: `12`, `24.04`, `3.20.3`, `9.4`.
    pub version_id: Option<String>,
    /// `VERSION_CODENAME`: `bookworm`, `noble`.
    pub codename: Option<String>,
    /// `PRETTY_NAME`.
    pub pretty_name: Option<String>,
    /// `ID_LIKE`, split.
    pub id_like: Vec<String>,
}
