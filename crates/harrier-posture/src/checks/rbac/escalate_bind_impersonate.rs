use super::Permission;
use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-RBAC-005"),
        slug: "escalate-bind-impersonate",
        title: "Role grants `escalate`, `bind` or `impersonate`",
        severity: Severity::High,
        status: SINCE_0_1,
        references: &[Cis("5.1.8"), Mitre("T1098.006"), Mitre("T1078"), Cwe(269)],
        remediation: "Remove the `escalate`, `bind` and `impersonate` verbs; if a controller must create bindings, \
                      limit `bind` with `resourceNames` to the roles it hands out.",
        docs: include_str!("escalate_bind_impersonate.md"),
    },
    run: Run::Object {
        kinds: super::ROLE_KINDS,
        check: run,
    },
};

/// Each verb with the resources it applies to. A Role can grant `bind` on ClusterRoles (for
/// RoleBindings of its namespace) and impersonation of its namespace's service accounts, but
/// not `escalate` on ClusterRoles nor impersonation of users, groups or UIDs, which are
/// cluster-scoped requests.
const PERMISSIONS: &[Permission] = &[
    Permission {
        groups: &["rbac.authorization.k8s.io"],
        resources: &["roles"],
        verbs: &["escalate"],
        cluster_scoped: false,
    },
    Permission {
        groups: &["rbac.authorization.k8s.io"],
        resources: &["clusterroles"],
        verbs: &["escalate"],
        cluster_scoped: true,
    },
    Permission {
        groups: &["rbac.authorization.k8s.io"],
        resources: &["roles", "clusterroles"],
        verbs: &["bind"],
        cluster_scoped: false,
    },
    Permission {
        groups: &[""],
        resources: &["serviceaccounts"],
        verbs: &["impersonate"],
        cluster_scoped: false,
    },
    Permission {
        groups: &[""],
        resources: &["users", "groups"],
        verbs: &["impersonate"],
        cluster_scoped: true,
    },
    Permission {
        groups: &["authentication.k8s.io"],
        resources: &["uids"],
        verbs: &["impersonate"],
        cluster_scoped: true,
    },
];

fn run(object: &Object, _: &ObjectIndex, out: &mut Emitter<'_>) {
    let Some(rules) = super::authored_rules(object) else {
        return;
    };
    for (i, rule) in rules.iter().enumerate() {
        let grants: Vec<_> = PERMISSIONS
            .iter()
            .filter_map(|p| super::grant(rule, object.kind(), p))
            .collect();
        let Some(first) = grants.first() else {
            continue;
        };
        let mut described: Vec<String> = Vec::new();
        for grant in &grants {
            let text = grant.describe();
            if !described.contains(&text) {
                described.push(text);
            }
        }
        out.emit(
            first.path(i),
            format!(
                "{} grants {}, which lets its holders gain permissions they were not given",
                super::describe(object),
                described.join("; ")
            ),
        );
    }
}
