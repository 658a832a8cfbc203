use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-PSS-019"),
        slug: "proc-mount-restricted",
        title: "Container sets a non-default procMount",
        severity: Severity::Medium,
        status: SINCE_0_1,
        references: &[
            Pss("procMount_restricted"),
            Nsa("Pod security: Pod Security enforcement"),
            Mitre("T1611"),
        ],
        remediation: "Remove `securityContext.procMount` or set it to `Default`.",
        docs: include_str!("proc_mount_restricted.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    // Unlike baseline `procMount`, `hostUsers: false` relaxes nothing here.
    for c in ctx.workload.containers() {
        let value = c
            .container
            .security_context
            .as_ref()
            .and_then(|sc| sc.proc_mount.as_deref());
        if super::is_default_proc_mount(value) {
            continue;
        }
        let value = super::shown(value.unwrap_or_default());
        out.emit_container(
            &c,
            c.field("securityContext.procMount"),
            format!(
                "container `{}` sets `securityContext.procMount: {value}` (PSS restricted `procMount_restricted`)",
                c.name()
            ),
        );
    }
}
