use crate::checks::prelude::*;
use crate::selector;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-NET-007"),
        slug: "dangling-service",
        title: "Service selects no pod template in its namespace",
        severity: Severity::Low,
        status: SINCE_0_1,
        references: &[
            Mitre("T1036.005"),
            Url(
                "https://kubernetes.io/docs/concepts/services-networking/service/#services-without-selectors",
            ),
        ],
        remediation: "Make the Service's `spec.selector` match the labels of the pod template it fronts, or delete \
                      the Service.",
        docs: include_str!("dangling_service.md"),
    },
    run: Run::Graph(run),
};

fn run(index: &ObjectIndex, out: &mut Emitter<'_>) {
    let by_namespace = super::templates_by_namespace(index);
    for service in index.of_kind("Service") {
        let Some(spec) = super::service_spec(service) else {
            continue;
        };
        // An ExternalName Service ignores its selector.
        if spec.type_.as_deref() == Some("ExternalName") {
            continue;
        }
        let Some(wanted) = spec.selector.filter(|s| !s.is_empty()) else {
            continue;
        };
        let namespace = service.resource.namespace.as_deref();
        // Without any workload of the namespace in the scan, the Service's pods are simply
        // defined elsewhere: saying nothing beats a finding on every Service-only file.
        let workloads = super::templates_in(&by_namespace, namespace);
        if workloads.is_empty() {
            continue;
        }
        if workloads
            .iter()
            .any(|t| selector::matches_map(&wanted, &t.labels))
        {
            continue;
        }
        out.about(
            service,
            FieldPath::root().keys("spec.selector"),
            format!(
                "{} selects `{}`, but no pod template {} has these labels, so it has no endpoints",
                super::describe(service),
                super::render_labels(&wanted),
                super::in_namespace_or_default(namespace)
            ),
        );
    }
}
