//! Packages → vulnerabilities: each package is looked up in the vulnerability database under
//! its ecosystem (the distro's for OS packages, with the source package), and every match
//! becomes a finding that names the package, its layer, the installed and fixed versions and
//! the evidence.

use serde::Serialize;

use harrier_core::Severity;
use harrier_core::Suppression;
use harrier_core::exceptions::ExceptionSet;
use harrier_vulndb::{Database, Ecosystem, EcosystemKind, Match, Query, Status, lookup};

use crate::resolve::ResolvedPackage;
use crate::{Distro, Package, PackageKind};

/// One vulnerability of one package.
#[derive(Debug, Clone, Serialize)]
pub struct VulnFinding {
    /// The package.
    pub package: Package,
    /// The layer that introduced it.
    pub layer: Option<usize>,
    /// The ecosystem it was looked up in (`Debian:12`, `PyPI`).
    pub ecosystem: String,
    /// The vulnerability, with evidence, fixed versions, severity, KEV and EPSS.
    pub vulnerability: Match,
}

/// A package that could not be looked up, and why.
#[derive(Debug, Clone, Serialize)]
pub struct NotLookedUp {
    /// The package.
    pub package: Package,
    /// Why.
    pub reason: String,
}

/// The outcome of matching.
#[derive(Debug, Clone, Default, Serialize)]
pub struct VulnReport {
    /// Findings, most severe first.
    pub findings: Vec<VulnFinding>,
    /// Packages that could not be looked up.
    pub not_looked_up: Vec<NotLookedUp>,
    /// Packages looked up.
    pub looked_up: usize,
}

/// The ecosystem a package is looked up in.
pub fn ecosystem_of(package: &Package, distro: Option<&Distro>) -> Result<Ecosystem, String> {
    let kind = match package.kind {
        PackageKind::Python => EcosystemKind::PyPI,
        PackageKind::Npm => EcosystemKind::Npm,
        PackageKind::Java => EcosystemKind::Maven,
        PackageKind::GoModule | PackageKind::GoStdlib => EcosystemKind::Go,
        PackageKind::Rust => EcosystemKind::CratesIo,
        PackageKind::Gem => EcosystemKind::RubyGems,
        PackageKind::Composer => EcosystemKind::Packagist,
        PackageKind::NuGet => EcosystemKind::NuGet,
        PackageKind::Deb | PackageKind::Apk | PackageKind::Rpm => {
            let distro = distro.ok_or("the image's operating system was not detected")?;
            let (name, release) = crate::catalog::os::vuln_ecosystem(distro).ok_or_else(|| {
                format!(
                    "no vulnerability data is known for the `{}` distribution",
                    distro.id
                )
            })?;
            return Ok(Ecosystem::with_release(
                EcosystemKind::from_osv_name(&name),
                &release,
            ));
        }
    };
    Ok(Ecosystem::new(kind))
}

/// Looks every present package up.
pub fn match_packages(
    db: &Database,
    packages: &[ResolvedPackage],
    distro: Option<&Distro>,
) -> VulnReport {
    let mut report = VulnReport::default();
    for resolved in packages {
        let package = &resolved.package;
        let ecosystem = match ecosystem_of(package, distro) {
            Ok(e) => e,
            Err(reason) => {
                report.not_looked_up.push(NotLookedUp {
                    package: package.clone(),
                    reason,
                });
                continue;
            }
        };
        let source = package.source.as_ref().map(|s| s.name.as_str());
        let query = Query {
            ecosystem: ecosystem.clone(),
            package: &package.name,
            version: &package.version,
            source_package: source,
        };
        report.looked_up += 1;
        match lookup(db, &query) {
            Ok(found) => {
                for m in found.matches {
                    report.findings.push(VulnFinding {
                        package: package.clone(),
                        layer: resolved.introduced,
                        ecosystem: ecosystem.to_string(),
                        vulnerability: m,
                    });
                }
            }
            Err(e) => report.not_looked_up.push(NotLookedUp {
                package: package.clone(),
                reason: e.to_string(),
            }),
        }
    }
    report.findings.sort_by(|a, b| {
        b.vulnerability
            .severity
            .cmp(&a.vulnerability.severity)
            .then_with(|| a.package.name.cmp(&b.package.name))
            .then_with(|| a.vulnerability.id.cmp(&b.vulnerability.id))
    });
    report
}

/// Whether a finding has a fix published (for `--ignore-unfixed`).
pub fn is_fixed(finding: &VulnFinding) -> bool {
    !finding.vulnerability.fixed.is_empty() && finding.vulnerability.status == Status::Affected
}

/// Which findings a user wants to see (`--severity`, `--ignore-unfixed`, an exceptions file).
#[derive(Debug, Clone, Default)]
pub struct Filter<'a> {
    /// Keep only these severities (`None` stands for "unknown"); empty keeps all.
    pub severities: Vec<Option<Severity>>,
    /// Drop findings with no published fix.
    pub ignore_unfixed: bool,
    /// Accepted risks.
    pub exceptions: Option<&'a ExceptionSet>,
    /// The image reference, which exceptions may be scoped to.
    pub image: &'a str,
}

/// A finding an exception accepted.
#[derive(Debug, Clone, Serialize)]
pub struct SuppressedVuln {
    /// The finding.
    pub finding: VulnFinding,
    /// Why it was accepted.
    pub suppression: Suppression,
}

impl Filter<'_> {
    /// Applies the filter in place; returns what exceptions accepted. Findings dropped by
    /// `--severity` or `--ignore-unfixed` are dropped silently, as the user asked; those an
    /// exception accepted are returned so reports can show them.
    pub fn apply(&self, report: &mut VulnReport) -> Vec<SuppressedVuln> {
        let mut suppressed = Vec::new();
        let findings = std::mem::take(&mut report.findings);
        for f in findings {
            if !self.severities.is_empty() && !self.severities.contains(&f.vulnerability.severity) {
                continue;
            }
            if self.ignore_unfixed && !is_fixed(&f) {
                continue;
            }
            if let Some(exception) = self.exceptions.and_then(|set| {
                let mut ids: Vec<&str> = vec![f.vulnerability.id.as_str()];
                ids.extend(f.vulnerability.aliases.iter().map(String::as_str));
                set.find_vulnerability(&ids, &f.package.name, self.image)
            }) {
                suppressed.push(SuppressedVuln {
                    suppression: exception.suppression(),
                    finding: f,
                });
                continue;
            }
            report.findings.push(f);
        }
        suppressed
    }
}
