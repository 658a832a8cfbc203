//! Ingress backends, read alike for `networking.k8s.io/v1` (`defaultBackend`, `service.name`,
//! `service.port`) and the `v1beta1` shapes of both groups (`backend`, `serviceName`,
//! `servicePort`), and the routes they open. Shared with `HRR-NET-010` (dangling-ingress).

use harrier_core::yaml::Node;
use harrier_core::{FieldPath, Severity};
use harrier_k8s::ObjectIndex;

use super::service::{Services, is_everywhere};
use super::{Evidence, Found, Route, RouteKind, describe, render_ports};
use crate::checks::pod::PortRef;
use crate::identity::namespace_of;

/// The Service and port one Ingress backend names, and where.
pub(crate) struct Backend<'a> {
    /// "requests for `shop.example.com/api`".
    pub(crate) route: String,
    /// The rule's `host`; `None` for every host, and for the default backend.
    pub(crate) host: Option<&'a str>,
    /// Where the backend is.
    pub(crate) path: FieldPath,
    /// The Service's name.
    pub(crate) name: &'a str,
    /// Where the name is.
    pub(crate) name_path: FieldPath,
    /// The Service port, by number or name, and where.
    pub(crate) port: Option<(PortRef<'a>, FieldPath)>,
}

/// Annotations of ingress controllers that admit only some source addresses.
const ALLOWLIST_ANNOTATIONS: &[&str] = &[
    "nginx.ingress.kubernetes.io/whitelist-source-range",
    "nginx.ingress.kubernetes.io/allowlist-source-range",
    "alb.ingress.kubernetes.io/inbound-cidrs",
];

/// Every Service backend of an Ingress. Resource backends name no Service.
pub(crate) fn backends(node: &Node) -> Vec<Backend<'_>> {
    let mut found = Vec::new();
    let spec = FieldPath::root().key("spec");
    for key in ["defaultBackend", "backend"] {
        if let Some(b) = node.get_path("spec").and_then(|s| s.get(key)) {
            found.extend(backend(
                "requests no rule matches (its default backend)".to_owned(),
                None,
                b,
                spec.key(key),
            ));
        }
    }
    let rules = node.get_path("spec.rules").and_then(Node::as_seq);
    for (i, rule) in rules.unwrap_or_default().iter().enumerate() {
        let host = rule.get("host").and_then(Node::as_str);
        let paths = rule.get_path("http.paths").and_then(Node::as_seq);
        for (j, path) in paths.unwrap_or_default().iter().enumerate() {
            let Some(b) = path.get("backend") else {
                continue;
            };
            let prefix = path.get("path").and_then(Node::as_str).unwrap_or("/");
            let route = match host {
                Some(host) => format!("requests for `{host}{prefix}`"),
                None => format!("requests for `{prefix}` on every host"),
            };
            let at = spec
                .key("rules")
                .index(i)
                .keys("http.paths")
                .index(j)
                .key("backend");
            found.extend(backend(route, host, b, at));
        }
    }
    found
}

fn backend<'a>(
    route: String,
    host: Option<&'a str>,
    node: &'a Node,
    at: FieldPath,
) -> Option<Backend<'a>> {
    if let Some(service) = node.get("service") {
        let name = service.get("name").and_then(Node::as_str)?;
        let port_node = service.get("port");
        let port = match (
            port_node
                .and_then(|p| p.get("number"))
                .and_then(Node::as_i64),
            port_node.and_then(|p| p.get("name")).and_then(Node::as_str),
        ) {
            (Some(n), _) => Some((PortRef::Number(n), at.keys("service.port.number"))),
            (None, Some(name)) => Some((PortRef::Name(name), at.keys("service.port.name"))),
            (None, None) => None,
        };
        return Some(Backend {
            route,
            host,
            name,
            name_path: at.keys("service.name"),
            port,
            path: at,
        });
    }
    let name = node.get("serviceName").and_then(Node::as_str)?;
    let port_node = node.get("servicePort");
    let port = match (
        port_node.and_then(Node::as_i64),
        port_node.and_then(Node::as_str),
    ) {
        (Some(n), _) => Some(PortRef::Number(n)),
        (None, Some(text)) => Some(match text.trim().parse::<i64>() {
            Ok(n) => PortRef::Number(n),
            Err(_) => PortRef::Name(text),
        }),
        (None, None) => None,
    };
    Some(Backend {
        route,
        host,
        name,
        name_path: at.key("serviceName"),
        port: port.map(|p| (p, at.key("servicePort"))),
        path: at,
    })
}

/// Whether `host` is covered by one of the Ingress's `spec.tls` entries. An entry without
/// `hosts` covers every host (controllers serve their default certificate for it).
fn has_tls(node: &Node, host: Option<&str>) -> bool {
    let entries = node.get_path("spec.tls").and_then(Node::as_seq);
    entries.unwrap_or_default().iter().any(|entry| {
        match entry.get("hosts").and_then(Node::as_seq) {
            None | Some([]) => true,
            Some(hosts) => host.is_some_and(|h| {
                hosts
                    .iter()
                    .filter_map(Node::as_str)
                    .any(|t| super::gateway::hostname_matches(t, h))
            }),
        }
    })
}

/// Every route of every Ingress.
pub(super) fn routes(index: &ObjectIndex, services: &Services<'_>, found: &mut Found) {
    for (i, ingress) in index.objects().iter().enumerate() {
        if ingress.kind() != "Ingress"
            || !matches!(ingress.group(), "networking.k8s.io" | "extensions")
        {
            continue;
        }
        let namespace = namespace_of(ingress);
        let restriction = restriction(ingress);
        for backend in backends(&ingress.node) {
            let Some(service) = services.get(namespace, backend.name) else {
                found.problem(
                    ingress.locate(&backend.name_path),
                    format!(
                        "{} sends {} to Service `{namespace}/{}`, which is not among the inputs; the route \
                         is not followed",
                        describe(ingress),
                        backend.route,
                        backend.name
                    ),
                );
                continue;
            };
            let port_index = match &backend.port {
                None => None,
                Some((port, path)) => match service.port_index(port) {
                    Some(k) => Some(k),
                    None => {
                        let shown = match port {
                            PortRef::Number(n) => format!("port {n}"),
                            PortRef::Name(name) => format!("port `{name}`"),
                        };
                        found.problem(
                            ingress.locate(path),
                            format!(
                                "{} sends {} to {shown} of Service `{namespace}/{}`, which has no such \
                                 port; the route is not followed",
                                describe(ingress),
                                backend.route,
                                backend.name
                            ),
                        );
                        continue;
                    }
                },
            };
            let tls = has_tls(&ingress.node, backend.host);
            let hosts = vec![backend.host.unwrap_or("*").to_owned()];
            for target in &service.targets {
                let ports: Vec<_> = target
                    .ports
                    .iter()
                    .filter(|(k, _)| port_index.is_none_or(|p| p == *k))
                    .map(|(_, p)| p.clone())
                    .collect();
                if ports.is_empty() {
                    continue;
                }
                let service_port = match port_index {
                    Some(k) => FieldPath::root().key("spec").key("ports").index(k),
                    None => FieldPath::root().keys("spec.ports"),
                };
                let mut evidence: Vec<Evidence> = [
                    Evidence::at(index, i, &backend.path),
                    Evidence::at(index, service.index, &service_port),
                ]
                .into_iter()
                .flatten()
                .collect();
                evidence.extend(target.evidence.iter().cloned());
                let workload = index
                    .objects()
                    .get(target.workload)
                    .map(describe)
                    .unwrap_or_default();
                let (severity, restricted) = match &restriction {
                    Some(r) => (Severity::Low, Some(r.clone())),
                    None => (Severity::High, None),
                };
                found.add(
                    target.workload,
                    Route {
                        kind: RouteKind::Ingress,
                        severity,
                        summary: format!(
                            "{} ({}{}) → {} → {workload} ({})",
                            describe(ingress),
                            backend.route,
                            if tls { ", TLS" } else { ", no TLS" },
                            describe(service.object),
                            render_ports(&ports)
                        ),
                        restriction: restricted,
                        hosts: hosts.clone(),
                        tls: Some(tls),
                        ports,
                        evidence,
                    },
                );
            }
        }
    }
}

/// What limits who reaches an Ingress: an allow-list of source ranges without `/0`, an
/// internal load balancer scheme or class.
fn restriction(ingress: &harrier_k8s::Object) -> Option<String> {
    for key in ALLOWLIST_ANNOTATIONS {
        if let Some(value) = ingress.annotations.get(*key) {
            let ranges: Vec<&str> = value
                .split(',')
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .collect();
            if !ranges.is_empty() && !ranges.iter().any(|r| is_everywhere(r)) {
                return Some(format!("`{key}`: {}", ranges.join(", ")));
            }
        }
    }
    if ingress
        .annotations
        .get("alb.ingress.kubernetes.io/scheme")
        .is_some_and(|v| v.eq_ignore_ascii_case("internal"))
    {
        return Some(
            "internal load balancer (`alb.ingress.kubernetes.io/scheme: internal`)".to_owned(),
        );
    }
    let class = ingress
        .node
        .get_path("spec.ingressClassName")
        .and_then(Node::as_str)
        .or_else(|| {
            ingress
                .annotations
                .get("kubernetes.io/ingress.class")
                .map(String::as_str)
        });
    if class == Some("gce-internal") {
        return Some("internal load balancer (ingress class `gce-internal`)".to_owned());
    }
    None
}
