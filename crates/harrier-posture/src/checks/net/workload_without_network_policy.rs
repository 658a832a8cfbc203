use super::policy::{self, Isolation};
use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-NET-009"),
        slug: "workload-without-network-policy",
        title: "Workload's pods are isolated by no NetworkPolicy",
        severity: Severity::Medium,
        status: SINCE_0_1,
        references: &[
            Cis("5.3.2"),
            Nsa("Network separation and hardening: network policies"),
            Mitre("T1046"),
            Cwe(923),
        ],
        remediation: "Select the workload's pods with a NetworkPolicy that restricts their ingress: a default-deny \
                      policy for the namespace (`podSelector: {}`), and policies allowing the traffic it needs.",
        docs: include_str!("workload_without_network_policy.md"),
    },
    run: Run::Graph(run),
};

fn run(index: &ObjectIndex, out: &mut Emitter<'_>) {
    let policies = policy::policies(index);
    for (namespace, templates) in super::templates_by_namespace(index) {
        let workloads: Vec<&Workload> = templates.iter().filter_map(|t| t.workload).collect();
        // A namespace no policy applies to is `HRR-NET-005`'s finding, once for the namespace.
        if !policy::namespace_has_policy(&policies, namespace, &workloads) {
            continue;
        }
        for workload in workloads {
            // Network policies do not apply to pods in the node's network namespace.
            if workload.spec.host_network == Some(true) {
                continue;
            }
            let (isolation, selecting) = policy::isolation(&policies, namespace, workload);
            let object = index.object_of(workload);
            let (them, they_accept, have) = if object.kind() == "Pod" {
                ("it", "it accepts", "has")
            } else {
                ("its pods", "they accept", "have")
            };
            let labels = workload.labels();
            let labelled = if labels.is_empty() {
                format!(" (which {have} no labels)")
            } else {
                format!(" (labelled `{}`)", super::render_labels(labels))
            };
            let why = match isolation {
                Isolation::Isolated => continue,
                Isolation::Unselected => format!(
                    "no network policy {} selects {them}{labelled}",
                    super::in_namespace_or_default(namespace)
                ),
                Isolation::EgressOnly => {
                    let names: Vec<String> = selecting
                        .iter()
                        .map(|p| super::describe(p.object))
                        .collect();
                    format!(
                        "only egress policies ({}) select {them}{labelled}",
                        names.join(", ")
                    )
                }
            };
            out.about(
                object,
                workload.metadata_path().key("labels"),
                format!(
                    "{}: {why}, so {they_accept} connections from every pod in the cluster",
                    super::describe(object)
                ),
            );
        }
    }
}
