//! The vulnerability database: advisories in, exact matches out.
//!
//! - [`model`]: advisories as every source is normalised to (the OSV data model, plus the
//!   distro states OSV lacks: "not affected", "will not fix").
//! - [`ingest`]: one parser per real feed format (OSV JSON and YAML, the Debian security
//!   tracker, Alpine secdb, RustSec, CISA KEV, FIRST EPSS), each returning model advisories.
//! - [`version`]: exact version ordering per scheme (dpkg, rpm, apk, SemVer as npm/Cargo/Go use
//!   it, PEP 440, Maven, RubyGems, NuGet, Composer, Hex) and the ecosystem → scheme mapping.
//!   Unknown schemes are reported, never guessed.
//! - the on-disk database and matching, used by `harrier db` and `harrier vuln lookup`, and by
//!   image and SBOM scanning.
#![warn(missing_docs)]

pub mod bundle;
pub mod db;
pub mod ecosystem;
pub mod import;
pub mod ingest;
pub mod matching;
pub mod model;
pub mod severity;
#[cfg(feature = "update")]
pub mod update;
pub mod version;

pub use db::{Database, DbError};
pub use ecosystem::{Ecosystem, EcosystemKind};
pub use matching::{LookupError, Match, Query, Report, lookup};
pub use model::{
    Advisory, Affected, Event, Informational, Range, RangeKind, ScoreKind, SeverityScore, Source,
    Status,
};
pub use version::{Scheme, VersionError};
