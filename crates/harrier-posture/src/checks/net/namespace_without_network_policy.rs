use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-NET-005"),
        slug: "namespace-without-network-policy",
        title: "Namespace runs workloads without any NetworkPolicy",
        severity: Severity::Medium,
        status: SINCE_0_1,
        references: &[
            Cis("5.3.2"),
            Nsa("Network separation and hardening: network policies"),
            Mitre("T1046"),
            Cwe(923),
        ],
        remediation: "Add a default-deny NetworkPolicy to the namespace (`podSelector: {}` with `policyTypes: \
                      [Ingress, Egress]`) and allow the traffic each workload needs with further policies.",
        docs: include_str!("namespace_without_network_policy.md"),
    },
    run: Run::Graph(run),
};

fn run(index: &ObjectIndex, out: &mut Emitter<'_>) {
    let policies = super::policy::policies(index);
    for (namespace, templates) in super::templates_by_namespace(index) {
        let workloads: Vec<&Workload> = templates.iter().filter_map(|t| t.workload).collect();
        if super::policy::namespace_has_policy(&policies, namespace, &workloads) {
            continue;
        }
        let Some(first) = templates.first() else {
            continue;
        };
        let mut names: Vec<String> = templates
            .iter()
            .take(3)
            .map(|t| super::describe(t.object))
            .collect();
        if templates.len() > names.len() {
            names.push(format!("{} more", templates.len() - names.len()));
        }
        let names = names.join(", ");
        let namespace_object = namespace.and_then(|ns| {
            index
                .of_kind("Namespace")
                .find(|o| o.group().is_empty() && o.resource.name.as_deref() == Some(ns))
        });
        match (namespace, namespace_object) {
            (Some(ns), Some(object)) => out.about(
                object,
                FieldPath::root().keys("metadata.name"),
                format!(
                    "namespace `{ns}` runs {names} and has no NetworkPolicy, so its pods accept traffic \
                     from every pod in the cluster"
                ),
            ),
            (Some(ns), None) => out.about(
                first.object,
                FieldPath::root().keys("metadata.namespace"),
                format!(
                    "namespace `{ns}` has no NetworkPolicy in the scanned objects, so its workloads \
                     ({names}) accept traffic from every pod in the cluster"
                ),
            ),
            (None, _) => out.about(
                first.object,
                FieldPath::root().keys("metadata.namespace"),
                format!(
                    "objects without `metadata.namespace` (one unnamed namespace, the one `kubectl` \
                     deploys to) include workloads ({names}) but no NetworkPolicy, so those pods accept \
                     traffic from every pod in the cluster"
                ),
            ),
        }
    }
}
