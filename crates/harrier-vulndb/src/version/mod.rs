//! Version ordering, exact per scheme.
//!
//! Every ecosystem orders versions its own way, and a scanner that compares `1.0.0-rc1` with
//! `1.0.0` the npm way in a Maven package, or ignores a Debian epoch, reports vulnerabilities
//! that are not there and misses ones that are. Each scheme lives in its own module, written
//! against its reference implementation and tested against it where it runs here (`dpkg
//! --compare-versions`, rpm's `rpmvercmp`, Python's `packaging`, Maven's `ComparableVersion`,
//! RubyGems' `Gem::Version`, node-semver) or against its upstream test vectors.
//!
//! A version a scheme cannot parse is an error naming the scheme and the version, never a
//! guess: the caller reports it.

use std::cmp::Ordering;
use std::fmt;

pub mod apk;
pub mod composer;
pub mod dpkg;
pub mod maven;
pub mod nuget;
mod num;
pub mod pep440;
pub mod rpm;
pub mod rubygems;
pub mod semver;

/// A version ordering scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Debian and Ubuntu: epoch, upstream version, revision, `~` before everything.
    Dpkg,
    /// RPM: epoch, version, release, `rpmvercmp` segments, `~` and `^`.
    Rpm,
    /// Alpine apk: `1.2.3_rc1-r4`.
    Apk,
    /// SemVer 2.0 precedence (OSV `SEMVER` ranges, Hex, Pub, Kubernetes).
    Semver,
    /// npm: SemVer 2.0 as node-semver reads versions (optional `v` or `=` prefix).
    Npm,
    /// Cargo: SemVer 2.0 as the `semver` crate reads versions.
    Cargo,
    /// Go modules: SemVer with the `v` prefix optional, `+incompatible`, pseudo-versions.
    Go,
    /// Python: PEP 440 (epochs, pre-, post- and dev-releases, local versions).
    Pep440,
    /// Maven: `ComparableVersion` (qualifiers `alpha` < `beta` < `milestone` < `rc` < snapshot <
    /// release < `sp`).
    Maven,
    /// RubyGems: `Gem::Version`.
    RubyGems,
    /// NuGet: SemVer 2.0 with four-part versions and case-insensitive labels.
    NuGet,
    /// Composer (Packagist): `VersionParser` normalisation and `version_compare` ordering.
    Composer,
}

impl Scheme {
    /// Every scheme.
    pub const ALL: [Scheme; 12] = [
        Scheme::Dpkg,
        Scheme::Rpm,
        Scheme::Apk,
        Scheme::Semver,
        Scheme::Npm,
        Scheme::Cargo,
        Scheme::Go,
        Scheme::Pep440,
        Scheme::Maven,
        Scheme::RubyGems,
        Scheme::NuGet,
        Scheme::Composer,
    ];

    /// The scheme's name, lowercase.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Dpkg => "dpkg",
            Scheme::Rpm => "rpm",
            Scheme::Apk => "apk",
            Scheme::Semver => "semver",
            Scheme::Npm => "npm",
            Scheme::Cargo => "cargo",
            Scheme::Go => "go",
            Scheme::Pep440 => "pep440",
            Scheme::Maven => "maven",
            Scheme::RubyGems => "rubygems",
            Scheme::NuGet => "nuget",
            Scheme::Composer => "composer",
        }
    }

    /// Orders two versions. Either failing to parse is an error.
    pub fn compare(self, a: &str, b: &str) -> Result<Ordering, VersionError> {
        let result = match self {
            Scheme::Dpkg => dpkg::compare(a, b),
            Scheme::Rpm => rpm::compare(a, b),
            Scheme::Apk => apk::compare(a, b),
            Scheme::Semver => semver::compare(semver::Flavor::Strict, a, b),
            Scheme::Npm => semver::compare(semver::Flavor::Npm, a, b),
            Scheme::Cargo => semver::compare(semver::Flavor::Cargo, a, b),
            Scheme::Go => semver::compare(semver::Flavor::Go, a, b),
            Scheme::Pep440 => pep440::compare(a, b),
            Scheme::Maven => maven::compare(a, b),
            Scheme::RubyGems => rubygems::compare(a, b),
            Scheme::NuGet => nuget::compare(a, b),
            Scheme::Composer => composer::compare(a, b),
        };
        result.map_err(|invalid| VersionError {
            scheme: self,
            version: invalid.version,
            reason: invalid.reason,
        })
    }

    /// Whether `version` is valid in this scheme.
    pub fn validate(self, version: &str) -> Result<(), VersionError> {
        self.parse(version).map(|_| ())
    }

    /// Parses a version once, to compare it with many others (matching compares one installed
    /// version with every bound of every range of a package).
    pub fn parse(self, version: &str) -> Result<Parsed, VersionError> {
        let parsed = match self {
            Scheme::Dpkg => dpkg::parse(version).map(Parsed::Dpkg),
            Scheme::Rpm => rpm::parse(version).map(Parsed::Rpm),
            Scheme::Apk => apk::parse(version).map(Parsed::Apk),
            Scheme::Semver => {
                semver::Version::parse(semver::Flavor::Strict, version).map(Parsed::Semver)
            }
            Scheme::Npm => semver::Version::parse(semver::Flavor::Npm, version).map(Parsed::Semver),
            Scheme::Cargo => {
                semver::Version::parse(semver::Flavor::Cargo, version).map(Parsed::Semver)
            }
            Scheme::Go => semver::Version::parse(semver::Flavor::Go, version).map(Parsed::Semver),
            Scheme::Pep440 => pep440::Version::parse(version).map(Parsed::Pep440),
            Scheme::Maven => maven::Version::parse(version).map(Parsed::Maven),
            Scheme::RubyGems => rubygems::Version::parse(version).map(Parsed::RubyGems),
            Scheme::NuGet => nuget::Version::parse(version).map(Parsed::NuGet),
            Scheme::Composer => composer::Version::parse(version).map(Parsed::Composer),
        };
        parsed.map_err(|invalid| VersionError {
            scheme: self,
            version: invalid.version,
            reason: invalid.reason,
        })
    }
}

/// A version parsed in one scheme.
#[derive(Debug, Clone)]
pub enum Parsed {
    /// dpkg.
    Dpkg(dpkg::Version),
    /// rpm.
    Rpm(rpm::Version),
    /// apk.
    Apk(apk::Version),
    /// Any SemVer flavour.
    Semver(semver::Version),
    /// PEP 440.
    Pep440(pep440::Version),
    /// Maven.
    Maven(maven::Version),
    /// RubyGems.
    RubyGems(rubygems::Version),
    /// NuGet.
    NuGet(nuget::Version),
    /// Composer.
    Composer(composer::Version),
}

impl Parsed {
    /// Orders two versions of the same scheme; `None` when they come from different schemes.
    pub fn compare(&self, other: &Parsed) -> Option<Ordering> {
        Some(match (self, other) {
            (Parsed::Dpkg(a), Parsed::Dpkg(b)) => a.cmp(b),
            (Parsed::Rpm(a), Parsed::Rpm(b)) => a.cmp(b),
            (Parsed::Apk(a), Parsed::Apk(b)) => a.cmp(b),
            (Parsed::Semver(a), Parsed::Semver(b)) => a.cmp(b),
            (Parsed::Pep440(a), Parsed::Pep440(b)) => a.cmp(b),
            (Parsed::Maven(a), Parsed::Maven(b)) => a.compare(b),
            (Parsed::RubyGems(a), Parsed::RubyGems(b)) => a.cmp(b),
            (Parsed::NuGet(a), Parsed::NuGet(b)) => a.cmp(b),
            (Parsed::Composer(a), Parsed::Composer(b)) => a.cmp(b),
            _ => return None,
        })
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A version one scheme module could not parse. Modules return this; [`Scheme::compare`]
/// adds the scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The version as given.
    pub version: String,
    /// Why it is not a valid version, lowercase, no final period.
    pub reason: String,
}

impl Invalid {
    /// An invalid `version` because of `reason`.
    pub fn new(version: &str, reason: impl Into<String>) -> Invalid {
        Invalid {
            version: version.to_owned(),
            reason: reason.into(),
        }
    }
}

/// A version a scheme cannot parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{version}` is not a valid {scheme} version: {reason}")]
pub struct VersionError {
    /// The scheme.
    pub scheme: Scheme,
    /// The version as given.
    pub version: String,
    /// Why.
    pub reason: String,
}
