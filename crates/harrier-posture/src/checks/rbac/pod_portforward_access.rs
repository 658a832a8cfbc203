use super::Permission;
use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-RBAC-013"),
        slug: "pod-portforward-access",
        title: "Role allows port-forwarding into pods (`pods/portforward`)",
        severity: Severity::Medium,
        status: SINCE_0_1,
        references: &[
            Mitre("T1572"),
            Nsa("Authentication and authorization: RBAC"),
            Cwe(269),
        ],
        remediation: "Remove `create` and `get` on `pods/portforward`; give debugging access through short-lived, \
                      audited grants instead of standing roles.",
        docs: include_str!("pod_portforward_access.md"),
    },
    run: Run::Object {
        kinds: super::ROLE_KINDS,
        check: run,
    },
};

/// `create` opens the SPDY stream `kubectl port-forward` uses; `get` opens the WebSocket one.
const PORT_FORWARD: Permission = Permission {
    groups: &[""],
    resources: &["pods/portforward"],
    verbs: &["create", "get"],
    cluster_scoped: false,
};

fn run(object: &Object, _: &ObjectIndex, out: &mut Emitter<'_>) {
    super::report_grants(
        object,
        out,
        &PORT_FORWARD,
        "which connects to any port of a pod from outside the cluster, past its Services and NetworkPolicies",
    );
}
