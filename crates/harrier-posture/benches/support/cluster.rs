//! The generated RBAC cluster of the `rbac` and `risks` benches (benches are separate
//! binaries, so they share this file through `#[path]`): 100 namespaces, 2,000 service
//! accounts, 500 Roles, 100 ClusterRoles (10 aggregated) and 5,000 bindings.

// Each bench uses part of what is public here.
#![allow(dead_code)]

use std::fmt::Write;

pub const NAMESPACES: usize = 100;
pub const SERVICE_ACCOUNTS: usize = 2_000;
const ROLES: usize = 500;
const CLUSTER_ROLES: usize = 100;
pub const BINDINGS: usize = 5_000;

const RESOURCES: [&str; 8] = [
    "pods",
    "secrets",
    "configmaps",
    "services",
    "pods/exec",
    "deployments",
    "jobs",
    "*",
];
const VERBS: [&str; 6] = ["get", "list", "watch", "create", "delete", "*"];

fn rule(i: usize) -> String {
    let group = if RESOURCES[i % RESOURCES.len()] == "deployments" {
        "apps"
    } else {
        ""
    };
    let names = if i % 11 == 0 {
        ", resourceNames: [special]"
    } else {
        ""
    };
    format!(
        "- {{apiGroups: [\"{group}\"], resources: [\"{}\"], verbs: [\"{}\", \"{}\"]{names}}}\n",
        RESOURCES[i % RESOURCES.len()],
        VERBS[i % VERBS.len()],
        VERBS[(i / 3) % VERBS.len()],
    )
}

pub fn cluster() -> String {
    let mut y = String::new();
    for r in 0..ROLES {
        let _ = write!(
            y,
            "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {{name: role-{r}, namespace: ns-{}}}\nrules:\n{}{}",
            r % NAMESPACES,
            rule(r),
            rule(r + 1)
        );
    }
    for c in 0..CLUSTER_ROLES {
        if c % 10 == 0 {
            let _ = write!(
                y,
                "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {{name: cr-{c}}}\naggregationRule:\n  clusterRoleSelectors:\n  - matchLabels: {{agg: \"{}\"}}\n",
                c / 10
            );
        } else {
            let _ = write!(
                y,
                "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {{name: cr-{c}, labels: {{agg: \"{}\"}}}}\nrules:\n{}{}{}",
                c / 10,
                rule(c),
                rule(c * 7),
                rule(c * 13)
            );
        }
    }
    for b in 0..BINDINGS {
        let sa = b % SERVICE_ACCOUNTS;
        let sa_ns = sa % NAMESPACES;
        let subject = match b % 50 {
            0 => "{kind: Group, name: \"system:authenticated\"}".to_owned(),
            1 => format!("{{kind: Group, name: \"system:serviceaccounts:ns-{sa_ns}\"}}"),
            2 => format!("{{kind: User, name: user-{}}}", b % 97),
            _ => format!("{{kind: ServiceAccount, name: sa-{sa}, namespace: ns-{sa_ns}}}"),
        };
        if b % 5 == 0 {
            let _ = write!(
                y,
                "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {{name: crb-{b}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cr-{}}}\nsubjects: [{subject}]\n",
                b % CLUSTER_ROLES
            );
        } else {
            let role = b % ROLES;
            let (kind, name, ns) = if b % 3 == 0 {
                (
                    "ClusterRole",
                    format!("cr-{}", b % CLUSTER_ROLES),
                    b % NAMESPACES,
                )
            } else {
                ("Role", format!("role-{role}"), role % NAMESPACES)
            };
            let _ = write!(
                y,
                "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {{name: rb-{b}, namespace: ns-{ns}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: {kind}, name: {name}}}\nsubjects: [{subject}]\n"
            );
        }
    }
    y
}
