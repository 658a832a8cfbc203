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
        // "`bind` on `roles`, `escalate` on `roles` (through `*` on `*`)": what is granted, then
        // the rule entries that grant it when they are wildcards.
        let mut wanted: Vec<String> = Vec::new();
        let mut through: Vec<String> = Vec::new();
        for grant in &grants {
            let verb = grant.wanted_verb.unwrap_or(grant.verb);
            push_new(
                &mut wanted,
                format!("`{verb}` on `{}`", grant.wanted_resource),
            );
            if verb != grant.verb || grant.resource != grant.wanted_resource {
                push_new(
                    &mut through,
                    format!("`{}` on `{}`", grant.verb, grant.resource),
                );
            }
        }
        let through = if through.is_empty() {
            String::new()
        } else {
            format!(" (through {})", through.join(", "))
        };
        out.emit(
            first.path(i),
            format!(
                "{} grants {}{through}, which lets its holders gain permissions they were not given",
                super::describe(object),
                wanted.join(", ")
            ),
        );
    }
}

fn push_new(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}
