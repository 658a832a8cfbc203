use super::Permission;
use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-RBAC-010"),
        slug: "webhook-config-write",
        title: "ClusterRole allows changing admission webhook configurations",
        severity: Severity::High,
        status: SINCE_0_1,
        references: &[Cis("5.1.12"), Mitre("T1562.001"), Mitre("T1557"), Cwe(269)],
        remediation: "Remove write verbs on `mutatingwebhookconfigurations` and `validatingwebhookconfigurations`; \
                      limit a webhook's own controller to its configuration with `resourceNames`.",
        docs: include_str!("webhook_config_write.md"),
    },
    run: Run::Object {
        kinds: super::ROLE_KINDS,
        check: run,
    },
};

const WRITE_WEBHOOKS: Permission = Permission {
    groups: &["admissionregistration.k8s.io"],
    resources: &[
        "mutatingwebhookconfigurations",
        "validatingwebhookconfigurations",
    ],
    verbs: &["create", "update", "patch", "delete"],
    cluster_scoped: true,
};

/// The verbs a rule limited with `resourceNames` can still grant: `create` cannot be limited
/// by name, so such a rule never allows it.
const CHANGE_WEBHOOKS: Permission = Permission {
    verbs: &["update", "patch", "delete"],
    ..WRITE_WEBHOOKS
};

fn run(object: &Object, _: &ObjectIndex, out: &mut Emitter<'_>) {
    let Some(rules) = super::authored_rules(object) else {
        return;
    };
    for (i, rule) in rules.iter().enumerate() {
        let grant = super::grant(rule, object.kind(), &WRITE_WEBHOOKS)
            .filter(|g| !g.named)
            .or_else(|| super::grant(rule, object.kind(), &CHANGE_WEBHOOKS));
        let Some(grant) = grant else { continue };
        out.emit(
            grant.path(i),
            format!(
                "{} grants {}, so its holders can see or rewrite objects as they are admitted, or switch \
                 admission policies off",
                super::describe(object),
                grant.describe()
            ),
        );
    }
}
