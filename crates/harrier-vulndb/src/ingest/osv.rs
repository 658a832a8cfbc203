//! OSV records (schema 1.6, and the 1.7 fields Ubuntu publishes), as JSON or as YAML.
//!
//! One record is one advisory. The reader keeps what matching and reporting need and drops the
//! rest (`details`, `credits`, Go's vulnerable symbols): ids and aliases, the `upstream` ids a
//! distro notice was derived from, CVSS vectors and the ecosystem's own rating, and per package
//! the ranges, the explicit `versions` list, the binary packages a distro source package builds
//! (Ubuntu's `ecosystem_specific.binaries`, in both of the shapes Ubuntu has used) and the
//! distro's priority or urgency.
//!
//! Withdrawn records (`withdrawn` set) are returned as [`Record::Withdrawn`] so that an import
//! can count them and drop an earlier copy, never as advisories.
//!
//! YAML records (the PyPA advisory database) are read through [`harrier_core::yaml`] with the
//! YAML 1.2 core schema and deserialized straight from the spanned tree, so a value of the wrong
//! type is reported at its line. Values are strict: a version written as a bare number (`1.10`,
//! which YAML reads as the float 1.1) is an error, never a guess at what was meant.

use harrier_core::yaml::{self, Node, Schema};
use serde::Deserialize;
use serde_json::Value;

use super::text::ParseError;
use crate::Ecosystem;
use crate::model::{
    Advisory, Affected, Event, Range, RangeKind, ScoreKind, SeverityScore, Source, Status,
};

/// What one OSV document holds.
// Records are handed on one at a time, never stored side by side, so the size difference
// between the variants costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    /// A live advisory.
    Advisory(Advisory),
    /// A withdrawn advisory: skipped, and counted by id.
    Withdrawn {
        /// The record's id.
        id: String,
    },
}

/// A record and the parts of it that were dropped with a reason (an unknown range type).
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The record.
    pub record: Record,
    /// Soft problems: the record was kept without the part named.
    pub problems: Vec<ParseError>,
}

/// At most this many reference URLs are kept per advisory, most useful first.
pub const MAX_REFERENCES: usize = 8;

/// Reads one OSV record from JSON.
pub fn parse_json(bytes: &[u8]) -> Result<Parsed, ParseError> {
    let raw: RawRecord = serde_json::from_slice(bytes).map_err(|e| ParseError::from_json(&e))?;
    convert(raw)
}

/// Reads one OSV record from YAML text (one document).
pub fn parse_yaml(text: &str) -> Result<Parsed, ParseError> {
    let stream = yaml::parse_stream(text, Schema::Core);
    if let Some(problem) = stream.error {
        return Err(ParseError::at(problem.pos, problem.message));
    }
    match stream.documents.as_slice() {
        [document] => from_yaml_node(&document.root),
        [] => Err(ParseError::whole_file("the file holds no YAML document")),
        [_, second, ..] => Err(ParseError::at(
            second.start,
            "an OSV record is one YAML document; this file holds several",
        )),
    }
}

/// Reads one OSV record from an already parsed YAML document.
pub fn from_yaml_node(node: &Node) -> Result<Parsed, ParseError> {
    let raw: RawRecord = yaml::de::from_node(node).map_err(|e| ParseError::from_yaml(&e))?;
    convert(raw)
}

#[derive(Debug, Deserialize)]
struct RawRecord {
    id: String,
    modified: Option<String>,
    published: Option<String>,
    withdrawn: Option<String>,
    aliases: Option<Vec<String>>,
    upstream: Option<Vec<String>>,
    summary: Option<String>,
    severity: Option<Vec<RawSeverity>>,
    affected: Option<Vec<RawAffected>>,
    references: Option<Vec<RawReference>>,
    database_specific: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct RawSeverity {
    #[serde(rename = "type")]
    kind: String,
    score: String,
}

#[derive(Debug, Deserialize)]
struct RawAffected {
    package: Option<RawPackage>,
    severity: Option<Vec<RawSeverity>>,
    ranges: Option<Vec<RawRange>>,
    versions: Option<Vec<String>>,
    ecosystem_specific: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct RawPackage {
    ecosystem: String,
    name: String,
}

#[derive(Debug, Deserialize)]
struct RawRange {
    #[serde(rename = "type")]
    kind: String,
    events: Vec<RawEvent>,
}

#[derive(Debug, Deserialize)]
struct RawEvent {
    introduced: Option<String>,
    fixed: Option<String>,
    last_affected: Option<String>,
    limit: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RawReference {
    #[serde(rename = "type")]
    kind: Option<String>,
    url: String,
}

fn convert(raw: RawRecord) -> Result<Parsed, ParseError> {
    if raw.id.trim().is_empty() {
        return Err(ParseError::whole_file("the record's `id` is empty"));
    }
    if raw.withdrawn.is_some() {
        return Ok(Parsed {
            record: Record::Withdrawn { id: raw.id },
            problems: Vec::new(),
        });
    }
    let mut problems = Vec::new();
    let mut severity = Vec::new();
    push_scores(&mut severity, raw.severity.unwrap_or_default());
    if let Some(rating) = raw
        .database_specific
        .as_ref()
        .and_then(|d| string_at(d, "severity"))
    {
        push_unique(
            &mut severity,
            SeverityScore {
                kind: ScoreKind::Rating,
                value: rating.to_owned(),
            },
        );
    }
    let mut affected = Vec::new();
    for (index, mut raw_affected) in raw.affected.unwrap_or_default().into_iter().enumerate() {
        push_scores(
            &mut severity,
            raw_affected.severity.take().unwrap_or_default(),
        );
        if let Some(entry) = convert_affected(raw_affected, index, &mut problems)? {
            affected.push(entry);
        }
    }
    let aliases = unique_ids(raw.aliases.unwrap_or_default(), &raw.id);
    let upstream = unique_ids(raw.upstream.unwrap_or_default(), &raw.id);
    let advisory = Advisory {
        aliases,
        upstream,
        summary: raw.summary.filter(|s| !s.trim().is_empty()),
        published: raw.published,
        modified: raw.modified,
        severity,
        affected,
        references: useful_references(raw.references.unwrap_or_default()),
        source: Source::Osv,
        informational: None,
        id: raw.id,
    };
    Ok(Parsed {
        record: Record::Advisory(advisory),
        problems,
    })
}

/// An `affected` entry, or `None` for one without a package (a bare `GIT` range, which a
/// package lookup can never reach).
fn convert_affected(
    raw: RawAffected,
    index: usize,
    problems: &mut Vec<ParseError>,
) -> Result<Option<Affected>, ParseError> {
    let Some(package) = raw.package else {
        return Ok(None);
    };
    let mut ranges = Vec::new();
    for raw_range in raw.ranges.unwrap_or_default() {
        let Some(kind) = range_kind(&raw_range.kind) else {
            problems.push(ParseError::whole_file(format!(
                "affected[{index}] (`{}`): unknown range type `{}` dropped",
                package.name, raw_range.kind
            )));
            continue;
        };
        let events = raw_range
            .events
            .into_iter()
            .map(|e| convert_event(e, index))
            .collect::<Result<Vec<_>, _>>()?;
        ranges.push(Range { kind, events });
    }
    let specific = raw.ecosystem_specific.unwrap_or(Value::Null);
    Ok(Some(Affected {
        ecosystem: Ecosystem::parse_osv(&package.ecosystem),
        package: package.name,
        binaries: binary_names(&specific),
        ranges,
        versions: raw.versions.unwrap_or_default(),
        status: Status::Affected,
        rating: distro_rating(&specific),
    }))
}

fn range_kind(name: &str) -> Option<RangeKind> {
    match name {
        "ECOSYSTEM" => Some(RangeKind::Ecosystem),
        "SEMVER" => Some(RangeKind::Semver),
        "GIT" => Some(RangeKind::Git),
        _ => None,
    }
}

fn convert_event(raw: RawEvent, index: usize) -> Result<Event, ParseError> {
    let events = [
        raw.introduced.map(Event::Introduced),
        raw.fixed.map(Event::Fixed),
        raw.last_affected.map(Event::LastAffected),
        raw.limit.map(Event::Limit),
    ];
    let mut set = events.into_iter().flatten();
    match (set.next(), set.next()) {
        (Some(event), None) => Ok(event),
        (None, _) => Err(ParseError::whole_file(format!(
            "affected[{index}]: a range event names none of `introduced`, `fixed`, `last_affected`, `limit`"
        ))),
        (Some(_), Some(_)) => Err(ParseError::whole_file(format!(
            "affected[{index}]: a range event names more than one of `introduced`, `fixed`, `last_affected`, `limit`"
        ))),
    }
}

/// Adds the scores OSV defines (and Ubuntu's own priority type); other types are dropped
/// because nothing could interpret them.
fn push_scores(into: &mut Vec<SeverityScore>, raw: Vec<RawSeverity>) {
    for score in raw {
        let kind = match score.kind.as_str() {
            "CVSS_V2" => ScoreKind::CvssV2,
            "CVSS_V3" => ScoreKind::CvssV3,
            "CVSS_V4" => ScoreKind::CvssV4,
            "Ubuntu" => ScoreKind::Rating,
            _ => continue,
        };
        push_unique(
            into,
            SeverityScore {
                kind,
                value: score.score,
            },
        );
    }
}

fn push_unique<T: PartialEq>(into: &mut Vec<T>, item: T) {
    if !into.contains(&item) {
        into.push(item);
    }
}

fn unique_ids(ids: Vec<String>, own: &str) -> Vec<String> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if id != own && !id.trim().is_empty() {
            push_unique(&mut out, id);
        }
    }
    out
}

fn string_at<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key)?.as_str().filter(|s| !s.trim().is_empty())
}

/// Binary package names from `ecosystem_specific.binaries`. Ubuntu has written it two ways:
/// `[{"binary_name": "sudo", "binary_version": "…"}]` (USN records, schema 1.7) and
/// `[{"sudo": "…", "sudo-ldap": "…"}]` (CVE records, schema 1.6).
fn binary_names(specific: &Value) -> Vec<String> {
    let mut names = Vec::new();
    let Some(items) = specific.get("binaries").and_then(Value::as_array) else {
        return names;
    };
    for item in items {
        let Some(map) = item.as_object() else {
            continue;
        };
        match map.get("binary_name").and_then(Value::as_str) {
            Some(name) => push_unique(&mut names, name.to_owned()),
            None => {
                for name in map.keys() {
                    push_unique(&mut names, name.clone());
                }
            }
        }
    }
    names
}

/// The distro's own rating of this package: Ubuntu's priority or Debian's urgency.
fn distro_rating(specific: &Value) -> Option<String> {
    let rating =
        string_at(specific, "ubuntu_priority").or_else(|| string_at(specific, "urgency"))?;
    // Debian writes "not yet assigned" where there is no rating.
    (rating != "not yet assigned").then(|| rating.to_owned())
}

/// Reference URLs, advisories and fixes first, capped at [`MAX_REFERENCES`].
fn useful_references(raw: Vec<RawReference>) -> Vec<String> {
    let rank = |kind: Option<&str>| match kind {
        Some("ADVISORY") => 0,
        Some("FIX") => 1,
        Some("REPORT") => 2,
        Some("WEB") | Some("ARTICLE") => 3,
        _ => 4,
    };
    let mut refs: Vec<(u8, String)> = raw
        .into_iter()
        .filter(|r| !r.url.trim().is_empty())
        .map(|r| (rank(r.kind.as_deref()), r.url))
        .collect();
    refs.sort_by_key(|(rank, _)| *rank);
    let mut out = Vec::new();
    for (_, url) in refs {
        if out.len() == MAX_REFERENCES {
            break;
        }
        push_unique(&mut out, url);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::EcosystemKind;

    fn advisory(parsed: Parsed) -> Advisory {
        match parsed.record {
            Record::Advisory(a) => a,
            Record::Withdrawn { id } => panic!("{id} is withdrawn"),
        }
    }

    #[test]
    fn reads_ranges_versions_and_scores() {
        let json = br#"{
          "id": "GHSA-xxxx", "aliases": ["CVE-1", "GHSA-xxxx", "CVE-1"],
          "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N"}, {"type": "X", "score": "?"}],
          "database_specific": {"severity": "MODERATE"},
          "affected": [{
            "package": {"ecosystem": "npm", "name": "left-pad"},
            "ranges": [{"type": "SEMVER", "events": [
              {"introduced": "0"}, {"fixed": "1.2.0"}, {"introduced": "2.0.0"}, {"last_affected": "2.1.0"}]}],
            "versions": ["1.0.0"]
          }, {"ranges": [{"type": "GIT", "repo": "r", "events": [{"introduced": "abc"}]}]}]
        }"#;
        let a = advisory(parse_json(json).unwrap());
        assert_eq!(a.aliases, ["CVE-1"]);
        assert_eq!(a.severity.len(), 2);
        assert_eq!(
            a.severity[1],
            SeverityScore {
                kind: ScoreKind::Rating,
                value: "MODERATE".into()
            }
        );
        assert_eq!(a.affected.len(), 1, "a package-less GIT entry is dropped");
        let r = &a.affected[0].ranges[0];
        assert_eq!(r.kind, RangeKind::Semver);
        assert_eq!(r.events[3], Event::LastAffected("2.1.0".into()));
        assert_eq!(a.affected[0].ecosystem.kind, EcosystemKind::Npm);
    }

    #[test]
    fn withdrawn_records_are_not_advisories() {
        let parsed = parse_json(br#"{"id": "GO-1", "withdrawn": "2024-01-01T00:00:00Z"}"#).unwrap();
        assert_eq!(parsed.record, Record::Withdrawn { id: "GO-1".into() });
    }

    #[test]
    fn both_shapes_of_ubuntu_binaries() {
        let new = serde_json::json!({"binaries": [{"binary_name": "sudo", "binary_version": "1"},
                                                  {"binary_name": "sudo-ldap", "binary_version": "1"}]});
        assert_eq!(binary_names(&new), ["sudo", "sudo-ldap"]);
        let old = serde_json::json!({"binaries": [{"sudo": "1", "sudo-ldap": "1"}], "ubuntu_priority": "medium"});
        assert_eq!(binary_names(&old), ["sudo", "sudo-ldap"]);
        assert_eq!(distro_rating(&old).as_deref(), Some("medium"));
    }

    #[test]
    fn malformed_events_are_errors() {
        let two = br#"{"id": "X", "affected": [{"package": {"ecosystem": "PyPI", "name": "a"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0", "fixed": "1"}]}]}]}"#;
        assert!(
            parse_json(two)
                .unwrap_err()
                .message
                .contains("more than one")
        );
        let unknown = br#"{"id": "X", "affected": [{"package": {"ecosystem": "PyPI", "name": "a"},
            "ranges": [{"type": "DATE", "events": []}]}]}"#;
        let parsed = parse_json(unknown).unwrap();
        assert_eq!(parsed.problems.len(), 1);
        assert!(advisory(parsed).affected[0].ranges.is_empty());
    }

    #[test]
    fn yaml_numbers_are_not_versions() {
        let yaml = "id: PYSEC-1\naffected:\n- package: {name: a, ecosystem: PyPI}\n  versions:\n  - 1.10\n";
        let err = parse_yaml(yaml).unwrap_err();
        assert_eq!(err.pos.map(|p| p.line), Some(5), "{err}");
        let yaml = "id: PYSEC-1\naffected:\n- package: {name: a, ecosystem: PyPI}\n  versions:\n  - '1.10'\n";
        assert_eq!(
            advisory(parse_yaml(yaml).unwrap()).affected[0].versions,
            ["1.10"]
        );
    }
}
