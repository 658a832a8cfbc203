//! Matching a package version against the database, with the evidence for every match.
//!
//! A query names an ecosystem (and distro release), a package, a version and, for distro
//! binary packages, the source package they were built from (Debian and Ubuntu key their
//! advisories by source package). Each affected record found is evaluated exactly as the OSV
//! specification says: events sorted by version, `introduced` opens a range, `fixed` and
//! `last_affected` close it, `limit` bounds it, and explicit `versions` lists match as they are.
//! Ranges of type `GIT`, and `ECOSYSTEM` ranges of ecosystems whose scheme Harrier does not
//! know, cannot be evaluated from a version and are reported as such, never guessed.
//!
//! Matches of advisories that describe the same vulnerability are merged, so that one
//! vulnerability is one match, and a distro notice that covers several CVEs (a DSA, a USN) is
//! folded into the per-CVE matches when those exist.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use harrier_core::Severity;
use serde::Serialize;

use crate::db::build::cve_of;
use crate::db::{Database, DbError, EpssScore, KevEntry, StoredAdvisory};
use crate::model::{Event, Range, RangeKind, Status};
use crate::severity::{self, Rated};
use crate::version::Parsed;
use crate::{Ecosystem, Scheme, VersionError};

/// What to look up.
#[derive(Debug, Clone)]
pub struct Query<'a> {
    /// Ecosystem and, for distros, release.
    pub ecosystem: Ecosystem,
    /// Package name.
    pub package: &'a str,
    /// Installed version.
    pub version: &'a str,
    /// The source package a distro binary package was built from, when known.
    pub source_package: Option<&'a str>,
}

/// Why a lookup could not be made.
#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    /// The queried version is not valid in the ecosystem's scheme.
    #[error(transparent)]
    InvalidVersion(#[from] VersionError),
    /// The database could not be read.
    #[error(transparent)]
    Database(#[from] DbError),
}

/// Everything a lookup found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// Vulnerabilities affecting the version, most severe first.
    pub matches: Vec<Match>,
    /// Advisories whose distro says this package is not affected.
    pub not_affected: Vec<Verdict>,
    /// Advisories about the package that could not be evaluated against a version.
    pub unevaluated: Vec<Verdict>,
}

/// An advisory the lookup did not turn into a match, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// The advisory id.
    pub advisory: String,
    /// Why.
    pub reason: String,
}

/// One vulnerability affecting the queried version.
#[derive(Debug, Clone, Serialize)]
pub struct Match {
    /// The id the vulnerability goes by (a CVE id when it has one).
    pub id: String,
    /// Every other id of it (GHSA, PYSEC, GO, RUSTSEC, DSA, USN…).
    pub aliases: Vec<String>,
    /// Summary, from the first advisory that has one.
    pub summary: Option<String>,
    /// Severity, from CVSS when scored, else the source's rating.
    pub severity: Option<Severity>,
    /// CVSS base score.
    pub score: Option<f64>,
    /// The CVSS vector scored.
    pub cvss: Option<String>,
    /// The distro's verdict (`affected`, `unfixed`, `will_not_fix`, `undetermined`).
    pub status: Status,
    /// Versions that fix it, lowest first (empty when no fix is published).
    pub fixed: Vec<String>,
    /// Why it matched: the advisory records and the ranges or versions that matched.
    pub evidence: Vec<Evidence>,
    /// CISA KEV entry, when the vulnerability is known to be exploited.
    pub kev: Option<KevEntry>,
    /// EPSS score.
    pub epss: Option<EpssScore>,
    /// Advisory URLs.
    pub references: Vec<String>,
    /// Set when the advisories report something other than a vulnerability (an unmaintained
    /// or unsound crate): worth knowing, not a vulnerability to fix.
    pub informational: Option<crate::model::Informational>,
}

/// One advisory record behind a match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// The advisory id.
    pub advisory: String,
    /// The feed it came from.
    pub feed: String,
    /// Ecosystem and release of the record.
    pub ecosystem: String,
    /// The package name in the record (the source package for distro records keyed by it).
    pub package: String,
    /// What matched: the range (`introduced 2.0.0, fixed 2.3.1`) or the listed version.
    pub matched: String,
    /// The version scheme used to compare.
    pub scheme: String,
}

/// Looks up every vulnerability affecting `query`.
pub fn lookup(db: &Database, query: &Query<'_>) -> Result<Report, LookupError> {
    let scheme = query.ecosystem.scheme();
    if let Some(scheme) = scheme {
        scheme.validate(query.version)?;
    }
    let mut indices = db.affected_indices(&query.ecosystem, query.package)?;
    if let Some(source) = query.source_package.filter(|s| *s != query.package) {
        indices.extend(db.affected_indices(&query.ecosystem, source)?);
    }
    indices.sort_unstable();
    indices.dedup();

    let mut installed = Installed::new(query.version);
    let mut report = Report::default();
    let mut hits: Vec<(StoredAdvisory, Evidence, Vec<String>, Status)> = Vec::new();
    for index in indices {
        let record = db.stored_affected(index as usize)?;
        let advisory = db.stored_advisory(record.advisory as usize)?;
        let affected = &record.affected;
        if affected.status == Status::NotAffected {
            report.not_affected.push(Verdict {
                advisory: advisory.id.clone(),
                reason: format!(
                    "{} says `{}` is not affected",
                    affected.ecosystem, affected.package
                ),
            });
            continue;
        }
        match evaluate(scheme, &mut installed, &affected.ranges, &affected.versions) {
            Outcome::Affected {
                matched,
                fixed,
                scheme,
            } => {
                let evidence = Evidence {
                    advisory: advisory.id.clone(),
                    feed: advisory.feed.clone(),
                    ecosystem: affected.ecosystem.to_string(),
                    package: affected.package.clone(),
                    matched,
                    scheme: scheme.map_or("exact", Scheme::name).to_owned(),
                };
                hits.push((advisory, evidence, fixed, affected.status));
            }
            Outcome::Unaffected => {}
            Outcome::Unevaluable(reason) => report.unevaluated.push(Verdict {
                advisory: advisory.id.clone(),
                reason,
            }),
        }
    }
    report.matches = merge(db, hits)?;
    Ok(report)
}

enum Outcome {
    Affected {
        matched: String,
        fixed: Vec<String>,
        scheme: Option<Scheme>,
    },
    Unaffected,
    Unevaluable(String),
}

/// The queried version, parsed once per scheme it is compared in (the ecosystem's, and the
/// SemVer flavour of `SEMVER` ranges), since one lookup compares it with every bound of every
/// range of the package.
struct Installed<'a> {
    text: &'a str,
    parsed: Vec<(Scheme, Parsed)>,
}

impl<'a> Installed<'a> {
    fn new(text: &'a str) -> Installed<'a> {
        Installed {
            text,
            parsed: Vec::with_capacity(2),
        }
    }

    fn parsed(&mut self, scheme: Scheme) -> Result<&Parsed, VersionError> {
        let at = match self.parsed.iter().position(|(s, _)| *s == scheme) {
            Some(at) => at,
            None => {
                let parsed = scheme.parse(self.text)?;
                self.parsed.push((scheme, parsed));
                self.parsed.len() - 1
            }
        };
        // `at` is an index this vector just gave or just grew to.
        Ok(&self.parsed[at].1)
    }
}

/// Evaluates one affected record: listed versions first, then each range.
fn evaluate(
    scheme: Option<Scheme>,
    installed: &mut Installed<'_>,
    ranges: &[Range],
    versions: &[String],
) -> Outcome {
    let listed = versions.iter().find(|listed| {
        // Listed versions are compared as published first: some feeds list strings their
        // scheme does not parse (7% of PyPI's are not PEP 440), which can only match exactly.
        **listed == installed.text
            || scheme.is_some_and(|s| match (s.parse(listed), installed.parsed(s)) {
                (Ok(l), Ok(i)) => l.compare(i) == Some(Ordering::Equal),
                _ => false,
            })
    });
    if let Some(listed) = listed {
        // The ranges still say which versions fix it.
        let mut fixed = Vec::new();
        for range in ranges {
            let range_scheme = match range.kind {
                RangeKind::Semver => Some(semver_flavour(scheme)),
                RangeKind::Ecosystem => scheme,
                RangeKind::Git => None,
            };
            if let Some(s) = range_scheme {
                if let Ok(parsed) = installed.parsed(s) {
                    fixed.extend(fixes_after(s, parsed, &range.events));
                }
            }
        }
        return Outcome::Affected {
            matched: format!("version {listed} is listed as affected"),
            fixed,
            scheme,
        };
    }
    // GIT ranges and ranges of unknown schemes are reported only when nothing else about the
    // package could be evaluated: OSV records often carry a GIT range next to the ECOSYSTEM
    // range that is authoritative for packages.
    let mut unevaluable = None;
    let mut evaluated = !versions.is_empty();
    for range in ranges {
        let range_scheme = match range.kind {
            // A SEMVER range is compared as SemVer, but read the way the ecosystem writes
            // versions (Go's `v` prefix, npm's leading `v`).
            RangeKind::Semver => Some(semver_flavour(scheme)),
            RangeKind::Ecosystem => scheme,
            RangeKind::Git => {
                unevaluable
                    .get_or_insert_with(|| "a GIT range needs the repository's history".to_owned());
                continue;
            }
        };
        let Some(range_scheme) = range_scheme else {
            unevaluable.get_or_insert_with(|| {
                "the ecosystem's version scheme is not known to Harrier".to_owned()
            });
            continue;
        };
        let parsed = match installed.parsed(range_scheme) {
            Ok(p) => p,
            Err(e) => {
                unevaluable.get_or_insert_with(|| {
                    format!("the installed version cannot be read here: {e}")
                });
                continue;
            }
        };
        match in_range(range_scheme, parsed, &range.events) {
            Ok(true) => {
                let fixed = fixes_after(range_scheme, parsed, &range.events);
                return Outcome::Affected {
                    matched: describe(&range.events),
                    fixed,
                    scheme: Some(range_scheme),
                };
            }
            Ok(false) => evaluated = true,
            Err(e) => {
                unevaluable.get_or_insert_with(|| format!("the range has an invalid bound: {e}"));
            }
        }
    }
    match unevaluable {
        Some(reason) if !evaluated => Outcome::Unevaluable(reason),
        _ => Outcome::Unaffected,
    }
}

/// The SemVer scheme for a `SEMVER` range of an ecosystem: the ecosystem's own SemVer reading
/// when it has one, else strict SemVer 2.0.
fn semver_flavour(scheme: Option<Scheme>) -> Scheme {
    match scheme {
        Some(s @ (Scheme::Go | Scheme::Npm | Scheme::Cargo | Scheme::Semver)) => s,
        _ => Scheme::Semver,
    }
}

/// The OSV evaluation of one range: sort the events by version (`0` before everything; at
/// equal versions, `introduced` first), then walk them: `introduced` at or below the version
/// opens, `fixed` at or below closes, `last_affected` below closes, `limit` at or below
/// closes and stops.
fn in_range(scheme: Scheme, installed: &Parsed, events: &[Event]) -> Result<bool, VersionError> {
    let mut bounds: Vec<(Option<Parsed>, &Event)> = Vec::with_capacity(events.len());
    for event in events {
        let parsed = match (event, event.version()) {
            (Event::Introduced(_), "0") => None,
            (_, v) => Some(scheme.parse(v)?),
        };
        bounds.push((parsed, event));
    }
    bounds.sort_by(|(a, ea), (b, eb)| {
        let ordering = match (a, b) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(x), Some(y)) => x.compare(y).unwrap_or(Ordering::Equal),
        };
        ordering.then_with(|| rank(ea).cmp(&rank(eb)))
    });
    let mut affected = false;
    for (bound, event) in &bounds {
        let cmp = match bound {
            None => Ordering::Greater,
            Some(b) => installed.compare(b).unwrap_or(Ordering::Less),
        };
        match event {
            Event::Introduced(_) if cmp != Ordering::Less => affected = true,
            Event::Fixed(_) if cmp != Ordering::Less => affected = false,
            Event::LastAffected(_) if cmp == Ordering::Greater => affected = false,
            Event::Limit(_) if cmp != Ordering::Less => return Ok(false),
            _ => {}
        }
    }
    Ok(affected)
}

fn rank(event: &Event) -> u8 {
    match event {
        Event::Introduced(_) => 0,
        Event::LastAffected(_) => 1,
        Event::Fixed(_) => 2,
        Event::Limit(_) => 3,
    }
}

/// The range's fixed versions above the installed one, lowest first.
fn fixes_after(scheme: Scheme, installed: &Parsed, events: &[Event]) -> Vec<String> {
    let mut fixed: Vec<(Parsed, &str)> = events
        .iter()
        .filter_map(|e| match e {
            Event::Fixed(v) => {
                let parsed = scheme.parse(v).ok()?;
                (parsed.compare(installed) == Some(Ordering::Greater))
                    .then_some((parsed, v.as_str()))
            }
            _ => None,
        })
        .collect();
    fixed.sort_by(|(a, _), (b, _)| a.compare(b).unwrap_or(Ordering::Equal));
    let mut out: Vec<String> = fixed.into_iter().map(|(_, v)| v.to_owned()).collect();
    out.dedup();
    out
}

fn describe(events: &[Event]) -> String {
    let parts: Vec<String> = events
        .iter()
        .map(|e| match e {
            Event::Introduced(v) => format!("introduced {v}"),
            Event::Fixed(v) => format!("fixed {v}"),
            Event::LastAffected(v) => format!("last affected {v}"),
            Event::Limit(v) => format!("limit {v}"),
        })
        .collect();
    parts.join(", ")
}

/// One match per vulnerability, most severe first.
fn merge(
    db: &Database,
    hits: Vec<(StoredAdvisory, Evidence, Vec<String>, Status)>,
) -> Result<Vec<Match>, DbError> {
    let mut by_vulnerability: BTreeMap<String, (Match, Option<Rated>)> = BTreeMap::new();
    for (advisory, evidence, fixed, status) in hits {
        let rated = severity::rate(&advisory.severity);
        let entry = by_vulnerability
            .entry(advisory.vulnerability.clone())
            .or_insert_with(|| {
                (
                    Match {
                        id: advisory.vulnerability.clone(),
                        aliases: Vec::new(),
                        summary: None,
                        severity: None,
                        score: None,
                        cvss: None,
                        status,
                        fixed: Vec::new(),
                        evidence: Vec::new(),
                        kev: None,
                        epss: None,
                        references: Vec::new(),
                        informational: advisory.informational.clone(),
                    },
                    None,
                )
            });
        let (m, best) = entry;
        for id in std::iter::once(&advisory.id).chain(&advisory.other_ids) {
            if *id != m.id && !m.aliases.contains(id) {
                m.aliases.push(id.clone());
            }
        }
        if m.summary.is_none() {
            m.summary = advisory.summary.clone();
        }
        if status != Status::Affected {
            m.status = status;
        }
        for f in fixed {
            if !m.fixed.contains(&f) {
                m.fixed.push(f);
            }
        }
        for r in advisory.references.iter().take(3) {
            if !m.references.contains(r) {
                m.references.push(r.clone());
            }
        }
        // A RustSec advisory read from both its native file and its OSV export gives the same
        // evidence twice.
        if !m.evidence.contains(&evidence) {
            m.evidence.push(evidence);
        }
        if let Some(rated) = rated {
            let better = best.as_ref().is_none_or(|b| {
                (rated.score.is_some(), rated.severity) > (b.score.is_some(), b.severity)
            });
            if better {
                *best = Some(rated);
            }
        }
    }
    let mut matches: Vec<Match> = by_vulnerability
        .into_values()
        .map(|(mut m, rated)| {
            if let Some(r) = rated {
                m.severity = Some(r.severity);
                m.score = r.score;
                m.cvss = r.vector;
            }
            m
        })
        .collect();
    fold_notices(&mut matches);
    for m in &mut matches {
        let cves: Vec<String> = std::iter::once(&m.id)
            .chain(&m.aliases)
            .filter_map(|id| cve_of(id).map(str::to_owned))
            .collect();
        for cve in cves {
            if let Some(e) = db.enrichment(&cve)? {
                m.kev = m.kev.take().or(e.kev);
                m.epss = match (m.epss, e.epss) {
                    (Some(a), Some(b)) if b.score > a.score => Some(b),
                    (None, b) => b,
                    (a, _) => a,
                };
            }
        }
    }
    matches.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.id.cmp(&b.id)));
    Ok(matches)
}

/// Folds notices (a DSA or USN naming CVEs without being one) into the per-CVE matches of the
/// same lookup: when every CVE a notice names is already a match, the notice adds its id and
/// evidence to them instead of being a finding of its own.
fn fold_notices(matches: &mut Vec<Match>) {
    let is_notice = |m: &Match| {
        cve_of(&m.id).is_none() && m.aliases.iter().filter(|a| cve_of(a).is_some()).count() > 1
    };
    let mut i = 0;
    while i < matches.len() {
        if !is_notice(&matches[i]) {
            i += 1;
            continue;
        }
        let cves: Vec<String> = matches[i]
            .aliases
            .iter()
            .filter_map(|a| cve_of(a).map(str::to_owned))
            .collect();
        let covered = cves.iter().all(|cve| {
            matches
                .iter()
                .enumerate()
                .any(|(j, m)| j != i && (m.id == *cve || m.aliases.contains(cve)))
        });
        if !covered {
            i += 1;
            continue;
        }
        let notice = matches.remove(i);
        for m in matches.iter_mut() {
            if cves.iter().any(|c| m.id == *c || m.aliases.contains(c)) {
                if !m.aliases.contains(&notice.id) {
                    m.aliases.push(notice.id.clone());
                }
                m.evidence.extend(notice.evidence.iter().cloned());
                for f in &notice.fixed {
                    if !m.fixed.contains(f) {
                        m.fixed.push(f.clone());
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(spec: &[(&str, &str)]) -> Vec<Event> {
        spec.iter()
            .map(|(k, v)| match *k {
                "i" => Event::Introduced((*v).to_owned()),
                "f" => Event::Fixed((*v).to_owned()),
                "l" => Event::LastAffected((*v).to_owned()),
                _ => Event::Limit((*v).to_owned()),
            })
            .collect()
    }

    fn affected(version: &str, events: &[Event]) -> bool {
        let installed = Scheme::Semver.parse(version).unwrap();
        in_range(Scheme::Semver, &installed, events).unwrap()
    }

    #[test]
    fn evaluates_osv_ranges() {
        let fixed = ev(&[("i", "0"), ("f", "1.2.0")]);
        assert!(affected("1.1.9", &fixed));
        assert!(!affected("1.2.0", &fixed));
        let last = ev(&[("i", "1.0.0"), ("l", "1.4.0")]);
        assert!(!affected("0.9.0", &last));
        assert!(affected("1.4.0", &last));
        assert!(!affected("1.4.1", &last));
        // Several windows, published out of order.
        let windows = ev(&[
            ("i", "2.0.0"),
            ("f", "2.1.0"),
            ("i", "1.0.0"),
            ("f", "1.0.5"),
        ]);
        assert!(affected("1.0.4", &windows));
        assert!(!affected("1.5.0", &windows));
        assert!(affected("2.0.3", &windows));
        assert!(!affected("2.1.0", &windows));
        // A limit bounds an open range.
        let limited = ev(&[("i", "0"), ("lim", "3.0.0")]);
        assert!(affected("2.9.9", &limited));
        assert!(!affected("3.0.0", &limited));
        // Prereleases order before their release.
        assert!(affected("1.2.0-rc.1", &fixed));
        let installed = Scheme::Semver.parse("1.0.0").unwrap();
        assert_eq!(
            fixes_after(Scheme::Semver, &installed, &windows),
            ["1.0.5", "2.1.0"]
        );
    }

    #[test]
    fn invalid_bounds_make_a_range_unevaluable() {
        let installed = Scheme::Semver.parse("1.0.0").unwrap();
        assert!(
            in_range(
                Scheme::Semver,
                &installed,
                &ev(&[("i", "0"), ("f", "not-semver")])
            )
            .is_err()
        );
    }
}
