use std::collections::BTreeMap;

use crate::checks::prelude::*;
use crate::selector;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-NET-008"),
        slug: "dangling-network-policy",
        title: "NetworkPolicy selects no pod template in its namespace",
        severity: Severity::Low,
        status: SINCE_0_1,
        references: &[
            Cis("5.3.2"),
            Nsa("Network separation and hardening: network policies"),
            Url("https://kubernetes.io/docs/concepts/services-networking/network-policies/"),
        ],
        remediation: "Make `spec.podSelector` match the labels of the pod templates the policy is meant to \
                      isolate, or delete the policy.",
        docs: include_str!("dangling_network_policy.md"),
    },
    run: Run::Graph(run),
};

fn run(index: &ObjectIndex, out: &mut Emitter<'_>) {
    let by_namespace = super::templates_by_namespace(index);
    for policy in index.of_kind("NetworkPolicy") {
        let Some(spec) = super::network_policy_spec(policy) else {
            continue;
        };
        // A missing or empty podSelector selects every pod of the namespace.
        let Some(pod_selector) = spec.pod_selector.filter(|s| !selector::is_empty(s)) else {
            continue;
        };
        let namespace = policy.resource.namespace.as_deref();
        let workloads = super::templates_in(&by_namespace, namespace);
        if workloads.is_empty() {
            continue;
        }
        // The API server rejects a malformed selector: that is a validity problem, not this one.
        if selector::matches(&pod_selector, &BTreeMap::new()).is_err() {
            continue;
        }
        if workloads
            .iter()
            .any(|t| selector::matches(&pod_selector, &t.labels) == Ok(true))
        {
            continue;
        }
        out.about(
            policy,
            FieldPath::root().keys("spec.podSelector"),
            format!(
                "{} selects no pod template {}, so it isolates nothing",
                super::describe(policy),
                super::in_namespace_or_default(namespace)
            ),
        );
    }
}
