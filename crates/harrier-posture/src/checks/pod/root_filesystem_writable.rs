use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-011"),
        slug: "root-filesystem-writable",
        title: "Container root filesystem is writable",
        severity: Severity::Low,
        status: SINCE_0_1,
        references: &[
            Nsa("Kubernetes Pod security: immutable container file systems"),
            Cwe(732),
        ],
        remediation: "Set `securityContext.readOnlyRootFilesystem: true` and mount an `emptyDir` where the application must write.",
        docs: include_str!("root_filesystem_writable.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    for c in ctx.workload.containers() {
        let value = c
            .container
            .security_context
            .as_ref()
            .and_then(|sc| sc.read_only_root_filesystem);
        let message = match value {
            Some(true) => continue,
            Some(false) => format!(
                "container `{}` sets `securityContext.readOnlyRootFilesystem: false`",
                c.name()
            ),
            None => format!(
                "container `{}` does not set `securityContext.readOnlyRootFilesystem: true`, so its root filesystem is writable",
                c.name()
            ),
        };
        out.emit_container(
            &c,
            c.field("securityContext.readOnlyRootFilesystem"),
            message,
        );
    }
}
