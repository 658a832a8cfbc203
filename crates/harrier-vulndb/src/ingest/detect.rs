//! Which feed format a file is in, from its name and its first bytes.
//!
//! Feeds are mixed freely in what users import (a directory holding OSV records next to a
//! README, a tarball of the RustSec repository), so detection is strict about what it claims and
//! says "not a feed" for everything else rather than trying a parser and reporting its error:
//!
//! - by extension first (`.json`, `.yaml`/`.yml`, `.md`, `.csv`, or none for the DSA/DLA lists);
//! - then by content: a JSON object's top-level keys (`id` for OSV, `vulnerabilities` and
//!   `catalogVersion` for KEV, `packages` and `distroversion` for secdb, and CVE-keyed objects
//!   under source package names for the Debian tracker export), a YAML document's root keys, a
//!   Markdown file's opening ```` ```toml ```` fence, a CSV header, a list's `[DD Mon YYYY] DSA-`
//!   header.

use std::fmt;

use serde::Deserialize;
use serde::de::{IgnoredAny, MapAccess, Visitor};

/// A feed format Harrier reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// An OSV record as JSON.
    OsvJson,
    /// An OSV record as YAML (the PyPA advisory database).
    OsvYaml,
    /// The Debian security tracker's DSA or DLA list.
    DebianList,
    /// The Debian security tracker's JSON export.
    DebianTrackerJson,
    /// An Alpine secdb file as YAML.
    AlpineSecdbYaml,
    /// An Alpine secdb file as JSON.
    AlpineSecdbJson,
    /// A native RustSec advisory (TOML front matter and Markdown).
    RustSec,
    /// The CISA KEV catalog as JSON.
    KevJson,
    /// The CISA KEV catalog as CSV.
    KevCsv,
    /// A FIRST EPSS scores file.
    EpssCsv,
}

impl Format {
    /// A short name for messages.
    pub fn name(self) -> &'static str {
        match self {
            Format::OsvJson => "OSV JSON",
            Format::OsvYaml => "OSV YAML",
            Format::DebianList => "Debian DSA/DLA list",
            Format::DebianTrackerJson => "Debian tracker JSON",
            Format::AlpineSecdbYaml => "Alpine secdb YAML",
            Format::AlpineSecdbJson => "Alpine secdb JSON",
            Format::RustSec => "RustSec advisory",
            Format::KevJson => "CISA KEV JSON",
            Format::KevCsv => "CISA KEV CSV",
            Format::EpssCsv => "EPSS CSV",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a file's name says it might be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Candidate {
    Json,
    Yaml,
    Markdown,
    Csv,
    /// No extension: the tracker's lists are called `list`.
    Bare,
}

/// The candidate for a file name (the last path component), or `None` for files no feed uses.
pub(super) fn candidate(name: &str) -> Option<Candidate> {
    let lower = name.to_ascii_lowercase();
    let extension = match lower.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext,
        _ => return Some(Candidate::Bare),
    };
    match extension {
        "json" => Some(Candidate::Json),
        "yaml" | "yml" => Some(Candidate::Yaml),
        "md" => Some(Candidate::Markdown),
        "csv" => Some(Candidate::Csv),
        _ => None,
    }
}

/// A Markdown file is a RustSec advisory when it opens with a TOML fence.
pub(super) fn is_rustsec(text: &str) -> bool {
    text.trim_start_matches('\u{feff}').starts_with("```toml")
}

/// A bare file is a DSA/DLA list when its first line is a list header.
pub(super) fn is_debian_list(text: &str) -> bool {
    let Some(first) = text.lines().find(|l| !l.trim().is_empty()) else {
        return false;
    };
    let Some(rest) = first.strip_prefix('[') else {
        return false;
    };
    rest.split_once("] ")
        .is_some_and(|(_, after)| after.starts_with("DSA-") || after.starts_with("DLA-"))
}

/// Which CSV feed a header line belongs to.
pub(super) fn csv_format(text: &str) -> Option<Format> {
    let first = text.trim_start_matches('\u{feff}').lines().next()?.trim();
    if first.starts_with("#model_version") || first.starts_with("cve,epss") {
        Some(Format::EpssCsv)
    } else if first.starts_with("cveID,") {
        Some(Format::KevCsv)
    } else {
        None
    }
}

/// Which JSON feed an object belongs to, judged by its top-level keys; `Ok(None)` when it is
/// valid JSON of no known feed.
pub(super) fn json_format(bytes: &[u8]) -> Result<Option<Format>, serde_json::Error> {
    let shape: Shape = serde_json::from_slice(bytes)?;
    Ok(
        if shape.has_id && (shape.has_affected || shape.has_modified) {
            Some(Format::OsvJson)
        } else if shape.has_vulnerabilities && shape.has_catalog_version {
            Some(Format::KevJson)
        } else if shape.has_packages && shape.has_distroversion {
            Some(Format::AlpineSecdbJson)
        } else if shape
            .first_nested_key
            .as_deref()
            .is_some_and(is_tracker_issue)
        {
            Some(Format::DebianTrackerJson)
        } else {
            None
        },
    )
}

/// Which YAML feed a document belongs to, judged by its root keys.
pub(super) fn yaml_format(root: &harrier_core::yaml::Node) -> Option<Format> {
    let map = root.as_map()?;
    if map.get("id").is_some() && (map.get("affected").is_some() || map.get("modified").is_some()) {
        Some(Format::OsvYaml)
    } else if map.get("packages").is_some() && map.get("distroversion").is_some() {
        Some(Format::AlpineSecdbYaml)
    } else {
        None
    }
}

/// Issue names in the tracker: `CVE-…` and `TEMP-…`.
fn is_tracker_issue(key: &str) -> bool {
    key.starts_with("CVE-") || key.starts_with("TEMP-")
}

/// The top-level keys that tell feeds apart, and the first key of the first nested object (the
/// tracker export's first issue).
#[derive(Debug, Default)]
struct Shape {
    has_id: bool,
    has_affected: bool,
    has_modified: bool,
    has_vulnerabilities: bool,
    has_catalog_version: bool,
    has_packages: bool,
    has_distroversion: bool,
    first_nested_key: Option<String>,
}

impl<'de> Deserialize<'de> for Shape {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Shape, D::Error> {
        deserializer.deserialize_any(ShapeVisitor)
    }
}

struct ShapeVisitor;

impl<'de> Visitor<'de> for ShapeVisitor {
    type Value = Shape;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON document")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shape, A::Error> {
        let mut shape = Shape::default();
        let mut first = true;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match key.as_ref() {
                "id" => shape.has_id = true,
                "affected" => shape.has_affected = true,
                "modified" => shape.has_modified = true,
                "vulnerabilities" => shape.has_vulnerabilities = true,
                "catalogVersion" => shape.has_catalog_version = true,
                "packages" => shape.has_packages = true,
                "distroversion" => shape.has_distroversion = true,
                _ if first => {
                    shape.first_nested_key = map.next_value::<FirstKey>()?.0;
                    first = false;
                    continue;
                }
                _ => {}
            }
            first = false;
            map.next_value::<IgnoredAny>()?;
        }
        Ok(shape)
    }

    // Any other JSON value is valid and of no feed.
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Shape, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Shape::default())
    }

    fn visit_bool<E>(self, _: bool) -> Result<Shape, E> {
        Ok(Shape::default())
    }

    fn visit_i64<E>(self, _: i64) -> Result<Shape, E> {
        Ok(Shape::default())
    }

    fn visit_u64<E>(self, _: u64) -> Result<Shape, E> {
        Ok(Shape::default())
    }

    fn visit_f64<E>(self, _: f64) -> Result<Shape, E> {
        Ok(Shape::default())
    }

    fn visit_str<E>(self, _: &str) -> Result<Shape, E> {
        Ok(Shape::default())
    }

    fn visit_unit<E>(self) -> Result<Shape, E> {
        Ok(Shape::default())
    }
}

/// The first key of an object (the rest is skipped), or `None` for any other value.
struct FirstKey(Option<String>);

impl<'de> Deserialize<'de> for FirstKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<FirstKey, D::Error> {
        struct FirstKeyVisitor;

        impl<'de> Visitor<'de> for FirstKeyVisitor {
            type Value = FirstKey;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FirstKey, A::Error> {
                let first = map.next_key::<String>()?;
                if first.is_some() {
                    map.next_value::<IgnoredAny>()?;
                }
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(FirstKey(first))
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<FirstKey, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(FirstKey(None))
            }

            fn visit_bool<E>(self, _: bool) -> Result<FirstKey, E> {
                Ok(FirstKey(None))
            }

            fn visit_i64<E>(self, _: i64) -> Result<FirstKey, E> {
                Ok(FirstKey(None))
            }

            fn visit_u64<E>(self, _: u64) -> Result<FirstKey, E> {
                Ok(FirstKey(None))
            }

            fn visit_f64<E>(self, _: f64) -> Result<FirstKey, E> {
                Ok(FirstKey(None))
            }

            fn visit_str<E>(self, _: &str) -> Result<FirstKey, E> {
                Ok(FirstKey(None))
            }

            fn visit_unit<E>(self) -> Result<FirstKey, E> {
                Ok(FirstKey(None))
            }
        }

        deserializer.deserialize_any(FirstKeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_shapes() {
        let f = |s: &str| json_format(s.as_bytes()).unwrap();
        assert_eq!(
            f(r#"{"schema_version": "1.6.0", "id": "GO-1", "modified": "x"}"#),
            Some(Format::OsvJson)
        );
        assert_eq!(
            f(r#"{"title": "t", "catalogVersion": "1", "vulnerabilities": []}"#),
            Some(Format::KevJson)
        );
        assert_eq!(
            f(r#"{"distroversion": "v3.20", "packages": []}"#),
            Some(Format::AlpineSecdbJson)
        );
        assert_eq!(
            f(r#"{"0ad": {"CVE-2020-0001": {"releases": {}}, "CVE-2": {}}, "zlib": {}}"#),
            Some(Format::DebianTrackerJson)
        );
        assert_eq!(f(r#"{"k8s-vulndb": "2023-09-22T00:01:46Z"}"#), None);
        assert_eq!(f(r#"[1, 2]"#), None);
        assert!(json_format(b"{").is_err());
    }

    #[test]
    fn names_and_first_lines() {
        assert_eq!(candidate("GO-2020-0001.json"), Some(Candidate::Json));
        assert_eq!(candidate("PYSEC-2021-76.YAML"), Some(Candidate::Yaml));
        assert_eq!(candidate("list"), Some(Candidate::Bare));
        assert_eq!(candidate(".hidden"), Some(Candidate::Bare));
        assert_eq!(candidate("logo.png"), None);
        assert!(is_debian_list(
            "[29 Mar 2023] DSA-5380-1 xorg-server - security update\n"
        ));
        assert!(!is_debian_list("CVE-2023-1 (foo)\n"));
        assert!(is_rustsec("```toml\n[advisory]\n"));
        assert_eq!(
            csv_format("#model_version:v2023.03.01,score_date:x\ncve,epss,percentile\n"),
            Some(Format::EpssCsv)
        );
        assert_eq!(csv_format("cveID,vendorProject\n"), Some(Format::KevCsv));
        assert_eq!(csv_format("a,b\n"), None);
    }
}
