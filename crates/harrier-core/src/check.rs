//! Check metadata: the one place a check's id, title, severity, references and documentation
//! are written down.
//!
//! Every check, built-in or loaded from data later, is described by a [`CheckMeta`]. Findings
//! carry only the [`CheckId`]; reports, `harrier checks list`, the generated docs and SARIF
//! `rules[]` all read the same metadata, so they cannot disagree.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::Severity;

/// A stable check identifier of the form `HRR-<AREA>-<NNN>`, such as `HRR-POD-001`.
///
/// Ids are never reused or renamed. They are `&'static str` because every check's metadata is a
/// constant; ids typed by users are resolved against the [`Catalog`](crate::Catalog) instead of
/// being turned into new `CheckId`s, so a typo is an error rather than an id that matches nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CheckId(&'static str);

impl CheckId {
    /// Wraps a constant id. Well-formedness is enforced by the catalog tests, not here, so that
    /// this stays usable in `const` items.
    pub const fn from_static(id: &'static str) -> CheckId {
        CheckId(id)
    }

    /// The id as text.
    pub fn as_str(self) -> &'static str {
        self.0
    }

    /// The `<AREA>` part of `HRR-<AREA>-<NNN>`.
    pub fn area(self) -> &'static str {
        self.0.split('-').nth(1).unwrap_or("")
    }

    /// Whether `text` has the shape `HRR-<AREA>-<NNN>`: an area of 2 to 6 capital letters and a
    /// three-digit number.
    pub fn is_well_formed(text: &str) -> bool {
        let mut parts = text.split('-');
        let (Some("HRR"), Some(area), Some(num), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return false;
        };
        (2..=6).contains(&area.len())
            && area.bytes().all(|b| b.is_ascii_uppercase())
            && num.len() == 3
            && num.bytes().all(|b| b.is_ascii_digit())
    }
}

impl fmt::Display for CheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl Serialize for CheckId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0)
    }
}

/// Where a check stands in its life, with the Harrier version of the change (as ruff and Falco's
/// maturity tags do), so users can tell a settled check from one still being tuned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckStatus {
    /// Settled semantics; changes are bug fixes.
    Stable {
        /// Version it became stable in.
        since: &'static str,
    },
    /// Runs by default, but its semantics may still change.
    Preview {
        /// Version it was added in.
        since: &'static str,
    },
    /// Still runs; will be removed. The docs name the replacement.
    Deprecated {
        /// Version it was deprecated in.
        since: &'static str,
    },
    /// No longer runs; kept so its id is never reused.
    Removed {
        /// Version it was removed in.
        since: &'static str,
    },
}

impl CheckStatus {
    /// The lowercase status name.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Stable { .. } => "stable",
            CheckStatus::Preview { .. } => "preview",
            CheckStatus::Deprecated { .. } => "deprecated",
            CheckStatus::Removed { .. } => "removed",
        }
    }

    /// Whether a check in this status is evaluated.
    pub fn is_active(self) -> bool {
        !matches!(self, CheckStatus::Removed { .. })
    }
}

/// What a check reads, so `harrier checks list` can say which scans run it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputKind {
    /// Each pod template (Pod, Deployment, CronJob…) with its containers.
    PodSpec,
    /// Each object of some kinds, one at a time.
    Object,
    /// Relations between objects (bindings to roles, policies to namespaces…).
    ObjectGraph,
    /// The JSON report of another scan (an image or filesystem scan), from which the check is
    /// derived.
    ScanReport,
}

impl InputKind {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            InputKind::PodSpec => "pod-spec",
            InputKind::Object => "object",
            InputKind::ObjectGraph => "object-graph",
            InputKind::ScanReport => "scan-report",
        }
    }
}

/// A reference from a check to an external standard, typed so that reports can group them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reference {
    /// CIS Kubernetes Benchmark section, such as `5.2.2`.
    Cis(&'static str),
    /// NSA-CISA Kubernetes Hardening Guide section or topic, such as `Pod security: non-root containers`.
    Nsa(&'static str),
    /// MITRE ATT&CK technique id, such as `T1611`.
    Mitre(&'static str),
    /// Pod Security Standards control, by its upstream pod-security-admission check id, such as
    /// `privileged` or `hostNamespaces`.
    Pss(&'static str),
    /// CWE number.
    Cwe(u32),
    /// Further reading.
    Url(&'static str),
}

/// Everything a report or the docs say about a check, written once.
#[derive(Debug, Clone, Copy)]
pub struct CheckMeta {
    /// Stable id.
    pub id: CheckId,
    /// Kebab-case name of the risky condition, unique.
    pub slug: &'static str,
    /// One-line title.
    pub title: &'static str,
    /// Severity of every finding of this check.
    pub severity: Severity,
    /// Life-cycle status.
    pub status: CheckStatus,
    /// External references; at least one.
    pub references: &'static [Reference],
    /// What to change, in one or two sentences.
    pub remediation: &'static str,
    /// Markdown documentation with the headings *What it checks*, *Why it matters*, *Example*,
    /// *Fix*, *Known false positives* and *References*.
    pub docs: &'static str,
}

impl CheckMeta {
    /// The first paragraph of the docs' *What it checks* section: the check's description.
    pub fn description(&self) -> &'static str {
        section(self.docs, "What it checks")
            .and_then(|body| body.split("\n\n").map(str::trim).find(|p| !p.is_empty()))
            .unwrap_or(self.title)
    }

    /// References of one family, as text, in declaration order.
    pub fn references_of(&self, family: ReferenceFamily) -> Vec<String> {
        self.references
            .iter()
            .filter_map(|r| match (family, r) {
                (ReferenceFamily::Cis, Reference::Cis(s))
                | (ReferenceFamily::Nsa, Reference::Nsa(s))
                | (ReferenceFamily::Mitre, Reference::Mitre(s))
                | (ReferenceFamily::Pss, Reference::Pss(s))
                | (ReferenceFamily::Url, Reference::Url(s)) => Some((*s).to_owned()),
                (ReferenceFamily::Cwe, Reference::Cwe(n)) => Some(format!("CWE-{n}")),
                _ => None,
            })
            .collect()
    }
}

/// The families of [`Reference`], for grouping in reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferenceFamily {
    /// [`Reference::Cis`]
    Cis,
    /// [`Reference::Nsa`]
    Nsa,
    /// [`Reference::Mitre`]
    Mitre,
    /// [`Reference::Pss`]
    Pss,
    /// [`Reference::Cwe`]
    Cwe,
    /// [`Reference::Url`]
    Url,
}

/// The body of the markdown section `## <heading>`, up to the next `## ` heading.
pub fn section<'a>(markdown: &'a str, heading: &str) -> Option<&'a str> {
    let mut rest = markdown;
    while let Some(at) = rest.find("## ") {
        let after = &rest[at + 3..];
        let (title, body) = after.split_once('\n').unwrap_or((after, ""));
        if title.trim() == heading {
            let end = body.find("\n## ").map_or(body.len(), |e| e + 1);
            return Some(body[..end].trim());
        }
        rest = body;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_formed_ids() {
        assert!(CheckId::is_well_formed("HRR-POD-001"));
        assert!(CheckId::is_well_formed("HRR-RBAC-012"));
        assert!(!CheckId::is_well_formed("HRR-POD-1"));
        assert!(!CheckId::is_well_formed("HRR-pod-001"));
        assert!(!CheckId::is_well_formed("KSV-POD-001"));
        assert!(!CheckId::is_well_formed("HRR-POD-001-X"));
    }

    #[test]
    fn finds_markdown_sections() {
        let md =
            "# T\n\n## What it checks\n\nFirst para.\n\nSecond.\n\n## Why it matters\n\nBecause.\n";
        assert_eq!(
            section(md, "What it checks"),
            Some("First para.\n\nSecond.")
        );
        assert_eq!(section(md, "Why it matters"), Some("Because."));
        assert_eq!(section(md, "Fix"), None);
    }
}
