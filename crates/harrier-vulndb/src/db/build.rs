//! Building a database file from advisories and enrichment.
//!
//! Building is where the expensive decisions are made once, so that lookups stay cheap:
//! duplicate advisories are resolved, advisories that describe the same vulnerability are
//! linked into one (so that one vulnerability is one finding), package names are normalised
//! into the package table's keys, and the file is written beside its final path and renamed
//! over it, so a failed build never leaves a broken database behind.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::format::{
    self, Enrichment, EpssScore, FeedMeta, KevEntry, Meta, SectionKind, StoredAdvisory,
    StoredAffected,
};
use super::table::TableBuilder;
use super::{Database, DbError};
use crate::model::{Advisory, Source};

/// Collects advisories and enrichment, then writes a database.
#[derive(Debug, Default)]
pub struct Builder {
    advisories: BTreeMap<(SourceKey, String), (String, Advisory)>,
    kev: HashMap<String, KevEntry>,
    epss: HashMap<String, EpssScore>,
    feeds: BTreeMap<String, FeedMeta>,
}

type SourceKey = u8;

fn source_key(source: Source) -> SourceKey {
    match source {
        Source::Osv => 0,
        Source::DebianTracker => 1,
        Source::AlpineSecdb => 2,
        Source::RustSec => 3,
    }
}

impl Builder {
    /// An empty builder.
    pub fn new() -> Builder {
        Builder::default()
    }

    /// A builder holding everything `db` holds, to merge new data into.
    pub fn from_database(db: &Database) -> Result<Builder, DbError> {
        let mut builder = Builder::new();
        for feed in &db.meta().feeds {
            builder.feeds.insert(feed.name.clone(), feed.clone());
        }
        for i in 0..db.advisory_count() {
            let stored = db.stored_advisory(i)?;
            let mut affected = Vec::with_capacity(stored.affected.len());
            for &a in &stored.affected {
                affected.push(db.stored_affected(a as usize)?.affected);
            }
            let advisory = Advisory {
                id: stored.id,
                aliases: stored.aliases,
                upstream: stored.upstream,
                informational: stored.informational,
                summary: stored.summary,
                published: stored.published,
                modified: stored.modified,
                severity: stored.severity,
                affected,
                references: stored.references,
                source: stored.source,
            };
            builder.add_advisory(&stored.feed, advisory);
        }
        for (cve, enrichment) in db.enrichments()? {
            if let Some(kev) = enrichment.kev {
                builder.kev.insert(cve.clone(), kev);
            }
            if let Some(epss) = enrichment.epss {
                builder.epss.insert(cve, epss);
            }
        }
        Ok(builder)
    }

    /// Adds an advisory from `feed`. Of two advisories with the same source and id, the one
    /// modified later is kept (the one added later when neither says).
    pub fn add_advisory(&mut self, feed: &str, advisory: Advisory) {
        let key = (source_key(advisory.source), advisory.id.clone());
        match self.advisories.get(&key) {
            Some((_, existing)) if is_newer(existing, &advisory) => {}
            _ => {
                self.advisories.insert(key, (feed.to_owned(), advisory));
            }
        }
    }

    /// Drops an advisory its source withdrew.
    pub fn withdraw(&mut self, source: Source, id: &str) {
        self.advisories.remove(&(source_key(source), id.to_owned()));
    }

    /// Moves everything `other` collected into this builder (its advisories win over ones
    /// with the same source and id here).
    pub fn absorb(&mut self, other: Builder) {
        for (_, (feed, advisory)) in other.advisories {
            self.add_advisory(&feed, advisory);
        }
        self.kev.extend(other.kev);
        self.epss.extend(other.epss);
        self.feeds.extend(other.feeds);
    }

    /// Drops everything a feed contributed, before a fresh copy of it is added.
    pub fn remove_feed(&mut self, feed: &str) {
        self.advisories.retain(|_, (f, _)| f != feed);
        self.feeds.remove(feed);
        if feed == "kev" {
            self.kev.clear();
        }
        if feed == "epss" {
            self.epss.clear();
        }
    }

    /// Records (or replaces) a feed's metadata.
    pub fn set_feed(&mut self, meta: FeedMeta) {
        self.feeds.insert(meta.name.clone(), meta);
    }

    /// The metadata of a feed already in the builder.
    pub fn feed(&self, name: &str) -> Option<&FeedMeta> {
        self.feeds.get(name)
    }

    /// Adds a KEV entry for a CVE.
    pub fn add_kev(&mut self, cve: &str, entry: KevEntry) {
        self.kev.insert(cve.to_owned(), entry);
    }

    /// Adds an EPSS score for a CVE.
    pub fn add_epss(&mut self, cve: &str, score: EpssScore) {
        self.epss.insert(cve.to_owned(), score);
    }

    /// Number of advisories collected.
    pub fn advisory_count(&self) -> usize {
        self.advisories.len()
    }

    /// Writes the database to `path` atomically and returns what it holds.
    pub fn write(self, path: &Path, built: &str) -> Result<Meta, DbError> {
        let (bytes, meta) = self.encode(built)?;
        write_atomically(path, &bytes)?;
        Ok(meta)
    }

    /// The whole file, in memory, and what it holds.
    pub fn encode(self, built: &str) -> Result<(Vec<u8>, Meta), DbError> {
        let entries: Vec<(String, Advisory)> = self.advisories.into_values().collect();
        let groups = vulnerability_ids(&entries);

        let mut advisory_data = Vec::new();
        let mut advisory_offsets = vec![0u64];
        let mut affected_data = Vec::new();
        let mut affected_offsets = vec![0u64];
        let mut packages: BTreeMap<Vec<u8>, Vec<u32>> = BTreeMap::new();
        let mut affected_count: u32 = 0;

        for (i, ((feed, advisory), (vulnerability, other_ids))) in
            entries.into_iter().zip(groups).enumerate()
        {
            let advisory_index = u32::try_from(i).map_err(|_| DbError::TooLarge)?;
            let mut affected_indices = Vec::with_capacity(advisory.affected.len());
            for affected in advisory.affected {
                // A source package's record is found by its own name and by the names of the
                // binary packages the source lists (what an image's package database holds).
                let names = std::iter::once(&affected.package).chain(affected.binaries.iter());
                let mut keys: Vec<Vec<u8>> = names
                    .map(|name| {
                        format::package_key(
                            affected.ecosystem.kind.osv_name(),
                            affected.ecosystem.release.as_deref(),
                            &affected.ecosystem.kind.normalise_name(name),
                        )
                    })
                    .collect();
                keys.sort();
                keys.dedup();
                for key in keys {
                    packages.entry(key).or_default().push(affected_count);
                }
                affected_indices.push(affected_count);
                let record = StoredAffected {
                    advisory: advisory_index,
                    affected,
                };
                affected_data.extend(postcard::to_allocvec(&record).map_err(DbError::encode)?);
                affected_offsets.push(affected_data.len() as u64);
                affected_count = affected_count.checked_add(1).ok_or(DbError::TooLarge)?;
            }
            let stored = StoredAdvisory {
                id: advisory.id,
                aliases: advisory.aliases,
                upstream: advisory.upstream,
                informational: advisory.informational,
                summary: advisory.summary,
                published: advisory.published,
                modified: advisory.modified,
                severity: advisory.severity,
                references: advisory.references,
                source: advisory.source,
                feed,
                vulnerability,
                other_ids,
                affected: affected_indices,
            };
            advisory_data.extend(postcard::to_allocvec(&stored).map_err(DbError::encode)?);
            advisory_offsets.push(advisory_data.len() as u64);
        }

        let package_count = packages.len() as u64;
        let mut package_table = TableBuilder::default();
        for (key, list) in packages {
            let value: Vec<u8> = list.iter().flat_map(|i| i.to_le_bytes()).collect();
            package_table.insert(key, value);
        }
        let package_blobs = package_table.finish().map_err(|_| DbError::TooLarge)?;

        let mut enrichment: BTreeMap<String, Enrichment> = BTreeMap::new();
        for (cve, kev) in self.kev {
            enrichment.entry(cve).or_default().kev = Some(kev);
        }
        for (cve, epss) in self.epss {
            enrichment.entry(cve).or_default().epss = Some(epss);
        }
        let enriched = enrichment.len() as u64;
        let mut enrichment_table = TableBuilder::default();
        for (cve, e) in enrichment {
            enrichment_table.insert(
                cve.into_bytes(),
                postcard::to_allocvec(&e).map_err(DbError::encode)?,
            );
        }
        let enrichment_blobs = enrichment_table.finish().map_err(|_| DbError::TooLarge)?;

        let meta = Meta {
            built: built.to_owned(),
            built_by: format!("harrier {}", env!("CARGO_PKG_VERSION")),
            feeds: self.feeds.into_values().collect(),
            advisories: (advisory_offsets.len() - 1) as u64,
            affected: u64::from(affected_count),
            packages: package_count,
            enriched,
        };
        let meta_bytes = postcard::to_allocvec(&meta).map_err(DbError::encode)?;
        let sections: Vec<(SectionKind, Vec<u8>)> = vec![
            (SectionKind::Meta, meta_bytes),
            (
                SectionKind::AdvisoryOffsets,
                offsets_bytes(&advisory_offsets),
            ),
            (SectionKind::AdvisoryData, advisory_data),
            (
                SectionKind::AffectedOffsets,
                offsets_bytes(&affected_offsets),
            ),
            (SectionKind::AffectedData, affected_data),
            (SectionKind::PackageKeys, package_blobs.keys),
            (SectionKind::PackageIndex, package_blobs.index),
            (SectionKind::PackageValues, package_blobs.values),
            (SectionKind::EnrichmentKeys, enrichment_blobs.keys),
            (SectionKind::EnrichmentIndex, enrichment_blobs.index),
            (SectionKind::EnrichmentValues, enrichment_blobs.values),
        ];
        Ok((layout(sections), meta))
    }
}

/// Whether `existing` was modified after `candidate`, so that it stays.
fn is_newer(existing: &Advisory, candidate: &Advisory) -> bool {
    match (&existing.modified, &candidate.modified) {
        (Some(a), Some(b)) => a > b,
        _ => false,
    }
}

fn offsets_bytes(offsets: &[u64]) -> Vec<u8> {
    offsets.iter().flat_map(|o| o.to_le_bytes()).collect()
}

fn layout(sections: Vec<(SectionKind, Vec<u8>)>) -> Vec<u8> {
    let header_len = 16 + 24 * sections.len();
    let total: usize =
        header_len + sections.iter().map(|(_, b)| b.len()).sum::<usize>() + format::FOOTER;
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(&format::MAGIC);
    out.extend_from_slice(&format::FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(sections.len() as u32).to_le_bytes());
    let mut offset = header_len as u64;
    for (kind, bytes) in &sections {
        out.extend_from_slice(&(*kind as u32).to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&offset.to_le_bytes());
        out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        offset += bytes.len() as u64;
    }
    for (_, bytes) in sections {
        out.extend_from_slice(&bytes);
    }
    let digest = Sha256::digest(&out);
    out.extend_from_slice(&digest);
    out
}

/// Writes `bytes` to a temporary file beside `path`, syncs it, and renames it over `path`:
/// readers see the old database or the new one, never half of one.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), DbError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| DbError::io(dir, e))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| DbError::io(dir, e))?;
    tmp.write_all(bytes)
        .map_err(|e| DbError::io(tmp.path(), e))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| DbError::io(tmp.path(), e))?;
    tmp.persist(path).map_err(|e| DbError::io(path, e.error))?;
    Ok(())
}

/// For each advisory (in order), the id its vulnerability is reported under and the other ids.
///
/// Advisories are linked when one names the other's id among its aliases, or when both name
/// the same CVE (`CVE-2024-1234`, `UBUNTU-CVE-2024-1234` and `DEBIAN-CVE-2024-1234` are the same
/// CVE). A notice that covers several CVEs (a DSA, a USN) is not a link between them: it stays
/// a vulnerability of its own, and matching folds it into per-CVE findings where they exist.
fn vulnerability_ids(entries: &[(String, Advisory)]) -> Vec<(String, Vec<String>)> {
    let mut sets = UnionFind::default();
    for (_, advisory) in entries {
        let ids: Vec<&str> = std::iter::once(advisory.id.as_str())
            .chain(advisory.aliases.iter().map(String::as_str))
            .collect();
        let cves: std::collections::BTreeSet<&str> =
            ids.iter().filter_map(|id| cve_of(id)).collect();
        if cves.len() > 1 {
            sets.find(&advisory.id);
            continue;
        }
        for id in &ids {
            sets.union(&advisory.id, id);
            if let Some(cve) = cve_of(id) {
                sets.union(&advisory.id, cve);
            }
        }
    }
    let mut members: HashMap<String, Vec<String>> = HashMap::new();
    for (_, advisory) in entries.iter().filter(|(_, a)| !is_notice(a)) {
        let ids = std::iter::once(&advisory.id).chain(advisory.aliases.iter());
        for id in ids {
            let root = sets.find(id);
            let list = members.entry(root).or_default();
            if !list.contains(id) {
                list.push(id.clone());
            }
            if let Some(cve) = cve_of(id) {
                if !list.iter().any(|x| x == cve) && sets.find(cve) == sets.find(&advisory.id) {
                    list.push(cve.to_owned());
                }
            }
        }
    }
    entries
        .iter()
        .map(|(_, advisory)| {
            if is_notice(advisory) {
                let mut others: Vec<String> = advisory
                    .aliases
                    .iter()
                    .chain(&advisory.upstream)
                    .filter(|id| **id != advisory.id)
                    .cloned()
                    .collect();
                others.sort();
                others.dedup();
                return (advisory.id.clone(), others);
            }
            let root = sets.find(&advisory.id);
            let mut ids = members.get(&root).cloned().unwrap_or_default();
            if ids.is_empty() {
                ids.push(advisory.id.clone());
            }
            ids.sort_by(|a, b| preference(a).cmp(&preference(b)).then(a.cmp(b)));
            let primary = ids.remove(0);
            (primary, ids)
        })
        .collect()
}

/// Whether an advisory is a notice covering several vulnerabilities (a DSA or USN naming more
/// than one CVE, by alias or upstream record) rather than one vulnerability.
fn is_notice(advisory: &Advisory) -> bool {
    let cves: std::collections::BTreeSet<&str> = std::iter::once(&advisory.id)
        .chain(&advisory.aliases)
        .chain(&advisory.upstream)
        .filter_map(|id| cve_of(id))
        .collect();
    cves.len() > 1 || (!advisory.upstream.is_empty() && cve_of(&advisory.id).is_none())
}

/// Which id a vulnerability is reported under: a plain CVE id first, then GitHub's, then the
/// rest.
fn preference(id: &str) -> u8 {
    if id.starts_with("CVE-") {
        0
    } else if id.starts_with("GHSA-") {
        1
    } else {
        2
    }
}

/// The CVE an id names: `CVE-2024-1234` itself, or the CVE inside a distro's per-CVE id
/// (`UBUNTU-CVE-2024-1234`, `DEBIAN-CVE-2024-1234`).
pub(crate) fn cve_of(id: &str) -> Option<&str> {
    let at = id.find("CVE-")?;
    let cve = &id[at..];
    let mut parts = cve.split('-').skip(1);
    let year_ok = parts
        .next()
        .is_some_and(|y| y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()));
    let num_ok = parts
        .next()
        .is_some_and(|n| n.len() >= 4 && n.bytes().all(|b| b.is_ascii_digit()));
    (year_ok && num_ok && parts.next().is_none() && (at == 0 || id[..at].ends_with('-')))
        .then_some(cve)
}

#[derive(Default)]
struct UnionFind {
    parent: HashMap<String, String>,
}

impl UnionFind {
    fn find(&mut self, id: &str) -> String {
        let mut root = id.to_owned();
        while let Some(parent) = self.parent.get(&root).filter(|p| **p != root) {
            root = parent.clone();
        }
        self.parent
            .entry(id.to_owned())
            .or_insert_with(|| root.clone());
        // Path compression keeps chains of aliases short.
        let mut node = id.to_owned();
        while node != root {
            let next = self
                .parent
                .get(&node)
                .cloned()
                .unwrap_or_else(|| root.clone());
            self.parent.insert(node, root.clone());
            node = next;
        }
        root
    }

    fn union(&mut self, a: &str, b: &str) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            // The smaller root wins, so the result does not depend on insertion order.
            let (winner, loser) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent.insert(loser, winner);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_cves_inside_distro_ids() {
        assert_eq!(cve_of("CVE-2024-1234"), Some("CVE-2024-1234"));
        assert_eq!(cve_of("UBUNTU-CVE-2024-12345"), Some("CVE-2024-12345"));
        assert_eq!(cve_of("GHSA-xxxx-yyyy-zzzz"), None);
        assert_eq!(cve_of("XCVE-2024-1234"), None);
        assert_eq!(cve_of("CVE-24-1"), None);
    }
}
