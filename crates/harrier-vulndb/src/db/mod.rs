//! The on-disk database: one file, memory-mapped, opened in milliseconds.
//!
//! Why this shape rather than SQLite (Grype) or bbolt (Trivy): lookups are the hot path of
//! every image and SBOM scan, and a scan asks for thousands of packages. A sorted package table
//! in a mapped file answers each with a binary search over fixed-width entries and a decode of
//! only the records found, with no query planner, no page cache of its own and no open cost
//! beyond checking a 200-byte header: the operating system's page cache does the caching. The
//! file is immutable once written (updates write a new file and rename it over the old), which
//! is what makes mapping it safe. `docs/vulnerability-database.md` has the figures.

pub mod build;
pub mod format;
pub(crate) mod table;

use std::path::{Path, PathBuf};

use memmap2::Mmap;
use sha2::{Digest, Sha256};

pub use build::Builder;
use format::SectionKind;
pub use format::{Enrichment, EpssScore, FeedMeta, KevEntry, Meta, StoredAdvisory, StoredAffected};
use table::Table;

use crate::Ecosystem;

/// Why a database could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a Harrier database, or is damaged.
    #[error("{}: not a valid Harrier vulnerability database: {reason}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The file was written by an incompatible Harrier.
    #[error("{}: database format {found} is not supported (expected {expected}); run `harrier db update` to rebuild it", path.display())]
    Version {
        /// The file.
        path: PathBuf,
        /// Its format version.
        found: u32,
        /// The supported version.
        expected: u32,
    },
    /// A record could not be encoded.
    #[error("cannot encode a database record: {0}")]
    Encode(String),
    /// A table would exceed what the format can address.
    #[error("the database exceeds the format's 4 GiB table limit")]
    TooLarge,
}

impl DbError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> DbError {
        DbError::Io {
            path: path.to_owned(),
            source,
        }
    }

    pub(crate) fn encode(e: postcard::Error) -> DbError {
        DbError::Encode(e.to_string())
    }

    /// Whether the database file does not exist (as opposed to being unreadable or damaged).
    pub fn is_not_found(&self) -> bool {
        matches!(self, DbError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    }
}

enum Bytes {
    Mapped(Mmap),
    Owned(Vec<u8>),
}

impl Bytes {
    fn as_slice(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => m,
            Bytes::Owned(v) => v,
        }
    }
}

/// An open database.
pub struct Database {
    path: PathBuf,
    bytes: Bytes,
    sections: [(usize, usize); SectionKind::ALL.len()],
    meta: Meta,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("path", &self.path)
            .field("meta", &self.meta)
            .finish()
    }
}

impl Database {
    /// Opens the database at `path` by mapping it. Checks the header, not the checksum (that
    /// reads the whole file; see [`Database::verify`]).
    pub fn open(path: &Path) -> Result<Database, DbError> {
        let file = std::fs::File::open(path).map_err(|e| DbError::io(path, e))?;
        // SAFETY: the mapping is read-only, and Harrier never modifies a database file in place:
        // updates and imports write a new file and rename it over the old one (see
        // `build::write_atomically`), so the mapped pages never change under us. Another program
        // truncating the file while it is mapped could fault a read; that is the documented
        // limit of memory-mapped files, accepted for the lookup speed it buys.
        #[allow(unsafe_code)]
        let map = unsafe { Mmap::map(&file) }.map_err(|e| DbError::io(path, e))?;
        Database::parse(path.to_owned(), Bytes::Mapped(map))
    }

    /// A database held in memory (tests, bundles being verified).
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Database, DbError> {
        Database::parse(PathBuf::from("<memory>"), Bytes::Owned(bytes))
    }

    fn parse(path: PathBuf, bytes: Bytes) -> Result<Database, DbError> {
        let corrupt = |reason: &str| DbError::Corrupt {
            path: path.clone(),
            reason: reason.to_owned(),
        };
        let data = bytes.as_slice();
        if data.len() < 16 + format::FOOTER || data.get(..8) != Some(&format::MAGIC[..]) {
            return Err(corrupt("missing header"));
        }
        let u32_at = |at: usize| -> Option<u32> {
            Some(u32::from_le_bytes(data.get(at..at + 4)?.try_into().ok()?))
        };
        let u64_at = |at: usize| -> Option<u64> {
            Some(u64::from_le_bytes(data.get(at..at + 8)?.try_into().ok()?))
        };
        let version = u32_at(8).ok_or_else(|| corrupt("short header"))?;
        if version != format::FORMAT_VERSION {
            return Err(DbError::Version {
                path: path.clone(),
                found: version,
                expected: format::FORMAT_VERSION,
            });
        }
        let count = u32_at(12).ok_or_else(|| corrupt("short header"))? as usize;
        let body_end = data.len() - format::FOOTER;
        let mut sections = [(0usize, 0usize); SectionKind::ALL.len()];
        let mut seen = [false; SectionKind::ALL.len()];
        for i in 0..count {
            let at = 16 + i * 24;
            let (Some(kind), Some(offset), Some(len)) =
                (u32_at(at), u64_at(at + 8), u64_at(at + 16))
            else {
                return Err(corrupt("section table is cut short"));
            };
            let (Ok(offset), Ok(len)) = (usize::try_from(offset), usize::try_from(len)) else {
                return Err(corrupt("section out of range"));
            };
            if offset.checked_add(len).is_none_or(|end| end > body_end) {
                return Err(corrupt("section out of range"));
            }
            if let Some(slot) = SectionKind::ALL.iter().position(|k| *k as u32 == kind) {
                sections[slot] = (offset, len);
                seen[slot] = true;
            }
        }
        if seen.iter().any(|s| !s) {
            return Err(corrupt("a section is missing"));
        }
        let (meta_at, meta_len) = sections[0];
        let meta: Meta = data
            .get(meta_at..meta_at + meta_len)
            .and_then(|b| postcard::from_bytes(b).ok())
            .ok_or_else(|| corrupt("unreadable metadata"))?;
        Ok(Database {
            path,
            bytes,
            sections,
            meta,
        })
    }

    /// Where the database is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What it holds.
    pub fn meta(&self) -> &Meta {
        &self.meta
    }

    /// The file's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.as_slice()
    }

    /// Checks the SHA-256 footer against the content.
    pub fn verify(&self) -> Result<(), DbError> {
        let data = self.as_bytes();
        let (body, footer) = data.split_at(data.len() - format::FOOTER);
        if Sha256::digest(body).as_slice() == footer {
            Ok(())
        } else {
            Err(self.corrupt("checksum mismatch"))
        }
    }

    fn corrupt(&self, reason: &str) -> DbError {
        DbError::Corrupt {
            path: self.path.clone(),
            reason: reason.to_owned(),
        }
    }

    fn section(&self, kind: SectionKind) -> &[u8] {
        let slot = SectionKind::ALL
            .iter()
            .position(|k| *k == kind)
            .unwrap_or(0);
        let (at, len) = self.sections[slot];
        self.as_bytes().get(at..at + len).unwrap_or_default()
    }

    fn record(&self, offsets: SectionKind, data: SectionKind, i: usize) -> Result<&[u8], DbError> {
        let offsets = self.section(offsets);
        let read = |n: usize| -> Option<usize> {
            let b = offsets.get(n * 8..n * 8 + 8)?;
            usize::try_from(u64::from_le_bytes(b.try_into().ok()?)).ok()
        };
        let (Some(start), Some(end)) = (read(i), read(i + 1)) else {
            return Err(self.corrupt("record index out of range"));
        };
        self.section(data)
            .get(start..end)
            .ok_or_else(|| self.corrupt("record out of range"))
    }

    /// Number of advisories.
    pub fn advisory_count(&self) -> usize {
        (self.section(SectionKind::AdvisoryOffsets).len() / 8).saturating_sub(1)
    }

    /// Advisory `i`.
    pub fn stored_advisory(&self, i: usize) -> Result<StoredAdvisory, DbError> {
        let bytes = self.record(SectionKind::AdvisoryOffsets, SectionKind::AdvisoryData, i)?;
        postcard::from_bytes(bytes).map_err(|_| self.corrupt("unreadable advisory record"))
    }

    /// Affected record `i`.
    pub fn stored_affected(&self, i: usize) -> Result<StoredAffected, DbError> {
        let bytes = self.record(SectionKind::AffectedOffsets, SectionKind::AffectedData, i)?;
        postcard::from_bytes(bytes).map_err(|_| self.corrupt("unreadable affected record"))
    }

    fn packages(&self) -> Table<'_> {
        Table::new(
            self.section(SectionKind::PackageKeys),
            self.section(SectionKind::PackageIndex),
            self.section(SectionKind::PackageValues),
        )
    }

    fn enrichment_table(&self) -> Table<'_> {
        Table::new(
            self.section(SectionKind::EnrichmentKeys),
            self.section(SectionKind::EnrichmentIndex),
            self.section(SectionKind::EnrichmentValues),
        )
    }

    /// Indices of the affected records of a package (name as written; it is normalised here).
    pub fn affected_indices(
        &self,
        ecosystem: &Ecosystem,
        package: &str,
    ) -> Result<Vec<u32>, DbError> {
        let key = format::package_key(
            ecosystem.kind.osv_name(),
            ecosystem.release.as_deref(),
            &ecosystem.kind.normalise_name(package),
        );
        let Some(value) = self
            .packages()
            .get(&key)
            .map_err(|_| self.corrupt("package table"))?
        else {
            return Ok(Vec::new());
        };
        Ok(value
            .chunks_exact(4)
            .filter_map(|c| c.try_into().ok().map(u32::from_le_bytes))
            .collect())
    }

    /// KEV and EPSS data for a CVE.
    pub fn enrichment(&self, cve: &str) -> Result<Option<Enrichment>, DbError> {
        let Some(bytes) = self
            .enrichment_table()
            .get(cve.as_bytes())
            .map_err(|_| self.corrupt("enrichment table"))?
        else {
            return Ok(None);
        };
        postcard::from_bytes(bytes)
            .map(Some)
            .map_err(|_| self.corrupt("unreadable enrichment record"))
    }

    /// Every enrichment entry, by CVE.
    pub fn enrichments(&self) -> Result<Vec<(String, Enrichment)>, DbError> {
        let table = self.enrichment_table();
        let mut out = Vec::with_capacity(table.len());
        for entry in table.iter() {
            let (key, value) = entry.map_err(|_| self.corrupt("enrichment table"))?;
            let cve = String::from_utf8_lossy(key).into_owned();
            let e = postcard::from_bytes(value)
                .map_err(|_| self.corrupt("unreadable enrichment record"))?;
            out.push((cve, e));
        }
        Ok(out)
    }

    /// Every package key, as (ecosystem, release, name), for `db status` and tests.
    pub fn package_keys(&self) -> Result<Vec<(String, String, String)>, DbError> {
        let table = self.packages();
        let mut out = Vec::with_capacity(table.len());
        for entry in table.iter() {
            let (key, _) = entry.map_err(|_| self.corrupt("package table"))?;
            let text = String::from_utf8_lossy(key);
            let mut parts = text.splitn(3, '\0');
            let (e, r, n) = (parts.next(), parts.next(), parts.next());
            out.push((
                e.unwrap_or_default().to_owned(),
                r.unwrap_or_default().to_owned(),
                n.unwrap_or_default().to_owned(),
            ));
        }
        Ok(out)
    }
}
