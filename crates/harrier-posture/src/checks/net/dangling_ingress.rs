use harrier_k8s::k8s_openapi::api::core::v1::ServiceSpec;

use crate::checks::pod::PortRef as Port;
use crate::checks::prelude::*;
use crate::exposure::ingress::backends;

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
