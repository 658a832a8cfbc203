use super::Permission;
use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-RBAC-003"),
        slug: "secret-read-access",
        title: "Role grants read access to Secrets",
        severity: Severity::Medium,
        status: SINCE_0_1,
        references: &[Cis("5.1.2"), Mitre("T1552.007"), Mitre("T1528"), Cwe(522)],
        remediation: "Remove `get`, `list` and `watch` on `secrets`, or limit `get` to the Secrets the subject \
                      needs with `resourceNames`; mount Secrets into pods instead of reading them through the API.",
        docs: include_str!("secret_read_access.md"),
    },
    run: Run::Object {
        kinds: super::ROLE_KINDS,
        check: run,
    },
};

/// Listing and watching come first: they enumerate every Secret, which decides the severity.
const READ_SECRETS: Permission = Permission {
    groups: &[""],
    resources: &["secrets"],
    verbs: &["list", "watch", "get"],
    cluster_scoped: false,
};

fn run(object: &Object, _: &ObjectIndex, out: &mut Emitter<'_>) {
    let Some(rules) = super::authored_rules(object) else {
        return;
    };
    for (i, rule) in rules.iter().enumerate() {
        let Some(grant) = super::grant(rule, object.kind(), &READ_SECRETS) else {
            continue;
        };
        // Rules limited to named Secrets are the remedy this check recommends.
        if grant.named {
            continue;
        }
        let enumerates = grant.wanted_verb.is_some_and(|v| v != "get");
        let message = format!("{} grants {}", super::describe(object), grant.describe());
        if enumerates && object.kind() == "ClusterRole" {
            out.emit_with_severity(
                Severity::High,
                grant.path(i),
                format!(
                    "{message}: bound cluster-wide, this reads every Secret of every namespace"
                ),
            );
        } else {
            out.emit(grant.path(i), message);
        }
    }
}
