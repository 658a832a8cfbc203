use harrier_core::yaml::Node;
use harrier_k8s::k8s_openapi::api::core::v1::ServiceSpec;

use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-NET-010"),
        slug: "dangling-ingress",
        title: "Ingress routes to a Service that is not in its namespace",
        severity: Severity::Low,
        status: SINCE_0_1,
        references: &[
            Mitre("T1036.005"),
            Url(
                "https://kubernetes.io/docs/concepts/services-networking/ingress/#the-ingress-resource",
            ),
        ],
        remediation: "Point the backend at an existing Service of the Ingress's namespace and one of its ports, or \
                      remove the rule.",
        docs: include_str!("dangling_ingress.md"),
    },
    run: Run::Graph(run),
};

/// The Service and port one Ingress backend names, and where.
struct Backend<'a> {
    /// "requests for `shop.example.com/api`".
    route: String,
    name: &'a str,
    name_path: FieldPath,
    port: Option<(Port<'a>, FieldPath)>,
}

enum Port<'a> {
    Number(i64),
    Name(&'a str),
}

fn run(index: &ObjectIndex, out: &mut Emitter<'_>) {
    let services: Vec<(&Object, ServiceSpec)> = index
        .of_kind("Service")
        .filter_map(|s| super::service_spec(s).map(|spec| (s, spec)))
        .collect();
    for ingress in index.of_kind("Ingress") {
        if !matches!(ingress.group(), "networking.k8s.io" | "extensions") {
            continue;
        }
        let namespace = ingress.resource.namespace.as_deref();
        let candidates: Vec<&(&Object, ServiceSpec)> = services
            .iter()
            .filter(|(s, _)| super::same_namespace(s.resource.namespace.as_deref(), namespace))
            .collect();
        // Without any Service of the namespace in the scan, the backends are defined elsewhere:
        // saying nothing beats a finding on every Ingress-only file.
        if candidates.is_empty() {
            continue;
        }
        for backend in backends(&ingress.node) {
            let service = candidates
                .iter()
                .find(|(s, _)| s.resource.name.as_deref() == Some(backend.name));
            let Some((_, spec)) = service else {
                out.about(
                    ingress,
                    backend.name_path,
                    format!(
                        "{} sends {} to Service `{}`, but the scan has no Service of that name {}, so those \
                         requests fail, and whoever creates a Service of that name receives them",
                        super::describe(ingress),
                        backend.route,
                        backend.name,
                        super::in_namespace_or_default(namespace)
                    ),
                );
                continue;
            };
            // An ExternalName Service, or one without ports, has nothing to compare with.
            let ports = spec.ports.as_deref().unwrap_or_default();
            if spec.type_.as_deref() == Some("ExternalName") || ports.is_empty() {
                continue;
            }
            let Some((port, path)) = backend.port else {
                continue;
            };
            let (found, shown) = match port {
                Port::Number(n) => (
                    ports.iter().any(|p| i64::from(p.port) == n),
                    format!("port {n}"),
                ),
                Port::Name(name) => (
                    ports.iter().any(|p| p.name.as_deref() == Some(name)),
                    format!("port `{name}`"),
                ),
            };
            if !found {
                out.about(
                    ingress,
                    path,
                    format!(
                        "{} sends {} to {shown} of Service `{}`, which has no such port, so those requests fail",
                        super::describe(ingress),
                        backend.route,
                        backend.name
                    ),
                );
            }
        }
    }
}

/// Every Service backend of an Ingress, read from the tree so that `extensions/v1beta1`
/// (`spec.backend`, `serviceName`, `servicePort`) and `networking.k8s.io/v1` (`defaultBackend`,
/// `service.name`, `service.port`) read alike. Resource backends name no Service.
fn backends(node: &Node) -> Vec<Backend<'_>> {
    let mut found = Vec::new();
    let spec = FieldPath::root().key("spec");
    for key in ["defaultBackend", "backend"] {
        if let Some(b) = node.get_path("spec").and_then(|s| s.get(key)) {
            found.extend(backend(
                "requests no rule matches (its default backend)".to_owned(),
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
            found.extend(backend(route, b, at));
        }
    }
    found
}

fn backend(route: String, node: &Node, at: FieldPath) -> Option<Backend<'_>> {
    if let Some(service) = node.get("service") {
        let name = service.get("name").and_then(Node::as_str)?;
        let port_node = service.get("port");
        let port = match (
            port_node
                .and_then(|p| p.get("number"))
                .and_then(Node::as_i64),
            port_node.and_then(|p| p.get("name")).and_then(Node::as_str),
        ) {
            (Some(n), _) => Some((Port::Number(n), at.keys("service.port.number"))),
            (None, Some(name)) => Some((Port::Name(name), at.keys("service.port.name"))),
            (None, None) => None,
        };
        return Some(Backend {
            route,
            name,
            name_path: at.keys("service.name"),
            port,
        });
    }
    let name = node.get("serviceName").and_then(Node::as_str)?;
    let port_node = node.get("servicePort");
    let port = match (
        port_node.and_then(Node::as_i64),
        port_node.and_then(Node::as_str),
    ) {
        (Some(n), _) => Some(Port::Number(n)),
        (None, Some(text)) => Some(match text.trim().parse::<i64>() {
            Ok(n) => Port::Number(n),
            Err(_) => Port::Name(text),
        }),
        (None, None) => None,
    };
    Some(Backend {
        route,
        name,
        name_path: at.key("serviceName"),
        port: port.map(|p| (p, at.key("servicePort"))),
    })
}
