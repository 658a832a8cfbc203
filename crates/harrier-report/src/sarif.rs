//! SARIF 2.1.0, as GitHub code scanning and other SARIF viewers read it: one run, the rules
//! that produced results with their metadata, results with file/line regions, stable
//! `partialFingerprints`, suppressed results with their justification, and input errors as
//! tool execution notifications.

use std::collections::BTreeMap;
use std::io;

use harrier_core::{CheckMeta, Finding, Severity, Suppression, SuppressionSource};
use serde_json::{Value, json};

use crate::model::Report;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub(crate) fn write(out: &mut dyn io::Write, report: &Report<'_>) -> io::Result<()> {
    let mut rule_index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut rules = Vec::new();
    let all = report.findings.iter().map(|f| (f, None)).chain(
        report
            .suppressed
            .iter()
            .map(|s| (&s.finding, Some(&s.suppression))),
    );
    let mut results = Vec::new();
    for (finding, suppression) in all {
        let Some(meta) = report.meta(finding) else {
            continue;
        };
        let index = *rule_index.entry(meta.id.as_str()).or_insert_with(|| {
            rules.push(rule(meta));
            rules.len() - 1
        });
        results.push(result(finding, meta, index, suppression));
    }
    let notifications: Vec<Value> = report
        .errors
        .iter()
        .map(|e| notification(e, "error"))
        .chain(report.warnings.iter().map(|w| notification(w, "warning")))
        .collect();
    let doc = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": report.tool.name,
                    "version": report.tool.version,
                    "semanticVersion": report.tool.version,
                    "informationUri": "https://github.com/harrier-sec/harrier",
                    "rules": rules,
                }
            },
            "invocations": [{
                "executionSuccessful": report.errors.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }]
    });
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::other)?;
    writeln!(out)
}

fn rule(meta: &CheckMeta) -> Value {
    let mut tags = vec!["security".to_owned(), "kubernetes".to_owned()];
    tags.extend(meta.references.iter().filter_map(|r| match r {
        harrier_core::Reference::Mitre(t) => Some(format!("mitre-attack/{t}")),
        harrier_core::Reference::Cwe(n) => Some(format!("external/cwe/cwe-{n}")),
        harrier_core::Reference::Pss(p) => Some(format!("pss/{p}")),
        harrier_core::Reference::Cis(c) => Some(format!("cis/{c}")),
        _ => None,
    }));
    json!({
        "id": meta.id.as_str(),
        "name": pascal_case(meta.slug),
        "shortDescription": { "text": meta.title },
        "fullDescription": { "text": meta.description() },
        "help": { "text": meta.remediation, "markdown": meta.docs },
        "helpUri": format!("https://github.com/harrier-sec/harrier/blob/main/docs/checks/{}.md", meta.id),
        "defaultConfiguration": { "level": level(meta.severity) },
        "properties": {
            "tags": tags,
            "precision": "very-high",
            "problem.severity": problem_severity(meta.severity),
            "security-severity": security_severity(meta.severity),
        }
    })
}

fn result(
    finding: &Finding,
    meta: &CheckMeta,
    index: usize,
    suppression: Option<&Suppression>,
) -> Value {
    let mut location = json!({
        "logicalLocations": [{
            "fullyQualifiedName": finding.resource.to_string(),
            "kind": "resource",
        }]
    });
    if let Some(loc) = &finding.location {
        location["physicalLocation"] = json!({
            "artifactLocation": { "uri": artifact_uri(&loc.path) },
            "region": { "startLine": loc.line, "startColumn": loc.column },
        });
    }
    let mut result = json!({
        "ruleId": meta.id.as_str(),
        "ruleIndex": index,
        "level": level(finding.severity),
        "message": { "text": finding.message },
        "locations": [location],
        "partialFingerprints": { "harrierFingerprint/v1": finding.fingerprint() },
        "properties": {
            "severity": finding.severity.as_str(),
            "resource": finding.resource.to_string(),
        },
    });
    if let Some(container) = &finding.container {
        result["properties"]["container"] = json!(container);
    }
    if let Some(template) = &finding.template {
        result["properties"]["template"] = json!(template);
    }
    if let Some(s) = suppression {
        let kind = match s.source {
            SuppressionSource::Annotation { .. } => "inSource",
            SuppressionSource::ExceptionsFile { .. } => "external",
        };
        result["suppressions"] = json!([{
            "kind": kind,
            "status": "accepted",
            "justification": s.reason.clone().unwrap_or_default(),
        }]);
    }
    result
}

fn notification(d: &crate::Diagnostic, level: &str) -> Value {
    let mut region = json!({});
    if let Some(line) = d.line {
        region["startLine"] = json!(line);
        if let Some(col) = d.column {
            region["startColumn"] = json!(col);
        }
    }
    json!({
        "level": level,
        "message": { "text": d.message },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": artifact_uri(&d.path) },
                "region": region,
            }
        }]
    })
}

/// SARIF levels: viewers show `error` as failing, so only high and critical get it.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

fn problem_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "recommendation",
    }
}

/// GitHub's `security-severity` scale: ≥9 critical, ≥7 high, ≥4 medium, >0 low.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

fn pascal_case(slug: &str) -> String {
    slug.split('-')
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// A relative path stays relative (so viewers resolve it against the repository root); an
/// absolute one becomes a `file://` URI. Characters outside RFC 3986's unreserved set and `/`
/// are percent-encoded.
fn artifact_uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut encoded = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    if path.starts_with('/') {
        format!("file://{encoded}")
    } else {
        encoded.trim_start_matches("./").to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        assert_eq!(artifact_uri("./deploy/app.yaml"), "deploy/app.yaml");
        assert_eq!(
            artifact_uri("/srv/my app/x.yaml"),
            "file:///srv/my%20app/x.yaml"
        );
        assert_eq!(artifact_uri("<stdin>"), "%3Cstdin%3E");
    }

    #[test]
    fn rule_names() {
        assert_eq!(pascal_case("image-tag-latest"), "ImageTagLatest");
    }
}
