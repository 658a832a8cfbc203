//! Frameworks as data: one YAML file per framework under `frameworks/`, embedded in the binary
//! and read with harrier-core's position-keeping YAML reader, so a mistake in a file is reported
//! as `frameworks/cis.yaml:12:5: …` by the tests that load them all.
//!
//! A file names the framework (`id`, `name`, `version`, `url`), its `sections` and its
//! `controls`. Each control carries the standard's own id and title, the section it sits in,
//! and either the Harrier checks that evidence it (`checks`) or `manual: true` when nothing
//! Harrier reads can. Which checks exist is not known here (the catalogue is assembled by the
//! binary); the crate's tests hold every reference against the catalogue, the RBAC risk
//! primitives and the node benchmark table.

use std::collections::HashSet;
use std::fmt;
use std::sync::OnceLock;

use harrier_core::Pos;
use harrier_core::yaml::{self, Schema};
use serde::Deserialize;

use crate::Error;

/// The embedded framework files, by id, in the order `harrier report frameworks` lists them.
pub const SOURCES: &[(&str, &str)] = &[
    ("cis", include_str!("../frameworks/cis.yaml")),
    ("nsa", include_str!("../frameworks/nsa.yaml")),
    ("mitre", include_str!("../frameworks/mitre.yaml")),
    (
        "ms-threat-matrix",
        include_str!("../frameworks/ms-threat-matrix.yaml"),
    ),
    ("pci-dss", include_str!("../frameworks/pci-dss.yaml")),
    ("hipaa", include_str!("../frameworks/hipaa.yaml")),
    ("soc2", include_str!("../frameworks/soc2.yaml")),
    (
        "nist-800-53",
        include_str!("../frameworks/nist-800-53.yaml"),
    ),
];

/// A compliance framework: its controls, grouped in sections.
#[derive(Debug, Clone)]
pub struct Framework {
    /// The id `--framework` takes, such as `cis`.
    pub id: String,
    /// The standard's name.
    pub name: String,
    /// The version of the standard the file transcribes.
    pub version: String,
    /// Where the standard is published.
    pub url: String,
    /// Sections, in the standard's order.
    pub sections: Vec<Section>,
    /// Controls, in the standard's order.
    pub controls: Vec<Control>,
}

/// A section of a framework.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// The section's id, such as `5.2` or `CC6`.
    pub id: String,
    /// Its title.
    pub title: String,
}

/// One control of a framework.
#[derive(Debug, Clone)]
pub struct Control {
    /// The standard's id, such as `5.2.2`, `T1611` or `164.312(b)`.
    pub id: String,
    /// The standard's title.
    pub title: String,
    /// The id of its section.
    pub section: String,
    /// The Harrier checks that evidence it; empty when it is manual.
    pub checks: Vec<CheckRef>,
    /// Nothing Harrier reads can evidence it: a person must.
    pub manual: bool,
    /// Where the control is written in its file.
    pub pos: Pos,
}

/// A reference from a control to something Harrier evaluates.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CheckRef {
    /// A catalogue check (`HRR-POD-001`, the derived image checks `HRR-IMG-…`) or an RBAC risk
    /// primitive (`HRR-RBAC-R001`).
    Check(String),
    /// A node benchmark item by its CIS id, written `node:1.2.1`.
    Node(String),
}

impl CheckRef {
    /// Reads `HRR-…` or `node:<id>`.
    pub fn parse(text: &str) -> Option<CheckRef> {
        if let Some(id) = text.strip_prefix("node:") {
            let ok = !id.is_empty()
                && id
                    .split('.')
                    .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
            return ok.then(|| CheckRef::Node(id.to_owned()));
        }
        let is_risk = text
            .strip_prefix("HRR-RBAC-R")
            .is_some_and(|n| n.len() == 3 && n.bytes().all(|b| b.is_ascii_digit()));
        (is_risk || harrier_core::CheckId::is_well_formed(text))
            .then(|| CheckRef::Check(text.to_owned()))
    }

    /// Whether it names an RBAC risk primitive (`HRR-RBAC-R…`).
    pub fn is_rbac_risk(&self) -> bool {
        matches!(self, CheckRef::Check(id) if id.starts_with("HRR-RBAC-R"))
    }
}

impl fmt::Display for CheckRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckRef::Check(id) => f.write_str(id),
            CheckRef::Node(id) => write!(f, "node:{id}"),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFramework {
    id: String,
    name: String,
    version: String,
    url: String,
    sections: Vec<Section>,
    controls: Vec<RawControl>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawControl {
    id: String,
    title: String,
    section: String,
    #[serde(default)]
    checks: Vec<String>,
    #[serde(default)]
    manual: bool,
}

impl Framework {
    /// Reads a framework file. `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Framework, Error> {
        let at = |pos: Pos, message: String| Error::Framework {
            file: file.to_owned(),
            line: pos.line,
            column: pos.column,
            message,
        };
        let root = yaml::parse_single(text, Schema::Core).map_err(|p| at(p.pos, p.message))?;
        let raw: RawFramework = yaml::de::from_node(&root).map_err(|e| {
            at(
                e.pos.unwrap_or(root.pos),
                e.message.trim_end_matches('.').to_owned(),
            )
        })?;
        let control_nodes = root
            .get("controls")
            .and_then(|c| c.as_seq())
            .unwrap_or_default();
        let sections: HashSet<&str> = raw.sections.iter().map(|s| s.id.as_str()).collect();
        let mut seen = HashSet::new();
        let mut controls = Vec::with_capacity(raw.controls.len());
        for (i, c) in raw.controls.into_iter().enumerate() {
            let node = control_nodes.get(i);
            let pos = node.map_or(root.pos, |n| n.pos);
            let field_pos = |key: &str| node.and_then(|n| n.get(key)).map_or(pos, |n| n.pos);
            if !seen.insert(c.id.clone()) {
                return Err(at(pos, format!("control `{}` is listed twice", c.id)));
            }
            if !sections.contains(c.section.as_str()) {
                return Err(at(
                    field_pos("section"),
                    format!(
                        "control `{}` names an unknown section `{}`",
                        c.id, c.section
                    ),
                ));
            }
            if c.manual != c.checks.is_empty() {
                return Err(at(
                    pos,
                    format!(
                        "control `{}` must have either `checks` or `manual: true`",
                        c.id
                    ),
                ));
            }
            let mut checks = Vec::with_capacity(c.checks.len());
            for (j, text) in c.checks.iter().enumerate() {
                let Some(r) = CheckRef::parse(text) else {
                    let p = node
                        .and_then(|n| n.get("checks"))
                        .and_then(|n| n.as_seq())
                        .and_then(|s| s.get(j))
                        .map_or(pos, |n| n.pos);
                    return Err(at(
                        p,
                        format!("`{text}` is neither a check id (`HRR-…`) nor `node:<id>`"),
                    ));
                };
                if checks.contains(&r) {
                    return Err(at(
                        field_pos("checks"),
                        format!("control `{}` lists `{text}` twice", c.id),
                    ));
                }
                checks.push(r);
            }
            controls.push(Control {
                id: c.id,
                title: c.title,
                section: c.section,
                checks,
                manual: c.manual,
                pos,
            });
        }
        if raw.id.is_empty() || controls.is_empty() {
            return Err(at(
                root.pos,
                "a framework needs an id and controls".to_owned(),
            ));
        }
        Ok(Framework {
            id: raw.id,
            name: raw.name,
            version: raw.version,
            url: raw.url,
            sections: raw.sections,
            controls,
        })
    }

    /// The title of a section.
    pub fn section_title(&self, id: &str) -> Option<&str> {
        self.sections
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.title.as_str())
    }

    /// Controls that Harrier can evidence (not manual).
    pub fn automatable(&self) -> usize {
        self.controls.iter().filter(|c| !c.manual).count()
    }
}

/// Every embedded framework, parsed once. A file that does not parse is an error naming it (the
/// tests make sure none does).
pub fn all() -> Result<&'static [Framework], Error> {
    static ALL: OnceLock<Result<Vec<Framework>, Error>> = OnceLock::new();
    ALL.get_or_init(|| {
        SOURCES
            .iter()
            .map(|(id, text)| {
                let file = format!("crates/harrier-compliance/frameworks/{id}.yaml");
                let fw = Framework::parse(&file, text)?;
                if fw.id != *id {
                    return Err(Error::Framework {
                        file,
                        line: 1,
                        column: 1,
                        message: format!("the file declares id `{}`", fw.id),
                    });
                }
                Ok(fw)
            })
            .collect()
    })
    .as_ref()
    .map(Vec::as_slice)
    .map_err(Clone::clone)
}

/// The framework with this id.
pub fn get(id: &str) -> Result<&'static Framework, Error> {
    all()?
        .iter()
        .find(|f| f.id == id)
        .ok_or_else(|| Error::UnknownFramework {
            name: id.to_owned(),
            known: SOURCES
                .iter()
                .map(|(id, _)| *id)
                .collect::<Vec<_>>()
                .join(", "),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_framework_parses() {
        let all = all().map_err(|e| e.to_string());
        assert!(all.is_ok(), "{all:?}");
    }

    #[test]
    fn errors_name_file_and_position() {
        let text = "id: x\nname: X\nversion: \"1\"\nurl: u\nsections:\n  - id: a\n    title: A\ncontrols:\n  - id: c1\n    title: C\n    section: b\n    manual: true\n";
        let err = Framework::parse("x.yaml", text)
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert_eq!(
            err,
            Err("x.yaml:11:14: control `c1` names an unknown section `b`".to_owned())
        );
        let text = text.replace(
            "section: b\n    manual: true",
            "section: a\n    checks: [\"nope\"]",
        );
        let err = Framework::parse("x.yaml", &text)
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert_eq!(
            err,
            Err("x.yaml:12:14: `nope` is neither a check id (`HRR-…`) nor `node:<id>`".to_owned())
        );
        let err = Framework::parse("x.yaml", "id: [")
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert!(
            matches!(&err, Err(e) if e.starts_with("x.yaml:2:1: ")),
            "{err:?}"
        );
    }

    #[test]
    fn check_refs() {
        assert_eq!(
            CheckRef::parse("node:1.2.1"),
            Some(CheckRef::Node("1.2.1".into()))
        );
        assert_eq!(
            CheckRef::parse("HRR-RBAC-R001"),
            Some(CheckRef::Check("HRR-RBAC-R001".into()))
        );
        assert!(CheckRef::parse("HRR-RBAC-R001").is_some_and(|r| r.is_rbac_risk()));
        assert_eq!(CheckRef::parse("node:"), None);
        assert_eq!(CheckRef::parse("node:1.x"), None);
        assert_eq!(CheckRef::parse("CIS-1.2"), None);
    }
}
