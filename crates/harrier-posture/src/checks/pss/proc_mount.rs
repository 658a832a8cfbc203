use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-PSS-006"),
        slug: "proc-mount",
        title: "Container unmasks /proc outside a user namespace",
        severity: Severity::High,
        status: SINCE_0_1,
        references: &[
            Pss("procMount"),
            Nsa("Pod security: Pod Security enforcement"),
            Mitre("T1611"),
        ],
        remediation: "Remove `securityContext.procMount` or set it to `Default`. A workload that needs an \
                      unmasked /proc (a nested container runtime) must run in its own user namespace \
                      (`spec.hostUsers: false`).",
        docs: include_str!("proc_mount.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    // Policy v1.35: in a user namespace an unmasked /proc exposes only what the namespace's
    // unprivileged user may see on the node.
    if super::has_user_namespace(&ctx.workload.spec) {
        return;
    }
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
                "container `{}` sets `securityContext.procMount: {value}` without `spec.hostUsers: false` \
                 (PSS baseline `procMount`)",
                c.name()
            ),
        );
    }
}
