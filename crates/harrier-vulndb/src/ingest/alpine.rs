//! Alpine's secdb: `secfixes` per package, as YAML (the old `alpine-secdb` repository) or JSON
//! (what `secdb.alpinelinux.org/<release>/<repo>.json` serves; the same schema).
//!
//! ```yaml
//! distroversion: v3.11
//! reponame: main
//! packages:
//!   - pkg:
//!       name: xen
//!       secfixes:
//!         4.13.0-r3:
//!           - CVE-2020-11740 XSA-313
//!         "0":
//!           - CVE-2016-0682
//! ```
//!
//! Each key is the package version that fixed the ids listed under it; the key `0` means the
//! package was never affected. One secdb file covers one release and repository. Entries are
//! free text in practice (`CVE-2017-8904 XSA-214`, `CVE-2018-16452 (SMB)`, `CVE_2019-2426`,
//! `CVE-2017-17434-1`), so [`entry_ids`] reads the ids out of them: the CVE is the primary id
//! and the others (`XSA-`, `TALOS-`, `ZBX-`…) become its aliases, so that one vulnerability is
//! one advisory and so one finding.
//!
//! The output is one advisory per (file, vulnerability), with one [`Affected`] per package for
//! the file's release. A vulnerability listed under several fixed versions of one package gets
//! one range per version: a version is affected while any of them holds it, which is the
//! highest fix, without ordering apk versions here.

use std::collections::HashMap;

use harrier_core::yaml::{self, Node, Schema};
use serde::Deserialize;

use super::text::ParseError;
use crate::model::{Advisory, Affected, Event, Range, RangeKind, Source, Status};
use crate::{Ecosystem, EcosystemKind};

/// The advisories of one secdb file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SecdbOutput {
    /// The release the file covers, normalised (`3.11`).
    pub release: String,
    /// One advisory per vulnerability, in order of first mention.
    pub advisories: Vec<Advisory>,
    /// Packages and entries that were skipped.
    pub problems: Vec<ParseError>,
}

/// Reads a secdb YAML file.
pub fn parse_yaml(text: &str) -> Result<SecdbOutput, ParseError> {
    let stream = yaml::parse_stream(text, Schema::Core);
    if let Some(problem) = stream.error {
        return Err(ParseError::at(problem.pos, problem.message));
    }
    match stream.documents.as_slice() {
        [document] => from_yaml_node(&document.root),
        [] => Err(ParseError::whole_file("the file holds no YAML document")),
        [_, second, ..] => Err(ParseError::at(
            second.start,
            "a secdb file is one YAML document",
        )),
    }
}

/// Reads a secdb file from an already parsed YAML document.
pub fn from_yaml_node(root: &Node) -> Result<SecdbOutput, ParseError> {
    let release = distro_version(
        root.get("distroversion").and_then(Node::as_str),
        root.pos.line,
    )?;
    let mut builder = Builder::new(release);
    let packages = match root.get("packages") {
        Some(node) if node.is_null() => &[][..],
        Some(node) => node
            .as_seq()
            .ok_or_else(|| ParseError::at(node.pos, "`packages` is not a list"))?,
        None => return Err(ParseError::at(root.pos, "no `packages` list")),
    };
    for node in packages {
        match yaml::de::from_node::<RawEntry>(node) {
            Ok(entry) => builder.add_package(entry.pkg),
            Err(e) => builder.problems.push(ParseError::from_yaml(&e)),
        }
    }
    Ok(builder.finish())
}

/// Reads a secdb JSON file.
pub fn parse_json(bytes: &[u8]) -> Result<SecdbOutput, ParseError> {
    let raw: RawJsonFile = serde_json::from_slice(bytes).map_err(|e| ParseError::from_json(&e))?;
    let release = distro_version(raw.distroversion.as_deref(), 1)?;
    let mut builder = Builder::new(release);
    for (index, value) in raw.packages.unwrap_or_default().into_iter().enumerate() {
        match serde_json::from_value::<RawEntry>(value) {
            Ok(entry) => builder.add_package(entry.pkg),
            Err(e) => builder
                .problems
                .push(ParseError::whole_file(format!("packages[{index}]: {e}"))),
        }
    }
    Ok(builder.finish())
}

#[derive(Debug, Deserialize)]
struct RawJsonFile {
    distroversion: Option<String>,
    packages: Option<Vec<serde_json::Value>>,
}

/// Fixed version → entries, in file order.
type Secfixes = Vec<(String, Option<Vec<String>>)>;

#[derive(Debug, Deserialize)]
struct RawEntry {
    pkg: RawPackage,
}

#[derive(Debug, Deserialize)]
struct RawPackage {
    name: String,
    /// Fixed version → entries, in file order (a `Vec` of pairs keeps it).
    #[serde(default, deserialize_with = "ordered_map")]
    secfixes: Secfixes,
}

/// `distroversion: v3.11` → `3.11`.
fn distro_version(value: Option<&str>, line: u32) -> Result<String, ParseError> {
    let value = value
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| ParseError::at_line(line, "no `distroversion`"))?;
    let ecosystem = Ecosystem::with_release(EcosystemKind::Alpine, value);
    ecosystem.release.ok_or_else(|| {
        ParseError::at_line(line, format!("`distroversion: {value}` names no release"))
    })
}

/// Builds advisories keyed by their primary id.
struct Builder {
    release: String,
    advisories: Vec<Advisory>,
    index: HashMap<String, usize>,
    problems: Vec<ParseError>,
}

impl Builder {
    fn new(release: String) -> Builder {
        Builder {
            release,
            advisories: Vec::new(),
            index: HashMap::new(),
            problems: Vec::new(),
        }
    }

    fn add_package(&mut self, package: RawPackage) {
        for (version, entries) in package.secfixes {
            for entry in entries.unwrap_or_default() {
                let ids = entry_ids(&entry);
                for token in &ids.unknown {
                    self.problems.push(ParseError::whole_file(format!(
                        "`{}` {version}: `{token}` in `{entry}` is not an advisory id",
                        package.name
                    )));
                }
                if ids.ids.is_empty() && ids.unknown.is_empty() {
                    self.problems.push(ParseError::whole_file(format!(
                        "`{}` {version}: `{entry}` names no advisory id",
                        package.name
                    )));
                }
                self.add(&package.name, &version, ids.ids);
            }
        }
    }

    fn add(&mut self, package: &str, version: &str, ids: Vec<String>) {
        let mut ids = ids.into_iter();
        let Some(primary) = ids.next() else { return };
        let slot = *self.index.entry(primary.clone()).or_insert_with(|| {
            self.advisories.push(new_advisory(primary));
            self.advisories.len() - 1
        });
        let Some(advisory) = self.advisories.get_mut(slot) else {
            unreachable!("the index only holds positions of pushed advisories")
        };
        for alias in ids {
            if alias != advisory.id && !advisory.aliases.contains(&alias) {
                advisory.aliases.push(alias);
            }
        }
        let range = (version != "0").then(|| fixed_range(version));
        match advisory.affected.iter_mut().find(|a| a.package == package) {
            Some(existing) => {
                if let Some(range) = range {
                    existing.ranges.push(range);
                    // A fix listed anywhere means the package was affected after all.
                    existing.status = Status::Affected;
                }
            }
            None => advisory.affected.push(Affected {
                ecosystem: Ecosystem::with_release(EcosystemKind::Alpine, &self.release),
                package: package.to_owned(),
                binaries: Vec::new(),
                status: if range.is_some() {
                    Status::Affected
                } else {
                    Status::NotAffected
                },
                ranges: range.into_iter().collect(),
                versions: Vec::new(),
                rating: None,
            }),
        }
    }

    fn finish(self) -> SecdbOutput {
        SecdbOutput {
            release: self.release,
            advisories: self.advisories,
            problems: self.problems,
        }
    }
}

fn new_advisory(id: String) -> Advisory {
    Advisory {
        id,
        aliases: Vec::new(),
        upstream: Vec::new(),
        summary: None,
        published: None,
        modified: None,
        severity: Vec::new(),
        affected: Vec::new(),
        references: Vec::new(),
        source: Source::AlpineSecdb,
        informational: None,
    }
}

fn fixed_range(version: &str) -> Range {
    Range {
        kind: RangeKind::Ecosystem,
        events: vec![
            Event::Introduced("0".to_owned()),
            Event::Fixed(version.to_owned()),
        ],
    }
}

/// The ids one secfixes entry names.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct EntryIds {
    /// Ids, the primary (a CVE when there is one) first.
    pub ids: Vec<String>,
    /// Words with digits that are not ids (perhaps mangled ones), reported.
    pub unknown: Vec<String>,
}

/// Reads the ids out of a secfixes entry: `CVE-2017-8904 XSA-214` → `CVE-2017-8904`, `XSA-214`.
///
/// A CVE keeps its `CVE-YYYY-NNNN` part: `CVE-2017-17434-1` (the first of two fixes) and
/// `CVE-2017-8073.patch` name `CVE-2017-17434` and `CVE-2017-8073`, and the typos
/// `CVE_2019-2426` and `CVE 2018-16859` name `CVE-2019-2426` and `CVE-2018-16859`. The
/// placeholder `CVE-????-?????` names nothing. A parenthesis starts a note
/// (`CVE-2018-16452 (SMB)`), and words without digits are notes too (`XSA-254 XPTI`).
pub fn entry_ids(entry: &str) -> EntryIds {
    let mut cves = Vec::new();
    let mut others = Vec::new();
    let mut unknown = Vec::new();
    let mut tokens = entry.split_whitespace().peekable();
    while let Some(token) = tokens.next() {
        if token.starts_with('(') {
            break;
        }
        if token == "CVE" {
            if let Some(cve) = tokens
                .peek()
                .and_then(|next| cve_id(&format!("CVE-{next}")))
            {
                cves.push(cve);
                tokens.next();
            }
            continue;
        }
        if let Some(cve) = cve_id(token) {
            cves.push(cve);
        } else if is_placeholder(token) || !token.bytes().any(|b| b.is_ascii_digit()) {
            continue;
        } else if is_other_id(token) {
            others.push(token.to_owned());
        } else {
            unknown.push(token.to_owned());
        }
    }
    let mut ids = Vec::with_capacity(cves.len() + others.len());
    for id in cves.into_iter().chain(others) {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    EntryIds { ids, unknown }
}

fn cve_id(token: &str) -> Option<String> {
    let rest = token
        .strip_prefix("CVE-")
        .or_else(|| token.strip_prefix("CVE_"))?;
    let year = rest
        .get(..4)
        .filter(|y| y.bytes().all(|b| b.is_ascii_digit()))?;
    let number = rest.get(4..)?.strip_prefix('-')?;
    let digits = number.bytes().take_while(u8::is_ascii_digit).count();
    (digits >= 4).then(|| format!("CVE-{year}-{}", number.get(..digits).unwrap_or_default()))
}

fn is_placeholder(token: &str) -> bool {
    token.starts_with("CVE-") && token.contains('?')
}

/// `XSA-214`, `TALOS-2017-0499`, `ZBX-11023`, `wnpa-sec-2017-21`, `GHSA-…`: letters, then
/// dash-separated parts, with a digit somewhere.
fn is_other_id(token: &str) -> bool {
    let mut parts = token.split('-');
    let head_ok = parts.next().is_some_and(|h| {
        h.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && h.chars().all(|c| c.is_ascii_alphanumeric())
    });
    let rest: Vec<&str> = parts.collect();
    head_ok
        && !rest.is_empty()
        && rest
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric()))
        && token.bytes().any(|b| b.is_ascii_digit())
}

/// Deserializes a map into pairs in document order.
fn ordered_map<'de, D>(deserializer: D) -> Result<Secfixes, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct PairsVisitor;

    impl<'de> serde::de::Visitor<'de> for PairsVisitor {
        type Value = Secfixes;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a mapping of fixed versions to lists of ids")
        }

        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }

        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }

        fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_map(PairsVisitor)
        }

        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut pairs = Vec::new();
            while let Some(pair) = map.next_entry()? {
                pairs.push(pair);
            }
            Ok(pairs)
        }
    }

    deserializer.deserialize_option(PairsVisitor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_out_of_free_text() {
        let ids = |e: &str| entry_ids(e).ids;
        assert_eq!(ids("CVE-2017-8904 XSA-214"), ["CVE-2017-8904", "XSA-214"]);
        assert_eq!(ids("XSA-214 CVE-2017-8904"), ["CVE-2017-8904", "XSA-214"]);
        assert_eq!(ids("XSA-207"), ["XSA-207"]);
        assert_eq!(ids("CVE-2017-17434-1"), ["CVE-2017-17434"]);
        assert_eq!(ids("CVE_2019-2426"), ["CVE-2019-2426"]);
        assert_eq!(ids("CVE-2017-8073.patch"), ["CVE-2017-8073"]);
        assert_eq!(ids("CVE-????-?????  XSA-295"), ["XSA-295"]);
        assert_eq!(
            ids("CVE-2018-10105 (SMB - too unreliably reproduced)"),
            ["CVE-2018-10105"]
        );
        assert_eq!(ids("wnpa-sec-2017-21"), ["wnpa-sec-2017-21"]);
        assert_eq!(ids("CVE 2018-16859"), ["CVE-2018-16859"]);
        assert_eq!(
            ids("CVE-2017-5753 XSA-254 XPTI"),
            ["CVE-2017-5753", "XSA-254"]
        );
        assert_eq!(entry_ids("fixed in 1.2.x").unknown, ["1.2.x"]);
        assert_eq!(entry_ids("fixed upstream"), EntryIds::default());
    }

    #[test]
    fn one_advisory_per_vulnerability_and_zero_means_not_affected() {
        let yaml = r#"---
distroversion: v3.8
reponame: main
packages:
  - pkg:
      name: db
      secfixes:
        "0":
        - CVE-2016-0682
  - pkg:
      name: xen
      secfixes:
        4.10.1-r0:
          - CVE-2018-8897  XSA-260
        4.10.0-r2:
          - CVE-2018-8897 XSA-260
          - XSA-207
  - pkg:
      name: qemu
      secfixes:
        2.12.0-r3:
          - CVE-2018-8897
  - pkg:
      name: empty
      secfixes:
"#;
        let out = parse_yaml(yaml).unwrap();
        assert_eq!(out.release, "3.8");
        assert_eq!(out.problems, []);
        let ids: Vec<_> = out.advisories.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["CVE-2016-0682", "CVE-2018-8897", "XSA-207"]);
        let db = &out.advisories[0].affected[0];
        assert_eq!(
            (db.package.as_str(), db.status, db.ranges.len()),
            ("db", Status::NotAffected, 0)
        );
        let cve = &out.advisories[1];
        assert_eq!(cve.aliases, ["XSA-260"]);
        assert_eq!(cve.affected.len(), 2);
        assert_eq!(cve.affected[0].ranges.len(), 2, "one range per listed fix");
        assert_eq!(cve.affected[0].ecosystem.to_string(), "Alpine:3.8");
        assert_eq!(
            cve.affected[1].ranges[0].events[1],
            Event::Fixed("2.12.0-r3".into())
        );
    }

    #[test]
    fn json_has_the_same_schema() {
        let json = br#"{"apkurl": "{{urlprefix}}/{{distroversion}}/{{reponame}}/{{arch}}/{{pkg.name}}-{{pkg.ver}}.apk",
          "archs": ["x86_64"], "reponame": "main", "urlprefix": "https://dl-cdn.alpinelinux.org/alpine",
          "distroversion": "v3.20",
          "packages": [{"pkg": {"name": "aom", "secfixes": {"3.1.1-r0": ["CVE-2021-30473"]}}},
                       {"pkg": {"secfixes": {}}}]}"#;
        let out = parse_json(json).unwrap();
        assert_eq!(out.release, "3.20");
        assert_eq!(
            out.advisories[0].affected[0].ecosystem.to_string(),
            "Alpine:3.20"
        );
        assert_eq!(
            out.problems.len(),
            1,
            "the package without a name is reported"
        );
    }

    #[test]
    fn a_bad_package_is_reported_at_its_line() {
        let yaml = "distroversion: v3.3\npackages:\n  - pkg:\n      name: a\n      secfixes:\n        1-r0: [{x: 1}]\n  - pkg:\n      name: b\n      secfixes:\n        1-r0: [CVE-2020-1234]\n";
        let out = parse_yaml(yaml).unwrap();
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].pos.map(|p| p.line), Some(6));
        assert_eq!(out.advisories.len(), 1);
    }
}
