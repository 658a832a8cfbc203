use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-PSS-017"),
        slug: "capabilities-restricted",
        title: "Container does not drop ALL capabilities, or adds one besides NET_BIND_SERVICE",
        severity: Severity::Medium,
        status: SINCE_0_1,
        references: &[
            Pss("capabilities_restricted"),
            Cis("5.2.8"),
            Cis("5.2.9"),
            Cis("5.2.10"),
            Nsa("Pod security: Pod Security enforcement"),
            Mitre("T1611"),
            Cwe(250),
        ],
        remediation: "Set `securityContext.capabilities.drop: [\"ALL\"]` on every container, and add back at \
                      most `NET_BIND_SERVICE`.",
        docs: include_str!("capabilities_restricted.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    // Policy v1.25: Windows has no Linux capabilities.
    if super::is_windows(&ctx.workload.spec) {
        return;
    }
    for c in ctx.workload.containers() {
        let capabilities = c
            .container
            .security_context
            .as_ref()
            .and_then(|sc| sc.capabilities.as_ref());
        let drop = capabilities
            .and_then(|caps| caps.drop.as_deref())
            .unwrap_or_default();
        // Exactly `ALL`: the runtime matches case-insensitively, upstream does not.
        if !drop.iter().any(|d| d == "ALL") {
            out.emit_container(
                &c,
                c.field("securityContext.capabilities.drop"),
                format!(
                    "container `{}` does not set `securityContext.capabilities.drop: [\"ALL\"]` (PSS restricted \
                     `capabilities_restricted`)",
                    c.name()
                ),
            );
        }
        let added = capabilities
            .and_then(|caps| caps.add.as_deref())
            .unwrap_or_default();
        for (j, capability) in added.iter().enumerate() {
            if capability == "NET_BIND_SERVICE" {
                continue;
            }
            out.emit_container(
                &c,
                c.field("securityContext.capabilities.add").index(j),
                format!(
                    "container `{}` adds capability `{}` in `securityContext.capabilities.add`; only \
                     `NET_BIND_SERVICE` may be added (PSS restricted `capabilities_restricted`)",
                    c.name(),
                    super::shown(capability)
                ),
            );
        }
    }
}
