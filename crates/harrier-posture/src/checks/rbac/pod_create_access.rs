use super::Permission;
use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-RBAC-008"),
        slug: "pod-create-access",
        title: "Role allows creating pods or pod controllers",
        severity: Severity::Medium,
        status: SINCE_0_1,
        references: &[Cis("5.1.4"), Mitre("T1610"), Cwe(269)],
        remediation: "Remove `create` on pods and pod controllers from roles that do not deploy workloads; \
                      enforce Pod Security Admission (`restricted`) in namespaces where subjects may create pods.",
        docs: include_str!("pod_create_access.md"),
    },
    run: Run::Object {
        kinds: super::ROLE_KINDS,
        check: run,
    },
};

const CREATE_PODS: &[Permission] = &[
    Permission {
        groups: &[""],
        resources: &["pods", "replicationcontrollers"],
        verbs: &["create"],
        cluster_scoped: false,
    },
    Permission {
        groups: &["apps", "extensions"],
        resources: &["deployments", "daemonsets", "statefulsets", "replicasets"],
        verbs: &["create"],
        cluster_scoped: false,
    },
    Permission {
        groups: &["batch"],
        resources: &["jobs", "cronjobs"],
        verbs: &["create"],
        cluster_scoped: false,
    },
];

fn run(object: &Object, _: &ObjectIndex, out: &mut Emitter<'_>) {
    let Some(rules) = super::authored_rules(object) else {
        return;
    };
    for (i, rule) in rules.iter().enumerate() {
        // `create` cannot be limited by name: a rule with `resourceNames` never allows it.
        let Some(grant) = CREATE_PODS
            .iter()
            .filter_map(|p| super::grant(rule, object.kind(), p))
            .find(|g| !g.named)
        else {
            continue;
        };
        out.emit(
            grant.path(i),
            format!(
                "{} grants {}, so its holders choose what runs in pods, with any service account and \
                 security context admission allows",
                super::describe(object),
                grant.describe()
            ),
        );
    }
}
