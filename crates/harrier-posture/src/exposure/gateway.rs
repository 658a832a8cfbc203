//! Gateway API routes (`gateway.networking.k8s.io`): which Gateway listeners a route attaches
//! to, and which Services its backends reach.
//!
//! Attachment follows the Gateway API spec: a `parentRef` names a Gateway (same namespace as
//! the route unless it says otherwise) and optionally a listener (`sectionName`) or `port`; a
//! listener accepts the route when its protocol carries the route's kind (HTTP and HTTPS for
//! `HTTPRoute` and `GRPCRoute`, TLS for `TLSRoute`, TCP for `TCPRoute`, UDP for `UDPRoute`),
//! its `allowedRoutes.kinds` (when set) lists the kind, its `allowedRoutes.namespaces` admits
//! the route's namespace (`Same` by default, `All`, or a `Selector` over the Namespace's
//! labels), and its `hostname` intersects the route's `hostnames`. A backend in another
//! namespace is used only when a `ReferenceGrant` of that namespace allows the route's kind and
//! namespace to refer to the Service.

use std::collections::{BTreeMap, HashMap};

use harrier_core::yaml::Node;
use harrier_core::yaml::de::from_node;
use harrier_core::{FieldPath, Severity};
use harrier_k8s::k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use harrier_k8s::{Object, ObjectIndex};

use super::service::{Services, internal_annotation};
use super::{Evidence, Found, Route, RouteKind, describe, render_ports};
use crate::checks::pod::PortRef;
use crate::identity::namespace_of;
use crate::selector;

const GROUP: &str = "gateway.networking.k8s.io";

/// The route kinds read, and the listener protocols that carry each.
const ROUTE_KINDS: &[(&str, &[&str])] = &[
    ("HTTPRoute", &["HTTP", "HTTPS"]),
    ("GRPCRoute", &["HTTP", "HTTPS"]),
    ("TLSRoute", &["TLS"]),
    ("TCPRoute", &["TCP"]),
    ("UDPRoute", &["UDP"]),
];

/// Whether hostname `pattern` (possibly `*.example.com`) matches `host`. A wildcard stands for
/// one or more labels, as in the Gateway API and Ingress specs.
pub(crate) fn hostname_matches(pattern: &str, host: &str) -> bool {
    let pattern = pattern.to_ascii_lowercase();
    let host = host.to_ascii_lowercase();
    match pattern.strip_prefix("*.") {
        Some(suffix) => host
            .strip_suffix(suffix)
            .is_some_and(|head| head.len() > 1 && head.ends_with('.')),
        None => pattern == host,
    }
}

struct Listener<'a> {
    index: usize,
    name: &'a str,
    hostname: Option<&'a str>,
    port: Option<i64>,
    protocol: &'a str,
    /// `allowedRoutes.namespaces.from`.
    from: &'a str,
    selector: Option<LabelSelector>,
    kinds: Option<Vec<&'a str>>,
}

struct Gateway<'a> {
    index: usize,
    object: &'a Object,
    listeners: Vec<Listener<'a>>,
    addresses: Vec<String>,
    /// The internal-load-balancer annotation, on the Gateway or its `spec.infrastructure`.
    internal: Option<(&'static str, &'static str)>,
}

impl<'a> Gateway<'a> {
    fn of(index: usize, object: &'a Object) -> Gateway<'a> {
        let spec = object.node.get("spec");
        let list = spec.and_then(|s| s.get("listeners")).and_then(Node::as_seq);
        let listeners = list
            .unwrap_or_default()
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let text = |path: &str| l.get_path(path).and_then(Node::as_str);
                Listener {
                    index: i,
                    name: text("name").unwrap_or_default(),
                    hostname: text("hostname"),
                    port: l.get("port").and_then(Node::as_i64),
                    protocol: text("protocol").unwrap_or_default(),
                    from: text("allowedRoutes.namespaces.from").unwrap_or("Same"),
                    selector: l
                        .get_path("allowedRoutes.namespaces.selector")
                        .and_then(|n| from_node(n).ok()),
                    kinds: l
                        .get_path("allowedRoutes.kinds")
                        .and_then(Node::as_seq)
                        .map(|kinds| {
                            kinds
                                .iter()
                                .filter_map(|k| k.get("kind").and_then(Node::as_str))
                                .collect()
                        }),
                }
            })
            .collect();
        let addresses = spec
            .and_then(|s| s.get("addresses"))
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(|a| a.get("value").and_then(Node::as_str))
            .map(str::to_owned)
            .collect();
        let infrastructure = spec.and_then(|s| s.get_path("infrastructure.annotations"));
        let internal = internal_annotation(|k| {
            object
                .annotations
                .get(k)
                .map(String::as_str)
                .or_else(|| infrastructure.and_then(|a| a.get(k)).and_then(Node::as_str))
        });
        Gateway {
            index,
            object,
            listeners,
            addresses,
            internal,
        }
    }
}

/// Where a route is attached: the `parentRefs` index, the Gateway (`None` when it is not among
/// the inputs), its listeners that accept the route, and the hosts and addresses they serve it on.
struct Attachment<'g, 'a> {
    parent: usize,
    gateway: Option<&'g Gateway<'a>>,
    listeners: Vec<&'g Listener<'a>>,
    hosts: Vec<String>,
}

/// One ReferenceGrant: who (`from`) may refer to what (`to`) in its namespace.
struct Grant<'a> {
    namespace: &'a str,
    /// `(group, kind, namespace)`.
    from: Vec<(&'a str, &'a str, &'a str)>,
    /// `(group, kind, name)`; a missing name allows every object of the kind.
    to: Vec<(&'a str, &'a str, Option<&'a str>)>,
}

impl Grant<'_> {
    fn allows(&self, route_kind: &str, route_ns: &str, service: &str) -> bool {
        self.from
            .iter()
            .any(|(g, k, ns)| *g == GROUP && *k == route_kind && *ns == route_ns)
            && self.to.iter().any(|(g, k, name)| {
                g.is_empty() && *k == "Service" && name.is_none_or(|n| n == service)
            })
    }
}

/// Every route of every Gateway API route object.
pub(super) fn routes(index: &ObjectIndex, services: &Services<'_>, found: &mut Found) {
    let mut gateways: HashMap<(&str, &str), Gateway<'_>> = HashMap::new();
    let mut grants: Vec<Grant<'_>> = Vec::new();
    let mut namespaces: HashMap<&str, BTreeMap<String, String>> = HashMap::new();
    for (i, object) in index.objects().iter().enumerate() {
        match (object.kind(), object.group()) {
            ("Gateway", GROUP) => {
                if let Some(name) = object.resource.name.as_deref() {
                    gateways
                        .entry((namespace_of(object), name))
                        .or_insert_with(|| Gateway::of(i, object));
                }
            }
            ("ReferenceGrant", GROUP) => grants.push(grant(object)),
            ("Namespace", "") => {
                if let Some(name) = object.resource.name.as_deref() {
                    namespaces.insert(name, object.labels.clone());
                }
            }
            _ => {}
        }
    }
    for (i, route) in index.objects().iter().enumerate() {
        if route.group() != GROUP {
            continue;
        }
        let Some((kind, protocols)) = ROUTE_KINDS.iter().find(|(k, _)| *k == route.kind()) else {
            continue;
        };
        let namespace = namespace_of(route);
        let spec = route.node.get("spec");
        let hostnames: Vec<&str> = spec
            .and_then(|s| s.get("hostnames"))
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(Node::as_str)
            .collect();
        let mut namespace_labels = namespaces.get(namespace).cloned().unwrap_or_default();
        namespace_labels.insert(
            "kubernetes.io/metadata.name".to_owned(),
            namespace.to_owned(),
        );
        // The entries this route is attached to: the Gateway, its accepting listeners, and the
        // hosts they share.
        let mut entries: Vec<Attachment<'_, '_>> = Vec::new();
        let parents = spec
            .and_then(|s| s.get("parentRefs"))
            .and_then(Node::as_seq);
        for (j, parent) in parents.unwrap_or_default().iter().enumerate() {
            let text = |key: &str| parent.get(key).and_then(Node::as_str);
            // A parent of another kind (a Service, for mesh routing) is not an entry point.
            if text("group").unwrap_or(GROUP) != GROUP
                || text("kind").unwrap_or("Gateway") != "Gateway"
            {
                continue;
            }
            let Some(name) = text("name") else {
                continue;
            };
            let gateway_ns = text("namespace").unwrap_or(namespace);
            let Some(gateway) = gateways.get(&(gateway_ns, name)) else {
                found.problem(
                    route.locate(&FieldPath::root().keys("spec.parentRefs").index(j)),
                    format!(
                        "{} is attached to Gateway `{gateway_ns}/{name}`, which is not among the inputs; \
                         its listeners are not known, so the route is taken as exposed",
                        describe(route)
                    ),
                );
                entries.push(Attachment {
                    parent: j,
                    gateway: None,
                    listeners: Vec::new(),
                    hosts: hostnames.iter().map(|h| (*h).to_owned()).collect(),
                });
                continue;
            };
            let section = text("sectionName");
            let port = parent.get("port").and_then(Node::as_i64);
            let mut accepting = Vec::new();
            let mut hosts = Vec::new();
            for listener in &gateway.listeners {
                if section.is_some_and(|s| s != listener.name)
                    || port.is_some_and(|p| Some(p) != listener.port)
                {
                    continue;
                }
                let kind_ok = match &listener.kinds {
                    Some(kinds) if !kinds.is_empty() => kinds.contains(kind),
                    _ => protocols.contains(&listener.protocol),
                };
                let namespace_ok = match listener.from {
                    "All" => true,
                    "Same" => gateway_ns == namespace,
                    "Selector" => listener
                        .selector
                        .as_ref()
                        .is_some_and(|s| selector::matches(s, &namespace_labels) == Ok(true)),
                    _ => false,
                };
                if !kind_ok || !namespace_ok {
                    continue;
                }
                let shared: Vec<String> = match (listener.hostname, hostnames.is_empty()) {
                    (None, _) => hostnames.iter().map(|h| (*h).to_owned()).collect(),
                    (Some(l), true) => vec![l.to_owned()],
                    (Some(l), false) => hostnames
                        .iter()
                        .filter_map(|h| {
                            if hostname_matches(l, h) {
                                Some((*h).to_owned())
                            } else if hostname_matches(h, l) {
                                Some(l.to_owned())
                            } else {
                                None
                            }
                        })
                        .collect(),
                };
                if listener.hostname.is_some() && !hostnames.is_empty() && shared.is_empty() {
                    continue;
                }
                hosts.extend(shared);
                accepting.push(listener);
            }
            if accepting.is_empty() {
                found.problem(
                    route.locate(&FieldPath::root().keys("spec.parentRefs").index(j)),
                    format!(
                        "{} names {} as its parent, but no listener of it accepts the route (protocol, \
                         `allowedRoutes`, `sectionName`, `port` or hostname); it is not exposed there",
                        describe(route),
                        describe(gateway.object)
                    ),
                );
                continue;
            }
            hosts.extend(gateway.addresses.iter().cloned());
            hosts.sort();
            hosts.dedup();
            entries.push(Attachment {
                parent: j,
                gateway: Some(gateway),
                listeners: accepting,
                hosts,
            });
        }
        if entries.is_empty() {
            continue;
        }
        let rules = spec.and_then(|s| s.get("rules")).and_then(Node::as_seq);
        for (k, rule) in rules.unwrap_or_default().iter().enumerate() {
            let refs = rule.get("backendRefs").and_then(Node::as_seq);
            for (m, backend) in refs.unwrap_or_default().iter().enumerate() {
                let text = |key: &str| backend.get(key).and_then(Node::as_str);
                if !text("group").unwrap_or("").is_empty()
                    || text("kind").unwrap_or("Service") != "Service"
                {
                    continue;
                }
                let Some(name) = text("name") else {
                    continue;
                };
                let field = FieldPath::root()
                    .key("spec")
                    .key("rules")
                    .index(k)
                    .key("backendRefs")
                    .index(m);
                let service_ns = text("namespace").unwrap_or(namespace);
                if service_ns != namespace
                    && !grants
                        .iter()
                        .any(|g| g.namespace == service_ns && g.allows(kind, namespace, name))
                {
                    found.problem(
                        route.locate(&field),
                        format!(
                            "{} refers to Service `{service_ns}/{name}` in another namespace, and no \
                             ReferenceGrant in `{service_ns}` allows it; the reference is refused",
                            describe(route)
                        ),
                    );
                    continue;
                }
                let Some(service) = services.get(service_ns, name) else {
                    found.problem(
                        route.locate(&field),
                        format!(
                            "{} sends traffic to Service `{service_ns}/{name}`, which is not among the \
                             inputs; the route is not followed",
                            describe(route)
                        ),
                    );
                    continue;
                };
                let port_index = match backend.get("port").and_then(Node::as_i64) {
                    None => None,
                    Some(n) => match service.port_index(&PortRef::Number(n)) {
                        Some(p) => Some(p),
                        None => {
                            found.problem(
                                route.locate(&field.key("port")),
                                format!(
                                    "{} sends traffic to port {n} of Service `{service_ns}/{name}`, which \
                                     has no such port; the route is not followed",
                                    describe(route)
                                ),
                            );
                            continue;
                        }
                    },
                };
                for target in &service.targets {
                    let ports: Vec<_> = target
                        .ports
                        .iter()
                        .filter(|(p, _)| port_index.is_none_or(|q| q == *p))
                        .map(|(_, p)| p.clone())
                        .collect();
                    if ports.is_empty() {
                        continue;
                    }
                    let workload = index
                        .objects()
                        .get(target.workload)
                        .map(describe)
                        .unwrap_or_default();
                    for Attachment {
                        parent: j,
                        gateway,
                        listeners,
                        hosts,
                    } in &entries
                    {
                        let mut evidence: Vec<Evidence> = Vec::new();
                        if let Some(g) = gateway {
                            for l in listeners {
                                evidence.extend(Evidence::at(
                                    index,
                                    g.index,
                                    &FieldPath::root().keys("spec.listeners").index(l.index),
                                ));
                            }
                        }
                        evidence.extend(Evidence::at(
                            index,
                            i,
                            &FieldPath::root().keys("spec.parentRefs").index(*j),
                        ));
                        evidence.extend(Evidence::at(index, i, &field));
                        evidence.extend(target.evidence.iter().cloned());
                        let (entry, severity, restriction, tls) = match gateway {
                            None => (
                                "a Gateway that is not among the inputs".to_owned(),
                                Severity::High,
                                None,
                                None,
                            ),
                            Some(g) => {
                                let shown: Vec<String> = listeners
                                    .iter()
                                    .map(|l| {
                                        let port =
                                            l.port.map(|p| format!(" {p}")).unwrap_or_default();
                                        format!("`{}` ({}{port})", l.name, l.protocol)
                                    })
                                    .collect();
                                let tls = listeners
                                    .iter()
                                    .any(|l| matches!(l.protocol, "HTTPS" | "TLS"));
                                let (severity, restriction) = match g.internal {
                                    Some((key, value)) => (
                                        Severity::Low,
                                        Some(format!("internal load balancer (`{key}: {value}`)")),
                                    ),
                                    None => (Severity::High, None),
                                };
                                (
                                    format!("{} listener {}", describe(g.object), shown.join(", ")),
                                    severity,
                                    restriction,
                                    Some(tls),
                                )
                            }
                        };
                        let on = if hosts.is_empty() {
                            String::new()
                        } else {
                            format!(" for {}", hosts.join(", "))
                        };
                        found.add(
                            target.workload,
                            Route {
                                kind: RouteKind::Gateway,
                                severity,
                                summary: format!(
                                    "{entry}{on} → {} → {} → {workload} ({})",
                                    describe(route),
                                    describe(service.object),
                                    render_ports(&ports)
                                ),
                                restriction,
                                hosts: hosts.clone(),
                                tls: if matches!(*kind, "TCPRoute" | "UDPRoute") {
                                    None
                                } else {
                                    tls
                                },
                                ports: ports.clone(),
                                evidence,
                            },
                        );
                    }
                }
            }
        }
    }
}

fn grant(object: &Object) -> Grant<'_> {
    let list = |key: &str| {
        object
            .node
            .get("spec")
            .and_then(|s| s.get(key))
            .and_then(Node::as_seq)
            .unwrap_or_default()
    };
    fn text<'n>(n: &'n Node, key: &str) -> Option<&'n str> {
        n.get(key).and_then(Node::as_str)
    }
    Grant {
        namespace: namespace_of(object),
        from: list("from")
            .iter()
            .filter_map(|f| Some((text(f, "group")?, text(f, "kind")?, text(f, "namespace")?)))
            .collect(),
        to: list("to")
            .iter()
            .filter_map(|t| {
                Some((
                    text(t, "group").unwrap_or(""),
                    text(t, "kind")?,
                    text(t, "name"),
                ))
            })
            .collect(),
    }
}
