use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-PSS-013"),
        slug: "allow-privilege-escalation",
        title: "Container does not forbid privilege escalation",
        severity: Severity::Medium,
        status: SINCE_0_1,
        references: &[
            Pss("allowPrivilegeEscalation"),
            Cis("5.2.6"),
            Nsa("Pod security: Pod Security enforcement"),
            Mitre("T1068"),
            Cwe(250),
        ],
        remediation: "Set `securityContext.allowPrivilegeEscalation: false` on every container, init and \
                      ephemeral containers included.",
        docs: include_str!("allow_privilege_escalation.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    // Policy v1.25: Windows has no setuid binaries or no_new_privs to speak of.
    if super::is_windows(&ctx.workload.spec) {
        return;
    }
    for c in ctx.workload.containers() {
        let value = c
            .container
            .security_context
            .as_ref()
            .and_then(|sc| sc.allow_privilege_escalation);
        let message = match value {
            Some(false) => continue,
            Some(true) => format!(
                "container `{}` sets `securityContext.allowPrivilegeEscalation: true` (PSS restricted \
                 `allowPrivilegeEscalation`)",
                c.name()
            ),
            None => format!(
                "container `{}` does not set `securityContext.allowPrivilegeEscalation: false` (PSS restricted \
                 `allowPrivilegeEscalation`)",
                c.name()
            ),
        };
        out.emit_container(
            &c,
            c.field("securityContext.allowPrivilegeEscalation"),
            message,
        );
    }
}
