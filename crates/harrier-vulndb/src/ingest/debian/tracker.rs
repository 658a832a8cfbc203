//! The tracker's JSON export (`https://security-tracker.debian.org/tracker/data/json`).
//!
//! ```json
//! {"openssl": {"CVE-2024-0727": {"description": "…", "scope": "local", "debianbug": 1061582,
//!   "releases": {"bookworm": {"status": "resolved", "repositories": {"bookworm": "3.0.11-1~deb12u2"},
//!     "fixed_version": "3.0.13-1~deb12u1", "urgency": "not yet assigned"},
//!    "sid": {"status": "open", "repositories": {"sid": "3.1.4-2"}, "urgency": "unimportant",
//!     "nodsa": "Minor issue", "nodsa_reason": "ignored"}}}}}
//! ```
//!
//! `bin/tracker_service.py` writes it: per source package and issue, per release the status
//! (`resolved`, `open` or `undetermined`), the fixed version when resolved, the urgency, and the
//! no-DSA comment and reason (`ignored`, `postponed`, or empty for a plain `<no-dsa>`); keys
//! whose value would be `null` are left out. The export is tens of megabytes, so it is read
//! with a streaming visitor that folds each issue into its advisory as it goes instead of
//! building a JSON tree first.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, Visitor};

use super::{Verdict, affected};
use crate::ingest::text::ParseError;
use crate::model::{Advisory, Source};

/// The advisories of one export, and the entries that could not be read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrackerOutput {
    /// One advisory per CVE (or `TEMP-` issue), ordered by id.
    pub advisories: Vec<Advisory>,
    /// Entries that were skipped (an unknown status).
    pub problems: Vec<ParseError>,
}

/// Reads the tracker's JSON export.
pub fn parse_tracker_json(bytes: &[u8]) -> Result<TrackerOutput, ParseError> {
    let mut collector = Collector::default();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    Packages(&mut collector)
        .deserialize(&mut de)
        .and_then(|()| de.end())
        .map_err(|e| ParseError::from_json(&e))?;
    Ok(TrackerOutput {
        advisories: collector.by_id.into_values().collect(),
        problems: collector.problems,
    })
}

#[derive(Debug, Deserialize)]
struct RawIssue {
    description: Option<String>,
    releases: Option<BTreeMap<String, RawRelease>>,
}

#[derive(Debug, Deserialize)]
struct RawRelease {
    status: Option<String>,
    fixed_version: Option<String>,
    urgency: Option<String>,
    nodsa_reason: Option<String>,
}

#[derive(Default)]
struct Collector {
    by_id: BTreeMap<String, Advisory>,
    problems: Vec<ParseError>,
}

impl Collector {
    fn add(&mut self, package: &str, issue: String, raw: RawIssue) {
        let mut entries = Vec::new();
        for (release, state) in raw.releases.unwrap_or_default() {
            match verdict(&state) {
                Ok(verdict) => entries.push(affected(
                    package,
                    &release,
                    &verdict,
                    state.urgency.as_deref(),
                )),
                Err(message) => self.problems.push(ParseError::whole_file(format!(
                    "`{package}` {issue} in {release}: {message}"
                ))),
            }
        }
        let advisory = self
            .by_id
            .entry(issue)
            .or_insert_with_key(|id| new_advisory(id, raw.description));
        advisory.affected.extend(entries);
    }
}

fn new_advisory(id: &str, description: Option<String>) -> Advisory {
    Advisory {
        id: id.to_owned(),
        aliases: Vec::new(),
        upstream: Vec::new(),
        summary: description.filter(|d| !d.trim().is_empty()),
        published: None,
        modified: None,
        severity: Vec::new(),
        affected: Vec::new(),
        references: vec![format!("https://security-tracker.debian.org/tracker/{id}")],
        source: Source::DebianTracker,
        informational: None,
    }
}

/// The tracker's state of one release, as a verdict.
fn verdict(state: &RawRelease) -> Result<Verdict, String> {
    match state.status.as_deref() {
        // A resolved entry without a version says the release is fine without naming a fix.
        Some("resolved") => Ok(state
            .fixed_version
            .as_deref()
            .map_or(Verdict::NotAffected, Verdict::fixed_in)),
        Some("open") => {
            let end_of_life = state.urgency.as_deref() == Some("end-of-life");
            let no_fix_planned =
                matches!(state.nodsa_reason.as_deref(), Some("ignored" | "postponed"));
            Ok(if end_of_life || no_fix_planned {
                Verdict::WillNotFix
            } else {
                Verdict::Unfixed
            })
        }
        Some("undetermined") => Ok(Verdict::Undetermined),
        Some(other) => Err(format!("unknown status `{other}`")),
        None => Err("no status".to_owned()),
    }
}

/// The top level: source package → issues.
struct Packages<'a>(&'a mut Collector);

impl<'de> DeserializeSeed<'de> for Packages<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Packages<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of source packages")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(package) = map.next_key::<String>()? {
            map.next_value_seed(Issues {
                package: &package,
                collector: self.0,
            })?;
        }
        Ok(())
    }
}

/// One source package: issue id → issue.
struct Issues<'a> {
    package: &'a str,
    collector: &'a mut Collector,
}

impl<'de> DeserializeSeed<'de> for Issues<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Issues<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of issues")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(issue) = map.next_key::<String>()? {
            let raw: RawIssue = map.next_value()?;
            self.collector.add(self.package, issue, raw);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Event, Status};

    #[test]
    fn one_advisory_per_issue_across_packages() {
        let json = br#"{
          "a": {"CVE-1": {"description": "d", "releases": {
              "bookworm": {"status": "resolved", "fixed_version": "1.2-1", "urgency": "low**"},
              "sid": {"status": "resolved", "fixed_version": "0", "urgency": "unimportant"}}}},
          "b": {"CVE-1": {"releases": {"bookworm": {"status": "open", "urgency": "end-of-life"}}},
                "TEMP-0000000-ABCDEF": {"releases": {"trixie": {"status": "undetermined"},
                                                    "sid": {"status": "fixed"}}}}
        }"#;
        let out = parse_tracker_json(json).unwrap();
        let ids: Vec<_> = out.advisories.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["CVE-1", "TEMP-0000000-ABCDEF"]);
        let cve = &out.advisories[0];
        assert_eq!(cve.summary.as_deref(), Some("d"));
        let seen: Vec<_> = cve
            .affected
            .iter()
            .map(|a| {
                (
                    a.package.as_str(),
                    a.ecosystem.to_string(),
                    a.status,
                    a.rating.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                ("a", "Debian:12".to_owned(), Status::Affected, Some("low")),
                (
                    "a",
                    "Debian:sid".to_owned(),
                    Status::NotAffected,
                    Some("unimportant")
                ),
                ("b", "Debian:12".to_owned(), Status::WillNotFix, None),
            ]
        );
        assert_eq!(
            cve.affected[0].ranges[0].events[1],
            Event::Fixed("1.2-1".into())
        );
        assert_eq!(out.advisories[1].affected[0].status, Status::Undetermined);
        assert_eq!(out.problems.len(), 1, "{:?}", out.problems);
    }

    #[test]
    fn no_dsa_reasons() {
        let open = |reason: Option<&str>| RawRelease {
            status: Some("open".into()),
            fixed_version: None,
            urgency: Some("low".into()),
            nodsa_reason: reason.map(str::to_owned),
        };
        assert_eq!(verdict(&open(None)), Ok(Verdict::Unfixed));
        assert_eq!(verdict(&open(Some(""))), Ok(Verdict::Unfixed));
        assert_eq!(verdict(&open(Some("ignored"))), Ok(Verdict::WillNotFix));
        assert_eq!(verdict(&open(Some("postponed"))), Ok(Verdict::WillNotFix));
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let err = parse_tracker_json(b"{\"a\": {\"CVE-1\": [}}").unwrap_err();
        assert_eq!(err.pos.map(|p| p.line), Some(1));
        assert!(parse_tracker_json(b"{} trailing").is_err());
    }
}
