use super::Permission;
use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-RBAC-004"),
        slug: "pod-exec-access",
        title: "Role allows running commands in pods (`pods/exec`, `pods/attach`)",
        severity: Severity::High,
        status: SINCE_0_1,
        references: &[
            Mitre("T1609"),
            Nsa("Authentication and authorization: RBAC"),
            Cwe(269),
        ],
        remediation: "Remove `create` and `get` on `pods/exec` and `pods/attach`; give debugging access through \
                      short-lived, audited grants instead of standing roles.",
        docs: include_str!("pod_exec_access.md"),
    },
    run: Run::Object {
        kinds: super::ROLE_KINDS,
        check: run,
    },
};

/// `get` counts: a WebSocket upgrade of `exec` is authorized as `get`.
const EXEC: Permission = Permission {
    groups: &[""],
    resources: &["pods/exec", "pods/attach"],
    verbs: &["create", "get"],
    cluster_scoped: false,
};

fn run(object: &Object, _: &ObjectIndex, out: &mut Emitter<'_>) {
    super::report_grants(
        object,
        out,
        &EXEC,
        "which runs commands inside running containers",
    );
}
