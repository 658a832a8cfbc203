//! Answers of `harrier network exposure` and `harrier network policies`, as a table or JSON.
//!
//! The JSON documents are described in docs/network.md. Exposure writes `summary`,
//! `workloads` (externally reachable, most exposed first, each with its `routes` and their
//! `evidence`), `internal` (reachable through a Service from inside the cluster) and
//! `problems`. Policies writes `summary`, `workloads` (every workload with its isolation),
//! `namespaces` (with their default-deny policies), `allowAll` and `problems`.

use std::io;

use harrier_core::Severity;
use harrier_posture::exposure::{ExposedWorkload, Exposure};
use harrier_posture::netpol::{Coverage, Direction, without_default_deny};
use harrier_posture::rbac::Problem;
use serde::Serialize;

use crate::rbac::write_rows;

/// Counts of an exposure answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ExposureSummary {
    /// Workloads with at least one external route.
    pub exposed: usize,
    /// External routes, all workloads together.
    pub routes: usize,
    /// Exposed workloads whose most exposed route is `high` (open to any address).
    pub high: usize,
    /// … `medium` (the nodes' addresses).
    pub medium: usize,
    /// … `low` (restricted).
    pub low: usize,
    /// Workloads reachable through a Service from inside the cluster.
    pub internal: usize,
}

impl ExposureSummary {
    /// The counts of `exposure`.
    pub fn of(exposure: &Exposure) -> ExposureSummary {
        let mut summary = ExposureSummary {
            exposed: exposure.workloads.len(),
            internal: exposure.internal.len(),
            ..ExposureSummary::default()
        };
        for w in &exposure.workloads {
            summary.routes += w.routes.len();
            match w.severity() {
                Severity::Critical | Severity::High => summary.high += 1,
                Severity::Medium => summary.medium += 1,
                Severity::Low | Severity::Info => summary.low += 1,
            }
        }
        summary
    }
}

#[derive(Serialize)]
struct ExposureDoc<'a> {
    summary: ExposureSummary,
    workloads: &'a [ExposedWorkload],
    internal: &'a [ExposedWorkload],
    problems: &'a [Problem],
}

/// Writes the exposure answer as JSON.
pub fn exposure_json(out: &mut dyn io::Write, exposure: &Exposure) -> io::Result<()> {
    let doc = ExposureDoc {
        summary: ExposureSummary::of(exposure),
        workloads: &exposure.workloads,
        internal: &exposure.internal,
        problems: &exposure.problems,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

/// Writes the exposure answer as a table: one line per route, most exposed workloads first,
/// then a summary line.
pub fn exposure_table(out: &mut dyn io::Write, exposure: &Exposure) -> io::Result<()> {
    let summary = ExposureSummary::of(exposure);
    if exposure.workloads.is_empty() {
        writeln!(out, "No workload is reachable from outside the cluster.")?;
    } else {
        let mut rows = vec![[
            "SEVERITY".to_owned(),
            "NAMESPACE".to_owned(),
            "WORKLOAD".to_owned(),
            "ROUTE".to_owned(),
            "AT".to_owned(),
            "VIA".to_owned(),
        ]];
        for w in &exposure.workloads {
            for r in &w.routes {
                let at = r
                    .evidence
                    .first()
                    .map(|e| format!("{}:{}", e.location.path, e.location.line))
                    .unwrap_or_default();
                let via = match &r.restriction {
                    Some(restriction) => format!("{} [restricted: {restriction}]", r.summary),
                    None => r.summary.clone(),
                };
                rows.push([
                    r.severity.to_string(),
                    w.resource.namespace.clone(),
                    format!("{}/{}", w.resource.kind, w.resource.name),
                    r.kind.to_string(),
                    at,
                    via,
                ]);
            }
        }
        write_rows(out, &rows)?;
        writeln!(out)?;
    }
    writeln!(
        out,
        "{} workload(s) reachable from outside the cluster through {} route(s) ({} high, {} medium, {} low); \
         {} reachable through a Service inside the cluster.",
        summary.exposed,
        summary.routes,
        summary.high,
        summary.medium,
        summary.low,
        summary.internal
    )
}

/// Counts of a coverage answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CoverageSummary {
    /// Workloads of the scan.
    pub workloads: usize,
    /// Workloads whose ingress no policy isolates.
    #[serde(rename = "ingressUnisolated")]
    pub ingress_unisolated: usize,
    /// Workloads whose egress no policy isolates.
    #[serde(rename = "egressUnisolated")]
    pub egress_unisolated: usize,
    /// Workloads no policy selects at all.
    pub unselected: usize,
    /// Namespaces with workloads or policies.
    pub namespaces: usize,
    /// Namespaces without a default-deny ingress policy.
    #[serde(rename = "withoutDefaultDenyIngress")]
    pub without_default_deny_ingress: usize,
    /// Namespaces without a default-deny egress policy.
    #[serde(rename = "withoutDefaultDenyEgress")]
    pub without_default_deny_egress: usize,
    /// Policy rules that allow all sources or destinations.
    #[serde(rename = "allowAll")]
    pub allow_all: usize,
}

impl CoverageSummary {
    /// The counts of `coverage`.
    pub fn of(coverage: &Coverage) -> CoverageSummary {
        CoverageSummary {
            workloads: coverage.workloads.len(),
            ingress_unisolated: coverage
                .workloads
                .iter()
                .filter(|w| !w.ingress_isolated)
                .count(),
            egress_unisolated: coverage
                .workloads
                .iter()
                .filter(|w| !w.egress_isolated)
                .count(),
            unselected: coverage
                .workloads
                .iter()
                .filter(|w| w.is_unselected())
                .count(),
            namespaces: coverage.namespaces.len(),
            without_default_deny_ingress: without_default_deny(coverage, Direction::Ingress).len(),
            without_default_deny_egress: without_default_deny(coverage, Direction::Egress).len(),
            allow_all: coverage.allow_all.len(),
        }
    }
}

#[derive(Serialize)]
struct CoverageDoc<'a> {
    summary: CoverageSummary,
    #[serde(flatten)]
    coverage: &'a Coverage,
}

/// Writes the coverage answer as JSON.
pub fn policies_json(out: &mut dyn io::Write, coverage: &Coverage) -> io::Result<()> {
    let doc = CoverageDoc {
        summary: CoverageSummary::of(coverage),
        coverage,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

/// Writes the coverage answer as tables: unisolated workloads, namespaces without default-deny,
/// allow-all rules, then a summary line.
pub fn policies_table(out: &mut dyn io::Write, coverage: &Coverage) -> io::Result<()> {
    let summary = CoverageSummary::of(coverage);
    let yes_no = |b: bool| if b { "yes" } else { "no" }.to_owned();
    let unisolated: Vec<_> = coverage
        .workloads
        .iter()
        .filter(|w| !w.ingress_isolated || !w.egress_isolated)
        .collect();
    if !unisolated.is_empty() {
        writeln!(out, "Workloads not isolated by network policies:")?;
        let mut rows = vec![[
            "NAMESPACE".to_owned(),
            "WORKLOAD".to_owned(),
            "INGRESS ISOLATED".to_owned(),
            "EGRESS ISOLATED".to_owned(),
            "POLICIES".to_owned(),
        ]];
        for w in unisolated {
            let policies = if w.host_network {
                "(hostNetwork: policies do not apply)".to_owned()
            } else if w.policies.is_empty() {
                "(none)".to_owned()
            } else {
                w.policies
                    .iter()
                    .map(|p| p.resource.name.clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            rows.push([
                w.resource.namespace.clone(),
                format!("{}/{}", w.resource.kind, w.resource.name),
                yes_no(w.ingress_isolated),
                yes_no(w.egress_isolated),
                policies,
            ]);
        }
        write_rows(out, &rows)?;
        writeln!(out)?;
    }
    let open: Vec<_> = coverage
        .namespaces
        .iter()
        .filter(|n| n.default_deny_ingress.is_none() || n.default_deny_egress.is_none())
        .collect();
    if !open.is_empty() {
        writeln!(out, "Namespaces without a default-deny policy:")?;
        let mut rows = vec![[
            "NAMESPACE".to_owned(),
            "DEFAULT-DENY INGRESS".to_owned(),
            "DEFAULT-DENY EGRESS".to_owned(),
            "WORKLOADS".to_owned(),
            "POLICIES".to_owned(),
        ]];
        let deny = |p: &Option<harrier_posture::netpol::PolicyRef>| {
            p.as_ref()
                .map_or_else(|| "no".to_owned(), |p| p.resource.name.clone())
        };
        for n in open {
            rows.push([
                n.namespace.clone(),
                deny(&n.default_deny_ingress),
                deny(&n.default_deny_egress),
                n.workloads.to_string(),
                n.policies.to_string(),
            ]);
        }
        write_rows(out, &rows)?;
        writeln!(out)?;
    }
    if !coverage.allow_all.is_empty() {
        writeln!(out, "Policy rules that allow all:")?;
        let mut rows = vec![[
            "NAMESPACE".to_owned(),
            "POLICY".to_owned(),
            "DIRECTION".to_owned(),
            "RULE".to_owned(),
            "AT".to_owned(),
            "ALLOWS".to_owned(),
        ]];
        for a in &coverage.allow_all {
            let allows = match &a.ports {
                Some(ports) => format!("{} on {ports}", a.peer),
                None => a.peer.clone(),
            };
            rows.push([
                a.policy.resource.namespace.clone(),
                format!("{}/{}", a.policy.resource.kind, a.policy.resource.name),
                a.direction.to_string(),
                a.field.clone(),
                format!("{}:{}", a.location.path, a.location.line),
                allows,
            ]);
        }
        write_rows(out, &rows)?;
        writeln!(out)?;
    }
    writeln!(
        out,
        "{} workload(s): {} not isolated for ingress, {} not isolated for egress, {} selected by no policy; \
         {} namespace(s): {} without default-deny ingress, {} without default-deny egress; {} allow-all rule(s).",
        summary.workloads,
        summary.ingress_unisolated,
        summary.egress_unisolated,
        summary.unselected,
        summary.namespaces,
        summary.without_default_deny_ingress,
        summary.without_default_deny_egress,
        summary.allow_all
    )
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use harrier_core::{Location, Pos};
    use harrier_posture::exposure::{ObjectRef, Route, RouteKind, RoutePort};

    use super::*;

    fn at(line: u32) -> Location {
        Location::new(Arc::from("f.yaml"), Pos::new(line, 1))
    }

    fn workload(name: &str, routes: Vec<Route>) -> ExposedWorkload {
        ExposedWorkload {
            object: 0,
            resource: ObjectRef {
                kind: "Deployment".to_owned(),
                name: name.to_owned(),
                namespace: "shop".to_owned(),
            },
            location: at(1),
            routes,
        }
    }

    fn route(kind: RouteKind, severity: Severity, restriction: Option<&str>) -> Route {
        Route {
            kind,
            severity,
            summary: format!("{kind} route"),
            restriction: restriction.map(str::to_owned),
            hosts: Vec::new(),
            tls: None,
            ports: vec![RoutePort {
                protocol: "TCP".to_owned(),
                port: Some(80),
                node_port: None,
                container: None,
                container_port: None,
            }],
            evidence: Vec::new(),
        }
    }

    fn render(write: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> String {
        let mut out = Vec::new();
        write(&mut out).unwrap_or_else(|e| panic!("{e}"));
        String::from_utf8(out).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn empty_answers_say_so() {
        let text = render(|out| exposure_table(out, &Exposure::default()));
        assert_eq!(
            text,
            "No workload is reachable from outside the cluster.\n0 workload(s) reachable from outside the \
             cluster through 0 route(s) (0 high, 0 medium, 0 low); 0 reachable through a Service inside the \
             cluster.\n"
        );
        let text = render(|out| policies_table(out, &Coverage::default()));
        assert!(text.starts_with("0 workload(s): 0 not isolated"), "{text}");
    }

    #[test]
    fn summary_counts_workloads_by_their_most_exposed_route() {
        let exposure = Exposure {
            workloads: vec![
                workload(
                    "web",
                    vec![
                        route(RouteKind::Ingress, Severity::High, None),
                        route(RouteKind::NodePort, Severity::Medium, None),
                    ],
                ),
                workload(
                    "db",
                    vec![route(
                        RouteKind::LoadBalancer,
                        Severity::Low,
                        Some("`loadBalancerSourceRanges` 10.0.0.0/8"),
                    )],
                ),
            ],
            internal: vec![workload("db", Vec::new())],
            problems: Vec::new(),
        };
        assert_eq!(
            ExposureSummary::of(&exposure),
            ExposureSummary {
                exposed: 2,
                routes: 3,
                high: 1,
                medium: 0,
                low: 1,
                internal: 1,
            }
        );
        let text = render(|out| exposure_table(out, &exposure));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 6, "{text}");
        assert!(
            lines[3].starts_with("low       shop       Deployment/db"),
            "{text}"
        );
        assert!(
            lines[3].ends_with(
                "load-balancer route [restricted: `loadBalancerSourceRanges` 10.0.0.0/8]"
            ),
            "{text}"
        );
        let json = render(|out| exposure_json(out, &exposure));
        assert!(json.contains("\"high\": 1"), "{json}");
        assert!(
            json.contains("\"restriction\": \"`loadBalancerSourceRanges` 10.0.0.0/8\""),
            "{json}"
        );
    }
}
