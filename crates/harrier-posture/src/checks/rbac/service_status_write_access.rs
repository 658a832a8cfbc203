use super::Permission;
use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-RBAC-015"),
        slug: "service-status-write-access",
        title: "Role allows changing Service status (CVE-2020-8554)",
        severity: Severity::Medium,
        status: SINCE_0_1,
        references: &[
            Mitre("T1557"),
            Cwe(269),
            Url("https://github.com/kubernetes/kubernetes/issues/97076"),
        ],
        remediation: "Remove `update` and `patch` on `services/status` from roles that are not load-balancer \
                      controllers, and block `status.loadBalancer.ingress[].ip` changes with an admission policy.",
        docs: include_str!("service_status_write_access.md"),
    },
    run: Run::Object {
        kinds: super::ROLE_KINDS,
        check: run,
    },
};

const STATUS_WRITE: Permission = Permission {
    groups: &[""],
    resources: &["services/status"],
    verbs: &["update", "patch"],
    cluster_scoped: false,
};

fn run(object: &Object, _: &ObjectIndex, out: &mut Emitter<'_>) {
    super::report_grants(
        object,
        out,
        &STATUS_WRITE,
        "so its holders can set a Service's load-balancer IP to any address and have kube-proxy on every node send the cluster's traffic for it to their pods (CVE-2020-8554)",
    );
}
