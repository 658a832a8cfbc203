//! The database file: a header naming its sections, the sections, and a SHA-256 footer.
//!
//! ```text
//! magic "HRRVDB\0\0" | format version u32 | section count u32 | sections: (kind u32, pad u32, offset u64, length u64)…
//! section bytes…
//! SHA-256 of everything before it (32 bytes)
//! ```
//!
//! Integers are little-endian. Sections are either arrays (an offsets section of `u64`s and a
//! data section) or sorted string tables ([`super::table`]). Records inside are
//! [postcard](https://docs.rs/postcard)-encoded: compact, and decoded straight from the mapped
//! bytes without a parse of the whole file, which is what makes opening the database take
//! milliseconds whatever its size. postcard is not self-describing, so stored types must not
//! skip fields when serialising (no `skip_serializing_if`).

use serde::{Deserialize, Serialize};

use crate::model::{Affected, Informational, ScoreKind, SeverityScore, Source};

/// First bytes of every database file.
pub const MAGIC: [u8; 8] = *b"HRRVDB\0\0";
/// Version of the layout; a reader refuses other versions (a database is rebuilt, not migrated).
pub const FORMAT_VERSION: u32 = 1;
/// Bytes of the SHA-256 footer.
pub const FOOTER: usize = 32;

/// Section kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum SectionKind {
    /// postcard [`Meta`].
    Meta = 1,
    /// `u64` offsets into [`SectionKind::AdvisoryData`], one more than there are advisories.
    AdvisoryOffsets = 2,
    /// postcard [`StoredAdvisory`] records.
    AdvisoryData = 3,
    /// `u64` offsets into [`SectionKind::AffectedData`].
    AffectedOffsets = 4,
    /// postcard [`StoredAffected`] records.
    AffectedData = 5,
    /// Package table keys (see [`package_key`]).
    PackageKeys = 6,
    /// Package table index.
    PackageIndex = 7,
    /// Package table values: little-endian `u32` indices of affected records.
    PackageValues = 8,
    /// Enrichment table keys: CVE ids.
    EnrichmentKeys = 9,
    /// Enrichment table index.
    EnrichmentIndex = 10,
    /// Enrichment table values: postcard [`Enrichment`].
    EnrichmentValues = 11,
}

impl SectionKind {
    /// Every kind, in file order.
    pub const ALL: [SectionKind; 11] = [
        SectionKind::Meta,
        SectionKind::AdvisoryOffsets,
        SectionKind::AdvisoryData,
        SectionKind::AffectedOffsets,
        SectionKind::AffectedData,
        SectionKind::PackageKeys,
        SectionKind::PackageIndex,
        SectionKind::PackageValues,
        SectionKind::EnrichmentKeys,
        SectionKind::EnrichmentIndex,
        SectionKind::EnrichmentValues,
    ];
}

/// What the database holds and where it came from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// When the database was built (RFC 3339, UTC).
    pub built: String,
    /// The Harrier version that built it.
    pub built_by: String,
    /// The feeds it holds.
    pub feeds: Vec<FeedMeta>,
    /// Number of advisories.
    pub advisories: u64,
    /// Number of affected-package records.
    pub affected: u64,
    /// Number of distinct packages.
    pub packages: u64,
    /// Number of CVEs with enrichment (KEV or EPSS).
    pub enriched: u64,
}

/// One feed in the database.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FeedMeta {
    /// Stable name, such as `osv/PyPI`, `debian/tracker`, `alpine/v3.20/main`, `kev`, `epss`,
    /// or `import` for files imported by hand.
    pub name: String,
    /// Where it was fetched from, or the imported path.
    pub origin: String,
    /// When it was fetched or imported (RFC 3339, UTC).
    pub fetched: String,
    /// The server's `ETag`, for conditional requests.
    pub etag: Option<String>,
    /// The server's `Last-Modified`, for conditional requests.
    pub last_modified: Option<String>,
    /// Records the feed contributed (advisories, or enrichment entries).
    pub records: u64,
}

/// An advisory as stored: the model's [`crate::Advisory`] without its affected entries (they are
/// records of their own, found through the package table), plus what building computed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredAdvisory {
    /// The source's id.
    pub id: String,
    /// The source's aliases.
    pub aliases: Vec<String>,
    /// Upstream vulnerabilities this record derives from (a USN's `UBUNTU-CVE-…` records).
    pub upstream: Vec<String>,
    /// What an informational advisory reports, when it is not a vulnerability.
    pub informational: Option<Informational>,
    /// Summary.
    pub summary: Option<String>,
    /// Publication time.
    pub published: Option<String>,
    /// Modification time.
    pub modified: Option<String>,
    /// Scores and ratings.
    pub severity: Vec<SeverityScore>,
    /// URLs.
    pub references: Vec<String>,
    /// Source format.
    pub source: Source,
    /// The feed it came from.
    pub feed: String,
    /// The id the vulnerability is reported under: a CVE id when any advisory of the same
    /// vulnerability has one, else this advisory's id. Advisories linked by ids or aliases form
    /// one vulnerability, so that one vulnerability is one finding.
    pub vulnerability: String,
    /// Every other id of the vulnerability.
    pub other_ids: Vec<String>,
    /// Indices of this advisory's affected records.
    pub affected: Vec<u32>,
}

/// An affected-package record and the advisory it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredAffected {
    /// Index of the advisory.
    pub advisory: u32,
    /// The affected entry.
    pub affected: Affected,
}

/// What KEV and EPSS say about a CVE.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Enrichment {
    /// CISA Known Exploited Vulnerabilities entry.
    pub kev: Option<KevEntry>,
    /// FIRST EPSS score.
    pub epss: Option<EpssScore>,
}

/// A CISA KEV entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KevEntry {
    /// `dateAdded`.
    pub date_added: String,
    /// `dueDate`.
    pub due_date: Option<String>,
    /// Whether it is known to be used in ransomware campaigns.
    pub ransomware: bool,
}

/// An EPSS score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EpssScore {
    /// Probability of exploitation in the next 30 days, 0 to 1.
    pub score: f32,
    /// Percentile among all scored CVEs, 0 to 1 (absent in the oldest EPSS files).
    pub percentile: Option<f32>,
}

/// The package table key of an ecosystem, release and (normalised) package name. NUL cannot
/// occur in any of them, so the key is unambiguous.
pub fn package_key(ecosystem: &str, release: Option<&str>, package: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(ecosystem.len() + package.len() + 16);
    key.extend_from_slice(ecosystem.as_bytes());
    key.push(0);
    key.extend_from_slice(release.unwrap_or("").as_bytes());
    key.push(0);
    key.extend_from_slice(package.as_bytes());
    key
}

/// Whether a score kind is a CVSS vector.
pub fn is_cvss(score: &SeverityScore) -> bool {
    matches!(
        score.kind,
        ScoreKind::CvssV2 | ScoreKind::CvssV3 | ScoreKind::CvssV4
    )
}
