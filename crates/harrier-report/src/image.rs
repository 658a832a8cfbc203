//! Reports of image, root-filesystem and source-tree scans: packages, vulnerabilities,
//! secrets, each with the layer it came from. Table for people, JSON (stable, documented in
//! docs/json-format.md), SARIF for code-scanning UIs.

use std::collections::BTreeMap;
use std::io;

use harrier_core::Severity;
use harrier_image::PackageKind;
use harrier_image::resolve::{ResolvedPackage, Secret};
use harrier_image::scan::ImageScan;
use harrier_image::vulns::{SuppressedVuln, VulnFinding, VulnReport};
use serde::Serialize;
use serde_json::{Value, json};

use crate::model::{Diagnostic, ToolInfo};
use crate::{Format, TableOptions};

/// An image scan ready to render.
#[derive(Debug)]
pub struct ImageReport<'a> {
    /// Who produced it.
    pub tool: ToolInfo,
    /// What the walk found.
    pub scan: &'a ImageScan,
    /// Vulnerabilities, when they were looked up (filtered as asked).
    pub vulnerabilities: Option<&'a VulnReport>,
    /// Vulnerabilities an exception accepted.
    pub suppressed: &'a [SuppressedVuln],
    /// Secrets, when they were looked for.
    pub secrets: Option<&'a [Secret]>,
    /// Package URL of each present package, in the order of `scan.resolved.packages`.
    pub purls: Vec<String>,
    /// Problems: files that could not be read, packages not looked up.
    pub errors: Vec<Diagnostic>,
    /// When the vulnerability database was built.
    pub database_built: Option<String>,
}

impl ImageReport<'_> {
    /// The highest severity among the vulnerabilities and secrets reported (what `--fail-on`
    /// compares with). A vulnerability without a severity counts as medium: it may not slip
    /// through a gate for want of a score.
    pub fn max_severity(&self) -> Option<Severity> {
        let vulns = self
            .vulnerabilities
            .map_or(&[][..], |v| &v.findings)
            .iter()
            .map(|f| f.vulnerability.severity.unwrap_or(Severity::Medium));
        let secrets = self
            .secrets
            .unwrap_or_default()
            .iter()
            .map(|s| s.finding.severity);
        vulns.chain(secrets).max()
    }
}

/// Writes an image report.
pub fn write(
    format: Format,
    out: &mut dyn io::Write,
    report: &ImageReport<'_>,
    table: TableOptions,
) -> io::Result<()> {
    match format {
        Format::Json => json(out, report),
        Format::Sarif => sarif(out, report),
        Format::Table | Format::Junit => table_out(out, report, table),
    }
}

fn severity_of(f: &VulnFinding) -> Option<Severity> {
    f.vulnerability.severity
}

/// Counts for the summary.
#[derive(Debug, Serialize)]
struct Summary {
    layers: usize,
    packages: usize,
    removed_packages: usize,
    vulnerabilities: usize,
    fixable: usize,
    by_severity: BTreeMap<&'static str, usize>,
    known_exploited: usize,
    secrets: usize,
    secrets_in_deleted_files: usize,
    errors: usize,
}

fn summary(report: &ImageReport<'_>) -> Summary {
    let findings: &[VulnFinding] = report.vulnerabilities.map_or(&[], |v| &v.findings);
    let mut by_severity: BTreeMap<&'static str, usize> =
        Severity::ALL.iter().map(|s| (s.as_str(), 0)).collect();
    by_severity.insert("unknown", 0);
    for f in findings {
        *by_severity
            .entry(severity_of(f).map_or("unknown", Severity::as_str))
            .or_default() += 1;
    }
    let secrets = report.secrets.unwrap_or_default();
    Summary {
        layers: report.scan.subject.layers.len(),
        packages: report.scan.resolved.packages.len(),
        removed_packages: report.scan.resolved.removed.len(),
        vulnerabilities: findings.len(),
        fixable: findings
            .iter()
            .filter(|f| !f.vulnerability.fixed.is_empty())
            .count(),
        by_severity,
        known_exploited: findings
            .iter()
            .filter(|f| f.vulnerability.kev.is_some())
            .count(),
        secrets: secrets.len(),
        secrets_in_deleted_files: secrets.iter().filter(|s| s.deleted_in.is_some()).count(),
        errors: report.errors.len(),
    }
}

fn layer_json(report: &ImageReport<'_>, index: Option<usize>) -> Value {
    let Some(i) = index else { return Value::Null };
    let layer = report.scan.subject.layers.get(i);
    json!({
        "index": i,
        "digest": layer.and_then(|l| l.digest.clone()),
        "diff_id": layer.and_then(|l| l.diff_id.clone()),
        "created_by": layer.and_then(|l| l.created_by.clone()),
    })
}

fn package_json(report: &ImageReport<'_>, p: &ResolvedPackage, purl: Option<&str>) -> Value {
    let pkg = &p.package;
    json!({
        "name": pkg.name,
        "version": pkg.version,
        "kind": pkg.kind,
        "purl": purl,
        "source": pkg.source,
        "arch": pkg.arch,
        "licenses": pkg.licenses,
        "path": pkg.location.path,
        "layer": layer_json(report, p.introduced),
        "removed_in": p.removed.map(|r| layer_json(report, Some(r))),
    })
}

fn json(out: &mut dyn io::Write, report: &ImageReport<'_>) -> io::Result<()> {
    let scan = report.scan;
    let packages: Vec<Value> = scan
        .resolved
        .packages
        .iter()
        .enumerate()
        .map(|(i, p)| package_json(report, p, report.purls.get(i).map(String::as_str)))
        .collect();
    let removed: Vec<Value> = scan
        .resolved
        .removed
        .iter()
        .map(|p| package_json(report, p, None))
        .collect();
    let vulnerabilities: Option<Vec<Value>> = report.vulnerabilities.map(|v| {
        v.findings
            .iter()
            .map(|f| {
                let m = &f.vulnerability;
                json!({
                    "id": m.id,
                    "aliases": m.aliases,
                    "severity": m.severity,
                    "score": m.score,
                    "cvss": m.cvss,
                    "summary": m.summary,
                    "package": {"name": f.package.name, "version": f.package.version, "kind": f.package.kind, "path": f.package.location.path},
                    "ecosystem": f.ecosystem,
                    "installed": f.package.version,
                    "fixed": m.fixed,
                    "status": m.status,
                    "layer": layer_json(report, f.layer),
                    "kev": m.kev,
                    "epss": m.epss,
                    "evidence": m.evidence,
                    "references": m.references,
                })
            })
            .collect()
    });
    let secrets: Option<Vec<Value>> = report.secrets.map(|s| {
        s.iter()
            .map(|s| {
                json!({
                    "rule": s.finding.rule,
                    "title": s.finding.title,
                    "severity": s.finding.severity,
                    "path": s.path,
                    "line": s.finding.line,
                    "excerpt": s.finding.excerpt,
                    "layer": layer_json(report, Some(s.layer)),
                    "deleted_in": s.deleted_in.map(|d| layer_json(report, Some(d))),
                })
            })
            .collect()
    });
    let doc = json!({
        "schema_version": "1",
        "tool": report.tool,
        "target": {
            "reference": scan.subject.reference,
            "manifest_digest": scan.subject.manifest_digest,
            "config_digest": scan.subject.config_digest,
            "tags": scan.subject.tags,
            "platform": scan.subject.platform,
            "os": scan.distro,
            "layers": scan.subject.layers,
        },
        "packages": packages,
        "removed_packages": removed,
        "vulnerabilities": vulnerabilities,
        "secrets": secrets,
        "suppressed": report.suppressed.iter().map(|s| json!({
            "id": s.finding.vulnerability.id,
            "package": {"name": s.finding.package.name, "version": s.finding.package.version},
            "suppression": s.suppression,
        })).collect::<Vec<_>>(),
        "errors": report.errors,
        "database_built": report.database_built,
        "summary": summary(report),
    });
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::other)?;
    writeln!(out)
}

fn layer_label(report: &ImageReport<'_>, index: Option<usize>) -> String {
    let Some(i) = index else { return String::new() };
    let created = report
        .scan
        .subject
        .layers
        .get(i)
        .and_then(|l| l.created_by.as_deref())
        .map(|c| {
            let c = c
                .trim_start_matches("/bin/sh -c ")
                .trim_start_matches("#(nop) ")
                .trim();
            let short: String = c.chars().take(60).collect();
            if c.chars().count() > 60 {
                format!(": {short}…")
            } else {
                format!(": {short}")
            }
        })
        .unwrap_or_default();
    format!("layer {i}{created}")
}

fn table_out(
    out: &mut dyn io::Write,
    report: &ImageReport<'_>,
    _options: TableOptions,
) -> io::Result<()> {
    let scan = report.scan;
    let os = scan
        .distro
        .as_ref()
        .map(|d| {
            d.pretty_name
                .clone()
                .unwrap_or_else(|| format!("{} {}", d.id, d.version_id.clone().unwrap_or_default()))
        })
        .unwrap_or_else(|| "unknown OS".to_owned());
    writeln!(
        out,
        "{} ({os}, {} layers)",
        scan.subject.reference,
        scan.subject.layers.len()
    )?;
    if let Some(v) = report.vulnerabilities {
        writeln!(out)?;
        for f in &v.findings {
            let m = &f.vulnerability;
            let severity = m
                .severity
                .map_or("UNKNOWN".to_owned(), |s| s.as_str().to_uppercase());
            let fixed = if m.fixed.is_empty() {
                "no fix".to_owned()
            } else {
                format!("fixed in {}", m.fixed.join(", "))
            };
            let kev = if m.kev.is_some() { " [KEV]" } else { "" };
            // Language packages can be in many places (one Go stdlib per binary): say where.
            let place = match f.package.kind {
                PackageKind::Deb | PackageKind::Apk | PackageKind::Rpm => String::new(),
                _ => format!(" /{}", f.package.location.path),
            };
            writeln!(
                out,
                "{severity:<9} {:<18} {} {}{place}  {fixed}{kev}  ({})",
                m.id,
                f.package.name,
                f.package.version,
                layer_label(report, f.layer)
            )?;
        }
    }
    if let Some(secrets) = report.secrets {
        if !secrets.is_empty() {
            writeln!(out)?;
        }
        for s in secrets {
            let deleted = s
                .deleted_in
                .map(|d| format!(", deleted in layer {d} but still in the image"))
                .unwrap_or_default();
            writeln!(
                out,
                "SECRET    {:<18} /{}:{}  ({}{deleted})  {}",
                s.finding.rule,
                s.path,
                s.finding.line,
                layer_label(report, Some(s.layer)),
                s.finding.excerpt
            )?;
        }
    }
    let s = summary(report);
    let by: Vec<String> = ["critical", "high", "medium", "low", "info", "unknown"]
        .iter()
        .map(|k| format!("{} {k}", s.by_severity.get(k).copied().unwrap_or(0)))
        .collect();
    writeln!(out)?;
    writeln!(
        out,
        "{} packages ({} removed by later layers); {} vulnerabilities ({}), {} fixable, {} known exploited; {} secrets ({} in deleted files)",
        s.packages,
        s.removed_packages,
        s.vulnerabilities,
        by.join(", "),
        s.fixable,
        s.known_exploited,
        s.secrets,
        s.secrets_in_deleted_files
    )?;
    if s.errors > 0 {
        writeln!(
            out,
            "{} problems (files that could not be read; see stderr or --format json)",
            s.errors
        )?;
    }
    Ok(())
}

fn sarif_level(severity: Option<Severity>) -> &'static str {
    match severity {
        Some(Severity::Critical | Severity::High) => "error",
        Some(Severity::Medium) | None => "warning",
        Some(Severity::Low | Severity::Info) => "note",
    }
}

/// GitHub code scanning's bands: critical ≥ 9.0, high ≥ 7.0, medium ≥ 4.0, low below.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "2.0",
        Severity::Info => "0.0",
    }
}

fn sarif(out: &mut dyn io::Write, report: &ImageReport<'_>) -> io::Result<()> {
    let mut rules: Vec<Value> = Vec::new();
    let mut rule_index: BTreeMap<String, usize> = BTreeMap::new();
    let mut results = Vec::new();
    let target = &report.scan.subject.reference;
    for f in report.vulnerabilities.map_or(&[][..], |v| &v.findings) {
        let m = &f.vulnerability;
        let index = *rule_index.entry(m.id.clone()).or_insert_with(|| {
            rules.push(json!({
                "id": m.id,
                "shortDescription": {"text": m.summary.clone().unwrap_or_else(|| m.id.clone())},
                "helpUri": m.references.first(),
                "properties": {
                    "security-severity": m.score.map_or_else(|| "5.0".to_owned(), |s| format!("{s:.1}")),
                    "tags": ["security", "vulnerability"],
                },
            }));
            rules.len() - 1
        });
        let fixed = if m.fixed.is_empty() {
            "no fix is published".to_owned()
        } else {
            format!("fixed in {}", m.fixed.join(", "))
        };
        results.push(json!({
            "ruleId": m.id,
            "ruleIndex": index,
            "level": sarif_level(m.severity),
            "message": {"text": format!("{} {} in {} is affected by {} ({fixed}); {}", f.package.name, f.package.version, target, m.id, layer_label(report, f.layer))},
            "locations": [{
                "physicalLocation": {"artifactLocation": {"uri": f.package.location.path}},
                "logicalLocations": [{"fullyQualifiedName": format!("{target}:{}@{}", f.package.name, f.package.version), "kind": "package"}],
            }],
            "partialFingerprints": {"harrierVuln/v1": format!("{}|{}|{}|{}", target, f.package.name, f.package.version, m.id)},
        }));
    }
    for s in report.secrets.unwrap_or_default() {
        let id = format!("secret/{}", s.finding.rule);
        let index = *rule_index.entry(id.clone()).or_insert_with(|| {
            rules.push(json!({"id": id, "shortDescription": {"text": s.finding.title}, "properties": {"security-severity": security_severity(s.finding.severity), "tags": ["security", "secret"]}}));
            rules.len() - 1
        });
        results.push(json!({
            "ruleId": id,
            "ruleIndex": index,
            "level": sarif_level(Some(s.finding.severity)),
            "message": {"text": format!("{} in /{} ({})", s.finding.title, s.path, layer_label(report, Some(s.layer)))},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": s.path}, "region": {"startLine": s.finding.line}}}],
        }));
    }
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": report.tool.name, "version": report.tool.version, "informationUri": "https://github.com/harrier-sec/harrier", "rules": rules}},
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::other)?;
    writeln!(out)
}
