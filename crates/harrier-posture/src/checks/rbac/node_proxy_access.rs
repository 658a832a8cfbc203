use super::Permission;
use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-RBAC-009"),
        slug: "node-proxy-access",
        title: "ClusterRole allows access to the kubelet through `nodes/proxy`",
        severity: Severity::High,
        status: SINCE_0_1,
        references: &[Cis("5.1.10"), Mitre("T1609"), Cwe(269)],
        remediation: "Remove access to `nodes/proxy`; grant monitoring agents `nodes/metrics` and `nodes/stats` \
                      instead.",
        docs: include_str!("node_proxy_access.md"),
    },
    run: Run::Object {
        kinds: super::ROLE_KINDS,
        check: run,
    },
};

/// Any verb: `get` reads the kubelet API, `create` runs commands in containers through it.
const NODE_PROXY: Permission = Permission {
    groups: &[""],
    resources: &["nodes/proxy"],
    verbs: &[],
    cluster_scoped: true,
};

fn run(object: &Object, _: &ObjectIndex, out: &mut Emitter<'_>) {
    super::report_grants(
        object,
        out,
        &NODE_PROXY,
        "which reaches the kubelet API of nodes: running commands in any of their containers without the API server's audit",
    );
}
