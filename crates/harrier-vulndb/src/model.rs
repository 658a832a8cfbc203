//! Advisories as Harrier stores them, whatever feed they came from.
//!
//! The shape follows the OSV schema (<https://ossf.github.io/osv-schema/>): an advisory has ids,
//! severity scores, and per-package `affected` entries with version ranges made of ordered
//! events. Two things are added because distro feeds carry them and matching must keep them: a
//! per-package [`Status`] ("not affected", "will not fix", "undetermined") and the distro's own
//! urgency.

use serde::{Deserialize, Serialize};

use crate::Ecosystem;

/// One advisory, as one source published it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Advisory {
    /// The source's id: `GHSA-…`, `PYSEC-…`, `GO-…`, `RUSTSEC-…`, `CVE-…`, `DSA-…`, `USN-…`.
    pub id: String,
    /// Other ids of the same vulnerability (OSV `aliases`, and ids a source lists as the same).
    pub aliases: Vec<String>,
    /// Ids of the upstream vulnerabilities this record was derived from (OSV 1.7 `upstream`):
    /// a USN names the `UBUNTU-CVE-…` records it fixes, which name their CVE. Not aliases: one
    /// notice can cover several vulnerabilities.
    pub upstream: Vec<String>,
    /// One-line summary, when the source has one.
    pub summary: Option<String>,
    /// RFC 3339 publication time, when known.
    pub published: Option<String>,
    /// RFC 3339 last modification time, when known.
    pub modified: Option<String>,
    /// Severity scores and ratings, as published.
    pub severity: Vec<SeverityScore>,
    /// The packages affected.
    pub affected: Vec<Affected>,
    /// Advisory and fix URLs, most useful first (a few, not every link).
    pub references: Vec<String>,
    /// Which feed it came from.
    pub source: Source,
    /// Set when the advisory reports something other than a vulnerability (RustSec's
    /// `informational`: an unmaintained or unsound crate, a notice).
    pub informational: Option<Informational>,
}

/// What an informational advisory reports (RustSec `informational`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Informational {
    /// The crate is no longer maintained.
    Unmaintained,
    /// The crate allows undefined behaviour from safe code.
    Unsound,
    /// A notice, such as a crate that was compromised or renamed.
    Notice,
    /// Another kind, kept as written.
    Other(String),
}

impl Informational {
    /// The kind for RustSec's `informational` value.
    pub fn from_rustsec(value: &str) -> Informational {
        match value.trim() {
            "unmaintained" => Informational::Unmaintained,
            "unsound" => Informational::Unsound,
            "notice" => Informational::Notice,
            other => Informational::Other(other.to_owned()),
        }
    }
}

/// A severity score or rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityScore {
    /// What kind of score.
    pub kind: ScoreKind,
    /// The vector (`CVSS:3.1/AV:N/…`) or rating text (`high`, `medium`) as published.
    pub value: String,
}

/// Kinds of [`SeverityScore`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ScoreKind {
    /// A CVSS v2 vector.
    CvssV2,
    /// A CVSS v3.0 or v3.1 vector.
    CvssV3,
    /// A CVSS v4.0 vector.
    CvssV4,
    /// The ecosystem's or distro's own rating (`database_specific.severity`, Debian urgency,
    /// Ubuntu priority).
    Rating,
}

/// The feed an advisory came from. Distro feeds win over upstream data for distro packages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Source {
    /// An OSV record (osv.dev export, GitHub Advisory Database, PyPA, Go vulndb, RustSec's OSV
    /// export, the Kubernetes CVE feed, Ubuntu's and Debian's OSV exports).
    Osv,
    /// The Debian security tracker (DSA/DLA lists or its JSON export).
    DebianTracker,
    /// Alpine's secdb.
    AlpineSecdb,
    /// RustSec's native advisory format.
    RustSec,
}

/// One package an advisory affects, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Affected {
    /// The ecosystem (and distro release) the package belongs to.
    pub ecosystem: Ecosystem,
    /// The package name as the source writes it (for distros: the source package when the
    /// source keys by source package, as Debian does).
    pub package: String,
    /// For a source package, the binary packages built from it that the source names (Ubuntu's
    /// `ecosystem_specific.binaries`): an installed binary package is matched through them.
    pub binaries: Vec<String>,
    /// Version ranges.
    pub ranges: Vec<Range>,
    /// Versions listed one by one (OSV `versions`), matched exactly.
    pub versions: Vec<String>,
    /// The distro's verdict for this package, when it has one.
    pub status: Status,
    /// The distro's urgency or priority for this package (`low`, `unimportant`…), when given.
    pub rating: Option<String>,
}

/// What a source says about an affected package beyond its ranges.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Affected within the ranges (fixed where a range says so). The default.
    #[default]
    Affected,
    /// The distro says this package is not affected at all (Debian `fixed_version: 0`).
    NotAffected,
    /// Affected, and the distro decided not to fix it (`<ignored>`, `will not fix`).
    WillNotFix,
    /// Affected, with no fix yet (`<unfixed>`, `open`).
    Unfixed,
    /// The distro has not decided (`<undetermined>`, `needs-triage`).
    Undetermined,
}

/// An ordered list of version events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range {
    /// How to order the versions.
    pub kind: RangeKind,
    /// Events in the order published.
    pub events: Vec<Event>,
}

/// OSV range types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RangeKind {
    /// Versions ordered by the ecosystem's own scheme.
    Ecosystem,
    /// Versions ordered as SemVer 2.0, whatever the ecosystem.
    Semver,
    /// Git commits: matching needs the repository's history, which a version lookup does not have.
    Git,
}

/// One event of a [`Range`]. `Introduced("0")` means "from the beginning".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// Versions at or after this one are affected (until a later fix).
    Introduced(String),
    /// This version and later are fixed.
    Fixed(String),
    /// This version is the last affected one.
    LastAffected(String),
    /// An upper bound on the range: versions at or after it are outside it.
    Limit(String),
}

impl Event {
    /// The version the event names.
    pub fn version(&self) -> &str {
        match self {
            Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => v,
        }
    }
}
