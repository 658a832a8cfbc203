use super::Permission;
use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-RBAC-014"),
        slug: "csr-approval-access",
        title: "ClusterRole allows approving certificate signing requests",
        severity: Severity::High,
        status: SINCE_0_1,
        references: &[Cis("5.1.11"), Mitre("T1649"), Mitre("T1078"), Cwe(269)],
        remediation: "Remove `update`/`patch` on `certificatesigningrequests/approval` and `approve` on `signers`; \
                      leave approval to the controller manager's approvers, or limit an approver to its own \
                      signer with `resourceNames`.",
        docs: include_str!("csr_approval_access.md"),
    },
    run: Run::Object {
        kinds: super::ROLE_KINDS,
        check: run,
    },
};

/// Writing a request's approval condition.
const APPROVAL: Permission = Permission {
    groups: &["certificates.k8s.io"],
    resources: &["certificatesigningrequests/approval"],
    verbs: &["update", "patch"],
    cluster_scoped: true,
};

/// The second permission the API server requires to approve a request (`certificates.k8s.io/v1`):
/// `approve` on the signer the request names.
const SIGNER: Permission = Permission {
    groups: &["certificates.k8s.io"],
    resources: &["signers"],
    verbs: &["approve"],
    cluster_scoped: true,
};

fn run(object: &Object, _: &ObjectIndex, out: &mut Emitter<'_>) {
    let Some(rules) = super::authored_rules(object) else {
        return;
    };
    let signer = rules
        .iter()
        .enumerate()
        .find_map(|(j, rule)| super::grant(rule, object.kind(), &SIGNER).map(|g| (j, g)));
    for (i, rule) in rules.iter().enumerate() {
        let Some(grant) = super::grant(rule, object.kind(), &APPROVAL) else {
            continue;
        };
        let name = super::describe(object);
        match &signer {
            Some((j, signer)) => {
                let which = if signer.named {
                    "for the signers named in `resourceNames`"
                } else {
                    "for any signer, including client certificates that name any user or group"
                };
                let what = if *j == i {
                    format!(
                        "`{}` on `{}` (which includes `update` on `certificatesigningrequests/approval` and \
                         `approve` on `signers`)",
                        grant.verb, grant.resource
                    )
                } else {
                    format!("{} and, in `rules[{j}]`, {}", grant.describe(), signer.describe())
                };
                out.emit(
                    grant.path(i),
                    format!("{name} grants {what}, so its holders can approve certificate requests {which}"),
                );
            }
            None => out.emit_with_severity(
                Severity::Medium,
                grant.path(i),
                format!(
                    "{name} grants {}, half of what approving a certificate request takes: with `approve` on \
                     `signers` from any other role, its holders can issue certificates",
                    grant.describe()
                ),
            ),
        }
    }
}
