use super::added_capabilities;
use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-017"),
        slug: "sys-admin-capability",
        title: "Container adds the SYS_ADMIN capability",
        severity: Severity::High,
        status: SINCE_0_1,
        references: &[
            Cis("5.2.9"),
            Pss("capabilities_baseline"),
            Mitre("T1611"),
            Cwe(250),
        ],
        remediation: "Remove `SYS_ADMIN` (and `ALL`) from `securityContext.capabilities.add`; grant the narrow capability the workload needs instead.",
        docs: include_str!("sys_admin_capability.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    for c in ctx.workload.containers() {
        for (i, cap) in added_capabilities(&c) {
            let message = match cap.as_str() {
                "SYS_ADMIN" => format!(
                    "container `{}` adds `SYS_ADMIN` in `securityContext.capabilities.add`",
                    c.name()
                ),
                "ALL" => format!(
                    "container `{}` adds `ALL` in `securityContext.capabilities.add`, which includes `SYS_ADMIN`",
                    c.name()
                ),
                _ => continue,
            };
            out.emit_container(
                &c,
                c.field("securityContext.capabilities").key("add").index(i),
                message,
            );
        }
    }
}
