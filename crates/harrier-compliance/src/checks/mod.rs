//! Checks derived from image and filesystem scan reports, so that image results take part in
//! compliance like any other check: each has a [`CheckMeta`] (id, docs, references) in the
//! catalogue, and [`crate::input`] decides them from a report's `vulnerabilities` and `secrets`.
//!
//! They live here rather than in harrier-image because they judge a finished report (a KEV
//! flag, a severity with a fix) rather than read image layers.

use harrier_core::catalog::CatalogEntry;
use harrier_core::check::Reference::{Cwe, Mitre, Url};
use harrier_core::{CheckId, CheckMeta, CheckStatus, InputKind, Severity};

const SINCE: CheckStatus = CheckStatus::Preview { since: "0.1.0" };

/// A vulnerability listed in CISA's KEV catalog.
pub const KNOWN_EXPLOITED: CheckMeta = CheckMeta {
    id: CheckId::from_static("HRR-IMG-001"),
    slug: "known-exploited-vulnerability",
    title: "Image has a known-exploited vulnerability",
    severity: Severity::Critical,
    status: SINCE,
    references: &[
        Mitre("T1190"),
        Mitre("T1068"),
        Url("https://www.cisa.gov/known-exploited-vulnerabilities-catalog"),
    ],
    remediation: "Upgrade the affected package (rebuild on an updated base image) or remove it; \
                  where no fix exists, apply the vendor's mitigation and record an expiring exception.",
    docs: include_str!("known_exploited_vulnerability.md"),
};

/// What to do about a vulnerability that has a fixed version.
const UPGRADE_TO_FIXED: &str = "Upgrade the package to a fixed version (rebuild the image on an updated base, or bump the dependency).";

/// A critical vulnerability whose advisory names a fixed version.
pub const FIXABLE_CRITICAL: CheckMeta = CheckMeta {
    id: CheckId::from_static("HRR-IMG-002"),
    slug: "fixable-critical-vulnerability",
    title: "Image has a critical vulnerability with a fix available",
    severity: Severity::Critical,
    status: SINCE,
    references: &[Mitre("T1190"), Mitre("T1068"), Cwe(1104)],
    remediation: UPGRADE_TO_FIXED,
    docs: include_str!("fixable_critical_vulnerability.md"),
};

/// A high-severity vulnerability whose advisory names a fixed version.
pub const FIXABLE_HIGH: CheckMeta = CheckMeta {
    id: CheckId::from_static("HRR-IMG-003"),
    slug: "fixable-high-vulnerability",
    title: "Image has a high-severity vulnerability with a fix available",
    severity: Severity::High,
    status: SINCE,
    references: &[Mitre("T1190"), Mitre("T1068"), Cwe(1104)],
    remediation: UPGRADE_TO_FIXED,
    docs: include_str!("fixable_high_vulnerability.md"),
};

/// A secret in a file of an image layer.
pub const SECRET_IN_LAYER: CheckMeta = CheckMeta {
    id: CheckId::from_static("HRR-IMG-004"),
    slug: "secret-in-image-layer",
    title: "Image layer holds a secret",
    severity: Severity::High,
    status: SINCE,
    references: &[Mitre("T1552.001"), Cwe(798)],
    remediation: "Remove the secret from the build context and rebuild without it, then rotate it: \
                  every layer is readable by whoever can pull the image.",
    docs: include_str!("secret_in_image_layer.md"),
};

/// The derived image checks, sorted by id.
pub static CHECKS: &[&CheckMeta] = &[
    &KNOWN_EXPLOITED,
    &FIXABLE_CRITICAL,
    &FIXABLE_HIGH,
    &SECRET_IN_LAYER,
];

/// The derived image checks as catalogue entries.
pub fn catalog_entries() -> impl Iterator<Item = CatalogEntry> {
    CHECKS.iter().map(|meta| CatalogEntry {
        meta,
        inputs: InputKind::ScanReport,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_is_complete() {
        for (i, m) in CHECKS.iter().enumerate() {
            assert!(CheckId::is_well_formed(m.id.as_str()));
            assert_eq!(m.id.as_str(), format!("HRR-IMG-{:03}", i + 1));
            for heading in [
                "What it checks",
                "Why it matters",
                "Example",
                "Fix",
                "Known false positives",
                "References",
            ] {
                assert!(
                    harrier_core::check::section(m.docs, heading).is_some(),
                    "{} lacks `## {heading}`",
                    m.id
                );
            }
            assert!(!m.references.is_empty() && !m.remediation.is_empty());
        }
    }
}
