use std::collections::BTreeMap;
use std::sync::Arc;

use harrier_core::exceptions::ExpiredException;
use harrier_core::{Catalog, CheckMeta, Finding, PssLevel, Severity, SuppressedFinding};
use harrier_posture::WorkloadPosture;
use serde::Serialize;

/// Who produced the report.
#[derive(Debug, Clone, Serialize)]
pub struct ToolInfo {
    /// `harrier`.
    pub name: &'static str,
    /// The version.
    pub version: &'static str,
}

/// A problem or note about an input, with its position when known.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Diagnostic {
    /// The file.
    pub path: Arc<str>,
    /// The line, from 1.
    pub line: Option<u32>,
    /// The column, from 1.
    pub column: Option<u32>,
    /// What happened.
    pub message: String,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.path)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

/// The results of one scan, ready to render.
#[derive(Debug)]
pub struct Report<'a> {
    /// Who produced it.
    pub tool: ToolInfo,
    /// Metadata of every check, for titles, remediation and references.
    pub catalog: &'a Catalog,
    /// Findings that were not suppressed.
    pub findings: Vec<Finding>,
    /// Findings that an annotation or exception suppressed.
    pub suppressed: Vec<SuppressedFinding>,
    /// Inputs that could not be read (they make the exit status 2).
    pub errors: Vec<Diagnostic>,
    /// Problems in inputs that were read anyway.
    pub warnings: Vec<Diagnostic>,
    /// Inputs skipped because they are not Kubernetes objects.
    pub notes: Vec<Diagnostic>,
    /// The Pod Security Standards level of every workload.
    pub workloads: Vec<WorkloadPosture>,
    /// Exceptions that no longer apply.
    pub expired_exceptions: Vec<ExpiredException>,
    /// Counts of what was scanned.
    pub scanned: Scanned,
    /// The checks evaluated (selected and active), sorted: the JSON report's `checks`.
    pub evaluated: Vec<harrier_core::CheckId>,
    /// What a live cluster showed beyond its objects, for `scan cluster`; `None` for files.
    pub cluster: Option<ClusterReport>,
}

/// The facts of a scanned cluster and the advisories its component versions match.
#[derive(Debug, Clone, Serialize)]
pub struct ClusterReport {
    /// Version, nodes, running images, webhooks, namespaces.
    #[serde(flatten)]
    pub facts: harrier_k8s::facts::ClusterFacts,
    /// Advisories of the Kubernetes CVE feed that the server's and nodes' versions match.
    pub vulnerabilities: Vec<ComponentVulnerability>,
    /// Why versions were not matched (no database, say), when they were not.
    pub vulnerabilities_unchecked: Option<String>,
}

/// An advisory matching a component of the cluster at the version it runs.
#[derive(Debug, Clone, Serialize)]
pub struct ComponentVulnerability {
    /// The component as the feed names it (`k8s.io/apiserver`, `k8s.io/kubelet`).
    pub component: String,
    /// The version running.
    pub version: String,
    /// Where it runs: `API server`, or the nodes.
    pub running_on: Vec<String>,
    /// The advisory, with its evidence.
    #[serde(flatten)]
    pub advisory: harrier_vulndb::Match,
}

/// Counts of what was scanned.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Scanned {
    /// Files read.
    pub files: usize,
    /// Objects found.
    pub objects: usize,
    /// Checks whose findings were reported.
    pub checks: usize,
}

/// Totals, as the JSON `summary` and the table's last lines show them.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Files read.
    pub files: usize,
    /// Objects found.
    pub objects: usize,
    /// Workloads (pod templates) found.
    pub workloads: usize,
    /// Checks whose findings were reported.
    pub checks: usize,
    /// Findings not suppressed.
    pub findings: usize,
    /// Findings suppressed.
    pub suppressed: usize,
    /// Errors.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Findings by severity, every severity present.
    pub by_severity: BTreeMap<&'static str, usize>,
    /// Workloads by the Pod Security Standards level they meet.
    pub pss_levels: BTreeMap<&'static str, usize>,
}

impl Report<'_> {
    /// The totals.
    pub fn summary(&self) -> Summary {
        let mut by_severity: BTreeMap<&'static str, usize> =
            Severity::ALL.iter().map(|s| (s.as_str(), 0)).collect();
        for f in &self.findings {
            *by_severity.entry(f.severity.as_str()).or_default() += 1;
        }
        let mut pss_levels: BTreeMap<&'static str, usize> = [
            PssLevel::Privileged,
            PssLevel::Baseline,
            PssLevel::Restricted,
        ]
        .iter()
        .map(|l| (l.as_str(), 0))
        .collect();
        for w in &self.workloads {
            *pss_levels.entry(w.level.as_str()).or_default() += 1;
        }
        Summary {
            files: self.scanned.files,
            objects: self.scanned.objects,
            workloads: self.workloads.len(),
            checks: self.scanned.checks,
            findings: self.findings.len(),
            suppressed: self.suppressed.len(),
            errors: self.errors.len(),
            warnings: self.warnings.len(),
            by_severity,
            pss_levels,
        }
    }

    /// The metadata of a finding's check.
    pub fn meta(&self, finding: &Finding) -> Option<&'static CheckMeta> {
        self.catalog.get(finding.check_id)
    }

    /// The highest severity among unsuppressed findings.
    pub fn max_severity(&self) -> Option<Severity> {
        let vulnerabilities = self
            .cluster
            .iter()
            .flat_map(|c| &c.vulnerabilities)
            .filter_map(|v| v.advisory.severity);
        self.findings
            .iter()
            .map(|f| f.severity)
            .chain(vulnerabilities)
            .max()
    }
}
