//! Static results: a check that failed on one resource, and the same with the exception that
//! suppressed it.

use serde::Serialize;

use crate::{CheckId, Location, ResourceRef, Severity};

/// One check failing on one resource (and, where it applies, one container of it).
///
/// Only instance data lives here. Title, remediation and references are the check's and are
/// looked up by `check_id` when a report is written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The check that failed.
    pub check_id: CheckId,
    /// Severity, normally the check's.
    pub severity: Severity,
    /// The object the finding concerns.
    pub resource: ResourceRef,
    /// The container concerned, for container-level findings.
    pub container: Option<String>,
    /// The offending field in its file, when the object came from a file.
    pub location: Option<Location>,
    /// What is wrong, naming the field and its value.
    pub message: String,
    /// The field and value that failed the check.
    pub evidence: Option<Evidence>,
    /// For Helm-rendered input, the chart template the object came from (`# Source:`).
    pub template: Option<String>,
}

impl Finding {
    /// A stable fingerprint of what the finding is about (check, resource, container, field),
    /// independent of line numbers, so the same problem keeps its identity across edits. Used
    /// for SARIF `partialFingerprints` and for deduplication.
    pub fn fingerprint(&self) -> String {
        let mut h = Fnv64::new();
        h.write(self.check_id.as_str());
        h.write(&self.resource.api_version);
        h.write(&self.resource.kind);
        h.write(self.resource.namespace.as_deref().unwrap_or(""));
        h.write(self.resource.name.as_deref().unwrap_or(""));
        h.write(self.container.as_deref().unwrap_or(""));
        h.write(self.evidence.as_ref().map_or("", |e| e.field.as_str()));
        format!("{:016x}", h.finish())
    }
}

/// The field a check looked at and the value it found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// Field path, such as `spec.containers[0].securityContext.privileged`.
    pub field: String,
    /// The value found, rendered compactly; `None` when the field is missing.
    pub value: Option<String>,
}

/// Why a finding was not reported as a failure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suppression {
    /// Where the suppression was declared.
    pub source: SuppressionSource,
    /// The reason given.
    pub reason: Option<String>,
    /// Who owns the exception, if the exceptions file says.
    pub owner: Option<String>,
    /// The last day the exception applies (`YYYY-MM-DD`), if it expires.
    pub expires: Option<String>,
}

/// Where a suppression was declared.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SuppressionSource {
    /// An annotation on the object itself.
    Annotation {
        /// The annotation key.
        key: String,
    },
    /// An entry of an exceptions file.
    ExceptionsFile {
        /// Where the entry is.
        location: Location,
    },
}

/// A finding together with the suppression that applied to it. Suppressed findings are counted
/// and listed in reports, never dropped silently.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SuppressedFinding {
    /// The finding.
    pub finding: Finding,
    /// The suppression that matched it.
    pub suppression: Suppression,
}

/// FNV-1a: a fingerprint must stay the same across Rust releases and platforms, which std's
/// `DefaultHasher` does not promise.
struct Fnv64(u64);

impl Fnv64 {
    fn new() -> Fnv64 {
        Fnv64(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, part: &str) {
        for b in part.bytes().chain(std::iter::once(0xff)) {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}
