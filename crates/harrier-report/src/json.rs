//! The JSON report. Its shape is documented in docs/json-format.md and kept stable: fields are
//! added, never renamed or removed, and `schema_version` changes if that promise is ever broken.

use std::io;

use harrier_core::check::ReferenceFamily;
use harrier_core::{CheckMeta, Finding, Location, Suppression};
use harrier_posture::WorkloadPosture;
use serde::Serialize;

use crate::model::{Diagnostic, Report, Summary, ToolInfo};

/// Version of the JSON document's shape.
pub const SCHEMA_VERSION: &str = "1";

#[derive(Serialize)]
struct Document<'a> {
    schema_version: &'static str,
    tool: &'a ToolInfo,
    findings: Vec<FindingOut<'a>>,
    suppressed: Vec<SuppressedOut<'a>>,
    errors: &'a [Diagnostic],
    warnings: &'a [Diagnostic],
    notes: &'a [Diagnostic],
    workloads: Vec<WorkloadOut<'a>>,
    expired_exceptions: Vec<ExpiredOut>,
    summary: Summary,
    /// The checks evaluated, so that a check without findings reads as clean, not as not run.
    checks: &'a [harrier_core::CheckId],
    #[serde(skip_serializing_if = "Option::is_none")]
    cluster: Option<&'a crate::model::ClusterReport>,
}

#[derive(Serialize)]
pub(crate) struct FindingOut<'a> {
    check_id: &'static str,
    slug: &'static str,
    title: &'static str,
    severity: &'static str,
    resource: ResourceOut<'a>,
    container: Option<&'a str>,
    location: Option<LocationOut<'a>>,
    message: &'a str,
    evidence: Option<&'a harrier_core::Evidence>,
    references: References,
    remediation: &'static str,
    template: Option<&'a str>,
    fingerprint: String,
}

#[derive(Serialize)]
struct ResourceOut<'a> {
    api_version: &'a str,
    kind: &'a str,
    namespace: Option<&'a str>,
    name: Option<&'a str>,
    /// The same value as the finding's `container`, for consumers that read it from here.
    container: Option<&'a str>,
}

#[derive(Serialize)]
struct LocationOut<'a> {
    path: &'a str,
    line: u32,
    column: u32,
}

#[derive(Serialize)]
pub(crate) struct References {
    pss: Vec<String>,
    cis: Vec<String>,
    nsa: Vec<String>,
    mitre: Vec<String>,
    cwe: Vec<String>,
    urls: Vec<String>,
}

#[derive(Serialize)]
struct SuppressedOut<'a> {
    #[serde(flatten)]
    finding: FindingOut<'a>,
    suppression: &'a Suppression,
}

#[derive(Serialize)]
struct WorkloadOut<'a> {
    resource: ResourceOut<'a>,
    location: LocationOut<'a>,
    pss_level: &'static str,
    pss_violations: &'a [&'static str],
}

#[derive(Serialize)]
struct ExpiredOut {
    path: String,
    line: u32,
    expired: String,
    reason: String,
}

pub(crate) fn references(meta: Option<&CheckMeta>) -> References {
    let of = |family| meta.map(|m| m.references_of(family)).unwrap_or_default();
    References {
        pss: of(ReferenceFamily::Pss),
        cis: of(ReferenceFamily::Cis),
        nsa: of(ReferenceFamily::Nsa),
        mitre: of(ReferenceFamily::Mitre),
        cwe: of(ReferenceFamily::Cwe),
        urls: of(ReferenceFamily::Url),
    }
}

fn location(l: &Location) -> LocationOut<'_> {
    LocationOut {
        path: &l.path,
        line: l.line,
        column: l.column,
    }
}

fn finding<'a>(report: &Report<'_>, f: &'a Finding) -> FindingOut<'a> {
    finding_out(report.catalog, f)
}

/// A finding as the JSON report writes it, for other documents that carry findings (watch
/// alerts).
pub(crate) fn finding_out<'a>(catalog: &harrier_core::Catalog, f: &'a Finding) -> FindingOut<'a> {
    let meta = catalog.get(f.check_id);
    FindingOut {
        check_id: f.check_id.as_str(),
        slug: meta.map_or("", |m| m.slug),
        title: meta.map_or("", |m| m.title),
        severity: f.severity.as_str(),
        resource: ResourceOut {
            api_version: &f.resource.api_version,
            kind: &f.resource.kind,
            namespace: f.resource.namespace.as_deref(),
            name: f.resource.name.as_deref(),
            container: f.container.as_deref(),
        },
        container: f.container.as_deref(),
        location: f.location.as_ref().map(location),
        message: &f.message,
        evidence: f.evidence.as_ref(),
        references: references(meta),
        remediation: meta.map_or("", |m| m.remediation),
        template: f.template.as_deref(),
        fingerprint: f.fingerprint(),
    }
}

fn workload(w: &WorkloadPosture) -> WorkloadOut<'_> {
    WorkloadOut {
        resource: ResourceOut {
            api_version: &w.resource.api_version,
            kind: &w.resource.kind,
            namespace: w.resource.namespace.as_deref(),
            name: w.resource.name.as_deref(),
            container: None,
        },
        location: location(&w.location),
        pss_level: w.level.as_str(),
        pss_violations: &w.violations,
    }
}

pub(crate) fn write(out: &mut dyn io::Write, report: &Report<'_>) -> io::Result<()> {
    let doc = Document {
        schema_version: SCHEMA_VERSION,
        tool: &report.tool,
        findings: report.findings.iter().map(|f| finding(report, f)).collect(),
        suppressed: report
            .suppressed
            .iter()
            .map(|s| SuppressedOut {
                finding: finding(report, &s.finding),
                suppression: &s.suppression,
            })
            .collect(),
        errors: &report.errors,
        warnings: &report.warnings,
        notes: &report.notes,
        workloads: report.workloads.iter().map(workload).collect(),
        expired_exceptions: report
            .expired_exceptions
            .iter()
            .map(|e| ExpiredOut {
                path: e.location.path.to_string(),
                line: e.location.line,
                expired: e.expired.to_string(),
                reason: e.reason.clone(),
            })
            .collect(),
        summary: report.summary(),
        checks: &report.evaluated,
        cluster: report.cluster.as_ref(),
    };
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::other)?;
    writeln!(out)
}
